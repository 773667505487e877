#include "util/text.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <ctime>
#include <random>

namespace lambdaport::runtime::util {
namespace {

constexpr std::string_view alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64_value(char c) {
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '+') {
        return 62;
    }
    if (c == '/') {
        return 63;
    }
    return -1;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

std::mt19937_64& generator() {
    // One engine thread does the I/O; request ids need uniqueness, not secrecy.
    thread_local std::mt19937_64 gen{std::random_device{}()};
    return gen;
}

}  // namespace

std::string base64_encode(std::string_view data) {
    std::string out;
    out.reserve((data.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= data.size(); i += 3) {
        auto n = (std::uint32_t(std::uint8_t(data[i])) << 16) |
                 (std::uint32_t(std::uint8_t(data[i + 1])) << 8) | std::uint8_t(data[i + 2]);
        out += alphabet[(n >> 18) & 63];
        out += alphabet[(n >> 12) & 63];
        out += alphabet[(n >> 6) & 63];
        out += alphabet[n & 63];
    }
    if (auto rest = data.size() - i; rest > 0) {
        std::uint32_t n = std::uint32_t(std::uint8_t(data[i])) << 16;
        if (rest == 2) {
            n |= std::uint32_t(std::uint8_t(data[i + 1])) << 8;
        }
        out += alphabet[(n >> 18) & 63];
        out += alphabet[(n >> 12) & 63];
        out += rest == 2 ? alphabet[(n >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
    if (text.size() % 4 != 0) {
        return std::nullopt;
    }
    std::string out;
    out.reserve(text.size() / 4 * 3);
    for (std::size_t i = 0; i < text.size(); i += 4) {
        int v[4];
        int pad = 0;
        for (int j = 0; j < 4; ++j) {
            char c = text[i + j];
            if (c == '=' && i + 4 == text.size() && j >= 2) {
                v[j] = 0;
                ++pad;
                continue;
            }
            if (pad > 0 || (v[j] = base64_value(c)) < 0) {
                return std::nullopt;
            }
        }
        std::uint32_t n = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
        out += char((n >> 16) & 0xff);
        if (pad < 2) {
            out += char((n >> 8) & 0xff);
        }
        if (pad < 1) {
            out += char(n & 0xff);
        }
    }
    return out;
}

std::optional<std::string> percent_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out += text[i];
            continue;
        }
        if (i + 2 >= text.size()) {
            return std::nullopt;
        }
        int hi = hex_value(text[i + 1]);
        int lo = hex_value(text[i + 2]);
        if (hi < 0 || lo < 0) {
            return std::nullopt;
        }
        out += char(hi * 16 + lo);
        i += 2;
    }
    return out;
}

std::string random_hex(std::size_t n) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out(n, '0');
    std::uint64_t bits = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (i % 16 == 0) {
            bits = generator()();
        }
        out[i] = digits[bits & 15];
        bits >>= 4;
    }
    return out;
}

std::string make_uuid() {
    std::string hex = random_hex(32);
    hex[12] = '4';
    hex[16] = "89ab"[hex_value(hex[16]) & 3];
    return hex.substr(0, 8) + '-' + hex.substr(8, 4) + '-' + hex.substr(12, 4) + '-' +
           hex.substr(16, 4) + '-' + hex.substr(20);
}

std::string iso8601(std::chrono::system_clock::time_point t) {
    auto ms = epoch_ms(t);
    std::time_t secs = ms / 1000;
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    char out[40];
    std::snprintf(out, sizeof out, "%s.%03dZ", buf, int(ms % 1000));
    return out;
}

bool is_bucket_name(std::string_view text) {
    auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
    if (text.size() < 3 || text.size() > 63 || !alnum(text.front()) || !alnum(text.back())) {
        return false;
    }
    for (char c : text) {
        if (!alnum(c) && c != '.' && c != '-') {
            return false;
        }
    }
    return true;
}

bool is_name(std::string_view text, std::size_t max) {
    if (text.empty() || text.size() > max) {
        return false;
    }
    for (char c : text) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_';
        if (!ok) {
            return false;
        }
    }
    return true;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i];
        char y = b[i];
        if (x >= 'A' && x <= 'Z') {
            x += 32;
        }
        if (y >= 'A' && y <= 'Z') {
            y += 32;
        }
        if (x != y) {
            return false;
        }
    }
    return true;
}

std::optional<std::uint64_t> to_unsigned(std::string_view text) {
    std::uint64_t value = 0;
    const char* end = text.data() + text.size();
    // from_chars takes no sign and no spaces, and says when the value does not fit.
    const auto [stop, error] = std::from_chars(text.data(), end, value);
    if (text.empty() || error != std::errc{} || stop != end) {
        return std::nullopt;
    }
    return value;
}

std::optional<double> to_number(std::string_view text) {
    double value = 0;
    const char* end = text.data() + text.size();
    const auto [stop, error] = std::from_chars(text.data(), end, value);
    if (text.empty() || error != std::errc{} || stop != end || !std::isfinite(value)) {
        return std::nullopt;
    }
    return value;
}

}  // namespace lambdaport::runtime::util
