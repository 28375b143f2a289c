"""Shared plumbing of the tests that run a real collectd (Debian's
collectd-core) with the built secretwatch.so against tests/awssim: skips
(exit 77), bounded waits, the simulator, a private PluginDir of copies, the
collectd environment (credentials; the AddressSanitizer runtime preloaded
when the plugin is an ASan build), starting and stopping collectd, and the
check that no sanitizer report was written. Python 3 standard library;
boto3 only for client().

Import it from a test in tests/<group>/ with:
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
    import swharness

Under an ASan build of the plugin (SANITIZE=1), collectd runs with the ASan
runtime preloaded (only collectd: collectd_env(), collectd_wrapper()),
leak checking off (collectd leaks at exit; valgrind in collectd_T.sh and
the unit tests check ours) and halt on error; Harness.close() and
run_collectd_T() fail the test when a report is found.

Under SW_VALGRIND=1 (tests/run.sh --deep; a normal RelWithDebInfo build of
the plugin, an ASan one is skipped), every collectd started here (-f by
Harness.start_collectd, -T by run_collectd_T, any by collectd_wrapper or
collectd_argv) runs under valgrind's memcheck with our suppressions
(tests/plugin/valgrind.supp), writing valgrind.<pid>.xml/.log into the
report directory. A collectd process fails the test (the same checks as the
sanitizer reports: sanitizer_reports()) when valgrind found any error
(invalid read/write/free, use of uninitialised memory, ...) anywhere in the
process, or a definitely lost block allocated under a frame in
secretwatch.so; collectd's own leaks at exit are not ours. SW_TIME_SCALE
(default 3 under valgrind, else 1) stretches every time-out here (see
scaled()); SW_VALGRIND_TRACK_FDS=1 adds --track-fds=yes and
SW_VALGRIND_OPTS further valgrind options.
"""
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import xml.etree.ElementTree as ET

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

COLLECTD = "/usr/sbin/collectd"
DEBIAN_PLUGINS = "/usr/lib/collectd"
TYPES_DB = "/usr/share/collectd/types.db"
KEY = "AKIAAWSSIMALICE00001"
SECRET_KEY = "aliceSecretKey/awssim/000000000000000000"
INTRUDER = "arn:aws:iam::111122223333:user/intruder"
APP_KEY = "AKIAAWSSIMAPPSERVER1"
# What a sanitizer writes when it finds an error in our code.
SANITIZER_MARKS = ("ERROR: AddressSanitizer", "runtime error:",
                   "ERROR: LeakSanitizer")
VALGRIND = "/usr/bin/valgrind"
# Default time-out factor under valgrind: collectd starts and runs a read
# cycle 1.2-2 times slower here (mostly waiting on the network), far
# slower on a loaded machine.
VALGRIND_TIME_SCALE = 3
# The object whose definitely lost blocks are ours (lib/ is linked into it).
OUR_OBJECT = "secretwatch.so"


def skip(why):
    """Prints the reason and exits 77 (ctest's SKIP_RETURN_CODE)."""
    print("skip: " + why)
    sys.stdout.flush()
    sys.exit(77)


def valgrind_enabled():
    """True when SW_VALGRIND asks for collectd under valgrind (1, yes,
    true, on)."""
    return os.environ.get("SW_VALGRIND", "").lower() in ("1", "yes", "true",
                                                         "on")


def time_scale():
    """The factor every time-out of the harness is stretched by:
    SW_TIME_SCALE when set (a number >= 1), else VALGRIND_TIME_SCALE under
    valgrind, else 1."""
    try:
        return max(1.0, float(os.environ["SW_TIME_SCALE"]))
    except (KeyError, ValueError):
        return float(VALGRIND_TIME_SCALE) if valgrind_enabled() else 1.0


def scaled(seconds):
    """seconds times time_scale()."""
    return seconds * time_scale()


