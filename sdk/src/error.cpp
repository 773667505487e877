#include "error.hpp"

#include <string>

namespace lambdaport::detail {
namespace {

class category final : public std::error_category {
  public:
    const char* name() const noexcept override { return "lambdaport"; }

    std::string message(int value) const override {
        switch (static_cast<error>(value)) {
            case error::malformed_status_line:
                return "malformed HTTP status line";
            case error::malformed_header:
                return "malformed HTTP header";
            case error::malformed_content_length:
                return "malformed HTTP Content-Length";
            case error::malformed_chunk:
                return "malformed HTTP chunk";
            case error::header_too_large:
                return "HTTP header block too large";
            case error::closed_before_response:
                return "connection closed before a response";
            case error::truncated_response:
                return "connection closed in the middle of a response";
            case error::malformed_endpoint:
                return "malformed host:port";
            case error::unresolved_host:
                return "cannot resolve the host name";
            case error::container_error:
                return "the Runtime API asked the runtime to exit";
            case error::unexpected_status:
                return "unexpected HTTP status from the Runtime API";
            case error::missing_request_id:
                return "invocation without Lambda-Runtime-Aws-Request-Id";
        }
        return "unknown lambdaport error " + std::to_string(value);
    }
};

}  // namespace

const std::error_category& error_category() noexcept {
    static const category instance;
    return instance;
}

}  // namespace lambdaport::detail
