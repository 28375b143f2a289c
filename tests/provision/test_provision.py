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

import copy
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


# --- least privilege of the policies the tool sends ----------------------------------
# Pure checks over parsed policy documents. Each returns a list of problems
# (empty: the policy is least-privilege); each problem names the statement and
# the rule broken, so a failure says what was widened.

# Condition keys that tie a service principal to our own resources (the
# confused-deputy guard AWS documents for service principals).
RESTRICTING_KEYS = ("aws:sourcearn", "aws:sourceaccount")


def as_list(v):
    return v if isinstance(v, list) else [v]


def condition_values(st, key):
    """Every value condition key (any operator, case-insensitive) holds in
    statement st, as {operator: [values]}."""
    out = {}
    for op, kv in (st.get("Condition") or {}).items():
        for k, v in (kv or {}).items():
            if k.lower() == key.lower():
                out.setdefault(op, []).extend(as_list(v))
    return out


def generic_problems(doc):
    """Rules for any policy: no wildcard action, no grant by exclusion, no
    open principal without a restricting condition, no Resource "*".
    None of the tool's policies needs Resource "*": a role trust policy has
    no Resource at all (IAM refuses one there), the bucket and topic policies
    name their own ARN, and logs:CreateLogStream/PutLogEvents take the log
    group's ARN. Resource "*" is only unavoidable for actions without
    resource-level permissions (List*/Describe* calls), which none of these
    policies grants."""
    if not isinstance(doc, dict) or not isinstance(doc.get("Statement"), (list, dict)):
        return ["not a policy document: %r" % (doc,)]
    problems = []
    for i, st in enumerate(as_list(doc["Statement"])):
        effect = st.get("Effect")
        if effect == "Deny":
            continue  # a Deny only narrows what the Allows grant
        if effect != "Allow":
            problems.append("statement %d: Effect %r" % (i, effect))
            continue
        for key in ("NotAction", "NotResource", "NotPrincipal"):
            if key in st:
                problems.append("statement %d: %s grants by exclusion" % (i, key))
        for a in as_list(st.get("Action", [])):
            if "*" in a or "?" in a:
                problems.append("statement %d: wildcard action %r" % (i, a))
        p = st.get("Principal")
        open_principal = p == "*" or (isinstance(p, dict) and any(
            "*" in v for vals in p.values() for v in as_list(vals)))
        if open_principal and not any(condition_values(st, k) for k in RESTRICTING_KEYS):
            problems.append("statement %d: principal * without aws:SourceArn or "
                            "aws:SourceAccount condition" % i)
        for r in as_list(st.get("Resource", [])):
            if r == "*":
                problems.append("statement %d: Resource *" % i)
    return problems


def service_principal_problems(i, st, service):
    p = st.get("Principal")
    if not (isinstance(p, dict) and list(p) == ["Service"] and
            as_list(p["Service"]) == [service]):
        return ["statement %d: principal %r, want only service %s" % (i, p, service)]
    return []


def exact_condition_problems(i, st, key, want):
    """Statement i must hold condition key with exactly the value want
    (StringEquals or ArnEquals: no pattern)."""
    got = condition_values(st, key)
    if not got:
        return ["statement %d: no %s condition" % (i, key)]
    problems = []
    for op, vals in got.items():
        if op not in ("StringEquals", "ArnEquals") or vals != [want]:
            problems.append("statement %d: condition %s %s %r, want %r" %
                            (i, op, key, vals, want))
    return problems


def allow_statements(doc):
    return [(i, st) for i, st in enumerate(as_list(doc.get("Statement", [])))
            if isinstance(st, dict) and st.get("Effect") == "Allow"]


def granted_actions(doc):
    return {a for _, st in allow_statements(doc) for a in as_list(st.get("Action", []))}


def bucket_policy_problems(doc, bucket, account, trail_arn):
    """CloudTrail's bucket policy: only cloudtrail.amazonaws.com, only
    s3:GetBucketAcl on the bucket and s3:PutObject under AWSLogs/<account>/,
    each tied to this trail by aws:SourceArn."""
    problems = generic_problems(doc)
    bucket_arn = "arn:aws:s3:::%s" % bucket
    logs_prefix = "%s/AWSLogs/%s/" % (bucket_arn, account)
    for i, st in allow_statements(doc):
        problems += service_principal_problems(i, st, "cloudtrail.amazonaws.com")
        problems += exact_condition_problems(i, st, "aws:SourceArn", trail_arn)
        for a in as_list(st.get("Action", [])):
            if a not in ("s3:GetBucketAcl", "s3:PutObject"):
                problems.append("statement %d: action %s not needed by CloudTrail" % (i, a))
            for r in as_list(st.get("Resource", [])):
                if a == "s3:GetBucketAcl" and r != bucket_arn:
                    problems.append("statement %d: GetBucketAcl on %s" % (i, r))
                if a == "s3:PutObject" and not r.startswith(logs_prefix):
                    problems.append("statement %d: PutObject on %s, outside %s" %
                                    (i, r, logs_prefix))
    return problems


