#include "lambda/protocol.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "aws/digest.hpp"
#include "aws/uri.hpp"

namespace lambdaport::lambda::detail {

namespace {

namespace aws = ::lambdaport::detail::aws;
using json = nlohmann::json;

// Longest stretch of a non-JSON error body (a proxy's HTML page) kept in the message.
constexpr std::size_t max_quoted_body = 200;

std::string_view header(const header_list& headers, std::string_view name) {
    for (const auto& [key, value] : headers) {
        if (key == name) {
            return value;
        }
    }
    return {};
}

std::string string_member(const json& doc, std::initializer_list<const char*> names) {
    for (const char* name : names) {
        auto it = doc.find(name);
        if (it != doc.end() && it->is_string()) {
            return it->get<std::string>();
        }
    }
    return {};
}

std::string code_for_status(long status) {
    switch (status) {
        case 403:
            return "AccessDeniedException";
        case 404:
            return "ResourceNotFoundException";
        case 413:
            return "RequestEntityTooLargeException";
        case 429:
            return "TooManyRequestsException";
        default:
            return status >= 500 ? "ServiceException" : "HTTP" + std::to_string(status);
    }
}

std::string_view type_header(invocation_type type) {
    switch (type) {
        case invocation_type::event:
            return "Event";
        case invocation_type::dry_run:
            return "DryRun";
        case invocation_type::request_response:
            break;
    }
    return "RequestResponse";
}

}  // namespace

std::string encode_segment(std::string_view text) {
    return aws::uri_encode(text);
}

std::string invoke_path(std::string_view function_name, std::string_view qualifier) {
    if (function_name.empty()) {
        throw std::invalid_argument("lambda invoke: the function name is empty");
    }
    std::string path = "/2015-03-31/functions/" + encode_segment(function_name) + "/invocations";
    if (!qualifier.empty()) {
        path += "?Qualifier=" + encode_segment(qualifier);
    }
    return path;
}

std::vector<std::string> invoke_headers(const invoke_options& options) {
    std::vector<std::string> headers{
        "Content-Type: application/json",
        "X-Amz-Invocation-Type: " + std::string(type_header(options.type)),
    };
    if (options.log == log_type::tail) {
        headers.push_back("X-Amz-Log-Type: Tail");
    }
    if (!options.client_context.empty()) {
        headers.push_back("X-Amz-Client-Context: " + aws::base64_encode(options.client_context));
    }
    return headers;
}

invoke_result parse_result(long status, const header_list& headers, std::string body) {
    invoke_result r;
    r.status_code = int(status);
    r.payload = std::move(body);
    r.function_error = header(headers, "x-amz-function-error");
    r.executed_version = header(headers, "x-amz-executed-version");
    r.request_id = header(headers, "x-amzn-requestid");
    const std::string_view log = header(headers, "x-amz-log-result");
    if (!log.empty()) {
        auto decoded = aws::base64_decode(log);
        r.log_result = decoded ? std::move(*decoded) : std::string(log);
    }
    return r;
}

lambda_error parse_error(long status, std::string_view body, const header_list& headers) {
    std::string code(header(headers, "x-amzn-errortype"));
    code = code.substr(0, code.find(':'));  // AWS may append ":http://internal.amazon.com/..."
    std::string message;
    std::string type;
    std::string reason;
    auto doc = json::parse(body, nullptr, false);
    if (doc.is_object()) {
        if (code.empty()) {
            code = string_member(doc, {"__type", "code", "Code"});
            code = code.substr(code.rfind('#') + 1);  // "com.amazonaws.lambda#..."
        }
        message = string_member(doc, {"message", "Message", "errorMessage"});
        type = string_member(doc, {"Type"});
        reason = string_member(doc, {"Reason"});
    } else if (!body.empty()) {
        message = std::string(body.substr(0, max_quoted_body));
        while (!message.empty() && (message.back() == '\n' || message.back() == '\r')) {
            message.pop_back();
        }
    }
    if (code.empty()) {
        code = code_for_status(status);
    }
    if (message.empty()) {
        message = "HTTP " + std::to_string(status);
    }
    return lambda_error(std::move(code), int(status), std::move(message), std::move(type),
                        std::move(reason));
}

bool retryable(long status) {
    return status == 429 || status >= 500;
}

}  // namespace lambdaport::lambda::detail
