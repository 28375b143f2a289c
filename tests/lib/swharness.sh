# Shared plumbing of the shell tests that run a real collectd with the built
# secretwatch.so against tests/awssim (the shell side of swharness.py).
# POSIX sh; source it:  . "$SRC/tests/lib/swharness.sh"
#
#   sw_skip WHY               print "skip: WHY", exit 77
#   sw_need_collectd P...     skip unless collectd and Debian's plugins P exist
#   sw_is_asan SO             true when SO is an AddressSanitizer build
#   sw_work PREFIX            WORK=a new temporary directory; on exit the
#                             simulator is stopped and WORK removed
#   sw_plugin_dir DIR SO P... DIR with copies of SO (as secretwatch.so) and
#                             of Debian's plugins P (collectd refuses links)
#   sw_start_sim              tests/awssim in $WORK/sim; sets SIM_PID, EP, CA;
#                             returns 1 when it did not start within 10 s
#   sw_collectd SO SECS ARG... collectd ARG... under `timeout SECS`, with the
#                             ASan runtime preloaded (only into collectd)
#                             when SO is an ASan build
#   sw_collectd_wrapper F SO  F: a script that runs collectd as sw_collectd
#                             does, for a program that starts collectd
#   sw_sanitizer_check        prints the sanitizer (and valgrind) reports
#                             written by sw_collectd runs; returns 1 when
#                             there are any
#   sw_valgrind_on            true under SW_VALGRIND=1 (tests/run.sh --deep)
#   sw_scale SECS             SECS stretched by the time-out factor
#                             (SW_TIME_SCALE; 3 under valgrind, else 1)
#
# Under SW_VALGRIND=1, sw_collectd and sw_collectd_wrapper run collectd under
# valgrind's memcheck (the normal build; an ASan one is skipped), each
# process writing $WORK/sanitizer/valgrind.<pid>.{xml,log}. What fails a
# test is judged by swharness.py (valgrind_check: any error, or a definite
# leak with a frame in secretwatch.so): sw_sanitizer_check reports it, and
# the exit trap of sw_work turns the test's exit status into 1 when a
# report was left unchecked.

SW_COLLECTD=/usr/sbin/collectd
SW_PY=${SW_PYTHON:-/usr/bin/python3}
SW_SRC=${SW_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
SW_KEY=AKIAAWSSIMALICE00001
SW_SECRET_KEY=aliceSecretKey/awssim/000000000000000000
SIM_PID=
WORK=

sw_skip() {
  echo "skip: $*"
  exit 77
}

sw_need_collectd() {
  [ -x "$SW_COLLECTD" ] || sw_skip "$SW_COLLECTD (Debian collectd-core) is not installed"
  for p in "$@"; do
    [ -f "/usr/lib/collectd/$p.so" ] ||
      sw_skip "collectd plugin $p.so missing (Debian collectd-core)"
  done
}

sw_is_asan() {
  # grep reads all (no -q): nm is not cut off, which `pipefail` would see
  nm -D "$1" 2>/dev/null | grep '__asan_init' >/dev/null
}

sw_valgrind_on() {
  case "${SW_VALGRIND:-}" in 1 | yes | true | on) return 0 ;; esac
  return 1
}

sw_scale() { # sw_scale SECS: SECS times the time-out factor, rounded up
  sw_f=${SW_TIME_SCALE:-}
  if [ -z "$sw_f" ]; then
    if sw_valgrind_on; then sw_f=3; else sw_f=1; fi
  fi
  awk -v s="$1" -v f="$sw_f" 'BEGIN { if (f < 1) f = 1; v = s * f;
    printf "%d\n", (v == int(v)) ? v : int(v) + 1 }'
}