def role_trust_problems(doc, trail_arn):
    """The trail role's trust policy: only cloudtrail.amazonaws.com may
    assume it (sts:AssumeRole), only for this trail; no Resource, which AWS
    refuses in a trust policy."""
    problems = generic_problems(doc)
    for i, st in allow_statements(doc):
        problems += service_principal_problems(i, st, "cloudtrail.amazonaws.com")
        problems += exact_condition_problems(i, st, "aws:SourceArn", trail_arn)
        if as_list(st.get("Action")) != ["sts:AssumeRole"]:
            problems.append("statement %d: trust action %r" % (i, st.get("Action")))
        if "Resource" in st:
            problems.append("statement %d: Resource in a trust policy" % i)
    return problems


def role_permission_problems(doc, log_group_arn):
    """An inline policy of the trail role: only logs:CreateLogStream and
    logs:PutLogEvents, only on the trail's log group (its streams)."""
    problems = generic_problems(doc)
    # The trail names its group as arn:...:log-group:NAME:*; the ":" after
    # NAME keeps a group whose name merely starts with NAME out.
    group_prefix = log_group_arn[:-1] if log_group_arn.endswith("*") else log_group_arn + ":"
    for i, st in allow_statements(doc):
        if "Principal" in st:
            problems.append("statement %d: Principal in an identity policy" % i)
        for a in as_list(st.get("Action", [])):
            if a not in ("logs:CreateLogStream", "logs:PutLogEvents"):
                problems.append("statement %d: action %s beyond writing logs" % (i, a))
        for r in as_list(st.get("Resource", [])):
            if not r.startswith(group_prefix):
                problems.append("statement %d: resource %s outside %s" % (i, r, group_prefix))
    return problems


