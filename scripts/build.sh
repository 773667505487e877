#!/usr/bin/env bash
# Configures and builds lambdaport.
#   scripts/build.sh [BUILD_DIR] [extra cmake arguments...] [--target TARGET | --target=TARGET]...
# BUILD_DIR defaults to build/ at the repository root; RelWithDebInfo with Ninja, one job per core
# (LAMBDAPORT_BUILD_JOBS to change).
# With --target, only those targets (and what they need) are built; without, everything.
# Debug information is -g1 (line tables: backtraces, sanitizer reports and perf name file and line)
# rather than -g, which makes the heaviest files compile ~1.5x slower; for gdb with local variables,
# pass -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g -DNDEBUG".
# ccache is used when it is installed (LAMBDAPORT_CCACHE=0 turns it off).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=build
if (($# > 0)) && [[ $1 != -* ]]; then
  build_dir=$1
  shift
fi
[[ $build_dir = /* ]] || build_dir=$root/$build_dir

cmake_args=()
targets=()
while (($# > 0)); do
  if [[ $1 == --target ]]; then
    (($# >= 2)) || { echo "build.sh: --target needs a target name" >&2; exit 2; }
    targets+=(--target "$2")
    shift 2
  elif [[ $1 == --target=* ]]; then
    targets+=(--target "${1#--target=}")
    shift
  else
    cmake_args+=("$1")
    shift
  fi
done

configure=(cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo)
# A build folder keeps the generator, compiler and flags it was first configured with.
if [[ ! -f $build_dir/CMakeCache.txt ]]; then
  configure+=(-G Ninja "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG")
  if [[ ${LAMBDAPORT_CCACHE:-1} != 0 ]] && command -v ccache >/dev/null 2>&1; then
    # The engine's precompiled header: ccache caches files that use one only with this sloppiness.
    configure+=("-DCMAKE_CXX_COMPILER_LAUNCHER=env;CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime;ccache")
  fi
fi
"${configure[@]}" "${cmake_args[@]}"
cmake --build "$build_dir" -j "${LAMBDAPORT_BUILD_JOBS:-$(nproc)}" "${targets[@]}"
