"""End-to-end tests of the modelled chain, driven with real clients (boto3 and the AWS
CLI v2) over HTTPS with the simulator's generated CA:

GetSecretValue by one principal -> LookupEvents record -> log event in the trail's log
group -> metric filter datapoint -> alarm ALARM -> SNS email in the mail spool,
all driven by /_awssim/tick (no sleeping for minutes); plus LookupEvents throttling,
NextToken binding, back-dated/delayed admin reads and replay of real records."""

import calendar
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
AWSCLI = "/usr/bin/aws"
SECRET = "TopSecretInfo"
PATTERN = (
    '{ ($.eventSource = "secretsmanager.amazonaws.com") && ($.eventName = "GetSecretValue") && '
    '(($.requestParameters.secretId = "TopSecretInfo") || '
    '($.requestParameters.secretId = '
    '"arn:aws:secretsmanager:us-east-1:111122223333:secret:TopSecretInfo-AbCdEf") || '
    '($.requestParameters.secretId = '
    '"arn:aws:secretsmanager:us-east-1:111122223333:secret:TopSecretInfo")) }')

try:
    import boto3
    import botocore.auth
    import botocore.awsrequest
    import botocore.config
    import botocore.credentials
    from botocore.exceptions import ClientError
except ImportError:  # pragma: no cover
    boto3 = None


def wait_until(fn, timeout_s=15.0, step_s=0.25, what="condition"):
    """Poll fn() until it returns something truthy; bounded in time."""
    deadline = time.time() + timeout_s
    last = None
    while time.time() < deadline:
        last = fn()
        if last:
            return last
        time.sleep(step_s)
    raise AssertionError("timed out after %.1fs waiting for %s (last: %r)"
                         % (timeout_s, what, last))


class Sim:
    """A simulator subprocess in a temporary directory."""

    def __init__(self, *extra_args):
        self.dir = tempfile.mkdtemp(prefix="awssim-chain-")
        self.log = open(os.path.join(self.dir, "stderr.log"), "w")
        self.proc = subprocess.Popen([os.path.join(HERE, "awssim"), "--dir", self.dir] +
                                     list(extra_args),
                                     stdout=self.log, stderr=subprocess.STDOUT)
        path = os.path.join(self.dir, "awssim.json")
        deadline = time.time() + 20
        while not os.path.exists(path):
            if self.proc.poll() is not None or time.time() > deadline:
                self.stop()
                raise RuntimeError("awssim did not start")
            time.sleep(0.05)
        with open(path) as f:
            self.cfg = json.load(f)
        self.endpoint = "https://127.0.0.1:%d" % self.cfg["https_port"]
        self.admin_url = "http://127.0.0.1:%d/_awssim/" % self.cfg["http_port"]
        self.ca = self.cfg["ca_file"]
        self.accounts = self.cfg["accounts"]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def admin(self, name, body=None, method="POST"):
        data = None if body is None and method == "GET" else json.dumps(body or {}).encode()
        req = urllib.request.Request(self.admin_url + name, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())

    def tick(self):
        return self.admin("tick", {"evaluate_alarms": True})

    def principal(self, name):
        for a in self.accounts:
            if a.get("name") == name or a["principal_arn"].endswith("/" + name):
                return a
        raise KeyError(name)

    def client(self, service, who="alice", retries=4):
        a = self.principal(who)
        cfg = botocore.config.Config(retries={"total_max_attempts": retries, "mode": "standard"},
                                     connect_timeout=5, read_timeout=20)
        return boto3.client(service, region_name="us-east-1", endpoint_url=self.endpoint,
                            verify=self.ca, aws_access_key_id=a["access_key_id"],
                            aws_secret_access_key=a["secret_access_key"], config=cfg)

    def cli(self, *args, who="alice"):
        a = self.principal(who)
        env = dict(os.environ, AWS_ACCESS_KEY_ID=a["access_key_id"],
                   AWS_SECRET_ACCESS_KEY=a["secret_access_key"], AWS_DEFAULT_REGION="us-east-1",
                   AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null",
                   AWS_PAGER="")
        env.pop("AWS_PROFILE", None)
        env.pop("AWS_SESSION_TOKEN", None)
        p = subprocess.run([AWSCLI, "--endpoint-url", self.endpoint, "--ca-bundle", self.ca,
                            "--output", "json"] + list(args), env=env, capture_output=True,
                           text=True, timeout=60)
        if p.returncode != 0:
            raise AssertionError("aws %s failed (%d): %s" % (" ".join(args), p.returncode,
                                                             p.stderr))
        return json.loads(p.stdout) if p.stdout.strip() else {}


class Paced:
    """Keeps this test's LookupEvents calls under the 2 requests/s limit."""

    def __init__(self, client):
        self.client, self.last = client, 0.0

    def lookup(self, **kw):
        wait = self.last + 0.6 - time.time()
        if wait > 0:
            time.sleep(wait)
        try:
            return self.client.lookup_events(**kw)
        finally:
            self.last = time.time()


