// The pipeline's report: reports/stats.json (examples/pipeline/FORMAT.md, "Final statistics")
// rendered as one self-contained HTML5 page.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

namespace pipeline {

// Renders `stats` as an HTML5 document: headline numbers, then inline-SVG charts of the fare
// distribution, trips by hour, top pickup zones, payment types and data quality. The page loads
// nothing else (inline CSS, no scripts, no fonts or images from elsewhere).
//
// Every string taken from `stats` (keys, object names, the timestamp) is HTML-escaped. Absent or
// mistyped fields read as zero or empty rather than failing, so statistics with no trips still give
// a page, whose charts say "No data". Each chart is an <svg data-chart="..."> whose bars carry
// data-label and data-value (the count from `stats`) and a <title> tooltip.
//
// Throws nothing of its own (std::bad_alloc aside). Pure function; safe to call from any thread.
std::string render_report_html(const nlohmann::json& stats);

}  // namespace pipeline