# sw_valgrind_cmd: the valgrind command line (one line, words without
# blanks) to put before collectd; its reports go to $WORK/sanitizer.
sw_valgrind_cmd() {
  mkdir -p "$WORK/sanitizer" && chmod 1777 "$WORK/sanitizer"
  # exec's fork before its exec runs collectd code: not checked
  printf '%s' "/usr/bin/valgrind --tool=memcheck --leak-check=full \
--show-leak-kinds=definite --errors-for-leak-kinds=definite \
--keep-debuginfo=yes --num-callers=30 --child-silent-after-fork=yes \
--suppressions=$SW_SRC/tests/plugin/valgrind.supp --xml=yes \
--xml-file=$WORK/sanitizer/valgrind.%p.xml \
--log-file=$WORK/sanitizer/valgrind.%p.log"
  [ "${SW_VALGRIND_TRACK_FDS:-}" = 1 ] && printf ' %s' --track-fds=yes
  [ -n "${SW_VALGRIND_OPTS:-}" ] && printf ' %s' "$SW_VALGRIND_OPTS"
  echo
}

sw_valgrind_need() { # sw_valgrind_need SO: skip unless valgrind can run SO
  [ -x /usr/bin/valgrind ] || sw_skip "SW_VALGRIND=1 but valgrind is not installed"
  if sw_is_asan "$1"; then
    sw_skip "SW_VALGRIND=1 needs the normal build of the plugin, not ASan"
  fi
}

# The valgrind reports of $WORK/sanitizer, judged by swharness.py; prints
# them, returns 1 when one fails the test.
sw_valgrind_check() {
  ls "$WORK/sanitizer"/valgrind.*.xml >/dev/null 2>&1 || return 0
  "$SW_PY" "$SW_SRC/tests/lib/swharness.py" valgrind-check "$WORK/sanitizer"
}

sw_cleanup() {
  sw_status=$?
  if [ -n "$SIM_PID" ]; then
    kill "$SIM_PID" 2>/dev/null
    wait "$SIM_PID" 2>/dev/null
  fi
  # A valgrind report the test did not look at still fails it.
  if [ -n "$WORK" ] && [ -d "$WORK/sanitizer" ] && [ "$sw_status" != 1 ] &&
    ! sw_valgrind_check >"$WORK/valgrind.check" 2>&1; then
    echo "FAIL valgrind reported an error in collectd"
    cat "$WORK/valgrind.check"
    sw_status=1
  fi
  [ -n "$WORK" ] && rm -rf "$WORK"
  exit "$sw_status"
}

sw_work() {
  WORK=$(mktemp -d "/tmp/$1-XXXXXX") || exit 1
  trap sw_cleanup EXIT
  trap "exit 1" INT TERM HUP PIPE
}

sw_plugin_dir() {
  sw_dir=$1 sw_so=$2
  shift 2
  mkdir -p "$sw_dir" || return 1
  cp "$sw_so" "$sw_dir/secretwatch.so" || return 1
  for p in "$@"; do
    cp "/usr/lib/collectd/$p.so" "$sw_dir/" || return 1
  done
}

sw_sim_value() { # sw_sim_value KEY: a field of awssim.json
  "$SW_PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' \
    "$WORK/sim/awssim.json" "$1"
}

sw_start_sim() {
  EP= CA=
  [ -x "$SW_SRC/tests/awssim/awssim" ] || return 1
  "$SW_PY" "$SW_SRC/tests/awssim/awssim" --dir "$WORK/sim" >"$WORK/sim.log" 2>&1 &
  SIM_PID=$!
  sw_i=0
  while [ ! -f "$WORK/sim/awssim.json" ] && [ $sw_i -lt 100 ]; do
    sleep 0.1
    sw_i=$((sw_i + 1))
  done
  [ -f "$WORK/sim/awssim.json" ] || return 1
  EP=$(sw_sim_value endpoint_https)
  CA=$(sw_sim_value ca_file)
}

