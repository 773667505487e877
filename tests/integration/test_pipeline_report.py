"""The pipeline's HTML report: pipeline_render turns a stats.json into a page, Chromium loads it.

What is checked is what Chromium made of the page (its DOM after loading, --dump-dom), not the bytes
the renderer wrote: every chart is there, every bar carries the exact count of stats.json, the
headline numbers are formatted as a reader expects, strings from the data stay inert text, and
statistics with no trips still give a page. A screenshot of the sample report is written for people
to look at (LAMBDAPORT_REPORT_SCREENSHOT, else report.png in the test's temp folder, kept with
LAMBDAPORT_KEEP_TMP).

Needs LAMBDAPORT_EXAMPLES (the renderer is pipeline/report/pipeline_render below it) and Chromium
(/usr/bin/chromium, from scripts/setup.sh); not the engine.
"""

from __future__ import annotations

import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import unittest

from report_dom import Node, parse_dom, run_chromium

RENDER_DEADLINE = 30.0

DROP_REASONS = ["malformed", "missing_field", "bad_type", "out_of_range", "duplicate"]
REPAIR_KINDS = ["missing_tip", "missing_passengers", "timestamp_format", "payment_label",
                "latin1_text", "decimal_comma"]
PAYMENTS = ["card", "cash", "no_charge", "dispute", "unknown"]
HOSTILE_KEY = "<script>document.body.setAttribute('data-pwned','1')</script>"


# --- a sample stats.json -------------------------------------------------------------------------

