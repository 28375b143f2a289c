#!/usr/bin/python3
"""Fault-injection table (issue 7): one real `collectd -f` with the built
secretwatch.so against tests/awssim over HTTPS, a stream of reads by several
principals (some denied), one fault scenario at a time, counted against the
simulator's ground truth (the event ids /_awssim/read returns).

Accounts: "prod" (111122223333, short-lived credentials from a
credential_process that the simulator issues: every scenario also runs with
credentials that really expire and must be refreshed without a gap),
"control" (444455556666: the account that must stay unaffected), and two
accounts that fail all the time: "dnsfail" (unresolvable EndpointURL host)
and "wrongca" (a CA that did not sign the simulator's certificate).

Per scenario: sent / notified / lost / duplicated / collectd alive / control
account unaffected / each problem logged once (c_complain) and its recovery
once (c_release). Then the security properties that need what this run
produced: no secret key, session token or secret value in anything collectd
wrote; no GetSecretValue call; state file 0600 and its directory 0700;
every notification and CSV line well formed and bounded.

The simulator, the PluginDir copies, collectd's start/stop and the
sanitizer plumbing come from tests/lib/swharness.py: for an ASan build of
the plugin collectd runs with the ASan runtime preloaded, and any sanitizer
report (halt on error: collectd dies) fails the run.

SW_FAULTS_TOKEN_BURST=N changes the token scenario's burst (default 75;
150 reproduces the re-read delay described at LATE_REREAD_NOTE).
SW_FAULTS_ONLY=word[,word...] runs only the scenarios whose name contains
one of the words (to reproduce one). SW_KEEP=1 keeps the work directory.

Usage: fault_table.py /path/to/secretwatch.so      Exit 0 pass, 1 fail, 77 skip."""
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import swharness  # noqa: E402  (simulator, collectd, sanitizer plumbing)

PROD_ACCT, CTL_ACCT = "111122223333", "444455556666"
ALICE = ("AKIAAWSSIMALICE00001", "aliceSecretKey/awssim/000000000000000000")
BOB = ("AKIAAWSSIMBOB0000001", "bobSecretKey/awssim/00000000000000000000")
# A third AWS account, for "logsrc" (its faults must not reach prod's).
CAROL = ("AKIAAWSSIMCAROL00001", "carolSecretKey/awssim/0000000000000000",
         "777788889999")
LOG_ACCT = CAROL[2]
INTRUDER = "arn:aws:iam::111122223333:user/intruder"
SECRET_VALUE = "sw-faults-SECRET-VALUE-7f3e9a1c"
CTL_SECRET_VALUE = "sw-faults-CONTROL-SECRET-VALUE-2b8d"
CRED_DURATION_S = 14  # really expires during the run: refresh or gap
TIMEOUT_S = 2
PLUGINS = ("csv", "exec", "logfile", "unixsock")
# The "logsrc" account (CAROL's AWS account, static keys) reads records from
# this log group with FilterLogEvents, and CloudWatch over query/XML.
LOG_GROUP = "sw-faults-trail"
LOG_STREAM = "777788889999_CloudTrail_us-east-1"
# A notification message is at most 255 bytes (DESIGN 2.3); meta values are
# bounded by the plugin (META_MAX 512) - allow a little for escaping.
META_BOUND = 600
# Problems the plugin reports that repeat while a fault lasts: which log
# line opens, which closes an episode. Keyed by step.
PROBLEMS = [
    ("credentials", r"no usable credentials", r"credentials work again"),
    ("GetMetricData", r"GetMetricData failed", r"GetMetricData works again"),
    ("DescribeAlarms", r"DescribeAlarms failed", r"DescribeAlarms works again"),
    ("events", r"reading CloudTrail records failed",
     r"reading CloudTrail records works again"),
    ("records", r"skipped \d+ CloudTrail record", r"no more unusable CloudTrail"),
    ("state", r"state file .*cannot be written",
     r"state file is written again"),
]
# Why bursts stay small here: a record whose eventTime is before the end of
# the window a cycle just read (the window ends at ceil(now)), but that was
# not yet visible to that cycle's query, is found only by the Lookback
# re-read. With more pages in Lookback than a cycle reads (4 at Interval 2),
# the re-read spans several cycles: measured 8-23 s for records 3 s late with
# 600 records in Lookback, and once over 35 s (the row "state file
# unwritable" lost 3 of 4 reads within its 25 s after a 150-read token burst).
LATE_REREAD_NOTE = "records behind a cycle's window end wait for the re-read"
# Plugin bug (reported; plugin/cursor.c): after the bursts and refused
# tokens above, prod's Lookback re-read walk is cut every cycle and never
# completes ("re-reading the last 900 s ... goes on next cycle where it
# stopped" with c_complain back-off for over 75 s); reads this row makes
# just behind a cycle's window end (see LATE_REREAD_NOTE) are then not
# notified until a restart. Seen in 5 of 7 full runs (normal and ASan),
# always in this row; 0 of 3 runs of SW_FAULTS_ONLY subsets.
# How long a scenario waits for its records once its fault is set: the
# product promises minutes; a row slower than SLOW_S gets a note (see
# LATE_REREAD_NOTE).
SETTLE_S = 40
# How long a row waits after its records for the recovery line of a
# problem it logged (a few cycles of Interval 2).
RECOVERY_S = 10
SLOW_S = 20
# Problems that are logged on purpose once per restart (not c_complain).
ONCE_PER_START = [r"is unusable", r"catching up", r"caught up"]


def wait_for(what, fn, timeout_s=30, step_s=0.4):
    """swharness.wait_for, but None (not an exception) on timeout: the
    scenarios count what did not happen."""
    try:
        return swharness.wait_for(what, fn, timeout_s, step_s)
    except AssertionError:
        return None


class FaultHarness(swharness.Harness):
    """swharness.Harness whose collectd gets no AWS_* variable of ours but
    the fault suite's shared config and credentials files (so "prod" really
    runs its credential_process), plus the sanitizer environment."""

    aws_env = {}

    def collectd_env(self, extra=None):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("AWS_")}
        env.update(self.aws_env)
        env.update(extra or {})
        return swharness.sanitizer_env(env, self.so, self.report_dir)


