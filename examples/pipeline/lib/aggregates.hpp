#pragma once

// The analysis: mergeable aggregates of kept trips (FORMAT.md's partials) and the final statistics
// built from their merge. Integers everywhere, so partials merge to the same result in any order
// and any split: one mapper or eight, local disk or S3.

#include <array>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cleaner.hpp"
#include "trip.hpp"

namespace pipeline {

/// DDSketch of non-negative integers (fares in cents) with relative accuracy `alpha`: mergeable
/// quantiles whose answer is within alpha of the exact value.
class fare_sketch {
  public:
    static constexpr double alpha = 0.01;

    void add(std::int64_t cents);
    void merge(const fare_sketch& other);
    std::uint64_t count() const noexcept { return count_; }
    /// The value (cents) at 0-based rank floor(q × (count − 1)); 0 when empty.
    double quantile(double q) const;

    nlohmann::json to_json() const;
    /// Throws std::invalid_argument for a document to_json did not write.
    static fare_sketch from_json(const nlohmann::json& j);

  private:
    std::uint64_t zero_ = 0;
    std::uint64_t count_ = 0;
    std::map<int, std::uint64_t> bins_;
};

inline constexpr std::size_t fare_bins = 21;  // $5 wide, the last from $100 up

struct aggregates {
    std::uint64_t count = 0;
    std::uint64_t passengers = 0;
    std::int64_t fare_cents = 0;
    std::int64_t tip_cents = 0;
    std::int64_t distance_centimiles = 0;
    std::int64_t duration_seconds = 0;
    std::optional<std::int64_t> fare_min_cents;
    std::optional<std::int64_t> fare_max_cents;
    std::optional<std::int64_t> distance_max_centimiles;
    std::optional<std::int64_t> tip_max_cents;
    std::array<std::pair<std::uint64_t, std::int64_t>, 24> by_hour{};  // trips, fare cents
    std::map<int, std::pair<std::uint64_t, std::int64_t>> by_zone;     // pickup zone → same
    std::array<std::uint64_t, payments> by_payment{};
    std::array<std::uint64_t, fare_bins> fare_histogram{};
    fare_sketch fares;

    void add(const trip& t);
    void merge(const aggregates& other);
};

/// A part's partial: where it came from, its quality counts and its aggregates.
struct partial {
    nlohmann::json source;  // as in the quality report
    quality counts;
    aggregates agg;

    nlohmann::json to_json() const;
    /// Throws std::invalid_argument naming what is missing or malformed.
    static partial from_json(const nlohmann::json& j);
};

/// Merges partials into the final statistics of FORMAT.md (`generated_at` set to `now`, an
/// ISO 8601 UTC time). The partials may come in any order.
nlohmann::json final_statistics(const std::vector<partial>& partials, const std::string& now);

/// `round(numerator / denominator)` to 2 decimals, half away from zero, as a double.
double ratio_2dp(std::int64_t numerator, std::int64_t denominator);

}  // namespace pipeline
