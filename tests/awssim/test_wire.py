"""Wire-level tests of the simulator (tests/awssim): TLS, SigV4 verification,
routing, protocols, validation, fault injection, STS, IAM, S3 and SNS, driven
with the AWS CLI v2 (/usr/bin/aws), boto3 and raw signed requests.

Run: cd tests/awssim && /usr/bin/python3 -m unittest -v test_wire"""

import base64
import datetime
import email.utils
import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import types
import unittest
import urllib.parse
import xml.etree.ElementTree as ET
from unittest import mock

HERE = os.path.dirname(os.path.abspath(__file__))

try:
    import boto3
    import botocore.auth
    from botocore.auth import S3SigV4Auth, SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.config import Config
    from botocore.credentials import Credentials
    from botocore.exceptions import ClientError
    HAVE_BOTO = True
except ImportError:   # pragma: no cover - Debian package absent
    HAVE_BOTO = False

AWS_CLI = "/usr/bin/aws"

if not HAVE_BOTO and __name__ == "__main__":
    sys.exit(77)


class Sim:
    """A running simulator subprocess (start, admin calls, stop)."""

    def __init__(self, extra_args=()):
        self.dir = tempfile.mkdtemp(prefix="awssim-test-")
        t0 = time.monotonic()
        self.proc = subprocess.Popen(
            [sys.executable if sys.executable.startswith("/usr/bin/") else "/usr/bin/python3",
             os.path.join(HERE, "awssim"), "--dir", self.dir] + list(extra_args),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        path = os.path.join(self.dir, "awssim.json")
        for _ in range(200):
            if os.path.exists(path) or self.proc.poll() is not None:
                break
            time.sleep(0.025)
        self.startup_s = time.monotonic() - t0
        if not os.path.exists(path):
            self.stop()
            raise RuntimeError("awssim did not start: %s" % self.proc.stderr.read().decode())
        with open(path) as f:
            self.cfg = json.load(f)
        self.https = "https://127.0.0.1:%d" % self.cfg["https_port"]
        self.http = "http://127.0.0.1:%d" % self.cfg["http_port"]
        self.ca = self.cfg["ca_file"]
        self.sslctx = ssl.create_default_context(cafile=self.ca)

    def stop(self):
        rc = None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                rc = self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        else:
            rc = self.proc.returncode
        self.proc.stdout.close()
        self.stderr = self.proc.stderr.read().decode(errors="replace")
        self.proc.stderr.close()
        shutil.rmtree(self.dir, ignore_errors=True)
        return rc

    def admin(self, method, name, body=None, https=False):
        u = urllib.parse.urlsplit(self.https if https else self.http)
        if https:
            conn = http.client.HTTPSConnection(u.hostname, u.port, context=self.sslctx,
                                               timeout=10)
        else:
            conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
        data = json.dumps(body).encode() if body is not None else None
        conn.request(method, "/_awssim/" + name, body=data,
                     headers={"Content-Type": "application/json"})
        r = conn.getresponse()
        out = json.loads(r.read() or b"{}")
        conn.close()
        return r.status, out


def account(sim, i=0):
    return sim.cfg["accounts"][i]


def by_name(sim, name):
    for a in sim.cfg["accounts"]:
        if a.get("name") == name:
            return a
    raise KeyError(name)


@unittest.skipUnless(HAVE_BOTO, "python3-botocore/boto3 missing")
class WireTest(unittest.TestCase):
    sim = None

    @classmethod
    def setUpClass(cls):
        for k in list(os.environ):
            if k.startswith("AWS_"):
                del os.environ[k]
        os.environ["AWS_CONFIG_FILE"] = "/dev/null"
        os.environ["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null"
        os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
        cls.sim = Sim()
        cls.alice = account(cls.sim, 0)

    @classmethod
    def tearDownClass(cls):
        if cls.sim is not None:
            rc = cls.sim.stop()
            if "Traceback" in cls.sim.stderr:
                sys.stderr.write("awssim stderr:\n%s\n" % cls.sim.stderr)
            cls.sim = None
            if rc != 0:
                raise AssertionError("awssim exited with %r on SIGTERM" % rc)

    def setUp(self):
        self.sim.admin("DELETE", "fault")

    # --- helpers ------------------------------------------------------------------------
    def client(self, service, who=None, region="us-east-1", secret=None, token=None,
               endpoint=None, retries=1):
        who = who or self.alice
        s = boto3.session.Session(
            aws_access_key_id=who["access_key_id"],
            aws_secret_access_key=secret or who["secret_access_key"],
            aws_session_token=token or who.get("session_token"), region_name=region)
        return s.client(service, endpoint_url=endpoint or self.sim.https, verify=self.sim.ca,
                        config=Config(retries={"total_max_attempts": retries},
                                      connect_timeout=5, read_timeout=10))

    def cli(self, *args, who=None, check=True):
        if not os.access(AWS_CLI, os.X_OK):
            self.skipTest("AWS CLI v2 (%s) missing" % AWS_CLI)
        who = who or self.alice
        env = {"PATH": "/usr/bin:/bin", "HOME": self.sim.dir, "AWS_CONFIG_FILE": "/dev/null",
               "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_PAGER": "",
               "AWS_ACCESS_KEY_ID": who["access_key_id"],
               "AWS_SECRET_ACCESS_KEY": who["secret_access_key"],
               "AWS_DEFAULT_REGION": "us-east-1", "AWS_CA_BUNDLE": self.sim.ca,
               "AWS_EC2_METADATA_DISABLED": "true", "AWS_MAX_ATTEMPTS": "1"}
        p = subprocess.run([AWS_CLI, "--endpoint-url", self.sim.https, "--output", "json"] +
                           list(args), env=env, capture_output=True, timeout=60)
        if check and p.returncode != 0:
            self.fail("aws %s failed: %s" % (" ".join(args), p.stderr.decode()))
        out = p.stdout.decode().strip()
        return p.returncode, (json.loads(out) if out else None), p.stderr.decode()

    def raw(self, service, method="POST", path="/", body=b"", headers=None, who=None,
            secret=None, region="us-east-1", skew_s=0, token=None, https=True, sign=True,
            query="", signer_cls=None):
        """A request signed with botocore's SigV4Auth (optionally with a clock
        offset) sent with http.client; returns (status, headers, body)."""
        who = who or self.alice
        base = self.sim.https if https else self.sim.http
        url = base + path + (("?" + query) if query else "")
        req = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
        if sign:
            creds = Credentials(who["access_key_id"], secret or who["secret_access_key"], token)
            cls = signer_cls or (S3SigV4Auth if service == "s3" else SigV4Auth)
            signer = cls(creds, service, region)
            if skew_s:
                fake_now = datetime.datetime.utcnow() + datetime.timedelta(seconds=skew_s)
                fake = types.SimpleNamespace(datetime=types.SimpleNamespace(
                    utcnow=lambda: fake_now))
                with mock.patch.object(botocore.auth, "datetime", fake):
                    signer.add_auth(req)
            else:
                signer.add_auth(req)
        p = req.prepare()
        u = urllib.parse.urlsplit(p.url)
        if https:
            conn = http.client.HTTPSConnection(u.hostname, u.port, context=self.sim.sslctx,
                                               timeout=10)
        else:
            conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
        try:
            conn.request(p.method, u.path + (("?" + u.query) if u.query else ""), body=p.body,
                         headers=dict(p.headers))
            r = conn.getresponse()
            data = r.read()
            return r.status, r.headers, data
        finally:
            conn.close()

    def raw_json(self, service, target, payload, content_type="application/x-amz-json-1.1",
                 **kw):
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        return self.raw(service, body=body, headers={"X-Amz-Target": target,
                                                     "Content-Type": content_type}, **kw)

    def raw_query(self, service, params, **kw):
        body = urllib.parse.urlencode(params).encode()
        return self.raw(service, body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}, **kw)

    def assertClientError(self, fn, code, status=None, msg=None):
        with self.assertRaises(ClientError) as cm:
            fn()
        err = cm.exception.response["Error"]
        self.assertEqual(err.get("Code"), code, cm.exception.response)
        if status is not None:
            self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], status)
        if msg is not None:
            self.assertIn(msg, err.get("Message", ""))
        return cm.exception.response

    # --- start ------------------------------------------------------------------------------
    def test_00_startup_contract(self):
        cfg = self.sim.cfg
        # Under 2 s; allowance scaled by load on the shared build machine.
        load = max(1.0, os.getloadavg()[0] / (os.cpu_count() or 1))
        self.assertLess(self.sim.startup_s, 2.0 * load, "start took %.2fs" % self.sim.startup_s)
        for k in ("http_port", "https_port", "ca_file", "region", "accounts"):
            self.assertIn(k, cfg)
        self.assertTrue(os.path.exists(cfg["ca_file"]))
        accts = {a["account_id"] for a in cfg["accounts"]}
        self.assertGreaterEqual(len(accts), 2)
        first = cfg["accounts"][0]["account_id"]
        names = {a["name"] for a in cfg["accounts"] if a["account_id"] == first}
        self.assertTrue({"alice", "app", "intruder"} <= names)
        for a in cfg["accounts"]:
            for k in ("account_id", "access_key_id", "secret_access_key", "principal_arn"):
                self.assertTrue(a[k])
        self.assertTrue(os.path.exists(os.path.join(self.sim.dir, "mail.spool")))

    def test_tls_verification_and_san(self):
        # The generated CA verifies the server for both 127.0.0.1 and localhost.
        for host in ("127.0.0.1", "localhost"):
            with socket.create_connection(("127.0.0.1", self.sim.cfg["https_port"]), 5) as s:
                with self.sim.sslctx.wrap_socket(s, server_hostname=host) as t:
                    self.assertTrue(t.getpeercert())
        # Without the CA, verification fails.
        ctx = ssl.create_default_context()
        with socket.create_connection(("127.0.0.1", self.sim.cfg["https_port"]), 5) as s:
            with self.assertRaises(ssl.SSLError):
                ctx.wrap_socket(s, server_hostname="127.0.0.1")

    def test_date_header_everywhere(self):
        st, h, _ = self.raw_query("sts", {"Action": "GetCallerIdentity", "Version": "2011-06-15"})
        self.assertEqual(st, 200)
        self.assertTrue(h.get("Date"))
        st, h, _ = self.raw_query("sts", {"Action": "GetCallerIdentity"}, secret="x" * 40)
        self.assertEqual(st, 403)
        self.assertTrue(h.get("Date"))

    # --- signatures ------------------------------------------------------------------------
    def test_wrong_secret_refused_per_protocol(self):
        bad = "wrongSecret/" + "0" * 28
        r = self.assertClientError(lambda: self.client("sts", secret=bad).get_caller_identity(),
                                   "SignatureDoesNotMatch", 403, "does not match")
        st, h, body = self.raw_json("secretsmanager", "secretsmanager.ListSecrets", {},
                                    secret=bad)
        self.assertEqual(st, 400)
        self.assertEqual(json.loads(body)["__type"], "InvalidSignatureException")
        self.assertEqual(h["Content-Type"], "application/x-amz-json-1.1")
        self.assertClientError(lambda: self.client("s3", secret=bad).list_buckets(),
                               "SignatureDoesNotMatch", 403)
        st, h, body = self.raw("s3", "GET", "/", secret=bad)
        self.assertIn(b"<StringToSign>", body)
        self.assertIn(b"<CanonicalRequest>", body)
        del r

    def test_unknown_key_per_protocol(self):
        ghost = {"access_key_id": "AKIAGHOSTGHOSTGHOST0", "secret_access_key": "g" * 40}
        self.assertClientError(lambda: self.client("sts", who=ghost).get_caller_identity(),
                               "InvalidClientTokenId", 403,
                               "The security token included in the request is invalid")
        st, _, body = self.raw_json("logs", "Logs_20140328.DescribeLogGroups", {}, who=ghost)
        self.assertEqual((st, json.loads(body)["__type"]), (400, "UnrecognizedClientException"))
        self.assertClientError(lambda: self.client("s3", who=ghost).list_buckets(),
                               "InvalidAccessKeyId", 403)

    def test_skew_six_minutes_refused(self):
        st, _, body = self.raw_query("sts", {"Action": "GetCallerIdentity",
                                             "Version": "2011-06-15"}, skew_s=-360)
        self.assertEqual(st, 403)
        self.assertIn(b"<Code>SignatureDoesNotMatch</Code>", body)
        self.assertIn(b"Signature expired: ", body)
        self.assertIn(b"is now earlier than", body)
        st, _, body = self.raw_json("secretsmanager", "secretsmanager.ListSecrets", {},
                                    skew_s=-360)
        self.assertEqual(st, 400)
        err = json.loads(body)
        self.assertEqual(err["__type"], "InvalidSignatureException")
        self.assertRegex(err["message"], r"^Signature expired: \d{8}T\d{6}Z is now earlier than "
                                         r"\d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$")
        st, _, body = self.raw_json("secretsmanager", "secretsmanager.ListSecrets", {},
                                    skew_s=360)
        self.assertIn("Signature not yet current", json.loads(body)["message"])
        # S3 allows 15 minutes; beyond that RequestTimeTooSkewed (403).
        st, _, _ = self.raw("s3", "GET", "/", skew_s=-360)
        self.assertEqual(st, 200)
        st, _, body = self.raw("s3", "GET", "/", skew_s=-960)
        self.assertEqual(st, 403)
        self.assertIn(b"<Code>RequestTimeTooSkewed</Code>", body)
        self.assertIn(b"<MaxAllowedSkewMilliseconds>900000</MaxAllowedSkewMilliseconds>", body)
        # Just inside the window is accepted.
        st, _, _ = self.raw_query("sts", {"Action": "GetCallerIdentity"}, skew_s=-240)
        self.assertEqual(st, 200)

    def test_unsigned_and_tampered(self):
        st, _, body = self.raw_query("sts", {"Action": "GetCallerIdentity"}, sign=False)
        self.assertEqual(st, 403)
        self.assertIn(b"MissingAuthenticationToken", body)
        st, _, body = self.raw_json("cloudtrail", "com.amazonaws.cloudtrail.v20131101."
                                    "CloudTrail_20131101.DescribeTrails", {}, sign=False)
        self.assertEqual(json.loads(body)["__type"], "MissingAuthenticationTokenException")
        # Body changed after signing -> mismatch (the body hash is verified).
        req = AWSRequest(method="POST", url=self.sim.https + "/", data=b"Action=GetCallerIdentity",
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
        SigV4Auth(Credentials(self.alice["access_key_id"], self.alice["secret_access_key"]),
                  "sts", "us-east-1").add_auth(req)
        p = req.prepare()
        conn = http.client.HTTPSConnection("127.0.0.1", self.sim.cfg["https_port"],
                                           context=self.sim.sslctx, timeout=10)
        hdrs = dict(p.headers)
        hdrs["Content-Length"] = str(len(b"Action=GetCallerIdentitx"))
        conn.request("POST", "/", body=b"Action=GetCallerIdentitx", headers=hdrs)
        r = conn.getresponse()
        self.assertEqual(r.status, 403)
        self.assertIn(b"SignatureDoesNotMatch", r.read())
        conn.close()

    def test_presigned_sts_get_caller_identity(self):
        sts = self.client("sts")
        url = sts.generate_presigned_url("get_caller_identity", ExpiresIn=60, HttpMethod="GET")
        u = urllib.parse.urlsplit(url)
        self.assertIn("X-Amz-Signature=", u.query)
        st, _, body = self.raw("sts", "GET", u.path, query=u.query, sign=False)
        self.assertEqual(st, 200, body)
        self.assertIn(self.alice["principal_arn"].encode(), body)
        tampered = u.query.replace("Action=GetCallerIdentity", "Action=GetCallerIdentity&x=1")
        st, _, body = self.raw("sts", "GET", u.path, query=tampered, sign=False)
        self.assertEqual(st, 403)
        self.assertIn(b"SignatureDoesNotMatch", body)

    def test_wrong_service_in_scope(self):
        st, _, body = self.raw("ec2", body=b"Action=GetCallerIdentity&Version=2011-06-15",
                               headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(st, 403)
        self.assertIn(b"Credential should be scoped to correct service: 'sts'", body)
        st, _, body = self.raw("ec2", body=b"{}", headers={
            "X-Amz-Target": "secretsmanager.ListSecrets",
            "Content-Type": "application/x-amz-json-1.1"})
        self.assertEqual(json.loads(body)["__type"], "InvalidSignatureException")
        # A JSON request signed for the wrong JSON service does not route there.
        st, _, body = self.raw_json("logs", "secretsmanager.ListSecrets", {})
        self.assertEqual((st, json.loads(body)["__type"]), (400, "UnknownOperationException"))

    def test_malformed_authorization(self):
        for auth in ("AWS4-HMAC-SHA256 Credential=x", "AWS4-HMAC-SHA256 ",
                     "AWS4-HMAC-SHA256 Credential=AKIAAWSSIMALICE00001/20261127/us-east-1/sts/"
                     "aws4_request, SignedHeaders=host"):
            st, _, body = self.raw("sts", body=b"Action=GetCallerIdentity", sign=False, headers={
                "Content-Type": "application/x-www-form-urlencoded", "Authorization": auth,
                "X-Amz-Date": time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())})
            self.assertEqual(st, 400, auth)
            self.assertIn(b"<Code>IncompleteSignature</Code>", body)
        st, _, body = self.raw("secretsmanager", body=b"{}", sign=False, headers={
            "X-Amz-Target": "secretsmanager.ListSecrets", "Authorization": "AWS4-HMAC-SHA256 x",
            "Content-Type": "application/x-amz-json-1.1"})
        self.assertEqual(json.loads(body)["__type"], "IncompleteSignatureException")
        # Missing X-Amz-Date.
        req = AWSRequest(method="POST", url=self.sim.https + "/", data=b"Action=GetCallerIdentity",
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
        SigV4Auth(Credentials(self.alice["access_key_id"], self.alice["secret_access_key"]),
                  "sts", "us-east-1").add_auth(req)
        hdrs = {k: v for k, v in req.prepare().headers.items() if k.lower() != "x-amz-date"}
        st, _, body = self.raw("sts", body=b"Action=GetCallerIdentity", sign=False,
                               headers=hdrs)
        self.assertIn(b"requires existence of either a 'X-Amz-Date' or a 'Date' header", body)

    def test_plain_http_port(self):
        c = self.client("sts", endpoint=self.sim.http)
        self.assertEqual(c.get_caller_identity()["Account"], self.alice["account_id"])

    # --- validation ---------------------------------------------------------------------------
    def test_json_validation(self):
        st, _, body = self.raw_json("secretsmanager", "secretsmanager.GetSecretValue", {})
        self.assertEqual(st, 400)
        err = json.loads(body)
        self.assertEqual(err["__type"], "ValidationException")
        self.assertEqual(err["message"], "1 validation error detected: Value null at 'secretId' "
                                         "failed to satisfy constraint: Member must not be null")
        st, _, body = self.raw_json("secretsmanager", "secretsmanager.ListSecrets",
                                    {"Bogus": 1})
        self.assertEqual(json.loads(body)["__type"], "ValidationException")
        st, _, body = self.raw_json("secretsmanager", "secretsmanager.ListSecrets",
                                    {"MaxResults": "ten"})
        self.assertEqual(json.loads(body)["__type"], "SerializationException")
        st, _, body = self.raw_json(
            "cloudtrail", "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents",
            {"LookupAttributes": [{"AttributeKey": "Nope", "AttributeValue": "x"}]})
        err = json.loads(body)
        self.assertEqual(err["__type"], "ValidationException")
        self.assertIn("Member must satisfy enum value set", err["message"])
        self.assertIn("lookupAttributes.1.member.attributeKey", err["message"])
        st, _, body = self.raw_json("secretsmanager", "secretsmanager.ListSecrets", b"{not json")
        self.assertEqual(json.loads(body)["__type"], "SerializationException")
        st, _, body = self.raw_json("secretsmanager", "secretsmanager.NoSuchOp", {})
        self.assertEqual(json.loads(body)["__type"], "UnknownOperationException")

    def test_query_validation(self):
        self.assertClientError(lambda: self.client("iam").get_role(RoleName="x" * 65),
                               "ValidationError", 400, "length less than or equal to 64")
        st, _, body = self.raw_query("iam", {"Action": "GetRole", "Version": "2010-05-08"})
        self.assertEqual(st, 400)
        self.assertIn(b"<Code>ValidationError</Code>", body)
        self.assertIn(b"Value null at 'roleName' failed to satisfy constraint", body)
        st, _, body = self.raw_query("sts", {"Action": "Bogus", "Version": "2011-06-15"})
        self.assertIn(b"<Code>InvalidAction</Code>", body)
        st, _, body = self.raw_query("monitoring", {"Action": "GetMetricStatistics",
                                                    "Version": "2010-08-01",
                                                    "Namespace": "N"})
        self.assertEqual(st, 400)
        if "monitoring" in self.sim.cfg.get("services", []):
            self.assertIn(b"<Code>MissingParameter</Code>", body)
            self.assertIn(b"The parameter MetricName is required.", body)

    # --- CloudWatch JSON 1.0 --------------------------------------------------------------------
    def test_cloudwatch_json10(self):
        tgt = "GraniteServiceVersion20100801."
        hdr = "application/x-amz-json-1.0"
        if "monitoring" in self.sim.cfg.get("services", []):
            st, h, body = self.raw("monitoring", body=b"{}", headers={
                "X-Amz-Target": tgt + "DescribeAlarms", "Content-Type": hdr,
                "x-amzn-query-mode": "true"})
            self.assertEqual(st, 200, body)
            self.assertEqual(h["Content-Type"], hdr)
            self.assertIsInstance(json.loads(body), dict)
            st, h, body = self.raw("monitoring", body=b'{"Namespace":"N"}', headers={
                "X-Amz-Target": tgt + "GetMetricStatistics", "Content-Type": hdr,
                "x-amzn-query-mode": "true"})
            self.assertEqual(st, 400)
            self.assertEqual(h["x-amzn-query-error"], "MissingParameter;Sender")
            self.assertIn("__type", json.loads(body))
            # JSON 1.0 input (epoch-number timestamps, arrays) and output
            # agree with the query protocol on the same data.
            now = time.time()
            st, _, body = self.raw("monitoring", body=json.dumps({
                "Namespace": "Wire/Test", "MetricData": [{
                    "MetricName": "Reads", "Value": 3.0, "Timestamp": now,
                    "Dimensions": [{"Name": "Secret", "Value": "s1"}]}]}).encode(),
                headers={"X-Amz-Target": tgt + "PutMetricData", "Content-Type": hdr,
                         "x-amzn-query-mode": "true"})
            self.assertEqual(st, 200, body)
            cw = self.client("cloudwatch")
            stats = cw.get_metric_statistics(
                Namespace="Wire/Test", MetricName="Reads",
                Dimensions=[{"Name": "Secret", "Value": "s1"}], StartTime=now - 600,
                EndTime=now + 600, Period=60, Statistics=["Sum"])
            self.assertEqual(sum(d["Sum"] for d in stats["Datapoints"]), 3.0)
            cw.put_metric_alarm(AlarmName="wire-alarm", Namespace="Wire/Test",
                                MetricName="Reads", Statistic="Sum", Period=60,
                                EvaluationPeriods=1, Threshold=1.0,
                                ComparisonOperator="GreaterThanOrEqualToThreshold")
            q = cw.describe_alarms(AlarmNames=["wire-alarm"])["MetricAlarms"][0]
            st, _, body = self.raw("monitoring", body=b'{"AlarmNames":["wire-alarm"]}',
                                   headers={"X-Amz-Target": tgt + "DescribeAlarms",
                                            "Content-Type": hdr, "x-amzn-query-mode": "true"})
            j = json.loads(body)["MetricAlarms"][0]
            self.assertEqual(j["AlarmName"], q["AlarmName"])
            self.assertEqual(j["Threshold"], q["Threshold"])
            self.assertIsInstance(j["AlarmConfigurationUpdatedTimestamp"], (int, float))
            self.assertAlmostEqual(j["AlarmConfigurationUpdatedTimestamp"],
                                   q["AlarmConfigurationUpdatedTimestamp"].timestamp(), delta=1)
            cw.delete_alarms(AlarmNames=["wire-alarm"])
        # Authentication errors carry the query code in x-amzn-query-error.
        st, h, body = self.raw("monitoring", body=b"{}", secret="z" * 40, headers={
            "X-Amz-Target": tgt + "DescribeAlarms", "Content-Type": hdr,
            "x-amzn-query-mode": "true"})
        self.assertEqual(st, 403)
        self.assertEqual(h["Content-Type"], hdr)
        self.assertEqual(h["x-amzn-query-error"], "SignatureDoesNotMatch;Sender")
        self.assertEqual(json.loads(body)["__type"], "SignatureDoesNotMatch")
        # Throttling in JSON 1.0: ThrottlingException body, Throttling query code.
        self.sim.admin("POST", "fault", {"service": "monitoring", "kind": "throttle"})
        st, h, body = self.raw("monitoring", body=b"{}", headers={
            "X-Amz-Target": tgt + "DescribeAlarms", "Content-Type": hdr})
        self.assertEqual(st, 400)
        self.assertEqual(h["x-amzn-query-error"], "Throttling;Sender")
        self.assertEqual(json.loads(body), {"__type": "ThrottlingException",
                                            "message": "Rate exceeded"})

    # --- STS ---------------------------------------------------------------------------------------
    def test_sts_cli_and_assume_role(self):
        _, out, _ = self.cli("sts", "get-caller-identity")
        self.assertEqual(out["Arn"], self.alice["principal_arn"])
        app = by_name(self.sim, "app")
        out = self.client("sts", who=app).get_caller_identity()
        self.assertEqual(out["Arn"], app["principal_arn"])
        self.assertIn(":assumed-role/", out["Arn"])
        sts = self.client("sts")
        role_arn = "arn:aws:iam::%s:role/app-server" % self.alice["account_id"]
        t0 = time.time()
        r = sts.assume_role(RoleArn=role_arn, RoleSessionName="s1", DurationSeconds=900)
        c = r["Credentials"]
        self.assertTrue(c["AccessKeyId"].startswith("ASIA"))
        exp = c["Expiration"].timestamp()
        self.assertAlmostEqual(exp, t0 + 900, delta=5)
        who = {"access_key_id": c["AccessKeyId"], "secret_access_key": c["SecretAccessKey"],
               "session_token": c["SessionToken"]}
        out = self.client("sts", who=who).get_caller_identity()
        self.assertEqual(out["Arn"], "arn:aws:sts::%s:assumed-role/app-server/s1"
                         % self.alice["account_id"])
        # The temporary key without its session token is refused.
        nt = dict(who, session_token=None)
        self.assertClientError(lambda: self.client("sts", who=nt).get_caller_identity(),
                               "InvalidClientTokenId", 403)
        st, _, body = self.raw_json("secretsmanager", "secretsmanager.ListSecrets", {}, who=nt)
        self.assertEqual(json.loads(body)["__type"], "UnrecognizedClientException")
        # Unknown role -> AccessDenied; other account's user not trusted.
        self.assertClientError(lambda: sts.assume_role(RoleArn=role_arn + "x",
                                                       RoleSessionName="ss"), "AccessDenied", 403)
        bob = [a for a in self.sim.cfg["accounts"] if a["account_id"] !=
               self.alice["account_id"]][0]
        self.assertClientError(lambda: self.client("sts", who=bob).assume_role(
            RoleArn=role_arn, RoleSessionName="ss"), "AccessDenied", 403)

    def test_sts_external_id_and_expired(self):
        iam = self.client("iam")
        trust = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root"
                                              % self.alice["account_id"]},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": "ext-123"}}}]}
        arn = iam.create_role(RoleName="ext-role",
                              AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        sts = self.client("sts")
        self.assertClientError(lambda: sts.assume_role(RoleArn=arn, RoleSessionName="aa"),
                               "AccessDenied", 403)
        self.assertClientError(lambda: sts.assume_role(RoleArn=arn, RoleSessionName="aa",
                                                       ExternalId="wrong"), "AccessDenied")
        sts.assume_role(RoleArn=arn, RoleSessionName="aa", ExternalId="ext-123")
        self.assertClientError(lambda: sts.assume_role(RoleArn=arn, RoleSessionName="aa",
                                                       ExternalId="ext-123",
                                                       DurationSeconds=7200),
                               "ValidationError", 400)
        # Already-expired credentials from the admin interface.
        st, cred = self.sim.admin("POST", "credentials", {"duration_s": -5})
        self.assertEqual(st, 200)
        self.assertClientError(lambda: self.client("sts", who=cred).get_caller_identity(),
                               "ExpiredToken", 403)
        st, _, body = self.raw_json("secretsmanager", "secretsmanager.ListSecrets", {},
                                    who=cred, token=cred["session_token"])
        self.assertEqual(json.loads(body)["__type"], "ExpiredTokenException")
        self.assertClientError(lambda: self.client("s3", who=cred).list_buckets(),
                               "ExpiredToken", 400)
        st, cred = self.sim.admin("POST", "credentials", {"duration_s": 60})
        self.assertEqual(self.client("sts", who=cred).get_caller_identity()["Arn"],
                         self.alice["principal_arn"])

    def test_sts_web_identity_unsigned(self):
        iam = self.client("iam")
        trust = {"Statement": [{"Effect": "Allow", "Principal": {
            "Federated": "arn:aws:iam::%s:oidc-provider/oidc.example.com"
                         % self.alice["account_id"]},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {"oidc.example.com:aud": "sts.amazonaws.com"}}}]}
        arn = iam.create_role(RoleName="web-role",
                              AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]

        def jwt(claims):
            enc = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).decode().rstrip("=")
            return "%s.%s.sig" % (enc({"alg": "RS256"}), enc(claims))

        tok = jwt({"iss": "https://oidc.example.com", "sub": "system:sa:app",
                   "aud": "sts.amazonaws.com", "exp": int(time.time()) + 600})
        sts = boto3.session.Session(region_name="us-east-1").client(
            "sts", endpoint_url=self.sim.https, verify=self.sim.ca,
            config=Config(signature_version=botocore.UNSIGNED,
                          retries={"total_max_attempts": 1}))
        r = sts.assume_role_with_web_identity(RoleArn=arn, RoleSessionName="pod",
                                              WebIdentityToken=tok)
        self.assertEqual(r["SubjectFromWebIdentityToken"], "system:sa:app")
        self.assertTrue(r["Credentials"]["SessionToken"])
        self.assertClientError(lambda: sts.assume_role_with_web_identity(
            RoleArn=arn, RoleSessionName="pod", WebIdentityToken="not-a-jwt"),
            "InvalidIdentityToken", 400)
        bad = jwt({"iss": "https://oidc.example.com", "sub": "x", "aud": "other"})
        self.assertClientError(lambda: sts.assume_role_with_web_identity(
            RoleArn=arn, RoleSessionName="pod", WebIdentityToken=bad), "AccessDenied", 403)

    # --- IAM ---------------------------------------------------------------------------------------
    def test_iam_roles_cli(self):
        trust = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "sts:AssumeRole"}]})
        _, out, _ = self.cli("iam", "create-role", "--role-name", "ct-role",
                             "--assume-role-policy-document", trust,
                             "--tags", "Key=team,Value=sec")
        self.assertEqual(out["Role"]["RoleName"], "ct-role")
        _, out, _ = self.cli("iam", "get-role", "--role-name", "ct-role")
        self.assertEqual(out["Role"]["AssumeRolePolicyDocument"], json.loads(trust))
        pol = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "*"}]})
        self.cli("iam", "put-role-policy", "--role-name", "ct-role", "--policy-name", "p1",
                 "--policy-document", pol)
        iam = self.client("iam")
        self.assertEqual(iam.get_role_policy(RoleName="ct-role", PolicyName="p1")
                         ["PolicyDocument"], json.loads(pol))
        iam.tag_role(RoleName="ct-role", Tags=[{"Key": "env", "Value": "test"}])
        tags = {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName="ct-role")["Tags"]}
        self.assertEqual(tags, {"team": "sec", "env": "test"})
        self.assertClientError(lambda: iam.create_role(RoleName="ct-role",
                                                       AssumeRolePolicyDocument=trust),
                               "EntityAlreadyExists", 409)
        self.assertClientError(lambda: iam.delete_role(RoleName="ct-role"), "DeleteConflict",
                               409)
        self.assertClientError(lambda: iam.create_role(RoleName="bad-doc",
                                                       AssumeRolePolicyDocument="{nope"),
                               "MalformedPolicyDocument", 400)
        trust2 = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "sts:AssumeRole", "Condition": {"StringEquals": {
                "aws:SourceArn": "arn:aws:cloudtrail:us-east-1:111122223333:trail/t"}}}]})
        iam.update_assume_role_policy(RoleName="ct-role", PolicyDocument=trust2)
        self.assertEqual(iam.get_role(RoleName="ct-role")["Role"]["AssumeRolePolicyDocument"],
                         json.loads(trust2))
        self.assertEqual(iam.list_role_policies(RoleName="ct-role")["PolicyNames"], ["p1"])
        iam.delete_role_policy(RoleName="ct-role", PolicyName="p1")
        self.assertClientError(lambda: iam.get_role_policy(RoleName="ct-role",
                                                           PolicyName="p1"), "NoSuchEntity", 404)
        iam.delete_role(RoleName="ct-role")
        rc, _, err = self.cli("iam", "get-role", "--role-name", "ct-role", check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("NoSuchEntity", err)

    # --- S3 ------------------------------------------------------------------------------------------
    def test_s3_buckets(self):
        s3 = self.client("s3")
        s3.create_bucket(Bucket="trail-bucket-1")
        self.assertClientError(lambda: s3.create_bucket(
            Bucket="trail-bucket-2", CreateBucketConfiguration={"LocationConstraint": "us-east-1"}),
            "InvalidLocationConstraint", 400)
        self.assertClientError(lambda: s3.create_bucket(
            Bucket="trail-bucket-2", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}),
            "IllegalLocationConstraintException", 400)
        eu = self.client("s3", region="eu-west-1")
        self.assertClientError(lambda: eu.create_bucket(Bucket="trail-bucket-eu"),
                               "IllegalLocationConstraintException", 400)
        eu.create_bucket(Bucket="trail-bucket-eu",
                         CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        self.assertClientError(lambda: eu.create_bucket(
            Bucket="trail-bucket-eu", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}),
            "BucketAlreadyOwnedByYou", 409)
        bob = [a for a in self.sim.cfg["accounts"] if a["account_id"] !=
               self.alice["account_id"]][0]
        self.assertClientError(lambda: self.client("s3", who=bob).create_bucket(
            Bucket="trail-bucket-1"), "BucketAlreadyExists", 409)
        s3.head_bucket(Bucket="trail-bucket-1")
        self.assertClientError(lambda: s3.head_bucket(Bucket="no-such-bucket-x"), "404", 404)
        pol = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Sid": "AWSCloudTrailWrite", "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject",
            "Resource": "arn:aws:s3:::trail-bucket-1/AWSLogs/%s/*" % self.alice["account_id"],
            "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}}]})
        s3.put_bucket_policy(Bucket="trail-bucket-1", Policy=pol)
        self.assertEqual(s3.get_bucket_policy(Bucket="trail-bucket-1")["Policy"], pol)
        self.assertClientError(lambda: s3.put_bucket_policy(Bucket="trail-bucket-1",
                                                            Policy="nope"), "MalformedPolicy")
        s3.put_public_access_block(Bucket="trail-bucket-1", PublicAccessBlockConfiguration={
            "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True})
        self.assertTrue(s3.get_public_access_block(Bucket="trail-bucket-1")
                        ["PublicAccessBlockConfiguration"]["BlockPublicPolicy"])
        s3.put_bucket_encryption(Bucket="trail-bucket-1", ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]})
        enc = s3.get_bucket_encryption(Bucket="trail-bucket-1")
        self.assertEqual(enc["ServerSideEncryptionConfiguration"]["Rules"][0]
                         ["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"], "aws:kms")
        self.assertClientError(lambda: s3.get_bucket_tagging(Bucket="trail-bucket-1"),
                               "NoSuchTagSet", 404)
        s3.put_bucket_tagging(Bucket="trail-bucket-1",
                              Tagging={"TagSet": [{"Key": "owner", "Value": "sec"}]})
        self.assertEqual(s3.get_bucket_tagging(Bucket="trail-bucket-1")["TagSet"],
                         [{"Key": "owner", "Value": "sec"}])
        out = s3.list_objects_v2(Bucket="trail-bucket-1")
        self.assertEqual(out["KeyCount"], 0)
        s3.put_object(Bucket="trail-bucket-1", Key="AWSLogs/x.json.gz", Body=b"hello")
        out = s3.list_objects_v2(Bucket="trail-bucket-1", Prefix="AWSLogs/")
        self.assertEqual([o["Key"] for o in out["Contents"]], ["AWSLogs/x.json.gz"])
        s3.put_object(Bucket="trail-bucket-1", Key="odd/a b+c%.txt", Body=b"o")
        out = s3.list_objects_v2(Bucket="trail-bucket-1", Prefix="odd/", EncodingType="url")
        self.assertEqual([o["Key"] for o in out["Contents"]], ["odd/a%20b%2Bc%25.txt"])
        _, out, _ = self.cli("s3api", "list-objects-v2", "--bucket", "trail-bucket-1",
                             "--prefix", "odd/")
        self.assertEqual([o["Key"] for o in out["Contents"]], ["odd/a b+c%.txt"])
        self.assertEqual(s3.get_object(Bucket="trail-bucket-1", Key="odd/a b+c%.txt")
                         ["Body"].read(), b"o")
        s3.delete_object(Bucket="trail-bucket-1", Key="odd/a b+c%.txt")
        self.assertEqual(s3.get_object(Bucket="trail-bucket-1", Key="AWSLogs/x.json.gz")
                         ["Body"].read(), b"hello")
        self.assertClientError(lambda: s3.delete_bucket(Bucket="trail-bucket-1"),
                               "BucketNotEmpty", 409)
        s3.put_object(Bucket="trail-bucket-1", Key="AWSLogs/y.json.gz", Body=b"y")
        out = s3.delete_objects(Bucket="trail-bucket-1", Delete={"Objects": [
            {"Key": "AWSLogs/y.json.gz"}]})
        self.assertEqual([d["Key"] for d in out["Deleted"]], ["AWSLogs/y.json.gz"])
        self.assertEqual(s3.list_objects(Bucket="trail-bucket-1")["Contents"][0]["Key"],
                         "AWSLogs/x.json.gz")
        self.assertEqual(s3.get_bucket_acl(Bucket="trail-bucket-1")["Grants"][0]["Permission"],
                         "FULL_CONTROL")
        # Presigned GET (query signature); SigV2 is refused as in newer regions.
        url = s3.generate_presigned_url("get_object", Params={
            "Bucket": "trail-bucket-1", "Key": "AWSLogs/x.json.gz"}, ExpiresIn=60)
        u = urllib.parse.urlsplit(url)
        if "AWSAccessKeyId=" in u.query:
            st, _, out = self.raw("s3", "GET", u.path, query=u.query, sign=False)
            self.assertEqual(st, 400)
            self.assertIn(b"Please use AWS4-HMAC-SHA256", out)
        s3v4 = boto3.session.Session(
            aws_access_key_id=self.alice["access_key_id"],
            aws_secret_access_key=self.alice["secret_access_key"], region_name="us-east-1"
        ).client("s3", endpoint_url=self.sim.https, verify=self.sim.ca,
                 config=Config(signature_version="s3v4"))
        url = s3v4.generate_presigned_url("get_object", Params={
            "Bucket": "trail-bucket-1", "Key": "AWSLogs/x.json.gz"}, ExpiresIn=60)
        u = urllib.parse.urlsplit(url)
        conn = http.client.HTTPSConnection(u.hostname, u.port, context=self.sim.sslctx,
                                           timeout=10)
        conn.request("GET", u.path + "?" + u.query)
        r = conn.getresponse()
        self.assertEqual((r.status, r.read()), (200, b"hello"))
        conn.close()
        # An expired presigned URL: AccessDenied "Request has expired".
        url = s3v4.generate_presigned_url("get_object", Params={
            "Bucket": "trail-bucket-1", "Key": "AWSLogs/x.json.gz"}, ExpiresIn=1)
        time.sleep(1.1)
        u = urllib.parse.urlsplit(url)
        st, _, out = self.raw("s3", "GET", u.path, query=u.query, sign=False)
        self.assertEqual(st, 403)
        self.assertIn(b"Request has expired", out)
        # The CLI lists the buckets.
        _, out, _ = self.cli("s3api", "list-buckets")
        self.assertIn("trail-bucket-1", [b["Name"] for b in out["Buckets"]])
        _, out, _ = self.cli("s3api", "get-bucket-location", "--bucket", "trail-bucket-eu")
        self.assertEqual(out["LocationConstraint"], "eu-west-1")
        # Emptied, the bucket can be deleted; then it is gone.
        s3.delete_object(Bucket="trail-bucket-1", Key="AWSLogs/x.json.gz")
        s3.delete_bucket(Bucket="trail-bucket-1")
        self.assertClientError(lambda: s3.get_bucket_policy(Bucket="trail-bucket-1"),
                               "NoSuchBucket", 404)
        self.cli("s3api", "delete-bucket", "--bucket", "trail-bucket-eu")
        self.assertClientError(lambda: s3.head_bucket(Bucket="trail-bucket-eu"), "404", 404)

    def test_s3_virtual_hosted_bucket(self):
        self.client("s3").create_bucket(Bucket="vh-bucket")
        host = "vh-bucket.localhost:%d" % self.sim.cfg["http_port"]
        st, _, body = self.raw("s3", "GET", "/", headers={"Host": host}, https=False,
                               query="list-type=2")
        self.assertEqual(st, 200, body)
        self.assertIn(b"<Name>vh-bucket</Name>", body)
        self.assertIn(b'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"', body)

    def test_s3_content_md5(self):
        self.client("s3").create_bucket(Bucket="md5-bucket")
        body = (b'<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet><Tag>'
                b'<Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>')
        h = {"x-amz-content-sha256": hashlib.sha256(body).hexdigest()}
        st, _, out = self.raw("s3", "PUT", "/md5-bucket", body=body, headers=h, query="tagging=")
        self.assertEqual(st, 400, out)
        self.assertIn(b"Missing required header for this request: Content-MD5", out)
        h["Content-MD5"] = base64.b64encode(hashlib.md5(b"other").digest()).decode()
        st, _, out = self.raw("s3", "PUT", "/md5-bucket", body=body, headers=h, query="tagging=")
        self.assertIn(b"<Code>BadDigest</Code>", out)
        h["Content-MD5"] = base64.b64encode(hashlib.md5(body).digest()).decode()
        st, _, out = self.raw("s3", "PUT", "/md5-bucket", body=body, headers=h, query="tagging=")
        self.assertEqual(st, 200, out)
        # PutBucketPolicy is accepted without Content-MD5 (S3 does not insist),
        # with the sub-resource written "?policy" as the C client does.
        pol = b'{"Version":"2012-10-17","Statement":[]}'
        st, _, out = self.raw("s3", "PUT", "/md5-bucket", body=pol, query="policy", headers={
            "x-amz-content-sha256": hashlib.sha256(pol).hexdigest()})
        self.assertEqual(st, 204 if st == 204 else 200, out)
        st, _, out = self.raw("s3", "GET", "/md5-bucket", query="policy")
        self.assertEqual((st, out), (200, pol))
        st, _, out = self.raw("s3", "PUT", "/md5-bucket", body=b"<Tagging", headers={
            "x-amz-content-sha256": hashlib.sha256(b"<Tagging").hexdigest(),
            "Content-MD5": base64.b64encode(hashlib.md5(b"<Tagging").digest()).decode()},
            query="tagging=")
        self.assertIn(b"<Code>MalformedXML</Code>", out)
        # Payload hash that does not match the body (signed as sent: plain
        # SigV4Auth keeps the header botocore's S3 signer would recompute).
        st, _, out = self.raw("s3", "PUT", "/md5-bucket", body=body, headers={
            "X-Amz-Content-SHA256": "0" * 64}, query="tagging=", signer_cls=SigV4Auth)
        self.assertIn(b"XAmzContentSHA256Mismatch", out)

    def test_s3_delete_object(self):
        s3 = self.client("s3")
        s3.create_bucket(Bucket="del-bucket")
        keys = ["AWSLogs/1/CloudTrail/us-east-1/2024/07/31/f.json.gz", "odd/a b+c%.txt"]
        for k in keys:
            s3.put_object(Bucket="del-bucket", Key=k, Body=b"x")
        # 204 for a key that exists, and the object is gone.
        out = s3.delete_object(Bucket="del-bucket", Key=keys[0])
        self.assertEqual(out["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.assertClientError(lambda: s3.get_object(Bucket="del-bucket", Key=keys[0]),
                               "NoSuchKey", 404)
        # 204 for a key that never existed, as S3 answers.
        out = s3.delete_object(Bucket="del-bucket", Key="never/there")
        self.assertEqual(out["ResponseMetadata"]["HTTPStatusCode"], 204)
        # The key single-encoded in the path, '/' kept (as the C client sends it).
        st, _, body = self.raw("s3", "DELETE", "/del-bucket/odd/a%20b%2Bc%25.txt")
        self.assertEqual((st, body), (204, b""))
        self.assertNotIn("Contents", s3.list_objects_v2(Bucket="del-bucket"))
        # A missing bucket is NoSuchBucket; another account's is AccessDenied.
        self.assertClientError(lambda: s3.delete_object(Bucket="no-such-del-bucket", Key="k"),
                               "NoSuchBucket", 404)
        bob = [a for a in self.sim.cfg["accounts"] if a["account_id"] !=
               self.alice["account_id"]][0]
        s3.put_object(Bucket="del-bucket", Key="kept", Body=b"k")
        self.assertClientError(lambda: self.client("s3", who=bob).delete_object(
            Bucket="del-bucket", Key="kept"), "AccessDenied", 403)
        self.assertEqual(s3.get_object(Bucket="del-bucket", Key="kept")["Body"].read(), b"k")
        s3.delete_object(Bucket="del-bucket", Key="kept")
        s3.delete_bucket(Bucket="del-bucket")

    def test_iam_update_assume_role_policy(self):
        iam = self.client("iam")
        trust = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "sts:AssumeRole"}]}
        iam.create_role(RoleName="uarp-role", AssumeRolePolicyDocument=json.dumps(trust))
        trust["Statement"][0]["Condition"] = {"StringEquals": {
            "aws:SourceArn": "arn:aws:cloudtrail:us-east-1:%s:trail/t" % self.alice["account_id"]}}
        out = iam.update_assume_role_policy(RoleName="uarp-role",
                                            PolicyDocument=json.dumps(trust))
        self.assertEqual(out["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertEqual(iam.get_role(RoleName="uarp-role")["Role"]["AssumeRolePolicyDocument"],
                         trust)
        # Refused documents leave the trust policy as it was.
        for doc, msg in (("{nope", "invalid Json"), ("[1]", "invalid Json"),
                         ('{"Version": "2012-10-17"}', "Syntax errors"),
                         (json.dumps({"Statement": [{"Effect": "Allow", "Action":
                                                     "sts:AssumeRole"}]}),
                          "Missing required field Principal"),
                         (json.dumps({"Statement": [{"Effect": "Allow", "Action":
                                                     "sts:AssumeRole", "Resource": "*",
                                                     "Principal": {"AWS": "*"}}]}),
                          "Has prohibited field Resource")):
            with self.subTest(doc=doc):
                self.assertClientError(lambda: iam.update_assume_role_policy(
                    RoleName="uarp-role", PolicyDocument=doc), "MalformedPolicyDocument",
                    400, msg)
        self.assertEqual(iam.get_role(RoleName="uarp-role")["Role"]["AssumeRolePolicyDocument"],
                         trust)
        self.assertClientError(lambda: iam.update_assume_role_policy(
            RoleName="no-such-role", PolicyDocument=json.dumps(trust)), "NoSuchEntity", 404)
        # Missing parameter: the query protocol's validation error.
        st, _, body = self.raw_query("iam", {"Action": "UpdateAssumeRolePolicy",
                                             "Version": "2010-05-08", "RoleName": "uarp-role"})
        self.assertEqual(st, 400, body)
        self.assertIn(b"policyDocument", body)
        iam.delete_role(RoleName="uarp-role")

    # --- SNS -------------------------------------------------------------------------------------------
    def test_sns_email_flow(self):
        sns = self.client("sns")
        arn = sns.create_topic(Name="alerts", Tags=[{"Key": "k", "Value": "v"}])["TopicArn"]
        self.assertEqual(arn, "arn:aws:sns:us-east-1:%s:alerts" % self.alice["account_id"])
        self.assertEqual(sns.create_topic(Name="alerts")["TopicArn"], arn)
        attrs = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
        self.assertEqual(attrs["Owner"], self.alice["account_id"])
        json.loads(attrs["Policy"])
        pol = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"},
            "Action": "SNS:Publish", "Resource": arn}]})
        sns.set_topic_attributes(TopicArn=arn, AttributeName="Policy", AttributeValue=pol)
        self.assertEqual(sns.get_topic_attributes(TopicArn=arn)["Attributes"]["Policy"], pol)
        self.assertClientError(lambda: sns.set_topic_attributes(
            TopicArn=arn, AttributeName="Policy", AttributeValue="{bad"), "InvalidParameter", 400)
        arn2 = sns.create_topic(Name="alerts2", Attributes={"DisplayName": "Ops"})["TopicArn"]
        self.assertEqual(sns.get_topic_attributes(TopicArn=arn2)["Attributes"]["DisplayName"],
                         "Ops")
        self.assertClientError(lambda: sns.create_topic(Name="alerts2", Attributes={
            "DisplayName": "Other"}), "InvalidParameter", 400)
        sns.delete_topic(TopicArn=arn2)
        r = sns.subscribe(TopicArn=arn, Protocol="email", Endpoint="ops@example.com")
        self.assertEqual(r["SubscriptionArn"], "pending confirmation")
        subs = sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]
        self.assertEqual(subs[0]["SubscriptionArn"], "PendingConfirmation")
        # Not delivered while pending.
        sns.publish(TopicArn=arn, Subject="early", Message="{}")
        st, mail = self.sim.admin("GET", "mail")
        self.assertNotIn("early", [m["subject"] for m in mail["mail"]])
        # ConfirmSubscription with the token SNS would have mailed.
        sns.subscribe(TopicArn=arn, Protocol="email", Endpoint="dev@example.com")
        st, subs = self.sim.admin("POST", "sns/subscriptions", {})
        tok = [s["Token"] for s in subs["subscriptions"] if s["Endpoint"] == "dev@example.com"]
        dev_arn = sns.confirm_subscription(TopicArn=arn, Token=tok[0])["SubscriptionArn"]
        self.assertTrue(dev_arn.startswith(arn + ":"))
        sns.unsubscribe(SubscriptionArn=dev_arn)
        st, out = self.sim.admin("POST", "confirm", {"email": "ops@example.com"})
        self.assertEqual(len(out["confirmed"]), 1)
        sub_arn = out["confirmed"][0]
        msg = json.dumps({"AlarmName": "secret-read", "NewStateValue": "ALARM"})
        mid = sns.publish(TopicArn=arn, Subject="ALARM: secret-read", Message=msg)["MessageId"]
        self.assertTrue(mid)
        st, mail = self.sim.admin("GET", "mail")
        got = [m for m in mail["mail"] if m["subject"] == "ALARM: secret-read"]
        self.assertEqual(len(got), 1)
        self.assertEqual(json.loads(got[0]["body"]), json.loads(msg))
        self.assertEqual(got[0]["to"], "ops@example.com")
        with open(os.path.join(self.sim.dir, "mail.spool")) as f:
            spool = f.read()
        self.assertIn("Subject: ALARM: secret-read", spool)
        self.assertIn('"AlarmName": "secret-read"', spool)
        sns.publish(TopicArn=arn, Subject="structured", MessageStructure="json",
                    Message=json.dumps({"default": "d", "email": "for email"}))
        st, mail = self.sim.admin("GET", "mail")
        self.assertEqual([m["body"] for m in mail["mail"] if m["subject"] == "structured"],
                         ["for email"])
        self.assertClientError(lambda: sns.publish(TopicArn=arn, MessageStructure="json",
                                                   Message='{"email": "x"}'), "InvalidParameter")
        _, out, _ = self.cli("sns", "list-subscriptions-by-topic", "--topic-arn", arn)
        self.assertEqual(out["Subscriptions"][0]["SubscriptionArn"], sub_arn)
        sns.tag_resource(ResourceArn=arn, Tags=[{"Key": "k2", "Value": "v2"}])
        tags = {t["Key"]: t["Value"] for t in sns.list_tags_for_resource(ResourceArn=arn)["Tags"]}
        self.assertEqual(tags, {"k": "v", "k2": "v2"})
        self.assertClientError(lambda: sns.subscribe(TopicArn=arn, Protocol="pigeon",
                                                     Endpoint="x"), "InvalidParameter")
        self.assertClientError(lambda: sns.create_topic(Name="bad name!"), "InvalidParameter")
        sns.unsubscribe(SubscriptionArn=sub_arn)
        self.assertEqual(sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"], [])
        sns.delete_topic(TopicArn=arn)
        self.assertClientError(lambda: sns.get_topic_attributes(TopicArn=arn), "NotFound", 404)

    # --- faults -------------------------------------------------------------------------------------------
    def test_fault_throttle_and_5xx(self):
        self.sim.admin("POST", "fault", {"service": "cloudtrail", "operation": "LookupEvents",
                                         "kind": "throttle", "count": 1})
        ct = self.client("cloudtrail")
        r = self.assertClientError(lambda: ct.lookup_events(), "ThrottlingException", 400,
                                   "Rate exceeded")
        del r
        self.sim.admin("POST", "fault", {"service": "sts", "kind": "throttle"})
        self.assertClientError(lambda: self.client("sts").get_caller_identity(), "Throttling",
                               400)
        self.sim.admin("POST", "fault", {"service": "s3", "kind": "throttle"})
        self.assertClientError(lambda: self.client("s3").list_buckets(), "SlowDown", 503)
        self.sim.admin("POST", "fault", {"service": "sts", "kind": "500"})
        self.assertClientError(lambda: self.client("sts").get_caller_identity(),
                               "InternalFailure", 500)
        self.sim.admin("POST", "fault", {"service": "sts", "kind": "503"})
        self.assertClientError(lambda: self.client("sts").get_caller_identity(),
                               "ServiceUnavailable", 503)
        # count exhausted: works again; account filter applies to that account only.
        self.client("sts").get_caller_identity()
        bob = [a for a in self.sim.cfg["accounts"] if a["account_id"] !=
               self.alice["account_id"]][0]
        self.sim.admin("POST", "fault", {"service": "sts", "kind": "500", "count": 2,
                                         "account": bob["account_id"]})
        self.client("sts").get_caller_identity()
        self.assertClientError(lambda: self.client("sts", who=bob).get_caller_identity(),
                               "InternalFailure", 500)
        st, out = self.sim.admin("GET", "fault")
        self.assertEqual(out["faults"][0]["remaining"], 1)
        st, out = self.sim.admin("DELETE", "fault")
        self.assertEqual(out["faults"], [])
        self.client("sts", who=bob).get_caller_identity()
        st, out = self.sim.admin("POST", "fault", {"kind": "nonsense"})
        self.assertEqual(st, 400)

    def test_fault_delay_reset_malformed_truncated_content_type(self):
        sts = self.client("sts")
        self.sim.admin("POST", "fault", {"service": "sts", "kind": "delay", "delay_s": 0.6})
        t0 = time.monotonic()
        sts.get_caller_identity()
        self.assertGreaterEqual(time.monotonic() - t0, 0.55)
        self.sim.admin("POST", "fault", {"service": "sts", "kind": "reset"})
        with self.assertRaises(Exception) as cm:
            self.client("sts").get_caller_identity()
        self.assertNotIsInstance(cm.exception, ClientError)
        # The call behind a reset was performed; only its answer was lost.
        sns = self.client("sns")
        self.sim.admin("POST", "fault", {"service": "sns", "operation": "CreateTopic",
                                         "kind": "reset"})
        self.assertRaises(Exception, sns.create_topic, Name="lost-answer")
        self.assertIn("lost-answer", [t["TopicArn"].rsplit(":", 1)[1]
                                      for t in sns.list_topics()["Topics"]])
        self.sim.admin("POST", "fault", {"service": "sts", "kind": "malformed"})
        st, h, body = self.raw_query("sts", {"Action": "GetCallerIdentity"})
        self.assertEqual(st, 200)
        self.assertRaises(ET.ParseError, ET.fromstring, body)
        self.sim.admin("POST", "fault", {"service": "secretsmanager", "kind": "malformed"})
        st, _, body = self.raw_json("secretsmanager", "secretsmanager.ListSecrets", {})
        self.assertRaises(ValueError, json.loads, body)
        self.sim.admin("POST", "fault", {"service": "sts", "kind": "truncated"})
        with self.assertRaises(http.client.IncompleteRead):
            self.raw_query("sts", {"Action": "GetCallerIdentity"})
        self.sim.admin("POST", "fault", {"service": "sts", "kind": "content_type"})
        st, h, body = self.raw_query("sts", {"Action": "GetCallerIdentity"})
        self.assertEqual(st, 200)
        self.assertTrue(h["Content-Type"].startswith("text/html"))
        # Everything is normal again.
        self.assertEqual(sts.get_caller_identity()["Account"], self.alice["account_id"])

    def test_fault_skew(self):
        self.sim.admin("POST", "fault", {"service": "secretsmanager", "kind": "skew",
                                         "offset_s": 900, "count": 2})
        st, h, body = self.raw_json("secretsmanager", "secretsmanager.ListSecrets", {})
        self.assertEqual(st, 400)
        self.assertIn("Signature expired", json.loads(body)["message"])
        server_time = email.utils.parsedate_to_datetime(h["Date"]).timestamp()
        self.assertAlmostEqual(server_time - time.time(), 900, delta=5)
        # A client that corrects its clock from Date passes while the offset lasts.
        st, _, body = self.raw_json("secretsmanager", "secretsmanager.ListSecrets", {},
                                    skew_s=900)
        self.assertEqual(st, 200, body)

    def test_modelled_error_message_key(self):
        st, h, body = self.raw_json("secretsmanager", "secretsmanager.DescribeSecret",
                                    {"SecretId": "no/such/secret"})
        err = json.loads(body)
        self.assertEqual((st, err["__type"]), (400, "ResourceNotFoundException"))
        self.assertIn("Message", err)
        self.assertTrue(h["x-amzn-ErrorType"].startswith("ResourceNotFoundException:"))
        st, _, body = self.raw_json("secretsmanager", "secretsmanager.ListSecrets", {},
                                    secret="q" * 40)
        self.assertIn("message", json.loads(body))

    def test_handler_exception_becomes_internal_failure(self):
        # In-process simulator with a service whose handler crashes.
        sys.path.insert(0, HERE)
        import server

        class Crashy:
            def __init__(self, world):
                pass

            def handle(self, ctx, operation, params):
                if operation == "GetCallerIdentity":
                    raise RuntimeError("boom")
                return {}

            def reset(self):
                pass

        d = tempfile.mkdtemp(prefix="awssim-inproc-")
        stderr = sys.stderr
        try:
            sim = server.Simulator(d)
            sim.world.register("sts", Crashy(sim.world))
            sim.start()
            sys.stderr = open(os.devnull, "w")   # the traceback is expected
            try:
                c = self.client("sts", endpoint="http://127.0.0.1:%d" % sim.config["http_port"])
                self.assertClientError(c.get_caller_identity, "InternalFailure", 500)
                self.assertClientError(c.get_caller_identity, "InternalFailure", 500)
                self.assertEqual(c.get_session_token(), {"ResponseMetadata": mock.ANY})
            finally:
                sys.stderr.close()
                sys.stderr = stderr
                sim.stop()
        finally:
            shutil.rmtree(d, ignore_errors=True)

    # --- admin ---------------------------------------------------------------------------------------------
    def test_requests_counters_and_tls_handshakes(self):
        st, before = self.sim.admin("GET", "requests")
        sts = self.client("sts")
        sts.get_caller_identity()
        sts.get_caller_identity()   # same connection (keep-alive)
        st, after = self.sim.admin("GET", "requests", https=True)
        self.assertEqual(after["tls_handshakes"] - before["tls_handshakes"], 2)  # + admin conn
        self.assertGreaterEqual(after["services"]["sts"]["operations"]["GetCallerIdentity"] -
                                before.get("services", {}).get("sts", {}).get("operations", {})
                                .get("GetCallerIdentity", 0), 2)
        self.assertIn(self.alice["account_id"], after["accounts"])
        self.assertGreater(after["connections"], before["connections"])
        # The request log tells reads from mutating calls.
        self.sim.admin("DELETE", "requests")
        sts.get_caller_identity()
        self.client("sns").create_topic(Name="log-check")
        st, out = self.sim.admin("GET", "requests")
        self.assertEqual([(e["operation"], e["read_only"]) for e in out["log"]],
                         [("GetCallerIdentity", True), ("CreateTopic", False)])
        self.assertEqual(out["mutating"], 1)
        self.assertEqual(out["log"][1]["principal_arn"], self.alice["principal_arn"])
        st, out = self.sim.admin("GET", "requests?log=0")
        self.assertIsNone(out["log"])
        st, out = self.sim.admin("GET", "nope")
        self.assertEqual(st, 404)
        st, out = self.sim.admin("POST", "tick", {"evaluate_alarms": True})
        self.assertEqual(st, 200)
        self.assertIn("ran", out)

    def test_keepalive_requests_are_not_delayed(self):
        # 50 calls on one kept-alive TLS connection: no 40 ms Nagle/delayed-ACK
        # stall per response (it would take over 2 s).
        sts = self.client("sts")
        sts.get_caller_identity()
        st, before = self.sim.admin("GET", "requests?log=0")
        t0 = time.monotonic()
        for _ in range(50):
            sts.get_caller_identity()
        self.assertLess(time.monotonic() - t0, 1.5)
        st, after = self.sim.admin("GET", "requests?log=0")
        self.assertEqual(after["tls_handshakes"], before["tls_handshakes"])

    def test_zz_reset(self):
        sns = self.client("sns")
        sns.create_topic(Name="to-be-reset")
        st, out = self.sim.admin("POST", "reset")
        self.assertEqual(st, 200)
        self.assertEqual(sns.list_topics()["Topics"], [])
        st, out = self.sim.admin("GET", "requests")
        self.assertLessEqual(out["total"], 1)
        st, mail = self.sim.admin("GET", "mail")
        self.assertEqual(mail["mail"], [])


@unittest.skipUnless(HAVE_BOTO, "python3-botocore/boto3 missing")
class AccountsFileTest(unittest.TestCase):
    """--accounts replaces the built-in principals; bad files are refused."""

    def test_accounts_file(self):
        d = tempfile.mkdtemp(prefix="awssim-accts-")
        try:
            path = os.path.join(d, "accounts.json")
            with open(path, "w") as f:
                json.dump([{"account_id": "210987654321", "access_key_id": "AKIACUSTOMKEY0000001",
                            "secret_access_key": "c" * 40, "name": "carol",
                            "principal_arn": "arn:aws:iam::210987654321:user/carol"},
                           {"account_id": "210987654321", "access_key_id": "AKIACUSTOMKEY0000002",
                            "secret_access_key": "d" * 40,
                            "principal_arn": "arn:aws:sts::210987654321:assumed-role/r/s"}], f)
            sim = Sim(["--accounts", path, "--idle-timeout", "5"])
            try:
                self.assertEqual([a["name"] for a in sim.cfg["accounts"]], ["carol", "r"])
                for a, arn in ((sim.cfg["accounts"][0], "arn:aws:iam::210987654321:user/carol"),
                               (sim.cfg["accounts"][1],
                                "arn:aws:sts::210987654321:assumed-role/r/s")):
                    c = boto3.session.Session(
                        aws_access_key_id=a["access_key_id"],
                        aws_secret_access_key=a["secret_access_key"], region_name="us-east-1"
                    ).client("sts", endpoint_url=sim.https, verify=sim.ca)
                    self.assertEqual(c.get_caller_identity()["Arn"], arn)
            finally:
                self.assertEqual(sim.stop(), 0)
            with open(path, "w") as f:
                f.write("[{}]")
            p = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "awssim"), "--dir", d,
                                "--accounts", path], capture_output=True, timeout=30)
            self.assertEqual(p.returncode, 2)
            self.assertIn(b"--accounts", p.stderr)
        finally:
            shutil.rmtree(d, ignore_errors=True)


