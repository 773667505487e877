#pragma once

// The handler API: write a function, pass it to `run`, and the process becomes a Lambda custom
// runtime (`bootstrap`) that serves invocations from lambdaport or from AWS Lambda.
//
//     #include <lambdaport/runtime.hpp>
//     int main() {
//         return lambdaport::run([](const nlohmann::json& event, const lambdaport::context& ctx) {
//             return nlohmann::json{{"hello", event}, {"request_id", ctx.request_id()}};
//         });
//     }

#include <concepts>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

#include "lambdaport/context.hpp"
#include "lambdaport/detail/handler.hpp"
#include "lambdaport/invocation_response.hpp"

namespace lambdaport {

/// An error a handler throws to report a function error of its own type: the caller gets
/// `{"errorMessage": what(), "errorType": type(), "stackTrace": []}`.
///
/// Copying never throws, like every standard exception.
class function_error : public std::runtime_error {
  public:
    /// @param type     a `Category.Reason` name for programs, e.g. "Validation.BadInput"
    /// @param message  what went wrong, for people
    function_error(std::string type, const std::string& message)
        : std::runtime_error(message),
          type_(std::make_shared<const std::string>(std::move(type))) {}

    /// The error type the caller sees.
    const std::string& type() const noexcept { return *type_; }

  private:
    std::shared_ptr<const std::string> type_;
};

/// A handler that takes the parsed JSON event:
/// `(const nlohmann::json& event, const context&) -> R`, where R is `invocation_response` or
/// anything a `nlohmann::json` can be built from (the result is serialised). A generic callable
/// (`auto` parameters) is treated as one of these.
template <class H>
concept json_handler =
    detail::takes_json_event<H>() && std::invocable<H&, const nlohmann::json&, const context&> &&
    (detail::is_response_v<detail::json_result_t<H>> ||
     std::constructible_from<nlohmann::json, detail::json_result_t<H>>);

/// A handler that takes the raw payload: `(std::string_view payload, const context&) -> R`,
/// where R is `invocation_response`, `nlohmann::json`, or convertible to `std::string` (sent as
/// is, with content type application/json).
template <class H>
concept payload_handler =
    !detail::takes_json_event<H>() && std::invocable<H&, std::string_view, const context&> &&
    (detail::is_response_v<detail::payload_result_t<H>> ||
     std::constructible_from<std::string, detail::payload_result_t<H>>);

/// Any callable `run` accepts.
template <class H>
concept handler =
    json_handler<std::remove_reference_t<H>> || payload_handler<std::remove_reference_t<H>>;

/// Serves invocations with the handler `fn` until the engine goes away: the Runtime API loop.
///
/// Reads `AWS_LAMBDA_RUNTIME_API` (host:port) and the function's environment once, makes stdout
/// line-buffered (call it before printing anything), then for each invocation: waits for the next
/// event, sets `_X_AMZN_TRACE_ID` to its trace header (or unsets it), calls `fn` on this thread,
/// flushes stdout and stderr, and posts the result. A response the engine refuses (413 too large,
/// other 4xx) is logged on stderr and the loop goes on.
///
/// @param fn  a `json_handler` or a `payload_handler`; it is called by reference, one invocation
/// at a time, so it may keep state without locking. Threads it starts must not read the
/// environment while an invocation begins (setenv is not thread-safe).
///
/// Every exception the handler throws is reported as a function error and the loop goes on:
/// `function_error` with its type, other `std::exception`s with their type name (e.g.
/// "std::runtime_error") and `what()`, anything else as "Runtime.UnknownException". A
/// `std::bad_alloc` is reported as "Runtime.OutOfMemory" and then ends the process with status 1,
/// because its heap can no longer be trusted. A JSON handler whose payload is not JSON, or nests
/// objects and arrays more than 1,000 levels deep (deeper values would overflow the stack of code
/// that copies or writes them), gets a "Runtime.UnmarshalError" failure without being called.
///
/// @returns the process exit status, for `main` to return: non-zero when
/// `AWS_LAMBDA_RUNTIME_API` is missing or malformed, when the engine can no longer be reached, or
/// when it tells the runtime to exit (403 or 500 on the next-invocation request). It never
/// returns while the engine is serving it. Call it once per process, from one thread.
template <handler H>
int run(H&& fn) {
    auto call = [&fn](std::string_view payload, const context& ctx) {
        return detail::invoke(fn, payload, ctx);
    };
    return detail::run(call, {});
}

/// Like `run`, but builds the handler first with `factory()`: the place for initialisation that
/// can fail (reading configuration, loading a model, opening connections), so that its failure
/// is reported the way Lambda reports init errors.
///
/// If `factory` throws, the error (typed as in `run`) is posted to the Runtime API's
/// `/runtime/init/error`, a line naming it is written to stderr, and a non-zero status is
/// returned without serving any invocation; the engine answers the pending invoke with that error.
/// The handler lives in `run_with_init`'s frame, so it need not be copyable or movable.
///
/// @param factory  a callable taking no arguments and returning a `handler`
/// @returns as `run`
template <class Factory>
requires std::invocable<Factory&> && handler<std::invoke_result_t<Factory&>>
int run_with_init(Factory&& factory) {
    using handler_type = std::remove_cvref_t<std::invoke_result_t<Factory&>>;
    std::optional<handler_type> built;
    auto init = [&] { built.emplace(detail::construct_from<Factory>{factory}); };
    auto call = [&built](std::string_view payload, const context& ctx) {
        return detail::invoke(*built, payload, ctx);
    };
    return detail::run(call, init);
}

}  // namespace lambdaport
