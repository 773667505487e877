// A raw row before it becomes bytes: the 11 fields as text plus how each is to be written (CSV
// quoting and padding, JSON type), so that faults can be planted field by field and the same row
// rendered as CSV or JSON Lines.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "calendar.hpp"
#include "random.hpp"
#include "trip_model.hpp"

namespace lambdaport::pipeline::generate {

enum class file_format : std::uint8_t { csv, jsonl };

/// The fields in header order.
enum field_id : std::uint8_t {
    f_trip_id,
    f_vendor,
    f_pickup_at,
    f_dropoff_at,
    f_pickup_zone,
    f_dropoff_zone,
    f_passengers,
    f_distance_mi,
    f_fare,
    f_tip,
    f_payment,
    field_count
};

/// Header names, in order.
extern const std::array<const char*, field_count> field_names;

/// How a field appears in JSON: a string, a bare number, null, or no key at all. CSV writes null
/// and absent as an empty field.
enum class json_kind : std::uint8_t { string, number, null, absent };

struct raw_field {
    std::string text;  // content: CSV before quoting, JSON before escaping (or the number text)
    json_kind json = json_kind::string;
    bool quote = false;       // CSV: enclose in quotes even if not needed
    bool pad = false;         // CSV: blanks around the field, outside any quotes
    bool open_quote = false;  // CSV: an opening quote that is never closed (malformed)
};

/// One row to be written.
struct record {
    std::array<raw_field, field_count> fields;
    std::array<std::uint8_t, field_count> order;  // JSON key order
    bool json_spaced = false;                     // JSON: a space after ':' and ','
    bool json_ascii = false;                      // JSON: non-ASCII text as \u escapes
    bool json_array = false;  // JSON: the values as an array instead of an object (malformed)
    int csv_omit = -1;        // CSV: a field left out (malformed: 10 fields)
    bool csv_extra = false;   // CSV: one field too many (malformed: 12 fields)
};

/// Fills `r` with the valid rendering of `t` for `format`, varying what FORMAT.md allows (quoting,
/// blanks, JSON key order, numbers as strings, trailing zeros). Reuses r's string capacity.
void fill_record(record& r, const trip& t, const trip_model& model, file_format format,
                 rng& random);

/// Sets a time field to `seconds` in `format`.
void set_time(raw_field& f, std::int64_t seconds, time_format format);

/// Appends the row as one CSV line with its line end.
void append_csv(std::string& out, const record& r, bool crlf);

/// Appends the row as one JSON Lines line (without the line end, so faults can cut it).
void append_json(std::string& out, const record& r);

}  // namespace lambdaport::pipeline::generate
