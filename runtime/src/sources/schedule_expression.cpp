#include "sources/schedule_expression.hpp"

#include <array>
#include <charconv>
#include <cstdint>
#include <span>
#include <vector>

namespace lambdaport::runtime::sources {
namespace {

using namespace std::chrono;

constexpr int first_year = 1970;
constexpr int last_year = 2199;

// Why a part of the expression is wrong; the constructor adds the expression.
struct reason {
    std::string why;
};

constexpr std::array<std::string_view, 12> month_names{"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                       "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr std::array<std::string_view, 7> weekday_names{"SUN", "MON", "TUE", "WED",
                                                        "THU", "FRI", "SAT"};

struct field_spec {
    std::string_view name;
    unsigned min;
    unsigned max;
    unsigned offset;                          // bit index = value - offset
    std::span<const std::string_view> names;  // names[i] stands for min + i
};

constexpr field_spec minutes_field{"minutes", 0, 59, 0, {}};
constexpr field_spec hours_field{"hours", 0, 23, 0, {}};
constexpr field_spec day_of_month_field{"day-of-month", 1, 31, 0, {}};
constexpr field_spec month_field{"month", 1, 12, 0, month_names};
constexpr field_spec day_of_week_field{"day-of-week", 1, 7, 0, weekday_names};
constexpr field_spec year_field{"year", first_year, last_year, first_year, {}};

bool all_digits(std::string_view s) {
    return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

std::string quoted(std::string_view s) {
    return "'" + std::string(s) + "'";
}

std::string range_of(const field_spec& f) {
    auto out = std::to_string(f.min) + "-" + std::to_string(f.max);
    if (!f.names.empty()) {
        out += " or " + std::string(f.names.front()) + "-" + std::string(f.names.back());
    }
    return out;
}

// A plain decimal number; nine digits at most, so that it always fits.
std::optional<unsigned> number(std::string_view s) {
    if (!all_digits(s) || s.size() > 9) {
        return std::nullopt;
    }
    unsigned v = 0;
    std::from_chars(s.data(), s.data() + s.size(), v);
    return v;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        auto up = [](char c) { return c >= 'a' && c <= 'z' ? char(c - 'a' + 'A') : c; };
        if (up(a[i]) != up(b[i])) {
            return false;
        }
    }
    return true;
}

// One value of a field: a number in its range, or a name (month, weekday).
unsigned value(std::string_view s, const field_spec& f) {
    if (s.empty()) {
        throw reason{std::string(f.name) + ": a value is missing"};
    }
    if (all_digits(s)) {
        auto v = number(s);
        if (!v || *v < f.min || *v > f.max) {
            throw reason{std::string(f.name) + ": " + std::string(s) + " is out of range (" +
                         range_of(f) + ")"};
        }
        return *v;
    }
    for (std::size_t i = 0; i < f.names.size(); ++i) {
        if (iequals(s, f.names[i])) {
            return f.min + unsigned(i);
        }
    }
    throw reason{std::string(f.name) + ": " + quoted(s) + " is not a value (" + range_of(f) + ")"};
}

// `*`, `5`, `1-5`, `*/15`, `5/15` or `1-30/7` into `out`.
template <std::size_t N>
void add_item(std::string_view item, const field_spec& f, std::bitset<N>& out) {
    auto slash = item.find('/');
    auto base = item.substr(0, slash);
    unsigned step = 1;
    bool stepped = slash != std::string_view::npos;
    if (stepped) {
        auto text = item.substr(slash + 1);
        auto s = number(text);
        if (!s || *s == 0) {
            throw reason{std::string(f.name) + ": the increment in " + quoted(item) +
                         " must be a positive integer"};
        }
        step = *s;
    }
    unsigned lo = 0;
    unsigned hi = 0;
    if (base == "*") {
        lo = f.min;
        hi = f.max;
    } else if (auto dash = base.find('-'); dash != std::string_view::npos) {
        lo = value(base.substr(0, dash), f);
        hi = value(base.substr(dash + 1), f);
        if (lo > hi) {
            throw reason{std::string(f.name) + ": the range " + quoted(base) +
                         " ends before it starts"};
        }
    } else {
        lo = value(base, f);
        hi = stepped ? f.max : lo;  // `5/15`: from 5 to the end of the field
    }
    for (unsigned v = lo; v <= hi; v += step) {
        out.set(v - f.offset);
    }
}

// A field of lists, ranges and increments (no `?`, `L`, `W` or `#`).
template <std::size_t N>
std::bitset<N> plain_field(std::string_view text, const field_spec& f) {
    if (text.find_first_of("?#") != std::string_view::npos) {
        throw reason{std::string(f.name) + ": " + quoted(text) +
                     " uses a wildcard this field does not take (" +
                     (f.names.empty() ? ", - * /" : ", - * / and names") + ")"};
    }
    std::bitset<N> out;
    std::size_t start = 0;
    for (;;) {
        auto comma = text.find(',', start);
        add_item(text.substr(start, comma - start), f, out);
        if (comma == std::string_view::npos) {
            break;
        }
        start = comma + 1;
    }
    return out;
}

std::vector<std::string_view> split_fields(std::string_view body) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < body.size()) {
        while (i < body.size() && (body[i] == ' ' || body[i] == '\t')) {
            ++i;
        }
        auto start = i;
        while (i < body.size() && body[i] != ' ' && body[i] != '\t') {
            ++i;
        }
        if (i > start) {
            out.push_back(body.substr(start, i - start));
        }
    }
    return out;
}

unsigned weekday_number(year_month_day d) {
    return weekday{sys_days{d}}.c_encoding() + 1;  // EventBridge: 1 is Sunday
}

}  // namespace

