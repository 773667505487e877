// The command line of pipeline_generate.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

namespace lambdaport::pipeline::generate {

enum class format_choice : std::uint8_t { csv, jsonl, mixed };

struct options {
    std::filesystem::path out;
    std::uint64_t size = 300'000'000;
    std::uint64_t files = 0;  // 0: one per 64 MiB of size, at least 1
    std::uint64_t seed = 1;
    format_choice format = format_choice::mixed;
    bool help = false;
};

/// Parses "300MB", "1GiB", "1.5GB", "4096" (bytes) into bytes: an integer or decimal followed by
/// B, KB, MB, GB (powers of 1000) or KiB, MiB, GiB (powers of 1024), case-insensitive. Returns
/// nothing if the text is not such a size or overflows 64 bits.
std::optional<std::uint64_t> parse_size(std::string_view text);

/// Parses the arguments after the program name. Throws std::invalid_argument with a one-line
/// message naming the option and the problem.
options parse_options(const std::vector<std::string_view>& args);

/// The usage text printed by --help and after an argument error.
extern const char* const usage;

}  // namespace lambdaport::pipeline::generate
