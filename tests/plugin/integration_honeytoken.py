#!/usr/bin/python3
"""A real `collectd -f` with the built secretwatch.so against tests/awssim
over HTTPS: csv + unixsock + exec (NotificationExec as nobody).

Scenario (honeytoken): an intruder reads the decoy with a hostile user agent
-> one FAILURE secret_access notification with principal, IP and a
sanitized user agent; derive/reads-unexpected = 1; a datapoint ->
count/cloudwatch over unixsock; the alarm goes to ALARM -> an alarm_state
FAILURE; collectd restarted -> no notification repeated, counters kept.
Guarded: the allowed app role reads (counted, not notified), the intruder is
denied (FAILURE "read denied", reads-denied = 1).

Usage: integration_honeytoken.py /path/to/secretwatch.so [json|query|logs]
(json/query: the CloudWatch protocol, records from LookupEvents; logs:
records from FilterLogEvents on a log group the test delivers them to)
Exit 0 pass, 1 fail, 77 skipped."""
import glob
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import swharness  # noqa: E402
from swharness import INTRUDER, need_collectd, wait_for  # noqa: E402

LOG_GROUP = "/secretwatch/test/cloudtrail"
HOSTILE_UA = "evil-agent/1.0\n[0] DISABLE_NOTIFICATIONS\r\x07"


class Harness(swharness.Harness):
    def __init__(self, so):
        super().__init__("swp-int-", so)
        self.mode = "json"
        self.starts = 0

    # ---- collectd ----
    def deliver(self, ids):
        """In "logs" mode: copies the CloudTrail records with these event ids
        into the log group, as a trail delivering to CloudWatch Logs does."""
        if self.mode != "logs":
            return
        ct, logs = self.client("cloudtrail"), self.client("logs")

        def found():
            self.admin("tick", {"evaluate_alarms": False})
            evs = ct.lookup_events(LookupAttributes=[
                {"AttributeKey": "EventName",
                 "AttributeValue": "GetSecretValue"}])["Events"]
            got = [e for e in evs if e["EventId"] in ids]
            return got if len(got) == len(ids) else None
        evs = wait_for("records in the event history", found)
        evs.sort(key=lambda e: e["EventTime"])
        logs.put_log_events(
            logGroupName=LOG_GROUP,
            logStreamName="111122223333_CloudTrail_us-east-1",
            logEvents=[{"timestamp": int(e["EventTime"].timestamp() * 1000),
                        "message": e["CloudTrailEvent"]} for e in evs])

    def write_conf(self, secret_arn, protocol):
        plugins = self.plugin_dir(self.so, ("csv", "unixsock", "exec",
                                            "logfile"))
        script, self.notif_dir = self.notify_script()
        self.sock = os.path.join(self.work, "collectd.sock")
        self.collectd_conf = os.path.join(self.work, "collectd.conf")
        with open(self.collectd_conf, "w") as f:
            # one write thread: the csv files then show the dispatch order
            f.write(self.base_conf(plugins, globals_="WriteThreads 1") + """\
LoadPlugin csv
<Plugin csv>
  DataDir "{w}/csv"
</Plugin>
LoadPlugin unixsock
<Plugin unixsock>
  SocketFile "{sock}"
</Plugin>
LoadPlugin exec
<Plugin exec>
  NotificationExec "nobody" "{script}"
</Plugin>
{account}    Interval 2
    Timeout 5
    WatchdogCycles 1000
    CloudWatchProtocol "{proto}"
    EventSource "{source}"
    LogGroup "{group}"
{secrets}    # secrets named by the real records of the shared test data (replayed)
    <Secret "replay-db">
      SecretID "prod/app/db-credentials"
      Mode "guarded"
      AllowPrincipal "arn:aws:iam::123456789012:role/app-server-role"
    </Secret>
    <Secret "replay-stratus">
      SecretID "stratus-red-team-retrieve-secret-18"
    </Secret>
  </Account>
  # a second, broken account: it must not stall the first one
  <Account "broken">
    Region "us-east-1"
    EndpointURL "http://127.0.0.1:9"
    Interval 2
    Timeout 1
    <Secret "Other">
    </Secret>
  </Account>
</Plugin>
""".format(w=self.work, sock=self.sock, script=script,
           account=self.account_open(),
           secrets=self.standard_secrets(secret_arn),
           proto="query" if protocol == "query" else "json",
           source="FilterLogEvents" if protocol == "logs" else "LookupEvents",
           group=LOG_GROUP))

    def start_collectd(self):
        self.starts += 1
        super().start_collectd()

    def getval(self, ident):
        out = subprocess.run(["collectdctl", "-s", self.sock, "getval", ident],
                             capture_output=True, text=True, timeout=10)
        for line in out.stdout.splitlines():
            if line.startswith("value="):
                return float(line.split("=", 1)[1])
        return None

    def csv_rows(self, plugin_instance, name):
        """(time, value) rows the csv plugin wrote, oldest first."""
        rows = []
        for path in sorted(glob.glob(os.path.join(
                self.work, "csv", "swtest", "secretwatch-" + plugin_instance,
                name + "-[0-9]*"))):
            with open(path) as f:
                for ln in f.read().splitlines():
                    if ln[:1].isdigit():
                        t, v = ln.split(",")[:2]
                        rows.append((float(t), float(v)))
        return rows

    def csv_last(self, plugin_instance, name):
        """Last value the csv plugin wrote (raw counters; GETVAL gives rates
        for DERIVE)."""
        files = sorted(glob.glob(os.path.join(
            self.work, "csv", "swtest", "secretwatch-" + plugin_instance,
            name + "-[0-9]*")))
        if not files:
            return None
        with open(files[-1]) as f:
            lines = [ln for ln in f.read().splitlines() if ln[:1].isdigit()]
        return float(lines[-1].split(",")[1]) if lines else None

    def notifications(self):
        out = []
        # n.<pid>.<nanoseconds>: in the order they were written
        paths = glob.glob(os.path.join(self.notif_dir, "n.*"))
        for path in sorted(paths, key=lambda x: int(x.rsplit(".", 1)[1])):
            with open(path, errors="replace") as f:
                text = f.read()
            head, _, message = text.partition("\n\n")
            fields = {}
            for line in head.splitlines():
                k, _, v = line.partition(": ")
                fields.setdefault(k, v)
            fields["_message"] = message.strip()
            fields["_raw"] = text
            out.append(fields)
        return out

    def of_type(self, t):
        return [n for n in self.notifications() if n.get("Type") == t]


