#include "svg_charts.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "text_format.hpp"

namespace pipeline::detail {

namespace {

// Rough advance of one character of the chart type at 12px. Only used to reserve room for
// labels; erring wide costs a little space, erring narrow clips text.
constexpr double char_width = 7.2;

struct scale {
    double top = 1;
    double step = 1;
};

// A value axis from 0 to a round number above `max`, in steps of 1, 2, 2.5 or 5 × 10^k. Counts
// are whole numbers, so a step is never below 1 and 2.5 only appears from 25 up.
scale nice_scale(double max, int target_ticks) {
    if (!(max > 0)) {
        return {1, 1};
    }
    const double raw = max / target_ticks;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    const double norm = raw / magnitude;
    double step = norm <= 1                          ? 1
                  : norm <= 2                        ? 2
                  : (norm <= 2.5 && magnitude >= 10) ? 2.5
                  : norm <= 5                        ? 5
                                                     : 10;
    step = std::max(1.0, step * magnitude);
    return {std::ceil(max / step - 1e-9) * step, step};
}

double max_value(const std::vector<datum>& data) {
    double max = 0;
    for (const datum& d : data) {
        max = std::max(max, static_cast<double>(d.value));
    }
    return max;
}

double text_width(std::string_view text) {
    // UTF-8 continuation bytes do not advance.
    double chars = 0;
    for (char c : text) {
        chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }
    return chars * char_width;
}

std::string attr(std::string_view name, double value) {
    return " " + std::string(name) + "=\"" + format_coord(value) + "\"";
}

std::string svg_open(const chart_frame& frame, double height) {
    return "<svg class=\"chart\" viewBox=\"0 0 " + format_coord(frame.width) + " " +
           format_coord(height) + "\" role=\"img\" aria-label=\"" + escape_html(frame.aria_label) +
           "\" data-chart=\"" + escape_html(frame.name) + "\">";
}

std::string text(std::string_view css_class, double x, double y, std::string_view anchor,
                 std::string_view content) {
    return "<text class=\"" + std::string(css_class) + "\"" + attr("x", x) + attr("y", y) +
           " text-anchor=\"" + std::string(anchor) + "\">" + escape_html(content) + "</text>";
}

std::string line(std::string_view css_class, double x1, double y1, double x2, double y2) {
    return "<line class=\"" + std::string(css_class) + "\"" + attr("x1", x1) + attr("y1", y1) +
           attr("x2", x2) + attr("y2", y2) + "/>";
}

std::string rect(std::string_view css_class, double x, double y, double w, double h) {
    return "<rect class=\"" + std::string(css_class) + "\"" + attr("x", x) + attr("y", y) +
           attr("width", std::max(0.0, w)) + attr("height", std::max(0.0, h)) + "/>";
}

std::string datum_open(const datum& d) {
    return "<g class=\"datum\" data-label=\"" + escape_html(d.label) + "\" data-value=\"" +
           std::to_string(d.value) + "\"><title>" + escape_html(d.tooltip) + "</title>";
}

std::string bar_class(const datum& d) {
    return d.tone.empty() ? "bar" : "bar " + d.tone;
}

// A bar that is not zero stays visible however small it is next to the largest.
double bar_length(std::int64_t value, double top, double span) {
    if (value <= 0) {
        return 0;
    }
    return std::max(1.5, static_cast<double>(value) / top * span);
}

}  // namespace

std::string column_chart(const chart_frame& frame, const std::vector<datum>& data,
                         const column_options& options, const std::vector<marker>& markers) {
    constexpr double left = 50, right = 4, bottom = 50, marker_row = 15;
    const double x0 = left, x1 = frame.width - right;
    const double band = data.empty() ? 0 : (x1 - x0) / static_cast<double>(data.size());

    // Marker labels sit in rows above the plot, each in the first row where it overlaps no other
    // label; the plot starts below the rows used.
    struct placed_marker {
        double x;        // the rule
        double label_x;  // the label's centre, kept inside the plot
        std::size_t row;
    };
    std::vector<placed_marker> placed;
    std::vector<double> row_ends;
    for (const marker& m : markers) {
        const double x = x0 + m.position * band;
        const double half = text_width(m.label) / 2;
        const double label_x = std::clamp(x, x0 + half, std::max(x0 + half, x1 - half));
        std::size_t row = 0;
        while (row < row_ends.size() && row_ends[row] > label_x - half - 8) {
            ++row;
        }
        if (row == row_ends.size()) {
            row_ends.push_back(0);
        }
        row_ends[row] = label_x + half;
        placed.push_back({x, label_x, row});
    }
    const double rows = static_cast<double>(row_ends.size());
    const double y0 = 36 + (rows > 0 ? rows * marker_row + 8 : 0);
    const double height = options.height + (rows > 0 ? rows * marker_row + 8 : 0);
    const double y1 = height - bottom;
    const scale s = nice_scale(max_value(data), 5);
    const double bar_width = band * (1 - options.gap);

    std::string out = svg_open(frame, height);
    out += text("axis-title", 0, 14, "start", frame.value_title);

    out += "<g class=\"axis value-axis\">";
    for (double v = 0; v <= s.top + 1e-9; v += s.step) {
        const double y = y1 - v / s.top * (y1 - y0);
        if (v > 0) {
            out += line("grid", x0, y, x1, y);
        }
        out += text("tick", x0 - 8, y + 4, "end", format_compact(v));
    }
    out += "</g>";

    // Rules go under the bars, so that a rule never hides a column.
    for (std::size_t i = 0; i < placed.size(); ++i) {
        const placed_marker& p = placed[i];
        const double label_y = 30 + marker_row * static_cast<double>(p.row);
        out += "<g class=\"marker\"><title>" + escape_html(markers[i].tooltip) + "</title>";
        out += line("marker-rule", p.x, label_y + 5, p.x, y1);
        out += text("marker-label", p.label_x, label_y, "middle", markers[i].label);
        out += "</g>";
    }

    // Notes (11px) only where every one fits over its column; otherwise they would run together.
    double widest_note = 0;
    for (const datum& d : data) {
        widest_note = std::max(widest_note, text_width(d.note) * 11.0 / 12.0);
    }
    const bool notes = widest_note + 2 <= band;

    for (std::size_t i = 0; i < data.size(); ++i) {
        const datum& d = data[i];
        const double band_x = x0 + band * static_cast<double>(i);
        const double h = bar_length(d.value, s.top, y1 - y0);
        out += datum_open(d);
        out += rect("hit", band_x, y0, band, y1 - y0);
        out += rect(bar_class(d), band_x + (band - bar_width) / 2, y1 - h, bar_width, h);
        if (notes && !d.note.empty()) {
            out += text("note", band_x + band / 2, y1 - h - 6, "middle", d.note);
        }
        out += "</g>";
    }

    // Label every column if the labels fit, else every second or third one, from the first.
    const double tick_scale = options.small_ticks ? 11.0 / 12.0 : 1.0;
    double widest = 0;
    for (const datum& d : data) {
        widest = std::max(widest, text_width(d.tick) * tick_scale);
    }
    const std::size_t every =
        band > 0
            ? std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil((widest + 4) / band)))
            : 1;
    out += "<g class=\"axis category-axis\">";
    out += line("baseline", x0, y1, x1, y1);
    for (std::size_t i = 0; i < data.size(); i += every) {
        out += text(options.small_ticks ? "tick small" : "tick",
                    x0 + band * (static_cast<double>(i) + 0.5), y1 + 18, "middle", data[i].tick);
    }
    out += "</g>";
    out += text("axis-title", (x0 + x1) / 2, height - 8, "middle", frame.category_title);
    out += "</svg>";
    return out;
}

