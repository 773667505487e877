#include "lambdaport/detail/handler.hpp"

#include "error_report.hpp"
#include "json_reader.hpp"

namespace lambdaport::detail {

std::optional<invocation_response> parse_event(std::string_view payload, nlohmann::json& event) {
    // An invoke without a payload is an event of null rather than an error.
    if (payload.find_first_not_of(" \t\r\n") == std::string_view::npos) {
        event = nullptr;
        return std::nullopt;
    }
    std::string error;
    if (parse_json(payload, event, max_event_depth, error)) {
        return std::nullopt;
    }
    // Python's runtime answers an event it cannot read the same way: Runtime.UnmarshalError.
    return invocation_response::failure("the event is " + error, std::string(unmarshal_error_type));
}

invocation_response json_response(const nlohmann::json& result) {
    try {
        return invocation_response::success(result.dump());
    } catch (const nlohmann::json::type_error& e) {
        return invocation_response::failure(
            std::string("the handler's result cannot be written as JSON: ") + e.what(),
            std::string(marshal_error_type));
    }
}

}  // namespace lambdaport::detail
