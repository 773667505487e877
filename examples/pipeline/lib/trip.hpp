#pragma once

// One taxi trip and how a raw line becomes one: parsing, validation and repairs exactly as
// examples/pipeline/FORMAT.md says, for CSV and JSON Lines. No allocation on the hot path but the
// two text fields; numbers become integers (cents, hundredths of a mile, Unix seconds), never
// floating point, so every aggregate is exact and the same in any order.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace pipeline {

/// Why a row was dropped, in FORMAT.md's order of checks.
enum class drop_reason : std::uint8_t {
    malformed,
    missing_field,
    bad_type,
    out_of_range,
    duplicate
};
inline constexpr std::size_t drop_reasons = 5;
inline constexpr std::array<std::string_view, drop_reasons> drop_names{
    "malformed", "missing_field", "bad_type", "out_of_range", "duplicate"};

/// What was repaired in a kept row (one bit each).
enum class repair : std::uint8_t {
    missing_tip,
    missing_passengers,
    timestamp_format,
    payment_label,
    latin1_text,
    decimal_comma
};
inline constexpr std::size_t repairs = 6;
inline constexpr std::array<std::string_view, repairs> repair_names{
    "missing_tip",   "missing_passengers", "timestamp_format",
    "payment_label", "latin1_text",        "decimal_comma"};

enum class payment : std::uint8_t { card, cash, no_charge, dispute, unknown };
inline constexpr std::size_t payments = 5;
inline constexpr std::array<std::string_view, payments> payment_names{"card", "cash", "no_charge",
                                                                      "dispute", "unknown"};

/// The longest line, line end included (FORMAT.md).
inline constexpr std::size_t max_line_bytes = 512;

/// The CSV header line.
inline constexpr std::string_view csv_header =
    "trip_id,vendor,pickup_at,dropoff_at,pickup_zone,dropoff_zone,passengers,distance_mi,fare,"
    "tip,payment";

enum class format : std::uint8_t { csv, jsonl };

/// "trips/a.jsonl" → jsonl; anything else is CSV.
format format_of_key(std::string_view key);

struct trip {
    std::string trip_id;
    std::string vendor;        // UTF-8
    std::int64_t pickup = 0;   // Unix seconds, UTC
    std::int64_t dropoff = 0;  // Unix seconds, UTC
    int pickup_zone = 0;
    int dropoff_zone = 0;
    int passengers = 0;
    std::int64_t distance_centimiles = 0;
    std::int64_t fare_cents = 0;
    std::int64_t tip_cents = 0;
    payment pay = payment::unknown;
};

/// A parsed line: a trip that passed checks 1–4, or the reason it did not.
struct parsed_row {
    bool ok = false;
    drop_reason reason = drop_reason::malformed;
    std::uint8_t repaired = 0;  // bit (1 << repair) per repair
    trip t;
};

/// Parses one line (without its line end, '\r' included) of the given format into `out`, reusing
/// its strings' storage.
void parse_line(std::string_view line, format f, parsed_row& out);

/// Appends the cleaned CSV line of `t` (with '\n') to `out`.
void append_clean_csv(const trip& t, std::string& out);

/// `YYYY-MM-DD HH:MM:SS` for Unix seconds.
std::string format_time(std::int64_t unix_seconds);

/// Days since 1970-01-01 for a proleptic Gregorian date (any year).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d);

}  // namespace pipeline
