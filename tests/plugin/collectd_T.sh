#!/bin/sh
# `collectd -T -C conf` smoke test of the built secretwatch.so (DESIGN.md
# 2.6: -T, capital T, is the real config test; -t exits 0 even when a plugin
# fails). A good configuration against tests/awssim exits 0; every kind of
# bad option exits non-zero with a log line naming the option.
# Usage: collectd_T.sh /path/to/secretwatch.so
# Exit: 0 pass, 1 fail, 77 skipped (no collectd).
set -u

SO=${1:?usage: collectd_T.sh /path/to/secretwatch.so}
SRC=${SW_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$SRC/tests/lib/swharness.sh"

sw_need_collectd logfile
sw_work swp-collectd-T
# PluginDir refuses symlinks: copies only.
sw_plugin_dir "$WORK/plugins" "$SO" logfile

fails=0
passes=0

# write_conf FILE BODY: a collectd.conf with the plugin block BODY.
write_conf() {
  cat >"$1" <<CONF
Hostname "swtest"
BaseDir "$WORK/base"
PluginDir "$WORK/plugins"
TypesDB "/usr/share/collectd/types.db"
Interval 10
LoadPlugin logfile
<Plugin logfile>
  LogLevel info
  File "$WORK/collectd.log"
</Plugin>
LoadPlugin secretwatch
<Plugin secretwatch>
$2
</Plugin>
CONF
}

run_T() {
  : >"$WORK/collectd.log"
  sw_collectd "$SO" 120 -T -C "$1" >"$WORK/stdout.log" 2>&1
}

# ---- the simulator, for the good configuration ----
sw_start_sim

GOOD_SECRET='    <Secret "TopSecretInfo">
      Mode "honeytoken"
    </Secret>'

account() { # account EXTRA_OPTIONS SECRET_BLOCK
  printf '  <Account "prod">\n    Region "us-east-1"\n%s\n%s\n  </Account>\n' "$1" "$2"
}

if [ -n "$EP" ]; then
  write_conf "$WORK/good.conf" "$(account "    EndpointURL \"$EP\"
    CAFile \"$CA\"
    Timeout 5" "$GOOD_SECRET")"
  if AWS_ACCESS_KEY_ID=$SW_KEY AWS_SECRET_ACCESS_KEY=$SW_SECRET_KEY run_T "$WORK/good.conf"; then
    if [ -f "$WORK/base/secretwatch/prod.json" ]; then
      echo "ok   good configuration: collectd -T exits 0, state file written"
      passes=$((passes + 1))
    else
      echo "FAIL good configuration: no state file at the default path"
      fails=$((fails + 1))
    fi
  else
    echo "FAIL good configuration: collectd -T exited non-zero"
    cat "$WORK/collectd.log" "$WORK/stdout.log"
    fails=$((fails + 1))
  fi
  # One real read cycle under valgrind (swharness.sh's valgrind mode): no
  # error, no definite leak of ours. Under SW_VALGRIND=1 every run here is
  # already under valgrind.
  if sw_is_asan "$SO"; then
    echo "note: ASan build: the valgrind case is left to the normal build"
  elif sw_valgrind_on; then
    echo "note: SW_VALGRIND=1: every collectd -T here runs under valgrind"
  elif [ -x /usr/bin/valgrind ]; then
    rm -rf "$WORK/base" "$WORK/sanitizer"
    : >"$WORK/collectd.log"
    if AWS_ACCESS_KEY_ID=$SW_KEY AWS_SECRET_ACCESS_KEY=$SW_SECRET_KEY \
      SW_VALGRIND=1 run_T "$WORK/good.conf" &&
      sw_valgrind_check >"$WORK/valgrind.check" 2>&1; then
      echo "ok   good configuration under valgrind: no error, no leak of ours"
      passes=$((passes + 1))
    else
      echo "FAIL good configuration under valgrind"
      cat "$WORK/valgrind.check" "$WORK/collectd.log" "$WORK/stdout.log"
      fails=$((fails + 1))
    fi
    rm -rf "$WORK/sanitizer"
    unset SW_VALGRIND # it was off: a shell may keep a function's assignment
  fi

  # The same with CloudWatch's query (XML) protocol.
  write_conf "$WORK/query.conf" "$(account "    EndpointURL \"$EP\"
    CAFile \"$CA\"
    CloudWatchProtocol \"query\"" "$GOOD_SECRET")"
  if AWS_ACCESS_KEY_ID=$SW_KEY AWS_SECRET_ACCESS_KEY=$SW_SECRET_KEY run_T "$WORK/query.conf" &&
     ! grep -q "secretwatch plugin: .*failed" "$WORK/collectd.log"; then
    echo "ok   CloudWatchProtocol query: collectd -T exits 0, no failed call"
    passes=$((passes + 1))
  else
    echo "FAIL CloudWatchProtocol query"
    cat "$WORK/collectd.log" "$WORK/stdout.log"
    fails=$((fails + 1))
  fi

  # collectd.conf.example itself, pointed at the simulator.
  sed -n '/^<Plugin secretwatch>/,/^<\/Plugin>/p' "$SRC/collectd.conf.example" |
    sed -e '1d' -e '$d' \
        -e "s|^ *#EndpointURL .*|    EndpointURL \"$EP\"|" \
        -e "s|^ *#CAFile .*|    CAFile \"$CA\"|" >"$WORK/example.block"
  write_conf "$WORK/example.conf" "$(cat "$WORK/example.block")"
  rm -rf "$WORK/base"
  if AWS_ACCESS_KEY_ID=$SW_KEY AWS_SECRET_ACCESS_KEY=$SW_SECRET_KEY run_T "$WORK/example.conf" && grep -q EndpointURL "$WORK/example.conf"; then
    echo "ok   collectd.conf.example (pointed at awssim): collectd -T exits 0"
    passes=$((passes + 1))
  else
    echo "FAIL collectd.conf.example: collectd -T exited non-zero"
    cat "$WORK/collectd.log" "$WORK/stdout.log"
    fails=$((fails + 1))
  fi
