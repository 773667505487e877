#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace lambdaport::runtime::invoke_api {

/// A FunctionName as the Invoke API accepts it: `name`, `name:qualifier`,
/// `123456789012:function:name[:qualifier]` or
/// `arn:aws:lambda:region:123456789012:function:name[:qualifier]`.
struct function_name {
    std::string name;
    std::string qualifier;   // empty when none was given
    std::string region;      // from an ARN, else empty
    std::string account_id;  // from an ARN or partial ARN, else empty
};

/// Parses a (percent-decoded) FunctionName; nullopt when it fits none of the forms.
std::optional<function_name> parse_function_name(std::string_view text);

}  // namespace lambdaport::runtime::invoke_api
