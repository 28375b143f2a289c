#!/bin/sh
# secretwatch's benchmark (issue 8): builds in release mode into
# build-bench/, then runs tests/bench/bench.py (simulator, cycle driver,
# callgrind, baselines), prints the table and writes tests/bench/results.md.
# QUICK=1: a smaller grid and fewer cycles (< 2 minutes); the default run
# takes a few minutes (< 10). Needs cmake, a C compiler, collectd-dev,
# valgrind (section 3's instruction counts), python3-boto3 and /usr/bin/aws.
# Section 8 (scale: LookupEvents strategy crossover, 20 collectd on one
# account, one collectd on 50 accounts; tests/bench/scale.py) adds about 8
# minutes and needs collectd-core. `run.sh --scale-only` runs section 8
# alone and rewrites only that part of results.md; `run.sh --no-scale`
# leaves it out.
# Environment: BUILD_DIR (default <source>/build-bench), OUT (default
# tests/bench/results.md), JOBS (build parallelism, default 1).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=${BUILD_DIR:-$src/build-bench}
out=${OUT:-$here/results.md}
jobs=${JOBS:-1}
scale=
case "${1:-}" in
--scale-only) scale=--only-scale ;;
--no-scale) scale=--no-scale ;;
"") ;;
*) echo "usage: $0 [--scale-only|--no-scale]" >&2; exit 2 ;;
esac
# Release (-O3), as a distribution would build it.
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS= \
  >"$build.cmake.log" 2>&1 ||
  { cat "$build.cmake.log"; exit 1; }
cmake --build "$build" -j"$jobs" --target sw_cycle_driver sw_sigv4_bench \
  secretwatch >"$build.build.log" 2>&1 || { tail -50 "$build.build.log"; exit 1; }
set -- $scale
[ "${QUICK:-0}" = 1 ] && set -- "$@" --quick
# a hard bound on the whole run
exec timeout 1800 /usr/bin/python3 "$here/bench.py" --build-dir "$build" \
  --out "$out" "$@"