# The ASan runtime the plugin links (ldd), else the one gcc names.
sw_asan_runtime() {
  sw_rt=$(ldd "$1" 2>/dev/null | awk '$1 ~ /^libasan\.so/ && $3 ~ /^\// {print $3; exit}')
  if [ -z "$sw_rt" ]; then
    sw_rt=$(gcc -print-file-name=libasan.so 2>/dev/null)
    case "$sw_rt" in /*) ;; *) sw_rt= ;; esac
  fi
  echo "$sw_rt"
}

sw_collectd() {
  sw_so=$1 sw_secs=$(sw_scale "$2")
  shift 2
  if sw_valgrind_on; then
    sw_valgrind_need "$sw_so"
    # shellcheck disable=SC2046 # words without blanks
    timeout -k 30 "$sw_secs" $(sw_valgrind_cmd) "$SW_COLLECTD" "$@"
    return
  fi
  if ! sw_is_asan "$sw_so"; then
    timeout "$sw_secs" "$SW_COLLECTD" "$@"
    return
  fi
  sw_rt=$(sw_asan_runtime "$sw_so")
  [ -n "$sw_rt" ] || sw_skip "ASan build, but no libasan.so to preload into collectd"
  mkdir -p "$WORK/sanitizer"
  chmod 1777 "$WORK/sanitizer"
  # collectd leaks at exit (not ours: valgrind and the unit tests check
  # ours); any other report stops it and lands in $WORK/sanitizer.
  # UBSan (gcc's libubsan) ignores log_path: its reports come on stderr,
  # which is kept aside, passed on, and searched.
  sw_n=$(ls "$WORK/sanitizer" | wc -l)
  sw_err="$WORK/sanitizer.stderr"
  timeout "$sw_secs" env LD_PRELOAD="$sw_rt" \
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0:halt_on_error=1:log_path=$WORK/sanitizer/asan" \
    UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:halt_on_error=1" \
    "$SW_COLLECTD" "$@" 2>"$sw_err"
  sw_rc=$?
  cat "$sw_err" >&2
  if grep -q -e 'ERROR: AddressSanitizer' -e 'runtime error:' -e 'ERROR: LeakSanitizer' "$sw_err"; then
    cp "$sw_err" "$WORK/sanitizer/stderr.$sw_n"
  fi
  rm -f "$sw_err"
  return $sw_rc
}

sw_collectd_wrapper() { # sw_collectd_wrapper FILE SO
  # FILE: a script running collectd with its arguments, with the ASan
  # runtime preloaded into collectd only, for a program that runs collectd
  # itself. Its reports: $WORK/sanitizer (ASan, valgrind) and collectd's
  # stderr. Under SW_VALGRIND=1: collectd under valgrind.
  if sw_valgrind_on; then
    sw_valgrind_need "$2"
    printf '#!/bin/sh\nexec %s %s "$@"\n' "$(sw_valgrind_cmd)" "$SW_COLLECTD" >"$1"
    chmod 755 "$1"
    return
  fi
  sw_rt=$(sw_asan_runtime "$2")
  [ -n "$sw_rt" ] || sw_skip "ASan build, but no libasan.so to preload into collectd"
  mkdir -p "$WORK/sanitizer" && chmod 1777 "$WORK/sanitizer"
  sw_ao="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0:halt_on_error=1:log_path=$WORK/sanitizer/asan"
  sw_uo="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:halt_on_error=1"
  printf '#!/bin/sh\nexec env LD_PRELOAD=%s ASAN_OPTIONS=%s UBSAN_OPTIONS=%s %s "$@"\n' \
    "$sw_rt" "$sw_ao" "$sw_uo" "$SW_COLLECTD" >"$1"
  chmod 755 "$1"
}

sw_sanitizer_check() {
  [ -d "$WORK/sanitizer" ] || return 0
  sw_found=0
  for f in "$WORK"/sanitizer/*; do
    [ -f "$f" ] || continue
    case "${f##*/}" in valgrind.*) continue ;; esac
    echo "---- sanitizer report $f"
    cat "$f"
    sw_found=1
  done
  if ! sw_valgrind_check >"$WORK/valgrind.check" 2>&1; then
    echo "---- valgrind report"
    cat "$WORK/valgrind.check"
    sw_found=1
  elif [ -s "$WORK/valgrind.check" ]; then
    tail -n 1 "$WORK/valgrind.check" # how many processes were checked
  fi
  [ "$sw_found" = 0 ]
}
