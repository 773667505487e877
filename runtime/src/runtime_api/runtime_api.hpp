#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include "http/message.hpp"
#include "pool/invocation.hpp"
#include "util/net.hpp"

namespace lambdaport::runtime::pool {
class instance;
}

// The Lambda Runtime API (2018-06-01) as one instance's listener serves it.
namespace lambdaport::runtime::runtime_api {

/// Largest response a runtime may post (Lambda's synchronous response limit).
inline constexpr std::size_t response_limit = 6'291'556;

/// 413 for a response over response_limit; the invocation it was for ends with
/// Function.ResponseSizeTooLarge.
http::response too_large(std::weak_ptr<pool::instance> target, std::string_view request_target);

/// What the server answers by itself (400 not HTTP, 431 header too large, 500 the request
/// failed), in the Runtime API's error shape.
http::response server_error(unsigned status, std::string_view message);

/// Answers one Runtime API request of the instance (which may be gone: 500 then).
net::awaitable<http::response> handle(std::weak_ptr<pool::instance> target, http::request req);

/// A function error as the caller will see it, from what a runtime posted to /error or
/// /init/error: the body when it is a JSON object, else one built from the error-type header and
/// the body's text (some clients send no body, some no header).
pool::invocation_result function_error(std::string_view body, std::string_view error_type_header);

/// The routes, parsed: which endpoint and which request id.
struct route {
    enum class kind { next, response, error, init_error, unknown } what = kind::unknown;
    std::string_view request_id;
};
route parse_route(std::string_view method, std::string_view target);

}  // namespace lambdaport::runtime::runtime_api
