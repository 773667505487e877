#pragma once

// The SDK's own error conditions (HTTP framing and Runtime API protocol), as std::error_code.

#include <system_error>

namespace lambdaport::detail {

enum class error {
    // HTTP responses
    malformed_status_line = 1,
    malformed_header,
    malformed_content_length,
    malformed_chunk,
    header_too_large,
    closed_before_response,  // the server closed the connection before sending anything
    truncated_response,      // the server closed the connection in the middle of a response
    // Runtime API
    malformed_endpoint,
    unresolved_host,
    container_error,  // /next answered 403 or 500: the runtime should exit
    unexpected_status,
    missing_request_id,
};

/// The category of `error` values ("lambdaport").
const std::error_category& error_category() noexcept;

inline std::error_code make_error_code(error e) noexcept {
    return {static_cast<int>(e), error_category()};
}

}  // namespace lambdaport::detail

template <>
struct std::is_error_code_enum<lambdaport::detail::error> : std::true_type {};
