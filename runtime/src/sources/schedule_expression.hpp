#pragma once

// EventBridge schedule expressions, `rate(...)` and `cron(...)`, with EventBridge's syntax, in
// UTC. Pure: no clock of its own and no I/O, so that any instant can be asked about.

#include <bitset>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace lambdaport::runtime::sources {

/// An expression EventBridge would refuse; `what()` quotes the expression and says why.
class schedule_expression_error : public std::invalid_argument {
  public:
    using std::invalid_argument::invalid_argument;
};

/// A parsed, valid schedule expression (immutable; safe to share between threads).
///
/// - `rate(N unit)`: N a positive integer, unit `minute`, `hour` or `day` when N is 1 and
///   `minutes`, `hours` or `days` otherwise.
/// - `cron(minutes hours day-of-month month day-of-week year)`: minutes 0-59 and hours 0-23
///   with `, - * /`; day-of-month 1-31 with `, - * ? /` or `L`, `LW`, `15W` alone; month 1-12
///   or JAN-DEC with `, - * /`; day-of-week 1-7 or SUN-SAT (1 is Sunday) with `, - * ?` or `L`
///   (Saturday), `6L` (the month's last Friday), `2#3` (its third Monday) alone; year 1970-2199
///   with `, - * /`. Exactly one of day-of-month and day-of-week is `?`. Names are
///   case-insensitive; a range runs from its first value up to its last (no wrap-around).
class schedule_expression {
  public:
    using time_point = std::chrono::system_clock::time_point;

    /// Parses `text`. Throws schedule_expression_error.
    explicit schedule_expression(std::string_view text);

    const std::string& text() const noexcept { return text_; }
    bool is_rate() const noexcept { return period_.count() > 0; }
    /// The period of a rate(...) expression; zero for cron(...).
    std::chrono::minutes period() const noexcept { return period_; }

    /// The first firing strictly after `after`, or nullopt when the rule never fires again
    /// (EventBridge's calendar ends with 2199).
    /// cron(...): the start of the first matching UTC minute.
    /// rate(...): `started` + k × period for the smallest k ≥ 1 that is after `after`, where
    /// `started` is when the rule began to run.
    std::optional<time_point> next_after(time_point after, time_point started) const;

    /// The same with `started` = `after`: a rate rule fires one period later.
    std::optional<time_point> next_after(time_point after) const {
        return next_after(after, after);
    }

  private:
    // How the day is chosen when the other day field is `?`.
    enum class day_rule {
        any,              // `?`: the other field decides
        listed,           // the values in `days_` (day-of-month or day-of-week numbers)
        last,             // day-of-month `L`
        last_weekday,     // day-of-month `LW`
        nearest_weekday,  // day-of-month `15W`: `nth_` is the day
        last_of_week,     // day-of-week `6L`: `nth_` is the weekday
        nth_of_week,      // day-of-week `2#3`: `nth_` is the weekday, `ordinal_` the 3
    };
    struct day_field {
        day_rule rule = day_rule::any;
        std::bitset<32> days;  // 1-31 for day-of-month, 1-7 for day-of-week
        unsigned nth = 0;
        unsigned ordinal = 0;
    };

    void parse_rate(std::string_view body);
    void parse_cron(std::string_view body);
    [[noreturn]] void fail(const std::string& why) const;
    bool day_matches(std::chrono::year_month_day day) const;
    std::optional<time_point> next_cron(time_point after) const;

    std::string text_;
    std::chrono::minutes period_{0};
    std::bitset<60> minutes_;
    std::bitset<24> hours_;
    day_field day_of_month_;
    std::bitset<13> months_;  // 1-12
    day_field day_of_week_;
    std::bitset<230> years_;  // year - 1970
};

}  // namespace lambdaport::runtime::sources
