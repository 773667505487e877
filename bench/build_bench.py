#!/usr/bin/env python3
"""Build times from a clean build folder, in one run: what the demo builds against the full build.

    python3 bench/build_bench.py [--jobs N] [--keep DIR] [--cold-ccache]

Two builds, each configured by scripts/build.sh into a new, empty folder, one after the other:

  demo      the target scripts/demo.sh builds, lambdaport_demo (the engine, the pipeline's functions,
            the generator)
  full      everything scripts/build.sh builds (tests, benchmarks and the other examples too)  ← baseline

The compiler cache is off (LAMBDAPORT_CCACHE=0) unless --cold-ccache, which gives each build an
empty cache of its own (what a first run on a machine with ccache pays). For each build: the wall
time, the CPU seconds of the compile and link steps from Ninja's log, split by top-level folder and
by target, and the slowest files; then the demo build's share of the full one. Wall time moves with
the machine's load (printed at the start and end); the CPU split and the ratio move much less.
"""

from __future__ import annotations

import argparse
import collections
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEMO_TARGET = "lambdaport_demo"  # what scripts/demo.sh builds (CMakeLists.txt)


def load_average() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def ninja_steps(build_dir: str) -> list[tuple[float, str]]:
    """(seconds, output) for each step of the last build in build_dir/.ninja_log."""
    steps = {}
    with open(os.path.join(build_dir, ".ninja_log")) as f:
        for line in f:
            if line.startswith("#"):
                continue
            start, end, _, output, _ = line.rstrip("\n").split("\t")
            steps[output] = (int(end) - int(start)) / 1000
    return [(seconds, output) for output, seconds in steps.items()]


def group_of(output: str) -> tuple[str, str]:
    """(top-level folder, target) of a Ninja output such as runtime/CMakeFiles/x.dir/src/a.cpp.o."""
    parts = output.split("/")
    folder = parts[0] if len(parts) > 1 else "(top)"
    target = parts[parts.index("CMakeFiles") + 1].removesuffix(".dir") if "CMakeFiles" in parts else output
    return folder, target


def build(name: str, targets: list[str], jobs: int, parent: str, cold_ccache: bool) -> dict:
    build_dir = os.path.join(parent, name)
    env = dict(os.environ)
    if cold_ccache:
        env["CCACHE_DIR"] = os.path.join(parent, f"ccache-{name}")
        env.pop("LAMBDAPORT_CCACHE", None)
    else:
        env["LAMBDAPORT_CCACHE"] = "0"
    env["LAMBDAPORT_BUILD_JOBS"] = str(jobs)
    command = [os.path.join(ROOT, "scripts", "build.sh"), build_dir]
    for t in targets:
        command += ["--target", t]
    print(f"\n== {name}: scripts/build.sh {' '.join(command[1:])}", flush=True)
    load_before = load_average()
    started = time.monotonic()
    p = subprocess.run(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    wall = time.monotonic() - started
    if p.returncode != 0:
        sys.stdout.write(p.stdout[-4000:])
        raise SystemExit(f"build_bench: the {name} build failed (status {p.returncode})")
    steps = ninja_steps(build_dir)
    by_folder: collections.Counter[str] = collections.Counter()
    by_target: collections.Counter[str] = collections.Counter()
    for seconds, output in steps:
        folder, target = group_of(output)
        by_folder[folder] += seconds
        by_target[target] += seconds
    cpu = sum(s for s, _ in steps)
    print(f"{name}: {len(steps)} steps, {wall:.1f} s wall, {cpu:.1f} CPU-s in steps "
          f"(load average {load_before} before, {load_average()} after)")
    print("  by folder: " + ", ".join(f"{k} {v:.1f}" for k, v in by_folder.most_common()))
    print("  heaviest targets: " + ", ".join(f"{k} {v:.1f}" for k, v in by_target.most_common(8)))
    print("  slowest steps:")
    for seconds, output in sorted(steps, reverse=True)[:8]:
        print(f"    {seconds:6.1f} s  {output}")
    return {"wall": wall, "cpu": cpu, "steps": len(steps)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="parallel jobs (default: cores)")
    ap.add_argument("--keep", help="build in this folder and keep it (default: a temporary one, removed)")
    ap.add_argument("--cold-ccache", action="store_true", help="each build with an empty ccache of its own")
    a = ap.parse_args()
    if a.cold_ccache and not shutil.which("ccache"):
        raise SystemExit("build_bench: --cold-ccache, but ccache is not installed")
    parent = os.path.abspath(a.keep) if a.keep else tempfile.mkdtemp(prefix="lambdaport-build-bench-")
    os.makedirs(parent, exist_ok=True)
    for name in ("demo", "full"):
        if os.path.exists(os.path.join(parent, name)):
            raise SystemExit(f"build_bench: {os.path.join(parent, name)} exists: give an empty --keep folder")
    print(f"build_bench: {a.jobs} jobs, {os.cpu_count()} cores, ccache "
          f"{'cold' if a.cold_ccache else 'off'}, in {parent}")
    try:
        demo = build("demo", [DEMO_TARGET], a.jobs, parent, a.cold_ccache)
        full = build("full", [], a.jobs, parent, a.cold_ccache)
    finally:
        if not a.keep:
            shutil.rmtree(parent, ignore_errors=True)
    print(f"\ndemo ÷ full: {demo['wall'] / full['wall']:.2f} of the wall time, "
          f"{demo['cpu'] / full['cpu']:.2f} of the CPU time, {demo['steps']} of {full['steps']} steps")


if __name__ == "__main__":
    main()
