#!/usr/bin/env bash
# secretwatch in two minutes, with nothing to set up and nothing reaching AWS.
#
# On Debian 12 as root, from a clone of the repository:  contrib/demo.sh
#
# It installs the missing Debian packages (tests/lib/deps.sh), builds the
# plugin and the provisioner (reusing build/ when it exists, else build-demo/),
# starts the local AWS simulator (tests/awssim) in a temporary directory,
# builds the AWS chain there with `secretwatch-provision apply`, starts a real
# collectd with the plugin, simulates three reads (the app, an intruder, a
# denied attempt) and shows what you would see: notifications, values, the
# alarm going to ALARM and the alarm email. Everything it started is stopped
# on exit, whatever happens.
#
# Environment (for tests and the curious):
#   DEMO_BUILD_DIR=DIR  build directory to use (default build/ or build-demo/)
#   DEMO_SKIP_DEPS=1    do not check or install Debian packages
#   DEMO_SKIP_BUILD=1   use DEMO_BUILD_DIR as it is, do not run cmake
#   DEMO_JOBS=N         parallel build jobs (default: nproc)
#   DEMO_KEEP=1         keep the temporary directory (the path is printed)
#   DEMO_COLLECTD=PROG  the collectd daemon to run (default /usr/sbin/collectd;
#                       the sanitizer tests pass a wrapper that preloads ASan)
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
t_start=$(date +%s)
SIM_PID="" COLLECTD_PID="" WORK=""
COLLECTD=${DEMO_COLLECTD:-/usr/sbin/collectd}

if [ -t 1 ]; then B=$'\033[1m' N=$'\033[0m'; else B="" N=""; fi
say() { printf '\n%s== %s%s\n' "$B" "$*" "$N"; }
die() {
  echo "demo: $*" >&2
  exit 1
}

