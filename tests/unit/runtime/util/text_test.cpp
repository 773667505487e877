#include "util/text.hpp"

#include <doctest/doctest.h>

#include <set>

using namespace lambdaport::runtime::util;

TEST_CASE("base64 round-trips every length and matches RFC 4648 vectors") {
    CHECK(base64_encode("") == "");
    CHECK(base64_encode("f") == "Zg==");
    CHECK(base64_encode("fo") == "Zm8=");
    CHECK(base64_encode("foo") == "Zm9v");
    CHECK(base64_encode("foobar") == "Zm9vYmFy");
    CHECK(base64_decode("Zm9vYg==") == std::optional<std::string>("foob"));
    std::string bytes;
    for (int i = 0; i < 300; ++i) {
        bytes += char(i * 7);
        CHECK(base64_decode(base64_encode(bytes)) == std::optional<std::string>(bytes));
    }
}

TEST_CASE("base64 rejects malformed input") {
    CHECK_FALSE(base64_decode("Zm9").has_value());
    CHECK_FALSE(base64_decode("Zm9v!A==").has_value());
    CHECK_FALSE(base64_decode("Z===").has_value());
    CHECK_FALSE(base64_decode("Zg==Zg==").has_value());
}

TEST_CASE("percent decoding") {
    CHECK(percent_decode("arn%3Aaws%3Alambda") == std::optional<std::string>("arn:aws:lambda"));
    CHECK(percent_decode("plain") == std::optional<std::string>("plain"));
    CHECK_FALSE(percent_decode("bad%2").has_value());
    CHECK_FALSE(percent_decode("bad%zz").has_value());
}

TEST_CASE("uuids are version 4, well formed and distinct") {
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) {
        auto id = make_uuid();
        REQUIRE(id.size() == 36);
        CHECK(id[8] == '-');
        CHECK(id[13] == '-');
        CHECK(id[14] == '4');
        CHECK(std::string("89ab").find(id[19]) != std::string::npos);
        seen.insert(id);
    }
    CHECK(seen.size() == 1000);
}

TEST_CASE("iso8601 has milliseconds and a Z") {
    std::chrono::system_clock::time_point t{std::chrono::milliseconds{1'700'000'000'123}};
    CHECK(iso8601(t) == "2023-11-14T22:13:20.123Z");
    CHECK(epoch_ms(t) == 1'700'000'000'123);
}

TEST_CASE("iequals ignores ASCII case only") {
    CHECK(iequals("X-Amz-Log-Type", "x-amz-log-type"));
    CHECK_FALSE(iequals("X-Amz-Log-Type", "x-amz-log-typ"));
    CHECK_FALSE(iequals("a", "b"));
}

TEST_CASE("to_unsigned and to_number take whole, finite numbers only") {
    CHECK(to_unsigned("0") == 0u);
    CHECK(to_unsigned("18446744073709551615") == 18446744073709551615u);
    for (const char* bad :
         {"", "18446744073709551616", "-1", "+1", " 1", "1 ", "1.0", "1e3", "0x1", "abc", "NaN"}) {
        CHECK_MESSAGE(!to_unsigned(bad), bad);
    }
    CHECK(to_number("12") == 12.0);
    CHECK(to_number("-1.5") == -1.5);
    CHECK(to_number("2e3") == 2000.0);
    for (const char* bad : {"", "1e999", "-1e999", "1e-999", "nan", "NaN", ".nan", "inf", "-inf",
                            "Infinity", ".inf", "+1", "1 ", "0x10", "1,5", "12abc"}) {
        CHECK_MESSAGE(!to_number(bad), bad);
    }
}
