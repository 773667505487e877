#include "error_report.hpp"

#include <cxxabi.h>

#include <cstdlib>
#include <exception>
#include <memory>
#include <new>
#include <nlohmann/json.hpp>
#include <typeinfo>

#include "lambdaport/runtime.hpp"

namespace lambdaport::detail {

std::string demangle(const char* mangled_name) {
    int status = 0;
    const std::unique_ptr<char, decltype(&std::free)> readable(
        abi::__cxa_demangle(mangled_name, nullptr, nullptr, &status), &std::free);
    return status == 0 && readable ? std::string(readable.get()) : std::string(mangled_name);
}

error_report describe_current_exception() {
    try {
        throw;
    } catch (const function_error& e) {
        return {e.type(), e.what()};
    } catch (const std::bad_alloc& e) {
        return {std::string(out_of_memory_type),
                "the handler ran out of memory (" + demangle(typeid(e).name()) + ")"};
    } catch (const std::exception& e) {
        return {demangle(typeid(e).name()), e.what()};
    } catch (const char* text) {
        return {std::string(unknown_exception_type), text != nullptr ? text : ""};
    } catch (const std::string& text) {
        return {std::string(unknown_exception_type), text};
    } catch (...) {
        const std::type_info* type = abi::__cxa_current_exception_type();
        return {std::string(unknown_exception_type),
                "an exception of type " + (type != nullptr ? demangle(type->name()) : "unknown") +
                    " was thrown"};
    }
}

std::string error_document(std::string_view message, std::string_view type) {
    const nlohmann::json document = {
        {"errorMessage", message},
        {"errorType", type},
        {"stackTrace", nlohmann::json::array()},
    };
    return document.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace lambdaport::detail