# ---- cleanup: stop exactly what we started, by PID, and wait for it --------
stop_pid() {
  local pid=$1 what=$2 i
  [ -n "$pid" ] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do # at most 10 s, then SIGKILL
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "demo: $what (pid $pid) did not stop on SIGTERM, killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
  echo "stopped $what (pid $pid)"
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_pid "$COLLECTD_PID" collectd
  stop_pid "$SIM_PID" awssim
  if [ -n "$WORK" ] && [ -d "$WORK" ]; then
    if [ "${DEMO_KEEP:-0}" = 1 ]; then
      echo "kept $WORK"
    else
      rm -rf "$WORK"
    fi
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- 1. packages and build ---------------------------------------------------
if [ "${DEMO_SKIP_DEPS:-0}" != 1 ]; then
  say "Checking Debian packages (tests/lib/deps.sh)"
  . "$top/tests/lib/deps.sh"
  sw_install_deps || die "missing packages (see above)"
  echo "all present"
fi

if [ -n "${DEMO_BUILD_DIR:-}" ]; then
  build=$DEMO_BUILD_DIR
elif [ -f "$top/build/CMakeCache.txt" ]; then
  build=$top/build
else
  build=$top/build-demo
fi
if [ "${DEMO_SKIP_BUILD:-0}" != 1 ]; then
  say "Building secretwatch.so and secretwatch-provision in $build"
  t_build=$(date +%s)
  if [ ! -f "$build/CMakeCache.txt" ]; then
    cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  fi
  cmake --build "$build" -j"${DEMO_JOBS:-$(nproc)}" --target secretwatch secretwatch-provision \
    >"$build/demo-build.log" 2>&1 ||
    {
      tail -30 "$build/demo-build.log" >&2
      die "build failed (log: $build/demo-build.log)"
    }
  echo "built in $(($(date +%s) - t_build)) s"
fi
SO=$build/plugin/secretwatch.so
PROVISION=$build/provision/secretwatch-provision
[ -f "$SO" ] || die "$SO not found"
[ -x "$PROVISION" ] || die "$PROVISION not found"
for p in csv unixsock exec logfile; do
  [ -f "/usr/lib/collectd/$p.so" ] || die "/usr/lib/collectd/$p.so missing (collectd-core)"
done
command -v collectdctl >/dev/null || die "collectdctl missing (collectd-utils)"

# ---- 2. the simulator ----------------------------------------------------------
t_demo=$(date +%s)
WORK=$(mktemp -d /tmp/secretwatch-demo.XXXXXX)
chmod 755 "$WORK" # the notification hook runs as nobody and writes below it
say "Starting the AWS simulator (tests/awssim) in $WORK/sim"
/usr/bin/python3 "$top/tests/awssim/awssim" --dir "$WORK/sim" \
  >"$WORK/sim.log" 2>&1 &
SIM_PID=$!
echo "started awssim pid $SIM_PID"
for ((i = 0; i < 100; i++)); do
  [ -s "$WORK/sim/awssim.json" ] && break
  kill -0 "$SIM_PID" 2>/dev/null || {
    cat "$WORK/sim.log" >&2
    die "awssim exited"
  }
  sleep 0.1
done
[ -s "$WORK/sim/awssim.json" ] || die "awssim did not start within 10 s"
simcfg() { /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$WORK/sim/awssim.json" "$1"; }
EP=$(simcfg endpoint_https)
ADMIN=$(simcfg endpoint_http)/_awssim
CA=$WORK/sim/ca.pem
echo "AWS APIs on $EP (TLS, CA $CA), admin on $ADMIN"
admin() { # admin METHOD PATH [JSON]
  curl -sS --max-time 20 -X "$1" "$ADMIN/$2" ${3:+-d "$3"}
}

# The simulator's built-in administrator "alice" plays the AWS account owner.
export AWS_ACCESS_KEY_ID=AKIAAWSSIMALICE00001
export AWS_SECRET_ACCESS_KEY=aliceSecretKey/awssim/000000000000000000
export AWS_CONFIG_FILE=/nonexistent AWS_SHARED_CREDENTIALS_FILE=/nonexistent
export AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_CA_BUNDLE || true
APP_ROLE='arn:aws:sts::111122223333:assumed-role/app-server/*'
pv() { "$PROVISION" --region us-east-1 --endpoint-url "$EP" --ca-file "$CA" --stack demo "$@"; }

# ---- 3. the chain ---------------------------------------------------------------
say "An application secret exists already: prod/app/db"
AWS_CA_BUNDLE=$CA /usr/bin/aws --endpoint-url "$EP" --region us-east-1 \
  secretsmanager create-secret --name prod/app/db --secret-string demo-password \
  --query ARN --output text

say "secretwatch-provision apply: decoy secret, trail, log group, metric filters, alarms, email"
echo "\$ secretwatch-provision --stack demo apply --create-secret demo-decoy --secret prod/app/db \\"
echo "      --allow-principal '$APP_ROLE' --email demo@example.com"
pv apply --create-secret demo-decoy --secret prod/app/db \
  --allow-principal "$APP_ROLE" --email demo@example.com

say "Confirming the email subscription (in AWS: the link in the confirmation mail)"
admin POST confirm '{"email":"demo@example.com"}'
echo

say "secretwatch-provision collectd-config: the plugin block for this stack"
pv collectd-config --allow-principal "$APP_ROLE" >"$WORK/secretwatch.conf.generated"
# The demo tunes the generated block: a 2 s interval instead of 60 s, the
# decoy as a honeytoken (any read at all is an incident), and allowed reads
# of the application secret reported as OKAY so you can see them.
/usr/bin/python3 - "$WORK/secretwatch.conf.generated" >"$WORK/secretwatch.conf" <<'EOF'
import sys
out, block = [], None
for line in open(sys.argv[1]).read().splitlines():
    s = line.strip()
    if s.startswith("<Secret "):
        block = s.split('"')[1]
    elif s == "</Secret>":
        if block == "prod_app_db":
            out.append('      NotifyAllowed      true')
        block = None
    if block == "demo-decoy" and s.startswith("AllowPrincipal"):
        continue
    if block == "demo-decoy" and s.startswith("Mode"):
        line = line.replace('"guarded"', '"honeytoken"')
    out.append(line)
    if s.startswith("Region"):
        out.append('    Interval           2')
        out.append('    Timeout            5')
print("\n".join(out))
EOF
cat "$WORK/secretwatch.conf"

# ---- 4. collectd ----------------------------------------------------------------
say "Starting collectd -f with the plugin (csv, unixsock, exec NotificationExec)"
NOTIFY_USER=nobody
[ "$(id -u)" = 0 ] || NOTIFY_USER=$(id -un) # only root can switch users
mkdir -p "$WORK/plugins" "$WORK/notifications"
chmod 1777 "$WORK/notifications"
# PluginDir rejects symlinks: copies.
cp "$SO" "$WORK/plugins/secretwatch.so"
for p in csv unixsock exec logfile; do cp "/usr/lib/collectd/$p.so" "$WORK/plugins/"; done
cat >"$WORK/notify.sh" <<EOF
#!/bin/sh
# collectd's exec plugin writes each notification to our stdin.
cat >"$WORK/notifications/n.\$\$.\$(date +%s%N)"
EOF
chmod 755 "$WORK/notify.sh"
SOCK=$WORK/collectd.sock
cat >"$WORK/collectd.conf" <<EOF
Hostname "demo"
FQDNLookup false
BaseDir "$WORK/base"
PIDFile "$WORK/collectd.pid"
PluginDir "$WORK/plugins"
TypesDB "/usr/share/collectd/types.db"
Interval 2
LoadPlugin logfile
<Plugin logfile>
  LogLevel info
  File "$WORK/collectd.log"
</Plugin>
LoadPlugin csv
<Plugin csv>
  DataDir "$WORK/csv"
</Plugin>
LoadPlugin unixsock
<Plugin unixsock>
  SocketFile "$SOCK"
</Plugin>
LoadPlugin exec
<Plugin exec>
  NotificationExec "$NOTIFY_USER" "$WORK/notify.sh"
</Plugin>
EOF
cat "$WORK/secretwatch.conf" >>"$WORK/collectd.conf"
# collectd -T runs one real read cycle: check the plugin block on its own
# (no exec hook, its own state directory) so the check notifies nobody and
# leaves the real run's cursor alone.
sed -n '1,/^<\/Plugin>$/p' "$WORK/collectd.conf" |
  sed "s|^BaseDir .*|BaseDir \"$WORK/base-T\"|" >"$WORK/collectd-T.conf"
cat "$WORK/secretwatch.conf" >>"$WORK/collectd-T.conf"
"$COLLECTD" -T -C "$WORK/collectd-T.conf" >"$WORK/collectd-T.log" 2>&1 ||
  {
    cat "$WORK/collectd-T.log" >&2
    die "collectd -T refused the configuration"
  }
"$COLLECTD" -f -C "$WORK/collectd.conf" >"$WORK/collectd.out" 2>&1 &
COLLECTD_PID=$!
echo "started collectd pid $COLLECTD_PID (config $WORK/collectd.conf)"
for ((i = 0; i < 100; i++)); do
  [ -S "$SOCK" ] && break
  kill -0 "$COLLECTD_PID" 2>/dev/null || {
    cat "$WORK/collectd.out" "$WORK/collectd.log" >&2
    die "collectd exited"
  }
  sleep 0.1
done
[ -S "$SOCK" ] || die "collectd's socket did not appear within 10 s"
sleep 3 # one plugin cycle: the cursor starts before the reads below

# ---- 5. the reads ----------------------------------------------------------------
say "Simulating reads"
echo "1. the application (role app-server) reads prod/app/db, as every day"
admin POST read '{"secret":"prod/app/db","principal":"arn:aws:sts::111122223333:assumed-role/app-server/i-0abc1234def567890","source_ip":"10.0.12.34","user_agent":"aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 api/secretsmanager#1.32.4"}' >/dev/null
echo "2. user 'intruder', from an unknown address with an odd user agent, reads the decoy"
admin POST read '{"secret":"demo-decoy","principal":"arn:aws:iam::111122223333:user/intruder","source_ip":"198.51.100.77","user_agent":"python-requests/2.31.0 pacu/1.5.2"}' >/dev/null
echo "3. the intruder tries prod/app/db and is denied"
admin POST read '{"secret":"prod/app/db","principal":"arn:aws:iam::111122223333:user/intruder","source_ip":"198.51.100.77","user_agent":"python-requests/2.31.0 pacu/1.5.2","denied":true}' >/dev/null

say "Letting the simulator deliver (CloudTrail -> Logs -> metric -> alarm -> SNS) and the plugin poll"
# In AWS this takes minutes; the simulator does it when ticked.
# Done when the three reads were notified, both alarms reported ALARM and
# both ALARM emails are in the spool.
count_notif() { # count_notif TYPE [SEVERITY]
  local n=0 f
  for f in "$WORK"/notifications/n.*; do
    [ -f "$f" ] && grep -q "^Type: $1\$" "$f" &&
      { [ -z "${2:-}" ] || grep -q "^Severity: $2\$" "$f"; } && n=$((n + 1))
  done
  echo "$n"
}
count_alarm_mail() {
  admin GET mail | /usr/bin/python3 -c 'import json,sys
print(sum(1 for m in json.load(sys.stdin)["mail"] if (m.get("subject") or "").startswith("ALARM:")))'
}
done_waiting() {
  [ "$(count_notif secret_access)" -ge 3 ] &&
    [ "$(count_notif alarm_state FAILURE)" -ge 2 ] &&
    [ "$(count_alarm_mail)" -ge 2 ]
}
for ((i = 0; i < 60; i++)); do # at most about 60 s
  admin POST tick '{"evaluate_alarms":true}' >/dev/null
  done_waiting && break
  sleep 1
done
sleep 2 # one more cycle so every value below is current
done_waiting || echo "demo: WARNING: not everything arrived within 60 s" >&2
echo "seen after $(($(date +%s) - t_demo)) s"

# ---- 6. what a user sees ------------------------------------------------------------
say "Notifications (what Nagios, notify_email or your exec hook receive)"
/usr/bin/python3 - "$WORK/notifications" <<'EOF'
import glob, os, sys
paths = sorted(glob.glob(os.path.join(sys.argv[1], "n.*")),
               key=lambda p: int(p.rsplit(".", 1)[1]))
keys = ("principal_arn", "source_ip", "user_agent", "error_code", "allowed",
        "state_reason", "check")
for p in paths:
    head, _, msg = open(p, errors="replace").read().partition("\n\n")
    f = {}
    for line in head.splitlines():
        k, _, v = line.partition(": ")
        f.setdefault(k, v)
    print("[%-7s] %s-%s/%s-%s" % (f.get("Severity"), f.get("Plugin"),
          f.get("PluginInstance"), f.get("Type"), f.get("TypeInstance")))
    print("          %s" % msg.strip())
    for k in keys:
        if f.get(k):
            print("          %-14s %s" % (k, f[k]))
if not paths:
    print("(none)")
EOF

say "Values (collectdctl -s $SOCK listval / getval)"
collectdctl -s "$SOCK" listval | grep '/secretwatch-' | grep -v -e total_requests -e response_time | sort
echo "... and $(collectdctl -s "$SOCK" listval | grep -c -e '/secretwatch-demo/total_requests' -e '/secretwatch-demo/response_time') self-metrics (requests, errors, throttles, retries, latency per AWS operation)"
cw=$(collectdctl -s "$SOCK" listval | grep 'count-cloudwatch$' || true)
for id in $cw; do
  printf '%-50s %s\n' "$id" "$(collectdctl -s "$SOCK" getval "$id" | tr '\n' ' ')"
done
[ -n "$cw" ] || echo "(count-cloudwatch, the CloudWatch metric itself, appears once its 60 s period is complete)"
echo
echo "Cumulative read counters (csv plugin; GETVAL gives DERIVE values as rates):"
for d in "$WORK"/csv/demo/secretwatch-demo-decoy "$WORK"/csv/demo/secretwatch-prod_app_db; do
  for t in reads reads-unexpected reads-denied; do
    f=$(ls "$d"/derive-"$t"-[0-9]* 2>/dev/null | tail -1)
    [ -n "$f" ] && printf '%-50s %s\n' "demo/$(basename "$d")/derive-$t" "$(tail -1 "$f" | cut -d, -f2)"
  done
done

say "The alarm"
/usr/bin/python3 - "$WORK/notifications" <<'EOF'
import glob, os, sys
for p in sorted(glob.glob(os.path.join(sys.argv[1], "n.*")),
                key=lambda p: int(p.rsplit(".", 1)[1])):
    head = open(p, errors="replace").read().partition("\n\n")[0]
    f = dict(l.partition(": ")[::2] for l in head.splitlines())
    if f.get("Type") == "alarm_state" and f.get("Severity") == "FAILURE":
        print("%s went from %s to ALARM (secret %s)" % (
            f.get("alarm_name"), f.get("previous_state"),
            f.get("PluginInstance")))
EOF
for id in $(collectdctl -s "$SOCK" listval | grep 'gauge-alarm_state$'); do
  printf '%-50s %s\n' "$id" "$(collectdctl -s "$SOCK" getval "$id" | tr '\n' ' ')"
done
echo "(alarm_state: 0 OK, 1 INSUFFICIENT_DATA, 2 ALARM)"
echo "The app role's read is excluded by the metric filters (--allow-principal):"
echo "the decoy's alarm fired on the intruder's read, prod/app/db's on the denied attempt."

say "The email (the simulator's mail spool, $WORK/sim/mail.spool)"
admin GET mail | /usr/bin/python3 -c '
import json, sys
mail = json.load(sys.stdin)["mail"]
for m in mail:
    print("To:      %s" % m.get("to"))
    print("Subject: %s" % m.get("subject"))
    try:
        b = json.loads(m.get("body") or "")
        for k in ("AlarmName", "NewStateValue", "OldStateValue", "NewStateReason"):
            if k in b:
                print("%-8s %s" % (k + ":", b[k]))
    except ValueError:
        print((m.get("body") or "")[:300])
    print()
if not mail:
    print("(no mail)")
'

say "Stopping what the demo started"
stop_pid "$COLLECTD_PID" collectd
COLLECTD_PID=""
stop_pid "$SIM_PID" awssim
SIM_PID=""
echo "demo ran in $(($(date +%s) - t_demo)) s (total with checks and build: $(($(date +%s) - t_start)) s)"

cat <<'EOF'

== The same setup against your AWS account
1. Credentials: any AWS SDK source works (AWS_PROFILE, env, instance role).
   The provisioner needs contrib/iam/provision-policy.json, the plugin
   contrib/iam/plugin-policy.json (read-only; never GetSecretValue).
2. Build the chain (a new decoy, or --secret NAME|ARN for real secrets):
     secretwatch-provision --region us-east-1 apply --create-secret my-decoy \
       --email you@example.com
3. Confirm the subscription: click the link in the email AWS sends.
4. Write the plugin block and restart collectd:
     secretwatch-provision --region us-east-1 collectd-config \
       > /etc/collectd/collectd.conf.d/secretwatch.conf
     collectd -T -C /etc/collectd/collectd.conf && systemctl restart collectd
5. Verify the whole chain end to end (reads the decoy once, times each stage):
     secretwatch-provision --region us-east-1 verify
See README.md, "Configure against real AWS".
EOF
