#pragma once

// The Runtime API (2018-06-01) from the handler's side: get the next invocation, post its result.

#include <string>
#include <string_view>
#include <system_error>

#include "http_client.hpp"
#include "lambdaport/context.hpp"
#include "lambdaport/invocation_response.hpp"

namespace lambdaport::detail {

/// Copies the Lambda-Runtime-* headers of a `/next` response into `info`, reusing its strings'
/// memory. Absent headers leave empty strings (an epoch deadline). Returns false when the request
/// id is missing.
bool read_invocation_headers(const http_response_parser& response, invocation_info& info);

/// What a complete `/next` answer means: fills `info` from its headers and `payload` with its
/// body (valid while the response is). Errors as `runtime_api_client::next` names them.
std::error_code read_next_answer(const http_response_parser& response, invocation_info& info,
                                 std::string_view& payload);

/// Appends the path of an invocation's result: /2018-06-01/runtime/invocation/{id}/{what}, with
/// the id percent-encoded.
void append_invocation_path(std::string& target, std::string_view request_id,
                            std::string_view what);

class runtime_api_client {
  public:
    struct post_result {
        std::error_code error;  // transport failure; status and body are then meaningless
        int status = 0;
        std::string_view body;  // valid until the next call
    };

    explicit runtime_api_client(http_endpoint endpoint) : http_(std::move(endpoint)) {}

    /// Waits, with no time limit, for the next invocation. Fills `info` from its headers and
    /// `payload` with its event (valid until the next call).
    /// @returns a socket or HTTP error when the engine cannot be reached;
    /// error::container_error when it answered 403 or 500 (the runtime must exit);
    /// error::unexpected_status for another non-200 answer; error::missing_request_id.
    std::error_code next(invocation_info& info, std::string_view& payload);

    /// The HTTP status of the last answer, for messages.
    int last_status() const noexcept { return http_.response().status_code(); }

    /// Posts an invocation's result to `/response`, or to `/error` when it is a failure (with
    /// the Lambda-Runtime-Function-Error-Type header).
    post_result post(std::string_view request_id, const invocation_response& response);

    /// Posts an initialisation failure to `/runtime/init/error`.
    post_result post_init_error(const invocation_response& failure);

  private:
    post_result send(const invocation_response& response);

    http_client http_;
    std::string target_;      // reused for every path
    std::string error_type_;  // reused for the error-type header
};

}  // namespace lambdaport::detail
