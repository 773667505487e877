#include "runtime_api/runtime_api.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "pool/instance.hpp"
#include "util/json.hpp"
#include "util/text.hpp"

namespace lambdaport::runtime::runtime_api {
namespace {

constexpr std::string_view prefix = "/2018-06-01/runtime/";

http::response error_response(unsigned status, std::string_view type, std::string_view message) {
    http::response res;
    res.status = status;
    res.set("Content-Type", "application/json");
    res.body = pool::error_json(type, message);
    return res;
}

http::response accepted() {
    http::response res;
    res.status = 202;
    res.set("Content-Type", "application/json");
    res.body = R"({"status":"OK"})";
    return res;
}

http::response from_verdict(pool::verdict v, std::string_view request_id) {
    switch (v) {
        case pool::verdict::accepted:
            return accepted();
        case pool::verdict::unknown_request:
            return error_response(400, "InvalidRequestID",
                                  "Invalid request ID: " + std::string(request_id));
        case pool::verdict::invalid_state:
            return error_response(403, "InvalidStateTransition",
                                  "State transition from the current state is not allowed");
    }
    return error_response(500, "ServiceException", "unexpected state");
}

http::response invocation_headers(pool::invocation& work,
                                  std::chrono::system_clock::time_point deadline) {
    http::response res;
    res.headers.reserve(8);
    res.set("Content-Type", "application/json");
    res.set("Lambda-Runtime-Aws-Request-Id", work.request_id);
    res.set("Lambda-Runtime-Deadline-Ms", std::to_string(util::epoch_ms(deadline)));
    res.set("Lambda-Runtime-Invoked-Function-Arn", work.invoked_function_arn);
    res.set("Lambda-Runtime-Trace-Id", work.trace_id);
    if (!work.client_context.empty()) {
        res.set("Lambda-Runtime-Client-Context", work.client_context);
    }
    if (!work.cognito_identity.empty()) {
        res.set("Lambda-Runtime-Cognito-Identity", work.cognito_identity);
    }
    res.body = std::move(work.payload);  // the caller keeps its own copy where it needs one
    return res;
}

}  // namespace

http::response too_large(std::weak_ptr<pool::instance> target, std::string_view request_target) {
    auto r = parse_route("POST", request_target);
    if (auto inst = target.lock(); inst && r.what == route::kind::response) {
        inst->fail(r.request_id,
                   pool::error_json("Function.ResponseSizeTooLarge",
                                    "Response payload size exceeded maximum allowed payload size "
                                    "(6291556 bytes)."),
                   "Function.ResponseSizeTooLarge");
    }
    return error_response(413, "RequestEntityTooLarge",
                          "Exceeded maximum allowed payload size (6291556 bytes).");
}

http::response server_error(unsigned status, std::string_view message) {
    switch (status) {
        case 400:
            return error_response(400, "InvalidRequest", message);
        case 431:
            return error_response(431, "RequestHeaderFieldsTooLarge", message);
        default:
            return error_response(status, "ServiceException", message);
    }
}

route parse_route(std::string_view method, std::string_view target) {
    auto path = http::split_target(target).first;
    if (!path.starts_with(prefix)) {
        return {};
    }
    path.remove_prefix(prefix.size());
    if (path == "invocation/next") {
        return {method == "GET" ? route::kind::next : route::kind::unknown, {}};
    }
    if (path == "init/error") {
        return {method == "POST" ? route::kind::init_error : route::kind::unknown, {}};
    }
    constexpr std::string_view inv = "invocation/";
    if (method != "POST" || !path.starts_with(inv)) {
        return {};
    }
    path.remove_prefix(inv.size());
    auto slash = path.find('/');
    if (slash == std::string_view::npos || slash == 0) {
        return {};
    }
    auto id = path.substr(0, slash);
    auto what = path.substr(slash + 1);
    if (what == "response") {
        return {route::kind::response, id};
    }
    if (what == "error") {
        return {route::kind::error, id};
    }
    return {};
}

pool::invocation_result function_error(std::string_view body, std::string_view error_type_header) {
    pool::invocation_result r;
    r.function_error = true;
    auto parsed = util::parse_json(body);
    if (parsed && parsed->is_object()) {
        if (auto it = parsed->find("errorType"); it != parsed->end() && it->is_string()) {
            r.error_type = it->get<std::string>();
        } else {
            r.error_type =
                error_type_header.empty() ? "Runtime.Unknown" : std::string(error_type_header);
        }
        r.payload = std::string(body);
        return r;
    }
    r.error_type = error_type_header.empty() ? "Runtime.Unknown" : std::string(error_type_header);
    r.payload = pool::error_json(r.error_type, body.empty() ? "Unknown error" : body);
    return r;
}

net::awaitable<http::response> handle(std::weak_ptr<pool::instance> target, http::request req) {
    auto r = parse_route(req.method, req.target);
    if (r.what == route::kind::unknown) {
        co_return error_response(404, "UnknownOperation",
                                 "Unknown Runtime API operation: " + req.method + " " + req.target);
    }
    auto inst = target.lock();
    if (!inst) {
        co_return error_response(500, "ServiceException", "The instance is gone; exit.");
    }
    switch (r.what) {
        case route::kind::next: {
            auto out = co_await inst->next();
            if (out.outcome != pool::verdict::accepted) {
                co_return from_verdict(out.outcome, {});
            }
            if (!out.work) {
                co_return error_response(500, "ServiceException",
                                         "The instance is being stopped; exit.");
            }
            co_return invocation_headers(*out.work, inst->deadline());
        }
        case route::kind::response: {
            auto ct = std::string(req.header_value("Content-Type"));
            auto v = inst->respond(r.request_id, std::move(req.body), std::move(ct));
            if (v == pool::verdict::accepted) {
                // Let the waiting caller's answer go out before this 202: the caller is the one
                // measuring latency, the runtime only wants to ask for its next event.
                co_await net::post(co_await net::this_coro::executor, net::use_awaitable);
            }
            co_return from_verdict(v, r.request_id);
        }
        case route::kind::error:
            co_return from_verdict(
                inst->fail(r.request_id, req.body,
                           req.header_value("Lambda-Runtime-Function-Error-Type")),
                r.request_id);
        case route::kind::init_error:
            co_return from_verdict(
                inst->init_error(req.body, req.header_value("Lambda-Runtime-Function-Error-Type")),
                {});
        case route::kind::unknown:
            break;
    }
    co_return error_response(500, "ServiceException", "unreachable");
}

}  // namespace lambdaport::runtime::runtime_api