def check(cond, what, h):
    if not cond:
        print("FAIL: " + what)
        for n in h.notifications():
            print("---- notification\n" + n["_raw"])
        with open(os.path.join(h.work, "collectd.log")) as f:
            print("---- collectd.log\n" + f.read()[-6000:])
        raise SystemExit(1)
    print("ok   " + what)


def top_reads(h):
    return [n for n in h.of_type("secret_access")
            if n.get("PluginInstance") == "TopSecretInfo"]


def wait_reads(h, want, what):
    def enough():
        h.admin("tick", {"evaluate_alarms": False})
        return h.csv_last("TopSecretInfo", "derive-reads") == want
    try:
        wait_for(what, enough, 60)
    except AssertionError:
        pass
    time.sleep(4)  # two more cycles: nothing may repeat
    reads = top_reads(h)
    ids = [n.get("event_id") for n in reads]
    check(h.csv_last("TopSecretInfo", "derive-reads") == want and
          len(reads) == want and len(set(ids)) == want,
          "%s: %d reads, each notified once (csv %r, notifications %d)"
          % (what, want, h.csv_last("TopSecretInfo", "derive-reads"),
             len(reads)), h)


def extended(h):
    """Pagination and rate limit, late delivery, downtime, corrupt state."""
    state = os.path.join(h.work, "base", "secretwatch", "prod.json")
    # 120 reads in one cycle: three LookupEvents pages
    h.admin("read", {"secret": "TopSecretInfo", "principal": INTRUDER,
                     "count": 120})
    wait_reads(h, 121, "120 reads in one cycle")
    # late delivery inside Lookback: happened a minute ago, delivered now+6s
    h.admin("read", {"secret": "TopSecretInfo", "principal": INTRUDER,
                     "event_time": time.time() - 60, "delivery_delay_s": 6})
    wait_reads(h, 122, "a read delivered late")
    # two hours of downtime: reads during it are caught up (MaxBackfill)
    h.stop_collectd()
    with open(state) as f:
        st = json.load(f)
    st["last_end"] = time.time() - 7200
    with open(state, "w") as f:
        json.dump(st, f)
    for age in (7000, 3000):
        h.admin("read", {"secret": "TopSecretInfo", "principal": INTRUDER,
                         "event_time": time.time() - age})
    h.admin("tick", {"evaluate_alarms": False})
    time.sleep(1)
    h.start_collectd()
    wait_reads(h, 124, "reads during 2 h of downtime")
    # quiet cycles: only the window end moves, so the state file (two
    # fsyncs a write) is not rewritten every cycle ...
    inodes = []
    for _ in range(8):
        time.sleep(1)
        st = os.stat(state)
        inodes.append((st.st_ino, st.st_mtime_ns))
    check(len(set(inodes)) <= 2, "quiet cycles rewrite the state file at "
          "most for a change (%d files in 8 s)" % len(set(inodes)), h)
    # ... and a crash then (no shutdown write) repeats nothing: the seen ids
    # in the file cover the longer window of the next start
    if os.environ.get("SW_VALGRIND") != "1":  # valgrind must see an exit
        h.collectd.kill()
        h.collectd.wait(timeout=30)
        h.start_collectd()
        wait_reads(h, 124, "restart after SIGKILL in quiet cycles")
    # a corrupt state file is moved aside; collectd keeps running
    h.stop_collectd()
    with open(state, "w") as f:
        f.write('{"version":1,"last_end":')
    h.start_collectd()
    wait_for("a cycle after the corrupt state file",
             lambda: os.path.exists(state) and
             open(state).read().startswith('{"version":1,"account"'), 30)
    with open(os.path.join(h.work, "collectd.log")) as f:
        log = f.read()
    check("is unusable" in log and "moved it to" in log and
          glob.glob(state + ".corrupt-*"),
          "corrupt state file moved aside with a log line", h)


