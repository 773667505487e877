#!/usr/bin/env python3
"""Storage throughput: the lambdaport SDK against the AWS CLI (`aws s3 cp`), same server, same run.

    scripts/build.sh build && python3 bench/storage_bench.py [--build build] [--repeat 3] [--large-mib 256]

Starts `moto_server` on a free loopback port (tests/integration/storage_servers.py), makes a 1 MiB and a
large (default 256 MiB) file of random bytes, and for each size measures, alternating the two tools so
that both see the same machine:
  PUT   SDK `put_file` (bench/lambdaport_storage_transfer put)  vs  `aws s3 cp FILE s3://…`
  GET   SDK streamed `get` into a file                           vs  `aws s3 cp s3://… FILE`
  COPY  SDK streamed `get` piped into `store.writer` (what a data handler does) vs
        `aws s3 cp s3://… - | aws s3 cp - s3://…`
Each figure is the median of --repeat runs of one whole process per transfer, which is how both are used
(the CLI's own start-up, about half a second of Python, is part of its figure and is printed
separately). Every downloaded file is compared with the original. MB/s is 10^6 bytes per second.
Targets (issue 3): SDK ≥ CLI on every row; the streaming copy of the large object keeps the SDK
process's peak RSS under 64 MiB.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))

import storage_servers  # noqa: E402

AWS_CLI = "/usr/bin/aws"  # AWS CLI v2 from Debian; a v1 `aws` may come first on PATH
BUCKET = "bench"
RSS_TARGET_KB = 64 * 1024


def sha256_of(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def random_file(path: str, size: int) -> None:
    with open(path, "wb") as f:
        left = size
        while left:
            n = min(left, 8 << 20)
            f.write(os.urandom(n))
            left -= n


class Bench:
    def __init__(self, transfer: str, env: dict[str, str], endpoint: str, workdir: str):
        self.transfer = transfer
        self.env = env
        self.endpoint = endpoint
        self.workdir = workdir

    def run(self, command: list[str] | str, shell: bool = False) -> float:
        start = time.perf_counter()
        done = subprocess.run(command, env=self.env, shell=shell, capture_output=True, text=True,
                              executable="/bin/bash" if shell else None)
        elapsed = time.perf_counter() - start
        if done.returncode != 0:
            raise SystemExit(f"storage_bench: {command!r} failed ({done.returncode}):\n"
                             f"{done.stdout}{done.stderr}")
        return elapsed

    def sdk(self, op: str, key: str, path: str) -> tuple[float, int]:
        """Whole-process time of one SDK transfer, and the process's peak RSS in kB."""
        start = time.perf_counter()
        done = subprocess.run([self.transfer, op, BUCKET, key, path], env=self.env,
                              capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        if done.returncode != 0:
            raise SystemExit(f"storage_bench: SDK {op} {key} failed ({done.returncode}):\n"
                             f"{done.stdout}{done.stderr}")
        return elapsed, int(json.loads(done.stdout.strip().splitlines()[-1])["peak_rss_kb"])

    def cli(self, *args: str) -> float:
        return self.run([AWS_CLI, "--endpoint-url", self.endpoint, "--only-show-errors", "s3", "cp",
                         *args])

    def cli_pipe(self, source: str, dest: str) -> float:
        aws = f"{AWS_CLI} --endpoint-url {self.endpoint} --only-show-errors s3 cp"
        return self.run(f"set -o pipefail; {aws} s3://{BUCKET}/{source} - | {aws} - s3://{BUCKET}/{dest}",
                        shell=True)


def mbps(size: int, seconds: float) -> float:
    return size / seconds / 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"), help="build folder (default build)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median), default 3")
    parser.add_argument("--large-mib", type=int, default=256, help="size of the large object, default 256")
    parser.add_argument("--keep-temp", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()

    transfer = os.path.join(os.path.abspath(args.build), "bench", "lambdaport_storage_transfer")
    if not os.access(transfer, os.X_OK):
        print(f"storage_bench: {transfer} is not built (scripts/build.sh {args.build})", file=sys.stderr)
        return 2
    if not os.access(AWS_CLI, os.X_OK):
        print(f"storage_bench: {AWS_CLI} is missing (Debian package awscli)", file=sys.stderr)
        return 2

    workdir = tempfile.mkdtemp(prefix="lambdaport-storage-bench-")
    sizes = {"1 MiB": 1 << 20, f"{args.large_mib} MiB": args.large_mib << 20}
    rows = []
    try:
        for label, size in sizes.items():
            random_file(os.path.join(workdir, f"{size}.bin"), size)
        with storage_servers.MotoServer(os.path.join(workdir, "moto"), auth=False) as moto:
            env = moto.client_env(moto.credentials)
            bench = Bench(transfer, env, moto.endpoint, workdir)
            bench.run([AWS_CLI, "--endpoint-url", moto.endpoint, "s3api", "create-bucket",
                       "--bucket", BUCKET])
            cli_start = statistics.median(bench.run([AWS_CLI, "--version"]) for _ in range(3))

            for label, size in sizes.items():
                source = os.path.join(workdir, f"{size}.bin")
                digest = sha256_of(source)
                times: dict[str, list[float]] = {k: [] for k in
                                                 ("put-sdk", "put-cli", "get-sdk", "get-cli",
                                                  "copy-sdk", "copy-cli")}
                rss: dict[str, int] = {}
                for i in range(args.repeat):
                    t, rss["put"] = bench.sdk("put", f"sdk-{size}", source)
                    times["put-sdk"].append(t)
                    times["put-cli"].append(bench.cli(source, f"s3://{BUCKET}/cli-{size}"))
                    for tool in ("sdk", "cli"):
                        out = os.path.join(workdir, f"get-{tool}.bin")
                        if tool == "sdk":
                            t, rss["get"] = bench.sdk("get", f"cli-{size}", out)
                        else:
                            t = bench.cli(f"s3://{BUCKET}/sdk-{size}", out)
                        times[f"get-{tool}"].append(t)
                        if sha256_of(out) != digest:
                            raise SystemExit(f"storage_bench: {tool} GET of {label} differs from the original")
                        os.unlink(out)
                    t, rss["copy"] = bench.sdk("stream", f"cli-{size}", f"copy-sdk-{size}")
                    times["copy-sdk"].append(t)
                    times["copy-cli"].append(bench.cli_pipe(f"sdk-{size}", f"copy-cli-{size}"))
                for op in ("put", "get", "copy"):
                    sdk = statistics.median(times[f"{op}-sdk"])
                    cli = statistics.median(times[f"{op}-cli"])
                    rows.append((op.upper(), label, size, sdk, cli, rss[op]))
    finally:
        if args.keep_temp:
            print(f"storage_bench: kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    print(f"\nlambdaport storage bench: moto_server on loopback, median of {args.repeat} runs, "
          f"one process per transfer")
    print(f"AWS CLI start-up (`aws --version`, median): {cli_start * 1000:.0f} ms\n")
    print("| op | size | SDK MB/s | AWS CLI MB/s | SDK / CLI | CLI MB/s less its start-up | SDK peak RSS | target |")
    print("|---|---|---|---|---|---|---|---|")
    misses = 0
    for op, label, size, sdk, cli, peak in rows:
        ratio = cli / sdk
        target = "PASS" if ratio >= 1.0 else "MISS"
        if op == "COPY" and size == max(sizes.values()):
            ok = peak < RSS_TARGET_KB
            target += f", RSS {'PASS' if ok else 'MISS'}"
            misses += not ok
        misses += ratio < 1.0
        # COPY runs two CLI processes (a pipe), so two start-ups.
        starts = 2 if op == "COPY" else 1
        warm = cli - starts * cli_start
        warm_text = f"{mbps(size, warm):.1f}" if warm > 0 else "n/a"
        print(f"| {op} | {label} | {mbps(size, sdk):.1f} ({sdk * 1000:.0f} ms) | "
              f"{mbps(size, cli):.1f} ({cli * 1000:.0f} ms) | {ratio:.2f}× | {warm_text} | "
              f"{peak / 1024:.1f} MiB | {target} |")
    print(f"\nstorage_bench: {misses} target(s) missed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
