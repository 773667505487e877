#pragma once

// Invoking functions: AWS Lambda's Invoke API, against lambdaport's engine or AWS Lambda. The
// endpoint comes from the environment alone, as in the AWS SDKs: lambdaport sets
// AWS_ENDPOINT_URL_LAMBDA for every handler it starts, so a handler reaches the functions beside
// it under `lambdaport serve` and the real ones inside Lambda with the same code.
//
//     #include <lambdaport/lambda.hpp>
//     auto lambda = lambdaport::lambda::client::from_environment();
//     auto r = lambda.invoke("clean", R"({"object": "raw/2026/11/trips.csv"})");
//     if (!r.function_error.empty()) { ... r.payload is {"errorMessage", "errorType", ...} }
//     lambda.invoke("report", "{}", lambdaport::lambda::invocation_type::event);  // queued: 202
//
// Link `lambdaport::lambda` (it brings libcurl); a handler that only links `lambdaport::sdk`
// loads no libcurl at all.

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace lambdaport::lambda {

/// A failed Invoke call: the API refused it or could not be reached. (A function that ran and
/// failed is not one: see `invoke_result::function_error`.)
///
/// Copying never throws, like every standard exception.
class lambda_error : public std::runtime_error {
  public:
    /// @param code         the error's name, e.g. "ResourceNotFoundException"
    /// @param http_status  the answer's status, 0 when there was none
    /// @param message      the server's message (what() is "<code>: <message>")
    /// @param type         "User" or "Service" when the server said, else empty
    /// @param reason       the server's `Reason` (throttling), else empty
    lambda_error(std::string code, int http_status, std::string message, std::string type = {},
                 std::string reason = {});

    /// The error's name as the server gives it (`x-amzn-ErrorType`, else the body's `__type`),
    /// e.g. "ResourceNotFoundException", "TooManyRequestsException",
    /// "InvalidRequestContentException", "RequestEntityTooLargeException", "ServiceException",
    /// "InvalidSignatureException". Ours: "NetworkError" (status 0: no answer after every try).
    const std::string& code() const noexcept;
    /// The server's message alone, e.g. "Function not found: arn:aws:lambda:...".
    const std::string& message() const noexcept;
    /// The HTTP status of the answer, 0 when there was none.
    int http_status() const noexcept;
    /// "User" (the caller's fault) or "Service", from the body's `Type`; empty when not sent.
    const std::string& type() const noexcept;
    /// Why a call was throttled, e.g. "ReservedFunctionConcurrentInvocationLimitExceeded";
    /// empty when not sent.
    const std::string& reason() const noexcept;

  private:
    struct details;
    std::shared_ptr<const details> details_;  // shared: copying an exception never throws
};

/// X-Amz-Invocation-Type.
enum class invocation_type {
    request_response,  ///< run it and wait for its result (200)
    event,             ///< queue it and return at once (202, no payload)
    dry_run            ///< only check that it could be invoked (204)
};

/// X-Amz-Log-Type.
enum class log_type {
    none,
    tail  ///< request_response only: return the end of the invocation's log (last 4 KB)
};

/// How to invoke.
struct invoke_options {
    invocation_type type = invocation_type::request_response;
    log_type log = log_type::none;
    /// The client context as JSON text, e.g. R"({"custom": {"tenant": "t-42"}})"; sent base64-
    /// encoded as X-Amz-Client-Context (at most 3,583 bytes before encoding); the function sees it
    /// as `context::client_context()`. Empty = none.
    std::string client_context;
    /// A version or alias ("$LATEST", "7", "live"), sent as `?Qualifier=`; empty = none (the
    /// function name may carry one itself: "name:qualifier").
    std::string qualifier;
};

/// The answer to an invoke that the API accepted.
struct invoke_result {
    /// 200 (request_response), 202 (event) or 204 (dry_run).
    int status_code = 0;
    /// The function's response (request_response), or its error document when it failed:
    /// {"errorMessage", "errorType", "stackTrace"}. Empty for event and dry_run.
    std::string payload;
    /// X-Amz-Function-Error: "Unhandled" when the function failed; empty when it succeeded.
    std::string function_error;
    /// X-Amz-Executed-Version, e.g. "$LATEST"; empty when not sent.
    std::string executed_version;
    /// X-Amz-Log-Result base64-decoded (log_type::tail): the end of the invocation's log, with
    /// its START, END and REPORT lines; as received if it is not base64; empty when not asked.
    std::string log_result;
    /// x-amzn-RequestId, the invocation's request id; empty when not sent.
    std::string request_id;
};

/// Where the client sends requests and as whom.
struct settings {
    /// e.g. "http://127.0.0.1:3001"; empty = AWS Lambda in `region`
    /// (https://lambda.<region>.amazonaws.com).
    std::string endpoint;
    std::string region = "us-east-1";
    std::string access_key_id;
    std::string secret_access_key;
    std::string session_token;
    /// Tries per call (first included) on throttling (429), 5xx answers, and connections that
    /// could not be made. A connection lost after the request was sent is not tried again: the
    /// function may have run.
    int max_attempts = 5;
    /// How long a call may go without receiving anything before it fails with "NetworkError". A
    /// request_response invoke waits for the whole function, so the default covers Lambda's
    /// longest timeout (900 s) and then some.
    std::chrono::seconds read_timeout{960};

    /// AWS_ENDPOINT_URL_LAMBDA (else AWS_ENDPOINT_URL), AWS_REGION (else AWS_DEFAULT_REGION, else
    /// us-east-1), AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN. With an endpoint
    /// override, LAMBDAPORT_ACCESS_KEY_ID and LAMBDAPORT_SECRET_ACCESS_KEY when both are set (the
    /// credential lambdaport gives its handlers for its Invoke API) instead of the AWS_ ones. Not
    /// thread-safe against a concurrent `setenv`.
    static settings from_environment();
};

/// A connection to one Lambda endpoint. Cheap to copy (copies share connections); safe to use from
/// several threads at once. Requests are signed with SigV4 (service `lambda`) when an access key is
/// set; connections are kept alive and reused.
class client {
  public:
    /// @throws std::invalid_argument for a malformed endpoint or region, or max_attempts < 1
    explicit client(const settings& s);
    /// `client(settings::from_environment())`.
    static client from_environment();

    /// "lambda http://127.0.0.1:3001" or "lambda https://lambda.eu-west-1.amazonaws.com", for logs.
    std::string describe() const;

    /// Invokes a function: POST /2015-03-31/functions/{function_name}/invocations.
    /// @param function_name  a name ("clean"), "name:qualifier", or an ARN
    ///                       ("arn:aws:lambda:us-east-1:123456789012:function:clean[:qualifier]")
    /// @param payload        the event, JSON text (at most 6 MB for request_response, 1 MB for
    ///                       event); empty is sent as it is (Lambda and lambdaport read `{}`)
    /// @param options        the invocation type, log tail, client context, qualifier
    /// @returns what the API answered; a function that failed is a result too (function_error)
    /// @throws lambda_error when the API refused the call or could not be reached (after the
    ///         tries `settings::max_attempts` allows); std::invalid_argument for an empty name
    invoke_result invoke(const std::string& function_name, std::string_view payload,
                         const invoke_options& options = {}) const;

    /// `invoke(function_name, payload, {.type = type})`.
    invoke_result invoke(const std::string& function_name, std::string_view payload,
                         invocation_type type) const;

  private:
    struct impl;
    std::shared_ptr<impl> impl_;
};

}  // namespace lambdaport::lambda