else
  echo "note: tests/awssim did not start; the good-configuration case is skipped"
  cat "$WORK/sim.log" 2>/dev/null
fi

# bad_case NAME WANT_IN_LOG ACCOUNT_OPTIONS [SECRET_OPTIONS]
bad_case() {
  name=$1 want=$2 opts=$3 sopts=${4:-}
  write_conf "$WORK/bad.conf" "$(account "$opts" "    <Secret \"TopSecretInfo\">
$sopts
    </Secret>")"
  if run_T "$WORK/bad.conf"; then
    echo "FAIL $name: collectd -T exited 0"
    fails=$((fails + 1))
  elif ! grep -qF -- "$want" "$WORK/collectd.log" "$WORK/stdout.log"; then
    echo "FAIL $name: the log does not name $want"
    cat "$WORK/collectd.log" "$WORK/stdout.log"
    fails=$((fails + 1))
  else
    echo "ok   $name: refused, log names $want"
    passes=$((passes + 1))
  fi
}

bad_case "bad Region" '"Region"' '    Region "us east 1"'
bad_case "unknown option" '"Regoin"' '    Regoin "x"'
bad_case "Interval zero" '"Interval"' '    Interval 0'
bad_case "Timeout string" '"Timeout"' '    Timeout "10"'
bad_case "CloudWatchProtocol xml" '"CloudWatchProtocol"' '    CloudWatchProtocol "xml"'
bad_case "EventSource unknown" '"EventSource"' '    EventSource "S3"'
bad_case "FilterLogEvents without LogGroup" '"LogGroup"' '    EventSource "FilterLogEvents"'
bad_case "Lookback over MaxBackfill" '"Lookback"' '    Lookback 2000
    MaxBackfill 1000'
bad_case "MaxBackfill over 90 days" '"MaxBackfill"' '    MaxBackfill 9999999'
bad_case "EndpointURL not a URL" '"EndpointURL"' '    EndpointURL "localhost:4566"'
bad_case "CAFile missing" '"CAFile"' '    CAFile "/nonexistent/ca.pem"'
bad_case "StateFile relative" '"StateFile"' '    StateFile "prod.json"'
bad_case "ExternalID without RoleARN" '"ExternalID"' '    ExternalID "abc123"'
bad_case "Events not boolean" '"Events"' '    Events "sometimes"'
bad_case "Mode unknown" '"Mode"' '' '      Mode "paranoid"'
bad_case "guarded without AllowPrincipal" '"AllowPrincipal"' '' '      Mode "guarded"'
bad_case "SecretID malformed" '"SecretID"' '' '      SecretID "arn:aws:secretsmanager:x"'
bad_case "unknown secret option" '"Colour"' '' '      Colour "red"'

# A state file that is a symlink is refused at init: collectd -T fails.
mkdir -p "$WORK/st"
ln -s /etc/hostname "$WORK/st/prod.json"
bad_case "StateFile is a symlink" 'symbolic link' "    StateFile \"$WORK/st/prod.json\"
    EndpointURL \"http://127.0.0.1:9\""

if sw_sanitizer_check; then :; else
  echo "FAIL a sanitizer reported an error in collectd -T"
  fails=$((fails + 1))
fi

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
