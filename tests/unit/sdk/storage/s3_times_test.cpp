// The time formats of S3 answers.

#include <doctest/doctest.h>

#include "storage/s3/times.hpp"

using namespace lambdaport::storage::detail::s3;
using namespace std::chrono;

namespace {

// 1994-11-06T08:49:37Z
const system_clock::time_point rfc_example = sys_days(year(1994) / 11 / 6) + 8h + 49min + 37s;

}  // namespace

TEST_CASE("s3 times: HTTP dates") {
    CHECK(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT") == rfc_example);
    CHECK(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT\r\n") == rfc_example);
    CHECK(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT") == rfc_example);
    CHECK(parse_http_date("Sun Nov  6 08:49:37 1994") == rfc_example);
    CHECK(parse_http_date("Mon, 23 Nov 2026 22:33:44 GMT") ==
          sys_days(year(2026) / 11 / 23) + 22h + 33min + 44s);
    CHECK_FALSE(parse_http_date(""));
    CHECK_FALSE(parse_http_date("Sun, 06 Nov 1994 08:49:37"));
    CHECK_FALSE(parse_http_date("Sun, 31 Feb 1994 08:49:37 GMT"));
    CHECK_FALSE(parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT"));
    CHECK_FALSE(parse_http_date("Sun, 06 Nov 1994 25:49:37 GMT"));
}

TEST_CASE("s3 times: ISO 8601 as in listings") {
    CHECK(parse_iso8601("1994-11-06T08:49:37.000Z") == rfc_example);
    CHECK(parse_iso8601("1994-11-06T08:49:37Z") == rfc_example);
    CHECK(parse_iso8601("1994-11-06T08:49:37.250Z") == rfc_example + 250ms);
    CHECK(parse_iso8601("1994-11-06T08:49:37.123456789123Z") ==
          rfc_example + duration_cast<system_clock::duration>(123456789ns));
    CHECK(parse_iso8601("1994-11-06T10:49:37+02:00") == rfc_example);
    CHECK(parse_iso8601("1994-11-06T03:49:37-0500") == rfc_example);
    CHECK_FALSE(parse_iso8601("1994-11-06T08:49:37"));
    CHECK_FALSE(parse_iso8601("1994-11-06"));
    CHECK_FALSE(parse_iso8601("1994-13-06T08:49:37Z"));
    CHECK_FALSE(parse_iso8601("1994-11-06T08:49:37.Z"));
    CHECK_FALSE(parse_iso8601("1994-11-06T08:49:37Zjunk"));
}

TEST_CASE("s3 times: a year the clock cannot hold is no time, not an overflow") {
    // Found by tests/fuzz (aws_documents): UBSan saw the conversion to nanoseconds overflow.
    CHECK_FALSE(parse_iso8601("1131-10-12T17:50:30.000Z"));
    CHECK_FALSE(parse_iso8601("4052-10-12T17:50:30.000Z"));
    CHECK_FALSE(parse_http_date("Sun, 06 Nov 9994 08:49:37 GMT"));
    CHECK(parse_iso8601("2261-12-31T23:59:59Z"));
    CHECK(parse_iso8601("1678-01-01T00:00:00Z"));
}
