"""Pure unit tests of the CloudWatch Logs filter pattern parser/evaluator."""

import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from errors import AwsError  # noqa: E402
from filterpattern import compile_pattern  # noqa: E402

SECRETWATCH = (
    '{ ($.eventSource = "secretsmanager.amazonaws.com") && ($.eventName = "GetSecretValue") && '
    '(($.requestParameters.secretId = "TopSecretInfo") || '
    '($.requestParameters.secretId = '
    '"arn:aws:secretsmanager:us-east-1:111122223333:secret:TopSecretInfo-AbCdEf") || '
    '($.requestParameters.secretId = '
    '"arn:aws:secretsmanager:us-east-1:111122223333:secret:TopSecretInfo")) }')

# CIS AWS Foundations benchmark (section 4 / 3.x) metric filter patterns.
CIS_UNAUTHORIZED = ('{ ($.errorCode = "*UnauthorizedOperation") || '
                    '($.errorCode = "AccessDenied*") }')
CIS_NO_MFA = '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }'
CIS_ROOT = ('{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && '
            '$.eventType != "AwsServiceEvent" }')
CIS_KMS = ('{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||'
           '($.eventName=ScheduleKeyDeletion))}')
CIS_TRAIL = ('{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || '
             '($.eventName = DeleteTrail) || ($.eventName = StartLogging) || '
             '($.eventName = StopLogging) }')
CIS_CONSOLE_FAIL = ('{ ($.eventName = ConsoleLogin) && '
                    '($.errorMessage = "Failed authentication") }')

EVENTS = {
    "gsv_name": {"eventSource": "secretsmanager.amazonaws.com", "eventName": "GetSecretValue",
                 "requestParameters": {"secretId": "TopSecretInfo"}},
    "gsv_arn": {"eventSource": "secretsmanager.amazonaws.com", "eventName": "GetSecretValue",
                "requestParameters": {"secretId": "arn:aws:secretsmanager:us-east-1:"
                                      "111122223333:secret:TopSecretInfo-AbCdEf"}},
    "gsv_partial": {"eventSource": "secretsmanager.amazonaws.com",
                    "eventName": "GetSecretValue",
                    "requestParameters": {"secretId": "arn:aws:secretsmanager:us-east-1:"
                                          "111122223333:secret:TopSecretInfo"}},
    "gsv_other": {"eventSource": "secretsmanager.amazonaws.com", "eventName": "GetSecretValue",
                  "requestParameters": {"secretId": "TopSecretInfo2"}},
    "gsv_noparams": {"eventSource": "secretsmanager.amazonaws.com",
                     "eventName": "GetSecretValue", "requestParameters": None},
    "describe": {"eventSource": "secretsmanager.amazonaws.com", "eventName": "DescribeSecret",
                 "requestParameters": {"secretId": "TopSecretInfo"}},
    "unauth": {"errorCode": "Client.UnauthorizedOperation", "eventName": "RunInstances"},
    "denied": {"errorCode": "AccessDenied", "eventName": "GetSecretValue"},
    "login_nomfa": {"eventName": "ConsoleLogin", "additionalEventData": {"MFAUsed": "No"}},
    "login_mfa": {"eventName": "ConsoleLogin", "additionalEventData": {"MFAUsed": "Yes"}},
    "login_nodata": {"eventName": "ConsoleLogin"},
    "login_fail": {"eventName": "ConsoleLogin", "errorMessage": "Failed authentication"},
    "root": {"userIdentity": {"type": "Root"}, "eventType": "AwsApiCall"},
    "root_svc": {"userIdentity": {"type": "Root", "invokedBy": "s3.amazonaws.com"},
                 "eventType": "AwsApiCall"},
    "root_event": {"userIdentity": {"type": "Root"}, "eventType": "AwsServiceEvent"},
    "kms_disable": {"eventSource": "kms.amazonaws.com", "eventName": "DisableKey"},
    "kms_sched": {"eventSource": "kms.amazonaws.com", "eventName": "ScheduleKeyDeletion"},
    "kms_other": {"eventSource": "kms.amazonaws.com", "eventName": "Decrypt"},
    "stop": {"eventName": "StopLogging"},
    "numbers": {"size": 250, "code": 404, "ratio": 0.5, "flag": True, "off": False,
                "none": None, "list": [{"id": 1, "email": "a@example.com"}, {"id": 2}],
                "ip": "123.123.9.1", "str5": "5"},
}


