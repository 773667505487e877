#pragma once

// What a handler may return: a successful payload or a function error.

#include <string>

namespace lambdaport {

/// The outcome of one invocation, for handlers that want to choose the content type or report a
/// function error without throwing.
///
/// A value type: cheap to move, safe to use from any thread like a `std::string`.
class invocation_response {
  public:
    /// A successful response.
    /// @param payload       the response body, sent as is (at most 6,291,556 bytes on Lambda)
    /// @param content_type  its media type
    static invocation_response success(std::string payload,
                                       std::string content_type = "application/json");

    /// A function error, reported like an exception: the caller gets
    /// `{"errorMessage": error_message, "errorType": error_type, "stackTrace": []}`.
    /// @param error_message  what went wrong, for people
    /// @param error_type     a `Category.Reason` name for programs, e.g. "Handler.NotFound"
    /// @throws std::bad_alloc only
    static invocation_response failure(std::string error_message, std::string error_type);

    /// True for `success`, false for `failure`.
    bool is_success() const noexcept { return success_; }

    /// The body that will be posted: the payload, or for a failure the error JSON document.
    const std::string& payload() const noexcept { return payload_; }

    /// The media type of `payload()`.
    const std::string& content_type() const noexcept { return content_type_; }

    /// The error type of a failure; empty for a success.
    const std::string& error_type() const noexcept { return error_type_; }

  private:
    invocation_response(bool success, std::string payload, std::string content_type,
                        std::string error_type);

    bool success_;
    std::string payload_;
    std::string content_type_;
    std::string error_type_;
};

}  // namespace lambdaport
