#!/usr/bin/env python3
"""The pipeline's throughput on local disk, beside two baselines measured in the same run.

    scripts/build.sh build && python3 bench/pipeline_bench.py [--size 1GiB] [--build build] [--repeat 1]

One data set (examples/pipeline/generate, CSV only so that sqlite3 can import every file) is processed
three ways, each from a fresh data folder on the same disk, the raw files warm in the page cache:

  pipeline   lambdaport serve with examples/pipeline's configuration: the raw files are renamed into the
             `raw` bucket all at once; time until reports/stats.json covers every row
  plain      pipeline_plain: the same steps (clean each object whole, analyse, report), one process, no
             engine — the same cleaning and aggregation code
  sqlite3    Debian's sqlite3 importing the same CSV files and computing the same aggregates (counts,
             sums, min/max, per hour, per zone, per payment type, the fare histogram, exact quantiles)

Throughput is raw MB per second (1 MB = 10^6 bytes). Targets: pipeline ≥ 1.6× plain, ≥ 3× sqlite3; peak
RSS of any handler (the REPORT lines' Max Memory Used) ≤ 256 MiB.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))

import harness  # noqa: E402

BUCKETS = ["raw", "clean", "analysis", "reports"]
SQLITE = shutil.which("sqlite3") or "/usr/bin/sqlite3"


def fresh_data(tmp: str, name: str, raw_files: list[str]) -> str:
    """A data folder with the four buckets; the raw files hard-linked into raw/trips when `raw_files`
    is given (no copy: the same bytes, warm in the page cache)."""
    data = os.path.join(tmp, name)
    for b in BUCKETS:
        os.makedirs(os.path.join(data, b))
    return data


def warm(paths: list[str]) -> None:
    for p in paths:
        with open(p, "rb") as f:
            while f.read(1 << 24):
                pass


def run_plain(tmp: str, build: str, raw_files: list[str]) -> tuple[float, int, dict]:
    data = fresh_data(tmp, "plain", raw_files)
    os.makedirs(os.path.join(data, "raw", "trips"))
    for p in raw_files:
        os.link(p, os.path.join(data, "raw", "trips", os.path.basename(p)))
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    p = subprocess.run([os.path.join(build, "examples", "pipeline", "plain", "pipeline_plain"),
                        "--storage", data], capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if p.returncode != 0:
        raise SystemExit(f"pipeline_bench: pipeline_plain failed: {p.stderr}")
    rss_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    with open(os.path.join(data, "reports", "stats.json")) as f:
        stats = json.load(f)
    shutil.rmtree(data)
    return elapsed, max(rss_kib, before), stats


def run_pipeline(tmp: str, build: str, raw_files: list[str], rows: int) -> tuple[float, dict, dict]:
    data = fresh_data(tmp, "pipeline", raw_files)
    os.makedirs(os.path.join(data, "raw", "trips"))
    work = os.path.join(tmp, "engine")
    os.makedirs(work)
    config = os.path.join(build, "examples", "pipeline", "pipeline.json")
    engine = harness.Engine(work, None, args=["--config", config, "--storage", data])
    engine.start()
    stats_path = os.path.join(data, "reports", "stats.json")
    try:
        staged = []
        for p in raw_files:
            s = os.path.join(tmp, "stage-" + os.path.basename(p))
            os.link(p, s)
            staged.append(s)
        t0 = time.perf_counter()
        for s in staged:
            os.rename(s, os.path.join(data, "raw", "trips", os.path.basename(s)[len("stage-"):]))

        def done():
            try:
                with open(stats_path) as f:
                    stats = json.load(f)
            except (FileNotFoundError, ValueError):
                return None
            return stats if stats["complete"] and stats["quality"]["rows"] == rows and \
                len(stats["objects"]) == len(raw_files) else None
        stats = harness.wait_until(done, 1800, "the pipeline's report", interval=0.01)
        elapsed = time.perf_counter() - t0
    finally:
        engine.stop()
    peak: dict[str, int] = {}
    for m in re.finditer(r"\[(\w+)\] REPORT RequestId: .*?Max Memory Used: (\d+) MB", engine.output()):
        peak[m.group(1)] = max(peak.get(m.group(1), 0), int(m.group(2)))
    shutil.rmtree(data)
    shutil.rmtree(work)
    return elapsed, peak, stats


SQL_AGGREGATES = """
CREATE VIEW t AS SELECT *, CAST(ROUND(fare * 100) AS INTEGER) AS fare_c,
  CAST(ROUND(tip * 100) AS INTEGER) AS tip_c, CAST(ROUND(distance_mi * 100) AS INTEGER) AS dist_c,
  strftime('%s', dropoff_at) - strftime('%s', pickup_at) AS seconds FROM trips;
SELECT COUNT(*), SUM(passengers), SUM(fare_c), SUM(tip_c), SUM(dist_c), SUM(seconds), MIN(fare_c),
  MAX(fare_c), MAX(dist_c), MAX(tip_c) FROM t;
