#!/usr/bin/env bash
# Installs what is missing (Debian 12, as root), builds everything and runs
# every test through ctest. SANITIZE=1 builds and runs under ASan+UBSan.
# Extra arguments go to ctest (e.g. -L unit, -R sigv4).
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$top/tests/lib/deps.sh"
sw_install_deps

sanitize=${SANITIZE:-0}
if [ "$sanitize" = 1 ]; then
  build=${BUILD_DIR:-$top/build-asan}
  cmake_args=(-DSECRETWATCH_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug)
  # collectd itself is not built with ASan: tests that load the plugin into
  # it preload the runtime; leaks in the daemon are not ours to report.
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
else
  build=${BUILD_DIR:-$top/build}
  cmake_args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
fi

cmake -S "$top" -B "$build" "${cmake_args[@]}" >/dev/null
cmake --build "$build" -j"$(nproc)"
cd "$build"
ctest --output-on-failure -j"$(nproc)" "$@"