def replay_real_records(h):
    """Every GetSecretValue-related real record of the shared test data,
    re-dated to now and injected with /_awssim/record, is attributed to the
    right secret with the right principal, IP, user agent and verdict."""
    base = os.environ.get("SW_TESTDATA")
    folder = os.path.join(base or "", "aws-responses", "cloudtrail-records")
    if not base or not os.path.isdir(folder):
        print("note: SW_TESTDATA not available; replay of real records "
              "skipped")
        return
    records = []
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name)) as f:
            doc = json.load(f)
        items = doc.get("Records") if isinstance(doc, dict) and \
            "Records" in doc else doc
        for rec in items if isinstance(items, list) else [items]:
            records.append((name, rec))
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 30))
    for name, rec in records:
        rec = dict(rec, eventTime=stamp)
        h.admin("record", {"record": rec, "account_id": "111122223333",
                           "region": "us-east-1"})

    # what each record must become, computed independently of the plugin
    def secret_of(rec):
        if rec.get("eventSource") != "secretsmanager.amazonaws.com":
            return None
        if rec.get("eventName") != "GetSecretValue":
            return None
        sid = ((rec.get("requestParameters") or {}).get("secretId") or
               rec.get("errorMessage", "").partition("on resource: ")[2]
               .split(" ")[0])
        name = sid.split(":secret:")[-1]
        for label, want in (("replay-db", "prod/app/db-credentials"),
                            ("replay-stratus",
                             "stratus-red-team-retrieve-secret-18")):
            if name in (want, ) or (name.startswith(want + "-") and
                                    len(name) == len(want) + 7):
                return label
        return None
    expect = {}
    for name, rec in records:
        label = secret_of(rec)
        if label:
            expect.setdefault(label, []).append(rec)

    def seen():
        h.admin("tick", {"evaluate_alarms": False})
        got = [n for n in h.of_type("secret_access")
               if n.get("PluginInstance", "").startswith("replay-")]
        return got if len(got) >= 2 else None
    try:
        wait_for("replayed records", seen, 30)
    except AssertionError:
        pass
    time.sleep(4)
    got = [n for n in h.of_type("secret_access")
           if n.get("PluginInstance", "").startswith("replay-")]
    by_id = {n.get("event_id"): n for n in got}
    ok = True
    for label, recs in expect.items():
        for rec in recs:
            ui = rec.get("userIdentity") or {}
            issuer = ((ui.get("sessionContext") or {}).get("sessionIssuer")
                      or {}).get("arn")
            allowed = label == "replay-db" and not rec.get("errorCode") and \
                issuer == "arn:aws:iam::123456789012:role/app-server-role"
            n = by_id.get(rec["eventID"])
            if allowed:
                ok &= n is None  # counted, not notified
                continue
            if n is None:
                print("missing notification for %s" % rec["eventID"])
                ok = False
                continue
            ok &= n.get("PluginInstance") == label
            ok &= n.get("principal_arn") == ui.get("arn")
            ok &= n.get("source_ip") == rec.get("sourceIPAddress")
            ok &= n.get("user_agent") == rec.get("userAgent")
            ok &= n.get("error_code", "") == rec.get("errorCode", "")
            ok &= (" read denied (" in n["_message"]) == bool(
                rec.get("errorCode"))
    want_notified = sum(1 for recs in expect.values() for r in recs
                        if not (not r.get("errorCode") and
                                ((r.get("userIdentity") or {})
                                 .get("sessionContext") or {})
                                .get("sessionIssuer", {}).get("arn") ==
                                "arn:aws:iam::123456789012:role/"
                                "app-server-role"))
    check(h.csv_last("replay-db", "derive-reads") == 1 and
          h.csv_last("replay-db", "derive-reads-denied") == 1 and
          h.csv_last("replay-stratus", "derive-reads-unexpected") == 1,
          "real records replayed: counted as allowed, denied, unexpected", h)
    check(ok and len(got) == want_notified and len(expect) == 2,
          "real records replayed: %d notifications for %d matching records, "
          "each attributed correctly" % (len(got), sum(map(len,
                                                          expect.values()))),
          h)


