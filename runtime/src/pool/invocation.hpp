#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "util/net.hpp"

namespace lambdaport::runtime::pool {

/// How an invocation ended, as its caller sees it.
struct invocation_result {
    bool function_error = false;  // X-Amz-Function-Error: Unhandled, payload is the error JSON
    std::string payload;
    std::string content_type = "application/json";
    std::string error_type;        // errorType of a function error, for logs and async records
    std::string log_tail;          // the invocation's log (START … REPORT), when asked for
    bool engine_stopping = false;  // never ran: the engine is shutting down
};

/// One invocation on its way through a function's pool. Owned by shared_ptr: the caller, the
/// queue and the instance that runs it each hold it. Lives on the engine's one I/O thread.
class invocation {
  public:
    invocation(net::any_io_executor executor, std::string request_id, std::string payload)
        : request_id(std::move(request_id)),
          payload(std::move(payload)),
          done_(executor, std::chrono::steady_clock::time_point::max()) {}

    const std::string request_id;
    std::string payload;
    std::string client_context;    // decoded JSON, empty when absent
    std::string cognito_identity;  // JSON, empty when absent
    std::string trace_id;
    std::string invoked_function_arn;
    bool want_log_tail = false;
    std::chrono::steady_clock::time_point enqueued = std::chrono::steady_clock::now();

    bool completed() const { return result_.has_value(); }
    /// Sets the result once (later calls are ignored) and wakes the waiting caller.
    void complete(invocation_result result) {
        if (!result_) {
            result_ = std::move(result);
            done_.cancel();
        }
    }
    /// Waits until complete() was called and hands over the result (call once).
    net::awaitable<invocation_result> wait();

  private:
    std::optional<invocation_result> result_;
    net::steady_timer done_;
};

/// `{"errorMessage","errorType"}` as the engine itself reports a failure (timeouts, exits).
std::string error_json(std::string_view error_type, std::string_view message);

/// A function error result built by the engine.
invocation_result engine_error(std::string_view error_type, std::string_view message);

/// Runtime.ExitError for a runtime that ended (`how`: "exit status 42", "signal: killed").
invocation_result exit_error(std::string_view request_id, std::string_view how);

}  // namespace lambdaport::runtime::pool
