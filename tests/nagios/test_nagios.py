#!/usr/bin/python3
"""contrib/nagios against a real Nagios 4 daemon (Debian nagios4-core) on a
private configuration, fed by a real collectd with secretwatch.so against
tests/awssim.

Passive: collectd's notify_nagios writes PROCESS_SERVICE_CHECK_RESULT lines
into Nagios's command file (a FIFO). An unexpected read of the honeytoken
makes secret_access-GetSecretValue CRITICAL in status.dat; the alarm going to
ALARM makes alarm_state CRITICAL and its return to OK makes it OK again.
Reads whose user agent, principal ARN, source IP and error code carry
"\\n[1234567890] DISABLE_NOTIFICATIONS", \\r and other control characters do
not inject that external command (nagios.log and status.dat), while a
positive control written straight into the FIFO shows the check would see it.
Active: Nagios runs collectd-nagios (contrib command check_secretwatch_alarm)
against collectd's unixsock: CRITICAL (2) in ALARM, OK (0) after; the same
command line run directly gives exit codes 2 and 0, and 1 for an alarm in
INSUFFICIENT_DATA.

Usage: test_nagios.py /path/to/secretwatch.so
Exit 0 pass, 1 fail, 77 skipped (a needed package is missing)."""
import importlib.util
import json
import os
import pwd
import re
import shutil
import stat
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import swharness  # noqa: E402
from swharness import COLLECTD, INTRUDER, skip, wait_for  # noqa: E402

NAGIOS = "/usr/sbin/nagios4"
COLLECTD_NAGIOS = "/usr/bin/collectd-nagios"
HOST = "aws-prod"  # the host name used by contrib's example services
INJECT = "\n[1234567890] DISABLE_NOTIFICATIONS\n"
HOSTILE_UA = ("evil-agent/1.0" + INJECT + "\r[1234567890] "
              "DISABLE_NOTIFICATIONS\r\x07\x1b[2J\x00tail")
ACCESS_SVC = "secretwatch-TopSecretInfo/secret_access-GetSecretValue"
ALARM = "secretwatch-TopSecretInfo-read"
ALARM_SVC = "secretwatch-TopSecretInfo/alarm_state-" + ALARM
ACTIVE_SVC = "secretwatch TopSecretInfo alarm state"
PLUGINS = ("unixsock", "notify_nagios", "exec", "csv", "logfile")


