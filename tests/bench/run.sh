#!/bin/sh
# secretwatch's benchmark (issue 8): builds in release mode into
# build-bench/, then runs tests/bench/bench.py (simulator, cycle driver,
# callgrind, baselines), prints the table and writes tests/bench/results.md.
# QUICK=1: a smaller grid and fewer cycles (< 2 minutes); the default run
# takes a few minutes (< 10). Needs cmake, a C compiler, collectd-dev,
# valgrind (section 3's instruction counts), python3-boto3 and /usr/bin/aws.
# Environment: BUILD_DIR (default <source>/build-bench), OUT (default
# tests/bench/results.md), JOBS (build parallelism, default 1).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=${BUILD_DIR:-$src/build-bench}
out=${OUT:-$here/results.md}
jobs=${JOBS:-1}
# Release (-O3), as a distribution would build it.
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS= \
  >"$build.cmake.log" 2>&1 ||
  { cat "$build.cmake.log"; exit 1; }
cmake --build "$build" -j"$jobs" --target sw_cycle_driver sw_sigv4_bench \
  secretwatch >"$build.build.log" 2>&1 || { tail -50 "$build.build.log"; exit 1; }
set --
[ "${QUICK:-0}" = 1 ] && set -- --quick
# a hard bound on the whole run
exec timeout 900 /usr/bin/python3 "$here/bench.py" --build-dir "$build" \
  --out "$out" "$@"
