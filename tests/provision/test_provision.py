#!/usr/bin/python3
"""End-to-end tests of secretwatch-provision against tests/awssim over HTTPS.

One simulator for the whole class; the tests run in their numbered order
and build on each other: plan and status from empty, apply, apply again (no
mutating call), plan/status (no mutating call), verify (each stage's
latency; a background thread ticks the simulator), collectd-config (checked
with `collectd -T` when the plugin is built), a failure injected at every
mutating step followed by a converging re-run, drift repaired (trail,
retention, role trust policy), destroy (the bucket kept while it holds log
files unless --delete-log-files; then nothing of the stack left; unowned
trail and secret untouched). Skips (exit 77) when the tool is not
built or botocore is missing."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.request
import ssl

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("SW_SOURCE_DIR", os.path.join(HERE, "..", ".."))
BUILD = os.environ.get("SW_BUILD_DIR", "")
TOOL = os.environ.get("SW_PROVISION", "")
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import swharness  # noqa: E402

try:
    import boto3
    import botocore.config
    import botocore.exceptions
except ImportError:  # pragma: no cover
    boto3 = None

# Operations that change something (the rest only read).
READ_PREFIXES = ("Get", "Describe", "List", "Head", "Lookup", "Filter")

STACK = "pvtest"
UNOWNED_SECRET = "unowned-app-secret"
UNOWNED_TRAIL = "unowned-trail"
DECOY = "pvtest-decoy"


def mutating(ops):
    return {k: v for k, v in ops.items()
            if not k.split(".", 1)[-1].startswith(READ_PREFIXES)}


class Sim:
    """A running tests/awssim in a temporary folder."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="pv-awssim-")
        self.proc, self.cfg = swharness.start_awssim(
            self.dir, os.path.join(self.dir, "log"), 15)
        self.url = "https://127.0.0.1:%d" % self.cfg["https_port"]
        self.ca = self.cfg["ca_file"]
        self.ssl = ssl.create_default_context(cafile=self.ca)
        self.acct = self.cfg["accounts"][0]
        self.clients = {}

    def admin(self, method, name, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + "/_awssim/" + name, data=data,
                                     method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, context=self.ssl, timeout=30) as r:
            return json.loads(r.read().decode() or "{}")

    def client(self, service):
        if service not in self.clients:
            cfg = botocore.config.Config(s3={"addressing_style": "path"},
                                         retries={"max_attempts": 1})
            self.clients[service] = boto3.client(
                service, region_name="us-east-1", endpoint_url=self.url, verify=self.ca,
                config=cfg, aws_access_key_id=self.acct["access_key_id"],
                aws_secret_access_key=self.acct["secret_access_key"])
        return self.clients[service]

    def trail_bucket(self, name):
        """A bucket any trail of the account may deliver to (not ours)."""
        s3, acct = self.client("s3"), self.acct["account_id"]
        s3.create_bucket(Bucket=name)
        s3.put_bucket_policy(Bucket=name, Policy=json.dumps({
            "Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
                 "Action": "s3:GetBucketAcl", "Resource": "arn:aws:s3:::%s" % name},
                {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
                 "Action": "s3:PutObject",
                 "Resource": "arn:aws:s3:::%s/AWSLogs/%s/*" % (name, acct),
                 "Condition": {"StringEquals": {
                     "s3:x-amz-acl": "bucket-owner-full-control"}}}]}))

    def stop(self):
        for c in self.clients.values():
            getattr(c, "close", lambda: None)()
        swharness.stop_process(self.proc, 10)
        shutil.rmtree(self.dir, ignore_errors=True)


class Ticker:
    """Drives the simulator's delivery and alarm evaluation while a command
    waits (as AWS would, minutes later)."""

    def __init__(self, sim):
        self.sim, self.stop_ev = sim, threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.stop_ev.wait(0.5):
            try:
                self.sim.admin("POST", "tick", {"evaluate_alarms": True})
            except Exception:  # noqa: BLE001 - keep ticking
                pass

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop_ev.set()
        self.thread.join(5)


@unittest.skipIf(not TOOL or not os.path.exists(TOOL) or boto3 is None,
                 "secretwatch-provision not built or boto3 missing")