def topic_policy_problems(doc, topic_arn, account, alarm_arns):
    """The alarm topic's policy: only cloudwatch.amazonaws.com, only
    sns:Publish on this topic, only from this stack's alarms (aws:SourceArn,
    no pattern) and, where given, this account."""
    problems = generic_problems(doc)
    for i, st in allow_statements(doc):
        problems += service_principal_problems(i, st, "cloudwatch.amazonaws.com")
        if as_list(st.get("Action")) != ["sns:Publish"]:
            problems.append("statement %d: topic action %r" % (i, st.get("Action")))
        if as_list(st.get("Resource")) != [topic_arn]:
            problems.append("statement %d: resource %r, want %s" %
                            (i, st.get("Resource"), topic_arn))
        src = condition_values(st, "aws:SourceArn")
        if not src:
            problems.append("statement %d: no aws:SourceArn condition" % i)
        for op, vals in src.items():
            for v in vals:
                if op not in ("ArnLike", "ArnEquals", "StringEquals") or v not in alarm_arns:
                    problems.append("statement %d: condition %s aws:SourceArn %s is not "
                                    "one of the stack's alarms" % (i, op, v))
        for op, vals in condition_values(st, "aws:SourceAccount").items():
            if op != "StringEquals" or vals != [account]:
                problems.append("statement %d: condition %s aws:SourceAccount %r" %
                                (i, op, vals))
    return problems


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
        cls.outputs = []  # (arguments, stdout + stderr) of every run
        cls.never_shown = {"alice's secret key": None}  # what no output may hold
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
    def run_tool(self, *args, stack=STACK, json_out=False, timeout=300, env_endpoint=False,
                 creds=None):
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
               "AWS_ACCESS_KEY_ID": self.sim.acct["access_key_id"],
               "AWS_SECRET_ACCESS_KEY": self.sim.acct["secret_access_key"],
               "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
               "AWS_EC2_METADATA_DISABLED": "true"}
        if creds:  # temporary credentials: a session token too
            env.update(AWS_ACCESS_KEY_ID=creds["access_key_id"],
                       AWS_SECRET_ACCESS_KEY=creds["secret_access_key"],
                       AWS_SESSION_TOKEN=creds["session_token"])
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
        type(self).outputs.append((" ".join(args), p.stdout + p.stderr))
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

    def sent_policies(self):
        """The policies of the chain test_02 built, read back from the
        simulator, which stores what it was sent; the request log shows that
        only the tool wrote them. Resource names come from the chain itself
        (trail → bucket, role, log group; alarms → topic)."""
        log = self.sim.admin("GET", "requests").get("log") or []
        writes = ("PutBucketPolicy", "CreateRole", "UpdateAssumeRolePolicy", "PutRolePolicy",
                  "AttachRolePolicy", "CreateTopic", "SetTopicAttributes",
                  "PutResourcePolicy", "AddPermission")
        by_tool = {(e["service"], e["operation"]) for e in log
                   if (e.get("user_agent") or "").startswith("secretwatch/")}
        for want in (("s3", "PutBucketPolicy"), ("iam", "CreateRole"),
                     ("iam", "PutRolePolicy"), ("sns", "SetTopicAttributes")):
            self.assertIn(want, by_tool, "the tool did not send this policy")
        others = [e for e in log if e["operation"] in writes and
                  not (e.get("user_agent") or "").startswith("secretwatch/")]
        self.assertEqual(others, [], "policies written by someone other than the tool")
        acct = self.sim.acct["account_id"]
        trail = self.sim.client("cloudtrail").get_trail(Name="pvtest-trail")["Trail"]
        bucket = trail["S3BucketName"]
        role = trail["CloudWatchLogsRoleArn"].rsplit("/", 1)[1]
        iam = self.sim.client("iam")
        alarms = self.sim.client("cloudwatch").describe_alarms(
            AlarmNamePrefix="pvtest-")["MetricAlarms"]
        topics = {t for a in alarms for t in a["AlarmActions"]}
        self.assertEqual(len(topics), 1, topics)
        topic = topics.pop()

        def parsed(p):
            return json.loads(p) if isinstance(p, str) else p

        role_doc = iam.get_role(RoleName=role)["Role"]
        got = {
            "ctx": {"account": acct, "bucket": bucket, "trail": trail["TrailARN"],
                    "log_group": trail["CloudWatchLogsLogGroupArn"], "topic": topic,
                    "alarms": {a["AlarmArn"] for a in alarms},
                    "attached": iam.list_attached_role_policies(
                        RoleName=role)["AttachedPolicies"]},
            "bucket": parsed(self.sim.client("s3").get_bucket_policy(Bucket=bucket)["Policy"]),
            "trust": parsed(role_doc["AssumeRolePolicyDocument"]),
            "permissions": [parsed(iam.get_role_policy(RoleName=role, PolicyName=n)
                                   ["PolicyDocument"])
                            for n in iam.list_role_policies(RoleName=role)["PolicyNames"]],
            "topic": parsed(self.sim.client("sns").get_topic_attributes(
                TopicArn=topic)["Attributes"]["Policy"]),
            "secret": self.sim.client("secretsmanager").get_resource_policy(
                SecretId=DECOY).get("ResourcePolicy"),
        }
        return got

    @staticmethod
    def policy_problems(got):
        """Every least-privilege problem of the policies in got (see
        sent_policies), labelled by policy."""
        c = got["ctx"]
        out = ["bucket: " + p for p in bucket_policy_problems(
            got["bucket"], c["bucket"], c["account"], c["trail"])]
        out += ["trust: " + p for p in role_trust_problems(got["trust"], c["trail"])]
        if not got["permissions"]:
            out.append("permissions: the role has no inline policy")
        for doc in got["permissions"]:
            out += ["permissions: " + p for p in role_permission_problems(doc, c["log_group"])]
        out += ["permissions: managed policy %s attached" % a["PolicyArn"]
                for a in c["attached"]]
        out += ["topic: " + p for p in topic_policy_problems(
            got["topic"], c["topic"], c["account"], c["alarms"])]
        if got["secret"]:
            out += ["secret: " + p for p in generic_problems(json.loads(got["secret"]))]
        return out

    def test_02b_the_policies_sent_are_least_privilege(self):
        got = self.sent_policies()
        self.assertEqual(self.policy_problems(got), [])
        # Not vacuous: each policy grants what the chain needs.
        self.assertEqual(granted_actions(got["bucket"]), {"s3:GetBucketAcl", "s3:PutObject"})
        self.assertEqual(granted_actions(got["trust"]), {"sts:AssumeRole"})
        self.assertEqual(set().union(*map(granted_actions, got["permissions"])),
                         {"logs:CreateLogStream", "logs:PutLogEvents"})
        self.assertEqual(granted_actions(got["topic"]), {"sns:Publish"})
        self.assertIsNone(got["secret"], "the tool sent no secret resource policy")

        # Each rule fails when the property breaks: widen a scratch copy of
        # the real documents one way at a time; the named rule must object.
        c = got["ctx"]
        other_trail = c["trail"].replace("pvtest-trail", "other-trail")
        stranger = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:GetObject",
                    "Resource": "arn:aws:s3:::%s/*" % c["bucket"]}

        def put(path, value):
            def f(g):
                *head, last = path
                node = g
                for k in head:
                    node = node[k]
                node[last] = value
            return f

        def drop(path):
            def f(g):
                *head, last = path
                node = g
                for k in head:
                    node = node[k]
                del node[last]
            return f

        def allow_index(policy):
            return [i for i, st in enumerate(as_list(got[policy]["Statement"]))
                    if st["Effect"] == "Allow"]

        b0, b1 = allow_index("bucket")[:2]
        t0 = allow_index("trust")[0]
        p0 = [i for i, st in enumerate(as_list(got["permissions"][0]["Statement"]))
              if st["Effect"] == "Allow"][0]
        s0 = allow_index("topic")[0]
        bs, ts, ps = ("bucket", "Statement"), ("trust", "Statement"), \
            ("permissions", 0, "Statement")
        os_ = ("topic", "Statement")
        mutations = [
            ("bucket action *", put(bs + (b1, "Action"), "*"),
             "bucket: statement %d: wildcard action" % b1),
            ("bucket action s3:*", put(bs + (b1, "Action"), "s3:*"), "wildcard action 's3:*'"),
            ("bucket extra action", put(bs + (b1, "Action"), ["s3:PutObject", "s3:GetObject"]),
             "s3:GetObject not needed"),
            ("bucket NotAction", put(bs + (b1, "NotAction"), "s3:DeleteBucket"), "NotAction"),
            ("bucket principal * unconditioned", lambda g: (
                put(bs + (b0, "Principal"), "*")(g), drop(bs + (b0, "Condition"))(g)),
             "principal * without"),
            ("bucket other service", put(bs + (b0, "Principal"), {"Service": "s3.amazonaws.com"}),
             "want only service cloudtrail"),
            ("bucket extra principal", put(bs + (b1, "Principal"), {
                "Service": "cloudtrail.amazonaws.com", "AWS": "arn:aws:iam::444455556666:root"}),
             "want only service cloudtrail"),
            ("bucket resource *", put(bs + (b0, "Resource"), "*"), "Resource *"),
            ("bucket PutObject whole bucket", put(bs + (b1, "Resource"),
                                                  "arn:aws:s3:::%s/*" % c["bucket"]), "outside"),
            ("bucket PutObject other account", put(
                bs + (b1, "Resource"),
                "arn:aws:s3:::%s/AWSLogs/444455556666/*" % c["bucket"]), "outside"),
            ("bucket GetBucketAcl elsewhere", put(bs + (b0, "Resource"), "arn:aws:s3:::other"),
             "GetBucketAcl on"),
            ("bucket no SourceArn", put(bs + (b1, "Condition"), {
                "StringEquals": {"aws:SourceAccount": c["account"]}}), "no aws:SourceArn"),
            ("bucket other trail", put(bs + (b1, "Condition"), {
                "StringEquals": {"aws:SourceArn": other_trail}}), "want %r" % c["trail"]),
            ("bucket SourceArn pattern", put(bs + (b0, "Condition"), {
                "ArnLike": {"aws:SourceArn": "arn:aws:cloudtrail:*"}}), "ArnLike"),
            ("bucket open statement", lambda g: g["bucket"]["Statement"].append(stranger),
             "principal * without"),
            ("trust other service", put(ts + (t0, "Principal"), {
                "Service": ["cloudtrail.amazonaws.com", "ec2.amazonaws.com"]}),
             "want only service"),
            ("trust any AWS principal", put(ts + (t0, "Principal"), {"AWS": "*"}),
             "want only service"),
            ("trust sts:*", put(ts + (t0, "Action"), "sts:*"), "wildcard action"),
            ("trust extra action", put(ts + (t0, "Action"), ["sts:AssumeRole", "sts:TagSession"]),
             "trust action"),
            ("trust unconditioned", drop(ts + (t0, "Condition")), "no aws:SourceArn"),
            ("trust Resource", put(ts + (t0, "Resource"), "*"), "Resource"),
            ("permissions logs:*", put(ps + (p0, "Action"), "logs:*"), "wildcard action"),
            ("permissions extra action", put(ps + (p0, "Action"), [
                "logs:CreateLogStream", "logs:PutLogEvents", "logs:DeleteLogGroup"]),
             "logs:DeleteLogGroup beyond"),
            ("permissions resource *", put(ps + (p0, "Resource"), "*"), "Resource *"),
            ("permissions any group", put(
                ps + (p0, "Resource"),
                c["log_group"].split(":log-group:")[0] + ":log-group:*"), "outside"),
            ("permissions lookalike group", put(ps + (p0, "Resource"), c["log_group"].rstrip(":*")
                                                + "-evil:*"), "outside"),
            ("permissions second policy", lambda g: g["permissions"].append(
                {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                "Resource": "arn:aws:s3:::x/*"}]}), "s3:GetObject beyond"),
            ("permissions managed policy", lambda g: g["ctx"]["attached"].append(
                {"PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}), "managed policy"),
            ("topic principal * unconditioned", lambda g: (
                put(os_ + (s0, "Principal"), {"AWS": "*"})(g), drop(os_ + (s0, "Condition"))(g)),
             "principal * without"),
            ("topic principal * conditioned", put(os_ + (s0, "Principal"), "*"),
             "want only service"),
            ("topic sns:*", put(os_ + (s0, "Action"), "sns:*"), "wildcard action"),
            ("topic subscribe", put(os_ + (s0, "Action"), ["sns:Publish", "sns:Subscribe"]),
             "topic action"),
            ("topic resource *", put(os_ + (s0, "Resource"), "*"), "Resource *"),
            ("topic no condition", drop(os_ + (s0, "Condition")), "no aws:SourceArn"),
            ("topic any alarm", put(os_ + (s0, "Condition"), {"ArnLike": {
                "aws:SourceArn": "arn:aws:cloudwatch:us-east-1:%s:alarm:*" % c["account"]}}),
             "not one of the stack's alarms"),
            ("topic foreign account", put(os_ + (s0, "Condition"), {"ArnLike": {
                "aws:SourceArn": sorted(c["alarms"])}, "StringEquals": {
                "aws:SourceAccount": "444455556666"}}), "aws:SourceAccount"),
            ("secret policy *", put(("secret",), json.dumps({"Statement": [{
                "Effect": "Allow", "Principal": "*", "Action": "secretsmanager:*",
                "Resource": "*"}]})), "secret: statement 0: wildcard action"),
        ]
        for name, mutate, want in mutations:
            with self.subTest(mutation=name):
                g = copy.deepcopy(got)
                mutate(g)
                problems = self.policy_problems(g)
                self.assertTrue(any(want in p for p in problems),
                                "%s: no problem mentions %r: %s" % (name, want, problems))

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

    def test_045_verbose_runs_with_session_credentials(self):
        """-v traces every AWS call; with temporary credentials (a session
        token) too. What they must never show is collected for test_98."""
        creds = self.sim.admin("POST", "credentials", {"duration_s": 3600})
        sm = self.sim.client("secretsmanager")
        decoy = [s for s in sm.list_secrets()["SecretList"] if s["Name"].endswith(DECOY)]
        self.assertTrue(decoy, "the decoy secret exists after apply")
        type(self).never_shown.update({
            "alice's secret key": self.sim.acct["secret_access_key"],
            "the session's secret key": creds["secret_access_key"],
            "the session token": creds["session_token"],
            "the decoy's value": sm.get_secret_value(SecretId=decoy[0]["ARN"])["SecretString"],
            "the unowned secret's value": "app-password"})
        for args in (("plan", "-v"), ("status", "-v"), ("collectd-config", "-v")):
            rc, out, err = self.run_tool(*args, creds=creds)
            self.assertEqual(rc, 0, err)
            self.assertIn("secretwatch-provision: aws ", err, "-v traces the calls")
        rc, doc, err = self.run_tool("status", "-v", json_out=True, creds=creds)
        self.assertEqual(rc, 0, err)

    def test_05_verify_reports_each_stage_latency(self):
        with Ticker(self.sim):
            rc, doc, err = self.run_tool("verify", "--secret", DECOY, "--timeout", "90",
                                         "--poll-interval", "1", "-v", json_out=True)
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

    def test_98_no_key_token_or_secret_value_in_any_output(self):
        """Every run of the tool in this class (text, JSON, -v traces,
        errors): none shows a secret key, a session token or a secret's
        value."""
        shown = type(self).never_shown
        self.assertTrue(all(shown.values()), "test_045 collected the values: %r"
                        % sorted(k for k, v in shown.items() if not v))
        self.assertGreater(len(type(self).outputs), 20)
        leaks = ["%s in the output of %r" % (what, args)
                 for args, text in type(self).outputs
                 for what, value in shown.items() if value and value in text]
        self.assertEqual(leaks, [])

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
