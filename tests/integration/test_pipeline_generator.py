"""The pipeline's data generator (examples/pipeline/generate) against examples/pipeline/FORMAT.md.

The generator writes raw taxi-trip files with planted faults and a manifest of what it planted. This
test checks it the way a user of the pipeline would: the same arguments give the same bytes, the
manifest agrees exactly with an independent reference cleaner (pipeline_reference.py), cleaning a
file whole or in byte ranges gives the same rows, and the data looks like taxi trips. The reference
cleaner itself is pinned down first on small hand-written files.
"""

from __future__ import annotations

import collections
import json
import os
import shutil
import subprocess
import tempfile
import unittest

import pipeline_reference as ref

SIZE = 20_000_000
FILES = 6
GENERATE_TIMEOUT = 120


def generator() -> str:
    examples = os.environ.get("LAMBDAPORT_EXAMPLES")
    if not examples:
        raise AssertionError("LAMBDAPORT_EXAMPLES is not set: it must name <build>/examples")
    path = os.path.join(os.path.abspath(examples), "pipeline", "generate", "pipeline_generate")
    if not os.access(path, os.X_OK):
        raise AssertionError(f"{path} is not built")
    return path


def run_generator(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([generator(), *args], capture_output=True, text=True,
                          timeout=GENERATE_TIMEOUT)


def generate(out: str, *args: str) -> dict:
    done = run_generator("--out", out, *args)
    if done.returncode != 0:
        raise AssertionError(f"pipeline_generate failed ({done.returncode}): {done.stderr}")
    with open(os.path.join(out, "manifest.json"), encoding="utf-8") as f:
        return json.load(f)


def tree_bytes(root: str) -> dict[str, bytes]:
    out = {}
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            with open(path, "rb") as f:
                out[os.path.relpath(path, root)] = f.read()
    return out


def manifest_counts(entry: dict) -> dict:
    return {k: entry[k] for k in ("rows", "clean", "dropped", "repaired")}


# ---- the reference cleaner on hand-written files -------------------------------------------------

GOOD = ("T000000000001,Café Taxi,2026-11-05 08:30:00,2026-11-05 08:45:10,132,237,1,3.20,14.50,"
        "2.00,card")


def row(trip_id: str = "T000000000001", **changes: str) -> str:
    fields = dict(zip(ref.FIELDS, GOOD.split(",")))
    fields["trip_id"] = trip_id
    fields.update(changes)
    return ",".join(fields[k] for k in ref.FIELDS)


def json_row(trip_id: str = "T000000000001", **changes) -> dict:
    fields = dict(zip(ref.FIELDS, GOOD.split(",")))
    obj = {"trip_id": trip_id, "vendor": fields["vendor"], "pickup_at": fields["pickup_at"],
           "dropoff_at": fields["dropoff_at"], "pickup_zone": 132, "dropoff_zone": 237,
           "passengers": 1, "distance_mi": 3.2, "fare": 14.5, "tip": 2, "payment": "card"}
    obj.update(changes)
    return obj


class ReferenceCleanerTest(unittest.TestCase):
    def clean(self, lines: list[bytes], fmt: str = "csv", **kw):
        data = b"".join(lines)
        return ref.clean_file(data, fmt=fmt, key=f"trips/t.{fmt}", **kw)

    def assert_outcomes(self, lines, expected: list[tuple[str, tuple]], fmt="csv"):
        trace: list = []
        self.clean(lines, fmt, trace=trace)
        self.assertEqual([(o, r) for _, o, r in trace], expected)

    def test_header_bom_crlf_and_blank_lines(self):
        header = b"\xef\xbb\xbf" + ref.HEADER.encode() + b"\r\n"
        rows, report = self.clean([header, row().encode() + b"\r\n", b" \t\r\n", b"\r\n",
                                   row("T2").encode() + b"\r\n"])
        self.assertEqual(report["rows"], 2)
        self.assertEqual(report["clean"], 2)
        self.assertEqual(rows[0], GOOD.split(","))
        self.assertEqual(report["source"], {"bucket": "raw", "key": "trips/t.csv",
                                            "size": report["source"]["size"], "part": 0,
                                            "parts": 1, "first": 0,
                                            "last": report["source"]["size"] - 1})
        self.assertEqual(report["output"],
                         {"bucket": "clean", "key": "trips/t.csv.part-0000-of-0001.csv"})

    def test_csv_drop_reasons_in_order(self):
        h = ref.HEADER.encode() + b"\n"
        lines = [h]
        cases = [
            (row("T1") + ",", "malformed"),  # 12 fields
            (row("T2").replace(",Café Taxi,", ',"Café Taxi,'), "malformed"),  # never closed
            (row("T3").replace(",Café Taxi,", ',"Café" Taxi,'), "malformed"),  # text after quote
            (row("T4", vendor="x" * 500), "malformed"),  # longer than 512 bytes
            (row("T5", fare=""), "missing_field"),
            (row("T6", pickup_zone='""'), "missing_field"),
            (row("T7", payment="  "), "missing_field"),
            (row("T8", fare="12.5.0"), "bad_type"),
            (row("T9", fare="1.234"), "bad_type"),
            (row("T10", pickup_at="2026-11-05 08:30"), "bad_type"),
            (row("T11", payment="bitcoin"), "bad_type"),
            (row("T12", passengers="two"), "bad_type"),
            (row("T13", pickup_zone="0"), "out_of_range"),
            (row("T14", passengers="10"), "out_of_range"),
            (row("T15", tip="-0.01"), "out_of_range"),
            (row("T16", pickup_at="2030-11-05 08:30:00", dropoff_at="2030-11-05 08:45:10"),
             "out_of_range"),
            (row("T17", dropoff_at="2026-11-05 08:29:59"), "out_of_range"),
            (row("T18", dropoff_at="2026-11-06 08:30:01"), "out_of_range"),
            (row("T19", fare="abc", pickup_zone="0"), "bad_type"),  # the first reason wins
        ]
        lines += [c.encode() + b"\n" for c, _ in cases]
        self.assert_outcomes(lines, [(r, ()) for _, r in cases])

    def test_csv_repairs(self):
        h = ref.HEADER.encode() + b"\n"
        lines = [h,
                 row("T1", tip="").encode() + b"\n",
                 row("T2", passengers=" ").encode() + b"\n",
                 row("T3", pickup_at="2026-11-05T08:30:00Z").encode() + b"\n",
                 row("T4", pickup_at="11/05/2026 08:30:00",
                     dropoff_at="1793868310").encode() + b"\n",
                 row("T5", payment='" Credit Card "').encode() + b"\n",
                 row("T6", vendor="Caf\xe9 Taxi").encode("latin-1") + b"\n",
                 row("T7", fare='"14,50"').encode() + b"\n",
                 row("T8", tip="", passengers="").encode() + b"\n",
                 row("T9", tip="", fare="x").encode() + b"\n"]
        self.assert_outcomes(lines, [
            ("clean", ("missing_tip",)), ("clean", ("missing_passengers",)),
            ("clean", ("timestamp_format",)), ("clean", ("timestamp_format",)),
            ("clean", ("payment_label",)), ("clean", ("latin1_text",)),
            ("clean", ("decimal_comma",)), ("clean", ("missing_tip", "missing_passengers")),
            ("bad_type", ())])
        rows, report = self.clean(lines)
        self.assertEqual(report["repaired"]["missing_tip"], 2)  # not the dropped row's
        for r in rows[:8]:
            self.assertEqual(r[2], "2026-11-05 08:30:00")
            self.assertEqual(r[3], "2026-11-05 08:45:10")
        self.assertEqual(rows[0][9], "0.00")
        self.assertEqual(rows[1][6], "1")
        self.assertEqual(rows[4][10], "card")
        self.assertEqual(rows[5][1], "Café Taxi")
        self.assertEqual(rows[6][8], "14.50")

    def test_csv_quoting_and_trimming(self):
        h = ref.HEADER.encode() + b"\n"
        line = (' "T1" , " Metro Cars, ""Inc."" " ,"2026-11-05 08:30:00",2026-11-05 08:45:10 ,132,'
                '237,"1",3.2, 14 ,0,card\t')
        rows, report = self.clean([h, line.encode() + b"\n"])
        self.assertEqual(report["clean"], 1)
        self.assertEqual(rows[0][:2], ["T1", ' Metro Cars, "Inc." '])
        self.assertEqual(rows[0][7:10], ["3.20", "14.00", "0.00"])
        self.assertEqual(ref.canonical_csv(rows),
                         (ref.HEADER + '\nT1," Metro Cars, ""Inc."" ",2026-11-05 08:30:00,'
                          "2026-11-05 08:45:10,132,237,1,3.20,14.00,0.00,card\n").encode())

    def test_json_rows(self):
        def line(obj) -> bytes:
            return json.dumps(obj, ensure_ascii=False).encode() + b"\n"
        lines = [
            line(json_row("T1")),
            line(json_row("T2", fare="14.50", pickup_zone="132", tip=None)),
            b'{"trip_id": "T3", "fare": 1}\n',  # missing fields
            line([1, 2, 3]),
            b'{"trip_id": "T5",\n',
            line(json_row("T6", vendor="Caf\u00e9")).replace("é".encode(), b"\xe9"),
            line(json_row("T7", passengers=1.5)),
            line(json_row("T8", fare=-1)),
            line(json_row("T9", payment="NoCharge")),
            b"   \n",
            line(json_row("T10", distance_mi=None)),
            line(json_row("T11", pickup_at="")),
        ]
        self.assert_outcomes(lines, [
            ("clean", ()), ("clean", ("missing_tip",)), ("missing_field", ()), ("malformed", ()),
            ("malformed", ()), ("malformed", ()), ("bad_type", ()), ("out_of_range", ()),
            ("clean", ("payment_label",)), ("missing_field", ()), ("missing_field", ())],
            fmt="jsonl")
        rows, _ = self.clean(lines, "jsonl")
        self.assertEqual(rows[0][7:11], ["3.20", "14.50", "2.00", "card"])
        self.assertEqual(rows[2][10], "no_charge")

    def test_duplicate_window_is_2048_lines(self):
        h = ref.HEADER.encode() + b"\n"
        lines = [h, row("TX").encode() + b"\n"]
        lines += [row(f"F{i}").encode() + b"\n" for i in range(2046)]
        lines += [row("TX").encode() + b"\n"]  # 2047 lines after the first TX: a duplicate
        lines += [b"\n", row("TX").encode() + b"\n"]  # the window still holds the second TX
        lines += [row(f"G{i}").encode() + b"\n" for i in range(2048)]
        lines += [row("TX").encode() + b"\n"]  # 2049 lines after the last TX: kept
        trace: list = []
        rows, report = self.clean(lines, trace=trace)
        self.assertEqual(report["dropped"]["duplicate"], 2)
        self.assertEqual([o for _, o, _ in trace].count("duplicate"), 2)
        self.assertEqual(trace[-1][1], "clean")
        # A row dropped earlier (bad fare) does not enter the window.
        lines = [h, row("TY", fare="x").encode() + b"\n", row("TY").encode() + b"\n"]
        self.assertEqual(self.clean(lines)[1]["dropped"]["duplicate"], 0)

    def test_parts_cover_every_line_once(self):
        h = ref.HEADER.encode() + b"\n"
        lines = [h] + [row(f"T{i}").encode() + b"\n" for i in range(3000)]
        lines[2000] = lines[10]  # a duplicate 1990 lines back, across part boundaries
        data = b"".join(lines)
        whole_rows, whole = ref.clean_file(data, fmt="csv")
        for parts in (2, 7, 64, 301):
            got, total = [], ref.empty_counts()
            for part in range(parts):
                rows, report = ref.clean_file(data, part, parts, fmt="csv")
                got += rows
                ref.add_counts(total, report)
            self.assertEqual(got, whole_rows, parts)
            self.assertEqual(total, ref.counts_of(whole), parts)
        self.assertEqual(whole["dropped"]["duplicate"], 1)
        # More parts than bytes: most ranges are empty, the header is still skipped once.
        small = h + row("T1").encode() + b"\n" + row("T2").encode()  # no final line end
        got = []
        for part in range(len(small) + 3):
            got += ref.clean_file(small, part, len(small) + 3, fmt="csv")[0]
        self.assertEqual([r[0] for r in got], ["T1", "T2"])


# ---- the generator -----------------------------------------------------------------------------

class GeneratorTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="pipeline_generate_")
        common = ("--size", str(SIZE), "--files", str(FILES), "--format", "mixed")
        cls.dirs = {name: os.path.join(cls.tmp, name) for name in ("a", "b", "c")}
        cls.manifests = {
            "a": generate(cls.dirs["a"], *common, "--seed", "1"),
            "b": generate(cls.dirs["b"], *common, "--seed", "1"),
            "c": generate(cls.dirs["c"], *common, "--seed", "2"),
        }
        cls.cleaned: dict[tuple[str, str], tuple[list, dict]] = {}

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def whole(self, run: str, key: str):
        """The reference cleaner's (rows, report) of a whole file, computed once."""
        if (run, key) not in self.cleaned:
            self.cleaned[(run, key)] = ref.clean_file(os.path.join(self.dirs[run], key), key=key)
        return self.cleaned[(run, key)]

    def test_same_seed_same_bytes(self):
        a, b = tree_bytes(self.dirs["a"]), tree_bytes(self.dirs["b"])
        self.assertEqual(sorted(a), sorted(b))
        for name in a:
            self.assertTrue(a[name] == b[name], f"{name} differs between two runs with seed 1")

    def test_other_seed_other_bytes(self):
        a, c = tree_bytes(self.dirs["a"]), tree_bytes(self.dirs["c"])
        self.assertEqual(sorted(a), sorted(c))
        for name in a:
            self.assertNotEqual(a[name], c[name], f"{name} is the same with seeds 1 and 2")
        ids_a = {r[0] for f in self.manifests["a"]["files"] for r in self.whole("a", f["key"])[0]}
        ids_c = {r[0] for f in self.manifests["c"]["files"] for r in self.whole("c", f["key"])[0]}
        self.assertLess(len(ids_a & ids_c), len(ids_a) // 100)

    def test_manifest_lists_the_files(self):
        for run in ("a", "c"):
            m = self.manifests[run]
            self.assertEqual(list(m), ["seed", "files", "totals"])
            self.assertEqual(m["seed"], 1 if run == "a" else 2)
            keys = [f["key"] for f in m["files"]]
            self.assertEqual(keys, [f"trips/2026-11-part-{i + 1:04d}."
                                    + ("jsonl" if i % 3 == 2 else "csv") for i in range(FILES)])
            self.assertEqual(sorted(os.listdir(os.path.join(self.dirs[run], "trips"))),
                             sorted(k.split("/")[1] for k in keys))
            for f in m["files"]:
                self.assertEqual(list(f), ["key", "format", "bytes", "rows", "clean", "dropped",
                                           "repaired"])
                self.assertEqual(f["format"], f["key"].rsplit(".", 1)[1])
                self.assertEqual(list(f["dropped"]), list(ref.DROP_REASONS))
                self.assertEqual(list(f["repaired"]), list(ref.REPAIRS))
                self.assertEqual(f["rows"], f["clean"] + sum(f["dropped"].values()))
                path = os.path.join(self.dirs[run], f["key"])
                self.assertEqual(f["bytes"], os.path.getsize(path))
                if f["format"] == "jsonl":  # CSV-only repairs
                    self.assertEqual(f["repaired"]["latin1_text"], 0)
                    self.assertEqual(f["repaired"]["decimal_comma"], 0)
            totals = ref.empty_counts()
            for f in m["files"]:
                ref.add_counts(totals, manifest_counts(f))
            self.assertEqual(manifest_counts(m["totals"]), totals)
            self.assertEqual(m["totals"]["bytes"], sum(f["bytes"] for f in m["files"]))

    def test_manifest_matches_reference_cleaner(self):
        for run in ("a", "c"):
            totals = ref.empty_counts()
            for f in self.manifests[run]["files"]:
                _, report = self.whole(run, f["key"])
                self.assertEqual(ref.counts_of(report), manifest_counts(f), f"{run} {f['key']}")
                ref.add_counts(totals, report)
            self.assertEqual(totals, manifest_counts(self.manifests[run]["totals"]), run)

    def test_byte_ranges_agree_with_whole_file(self):
        for f in self.manifests["a"]["files"]:
            key = f["key"]
            path = os.path.join(self.dirs["a"], key)
            size = os.path.getsize(path)
            whole_rows, whole = self.whole("a", key)
            for parts in (1, 3, 8):
                rows, total, last = [], ref.empty_counts(), -1
                for part in range(parts):
                    part_rows, report = ref.clean_file(path, part, parts, key=key)
                    self.assertEqual(report["source"]["first"], last + 1)
                    last = report["source"]["last"]
                    self.assertEqual(report["output"]["key"],
                                     f"{key}.part-{part:04d}-of-{parts:04d}.csv")
                    rows += part_rows
                    ref.add_counts(total, report)
                self.assertEqual(last, size - 1)
                self.assertEqual(total, ref.counts_of(whole), f"{key} in {parts} parts")
                self.assertTrue(rows == whole_rows, f"{key} in {parts} parts: rows differ")
                self.assertEqual(ref.canonical_csv(rows), ref.canonical_csv(whole_rows))

    def test_every_fault_and_repair_is_planted_near_its_share(self):
        totals = self.manifests["a"]["totals"]
        rows = totals["rows"]
        csv_rows = sum(f["rows"] for f in self.manifests["a"]["files"] if f["format"] == "csv")
        expected = {"malformed": 1.5, "missing_field": 1, "bad_type": 1, "out_of_range": 1.5,
                    "duplicate": 1, "missing_tip": 3, "missing_passengers": 1,
                    "timestamp_format": 2, "payment_label": 2}
        got = {**totals["dropped"], **totals["repaired"]}
        for name, percent in expected.items():
            self.assertAlmostEqual(got[name] / rows * 100, percent, delta=percent * 0.3, msg=name)
        self.assertAlmostEqual(got["latin1_text"] / csv_rows * 100, 0.5, delta=0.15)
        self.assertAlmostEqual(got["decimal_comma"] / csv_rows * 100, 1, delta=0.3)

    def test_csv_styles_and_long_lines(self):
        styles, long_lines, blank_lines = set(), 0, 0
        for f in self.manifests["a"]["files"]:
            with open(os.path.join(self.dirs["a"], f["key"]), "rb") as fh:
                data = fh.read()
            lines = data.split(b"\n")
            self.assertEqual(lines[-1], b"")  # ends with a line end
            long_lines += sum(len(line) + 1 > ref.MAX_LINE for line in lines)
            blank_lines += sum(not line.strip(b" \t\r") for line in lines[:-1])
            if f["format"] == "csv":
                bom = data.startswith(ref.BOM)
                self.assertEqual(lines[0].removeprefix(ref.BOM).rstrip(b"\r"), ref.HEADER.encode())
                crlf = lines[0].endswith(b"\r")
                self.assertTrue(all(line.endswith(b"\r") == crlf for line in lines[:-1]))
                styles.add((bom, crlf))
        self.assertEqual(len(styles), 4)  # plain, BOM, CRLF, both
        self.assertGreater(long_lines, 0)
        self.assertGreater(blank_lines, 0)

    def test_sizes_near_the_requested_size(self):
        m = self.manifests["a"]
        for i, f in enumerate(m["files"]):
            share = SIZE // FILES + (i < SIZE % FILES)
            self.assertGreaterEqual(f["bytes"], share)
            self.assertLess(f["bytes"], share + 2 * ref.MAX_LINE + 512)
        self.assertLess(abs(m["totals"]["bytes"] - SIZE), FILES * 2048)

    def test_data_looks_like_taxi_trips(self):
        rows = [r for f in self.manifests["a"]["files"] for r in self.whole("a", f["key"])[0]]
        n = len(rows)
        payments = collections.Counter(r[10] for r in rows)
        self.assertAlmostEqual(payments["card"] / n, 0.70, delta=0.05)
        self.assertAlmostEqual(payments["cash"] / n, 0.24, delta=0.04)
        self.assertTrue(all(payments[p] > 0 for p in ref.PAYMENTS))

        hours = collections.Counter(int(r[2][11:13]) for r in rows)
        peak = max(hours.values())
        self.assertIn(max(hours, key=hours.get), (17, 18, 19))
        morning = max(range(5, 12), key=lambda h: hours[h])
        self.assertIn(morning, (7, 8, 9))
        for night in (2, 3, 4):
            self.assertLess(hours[night], peak / 4)
        self.assertTrue(all(r[2].startswith("2026-11-") for r in rows))

        zones = collections.Counter(r[4] for r in rows)
        top10 = sum(c for _, c in zones.most_common(10))
        self.assertGreater(top10 / n, 0.3)
        self.assertGreater(len(zones), 200)

        distances = sorted(int(r[7].replace(".", "")) for r in rows)
        self.assertTrue(100 <= distances[n // 2] <= 400)  # median 1-4 miles
        self.assertLessEqual(distances[-1], 4000)
        passengers = collections.Counter(r[6] for r in rows)
        self.assertGreater((passengers["1"] + passengers["2"]) / n, 0.75)

        # Fares follow distance; card tips are mostly 10-25 % of the fare.
        def cents(s: str) -> int:
            return int(s.replace(".", ""))
        short = [cents(r[8]) for r in rows if cents(r[7]) < 200]
        far = [cents(r[8]) for r in rows if cents(r[7]) > 1000]
        self.assertGreater(sum(far) / len(far), 3 * sum(short) / len(short))
        tipped = [cents(r[9]) / cents(r[8]) for r in rows if r[10] == "card" and r[9] != "0.00"]
        self.assertGreater(sum(0.09 <= t <= 0.26 for t in tipped) / len(tipped), 0.9)
        vendors = {r[1] for r in rows}
        self.assertTrue({"Zoë's Rides", "Café Taxi", "Metro Cars, Inc.", ""} <= vendors)


class GeneratorCommandLineTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="pipeline_generate_cli_")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_defaults_and_units(self):
        m = generate(self.tmp, "--size", "100KiB", "--format", "csv")
        self.assertEqual(m["seed"], 1)
        self.assertEqual([f["key"] for f in m["files"]], ["trips/2026-11-part-0001.csv"])
        self.assertLess(abs(m["totals"]["bytes"] - 102400), 1024)
        m = generate(self.tmp, "--size", "0.1MB", "--files", "3", "--format", "jsonl",
                     "--seed", "7")
        self.assertEqual([f["format"] for f in m["files"]], ["jsonl"] * 3)
        self.assertLess(abs(m["totals"]["bytes"] - 100000), 3 * 1024)
        for f in m["files"]:
            self.assertEqual(ref.counts_of(ref.clean_file(os.path.join(self.tmp, f["key"]))[1]),
                             manifest_counts(f))

    def test_bad_arguments(self):
        for args in ([], ["--out"], ["--out", self.tmp, "--size", "12XB"],
                     ["--out", self.tmp, "--size", "0"], ["--out", self.tmp, "--files", "0"],
                     ["--out", self.tmp, "--format", "xml"], ["--out", self.tmp, "--seed", "-1"],
                     ["--out", self.tmp, "--bogus"]):
            done = run_generator(*args)
            self.assertEqual(done.returncode, 2, args)
            self.assertIn("usage:", done.stderr)
        self.assertEqual(run_generator("--help").returncode, 0)


if __name__ == "__main__":
    unittest.main()