def wait_for(what, fn, timeout_s=30, step_s=0.5):
    """Polls fn until it returns something true and returns that; raises
    AssertionError after timeout_s (stretched by time_scale())."""
    timeout_s = scaled(timeout_s)
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        got = fn()
        if got:
            return got
        time.sleep(step_s)
    raise AssertionError("timed out after %ds waiting for %s"
                         % (timeout_s, what))


def free_port():
    """A TCP port free on 127.0.0.1 right now (bind to 0, release)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def source_dir():
    """The source tree: SW_SOURCE_DIR, else two levels above tests/lib."""
    return os.environ.get("SW_SOURCE_DIR") or os.path.abspath(
        os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


# ---- sanitizer builds ----------------------------------------------------

def is_asan(so):
    """True when the shared object is an AddressSanitizer build (it
    references __asan_init)."""
    with open(so, "rb") as f:
        return b"__asan_init" in f.read()


def asan_runtime(so):
    """Path of the ASan runtime the plugin links (from ldd; else the one gcc
    names), to be preloaded into the uninstrumented collectd."""
    try:
        out = subprocess.run(["ldd", so], capture_output=True, text=True,
                             timeout=20).stdout
    except (OSError, subprocess.TimeoutExpired):
        out = ""
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[0].startswith("libasan.so") and \
                parts[2].startswith("/"):
            return parts[2]
    for cc in ("gcc", "cc"):
        try:
            path = subprocess.run([cc, "-print-file-name=libasan.so"],
                                  capture_output=True, text=True,
                                  timeout=20).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            continue
        if os.path.isabs(path) and os.path.exists(path):
            return os.path.realpath(path)
    return None


def sanitizer_env(env, so, report_dir):
    """env plus what an ASan plugin needs inside Debian's collectd: the
    runtime preloaded, leak checking off (collectd itself leaks at exit; our
    leaks are valgrind's and the unit tests' job), halt on the first error,
    reports written to report_dir/<tool>.<pid>. env is returned unchanged
    for a normal build. Skips when the runtime cannot be found."""
    if so is None or not is_asan(so):
        return env
    rt = asan_runtime(so)
    if rt is None:
        skip("ASan build, but no libasan.so to preload into collectd")
    os.makedirs(report_dir, exist_ok=True)
    os.chmod(report_dir, 0o1777)  # exec children run as nobody
    env = dict(env)
    env["LD_PRELOAD"] = " ".join(x for x in (rt, env.get("LD_PRELOAD"))
                                 if x)
    # Later options win: ours come last.
    env["ASAN_OPTIONS"] = ":".join(x for x in (
        env.get("ASAN_OPTIONS"), "detect_leaks=0", "halt_on_error=1",
        "log_path=" + os.path.join(report_dir, "asan")) if x)
    # gcc's libubsan writes its reports on stderr whatever log_path says:
    # callers keep collectd's output in a file that sanitizer_reports()
    # searches.
    env["UBSAN_OPTIONS"] = ":".join(x for x in (
        env.get("UBSAN_OPTIONS"), "print_stacktrace=1", "halt_on_error=1")
        if x)
    return env


# ---- valgrind --------------------------------------------------------------

def valgrind_argv(report_dir, so=None):
    """The valgrind command line (a list) to put before a collectd command
    when valgrind_enabled(), else []. Its reports go to
    report_dir/valgrind.<pid>.{xml,log} (one pair per process; the
    directory is created). Skips when valgrind is missing or so is an ASan
    build (valgrind runs the normal build)."""
    if not valgrind_enabled():
        return []
    if not os.path.exists(VALGRIND):
        skip("SW_VALGRIND=1 but valgrind is not installed")
    if so is not None and os.path.exists(so) and is_asan(so):
        skip("SW_VALGRIND=1 needs the normal build of the plugin, not ASan")
    os.makedirs(report_dir, exist_ok=True)
    os.chmod(report_dir, 0o1777)  # exec children run as nobody
    supp = os.path.join(source_dir(), "tests", "plugin", "valgrind.supp")
    argv = [VALGRIND, "--tool=memcheck", "--leak-check=full",
            "--show-leak-kinds=definite", "--errors-for-leak-kinds=definite",
            # frames of a module unloaded before the leak check stay named
            "--keep-debuginfo=yes", "--num-callers=30",
            # exec's fork before its exec runs collectd code: not checked
            "--child-silent-after-fork=yes",
            "--suppressions=" + supp,
            "--xml=yes",
            "--xml-file=" + os.path.join(report_dir, "valgrind.%p.xml"),
            "--log-file=" + os.path.join(report_dir, "valgrind.%p.log")]
    if os.environ.get("SW_VALGRIND_TRACK_FDS") == "1":
        argv.append("--track-fds=yes")
    argv += os.environ.get("SW_VALGRIND_OPTS", "").split()
    return argv


def collectd_argv(args, report_dir, so=None):
    """[COLLECTD] + args, under valgrind (valgrind_argv) when
    valgrind_enabled()."""
    return valgrind_argv(report_dir, so) + [COLLECTD] + list(args)


def _vg_text(node, tag):
    e = node.find(tag)
    return e.text if e is not None and e.text else ""


def _vg_error(err):
    """(kind, text, ours) of one <error> of valgrind's XML: ours when a
    frame of one of its stacks is in OUR_OBJECT."""
    kind = _vg_text(err, "kind")
    what = _vg_text(err, "what") or _vg_text(err, "xwhat/text")
    lines = ["%s: %s" % (kind, what)]
    ours = False
    for child in err:
        if child.tag == "auxwhat":
            lines.append("  " + (child.text or ""))
        elif child.tag == "xauxwhat":
            lines.append("  " + _vg_text(child, "text"))
        elif child.tag == "stack":
            for fr in child.findall("frame"):
                obj = _vg_text(fr, "obj")
                if obj.endswith("/" + OUR_OBJECT):
                    ours = True
                where = _vg_text(fr, "file")
                if where:
                    where = " (%s:%s)" % (where, _vg_text(fr, "line"))
                lines.append("    %s %s%s [%s]" % (
                    _vg_text(fr, "ip"), _vg_text(fr, "fn") or "???", where,
                    os.path.basename(obj)))
    return kind, "\n".join(lines), ours


def valgrind_check(report_dir):
    """Reads every report_dir/valgrind.<pid>.xml. Returns (processes,
    problems, notes): how many collectd processes valgrind watched, the
    texts of the errors that fail a test (every non-leak error; a definite
    leak only with a frame in secretwatch.so) and notes (leaks not ours,
    processes that did not finish their leak check)."""
    problems, notes, procs = [], [], 0
    if not report_dir or not os.path.isdir(report_dir):
        return 0, problems, notes
    for name in sorted(os.listdir(report_dir)):
        if not (name.startswith("valgrind.") and name.endswith(".xml")):
            continue
        procs += 1
        with open(os.path.join(report_dir, name), errors="replace") as f:
            text = f.read()
        others = 0
        # One <error> at a time: the file of a process killed mid-run
        # (SIGKILL, time-out) ends anywhere.
        for m in re.finditer(r"<error>.*?</error>", text, re.S):
            try:
                kind, desc, ours = _vg_error(ET.fromstring(m.group(0)))
            except ET.ParseError:
                problems.append("%s: unreadable <error>: %s"
                                % (name, m.group(0)[:2000]))
                continue
            if kind.startswith("Leak_") and not ours:
                others += 1
            elif kind.startswith("Leak_") and kind != "Leak_DefinitelyLost":
                others += 1
            else:
                problems.append("%s: %s" % (name, desc))
        if others:
            notes.append("%s: %d leak(s) of collectd or its libraries, "
                         "not ours" % (name, others))
        if "<state>FINISHED</state>" not in text:
            notes.append("%s: the process did not finish (killed?): no "
                         "leak check" % name)
        log = os.path.join(report_dir, name[:-4] + ".log")
        try:
            with open(log, errors="replace") as f:
                ltext = f.read()
        except OSError:
            ltext = ""
        if "the 'impossible' happened" in ltext or \
                "Valgrind's memory management: out of memory" in ltext:
            problems.append("%s: valgrind failed:\n%s"
                            % (name, ltext[-3000:]))
    return procs, problems, notes


def sanitizer_reports(report_dir, logs=()):
    """The sanitizer reports found: every file in report_dir (valgrind's
    judged by valgrind_check()), plus the lines of the given log files that
    carry a sanitizer's error mark. Returns a list of texts (empty:
    none)."""
    found = []
    if report_dir and os.path.isdir(report_dir):
        for name in sorted(os.listdir(report_dir)):
            path = os.path.join(report_dir, name)
            if name.startswith("valgrind.") or not os.path.isfile(path):
                continue
            with open(path, errors="replace") as f:
                found.append("%s:\n%s" % (name, f.read()[-8000:]))
        bad = valgrind_check(report_dir)[1]
        if bad:
            found.append("valgrind (memcheck) found %d error(s) in "
                         "collectd:\n%s" % (len(bad), "\n".join(bad)[:20000]))
    for path in logs:
        try:
            with open(path, errors="replace") as f:
                text = f.read()
        except OSError:
            continue
        hits = [ln for ln in text.splitlines()
                if any(m in ln for m in SANITIZER_MARKS)]
        if hits:
            found.append("%s:\n%s" % (path, "\n".join(hits[:20])))
    return found


def collectd_env(so=None, report_dir=None, extra=None):
    """The environment for collectd: ours with the simulator's credentials
    (and no AWS_PROFILE, session token or endpoint override), plus
    sanitizer_env() for an ASan plugin and then extra."""
    env = dict(os.environ, AWS_ACCESS_KEY_ID=KEY,
               AWS_SECRET_ACCESS_KEY=SECRET_KEY)
    for k in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        env.pop(k, None)
    if so is not None:
        env = sanitizer_env(env, so, report_dir or tempfile.mkdtemp(
            prefix="sw-sanitizer-"))
    env.update(extra or {})
    return env


def wrapper_needed(so):
    """True when collectd must be started through collectd_wrapper() for
    the plugin so to be checked: an ASan build, or SW_VALGRIND=1."""
    return valgrind_enabled() or (so is not None and os.path.exists(so) and
                                  is_asan(so))


def collectd_wrapper(path, so, report_dir):
    """Writes an executable script at path that runs collectd with its
    arguments, with the sanitizer environment for so set only for collectd
    and, under SW_VALGRIND=1, under valgrind (reports in report_dir), for a
    caller that takes the collectd program (e.g. the Ansible role). Returns
    path; otherwise the script just execs collectd."""
    env = sanitizer_env({}, so, report_dir)
    sets = "".join("%s=%s " % (k, shlex.quote(env[k])) for k in sorted(env))
    argv = collectd_argv([], report_dir, so)
    with open(path, "w") as f:
        f.write("#!/bin/sh\n# collectd for a sanitizer or valgrind run of "
                "the plugin (tests/lib/swharness.py)\nexec env %s%s \"$@\"\n"
                % (sets, " ".join(shlex.quote(a) for a in argv)))
    os.chmod(path, 0o755)
    return path


def run_collectd_T(conf, so, env=None, timeout_s=60, report_dir=None):
    """`collectd -T -C conf` with the environment env (default
    collectd_env()) and the sanitizer environment for so, under valgrind
    when SW_VALGRIND=1 (timeout_s stretched by time_scale()). Returns the
    CompletedProcess (text); raises AssertionError with the report when a
    sanitizer or valgrind reported an error."""
    rdir = report_dir or tempfile.mkdtemp(prefix="sw-sanitizer-")
    env = sanitizer_env(env if env is not None else collectd_env(), so, rdir)
    try:
        r = subprocess.run(collectd_argv(["-T", "-C", conf], rdir, so),
                           capture_output=True, text=True, env=env,
                           timeout=scaled(timeout_s))
        bad = sanitizer_reports(rdir)
        bad += [r.stderr for m in SANITIZER_MARKS if m in r.stderr][:1]
        if bad:
            raise AssertionError("sanitizer report from collectd -T:\n" +
                                 "\n".join(bad) + "\n" + r.stdout +
                                 r.stderr)
        if valgrind_enabled():
            print("valgrind: collectd -T checked, no error")
        return r
    finally:
        if report_dir is None:
            shutil.rmtree(rdir, ignore_errors=True)


def need_collectd(plugins, so=None, tools=()):
    """Skips (77) when collectd, one of Debian's plugins, one of the tools
    (a program on PATH or an absolute path), the built plugin or boto3 is
    missing."""
    if not os.path.exists(COLLECTD):
        skip("collectd-core is not installed (%s missing)" % COLLECTD)
    for p in plugins:
        if not os.path.exists("%s/%s.so" % (DEBIAN_PLUGINS, p)):
            skip("collectd plugin %s.so missing (Debian collectd-core)" % p)
    for t in tools:
        if not (os.path.exists(t) if os.path.isabs(t) else shutil.which(t)):
            skip("%s missing" % t)
    if so is not None and not os.path.exists(so):
        skip("the plugin %s is not built" % so)
    try:
        import boto3  # noqa: F401
    except ImportError:
        skip("python3-boto3 missing")


# ---- the simulator -------------------------------------------------------

def start_awssim(simdir, log_path, timeout_s=20):
    """Starts tests/awssim in simdir (its own session; output to log_path)
    and waits, at most timeout_s, for its awssim.json. Returns (Popen,
    config dict). Skips when the simulator exits 77; raises AssertionError
    when it does not start."""
    log = open(log_path, "w")
    p = subprocess.Popen(
        ["/usr/bin/python3", os.path.join(source_dir(), "tests/awssim/awssim"),
         "--dir", simdir], stdout=log, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL, start_new_session=True)
    log.close()
    path = os.path.join(simdir, "awssim.json")

    def ready():
        if p.poll() is not None:
            return True
        try:
            with open(path) as f:
                return json.load(f)
        except (OSError, ValueError):
            return None
    try:
        cfg = wait_for("awssim.json", ready, timeout_s, 0.1)
    except AssertionError:
        stop_process(p)
        raise
    if p.poll() is not None:
        if p.returncode == 77:
            skip("tests/awssim cannot start (python3-botocore missing)")
        with open(log_path, errors="replace") as f:
            raise AssertionError("awssim did not start: " + f.read()[-2000:])
    return p, cfg


def stop_process(p, timeout_s=20):
    """Stops a process started in its own session: SIGTERM to its process
    group, then SIGKILL after timeout_s (stretched by time_scale(): under
    valgrind collectd needs the time for its leak check). Only this group
    is signalled."""
    if p is None or p.poll() is not None:
        return
    timeout_s = scaled(timeout_s)
    try:
        os.killpg(p.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        p.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait(timeout=10)


class Harness:
    """Owns a temporary directory, every process started in it and the
    sanitizer report directory. close() stops the processes and fails the
    test (exit 1) when a sanitizer wrote a report."""

    def __init__(self, prefix, so=None):
        self.src = source_dir()
        self.so = so
        self.work = tempfile.mkdtemp(prefix=prefix)
        os.chmod(self.work, 0o755)
        self.report_dir = os.path.join(self.work, "sanitizer")
        self.procs = []
        self.collectd = None
        self.sim = None
        self.sock = None
        self.collectd_conf = None
        self.collectd_out = "collectd.out"

    def spawn(self, argv, log_name, env=None, **kw):
        """Starts a process in its own session with its output in
        work/log_name; close() stops it."""
        log = open(os.path.join(self.work, log_name), "w")
        p = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, env=env,
                             start_new_session=True, **kw)
        log.close()
        self.procs.append(p)
        return p

    def stop(self, p, timeout_s=20):
        """Stops p (see stop_process)."""
        stop_process(p, timeout_s)

    def check_sanitizers(self):
        """Raises AssertionError with the reports when a sanitizer reported
        an error in a collectd started here."""
        bad = sanitizer_reports(self.report_dir, [
            os.path.join(self.work, n) for n in
            ("collectd.log", self.collectd_out)])
        if bad:
            raise AssertionError("sanitizer report:\n" + "\n".join(bad))

    def close(self, keep=False):
        """Stops every process (last started first), removes the work
        directory unless keep (or SW_KEEP / SW_KEEP_WORK), and exits 1 when
        a sanitizer wrote a report."""
        for p in reversed(self.procs):
            self.stop(p)
        try:
            self.check_sanitizers()
            bad = None
        except AssertionError as e:
            bad = str(e)
        if valgrind_enabled():
            procs, _, notes = valgrind_check(self.report_dir)
            print("valgrind: %d collectd process(es) checked%s" % (
                procs, "".join("\n  note: " + n for n in notes)))
        if keep or os.environ.get("SW_KEEP") or \
                os.environ.get("SW_KEEP_WORK"):
            print("work dir kept: " + self.work)
        else:
            shutil.rmtree(self.work, ignore_errors=True)
        if bad:
            print("FAIL: " + bad)
            sys.stdout.flush()
            raise SystemExit(1)

    def log(self, name, tail=4000):
        """The last tail characters of work/name ("" when absent)."""
        try:
            with open(os.path.join(self.work, name), errors="replace") as f:
                return f.read()[-tail:]
        except OSError:
            return ""

    # ---- the simulator ----
    def start_sim(self):
        """Starts tests/awssim in work/sim; sets cfg and admin_url."""
        self.sim, self.cfg = start_awssim(os.path.join(self.work, "sim"),
                                          os.path.join(self.work, "sim.log"))
        self.procs.append(self.sim)
        self.admin_url = self.cfg["endpoint_http"] + "/_awssim/"

    def admin(self, path, body=None):
        """POST body (JSON) to the simulator's /_awssim/path."""
        req = urllib.request.Request(self.admin_url + path,
                                     data=json.dumps(body or {}).encode(),
                                     method="POST")
        with urllib.request.urlopen(req, timeout=20) as r:
            return json.loads(r.read() or b"{}")

    def client(self, service):
        """A boto3 client of the simulator (HTTPS, its CA, alice's key)."""
        import boto3
        return boto3.client(service, region_name="us-east-1",
                            endpoint_url=self.cfg["endpoint_https"],
                            verify=self.cfg["ca_file"],
                            aws_access_key_id=KEY,
                            aws_secret_access_key=SECRET_KEY)

    def standard_chain(self):
        """The decoy TopSecretInfo with its alarm, and the guarded app-db.
        Returns the decoy's ARN."""
        sm, cw = self.client("secretsmanager"), self.client("cloudwatch")
        arn = sm.create_secret(Name="TopSecretInfo",
                               SecretString="decoy")["ARN"]
        cw.put_metric_alarm(
            AlarmName="secretwatch-TopSecretInfo-read",
            Namespace="SecretWatch", MetricName="TopSecretInfo-reads",
            Statistic="Sum", Period=60, EvaluationPeriods=1, Threshold=1,
            ComparisonOperator="GreaterThanOrEqualToThreshold",
            TreatMissingData="notBreaching")
        sm.create_secret(Name="prod/app/db", SecretString="pw")
        return arn

    # ---- collectd ----
    def plugin_dir(self, so, plugins, name="plugins"):
        """work/name with a copy of so as secretwatch.so and copies of
        Debian's plugins (collectd refuses symlinks). Returns the path."""
        d = os.path.join(self.work, name)
        os.makedirs(d, exist_ok=True)
        if so:
            shutil.copy(so, os.path.join(d, "secretwatch.so"))
        for p in plugins:
            shutil.copy("%s/%s.so" % (DEBIAN_PLUGINS, p), d)
        return d

    def base_conf(self, plugin_dir, hostname="swtest", interval=2,
                  log="collectd.log", globals_=""):
        """The global part of a collectd.conf: names, BaseDir/PIDFile in
        work, PluginDir, TypesDB, Interval, globals_, then the logfile
        plugin (level info) writing work/log."""
        return """Hostname "{h}"
FQDNLookup false
BaseDir "{w}/base"
PIDFile "{w}/collectd.pid"
PluginDir "{pd}"
TypesDB "{tdb}"
Interval {iv}
{g}LoadPlugin logfile
<Plugin logfile>
  LogLevel info
  File "{log}"
</Plugin>
""".format(h=hostname, w=self.work, pd=plugin_dir, tdb=TYPES_DB,
           iv=interval, g=globals_ + "\n" if globals_ else "",
           log=os.path.join(self.work, log))

    def account_open(self):
        """LoadPlugin secretwatch, and the opening of its block up to the
        simulator's endpoint and CA of an account "prod" in us-east-1."""
        return """LoadPlugin secretwatch
<Plugin secretwatch>
  <Account "prod">
    Region "us-east-1"
    EndpointURL "{ep}"
    CAFile "{ca}"
""".format(ep=self.cfg["endpoint_https"], ca=self.cfg["ca_file"])

    def secretwatch_block(self, secret_arn, interval=2, extra=""):
        """The plugin block of standard_chain() (account prod), after its
        LoadPlugin line."""
        return self.account_open().split("\n", 1)[1] + """\
    Interval {iv}
    Timeout 5
    Watchdog true
    WatchdogCycles 1
{extra}
{secrets}  </Account>
</Plugin>
""".format(iv=interval, extra=extra,
           secrets=self.standard_secrets(secret_arn))

    def standard_secrets(self, secret_arn):
        """The <Secret> blocks of standard_chain(): the decoy TopSecretInfo
        (ARN secret_arn, honeytoken) and app-db (guarded, the app role
        allowed)."""
        return """    <Secret "TopSecretInfo">
      SecretID "{}"
      Mode "honeytoken"
    </Secret>
    <Secret "app-db">
      SecretID "prod/app/db"
      Mode "guarded"
      AllowPrincipal "arn:aws:sts::111122223333:assumed-role/app-server/*"
    </Secret>
""".format(secret_arn)

    def notify_script(self):
        """An exec NotificationExec script writing each notification into
        work/notifications/n.<pid>.<nanoseconds> (a directory every user may
        write: exec runs it as nobody). Returns (script, directory)."""
        d = os.path.join(self.work, "notifications")
        os.makedirs(d)
        os.chmod(d, 0o777)
        script = os.path.join(self.work, "notify.sh")
        with open(script, "w") as f:
            f.write('#!/bin/sh\ncat > "%s/n.$$.$(date +%%s%%N)"\n' % d)
        os.chmod(script, 0o755)
        return script, d

    def story(self, intruder_ip=None):
        """The reads of the standard chain: the intruder reads the decoy
        (from intruder_ip), the app reads app-db, the intruder is refused
        it; then 3 reads in the decoy's metric two minutes ago. Returns the
        CloudWatch client."""
        first = {"secret": "TopSecretInfo", "principal": INTRUDER}
        if intruder_ip:
            first["source_ip"] = intruder_ip
        self.admin("read", first)
        self.admin("read", {"secret": "prod/app/db", "principal": APP_KEY})
        self.admin("read", {"secret": "prod/app/db", "principal": INTRUDER,
                            "denied": True})
        cw = self.client("cloudwatch")
        cw.put_metric_data(Namespace="SecretWatch", MetricData=[
            {"MetricName": "TopSecretInfo-reads", "Value": 3,
             "Timestamp": time.time() - 120}])
        return cw

    def write_collectd_conf(self, plugin_dir, body, interval=2):
        """work/collectd.conf: base_conf(), unixsock on work/collectd.sock,
        then body (LoadPlugin lines and blocks). Returns its path."""
        self.sock = os.path.join(self.work, "collectd.sock")
        self.collectd_conf = os.path.join(self.work, "collectd.conf")
        with open(self.collectd_conf, "w") as f:
            f.write(self.base_conf(plugin_dir, interval=interval) + """\
LoadPlugin unixsock
<Plugin unixsock>
  SocketFile "{sock}"
</Plugin>
{body}
""".format(sock=self.sock, body=body))
        return self.collectd_conf

    def collectd_env(self, extra=None):
        """collectd_env() for this harness's plugin and report dir."""
        return collectd_env(self.so, self.report_dir, extra)

    def start_collectd(self, conf=None, sock=None, timeout_s=20):
        """Starts `collectd -f -C conf` (default self.collectd_conf) with
        collectd_env() (under valgrind when SW_VALGRIND=1), output in
        work/collectd.out, and waits for its unixsock socket (default
        self.sock; timeout_s stretched by time_scale()). Raises
        AssertionError when collectd exits first."""
        conf = conf or self.collectd_conf
        sock = sock or self.sock
        if os.path.exists(sock):
            os.unlink(sock)
        self.collectd = self.spawn(
            collectd_argv(["-f", "-C", conf], self.report_dir, self.so),
            self.collectd_out, env=self.collectd_env())
        wait_for("collectd's unixsock socket",
                 lambda: os.path.exists(sock) or
                 self.collectd.poll() is not None, timeout_s, 0.2)
        if self.collectd.poll() is not None:
            self.check_sanitizers()
            raise AssertionError("collectd exited: " + self.log("collectd.log")
                                 + self.log(self.collectd_out))
        return self.collectd

    def stop_collectd(self, timeout_s=30):
        """Stops the running collectd (SIGTERM, wait) and checks that no
        sanitizer reported an error."""
        self.stop(self.collectd, timeout_s)
        self.check_sanitizers()

    def run_collectd_T(self, conf, timeout_s=60, extra_env=None):
        """`collectd -T -C conf` with this harness's environment (under
        valgrind when SW_VALGRIND=1); see the module function."""
        return run_collectd_T(conf, self.so, collectd_env(None, None,
                                                          extra_env),
                              timeout_s, self.report_dir)