def oversized_logs_event(h):
    """A Logs event whose message is over the 256 KB cap (AWS refuses such
    an event; an endpoint may not): notified once, from its envelope, on
    the account (caller and secret unknown), and counted as a read and an
    unexpected read of the watched secret."""
    before = h.csv_last("TopSecretInfo", "derive-reads-unexpected") or 0
    now = time.time()
    rec = {"eventVersion": "1.09", "eventID": "oversized-logs-record-1",
           "eventTime": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                      time.gmtime(now)),
           "eventSource": "secretsmanager.amazonaws.com",
           "eventName": "GetSecretValue", "awsRegion": "us-east-1",
           "userAgent": "x" * (300 << 10),
           "requestParameters": {"secretId": "TopSecretInfo"}}
    h.client("logs").put_log_events(
        logGroupName=LOG_GROUP,
        logStreamName="111122223333_CloudTrail_us-east-1",
        logEvents=[{"timestamp": int(now * 1000),
                    "message": json.dumps(rec)}])

    def found():
        return [n for n in h.of_type("secret_access")
                if n.get("oversized") == "true"]
    wait_for("the notification of an oversized Logs event", found, 60)
    time.sleep(5)  # two more cycles: nothing may repeat
    got = found()
    check(len(got) == 1 and got[0].get("PluginInstance") == "prod" and
          got[0].get("Severity") == "FAILURE" and
          "oversized" in got[0]["_message"] and
          got[0].get("event_id", "").startswith("logs:"),
          "oversized Logs event: one FAILURE on the account (%d)" % len(got),
          h)
    check(h.csv_last("TopSecretInfo", "derive-reads-unexpected") ==
          before + 1, "oversized Logs event counted as unexpected read", h)


