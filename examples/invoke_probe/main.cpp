// invoke_probe: invokes one function with lambdaport::lambda and prints what came back as one
// line of JSON. The Lambda client from a plain program, the way a script or a test drives it:
//
//   invoke_probe FUNCTION [--payload JSON | --payload-file PATH] [--type RequestResponse|Event|
//                DryRun] [--log-type Tail] [--client-context JSON] [--qualifier Q]
//
// Where and as whom it calls comes from the environment (AWS_ENDPOINT_URL_LAMBDA, AWS_REGION,
// AWS_ACCESS_KEY_ID, ...), as for any AWS client. Prints
//   {"status_code", "payload" (the answer's text), "function_error", "executed_version",
//    "log_result" (decoded), "request_id"}              and exits 0, or
//   {"error": {"code", "message", "http_status", "type", "reason"}}   and exits 2 when the call
// failed; a usage error exits 64.

#include <fstream>
#include <iostream>
#include <iterator>
#include <lambdaport/lambda.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace lambda = lambdaport::lambda;

namespace {

int usage(const std::string& why) {
    std::cerr << "invoke_probe: " << why
              << "\nusage: invoke_probe FUNCTION [--payload JSON | --payload-file PATH] "
                 "[--type RequestResponse|Event|DryRun] [--log-type Tail] "
                 "[--client-context JSON] [--qualifier Q]\n";
    return 64;
}

// Bytes that are not UTF-8 are replaced, so a binary answer still prints.
void print(const nlohmann::json& doc) {
    std::cout << doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2 || std::string_view(argv[1]).starts_with("--")) {
        return usage("no function name");
    }
    const std::string function = argv[1];
    std::string payload;
    lambda::invoke_options options;
    for (int i = 2; i < argc; i += 2) {
        const std::string_view option = argv[i];
        if (i + 1 >= argc) {
            return usage(std::string(option) + " needs a value");
        }
        const std::string value = argv[i + 1];
        if (option == "--payload") {
            payload = value;
        } else if (option == "--payload-file") {
            std::ifstream in(value, std::ios::binary);
            if (!in) {
                return usage("cannot read " + value);
            }
            payload.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        } else if (option == "--type") {
            if (value == "RequestResponse") {
                options.type = lambda::invocation_type::request_response;
            } else if (value == "Event") {
                options.type = lambda::invocation_type::event;
            } else if (value == "DryRun") {
                options.type = lambda::invocation_type::dry_run;
            } else {
                return usage("unknown invocation type " + value);
            }
        } else if (option == "--log-type") {
            if (value != "Tail" && value != "None") {
                return usage("unknown log type " + value);
            }
            options.log = value == "Tail" ? lambda::log_type::tail : lambda::log_type::none;
        } else if (option == "--client-context") {
            options.client_context = value;
        } else if (option == "--qualifier") {
            options.qualifier = value;
        } else {
            return usage("unknown option " + std::string(option));
        }
    }

    try {
        const auto client = lambda::client::from_environment();
        const auto r = client.invoke(function, payload, options);
        print({{"status_code", r.status_code},
               {"payload", r.payload},
               {"function_error", r.function_error},
               {"executed_version", r.executed_version},
               {"log_result", r.log_result},
               {"request_id", r.request_id}});
        return 0;
    } catch (const lambda::lambda_error& e) {
        print({{"error",
                {{"code", e.code()},
                 {"message", e.message()},
                 {"http_status", e.http_status()},
                 {"type", e.type()},
                 {"reason", e.reason()}}}});
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "invoke_probe: " << e.what() << '\n';
        return 1;
    }
}