class Checker:
    """Counts checks; prints ok/FAIL lines; finish() shows the logs when a
    check failed and returns the exit status."""

    def __init__(self, h, logs=("collectd.log",)):
        self.h, self.logs, self.passed, self.failed = h, logs, 0, 0

    def __call__(self, cond, what, detail=""):
        if cond:
            self.passed += 1
            print("ok   " + what)
        else:
            self.failed += 1
            print("FAIL " + what + (": " + str(detail) if detail else ""))
        return cond

    def dump(self):
        for name in self.logs:
            print("---- %s\n%s" % (name, self.h.log(name)))

    def finish(self):
        print("%d passed, %d failed" % (self.passed, self.failed))
        if self.failed:
            self.dump()
        return 1 if self.failed else 0


def run_to_end(h, body):
    """Runs body(), whose checks exit 1 at the first failure; prints "all
    checks passed" and returns 0 when it comes back; closes h in every
    case."""
    try:
        body()
        print("all checks passed")
        return 0
    finally:
        h.close()


def run_checks(h, ck, body):
    """Runs body(), which checks with ck; an AssertionError (e.g. a wait
    that timed out) counts as one failed check. Then ck.finish() (its exit
    status is returned) and h.close(), keeping the work directory when
    SW_KEEP is set."""
    try:
        try:
            body()
        except AssertionError as e:
            ck(False, str(e))
        return ck.finish()
    finally:
        h.close(keep=bool(os.environ.get("SW_KEEP")))


def main(argv):
    """Command line for the shell tests (swharness.sh):
    `swharness.py valgrind-check DIR` prints what valgrind_check(DIR) found
    and exits 1 when an error fails the test, else 0."""
    if len(argv) == 3 and argv[1] == "valgrind-check":
        procs, bad, notes = valgrind_check(argv[2])
        for text in bad:
            print(text)
        for n in notes:
            print("note: " + n)
        print("valgrind: %d collectd process(es) checked, %d error(s)"
              % (procs, len(bad)))
        return 1 if bad else 0
    sys.stderr.write("usage: swharness.py valgrind-check DIR\n")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