def _split(total: int, weights: list[float]) -> list[int]:
    """`total` in whole parts proportional to `weights` (largest remainder), summing to `total`."""
    scale = sum(weights)
    exact = [total * w / scale for w in weights]
    parts = [math.floor(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (parts[i] - exact[i], i))
    for i in by_remainder[:total - sum(parts)]:
        parts[i] += 1
    return parts


def _round_div(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half away from zero, in integers (both >= 0)."""
    return (2 * numerator + denominator) // (2 * denominator)


def _lognormal_cdf(x: float, median: float, sigma: float) -> float:
    if x <= 0:
        return 0.0
    return 0.5 * (1 + math.erf(math.log(x / median) / (sigma * math.sqrt(2))))


def sample_stats(trips: int = 1_284_317, seed: int = 7) -> dict:
    """Final statistics as FORMAT.md describes them, for `trips` kept rows of a made-up month.

    Aggregates are drawn directly (not from simulated rows), but every total agrees with its
    breakdowns as the real merge guarantees: the histogram, hours and payment types each sum to the
    trip count, hours sum to the fare total, rows = kept + dropped, averages are the sums divided
    and rounded half away from zero, the top zones are sorted most trips first, ties by lower zone.
    """
    rng = random.Random(seed)

    # Fares: log-normal around a $13 median, 21 bins of $5, the last open.
    edges = [5 * i for i in range(21)]
    cdf = [_lognormal_cdf(e, 13.0, 0.62) for e in edges] + [1.0]
    histogram_counts = _split(trips, [cdf[i + 1] - cdf[i] for i in range(21)])
    # Mean fare within a bin: near its middle, the open bin's well above $100.
    bin_means = [e * 100 + 250 + rng.randint(-40, 40) for e in edges[:20]] + [12_380]
    fare_cents = sum(c * m for c, m in zip(histogram_counts, bin_means))

    def quantile(q: float) -> float:
        rank = math.floor(q * (trips - 1))
        seen = 0
        for i, count in enumerate(histogram_counts):
            if rank < seen + count:
                width = 5 if i < 20 else 25
                return round(edges[i] + width * (rank - seen + 0.5) / count, 2)
            seen += count
        return 0.0

    # Hours: a city's day, quiet before dawn, busiest in the evening; early trips run longer.
    hour_weights = [0.9, 0.62, 0.45, 0.33, 0.29, 0.36, 0.84, 1.62, 2.35, 2.48, 2.31, 2.42, 2.6,
                    2.71, 2.93, 3.02, 3.12, 3.41, 3.72, 3.58, 3.27, 3.08, 2.69, 1.83]
    hour_trips = _split(trips, hour_weights)
    hour_fare_weight = [t * (1.25 if 4 <= h <= 6 else 1.1 if h in (0, 1, 2, 3, 23) else 1.0)
                        for h, t in enumerate(hour_trips)]
    hour_fares = _split(fare_cents, hour_fare_weight)

    # Zones: a long tail over 247 of the 263 zones; airports (132, 138) with dearer trips.
    busy = [237, 161, 236, 132, 162, 230, 186, 142, 170, 138, 163, 239, 234, 68, 48, 79]
    others = [z for z in range(1, 264) if z not in busy]
    rng.shuffle(others)
    zones = busy + others[:247 - len(busy)]
    zone_trips = _split(trips, [1 / (k + 4) ** 1.08 for k in range(len(zones))])
    zone_rows = [(z, t, t * (5_240 if z in (132, 138) else 1_540 + rng.randint(0, 400)))
                 for z, t in zip(zones, zone_trips)]
    top = sorted(zone_rows, key=lambda r: (-r[1], r[0]))[:10]

    payments = dict(zip(PAYMENTS, _split(trips, [71.3, 22.1, 0.62, 0.31, 5.67])))
    tip_cents = round(fare_cents * 0.1372)
    passengers = round(trips * 1.412)
    distance_centimiles = trips * 295 + 3_917
    duration_seconds = trips * 858 + 40_213

    dropped = dict(zip(DROP_REASONS, [1_204, 3_187, 912, 2_406, 1_531]))
    repaired = dict(zip(REPAIR_KINDS, [18_344, 9_120, 4_002, 2_877, 611, 0]))
    return {
        "generated_at": "2026-11-30T12:00:00Z",
        "objects": [
            {"bucket": "raw", "key": "trips/2026-11-a.csv", "parts": 8, "parts_seen": 8},
            {"bucket": "raw", "key": "trips/2026-11-b.jsonl", "parts": 4, "parts_seen": 4},
        ],
        "complete": True,
        "quality": {"rows": trips + sum(dropped.values()), "clean": trips, "dropped": dropped,
                    "repaired": repaired},
        "trips": {"count": trips, "passengers": passengers, "fare_cents": fare_cents,
                  "tip_cents": tip_cents, "distance_centimiles": distance_centimiles,
                  "duration_seconds": duration_seconds, "fare_min_cents": 250,
                  "fare_max_cents": 98_750, "distance_max_centimiles": 8_734,
                  "tip_max_cents": 20_000},
        "averages": {"fare": _round_div(fare_cents, trips) / 100,
                     "tip": _round_div(tip_cents, trips) / 100,
                     "distance_mi": _round_div(distance_centimiles, trips) / 100,
                     "duration_min": _round_div(duration_seconds * 100, trips * 60) / 100,
                     "passengers": _round_div(passengers * 100, trips) / 100},
        "fare_quantiles": {"p50": quantile(0.5), "p90": quantile(0.9), "p99": quantile(0.99),
                           "relative_accuracy": 0.01},
        "fare_histogram": [{"from": e, "to": e + 5 if e < 100 else None, "count": c}
                           for e, c in zip(edges, histogram_counts)],
        "by_hour": [{"hour": h, "trips": t, "fare_cents": f}
                    for h, (t, f) in enumerate(zip(hour_trips, hour_fares))],
        "by_payment": payments,
        "top_zones": [{"zone": z, "trips": t, "fare_cents": f} for z, t, f in top],
        "zones": len(zones),
    }


def empty_stats() -> dict:
    """What the merge gives for no kept rows at all (nothing read, or everything dropped)."""
    return {
        "generated_at": "2026-11-30T12:00:00Z",
        "objects": [{"bucket": "raw", "key": "trips/empty.csv", "parts": 1, "parts_seen": 1}],
        "complete": True,
        "quality": {"rows": 0, "clean": 0, "dropped": {k: 0 for k in DROP_REASONS},
                    "repaired": {k: 0 for k in REPAIR_KINDS}},
        "trips": {"count": 0, "passengers": 0, "fare_cents": 0, "tip_cents": 0,
                  "distance_centimiles": 0, "duration_seconds": 0, "fare_min_cents": None,
                  "fare_max_cents": None, "distance_max_centimiles": None, "tip_max_cents": None},
        "averages": {"fare": 0.0, "tip": 0.0, "distance_mi": 0.0, "duration_min": 0.0,
                     "passengers": 0.0},
        "fare_quantiles": {"p50": 0.0, "p90": 0.0, "p99": 0.0, "relative_accuracy": 0.01},
        "fare_histogram": [{"from": 5 * i, "to": 5 * i + 5 if i < 20 else None, "count": 0}
                           for i in range(21)],
        "by_hour": [{"hour": h, "trips": 0, "fare_cents": 0} for h in range(24)],
        "by_payment": {k: 0 for k in PAYMENTS},
        "top_zones": [],
        "zones": 0,
    }


# --- expected formats ----------------------------------------------------------------------------

def count_text(n: int) -> str:
    return f"{n:,}"


def cents_text(cents: int) -> str:
    return f"${cents // 100:,}.{cents % 100:02d}"


def dollars_text(dollars: float) -> str:
    return f"${dollars:,.2f}"


def percent_text(part: float, whole: float) -> str:
    return f"{100 * part / whole:.1f}%"


def fare_bin_label(b: dict) -> str:
    return f"${b['from']}–{b['to']}" if b["to"] is not None else f"${b['from']}+"


# --- the renderer -------------------------------------------------------------------------------

def renderer() -> str:
    examples = os.environ.get("LAMBDAPORT_EXAMPLES")
    if not examples:
        raise AssertionError("LAMBDAPORT_EXAMPLES is not set: it must name <build>/examples")
    path = os.path.join(os.path.abspath(examples), "pipeline", "report", "pipeline_render")
    if not os.access(path, os.X_OK):
        raise AssertionError(f"{path} is not built (cmake --build ... --target pipeline_render)")
    return path


def render(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([renderer(), *args], stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=RENDER_DEADLINE)


# --- the tests -----------------------------------------------------------------------------------

class RenderedReport(unittest.TestCase):
    """Renders `stats()` once for the class and loads the page in Chromium."""

    wants_screenshot = False  # then self.screenshot is a PNG of the page at 1280 px wide

    @classmethod
    def stats(cls) -> dict:
        raise NotImplementedError

    @classmethod
    def setUpClass(cls) -> None:
        cls.tmp = tempfile.mkdtemp(prefix="lambdaport-report-")
        try:
            cls.data = cls.stats()
            stats_path = os.path.join(cls.tmp, "stats.json")
            cls.page_path = os.path.join(cls.tmp, "report.html")
            with open(stats_path, "w") as f:
                json.dump(cls.data, f)
            result = render(stats_path, cls.page_path)
            if result.returncode != 0:
                raise AssertionError(
                    f"pipeline_render failed ({result.returncode}): {result.stderr}")
            with open(cls.page_path, encoding="utf-8") as f:
                cls.html = f.read()
            url = "file://" + cls.page_path
            cls.dom = parse_dom(run_chromium(["--dump-dom", url], cls.tmp))
            if cls.wants_screenshot:
                cls.screenshot = (os.environ.get("LAMBDAPORT_REPORT_SCREENSHOT")
                                  or os.path.join(cls.tmp, "report.png"))
                run_chromium([f"--screenshot={cls.screenshot}", "--window-size=1280,2400",
                              "--hide-scrollbars", url], cls.tmp)
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls) -> None:
        if os.environ.get("LAMBDAPORT_KEEP_TMP"):
            sys.stderr.write(f"(kept {cls.tmp})\n")
        else:
            shutil.rmtree(cls.tmp, ignore_errors=True)

    # helpers

    def chart(self, name: str) -> Node:
        svg = self.dom.find("svg", data_chart=name)
        self.assertEqual(svg.attrs.get("role"), "img", name)
        self.assertTrue(svg.attrs.get("aria-label", "").strip(), f"{name} has no aria-label")
        return svg

    def bars(self, name: str) -> list[tuple[str, int, str]]:
        """(data-label, data-value, tooltip) of every bar of chart `name`, in document order."""
        out = []
        for node in self.chart(name).find_all(data_value=None):
            self.assertIn("data-label", node.attrs, f"{name}: a data-value without a data-label")
            titles = [c for c in node.children if isinstance(c, Node) and c.tag == "title"]
            self.assertEqual(len(titles), 1, f"{name}: bar {node.attrs['data-label']!r} tooltip")
            out.append((node.attrs["data-label"], int(node.attrs["data-value"]), titles[0].text()))
        return out

    def stat(self, name: str) -> str:
        return self.dom.find(data_stat=name).text().strip()

    def assertHasTicks(self, name: str, minimum: int = 2) -> None:
        ticks = [n.text() for n in self.chart(name).iter() if "tick" in n.classes()]
        self.assertGreaterEqual(len(ticks), minimum, f"{name}: axis tick labels {ticks}")

    def assertNoBrokenNumbers(self) -> None:
        body = self.dom.find("body").text()
        for word in ("NaN", "nan", "inf", "undefined"):
            self.assertNotIn(word, body.split(), f"{word!r} on the page")


class SampleReport(RenderedReport):
    wants_screenshot = True

    @classmethod
    def stats(cls) -> dict:
        return sample_stats()

    def test_every_chart_is_drawn_with_axes(self):
        for name in ("fare-histogram", "trips-by-hour", "top-zones", "data-quality",
                     "payment-types"):
            with self.subTest(chart=name):
                self.assertTrue(self.bars(name), f"{name} has no bars")
                self.assertHasTicks(name)

    def test_fare_histogram_bars_are_the_histogram(self):
        bins = self.data["fare_histogram"]
        bars = self.bars("fare-histogram")
        self.assertEqual([(label, value) for label, value, _ in bars],
                         [(fare_bin_label(b), b["count"]) for b in bins])
        self.assertEqual(bars[-1][0], "$100+")
        label, value, tooltip = bars[2]
        self.assertTrue(tooltip.startswith(f"$10–15: {count_text(value)} trips"), tooltip)

    def test_trips_by_hour_has_24_bars_with_fares_in_tooltips(self):
        rows = self.data["by_hour"]
        bars = self.bars("trips-by-hour")
        self.assertEqual([(label, value) for label, value, _ in bars],
                         [(f"{r['hour']:02d}:00", r["trips"]) for r in rows])
        for (_, _, tooltip), r in zip(bars, rows):
            self.assertIn(f"{count_text(r['trips'])} trips", tooltip)
            self.assertIn(cents_text(r["fare_cents"]), tooltip)

    def test_top_zones_are_the_ten_busiest(self):
        zones = self.data["top_zones"]
        self.assertEqual(len(zones), 10)
        bars = self.bars("top-zones")
        self.assertEqual([(label, value) for label, value, _ in bars],
                         [(str(z["zone"]), z["trips"]) for z in zones])
        ticks = [n.text() for n in self.chart("top-zones").iter() if "category" in n.classes()]
        self.assertEqual(ticks, [f"Zone {z['zone']}" for z in zones])

    def test_data_quality_shows_kept_every_drop_reason_and_every_repair(self):
        quality = self.data["quality"]
        expected = ([("kept", quality["clean"])]
                    + [(k, quality["dropped"][k]) for k in DROP_REASONS]
                    + [(k, quality["repaired"][k]) for k in REPAIR_KINDS])
        bars = self.bars("data-quality")
        self.assertEqual([(label, value) for label, value, _ in bars], expected)
        # A repair that never happened is still shown, as zero.
        self.assertIn(("decimal_comma", 0), [(label, value) for label, value, _ in bars])
        titles = [n.text() for n in self.chart("data-quality").iter()
                  if "group-title" in n.classes()]
        self.assertEqual(len(titles), 2, titles)

    def test_payment_types(self):
        bars = self.bars("payment-types")
        self.assertEqual([(label, value) for label, value, _ in bars],
                         [(k, self.data["by_payment"][k]) for k in PAYMENTS])

    def test_headline_numbers_are_formatted(self):
        d = self.data
        trips, averages, quantiles = d["trips"], d["averages"], d["fare_quantiles"]
        quality = d["quality"]
        dropped = sum(quality["dropped"].values())
        expected = {
            "trips": count_text(trips["count"]),
            "zones": count_text(d["zones"]),
            "total_fare": cents_text(trips["fare_cents"]),
            "total_tip": cents_text(trips["tip_cents"]),
            "average_fare": dollars_text(averages["fare"]),
            "fare_max": cents_text(trips["fare_max_cents"]),
            "average_tip": dollars_text(averages["tip"]),
            "tip_percent": percent_text(trips["tip_cents"], trips["fare_cents"]),
            "average_distance": f"{averages['distance_mi']:.2f} mi",
            "average_duration": f"{averages['duration_min']:.1f} min",
            "average_passengers": f"{averages['passengers']:.2f}",
            "fare_p50": dollars_text(quantiles["p50"]),
            "fare_p90": dollars_text(quantiles["p90"]),
            "fare_p99": dollars_text(quantiles["p99"]),
            "rows_read": count_text(quality["rows"]),
            "rows_kept": count_text(quality["clean"]),
            "rows_dropped": count_text(dropped),
            "kept_percent": percent_text(quality["clean"], quality["rows"]),
            "dropped_percent": percent_text(dropped, quality["rows"]),
            "status": "complete",
        }
        self.assertEqual({k: self.stat(k) for k in expected}, expected)
        # The sample is big enough that every group separator is exercised.
        self.assertRegex(expected["trips"], r"^\d,\d{3},\d{3}$")
        self.assertRegex(expected["total_fare"], r"^\$\d{2},\d{3},\d{3}\.\d{2}$")
        generated = self.dom.find(data_stat="generated_at")
        self.assertEqual(generated.attrs["datetime"], d["generated_at"])
        self.assertEqual(generated.text(), "2026-11-30 12:00:00 UTC")
        self.assertEqual(self.dom.find_all(role="note"), [], "a complete report has no notice")

    def test_page_is_self_contained(self):
        self.assertTrue(self.html.startswith("<!DOCTYPE html>"))
        for needle in ("<script", "<link", "<img", "<iframe", "src=", "url(", "@import",
                       "http://", "https://"):
            self.assertNotIn(needle, self.html)
        self.assertEqual(self.dom.find_all("script"), [])
        self.assertNoBrokenNumbers()

    def test_sources_are_listed(self):
        rows = [n.text() for n in self.dom.find("footer").find_all("code")]
        self.assertEqual(rows, [f"{o['bucket']}/{o['key']}" for o in self.data["objects"]])

    def test_screenshot_is_a_1280_wide_png(self):
        with open(self.screenshot, "rb") as f:
            header = f.read(24)
        self.assertEqual(header[:8], b"\x89PNG\r\n\x1a\n")
        self.assertEqual(int.from_bytes(header[16:20], "big"), 1280)


class HostileStrings(RenderedReport):
    """Keys and names from the data are text, never markup."""

    IMG = "trips/<img src=x onerror=\"document.body.setAttribute('data-pwned','2')\">.csv"
    ODD_REASON = '<b>odd</b> & "quoted"'

    @classmethod
    def stats(cls) -> dict:
        stats = sample_stats(trips=48_211, seed=3)
        stats["by_payment"][HOSTILE_KEY] = 0
        stats["quality"]["dropped"][cls.ODD_REASON] = 0
        stats["objects"].append({"bucket": "raw", "key": cls.IMG, "parts": 1, "parts_seen": 1})
        stats["generated_at"] = "<i>soon</i>"
        return stats

    def test_no_markup_from_the_data_survives(self):
        for tag in ("script", "img", "b", "i"):
            self.assertEqual(self.dom.find_all(tag), [], f"a <{tag}> element came from the data")
        self.assertNotIn("data-pwned", self.dom.find("body").attrs)

    def test_the_strings_are_shown_as_text(self):
        labels = {label: tooltip for label, _, tooltip in self.bars("payment-types")}
        self.assertIn(HOSTILE_KEY, labels)
        self.assertIn("<script>", labels[HOSTILE_KEY])
        self.assertIn(self.ODD_REASON, [label for label, _, _ in self.bars("data-quality")])
        self.assertIn(f"raw/{self.IMG}", [n.text() for n in self.dom.find_all("code")])
        self.assertEqual(self.stat("generated_at"), "<i>soon</i>")
        self.assertIn("<i>soon</i>", self.dom.find("head").find("title").text())


class IncompleteReport(RenderedReport):
    @classmethod
    def stats(cls) -> dict:
        stats = sample_stats(trips=806_114, seed=11)
        stats["objects"][0]["parts_seen"] = 5
        stats["complete"] = False
        return stats

    def test_says_how_much_is_missing(self):
        self.assertEqual(self.stat("status"), "incomplete (9 of 12 parts)")
        notice = self.dom.find(role="note")
        self.assertIn("9 of 12 parts", notice.text())

    def test_still_draws_every_chart(self):
        self.assertEqual(len(self.bars("fare-histogram")), 21)
        self.assertEqual(len(self.bars("trips-by-hour")), 24)


class EmptyReport(RenderedReport):
    @classmethod
    def stats(cls) -> dict:
        return empty_stats()

    def test_every_chart_says_no_data(self):
        for name in ("fare-histogram", "trips-by-hour", "top-zones", "data-quality",
                     "payment-types"):
            with self.subTest(chart=name):
                svg = self.chart(name)
                self.assertEqual(svg.find_all(data_value=None), [])
                self.assertIn("No data", svg.text())

    def test_headline_has_zeros_and_no_averages(self):
        expected = {"trips": "0", "total_fare": "$0.00", "total_tip": "$0.00",
                    "average_fare": "—", "average_tip": "—", "average_distance": "—",
                    "average_duration": "—",
                    "fare_p50": "—", "fare_p90": "—", "fare_p99": "—",
                    "rows_read": "0", "rows_kept": "0", "rows_dropped": "0",
                    "status": "complete"}
        self.assertEqual({k: self.stat(k) for k in expected}, expected)
        # Shares of nothing are not shown as numbers at all.
        for share in ("tip_percent", "kept_percent", "dropped_percent", "zones"):
            self.assertEqual(self.dom.find_all(data_stat=share), [], share)
        kpis = self.dom.find("section", aria_label="Headline numbers").text()
        for phrase in ("no trips kept", "no fares to compare", "no rows read"):
            self.assertIn(phrase, kpis)
        self.assertNoBrokenNumbers()


class EverythingDropped(RenderedReport):
    """Rows were read but none was kept: only the data-quality chart has something to say."""

    @classmethod
    def stats(cls) -> dict:
        stats = empty_stats()
        stats["quality"]["dropped"].update(malformed=97, duplicate=23)
        stats["quality"]["rows"] = 120
        return stats

    def test_quality_chart_shows_the_drops(self):
        bars = {label: value for label, value, _ in self.bars("data-quality")}
        self.assertEqual(bars["kept"], 0)
        self.assertEqual(bars["malformed"], 97)
        self.assertEqual(bars["duplicate"], 23)
        self.assertIn("No data", self.chart("fare-histogram").text())
        self.assertEqual(self.stat("kept_percent"), "0.0%")
        self.assertEqual(self.stat("dropped_percent"), "100.0%")
        self.assertNoBrokenNumbers()


class RendererCommandLine(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.mkdtemp(prefix="lambdaport-report-cli-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def test_wrong_usage(self):
        result = render()
        self.assertEqual(result.returncode, 2)
        self.assertIn("usage: pipeline_render STATS.json OUT.html", result.stderr)

    def test_unreadable_or_bad_input_writes_nothing(self):
        out = os.path.join(self.tmp, "report.html")
        bad = os.path.join(self.tmp, "bad.json")
        with open(bad, "w") as f:
            f.write('{"trips": ')
        array = os.path.join(self.tmp, "array.json")
        with open(array, "w") as f:
            f.write("[1, 2]")
        for path, reason in ((os.path.join(self.tmp, "missing.json"), "cannot open"),
                             (bad, "not JSON"), (array, "not a JSON object")):
            with self.subTest(reason=reason):
                result = render(path, out)
                self.assertEqual(result.returncode, 1, result.stderr)
                self.assertIn(path, result.stderr)
                self.assertIn(reason, result.stderr)
                self.assertFalse(os.path.exists(out))

    def test_same_stats_same_page(self):
        stats = os.path.join(self.tmp, "stats.json")
        with open(stats, "w") as f:
            json.dump(sample_stats(trips=5_000, seed=5), f)
        pages = []
        for name in ("a.html", "b.html"):
            result = render(stats, os.path.join(self.tmp, name))
            self.assertEqual(result.returncode, 0, result.stderr)
            with open(os.path.join(self.tmp, name), "rb") as f:
                pages.append(f.read())
        self.assertEqual(pages[0], pages[1])
        self.assertEqual(os.listdir(self.tmp).count("a.html.tmp"), 0)


if __name__ == "__main__":
    unittest.main()