std::string bar_chart(const chart_frame& frame, const std::vector<bar_group>& groups,
                      const bar_options& options) {
    constexpr double group_gap = 48, axis_room = 30;
    const double row = options.row, bar_height = options.bar;
    bool titled = false;
    std::size_t rows = 0;
    for (const bar_group& g : groups) {
        titled = titled || !g.title.empty();
        rows = std::max(rows, g.data.size());
    }
    const double y0 = titled ? 34 : 6;
    const double y1 = y0 + row * static_cast<double>(rows);
    const double height = y1 + axis_room;
    const double group_width =
        groups.empty() ? 0
                       : (frame.width - group_gap * static_cast<double>(groups.size() - 1)) /
                             static_cast<double>(groups.size());

    std::string out = svg_open(frame, height);
    for (std::size_t g = 0; g < groups.size(); ++g) {
        const bar_group& group = groups[g];
        const double gx = (group_width + group_gap) * static_cast<double>(g);
        double label_room = 0, note_room = 0;
        for (const datum& d : group.data) {
            label_room = std::max(label_room, text_width(d.tick));
            note_room = std::max(note_room, text_width(d.note));
        }
        label_room = std::clamp(label_room + 12, 40.0, group_width * 0.4);
        note_room += 10;
        const double x0 = gx + label_room, x1 = gx + group_width - note_room;
        const scale s = nice_scale(max_value(group.data), 4);

        out += "<g class=\"group\">";
        if (!group.title.empty()) {
            out += text("group-title", gx, 16, "start", group.title);
        }
        out += "<g class=\"axis value-axis\">";
        for (double v = 0; v <= s.top + 1e-9; v += s.step) {
            const double x = x0 + v / s.top * (x1 - x0);
            out += line(v > 0 ? "grid" : "baseline", x, y0 - 4, x, y1);
            out += text("tick", x, y1 + 18, "middle", format_compact(v));
        }
        out += "</g>";
        for (std::size_t i = 0; i < group.data.size(); ++i) {
            const datum& d = group.data[i];
            const double ry = y0 + row * static_cast<double>(i);
            const double cy = ry + row / 2;
            const double w = bar_length(d.value, s.top, x1 - x0);
            out += datum_open(d);
            out += rect("hit", gx, ry, group_width, row);
            out += text("tick category", x0 - 10, cy + 4, "end", d.tick);
            out += rect(bar_class(d), x0, cy - bar_height / 2, w, bar_height);
            if (!d.note.empty()) {
                out += text("note", x0 + w + 6, cy + 4, "start", d.note);
            }
            out += "</g>";
        }
        out += "</g>";
    }
    out += "</svg>";
    return out;
}

std::string empty_chart(const chart_frame& frame, std::string_view message) {
    constexpr double height = 120;
    std::string out = svg_open(frame, height);
    out += rect("empty-frame", 0.5, 0.5, frame.width - 1, height - 1);
    out += text("empty-message", frame.width / 2, height / 2 + 5, "middle", message);
    out += "</svg>";
    return out;
}

}  // namespace pipeline::detail
