// The SDK's HTTP/1.x response parser (detail::http_response_parser), which reads every answer a
// handler gets: the Runtime API's, S3's and SQS's through the SDK's own client. Each input is a
// connection's bytes: up to four responses one after the other (keep-alive), then end of file.
// It is parsed twice, all bytes at once and as if they arrived a few at a time; both must read the
// same responses (the network decides how bytes arrive, so the answer must not depend on it).
// Findings: a difference, an exception (the parser's errors are status::error), the sanitizers.

#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "http_response_parser.hpp"

namespace {

namespace fuzz = lambdaport::fuzz;
using parser_t = lambdaport::detail::http_response_parser;

struct reading {
    std::vector<std::string> responses;  // one line of facts per response read
    std::string end;                     // how the connection ended

    bool operator==(const reading&) const = default;
};

std::string facts(const parser_t& p) {
    return std::to_string(p.status_code()) + " keep_alive=" + std::to_string(p.keep_alive()) +
           " headers=" + std::to_string(p.header_count()) +
           " consumed=" + std::to_string(p.consumed()) + " body=" + std::string(p.body()) +
           " content-type=" + std::string(p.header("content-type"));
}

// Parses `bytes` as a connection, handing the parser `step` more bytes at a time (0: all).
reading read_connection(std::string bytes, std::size_t step) {
    reading out;
    parser_t parser;
    std::size_t start = 0;
    for (int n = 0; n < 4; ++n) {
        parser.reset();
        char* data = bytes.data() + start;
        std::size_t available = bytes.size() - start;
        std::size_t given = step == 0 ? available : std::min(step, available);
        auto status = parser.parse(data, given);
        while (status == parser_t::status::need_more && given < available) {
            given = step == 0 ? available : std::min(given + step, available);
            status = parser.parse(data, given);
        }
        if (status == parser_t::status::need_more) {
            status = parser.finish_at_eof();
        }
        if (status == parser_t::status::error) {
            out.end = "error " + parser.error().message();
            return out;
        }
        out.responses.push_back(facts(parser));
        start += parser.consumed();
        if (!parser.keep_alive() || start >= bytes.size()) {
            break;
        }
    }
    out.end = "end";
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string bytes(fuzz::as_text(data, size));
    auto whole = read_connection(bytes, 0);
    auto pieces = read_connection(bytes, 7);
    // The same responses, and the same end: both clean, or both an error. Which error may differ:
    // with the bytes in pieces the parser can refuse a malformed line before its end arrives.
    const bool both_errors = whole.end.starts_with("error") && pieces.end.starts_with("error");
    if (whole.responses != pieces.responses || (whole.end != pieces.end && !both_errors)) {
        std::string a, b;
        for (const auto& r : whole.responses)
            a += "[" + r + "] ";
        for (const auto& r : pieces.responses)
            b += "[" + r + "] ";
        fuzz::fail("read at once: " + a + whole.end + "; read 7 bytes at a time: " + b +
                   pieces.end);
    }
    return 0;
}
