#include "http_response_parser.hpp"

#include <doctest/doctest.h>

#include <ostream>  // doctest prints std::error_code with it
#include <string>
#include <vector>

#include "error.hpp"

using lambdaport::detail::http_response_parser;
using status = http_response_parser::status;
namespace error = lambdaport::detail;

namespace {

// Feeds `raw` to the parser `piece` bytes at a time, moving the received bytes to a new
// allocation at every step the way a growing receive buffer does. Returns the final status; the
// parser then refers to `buffer`.
status parse_in_pieces(http_response_parser& parser, const std::string& raw, std::size_t piece,
                       std::vector<char>& buffer) {
    parser.reset();
    buffer.clear();
    std::size_t offered = 0;
    status result = status::need_more;
    while (offered < raw.size() && result == status::need_more) {
        const std::size_t n = std::min(piece, raw.size() - offered);
        std::vector<char> moved(buffer);  // a new address, keeping the parser's own rewrites
        moved.insert(moved.end(), raw.begin() + static_cast<long>(offered),
                     raw.begin() + static_cast<long>(offered + n));
        buffer.swap(moved);
        offered += n;
        result = parser.parse(buffer.data(), buffer.size());
    }
    return result;
}

status parse_all(http_response_parser& parser, std::string& raw) {
    parser.reset();
    return parser.parse(raw.data(), raw.size());
}

}  // namespace

TEST_CASE("a response with Content-Length") {
    std::string raw =
        "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\n"
        "Content-Length: 15\r\nX-Empty:\r\n\r\n{\"status\":\"OK\"}";
    http_response_parser parser;
    REQUIRE(parse_all(parser, raw) == status::done);
    CHECK(parser.status_code() == 202);
    CHECK(parser.body() == R"({"status":"OK"})");
    CHECK(parser.keep_alive());
    CHECK(parser.consumed() == raw.size());
    CHECK(parser.header_count() == 3);
    CHECK(parser.expected_size() == raw.size());
}

TEST_CASE("header lookup ignores case and surrounding whitespace") {
    std::string raw =
        "HTTP/1.1 200 OK\r\nlambda-runtime-aws-request-id:  abc-123 \t\r\n"
        "LAMBDA-RUNTIME-DEADLINE-MS:17\r\nX-Twice: first\r\nx-twice: second\r\n"
        "Content-Length: 0\r\n\r\n";
    http_response_parser parser;
    REQUIRE(parse_all(parser, raw) == status::done);
    CHECK(parser.header("Lambda-Runtime-Aws-Request-Id") == "abc-123");
    CHECK(parser.header("lambda-runtime-deadline-ms") == "17");
    CHECK(parser.header("X-TWICE") == "first");
    CHECK(parser.header("X-Missing").empty());
    CHECK(parser.has_header("x-twice"));
    CHECK_FALSE(parser.has_header("x-twic"));
    CHECK(parser.body().empty());
}

TEST_CASE("a response arriving one byte at a time") {
    const std::string raw =
        "HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: id-1\r\nContent-Length: 11\r\n\r\n"
        "{\"a\":\"b c\"}";
    for (std::size_t piece : {1u, 2u, 3u, 7u, 64u}) {
        CAPTURE(piece);
        http_response_parser parser;
        std::vector<char> buffer;
        REQUIRE(parse_in_pieces(parser, raw, piece, buffer) == status::done);
        CHECK(parser.header("lambda-runtime-aws-request-id") == "id-1");
        CHECK(parser.body() == "{\"a\":\"b c\"}");
        CHECK(parser.consumed() == raw.size());
    }
}

TEST_CASE("the parser asks for more until the whole body is there") {
    std::string raw = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345";
    http_response_parser parser;
    parser.reset();
    CHECK(parser.parse(raw.data(), raw.size()) == status::need_more);
    CHECK(parser.expected_size() == raw.size() + 5);
    raw += "67890";
    CHECK(parser.parse(raw.data(), raw.size()) == status::done);
    CHECK(parser.body() == "1234567890");
}

TEST_CASE("a chunked body is decoded, with extensions and trailers") {
    const std::string raw =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        "4\r\nWiki\r\n5;name=value\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\n"
        "Some-Trailer: x\r\n\r\n";
    for (std::size_t piece : {1u, 2u, 5u, 1000u}) {
        CAPTURE(piece);
        http_response_parser parser;
        std::vector<char> buffer;
        REQUIRE(parse_in_pieces(parser, raw, piece, buffer) == status::done);
        CHECK(parser.status_code() == 200);
        CHECK(parser.body() == "Wikipedia in\r\n\r\nchunks.");
        CHECK(parser.consumed() == raw.size());
        CHECK(parser.keep_alive());
    }
}

TEST_CASE("chunked wins over Content-Length, and upper-case hex sizes work") {
    std::string raw =
        "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n"
        "A\r\n0123456789\r\n0\r\n\r\n";
    http_response_parser parser;
    REQUIRE(parse_all(parser, raw) == status::done);
    CHECK(parser.body() == "0123456789");
}

TEST_CASE("bare LF line endings are accepted") {
    std::string raw = "HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n3\nabc\n0\n\n";
    http_response_parser parser;
    REQUIRE(parse_all(parser, raw) == status::done);
    CHECK(parser.body() == "abc");
}

TEST_CASE("bytes after the response are not consumed") {
    std::string raw = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n";
    http_response_parser parser;
    REQUIRE(parse_all(parser, raw) == status::done);
    CHECK(parser.body() == "ok");
    CHECK(parser.consumed() == raw.find("okHTTP") + 2);
}