class ProvisionTest(unittest.TestCase):
    sim = None

    @classmethod
    def setUpClass(cls):
        cls.tool_calls = set()
        cls.sim = Sim()
        # An unowned secret to watch and an unowned trail: never touched.
        sm = cls.sim.client("secretsmanager")
        sm.create_secret(Name=UNOWNED_SECRET, SecretString="app-password")
        cls.unowned_arn = sm.describe_secret(SecretId=UNOWNED_SECRET)["ARN"]
        cls.sim.trail_bucket("unowned-trail-bucket")
        cls.sim.client("cloudtrail").create_trail(Name=UNOWNED_TRAIL,
                                                  S3BucketName="unowned-trail-bucket")

    @classmethod
    def tearDownClass(cls):
        if cls.sim:
            cls.sim.stop()

    # --- helpers --------------------------------------------------------------------
    def run_tool(self, *args, stack=STACK, json_out=False, timeout=300, env_endpoint=False):
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
               "AWS_ACCESS_KEY_ID": self.sim.acct["access_key_id"],
               "AWS_SECRET_ACCESS_KEY": self.sim.acct["secret_access_key"],
               "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
               "AWS_EC2_METADATA_DISABLED": "true"}
        if env_endpoint:
            # As against AWS: no --endpoint-url, so no simulator mail spool.
            env.update(AWS_ENDPOINT_URL=self.sim.url, AWS_CA_BUNDLE=self.sim.ca)
            cmd = [TOOL, "--region", "us-east-1", "--stack", stack]
        else:
            cmd = [TOOL, "--region", "us-east-1", "--endpoint-url", self.sim.url,
                   "--ca-file", self.sim.ca, "--stack", stack]
        if json_out:
            cmd += ["--output", "json"]
        p = subprocess.run(cmd + list(args), env=env, capture_output=True, text=True,
                           timeout=timeout)
        sys.stderr.write("$ %s\n%s%s[exit %d]\n" % (" ".join(args), p.stdout, p.stderr,
                                                   p.returncode))
        doc = None
        if json_out and p.stdout.strip():
            doc = json.loads(p.stdout)
        return p.returncode, (doc if json_out else p.stdout), p.stderr

    @classmethod
    def collect_tool_calls(cls):
        """Adds the AWS operations secretwatch-provision made (told apart from
        this test's own boto3 calls by User-Agent) to cls.tool_calls, before
        the simulator's request log is reset."""
        for e in cls.sim.admin("GET", "requests").get("log") or []:
            if (e.get("user_agent") or "").startswith("secretwatch/"):
                cls.tool_calls.add((e["service"], e["operation"]))

    def count_mutating(self, fn):
        self.collect_tool_calls()
        self.sim.admin("DELETE", "requests")
        result = fn()
        ops = self.sim.admin("GET", "requests")["operations"]
        return result, mutating(ops)

    def apply_args(self):
        return ["apply", "--create-secret", DECOY, "--secret", UNOWNED_SECRET,
                "--email", "ops@example.com"]

    # --- the scenario ----------------------------------------------------------------
    def test_00_bad_flags_exit_2_with_one_line(self):
        for args in (["apply", "--bogus"], ["apply", "--period", "45"], ["frob"],
                     ["status", "--timeout", "3"]):
            rc, out, err = self.run_tool(*args)
            self.assertEqual(rc, 2, args)
            self.assertEqual(len(err.strip().splitlines()), 1, err)
        rc, out, _ = self.run_tool("--version")
        self.assertEqual(rc, 0)
        self.assertIn("secretwatch-provision", out)
        for cmd in ("plan", "apply", "status", "verify", "destroy", "collectd-config"):
            rc, out, _ = self.run_tool(cmd, "--help")
            self.assertEqual(rc, 0)
            self.assertIn("Usage", out)

    def test_00b_every_flag_is_in_help_and_man_page(self):
        import re
        with open(os.path.join(SRC, "docs", "secretwatch-provision.1")) as f:
            man = f.read().replace("\\-", "-")
        flags = set()
        for cmd in ("", "apply", "status", "verify", "destroy", "collectd-config"):
            rc, out, _ = self.run_tool(*([cmd] if cmd else []), "--help")
            self.assertEqual(rc, 0)
            flags |= set(re.findall(r"--[a-z][a-z-]+", out))
        self.assertGreater(len(flags), 20)
        for flag in sorted(flags):
            self.assertIn(flag, man, flag)

    def test_01_plan_and_status_from_empty_make_no_mutating_call(self):
        (rc, doc, _), mut = self.count_mutating(
            lambda: self.run_tool("plan", *self.apply_args()[1:], json_out=True))
        self.assertEqual(rc, 0)
        self.assertEqual(mut, {})
        actions = {(i["step"], i["action"]) for i in doc["items"]}
        for step in ("secret", "bucket", "log-group", "role", "trail", "alarm", "topic"):
            self.assertIn((step, "create"), actions)
        (rc, doc, _), mut = self.count_mutating(
            lambda: self.run_tool("status", "--create-secret", DECOY, json_out=True))
        self.assertEqual(rc, 3)
        self.assertEqual(mut, {})
        self.assertGreater(doc["findings"], 0)

    def test_02_apply_from_empty_builds_the_chain(self):
        rc, doc, err = self.run_tool(*self.apply_args(), json_out=True)
        self.assertEqual(rc, 0, err)
        self.assertEqual(doc["result"], "changed")
        actions = {(i["step"], i["action"]) for i in doc["items"]}
        for step in ("secret", "bucket", "log-group", "role", "trail", "metric-filter",
                     "alarm", "topic", "subscription"):
            self.assertIn((step, "created"), actions)
        ct = self.sim.client("cloudtrail")
        trail = ct.get_trail(Name="pvtest-trail")["Trail"]
        self.assertTrue(trail["IsMultiRegionTrail"])
        self.assertTrue(trail["LogFileValidationEnabled"])
        self.assertTrue(ct.get_trail_status(Name="pvtest-trail")["IsLogging"])
        cw = self.sim.client("cloudwatch")
        alarms = cw.describe_alarms(AlarmNamePrefix="pvtest-")["MetricAlarms"]
        self.assertEqual(len(alarms), 2)
        for a in alarms:
            self.assertEqual(a["TreatMissingData"], "notBreaching")
            self.assertEqual(a["ComparisonOperator"], "GreaterThanOrEqualToThreshold")
        # The unowned secret is only described, never read or tagged.
        tags = self.sim.client("secretsmanager").describe_secret(
            SecretId=UNOWNED_SECRET).get("Tags", [])
        self.assertEqual(tags, [])

    def test_03_apply_again_makes_no_mutating_call(self):
        (rc, out, err), mut = self.count_mutating(lambda: self.run_tool(*self.apply_args()))
        self.assertEqual(rc, 0, err)
        self.assertIn("no changes", out)
        self.assertEqual(mut, {})
        (rc, out, err), mut = self.count_mutating(lambda: self.run_tool("apply"))
        self.assertEqual(rc, 0, err)
        self.assertEqual(mut, {})

    def test_04_plan_and_status_after_apply(self):
        (rc, out, err), mut = self.count_mutating(lambda: self.run_tool("plan"))
        self.assertEqual((rc, mut), (0, {}), err)
        self.assertIn("no changes", out)
        (rc, doc, err), mut = self.count_mutating(
            lambda: self.run_tool("status", "--email", "ops@example.com", json_out=True))
        self.assertEqual((rc, mut), (0, {}), err)
        self.assertIn(("subscription", "pending"),
                      {(i["step"], i["action"]) for i in doc["items"]})
        self.sim.admin("POST", "confirm", {"email": "ops@example.com"})
        rc, doc, err = self.run_tool("status", json_out=True)
        self.assertEqual(rc, 0, err)
        self.assertNotIn("pending", {i["action"] for i in doc["items"]})

    def test_05_verify_reports_each_stage_latency(self):
        with Ticker(self.sim):
            rc, doc, err = self.run_tool("verify", "--secret", DECOY, "--timeout", "90",
                                         "--poll-interval", "1", json_out=True)
        self.assertEqual(rc, 0, err)
        stages = {s["stage"]: s for s in doc["stages"]}
        for name in ("cloudtrail", "log-event", "metric", "alarm", "sns-publish"):
            self.assertTrue(stages[name]["arrived"], name)
            self.assertGreaterEqual(stages[name]["latency_s"], 0)
        mail = self.sim.admin("GET", "mail")["mail"]
        self.assertTrue(any("pvtest-pvtest-decoy-read" in json.dumps(m) for m in mail))

    def test_06_collectd_config_is_accepted_by_collectd(self):
        rc, out, err = self.run_tool("collectd-config")
        self.assertEqual(rc, 0, err)
        self.assertIn("<Plugin secretwatch>", out)
        self.assertIn('SecretID           "%s"' % self.unowned_arn, out)
        self.assertIn('AlarmName          "pvtest-%s-read"' % UNOWNED_SECRET, out)
        rc, doc, err = self.run_tool("collectd-config", json_out=True)
        self.assertEqual((rc, doc["config"]), (0, out), err)
        plugin_dir = os.path.join(BUILD, "plugin")
        so = os.path.join(plugin_dir, "secretwatch.so")
        collectd = shutil.which("collectd") or "/usr/sbin/collectd"
        if not BUILD or not os.path.exists(so) or not os.path.exists(collectd):
            sys.stderr.write("skip: collectd -T check: plugin/secretwatch.so not built yet\n")
            return
        with tempfile.TemporaryDirectory() as d:
            conf = os.path.join(d, "collectd.conf")
            with open(conf, "w") as f:
                f.write('Hostname "pvtest"\nFQDNLookup false\nBaseDir "%s"\n'
                        'PluginDir "%s"\nTypesDB "/usr/share/collectd/types.db"\n'
                        'Interval 10\n%s' % (d, os.path.realpath(plugin_dir), out))
            env = dict(os.environ, AWS_ACCESS_KEY_ID=self.sim.acct["access_key_id"],
                       AWS_SECRET_ACCESS_KEY=self.sim.acct["secret_access_key"],
                       AWS_EC2_METADATA_DISABLED="true")
            # (an ASan plugin: the runtime preloaded into collectd)
            p = swharness.run_collectd_T(conf, so, env, 60)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_076_a_drifted_role_trust_policy_is_found_and_repaired(self):
        iam = self.sim.client("iam")
        role = "pvtest-cloudtrail-logs"
        want = iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"]
        cond = json.dumps(want)
        self.assertIn("aws:SourceArn", cond)
        # Someone widens the trust: any trail (no aws:SourceArn condition).
        iam.update_assume_role_policy(RoleName=role, PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "sts:AssumeRole"}]}))
        (rc, doc, err), mut = self.count_mutating(
            lambda: self.run_tool("status", json_out=True))
        self.assertEqual((rc, mut), (3, {}), err)
        self.assertIn(("role", role, "drift"),
                      {(i["step"], i["resource"], i["action"]) for i in doc["items"]})
        (rc, out, err), mut = self.count_mutating(lambda: self.run_tool("plan"))
        self.assertEqual((rc, mut), (0, {}), err)
        self.assertRegex(out, r"update +role +%s +trust: this trail only" % role)
        (rc, doc, err), mut = self.count_mutating(
            lambda: self.run_tool("apply", json_out=True))
        self.assertEqual(rc, 0, err)
        self.assertEqual(mut, {"iam.UpdateAssumeRolePolicy": 1}, mut)
        self.assertIn(("role", role, "updated"),
                      {(i["step"], i["resource"], i["action"]) for i in doc["items"]})
        self.assertEqual(iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"], want)
        (rc, out, err), mut = self.count_mutating(lambda: self.run_tool("status"))
        self.assertEqual((rc, mut), (0, {}), err)
        (rc, out, err), mut = self.count_mutating(lambda: self.run_tool("apply"))
        self.assertEqual((rc, mut), (0, {}), err)

    def test_07_drift_is_found_and_repaired(self):
        ct = self.sim.client("cloudtrail")
        ct.stop_logging(Name="pvtest-trail")
        self.sim.client("logs").put_retention_policy(
            logGroupName="/secretwatch/pvtest/cloudtrail", retentionInDays=7)
        rc, doc, err = self.run_tool("status", json_out=True)
        self.assertEqual(rc, 3, err)
        drift = {(i["step"], i["action"]) for i in doc["items"]}
        self.assertIn(("trail", "drift"), drift)
        self.assertIn(("log-group", "drift"), drift)
        rc, out, err = self.run_tool("apply")
        self.assertEqual(rc, 0, err)
        self.assertTrue(ct.get_trail_status(Name="pvtest-trail")["IsLogging"])
        (rc, out, err), mut = self.count_mutating(lambda: self.run_tool("apply"))
        self.assertEqual((rc, mut), (0, {}), err)

    def test_075_changed_options_are_converged_in_place(self):
        changed = ["--period", "120", "--retention-days", "30", "--kms-key-id",
                   "alias/secretwatch"]
        rc, doc, err = self.run_tool("apply", *changed, json_out=True)
        self.assertEqual(rc, 0, err)
        actions = {(i["step"], i["action"]) for i in doc["items"]}
        for step in ("alarm", "log-group", "bucket"):
            self.assertIn((step, "updated"), actions)
        self.assertNotIn("created", {a for _, a in actions})
        alarms = self.sim.client("cloudwatch").describe_alarms(
            AlarmNamePrefix="pvtest-")["MetricAlarms"]
        self.assertEqual({a["Period"] for a in alarms}, {120})
        (rc, out, err), mut = self.count_mutating(lambda: self.run_tool("status", *changed))
        self.assertEqual((rc, mut), (0, {}), err)
        rc, out, err = self.run_tool("status")
        self.assertEqual(rc, 3, err)
        rc, out, err = self.run_tool("apply")
        self.assertEqual(rc, 0, err)
        (rc, out, err), mut = self.count_mutating(lambda: self.run_tool("status"))
        self.assertEqual((rc, mut), (0, {}), err)

    def test_08_verify_names_a_stage_that_never_arrives(self):
        self.sim.client("cloudtrail").stop_logging(Name="pvtest-trail")
        try:
            with Ticker(self.sim):
                # The other secret: the decoy's alarm may still be in ALARM.
                rc, out, err = self.run_tool("verify", "--secret", UNOWNED_SECRET,
                                             "--timeout", "6", "--poll-interval", "1")
            self.assertEqual(rc, 3, err)
            self.assertIn("stage log-event did not arrive", err)
        finally:
            self.sim.client("cloudtrail").start_logging(Name="pvtest-trail")

    def test_085_a_region_with_five_trails_is_reported_clearly(self):
        ct = self.sim.client("cloudtrail")
        have = len(ct.describe_trails(includeShadowTrails=False)["trailList"])
        extra = ["extra-trail-%d" % i for i in range(max(0, 5 - have))]
        try:
            for name in extra:
                ct.create_trail(Name=name, S3BucketName="unowned-trail-bucket")
            rc, out, err = self.run_tool("apply", "--create-secret", "full-decoy",
                                         stack="full")
            self.assertEqual(rc, 1, out + err)
            self.assertIn("already has 5 trails", err)
        finally:
            for name in extra:
                ct.delete_trail(Name=name)
            self.run_tool("destroy", "--create-secret", "full-decoy", stack="full")

    def test_09_failure_at_every_step_converges_on_rerun(self):
        self.sim.admin("POST", "delays", {"iam_role_propagation": 0})
        steps = [("secretsmanager", "CreateSecret"), ("s3", "CreateBucket"),
                 ("s3", "PutBucketTagging"), ("s3", "PutPublicAccessBlock"),
                 ("s3", "PutBucketEncryption"), ("s3", "PutBucketPolicy"),
                 ("logs", "CreateLogGroup"), ("logs", "PutRetentionPolicy"),
                 ("iam", "CreateRole"), ("iam", "PutRolePolicy"),
                 ("cloudtrail", "CreateTrail"), ("cloudtrail", "PutEventSelectors"),
                 ("cloudtrail", "StartLogging"), ("logs", "PutMetricFilter"),
                 ("monitoring", "PutMetricAlarm"), ("sns", "CreateTopic"),
                 ("sns", "SetTopicAttributes"), ("sns", "Subscribe")]
        try:
            for i, (svc, op) in enumerate(steps):
                with self.subTest(op=op):
                    stack = "crash%d" % i
                    args = ["apply", "--create-secret", "%s-decoy" % stack,
                            "--email", "crash@example.com"]
                    self.sim.admin("POST", "fault", {"service": svc, "operation": op,
                                                     "kind": "500", "count": 20})
                    rc, out, err = self.run_tool(*args, stack=stack)
                    self.sim.admin("DELETE", "fault")
                    self.assertEqual(rc, 1, out + err)
                    self.assertIn(op, err)
                    self.assertEqual(len(err.strip().splitlines()), 1, err)
                    rc, out, err = self.run_tool(*args, stack=stack)
                    self.assertEqual(rc, 0, err)
                    (rc, out, err), mut = self.count_mutating(
                        lambda: self.run_tool(*args, stack=stack))
                    self.assertEqual((rc, mut), (0, {}), out + err)
                    rc, out, err = self.run_tool("destroy", "--delete-log-files",
                                                 stack=stack)
                    self.assertIn(rc, (0, 1), err)
        finally:
            self.sim.admin("DELETE", "fault")
            self.sim.admin("POST", "delays", {"iam_role_propagation": 3})

    def test_091_a_bucket_name_taken_by_another_account_is_reported(self):
        bob = self.sim.cfg["accounts"][-1]
        self.assertNotEqual(bob["account_id"], self.sim.acct["account_id"])
        s3 = boto3.client("s3", region_name="us-east-1", endpoint_url=self.sim.url,
                          verify=self.sim.ca,
                          config=botocore.config.Config(s3={"addressing_style": "path"}),
                          aws_access_key_id=bob["access_key_id"],
                          aws_secret_access_key=bob["secret_access_key"])
        s3.create_bucket(Bucket="taken-by-bob")
        rc, out, err = self.run_tool("apply", "--create-secret", "taken-decoy",
                                     "--bucket", "taken-by-bob", stack="taken")
        self.assertEqual(rc, 1, out + err)
        self.assertIn("belongs to another account", err)
        rc, out, err = self.run_tool("status", "--secret", "no-such-secret", stack="taken")
        self.assertEqual(rc, 3, err)
        self.run_tool("destroy", "--bucket", "taken-by-bob", stack="taken")
        s3.head_bucket(Bucket="taken-by-bob")

    def test_095_verify_infers_the_publish_where_no_mail_can_be_read(self):
        with Ticker(self.sim):
            rc, doc, err = self.run_tool("verify", "--secret", UNOWNED_SECRET,
                                         "--timeout", "90", "--poll-interval", "1",
                                         json_out=True, env_endpoint=True)
        self.assertEqual(rc, 0, err)
        sns = [s for s in doc["stages"] if s["stage"] == "sns-publish"][0]
        self.assertTrue(sns["arrived"])
        self.assertIn("inferred", sns["note"])

    def wait_for_log_files(self, bucket, timeout_s=30):
        """The trail's log files in the bucket (CloudTrail writes them a few
        seconds after the events; the simulator does on a tick)."""
        s3, deadline = self.sim.client("s3"), time.monotonic() + timeout_s
        while True:
            self.sim.admin("POST", "tick", {"evaluate_alarms": False})
            keys = [o["Key"] for o in s3.list_objects_v2(
                Bucket=bucket, Prefix="AWSLogs/").get("Contents", [])]
            if keys or time.monotonic() > deadline:
                return keys
            time.sleep(0.5)

    def stack_leftovers(self):
        """Every resource of the stack that still exists, by service."""
        acct = self.sim.acct["account_id"]
        left = {}
        buckets = [b["Name"] for b in self.sim.client("s3").list_buckets()["Buckets"]]
        left["s3"] = [b for b in buckets if b.startswith(STACK + "-")]
        left["iam"] = [r["RoleName"] for r in self.sim.client("iam").list_roles()["Roles"]
                       if r["RoleName"].startswith(STACK + "-")]
        left["cloudtrail"] = [t["Name"] for t in self.sim.client("cloudtrail").describe_trails(
            includeShadowTrails=False)["trailList"] if t["Name"].startswith(STACK + "-")]
        left["logs"] = [g["logGroupName"] for g in self.sim.client("logs").describe_log_groups(
            logGroupNamePrefix="/secretwatch/" + STACK)["logGroups"]]
        left["cloudwatch"] = [a["AlarmName"] for a in self.sim.client("cloudwatch")
                              .describe_alarms(AlarmNamePrefix=STACK + "-")["MetricAlarms"]]
        left["sns"] = [t["TopicArn"] for t in self.sim.client("sns").list_topics()["Topics"]
                       if t["TopicArn"].startswith("arn:aws:sns:us-east-1:%s:%s-"
                                                   % (acct, STACK))]
        sm = self.sim.client("secretsmanager")
        left["secretsmanager"] = [
            s["Name"] for s in sm.list_secrets()["SecretList"]
            if s["Name"].startswith(STACK + "-") and "DeletedDate" not in s]
        return {k: v for k, v in left.items() if v}

    def test_10_destroy_removes_the_stack_and_nothing_else(self):
        acct = self.sim.acct["account_id"]
        s3 = self.sim.client("s3")
        bucket = "pvtest-trail-%s-us-east-1" % acct
        log_files = self.wait_for_log_files(bucket)
        self.assertTrue(log_files, "the trail wrote no log file to %s" % bucket)
        # Without --delete-log-files a bucket holding log files is kept (the
        # audit record), everything else of the stack goes.
        rc, doc, err = self.run_tool("destroy", json_out=True)
        self.assertEqual((rc, doc["result"]), (1, "error"), err)
        self.assertIn("--delete-log-files", err)
        self.assertEqual(len(err.strip().splitlines()), 1, err)
        items = {(i["step"], i["resource"], i["action"]) for i in doc["items"]}
        self.assertIn(("secret", UNOWNED_SECRET, "kept"), items)
        for step, res in (("trail", "pvtest-trail"), ("role", "pvtest-cloudtrail-logs"),
                          ("topic", "pvtest-alarms"),
                          ("log-group", "/secretwatch/pvtest/cloudtrail"),
                          ("secret", DECOY)):
            self.assertIn((step, res, "deleted"), items)
        s3.head_bucket(Bucket=bucket)
        self.assertEqual(self.stack_leftovers(), {"s3": [bucket]})
        kept = {o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]}
        self.assertLessEqual(set(log_files), kept)
        # Asked to, destroy deletes the log files (DeleteObject each) and the bucket.
        (rc, out, err), mut = self.count_mutating(
            lambda: self.run_tool("destroy", "--delete-log-files"))
        self.assertEqual(rc, 0, err)
        self.assertRegex(out, r"deleted +bucket +%s +with its log files" % bucket)
        self.assertGreaterEqual(mut.get("s3.DeleteObject", 0), len(log_files), mut)
        self.assertEqual(mut.get("s3.DeleteBucket"), 1, mut)
        with self.assertRaises(botocore.exceptions.ClientError):
            s3.head_bucket(Bucket=bucket)
        self.assertEqual(self.stack_leftovers(), {})
        # Nothing unowned was touched; the decoy waits out its recovery window.
        sm = self.sim.client("secretsmanager")
        self.assertNotIn("DeletedDate", sm.describe_secret(SecretId=UNOWNED_SECRET))
        self.assertIn("DeletedDate", sm.describe_secret(SecretId=DECOY))
        names = [t["Name"] for t in self.sim.client("cloudtrail").describe_trails()["trailList"]]
        self.assertIn(UNOWNED_TRAIL, names)
        s3.head_bucket(Bucket="unowned-trail-bucket")
        with self.assertRaises(botocore.exceptions.ClientError):
            self.sim.client("sns").get_topic_attributes(
                TopicArn="arn:aws:sns:us-east-1:%s:pvtest-alarms" % acct)
        # A second destroy finds nothing and changes nothing.
        (rc, out, err), mut = self.count_mutating(lambda: self.run_tool("destroy"))
        self.assertEqual((rc, mut), (0, {}), err)
        self.assertNotIn("deleted", out)
        # plan and status after destroy still make no mutating call
        for cmd, want_rc in (("plan", 0), ("status", 3)):
            (rc2, _, err2), mut = self.count_mutating(lambda: self.run_tool(cmd))
            self.assertEqual((rc2, mut), (want_rc, {}), cmd + err2)

    def test_11_an_existing_trail_of_the_stack_is_adopted(self):
        ct = self.sim.client("cloudtrail")
        self.sim.trail_bucket("adopt-bucket")
        ct.create_trail(Name="legacy-trail", S3BucketName="adopt-bucket",
                        TagsList=[{"Key": "secretwatch:stack", "Value": "adopt"}])
        rc, doc, err = self.run_tool("apply", "--create-secret", "adopt-decoy",
                                     stack="adopt", json_out=True)
        self.assertEqual(rc, 0, err)
        trail_items = [i for i in doc["items"] if i["step"] == "trail"]
        self.assertTrue(all(i["resource"] == "legacy-trail" for i in trail_items))
        self.assertNotIn("created", {i["action"] for i in trail_items})
        names = [t["Name"] for t in ct.describe_trails()["trailList"]]
        self.assertNotIn("adopt-trail", names)
        trail = ct.get_trail(Name="legacy-trail")["Trail"]
        self.assertEqual(trail["S3BucketName"], "adopt-bucket")
        self.assertIn("/secretwatch/adopt/cloudtrail", trail["CloudWatchLogsLogGroupArn"])
        (rc, out, err), mut = self.count_mutating(lambda: self.run_tool("apply", stack="adopt"))
        self.assertEqual((rc, mut), (0, {}), err)
        self.run_tool("destroy", "--delete-log-files", stack="adopt")
        names = [t["Name"] for t in ct.describe_trails()["trailList"]]
        self.assertNotIn("legacy-trail", names)
        self.assertIn(UNOWNED_TRAIL, names)

    def test_99_provision_policy_grants_exactly_what_the_tool_calls(self):
        """contrib/iam/provision-policy.json: every operation the tool made in
        this whole run is allowed, and every allowed action names an operation
        the tool's source calls (nothing granted that is never used)."""
        self.collect_tool_calls()
        with open(os.path.join(SRC, "contrib", "iam", "provision-policy.json")) as f:
            policy = json.load(f)
        allowed = set()
        for st in policy["Statement"]:
            self.assertEqual(st["Effect"], "Allow")
            acts = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
            for a in acts:
                self.assertNotIn("*", a, "no wildcard actions")
                allowed.add(a)
        prefix = {"monitoring": "cloudwatch"}
        # S3 and a few others name their IAM actions apart from the API.
        iam_name = {("s3", "HeadBucket"): "s3:ListBucket",
                    ("s3", "ListObjectsV2"): "s3:ListBucket",
                    ("s3", "PutPublicAccessBlock"): "s3:PutBucketPublicAccessBlock",
                    ("s3", "GetPublicAccessBlock"): "s3:GetBucketPublicAccessBlock",
                    ("s3", "PutBucketEncryption"): "s3:PutEncryptionConfiguration",
                    ("s3", "GetBucketEncryption"): "s3:GetEncryptionConfiguration"}
        called = {iam_name.get((svc, op), "%s:%s" % (prefix.get(svc, svc), op))
                  for svc, op in self.tool_calls}
        self.assertTrue(called, "the tool's calls were not seen in the request log")
        self.assertEqual(sorted(called - allowed), [],
                         "operations the tool called that the policy does not allow")
        # iam:PassRole is not an API call: CreateTrail/UpdateTrail hand the
        # role to CloudTrail. Every other action must be an operation that
        # the tool's own code (provision/ and the lib/ modules) names.
        sources = ""
        for d in ("provision", "lib"):
            for name in sorted(os.listdir(os.path.join(SRC, d))):
                if name.endswith(".c"):
                    with open(os.path.join(SRC, d, name)) as f:
                        sources += f.read()
        api_of = {v: k[1] for k, v in iam_name.items()}
        unused = [a for a in sorted(allowed - called)
                  if a != "iam:PassRole" and
                  '"%s"' % api_of.get(a, a.split(":", 1)[1]) not in sources]
        self.assertEqual(unused, [], "actions granted that no code of the tool calls")


if __name__ == "__main__":
    unittest.main()
