#include "report_html.hpp"

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "report_charts.hpp"
#include "report_style.hpp"
#include "stats_view.hpp"
#include "text_format.hpp"

namespace pipeline {

namespace {

using detail::escape_html;
using detail::format_cents;
using detail::format_count;
using detail::format_decimal;
using detail::format_dollars;
using detail::format_percent;
using detail::stats_view;

// "2026-11-30T12:00:00Z" reads better as "2026-11-30 12:00:00 UTC"; anything else is shown as
// it came.
std::string readable_time(const std::string& iso) {
    const bool canonical = iso.size() >= 20 && iso[4] == '-' && iso[7] == '-' && iso[10] == 'T' &&
                           iso[13] == ':' && iso[16] == ':' && iso.back() == 'Z';
    if (!canonical) {
        return iso;
    }
    return iso.substr(0, 10) + " " + iso.substr(11, iso.size() - 12) + " UTC";
}

std::string status_text(const stats_view& v) {
    if (v.complete) {
        return "complete";
    }
    if (v.parts == 0) {
        return "incomplete";
    }
    return "incomplete (" + format_count(v.parts_seen) + " of " + format_count(v.parts) + " parts)";
}

// One headline number. `value` and `sub` are HTML already (they may hold tagged numbers).
struct kpi {
    std::string label;
    std::string stat;  // data-stat, for tests and for anyone scraping the page
    std::string value;
    std::string sub;
};

std::string tagged(std::string_view stat, const std::string& text) {
    return "<span class=\"num\" data-stat=\"" + std::string(stat) + "\">" + escape_html(text) +
           "</span>";
}

// The headline's big numbers have room for about 11 characters at full size.
std::string value_class(std::string_view text) {
    return text.size() > 15   ? "kpi-value longer"
           : text.size() > 11 ? "kpi-value long"
                              : "kpi-value";
}

std::string kpi_card(const kpi& k) {
    std::string out =
        "<div class=\"kpi\"><div class=\"kpi-label\">" + escape_html(k.label) + "</div>";
    out += "<div class=\"" + value_class(k.value) + "\" data-stat=\"" + k.stat + "\">" + k.value +
           "</div>";
    if (!k.sub.empty()) {
        out += "<div class=\"kpi-sub\">" + k.sub + "</div>";
    }
    return out + "</div>";
}

// A card of two or three small numbers side by side, each with its own label.
struct part_value {
    std::string label;
    std::string stat;
    std::string text;
};

std::string split_card(std::string_view label, const std::vector<part_value>& parts,
                       const std::string& sub, std::string_view width_class) {
    std::string out =
        "<div class=\"kpi group" + (width_class.empty() ? "" : " " + std::string(width_class)) +
        "\"><div class=\"kpi-label\">" + escape_html(label) + "</div><div class=\"split\">";
    for (const part_value& p : parts) {
        out += "<div><small>" + escape_html(p.label) +
               "</small><div class=\"kpi-value\" data-stat=\"" + p.stat + "\">" +
               escape_html(p.text) + "</div></div>";
    }
    out += "</div>";
    if (!sub.empty()) {
        out += "<div class=\"kpi-sub\">" + sub + "</div>";
    }
    return out + "</div>";
}

std::string with_unit(const std::optional<double>& value, int decimals, std::string_view unit) {
    return value ? format_decimal(*value, decimals) + " " + std::string(unit) : "—";
}

std::string headline(const stats_view& v) {
    std::string out = "<section class=\"kpis\" aria-label=\"Headline numbers\">";
    out += kpi_card({"Trips", "trips", escape_html(format_count(v.trips)),
                     v.zones > 0 ? "in " + tagged("zones", format_count(v.zones)) +
                                       (v.zones == 1 ? " pickup zone" : " pickup zones")
                                 : "no trips kept"});
    out += kpi_card({"Total fare", "total_fare", escape_html(format_cents(v.fare_cents)),
                     "plus " + tagged("total_tip", format_cents(v.tip_cents)) + " in tips"});
    out += kpi_card({"Average fare", "average_fare", escape_html(format_dollars(v.average_fare)),
                     v.fare_max_cents && v.trips > 0
                         ? "highest " + tagged("fare_max", format_cents(*v.fare_max_cents))
                         : "per trip"});
    out += kpi_card({"Average tip", "average_tip", escape_html(format_dollars(v.average_tip)),
                     v.fare_cents > 0 ? tagged("tip_percent",
                                               format_percent(static_cast<double>(v.tip_cents),
                                                              static_cast<double>(v.fare_cents))) +
                                            " of fare"
                                      : "no fares to compare"});

    const std::string passengers =
        v.average_passengers
            ? tagged("average_passengers", format_decimal(*v.average_passengers, 2)) +
                  " passengers per trip"
            : "no trips to average";
    out +=
        split_card("Average trip",
                   {{"Distance", "average_distance", with_unit(v.average_distance_mi, 2, "mi")},
                    {"Duration", "average_duration", with_unit(v.average_duration_min, 1, "min")}},
                   passengers, "");
    out += split_card(
        "Fare percentiles",
        {{"p50", "fare_p50", format_dollars(v.fare_p50)},
         {"p90", "fare_p90", format_dollars(v.fare_p90)},
         {"p99", "fare_p99", format_dollars(v.fare_p99)}},
        "estimates within " + escape_html(format_decimal(v.relative_accuracy * 100, 0)) + "%",
        "s4");
    const auto rows = static_cast<double>(v.rows);
    out += split_card(
        "Rows",
        {{"Read", "rows_read", format_count(v.rows)},
         {"Kept", "rows_kept", format_count(v.clean)},
         {"Dropped", "rows_dropped", format_count(v.dropped_total)}},
        v.rows > 0 ? tagged("kept_percent", format_percent(static_cast<double>(v.clean), rows)) +
                         " kept, " +
                         tagged("dropped_percent",
                                format_percent(static_cast<double>(v.dropped_total), rows)) +
                         " dropped"
                   : "no rows read",
        "s5");
    return out + "</section>";
}

std::string masthead(const stats_view& v) {
    std::string out =
        "<header class=\"masthead\"><div class=\"eyebrow\">lambdaport · serverless "
        "pipeline</div><h1>Taxi trips report</h1><div class=\"meta\">";
    out += "<span class=\"status " + std::string(v.complete ? "ok" : "partial") +
           "\" data-stat=\"status\">" + escape_html(status_text(v)) + "</span>";
    if (v.generated_at.empty()) {
        out += "<span>Generation time unknown</span>";
    } else {
        out += "<span>Generated <time data-stat=\"generated_at\" datetime=\"" +
               escape_html(v.generated_at) + "\">" + escape_html(readable_time(v.generated_at)) +
               "</time></span>";
    }
    out += "<span>" + format_count(static_cast<std::int64_t>(v.objects.size())) +
           (v.objects.size() == 1 ? " source object" : " source objects") + "</span>";
    out += "</div></header>";
    if (!v.complete) {
        out +=
            "<p class=\"notice\" role=\"note\">Not every part of the input has been analysed yet";
        if (v.parts > 0) {
            out += " (" + format_count(v.parts_seen) + " of " + format_count(v.parts) + " parts)";
        }
        out += ": the numbers below cover only the parts merged so far.</p>";
    }
    return out;
}

std::string card(std::string_view id, std::string_view title, std::string_view subtitle,
                 const std::string& body) {
    return "<section class=\"card\" id=\"" + std::string(id) + "\"><div class=\"card-head\"><h2>" +
           escape_html(title) + "</h2><p>" + escape_html(subtitle) + "</p></div>" + body +
           "</section>";
}

std::string sources(const stats_view& v) {
    std::string out = "<footer class=\"card\"><details";
    // A long list of objects would push the notes off screen; it stays one click away.
    out += v.objects.size() <= 8 ? " open>" : ">";
    out += "<summary>Sources: " + format_count(static_cast<std::int64_t>(v.objects.size())) +
           (v.objects.size() == 1 ? " object, " : " objects, ") + format_count(v.parts_seen) +
           " of " + format_count(v.parts) + " parts merged</summary>";
    if (!v.objects.empty()) {
        out +=
            "<table><thead><tr><th>Object</th><th class=\"n\">Parts merged</th></tr></thead>"
            "<tbody>";
        for (const detail::source_object& o : v.objects) {
            out += "<tr><td><code>" + escape_html(o.bucket) + "/" + escape_html(o.key) +
                   "</code></td><td class=\"n\">" + format_count(o.parts_seen) + " of " +
                   format_count(o.parts) + "</td></tr>";
        }
        out += "</tbody></table>";
    }
    out +=
        "</details><p>Averages and charts count kept rows only. Fare percentiles are sketch "
        "estimates; hours are hours of pickup, UTC. Hover a bar for its exact numbers.</p>"
        "</footer>";
    return out;
}

}  // namespace

std::string render_report_html(const nlohmann::json& stats) {
    const stats_view v = detail::read_stats(stats);
    std::string out =
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<meta name=\"color-scheme\" content=\"light\">\n"
        "<title>Taxi trips report";
    if (!v.generated_at.empty()) {
        out += " · " + escape_html(readable_time(v.generated_at));
    }
    out += "</title>\n<style>";
    out += detail::report_css();
    out += "</style>\n</head>\n<body>\n<main class=\"page\">\n";
    out += masthead(v);
    out += headline(v);
    out += card("fares", "Fares", "Trips per $5 fare range; dashed lines mark the percentiles.",
                detail::fare_histogram_chart(v));
    out += card("hours", "Trips by hour of day",
                "Pickups per hour, UTC. Hover a bar for the hour's average fare.",
                detail::trips_by_hour_chart(v));
    out += "<div class=\"pair\">";
    out += card("zones", "Top pickup zones", "Most trips first, share of all trips.",
                detail::top_zones_chart(v));
    out += card("payments", "Payment types", "Trips by how they were paid.",
                detail::payment_types_chart(v));
    out += "</div>";
    out += card("quality", "Data quality",
                "Every row read is kept or dropped for its first failing check; kept rows may "
                "have been repaired.",
                detail::data_quality_chart(v));
    out += sources(v);
    out += "\n</main>\n</body>\n</html>\n";
    return out;
}

}  // namespace pipeline