class TestJsonPatterns(unittest.TestCase):
    CASES = [
        # (pattern, event key, expected)
        (SECRETWATCH, "gsv_name", True),
        (SECRETWATCH, "gsv_arn", True),
        (SECRETWATCH, "gsv_partial", True),
        (SECRETWATCH, "gsv_other", False),
        (SECRETWATCH, "gsv_noparams", False),
        (SECRETWATCH, "describe", False),
        (CIS_UNAUTHORIZED, "unauth", True),
        (CIS_UNAUTHORIZED, "denied", True),
        (CIS_UNAUTHORIZED, "gsv_name", False),
        (CIS_NO_MFA, "login_nomfa", True),
        (CIS_NO_MFA, "login_mfa", False),
        (CIS_NO_MFA, "login_nodata", False),  # != never matches an absent property
        (CIS_ROOT, "root", True),
        (CIS_ROOT, "root_svc", False),
        (CIS_ROOT, "root_event", False),
        (CIS_KMS, "kms_disable", True),
        (CIS_KMS, "kms_sched", True),
        (CIS_KMS, "kms_other", False),
        (CIS_TRAIL, "stop", True),
        (CIS_TRAIL, "kms_other", False),
        (CIS_CONSOLE_FAIL, "login_fail", True),
        (CIS_CONSOLE_FAIL, "login_nomfa", False),
        ("{ $.size > 200 }", "numbers", True),
        ("{ $.size < 200 }", "numbers", False),
        ("{ $.size >= 250 }", "numbers", True),
        ("{ $.size <= 249.5 }", "numbers", False),
        ("{ $.size = 250 }", "numbers", True),
        ("{ $.size != 250 }", "numbers", False),
        ("{ $.ratio = 5e-1 }", "numbers", True),
        ("{ $.code = 4* }", "numbers", True),
        ("{ $.str5 > 1 }", "numbers", False),  # relational needs a JSON number
        ("{ $.flag IS TRUE }", "numbers", True),
        ("{ $.flag IS FALSE }", "numbers", False),
        ("{ $.off IS FALSE }", "numbers", True),
        ("{ $.none IS NULL }", "numbers", True),
        ("{ $.size IS NULL }", "numbers", False),
        ("{ $.absent IS NULL }", "numbers", False),
        ("{ $.absent NOT EXISTS }", "numbers", True),
        ("{ $.none NOT EXISTS }", "numbers", False),
        ("{ $.none = \"x\" }", "numbers", False),
        ("{ $.none != \"x\" }", "numbers", False),
        ("{ $.list[0].email = \"a@example.com\" }", "numbers", True),
        ("{ $.list[1].id = 2 }", "numbers", True),
        ("{ $.list[2].id = 2 }", "numbers", False),
        ("{ $.list[*].id = 2 }", "numbers", True),
        ("{ $.list = 1 }", "numbers", False),
        ("{ $.ip != 123.123.* }", "numbers", False),
        ("{ $.ip = 123.123.* }", "numbers", True),
        ("{ $.ip = \"*\" }", "numbers", True),
        ("{ $.ip = \"123.123.9.1\" && $.size = 1 || $.code = 404 }", "numbers", True),
        ("{ $.ip = \"x\" && ($.size = 1 || $.code = 404) }", "numbers", False),
        ("{ $.ip = \"x\" || $.size = 250 && $.code = 1 }", "numbers", False),
        ("{$.eventName=StopLogging}", "stop", True),
        ("{ $.eventName = %Stop(Logging|Trail)% }", "stop", True),
        ("{ $.eventName != %^Start% }", "stop", True),
        ("{ $.eventName = %^Start% }", "stop", False),
        ("{ $.size = %^25% }", "numbers", True),
        ("{ $.eventName = \"stoplogging\" }", "stop", False),  # case sensitive
    ]

    def test_table(self):
        for pattern, key, want in self.CASES:
            with self.subTest(pattern=pattern, event=key):
                p = compile_pattern(pattern)
                self.assertEqual(p.kind, "json")
                self.assertIs(p.matches(json.dumps(EVENTS[key])), want)

    def test_json_pattern_never_matches_non_json(self):
        p = compile_pattern('{ $.a = "x" }')
        for msg in ["", "a=x", "{", "[1,2]", "null", "\"x\"", "{\"a\": \"x\""]:
            with self.subTest(msg=msg):
                self.assertFalse(p.matches(msg))
        self.assertTrue(p.matches('{"a": "x"}'))

    def test_invalid_patterns_rejected_like_aws(self):
        bad = [
            "{", "{ }", "{ $.a = }", "{ $.a }", "{ a = \"x\" }", "{ $.a = \"x\" ",
            "{ $.a = \"x }", "{ ($.a = \"x\" }", "{ $.a = \"x\") }", "{ $.a = \"x\" && }",
            "{ && $.a = 1 }", "{ $.a == 1 }", "{ $.a > \"x\" }", "{ $.a < abc }",
            "{ $.a IS MAYBE }", "{ $.a NOT THERE }", "{ $.a[x] = 1 }", "{ $. = 1 }",
            "{ $.a = 1 $.b = 2 }", "{ $.a = 1 } }", "{ $.a ! 1 }", "{ $ = 1 }",
            "abc }", "\"unterminated", "[a, b", "[a, , b]", "[a=1, b>x]",
            "{" + "(" * 40 + "$.a = 1" + ")" * 40 + "}", "x" * 1025, "%bad(regex%",
            "{ $.a = %unterminated }", "{ $.a > %x% }", "{ $.a = %(% }", "{ $.a = %% }",
        ]
        for pattern in bad:
            with self.subTest(pattern=pattern):
                with self.assertRaises(AwsError) as cm:
                    compile_pattern(pattern)
                self.assertEqual(cm.exception.code, "InvalidParameterException")
                self.assertIn("Invalid metric filter pattern", cm.exception.message)

    def test_wrong_type_rejected(self):
        for value in [5, ["{}"], {"a": 1}]:
            with self.assertRaises(AwsError):
                compile_pattern(value)

    def test_metric_value_extraction(self):
        p = compile_pattern("{ $.size > 0 }")
        msg = json.dumps(EVENTS["numbers"])
        self.assertEqual(p.metric_value(msg, "1"), 1.0)
        self.assertEqual(p.metric_value(msg, "$.size"), 250.0)
        self.assertEqual(p.metric_value(msg, "$.str5"), 5.0)
        self.assertIsNone(p.metric_value(msg, "$.absent"))
        self.assertIsNone(p.metric_value(msg, "abc"))


