#include "text_format.hpp"

#include <cmath>
#include <cstdio>
#include <iterator>
#include <string>

namespace pipeline::detail {

namespace {

// Inserts "," every three digits of the integer part of an unsigned decimal string ("1234.5").
std::string group_thousands(std::string digits) {
    std::size_t end = digits.find('.');
    if (end == std::string::npos) {
        end = digits.size();
    }
    for (std::size_t i = end; i > 3; i -= 3) {
        digits.insert(i - 3, 1, ',');
    }
    return digits;
}

std::string fixed(double value, int decimals) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
    return buffer;
}

// "12.50" → "12.5", "3.00" → "3"; "-0" → "0".
std::string trim_zeros(std::string text) {
    if (text.find('.') != std::string::npos) {
        while (text.back() == '0') {
            text.pop_back();
        }
        if (text.back() == '.') {
            text.pop_back();
        }
    }
    return text == "-0" ? "0" : text;
}

}  // namespace

std::string escape_html(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string format_count(std::int64_t n) {
    // Through the unsigned magnitude, so that INT64_MIN does not overflow on negation.
    const bool negative = n < 0;
    const std::uint64_t magnitude =
        negative ? ~static_cast<std::uint64_t>(n) + 1 : static_cast<std::uint64_t>(n);
    return (negative ? "-" : "") + group_thousands(std::to_string(magnitude));
}

std::string format_cents(std::int64_t cents) {
    const bool negative = cents < 0;
    const std::uint64_t magnitude =
        negative ? ~static_cast<std::uint64_t>(cents) + 1 : static_cast<std::uint64_t>(cents);
    const std::uint64_t fraction = magnitude % 100;
    std::string out = negative ? "-$" : "$";
    out += group_thousands(std::to_string(magnitude / 100));
    out += '.';
    out += static_cast<char>('0' + fraction / 10);
    out += static_cast<char>('0' + fraction % 10);
    return out;
}

std::string format_decimal(double value, int decimals) {
    if (!std::isfinite(value)) {
        return "—";
    }
    std::string text = fixed(std::fabs(value), decimals);
    // "-0.00" would be a surprise on a report; only show the sign for what rounds to non-zero.
    const bool negative = value < 0 && text.find_first_not_of("0.") != std::string::npos;
    return (negative ? "-" : "") + group_thousands(std::move(text));
}

std::string format_dollars(std::optional<double> dollars) {
    if (!dollars || !std::isfinite(*dollars)) {
        return "—";
    }
    const std::string text = format_decimal(*dollars, 2);
    return text.front() == '-' ? "-$" + text.substr(1) : "$" + text;
}

std::string format_percent(double part, double whole) {
    if (whole == 0 || !std::isfinite(part) || !std::isfinite(whole)) {
        return "—";
    }
    const double percent = 100.0 * part / whole;
    if (percent > 0 && percent < 0.05) {
        return "<0.1%";
    }
    return format_decimal(percent, 1) + "%";
}

std::string format_compact(double value) {
    static constexpr struct {
        double scale;
        const char* suffix;
    } units[] = {{1e9, "B"}, {1e6, "M"}, {1e3, "k"}, {1, ""}};
    for (std::size_t u = 0; u < std::size(units); ++u) {
        const double scaled = value / units[u].scale;
        if (std::fabs(scaled) < 1 && u + 1 < std::size(units)) {
            continue;
        }
        // Three significant digits: "1.25M", "12.5k", "125k"; below 1000 whole numbers as they are.
        const double magnitude = std::fabs(scaled);
        const int decimals = units[u].scale == 1 ? 0 : magnitude < 10 ? 2 : magnitude < 100 ? 1 : 0;
        std::string text = fixed(scaled, decimals);
        if (u > 0 && std::fabs(std::stod(text)) >= 1000) {
            // 999,950 rounds to "1000k": say "1M" instead.
            text = fixed(scaled / 1000, 2);
            return trim_zeros(std::move(text)) + units[u - 1].suffix;
        }
        return trim_zeros(std::move(text)) + units[u].suffix;
    }
    return "0";
}

std::string format_coord(double value) {
    return trim_zeros(fixed(value, 1));
}

}  // namespace pipeline::detail
