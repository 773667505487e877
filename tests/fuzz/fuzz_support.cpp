#include "fuzz_support.hpp"

#include <cxxabi.h>
#include <sanitizer/common_interface_defs.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <typeinfo>

namespace lambdaport::fuzz {
namespace {

std::string demangle(const char* name) {
    int status = 0;
    std::unique_ptr<char, void (*)(void*)> out(abi::__cxa_demangle(name, nullptr, nullptr, &status),
                                               std::free);
    return status == 0 && out ? std::string(out.get()) : std::string(name);
}

void on_terminate() {
    if (auto e = std::current_exception()) {
        uncaught(e);
    }
    fail("std::terminate without an exception");
}

// Installed before libFuzzer runs any input: an exception thrown through a synchronous target
// reaches std::terminate, and this names it.
[[maybe_unused]] const bool terminate_installed = (std::set_terminate(on_terminate), true);

}  // namespace

void fail(std::string_view what) {
    std::string line = "lambdaport fuzz finding: " + std::string(what);
    std::fprintf(stderr, "%s\n", line.c_str());
    std::fflush(stderr);
    __sanitizer_report_error_summary(line.c_str());
    std::abort();
}

void uncaught(std::exception_ptr e) {
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& ex) {
        fail("uncaught exception " + demangle(typeid(ex).name()) + ": " + ex.what());
    } catch (...) {
        auto* type = abi::__cxa_current_exception_type();
        fail("uncaught exception of type " + (type ? demangle(type->name()) : std::string("?")));
    }
}

std::vector<std::string_view> sections(std::string_view input) {
    std::vector<std::string_view> out;
    constexpr std::string_view separator = "\n%%\n";
    for (;;) {
        auto at = input.find(separator);
        if (at == std::string_view::npos) {
            out.push_back(input);
            return out;
        }
        out.push_back(input.substr(0, at));
        input.remove_prefix(at + separator.size());
    }
}

text_request parse_text_request(std::string_view section) {
    text_request req;
    auto next_line = [&section](std::string_view& line) {
        if (section.empty()) {
            return false;
        }
        auto nl = section.find('\n');
        line = section.substr(0, nl);
        section = nl == std::string_view::npos ? std::string_view{} : section.substr(nl + 1);
        return true;
    };
    std::string_view line;
    if (!next_line(line)) {
        return req;
    }
    auto space = line.find(' ');
    req.method = std::string(line.substr(0, space));
    if (space != std::string_view::npos) {
        req.target = std::string(line.substr(space + 1));
    }
    while (next_line(line) && !line.empty()) {
        auto colon = line.find(':');
        auto name = line.substr(0, colon);
        std::string_view value;
        if (colon != std::string_view::npos) {
            value = line.substr(colon + 1);
            if (value.starts_with(' ')) {
                value.remove_prefix(1);
            }
        }
        req.headers.emplace_back(std::string(name), std::string(value));
    }
    req.body = std::string(section);
    return req;
}

bool breaks_header(std::string_view text) {
    return text.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

}  // namespace lambdaport::fuzz