def main():
    if len(sys.argv) not in (2, 3):
        print(__doc__)
        return 2
    need_collectd(("csv", "unixsock", "exec", "logfile"), sys.argv[1],
                  tools=("collectdctl",))
    h = Harness(sys.argv[1])
    def body():
        h.start_sim()
        cw = h.client("cloudwatch")
        arn = h.standard_chain()
        h.mode = sys.argv[2] if len(sys.argv) == 3 else "json"
        if h.mode == "logs":
            logs = h.client("logs")
            logs.create_log_group(logGroupName=LOG_GROUP)
            logs.create_log_stream(
                logGroupName=LOG_GROUP,
                logStreamName="111122223333_CloudTrail_us-east-1")
        h.write_conf(arn, h.mode)
        h.start_collectd()

        # 1. the honeytoken read
        r = h.admin("read", {"secret": "TopSecretInfo", "principal": INTRUDER,
                             "source_ip": "203.0.113.9",
                             "user_agent": HOSTILE_UA})
        h.deliver(r["event_ids"])

        def read_seen():
            h.admin("tick", {"evaluate_alarms": False})
            return h.of_type("secret_access")
        wait_for("the secret_access notification", read_seen)
        time.sleep(5)  # two more cycles: nothing may repeat
        reads = h.of_type("secret_access")
        check(len(reads) == 1, "exactly one secret_access notification", h)
        n = reads[0]
        check(n.get("Severity") == "FAILURE", "severity FAILURE", h)
        check(n.get("Plugin") == "secretwatch" and
              n.get("PluginInstance") == "TopSecretInfo" and
              n.get("TypeInstance") == "GetSecretValue",
              "identifier secretwatch-TopSecretInfo/secret_access-"
              "GetSecretValue", h)
        check(n["_message"].startswith(
            "TopSecretInfo read by %s from 203.0.113.9 at " % INTRUDER),
            "message names principal and source IP", h)
        check(n.get("principal_arn") == INTRUDER and
              n.get("source_ip") == "203.0.113.9" and
              n.get("allowed") == "false", "meta principal_arn, source_ip, "
              "allowed", h)
        check(n.get("user_agent", "").startswith("evil-agent/1.0?[0] "
                                                 "DISABLE_NOTIFICATIONS"),
              "user agent sanitized onto one line", h)
        check(not any(line.startswith("[0]") for line in
                      n["_raw"].splitlines()),
              "no injected line in the exec output", h)
        check(h.csv_last("TopSecretInfo", "derive-reads-unexpected") == 1,
              "csv derive-reads-unexpected = 1", h)
        check(h.csv_last("TopSecretInfo", "derive-reads") == 1,
              "csv derive-reads = 1", h)

        # guarded: an allowed read is counted, a denied attempt notified
        r1 = h.admin("read", {"secret": "prod/app/db",
                              "principal": "AKIAAWSSIMAPPSERVER1"})
        r2 = h.admin("read", {"secret": "prod/app/db", "principal": INTRUDER,
                              "denied": True, "source_ip": "198.51.100.23"})
        h.deliver(r1["event_ids"] + r2["event_ids"])

        def denied_seen():
            h.admin("tick", {"evaluate_alarms": False})
            return [x for x in h.of_type("secret_access")
                    if x.get("PluginInstance") == "app-db"]
        denied = wait_for("the denied notification", denied_seen)
        try:
            wait_for("the allowed read counted",
                     lambda: h.csv_last("app-db", "derive-reads") == 1)
        except AssertionError:
            check(False, "allowed read counted (reads=%r denied=%r)" % (
                h.csv_last("app-db", "derive-reads"),
                h.csv_last("app-db", "derive-reads-denied")), h)
        time.sleep(3)
        denied = denied_seen()
        check(len(denied) == 1 and denied[0].get("Severity") == "FAILURE" and
              " read denied (" in denied[0]["_message"] and
              denied[0].get("error_code"), "guarded: one FAILURE for the "
              "denied attempt, none for the allowed read", h)
        check(h.csv_last("app-db", "derive-reads-denied") == 1 and
              h.csv_last("app-db", "derive-reads-unexpected") == 0,
              "guarded: reads 1, denied 1, unexpected 0", h)

        # 2. metric and alarm
        # Two complete periods for count/cloudwatch; the alarm evaluates
        # the current period, so the wait below keeps a datapoint in it.
        now = time.time()
        cw.put_metric_data(Namespace="SecretWatch", MetricData=[
            {"MetricName": "TopSecretInfo-reads", "Value": 3,
             "Timestamp": now - 120},
            {"MetricName": "TopSecretInfo-reads", "Value": 2,
             "Timestamp": now - 60}])

        def alarm_seen():
            cw.put_metric_data(Namespace="SecretWatch", MetricData=[
                {"MetricName": "TopSecretInfo-reads", "Value": 1}])
            h.admin("tick", {"evaluate_alarms": True})
            return [a for a in h.of_type("alarm_state")
                    if a.get("Severity") == "FAILURE"]
        alarms = wait_for("the alarm_state FAILURE notification", alarm_seen)
        check(alarms[0].get("TypeInstance") ==
              "secretwatch-TopSecretInfo-read" and
              alarms[0].get("state_reason"), "alarm_state -> ALARM with "
              "state_reason", h)

        def count_rows():
            rows = h.csv_rows("TopSecretInfo", "count-cloudwatch")
            vals = [v for _, v in rows]
            return rows if 3 in vals and 2 in vals else None
        try:
            rows = wait_for("count/cloudwatch 3 then 2", count_rows)
        except AssertionError:
            rows = h.csv_rows("TopSecretInfo", "count-cloudwatch")
        vals = [v for _, v in rows]
        check(3 in vals and 2 in vals and vals.index(3) < vals.index(2),
              "count/cloudwatch: each complete datapoint, oldest first "
              "(%r)" % rows, h)
        check(all(a[0] < b[0] for a, b in zip(rows, rows[1:])),
              "count/cloudwatch: timestamps strictly increasing", h)
        check(h.getval("swtest/secretwatch-TopSecretInfo/count-cloudwatch")
              is not None, "GETVAL count-cloudwatch", h)
        check(h.getval("swtest/secretwatch-TopSecretInfo/gauge-alarm_state")
              == 2, "GETVAL gauge-alarm_state = 2", h)

        # 3. restart: nothing repeated, counters kept
        h.stop_collectd()
        h.start_collectd()
        wait_for("a cycle after the restart", lambda: h.getval(
            "swtest/secretwatch-TopSecretInfo/derive-reads-unexpected")
            is not None)
        time.sleep(5)
        reads = h.of_type("secret_access")
        ids = [n.get("event_id") for n in reads]
        check(len(reads) == 2 and len(set(ids)) == 2,
              "restart repeats no secret_access notification", h)
        # A later real transition (ALARM -> OK once datapoints stop) is
        # fine; the same transition twice in a row is a repeat.
        sev = [n.get("Severity") for n in h.of_type("alarm_state")]
        check(all(a != b for a, b in zip(sev, sev[1:])),
              "restart repeats no alarm transition (%r)" % sev, h)
        check(h.csv_last("TopSecretInfo", "derive-reads-unexpected") == 1,
              "counter kept across the restart", h)
        if h.mode == "json":
            extended(h)
            replay_real_records(h)
        if h.mode == "logs":
            oversized_logs_event(h)

        with open(os.path.join(h.work, "collectd.log")) as f:
            log = f.read()
        broken = [ln for ln in log.splitlines()
                  if "account broken: GetMetricData failed" in ln]
        # c_complain backs off exponentially; each collectd start resets it
        check(1 <= len(broken) <= 4 * h.starts,
              "broken account: its error logged with back-off, not every "
              "cycle "
              "(%d lines)" % len(broken), h)

    return swharness.run_to_end(h, body)


if __name__ == "__main__":
    sys.exit(main())
