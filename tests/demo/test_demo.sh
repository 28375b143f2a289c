#!/usr/bin/env bash
# Runs contrib/demo.sh against the already built tree and checks what it
# shows (the three reads, the ALARM, the email) and that nothing it started
# is left running. Exit 0 pass, 1 fail, 77 skipped.
set -uo pipefail

src=${SW_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${SW_BUILD_DIR:?SW_BUILD_DIR not set}
. "$src/tests/lib/swharness.sh"
sw_need_collectd csv unixsock exec logfile
command -v collectdctl >/dev/null || sw_skip "collectdctl (collectd-utils) missing"
[ -x /usr/bin/aws ] || sw_skip "awscli missing"
command -v curl >/dev/null || sw_skip "curl missing"
/usr/bin/python3 -c 'import botocore' 2>/dev/null || sw_skip "python3-botocore missing"
[ -f "$build/plugin/secretwatch.so" ] || sw_skip "secretwatch.so not built"
[ -x "$build/provision/secretwatch-provision" ] || sw_skip "secretwatch-provision not built"

sw_work sw-demo-test
out=$WORK/demo.out
# contrib/demo.sh starts collectd itself. For an ASan plugin the runtime
# must be preloaded into collectd alone (preloaded into the whole demo, its
# tools hang), and under SW_VALGRIND=1 collectd alone runs under valgrind:
# demo.sh runs $DEMO_COLLECTD when it is set.
demo_env=
if sw_is_asan "$build/plugin/secretwatch.so" || sw_valgrind_on; then
  sw_collectd_wrapper "$WORK/collectd-asan" "$build/plugin/secretwatch.so"
  demo_env="DEMO_COLLECTD=$WORK/collectd-asan"
fi
t0=$(date +%s)
# shellcheck disable=SC2086 # demo_env: one word without blanks, or nothing
DEMO_SKIP_DEPS=1 DEMO_SKIP_BUILD=1 DEMO_BUILD_DIR="$build" \
  timeout -k 10 "$(sw_scale 170)" env $demo_env bash "$src/contrib/demo.sh" >"$out" 2>&1
rc=$?
elapsed=$(($(date +%s) - t0))
fails=0
check() { # check DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@"; then
    echo "ok   $what"
  else
    echo "FAIL $what"
    fails=$((fails + 1))
  fi
}
has() { grep -qF -- "$1" "$out"; }
# The line after a notification header, e.g. its message.
after() { grep -A1 -F -- "$1" "$out" | grep -qF -- "$2"; }

check "demo.sh exits 0 (rc $rc)" test "$rc" = 0
check "finished in under two minutes ($elapsed s)" test "$elapsed" -lt "$(sw_scale 120)"
check "honeytoken read: FAILURE notification" \
  after "[FAILURE] secretwatch-demo-decoy/secret_access-GetSecretValue" \
  "demo-decoy read by arn:aws:iam::111122223333:user/intruder from 198.51.100.77"
check "denied attempt: FAILURE notification" \
  after "[FAILURE] secretwatch-prod_app_db/secret_access-GetSecretValue" \
  "prod_app_db read denied (AccessDenied) for arn:aws:iam::111122223333:user/intruder"
check "allowed app role read: OKAY notification" \
  after "[OKAY   ] secretwatch-prod_app_db/secret_access-GetSecretValue" \
  "prod_app_db read by arn:aws:sts::111122223333:assumed-role/app-server/i-0abc1234def567890 from 10.0.12.34"
check "notification meta: user agent, allowed" \
  has "user_agent     python-requests/2.31.0 pacu/1.5.2"
check "exactly three secret_access notifications" \
  test "$(grep -c '/secret_access-GetSecretValue$' "$out")" = 3
check "values listed over unixsock" has "demo/secretwatch-demo-decoy/derive-reads-unexpected"
check "counter: decoy reads-unexpected 1" \
  grep -qE '^demo/secretwatch-demo-decoy/derive-reads-unexpected +1$' "$out"
check "counter: app secret reads 1" \
  grep -qE '^demo/secretwatch-prod_app_db/derive-reads +1$' "$out"
check "counter: app secret reads-denied 1" \
  grep -qE '^demo/secretwatch-prod_app_db/derive-reads-denied +1$' "$out"
check "alarm went to ALARM (notification)" has "demo-demo-decoy-read went from OK to ALARM"
check "alarm_state = 2 via GETVAL" \
  grep -qE '^demo/secretwatch-demo-decoy/gauge-alarm_state +value=2\.0+e\+00' "$out"
check "the ALARM email is in the spool" has 'Subject: ALARM: "demo-demo-decoy-read"'
check "the email names the new state" has "NewStateValue: ALARM"
check "says how to point it at AWS" has "collectd-config"
check "no sanitizer report" sw_sanitizer_check

# Nothing it started may remain.
work=$(sed -n 's/.*Starting the AWS simulator (tests\/awssim) in \(.*\)\/sim.*/\1/p' "$out" | head -1)
check "the temporary directory is named" test -n "$work"
for what in awssim collectd; do
  pid=$(sed -n "s/^started $what pid \([0-9]*\).*/\1/p" "$out" | head -1)
  check "$what was started (pid ${pid:-?})" test -n "$pid"
  if [ -n "$pid" ]; then
    check "$what (pid $pid) is gone" bash -c "! kill -0 $pid 2>/dev/null"
    check "$what was stopped by the demo" has "stopped $what (pid $pid)"
  fi
done
left=""
if [ -n "$work" ]; then
  for c in /proc/[0-9]*/cmdline; do
    tr '\0' ' ' <"$c" 2>/dev/null | grep -qF -- "$work" && left="$left ${c#/proc/}"
  done
  check "no process refers to $work (${left:-none})" test -z "$left"
  check "the temporary directory is removed" test ! -e "$work"
fi

if [ "$fails" != 0 ]; then
  echo "---- demo output"
  cat "$out"
  exit 1
fi
echo "---- demo output (tail)"
tail -25 "$out"
