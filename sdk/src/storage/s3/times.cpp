#include "storage/s3/times.hpp"

#include <array>
#include <cctype>

namespace lambdaport::storage::detail::s3 {

namespace {

using namespace std::chrono;

// A left-to-right reader over the text; every step fails softly by returning false.
class scanner {
  public:
    explicit scanner(std::string_view text) : text_(text) {}

    bool done() const { return pos_ == text_.size(); }

    bool number(int digits_min, int digits_max, int& value) {
        int digits = 0;
        value = 0;
        while (pos_ < text_.size() && digits < digits_max &&
               std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
            value = value * 10 + (text_[pos_] - '0');
            ++pos_;
            ++digits;
        }
        return digits >= digits_min;
    }

    bool literal(char c) {
        if (pos_ < text_.size() && text_[pos_] == c) {
            ++pos_;
            return true;
        }
        return false;
    }

    bool literal(std::string_view s) {
        if (text_.substr(pos_, s.size()) == s) {
            pos_ += s.size();
            return true;
        }
        return false;
    }

    void spaces() {
        while (pos_ < text_.size() && text_[pos_] == ' ') {
            ++pos_;
        }
    }

    // Month as three letters, 1..12.
    bool month(int& value) {
        static constexpr std::array<std::string_view, 12> names{
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
        for (std::size_t i = 0; i < names.size(); ++i) {
            if (literal(names[i])) {
                value = int(i) + 1;
                return true;
            }
        }
        return false;
    }

    // A day name (any letters), skipped.
    bool day_name() {
        const std::size_t start = pos_;
        while (pos_ < text_.size() && std::isalpha(static_cast<unsigned char>(text_[pos_]))) {
            ++pos_;
        }
        return pos_ - start >= 3;
    }

    char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
    void skip() { ++pos_; }

  private:
    std::string_view text_;
    std::size_t pos_ = 0;
};

std::optional<system_clock::time_point> make_time(int year, int month, int day, int hour,
                                                  int minute, int second) {
    const year_month_day date{std::chrono::year(year), std::chrono::month(unsigned(month)),
                              std::chrono::day(unsigned(day))};
    // The clock counts nanoseconds in 64 bits: 1678 to 2261 fit, other years would overflow it.
    if (!date.ok() || year < 1678 || year > 2261 || hour > 23 || minute > 59 || second > 60) {
        return std::nullopt;
    }
    return system_clock::time_point(sys_days(date)) + hours(hour) + minutes(minute) +
           seconds(second);
}

bool clock_time(scanner& s, int& hour, int& minute, int& second) {
    return s.number(2, 2, hour) && s.literal(':') && s.number(2, 2, minute) && s.literal(':') &&
           s.number(2, 2, second);
}

}  // namespace

std::optional<system_clock::time_point> parse_http_date(std::string_view text) {
    while (!text.empty() && (text.back() == ' ' || text.back() == '\r' || text.back() == '\n')) {
        text.remove_suffix(1);
    }
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    {
        // RFC 1123: "Sun, 06 Nov 1994 08:49:37 GMT"
        scanner s(text);
        if (s.day_name() && s.literal(", ") && s.number(1, 2, day) && s.literal(' ') &&
            s.month(month) && s.literal(' ') && s.number(4, 4, year) && s.literal(' ') &&
            clock_time(s, hour, minute, second) && s.literal(" GMT") && s.done()) {
            return make_time(year, month, day, hour, minute, second);
        }
    }
    {
        // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT" (two-digit years: 70-99 → 19xx)
        scanner s(text);
        if (s.day_name() && s.literal(", ") && s.number(2, 2, day) && s.literal('-') &&
            s.month(month) && s.literal('-') && s.number(2, 2, year) && s.literal(' ') &&
            clock_time(s, hour, minute, second) && s.literal(" GMT") && s.done()) {
            return make_time(year + (year < 70 ? 2000 : 1900), month, day, hour, minute, second);
        }
    }
    {
        // asctime: "Sun Nov  6 08:49:37 1994"
        scanner s(text);
        if (s.day_name() && s.literal(' ') && s.month(month) && s.literal(' ') &&
            (s.spaces(), s.number(1, 2, day)) && s.literal(' ') &&
            clock_time(s, hour, minute, second) && s.literal(' ') && s.number(4, 4, year) &&
            s.done()) {
            return make_time(year, month, day, hour, minute, second);
        }
    }
    return std::nullopt;
}

std::optional<system_clock::time_point> parse_iso8601(std::string_view text) {
    scanner s(text);
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!(s.number(4, 4, year) && s.literal('-') && s.number(2, 2, month) && s.literal('-') &&
          s.number(2, 2, day) && (s.literal('T') || s.literal('t') || s.literal(' ')) &&
          clock_time(s, hour, minute, second))) {
        return std::nullopt;
    }
    // Fraction: up to nanoseconds kept, further digits ignored.
    nanoseconds fraction{0};
    if (s.literal('.')) {
        long long value = 0;
        int digits = 0;
        while (std::isdigit(static_cast<unsigned char>(s.peek()))) {
            if (digits < 9) {
                value = value * 10 + (s.peek() - '0');
                ++digits;
            }
            s.skip();
        }
        if (digits == 0) {
            return std::nullopt;
        }
        for (int i = digits; i < 9; ++i) {
            value *= 10;
        }
        fraction = nanoseconds(value);
    }
    minutes offset{0};
    if (!(s.literal('Z') || s.literal('z'))) {
        const char sign = s.peek();
        if (sign != '+' && sign != '-') {
            return std::nullopt;
        }
        s.skip();
        int off_hours = 0, off_minutes = 0;
        if (!s.number(2, 2, off_hours)) {
            return std::nullopt;
        }
        s.literal(':');
        if (!s.number(2, 2, off_minutes)) {
            return std::nullopt;
        }
        offset = hours(off_hours) + minutes(off_minutes);
        if (sign == '-') {
            offset = -offset;
        }
    }
    if (!s.done()) {
        return std::nullopt;
    }
    auto base = make_time(year, month, day, hour, minute, second);
    if (!base) {
        return std::nullopt;
    }
    return *base - offset + duration_cast<system_clock::duration>(fraction);
}

}  // namespace lambdaport::storage::detail::s3