schedule_expression::schedule_expression(std::string_view text) : text_(text) {
    try {
        if (text.starts_with("rate(") && text.ends_with(")")) {
            parse_rate(text.substr(5, text.size() - 6));
        } else if (text.starts_with("cron(") && text.ends_with(")")) {
            parse_cron(text.substr(5, text.size() - 6));
        } else {
            throw reason{
                "a schedule is rate(value unit) or cron(minutes hours day-of-month month "
                "day-of-week year)"};
        }
    } catch (const reason& r) {
        fail(r.why);
    }
}

void schedule_expression::fail(const std::string& why) const {
    throw schedule_expression_error("invalid expression '" + text_ + "': " + why);
}

void schedule_expression::parse_rate(std::string_view body) {
    auto space = body.find(' ');
    if (space == std::string_view::npos) {
        throw reason{"a rate is rate(value unit), e.g. rate(5 minutes)"};
    }
    auto value_text = body.substr(0, space);
    auto unit = body.substr(space + 1);
    auto n = number(value_text);
    if (!n || *n == 0) {
        throw reason{"the value must be a positive integer, got " + quoted(value_text)};
    }
    struct unit_spec {
        std::string_view singular;
        std::string_view plural;
        minutes length;
    };
    static constexpr unit_spec units[] = {
        {"minute", "minutes", minutes{1}}, {"hour", "hours", hours{1}}, {"day", "days", days{1}}};
    for (const auto& u : units) {
        if (unit != u.singular && unit != u.plural) {
            continue;
        }
        // EventBridge insists on the grammatical number.
        if (*n == 1 && unit == u.plural) {
            throw reason{"the unit is singular when the value is 1 (" + std::string(u.singular) +
                         ")"};
        }
        if (*n > 1 && unit == u.singular) {
            throw reason{"the unit is plural when the value is more than 1 (" +
                         std::string(u.plural) + ")"};
        }
        period_ = u.length * std::int64_t{*n};
        return;
    }
    throw reason{"the unit must be minute(s), hour(s) or day(s), got " + quoted(unit)};
}

void schedule_expression::parse_cron(std::string_view body) {
    auto fields = split_fields(body);
    if (fields.size() != 6) {
        throw reason{
            "cron takes 6 fields (minutes hours day-of-month month day-of-week year), got " +
            std::to_string(fields.size())};
    }
    minutes_ = plain_field<60>(fields[0], minutes_field);
    hours_ = plain_field<24>(fields[1], hours_field);
    months_ = plain_field<13>(fields[3], month_field);
    years_ = plain_field<230>(fields[5], year_field);

    auto dom = fields[2];
    if (dom == "?") {
        day_of_month_.rule = day_rule::any;
    } else if (dom == "L") {
        day_of_month_.rule = day_rule::last;
    } else if (dom == "LW") {
        day_of_month_.rule = day_rule::last_weekday;
    } else if (dom.size() > 1 && dom.ends_with('W') && all_digits(dom.substr(0, dom.size() - 1))) {
        day_of_month_.rule = day_rule::nearest_weekday;
        day_of_month_.nth = value(dom.substr(0, dom.size() - 1), day_of_month_field);
    } else if (dom.find_first_of("LW?") != std::string_view::npos) {
        throw reason{"day-of-month: ?, L, LW and W (as in 15W) stand alone, got " + quoted(dom)};
    } else {
        day_of_month_.rule = day_rule::listed;
        day_of_month_.days = plain_field<32>(dom, day_of_month_field);
    }

    auto dow = fields[4];
    auto hash = dow.find('#');
    if (dow == "?") {
        day_of_week_.rule = day_rule::any;
    } else if (dow == "L") {
        // Alone, L is the last day of the week: Saturday.
        day_of_week_.rule = day_rule::listed;
        day_of_week_.days.set(7);
    } else if (hash != std::string_view::npos) {
        if (dow.find_first_of(",-/*?L") != std::string_view::npos ||
            dow.find('#', hash + 1) != std::string_view::npos) {
            throw reason{"day-of-week: '#' takes one weekday and one week, as in 2#3, got " +
                         quoted(dow)};
        }
        day_of_week_.rule = day_rule::nth_of_week;
        day_of_week_.nth = value(dow.substr(0, hash), day_of_week_field);
        auto week = number(dow.substr(hash + 1));
        if (!week || *week < 1 || *week > 5) {
            throw reason{"day-of-week: the week after '#' must be 1-5, got " + quoted(dow)};
        }
        day_of_week_.ordinal = *week;
    } else if (dow.size() > 1 && dow.back() == 'L' &&
               dow.find_first_of(",-/*?") == std::string_view::npos) {
        day_of_week_.rule = day_rule::last_of_week;
        day_of_week_.nth = value(dow.substr(0, dow.size() - 1), day_of_week_field);
    } else if (dow.find('?') != std::string_view::npos) {
        throw reason{"day-of-week: ? stands alone, got " + quoted(dow)};
    } else {
        // A weekday name has no L in it, so an L left here is misplaced; value() says so.
        day_of_week_.rule = day_rule::listed;
        day_of_week_.days = plain_field<32>(dow, day_of_week_field);
    }

    bool dom_any = day_of_month_.rule == day_rule::any;
    bool dow_any = day_of_week_.rule == day_rule::any;
    if (dom_any && dow_any) {
        throw reason{"day-of-month and day-of-week cannot both be '?'"};
    }
    if (!dom_any && !dow_any) {
        throw reason{"one of day-of-month and day-of-week must be '?'"};
    }
}

