#pragma once

// Turns exceptions into the error objects the Runtime API expects.

#include <string>
#include <string_view>

namespace lambdaport::detail {

/// The error types the runtime itself reports.
inline constexpr std::string_view out_of_memory_type = "Runtime.OutOfMemory";
inline constexpr std::string_view unknown_exception_type = "Runtime.UnknownException";
inline constexpr std::string_view unmarshal_error_type = "Runtime.UnmarshalError";
inline constexpr std::string_view marshal_error_type = "Runtime.MarshalError";

struct error_report {
    std::string type;
    std::string message;
};

/// Describes the exception being handled; call it only inside a `catch` block.
/// `function_error` → its type; `std::bad_alloc` → Runtime.OutOfMemory; other `std::exception`s
/// → their dynamic type name and `what()`; anything else → Runtime.UnknownException.
error_report describe_current_exception();

/// The JSON body of a function error: {"errorMessage", "errorType", "stackTrace": []}. Bytes
/// that are not UTF-8 are replaced, so this never fails but for memory.
std::string error_document(std::string_view message, std::string_view type);

/// The readable name of a type from its `type_info::name()`, e.g. "std::runtime_error".
std::string demangle(const char* mangled_name);

}  // namespace lambdaport::detail