@unittest.skipUnless(HAVE_BOTO, "python3-botocore/boto3 missing")
class ProtocolTest(unittest.TestCase):
    """protocol.py alone: parsing, validation and rendering without a server."""

    @classmethod
    def setUpClass(cls):
        sys.path.insert(0, HERE)
        import protocol
        cls.P = protocol

    def test_query_input_nested_lists_and_maps(self):
        P = self.P
        op = P.model_for("monitoring").operation_model("GetMetricData")
        params = {"StartTime": "2026-11-27T09:00:00Z", "EndTime": "1795770000"}
        for i in range(1, 501):
            b = "MetricDataQueries.member.%d" % i
            params[b + ".Id"] = "m%d" % i
            params[b + ".MetricStat.Metric.MetricName"] = "Reads"
            params[b + ".MetricStat.Metric.Dimensions.member.1.Name"] = "Secret"
            params[b + ".MetricStat.Metric.Dimensions.member.1.Value"] = "s%d" % i
            params[b + ".MetricStat.Period"] = "60"
            params[b + ".MetricStat.Stat"] = "Sum"
        probs = P.Problems()
        t0 = time.monotonic()
        out = P.query_input(op.input_shape, params, "", probs)
        self.assertLess(time.monotonic() - t0, 1.0)
        self.assertEqual(probs.items, [])
        self.assertEqual(len(out["MetricDataQueries"]), 500)
        self.assertEqual(out["MetricDataQueries"][499]["MetricStat"]["Metric"]["Dimensions"],
                         [{"Name": "Secret", "Value": "s500"}])
        self.assertEqual(out["MetricDataQueries"][0]["MetricStat"]["Period"], 60)
        self.assertEqual(out["StartTime"], P.parse_timestamp("2026-11-27T09:00:00Z"))
        self.assertEqual(out["EndTime"], 1795770000.0)
        # A map (SNS attributes: entry.N.key/value) and an empty list.
        op = P.model_for("sns").operation_model("CreateTopic")
        out = P.query_input(op.input_shape, {
            "Name": "t", "Attributes.entry.1.key": "DisplayName",
            "Attributes.entry.1.value": "Ops", "Tags": ""}, "", P.Problems())
        self.assertEqual(out, {"Name": "t", "Attributes": {"DisplayName": "Ops"}, "Tags": []})
        # A bad integer is a type problem.
        probs = P.Problems()
        op = P.model_for("iam").operation_model("CreateRole")
        P.query_input(op.input_shape, {"RoleName": "r", "AssumeRolePolicyDocument": "{}",
                                       "MaxSessionDuration": "lots"}, "", probs)
        self.assertEqual([k for k, _, _ in probs.items], ["type"])

    def test_json_validation_messages(self):
        P = self.P
        op = P.model_for("cloudtrail").operation_model("LookupEvents")
        probs = P.Problems()
        out = P.json_input(op.input_shape, {"LookupAttributes": [{"AttributeKey": "Nope"}],
                                            "MaxResults": 51, "StartTime": 1.5e9}, "", probs)
        self.assertEqual(probs.items, [])
        self.assertEqual(out["StartTime"], 1.5e9)
        P.check_required(op.input_shape, out, "", probs)
        msg = P.validation_message(probs.items)
        self.assertTrue(msg.startswith("3 validation errors detected: "), msg)
        self.assertIn("Value null at 'lookupAttributes.1.member.attributeValue' failed to "
                      "satisfy constraint: Member must not be null", msg)
        self.assertIn("Value '51' at 'maxResults' failed to satisfy constraint: Member must "
                      "have value less than or equal to 50", msg)
        for bad, kind in (({"MaxResults": "x"}, "type"), ({"StartTime": [1]}, "type"),
                          ({"Bogus": 1}, "unknown"), ({"LookupAttributes": {}}, "type")):
            probs = P.Problems()
            P.json_input(op.input_shape, bad, "", probs)
            self.assertEqual([k for k, _, _ in probs.items], [kind], bad)

    def test_rendering(self):
        P = self.P
        m = P.model_for("sts")
        body = P.query_response(m, m.operation_model("GetCallerIdentity"),
                                {"Arn": "a&b", "Account": "1", "UserId": "u"}, "rid")
        root = ET.fromstring(body)
        ns = "{https://sts.amazonaws.com/doc/2011-06-15/}"
        self.assertEqual(root.tag, ns + "GetCallerIdentityResponse")
        self.assertEqual(root.find(ns + "GetCallerIdentityResult/" + ns + "Arn").text, "a&b")
        self.assertEqual(root.find(ns + "ResponseMetadata/" + ns + "RequestId").text, "rid")
        cw = P.model_for("monitoring")
        body = P.query_response(cw, cw.operation_model("GetMetricData"), {
            "MetricDataResults": [{"Id": "m1", "Timestamps": [1795770000.5], "Values": [1.0],
                                   "StatusCode": "Complete"}]}, "r")
        self.assertIn(b"<Timestamps><member>2026-11-27T09:00:00.500Z</member></Timestamps>",
                      body)
        self.assertIn(b"<Values><member>1.0</member></Values>", body)
        self.assertEqual(P.json_output(cw.operation_model("GetMetricData").output_shape, {
            "MetricDataResults": [{"Timestamps": [datetime.datetime(2026, 11, 27, 8, 20)]}]}),
            {"MetricDataResults": [{"Timestamps": [1795767600]}]})
        self.assertIn(b"<ErrorResponse xmlns=\"x\"><Error><Type>Receiver</Type>",
                      P.query_error("x", "InternalFailure", "m", "r", sender=False))
        self.assertIn(b"<BucketName>b</BucketName>",
                      P.s3_error("NoSuchBucket", "m", "r", {"BucketName": "b"}))
        for bad in ("", "2026-13-45", "yesterday", True):
            self.assertRaises(ValueError, P.parse_timestamp, bad)
        self.assertEqual(P.parse_timestamp("2026-11-27T09:00:00+01:00"),
                         P.parse_timestamp("2026-11-27T08:00:00Z"))


    def test_model_patch_adds_operations(self):
        P = self.P
        self.assertNotIn("AwssimPing", P.model_for("sns").operation_names)
        self.addCleanup(lambda: (P._patches.pop("sns", None), P._models.pop("sns", None)))
        P.register_model_patch("sns", {
            "operations": {"AwssimPing": {"name": "AwssimPing", "input": {
                "shape": "AwssimPingInput"}, "http": {"method": "POST", "requestUri": "/"}}},
            "shapes": {"AwssimPingInput": {"type": "structure", "required": ["Word"],
                                           "members": {"Word": {"shape": "String"}}}}})
        op = P.model_for("sns").operation_model("AwssimPing")
        probs = P.Problems()
        P.check_required(op.input_shape, {}, "", probs)
        self.assertEqual([k for k, _, _ in probs.items], ["missing"])

    def test_render_round_trips_real_fixtures(self):
        # Our renderer, fed botocore's expected parse of a real AWS response,
        # must produce bytes botocore parses back to the same thing.
        base = os.path.join(os.environ.get("SW_TESTDATA") or "/work/shared/testdata",
                            "aws-responses")
        if not os.path.isdir(base):
            self.skipTest("real AWS fixtures absent (SW_TESTDATA)")
        from botocore import parsers
        P = self.P

        def norm(v):
            if isinstance(v, dict):
                return {k: norm(x) for k, x in v.items() if k != "ResponseMetadata"}
            if isinstance(v, list):
                return [norm(x) for x in v]
            if isinstance(v, datetime.datetime):
                return P.to_epoch(v)
            if isinstance(v, str) and re.match(r"^\d{4}-\d\d-\d\dT[\d:.]+Z$", v):
                return P.parse_timestamp(v)
            return v

        for svc, opname, stem in (("sns", "CreateTopic", "sns/create-topic"),
                                  ("sns", "Publish", "sns/publish"),
                                  ("sns", "Subscribe", "sns/subscribe.pending"),
                                  ("sts", "GetSessionToken", "sts/get-session-token"),
                                  ("s3", "ListBuckets", "s3/list-buckets")):
            with open(os.path.join(base, stem + ".expected.json")) as f:
                expected = json.load(f)
            model = P.model_for(svc)
            op = model.operation_model(opname)
            data = {k: v for k, v in expected.items() if k != "ResponseMetadata"}
            if svc == "s3":
                status, headers, body = P.s3_response(op, data)
            else:
                status, headers, body = 200, {}, P.query_response(model, op, data, "rid")
            parser = parsers.create_parser(model.metadata["protocol"])
            parsed = parser.parse({"body": body, "headers": headers, "status_code": status},
                                  op.output_shape)
            self.assertEqual(norm(parsed), norm(expected), stem)
        for svc, stem in (("iam", "iam/error-no-such-entity"), ("sns", "sns/error-invalid-parameter"),
                          ("sts", "sts/error-access-denied"), ("s3", "s3/error-access-denied"),
                          ("s3", "s3/error-bucket-already-owned-by-you")):
            with open(os.path.join(base, stem + ".expected.json")) as f:
                err = json.load(f)["Error"]
            model = P.model_for(svc)
            extra = {k: v for k, v in err.items() if k not in ("Code", "Message", "Type")}
            if svc == "s3":
                body = P.s3_error(err["Code"], err["Message"], "rid", extra)
            else:
                body = P.query_error(model.metadata["xmlNamespace"], err["Code"],
                                     err["Message"], "rid", err.get("Type") != "Receiver")
            parser = parsers.create_parser(model.metadata["protocol"])
            parsed = parser.parse({"body": body, "headers": {}, "status_code": 400}, None)
            for k, v in err.items():
                self.assertEqual(parsed["Error"].get(k), v, (stem, k))