bool schedule_expression::day_matches(year_month_day ymd) const {
    auto d = unsigned(ymd.day());
    auto last = unsigned(year_month_day_last{ymd.year(), month_day_last{ymd.month()}}.day());
    auto weekday_of = [&](unsigned n) {
        return weekday_number(year_month_day{ymd.year(), ymd.month(), std::chrono::day{n}});
    };
    if (day_of_month_.rule != day_rule::any) {
        switch (day_of_month_.rule) {
            case day_rule::listed:
                return day_of_month_.days[d];
            case day_rule::last:
                return d == last;
            case day_rule::last_weekday: {
                auto w = weekday_of(last);
                return d == (w == 7 ? last - 1 : w == 1 ? last - 2 : last);
            }
            case day_rule::nearest_weekday: {
                // The weekday nearest to the day, without leaving the month; a day the month
                // does not have never matches.
                auto n = day_of_month_.nth;
                if (n > last) {
                    return false;
                }
                auto w = weekday_of(n);
                auto target = n;
                if (w == 7) {
                    target = n == 1 ? 3 : n - 1;
                } else if (w == 1) {
                    target = n == last ? n - 2 : n + 1;
                }
                return d == target;
            }
            default:
                return false;
        }
    }
    auto w = weekday_number(ymd);
    switch (day_of_week_.rule) {
        case day_rule::listed:
            return day_of_week_.days[w];
        case day_rule::last_of_week:
            return w == day_of_week_.nth && d + 7 > last;
        case day_rule::nth_of_week:
            return w == day_of_week_.nth && (d - 1) / 7 + 1 == day_of_week_.ordinal;
        default:
            return false;
    }
}

std::optional<schedule_expression::time_point> schedule_expression::next_cron(
    time_point after) const {
    const sys_days first_day{year{first_year} / January / 1};
    const sys_days last_day{year{last_year} / December / 31};
    auto candidate = floor<minutes>(after) + minutes{1};  // strictly after, on a whole minute
    if (candidate < first_day) {
        candidate = first_day;
    }
    auto day = floor<days>(candidate);
    auto from = candidate - day;  // minutes into the first day looked at
    while (day <= last_day) {
        year_month_day ymd{day};
        int y = int(ymd.year());
        if (!years_[std::size_t(y - first_year)]) {
            day = sys_days{year{y + 1} / January / 1};
            from = minutes{0};
            continue;
        }
        if (!months_[unsigned(ymd.month())]) {
            auto next_month = year_month{ymd.year(), ymd.month()} + std::chrono::months{1};
            day = sys_days{next_month / 1};
            from = minutes{0};
            continue;
        }
        if (day_matches(ymd)) {
            auto first_hour = int(from.count() / 60);
            for (int h = first_hour; h < 24; ++h) {
                if (!hours_[std::size_t(h)]) {
                    continue;
                }
                for (int m = h == first_hour ? int(from.count() % 60) : 0; m < 60; ++m) {
                    if (minutes_[std::size_t(m)]) {
                        return time_point{day + hours{h} + minutes{m}};
                    }
                }
            }
        }
        day += days{1};
        from = minutes{0};
    }
    return std::nullopt;
}

std::optional<schedule_expression::time_point> schedule_expression::next_after(
    time_point after, time_point started) const {
    if (!is_rate()) {
        return next_cron(after);
    }
    // Rate rules share cron's calendar, which ends with 2199; that bound also keeps the
    // arithmetic below within what system_clock can count.
    const time_point horizon{sys_days{year{last_year + 1} / January / 1}};
    const time_point origin{sys_days{year{first_year} / January / 1}};
    if (started < origin || started >= horizon || after >= horizon) {
        return std::nullopt;
    }
    auto room = floor<minutes>(horizon - started);
    if (period_ >= room) {
        return std::nullopt;
    }
    auto period = duration_cast<system_clock::duration>(period_);
    std::int64_t k = after < started ? 1 : (after - started) / period + 1;
    if (k * period_.count() >= room.count()) {
        return std::nullopt;
    }
    return started + k * period;
}

}  // namespace lambdaport::runtime::sources
