#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "http/message.hpp"
#include "util/net.hpp"

namespace lambdaport::runtime::pool {
class function_pool;
}
namespace lambdaport::runtime::auth {
class verifier;
}

// The Lambda Invoke API (2015-03-31) as AWS serves it to the CLI and the SDKs.
namespace lambdaport::runtime::invoke_api {

/// Largest synchronous request payload.
inline constexpr std::size_t request_limit = 6'291'456;
/// Largest asynchronous (Event) payload.
inline constexpr std::size_t event_limit = 1'048'576;

/// What the Invoke API needs of the engine.
class directory {
  public:
    virtual ~directory() = default;
    /// The function of that name, or null.
    virtual pool::function_pool* find(std::string_view name) = 0;
    /// Durably accepts an Event invocation; returns its request id, or nullopt when the async
    /// queue is full. Throws std::exception when the event cannot be stored.
    virtual std::optional<std::string> accept_event(pool::function_pool& fn,
                                                    std::string payload) = 0;
    /// The engine's status as JSON (GET /lambdaport/status).
    virtual std::string status_json() = 0;
    /// What every request must pass before anything else, status included; null: nothing.
    virtual const auth::verifier* verifier() const { return nullptr; }
    /// The secret that pushes to `function`'s event source `event` carry (empty: none, the
    /// verifier applies), or nullopt when no such source takes pushed notifications.
    virtual std::optional<std::string> push_token(std::string_view function,
                                                  std::string_view event) {
        (void)function;
        (void)event;
        return std::nullopt;
    }
    /// Hands a pushed notification to that source (on the I/O thread, without blocking): 200 once
    /// every event in it is stored, else the API's error shape.
    virtual http::response push(std::string_view function, std::string_view event,
                                std::string_view body);
};

/// Where storage servers POST notifications: <prefix><function>/<event>.
inline constexpr std::string_view notifications_prefix = "/lambdaport/notifications/";

/// An API error as AWS sends it: x-amzn-ErrorType and {"Type","message"}.
http::response api_error(unsigned status, std::string_view type, std::string_view message,
                         std::string_view reason = {});

/// 413 for a request body over request_limit.
http::response too_large(std::string_view target);

/// What the server answers by itself (400 not HTTP, 431 header too large, 500 the request
/// failed), in the API's error shape.
http::response server_error(unsigned status, std::string_view message);

/// Answers one Invoke API request: AWS's 403 when `functions.verifier()` refuses it.
net::awaitable<http::response> handle(directory& functions, http::request req);

}  // namespace lambdaport::runtime::invoke_api