@unittest.skipIf(boto3 is None, "boto3/botocore not installed")
class ChainTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        import warnings
        warnings.simplefilter("ignore", ResourceWarning)
        if not os.path.exists(AWSCLI):
            raise unittest.SkipTest("AWS CLI v2 not installed")
        cls.sim = Sim()
        cls.ct = Paced(cls.sim.client("cloudtrail"))

    @classmethod
    def tearDownClass(cls):
        cls.sim.stop()

    def lookup_all(self, **kw):
        out, token = [], None
        for _ in range(20):
            if token:
                kw["NextToken"] = token
            r = self.ct.lookup(**kw)
            out.extend(r["Events"])
            token = r.get("NextToken")
            if not token:
                break
        return out

    # ------------------------------------------------------------------ the chain
    def test_1_chain_read_to_mail(self):
        sim = self.sim
        acct = sim.principal("alice")["account_id"]
        created = sim.cli("secretsmanager", "create-secret", "--name", SECRET,
                          "--secret-string", '{"password":"hunter2"}')
        self.assertRegex(created["ARN"], r"^arn:aws:secretsmanager:us-east-1:%s:secret:"
                         r"TopSecretInfo-[A-Za-z0-9]{6}$" % acct)
        s3 = sim.client("s3")
        s3.create_bucket(Bucket="sw-trail-bucket")
        logs = sim.client("logs")
        sim.cli("logs", "create-log-group", "--log-group-name", "sw-trail")
        group_arn = "arn:aws:logs:us-east-1:%s:log-group:sw-trail:*" % acct
        iam = sim.client("iam")
        role = iam.create_role(RoleName="sw-ct-to-logs", AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
        ct = sim.client("cloudtrail")
        # No bucket policy yet: CloudTrail refuses, as AWS does.
        with self.assertRaises(ClientError) as cm:
            ct.create_trail(Name="sw-trail", S3BucketName="sw-trail-bucket")
        self.assertEqual(cm.exception.response["Error"]["Code"],
                         "InsufficientS3BucketPolicyException")
        s3.put_bucket_policy(Bucket="sw-trail-bucket", Policy=json.dumps({
            "Version": "2012-10-17", "Statement": [
                {"Sid": "AWSCloudTrailAclCheck", "Effect": "Allow",
                 "Principal": {"Service": "cloudtrail.amazonaws.com"},
                 "Action": "s3:GetBucketAcl", "Resource": "arn:aws:s3:::sw-trail-bucket"},
                {"Sid": "AWSCloudTrailWrite", "Effect": "Allow",
                 "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject",
                 "Resource": "arn:aws:s3:::sw-trail-bucket/AWSLogs/%s/*" % acct,
                 "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}}]}))

        # A new role is not usable at once: retry CreateTrail (bounded), as clients do.
        def create_trail():
            try:
                return ct.create_trail(Name="sw-trail", S3BucketName="sw-trail-bucket",
                                       CloudWatchLogsLogGroupArn=group_arn,
                                       CloudWatchLogsRoleArn=role)
            except ClientError as e:
                self.assertEqual(e.response["Error"]["Code"],
                                 "InvalidCloudWatchLogsRoleArnException")
                return None
        trail = wait_until(create_trail, 20, 0.5, "the role to become usable")
        self.assertEqual(trail["TrailARN"], "arn:aws:cloudtrail:us-east-1:%s:trail/sw-trail"
                         % acct)
        with self.assertRaises(ClientError) as cm:
            ct.create_trail(Name="sw-trail", S3BucketName="sw-trail-bucket")
        self.assertEqual(cm.exception.response["Error"]["Code"], "TrailAlreadyExistsException")
        self.assertFalse(ct.get_trail_status(Name="sw-trail")["IsLogging"])
        sim.cli("cloudtrail", "start-logging", "--name", "sw-trail")
        status = ct.get_trail_status(Name="sw-trail")
        self.assertTrue(status["IsLogging"])
        self.assertIn("StartLoggingTime", status)

        sim.cli("logs", "put-metric-filter", "--log-group-name", "sw-trail",
                "--filter-name", "secretwatch-TopSecretInfo", "--filter-pattern", PATTERN,
                "--metric-transformations",
                "metricName=TopSecretInfoReads,metricNamespace=SecretWatch,metricValue=1,"
                "defaultValue=0")
        mf = logs.describe_metric_filters(logGroupName="sw-trail")["metricFilters"]
        self.assertEqual([m["filterPattern"] for m in mf], [PATTERN])
        sns = sim.client("sns")
        topic = sns.create_topic(Name="secretwatch-alerts")["TopicArn"]
        sub = sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="secops@example.com")
        self.assertEqual(sub["SubscriptionArn"], "pending confirmation")
        sim.admin("confirm", {"email": "secops@example.com"})
        cw = sim.client("cloudwatch")
        cw.put_metric_alarm(AlarmName="TopSecretInfo-read", AlarmDescription="secret read",
                            Namespace="SecretWatch", MetricName="TopSecretInfoReads",
                            Statistic="Sum", Period=300, EvaluationPeriods=1, Threshold=1.0,
                            ComparisonOperator="GreaterThanOrEqualToThreshold",
                            TreatMissingData="notBreaching", AlarmActions=[topic])
        alarm = cw.describe_alarms(AlarmNames=["TopSecretInfo-read"])["MetricAlarms"][0]
        self.assertEqual(alarm["StateValue"], "INSUFFICIENT_DATA")

        # The read, by the intruder, with the secret's name.
        intruder = sim.client("secretsmanager", who="intruder")
        value = intruder.get_secret_value(SecretId=SECRET)
        self.assertEqual(value["SecretString"], '{"password":"hunter2"}')
        intruder_arn = sim.principal("intruder")["principal_arn"]

        # 1. LookupEvents shows the record after the delivery delay.
        def find_record():
            sim.tick()
            events = self.lookup_all(LookupAttributes=[
                {"AttributeKey": "EventName", "AttributeValue": "GetSecretValue"}])
            for ev in events:
                rec = json.loads(ev["CloudTrailEvent"])
                if rec["userIdentity"].get("arn") == intruder_arn:
                    return ev, rec
            return None
        ev, rec = wait_until(find_record, 20, 0.3, "the GetSecretValue record")
        self.assertEqual(rec["requestParameters"], {"secretId": SECRET})
        self.assertIsNone(rec["responseElements"])
        self.assertEqual(rec["userIdentity"]["type"], "IAMUser")
        self.assertEqual(rec["userIdentity"]["userName"], "intruder")
        self.assertEqual(rec["eventSource"], "secretsmanager.amazonaws.com")
        self.assertTrue(rec["readOnly"])
        self.assertEqual(rec["resources"][0]["ARN"], created["ARN"])
        self.assertEqual(ev["Username"], "intruder")
        self.assertEqual(ev["ReadOnly"], "true")
        self.assertRegex(rec["eventTime"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        # the same fields as a real IAM user's GetSecretValue record (tlsDetails aside)
        base = os.environ.get("SW_TESTDATA") or "/work/shared/testdata"
        real_path = os.path.join(base, "aws-responses", "cloudtrail-records",
                                 "stratus.getsecretvalue.iamuser.json")
        if os.path.exists(real_path):
            with open(real_path) as f:
                real = [r for r in json.load(f) if r["eventName"] == "GetSecretValue"][0]
            self.assertEqual(set(rec) - {"resources", "tlsDetails"},
                             set(real) - {"tlsDetails"})
            self.assertEqual(set(rec["userIdentity"]), set(real["userIdentity"]))
            self.assertEqual(rec["eventVersion"], real["eventVersion"])

        # 2. The log event in the trail's log group (FilterLogEvents, same pattern).
        def find_log():
            sim.tick()
            r = logs.filter_log_events(logGroupName="sw-trail", filterPattern=PATTERN)
            return [e for e in r["events"] if json.loads(e["message"])["eventID"] ==
                    rec["eventID"]]
        found = wait_until(find_log, 20, 0.3, "the log event")
        self.assertEqual(found[0]["logStreamName"], "%s_CloudTrail_us-east-1" % acct)
        self.assertIn("LatestCloudWatchLogsDeliveryTime",
                      ct.get_trail_status(Name="sw-trail"))

        # 3. The metric datapoint (GetMetricData, Sum = 1).
        now = time.time()
        md = cw.get_metric_data(StartTime=now - 900, EndTime=now + 60, MetricDataQueries=[{
            "Id": "reads", "MetricStat": {"Metric": {"Namespace": "SecretWatch",
                                                     "MetricName": "TopSecretInfoReads"},
                                          "Period": 60, "Stat": "Sum"}}])
        res = md["MetricDataResults"][0]
        self.assertEqual(res["StatusCode"], "Complete")
        self.assertEqual(sum(res["Values"]), 1.0)
        self.assertEqual([int(t.timestamp()) % 60 for t in res["Timestamps"]],
                         [0] * len(res["Timestamps"]))

        out = sim.cli("cloudwatch", "get-metric-statistics", "--namespace", "SecretWatch",
                      "--metric-name", "TopSecretInfoReads", "--statistics", "Sum",
                      "--period", "60", "--start-time", str(int(now - 900)),
                      "--end-time", str(int(now + 60)))
        self.assertEqual(sum(d["Sum"] for d in out["Datapoints"]), 1.0)
        out = sim.cli("logs", "filter-log-events", "--log-group-name", "sw-trail",
                      "--filter-pattern", PATTERN)
        self.assertIn(rec["eventID"], [json.loads(e["message"])["eventID"]
                                       for e in out["events"]])

        # 4. The alarm transition (its history keeps it: with a 300 s period the alarm
        # stays in ALARM for minutes, but the test must not depend on its pace) and
        # 5. the mail.
        def alarm_history():
            sim.tick()
            items = cw.describe_alarm_history(AlarmName="TopSecretInfo-read",
                                              HistoryItemType="StateUpdate")
            return [i for i in items["AlarmHistoryItems"]
                    if i["HistorySummary"].endswith(" to ALARM")]
        item = wait_until(alarm_history, 10, 0.3, "the ALARM transition")[0]
        data = json.loads(item["HistoryData"])
        self.assertIn("Threshold Crossed", data["newState"]["stateReason"])
        a = cw.describe_alarms(AlarmNames=["TopSecretInfo-read"])["MetricAlarms"][0]
        self.assertEqual(a["StateValue"], "ALARM")
        self.assertIn("Threshold Crossed", a["StateReason"])
        self.assertEqual(json.loads(a["StateReasonData"])["recentDatapoints"], [1.0])

        def mail():
            sim.tick()
            box = sim.admin("mail", method="GET").get("mail") or []
            return [m for m in box if "ALARM" in m["subject"]]
        msgs = wait_until(mail, 10, 0.3, "the alarm mail")
        self.assertEqual(msgs[0]["to"], "secops@example.com")
        self.assertIn('ALARM: "TopSecretInfo-read" in US East (N. Virginia)', msgs[0]["subject"])
        body = msgs[0]["body"]
        note = json.loads(body[body.index("{"):body.rindex("}") + 1])
        self.assertEqual(note["AlarmName"], "TopSecretInfo-read")
        self.assertEqual(note["NewStateValue"], "ALARM")
        self.assertEqual(note["AWSAccountId"], acct)
        self.assertEqual(note["Trigger"]["MetricName"], "TopSecretInfoReads")
        self.assertEqual(note["Trigger"]["Statistic"], "SUM")
        with open(sim.cfg.get("mail_spool") or os.path.join(sim.dir, "mail.spool")) as f:
            self.assertIn("TopSecretInfo-read", f.read())

        # The trail also writes gzipped log files into its bucket.
        def log_files():
            sim.tick()
            keys = [o["Key"] for o in s3.list_objects_v2(Bucket="sw-trail-bucket").get(
                "Contents", [])]
            return [k for k in keys if k.startswith("AWSLogs/%s/CloudTrail/us-east-1/" % acct)]
        keys = wait_until(log_files, 10, 0.3, "CloudTrail log files in S3")
        self.assertRegex(keys[0], r"/%s_CloudTrail_us-east-1_\d{8}T\d{4}Z_[0-9a-f]{16}"
                         r"\.json\.gz$" % acct)
        import gzip
        body = s3.get_object(Bucket="sw-trail-bucket", Key=keys[0])["Body"].read()
        self.assertIn("Records", json.loads(gzip.decompress(body)))

        # Stopped logging: later reads reach event history but not the log group.
        ct.stop_logging(Name="sw-trail")
        before = len(logs.filter_log_events(logGroupName="sw-trail",
                                            filterPattern=PATTERN)["events"])
        sim.admin("read", {"secret": SECRET, "principal": "intruder", "delivery_delay_s": 0})
        time.sleep(0.3)
        sim.tick()
        time.sleep(0.3)
        after = len(logs.filter_log_events(logGroupName="sw-trail",
                                           filterPattern=PATTERN)["events"])
        self.assertEqual(before, after)
        ct.start_logging(Name="sw-trail")

    # ------------------------------------------------------------------ limits
    def test_2_lookup_events_throttled_above_2_per_second(self):
        import threading
        raw = self.sim.client("cloudtrail", retries=1)
        raw.meta.events  # build the client before timing
        time.sleep(1.1)
        codes, lock = [], threading.Lock()

        def one():
            try:
                raw.lookup_events(MaxResults=1)
                code = "ok"
            except ClientError as e:
                code = e.response["Error"]["Code"]
                self.assertEqual(e.response["ResponseMetadata"]["HTTPStatusCode"], 400)
                self.assertEqual(e.response["Error"]["Message"], "Rate exceeded")
            with lock:
                codes.append(code)
        t0 = time.time()
        threads = [threading.Thread(target=one) for _ in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        elapsed = time.time() - t0
        self.assertEqual(len(codes), 16)
        self.assertIn("ThrottlingException", codes)
        # a burst of 2, then 2 per second
        self.assertLessEqual(codes.count("ok"), 2 + int(2 * elapsed) + 1)
        time.sleep(1.1)
        raw.lookup_events(MaxResults=1)
        self.ct.last = time.time()

    def test_3_next_token_bound_to_parameters(self):
        sim = self.sim
        sim.cli("secretsmanager", "create-secret", "--name", "paged-secret",
                "--secret-string", "x")
        r = sim.admin("read", {"secret": "paged-secret", "principal": "app", "count": 60,
                               "delivery_delay_s": 0})
        self.assertEqual(len(r["event_ids"]), 60)
        time.sleep(0.3)
        sim.tick()
        attrs = [{"AttributeKey": "ResourceName",
                  "AttributeValue": sim.cli("secretsmanager", "describe-secret", "--secret-id",
                                            "paged-secret")["ARN"]}]
        p1 = self.ct.lookup(LookupAttributes=attrs)
        self.assertEqual(len(p1["Events"]), 50)
        self.assertIn("NextToken", p1)
        times = [e["EventTime"] for e in p1["Events"]]
        self.assertEqual(times, sorted(times, reverse=True))
        for other in ({"LookupAttributes": [{"AttributeKey": "EventName",
                                             "AttributeValue": "GetSecretValue"}]},
                      {"LookupAttributes": attrs, "StartTime": time.time() - 3600}):
            with self.assertRaises(ClientError) as cm:
                self.ct.lookup(NextToken=p1["NextToken"], **other)
            self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidNextTokenException")
        p2 = self.ct.lookup(LookupAttributes=attrs, NextToken=p1["NextToken"])
        ids = [e["EventId"] for e in p1["Events"] + p2["Events"]]
        self.assertEqual(len(ids), len(set(ids)))
        self.assertGreaterEqual(len(ids), 60)
        self.assertTrue(set(r["event_ids"]) <= set(ids))
        with self.assertRaises(ClientError) as cm:
            self.ct.lookup(LookupAttributes=attrs + [{"AttributeKey": "EventName",
                                                      "AttributeValue": "GetSecretValue"}])
        self.assertEqual(cm.exception.response["Error"]["Code"],
                         "InvalidLookupAttributesException")
        with self.assertRaises(ClientError) as cm:
            self.ct.lookup(StartTime=time.time(), EndTime=time.time() - 60)
        self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidTimeRangeException")
        # every lookup attribute selects on its own field
        app = sim.principal("app")
        rec = json.loads(p1["Events"][0]["CloudTrailEvent"])
        for key, value in (("EventId", rec["eventID"]), ("Username", rec["userIdentity"]["arn"]
                                                          .split("/")[-1]),
                           ("AccessKeyId", app["access_key_id"]), ("ReadOnly", "true"),
                           ("EventSource", "secretsmanager.amazonaws.com"),
                           ("ResourceType", "AWS::SecretsManager::Secret")):
            evs = self.ct.lookup(LookupAttributes=[{"AttributeKey": key,
                                                    "AttributeValue": value}])["Events"]
            self.assertTrue(evs, key)
            for e in evs:
                r = json.loads(e["CloudTrailEvent"])
                got = {"EventId": r["eventID"], "Username": e.get("Username"),
                       "AccessKeyId": r["userIdentity"].get("accessKeyId"),
                       "ReadOnly": str(r.get("readOnly")).lower(),
                       "EventSource": r["eventSource"],
                       "ResourceType": (r.get("resources") or [{}])[0].get("type")}[key]
                self.assertEqual(got, value, key)
        evs = self.ct.lookup(LookupAttributes=[{"AttributeKey": "ReadOnly",
                                                "AttributeValue": "false"}])["Events"]
        self.assertTrue(evs)
        self.assertTrue(all(json.loads(e["CloudTrailEvent"])["readOnly"] is False for e in evs))
        # the AWS CLI paginates the same history
        out = sim.cli("cloudtrail", "lookup-events", "--lookup-attributes",
                      "AttributeKey=ResourceName,AttributeValue=%s" % attrs[0]["AttributeValue"],
                      "--max-items", "55")
        self.assertEqual(len(out["Events"]), 55)
        self.ct.last = time.time() + 1.0

    # ------------------------------------------------------------------ admin read/record
    def test_4_admin_read_backdated_delayed_assumed_role_denied(self):
        sim = self.sim
        sim.cli("secretsmanager", "create-secret", "--name", "late-secret", "--secret-string", "x")
        past = time.time() - 3600
        r = sim.admin("read", {"secret": "late-secret", "principal": "app", "event_time": past,
                               "delivery_delay_s": 5.0, "source_ip": "10.0.12.34",
                               "user_agent": "aws-sdk-go-v2/1.30.3",
                               "vpc_endpoint_id": "vpce-0123456789abcdef0"})
        d = sim.admin("read", {"secret": "late-secret", "principal": "intruder", "denied": True,
                               "delivery_delay_s": 0})
        eid, denied_id = r["event_ids"][0], d["event_ids"][0]
        self.assertEqual((r["error_code"], d["error_code"]), (None, "AccessDeniedException"))
        missing = sim.admin("read", {"secret": "never-created", "principal": "intruder",
                                     "delivery_delay_s": 0})
        self.assertEqual(missing["error_code"], "ResourceNotFoundException")
        time.sleep(0.3)
        sim.tick()
        evs = self.ct.lookup(LookupAttributes=[{"AttributeKey": "EventId",
                                                "AttributeValue": eid}])["Events"]
        self.assertEqual(evs, [])  # not delivered yet
        den = self.ct.lookup(LookupAttributes=[{"AttributeKey": "EventId",
                                                "AttributeValue": denied_id}])["Events"]
        rec = json.loads(den[0]["CloudTrailEvent"])
        self.assertEqual(rec["errorCode"], "AccessDenied")
        self.assertIn("is not authorized to perform: secretsmanager:GetSecretValue",
                      rec["errorMessage"])
        # kept (unlike the assembled fixture's null) so a denied read names its secret
        self.assertEqual(rec["requestParameters"], {"secretId": "late-secret"})
        base = os.environ.get("SW_TESTDATA") or "/work/shared/testdata"
        denied_path = os.path.join(base, "aws-responses", "cloudtrail-records",
                                   "getsecretvalue.accessdenied.json")
        if os.path.exists(denied_path):
            with open(denied_path) as f:
                real = json.load(f)
            self.assertEqual(set(rec) - {"resources", "tlsDetails"}, set(real) - {"tlsDetails"})

        def delivered():
            sim.tick()
            return self.ct.lookup(LookupAttributes=[{"AttributeKey": "EventId",
                                                     "AttributeValue": eid}])["Events"]
        evs = wait_until(delivered, 15, 0.3, "the delayed record")
        self.assertAlmostEqual(evs[0]["EventTime"].timestamp(), past, delta=1.5)
        rec = json.loads(evs[0]["CloudTrailEvent"])
        ui = rec["userIdentity"]
        self.assertEqual(ui["type"], "AssumedRole")
        self.assertEqual(ui["sessionContext"]["sessionIssuer"]["type"], "Role")
        self.assertTrue(ui["sessionContext"]["sessionIssuer"]["arn"].startswith(
            "arn:aws:iam::"))
        self.assertEqual(rec["sourceIPAddress"], "10.0.12.34")
        self.assertEqual(rec["userAgent"], "aws-sdk-go-v2/1.30.3")
        self.assertEqual(rec["vpcEndpointId"], "vpce-0123456789abcdef0")
        base = os.environ.get("SW_TESTDATA") or "/work/shared/testdata"
        real_path = os.path.join(base, "aws-responses", "cloudtrail-records",
                                 "getsecretvalue.assumedrole-vpce.json")
        if os.path.exists(real_path):
            with open(real_path) as f:
                real = json.load(f)
            self.assertEqual(set(rec) - {"resources", "tlsDetails"}, set(real) - {"tlsDetails"})
            self.assertEqual(set(ui), set(real["userIdentity"]))
            self.assertEqual(set(ui["sessionContext"]["sessionIssuer"]),
                             set(real["userIdentity"]["sessionContext"]["sessionIssuer"]))
            self.assertEqual(set(ui["sessionContext"]["attributes"]),
                             set(real["userIdentity"]["sessionContext"]["attributes"]))
        # a time window around the back-dated read finds it
        win = self.ct.lookup(StartTime=past - 5, EndTime=past + 5)["Events"]
        self.assertIn(eid, [e["EventId"] for e in win])
        # out-of-order delivery: each record gets a random extra delay (bounded)
        cfg = sim.admin("cloudtrail/config", {})
        self.assertEqual(cfg["out_of_order_s"], 0.0)
        many = sim.admin("read", {"secret": "late-secret", "principal": "intruder", "count": 20,
                                  "delivery_delay_s": 0, "out_of_order_s": 1.5})["event_ids"]
        arn = sim.cli("secretsmanager", "describe-secret", "--secret-id", "late-secret")["ARN"]

        def all_visible():
            sim.tick()
            evs = self.lookup_all(LookupAttributes=[{"AttributeKey": "ResourceName",
                                                     "AttributeValue": arn}])
            return set(many) <= {e["EventId"] for e in evs}
        wait_until(all_visible, 10, 0.3, "out-of-order records")

    def test_5_admin_record_replays_real_records(self):
        sim = self.sim
        base = os.environ.get("SW_TESTDATA") or "/work/shared/testdata"
        path = os.path.join(base, "aws-responses", "cloudtrail-records",
                            "stratus.getsecretvalue.iamuser.json")
        if not os.path.exists(path):
            self.skipTest("test data absent: %s" % path)
        with open(path) as f:
            records = json.load(f)
        logs = sim.client("logs")
        for rec in records[:5]:
            sim.admin("record", {"record": rec, "delivery_delay_s": 0})
        time.sleep(0.3)
        sim.tick()
        # Records older than 90 days are outside event history (as in AWS) but are
        # still delivered to the trail's log group with their own timestamp.
        old = records[0]
        evs = self.ct.lookup(LookupAttributes=[{"AttributeKey": "EventId",
                                                "AttributeValue": old["eventID"]}])["Events"]
        self.assertEqual(evs, [])
        r = logs.filter_log_events(logGroupName="sw-trail",
                                   filterPattern='{ $.eventID = "%s" }' % old["eventID"])
        self.assertEqual([json.loads(e["message"]) for e in r["events"]], [old])
        self.assertEqual(r["events"][0]["timestamp"] // 1000, calendar.timegm(
            time.strptime(old["eventTime"], "%Y-%m-%dT%H:%M:%SZ")))
        # The same record with a recent eventTime: LookupEvents returns it unchanged.
        target = dict(records[5], eventTime=time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                            time.gmtime(time.time() - 120)))
        sim.admin("record", {"record": target, "delivery_delay_s": 0})
        time.sleep(0.3)
        sim.tick()
        evs = self.ct.lookup(LookupAttributes=[{"AttributeKey": "EventId",
                                                "AttributeValue": target["eventID"]}])["Events"]
        self.assertEqual(len(evs), 1)
        self.assertEqual(json.loads(evs[0]["CloudTrailEvent"]), target)
        self.assertEqual(evs[0]["EventName"], target["eventName"])
        self.assertEqual(evs[0]["AccessKeyId"], target["userIdentity"]["accessKeyId"])
        self.assertEqual(evs[0]["Username"], target["userIdentity"]["userName"])

    # ------------------------------------------------------------------ services
    def test_6_secrets_manager_ids_policy_and_batch(self):
        sim = self.sim
        sm = sim.client("secretsmanager")
        arn = sm.create_secret(Name="policy-secret", SecretString="v",
                               Tags=[{"Key": "team", "Value": "sec"}])["ARN"]
        for sid in ("policy-secret", arn, arn[:-7]):
            self.assertEqual(sm.get_secret_value(SecretId=sid)["Name"], "policy-secret")
        with self.assertRaises(ClientError) as cm:
            sm.get_secret_value(SecretId=arn[:-1] + ("x" if arn[-1] != "x" else "y"))
        self.assertEqual(cm.exception.response["Error"]["Code"], "ResourceNotFoundException")
        intruder = sim.principal("intruder")["principal_arn"]
        sm.put_resource_policy(SecretId="policy-secret", ResourcePolicy=json.dumps({
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Deny", "Principal": {"AWS": intruder},
                "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]}))
        with self.assertRaises(ClientError) as cm:
            sim.client("secretsmanager", who="intruder").get_secret_value(SecretId=arn[:-7])
        self.assertEqual(cm.exception.response["Error"]["Code"], "AccessDeniedException")
        up = sm.update_secret(SecretId=arn, Description="rotated", SecretString="v2")
        self.assertEqual(sm.get_secret_value(SecretId=arn)["SecretString"], "v2")
        self.assertEqual(sm.get_secret_value(SecretId=arn, VersionStage="AWSPREVIOUS")
                         ["SecretString"], "v")
        self.assertEqual(sm.describe_secret(SecretId=arn)["VersionIdsToStages"][up["VersionId"]],
                         ["AWSCURRENT"])
        sm.tag_resource(SecretId=arn, Tags=[{"Key": "env", "Value": "prod"}])
        desc = sm.describe_secret(SecretId=arn)
        self.assertEqual(sorted(t["Key"] for t in desc["Tags"]), ["env", "team"])
        listed = sm.list_secrets(Filters=[{"Key": "tag-key", "Values": ["env"]}])["SecretList"]
        self.assertEqual([s["Name"] for s in listed], ["policy-secret"])

        # BatchGetSecretValue is absent from this botocore: a raw signed JSON 1.1 request.
        out = self.raw_json("secretsmanager", "secretsmanager.BatchGetSecretValue",
                            {"SecretIdList": ["policy-secret", "no-such-secret"]})
        self.assertEqual([v["Name"] for v in out["SecretValues"]], ["policy-secret"])
        self.assertEqual([e["ErrorCode"] for e in out["Errors"]], ["ResourceNotFoundException"])
        out = self.raw_json("secretsmanager", "secretsmanager.BatchGetSecretValue",
                            {"Filters": [{"Key": "tag-key", "Values": ["env"]}], "MaxResults": 1})
        self.assertEqual(len(out["SecretValues"]), 1)

        def per_secret_records():
            sim.tick()
            evs = self.ct.lookup(LookupAttributes=[{"AttributeKey": "ResourceName",
                                                    "AttributeValue": arn}])["Events"]
            names = [e["EventName"] for e in evs]
            return names if names.count("GetSecretValue") >= 5 and \
                "AccessDenied" in "".join(e["CloudTrailEvent"] for e in evs) else None
        wait_until(per_secret_records, 10, 0.3, "GetSecretValue records for the batch reads")

        # Cross-account: bob (another account) reads by ARN when the policy allows it;
        # the call is logged in both accounts, linked by sharedEventID.
        bob = sim.principal("bob")
        shared = sm.create_secret(Name="shared-secret", SecretString="s")["ARN"]
        bob_sm = sim.client("secretsmanager", who="bob")
        with self.assertRaises(ClientError) as cm:
            bob_sm.get_secret_value(SecretId=shared)
        self.assertEqual(cm.exception.response["Error"]["Code"], "AccessDeniedException")
        sm.put_resource_policy(SecretId=shared, ResourcePolicy=json.dumps({
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"AWS": bob["principal_arn"]},
                "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]}))
        self.assertEqual(bob_sm.get_secret_value(SecretId=shared)["SecretString"], "s")

        def cross_account():
            sim.tick()
            evs = self.ct.lookup(LookupAttributes=[{"AttributeKey": "ResourceName",
                                                    "AttributeValue": shared}])["Events"]
            recs = [json.loads(e["CloudTrailEvent"]) for e in evs]
            return [r for r in recs if r["userIdentity"]["accountId"] == bob["account_id"] and
                    r["eventName"] == "GetSecretValue" and "errorCode" not in r]
        rec = wait_until(cross_account, 10, 0.3, "the cross-account record")[0]
        self.assertEqual(rec["recipientAccountId"], sim.principal("alice")["account_id"])
        self.assertIn("sharedEventID", rec)

        sm.delete_secret(SecretId=arn, RecoveryWindowInDays=7)
        with self.assertRaises(ClientError) as cm:
            sm.get_secret_value(SecretId="policy-secret")
        self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidRequestException")
        self.assertIn("DeletedDate", sm.describe_secret(SecretId=arn))
        with self.assertRaises(ClientError) as cm:
            sm.delete_secret(SecretId=arn, RecoveryWindowInDays=7,
                             ForceDeleteWithoutRecovery=True)
        self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidParameterException")

    def raw_json(self, service, target, body, json10=False):
        a = self.sim.principal("alice")
        creds = botocore.credentials.Credentials(a["access_key_id"], a["secret_access_key"])
        data = json.dumps(body).encode()
        req = botocore.awsrequest.AWSRequest(
            method="POST", url=self.sim.endpoint + "/", data=data,
            headers={"Content-Type": "application/x-amz-json-1.0" if json10 else
                     "application/x-amz-json-1.1", "X-Amz-Target": target})
        if json10:
            req.headers["x-amzn-query-mode"] = "true"
        botocore.auth.SigV4Auth(creds, service, "us-east-1").add_auth(req)
        import ssl
        ctx = ssl.create_default_context(cafile=self.sim.ca)
        r = urllib.request.Request(req.url, data=data, method="POST", headers=dict(req.headers))
        with urllib.request.urlopen(r, context=ctx, timeout=10) as resp:
            return json.loads(resp.read())

    def test_7_logs_and_cloudwatch_validation(self):
        sim = self.sim
        logs = sim.client("logs")
        logs.create_log_group(logGroupName="validation")
        for bad in ('{ $.a = ', '{ ($.eventName = "x" }', "{ $.a >> 1 }"):
            with self.assertRaises(ClientError) as cm:
                logs.put_metric_filter(logGroupName="validation", filterName="bad",
                                       filterPattern=bad, metricTransformations=[{
                                           "metricName": "m", "metricNamespace": "n",
                                           "metricValue": "1"}])
            self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidParameterException")
        for i in range(100):
            logs.put_metric_filter(logGroupName="validation", filterName="f%03d" % i,
                                   filterPattern="ERROR", metricTransformations=[{
                                       "metricName": "m", "metricNamespace": "n",
                                       "metricValue": "1"}])
        with self.assertRaises(ClientError) as cm:
            logs.put_metric_filter(logGroupName="validation", filterName="f100",
                                   filterPattern="ERROR", metricTransformations=[{
                                       "metricName": "m", "metricNamespace": "n",
                                       "metricValue": "1"}])
        self.assertEqual(cm.exception.response["Error"]["Code"], "LimitExceededException")
        logs.put_retention_policy(logGroupName="validation", retentionInDays=30)
        g = logs.describe_log_groups(logGroupNamePrefix="validation")["logGroups"][0]
        self.assertEqual((g["retentionInDays"], g["metricFilterCount"]), (30, 100))
        with self.assertRaises(ClientError) as cm:
            logs.filter_log_events(logGroupName="no-such-group")
        self.assertEqual(cm.exception.response["Error"]["Code"], "ResourceNotFoundException")

        cw = sim.client("cloudwatch")
        now = time.time()
        cw.put_metric_data(Namespace="Test", MetricData=[
            {"MetricName": "lat", "Value": v, "Timestamp": now - 5} for v in (1.0, 2.0, 6.0)])
        md = cw.get_metric_data(StartTime=now - 600, EndTime=now + 60, MetricDataQueries=[
            {"Id": q.lower(), "MetricStat": {"Metric": {"Namespace": "Test", "MetricName": "lat"},
                                             "Period": 60, "Stat": q}}
            for q in ("Sum", "SampleCount", "Average", "Minimum", "Maximum")])
        got = {r["Id"]: r["Values"][0] for r in md["MetricDataResults"]}
        self.assertEqual(got, {"sum": 9.0, "samplecount": 3.0, "average": 3.0, "minimum": 1.0,
                               "maximum": 6.0})
        with self.assertRaises(ClientError) as cm:
            cw.get_metric_data(StartTime=now - 600, EndTime=now, MetricDataQueries=[
                {"Id": "q%d" % i, "MetricStat": {"Metric": {"Namespace": "Test",
                                                            "MetricName": "lat"},
                                                 "Period": 60, "Stat": "Sum"}}
                for i in range(501)])
        self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidParameterValue")
        with self.assertRaises(ClientError) as cm:
            cw.describe_alarms(AlarmNames=["a%d" % i for i in range(101)])
        self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidParameterValue")
        for i in range(3):
            cw.put_metric_alarm(AlarmName="page-%d" % i, Namespace="Test", MetricName="lat",
                                Statistic="Maximum", Period=60, EvaluationPeriods=1,
                                Threshold=100.0, ComparisonOperator="GreaterThanThreshold")
        p1 = cw.describe_alarms(AlarmNamePrefix="page-", MaxRecords=2)
        self.assertEqual(len(p1["MetricAlarms"]), 2)
        p2 = cw.describe_alarms(AlarmNamePrefix="page-", MaxRecords=2, NextToken=p1["NextToken"])
        self.assertEqual([a["AlarmName"] for a in p2["MetricAlarms"]], ["page-2"])
        with self.assertRaises(ClientError) as cm:
            cw.describe_alarms(AlarmNamePrefix="other-", NextToken=p1["NextToken"])
        self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidNextToken")
        sim.tick()
        states = {a["AlarmName"]: a["StateValue"] for a in
                  cw.describe_alarms(AlarmNamePrefix="page-")["MetricAlarms"]}
        self.assertEqual(set(states.values()), {"OK"})
        cw.set_alarm_state(AlarmName="page-0", StateValue="ALARM", StateReason="testing")
        self.assertEqual(cw.describe_alarms(StateValue="ALARM", AlarmNamePrefix="page-")
                         ["MetricAlarms"][0]["AlarmName"], "page-0")
        cw.delete_alarms(AlarmNames=["page-0", "page-1", "page-2"])
        self.assertEqual(cw.describe_alarms(AlarmNamePrefix="page-")["MetricAlarms"], [])


    def test_8_trail_management_and_event_selectors(self):
        sim = self.sim
        acct = sim.principal("alice")["account_id"]
        ct = sim.client("cloudtrail")
        names = ["extra-%d" % i for i in range(4)]
        for n in names:  # sw-trail + 4 = the 5 trails a region allows
            ct.create_trail(Name=n, S3BucketName="sw-trail-bucket",
                            TagsList=[{"Key": "n", "Value": n}])
        with self.assertRaises(ClientError) as cm:
            ct.create_trail(Name="extra-4", S3BucketName="sw-trail-bucket")
        self.assertEqual(cm.exception.response["Error"]["Code"],
                         "MaximumNumberOfTrailsExceededException")
        trails = ct.describe_trails()["trailList"]
        self.assertEqual(sorted(t["Name"] for t in trails), sorted(names + ["sw-trail"]))
        arn = "arn:aws:cloudtrail:us-east-1:%s:trail/extra-0" % acct
        self.assertEqual(ct.get_trail(Name=arn)["Trail"]["Name"], "extra-0")
        ct.add_tags(ResourceId=arn, TagsList=[{"Key": "owner", "Value": "sec"}])
        tags = ct.list_tags(ResourceIdList=[arn])["ResourceTagList"][0]["TagsList"]
        self.assertEqual(sorted(t["Key"] for t in tags), ["n", "owner"])
        ct.update_trail(Name="extra-0", IsMultiRegionTrail=True)
        self.assertTrue(ct.get_trail(Name="extra-0")["Trail"]["IsMultiRegionTrail"])
        sel = ct.get_event_selectors(TrailName="extra-0")["EventSelectors"]
        self.assertEqual(sel[0]["ReadWriteType"], "All")
        ct.put_event_selectors(TrailName="extra-0", EventSelectors=[
            {"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True}])
        self.assertEqual(ct.get_event_selectors(TrailName="extra-0")["EventSelectors"][0]
                         ["ReadWriteType"], "WriteOnly")
        adv = [{"Name": "management reads", "FieldSelectors": [
            {"Field": "eventCategory", "Equals": ["Management"]},
            {"Field": "readOnly", "Equals": ["true"]}]}]
        ct.put_event_selectors(TrailName="extra-1", AdvancedEventSelectors=adv)
        got = ct.get_event_selectors(TrailName="extra-1")
        self.assertEqual(got["AdvancedEventSelectors"], adv)
        self.assertNotIn("EventSelectors", got)
        self.assertTrue(ct.get_trail(Name="extra-1")["Trail"]["HasCustomEventSelectors"])
        self.assertEqual(len(ct.list_trails()["Trails"]), 5)
        with self.assertRaises(ClientError) as cm:
            ct.update_trail(Name="extra-1", CloudWatchLogsLogGroupArn=(
                "arn:aws:logs:us-east-1:%s:log-group:no-such-group:*" % acct),
                CloudWatchLogsRoleArn="arn:aws:iam::%s:role/sw-ct-to-logs" % acct)
        self.assertEqual(cm.exception.response["Error"]["Code"],
                         "InvalidCloudWatchLogsLogGroupArnException")
        for n in names:
            ct.delete_trail(Name=n)
        with self.assertRaises(ClientError) as cm:
            ct.get_trail_status(Name="extra-0")
        self.assertEqual(cm.exception.response["Error"]["Code"], "TrailNotFoundException")
        # CloudTrail's own calls are recorded too (write events, with requestParameters).
        def create_records():
            sim.tick()
            evs = self.ct.lookup(LookupAttributes=[{"AttributeKey": "EventName",
                                                    "AttributeValue": "DeleteTrail"}])["Events"]
            return evs if len(evs) >= 4 else None
        evs = wait_until(create_records, 10, 0.3, "DeleteTrail records")
        rec = json.loads(evs[0]["CloudTrailEvent"])
        self.assertFalse(rec["readOnly"])
        self.assertIn(rec["requestParameters"]["name"], names)

    def test_9_cloudwatch_json10_protocol(self):
        now = time.time()
        cw = self.sim.client("cloudwatch")
        cw.put_metric_data(Namespace="Json10", MetricData=[
            {"MetricName": "hits", "Value": 2.0, "Timestamp": now - 5}])
        out = self.raw_json("monitoring", "GraniteServiceVersion20100801.GetMetricData", {
            "StartTime": now - 600, "EndTime": now + 60, "ScanBy": "TimestampAscending",
            "MetricDataQueries": [{"Id": "h", "MetricStat": {
                "Metric": {"Namespace": "Json10", "MetricName": "hits"},
                "Period": 60, "Stat": "Sum"}}]}, json10=True)
        self.assertEqual(out["MetricDataResults"][0]["Values"], [2.0])
        self.assertIsInstance(out["MetricDataResults"][0]["Timestamps"][0], (int, float))
        out = self.raw_json("monitoring", "GraniteServiceVersion20100801.DescribeAlarms",
                            {"AlarmNamePrefix": "TopSecretInfo"}, json10=True)
        self.assertEqual([a["AlarmName"] for a in out["MetricAlarms"]], ["TopSecretInfo-read"])
        import urllib.error
        with self.assertRaises(urllib.error.HTTPError) as cm:
            self.raw_json("monitoring", "GraniteServiceVersion20100801.GetMetricData", {
                "StartTime": now, "EndTime": now - 60, "MetricDataQueries": [{
                    "Id": "h", "MetricStat": {"Metric": {"Namespace": "Json10",
                                                         "MetricName": "hits"},
                                              "Period": 60, "Stat": "Sum"}}]}, json10=True)
        self.assertEqual(cm.exception.code, 400)
        self.assertEqual(cm.exception.headers.get("x-amzn-query-error"),
                         "InvalidParameterValue;Sender")
        err = json.loads(cm.exception.read())
        self.assertTrue(err["__type"].endswith("InvalidParameterValueException"))


    def test_10_logs_filter_rate_tags_and_put_log_events(self):
        import threading
        sim = self.sim
        acct = sim.principal("alice")["account_id"]
        logs = sim.client("logs")
        logs.create_log_group(logGroupName="app-logs", tags={"team": "sec"})
        logs.create_log_stream(logGroupName="app-logs", logStreamName="s1")
        now_ms = int(time.time() * 1000)
        logs.put_log_events(logGroupName="app-logs", logStreamName="s1", logEvents=[
            {"timestamp": now_ms - 3000 + i, "message": m} for i, m in enumerate(
                ["[ERROR] disk full", "[INFO] ok", '{"level":"ERROR","code":500}'])])
        logs.put_metric_filter(logGroupName="app-logs", filterName="errors",
                               filterPattern="ERROR", metricTransformations=[{
                                   "metricName": "Errors", "metricNamespace": "App",
                                   "metricValue": "1", "defaultValue": 0.0}])
        logs.put_log_events(logGroupName="app-logs", logStreamName="s1", logEvents=[
            {"timestamp": now_ms + i, "message": m} for i, m in enumerate(
                ["[ERROR] again", "[INFO] fine"])])
        r = logs.filter_log_events(logGroupName="app-logs", filterPattern="ERROR", limit=2)
        self.assertEqual([e["message"] for e in r["events"]],
                         ["[ERROR] disk full", '{"level":"ERROR","code":500}'])
        r2 = logs.filter_log_events(logGroupName="app-logs", filterPattern="ERROR", limit=2,
                                    nextToken=r["nextToken"])
        self.assertEqual([e["message"] for e in r2["events"]], ["[ERROR] again"])
        with self.assertRaises(ClientError) as cm:
            logs.filter_log_events(logGroupName="app-logs", filterPattern="INFO",
                                   nextToken=r["nextToken"])
        self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidParameterException")
        r = logs.filter_log_events(logGroupName="app-logs", filterPattern="{ $.code >= 500 }")
        self.assertEqual(len(r["events"]), 1)
        cw = sim.client("cloudwatch")
        now = time.time()
        st = cw.get_metric_statistics(Namespace="App", MetricName="Errors", StartTime=now - 600,
                                      EndTime=now + 60, Period=60,
                                      Statistics=["Sum", "SampleCount"])
        self.assertEqual(sum(d["Sum"] for d in st["Datapoints"]), 1.0)   # only after the filter
        self.assertEqual(sum(d["SampleCount"] for d in st["Datapoints"]), 2.0)  # + default 0
        # dimensions taken from the JSON event
        logs.put_metric_filter(logGroupName="app-logs", filterName="by-code",
                               filterPattern='{ $.level = "ERROR" }', metricTransformations=[{
                                   "metricName": "ErrorsByCode", "metricNamespace": "App",
                                   "metricValue": "$.code", "dimensions": {"Code": "$.code"}}])
        logs.put_log_events(logGroupName="app-logs", logStreamName="s1", logEvents=[
            {"timestamp": now_ms + 10, "message": '{"level":"ERROR","code":503}'}])
        ms = cw.list_metrics(Namespace="App", MetricName="ErrorsByCode")["Metrics"]
        self.assertEqual(ms[0]["Dimensions"], [{"Name": "Code", "Value": "503"}])
        st = cw.get_metric_statistics(Namespace="App", MetricName="ErrorsByCode",
                                      Dimensions=[{"Name": "Code", "Value": "503"}],
                                      StartTime=now - 600, EndTime=now + 60, Period=60,
                                      Statistics=["Maximum"])
        self.assertEqual([d["Maximum"] for d in st["Datapoints"]], [503.0])
        with self.assertRaises(ClientError) as cm:
            logs.put_metric_filter(logGroupName="app-logs", filterName="bad-default",
                                   filterPattern='{ $.level = "ERROR" }',
                                   metricTransformations=[{
                                       "metricName": "x", "metricNamespace": "App",
                                       "metricValue": "1", "defaultValue": 0.0,
                                       "dimensions": {"Code": "$.code"}}])
        self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidParameterException")
        logs.tag_log_group(logGroupName="app-logs", tags={"env": "prod"})
        self.assertEqual(logs.list_tags_log_group(logGroupName="app-logs")["tags"],
                         {"team": "sec", "env": "prod"})
        arn = "arn:aws:logs:us-east-1:%s:log-group:app-logs" % acct
        logs.tag_resource(resourceArn=arn, tags={"x": "y"})
        self.assertIn("x", logs.list_tags_for_resource(resourceArn=arn)["tags"])
        logs.delete_metric_filter(logGroupName="app-logs", filterName="errors")
        self.assertEqual([f["filterName"] for f in logs.describe_metric_filters(
            logGroupName="app-logs")["metricFilters"]], ["by-code"])
        logs.delete_retention_policy(logGroupName="app-logs")
        # FilterLogEvents: 5 requests/s per account and region.
        raw = sim.client("logs", retries=1)
        raw.meta.events
        time.sleep(1.1)
        codes, lock = [], threading.Lock()

        def one():
            try:
                raw.filter_log_events(logGroupName="app-logs", limit=1)
                code = "ok"
            except ClientError as e:
                code = e.response["Error"]["Code"]
            with lock:
                codes.append(code)
        t0 = time.time()
        threads = [threading.Thread(target=one) for _ in range(24)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        elapsed = time.time() - t0
        self.assertIn("ThrottlingException", codes)
        self.assertLessEqual(codes.count("ok"), 5 + int(5 * elapsed) + 1)
        time.sleep(1.1)
        logs.delete_log_group(logGroupName="app-logs")
        with self.assertRaises(ClientError) as cm:
            logs.describe_metric_filters(logGroupName="app-logs")
        self.assertEqual(cm.exception.response["Error"]["Code"], "ResourceNotFoundException")

    def test_11_get_metric_data_pagination_and_history(self):
        sim = self.sim
        cw = sim.client("cloudwatch")
        now = time.time()
        base = now - now % 60
        cw.put_metric_data(Namespace="Pages", MetricData=[
            {"MetricName": "n", "Value": float(i), "Timestamp": base - 60 * i + 1}
            for i in range(6)])
        q = [{"Id": "a", "MetricStat": {"Metric": {"Namespace": "Pages", "MetricName": "n"},
                                        "Period": 60, "Stat": "Sum"}},
             {"Id": "b", "MetricStat": {"Metric": {"Namespace": "Pages", "MetricName": "n"},
                                        "Period": 60, "Stat": "Maximum"}, "Label": "max"}]
        kw = dict(StartTime=base - 3600, EndTime=base + 60, MetricDataQueries=q,
                  MaxDatapoints=4, ScanBy="TimestampAscending")
        p1 = cw.get_metric_data(**kw)
        r = {x["Id"]: x for x in p1["MetricDataResults"]}
        self.assertEqual(r["a"]["StatusCode"], "PartialData")
        self.assertEqual(r["a"]["Values"], [5.0, 4.0, 3.0, 2.0])
        self.assertEqual(r["b"]["Label"], "max")
        p2 = cw.get_metric_data(NextToken=p1["NextToken"], **kw)
        r = {x["Id"]: x for x in p2["MetricDataResults"]}
        self.assertEqual(r["a"]["Values"], [1.0, 0.0])
        self.assertEqual(r["a"]["StatusCode"], "Complete")
        self.assertEqual(r["b"]["Values"], [5.0, 4.0])
        self.assertEqual(r["b"]["StatusCode"], "PartialData")
        # metric math over the queries (ReturnData false hides the inputs)
        mq = [dict(q[0], ReturnData=False), dict(q[1], ReturnData=False),
              {"Id": "e1", "Expression": "a * 2 + b", "Label": "e1"},
              {"Id": "e2", "Expression": "SUM(METRICS())"},
              {"Id": "e3", "Expression": "FILL(a, 0)", "Period": 60},
              {"Id": "e4", "Expression": "e1 / 3"}]
        md = cw.get_metric_data(StartTime=base - 600, EndTime=base + 60, MetricDataQueries=mq,
                                ScanBy="TimestampAscending")
        r = {x["Id"]: x for x in md["MetricDataResults"]}
        self.assertEqual(sorted(r), ["e1", "e2", "e3", "e4"])
        self.assertEqual(r["e1"]["Values"], [15.0, 12.0, 9.0, 6.0, 3.0, 0.0])
        self.assertEqual(r["e2"]["Values"], [10.0, 8.0, 6.0, 4.0, 2.0, 0.0])
        self.assertEqual(len(r["e3"]["Values"]), 11)
        self.assertEqual(r["e3"]["Values"][:5], [0.0, 0.0, 0.0, 0.0, 0.0])
        self.assertEqual(r["e4"]["Values"][0], 5.0)
        for bad in ("a +", "nosuch * 2", "FOO(a)", "e9", "[a, b]"):
            with self.assertRaises(ClientError) as cm:
                cw.get_metric_data(StartTime=base - 600, EndTime=base + 60, MetricDataQueries=[
                    dict(q[0], ReturnData=False), {"Id": "e9", "Expression": bad}])
            self.assertEqual(cm.exception.response["Error"]["Code"], "ValidationError")
        with self.assertRaises(ClientError) as cm:
            cw.get_metric_data(NextToken=p1["NextToken"], **dict(kw, ScanBy="TimestampDescending"))
        self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidNextToken")
        cw.put_metric_alarm(AlarmName="hist", Namespace="Pages", MetricName="n",
                            Statistic="Sum", Period=60, EvaluationPeriods=1, Threshold=-1.0,
                            ComparisonOperator="LessThanThreshold",
                            Tags=[{"Key": "k", "Value": "v"}])
        arn = cw.describe_alarms(AlarmNames=["hist"])["MetricAlarms"][0]["AlarmArn"]
        self.assertEqual(arn, "arn:aws:cloudwatch:us-east-1:%s:alarm:hist"
                         % sim.principal("alice")["account_id"])
        self.assertEqual(cw.list_tags_for_resource(ResourceARN=arn)["Tags"],
                         [{"Key": "k", "Value": "v"}])
        cw.set_alarm_state(AlarmName="hist", StateValue="ALARM", StateReason="manual")
        items = cw.describe_alarm_history(AlarmName="hist",
                                          HistoryItemType="StateUpdate")["AlarmHistoryItems"]
        self.assertEqual(items[0]["HistorySummary"], "Alarm updated from INSUFFICIENT_DATA to "
                         "ALARM")
        with self.assertRaises(ClientError) as cm:
            cw.delete_alarms(AlarmNames=["no-such-alarm"])
        self.assertEqual(cm.exception.response["Error"]["Code"], "ResourceNotFound")
        cw.delete_alarms(AlarmNames=["hist"])


@unittest.skipIf(boto3 is None, "boto3/botocore not installed")
class RealisticModeTest(unittest.TestCase):
    """--realistic: delivery takes minutes, so a tick right after a read shows nothing,
    while a read back-dated and delivered with an explicit delay of 0 is visible."""

    def test_realistic_delays(self):
        import warnings
        warnings.simplefilter("ignore", ResourceWarning)
        sim = Sim("--realistic")
        try:
            sm = sim.client("secretsmanager")
            sm.create_secret(Name="slow", SecretString="x")
            sm.get_secret_value(SecretId="slow")
            sim.tick()
            ct = sim.client("cloudtrail")
            attrs = [{"AttributeKey": "EventName", "AttributeValue": "GetSecretValue"}]
            self.assertEqual(ct.lookup_events(LookupAttributes=attrs)["Events"], [])
            r = sim.admin("read", {"secret": "slow", "principal": "intruder",
                                   "delivery_delay_s": 0})
            time.sleep(0.6)
            sim.tick()
            evs = ct.lookup_events(LookupAttributes=attrs)["Events"]
            self.assertEqual([e["EventId"] for e in evs], r["event_ids"])
        finally:
            sim.stop()


class AlarmEvaluationTest(unittest.TestCase):
    """Alarm evaluation rules, on the service object (no server)."""

    def setUp(self):
        sys.path.insert(0, HERE)
        import world
        import svc_cloudwatch
        self.world = world.World(None)
        self.cw = svc_cloudwatch.Service(self.world)
        self.world.register("monitoring", self.cw)
        self.published = []
        outer = self

        class FakeSns:
            def publish(self, arn, subject, message):
                outer.published.append((arn, subject, json.loads(message)))
                return "mid"
        self.world.register("sns", FakeSns())
        self.ctx = world.Ctx.for_principal(self.world.accounts[0])
        self.now = self.world.now()

    def alarm(self, **kw):
        p = dict(AlarmName="a", Namespace="N", MetricName="m", Statistic="Sum", Period=60,
                 EvaluationPeriods=3, Threshold=1.0,
                 ComparisonOperator="GreaterThanOrEqualToThreshold",
                 AlarmActions=["arn:aws:sns:us-east-1:111122223333:t"],
                 OKActions=["arn:aws:sns:us-east-1:111122223333:t"])
        p.update(kw)
        self.cw.handle(self.ctx, "PutMetricAlarm", p)
        return self.cw.alarms[(self.ctx.account_id, "us-east-1")]["a"]

    def point(self, periods_ago, value):
        self.cw.put_datapoint(self.ctx.account_id, "N", "m", {}, self.now - 60 * periods_ago,
                              value)

    def test_missing_data_treatments(self):
        cases = [  # (TreatMissingData, datapoints {periods ago: value}, M, expected state)
            ("missing", {}, None, "INSUFFICIENT_DATA"),
            ("notBreaching", {}, None, "OK"),
            ("breaching", {}, None, "ALARM"),
            ("ignore", {}, None, "INSUFFICIENT_DATA"),   # kept
            ("missing", {0: 5.0}, 1, "ALARM"),
            ("missing", {0: 5.0}, 2, "OK"),
            ("breaching", {0: 0.0}, 2, "ALARM"),
            ("notBreaching", {0: 5.0, 1: 5.0}, 3, "OK"),
            ("missing", {0: 1.0, 1: 2.0, 2: 3.0}, None, "ALARM"),
            ("missing", {0: 0.5, 1: 2.0, 2: 3.0}, None, "OK"),
            ("missing", {5: 9.0}, None, "INSUFFICIENT_DATA"),  # outside the window
        ]
        for tmd, points, m, want in cases:
            with self.subTest(tmd=tmd, points=points, m=m):
                self.cw.reset()
                self.published = []
                for ago, v in points.items():
                    self.point(ago, v)
                a = self.alarm(TreatMissingData=tmd, **({"DatapointsToAlarm": m} if m else {}))
                self.cw.evaluate(a, self.now)
                self.assertEqual(a["StateValue"], want)
                if want == "ALARM":
                    arn, subject, msg = self.published[-1]
                    self.assertEqual(subject, 'ALARM: "a" in US East (N. Virginia)')
                    self.assertEqual(msg["OldStateValue"], "INSUFFICIENT_DATA")
                    self.assertEqual(msg["Trigger"]["TreatMissingData"], tmd)
                    self.assertEqual(msg["Trigger"]["EvaluationPeriods"], 3)
                    json.loads(a["StateReasonData"])

    def test_actions_disabled_and_ok_actions(self):
        self.point(0, 5.0)
        a = self.alarm(EvaluationPeriods=1, ActionsEnabled=False)
        self.cw.evaluate(a, self.now)
        self.assertEqual((a["StateValue"], self.published), ("ALARM", []))
        a = self.alarm(EvaluationPeriods=1, Threshold=10.0)
        self.cw.evaluate(a, self.now)
        self.assertEqual(a["StateValue"], "OK")
        self.assertEqual(self.published[-1][2]["NewStateValue"], "OK")

    def test_metric_math_alarm(self):
        self.point(0, 3.0)
        self.cw.put_datapoint(self.ctx.account_id, "N", "other", {}, self.now, 4.0)
        p = dict(AlarmName="a", EvaluationPeriods=1, Threshold=6.0,
                 ComparisonOperator="GreaterThanThreshold",
                 AlarmActions=["arn:aws:sns:us-east-1:111122223333:t"],
                 Metrics=[{"Id": "m1", "ReturnData": False, "MetricStat": {
                     "Metric": {"Namespace": "N", "MetricName": "m"}, "Period": 60,
                     "Stat": "Sum"}},
                          {"Id": "m2", "ReturnData": False, "MetricStat": {
                              "Metric": {"Namespace": "N", "MetricName": "other"},
                              "Period": 60, "Stat": "Sum"}},
                          {"Id": "e1", "Expression": "m1 + m2", "Label": "total"}])
        self.cw.handle(self.ctx, "PutMetricAlarm", p)
        a = self.cw.alarms[(self.ctx.account_id, "us-east-1")]["a"]
        self.cw.evaluate(a, self.now)
        self.assertEqual(a["StateValue"], "ALARM")
        self.assertEqual(self.published[-1][2]["Trigger"]["Metrics"][2]["Expression"],
                         "m1 + m2")
        self.cw.handle(self.ctx, "PutMetricAlarm", dict(p, Threshold=8.0))
        self.cw.evaluate(a, self.now)
        a = self.cw.alarms[(self.ctx.account_id, "us-east-1")]["a"]
        self.cw.evaluate(a, self.now)
        self.assertEqual(a["StateValue"], "OK")

    def test_invalid_alarms_refused(self):
        from errors import AwsError
        for bad in (dict(Period=45), dict(EvaluationPeriods=0), dict(DatapointsToAlarm=4),
                    dict(TreatMissingData="sometimes"), dict(Statistic="Median"),
                    dict(AlarmActions=["not-an-arn"]), dict(Threshold=None),
                    dict(Metrics=[{"Id": "m1"}])):
            with self.subTest(bad=bad):
                with self.assertRaises(AwsError):
                    self.alarm(**bad)


if __name__ == "__main__":
    unittest.main(verbosity=2)
