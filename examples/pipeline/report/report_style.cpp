#include "report_style.hpp"

namespace pipeline::detail {

// One accent colour for counts, a warm red for what cleaning dropped and a teal for what it
// repaired; everything else is greys, so colour always means something. Sizes in the charts are
// in SVG user units, which the page keeps close to CSS pixels at desktop widths.
std::string_view report_css() {
    return R"css(
:root {
  --ink: #1b2230; --muted: #5f6b7d; --faint: #8a94a6; --line: #e6e9ef; --grid: #edf0f4;
  --paper: #ffffff; --canvas: #f4f6f9; --accent: #2f6db3; --accent-dark: #1f4f86;
  --dropped: #c4553f; --repaired: #2a8c82; --ok-bg: #e5f4ec; --ok-ink: #1d6f47;
  --warn-bg: #fdf1dc; --warn-ink: #8a5300;
}
* { box-sizing: border-box; }
html { background: var(--canvas); }
body {
  margin: 0; color: var(--ink); background: var(--canvas);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
        "Noto Sans", "DejaVu Sans", sans-serif;
  -webkit-font-smoothing: antialiased;
}
.page { max-width: 1120px; margin: 0 auto; padding: 40px 24px 56px; }
.masthead { margin-bottom: 24px; }
.eyebrow {
  color: var(--accent); font-size: 12px; font-weight: 600; letter-spacing: .08em;
  text-transform: uppercase;
}
h1 { margin: 4px 0 10px; font-size: 32px; line-height: 1.15; letter-spacing: -.01em; }
h2 { margin: 0; font-size: 18px; line-height: 1.3; }
.meta { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 18px; color: var(--muted);
        font-size: 14px; }
.status { display: inline-block; padding: 2px 10px; border-radius: 999px; font-size: 13px;
          font-weight: 600; }
.status::first-letter { text-transform: uppercase; }
.status.ok { background: var(--ok-bg); color: var(--ok-ink); }
.status.partial { background: var(--warn-bg); color: var(--warn-ink); }
.notice { margin: 0 0 20px; padding: 12px 16px; border-radius: 10px; background: var(--warn-bg);
          color: var(--warn-ink); font-size: 14px; }
.kpis { display: grid; grid-template-columns: repeat(12, minmax(0, 1fr)); gap: 16px;
        margin-bottom: 24px; }
.kpi, .card { background: var(--paper); border: 1px solid var(--line); border-radius: 12px;
              box-shadow: 0 1px 2px rgba(16, 24, 40, .04); }
.kpi { grid-column: span 3; padding: 16px 18px 14px; min-width: 0; }
.kpi.s4 { grid-column: span 4; }
.kpi.s5 { grid-column: span 5; }
.kpi-label { color: var(--muted); font-size: 13px; font-weight: 500; }
.kpi-value { margin-top: 2px; font-size: 27px; font-weight: 650; line-height: 1.2;
             letter-spacing: -.01em; white-space: nowrap; }
/* No script to measure text: long values (a total in the millions) get a smaller size instead. */
.kpi-value.long { font-size: 22px; line-height: 1.45; }
.kpi-value.longer { font-size: 18px; line-height: 1.75; }
.kpi-sub { margin-top: 4px; color: var(--muted); font-size: 13px; }
.split { display: grid; grid-auto-columns: minmax(0, 1fr); grid-auto-flow: column; gap: 12px;
         margin-top: 4px; }
.split .kpi-value { font-size: 20px; }
.split small { display: block; color: var(--faint); font-size: 11.5px; font-weight: 600;
               letter-spacing: .04em; text-transform: uppercase; }
.num, .kpi-value, .chart, td.n { font-variant-numeric: tabular-nums; }
.card { padding: 20px 24px 16px; margin-bottom: 20px; break-inside: avoid; }
.card-head { display: flex; flex-wrap: wrap; align-items: baseline; justify-content: space-between;
             gap: 4px 16px; margin-bottom: 12px; }
.card-head p { margin: 0; color: var(--muted); font-size: 13.5px; }
.pair { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 20px; }
.pair .card { margin-bottom: 20px; }
.chart { display: block; width: 100%; height: auto; overflow: visible; font-size: 12px; }
.chart text { fill: var(--muted); }
.chart .tick { font-size: 12px; }
.chart .category { fill: var(--ink); }
.chart .axis-title { font-size: 11.5px; font-weight: 600; letter-spacing: .04em; fill: var(--faint);
                     text-transform: uppercase; }
.chart .group-title { font-size: 13px; font-weight: 600; fill: var(--ink); }
.chart .tick.small { font-size: 11px; }
/* A halo of the card's colour keeps small labels readable where a rule or a bar runs behind. */
.chart .note { font-size: 11px; fill: var(--muted); paint-order: stroke; stroke: var(--paper);
               stroke-width: 3px; stroke-linejoin: round; }
.chart .grid { stroke: var(--grid); stroke-width: 1; }
.chart .baseline { stroke: #9aa4b5; stroke-width: 1; }
.chart .bar { fill: var(--accent); }
.chart .bar.kept { fill: var(--accent); }
.chart .bar.dropped { fill: var(--dropped); }
.chart .bar.repaired { fill: var(--repaired); }
.chart .hit { fill: transparent; }
.chart .datum:hover .hit { fill: rgba(47, 109, 179, .06); }
.chart .datum:hover .bar { filter: brightness(.85); }
.chart .datum:hover .note { fill: var(--ink); }
.chart .marker-rule { stroke: var(--ink); stroke-width: 1; stroke-dasharray: 4 3; opacity: .55; }
.chart .marker-label { font-size: 11.5px; font-weight: 600; fill: var(--ink); paint-order: stroke;
                       stroke: var(--paper); stroke-width: 4px; stroke-linejoin: round; }
.chart .empty-frame { fill: #fafbfc; stroke: var(--line); stroke-dasharray: 4 4; }
.chart .empty-message { font-size: 14px; fill: var(--faint); }
.legend { display: flex; flex-wrap: wrap; gap: 4px 16px; margin: 6px 0 0; padding: 0;
          list-style: none; color: var(--muted); font-size: 13px; }
.legend i { display: inline-block; width: 10px; height: 10px; margin-right: 6px;
            border-radius: 2px; vertical-align: -1px; }
footer { color: var(--muted); font-size: 13px; }
footer summary { cursor: pointer; font-weight: 600; color: var(--ink); }
footer table { width: 100%; margin-top: 8px; border-collapse: collapse; }
footer th, footer td { padding: 6px 8px; border-bottom: 1px solid var(--line); text-align: left; }
footer th { color: var(--faint); font-size: 12px; font-weight: 600; text-transform: uppercase;
            letter-spacing: .04em; }
footer td.n, footer th.n { text-align: right; }
footer code { font: 12.5px/1.4 ui-monospace, "SFMono-Regular", Menlo, Consolas,
              "DejaVu Sans Mono", monospace; overflow-wrap: anywhere; }
footer p { margin: 12px 0 0; }
@media (max-width: 900px) {
  .kpis { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  .kpi { grid-column: span 1; }
  .kpi.group { grid-column: span 2; }
  .pair { grid-template-columns: 1fr; }
}
@media (max-width: 520px) {
  .kpis { grid-template-columns: 1fr; }
  .kpi, .kpi.group { grid-column: auto; }
}
@media print {
  html, body { background: #fff; }
  .kpi, .card { box-shadow: none; }
}
)css";
}

}  // namespace pipeline::detail
