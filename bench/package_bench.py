#!/usr/bin/env python3
"""Cold starts of Lambda packages (lambdaport_package) beside the unpackaged handlers, in one run.

    scripts/build.sh build && python3 bench/package_bench.py [--build build] [--rounds 150]

One engine serves five functions, each with `idle_timeout: 0` (so every invocation starts a fresh
process) and concurrency 1:

  hello            examples/hello as built (the host's loader finds the host's libraries)  ← baseline
  hello bundled    hello.zip unpacked: bootstrap script → bundled loader → bin/hello + lib/
  hello static     hello_static.zip unpacked: bootstrap is the static executable
  csv_clean        examples/csv_clean as built (libcurl, OpenSSL and their ~25 libraries)  ← baseline
  csv bundled      csv_clean.zip unpacked, every one of those libraries from the package

Rounds go round-robin over the five, so a noisy moment hits them all alike. Two figures per function:
the client's invoke latency of a cold invocation (HTTP POST → answer: spawn, init, the handler,
reply), and the engine's Init Duration from the REPORT lines (spawn → the runtime's first request for
work: what the package changes). Ratios are to the unpackaged build of the same handler. csv_clean
cleans a 3-line CSV on local disk each time, so its figure includes one small storage read and write.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))

import harness  # noqa: E402

INIT = re.compile(r"Init Duration: ([0-9.]+) ms")


def percentile(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def unpack(zip_path: str, into: str) -> str:
    if not os.path.isfile(zip_path):
        raise SystemExit(f"package_bench: {zip_path} is not built (scripts/build.sh build)")
    os.makedirs(into)
    subprocess.run(["unzip", "-q", zip_path, "-d", into], check=True)
    return into


def folder_bytes(folder: str) -> int:
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(folder) for f in files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--rounds", type=int, default=150)
    args = parser.parse_args()
    build = os.path.abspath(args.build)
    examples = os.path.join(build, "examples")
    os.environ.setdefault("LAMBDAPORT_BIN", os.path.join(build, "runtime", "lambdaport"))
    os.environ.setdefault("LAMBDAPORT_EXAMPLES", examples)

    tmp = tempfile.mkdtemp(prefix="lambdaport-package-bench-")
    engine = None
    try:
        zips = {"hello bundled": os.path.join(examples, "hello", "hello.zip"),
                "hello static": os.path.join(examples, "hello", "hello_static.zip"),
                "csv bundled": os.path.join(examples, "csv_clean", "csv_clean.zip")}
        tasks = {label: unpack(z, os.path.join(tmp, label.replace(" ", "-"))) for label, z in zips.items()}
        variants = [  # label, function name, handler, payload, baseline label
            ("hello", "hello", harness.example("hello"), {"x": 1}, "hello"),
            ("hello bundled", "hello_bundled", os.path.join(tasks["hello bundled"], "bootstrap"), {"x": 1}, "hello"),
            ("hello static", "hello_static", os.path.join(tasks["hello static"], "bootstrap"), {"x": 1}, "hello"),
            ("csv_clean", "csv", harness.example("csv_clean"), None, "csv_clean"),
            ("csv bundled", "csv_bundled", os.path.join(tasks["csv bundled"], "bootstrap"), None, "csv_clean"),
        ]
        data = os.path.join(tmp, "data")
        for bucket in ("raw", "clean"):
            os.makedirs(os.path.join(data, bucket))
        with open(os.path.join(data, "raw", "t.csv"), "w") as f:
            f.write("id,fare\n1,2.50\n2,3.75\n")
        functions = {}
        for label, name, handler, payload, _ in variants:
            functions[name] = {"handler": handler, "idle_timeout": 0, "concurrency": 1}
        os.makedirs(os.path.join(tmp, "engine"))
        engine = harness.Engine(os.path.join(tmp, "engine"), functions, args=["--storage", data])
        engine.start()

        print(f"lambdaport package cold-start benchmark: {args.rounds} rounds over {len(variants)} functions, "
              f"load average {open('/proc/loadavg').read().split()[0]}")
        latency: dict[str, list[float]] = {v[0]: [] for v in variants}
        for r in range(args.rounds + 3):  # the first 3 rounds warm the page cache and are not counted
            for label, name, _, payload, _ in variants:
                if payload is None:
                    payload = {"bucket": "raw", "key": "t.csv", "output_key": f"{name}-{r}.csv"}
                t0 = time.perf_counter()
                answer = engine.invoke(name, payload, timeout=30)
                elapsed = (time.perf_counter() - t0) * 1000
                if answer.status != 200 or answer.header("X-Amz-Function-Error"):
                    raise SystemExit(f"package_bench: {name} failed: {answer}")
                if r >= 3:
                    latency[label].append(elapsed)
                # idle_timeout 0: wait until the instance is gone, so the next one is cold.
                harness.wait_until(lambda: not engine.handler_pids(), 10, f"{name}'s instance to stop", 0.001)

        time.sleep(0.5)  # the engine writes function logs every 50 ms
        init: dict[str, list[float]] = {}
        reports: dict[str, int] = {}
        for label, name, *_ in variants:
            log = engine.log(name)
            reports[label] = log.count("REPORT RequestId:")
            values = [float(m.group(1)) for line in log.splitlines()
                      if "REPORT RequestId:" in line and (m := INIT.search(line))]
            init[label] = values[3:]
        print()
        print("| function | cold invoke p50 (ms) | p99 | × unpackaged | Init Duration p50 (ms) | × unpackaged | package (MB, unzipped / zip) |")
        print("|---|---|---|---|---|---|---|")
        for label, name, handler, _, baseline in variants:
            p50, p99 = statistics.median(latency[label]), percentile(latency[label], 99)
            i50 = statistics.median(init[label]) if init[label] else float("nan")
            b50 = statistics.median(latency[baseline])
            bi50 = statistics.median(init[baseline]) if init[baseline] else float("nan")
            size = "—"
            if label in zips:
                size = f"{folder_bytes(tasks[label]) / 1e6:.1f} / {os.path.getsize(zips[label]) / 1e6:.1f}"
            print(f"| {label} | {p50:.2f} | {p99:.2f} | {p50 / b50:.2f}× | {i50:.2f} | {i50 / bi50:.2f}× | {size} |")
        counted = {label: len(v) + 3 for label, v in init.items()}
        if counted != reports:
            print(f"warning: invocations with an Init Duration per function: {counted}, of {reports} "
                  f"REPORT lines: some invocations were warm")
        print(f"load average now {open('/proc/loadavg').read().split()[0]}")
    finally:
        if engine is not None:
            engine.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
