#!/usr/bin/env bash
# Installs what is missing (Debian 12, as root), builds everything and runs
# every test through ctest. SANITIZE=1 builds and runs under ASan+UBSan.
# Extra arguments go to ctest (e.g. -L unit, -R sigv4). BUILD_DIR overrides
# the build directory (default build/, build-asan/ for SANITIZE=1).
#
# tests/run.sh --deep [ctest args]: the valgrind (memcheck) run, on the
# normal RelWithDebInfo build in the same directory as tests/run.sh (built
# if needed; not with SANITIZE=1: valgrind and ASan do not mix). Two stages,
# both run, either failing fails the script:
#  1. Every test labelled `collectd` with SW_VALGRIND=1: each collectd the
#     test starts through tests/lib/swharness.{py,sh} (collectd -f and -T)
#     runs under valgrind with tests/plugin/valgrind.supp; the test fails
#     on any valgrind error in the process or a definite leak with a frame
#     in secretwatch.so (collectd's own leaks at exit are not ours), and
#     its time-outs stretch by SW_TIME_SCALE (default 3).
#       run, collectd under valgrind: plugin.collectd_T,
#         plugin.integration_honeytoken_{json,query,logs}, eco.graphite,
#         eco.prometheus, eco.systemd, eco.package, nagios.daemon,
#         provision.integration (its collectd -T of the generated block).
#       run, collectd not yet under valgrind: ansible.role and
#         demo.demo_sh start collectd through a wrapper only for ASan
#         builds (their scripts would call swharness.wrapper_needed() /
#         sw_valgrind_on to get valgrind's).
#       not run: faults.* (the fault table kills and restarts collectd for
#         minutes; owned by its own suite and run by the plain and ASan
#         passes) and bench.* (timings are meaningless under valgrind).
#  2. The C unit tests (labels unit and plugin, without collectd:
#     unit.test_*, plugin.test_plugin_*, provision.test_pv_*) under
#     `ctest -T memcheck` with valgrind: any error or definite leak fails.
# About 3 minutes on 2 cores once built. .ci/run runs it after the plain
# and SANITIZE=1 passes.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
deep=0
args=()
for a in "$@"; do
  if [ "$a" = --deep ]; then deep=1; else args+=("$a"); fi
done

. "$top/tests/lib/deps.sh"
sw_install_deps

sanitize=${SANITIZE:-0}
if [ "$deep" = 1 ] && [ "$sanitize" = 1 ]; then
  echo "tests/run.sh: --deep runs valgrind on the normal build; unset SANITIZE" >&2
  exit 2
fi
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
if [ "$deep" = 0 ]; then
  ctest --output-on-failure -j"$(nproc)" "${args[@]}"
  exit
fi

# ---- --deep ----------------------------------------------------------------
t0=$(date +%s)
supp=$top/tests/plugin/valgrind.supp
rc=0
echo "== tests/run.sh --deep 1/2: real collectd under valgrind (ctest -L collectd)"
SW_VALGRIND=1 ctest --output-on-failure -j"$(nproc)" -L collectd "${args[@]}" ||
  rc=1
t1=$(date +%s)

echo "== tests/run.sh --deep 2/2: C unit tests under valgrind (ctest -T memcheck)"
# No DartConfiguration.tcl here (no include(CTest)): ctest says it cannot
# find it and takes the settings from --overwrite. --error-exitcode makes a
# test with a valgrind error or a definite leak fail.
rm -f Testing/Temporary/MemoryChecker.*.log
vg_opts="--leak-check=full --show-leak-kinds=definite"
vg_opts+=" --errors-for-leak-kinds=definite --error-exitcode=66"
vg_opts+=" --num-callers=30 --track-origins=yes"
if ! ctest -T memcheck --output-on-failure -j"$(nproc)" \
  -L 'unit|plugin' -LE collectd \
  --overwrite MemoryCheckCommand=/usr/bin/valgrind \
  --overwrite "MemoryCheckCommandOptions=$vg_opts" \
  --overwrite "MemoryCheckSuppressionFile=$supp" "${args[@]}" 2>&1 |
  grep -v 'DartConfiguration.tcl'; then
  rc=1
fi
# ctest does not print valgrind's report of a failed test: show it.
for log in Testing/Temporary/MemoryChecker.*.log; do
  [ -f "$log" ] || continue
  if grep -qE 'ERROR SUMMARY: [1-9]|definitely lost: [1-9]' "$log"; then
    echo "---- valgrind report $log"
    grep -E '^==[0-9]+==' "$log" | head -120
    rc=1
  fi
done
t2=$(date +%s)
echo "== tests/run.sh --deep: collectd stage $((t1 - t0)) s, unit stage" \
  "$((t2 - t1)) s: $([ "$rc" = 0 ] && echo passed || echo FAILED)"
exit "$rc"
