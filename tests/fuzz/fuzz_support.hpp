#pragma once

// What the fuzz targets share: how a finding is reported, and the small text format in which the
// HTTP targets' seeds are written (readable, and easy for the fuzzer to mutate field by field).

#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lambdaport::fuzz {

/// Reports a finding (a broken invariant the target checks itself) and aborts, which libFuzzer
/// records as a crash with its input. The message also goes to the sanitizer's report stream, so
/// it is seen when the target's own stderr is closed (-close_fd_mask=2).
[[noreturn]] void fail(std::string_view what);

/// An exception that escaped the code under test: reported with its type and message, then abort.
[[noreturn]] void uncaught(std::exception_ptr e);

/// A co_spawn completion handler: an exception escaping the coroutine is a finding.
struct escape_is_finding {
    void operator()(std::exception_ptr e) const {
        if (e) {
            uncaught(e);
        }
    }
};

/// One request of the text format:
///
///     METHOD TARGET
///     Name: value
///     Name: value
///
///     body (to the end of the section)
///
/// Sections (one request each) are separated by a line holding only `%%`.
struct text_request {
    std::string method;
    std::string target;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
};

/// Splits `input` at the `%%` lines.
std::vector<std::string_view> sections(std::string_view input);

/// Reads one section. Never fails: whatever is missing is empty.
text_request parse_text_request(std::string_view section);

/// True when `text` holds a byte that would end or split an HTTP header line (CR, LF or NUL).
bool breaks_header(std::string_view text);

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

}  // namespace lambdaport::fuzz
