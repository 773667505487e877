#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run):
#   1. install dependencies (scripts/setup.sh --tests)
#   2. build build/ and run every test there (unit and integration)
#   3. build build-asan/ with AddressSanitizer + UndefinedBehaviorSanitizer and run every test there
# Exits non-zero if any build or test failed; the last line is the summary (a test ctest skipped, such
# as the Docker one where no Docker engine runs, is counted as skipped, not passed).
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

passed=0
failed=0
skipped=0
problems=()

step() { printf '\n==== %s\n' "$*"; }

# Runs ctest in $1 and adds its counts to the totals.
run_ctest() {
  local dir=$1 log
  log=$(mktemp)
  ctest --test-dir "$dir" --output-on-failure 2>&1 | tee "$log"
  local status=${PIPESTATUS[0]}
  local line nskipped
  line=$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1)
  # ctest counts a skipped test (listed under "The following tests did not run") as not failed.
  nskipped=$(grep -cE '^[[:space:]]+[0-9]+ - .* \(Skipped\)$' "$log" || true)
  rm -f "$log"
  if [[ -z $line ]]; then
    problems+=("ctest in $dir ran no test (status $status)")
    failed=$((failed + 1))
    return
  fi
  local nfailed ntotal
  nfailed=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
  ntotal=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\2/' <<<"$line")
  passed=$((passed + ntotal - nfailed - nskipped))
  failed=$((failed + nfailed))
  skipped=$((skipped + nskipped))
  if ((status != 0 || nfailed != 0)); then
    problems+=("$dir: $nfailed of $ntotal tests failed")
  fi
}

step "setup"
if ! scripts/setup.sh --tests; then
  echo "test.sh: setup failed" >&2
  echo "test.sh: 0 passed, 1 failed"
  exit 1
fi

step "JavaScript test dependencies (npm ci)"
if ! (cd tests/integration/js && npm ci --no-audit --no-fund); then
  problems+=("npm ci in tests/integration/js failed (the JS SDK tests will fail)")
fi

step "build (RelWithDebInfo)"
if scripts/build.sh build; then
  step "tests (build)"
  run_ctest build
else
  problems+=("build failed")
  failed=$((failed + 1))
fi

step "build (ASan + UBSan)"
if scripts/build.sh build-asan -DLAMBDAPORT_SANITIZE=ON -DLAMBDAPORT_BUILD_BENCH=OFF; then
  step "tests (build-asan)"
  run_ctest build-asan
else
  problems+=("ASan+UBSan build failed")
  failed=$((failed + 1))
fi

echo
for p in "${problems[@]}"; do
  echo "test.sh: $p"
done
echo "test.sh: $passed passed, $failed failed, $skipped skipped"
if ((failed > 0 || ${#problems[@]} > 0)); then
  exit 1
fi
