#include "sources/schedule_expression.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <ctime>
#include <string>

using namespace lambdaport::runtime::sources;
using std::chrono::system_clock;

namespace {

// Times below are written as text and read with timegm, not with <chrono>'s calendar that the
// code under test uses, so the two cannot agree by sharing a mistake.
system_clock::time_point utc(const char* text) {
    std::tm tm{};
    REQUIRE(strptime(text, "%Y-%m-%dT%H:%M:%S", &tm) != nullptr);
    return system_clock::from_time_t(timegm(&tm));
}

std::string text_of(system_clock::time_point t) {
    auto secs = system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    return buf;
}

// The next firing after `after`, as text, or "never".
std::string next(const char* expression, const char* after) {
    auto t = schedule_expression(expression).next_after(utc(after));
    return t ? text_of(*t) : "never";
}

std::string error_of(const char* expression) {
    try {
        schedule_expression{expression};
    } catch (const schedule_expression_error& e) {
        return e.what();
    }
    return "";
}

std::int64_t epoch_seconds(system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

TEST_CASE("rate expressions: a positive integer and a unit in the right number") {
    using namespace std::chrono_literals;
    CHECK(schedule_expression("rate(1 minute)").period() == 1min);
    CHECK(schedule_expression("rate(5 minutes)").period() == 5min);
    CHECK(schedule_expression("rate(1 hour)").period() == 60min);
    CHECK(schedule_expression("rate(12 hours)").period() == 720min);
    CHECK(schedule_expression("rate(1 day)").period() == 1440min);
    CHECK(schedule_expression("rate(7 days)").period() == 7 * 1440min);
    CHECK(schedule_expression("rate(5 minutes)").is_rate());
    CHECK_FALSE(schedule_expression("cron(0 12 * * ? *)").is_rate());
    CHECK(schedule_expression("rate(5 minutes)").text() == "rate(5 minutes)");

    CHECK(error_of("rate(1 minutes)") ==
          "invalid expression 'rate(1 minutes)': the unit is singular when the value is 1 "
          "(minute)");
    CHECK(error_of("rate(5 minute)") ==
          "invalid expression 'rate(5 minute)': the unit is plural when the value is more "
          "than 1 (minutes)");
    CHECK(error_of("rate(2 day)").find("(days)") != std::string::npos);
    CHECK(error_of("rate(1 hours)").find("(hour)") != std::string::npos);
    CHECK(error_of("rate(0 minutes)") ==
          "invalid expression 'rate(0 minutes)': the value must be a positive integer, got '0'");
    for (const char* bad : {"rate(-1 minutes)", "rate(1.5 hours)", "rate(five minutes)",
                            "rate( 5 minutes)", "rate(9999999999 minutes)"}) {
        CAPTURE(bad);
        CHECK(error_of(bad).find("the value must be a positive integer") != std::string::npos);
    }
    CHECK(error_of("rate(5 weeks)") ==
          "invalid expression 'rate(5 weeks)': the unit must be minute(s), hour(s) or day(s), "
          "got 'weeks'");
    CHECK(error_of("rate(5  minutes)").find("the unit must be") != std::string::npos);
    CHECK(error_of("rate(5 Minutes)").find("the unit must be") != std::string::npos);
    CHECK(error_of("rate(5)").find("rate(value unit)") != std::string::npos);
    CHECK(error_of("rate()").find("rate(value unit)") != std::string::npos);
}

TEST_CASE("what is neither rate(...) nor cron(...) is refused, quoting it") {
    for (const char* bad : {"every 5 minutes", "", "RATE(5 minutes)", " rate(5 minutes)",
                            "rate(5 minutes) ", "cron(0 12 * * ? *", "at(2026-11-23T20:15:00)"}) {
        CAPTURE(bad);
        auto e = error_of(bad);
        CHECK(e == "invalid expression '" + std::string(bad) +
                       "': a schedule is rate(value unit) or cron(minutes hours day-of-month "
                       "month day-of-week year)");
    }
}

TEST_CASE("a rate rule fires one period after it started, then every period") {
    schedule_expression every5("rate(5 minutes)");
    auto started = utc("2026-11-23T20:15:07");
    CHECK(text_of(*every5.next_after(started)) == "2026-11-23T20:20:07");
    CHECK(text_of(*every5.next_after(started, started)) == "2026-11-23T20:20:07");
    // Counted from the start, not from when it was asked: no drift.
    CHECK(text_of(*every5.next_after(utc("2026-11-23T20:27:00"), started)) ==
          "2026-11-23T20:30:07");
    // Strictly after: at a firing, the next one.
    CHECK(text_of(*every5.next_after(utc("2026-11-23T20:30:07"), started)) ==
          "2026-11-23T20:35:07");
    CHECK(text_of(*every5.next_after(utc("2026-11-23T20:00:00"), started)) ==
          "2026-11-23T20:20:07");
    // Sub-second starts are kept, so the period is exact.
    auto precise = started + std::chrono::milliseconds{250};
    CHECK(*every5.next_after(precise, precise) - precise == std::chrono::minutes{5});

    schedule_expression daily("rate(1 day)");
    CHECK(text_of(*daily.next_after(utc("2028-02-28T23:30:00"))) == "2028-02-29T23:30:00");
    CHECK(text_of(*daily.next_after(utc("2027-12-31T12:00:00"), utc("2027-01-01T12:00:00"))) ==
          "2028-01-01T12:00:00");
    // EventBridge's calendar ends with 2199.
    CHECK_FALSE(daily.next_after(utc("2199-12-31T12:00:00")).has_value());
    CHECK_FALSE(schedule_expression("rate(999999999 days)").next_after(started).has_value());
}

TEST_CASE("cron expressions fire at the start of matching UTC minutes, strictly after") {
    // 2026-11-23 is a Monday (date -d 2026-11-23 +%A).
    CHECK(next("cron(0 10 * * ? *)", "2026-11-23T20:15:00") == "2026-11-24T10:00:00");
    CHECK(epoch_seconds(
              *schedule_expression("cron(0 10 * * ? *)").next_after(utc("2026-11-23T20:15:00"))) ==
          1795514400);  // date -u -d 2026-11-24T10:00:00 +%s
    CHECK(next("cron(15 12 * * ? *)", "2026-11-24T12:14:59") == "2026-11-24T12:15:00");
    CHECK(next("cron(15 12 * * ? *)", "2026-11-24T12:15:00") == "2026-11-25T12:15:00");
    CHECK(next("cron(15 12 * * ? *)", "2026-11-24T12:15:30") == "2026-11-25T12:15:00");
    auto just_before = utc("2026-11-24T12:15:00") - std::chrono::nanoseconds{1};
    CHECK(text_of(*schedule_expression("cron(15 12 * * ? *)").next_after(just_before)) ==
          "2026-11-24T12:15:00");
    CHECK(next("cron(* * * * ? *)", "2026-11-24T12:15:00") == "2026-11-24T12:16:00");
    CHECK(next("cron(* * * * ? *)", "2026-11-24T12:15:59") == "2026-11-24T12:16:00");
    CHECK(next("cron(0 12 ? * * *)", "2026-11-24T12:00:00") == "2026-11-25T12:00:00");
}

TEST_CASE("cron across month and year boundaries") {
    CHECK(next("cron(0 8 1 * ? *)", "2026-12-15T00:00:00") == "2027-01-01T08:00:00");
    CHECK(next("cron(0/15 * * * ? *)", "2026-12-31T23:50:00") == "2027-01-01T00:00:00");
    CHECK(next("cron(30 23 31 * ? *)", "2026-11-01T00:00:00") == "2026-12-31T23:30:00");
    CHECK(next("cron(0 0 31 * ? *)", "2027-01-31T00:00:00") == "2027-03-31T00:00:00");
    CHECK(next("cron(0 0 1 JAN ? *)", "2026-01-01T00:00:00") == "2027-01-01T00:00:00");
}

TEST_CASE("leap years: February 29th, and 2100 is not one") {
    CHECK(next("cron(0 0 29 2 ? *)", "2026-03-01T00:00:00") == "2028-02-29T00:00:00");
    CHECK(epoch_seconds(
              *schedule_expression("cron(0 0 29 2 ? *)").next_after(utc("2026-03-01T00:00:00"))) ==
          1835395200);  // date -u -d 2028-02-29 +%s
    CHECK(next("cron(0 0 29 2 ? *)", "2096-03-01T00:00:00") == "2104-02-29T00:00:00");
    CHECK(next("cron(0 0 L 2 ? *)", "2100-02-01T00:00:00") == "2100-02-28T00:00:00");
    CHECK(next("cron(0 0 L 2 ? *)", "2028-02-01T00:00:00") == "2028-02-29T00:00:00");
    CHECK(next("cron(0 0 30 2 ? *)", "2026-01-01T00:00:00") == "never");
}

TEST_CASE("day-of-month L, LW and W stay inside the month") {
    CHECK(next("cron(0 0 L * ? *)", "2027-02-01T00:00:00") == "2027-02-28T00:00:00");
    CHECK(next("cron(0 0 L * ? *)", "2026-04-30T00:00:00") == "2026-05-31T00:00:00");
    CHECK(next("cron(0 0 L * ? *)", "2026-12-31T00:00:00") == "2027-01-31T00:00:00");
    // 2026-01-31 is a Saturday, 2026-05-31 a Sunday: the last weekday is the Friday before.
    CHECK(next("cron(0 9 LW * ? *)", "2026-01-01T00:00:00") == "2026-01-30T09:00:00");
    CHECK(next("cron(0 9 LW * ? *)", "2026-05-01T00:00:00") == "2026-05-29T09:00:00");
    CHECK(next("cron(0 9 LW * ? *)", "2026-11-01T00:00:00") == "2026-11-30T09:00:00");
    // 2026-08-15 is a Saturday (→ Friday 14th), 2026-02-15 a Sunday (→ Monday 16th).
    CHECK(next("cron(0 9 15W * ? *)", "2026-08-01T00:00:00") == "2026-08-14T09:00:00");
    CHECK(next("cron(0 9 15W * ? *)", "2026-02-01T00:00:00") == "2026-02-16T09:00:00");
    CHECK(next("cron(0 9 15W * ? *)", "2026-11-23T00:00:00") == "2026-12-15T09:00:00");
    // 2026-08-01 is a Saturday: the nearest weekday in August is Monday the 3rd, not July 31st.
    CHECK(next("cron(0 9 1W * ? *)", "2026-07-15T00:00:00") == "2026-08-03T09:00:00");
    // 2026-05-31 is a Sunday: the nearest weekday in May is Friday the 29th, not June 1st.
    CHECK(next("cron(0 9 31W * ? *)", "2026-05-01T00:00:00") == "2026-05-29T09:00:00");
    // A month without the day has no firing.
    CHECK(next("cron(0 9 31W * ? *)", "2026-11-01T00:00:00") == "2026-12-31T09:00:00");
}

TEST_CASE("day-of-week: numbers from Sunday, names, L and #") {
    // 1 is Sunday: 2026-11-29 is the Sunday after Monday 2026-11-23.
    CHECK(next("cron(0 12 ? * 1 *)", "2026-11-23T00:00:00") == "2026-11-29T12:00:00");
    CHECK(next("cron(0 12 ? * SUN *)", "2026-11-23T00:00:00") == "2026-11-29T12:00:00");
    CHECK(next("cron(0 12 ? * 7 *)", "2026-11-23T00:00:00") == "2026-11-28T12:00:00");
    // Weekdays only: from Friday evening (2026-11-27) to Monday 2026-11-30.
    CHECK(next("cron(0 18 ? * MON-FRI *)", "2026-11-27T18:00:00") == "2026-11-30T18:00:00");
    CHECK(next("cron(0 18 ? * 2-6 *)", "2026-11-27T18:00:00") == "2026-11-30T18:00:00");
    CHECK(next("cron(0/5 8-17 ? * MON-FRI *)", "2026-11-27T17:55:00") == "2026-11-30T08:00:00");
    CHECK(next("cron(0 0 ? * mon,wed,Fri *)", "2026-11-24T00:00:00") == "2026-11-25T00:00:00");
    // L alone is the last day of the week, Saturday.
    CHECK(next("cron(0 0 ? * L *)", "2026-11-23T00:00:00") == "2026-11-28T00:00:00");
    // 6L: the month's last Friday. 2026-11-27 is one; in December 2026, the 25th (the 31st is a
    // Thursday); in February 2027, the 26th.
    CHECK(next("cron(0 0 ? * 6L *)", "2026-11-01T00:00:00") == "2026-11-27T00:00:00");
    CHECK(next("cron(0 0 ? * FRIL *)", "2026-11-28T00:00:00") == "2026-12-25T00:00:00");
    CHECK(next("cron(0 0 ? * 6L *)", "2027-02-01T00:00:00") == "2027-02-26T00:00:00");
    // 2#3: the third Monday (2026-11-02, 09, 16).
    CHECK(next("cron(0 0 ? * 2#3 *)", "2026-11-01T00:00:00") == "2026-11-16T00:00:00");
    CHECK(next("cron(0 0 ? * MON#3 *)", "2026-11-16T00:00:00") == "2026-12-21T00:00:00");
    CHECK(next("cron(0 0 ? * 2#1 *)", "2026-11-23T00:00:00") == "2026-12-07T00:00:00");
    // 1#5: a fifth Sunday. November 2026 has one (the 29th), December none, January 2027 one.
    CHECK(next("cron(0 0 ? * 1#5 *)", "2026-11-01T00:00:00") == "2026-11-29T00:00:00");
    CHECK(next("cron(0 0 ? * 1#5 *)", "2026-11-30T00:00:00") == "2027-01-31T00:00:00");
    CHECK(epoch_seconds(
              *schedule_expression("cron(0 0 ? * 1#5 *)").next_after(utc("2026-11-30T00:00:00"))) ==
          1801353600);  // date -u -d 2027-01-31 +%s
}

TEST_CASE("lists, ranges and increments") {
    CHECK(next("cron(10-40/10 * * * ? *)", "2026-11-23T20:15:00") == "2026-11-23T20:20:00");
    CHECK(next("cron(10-40/10 * * * ? *)", "2026-11-23T20:40:00") == "2026-11-23T21:10:00");
    CHECK(next("cron(*/20 * * * ? *)", "2026-11-23T20:41:00") == "2026-11-23T21:00:00");
    CHECK(next("cron(1/10 * * * ? *)", "2026-11-23T20:52:00") == "2026-11-23T21:01:00");
    CHECK(next("cron(0 1-23/6 * * ? *)", "2026-11-23T13:00:00") == "2026-11-23T19:00:00");
    CHECK(next("cron(0 1-23/6 * * ? *)", "2026-11-23T19:00:00") == "2026-11-24T01:00:00");
    CHECK(next("cron(5,35 9,21 * * ? *)", "2026-11-23T09:35:00") == "2026-11-23T21:05:00");
    CHECK(next("cron(0 0 1-7,15 * ? *)", "2026-11-08T00:00:00") == "2026-11-15T00:00:00");
    CHECK(next("cron(0 0 1/10 * ? *)", "2026-11-22T00:00:00") == "2026-12-01T00:00:00");
    CHECK(next("cron(0 0 1 JAN-MAR,jul ? *)", "2026-03-15T00:00:00") == "2026-07-01T00:00:00");
    CHECK(next("cron(0 0 1 1/3 ? *)", "2026-11-23T00:00:00") == "2027-01-01T00:00:00");
    CHECK(next("cron(0 0 1 1 ? 2026/2)", "2026-01-01T00:00:00") == "2028-01-01T00:00:00");
    CHECK(next("cron(0 0 1 1 ? 2030-2032)", "2026-11-23T00:00:00") == "2030-01-01T00:00:00");
    CHECK(next("cron(0 0 1 1 ? 2030-2032)", "2032-01-01T00:00:00") == "never");
    CHECK(next("cron(7 7 7 7 ? *)", "2026-11-23T00:00:00") == "2027-07-07T07:07:00");
}

TEST_CASE("the calendar ends with 2199; a past year never fires") {
    CHECK(next("cron(0 0 1 1 ? 2020)", "2026-11-23T00:00:00") == "never");
    CHECK(next("cron(59 23 31 12 ? 2199)", "2199-12-31T23:58:00") == "2199-12-31T23:59:00");
    CHECK(epoch_seconds(*schedule_expression("cron(59 23 31 12 ? 2199)")
                             .next_after(utc("2199-12-31T23:58:00"))) ==
          7258118340);  // date -u -d 2199-12-31T23:59:00 +%s
    CHECK(next("cron(59 23 31 12 ? 2199)", "2199-12-31T23:59:00") == "never");
    CHECK(next("cron(* * * * ? *)", "2199-12-31T23:59:00") == "never");
    // Before 1970, the first firing is EventBridge's first possible one.
    CHECK(text_of(*schedule_expression("cron(0 0 1 1 ? *)")
                       .next_after(system_clock::from_time_t(-86400))) == "1970-01-01T00:00:00");
}

TEST_CASE("invalid cron expressions say which field is wrong and why") {
    auto reason = [](const char* e) {
        auto what = error_of(e);
        auto prefix = "invalid expression '" + std::string(e) + "': ";
        REQUIRE(what.starts_with(prefix));
        return what.substr(prefix.size());
    };
    CHECK(reason("cron(0 12 * * ?)") ==
          "cron takes 6 fields (minutes hours day-of-month month day-of-week year), got 5");
    CHECK(reason("cron(0 0 12 * * ? *)").ends_with("got 7"));
    CHECK(reason("cron()").ends_with("got 0"));
    CHECK(reason("cron(0 12 * * * *)") == "one of day-of-month and day-of-week must be '?'");
    CHECK(reason("cron(0 12 1 * MON *)") == "one of day-of-month and day-of-week must be '?'");
    CHECK(reason("cron(0 12 ? * ? *)") == "day-of-month and day-of-week cannot both be '?'");
    CHECK(reason("cron(60 12 * * ? *)") == "minutes: 60 is out of range (0-59)");
    CHECK(reason("cron(0 24 * * ? *)") == "hours: 24 is out of range (0-23)");
    CHECK(reason("cron(0 0 0 * ? *)") == "day-of-month: 0 is out of range (1-31)");
    CHECK(reason("cron(0 0 32 * ? *)") == "day-of-month: 32 is out of range (1-31)");
    CHECK(reason("cron(0 0 1 13 ? *)") == "month: 13 is out of range (1-12 or JAN-DEC)");
    CHECK(reason("cron(0 0 1 JANUARY ? *)") == "month: 'JANUARY' is not a value (1-12 or JAN-DEC)");
    CHECK(reason("cron(0 0 ? * 0 *)") == "day-of-week: 0 is out of range (1-7 or SUN-SAT)");
    CHECK(reason("cron(0 0 ? * 8 *)") == "day-of-week: 8 is out of range (1-7 or SUN-SAT)");
    CHECK(reason("cron(0 0 1 1 ? 1969)") == "year: 1969 is out of range (1970-2199)");
    CHECK(reason("cron(0 0 1 1 ? 2200)") == "year: 2200 is out of range (1970-2199)");
    CHECK(reason("cron(0 0 1 MON ? *)") == "month: 'MON' is not a value (1-12 or JAN-DEC)");
    CHECK(reason("cron(0 0 ? * JAN *)") == "day-of-week: 'JAN' is not a value (1-7 or SUN-SAT)");
    CHECK(reason("cron(30-10 * * * ? *)") == "minutes: the range '30-10' ends before it starts");
    CHECK(reason("cron(0/0 * * * ? *)") ==
          "minutes: the increment in '0/0' must be a positive integer");
    CHECK(reason("cron(0/x * * * ? *)") ==
          "minutes: the increment in '0/x' must be a positive integer");
    CHECK(reason("cron(1,,2 * * * ? *)") == "minutes: a value is missing");
    CHECK(reason("cron(1, * * * ? *)") == "minutes: a value is missing");
    CHECK(reason("cron(-5 * * * ? *)") == "minutes: a value is missing");
    CHECK(reason("cron(? * * * ? *)") ==
          "minutes: '?' uses a wildcard this field does not take (, - * /)");
    CHECK(reason("cron(0 0 1 ? ? *)") ==
          "month: '?' uses a wildcard this field does not take (, - * / and names)");
    CHECK(reason("cron(L * * * ? *)") == "minutes: 'L' is not a value (0-59)");
    CHECK(reason("cron(0 0 L-3 * ? *)") ==
          "day-of-month: ?, L, LW and W (as in 15W) stand alone, got 'L-3'");
    CHECK(reason("cron(0 0 1,L * ? *)").starts_with("day-of-month: ?, L, LW and W"));
    CHECK(reason("cron(0 0 1-5W * ? *)").starts_with("day-of-month: ?, L, LW and W"));
    CHECK(reason("cron(0 0 32W * ? *)") == "day-of-month: 32 is out of range (1-31)");
    CHECK(reason("cron(0 0 ? * 3#1,6#3 *)") ==
          "day-of-week: '#' takes one weekday and one week, as in 2#3, got '3#1,6#3'");
    CHECK(reason("cron(0 0 ? * 2#6 *)") ==
          "day-of-week: the week after '#' must be 1-5, got '2#6'");
    CHECK(reason("cron(0 0 ? * 2#0 *)") ==
          "day-of-week: the week after '#' must be 1-5, got '2#0'");
    CHECK(reason("cron(0 0 ? * 8#1 *)") == "day-of-week: 8 is out of range (1-7 or SUN-SAT)");
    CHECK(reason("cron(0 0 ? * 8L *)") == "day-of-week: 8 is out of range (1-7 or SUN-SAT)");
    CHECK(reason("cron(0 0 ? * 1,6L *)") == "day-of-week: '6L' is not a value (1-7 or SUN-SAT)");
    CHECK(reason("cron(0 0 ? * 1,? *)") == "day-of-week: ? stands alone, got '1,?'");
    CHECK(reason("cron(0 0 1 1 ? 2030-2020)") ==
          "year: the range '2030-2020' ends before it starts");
}

TEST_CASE("valid cron expressions from EventBridge's documentation parse") {
    for (const char* ok :
         {"cron(0 10 * * ? *)", "cron(15 12 * * ? *)", "cron(0 18 ? * MON-FRI *)",
          "cron(0 8 1 * ? *)", "cron(0/15 * * * ? *)", "cron(0/10 * ? * MON-FRI *)",
          "cron(0/5 8-17 ? * MON-FRI *)", "cron(0 9 ? * 2#1 *)", "cron(0 0 ? * 1-7 1970-2199)",
          "cron(0 0 L * ? *)", "cron(0 0 3W * ? *)", "cron(0 0 ? * 5L *)"}) {
        CAPTURE(ok);
        CHECK(error_of(ok) == "");
    }
}
