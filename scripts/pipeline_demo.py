#!/usr/bin/env python3
"""The main job: the taxi-trip pipeline on local disk under `lambdaport serve`, start to finish.

    scripts/demo.sh [--size 300MB] [--out demo-output] [--seed 1]     (demo.sh sets up and builds first)

1. generates a messy data set of --size (examples/pipeline/generate: CSV and JSON Lines, planted faults);
2. starts the engine with examples/pipeline's configuration, its storage a folder (--out/data, a
   bucket per subfolder);
3. drops the raw files into the `raw` bucket, one by one: each new object wakes `split`, which fans
   out to `clean` through the Invoke API, whose parts wake `analyse`, whose partials wake `report`;
4. shows progress until the report covers every row, then prints the headline statistics, the data
   quality and where the HTML report is; asks the `report` function for its figures through the AWS
   CLI, as a Lambda user would; stops the engine.

Standard library only. Everything it makes stays in --out.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build")
ENGINE = os.path.join(BUILD, "runtime", "lambdaport")
GENERATOR = os.path.join(BUILD, "examples", "pipeline", "generate", "pipeline_generate")
CONFIG = os.path.join(BUILD, "examples", "pipeline", "pipeline.json")
BUCKETS = ["raw", "clean", "analysis", "reports"]
TTY = sys.stdout.isatty()


def banner(text: str) -> None:
    print(f"\n\033[1m== {text}\033[0m" if TTY else f"\n== {text}", flush=True)


def count_files(folder: str) -> int:
    try:
        return len(os.listdir(folder))
    except FileNotFoundError:
        return 0


def read_json(path: str) -> dict | None:
    try:
        with open(path) as f:
            return json.load(f)
    except (FileNotFoundError, ValueError):
        return None


def port_free(port: int) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=0.5)
    try:
        conn.request("GET", "/")
        return False
    except OSError:
        return True
    finally:
        conn.close()


class Engine:
    def __init__(self, out: str, data: str):
        self.log_path = os.path.join(out, "engine.log")
        listen = "127.0.0.1:3001" if port_free(3001) else "127.0.0.1:0"
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen([ENGINE, "serve", "--config", CONFIG, "--storage", data, "--state",
                                      os.path.join(out, "state"), "--listen", listen],
                                     stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 20
        while True:
            with open(self.log_path) as f:
                m = re.search(r"listening address=([0-9.]+:[0-9]+)", f.read())
            if m:
                self.address = m.group(1)
                return
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                with open(self.log_path) as f:
                    sys.exit(f"demo: lambdaport did not start:\n{f.read()}")
            time.sleep(0.05)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode


def progress(data: str, stats: dict | None) -> tuple[int, int, int]:
    """(parts cleaned, parts analysed, rows the report covers), from what the buckets hold."""
    return (count_files(os.path.join(data, "clean", "quality")),
            count_files(os.path.join(data, "analysis", "partials")),
            stats["quality"]["rows"] if stats else 0)


def headline(stats: dict, seconds: float, raw_bytes: int) -> None:
    t, a, q, p = stats["trips"], stats["averages"], stats["quality"], stats["fare_quantiles"]
    print(f"  processed {raw_bytes / 1e6:,.0f} MB of raw data in {seconds:.1f} s "
          f"({raw_bytes / 1e6 / seconds:,.0f} MB/s), {len(stats['objects'])} objects in "
          f"{sum(o['parts'] for o in stats['objects'])} parts")
    print(f"  trips            {t['count']:,} in {stats['zones']} pickup zones")
    print(f"  total fare       ${t['fare_cents'] / 100:,.2f}  (tips ${t['tip_cents'] / 100:,.2f})")
    print(f"  average trip     ${a['fare']:.2f} fare, ${a['tip']:.2f} tip, {a['distance_mi']:.2f} mi, "
          f"{a['duration_min']:.1f} min, {a['passengers']:.2f} passengers")
    print(f"  fare p50/p90/p99 ${p['p50']:.2f} / ${p['p90']:.2f} / ${p['p99']:.2f}  (sketch, within 1 %)")
    busiest = max(stats["by_hour"], key=lambda h: h["trips"])
    zone = stats["top_zones"][0] if stats["top_zones"] else None
    print(f"  busiest hour     {busiest['hour']:02d}:00 UTC ({busiest['trips']:,} trips)"
          + (f"; busiest zone {zone['zone']} ({zone['trips']:,} trips)" if zone else ""))
    print(f"  rows read        {q['rows']:,}: kept {q['clean']:,} ({100 * q['clean'] / max(1, q['rows']):.1f} %)")
    print("  dropped          " + ", ".join(f"{k} {v:,}" for k, v in q["dropped"].items()))
    print("  repaired         " + ", ".join(f"{k} {v:,}" for k, v in q["repaired"].items()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", default="300MB", help="raw data to generate (e.g. 300MB, 2GB)")
    ap.add_argument("--out", default=os.path.join(ROOT, "demo-output"), help="where everything goes")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    out = os.path.abspath(a.out)
    for path in (ENGINE, GENERATOR, CONFIG):
        if not os.path.exists(path):
            sys.exit(f"demo: {path} is missing: build first (scripts/demo.sh does)")
    shutil.rmtree(out, ignore_errors=True)
    data = os.path.join(out, "data")
    for b in BUCKETS:
        os.makedirs(os.path.join(data, b))

    banner(f"generating {a.size} of messy taxi trips (seed {a.seed})")
    gen = os.path.join(out, "generated")
    p = subprocess.run([GENERATOR, "--out", gen, "--size", a.size, "--seed", str(a.seed), "--format", "mixed"],
                       capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"demo: the generator failed: {p.stderr}")
    manifest = read_json(os.path.join(gen, "manifest.json"))
    files = [f["key"] for f in manifest["files"]]
    totals = manifest["totals"]
    print(f"  {len(files)} files, {totals['bytes'] / 1e6:,.0f} MB, {totals['rows']:,} rows, of which the "
          f"generator planted {sum(totals['dropped'].values()):,} to be dropped and "
          f"{sum(totals['repaired'].values()):,} to be repaired")

    banner("lambdaport serve --config build/examples/pipeline/pipeline.json --storage " +
           os.path.relpath(data, ROOT))
    engine = Engine(out, data)
    print(f"  engine pid {engine.proc.pid}, Invoke API at http://{engine.address}, log {engine.log_path}")
    try:
        banner("dropping the raw files into the `raw` bucket: split → clean ×N → analyse → report")
        os.makedirs(os.path.join(data, "raw", "trips"))
        t0 = time.monotonic()
        for key in files:
            # A rename: the object appears whole, as an S3 PUT would make it.
            os.rename(os.path.join(gen, key), os.path.join(data, "raw", key))
        stats_path = os.path.join(data, "reports", "stats.json")
        shown = None
        while True:
            stats = read_json(stats_path)
            done = stats and stats["complete"] and len(stats["objects"]) == len(files) and \
                stats["quality"]["rows"] == totals["rows"]
            now = progress(data, stats)
            if now != shown:
                print(f"  {time.monotonic() - t0:6.1f} s   parts cleaned {now[0]:3d}   analysed {now[1]:3d}"
                      f"   report covers {now[2]:>11,} of {totals['rows']:,} rows", flush=True)
                shown = now
            if done:
                break
            if engine.proc.poll() is not None:
                sys.exit(f"demo: the engine stopped (status {engine.proc.returncode}); see {engine.log_path}")
            if time.monotonic() - t0 > 3600:
                sys.exit(f"demo: the pipeline did not finish within an hour; see {engine.log_path}")
            time.sleep(0.25)
        seconds = time.monotonic() - t0

        banner("the statistics")
        headline(stats, seconds, totals["bytes"])
        planted = {k: totals[k] for k in ("rows", "clean", "dropped", "repaired")}
        found = {k: stats["quality"][k] for k in ("rows", "clean", "dropped", "repaired")}
        print("  every planted fault accounted for: " + ("yes" if planted == found else f"NO: {found}"))

        banner(f"aws lambda invoke --endpoint-url http://{engine.address} --function-name report")
        home = os.path.join(out, "aws-home")
        os.makedirs(home, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update({"HOME": home, "AWS_ACCESS_KEY_ID": "demo", "AWS_SECRET_ACCESS_KEY": "demo",
                    "AWS_DEFAULT_REGION": "us-east-1", "AWS_PAGER": "", "AWS_MAX_ATTEMPTS": "1",
                    "AWS_CONFIG_FILE": os.path.join(home, "none"),
                    "AWS_SHARED_CREDENTIALS_FILE": os.path.join(home, "none")})
        answer = os.path.join(out, "report-answer.json")
        p = subprocess.run(["/usr/bin/aws", "lambda", "invoke", "--endpoint-url", f"http://{engine.address}",
                            "--function-name", "report", "--output", "json", answer],
                           env=env, capture_output=True, text=True)
        if p.returncode == 0:
            with open(answer) as f:
                print(f"  {p.stdout.strip()}\n  payload: {f.read()}")
        else:
            print(f"  (the AWS CLI failed: {p.stderr.strip()})")
    finally:
        banner(f"stopping the engine (pid {engine.proc.pid})")
        status = engine.stop()
        print("  engine stopped cleanly" if status == 0 else f"  engine exited with status {status}")

    banner("results")
    print(f"  HTML report      {os.path.join(data, 'reports', 'report.html')}")
    print(f"  statistics       {stats_path}")
    print(f"  cleaned data     {os.path.join(data, 'clean', 'trips')}/  (quality reports in clean/quality/)")
    print(f"  function logs    {os.path.join(out, 'state', 'logs')}/")


if __name__ == "__main__":
    main()
