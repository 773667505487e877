// Private to the report: HTML escaping and the number formats a reader sees.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pipeline::detail {

// Text safe inside an element or a double-quoted attribute: & < > " ' become entities.
std::string escape_html(std::string_view text);

// 1234567 → "1,234,567"; negative numbers keep their sign.
std::string format_count(std::int64_t n);

// Integer cents as dollars, exactly: 123456789 → "$1,234,567.89".
std::string format_cents(std::int64_t cents);

// A dollar amount already rounded to cents (the averages and quantiles of stats.json):
// 17.3 → "$17.30". Nothing (null in stats.json) → "—".
std::string format_dollars(std::optional<double> dollars);

// A value with a fixed number of decimals and thousands separators: (2.954, 2) → "2.95".
std::string format_decimal(double value, int decimals);

// part / whole as a percentage with one decimal: "13.9%", "<0.1%" for a share too small to show,
// "—" when whole is 0.
std::string format_percent(double part, double whole);

// Short labels, three significant digits: 950 → "950", 12345 → "12.3k", 1500000 → "1.5M".
std::string format_compact(double value);

// An SVG coordinate: at most one decimal, no trailing ".0".
std::string format_coord(double value);

}  // namespace pipeline::detail
