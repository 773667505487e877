// Private to the report: each chart of the page, from the statistics to SVG.
#pragma once

#include <string>

#include "stats_view.hpp"

namespace pipeline::detail {

// The viewBox widths that match the page's columns at desktop width, so that chart text is drawn
// at about the size the stylesheet asks for.
inline constexpr double full_width = 1070;
inline constexpr double half_width = 484;

std::string fare_histogram_chart(const stats_view& v);  // data-chart="fare-histogram"
std::string trips_by_hour_chart(const stats_view& v);   // data-chart="trips-by-hour"
std::string top_zones_chart(const stats_view& v);       // data-chart="top-zones"
std::string payment_types_chart(const stats_view& v);   // data-chart="payment-types"
std::string data_quality_chart(const stats_view& v);    // data-chart="data-quality"

}  // namespace pipeline::detail
