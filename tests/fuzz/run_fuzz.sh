#!/usr/bin/env bash
# usage: tests/fuzz/run_fuzz.sh [SECONDS_PER_TARGET]   (default 10)
#
# Builds the libFuzzer harnesses with clang (ASan+UBSan) into build-fuzz,
# seeds a corpus per harness in a temporary directory (tests/fuzz/seeds.py,
# plus the shared fixtures when SW_TESTDATA points at them, plus the
# committed regressions), runs each harness for the given time, prints a
# table (target, runs, exec/s, result) and exits 1 when any harness crashed,
# leaked, hung or broke an invariant. Installs nothing: clang and
# libclang-rt-14-dev come from tests/lib/deps.sh. Exits 77 (skipped) when
# clang or its libFuzzer runtime is missing.
#
# Environment:
#   FUZZ_BUILD_DIR   clang build directory (default <top>/build-fuzz)
#   FUZZ_TARGETS     space-separated subset of harnesses (default: all built)
#   FUZZ_MAX_LEN     -max_len (default 65536 bytes)
#   FUZZ_RSS_MB      -rss_limit_mb (default 1024)
#   FUZZ_ARTIFACTS   where crash inputs are kept
#                    (default <build>/fuzz-artifacts)
#   FUZZ_KEEP_CORPUS directory to keep the grown corpora in (default: none)
#   FUZZ_JOBS        build parallelism (default 1: the machine is shared)
#   SW_SKIP_FUZZ=1   exit 77 at once (the ctest test fuzz.run is skipped)
set -euo pipefail

if [ "${SW_SKIP_FUZZ:-0}" = 1 ]; then
  echo "run_fuzz: SW_SKIP_FUZZ=1; skipping" >&2
  exit 77
fi

secs=${1:-10}
case "$secs" in
'' | *[!0-9]*)
  echo "usage: $0 [SECONDS_PER_TARGET]" >&2
  exit 2
  ;;
esac
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${FUZZ_BUILD_DIR:-$top/build-fuzz}
max_len=${FUZZ_MAX_LEN:-65536}
rss_mb=${FUZZ_RSS_MB:-1024}
artifacts=${FUZZ_ARTIFACTS:-$build/fuzz-artifacts}
py=${SW_PYTHON:-/usr/bin/python3}
: "${SW_TESTDATA:=$top/../shared/testdata}"
export SW_TESTDATA

clang=$(command -v clang || true)
if [ -z "$clang" ] ||
  ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a \
    >/dev/null 2>&1; then
  echo "run_fuzz: clang with the libFuzzer runtime is not installed" \
    "(packages clang libclang-rt-14-dev); skipping" >&2
  exit 77
fi

echo "run_fuzz: building the clang fuzz build in $build" >&2
if ! CC=$clang cmake -S "$top" -B "$build" -DSECRETWATCH_FUZZ=ON \
  -DCMAKE_BUILD_TYPE=Debug >"$build.configure.log" 2>&1; then
  cat "$build.configure.log" >&2
  exit 1
fi
rm -f "$build.configure.log"
all_built=0
cmake --build "$build" -j"${FUZZ_JOBS:-1}" --target fuzz_all >&2 && all_built=1

read -r -a targets <<<"${FUZZ_TARGETS:-$(tr '\n' ' ' <"$build/tests/fuzz/fuzz_targets.txt")}"
if [ "${#targets[@]}" = 0 ]; then
  echo "run_fuzz: no harness is built" >&2
  exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sw-fuzz.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$artifacts"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# What a failed run's log says it found.
classify() {
  local log=$1
  if grep -q "invariant broken" "$log"; then echo INVARIANT
  elif grep -q "ERROR: LeakSanitizer" "$log"; then echo LEAK
  elif grep -q "runtime error:" "$log"; then echo UBSAN
  elif grep -q "ERROR: AddressSanitizer" "$log"; then echo ASAN
  elif grep -q "ERROR: libFuzzer: timeout" "$log"; then echo TIMEOUT
  elif grep -q "out-of-memory" "$log"; then echo OOM
  elif grep -q "deadly signal" "$log"; then echo CRASH
  else echo "FAILED"
  fi
}

failed=0
rows=()
for t in "${targets[@]}"; do
  exe=$build/tests/fuzz/fuzz_$t
  # One harness that does not compile must not stop the others: those not
  # built with fuzz_all are built here, one by one.
  if [ "$all_built" = 1 ] &&
    grep -qx "fuzz_$t" "$build/tests/fuzz/fuzz_all_targets.txt"; then
    : # built above
  elif ! cmake --build "$build" -j"${FUZZ_JOBS:-1}" --target "fuzz_$t" \
    >"$tmp/build-$t.log" 2>&1; then
    exe=/nonexistent
  fi
  if [ ! -x "$exe" ]; then
    echo "---- fuzz_$t does not build:" >&2
    grep -E "error" "$tmp/build-$t.log" | head -n 20 >&2 || true
    rows+=("$(printf '%-12s %12s %10s  %s' "$t" - - "BUILD FAILED")")
    failed=1
    continue
  fi
  corpus=$tmp/corpus/$t
  "$py" "$here/seeds.py" "$t" "$corpus" >&2
  dirs=("$corpus")
  [ -d "$here/regressions/$t" ] && dirs+=("$here/regressions/$t")
  log=$tmp/$t.log
  rc=0
  # The outer timeout is a backstop: libFuzzer stops itself after secs.
  timeout --kill-after=10 $((secs + 120)) "$exe" \
    -max_total_time="$secs" -max_len="$max_len" -rss_limit_mb="$rss_mb" \
    -timeout=20 -dict="$here/aws.dict" -print_final_stats=1 \
    -artifact_prefix="$artifacts/$t-" "${dirs[@]}" >"$log" 2>&1 || rc=$?
  # A crash on a seed leaves no statistics: these may find nothing.
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1) ||
    true
  speed=$(grep -o 'exec/s: [0-9]*' "$log" | tail -1 | sed 's/exec\/s: //') ||
    true
  if [ "$rc" = 0 ]; then
    result=ok
  else
    result=$(classify "$log")
    failed=1
    cp "$log" "$artifacts/$t.log"
    echo "---- fuzz_$t failed ($result), last lines of its log" \
      "(full log: $artifacts/$t.log):" >&2
    tail -n 40 "$log" >&2
  fi
  rows+=("$(printf '%-12s %12s %10s  %s' "$t" "${runs:--}" "${speed:--}" "$result")")
  if [ -n "${FUZZ_KEEP_CORPUS:-}" ]; then
    mkdir -p "$FUZZ_KEEP_CORPUS/$t"
    cp -n "$corpus"/* "$FUZZ_KEEP_CORPUS/$t/" 2>/dev/null || true
  fi
done

echo
echo "fuzzing: ${secs}s per target, max_len $max_len, rss limit ${rss_mb} MB"
printf '%-12s %12s %10s  %s\n' target runs exec/s result
for r in "${rows[@]}"; do echo "$r"; done
if [ "$failed" != 0 ]; then
  echo "run_fuzz: FAILED; crash inputs are in $artifacts" \
    "(add each as tests/fuzz/regressions/<target>/<name> once fixed)"
  exit 1
fi
echo "run_fuzz: all targets ok"
