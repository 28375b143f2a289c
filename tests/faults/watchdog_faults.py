#!/usr/bin/python3
"""Throttling on the watchdog's own operations (issue 7: a throttling storm
on each operation). A real collectd with the watchdog checking a trail
every cycle; for 8 s every GetTrailStatus and GetEventSelectors is
throttled while the decoy is read. Checked against the simulator's ground
truth: each read notified exactly once, collectd still running, the
problem of each check reported once (a chain notification and a log line)
and its recovery once (OKAY "healthy again").

usage: watchdog_faults.py PATH/TO/secretwatch.so
Exit 0 pass, 1 fail, 77 skipped (no collectd, no botocore)."""
import glob
import json
import os
import sys
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import swharness  # noqa: E402
from swharness import INTRUDER, wait_for  # noqa: E402

STORM_S = 8
CHECKS = ("trail_logging", "read_events")


def trail(h):
    """A logging trail of the account (S3 only), for the watchdog."""
    s3, ct = h.client("s3"), h.client("cloudtrail")
    bucket = "swwd-trail"
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow",
             "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "s3:GetBucketAcl",
             "Resource": "arn:aws:s3:::" + bucket},
            {"Effect": "Allow",
             "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "s3:PutObject",
             "Resource": "arn:aws:s3:::%s/AWSLogs/111122223333/*" % bucket,
             "Condition": {"StringEquals": {
                 "s3:x-amz-acl": "bucket-owner-full-control"}}}]}))
    arn = ct.create_trail(Name="swwd", S3BucketName=bucket)["TrailARN"]
    ct.start_logging(Name=arn)
    return arn


def notifications(ndir):
    """The exec hook's notification files, oldest first: the header fields
    (and meta) by name, "_message" the text."""
    out = []
    paths = glob.glob(os.path.join(ndir, "n.*"))
    for path in sorted(paths, key=lambda x: int(x.rsplit(".", 1)[1])):
        with open(path, errors="replace") as f:
            head, _, message = f.read().partition("\n\n")
        fields = {}
        for line in head.splitlines():
            k, _, v = line.partition(": ")
            fields.setdefault(k, v)
        fields["_message"] = message.strip()
        out.append(fields)
    return out


def clear_faults(h):
    req = urllib.request.Request(h.admin_url + "fault", method="DELETE")
    with urllib.request.urlopen(req, timeout=20) as r:
        r.read()


def chain(notes, check):
    return [n for n in notes if n.get("Type") == "chain" and
            n.get("TypeInstance") == check]


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    so = sys.argv[1]
    swharness.need_collectd(("exec", "logfile", "unixsock"), so)
    h = swharness.Harness("swwd-", so)

    def body(ck):
        h.start_sim()
        arn = h.standard_chain()
        trail_arn = trail(h)
        script, ndir = h.notify_script()
        plugins = h.plugin_dir(so, ["exec", "logfile", "unixsock"])
        h.write_collectd_conf(plugins, """LoadPlugin exec
<Plugin exec>
  NotificationExec "nobody" "{script}"
</Plugin>
LoadPlugin secretwatch
{block}""".format(script=script, block=h.secretwatch_block(
            arn, extra='    Trail "%s"' % trail_arn)))
        h.start_collectd()

        def notes():
            return notifications(ndir)

        time.sleep(6)  # three cycles: the checks ran on a healthy trail
        before = notes()
        ck(not any(chain(before, c) for c in CHECKS),
           "healthy trail: no trail_logging/read_events finding before")

        # the storm, with reads of the decoy during it
        h.admin("fault", {"faults": [
            {"service": "cloudtrail", "operation": op, "kind": "throttle",
             "count": 0} for op in ("GetTrailStatus", "GetEventSelectors")]})
        ids = []
        t_end = time.time() + STORM_S
        while time.time() < t_end:
            ids += h.admin("read", {"secret": "TopSecretInfo",
                                    "principal": INTRUDER})["event_ids"]
            h.admin("tick", {"evaluate_alarms": False})
            time.sleep(2)
        clear_faults(h)

        def settled():
            h.admin("tick", {"evaluate_alarms": False})
            got = [n.get("event_id") for n in notes()
                   if n.get("Type") == "secret_access"]
            healed = all(any("healthy again" in n["_message"]
                             for n in chain(notes(), c)) for c in CHECKS)
            return (got, healed) if set(ids) <= set(got) and healed \
                else None
        try:
            wait_for("reads notified and checks healthy again", settled, 40)
        except AssertionError:
            pass
        time.sleep(5)  # two more cycles: nothing may repeat
        after = notes()
        got = [n.get("event_id") for n in after
               if n.get("Type") == "secret_access"]
        ck(all(got.count(i) == 1 for i in ids),
           "%d reads during the storm: each notified exactly once (%s)" %
           (len(ids), [got.count(i) for i in ids]))
        ck(h.collectd.poll() is None, "collectd still running")
        log = h.log("collectd.log", tail=10 ** 6)
        for c in CHECKS:
            found = chain(after, c)
            bad = [n for n in found if n.get("Severity") != "OKAY"]
            good = [n for n in found if n.get("Severity") == "OKAY"]
            ck(len(bad) == 1 and len(good) == 1,
               "%s: problem notified once, recovery once (%d / %d)" %
               (c, len(bad), len(good)))
        lines = [ln for ln in log.splitlines() if "watchdog:" in ln and
                 "Throttling" in ln]
        ck(1 <= len(lines) <= len(CHECKS),
           "the throttled checks logged once each (%d lines)" % len(lines))
    ck = swharness.Checker(h)
    return swharness.run_checks(h, ck, lambda: body(ck))


if __name__ == "__main__":
    sys.exit(main())
