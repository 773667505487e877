#include "report_charts.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "svg_charts.hpp"
#include "text_format.hpp"

namespace pipeline::detail {

namespace {

constexpr std::size_t max_zones = 10;
constexpr std::size_t max_label_chars = 22;

// "no_charge" → "No charge". Keys we do not know are shown as they are, only shortened.
std::string readable_key(std::string_view key) {
    if (key == "latin1_text") {
        return "Latin-1 text";
    }
    std::string out;
    std::size_t chars = 0;
    for (std::size_t i = 0; i < key.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(key[i]);
        const bool starts_char = (c & 0xC0) != 0x80;
        if (starts_char && ++chars > max_label_chars) {
            return out + "…";
        }
        if (c == '_') {
            out += ' ';
        } else if (i == 0 && c >= 'a' && c <= 'z') {
            out += static_cast<char>(c - 'a' + 'A');
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

std::int64_t sum(const std::vector<named_count>& counts) {
    std::int64_t total = 0;
    for (const named_count& c : counts) {
        total += c.count;
    }
    return total;
}

std::string plural(std::int64_t n, std::string_view one, std::string_view many) {
    return format_count(n) + " " + std::string(n == 1 ? one : many);
}

// "1,204 · 0.1%"; just the count when there is no whole to take a share of.
std::string count_and_share(std::int64_t n, std::int64_t total) {
    if (total <= 0) {
        return format_count(n);
    }
    return format_count(n) + " · " +
           format_percent(static_cast<double>(n), static_cast<double>(total));
}

// A bin edge in dollars: whole dollars as "10", anything else with cents.
std::string dollar_edge(double dollars) {
    return dollars == std::floor(dollars) ? format_decimal(dollars, 0) : format_decimal(dollars, 2);
}

std::string fare_range(const fare_bin& bin) {
    return dollar_edge(bin.from) + (bin.to ? "–" + dollar_edge(*bin.to) : "+");
}

// Where a fare falls on the histogram, in columns: inside a closed bin by linear interpolation,
// the middle of the open last bin for anything at or above its start.
std::optional<double> histogram_position(const std::vector<fare_bin>& bins, double fare) {
    for (std::size_t i = 0; i < bins.size(); ++i) {
        const fare_bin& b = bins[i];
        if (!b.to) {
            if (fare >= b.from) {
                return static_cast<double>(i) + 0.5;
            }
        } else if (fare >= b.from && fare<*b.to&& * b.to> b.from) {
            return static_cast<double>(i) + (fare - b.from) / (*b.to - b.from);
        }
    }
    return std::nullopt;
}

std::string hour_name(int hour) {
    std::string h = std::to_string(hour);
    return (h.size() == 1 ? "0" + h : h) + ":00";
}

std::string average_fare(std::int64_t fare_cents, std::int64_t trips) {
    if (trips <= 0) {
        return "—";
    }
    // Rounded half away from zero in whole cents, like the averages of stats.json.
    const std::int64_t cents = (2 * fare_cents + (fare_cents >= 0 ? trips : -trips)) / (2 * trips);
    return format_cents(cents);
}

}  // namespace

std::string fare_histogram_chart(const stats_view& v) {
    chart_frame frame{"fare-histogram", "", full_width, "Trips", "Fare (USD)"};
    std::int64_t total = 0;
    for (const fare_bin& bin : v.fare_histogram) {
        total += bin.count;
    }
    if (total == 0) {
        frame.aria_label = "Distribution of fares: no data";
        return empty_chart(frame, "No data: there are no trips to show");
    }
    std::vector<datum> data;
    const fare_bin* mode = &v.fare_histogram.front();
    for (const fare_bin& bin : v.fare_histogram) {
        const std::string range = "$" + fare_range(bin);
        data.push_back(
            {range, bin.count, fare_range(bin),
             range + ": " + plural(bin.count, "trip", "trips") + " (" +
                 format_percent(static_cast<double>(bin.count), static_cast<double>(total)) + ")",
             bin.count > 0 ? format_compact(static_cast<double>(bin.count)) : "", ""});
        if (bin.count > mode->count) {
            mode = &bin;
        }
    }
    std::vector<marker> markers;
    const struct {
        const char* name;
        const char* meaning;
        const std::optional<double>& value;
    } quantiles[] = {{"p50", "Median fare", v.fare_p50},
                     {"p90", "90th percentile", v.fare_p90},
                     {"p99", "99th percentile", v.fare_p99}};
    for (const auto& q : quantiles) {
        if (!q.value) {
            continue;
        }
        if (const auto position = histogram_position(v.fare_histogram, *q.value)) {
            markers.push_back(
                {*position, std::string(q.name) + " " + format_dollars(q.value),
                 std::string(q.meaning) + " (" + q.name + "): " + format_dollars(q.value)});
        }
    }
    frame.aria_label = "Distribution of fares: " + plural(total, "trip", "trips") + " in " +
                       format_count(static_cast<std::int64_t>(v.fare_histogram.size())) +
                       " fare ranges, the most at $" + fare_range(*mode);
    return column_chart(frame, data, {.height = 318, .gap = 0.08, .small_ticks = true}, markers);
}

std::string trips_by_hour_chart(const stats_view& v) {
    chart_frame frame{"trips-by-hour", "", full_width, "Trips", "Hour of pickup (UTC)"};
    std::int64_t total = 0;
    const hour_row* busiest = &v.by_hour.front();
    for (const hour_row& h : v.by_hour) {
        total += h.trips;
        if (h.trips > busiest->trips) {
            busiest = &h;
        }
    }
    if (total == 0) {
        frame.aria_label = "Trips per hour of day: no data";
        return empty_chart(frame, "No data: there are no trips to show");
    }
    std::vector<datum> data;
    for (const hour_row& h : v.by_hour) {
        const std::string name = hour_name(h.hour);
        const std::string next = hour_name((h.hour + 1) % 24);
        data.push_back({name, h.trips, name.substr(0, 2),
                        name + "–" + next + ": " + plural(h.trips, "trip", "trips") +
                            ", average fare " + average_fare(h.fare_cents, h.trips) + ", " +
                            format_cents(h.fare_cents) + " in fares",
                        h.trips > 0 ? format_compact(static_cast<double>(h.trips)) : "", ""});
    }
    frame.aria_label = "Trips per hour of day: " + plural(total, "trip", "trips") +
                       ", busiest hour " + hour_name(busiest->hour) + " with " +
                       plural(busiest->trips, "trip", "trips");
    return column_chart(frame, data, {.height = 300, .gap = 0.22});
}

std::string top_zones_chart(const stats_view& v) {
    chart_frame frame{"top-zones", "", half_width, "Trips", ""};
    if (v.top_zones.empty()) {
        frame.aria_label = "Top pickup zones: no data";
        return empty_chart(frame, "No data: no zone has trips");
    }
    bar_group group;
    for (std::size_t i = 0; i < v.top_zones.size() && i < max_zones; ++i) {
        const zone_row& z = v.top_zones[i];
        const std::string zone = std::to_string(z.zone);
        group.data.push_back({zone, z.trips, "Zone " + zone,
                              "Zone " + zone + ": " + plural(z.trips, "trip", "trips") + ", " +
                                  format_cents(z.fare_cents) + " in fares (average " +
                                  average_fare(z.fare_cents, z.trips) + ")",
                              count_and_share(z.trips, v.trips), ""});
    }
    frame.aria_label = "Top pickup zones by trips: zone " + group.data.front().label +
                       " first with " + plural(group.data.front().value, "trip", "trips");
    return bar_chart(frame, {group});
}

std::string payment_types_chart(const stats_view& v) {
    chart_frame frame{"payment-types", "", half_width, "Trips", ""};
    const std::int64_t total = sum(v.by_payment);
    if (total == 0) {
        frame.aria_label = "Payment types: no data";
        return empty_chart(frame, "No data: there are no trips to show");
    }
    bar_group group;
    frame.aria_label = "Payment types:";
    for (const named_count& p : v.by_payment) {
        const std::string name = readable_key(p.key);
        group.data.push_back(
            {p.key, p.count, name,
             name + ": " + plural(p.count, "trip", "trips") + " (" +
                 format_percent(static_cast<double>(p.count), static_cast<double>(total)) + ")",
             count_and_share(p.count, total), ""});
        frame.aria_label += " " + name + " " + format_count(p.count) + ";";
    }
    frame.aria_label.pop_back();
    // The chart sits beside the top zones: spread its few bars to about the zones' height, so that
    // the two cards line up instead of one being half empty.
    const double zone_rows = static_cast<double>(std::min(v.top_zones.size(), max_zones));
    const double row =
        std::clamp(zone_rows * bar_options{}.row / static_cast<double>(group.data.size()),
                   bar_options{}.row, 56.0);
    return bar_chart(frame, {group}, {.row = row, .bar = std::min(24.0, row * 0.6)});
}

std::string data_quality_chart(const stats_view& v) {
    chart_frame frame{"data-quality", "", full_width, "Rows", ""};
    if (v.rows == 0 && v.clean == 0 && v.dropped_total == 0) {
        frame.aria_label = "Data quality: no data";
        return empty_chart(frame, "No data: no rows were read");
    }
    bar_group rows{"Rows read: kept and dropped", {}};
    rows.data.push_back(
        {"kept", v.clean, "Kept",
         "Kept: " + plural(v.clean, "row", "rows") + " (" +
             format_percent(static_cast<double>(v.clean), static_cast<double>(v.rows)) +
             " of rows read)",
         count_and_share(v.clean, v.rows), "kept"});
    for (const named_count& reason : v.dropped) {
        const std::string name = readable_key(reason.key);
        rows.data.push_back(
            {reason.key, reason.count, name,
             name + " (dropped): " + plural(reason.count, "row", "rows") + " (" +
                 format_percent(static_cast<double>(reason.count), static_cast<double>(v.rows)) +
                 " of rows read)",
             count_and_share(reason.count, v.rows), "dropped"});
    }
    bar_group repairs{"Repairs on kept rows", {}};
    for (const named_count& kind : v.repaired) {
        const std::string name = readable_key(kind.key);
        repairs.data.push_back(
            {kind.key, kind.count, name,
             name + " (repaired): " + plural(kind.count, "row", "rows") + " (" +
                 format_percent(static_cast<double>(kind.count), static_cast<double>(v.clean)) +
                 " of kept rows)",
             count_and_share(kind.count, v.clean), "repaired"});
    }
    frame.aria_label = "Data quality: " + plural(v.rows, "row", "rows") + " read, " +
                       format_count(v.clean) + " kept, " + format_count(v.dropped_total) +
                       " dropped, " + format_count(sum(v.repaired)) + " repairs";
    return bar_chart(frame, {rows, repairs});
}

}  // namespace pipeline::detail
