#include "lambdaport/invocation_response.hpp"

#include <utility>

#include "error_report.hpp"

namespace lambdaport {

invocation_response::invocation_response(bool success, std::string payload,
                                         std::string content_type, std::string error_type)
    : success_(success),
      payload_(std::move(payload)),
      content_type_(std::move(content_type)),
      error_type_(std::move(error_type)) {}

invocation_response invocation_response::success(std::string payload, std::string content_type) {
    return {true, std::move(payload), std::move(content_type), {}};
}

invocation_response invocation_response::failure(std::string error_message,
                                                 std::string error_type) {
    std::string document = detail::error_document(error_message, error_type);
    return {false, std::move(document), "application/json", std::move(error_type)};
}

}  // namespace lambdaport