class Run:
    def __init__(self, so):
        self.so = so
        self.h = FaultHarness("swfaults-", so)
        self.work = self.h.work
        self.src = self.h.src
        # keys and credentials outside the work dir: everything in work is
        # grepped for them at the end
        self.private = tempfile.mkdtemp(prefix="swfaults-keys-")
        self.issued = os.path.join(self.private, "issued.jsonl")
        self.collectd = None
        self.tmpfs = None
        self.truth = {}       # event id -> (scenario, account label)
        self.rows = []
        self.failures = []
        self.xfail = []
        self.starts = 0
        self.token_check = None
        self.asan = swharness.is_asan(so)

    # ---------------------------------------------------------------- infra
    def close(self):
        """Stops collectd (checking for sanitizer reports), unmounts the
        small tmpfs, then swharness closes (exit 1 on a sanitizer report)."""
        try:
            if self.alive():
                self.h.stop_collectd()
        except AssertionError as e:
            self.fail(str(e))
        if self.tmpfs:
            subprocess.run(["umount", self.tmpfs], capture_output=True,
                           timeout=30)
        shutil.rmtree(self.private, ignore_errors=True)
        self.h.close(keep=bool(os.environ.get("SW_FAULTS_KEEP") or
                               os.environ.get("SW_KEEP")))

    def start_sim(self):
        """tests/awssim with its built-in accounts plus CAROL (swharness
        starts it without --accounts: this is that, with the option), as
        Harness.start_sim leaves it: h.sim, h.cfg, h.admin_url."""
        h = self.h
        sys.path.insert(0, os.path.join(self.src, "tests", "awssim"))
        import world
        accounts = [p.to_json() for p in world.default_principals()]
        accounts.append(dict(account_id=CAROL[2], access_key_id=CAROL[0],
                             secret_access_key=CAROL[1], name="carol",
                             principal_arn="arn:aws:iam::%s:user/carol"
                             % CAROL[2]))
        path = os.path.join(self.private, "accounts.json")
        with open(path, "w") as f:
            json.dump(accounts, f)
        simdir = os.path.join(self.work, "sim")
        h.sim = h.spawn(["/usr/bin/python3",
                         os.path.join(self.src, "tests/awssim/awssim"),
                         "--dir", simdir, "--accounts", path], "sim.log")

        def ready():
            if h.sim.poll() is not None:
                raise AssertionError("awssim exited %s: %s" % (
                    h.sim.returncode, h.log("sim.log", 2000)))
            try:
                with open(os.path.join(simdir, "awssim.json")) as f:
                    return json.load(f)
            except (OSError, ValueError):
                return None
        h.cfg = swharness.wait_for("awssim.json", ready, 20, 0.1)
        h.admin_url = h.cfg["endpoint_http"] + "/_awssim/"
        self.cfg = h.cfg
        self.admin_url = h.admin_url
        self.admin("delays", {"cloudtrail_delivery": 0})

    def admin(self, path, body=None, method="POST"):
        data = None if method in ("GET", "DELETE") else \
            json.dumps(body or {}).encode()
        req = urllib.request.Request(self.admin_url + path, data=data,
                                     method=method)
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read() or b"{}")

    def client(self, service, keys):
        import boto3
        return boto3.client(service, region_name="us-east-1",
                            endpoint_url=self.cfg["endpoint_https"],
                            verify=self.cfg["ca_file"],
                            aws_access_key_id=keys[0],
                            aws_secret_access_key=keys[1])

    def other_ca(self):
        d = os.path.join(self.work, "otherca")
        os.makedirs(d)
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec",
                        "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                        "-keyout", d + "/k.pem", "-out", d + "/ca.pem",
                        "-days", "2", "-subj", "/CN=not the awssim CA"],
                       check=True, capture_output=True, timeout=60)
        return d + "/ca.pem"

    def mount_small_fs(self):
        """A 256 KiB tmpfs for prod's state file (full-filesystem
        scenario). None when this host cannot mount one."""
        d = os.path.join(self.work, "smallfs")
        os.makedirs(d)
        if os.geteuid() != 0:
            return None
        r = subprocess.run(["mount", "-t", "tmpfs", "-o",
                            "size=256k,mode=0755", "swfaults", d],
                           capture_output=True, text=True, timeout=30)
        if r.returncode != 0:
            print("note: cannot mount a small tmpfs (%s); full-filesystem "
                  "scenario not run" % r.stderr.strip())
            return None
        self.tmpfs = d
        return d

    def write_conf(self, prod_arn, ctl_arn, log_arn):
        h = self.h
        plugins = h.plugin_dir(self.so, PLUGINS)
        script, self.notif_dir = h.notify_script()
        awsdir = os.path.join(self.private, "aws")
        os.makedirs(awsdir)
        self.aws_config = os.path.join(awsdir, "config")
        self.aws_creds = os.path.join(awsdir, "credentials")
        with open(self.aws_config, "w") as f:
            f.write("[profile prod]\nregion = us-east-1\n"
                    "credential_process = /usr/bin/python3 %s %s %d %s\n"
                    "[profile control]\nregion = us-east-1\n"
                    "[profile logsrc]\nregion = us-east-1\n"
                    % (os.path.join(HERE, "credproc.py"), self.admin_url,
                       CRED_DURATION_S, self.issued))
        with open(self.aws_creds, "w") as f:
            f.write("[control]\naws_access_key_id = %s\n"
                    "aws_secret_access_key = %s\n" % BOB)
            f.write("[logsrc]\naws_access_key_id = %s\n"
                    "aws_secret_access_key = %s\n" % CAROL[:2])
        os.chmod(self.aws_creds, 0o600)
        h.aws_env = dict(AWS_CONFIG_FILE=self.aws_config,
                         AWS_SHARED_CREDENTIALS_FILE=self.aws_creds,
                         HOME=self.private)
        small = self.mount_small_fs()
        self.state_dir = small or os.path.join(self.work, "state")
        self.state = os.path.join(self.state_dir, "prod", "prod.json")
        self.ctl_state = os.path.join(self.work, "base", "secretwatch",
                                      "control.json")
        self.log = os.path.join(self.work, "collectd.log")
        common = """    Region "us-east-1"
    Interval 2
    Timeout {t}
    WatchdogCycles 10000
""".format(t=TIMEOUT_S)
        h.sock = os.path.join(self.work, "collectd.sock")
        h.collectd_conf = self.conf = os.path.join(self.work, "collectd.conf")
        with open(self.conf, "w") as f:
            f.write(h.base_conf(plugins, hostname="swfaults", interval=2,
                                globals_="WriteThreads 1") + """\
LoadPlugin unixsock
<Plugin unixsock>
  SocketFile "{sock}"
</Plugin>
LoadPlugin csv
<Plugin csv>
  DataDir "{w}/csv"
</Plugin>
LoadPlugin exec
<Plugin exec>
  NotificationExec "nobody" "{script}"
</Plugin>
LoadPlugin secretwatch
<Plugin secretwatch>
  <Account "prod">
{common}    Profile "prod"
    EndpointURL "{ep}"
    CAFile "{ca}"
    StateFile "{state}"
    <Secret "Decoy">
      SecretID "{prod_arn}"
      Mode "honeytoken"
    </Secret>
  </Account>
  <Account "control">
{common}    Profile "control"
    EndpointURL "{ep}"
    CAFile "{ca}"
    <Secret "CtlDecoy">
      SecretID "{ctl_arn}"
      Mode "honeytoken"
    </Secret>
  </Account>
  <Account "logsrc">
{common}    Profile "logsrc"
    EndpointURL "{ep}"
    CAFile "{ca}"
    EventSource "FilterLogEvents"
    LogGroup "{log_group}"
    CloudWatchProtocol "query"
    <Secret "LogDecoy">
      SecretID "{log_arn}"
      Mode "honeytoken"
    </Secret>
  </Account>
  <Account "dnsfail">
{common}    Profile "control"
    EndpointURL "https://sw-faults-no-such-host.invalid"
    <Secret "DnsDecoy">
      SecretID "DnsDecoy"
    </Secret>
  </Account>
  <Account "wrongca">
{common}    Profile "control"
    EndpointURL "{ep}"
    CAFile "{otherca}"
    <Secret "CaDecoy">
      SecretID "CaDecoy"
    </Secret>
  </Account>
</Plugin>
""".format(w=self.work, sock=h.sock, script=script, common=common,
           ep=self.cfg["endpoint_https"], ca=self.cfg["ca_file"],
           state=self.state, prod_arn=prod_arn, ctl_arn=ctl_arn,
           log_arn=log_arn, log_group=LOG_GROUP,
           otherca=self.other_ca()))

    def start_collectd(self):
        """collectd -f through swharness (ASan runtime preloaded for an ASan
        build), then waits for its first cycle (the control account's state
        file exists)."""
        self.starts += 1
        self.collectd = self.h.start_collectd(timeout_s=30)
        if not wait_for("a first cycle", lambda: os.path.exists(
                self.ctl_state), 30, 0.2):
            self.fail("collectd start %d: no first cycle" % self.starts)

    def stop_collectd(self, sig=signal.SIGTERM):
        if sig == signal.SIGTERM:
            try:
                self.h.stop_collectd()
            except AssertionError as e:   # a sanitizer report
                self.fail(str(e))
            return
        try:
            os.killpg(self.collectd.pid, sig)
        except ProcessLookupError:
            pass
        self.collectd.wait(timeout=30)

    def alive(self):
        return self.collectd is not None and self.collectd.poll() is None

    def sanitizer_reports(self):
        return swharness.sanitizer_reports(self.h.report_dir, [
            os.path.join(self.work, n) for n in
            ("collectd.log", self.h.collectd_out)])

    def fail(self, what):
        print("FAIL: " + what)
        self.failures.append(what)

    # ---------------------------------------------------------------- data
    def notifications(self):
        out = []
        for path in glob.glob(os.path.join(self.notif_dir, "n.*")):
            with open(path, "rb") as f:
                raw = f.read()
            text = raw.decode("utf-8", "replace")
            head, _, message = text.partition("\n\n")
            fields = {}
            for line in head.splitlines():
                k, _, v = line.partition(": ")
                fields.setdefault(k, v)
            fields["_message"] = message
            fields["_raw"] = raw
            fields["_path"] = path
            out.append(fields)
        return out

    def notified_ids(self):
        ids = {}
        for n in self.notifications():
            if n.get("Type") == "secret_access":
                ids[n.get("event_id")] = ids.get(n.get("event_id"), 0) + 1
        return ids

    def log_text(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def read(self, scenario, label, **kw):
        r = self.admin("read", kw)
        for eid in r["event_ids"]:
            self.truth[eid] = (scenario, label)
        return r["event_ids"]

    def stream(self, scenario, prod=True):
        """The standard stream: three principals on prod (one denied),
        one read on the control account."""
        ids = []
        if prod:
            ids += self.read(scenario, "prod", secret="Decoy",
                             principal=INTRUDER, source_ip="203.0.113.9")
            ids += self.read(scenario, "prod", secret="Decoy",
                             principal="AKIAAWSSIMAPPSERVER1")
            ids += self.read(scenario, "prod", secret="Decoy",
                             principal=INTRUDER, denied=True)
        ids += self.read(scenario, "control", secret="CtlDecoy",
                         principal=BOB[0])
        return ids

    def fault(self, **spec):
        spec.setdefault("account", PROD_ACCT)
        self.admin("fault", spec)

    def faults_left(self):
        got = self.admin("fault", method="GET")
        items = got.get("faults", got) if isinstance(got, dict) else got
        left = [f for f in items or []
                if isinstance(f, dict) and f.get("remaining", 1) != 0]
        # pagination tokens refused on demand (not in /_awssim/fault)
        for svc in ("cloudtrail", "logs"):
            n = self.admin(svc + "/tokens").get("invalidate_remaining", 0)
            if n:
                left.append({"service": svc, "kind": "tokens",
                             "remaining": n})
        return left

    def settle(self, ids, timeout_s=SETTLE_S):
        """Ticks the simulator until every id was notified and no fault is
        pending, then lets one more cycle pass (a repeat would show)."""
        def done():
            self.admin("tick", {"evaluate_alarms": False})
            got = self.notified_ids()
            return all(i in got for i in ids) and not self.faults_left()
        ok = wait_for("notifications", done, timeout_s, 0.5)
        self.admin("fault", method="DELETE")
        for svc in ("cloudtrail", "logs"):
            self.admin(svc + "/tokens", {"invalidate": 0})
        time.sleep(2.5)
        return ok

    # ------------------------------------------------------------ scenarios
    def scenario(self, name, setup=None, ids_fn=None, expect_log=True,
                 restart=None, dup_ok=False, timeout_s=SETTLE_S, note="",
                 known_bug=None, acct="prod"):
        only = os.environ.get("SW_FAULTS_ONLY")
        if only and not any(w.strip() and w.strip().lower() in name.lower()
                            for w in only.split(",")):
            return
        log_from = len(self.log_text())
        before = self.notified_ids()
        t0 = time.time()
        ids = []
        if restart:
            ids += restart() or []
        if setup:
            setup()
        ids += (ids_fn or self.stream)(name)
        self.settle(ids, timeout_s)
        # A problem's recovery line comes with the first good cycle after
        # the fault, which may be a cycle or two after its records: wait
        # for it (bounded; a missing one still fails the row).
        wait_for("recovery lines", lambda: self.logged(
            self.log_text()[log_from:], acct)[1], RECOVERY_S, 0.5)
        self.account_row(name, ids, before, log_from, expect_log, dup_ok,
                         time.time() - t0, note, known_bug, acct)

    def account_row(self, name, ids, before, log_from, expect_log, dup_ok,
                    took, note, known_bug=None, acct="prod"):
        got = self.notified_ids()
        prod = [i for i in ids if self.truth[i][1] == "prod"]
        ctl = [i for i in ids if self.truth[i][1] == "control"]
        notified = sum(1 for i in ids if got.get(i, 0) >= 1)
        lost = [i for i in ids if got.get(i, 0) == 0]
        dups = sum(max(0, got.get(i, 0) - 1) for i in ids)
        # repeats of older records during this scenario
        redo = sum(max(0, got.get(i, 0) - max(1, before.get(i, 0)))
                   for i in got if i in before)
        alive = self.alive()
        ctl_ok = all(got.get(i, 0) == 1 or (dup_ok and got.get(i, 0) >= 1)
                     for i in ctl)
        log = self.log_text()[log_from:]
        logged, log_ok = self.logged(log, acct)
        ctl_problems = [ln for ln in log.splitlines()
                        if "account control:" in ln and
                        ("[error]" in ln or "[warning]" in ln)]
        row = dict(scenario=name, sent=len(ids), prod=len(prod),
                   notified=notified, lost=len(lost), dup=dups, redo=redo,
                   alive=alive, control=ctl_ok and not ctl_problems,
                   logged=logged, log_ok=log_ok, took=took, note=note)
        self.rows.append(row)
        bad = []
        if lost:
            bad.append("%d lost" % len(lost))
        if (dups or redo) and not dup_ok:
            bad.append("%d duplicated" % (dups + redo))
        if not alive:
            bad.append("collectd died")
        if self.sanitizer_reports():
            bad.append("sanitizer report (see the end)")
        if not row["control"]:
            bad.append("control account affected (%s)" %
                       (ctl_problems[:2] or "its read not notified once"))
        if not log_ok:
            bad.append("logging: " + logged)
        if took > SLOW_S and not lost:
            note = (note + "; " if note else "") + \
                "SLOW: the last record came after %.0f s (%s)" % (
                    took, LATE_REREAD_NOTE)
            row["note"] = note
        if expect_log and logged == "-" and not bad:
            note = (note + "; " if note else "") + \
                "fault absorbed by retries (nothing to log)"
            row["note"] = note
        print("row: %-30s sent %3d notified %3d lost %d dup %d redo %d "
              "alive %s control %s logged %s (%.0f s)" % (
                  name, len(ids), notified, len(lost), dups, redo, alive,
                  row["control"], logged, took), flush=True)
        if lost:
            print("     lost: %s" % ", ".join(
                "%s(%s)" % (i[:8], self.truth[i][1]) for i in lost[:6]))
        if bad and known_bug:
            print("XFAIL %s: %s (known bug: %s)" % (name, ", ".join(bad),
                                                   known_bug))
            self.xfail.append(name)
            row["note"] = (note + "; " if note else "") + \
                "XFAIL known bug: " + known_bug
        elif bad:
            self.fail("%s: %s" % (name, ", ".join(bad)))
        elif known_bug:
            print("XPASS %s: the known bug did not show (%s)"
                  % (name, known_bug))

    def logged(self, log, acct="prod"):
        """'step p/r' per step with p problem lines, r recovery lines (of
        the account acct), and whether each problem was logged once
        (c_complain may repeat with back-off: at most 2 lines for a
        one-cycle fault) and recovered once."""
        lines = [ln for ln in log.splitlines() if
                 ("account %s:" % acct) in ln or
                 (acct == "prod" and ("state file " + self.state) in ln)]
        parts, ok = [], True
        for key, bad, good in PROBLEMS:
            p = sum(1 for ln in lines if re.search(bad, ln))
            r = sum(1 for ln in lines if re.search(good, ln))
            if p or r:
                parts.append("%s %d/%d" % (key, p, r))
                ok &= 1 <= p <= 2 and r == 1
        return (", ".join(parts) or "-"), ok

    # ------------------------------------------------------------ specials
    def kill_mid_cycle(self, name):
        """SIGKILL while a LookupEvents request of prod hangs (delayed 3 s)
        with new records waiting; restart; they are notified once."""
        def restart():
            ids = self.stream(name)
            self.fault(service="cloudtrail", operation="LookupEvents",
                       kind="delay", delay_s=3, count=1)
            if not wait_for("the delayed request", lambda: not
                            self.faults_left(), 10, 0.05):
                self.fail(name + ": the delayed request never came")
            time.sleep(0.3)
            self.stop_collectd(signal.SIGKILL)
            self.start_collectd()
            return ids
        self.scenario(name, ids_fn=lambda n: [], restart=restart,
                      expect_log=False, dup_ok=True,
                      note="a kill between a cycle's dispatch and its state "
                      "write re-notifies that cycle's records (at least once, "
                      "DESIGN 2.4: persist after dispatching)")

    def state_restart(self, name, damage):
        def restart():
            self.stop_collectd()
            damage()
            self.start_collectd()
        self.scenario(name, restart=restart, expect_log=False, dup_ok=True,
                      note="state lost: records inside Lookback are "
                      "notified again (at least once, DESIGN 2.4)")
        self.quiesce()

    def quiesce(self, quiet_s=5, limit_s=40):
        """Waits until no notification arrived for quiet_s (the catch-up
        after a lost state file re-reads the whole Lookback)."""
        deadline, last, since = time.time() + limit_s, -1, time.time()
        while time.time() < deadline:
            self.admin("tick", {"evaluate_alarms": False})
            n = len(glob.glob(os.path.join(self.notif_dir, "n.*")))
            if n != last:
                last, since = n, time.time()
            elif time.time() - since >= quiet_s:
                return
            time.sleep(0.5)

    def untrusted_ids(self, name, size=100 << 10, hostile_read=True):
        """Hostile text in every field a record carries."""
        hostile = ("ua\n[0] DISABLE_NOTIFICATIONS\r\x07\x1b[31m %n%s%p%x "
                   "\u0000nul \udcff\udc80 bad-utf8 \u202e rtl")
        ids = self.read(name, "prod", secret="Decoy", principal=INTRUDER,
                        user_agent=hostile, source_ip="203.0.113.66") \
            if hostile_read else []
        big = "A" * size
        eid = str(uuid.uuid4())
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        rec = {
            "eventVersion": "1.09",
            "userIdentity": {
                "type": "IAMUser", "principalId": "AIDA%n%s\nX",
                "arn": "arn:aws:iam::111122223333:user/%n%s%s\n[0] X\x00"
                       + "B" * 4000,
                "accountId": PROD_ACCT, "accessKeyId": "AKIA%n\r\nX"},
            "eventTime": now, "eventSource": "secretsmanager.amazonaws.com",
            "eventName": "GetSecretValue", "awsRegion": "us-east-1",
            "sourceIPAddress": "198.51.100.7\n[0] X",
            "userAgent": big + "\n[0] DISABLE_NOTIFICATIONS",
            "errorCode": "AccessDenied\n%n",
            "errorMessage": "denied %s%s%n \x01\x02\n[0] X " + "E" * 40000,
            "requestParameters": {"secretId": self.prod_arn},
            "responseElements": None, "requestID": str(uuid.uuid4()),
            "eventID": eid, "readOnly": True, "eventType": "AwsApiCall",
            "managementEvent": True, "recipientAccountId": PROD_ACCT,
            "eventCategory": "Management"}
        self.admin("record", {"record": rec, "account_id": PROD_ACCT,
                              "region": "us-east-1"})
        self.truth[eid] = (name, "prod")
        return ids + [eid] + self.read(name, "control", secret="CtlDecoy",
                                       principal=BOB[0])

    def pagination_ids(self, name):
        """150 reads (3 pages of 50); once the plugin's first page of the
        next cycle was served, later pages fail three times."""
        ids = self.read(name, "prod", secret="Decoy", principal=INTRUDER,
                        count=150)
        ids += self.read(name, "control", secret="CtlDecoy", principal=BOB[0])
        self.admin("requests", method="DELETE")

        def first_page():
            r = self.admin("requests?log=0", method="GET")
            return r.get("operations", {}).get("cloudtrail.LookupEvents", 0)
        wait_for("a LookupEvents page", first_page, 10, 0.05)
        self.fault(service="cloudtrail", operation="LookupEvents",
                   kind="500", count=3)
        return ids

    def token_ids(self, name):
        """75 reads (a page of 50 and half a page; newest first, so a cycle
        reads them first); then the next 2 LookupEvents requests of prod
        that carry a NextToken are refused (InvalidNextTokenException): the
        plugin is on page 2 of the burst when AWS stops honouring its token,
        and again on the retry. (Not 150: every record stays in Lookback
        for the rest of the run, and a Lookback of more pages than a cycle
        reads delays what a later scenario reads within a second of a cycle
        to the Lookback re-read, 8-40 s: see LATE_REREAD_NOTE.)"""
        before = self.admin("cloudtrail/tokens")["refused"]
        ids = self.read(name, "prod", secret="Decoy", principal=INTRUDER,
                        count=int(os.environ.get("SW_FAULTS_TOKEN_BURST",
                                                 "75")))
        ids += self.read(name, "control", secret="CtlDecoy", principal=BOB[0])
        self.admin("cloudtrail/tokens", {"invalidate": 2,
                                         "account": PROD_ACCT})
        self.token_check = (before, 2, "cloudtrail", "LookupEvents")
        return ids

    def storm_ids(self, name):
        """Every operation prod calls is throttled for 8 s (4 cycles);
        reads made during the storm are notified after it."""
        self.admin("fault", {"faults": [
            dict(service=svc, operation=op, kind="throttle", count=0,
                 account=PROD_ACCT)
            for svc, op in (("cloudtrail", "LookupEvents"),
                            ("monitoring", "GetMetricData"),
                            ("monitoring", "DescribeAlarms"))]})
        ids = self.stream(name)
        time.sleep(8)
        self.admin("fault", method="DELETE")
        return ids

    def log_reads(self, name, n=3):
        """n reads of LogDecoy as a trail delivers them to CloudWatch Logs
        (CloudTrail records put into LOG_GROUP): intruder, app, a denied
        intruder in turn. The truth is their eventIDs."""
        intruder = "arn:aws:iam::%s:user/intruder" % LOG_ACCT
        principals = [("IAMUser", intruder, None),
                      ("AssumedRole", "arn:aws:sts::%s:assumed-role/"
                       "app-server/i-0abc1234def567890" % LOG_ACCT, None),
                      ("IAMUser", intruder, "AccessDenied")]
        now = time.time()
        events, ids = [], []
        for i in range(n):
            typ, arn, err = principals[i % 3]
            eid = str(uuid.uuid4())
            t = now - (n - i) * 0.001
            rec = {
                "eventVersion": "1.09",
                "userIdentity": {"type": typ, "arn": arn,
                                 "accountId": LOG_ACCT,
                                 "principalId": "AIDAFAULTS%05d" % i,
                                 "accessKeyId": "AKIAAWSSIMINTRUDER01"},
                "eventTime": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                           time.gmtime(t)),
                "eventSource": "secretsmanager.amazonaws.com",
                "eventName": "GetSecretValue", "awsRegion": "us-east-1",
                "sourceIPAddress": "203.0.113.%d" % (20 + i % 3),
                "userAgent": "aws-cli/2.9.19", "requestID": str(uuid.uuid4()),
                "requestParameters": {"secretId": self.log_arn},
                "responseElements": None, "eventID": eid, "readOnly": True,
                "resources": [{"accountId": LOG_ACCT,
                               "type": "AWS::SecretsManager::Secret",
                               "ARN": self.log_arn}],
                "eventType": "AwsApiCall", "managementEvent": True,
                "recipientAccountId": LOG_ACCT,
                "eventCategory": "Management"}
            if err:
                rec["errorCode"] = err
                rec["errorMessage"] = "denied"
            events.append({"timestamp": int(t * 1000),
                           "message": json.dumps(rec)})
            ids.append(eid)
            self.truth[eid] = (name, "logsrc")
        for i in range(0, len(events), 500):
            self.logs.put_log_events(logGroupName=LOG_GROUP,
                                     logStreamName=LOG_STREAM,
                                     logEvents=events[i:i + 500])
        return ids

    def logs_token_ids(self, name):
        """150 records in the log group (FilterLogEvents pages of 100 for
        the plugin); the next 2 FilterLogEvents requests with a nextToken
        are refused (InvalidParameterException "The specified nextToken is
        invalid.")."""
        before = self.admin("logs/tokens")["refused"]
        ids = self.log_reads(name, 150)
        ids += self.read(name, "control", secret="CtlDecoy", principal=BOB[0])
        self.admin("logs/tokens", {"invalidate": 2, "account": LOG_ACCT})
        self.token_check = (before, 2, "logs", "FilterLogEvents")
        return ids

    def late_ids(self, name):
        now = time.time()
        ids = []
        # delivered out of order: the oldest arrives last
        for age, delay in ((600, 5), (300, 1), (30, 3)):
            ids += self.read(name, "prod", secret="Decoy", principal=INTRUDER,
                             event_time=now - age, delivery_delay_s=delay)
        ids += self.read(name, "control", secret="CtlDecoy", principal=BOB[0],
                         event_time=now - 600, delivery_delay_s=4)
        return ids

    # ---------------------------------------------------------------- report
    def table(self):
        cols = ("scenario", "sent", "notified", "lost", "dup", "redo", "alive",
                "control", "logged (problem/recovery lines)", "s")
        print("\n%-28s %4s %8s %4s %4s %4s %5s %7s  %-36s %4s" % cols)
        print("-" * 118)
        for r in self.rows:
            print("%-28s %4d %8d %4d %4d %4d %5s %7s  %-36s %4.0f" % (
                r["scenario"][:28], r["sent"], r["notified"], r["lost"],
                r["dup"], r["redo"], "yes" if r["alive"] else "NO",
                "ok" if r["control"] else "HIT",
                r["logged"] + ("" if r["log_ok"] else " (!)"), r["took"]))
            if r["note"]:
                print("    note: " + r["note"])
        print("(dup: a scenario's own record notified more than once; redo: "
              "an earlier record notified again during it)")