class Harness(swharness.Harness):
    # Nagios forks worker processes into its own process group: close()
    # signals each group started here (start_new_session), by its id.
    def __init__(self, so):
        super().__init__("sw-nagios-", so)

    # ------------------------------------------------------------- nagios
    def start_nagios(self):
        nd = self.nagios_dir = os.path.join(self.work, "nagios")
        for d in ("", "rw", "spool", "checkresults"):
            os.makedirs(os.path.join(nd, d), exist_ok=True)
        self.sock = os.path.join(self.work, "collectd.sock")
        # copies: Nagios reads its objects as user nobody, who may not be
        # able to enter the source tree
        contrib = os.path.join(nd, "contrib")
        shutil.copytree(os.path.join(self.src, "contrib", "nagios"), contrib)
        with open(os.path.join(contrib,
                               "secretwatch-services.cfg.example")) as f:
            services = f.read().replace("/var/run/collectd-unixsock",
                                        self.sock)
        with open(os.path.join(nd, "services.cfg"), "w") as f:
            f.write(services)
        self.notifs = os.path.join(nd, "notifications.log")
        with open(os.path.join(nd, "site.cfg"), "w") as f:
            f.write("""define timeperiod {
    timeperiod_name 24x7
    alias           always
    sunday          00:00-24:00
    monday          00:00-24:00
    tuesday         00:00-24:00
    wednesday       00:00-24:00
    thursday        00:00-24:00
    friday          00:00-24:00
    saturday        00:00-24:00
}
define command {
    command_name    test-notify-service
    command_line    /usr/bin/printf "%s\\n" "$NOTIFICATIONTYPE$ $SERVICEDESC$ $SERVICESTATE$" >> NOTIFS
}
define command {
    command_name    test-notify-host
    command_line    /bin/true
}
define contact {
    contact_name                    ops
    service_notification_period     24x7
    host_notification_period        24x7
    service_notification_options    w,u,c,r
    host_notification_options       d,u,r
    service_notification_commands   test-notify-service
    host_notification_commands      test-notify-host
}
define contactgroup {
    contactgroup_name   admins
    members             ops
}
""".replace("NOTIFS", self.notifs))
        with open(os.path.join(nd, "resource.cfg"), "w") as f:
            f.write("$USER1$=/usr/lib/nagios/plugins\n")
        self.nagios_log = os.path.join(nd, "nagios.log")
        self.status = os.path.join(nd, "status.dat")
        self.cmd_file = os.path.join(nd, "rw", "nagios.cmd")
        self.nagios_cfg = os.path.join(nd, "nagios.cfg")
        # interval_length 1: check_interval counts seconds, so the active
        # check runs every second.
        with open(self.nagios_cfg, "w") as f:
            f.write("""log_file={nd}/nagios.log
cfg_file={c}/secretwatch-commands.cfg
cfg_file={c}/secretwatch-templates.cfg
cfg_file={nd}/site.cfg
cfg_file={nd}/services.cfg
object_cache_file={nd}/objects.cache
precached_object_file={nd}/objects.precache
resource_file={nd}/resource.cfg
status_file={nd}/status.dat
status_update_interval=1
nagios_user=nobody
nagios_group=nogroup
check_external_commands=1
command_file={cmd}
query_socket={nd}/rw/nagios.qh
lock_file={nd}/nagios.lock
temp_file={nd}/nagios.tmp
temp_path={nd}
check_result_path={nd}/checkresults
state_retention_file={nd}/retention.dat
retain_state_information=0
use_retained_program_state=0
use_syslog=0
log_rotation_method=n
log_notifications=1
log_external_commands=1
log_passive_checks=1
log_initial_states=1
interval_length=1
max_service_check_spread=1
max_host_check_spread=1
check_result_reaper_frequency=1
enable_notifications=1
execute_service_checks=1
accept_passive_service_checks=1
check_service_freshness=0
check_host_freshness=0
enable_flap_detection=0
event_broker_options=0
check_for_updates=0
illegal_object_name_chars=`~!$%^&*|'"<>?,()=
illegal_macro_output_chars=`~$&|'"<>
""".format(nd=nd, c=contrib, cmd=self.cmd_file))
        nobody = pwd.getpwnam("nobody")
        for root, dirs, files in os.walk(nd):
            for name in dirs + files + [""]:
                os.chown(os.path.join(root, name), nobody.pw_uid,
                         nobody.pw_gid)
        verify = subprocess.run([NAGIOS, "-v", self.nagios_cfg],
                                capture_output=True, text=True, timeout=30)
        check(verify.returncode == 0 and "Total Errors:   0" in verify.stdout,
              "nagios4 -v accepts contrib/nagios (commands, templates, "
              "example services)", self, verify.stdout[-3000:])
        self.spawn([NAGIOS, self.nagios_cfg], "nagios.out")

        def ready():
            return (os.path.exists(self.cmd_file) and
                    stat.S_ISFIFO(os.stat(self.cmd_file).st_mode) and
                    self.service(ACCESS_SVC) is not None)
        wait_for("the Nagios command file and status.dat", ready, 30)

    def status_blocks(self):
        try:
            with open(self.status, errors="replace") as f:
                text = f.read()
        except FileNotFoundError:
            return []
        out = []
        for m in re.finditer(r"^(\w+) \{\n(.*?)\n\s*\}", text, re.S | re.M):
            fields = {"_kind": m.group(1)}
            for line in m.group(2).splitlines():
                k, _, v = line.strip().partition("=")
                fields[k] = v
            out.append(fields)
        return out

    def service(self, desc):
        for b in self.status_blocks():
            if (b["_kind"] == "servicestatus" and b.get("host_name") == HOST
                    and b.get("service_description") == desc):
                return b
        return None

    def state(self, desc):
        s = self.service(desc)
        if s is None or s.get("has_been_checked") != "1":
            return None
        return int(s["current_state"])

    def program(self):
        for b in self.status_blocks():
            if b["_kind"] == "programstatus":
                return b
        return {}

    def log_lines(self):
        with open(self.nagios_log, errors="replace") as f:
            return f.read().splitlines()

    # ------------------------------------------------------------ collectd
    def start_collectd(self, secret_arn):
        plugins = self.plugin_dir(self.so, PLUGINS)
        # the passive path: exec (as nobody) runs contrib's script, which
        # writes into Nagios's FIFO
        script = os.path.join(self.work, "secretwatch-nagios-notify")
        shutil.copy(os.path.join(self.src, "contrib", "nagios",
                                 "secretwatch-nagios-notify"), script)
        os.chmod(script, 0o755)
        # notify_nagios 5.12 cannot write into a FIFO (lseek fails with
        # ESPIPE): it writes into a regular file, whose lines are checked.
        self.nn_file = os.path.join(self.work, "notify_nagios.cmd")
        open(self.nn_file, "w").close()
        conf = os.path.join(self.work, "collectd.conf")
        with open(conf, "w") as f:
            f.write(self.base_conf(plugins, hostname="collectd-test") + """\
LoadPlugin csv
<Plugin csv>
  DataDir "{w}/csv"
</Plugin>
LoadPlugin exec
<Plugin exec>
  NotificationExec "nobody" "{script}" "{cmd}"
</Plugin>
LoadPlugin notify_nagios
<Plugin notify_nagios>
  CommandFile "{nn}"
</Plugin>
LoadPlugin unixsock
<Plugin unixsock>
  SocketFile "{sock}"
  SocketPerms "0666"
</Plugin>
{account}    Host "{host}"
    Interval 2
    Timeout 5
    WatchdogCycles 10000
    <Secret "TopSecretInfo">
      SecretID "{arn}"
      AlarmName "{alarm}"
      Mode "honeytoken"
    </Secret>
    # its alarm never gets data: INSUFFICIENT_DATA
    <Secret "Quiet">
      SecretID "quiet/secret"
      AlarmName "quiet-alarm"
      Mode "honeytoken"
    </Secret>
  </Account>
</Plugin>
""".format(w=self.work, cmd=self.cmd_file,
           script=script, nn=self.nn_file,
           sock=self.sock, account=self.account_open(), host=HOST,
           arn=secret_arn, alarm=ALARM))
        super().start_collectd(conf, self.sock)

    def collectd_nagios(self, secret="TopSecretInfo"):
        """Runs contrib's check_secretwatch_alarm command line directly."""
        with open(os.path.join(self.src, "contrib", "nagios",
                               "secretwatch-commands.cfg")) as f:
            m = re.search(r"command_name\s+check_secretwatch_alarm\s*\n\s*"
                          r"command_line\s+(.*)", f.read())
        line = (m.group(1).strip().replace("$ARG1$", self.sock)
                .replace("$ARG2$", HOST).replace("$ARG3$", secret))
        r = subprocess.run(line.split(), capture_output=True, text=True,
                           timeout=10)
        return r.returncode, r.stdout.strip()


