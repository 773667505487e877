#pragma once

// Cleaning one part (byte range) of a raw object as it streams in: lines are cut as bytes arrive,
// rows are parsed, checked, de-duplicated against the 2048 lines before them, and written out as
// canonical CSV, with every drop and repair counted (FORMAT.md). Memory is bounded by the window
// and one output buffer, whatever the object's size.

#include <array>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_map>

#include "trip.hpp"

namespace pipeline {

/// What a part's cleaning counted, as the quality report holds it.
struct quality {
    std::uint64_t rows = 0;
    std::uint64_t clean = 0;
    std::array<std::uint64_t, drop_reasons> dropped{};
    std::array<std::uint64_t, repairs> repaired{};

    void merge(const quality& other);
    /// {"rows", "clean", "dropped": {...}, "repaired": {...}}
    nlohmann::json to_json() const;
    /// Reads what to_json wrote. Throws std::invalid_argument naming the missing key.
    static quality from_json(const nlohmann::json& j);
};

/// The bytes of part `part` of `parts` of an object of `size` bytes: [first, end).
struct part_range {
    std::uint64_t first = 0;
    std::uint64_t end = 0;
};
part_range range_of_part(std::uint64_t size, unsigned part, unsigned parts);

/// Lines in the duplicate window, and the bytes before a part's first byte that hold them.
inline constexpr std::size_t window_lines = 2048;
inline constexpr std::uint64_t lookback_bytes = window_lines * max_line_bytes + 1;

/// Where a part's reading starts: early enough to see the window's lines and the byte before
/// `first` (to know whether a line starts there).
std::uint64_t read_start(const part_range& r);

/// The trip ids of the last 2048 lines that passed checks 1–4 (an empty entry for any other line).
class duplicate_window {
  public:
    bool contains(const std::string& id) const { return counts_.count(id) != 0; }
    /// Records the next line: its id, or empty when it has none.
    void push(const std::string& id);

  private:
    std::array<std::string, window_lines> ring_;
    std::size_t next_ = 0;
    std::unordered_map<std::string, std::uint32_t> counts_;
};

/// Cleans the lines that start in [range.first, range.end) of a stream fed from byte `feed_start`
/// (read_start(range) for a part, 0 for a whole object). Cleaned CSV (header first) goes to
/// `sink` in pieces of about `chunk` bytes. Not thread-safe.
class part_cleaner {
  public:
    using sink_type = std::function<void(std::string_view)>;

    part_cleaner(format f, std::uint64_t feed_start, part_range range, sink_type sink,
                 std::size_t chunk = 1 << 20);

    /// The next bytes of the stream. Returns false once the range is done: the rest is not needed.
    bool feed(std::string_view bytes);
    /// The stream ended (its last line may have no line end). Flushes the sink.
    void finish();

    const quality& counts() const noexcept { return counts_; }

  private:
    void line_done(bool ended);
    void handle(std::string_view line, std::uint64_t start);

    format format_;
    part_range range_;
    sink_type sink_;
    std::size_t chunk_;
    std::uint64_t offset_;      // of the next byte fed
    std::uint64_t line_start_;  // of the line being collected
    bool skipping_partial_;     // before the first line start (feed_start > 0)
    bool done_ = false;
    bool overlong_ = false;  // the current line passed max_line_bytes
    bool blank_ = true;      // the whole current line, kept or not, is only blanks so far
    std::string line_;
    std::string out_;
    parsed_row row_;
    duplicate_window window_;
    quality counts_;
};

}  // namespace pipeline
