#!/usr/bin/python3
"""Graphite end to end: a real collectd (the built secretwatch.so +
write_graphite with contrib/graphite/write_graphite.conf) against
tests/awssim -> a real carbon-cache (Debian graphite-carbon) on 127.0.0.1
with a private config and storage directory, using
contrib/graphite/storage-schemas.conf and storage-aggregation.conf -> the
whisper files hold the secretwatch series under the names of
contrib/graphite/README.md, read back with whisper-fetch/whisper-info
(python3-whisper). Then the Grafana dashboard is checked against the series
Graphite holds (dashboard_check.py); the list is also written to
SERIES_OUT for the separate dashboard test.

Usage: eco_graphite.py /path/to/secretwatch.so [SERIES_OUT]
Exit 0 pass, 1 fail, 77 skipped (graphite-carbon, python3-whisper or
collectd missing)."""
import json
import os
import re
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import dashboard_check  # noqa: E402
from swharness import (  # noqa: E402
    Checker, free_port, Harness, need_collectd, run_checks, skip, wait_for)

CARBON = "/usr/bin/carbon-cache"
WFETCH = "/usr/bin/whisper-fetch"
WINFO = "/usr/bin/whisper-info"


def carbon_conf(h, ports):
    root = os.path.join(h.work, "graphite")
    conf = os.path.join(h.work, "carbon")
    os.makedirs(conf)
    for d in ("whisper", "log", "lists"):
        os.makedirs(os.path.join(root, d))
    src = os.path.join(h.src, "contrib", "graphite")
    # The snippets first, then a catch-all, as in the system file.
    with open(os.path.join(conf, "storage-schemas.conf"), "w") as f:
        f.write(open(os.path.join(src, "storage-schemas.conf")).read())
        f.write("\n[default]\npattern = .*\nretentions = 10s:1d\n")
    with open(os.path.join(conf, "storage-aggregation.conf"), "w") as f:
        f.write(open(os.path.join(src, "storage-aggregation.conf")).read())
        f.write("\n[default]\npattern = .*\nxFilesFactor = 0.5\n"
                "aggregationMethod = average\n")
    path = os.path.join(conf, "carbon.conf")
    with open(path, "w") as f:
        f.write("""[cache]
STORAGE_DIR = {r}
LOCAL_DATA_DIR = {r}/whisper
WHITELISTS_DIR = {r}/lists
LOG_DIR = {r}/log
PID_DIR = {r}
ENABLE_LOGROTATION = False
USER =
MAX_CACHE_SIZE = inf
MAX_UPDATES_PER_SECOND = 10000
MAX_CREATES_PER_MINUTE = inf
WHISPER_AUTOFLUSH = True
CACHE_WRITE_STRATEGY = sorted
LINE_RECEIVER_INTERFACE = 127.0.0.1
LINE_RECEIVER_PORT = {p[0]}
ENABLE_UDP_LISTENER = False
PICKLE_RECEIVER_INTERFACE = 127.0.0.1
PICKLE_RECEIVER_PORT = {p[1]}
CACHE_QUERY_INTERFACE = 127.0.0.1
CACHE_QUERY_PORT = {p[2]}
LOG_LISTENER_CONNECTIONS = False
LOG_UPDATES = False
LOG_CREATES = True
""".format(r=root, p=ports))
    return path, root


def graphite_block(h, port):
    """contrib/graphite/write_graphite.conf pointed at our carbon."""
    with open(os.path.join(h.src, "contrib/graphite/write_graphite.conf")) as f:
        text = f.read()
    text = re.sub(r'Host "[^"]*"', 'Host "127.0.0.1"', text)
    text = re.sub(r'Port "[^"]*"', 'Port "%d"' % port, text)
    if 'Port "%d"' % port not in text:
        raise AssertionError("write_graphite.conf has no Port line")
    return text


def series_list(root):
    """Every whisper file as a Graphite path."""
    base = os.path.join(root, "whisper")
    out = []
    for d, _, files in os.walk(base):
        for name in files:
            if name.endswith(".wsp"):
                rel = os.path.relpath(os.path.join(d, name[:-4]), base)
                out.append(rel.replace(os.sep, "."))
    return sorted(out)