class TestTermPatterns(unittest.TestCase):
    CASES = [
        ("", "anything at all", True),
        ("   ", "", True),
        ("ERROR", "[ERROR] disk full", True),
        ("ERROR", "error: disk full", False),
        ("ERROR disk", "[ERROR] disk full", True),
        ("ERROR memory", "[ERROR] disk full", False),
        ('"disk full"', "[ERROR] disk full", True),
        ('"full disk"', "[ERROR] disk full", False),
        ("ERROR -disk", "[ERROR] disk full", False),
        ("ERROR -memory", "[ERROR] disk full", True),
        ('-"disk full"', "[ERROR] disk full", False),
        ("?WARN ?ERROR", "[ERROR] disk full", True),
        ("?WARN ?FATAL", "[ERROR] disk full", False),
        ("%ERR(OR)?%", "[ERR] x", True),
        ("%^\\d+$%", "abc", False),
        ("GetSecretValue", '{"eventName":"GetSecretValue"}', True),
    ]

    def test_table(self):
        for pattern, msg, want in self.CASES:
            with self.subTest(pattern=pattern, msg=msg):
                self.assertIs(compile_pattern(pattern).matches(msg), want)


class TestDelimitedPatterns(unittest.TestCase):
    LINE = '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 404 1534'
    CASES = [
        ("[ip, identity, user, timestamp, request, status_code, size]", True),
        ("[ip, identity, user, timestamp, request, status_code=404, size]", True),
        ("[ip, identity, user, timestamp, request, status_code=4*, size]", True),
        ("[ip, identity, user, timestamp, request, status_code=200, size]", False),
        ("[ip, identity, user, timestamp, request, status_code!=200, size>1000]", True),
        ("[ip, identity, user, timestamp, request, status_code, size<1000]", False),
        ("[ip=127.0.0.*, ...]", True),
        ("[..., status_code=404, size]", True),
        ("[ip, user=frank, ...]", False),
        ("[ip, identity, user=frank, ...]", True),
    ]

    def test_table(self):
        for pattern, want in self.CASES:
            with self.subTest(pattern=pattern):
                self.assertIs(compile_pattern(pattern).matches(self.LINE), want)

    def test_field_values_for_metric_values(self):
        p = compile_pattern("[ip, identity, user, timestamp, request, status_code=4*, size]")
        self.assertEqual(p.metric_value(self.LINE, "$size"), 1534.0)
        self.assertEqual(p.field_value(self.LINE, "$user"), "frank")
        self.assertIsNone(p.field_value("too few fields", "$user"))
        p = compile_pattern("[..., status_code, size]")
        self.assertEqual(p.metric_value(self.LINE, "$status_code"), 404.0)

    def test_many_ellipses_stay_fast(self):
        import time
        p = compile_pattern("[" + ", ".join(["..."] * 100 + ["x=nomatch"]) + "]")
        t0 = time.time()
        self.assertFalse(p.matches(" ".join(["a"] * 200)))
        self.assertLess(time.time() - t0, 2.0)


