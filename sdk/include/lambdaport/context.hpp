#pragma once

// What a handler knows about the invocation it is serving and the function it belongs to.

#include <chrono>
#include <string>
#include <utility>

namespace lambdaport {

namespace detail {
struct context_access;
}

/// Facts about the function, the same for every invocation of one process.
///
/// The runtime reads them once, at start-up, from the variables Lambda (and lambdaport) set.
/// Handlers normally see them through `context`; the struct is public so that a handler can be
/// unit-tested with a hand-made context.
struct function_info {
    std::string name = {};     ///< AWS_LAMBDA_FUNCTION_NAME
    std::string version = {};  ///< AWS_LAMBDA_FUNCTION_VERSION, e.g. "$LATEST"
    int memory_limit_mb = 0;   ///< AWS_LAMBDA_FUNCTION_MEMORY_SIZE; 0 when unset or not a number
    std::string log_group_name = {};   ///< AWS_LAMBDA_LOG_GROUP_NAME
    std::string log_stream_name = {};  ///< AWS_LAMBDA_LOG_STREAM_NAME

    /// Reads the variables above from the process environment. An unset variable leaves its field
    /// empty (or 0). Not thread-safe against concurrent `setenv`; call it during start-up.
    static function_info from_environment();
};

/// Facts about one invocation, taken from the headers of the Runtime API's `/next` response.
///
/// Public so that a handler can be unit-tested with a hand-made context.
struct invocation_info {
    std::string request_id = {};                          ///< Lambda-Runtime-Aws-Request-Id
    std::chrono::system_clock::time_point deadline = {};  ///< Lambda-Runtime-Deadline-Ms
    std::string invoked_function_arn = {};                ///< Lambda-Runtime-Invoked-Function-Arn
    std::string trace_id = {};                            ///< Lambda-Runtime-Trace-Id
    std::string client_context = {};    ///< Lambda-Runtime-Client-Context (raw JSON), or empty
    std::string cognito_identity = {};  ///< Lambda-Runtime-Cognito-Identity (raw JSON), or empty
};

/// The second argument of every handler: which invocation this is, how long it may still run, and
/// which function it belongs to.
///
/// A context is immutable while the handler runs; its `const` members may be called from any
/// number of threads at once. References it returns stay valid until the handler returns.
class context {
  public:
    /// Builds a context from its two halves (the runtime does this; tests may too).
    context(invocation_info invocation, function_info function)
        : invocation_(std::move(invocation)), function_(std::move(function)) {}

    /// The request id of this invocation (the `{id}` of the Runtime API paths).
    const std::string& request_id() const noexcept { return invocation_.request_id; }

    /// When the engine will stop this invocation (it is killed then, like on Lambda).
    std::chrono::system_clock::time_point deadline() const noexcept { return invocation_.deadline; }

    /// Time left until `deadline()`, never negative. Reads the system clock on each call.
    std::chrono::milliseconds remaining_time() const noexcept;

    /// The ARN the caller invoked, including an alias or version qualifier if one was used.
    const std::string& invoked_function_arn() const noexcept {
        return invocation_.invoked_function_arn;
    }

    /// The X-Ray trace header of this invocation (also in the environment as `_X_AMZN_TRACE_ID`),
    /// or empty.
    const std::string& trace_id() const noexcept { return invocation_.trace_id; }

    /// The caller's client context as raw JSON, or empty when the caller sent none.
    const std::string& client_context() const noexcept { return invocation_.client_context; }

    /// The caller's Cognito identity as raw JSON, or empty when there is none.
    const std::string& cognito_identity() const noexcept { return invocation_.cognito_identity; }

    /// The function's name (AWS_LAMBDA_FUNCTION_NAME), or empty.
    const std::string& function_name() const noexcept { return function_.name; }

    /// The function's version (AWS_LAMBDA_FUNCTION_VERSION), or empty.
    const std::string& function_version() const noexcept { return function_.version; }

    /// The memory the function is allowed, in MB (AWS_LAMBDA_FUNCTION_MEMORY_SIZE), or 0.
    int memory_limit_mb() const noexcept { return function_.memory_limit_mb; }

    /// The log group the function's output goes to (AWS_LAMBDA_LOG_GROUP_NAME), or empty.
    const std::string& log_group_name() const noexcept { return function_.log_group_name; }

    /// The log stream of this process (AWS_LAMBDA_LOG_STREAM_NAME), or empty.
    const std::string& log_stream_name() const noexcept { return function_.log_stream_name; }

  private:
    friend struct detail::context_access;

    invocation_info invocation_;
    function_info function_;
};

}  // namespace lambdaport