def wsp(root, series):
    return os.path.join(root, "whisper", *series.split(".")) + ".wsp"


def fetch_last(root, series, since_s=900):
    """Latest non-empty (time, value) whisper-fetch reads back, or None."""
    path = wsp(root, series)
    if not os.path.exists(path):
        return None
    out = subprocess.run([WFETCH, "--from=%d" % (time.time() - since_s),
                          "--json", path], capture_output=True, text=True,
                         timeout=20)
    if out.returncode != 0:
        return None
    data = json.loads(out.stdout)
    t0, step = data["start"], data["step"]
    last = None
    for i, v in enumerate(data["values"]):
        if v is not None:
            last = (t0 + i * step, v)
    return last


def main():
    if len(sys.argv) not in (2, 3):
        print(__doc__)
        return 2
    so = sys.argv[1]
    out_file = sys.argv[2] if len(sys.argv) == 3 else None
    if out_file and os.path.exists(out_file):
        os.unlink(out_file)
    if not os.path.exists(CARBON):
        skip("carbon-cache missing (Debian graphite-carbon)")
    if not os.path.exists(WFETCH) or not os.path.exists(WINFO):
        skip("whisper-fetch/whisper-info missing (Debian python3-whisper)")
    need_collectd(["write_graphite", "unixsock", "logfile"], so)

    h = Harness("sw-eco-graphite-", so)
    ck = Checker(h, ("collectd.log", "carbon.out", "sim.log"))
    def body():
        schemas = os.path.join(h.src, "contrib/graphite/storage-schemas.conf")
        r = subprocess.run(["/usr/bin/validate-storage-schemas", schemas],
                           capture_output=True, text=True, timeout=30)
        ck(r.returncode == 0 and "is valid" in r.stdout,
           "validate-storage-schemas accepts the snippet", r.stdout[-300:])
        ports = [free_port() for _ in range(3)]
        conf, root = carbon_conf(h, ports)
        env = dict(os.environ, GRAPHITE_ROOT=root, GRAPHITE_CONF_DIR=
                   os.path.dirname(conf), GRAPHITE_STORAGE_DIR=root)
        carbon = h.spawn([CARBON, "--config=" + conf, "--debug",
                          "--pidfile=" + os.path.join(root, "carbon.pid"),
                          "start"], "carbon.out", env=env)

        def carbon_up():
            if carbon.poll() is not None:
                raise AssertionError("carbon-cache exited: " +
                                     h.log("carbon.out"))
            import socket
            s = socket.socket()
            s.settimeout(1)
            try:
                s.connect(("127.0.0.1", ports[0]))
                return True
            except OSError:
                return False
            finally:
                s.close()
        wait_for("carbon-cache's line receiver", carbon_up, 30, 0.3)
        ck(True, "carbon-cache listens on 127.0.0.1:%d (private config %s)"
           % (ports[0], conf))

        h.start_sim()
        arn = h.standard_chain()
        plugins = h.plugin_dir(so, ["write_graphite", "unixsock", "logfile"])
        h.write_collectd_conf(plugins, "LoadPlugin secretwatch\n" +
                              graphite_block(h, ports[0]) +
                              h.secretwatch_block(arn))
        # One throttled LookupEvents: the throttle counter moves.
        h.admin("fault", {"service": "cloudtrail",
                          "operation": "LookupEvents", "kind": "throttle",
                          "count": 1})
        h.start_collectd()

        # The story: an intruder reads the decoy, the app reads its
        # secret, the intruder is refused it; the metric and alarm follow.
        cw = h.story(intruder_ip="203.0.113.9")
        P = "collectd.swtest.secretwatch-"
        want = {
            P + "TopSecretInfo.derive-reads-unexpected": 1,
            P + "TopSecretInfo.derive-reads": 1,
            P + "app-db.derive-reads": 1,
            P + "app-db.derive-reads-denied": 1,
            P + "app-db.derive-reads-unexpected": 0,
            P + "TopSecretInfo.gauge-alarm_state": 2,
            P + "TopSecretInfo.count-cloudwatch": 3,
            P + "prod.gauge-chain-alarm-TopSecretInfo": 1,
        }
        present = [P + "prod.gauge-event_lag",
                   P + "prod.total_requests-LookupEvents",
                   P + "prod.total_requests-GetMetricData",
                   P + "prod.total_requests-DescribeAlarms",
                   P + "prod.response_time-LookupEvents",
                   P + "prod.derive-estimated_cost-microusd"]

        def settled():
            cw.put_metric_data(Namespace="SecretWatch", MetricData=[
                {"MetricName": "TopSecretInfo-reads", "Value": 1}])
            h.admin("tick", {"evaluate_alarms": True})
            got = {s: fetch_last(root, s) for s in want}
            if all(got[s] and got[s][1] == v for s, v in want.items()) and \
                    all(os.path.exists(wsp(root, s)) for s in present):
                return got
            return None
        try:
            wait_for("the whisper files to hold the story", settled, 45, 1)
        except AssertionError:
            pass
        for s, v in want.items():
            last = fetch_last(root, s)
            ck(last is not None and last[1] == v,
               "whisper-fetch %s = %s" % (s, v), "got %r" % (last,))
        for s in present:
            ck(fetch_last(root, s) is not None,
               "whisper-fetch %s has a value" % s)
        thr = fetch_last(root, P + "prod.total_requests-LookupEvents-"
                         "throttled")
        ck(thr is not None and thr[1] >= 1,
           "whisper-fetch total_requests-LookupEvents-throttled >= 1",
           "got %r" % (thr,))

        # The retention the snippet promises (first archive: 60 s).
        info = subprocess.run(
            [WINFO, wsp(root, P + "TopSecretInfo.derive-reads")],
            capture_output=True, text=True, timeout=20).stdout
        ck("secondsPerPoint: 60" in info and "aggregationMethod: last" in info,
           "storage-schemas/aggregation snippets applied (60 s, last)",
           info[:300])
        info = subprocess.run(
            [WINFO, wsp(root, P + "TopSecretInfo.gauge-alarm_state")],
            capture_output=True, text=True, timeout=20).stdout
        ck("aggregationMethod: max" in info, "alarm_state rolls up with max",
           info[:300])

        series = [s for s in series_list(root) if ".secretwatch-" in s]
        ck(all(re.match(r"^collectd\.swtest\.secretwatch-[^.]+\.[^.]+$", s)
               for s in series), "every series is collectd.<host>."
           "secretwatch-<instance>.<type>-<type_instance>",
           [s for s in series if not re.match(
               r"^collectd\.swtest\.secretwatch-[^.]+\.[^.]+$", s)])
        # The names contrib/graphite/README.md documents, both ways.
        with open(os.path.join(h.src, "contrib/graphite/README.md")) as f:
            documented = sorted(set(re.findall(
                r"^\| `(collectd\.<host>\.secretwatch-[^`]+)`", f.read(),
                re.M)))
        ck(len(documented) >= 12, "README documents the series (%d names)"
           % len(documented))

        def doc_re(name):
            parts = re.split(r"(<[^>]+>)", name)
            return re.compile("^" + "".join(
                "[^.]+" if x.startswith("<") else re.escape(x)
                for x in parts) + "$")
        pats = [(d, doc_re(d)) for d in documented]
        undocumented = [x for x in series
                        if not any(rx.match(x) for _, rx in pats)]
        ck(not undocumented, "every series carbon wrote is documented in "
           "contrib/graphite/README.md", undocumented)
        unseen = [d for d, rx in pats if not any(rx.match(x) for x in series)]
        ck(not unseen, "every documented series was written", unseen)
        if out_file:
            with open(out_file, "w") as f:
                f.write("\n".join(series) + "\n")
        # The dashboard's targets against what Graphite really holds.
        dash_path = os.path.join(h.src, "contrib/grafana/"
                                 "secretwatch-dashboard.json")
        with open(dash_path) as f:
            dash = json.load(f)
        for good, msg in dashboard_check.check(dash, series):
            if not good or "matches a series" in msg:
                ck(good, "dashboard: " + msg)
        if ck.failed:
            print("---- series\n" + "\n".join(series))

    return run_checks(h, ck, body)


if __name__ == "__main__":
    sys.exit(main())
