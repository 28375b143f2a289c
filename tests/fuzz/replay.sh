#!/bin/sh
# usage: replay.sh EXE TARGET [CMAKE BUILD_DIR]
# Runs the harness EXE once over the seed corpus of TARGET (built now by
# seeds.py, with the shared fixtures when SW_TESTDATA has them) and over the
# committed crash inputs in regressions/TARGET. EXE is either a replay
# binary (normal builds) or a libFuzzer binary, which -runs=0 keeps from
# fuzzing. With CMAKE and BUILD_DIR, EXE's target is built first (the
# plugin's harnesses are not in ALL). Exit status: the harness's (non-zero
# on any crash), or 1 when it does not build.
set -eu
exe=$1
target=$2
here=$(cd "$(dirname "$0")" && pwd)
py=${SW_PYTHON:-/usr/bin/python3}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sw-replay.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
if [ $# -ge 4 ]; then
  if ! "$3" --build "$4" --target "$(basename "$exe")" >"$tmp/build.log" 2>&1
  then
    echo "replay: $(basename "$exe") does not build:" >&2
    grep -E "error" "$tmp/build.log" | head -n 20 >&2
    exit 1
  fi
fi
"$py" "$here/seeds.py" "$target" "$tmp/seeds"
set -- "$tmp/seeds"
if [ -d "$here/regressions/$target" ]; then
  set -- "$@" "$here/regressions/$target"
fi
# UBSan findings are failures, as under tests/run.sh SANITIZE=1.
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export UBSAN_OPTIONS
rc=0
# A libFuzzer binary writes the crashing input next to the build; the replay
# binary ignores these flags.
"$exe" -runs=0 -artifact_prefix="${SW_BUILD_DIR:-$tmp}/fuzz-replay-$target-" \
  "$@" || rc=$?
exit "$rc"
