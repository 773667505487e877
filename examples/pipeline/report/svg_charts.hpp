// Private to the report: the two chart shapes the page draws, as inline SVG.
//
// Every bar is a <g class="datum"> carrying data-label and data-value (the exact count) and a
// <title> tooltip, so that people can hover and tests can read back what was drawn. Colours and
// type come from the page's stylesheet (classes only), so the charts follow one palette.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::detail {

struct datum {
    std::string label;       // data-label
    std::int64_t value = 0;  // data-value; the bar's length
    std::string tick;        // category axis text
    std::string tooltip;     // <title>
    std::string note;        // small text at the end of the bar (may be empty)
    std::string tone;        // extra class on the bar for its colour (empty: the accent colour)
};

// A dashed vertical rule across a column chart, e.g. a fare quantile.
struct marker {
    double position = 0;  // in columns from the left edge: 2.5 is the middle of the third
    std::string label;
    std::string tooltip;
};

struct chart_frame {
    std::string name;            // data-chart
    std::string aria_label;      // what a screen reader says for the whole chart
    double width = 1040;         // viewBox width; the page scales the chart to its column
    std::string value_title;     // e.g. "Trips"
    std::string category_title;  // e.g. "Fare (USD)"; column charts only
};

struct column_options {
    double height = 320;       // without markers; each row of marker labels adds to it
    double gap = 0.2;          // space between columns, as a fraction of a column's width
    bool small_ticks = false;  // category labels a size smaller, so that more of them fit
};

// Vertical bars, one per datum, left to right, with a value axis on the left.
std::string column_chart(const chart_frame& frame, const std::vector<datum>& data,
                         const column_options& options, const std::vector<marker>& markers = {});

// Horizontal bars. Groups sit side by side, each with its own title and scale.
struct bar_group {
    std::string title;
    std::vector<datum> data;
};
struct bar_options {
    double row = 30;  // height of one bar's row
    double bar = 18;  // thickness of a bar
};
std::string bar_chart(const chart_frame& frame, const std::vector<bar_group>& groups,
                      const bar_options& options = {});

// The frame of a chart with nothing to draw, saying so.
std::string empty_chart(const chart_frame& frame, std::string_view message);

}  // namespace pipeline::detail
