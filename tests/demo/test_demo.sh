#!/usr/bin/env bash
# Runs contrib/demo.sh against the already built tree and checks what it
# shows (the three reads, the ALARM, the email) and that nothing it started
# is left running. Exit 0 pass, 1 fail, 77 skipped.
set -uo pipefail

src=${SW_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${SW_BUILD_DIR:?SW_BUILD_DIR not set}
skip() {
  echo "skip: $*"
  exit 77
}
[ -x /usr/sbin/collectd ] || skip "collectd-core is not installed"
command -v collectdctl >/dev/null || skip "collectdctl (collectd-utils) missing"
[ -x /usr/bin/aws ] || skip "awscli missing"
command -v curl >/dev/null || skip "curl missing"
/usr/bin/python3 -c 'import botocore' 2>/dev/null || skip "python3-botocore missing"
for p in csv unixsock exec logfile; do
  [ -f /usr/lib/collectd/$p.so ] || skip "collectd plugin $p.so missing"
done
[ -f "$build/plugin/secretwatch.so" ] || skip "secretwatch.so not built"
[ -x "$build/provision/secretwatch-provision" ] || skip "secretwatch-provision not built"
if grep -q __asan_init "$build/plugin/secretwatch.so"; then
  skip "an AddressSanitizer build cannot be loaded by collectd"
fi

out=$(mktemp /tmp/sw-demo-test.XXXXXX)
trap 'rm -f "$out"' EXIT
t0=$(date +%s)
DEMO_SKIP_DEPS=1 DEMO_SKIP_BUILD=1 DEMO_BUILD_DIR="$build" \
  timeout -k 10 170 bash "$src/contrib/demo.sh" >"$out" 2>&1
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
check "finished in under two minutes ($elapsed s)" test "$elapsed" -lt 120
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
