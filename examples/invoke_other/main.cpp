// invoke_other: a handler that invokes another function through lambdaport::lambda, with the
// endpoint the environment gives (lambdaport sets AWS_ENDPOINT_URL_LAMBDA for every handler; on
// AWS Lambda the default endpoint is the region's), and returns what came back.
//
// Event: {"function": NAME, "payload": <any JSON, default {}>, "type": "RequestResponse" |
// "Event" | "DryRun" (default RequestResponse)}. Answer:
//   {"status_code", "function_error", "executed_version", "payload": <the answer, parsed when it
//    is JSON>, "endpoint": "lambda http://..."}.
// An Invoke API error becomes this function's error, typed with the error's name (e.g.
// "ResourceNotFoundException").

#include <lambdaport/lambda.hpp>
#include <lambdaport/runtime.hpp>
#include <string>

namespace lambda = lambdaport::lambda;
using json = nlohmann::json;

namespace {

lambda::invocation_type type_of(const json& event) {
    const std::string type = event.value("type", "RequestResponse");
    if (type == "Event") {
        return lambda::invocation_type::event;
    }
    if (type == "DryRun") {
        return lambda::invocation_type::dry_run;
    }
    if (type != "RequestResponse") {
        throw lambdaport::function_error("Validation.BadInput", "unknown invocation type " + type);
    }
    return lambda::invocation_type::request_response;
}

}  // namespace

int main() {
    return lambdaport::run_with_init([] {
        // Once per process: the client keeps its connections between invocations.
        return [client = lambda::client::from_environment()](const json& event,
                                                             const lambdaport::context&) {
            if (!event.is_object() || !event.contains("function") ||
                !event["function"].is_string()) {
                throw lambdaport::function_error("Validation.BadInput",
                                                 "the event must name a \"function\"");
            }
            const std::string payload = event.value("payload", json::object()).dump();
            lambda::invoke_result r;
            try {
                r = client.invoke(event["function"].get<std::string>(), payload, type_of(event));
            } catch (const lambda::lambda_error& e) {
                throw lambdaport::function_error(e.code(), e.what());
            }
            json answer = json::parse(r.payload, nullptr, false);
            return json{{"status_code", r.status_code},
                        {"function_error", r.function_error},
                        {"executed_version", r.executed_version},
                        {"payload", answer.is_discarded() ? json(r.payload) : answer},
                        {"endpoint", client.describe()}};
        };
    });
}
