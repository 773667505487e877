#include "calendar.hpp"

namespace lambdaport::pipeline::generate {

civil_time civil_from_unix(std::int64_t seconds) {
    std::int64_t days = seconds / 86400;
    std::int64_t rest = seconds % 86400;
    if (rest < 0) {
        rest += 86400;
        --days;
    }
    // Inverse of days_from_civil (Hinnant): eras of 400 years starting on March 1st.
    days += 719468;
    const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const auto doe = static_cast<unsigned>(days - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned day = doy - (153 * mp + 2) / 5 + 1;
    const unsigned month = mp < 10 ? mp + 3 : mp - 9;
    const std::int64_t year = static_cast<std::int64_t>(yoe) + era * 400 + (month <= 2 ? 1 : 0);
    const auto r = static_cast<unsigned>(rest);
    return {year, month, day, r / 3600, r / 60 % 60, r % 60};
}

namespace {

// Digits are written backwards into a small buffer and appended at once: single-character appends
// dominated the generator's profile.
char* write_digits(char* end, std::uint64_t value, int width) {
    char* p = end;
    do {
        *--p = static_cast<char>('0' + value % 10);
        value /= 10;
    } while (value != 0);
    while (end - p < width) {
        *--p = '0';
    }
    return p;
}

char* write_two(char* p, unsigned v) {
    p[0] = static_cast<char>('0' + v / 10);
    p[1] = static_cast<char>('0' + v % 10);
    return p + 2;
}

char* write_four(char* p, std::uint64_t v) {
    p = write_two(p, static_cast<unsigned>(v / 100 % 100));
    return write_two(p, static_cast<unsigned>(v % 100));
}

}  // namespace

void append_uint(std::string& out, std::uint64_t value) {
    append_padded(out, value, 0);
}

void append_padded(std::string& out, std::uint64_t value, int width) {
    char buffer[24];
    char* end = buffer + sizeof buffer;
    const char* begin = write_digits(end, value, width < 20 ? width : 20);
    out.append(begin, static_cast<std::size_t>(end - begin));
}

void append_cents(std::string& out, std::int64_t cents, bool trim_zeros) {
    char buffer[32];
    char* end = buffer + sizeof buffer;
    char* p = end;
    const bool negative = cents < 0;
    const auto magnitude = static_cast<std::uint64_t>(negative ? -cents : cents);
    const auto frac = static_cast<unsigned>(magnitude % 100);
    if (!trim_zeros) {
        p -= 2;
        write_two(p, frac);
        *--p = '.';
    } else if (frac != 0) {
        if (frac % 10 != 0) {
            p -= 2;
            write_two(p, frac);
        } else {
            *--p = static_cast<char>('0' + frac / 10);
        }
        *--p = '.';
    }
    p = write_digits(p, magnitude / 100, 0);
    if (negative) {
        *--p = '-';
    }
    out.append(p, static_cast<std::size_t>(end - p));
}

void append_time(std::string& out, std::int64_t seconds, time_format format) {
    if (format == time_format::epoch) {
        append_uint(out, static_cast<std::uint64_t>(seconds));
        return;
    }
    const civil_time t = civil_from_unix(seconds);
    const auto year = static_cast<std::uint64_t>(t.year);
    char buffer[24];
    char* p = buffer;
    if (format == time_format::us) {
        p = write_two(p, t.month);
        *p++ = '/';
        p = write_two(p, t.day);
        *p++ = '/';
        p = write_four(p, year);
    } else {
        p = write_four(p, year);
        *p++ = '-';
        p = write_two(p, t.month);
        *p++ = '-';
        p = write_two(p, t.day);
    }
    *p++ = format == time_format::iso_z ? 'T' : ' ';
    p = write_two(p, t.hour);
    *p++ = ':';
    p = write_two(p, t.minute);
    *p++ = ':';
    p = write_two(p, t.second);
    if (format == time_format::iso_z) {
        *p++ = 'Z';
    }
    out.append(buffer, static_cast<std::size_t>(p - buffer));
}

}  // namespace lambdaport::pipeline::generate
