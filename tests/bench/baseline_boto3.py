#!/usr/bin/python3
"""Baseline for the benchmark (issue 8, section 4a): a collectd Python
plugin as a user would write it with boto3, doing secretwatch's work per
cycle: GetMetricData for every secret's read metric, DescribeAlarms for
their alarms, and the LookupEvents pages of GetSecretValue records in the
last 15 minutes, matched to the secrets and counted.

In collectd (python.so):
    <Plugin python>
      ModulePath "/path/to/tests/bench"
      Import "baseline_boto3"
      <Module baseline_boto3>
        Endpoint "https://127.0.0.1:PORT"
        CAFile "/path/ca.pem"
        Region "us-east-1"
        Secret "bench/s0000" "bench/s0001"
      </Module>
    </Plugin>
Standalone (what the benchmark runs): baseline_boto3.py CYCLES, with
SW_BENCH_ENDPOINT, AWS_CA_BUNDLE and SW_BENCH_SECRETS (a count: secrets
bench/s0000...) in the environment; the read callback runs CYCLES times
with a stand-in `collectd` module that drops the values."""
import datetime
import json
import os
import sys

try:
    import collectd
except ImportError:  # standalone: a stand-in with the calls used here
    class _Values:
        def __init__(self, **kw):
            self.__dict__.update(kw)

        def dispatch(self, **kw):
            pass

    class collectd:  # noqa: N801 (the module's name)
        Values = _Values

        @staticmethod
        def register_config(fn):
            pass

        @staticmethod
        def register_init(fn):
            pass

        @staticmethod
        def register_read(fn, interval=None):
            pass

        @staticmethod
        def warning(msg):
            sys.stderr.write(msg + "\n")

import boto3

CONF = {"endpoint": None, "ca": None, "region": "us-east-1", "secrets": []}
CLIENTS = {}


def config(conf):
    for c in conf.children:
        if c.key == "Endpoint":
            CONF["endpoint"] = c.values[0]
        elif c.key == "CAFile":
            CONF["ca"] = c.values[0]
        elif c.key == "Region":
            CONF["region"] = c.values[0]
        elif c.key == "Secret":
            CONF["secrets"].extend(c.values)


def init():
    kw = {"region_name": CONF["region"]}
    if CONF["endpoint"]:
        kw["endpoint_url"] = CONF["endpoint"]
    if CONF["ca"]:
        kw["verify"] = CONF["ca"]
    CLIENTS["cw"] = boto3.client("cloudwatch", **kw)
    CLIENTS["ct"] = boto3.client("cloudtrail", **kw)


def chunks(seq, n):
    for i in range(0, len(seq), n):
        yield seq[i:i + n]


def read():
    cw, ct = CLIENTS["cw"], CLIENTS["ct"]
    secrets = CONF["secrets"]
    end = datetime.datetime.now(datetime.timezone.utc)
    start = end - datetime.timedelta(minutes=15)
    reads = {s: 0.0 for s in secrets}
    for part in chunks(list(enumerate(secrets)), 500):
        queries = [{"Id": "m%d" % i, "MetricStat": {
            "Metric": {"Namespace": "SecretWatch",
                       "MetricName": s.split("/")[-1] + "-reads"},
            "Period": 60, "Stat": "Sum"}} for i, s in part]
        kw = {"MetricDataQueries": queries, "StartTime": start,
              "EndTime": end}
        while True:
            r = cw.get_metric_data(**kw)
            for res in r["MetricDataResults"]:
                i = int(res["Id"][1:])
                reads[secrets[i]] += sum(res.get("Values", []))
            if not r.get("NextToken"):
                break
            kw["NextToken"] = r["NextToken"]
    alarm_state = {}
    for part in chunks(secrets, 100):
        names = ["secretwatch-%s-read" % s.split("/")[-1] for s in part]
        r = cw.describe_alarms(AlarmNames=names)
        for a in r.get("MetricAlarms", []):
            alarm_state[a["AlarmName"]] = a["StateValue"]
    seen = {s: 0 for s in secrets}
    pages = ct.get_paginator("lookup_events").paginate(
        LookupAttributes=[{"AttributeKey": "EventName",
                           "AttributeValue": "GetSecretValue"}],
        StartTime=start, EndTime=end, PaginationConfig={"PageSize": 50})
    for page in pages:
        for ev in page["Events"]:
            rec = json.loads(ev["CloudTrailEvent"])
            sid = (rec.get("requestParameters") or {}).get("secretId")
            if sid in seen:
                seen[sid] += 1
    for s in secrets:
        collectd.Values(plugin="boto3_secrets",
                        plugin_instance=s.replace("/", "_"), type="gauge",
                        type_instance="reads").dispatch(values=[reads[s]])
        collectd.Values(plugin="boto3_secrets",
                        plugin_instance=s.replace("/", "_"), type="gauge",
                        type_instance="records").dispatch(values=[seen[s]])


collectd.register_config(config)
collectd.register_init(init)
collectd.register_read(read)


if __name__ == "__main__":
    cycles = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    if not 1 <= cycles <= 100000:
        sys.exit("usage: baseline_boto3.py CYCLES (1..100000)")
    CONF["endpoint"] = os.environ.get("SW_BENCH_ENDPOINT")
    CONF["ca"] = os.environ.get("AWS_CA_BUNDLE")
    CONF["secrets"] = ["bench/s%04d" % i for i in
                       range(int(os.environ.get("SW_BENCH_SECRETS", "10")))]
    init()
    for _ in range(cycles):
        read()
