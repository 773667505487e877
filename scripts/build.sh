#!/usr/bin/env bash
# Configures and builds lambdaport.
#   scripts/build.sh [BUILD_DIR] [extra cmake arguments...]
# BUILD_DIR defaults to build/ at the repository root; RelWithDebInfo with Ninja, two parallel jobs.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${1:-build}
shift $(( $# > 0 ? 1 : 0 ))
[[ $build_dir = /* ]] || build_dir=$root/$build_dir

configure=(cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo)
# A build folder keeps the generator it was first configured with.
if [[ ! -f $build_dir/CMakeCache.txt ]]; then
  configure+=(-G Ninja)
fi
"${configure[@]}" "$@"
cmake --build "$build_dir" -j2