TEST_CASE("Connection and HTTP version decide keep-alive") {
    struct example {
        const char* raw;
        bool keep_alive;
    };
    const example examples[] = {
        {"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", true},
        {"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", false},
        {"HTTP/1.1 200 OK\r\nconnection: Keep-Alive, CLOSE\r\nContent-Length: 0\r\n\r\n", false},
        {"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", false},
        {"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n", true},
    };
    for (const auto& e : examples) {
        CAPTURE(e.raw);
        std::string raw = e.raw;
        http_response_parser parser;
        REQUIRE(parse_all(parser, raw) == status::done);
        CHECK(parser.keep_alive() == e.keep_alive);
    }
}

TEST_CASE("a body without length runs to end of file") {
    std::string raw = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\npartial";
    http_response_parser parser;
    REQUIRE(parse_all(parser, raw) == status::need_more);
    raw += " and the rest";
    REQUIRE(parser.parse(raw.data(), raw.size()) == status::need_more);
    REQUIRE(parser.finish_at_eof() == status::done);
    CHECK(parser.body() == "partial and the rest");
    CHECK_FALSE(parser.keep_alive());
}

TEST_CASE("204 and 304 have no body") {
    std::string raw = "HTTP/1.1 204 No Content\r\n\r\n";
    http_response_parser parser;
    REQUIRE(parse_all(parser, raw) == status::done);
    CHECK(parser.status_code() == 204);
    CHECK(parser.body().empty());
    CHECK(parser.keep_alive());
}

TEST_CASE("an interim 100 Continue is skipped") {
    std::string raw =
        "HTTP/1.1 100 Continue\r\nX-Interim: 1\r\n\r\nHTTP/1.1 413 Too Large\r\n"
        "Content-Length: 2\r\n\r\n{}";
    http_response_parser parser;
    REQUIRE(parse_all(parser, raw) == status::done);
    CHECK(parser.status_code() == 413);
    CHECK_FALSE(parser.has_header("x-interim"));
    CHECK(parser.body() == "{}");
}

TEST_CASE("end of file before or inside a response") {
    http_response_parser parser;
    parser.reset();
    CHECK(parser.finish_at_eof() == status::error);
    CHECK(parser.error() == error::error::closed_before_response);

    std::string raw = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n123";
    REQUIRE(parse_all(parser, raw) == status::need_more);
    CHECK(parser.finish_at_eof() == status::error);
    CHECK(parser.error() == error::error::truncated_response);

    std::string chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab";
    REQUIRE(parse_all(parser, chunked) == status::need_more);
    CHECK(parser.finish_at_eof() == status::error);
    CHECK(parser.error() == error::error::truncated_response);
}

TEST_CASE("malformed responses are errors") {
    struct example {
        const char* raw;
        error::error expected;
    };
    const example examples[] = {
        {"garbage\r\n\r\n", error::error::malformed_status_line},
        {"HTTP/2 200 OK\r\n\r\n", error::error::malformed_status_line},
        {"HTTP/1.1 2000 OK\r\n\r\n", error::error::malformed_status_line},
        {"HTTP/1.1 20 OK\r\n\r\n", error::error::malformed_status_line},
        {"HTTP/1.1 700 Huh\r\n\r\n", error::error::malformed_status_line},
        {"HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n", error::error::malformed_header},
        {"HTTP/1.1 200 OK\r\nName : value\r\n\r\n", error::error::malformed_header},
        {"HTTP/1.1 200 OK\r\n: no name\r\n\r\n", error::error::malformed_header},
        {"HTTP/1.1 200 OK\r\nA: b\r\n folded\r\n\r\n", error::error::malformed_header},
        {"HTTP/1.1 200 OK\r\nA: b\x01c\r\n\r\n", error::error::malformed_header},
        {"HTTP/1.1 200 OK\r\nContent-Length: 12a\r\n\r\n", error::error::malformed_content_length},
        {"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", error::error::malformed_content_length},
        {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n",
         error::error::malformed_content_length},
        {"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
         error::error::malformed_content_length},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
         error::error::malformed_chunk},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3 x\r\n",
         error::error::malformed_chunk},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n",
         error::error::malformed_chunk},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFF\r\n",
         error::error::malformed_chunk},
    };
    for (const auto& e : examples) {
        CAPTURE(e.raw);
        std::string raw = e.raw;
        http_response_parser parser;
        CHECK(parse_all(parser, raw) == status::error);
        CHECK(parser.error() == e.expected);
        // An error sticks.
        CHECK(parser.parse(raw.data(), raw.size()) == status::error);
    }
}

TEST_CASE("a header block that never ends is refused") {
    std::string raw =
        "HTTP/1.1 200 OK\r\nX-Big: " + std::string(http_response_parser::max_header_bytes, 'a');
    http_response_parser parser;
    CHECK(parse_all(parser, raw) == status::error);
    CHECK(parser.error() == error::error::header_too_large);
}

TEST_CASE("reset makes the parser reusable") {
    http_response_parser parser;
    std::string bad = "nonsense\r\n";
    REQUIRE(parse_all(parser, bad) == status::error);
    std::string good = "HTTP/1.1 200 OK\r\nA: 1\r\nContent-Length: 1\r\n\r\nx";
    REQUIRE(parse_all(parser, good) == status::done);
    CHECK(parser.header("a") == "1");
    CHECK(parser.body() == "x");
    CHECK_FALSE(parser.error());
}

TEST_CASE("iequals") {
    CHECK(lambdaport::detail::iequals("Content-Length", "content-LENGTH"));
    CHECK_FALSE(lambdaport::detail::iequals("Content-Length", "Content-Lengths"));
    CHECK_FALSE(lambdaport::detail::iequals("a-b", "a_b"));
}