def token_refusals(run):
    """After a token scenario: the simulator really refused the tokens."""
    if not run.token_check:
        return
    before, want, svc, op = run.token_check
    run.token_check = None
    refused = run.admin(svc + "/tokens")["refused"] - before
    row = run.rows[-1]
    row["note"] = ("%d %s pages refused for an invalid token (%d wanted)"
                   % (refused, op, want) +
                   ("; " + row["note"] if row["note"] else ""))
    if refused != want:
        run.fail("%s: %d tokens refused, %d wanted (the plugin never "
                 "paginated?)" % (row["scenario"], refused, want))


def scenarios(run):
    def throttle(op, svc):
        return lambda: run.fault(service=svc, operation=op, kind="throttle",
                                 count=3)
    run.scenario("baseline (no fault)", expect_log=False)
    run.scenario("throttle LookupEvents",
                 throttle("LookupEvents", "cloudtrail"))
    run.scenario("throttle GetMetricData",
                 throttle("GetMetricData", "monitoring"))
    run.scenario("throttle DescribeAlarms",
                 throttle("DescribeAlarms", "monitoring"))
    run.scenario("throttle storm, all ops 8 s", ids_fn=run.storm_ids)
    run.scenario("500 burst (LookupEvents)", lambda: run.fault(
        service="cloudtrail", operation="LookupEvents", kind="500", count=3))
    run.scenario("503 burst (CloudWatch)", lambda: run.admin("fault", {
        "faults": [dict(service="monitoring", operation=op, kind="503",
                        count=3, account=PROD_ACCT)
                   for op in ("GetMetricData", "DescribeAlarms")]}))
    run.scenario("delay > Timeout (LookupEvents)", lambda: run.fault(
        service="cloudtrail", operation="LookupEvents", kind="delay",
        delay_s=TIMEOUT_S + 1.5, count=3))
    run.scenario("delay > Timeout (CloudWatch)", lambda: run.admin(
        "fault", {"faults": [dict(service="monitoring", operation=op,
                                  kind="delay", delay_s=TIMEOUT_S + 1.5,
                                  count=2, account=PROD_ACCT)
                             for op in ("GetMetricData", "DescribeAlarms")]}))
    run.scenario("connection reset", lambda: run.fault(
        service="cloudtrail", operation="LookupEvents", kind="reset",
        count=3))
    run.scenario("malformed body", lambda: run.admin("fault", {"faults": [
        dict(service="cloudtrail", operation="LookupEvents", kind="malformed",
             count=1, account=PROD_ACCT),
        dict(service="monitoring", operation="GetMetricData",
             kind="malformed", count=1, account=PROD_ACCT)]}))
    run.scenario("truncated body", lambda: run.fault(
        service="cloudtrail", operation="LookupEvents", kind="truncated",
        count=3))
    run.scenario("wrong content type", lambda: run.admin("fault", {"faults": [
        dict(service="cloudtrail", operation="LookupEvents",
             kind="content_type", count=1, account=PROD_ACCT),
        dict(service="monitoring", operation="DescribeAlarms",
             kind="content_type", count=1, account=PROD_ACCT)]}))
    # the "logsrc" account (its own AWS account): records from
    # FilterLogEvents, CloudWatch in query/XML
    run.scenario("logs: baseline", ids_fn=lambda n: run.log_reads(n) +
                 run.stream(n, prod=False), expect_log=False, acct="logsrc")
    run.scenario("logs: throttle FilterLogEvents", lambda: run.fault(
        service="logs", operation="FilterLogEvents", kind="throttle",
        count=3, account=LOG_ACCT),
                 ids_fn=lambda n: run.log_reads(n) + run.stream(n, False),
                 acct="logsrc")
    run.scenario("logs: 500 FilterLogEvents", lambda: run.fault(
        service="logs", operation="FilterLogEvents", kind="500", count=3,
        account=LOG_ACCT),
        ids_fn=lambda n: run.log_reads(n) + run.stream(n, False),
        acct="logsrc")
    run.token_check = None
    run.scenario("logs: nextToken invalidated", ids_fn=run.logs_token_ids,
                 acct="logsrc")
    token_refusals(run)
    run.scenario("logs: malformed/truncated XML", lambda: run.admin(
        "fault", {"faults": [
            dict(service="monitoring", operation="GetMetricData",
                 kind="malformed", count=1, account=LOG_ACCT),
            dict(service="monitoring", operation="DescribeAlarms",
                 kind="truncated", count=3, account=LOG_ACCT)]}),
        ids_fn=lambda n: run.log_reads(n) + run.stream(n), acct="logsrc")
    run.scenario("CloudTrail 10 min late, OoO", ids_fn=run.late_ids,
                 expect_log=False)
    run.scenario("500 on later pages (3 pages)", ids_fn=run.pagination_ids)
    run.scenario("late, behind a 150-read burst", ids_fn=run.late_ids,
                 expect_log=False)
    run.token_check = None
    run.scenario("NextToken invalidated mid-page", ids_fn=run.token_ids)
    token_refusals(run)

    tmp = run.state + ".tmp"
    run.scenario("state file unwritable",
                 lambda: os.makedirs(os.path.join(tmp, "x")),
                 ids_fn=lambda n: (run.stream(n), time.sleep(3),
                                   shutil.rmtree(tmp))[0])
    if run.tmpfs:
        filler = os.path.join(run.tmpfs, "filler")

        def fill():
            try:
                with open(filler, "wb") as f:
                    while True:
                        f.write(b"\0" * 4096)
                        f.flush()
                        os.fsync(f.fileno())
            except OSError as e:
                print("filled %s: %s" % (run.tmpfs, e))
            print(subprocess.run(["df", "-k", run.tmpfs], text=True,
                                 capture_output=True).stdout.strip())
        run.scenario("state on a full filesystem", fill,
                     ids_fn=lambda n: (run.stream(n), time.sleep(3),
                                       os.unlink(filler))[0])
    else:
        run.rows.append(dict(scenario="state on a full filesystem", sent=0,
                             notified=0, lost=0, dup=0, redo=0,
                             alive=run.alive(), control=True, logged="-",
                             log_ok=True, took=0,
                             note="NOT RUN: no tmpfs mount on this host"))
    run.kill_mid_cycle("SIGKILL mid-cycle, restart")

    def truncate():
        with open(run.state, "r+b") as f:
            f.truncate(os.path.getsize(run.state) // 2)

    def corrupt():
        with open(run.state, "wb") as f:
            f.write(b"\x00\xff{\"version\":\x01garbage" * 10)
    run.state_restart("state file truncated", truncate)
    run.state_restart("state file corrupt", corrupt)
    run.scenario("untrusted text (140 KB, %n)", ids_fn=run.untrusted_ids,
                 expect_log=False)
    # the simulator keeps its clock 20 minutes ahead for prod from here on
    # (a local clock 20 minutes slow); the plugin must correct from the
    # Date header
    run.scenario("clock skew 20 min", lambda: run.fault(
        kind="skew", offset_s=1200, count=0),
        ids_fn=lambda n: run.stream(n) + (time.sleep(4) or run.stream(n)))
    # last: one record over the parser's 256 KiB cap
    run.scenario("oversized record (1 MB)", ids_fn=lambda n: (
        run.untrusted_ids(n, 1 << 20, False) +
        (time.sleep(3) or run.stream(n))), expect_log=False)


def background_checks(run):
    """The always-failing accounts and the credential refresh."""
    log = run.log_text()
    for acct, want in (("dnsfail", r"resolve|DNS|host"),
                       ("wrongca", r"certificate|TLS|SSL|CA")):
        lines = [ln for ln in log.splitlines()
                 if "account %s:" % acct in ln and "failed" in ln]
        print("%s: %d error lines over %d collectd starts; first: %s" % (
            acct, len(lines), run.starts, lines[0][:200] if lines else "-"))
        if not lines or not re.search(want, lines[0], re.I):
            run.fail("%s: no clear error in the collectd log" % acct)
        # c_complain backs off; each of the three steps may say so a few
        # times per start, never every cycle
        if len(lines) > 3 * 6 * run.starts:
            run.fail("%s: error logged every cycle (%d lines)"
                     % (acct, len(lines)))
    c = run.admin("requests?log=0", method="GET")
    if c.get("tls_failures", 0) < 1:
        run.fail("wrongca: the simulator saw no failed TLS handshake")
    try:
        with open(run.issued) as f:
            issued = [json.loads(ln) for ln in f]
    except FileNotFoundError:
        issued = []
    expired = c.get("errors", {}).get("ExpiredTokenException", 0) + \
        c.get("errors", {}).get("ExpiredToken", 0)
    print("credentials: %d short-lived (%d s) credential sets issued by "
          "credential_process; %d ExpiredToken answers" %
          (len(issued), CRED_DURATION_S, expired))
    if len(issued) < 3:
        run.fail("credentials: expected several refreshes, saw %d"
                 % len(issued))
    if expired:
        run.fail("credentials: %d requests with expired credentials (a gap)"
                 % expired)
    return issued


def security_checks(run, issued):
    """Security properties over everything this run produced."""
    secrets = {ALICE[1]: "alice secret key", BOB[1]: "bob secret key",
               SECRET_VALUE: "prod secret value",
               CTL_SECRET_VALUE: "control secret value"}
    for a in run.cfg["accounts"]:
        secrets[a["secret_access_key"]] = a["name"] + " secret key"
    for i in issued:
        secrets[i["secret"]] = "issued secret key"
        secrets[i["token"]] = "issued session token"
    produced = []
    for root in (run.work,):
        for d, _, files in os.walk(root):
            if d.startswith(os.path.join(run.work, "sim")) or \
                    d.startswith(os.path.join(run.work, "otherca")):
                continue
            for fn in files:
                p = os.path.join(d, fn)
                if fn in ("collectd.conf",) or not os.path.isfile(p):
                    continue
                produced.append(p)
    leaks = []
    for p in produced:
        with open(p, "rb") as f:
            data = f.read()
        for s, what in secrets.items():
            if s.encode() in data:
                leaks.append("%s in %s" % (what, p))
    check(run, not leaks, "no secret key, session token or secret value in "
          "%d files collectd produced (%d secrets, log, notifications, state, "
          "csv)" % (len(produced), len(secrets)), leaks[:5])
    log = run.admin("requests", method="GET").get("log", [])
    gsv = [e for e in log if e.get("operation") in
           ("GetSecretValue", "BatchGetSecretValue")]
    check(run, not gsv and len(log) > 50, "the plugin never called "
          "GetSecretValue (%d API calls in the request log)" % len(log), gsv[:3])
    mode = os.stat(run.state).st_mode & 0o777
    check(run, mode == 0o600, "state file mode 0600 (%o)" % mode)
    d = os.path.dirname(run.ctl_state)
    dmode = os.stat(d).st_mode & 0o777
    check(run, dmode == 0o700, "created state directory %s mode 0700 (%o)"
          % (d, dmode))
    dmode = os.stat(os.path.dirname(run.state)).st_mode & 0o777
    check(run, dmode == 0o700, "created state directory (StateFile) mode "
          "0700 (%o)" % dmode)
    bad = []
    header = re.compile(r"^[A-Za-z_]+: [^\r\n]*$")
    for n in run.notifications():
        raw = n["_raw"]
        head, sep, msg = raw.partition(b"\n\n")
        if not sep:
            bad.append("no blank line: " + n["_path"])
            continue
        for line in head.split(b"\n"):
            s = line.decode("utf-8", "replace")
            if not header.match(s) or len(line) > META_BOUND + 40 or \
                    re.search(r"[\x00-\x08\x0b-\x1f\x7f]", s):
                bad.append("header line %r" % s[:120])
        m = msg.rstrip(b"\n")
        if b"\n" in m or len(m) > 255 or re.search(rb"[\x00-\x1f\x7f]", m):
            bad.append("message %r" % m[:120])
    check(run, not bad, "%d notifications: every header/meta line "
          "'Key: value', single-line, bounded, no control characters; "
          "message one line <= 255 bytes" % len(run.notifications()), bad[:5])
    bad = []
    rows = 0
    for p in glob.glob(os.path.join(run.work, "csv", "**", "*"),
                       recursive=True):
        if os.path.isfile(p):
            with open(p, "rb") as f:
                for i, line in enumerate(f.read().split(b"\n")[:-1]):
                    rows += 1
                    if i == 0 and line.startswith(b"epoch,"):
                        continue
                    if not re.match(rb"^[0-9.]+(,[-0-9.e+naNU]+)+$", line):
                        bad.append("%s: %r" % (p, line[:100]))
    check(run, not bad and rows > 0, "%d CSV lines all 'time,value'" % rows,
          bad[:5])
    hostile = [n for n in run.notifications()
               if n.get("Type") == "secret_access" and
               ("DISABLE_NOTIFICATIONS" in n.get("user_agent", "") or
                n.get("user_agent", "").startswith("AAAAAAAA"))]
    if any(r["scenario"].startswith("untrusted") for r in run.rows):
        check(run, len(hostile) >= 2, "the hostile records were notified "
              "(%d) with their text sanitized" % len(hostile))


def check(run, cond, what, detail=None):
    if cond:
        print("ok   security: " + what)
    else:
        run.fail("security: " + what + (" %r" % (detail,) if detail else ""))


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    swharness.need_collectd(PLUGINS, sys.argv[1], tools=("openssl",))
    run = Run(sys.argv[1])
    t0 = time.time()
    try:
        run.start_sim()
        sm = run.client("secretsmanager", ALICE)
        run.prod_arn = sm.create_secret(Name="Decoy",
                                        SecretString=SECRET_VALUE)["ARN"]
        ctl_arn = run.client("secretsmanager", BOB).create_secret(
            Name="CtlDecoy", SecretString=CTL_SECRET_VALUE)["ARN"]
        run.log_arn = run.client("secretsmanager", CAROL).create_secret(
            Name="LogDecoy", SecretString=SECRET_VALUE)["ARN"]
        run.logs = run.client("logs", CAROL)
        run.logs.create_log_group(logGroupName=LOG_GROUP)
        run.logs.create_log_stream(logGroupName=LOG_GROUP,
                                   logStreamName=LOG_STREAM)
        run.write_conf(run.prod_arn, ctl_arn, run.log_arn)
        print("plugin: %s (%s build%s)" % (
            sys.argv[1], "AddressSanitizer" if run.asan else "normal",
            ": ASan runtime preloaded into collectd, any sanitizer report "
            "fails the run" if run.asan else ""), flush=True)
        run.start_collectd()
        scenarios(run)
        run.table()
        issued = background_checks(run)
        security_checks(run, issued)
        if not run.alive():
            run.fail("collectd is not running at the end")
        reports = run.sanitizer_reports()
        if reports:
            run.fail("sanitizer report(s):\n" + "\n".join(reports)[:8000])
        elif run.asan:
            print("ok   no sanitizer report over %d collectd starts"
                  % run.starts)
        print("total %.0f s, %d collectd starts" % (time.time() - t0,
                                                     run.starts))
        if run.failures:
            print("\n%d failure(s):" % len(run.failures))
            for f in run.failures:
                print("  - " + f)
            print("---- collectd.log (last 4000 bytes)\n" +
                  run.log_text()[-4000:])
            return 1
        if run.xfail:
            print("all fault scenarios: 0 lost, 0 duplicated, except the "
                  "known plugin bug(s) in: " + ", ".join(run.xfail))
        else:
            print("all fault scenarios: 0 lost, 0 duplicated")
        return 0
    finally:
        run.close()


if __name__ == "__main__":
    sys.exit(main())