def check(cond, what, h, extra=""):
    if not cond:
        print("FAIL: " + what)
        if extra:
            print(extra)
        for name in ("nagios.log", "collectd.log"):
            for path in (os.path.join(h.work, "nagios", name),
                         os.path.join(h.work, name)):
                if os.path.exists(path):
                    with open(path, errors="replace") as f:
                        print("---- %s\n%s" % (name, f.read()[-5000:]))
        raise SystemExit(1)
    print("ok   " + what)


def hostile_record(template, n):
    """A copy of a real simulator record whose attacker-influenced fields
    carry the injection (n makes the event id unique)."""
    rec = json.loads(json.dumps(template))
    rec["eventID"] = "0000000%d-hostile-%s" % (n, rec["eventID"][18:])
    rec["eventTime"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    rec["userIdentity"]["arn"] = INTRUDER + INJECT + "\r\x01\x7f"
    rec["sourceIPAddress"] = "198.51.100.7" + INJECT
    rec["userAgent"] = HOSTILE_UA
    if n == 2:
        rec["errorCode"] = "AccessDenied" + INJECT
        rec["errorMessage"] = "no" + INJECT
    return rec


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    if not os.path.exists(NAGIOS):
        skip("nagios4 is not installed (Debian package nagios4-core)")
    if not os.path.exists(COLLECTD):
        skip("collectd is not installed (Debian package collectd-core)")
    for p in PLUGINS:
        if not os.path.exists("/usr/lib/collectd/%s.so" % p):
            skip("collectd plugin %s.so missing (collectd-core)" % p)
    if not os.path.exists(COLLECTD_NAGIOS):
        skip("collectd-nagios missing (Debian package collectd-utils)")
    if importlib.util.find_spec("boto3") is None:
        skip("python3-boto3 missing")
    if os.geteuid() != 0:
        skip("needs root (Nagios drops to user nobody)")

    h = Harness(sys.argv[1])
    def body():
        h.start_sim()
        sm, cw = h.client("secretsmanager"), h.client("cloudwatch")
        arn = sm.create_secret(Name="TopSecretInfo",
                               SecretString="decoy")["ARN"]
        # A 10 s period: ALARM at once after a datapoint, OK again about
        # 20 s after the datapoints stop.
        cw.put_metric_alarm(
            AlarmName=ALARM, Namespace="SecretWatch",
            MetricName="TopSecretInfo-reads", Statistic="Sum", Period=10,
            EvaluationPeriods=1, Threshold=1,
            ComparisonOperator="GreaterThanOrEqualToThreshold",
            TreatMissingData="notBreaching")
        cw.put_metric_alarm(
            AlarmName="quiet-alarm", Namespace="SecretWatch",
            MetricName="quiet-reads", Statistic="Sum", Period=60,
            EvaluationPeriods=1, Threshold=1,
            ComparisonOperator="GreaterThanOrEqualToThreshold",
            TreatMissingData="missing")
        h.start_nagios()
        h.start_collectd(arn)

        # 1. an unexpected read with a hostile user agent -> CRITICAL
        h.admin("read", {"secret": "TopSecretInfo", "principal": INTRUDER,
                         "source_ip": "203.0.113.9",
                         "user_agent": HOSTILE_UA})

        def critical():
            h.admin("tick", {"evaluate_alarms": False})
            return h.state(ACCESS_SVC) == 2
        wait_for(ACCESS_SVC + " CRITICAL", critical, 40)
        svc = h.service(ACCESS_SVC)
        check(svc["plugin_output"].startswith(
            "TopSecretInfo read by %s from 203.0.113.9 at " % INTRUDER),
            "unexpected read -> %s CRITICAL, output names principal and IP"
            % ACCESS_SVC, h, repr(svc))
        check(svc.get("state_type") == "1",
              "one result is a HARD state (max_check_attempts 1)", h)

        # 2. records whose ARN, source IP, error code carry the injection
        ct = h.client("cloudtrail")
        template = ct.lookup_events(LookupAttributes=[
            {"AttributeKey": "EventName",
             "AttributeValue": "GetSecretValue"}])["Events"][0]
        template = json.loads(template["CloudTrailEvent"])
        for n in (1, 2):
            h.admin("record", {"record": hostile_record(template, n),
                               "delivery_delay_s": 0})

        def three_results():
            h.admin("tick", {"evaluate_alarms": False})
            lines = [ln for ln in h.log_lines() if
                     "PROCESS_SERVICE_CHECK_RESULT;%s;%s;" % (HOST, ACCESS_SVC)
                     in ln and "EXTERNAL COMMAND" in ln]
            return lines if len(lines) >= 3 else None
        results = wait_for("three passive results for the reads",
                           three_results, 40)
        time.sleep(5)  # two more collectd cycles and Nagios status updates
        lines = h.log_lines()
        results = [ln for ln in lines if "EXTERNAL COMMAND: "
                   "PROCESS_SERVICE_CHECK_RESULT;%s;%s;" % (HOST, ACCESS_SVC)
                   in ln]
        check(len(results) == 3 and all(";2;TopSecretInfo read" in ln for
                                        ln in results),
              "three reads -> exactly three CRITICAL results", h,
              "\n".join(results))
        bad = [ln for ln in lines if re.match(
            r"\[\d+\] (EXTERNAL COMMAND: )?DISABLE_NOTIFICATIONS", ln)]
        check(not bad, "no DISABLE_NOTIFICATIONS external command in "
              "nagios.log (the text stays inside the check result)", h,
              "\n".join(bad))
        errors = [ln for ln in lines if "xternal command" in ln.lower() and
                  ("error" in ln.lower() or "unrecognized" in ln.lower())]
        check(not errors, "no malformed external command in nagios.log", h,
              "\n".join(errors))
        check(any("DISABLE_NOTIFICATIONS" in ln for ln in results),
              "the hostile ARN reached Nagios on the result's own line", h)
        # notify_nagios wrote the same results verbatim: one well-formed
        # line per notification, never a line of its own for the injection
        with open(h.nn_file, "rb") as f:
            raw = f.read()
        nn = raw.split(b"\n")
        check(raw.endswith(b"\n") and all(
            re.fullmatch(rb"\[\d+\] PROCESS_SERVICE_CHECK_RESULT;%s;"
                         rb"secretwatch-[^;\x00-\x1f\x7f]+;[0-3];"
                         rb"[^\x00-\x1f\x7f]*" % HOST.encode(), ln)
            for ln in nn[:-1]),
            "notify_nagios: every line one well-formed "
            "PROCESS_SERVICE_CHECK_RESULT without control characters", h,
            repr(raw[-3000:]))
        check(len([ln for ln in nn if (";%s;2;" % ACCESS_SVC).encode()
                   in ln]) == 3,
              "notify_nagios: exactly three lines for the three reads", h,
              repr(raw[-3000:]))
        check(h.program().get("enable_notifications") == "1",
              "status.dat: notifications still enabled", h)
        def notified():
            try:
                with open(h.notifs) as f:
                    return [ln for ln in f.read().splitlines()
                            if ln == "PROBLEM %s CRITICAL" % ACCESS_SVC]
            except FileNotFoundError:
                return []
        wait_for("Nagios notifications", lambda: len(notified()) >= 3, 15)
        check(len(notified()) == 3, "volatile service: each read notified "
              "the contacts (%d notifications)" % len(notified()), h)
        out = h.service(ACCESS_SVC)["plugin_output"]
        check(all(ord(c) >= 0x20 and ord(c) != 0x7f for c in out),
              "plugin output has no control characters (%r)" % out, h)

        # 3. the alarm: ALARM -> CRITICAL (passive and active), OK -> OK
        cw.put_metric_data(Namespace="SecretWatch", MetricData=[
            {"MetricName": "TopSecretInfo-reads", "Value": 1}])

        def alarm_critical():
            h.admin("tick", {"evaluate_alarms": True})
            return h.state(ALARM_SVC) == 2 and h.state(ACTIVE_SVC) == 2
        try:
            wait_for("alarm CRITICAL in Nagios", alarm_critical, 30)
        except AssertionError:
            pass
        check(h.state(ALARM_SVC) == 2, "ALARM -> passive %s CRITICAL"
              % ALARM_SVC, h, repr(h.service(ALARM_SVC)))
        check(h.state(ACTIVE_SVC) == 2, "ALARM -> active check (collectd-"
              "nagios via unixsock) CRITICAL", h,
              repr(h.service(ACTIVE_SVC)))
        rc, text = h.collectd_nagios()
        check(rc == 2, "collectd-nagios exits 2 in ALARM (%r)" % text, h)

        def alarm_ok():
            h.admin("tick", {"evaluate_alarms": True})
            return h.state(ALARM_SVC) == 0 and h.state(ACTIVE_SVC) == 0
        try:
            wait_for("alarm OK in Nagios", alarm_ok, 45)
        except AssertionError:
            pass
        check(h.state(ALARM_SVC) == 0, "alarm back to OK -> passive %s OK"
              % ALARM_SVC, h, repr(h.service(ALARM_SVC)))
        check(h.state(ACTIVE_SVC) == 0, "alarm back to OK -> active check OK",
              h, repr(h.service(ACTIVE_SVC)))
        rc, text = h.collectd_nagios()
        check(rc == 0, "collectd-nagios exits 0 in OK (%r)" % text, h)
        rc, text = h.collectd_nagios("Quiet")
        check(rc == 1, "collectd-nagios exits 1 in INSUFFICIENT_DATA (%r)"
              % text, h)
        check(h.state(ACCESS_SVC) == 2, "the read alert stays CRITICAL "
              "(volatile, no automatic recovery)", h)

        # 4. positive control: a command written straight into the FIFO is
        # seen by the same checks, so they can fail.
        with open(h.cmd_file, "w") as f:
            f.write("[%d] DISABLE_NOTIFICATIONS\n" % time.time())
        wait_for("the control command to take effect",
                 lambda: h.program().get("enable_notifications") == "0", 15)
        check(any("EXTERNAL COMMAND: DISABLE_NOTIFICATIONS" in ln
                  for ln in h.log_lines()),
              "positive control: a real injected command is detected", h)

    return swharness.run_to_end(h, body)


if __name__ == "__main__":
    sys.exit(main())