SELECT CAST(strftime('%H', pickup_at) AS INTEGER) AS hour, COUNT(*), SUM(fare_c) FROM t GROUP BY hour;
SELECT payment, COUNT(*) FROM t GROUP BY payment;
SELECT pickup_zone, COUNT(*) AS n, SUM(fare_c) FROM t GROUP BY pickup_zone ORDER BY n DESC, pickup_zone LIMIT 10;
SELECT COUNT(DISTINCT pickup_zone) FROM t;
SELECT MIN(fare_c / 500, 20) AS bin, COUNT(*) FROM t GROUP BY bin;
CREATE TEMP TABLE fares AS SELECT fare_c FROM t ORDER BY fare_c;
SELECT fare_c FROM fares LIMIT 1 OFFSET (SELECT CAST(0.50 * (COUNT(*) - 1) AS INTEGER) FROM fares);
SELECT fare_c FROM fares LIMIT 1 OFFSET (SELECT CAST(0.90 * (COUNT(*) - 1) AS INTEGER) FROM fares);
SELECT fare_c FROM fares LIMIT 1 OFFSET (SELECT CAST(0.99 * (COUNT(*) - 1) AS INTEGER) FROM fares);
"""


def run_sqlite(tmp: str, raw_files: list[str]) -> float:
    db = os.path.join(tmp, "trips.db")
    script = ["PRAGMA journal_mode = OFF;", "PRAGMA synchronous = OFF;",
              "CREATE TABLE trips(trip_id TEXT, vendor TEXT, pickup_at TEXT, dropoff_at TEXT, "
              "pickup_zone INTEGER, dropoff_zone INTEGER, passengers INTEGER, distance_mi REAL, "
              "fare REAL, tip REAL, payment TEXT);"]
    script += [f".import --csv --skip 1 '{p}' trips" for p in raw_files]
    script.append(SQL_AGGREGATES)
    t0 = time.perf_counter()
    p = subprocess.run([SQLITE, db], input="\n".join(script), capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if p.returncode != 0 or not p.stdout.strip():
        raise SystemExit(f"pipeline_bench: sqlite3 failed ({p.returncode}): {p.stderr[-2000:]}")
    os.remove(db)
    return elapsed


def comparable(stats: dict) -> dict:
    s = dict(stats)
    s.pop("generated_at")
    s["objects"] = [o["key"] for o in s["objects"]]
    return s


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--size", default="1GiB")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=1, help="runs of each, alternating; medians reported")
    ap.add_argument("--skip-sqlite", action="store_true")
    a = ap.parse_args()
    build = os.path.abspath(a.build)
    os.environ["LAMBDAPORT_BIN"] = os.path.join(build, "runtime", "lambdaport")
    os.environ["LAMBDAPORT_EXAMPLES"] = os.path.join(build, "examples")
    with tempfile.TemporaryDirectory(prefix="pipeline-bench-", dir=os.environ.get("TMPDIR")) as tmp:
        gen = os.path.join(tmp, "generated")
        t0 = time.perf_counter()
        p = subprocess.run([os.path.join(build, "examples", "pipeline", "generate", "pipeline_generate"),
                            "--out", gen, "--size", a.size, "--seed", str(a.seed), "--format", "csv"],
                           capture_output=True, text=True)
        generate_s = time.perf_counter() - t0
        if p.returncode != 0:
            raise SystemExit(f"pipeline_bench: generator failed: {p.stderr}")
        with open(os.path.join(gen, "manifest.json")) as f:
            manifest = json.load(f)
        raw_files = sorted(os.path.join(gen, f["key"]) for f in manifest["files"])
        raw_bytes = manifest["totals"]["bytes"]
        rows = manifest["totals"]["rows"]
        warm(raw_files)
        runs: dict[str, list[float]] = {"pipeline": [], "plain": [], "sqlite3": []}
        peaks: dict[str, int] = {}
        plain_rss = 0
        for _ in range(a.repeat):
            t, rss, plain_stats = run_plain(tmp, build, raw_files)
            runs["plain"].append(t)
            plain_rss = max(plain_rss, rss)
            t, peak, pipe_stats = run_pipeline(tmp, build, raw_files, rows)
            runs["pipeline"].append(t)
            for k, v in peak.items():
                peaks[k] = max(peaks.get(k, 0), v)
            if comparable(pipe_stats) != comparable(plain_stats):
                raise SystemExit("pipeline_bench: the pipeline's statistics differ from the plain run's")
            if not a.skip_sqlite:
                runs["sqlite3"].append(run_sqlite(tmp, raw_files))
    parts = sum(o["parts"] for o in pipe_stats["objects"])
    med = {k: sorted(v)[len(v) // 2] for k, v in runs.items() if v}
    mb = raw_bytes / 1e6
    print(f"data: {len(raw_files)} CSV files, {mb:,.0f} MB, {rows:,} rows (generated in {generate_s:.1f} s, "
          f"{mb / generate_s:,.0f} MB/s)")
    print()
    print("| run | time | throughput | pipeline ÷ this | target |")
    print("|---|---|---|---|---|")
    for name in ("pipeline", "plain", "sqlite3"):
        if name not in med:
            continue
        label = f"pipeline ({len(raw_files)} objects, {parts} parts)" if name == "pipeline" else name
        ratio = med[name] / med["pipeline"]
        target = {"plain": "≥ 1.6×", "sqlite3": "≥ 3×"}.get(name, "")
        verdict = ""
        if target:
            verdict = " PASS" if ratio >= float(target.split()[1].rstrip("×")) else " MISS"
        print(f"| {label} | {med[name]:.2f} s | {mb / med[name]:,.1f} MB/s | "
              f"{ratio:.2f}× | {target}{verdict} |")
    print()
    worst = max(peaks.values()) if peaks else 0
    print("peak RSS per function (Max Memory Used): " +
          ", ".join(f"{k} {v} MB" for k, v in sorted(peaks.items())) +
          f"; target ≤ 256 MiB: {'PASS' if worst <= 256 else 'MISS'}")
    print(f"peak RSS of pipeline_plain: {plain_rss / 1024:.1f} MiB")
    load = os.getloadavg()
    print(f"load average after the runs: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
