// Private to the report: stats.json (FORMAT.md, "Final statistics") read into plain values.
//
// The reader is lenient on purpose: a report of partial or older statistics is more useful than
// none, so an absent or mistyped field reads as zero, empty or unknown instead of failing, and a
// count is clamped to ±10^15. Every count the charts show comes from here, so the page never does
// arithmetic on JSON directly.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

namespace pipeline::detail {

struct named_count {
    std::string key;
    std::int64_t count = 0;
};

struct fare_bin {
    double from = 0;
    std::optional<double> to;  // nothing for the open last bin ("$100+")
    std::int64_t count = 0;
};

struct hour_row {
    int hour = 0;
    std::int64_t trips = 0;
    std::int64_t fare_cents = 0;
};

struct zone_row {
    std::int64_t zone = 0;
    std::int64_t trips = 0;
    std::int64_t fare_cents = 0;
};

struct source_object {
    std::string bucket;
    std::string key;
    std::int64_t parts = 0;
    std::int64_t parts_seen = 0;
};

struct stats_view {
    std::string generated_at;
    std::vector<source_object> objects;
    bool complete = true;
    std::int64_t parts = 0;  // summed over objects
    std::int64_t parts_seen = 0;

    std::int64_t rows = 0;
    std::int64_t clean = 0;
    std::int64_t dropped_total = 0;
    std::vector<named_count> dropped;   // FORMAT.md's reasons in its order, then any others
    std::vector<named_count> repaired;  // likewise for repair kinds

    std::int64_t trips = 0;
    std::int64_t fare_cents = 0;
    std::int64_t tip_cents = 0;
    std::optional<std::int64_t> fare_max_cents;  // null in stats.json when there are no trips
    std::optional<std::int64_t> distance_max_centimiles;
    // Averages and quantiles as stats.json gives them (dollars, miles, minutes, people), or
    // nothing when there are no trips to average.
    std::optional<double> average_fare;
    std::optional<double> average_tip;
    std::optional<double> average_distance_mi;
    std::optional<double> average_duration_min;
    std::optional<double> average_passengers;
    std::optional<double> fare_p50;
    std::optional<double> fare_p90;
    std::optional<double> fare_p99;
    double relative_accuracy = 0.01;

    std::vector<fare_bin> fare_histogram;
    std::vector<hour_row> by_hour;  // always 24, hour 0 first
    std::vector<named_count> by_payment;
    std::vector<zone_row> top_zones;
    std::int64_t zones = 0;
};

stats_view read_stats(const nlohmann::json& stats);

}  // namespace pipeline::detail
