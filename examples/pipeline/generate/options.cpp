#include "options.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <stdexcept>
#include <string>

namespace lambdaport::pipeline::generate {

const char* const usage =
    "usage: pipeline_generate --out DIR [--size 300MB] [--files N] [--seed 1]\n"
    "                         [--format csv|jsonl|mixed]\n"
    "  --out DIR      writes DIR/trips/<name>.csv|.jsonl and DIR/manifest.json\n"
    "  --size SIZE    total size: B, KB, MB, GB, KiB, MiB, GiB (default 300MB)\n"
    "  --files N      number of files (default: one per 64 MiB of --size, at least 1)\n"
    "  --seed S       64-bit seed; the same arguments give the same bytes (default 1)\n"
    "  --format F     csv, jsonl, or mixed: every third file JSON Lines (default mixed)\n";

namespace {

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; };
        if (lower(a[i]) != lower(b[i])) {
            return false;
        }
    }
    return true;
}

std::optional<std::uint64_t> parse_uint(std::string_view text) {
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
        return std::nullopt;
    }
    return value;
}

}  // namespace

std::optional<std::uint64_t> parse_size(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
        ++i;
    }
    const std::string_view whole = text.substr(0, i);
    std::string_view fraction;
    if (i < text.size() && text[i] == '.') {
        const std::size_t start = ++i;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
            ++i;
        }
        fraction = text.substr(start, i - start);
        if (fraction.empty() || fraction.size() > 9) {
            return std::nullopt;
        }
    }
    if (whole.empty()) {
        return std::nullopt;
    }
    struct unit {
        std::string_view name;
        std::uint64_t bytes;
    };
    static constexpr std::array<unit, 8> units = {{{"", 1},
                                                   {"B", 1},
                                                   {"KB", 1000},
                                                   {"MB", 1000'000},
                                                   {"GB", 1000'000'000},
                                                   {"KiB", 1ULL << 10},
                                                   {"MiB", 1ULL << 20},
                                                   {"GiB", 1ULL << 30}}};
    const std::string_view suffix = text.substr(i);
    for (const auto& u : units) {
        if (!iequals(suffix, u.name)) {
            continue;
        }
        const auto w = parse_uint(whole);
        if (!w || (*w != 0 && u.bytes > UINT64_MAX / *w)) {
            return std::nullopt;
        }
        std::uint64_t value = *w * u.bytes;
        if (!fraction.empty()) {
            // Exact integer arithmetic: fraction / 10^digits of the unit, rounded down.
            std::uint64_t scale = 1;
            for (std::size_t d = 0; d < fraction.size(); ++d) {
                scale *= 10;
            }
            const std::uint64_t f = *parse_uint(fraction);
            const std::uint64_t part = u.bytes / scale * f + u.bytes % scale * f / scale;
            if (value > UINT64_MAX - part) {
                return std::nullopt;
            }
            value += part;
        }
        return value;
    }
    return std::nullopt;
}

options parse_options(const std::vector<std::string_view>& args) {
    options o;
    bool have_out = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string_view name = args[i];
        std::string_view value;
        bool inline_value = false;
        if (const auto eq = name.find('=');
            name.starts_with("--") && eq != std::string_view::npos) {
            value = name.substr(eq + 1);
            name = name.substr(0, eq);
            inline_value = true;
        }
        if (name == "--help" || name == "-h") {
            o.help = true;
            continue;
        }
        if (name != "--out" && name != "--size" && name != "--files" && name != "--seed" &&
            name != "--format") {
            throw std::invalid_argument("unknown argument " + std::string(args[i]));
        }
        if (!inline_value) {
            if (i + 1 >= args.size()) {
                throw std::invalid_argument(std::string(name) + " needs a value");
            }
            value = args[++i];
        }
        const std::string bad = std::string(name) + ": invalid value '" + std::string(value) + "'";
        if (name == "--out") {
            if (value.empty()) {
                throw std::invalid_argument(bad);
            }
            o.out = std::filesystem::path(std::string(value));
            have_out = true;
        } else if (name == "--size") {
            const auto size = parse_size(value);
            if (!size || *size == 0) {
                throw std::invalid_argument(bad + " (a size above 0 such as 300MB or 1GiB)");
            }
            o.size = *size;
        } else if (name == "--files") {
            const auto files = parse_uint(value);
            if (!files || *files == 0 || *files > 9999) {
                throw std::invalid_argument(bad + " (1 to 9999)");
            }
            o.files = *files;
        } else if (name == "--seed") {
            const auto seed = parse_uint(value);
            if (!seed) {
                throw std::invalid_argument(bad + " (an unsigned 64-bit integer)");
            }
            o.seed = *seed;
        } else {
            if (value == "csv") {
                o.format = format_choice::csv;
            } else if (value == "jsonl") {
                o.format = format_choice::jsonl;
            } else if (value == "mixed") {
                o.format = format_choice::mixed;
            } else {
                throw std::invalid_argument(bad + " (csv, jsonl or mixed)");
            }
        }
    }
    if (!o.help && !have_out) {
        throw std::invalid_argument("--out DIR is required");
    }
    if (o.files == 0) {
        o.files = std::max<std::uint64_t>(1, o.size / (64ULL << 20));
        if (o.files > 9999) {
            throw std::invalid_argument(
                "--size needs more than 9999 files of 64 MiB; give --files");
        }
    }
    return o;
}

}  // namespace lambdaport::pipeline::generate
