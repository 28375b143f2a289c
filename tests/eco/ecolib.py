"""Shared harness of the ecosystem tests (tests/eco): the simulator, a real
collectd with the built plugin and extra output plugins, bounded waits and
clean-up of every process started. Python 3 standard library + boto3."""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

COLLECTD = "/usr/sbin/collectd"
KEY = "AKIAAWSSIMALICE00001"
SECRET_KEY = "aliceSecretKey/awssim/000000000000000000"
INTRUDER = "arn:aws:iam::111122223333:user/intruder"
APP_KEY = "AKIAAWSSIMAPPSERVER1"


def skip(why):
    print("skip: " + why)
    sys.exit(77)


def wait_for(what, fn, timeout_s=30, step_s=0.5):
    """Polls fn until it returns something true, at most timeout_s."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        got = fn()
        if got:
            return got
        time.sleep(step_s)
    raise AssertionError("timed out waiting for " + what)


def free_port():
    """A TCP port free on 127.0.0.1 right now (bind to 0, release)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def source_dir():
    return os.environ.get("SW_SOURCE_DIR") or os.path.abspath(
        os.path.join(os.path.dirname(__file__), "..", ".."))


def need_collectd(plugins, so=None):
    """Skips (77) when collectd, one of its plugins or boto3 is missing, or
    when the plugin is a sanitizer build Debian's collectd cannot load."""
    if not os.path.exists(COLLECTD):
        skip("collectd-core is not installed (%s missing)" % COLLECTD)
    for p in plugins:
        if not os.path.exists("/usr/lib/collectd/%s.so" % p):
            skip("collectd plugin %s.so missing (Debian collectd-core)" % p)
    if so is not None:
        if not os.path.exists(so):
            skip("the plugin %s is not built" % so)
        with open(so, "rb") as f:
            if b"__asan_init" in f.read():
                skip("an AddressSanitizer build cannot be loaded by collectd")
    try:
        import boto3  # noqa: F401
    except ImportError:
        skip("python3-boto3 missing")


class Harness:
    """Owns a temporary directory and every process started in it."""

    def __init__(self, prefix):
        self.src = source_dir()
        self.work = tempfile.mkdtemp(prefix=prefix)
        os.chmod(self.work, 0o755)
        self.procs = []
        self.collectd = None
        self.sim = None

    def spawn(self, argv, log_name, env=None):
        """Starts a process with its output in work/log_name; it is
        stopped (SIGTERM, then SIGKILL) by close()."""
        log = open(os.path.join(self.work, log_name), "w")
        p = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                             env=env, start_new_session=True)
        log.close()
        self.procs.append(p)
        return p

    def stop(self, p, timeout_s=20):
        if p is None or p.poll() is not None:
            return
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=10)

    def close(self, keep=False):
        for p in reversed(self.procs):
            self.stop(p)
        if not keep:
            shutil.rmtree(self.work, ignore_errors=True)

    def log(self, name, tail=4000):
        try:
            with open(os.path.join(self.work, name), errors="replace") as f:
                return f.read()[-tail:]
        except OSError:
            return ""

    # ---- the simulator ----
    def start_sim(self):
        simdir = os.path.join(self.work, "sim")
        self.sim = self.spawn(
            ["/usr/bin/python3", os.path.join(self.src, "tests/awssim/awssim"),
             "--dir", simdir], "sim.log")
        path = os.path.join(simdir, "awssim.json")
        wait_for("awssim.json", lambda: os.path.exists(path) or
                 self.sim.poll() is not None, 20, 0.1)
        if not os.path.exists(path):
            if self.sim.returncode == 77:
                skip("tests/awssim cannot start (python3-botocore missing)")
            raise AssertionError("awssim did not start: " + self.log("sim.log"))
        with open(path) as f:
            self.cfg = json.load(f)
        self.admin_url = self.cfg["endpoint_http"] + "/_awssim/"

    def admin(self, path, body=None):
        req = urllib.request.Request(self.admin_url + path,
                                     data=json.dumps(body or {}).encode(),
                                     method="POST")
        with urllib.request.urlopen(req, timeout=20) as r:
            return json.loads(r.read() or b"{}")

    def client(self, service):
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
    def plugin_dir(self, so, plugins):
        """PluginDir with copies (collectd refuses symlinks)."""
        d = os.path.join(self.work, "plugins")
        os.makedirs(d, exist_ok=True)
        if so:
            shutil.copy(so, os.path.join(d, "secretwatch.so"))
        for p in plugins:
            shutil.copy("/usr/lib/collectd/%s.so" % p, d)
        return d

    def secretwatch_block(self, secret_arn, interval=2, extra=""):
        return """<Plugin secretwatch>
  <Account "prod">
    Region "us-east-1"
    EndpointURL "{ep}"
    CAFile "{ca}"
    Interval {iv}
    Timeout 5
    Watchdog true
    WatchdogCycles 1
{extra}
    <Secret "TopSecretInfo">
      SecretID "{arn}"
      Mode "honeytoken"
    </Secret>
    <Secret "app-db">
      SecretID "prod/app/db"
      Mode "guarded"
      AllowPrincipal "arn:aws:sts::111122223333:assumed-role/app-server/*"
    </Secret>
  </Account>
</Plugin>
""".format(ep=self.cfg["endpoint_https"], ca=self.cfg["ca_file"],
           arn=secret_arn, iv=interval, extra=extra)

    def write_collectd_conf(self, plugin_dir, body, interval=2):
        """collectd.conf: logfile, unixsock, then body (LoadPlugin lines and
        blocks, the secretwatch block included)."""
        self.sock = os.path.join(self.work, "collectd.sock")
        self.conf = os.path.join(self.work, "collectd.conf")
        with open(self.conf, "w") as f:
            f.write("""Hostname "swtest"
FQDNLookup false
BaseDir "{w}/base"
PIDFile "{w}/collectd.pid"
PluginDir "{pd}"
TypesDB "/usr/share/collectd/types.db"
Interval {iv}
LoadPlugin logfile
<Plugin logfile>
  LogLevel info
  File "{w}/collectd.log"
</Plugin>
LoadPlugin unixsock
<Plugin unixsock>
  SocketFile "{sock}"
</Plugin>
{body}
""".format(w=self.work, pd=plugin_dir, iv=interval, sock=self.sock,
           body=body))
        return self.conf

    def start_collectd(self):
        env = dict(os.environ, AWS_ACCESS_KEY_ID=KEY,
                   AWS_SECRET_ACCESS_KEY=SECRET_KEY)
        for k in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
            env.pop(k, None)
        self.collectd = self.spawn([COLLECTD, "-f", "-C", self.conf],
                                   "collectd.out", env=env)
        wait_for("collectd's unixsock socket",
                 lambda: os.path.exists(self.sock) or
                 self.collectd.poll() is not None, 20, 0.2)
        if self.collectd.poll() is not None:
            raise AssertionError("collectd exited: " + self.log("collectd.log")
                                 + self.log("collectd.out"))


class Checker:
    """Counts checks; prints ok/FAIL lines; fail() shows the logs."""

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
