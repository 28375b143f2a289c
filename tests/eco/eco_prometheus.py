#!/usr/bin/python3
"""Prometheus: a real collectd (the built secretwatch.so + write_prometheus
on 127.0.0.1) against tests/awssim; the test scrapes /metrics over loopback
and checks the exposition format and the secretwatch families and labels
documented in contrib/prometheus/README.md, with the values of a known
story (one honeytoken read, one allowed and one denied guarded read, the
alarm in ALARM).

Usage: eco_prometheus.py /path/to/secretwatch.so
Exit 0 pass, 1 fail, 77 skipped (collectd, write_prometheus or its
libraries missing)."""
import os
import re
import subprocess
import sys
import urllib.request

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from swharness import (  # noqa: E402
    Checker, free_port, Harness, need_collectd, run_checks, skip, wait_for)

SAMPLE_RE = re.compile(
    r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|'
    r'\\.)*",?)*)\})? (-?[0-9.eE+-]+|NaN|[+-]Inf)( -?[0-9]+)?$')
LABEL_RE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse(text):
    """{(name, frozenset(labels)): value}, plus the lines that are not
    valid exposition format."""
    samples, bad = {}, []
    for line in text.splitlines():
        # HELP, TYPE and any other '#' line are comments in the format.
        if not line or line.startswith("#"):
            continue
        m = SAMPLE_RE.match(line)
        if not m:
            bad.append(line)
            continue
        labels = frozenset(LABEL_RE.findall(m.group(3) or ""))
        samples[(m.group(1), labels)] = float(m.group(4))
    return samples, bad


def value(samples, name, **labels):
    for (n, ls), v in samples.items():
        d = dict(ls)
        if n == name and all(d.get(k) == w for k, w in labels.items()):
            return v
    return None


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    so = sys.argv[1]
    need_collectd(["write_prometheus", "unixsock", "logfile"], so)
    ldd = subprocess.run(["ldd", "/usr/lib/collectd/write_prometheus.so"],
                         capture_output=True, text=True, timeout=20).stdout
    if "not found" in ldd:
        skip("write_prometheus.so cannot load (Debian libmicrohttpd12 and "
             "libprotobuf-c1 missing): " +
             " ".join(ln.split()[0] for ln in ldd.splitlines()
                      if "not found" in ln))
    h = Harness("sw-eco-prom-", so)
    ck = Checker(h, ("collectd.log", "sim.log"))
    def body():
        port = free_port()
        h.start_sim()
        arn = h.standard_chain()
        plugins = h.plugin_dir(so, ["write_prometheus", "unixsock",
                                    "logfile"])
        h.write_collectd_conf(plugins, """LoadPlugin secretwatch
LoadPlugin write_prometheus
<Plugin write_prometheus>
  Host "127.0.0.1"
  Port "%d"
</Plugin>
""" % port + h.secretwatch_block(arn))
        h.start_collectd()
        cw = h.story()
        url = "http://127.0.0.1:%d/metrics" % port
        D = "collectd_secretwatch_derive_total"
        state = {}

        def scrape():
            cw.put_metric_data(Namespace="SecretWatch", MetricData=[
                {"MetricName": "TopSecretInfo-reads", "Value": 1}])
            h.admin("tick", {"evaluate_alarms": True})
            try:
                with urllib.request.urlopen(url, timeout=5) as r:
                    state["ctype"] = r.headers.get("Content-Type", "")
                    state["text"] = r.read().decode()
            except OSError:
                return None
            s, _ = parse(state["text"])
            state["s"] = s
            return (value(s, D, secretwatch="TopSecretInfo",
                          type="reads-unexpected") == 1 and
                    value(s, D, secretwatch="app-db",
                          type="reads-denied") == 1 and
                    value(s, "collectd_secretwatch_gauge",
                          secretwatch="TopSecretInfo",
                          type="alarm_state") == 2 and
                    value(s, "collectd_secretwatch_count",
                          secretwatch="TopSecretInfo",
                          type="cloudwatch") == 3)
        try:
            wait_for("the story in /metrics", scrape, 40, 1)
        except AssertionError:
            pass
        text, s = state.get("text", ""), state.get("s", {})
        ck(text, "GET %s answers" % url)
        ck(state.get("ctype", "").startswith("text/plain"),
           "Content-Type text/plain (exposition format)", state.get("ctype"))
        samples, bad = parse(text)
        ck(not bad, "every line is valid exposition format", bad[:5])
        for labels, want in ((("TopSecretInfo", "reads-unexpected"), 1),
                             (("TopSecretInfo", "reads"), 1),
                             (("app-db", "reads"), 1),
                             (("app-db", "reads-denied"), 1),
                             (("app-db", "reads-unexpected"), 0)):
            got = value(s, D, secretwatch=labels[0], type=labels[1])
            ck(got == want, '%s{secretwatch="%s",type="%s"} = %s'
               % (D, labels[0], labels[1], want), "got %r" % got)
        got = value(s, "collectd_secretwatch_gauge",
                    secretwatch="TopSecretInfo", type="alarm_state")
        ck(got == 2, 'collectd_secretwatch_gauge{secretwatch="TopSecretInfo"'
           ',type="alarm_state"} = 2', "got %r" % got)
        got = value(s, "collectd_secretwatch_count",
                    secretwatch="TopSecretInfo", type="cloudwatch")
        ck(got == 3, 'collectd_secretwatch_count{secretwatch="TopSecretInfo",'
           'type="cloudwatch"} = 3', "got %r" % got)
        ck(value(s, "collectd_secretwatch_gauge", secretwatch="prod",
                 type="event_lag") is not None,
           'collectd_secretwatch_gauge{secretwatch="prod",type="event_lag"}')
        ck(value(s, "collectd_secretwatch_total_requests_total",
                 secretwatch="prod", type="LookupEvents") is not None,
           'collectd_secretwatch_total_requests_total{secretwatch="prod",'
           'type="LookupEvents"}')
        ck(value(s, "collectd_secretwatch_response_time", secretwatch="prod",
                 type="GetMetricData") is not None,
           'collectd_secretwatch_response_time{secretwatch="prod",'
           'type="GetMetricData"}')
        ck(value(s, "collectd_secretwatch_gauge", secretwatch="prod",
                 type="chain-alarm-TopSecretInfo") == 1,
           'collectd_secretwatch_gauge{type="chain-alarm-TopSecretInfo"} = 1')
        ck(all(dict(ls).get("instance") == "swtest"
               for (n, ls) in s if n.startswith("collectd_secretwatch")),
           'every secretwatch sample has instance="swtest"')
        ck("# TYPE %s counter" % D in text and
           "# TYPE collectd_secretwatch_gauge gauge" in text,
           "derive families are counters, gauges are gauges")

    return run_checks(h, ck, body)


if __name__ == "__main__":
    sys.exit(main())
