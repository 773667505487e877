// What a taxi trip looks like: the realistic shapes behind every row, in integers (seconds, cents,
// hundredths of a mile), independent of how the row is then written or damaged.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "random.hpp"

namespace lambdaport::pipeline::generate {

/// The canonical payment labels, in FORMAT.md's order.
enum class payment : std::uint8_t { card, cash, no_charge, dispute, unknown };

/// The canonical label of a payment.
std::string_view payment_label(payment p);

/// A vendor name as UTF-8, and as ISO-8859-1 bytes when every character fits (else empty).
struct vendor_name {
    std::string_view utf8;
    std::string_view latin1;
};

/// The vendor names rows are drawn from (index into this list).
const std::vector<vendor_name>& vendor_names();

/// One trip, all values valid per FORMAT.md.
struct trip {
    std::uint64_t serial;  // position in the data set; trip_id derives from it
    std::size_t vendor;    // index into vendor_names()
    std::int64_t pickup;   // Unix seconds, UTC, in November 2026
    std::int64_t dropoff;  // 2 to 90 minutes after pickup
    int pickup_zone;
    int dropoff_zone;
    int passengers;
    std::int64_t distance_centimiles;
    std::int64_t fare_cents;
    std::int64_t tip_cents;
    payment pay;
};

/// Unix seconds of 2026-11-01 00:00:00 UTC, the start of the generated month.
inline constexpr std::int64_t month_start = 1793491200;

/// Draws trips. The tables are fixed at construction; next() only reads them, so one model can
/// serve many files (not concurrently with the same rng).
class trip_model {
  public:
    /// `seed` only keys the trip_id numbering, so data sets of different seeds differ in ids too.
    explicit trip_model(std::uint64_t seed);

    /// The next trip; `serial` must be distinct for every call in a data set.
    trip next(rng& random, std::uint64_t serial) const;

    /// Appends "T" + 12 digits: a bijection of serial (below 10^12), so ids never repeat.
    void append_trip_id(std::string& out, std::uint64_t serial) const;

  private:
    int draw_zone(rng& random) const;

    std::uint64_t id_key_;
    weighted_table day_;
    weighted_table hour_;
    weighted_table zone_rank_;
    std::vector<int> zone_by_rank_;
    weighted_table distance_band_;
    weighted_table passengers_;
    weighted_table payment_;
    weighted_table vendor_;
    weighted_table tip_percent_;
};

}  // namespace lambdaport::pipeline::generate
