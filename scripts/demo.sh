#!/usr/bin/env bash
# The main job: install dependencies, build, then run the taxi-trip pipeline on local disk under
# `lambdaport serve` (scripts/pipeline_demo.py): generate messy data, drop it into the `raw` bucket,
# watch split → clean ×N → analyse → report, print the statistics and where the HTML report is.
#   scripts/demo.sh [--size 300MB] [--out demo-output] [--seed 1]
# Listens on 127.0.0.1:3001, or a free port if 3001 is taken. LAMBDAPORT_DEMO_SKIP_BUILD=1 uses an
# existing build/ as is.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

if [[ -z ${LAMBDAPORT_DEMO_SKIP_BUILD:-} ]]; then
  scripts/setup.sh
  # Only what the demo runs (the lambdaport_demo target: the engine, the pipeline's four functions and
  # the data generator); the tests, benchmarks and other examples are scripts/build.sh's full build.
  scripts/build.sh build --target lambdaport_demo
fi
exec python3 scripts/pipeline_demo.py "$@"