@unittest.skipUnless(HAVE_BOTO, "python3-botocore/boto3 missing")
class InWorldTest(unittest.TestCase):
    """The cross-service interfaces other modules call without HTTP."""

    def setUp(self):
        sys.path.insert(0, HERE)
        import world as W
        import svc_iam
        import svc_s3
        import svc_sns
        self.W = W
        self.dir = tempfile.mkdtemp(prefix="awssim-world-")
        self.world = W.World(self.dir)
        for mod in (svc_iam, svc_s3, svc_sns):
            self.world.register(mod.SIGNING_NAME, mod.Service(self.world))
        self.ctx = W.Ctx.for_principal(self.world.accounts[0], region="us-east-1")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_role_usable_after_propagation(self):
        iam = self.world.service("iam")
        self.world.delays["iam_role_propagation"] = 0.3
        arn = iam.handle(self.ctx, "CreateRole", {
            "RoleName": "ct", "AssumeRolePolicyDocument": '{"Statement": []}'})["Role"]["Arn"]
        self.assertFalse(iam.role_usable(arn))
        self.assertTrue(iam.role_usable("arn:aws:iam::%s:role/app-server"
                                        % self.ctx.account_id))
        self.assertFalse(iam.role_usable(arn + "-missing"))
        time.sleep(0.35)
        self.assertTrue(iam.role_usable(arn))

    def test_bucket_policy_and_publish(self):
        s3 = self.world.service("s3")
        s3.handle(self.ctx, "CreateBucket", {"Bucket": "trail-logs"})
        self.assertIsNone(s3.bucket_policy("trail-logs"))
        s3.handle(self.ctx, "PutBucketPolicy", {"Bucket": "trail-logs",
                                                "Policy": '{"Statement": []}'})
        self.assertEqual(s3.bucket_policy("trail-logs"), '{"Statement": []}')
        self.assertIsNone(s3.bucket_policy("nope"))
        sns = self.world.service("sns")
        arn = sns.handle(self.ctx, "CreateTopic", {"Name": "alarms"})["TopicArn"]
        sns.handle(self.ctx, "Subscribe", {"TopicArn": arn, "Protocol": "email",
                                           "Endpoint": "a@example.com"})
        self.assertIsNotNone(sns.publish(arn, "ALARM: x", '{"n": 1}'))
        self.assertEqual(self.world.mail, [])
        self.assertEqual(len(sns.confirm("a@example.com")), 1)
        sns.publish(arn, "ALARM: x", '{"n": 2}')
        self.assertIsNone(sns.publish(arn + "-missing", "s", "m"))
        self.assertEqual([json.loads(m["body"]) for m in self.world.mail], [{"n": 2}])
        with open(os.path.join(self.dir, "mail.spool")) as f:
            spool = f.read()
        self.assertTrue(spool.startswith("From "))
        self.assertIn("To: a@example.com\n", spool)
        self.world.reset()
        self.assertEqual(self.world.mail, [])
        self.assertIsNone(s3.bucket("trail-logs"))

    def test_trail_log_files_are_plain_objects(self):
        """Log files a trail writes (svc_cloudtrail calls put_object) are
        listed and deleted like any object; then the bucket can go."""
        import gzip
        from errors import AwsError
        s3 = self.world.service("s3")
        s3.handle(self.ctx, "CreateBucket", {"Bucket": "trail-files"})
        key = "AWSLogs/%s/CloudTrail/us-east-1/2024/07/31/%s_CloudTrail_us-east-1_" \
              "20240731T1200Z_0123456789abcdef.json.gz" % (self.ctx.account_id,
                                                           self.ctx.account_id)
        self.assertTrue(s3.put_object("trail-files", key, gzip.compress(b'{"Records":[]}'),
                                      "application/x-gzip"))
        self.assertFalse(s3.put_object("no-such-bucket", key, b""))
        out = s3.handle(self.ctx, "ListObjectsV2", {"Bucket": "trail-files"})
        self.assertEqual([c["Key"] for c in out["Contents"]], [key])
        with self.assertRaises(AwsError) as cm:
            s3.handle(self.ctx, "DeleteBucket", {"Bucket": "trail-files"})
        self.assertEqual(cm.exception.code, "BucketNotEmpty")
        s3.handle(self.ctx, "DeleteObject", {"Bucket": "trail-files", "Key": key})
        s3.handle(self.ctx, "DeleteObject", {"Bucket": "trail-files", "Key": key})
        s3.handle(self.ctx, "DeleteBucket", {"Bucket": "trail-files"})
        self.assertIsNone(s3.bucket("trail-files"))

    def test_scheduler_and_principals(self):
        ran = []
        self.world.schedule(self.world.now() - 1, ran.append, 1)
        self.world.schedule(self.world.now() + 60, ran.append, 2)
        self.assertEqual(self.world.tick()["ran"], 1)
        self.assertEqual(ran, [1])
        self.assertEqual(self.world.pending(), 1)
        p = self.world.principal_for("AKIAAWSSIMINTRUDER01")
        self.assertEqual(p.user_name, "intruder")
        p = self.world.principal_for("arn:aws:iam::111122223333:role/app-server")
        self.assertEqual(p.principal_type, "AssumedRole")
        self.assertIsNone(self.world.principal_for("garbage"))


if __name__ == "__main__":
    unittest.main()
