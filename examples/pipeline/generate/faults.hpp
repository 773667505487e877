// The planted faults and repairs of FORMAT.md: which kind each row gets, and how a valid row is
// damaged so that exactly that one cleaning rule, and no other, applies to it.
#pragma once

#include <cstdint>
#include <string>

#include "random.hpp"
#include "record.hpp"
#include "trip_model.hpp"

namespace lambdaport::pipeline::generate {

/// What a row is planted with: nothing, one drop reason, or one repair.
enum class row_kind : std::uint8_t {
    clean,
    // drop reasons, in FORMAT.md's order
    malformed,
    missing_field,
    bad_type,
    out_of_range,
    duplicate,
    // repairs, in FORMAT.md's order
    missing_tip,
    missing_passengers,
    timestamp_format,
    payment_label,
    latin1_text,
    decimal_comma,
};

inline constexpr std::size_t drop_reason_count = 5;
inline constexpr std::size_t repair_count = 6;

/// Draws the kind of the next row for a file of `format` (the CSV-only repairs never in JSON
/// Lines).
row_kind draw_row_kind(rng& random, file_format format);

/// Renders `t` as one line of `format` with the fault or repair `kind` planted (not `duplicate`,
/// which copies an earlier line instead), appending it with its line end to `line`. `scratch` is
/// reused between rows to avoid allocations.
void render_row(std::string& line, record& scratch, row_kind kind, const trip& t,
                const trip_model& model, file_format format, bool crlf, rng& random);

}  // namespace lambdaport::pipeline::generate
