// UTC calendar arithmetic and the four time formats of FORMAT.md, on integers only.
#pragma once

#include <cstdint>
#include <string>

namespace lambdaport::pipeline::generate {

/// Days since 1970-01-01 of the proleptic Gregorian date (Howard Hinnant's algorithm).
constexpr std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) {
    year -= month <= 2 ? 1 : 0;
    const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
    const auto yoe = static_cast<unsigned>(year - era * 400);
    const unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

/// A UTC time broken down into its fields.
struct civil_time {
    std::int64_t year;
    unsigned month, day, hour, minute, second;
};

/// Breaks Unix seconds into a UTC date and time.
civil_time civil_from_unix(std::int64_t seconds);

/// Unix seconds of a UTC date and time.
constexpr std::int64_t unix_from_civil(const civil_time& t) {
    return days_from_civil(t.year, t.month, t.day) * 86400 + t.hour * 3600 + t.minute * 60 +
           t.second;
}

/// The formats a time may be written in: the canonical one and the three that `timestamp_format`
/// repairs.
enum class time_format : std::uint8_t {
    canonical,  // YYYY-MM-DD HH:MM:SS
    iso_z,      // YYYY-MM-DDTHH:MM:SSZ
    us,         // MM/DD/YYYY HH:MM:SS
    epoch,      // Unix seconds, digits only
};

/// Appends `seconds` (a time from year 0 to 9999) to `out` in `format`.
void append_time(std::string& out, std::int64_t seconds, time_format format);

/// Appends a non-negative integer in decimal.
void append_uint(std::string& out, std::uint64_t value);

/// Appends a non-negative integer in decimal, zero-padded to `width` digits.
void append_padded(std::string& out, std::uint64_t value, int width);

/// Appends hundredths as a decimal: "12.50", or with `trim_zeros` "12.5" / "12" (both valid).
void append_cents(std::string& out, std::int64_t cents, bool trim_zeros = false);

}  // namespace lambdaport::pipeline::generate
