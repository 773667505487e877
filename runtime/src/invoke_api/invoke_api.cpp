#include "invoke_api/invoke_api.hpp"

#include <chrono>
#include <ctime>
#include <memory>
#include <nlohmann/json.hpp>

#include "auth/verifier.hpp"
#include "invoke_api/function_name.hpp"
#include "log/log.hpp"
#include "pool/function_pool.hpp"
#include "util/json.hpp"
#include "util/json_dump.hpp"
#include "util/text.hpp"

namespace lambdaport::runtime::invoke_api {
namespace {

constexpr std::string_view functions_prefix = "/2015-03-31/functions/";
constexpr std::string_view invocations_suffix = "/invocations";
constexpr std::size_t client_context_limit = 3583;

std::string make_trace_id() {
    char epoch[16];
    std::snprintf(epoch, sizeof epoch, "%08lx", static_cast<unsigned long>(std::time(nullptr)));
    return "Root=1-" + std::string(epoch) + "-" + util::random_hex(24) +
           ";Parent=" + util::random_hex(16) + ";Sampled=0";
}

std::string qualified_arn(const pool::function_pool& fn, std::string_view qualifier) {
    return qualifier.empty() ? fn.arn() : fn.arn() + ":" + std::string(qualifier);
}

http::response with_request_id(http::response res, const std::string& id) {
    res.set("x-amzn-RequestId", id);
    return res;
}

}  // namespace

http::response api_error(unsigned status, std::string_view type, std::string_view message,
                         std::string_view reason) {
    http::response res;
    res.status = status;
    res.set("Content-Type", "application/json");
    res.set("x-amzn-ErrorType", std::string(type));
    res.set("x-amzn-RequestId", util::make_uuid());
    nlohmann::json body{{"Type", status >= 500 ? "Service" : "User"}, {"message", message}};
    if (!reason.empty()) {
        body["Reason"] = reason;
    }
    res.body = util::dump_json(body);
    return res;
}

http::response too_large(std::string_view) {
    return api_error(413, "RequestEntityTooLargeException",
                     "Request must be smaller than 6291456 bytes for the InvokeFunction operation");
}

http::response server_error(unsigned status, std::string_view message) {
    switch (status) {
        case 400:
            return api_error(400, "InvalidRequestContentException", message);
        case 431:
            return api_error(431, "RequestHeaderFieldsTooLargeException", message);
        default:
            return api_error(status, "ServiceException", message);
    }
}

http::response directory::push(std::string_view, std::string_view, std::string_view) {
    return api_error(404, "ResourceNotFoundException", "No event source takes pushes here.");
}

namespace {

// Compares every byte whatever differs first (the length is no secret).
bool same_secret(std::string_view given, std::string_view expected) {
    if (expected.empty() || given.size() != expected.size()) {
        return false;
    }
    unsigned char differ = 0;
    for (std::size_t i = 0; i < given.size(); ++i) {
        differ |= static_cast<unsigned char>(given[i] ^ expected[i]);
    }
    return differ == 0;
}

// POST /lambdaport/notifications/<function>/<event>[?token=...]: a storage server's push.
http::response notification(directory& functions, const http::request& req,
                            std::string_view rest, std::string_view query) {
    auto slash = rest.find('/');
    auto function = util::percent_decode(rest.substr(0, slash));
    auto event = slash == std::string_view::npos ? std::nullopt
                                                 : util::percent_decode(rest.substr(slash + 1));
    auto token = function && event ? functions.push_token(*function, *event) : std::nullopt;
    const auto* verifier = functions.verifier();
    if (!token || token->empty()) {
        // Without a token of its own, a push passes the Invoke API's checks, and so does the
        // question which sources exist.
        if (verifier) {
            auto verdict = verifier->check(req, std::chrono::system_clock::now());
            if (!verdict.accepted()) {
                return auth::refusal(verdict);
            }
        }
        if (!token) {
            return api_error(404, "ResourceNotFoundException",
                             "No event source takes pushes at " +
                                 std::string(notifications_prefix) + std::string(rest));
        }
    } else {
        std::string given;
        if (!http::query_param(query, "token", given)) {
            auto auth = req.header_value("Authorization");
            if (auth.starts_with("Bearer ")) {
                given = std::string(auth.substr(7));
            }
        }
        if (!same_secret(given, *token)) {
            log::warn("notification refused: wrong or missing token",
                      {{"function", *function}, {"event", *event}});
            return api_error(403, "AccessDeniedException",
                             "A push to this event source needs its push_token.");
        }
    }
    if (req.method != "POST") {
        return api_error(405, "MethodNotAllowedException",
                         "Notifications are POSTed, not sent with " + req.method);
    }
    return functions.push(*function, *event, req.body);
}

}  // namespace

net::awaitable<http::response> handle(directory& functions, http::request req) {
    {
        auto [path, query] = http::split_target(req.target);
        if (path.starts_with(notifications_prefix)) {
            co_return notification(functions, req, path.substr(notifications_prefix.size()),
                                   query);
        }
    }
    if (const auto* verifier = functions.verifier()) {
        auto verdict = verifier->check(req, std::chrono::system_clock::now());
        if (!verdict.accepted()) {
            log::warn("invoke refused",
                      {{"error", verdict.error_type()}, {"access_key_id", verdict.access_key_id}});
            co_return auth::refusal(verdict);
        }
    }
    auto [path, query] = http::split_target(req.target);
    if (req.method == "GET" && path == "/lambdaport/status") {
        http::response res;
        res.set("Content-Type", "application/json");
        res.body = functions.status_json();
        co_return res;
    }
    if (!path.starts_with(functions_prefix) || !path.ends_with(invocations_suffix) ||
        path.size() <= functions_prefix.size() + invocations_suffix.size()) {
        co_return api_error(404, "UnknownOperationException",
                            "Unknown operation " + req.method + " " + std::string(path));
    }
    if (req.method != "POST") {
        co_return api_error(405, "MethodNotAllowedException",
                            "The Invoke operation takes POST, not " + req.method);
    }
    auto raw_name = path.substr(functions_prefix.size(),
                                path.size() - functions_prefix.size() - invocations_suffix.size());
    auto decoded = util::percent_decode(raw_name);
    auto name = decoded ? parse_function_name(*decoded) : std::nullopt;
    if (!name) {
        co_return api_error(
            400, "ValidationException",
            "1 validation error detected: Value '" + std::string(decoded ? *decoded : raw_name) +
                "' at 'functionName' failed to satisfy constraint: Member must satisfy regular "
                "expression pattern: "
                "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)"
                "?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?");
    }
    std::string qualifier;
    if (http::query_param(query, "Qualifier", qualifier) && !name->qualifier.empty() &&
        qualifier != name->qualifier) {
        co_return api_error(400, "InvalidParameterValueException",
                            "The derived qualifier from the function name does not match the "
                            "specified qualifier.");
    }
    if (qualifier.empty()) {
        qualifier = name->qualifier;
    }
    auto* fn = functions.find(name->name);
    bool foreign =
        fn && ((!name->region.empty() && name->region != fn->settings().region) ||
               (!name->account_id.empty() && name->account_id != fn->settings().account_id));
    if (!fn || foreign) {
        std::string arn =
            "arn:aws:lambda:" + (name->region.empty() ? std::string("us-east-1") : name->region) +
            ":" + (name->account_id.empty() ? std::string("000000000000") : name->account_id) +
            ":function:" + name->name;
        if (fn) {
            arn = fn->arn();
        }
        co_return api_error(
            404, "ResourceNotFoundException",
            "Function not found: " + (qualifier.empty() ? arn : arn + ":" + qualifier));
    }
    if (!qualifier.empty() && qualifier != "$LATEST") {
        co_return api_error(404, "ResourceNotFoundException",
                            "Function not found: " + qualified_arn(*fn, qualifier));
    }

    auto type = req.header_value("X-Amz-Invocation-Type");
    if (type.empty()) {
        type = "RequestResponse";
    }
    if (type != "RequestResponse" && type != "Event" && type != "DryRun") {
        co_return api_error(400, "InvalidParameterValueException",
                            "Unsupported invocation type " + std::string(type) +
                                ": use RequestResponse, Event or DryRun");
    }
    auto log_type = req.header_value("X-Amz-Log-Type");
    if (!log_type.empty() && log_type != "None" && log_type != "Tail") {
        co_return api_error(400, "InvalidParameterValueException",
                            "Unsupported log type " + std::string(log_type) + ": use None or Tail");
    }
    if (req.body.empty()) {
        req.body = "{}";
    } else if (!nlohmann::json::accept(req.body)) {
        co_return api_error(400, "InvalidRequestContentException",
                            "Could not parse request body into json: Could not parse payload into "
                            "json: the body is not valid JSON");
    }
    std::string client_context;
    if (auto encoded = req.header_value("X-Amz-Client-Context"); !encoded.empty()) {
        auto text = util::base64_decode(encoded);
        auto parsed = text && text->size() <= client_context_limit ? util::parse_json(*text)
                                                                   : std::nullopt;
        if (!parsed || !parsed->is_object()) {
            co_return api_error(400, "InvalidRequestContentException",
                                "Client context must be a valid Base64-encoded JSON object of at "
                                "most 3583 bytes.");
        }
        // Passed on as a header of /next: written anew as compact JSON, so whitespace the caller
        // put between its tokens (a line break is valid JSON) never reaches a header.
        client_context = util::dump_json(*parsed);
    }

    if (type == "DryRun") {
        http::response res;
        res.status = 204;
        co_return with_request_id(std::move(res), util::make_uuid());
    }
    if (type == "Event") {
        if (req.body.size() > event_limit) {
            co_return api_error(413, "RequestEntityTooLargeException",
                                "Request must be smaller than 1048576 bytes for the Invoke "
                                "operation with invocation type Event");
        }
        std::optional<std::string> id;
        try {
            id = functions.accept_event(*fn, std::move(req.body));
        } catch (const std::exception& e) {
            co_return api_error(500, "ServiceException",
                                std::string("The event could not be queued: ") + e.what());
        }
        if (!id) {
            // AWS documents no answer for a full async queue; this is the throttle Lambda gives
            // when an account-wide limit is reached, as the queue's bound is engine-wide.
            co_return api_error(429, "TooManyRequestsException", "Rate Exceeded.",
                                "ConcurrentInvocationLimitExceeded");
        }
        http::response res;
        res.status = 202;
        co_return with_request_id(std::move(res), *id);
    }

    auto work =
        std::make_shared<pool::invocation>(fn->executor(), util::make_uuid(), std::move(req.body));
    work->client_context = std::move(client_context);
    auto trace = req.header_value("X-Amzn-Trace-Id");
    work->trace_id = trace.empty() ? make_trace_id() : std::string(trace);
    work->invoked_function_arn = qualified_arn(*fn, qualifier);
    work->want_log_tail = log_type == "Tail";
    if (!fn->submit(work, true)) {
        co_return api_error(429, "TooManyRequestsException", "Rate Exceeded.",
                            "ReservedFunctionConcurrentInvocationLimitExceeded");
    }
    auto result = co_await work->wait();
    http::response res;
    res.headers.reserve(5);
    res.set("Content-Type", std::move(result.content_type));
    res.set("X-Amz-Executed-Version", "$LATEST");
    if (result.function_error) {
        res.set("X-Amz-Function-Error", "Unhandled");
    }
    if (work->want_log_tail) {
        res.set("X-Amz-Log-Result", util::base64_encode(result.log_tail));
    }
    res.body = std::move(result.payload);
    co_return with_request_id(std::move(res), work->request_id);
}

}  // namespace lambdaport::runtime::invoke_api
