"""Pagination tokens that stop being honoured (admin action "tokens" of
cloudtrail and logs), driven with boto3 and /usr/bin/aws: a token keeps working
with the same parameters when no fault is set, a token reused with other
parameters fails as AWS fails it, and with the fault set the next N uses of any
token fail with the service's real error (CloudTrail LookupEvents:
InvalidNextTokenException 400; Logs FilterLogEvents: InvalidParameterException
400 "The specified nextToken is invalid.").

Run: cd tests/awssim && /usr/bin/python3 -m unittest -v test_tokens"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import swharness  # noqa: E402  (start_awssim, stop_process)

try:
    import boto3
    from botocore.config import Config
    from botocore.exceptions import ClientError
    HAVE_BOTO = True
except ImportError:   # pragma: no cover - Debian package absent
    HAVE_BOTO = False

if not HAVE_BOTO and __name__ == "__main__":
    sys.exit(77)

AWS_CLI = "/usr/bin/aws"
ALICE_ACCT, BOB_ACCT = "111122223333", "444455556666"
# LookupEvents allows 2 requests/s per account: pace our own calls.
PACE_S = 0.55


@unittest.skipUnless(HAVE_BOTO, "python3-botocore/boto3 missing")
class TokenFaultTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="awssim-tokens-")
        cls.proc, cls.cfg = swharness.start_awssim(
            os.path.join(cls.dir, "sim"), os.path.join(cls.dir, "sim.log"))
        cls.alice = cls.cfg["accounts"][0]
        cfg = Config(retries={"max_attempts": 6, "mode": "standard"})

        def client(svc):
            return boto3.client(
                svc, region_name="us-east-1", config=cfg,
                endpoint_url=cls.cfg["endpoint_https"], verify=cls.cfg["ca_file"],
                aws_access_key_id=cls.alice["access_key_id"],
                aws_secret_access_key=cls.alice["secret_access_key"])
        cls.ct, cls.logs = client("cloudtrail"), client("logs")
        sm = client("secretsmanager")
        sm.create_secret(Name="tok/secret", SecretString="x")
        sm.close()
        cls.admin("delays", {"cloudtrail_delivery": 0})
        r = cls.admin("read", {"secret": "tok/secret", "principal": "intruder",
                               "count": 120, "event_time": time.time() - 60})
        assert r["count"] == 120, r
        cls.admin("tick", {"evaluate_alarms": False})
        now = time.time()
        cls.window = dict(StartTime=now - 3600, EndTime=now + 5, MaxResults=50,
                          LookupAttributes=[{"AttributeKey": "EventName",
                                             "AttributeValue": "GetSecretValue"}])

    @classmethod
    def tearDownClass(cls):
        cls.ct.close()
        cls.logs.close()
        swharness.stop_process(cls.proc)
        shutil.rmtree(cls.dir, ignore_errors=True)

    @classmethod
    def admin(cls, path, body=None):
        req = urllib.request.Request(cls.cfg["endpoint_http"] + "/_awssim/" + path,
                                     data=json.dumps(body or {}).encode(), method="POST")
        with urllib.request.urlopen(req, timeout=20) as r:
            return json.loads(r.read() or b"{}")

    def lookup(self, **kw):
        time.sleep(PACE_S)
        return self.ct.lookup_events(**dict(self.window, **kw))

    def assert_ct_refused(self, **kw):
        with self.assertRaises(ClientError) as cm:
            self.lookup(**kw)
        e = cm.exception.response
        self.assertEqual(e["Error"]["Code"], "InvalidNextTokenException")
        self.assertEqual(e["ResponseMetadata"]["HTTPStatusCode"], 400)

    def tearDown(self):
        for svc in ("cloudtrail", "logs"):
            self.admin(svc + "/tokens", {"invalidate": 0})

    # ------------------------------------------------------------ CloudTrail
    def test_1_lookup_token_stateless_without_fault(self):
        first = self.lookup()
        self.assertEqual(len(first["Events"]), 50)
        token = first["NextToken"]
        second = self.lookup(NextToken=token)
        again = self.lookup(NextToken=token)   # reusable, same parameters, same page
        self.assertEqual([e["EventId"] for e in second["Events"]],
                         [e["EventId"] for e in again["Events"]])
        self.assertFalse({e["EventId"] for e in first["Events"]} &
                         {e["EventId"] for e in second["Events"]})
        # other parameters: refused as AWS refuses it, fault or not
        self.assert_ct_refused(NextToken=token, EndTime=self.window["EndTime"] + 1)
        self.assert_ct_refused(NextToken=token, LookupAttributes=[
            {"AttributeKey": "Username", "AttributeValue": "intruder"}])
        self.assertEqual(self.admin("cloudtrail/tokens")["refused"], 0)

    def test_2_lookup_token_invalidated(self):
        first = self.lookup()
        token = first["NextToken"]
        want = [e["EventId"] for e in self.lookup(NextToken=token)["Events"]]
        # another account's fault leaves alice's tokens alone
        st = self.admin("cloudtrail/tokens", {"invalidate": 1, "account": BOB_ACCT})
        self.assertEqual(st["invalidate_remaining"], 1)
        self.assertEqual([e["EventId"] for e in self.lookup(NextToken=token)["Events"]],
                         want)
        st = self.admin("cloudtrail/tokens", {"invalidate": 2,
                                              "account": ALICE_ACCT})
        self.assertEqual((st["invalidate_remaining"], st["account"]), (2, ALICE_ACCT))
        # a request without a token is not a token use
        self.assertEqual(len(self.lookup()["Events"]), 50)
        self.assertEqual(self.admin("cloudtrail/tokens")["invalidate_remaining"], 2)
        self.assert_ct_refused(NextToken=token)
        # also a token issued after the fault was set
        fresh = self.lookup()["NextToken"]
        self.assert_ct_refused(NextToken=fresh)
        st = self.admin("cloudtrail/tokens")
        self.assertEqual((st["invalidate_remaining"], st["refused"]), (0, 2))
        # fault used up: the same token works again, same page
        self.assertEqual([e["EventId"] for e in self.lookup(NextToken=token)["Events"]],
                         want)
        c = self.admin_get("requests?log=0")
        self.assertGreaterEqual(c["errors"].get("InvalidNextTokenException", 0), 2)

    def test_3_cli_pagination_cut(self):
        """The AWS CLI's own paginator meets the refused token on page 2."""
        self.admin("cloudtrail/tokens", {"invalidate": 1})
        env = dict(os.environ, AWS_ACCESS_KEY_ID=self.alice["access_key_id"],
                   AWS_SECRET_ACCESS_KEY=self.alice["secret_access_key"],
                   AWS_DEFAULT_REGION="us-east-1", AWS_CA_BUNDLE=self.cfg["ca_file"],
                   AWS_MAX_ATTEMPTS="6", AWS_RETRY_MODE="standard",
                   AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null",
                   HOME=self.dir)
        env.pop("AWS_PROFILE", None)
        argv = [AWS_CLI, "--endpoint-url", self.cfg["endpoint_https"], "cloudtrail",
                "lookup-events", "--lookup-attributes",
                "AttributeKey=EventName,AttributeValue=GetSecretValue",
                "--start-time", str(int(self.window["StartTime"])),
                "--end-time", str(int(self.window["EndTime"])), "--output", "json"]
        time.sleep(1.0)
        r = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
        self.assertNotEqual(r.returncode, 0, r.stdout[-500:])
        self.assertIn("InvalidNextTokenException", r.stderr)
        self.assertIn("LookupEvents", r.stderr)
        time.sleep(1.0)
        r = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr[-800:])
        self.assertEqual(len(json.loads(r.stdout)["Events"]), 120)

    # ------------------------------------------------------------ Logs
    def test_4_filter_log_events_tokens(self):
        ct_refused = self.admin("cloudtrail/tokens")["refused"]
        self.logs.create_log_group(logGroupName="tok-group")
        self.logs.create_log_stream(logGroupName="tok-group", logStreamName="s")
        t0 = int(time.time() * 1000) - 60000
        self.logs.put_log_events(logGroupName="tok-group", logStreamName="s", logEvents=[
            {"timestamp": t0 + i, "message": "event %d" % i} for i in range(30)])
        win = dict(logGroupName="tok-group", startTime=t0 - 1, endTime=t0 + 100, limit=10)
        first = self.logs.filter_log_events(**win)
        token = first["nextToken"]
        want = [e["eventId"] for e in self.logs.filter_log_events(
            nextToken=token, **win)["events"]]
        self.assertEqual(len(want), 10)
        self.assertFalse({e["eventId"] for e in first["events"]} & set(want))

        def refused(**kw):
            with self.assertRaises(ClientError) as cm:
                self.logs.filter_log_events(**dict(win, **kw))
            e = cm.exception.response
            self.assertEqual(e["Error"]["Code"], "InvalidParameterException")
            self.assertEqual(e["Error"]["Message"], "The specified nextToken is invalid.")
            self.assertEqual(e["ResponseMetadata"]["HTTPStatusCode"], 400)
        refused(nextToken=token, endTime=t0 + 50)      # other parameters
        refused(nextToken=token, filterPattern="event")
        self.assertEqual(self.admin("logs/tokens")["refused"], 0)
        st = self.admin("logs/tokens", {"invalidate": 2, "account": ALICE_ACCT})
        self.assertEqual(st["invalidate_remaining"], 2)
        self.assertEqual(len(self.logs.filter_log_events(**win)["events"]), 10)
        refused(nextToken=token)
        refused(nextToken=token)
        st = self.admin("logs/tokens")
        self.assertEqual((st["invalidate_remaining"], st["refused"]), (0, 2))
        self.assertEqual([e["eventId"] for e in self.logs.filter_log_events(
            nextToken=token, **win)["events"]], want)
        # LookupEvents is a separate fault
        self.assertEqual(self.admin("cloudtrail/tokens")["refused"], ct_refused)

    def test_5_admin_validation(self):
        for bad in ({"invalidate": "x"}, {"invalidate": 1.5}, {"invalidate": True},
                    {"invalidate": 1, "account": 7}):
            for svc in ("cloudtrail", "logs"):
                with self.assertRaises(urllib.error.HTTPError) as cm:
                    self.admin(svc + "/tokens", bad)
                self.assertEqual(cm.exception.code, 400, (svc, bad))
        st = self.admin("logs/tokens", {"invalidate": "3"})
        self.assertEqual((st["invalidate_remaining"], st["account"]), (3, None))
        self.assertEqual(self.admin("logs/tokens", {"invalidate": -1})
                         ["invalidate_remaining"], 0)

    def admin_get(self, path):
        with urllib.request.urlopen(self.cfg["endpoint_http"] + "/_awssim/" + path,
                                    timeout=20) as r:
            return json.loads(r.read())


if __name__ == "__main__":
    unittest.main()