class TestRealCloudTrailRecords(unittest.TestCase):
    """The secretwatch pattern against real records (read at test time from SW_TESTDATA)."""

    def records(self):
        base = os.environ.get("SW_TESTDATA") or "/work/shared/testdata"
        folder = os.path.join(base, "aws-responses", "cloudtrail-records")
        if not os.path.isdir(folder):
            self.skipTest("test data absent: %s" % folder)
        out = {}
        for name in sorted(os.listdir(folder)):
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                doc = json.load(f)
            if isinstance(doc, dict) and "Records" in doc:
                doc = doc["Records"]
            out[name] = doc if isinstance(doc, list) else [doc]
        return out

    def test_records(self):
        recs = self.records()
        all_records = [r for rs in recs.values() for r in rs]
        self.assertGreater(len(all_records), 25)
        secretwatch = compile_pattern(SECRETWATCH)
        # None of the fixture records read TopSecretInfo: none may match.
        self.assertFalse(any(secretwatch.matches(json.dumps(r)) for r in all_records))
        # Rewrite their secretId to the watched secret: GetSecretValue ones match, others not.
        hits = 0
        for r in all_records:
            r2 = json.loads(json.dumps(r))
            if isinstance(r2.get("requestParameters"), dict) and \
                    "secretId" in r2["requestParameters"]:
                r2["requestParameters"]["secretId"] = "TopSecretInfo"
                r2["eventSource"] = r2.get("eventSource")
                want = (r2.get("eventName") == "GetSecretValue"
                        and r2.get("eventSource") == "secretsmanager.amazonaws.com")
                self.assertIs(secretwatch.matches(json.dumps(r2)), want)
                hits += want
        self.assertGreaterEqual(hits, 20)
        # A pattern over the real record set: GetSecretValue by this stratus secret id.
        p = compile_pattern('{ ($.eventName = "GetSecretValue") && '
                            '($.requestParameters.secretId = "*retrieve-secret-4-*") }')
        stratus = recs["stratus.getsecretvalue.iamuser.json"]
        self.assertEqual(sum(p.matches(json.dumps(r)) for r in stratus), 1)
        denied = compile_pattern(CIS_UNAUTHORIZED)
        self.assertEqual(
            [denied.matches(json.dumps(r)) for r in recs["getsecretvalue.accessdenied.json"]],
            [True])
        self.assertTrue(compile_pattern(
            '{ $.vpcEndpointId = "vpce-*" && $.userIdentity.sessionContext.sessionIssuer.'
            'userName = "app-server-role" }').matches(
                json.dumps(recs["getsecretvalue.assumedrole-vpce.json"][0])))
        svc = compile_pattern('{ $.userIdentity.type NOT EXISTS && $.eventType = AwsServiceEvent }')
        self.assertTrue(svc.matches(
            json.dumps(recs["awsdocs.secretsmanager-rotationfailed.json"][0])))
        batch = compile_pattern('{ $.requestParameters.filters[0].values[0] = "StratusRedTeam" }')
        self.assertEqual(sum(batch.matches(json.dumps(r))
                             for r in recs["stratus.batchgetsecretvalue.iamuser.json"]), 5)
        # compact one-line form (as delivered to CloudWatch Logs) matches the same way
        self.assertTrue(denied.matches(json.dumps(recs["getsecretvalue.accessdenied.json"][0],
                                                  separators=(",", ":"))))


if __name__ == "__main__":
    unittest.main()
