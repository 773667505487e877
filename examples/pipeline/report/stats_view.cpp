#include "stats_view.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string_view>

namespace pipeline::detail {

namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 5> drop_reasons = {"malformed", "missing_field", "bad_type",
                                                          "out_of_range", "duplicate"};
constexpr std::array<std::string_view, 6> repair_kinds = {"missing_tip",      "missing_passengers",
                                                          "timestamp_format", "payment_label",
                                                          "latin1_text",      "decimal_comma"};
constexpr std::array<std::string_view, 5> payment_labels = {"card", "cash", "no_charge", "dispute",
                                                            "unknown"};

const json& member(const json& object, std::string_view key) {
    static const json absent;
    if (!object.is_object()) {
        return absent;
    }
    const auto it = object.find(key);
    return it == object.end() ? absent : *it;
}

// Counts beyond a quadrillion are not real data. Clamping them there means that a damaged
// stats.json cannot make the page's sums overflow (that would take 9,000 such terms in one sum;
// the schema has at most a few dozen).
constexpr std::int64_t max_count = 1'000'000'000'000'000;

std::int64_t to_integer(const json& value) {
    std::int64_t n = 0;
    if (value.is_number_unsigned()) {
        const auto u = value.get<std::uint64_t>();
        n = u > static_cast<std::uint64_t>(max_count) ? max_count : static_cast<std::int64_t>(u);
    } else if (value.is_number_integer()) {
        n = value.get<std::int64_t>();
    } else if (value.is_number_float()) {
        const double d = value.get<double>();
        n = std::isfinite(d) ? static_cast<std::int64_t>(std::clamp(std::round(d),
                                                                    -static_cast<double>(max_count),
                                                                    static_cast<double>(max_count)))
                             : 0;
    }
    return std::clamp(n, -max_count, max_count);
}

std::int64_t integer_at(const json& object, std::string_view key) {
    return to_integer(member(object, key));
}

std::optional<std::int64_t> optional_integer_at(const json& object, std::string_view key) {
    const json& value = member(object, key);
    return value.is_number() ? std::optional<std::int64_t>(to_integer(value)) : std::nullopt;
}

std::optional<double> number_at(const json& object, std::string_view key) {
    const json& value = member(object, key);
    if (!value.is_number()) {
        return std::nullopt;
    }
    const double d = value.get<double>();
    return std::isfinite(d) ? std::optional<double>(d) : std::nullopt;
}

std::string string_at(const json& object, std::string_view key) {
    const json& value = member(object, key);
    return value.is_string() ? value.get<std::string>() : std::string();
}

// The known keys in FORMAT.md's order, always present (a zero is news too), then whatever else
// the object holds in key order, so that a newer pipeline's counts are not hidden.
template <std::size_t N>
std::vector<named_count> named_counts(const json& object,
                                      const std::array<std::string_view, N>& known) {
    std::vector<named_count> out;
    for (std::string_view key : known) {
        out.push_back({std::string(key), integer_at(object, key)});
    }
    if (object.is_object()) {
        for (const auto& [key, value] : object.items()) {
            bool is_known = false;
            for (std::string_view k : known) {
                is_known = is_known || k == key;
            }
            if (!is_known) {
                out.push_back({key, to_integer(value)});
            }
        }
    }
    return out;
}

}  // namespace

stats_view read_stats(const json& stats) {
    stats_view view;
    view.generated_at = string_at(stats, "generated_at");

    const json& objects = member(stats, "objects");
    if (objects.is_array()) {
        for (const json& object : objects) {
            source_object source{string_at(object, "bucket"), string_at(object, "key"),
                                 integer_at(object, "parts"), integer_at(object, "parts_seen")};
            view.parts += source.parts;
            view.parts_seen += source.parts_seen;
            view.objects.push_back(std::move(source));
        }
    }
    const json& complete = member(stats, "complete");
    view.complete = complete.is_boolean() ? complete.get<bool>() : view.parts_seen >= view.parts;

    const json& quality = member(stats, "quality");
    view.rows = integer_at(quality, "rows");
    view.clean = integer_at(quality, "clean");
    view.dropped = named_counts(member(quality, "dropped"), drop_reasons);
    view.repaired = named_counts(member(quality, "repaired"), repair_kinds);
    for (const named_count& reason : view.dropped) {
        view.dropped_total += reason.count;
    }

    const json& trips = member(stats, "trips");
    view.trips = integer_at(trips, "count");
    view.fare_cents = integer_at(trips, "fare_cents");
    view.tip_cents = integer_at(trips, "tip_cents");
    view.fare_max_cents = optional_integer_at(trips, "fare_max_cents");
    view.distance_max_centimiles = optional_integer_at(trips, "distance_max_centimiles");

    // An average of no trips is not zero, it is nothing: show a dash rather than "$0.00".
    if (view.trips > 0) {
        const json& averages = member(stats, "averages");
        view.average_fare = number_at(averages, "fare");
        view.average_tip = number_at(averages, "tip");
        view.average_distance_mi = number_at(averages, "distance_mi");
        view.average_duration_min = number_at(averages, "duration_min");
        view.average_passengers = number_at(averages, "passengers");
        const json& quantiles = member(stats, "fare_quantiles");
        view.fare_p50 = number_at(quantiles, "p50");
        view.fare_p90 = number_at(quantiles, "p90");
        view.fare_p99 = number_at(quantiles, "p99");
    }
    view.relative_accuracy =
        number_at(member(stats, "fare_quantiles"), "relative_accuracy").value_or(0.01);

    const json& histogram = member(stats, "fare_histogram");
    if (histogram.is_array()) {
        for (const json& bin : histogram) {
            view.fare_histogram.push_back({number_at(bin, "from").value_or(0), number_at(bin, "to"),
                                           integer_at(bin, "count")});
        }
    }

    view.by_hour.resize(24);
    for (std::size_t h = 0; h < 24; ++h) {
        view.by_hour[h].hour = static_cast<int>(h);
    }
    const json& by_hour = member(stats, "by_hour");
    if (by_hour.is_array()) {
        for (const json& row : by_hour) {
            const std::int64_t hour = integer_at(row, "hour");
            if (hour >= 0 && hour < 24 && member(row, "hour").is_number()) {
                hour_row& slot = view.by_hour[static_cast<std::size_t>(hour)];
                slot.trips += integer_at(row, "trips");
                slot.fare_cents += integer_at(row, "fare_cents");
            }
        }
    }

    view.by_payment = named_counts(member(stats, "by_payment"), payment_labels);

    const json& top_zones = member(stats, "top_zones");
    if (top_zones.is_array()) {
        for (const json& row : top_zones) {
            view.top_zones.push_back(
                {integer_at(row, "zone"), integer_at(row, "trips"), integer_at(row, "fare_cents")});
        }
    }
    view.zones = integer_at(stats, "zones");
    return view;
}

}  // namespace pipeline::detail
