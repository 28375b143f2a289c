#!/usr/bin/python3
"""Writes the seed corpus of one fuzz target into a directory.

usage: seeds.py TARGET OUTDIR

Seeds are small hand-made inputs (happy path, hostile and edge cases, in the
input format the harness expects) plus, when the shared test data is there
(env SW_TESTDATA), copies of the real AWS fixtures that fit the target. The
fixtures are copied at run time only: they are never committed here.
"""
import glob
import json
import os
import sys

MAX_FIXTURE = 1 << 20  # larger files are no seeds

# Fixture globs (relative to $SW_TESTDATA/aws-responses) per target.
FIXTURES = {
    "json": ["*/*.json"],
    "xml": ["*/*.xml"],
    "protocol": ["*/error-*", "*/*.http", "protocol-tests/error-cases.json"],
    "ctrecord": ["cloudtrail-records/*.json"],
    "cloudtrail": ["cloudtrail/*.json"],
    "cloudwatch": ["cloudwatch/*.query.xml", "cloudwatch/*.json10.json"],
    "logs": ["logs/*.json"],
    "sts": ["sts/*.xml"],
    "credentials": [],
    "profile": [],
    "timeutil": [],
    "text": [],
    "sigv4": [],
    "state": [],
    "config": [],
    "secretsmanager": ["secretsmanager/*.json"],
    "sns": ["sns/*.xml"],
    "iam": ["iam/*.xml"],
    "s3": ["s3/*.xml"],
}


def deep(open_, close, n):
    return open_ * n + close * n


RECORD = {
    "eventVersion": "1.08",
    "userIdentity": {
        "type": "AssumedRole",
        "principalId": "AROAEXAMPLE:app",
        "arn": "arn:aws:sts::123456789012:assumed-role/app/i-1",
        "accountId": "123456789012",
        "accessKeyId": "ASIAEXAMPLE",
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "arn": "arn:aws:iam::123456789012:role/app",
                "userName": "app",
            }
        },
    },
    "eventTime": "2024-07-31T12:50:10Z",
    "eventSource": "secretsmanager.amazonaws.com",
    "eventName": "GetSecretValue",
    "awsRegion": "us-east-1",
    "sourceIPAddress": "10.0.0.1",
    "userAgent": "aws-cli/2.15 \u202e\n%s%n",
    "requestParameters": {"secretId": "prod/db-AbCdEf"},
    "responseElements": None,
    "requestID": "r-1",
    "eventID": "e-1",
    "readOnly": True,
    "resources": [
        {"ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf"}
    ],
    "eventType": "AwsApiCall",
    "recipientAccountId": "123456789012",
    "vpcEndpointId": "vpce-1",
}


def j(obj):
    return json.dumps(obj).encode()


def seeds_json():
    return {
        "empty-object": b"{}",
        "empty-array": b"[]",
        "nested": b'{"a":{"b":"c","n":1,"d":1.5,"t":true,"z":null}}',
        "too-deep": deep(b"[", b"]", 70),
        "deep-objects": deep(b'{"a":', b"}", 63).replace(b"}", b"1}", 1),
        "nul-escape": b'{"a":"x\\u0000y","a.b":"q"}',
        "numbers": b'[1.7e308,-0,1e999,123456789012345678901234567890,1E9]',
        "trailing": b'{"a":1}  x',
        "truncated": b'{"a":',
        "bad-utf8": b'{"k":"\xff\xfe\xc0\xaf"}',
        "bom": b'\xef\xbb\xbf{"a":1}',
        "dup-keys": b'{"a":1,"a":"two","a":{"b":"c"}}',
        "epoch": b'{"t":1.72243021E9,"s":"2024-07-31T12:50:10.5Z","b":"x"}',
        "surrogates": b'{"s":"\\ud800\\udc00\\udfff"}',
    }


def seeds_xml():
    return {
        "leaf": b"<a/>",
        "siblings": b"<a><b>t</b><b>u</b><c x='1'>v<d/>w</c></a>",
        "error": b'<?xml version="1.0"?><ErrorResponse xmlns="x"><Error>'
        b"<Code>Throttling</Code><Message>Rate &amp; exceeded</Message>"
        b"</Error><RequestId>r</RequestId></ErrorResponse>",
        "too-deep": deep(b"<a>", b"</a>", 70),
        "dtd-entity": b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e "x">]>'
        b"<a>&e;&e;</a>",
        "external-entity": b'<!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b"<a>&e;</a>",
        "laughs": b'<!DOCTYPE a [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        b"<a>&b;&b;</a>",
        "cdata": b"<a><![CDATA[<not>&xml;]]></a>",
        "namespaces": b'<p:a xmlns:p="u"><p:b>1</p:b><b>2</b></p:a>',
        "charrefs": b"<a>&#0;&#x1;&#x202e;&#xd800;</a>",
        "truncated": b"<a><b>",
        "pi-comment": b"<?pi x?><!-- c --><a><!-- d -->t</a>",
    }


def http(status, headers, body):
    head = "HTTP/1.1 %s\r\n" % status
    head += "".join("%s: %s\r\n" % kv for kv in headers)
    return head.encode() + b"\r\n" + body


def seeds_protocol():
    return {
        "json-type": b'{"__type":"com.amazonaws#ThrottlingException:http://x",'
        b'"message":"Rate exceeded"}',
        "json-code": b'{"code":"AccessDenied","Message":"no \\n\\u001b[31m"}',
        "json-nothing": b'{"x":1}',
        "query-compat": http(
            "400 Bad Request",
            [("x-amzn-query-error", "InvalidParameterValue;Sender"),
             ("x-amzn-RequestId", "req-1"),
             ("Content-Type", "application/x-amz-json-1.0")],
            b'{"__type":"com.amazonaws.cloudwatch#InvalidParameterValueException"'
            b',"message":"bad"}'),
        "errortype-header": http("503 Slow Down",
                                 [("X-Amzn-ErrorType", "ServiceUnavailable:x"),
                                  ("x-amz-request-id", "\x1b]0;evil\x07")],
                                 b""),
        "query-error": b"<ErrorResponse><Error><Type>Sender</Type>"
        b"<Code>Throttling</Code><Message>Rate exceeded</Message></Error>"
        b"<RequestId>r-1</RequestId></ErrorResponse>",
        "ec2-style": b"<Response><Errors><Error><Code>AuthFailure</Code>"
        b"<Message>x</Message></Error></Errors><RequestID>r</RequestID>"
        b"</Response>",
        "s3-error": b"<Error><Code>NoSuchBucket</Code><Message>m</Message>"
        b"<RequestId>r</RequestId></Error>",
        "not-error": b"<Other/>",
        "head-404": http("404 Not Found", [("x-amz-request-id", "r")], b""),
        "bad-status": http("999999999999999999999 X", [], b"{}"),
        "semicolon": http("400 X", [("x-amzn-query-error", ";Sender")],
                          b'{"message":"m"}'),
        "long-code": ("{\"__type\":\"%s\"}" % ("A" * 300)).encode(),
    }


def seeds_ctrecord():
    r2 = dict(RECORD, readOnly="false", requestParameters=None,
              resources=[{"ARN": "x%d" % i} for i in range(12)])
    svc = {"eventName": "RotationFailed", "userIdentity": {"accountId": "1",
           "invokedBy": "secretsmanager.amazonaws.com"},
           "additionalEventData": {"SecretId": "arn:aws:secretsmanager:us-east-1"
                                   ":1:secret:x-AbCdEf"}}
    wrong = {k: [1] for k in RECORD}
    return {
        "record": j(RECORD),
        "record-no-params": j(r2),
        "service-event": j(svc),
        "records": j({"Records": [RECORD, svc]}),
        "array": j([RECORD, r2]),
        "wrong-types": j(wrong),
        "records-not-array": b'{"Records":{}}',
        "array-of-scalars": b"[1,2]",
        "long-strings": j(dict(RECORD, userAgent="u" * 5000,
                               eventID="e" * 300)),
    }


def seeds_cloudtrail():
    ev = {"EventId": "e-1", "EventName": "GetSecretValue", "ReadOnly": "true",
          "EventTime": 1.72243021e9, "Username": "app",
          "EventSource": "secretsmanager.amazonaws.com",
          "CloudTrailEvent": json.dumps(RECORD)}
    trail = {"Name": "t", "TrailARN": "arn:aws:cloudtrail:us-east-1:1:trail/t",
             "S3BucketName": "b", "IsMultiRegionTrail": True,
             "LogFileValidationEnabled": "yes", "HomeRegion": 7}
    return {
        "lookup": j({"Events": [ev, dict(ev, CloudTrailEvent=None)],
                     "NextToken": "tok"}),
        "lookup-bad-event": j({"Events": [ev, 3]}),
        "lookup-time-string": j({"Events": [dict(ev, EventTime="2024-07-31T12:50:10Z")]}),
        "trail": j(trail),
        "get-trail": j({"Trail": trail}),
        "trails": j({"trailList": [trail, trail, {}]}),
        "status": j({"IsLogging": True, "LatestDeliveryTime": 1.7e9,
                     "LatestDeliveryError": "AccessDenied",
                     "StartLoggingTime": "2024-01-01T00:00:00Z"}),
        "selectors": j({"TrailARN": "a", "EventSelectors": [
            {"ReadWriteType": "All", "IncludeManagementEvents": True}] * 7}),
        "advanced": j({"AdvancedEventSelectors": [{"FieldSelectors": [
            {"Field": "eventCategory", "Equals": ["Management"]},
            {"Field": "readOnly", "Equals": ["false"]}]}]}),
        "tags": j({"ResourceTagList": [{"ResourceId": "a", "TagsList": [
            {"Key": "k", "Value": "v"}, {"Key": 1}]}]}),
    }


def seeds_cloudwatch():
    md = {"MetricDataResults": [
        {"Id": "m1", "Label": "l", "Timestamps": [1.7276478e9, 1727647800],
         "Values": [1.0, 2.5], "StatusCode": "Complete"},
        {"Id": "m2", "Timestamps": [1], "Values": [], "StatusCode": "x" * 40},
        {"Id": "m3", "StatusCode": "Forbidden",
         "Messages": [{"Code": "Forbidden", "Value": "no"}]}],
        "NextToken": "n", "Messages": [{"Code": "c"}]}
    alarm = {"AlarmName": "a", "AlarmArn": "arn", "StateValue": "ALARM",
             "StateReason": "r", "StateUpdatedTimestamp": 1.7e9,
             "ActionsEnabled": True, "AlarmActions": ["x", "y"],
             "Dimensions": [{"Name": "n", "Value": "v"}], "Period": 60,
             "EvaluationPeriods": 1, "Threshold": 1.0}
    xml_md = (b"<GetMetricDataResponse><GetMetricDataResult><MetricDataResults>"
              b"<member><Id>m1</Id><Timestamps><member>2024-09-29T22:10:00Z"
              b"</member><member>bad</member></Timestamps><Values><member>1.0E-4"
              b"</member></Values><StatusCode>Complete</StatusCode></member>"
              b"</MetricDataResults><NextToken>n</NextToken>"
              b"</GetMetricDataResult></GetMetricDataResponse>")
    xml_da = (b"<DescribeAlarmsResponse><DescribeAlarmsResult><MetricAlarms>"
              b"<member><AlarmName>a</AlarmName><StateValue>OK</StateValue>"
              b"<Dimensions/><Period>x</Period><AlarmActions><member>q</member>"
              b"</AlarmActions></member></MetricAlarms><CompositeAlarms><member>"
              b"<AlarmName>c</AlarmName><AlarmRule>ALARM(a)</AlarmRule></member>"
              b"</CompositeAlarms></DescribeAlarmsResult></DescribeAlarmsResponse>")
    return {
        "metric-data": j(md),
        "alarms": j({"MetricAlarms": [alarm, dict(alarm, AlarmName="b")],
                     "CompositeAlarms": [{"AlarmName": "c", "AlarmRule": "r"}],
                     "NextToken": "n"}),
        "alarms-wrong": j({"MetricAlarms": [1, {"AlarmName": 2}]}),
        "metric-data.xml": xml_md,
        "alarms.xml": xml_da,
    }


def seeds_logs():
    ev = {"eventId": "1" * 56, "logStreamName": "s", "timestamp": 1722430210000,
          "ingestionTime": 1722430211000, "message": json.dumps(RECORD)}
    return {
        "filter": j({"events": [ev, dict(ev, message=None, timestamp=1.5)],
                     "nextToken": "n", "searchedLogStreams": []}),
        "filter-bad": j({"events": [ev, "x"]}),
        "groups": j({"logGroups": [{"logGroupName": "g", "arn": "a:*",
                                    "retentionInDays": 7, "storedBytes": -1}]}),
        "filters": j({"metricFilters": [{"filterName": "f", "metricTransformations": [
            {"metricName": "m", "metricNamespace": "n", "metricValue": "1",
             "defaultValue": 0}]}]}),
        "tags": j({"tags": {"k": "v", "n": 1}}),
    }


def seeds_sts():
    creds = (b"<Credentials><AccessKeyId>ASIAEXAMPLE</AccessKeyId>"
             b"<SecretAccessKey>secret</SecretAccessKey><SessionToken>tok"
             b"</SessionToken><Expiration>2030-01-01T00:00:00Z</Expiration>"
             b"</Credentials>")
    return {
        "assume-role": b"<AssumeRoleResponse><AssumeRoleResult>" + creds +
        b"<AssumedRoleUser><Arn>arn</Arn><AssumedRoleId>id</AssumedRoleId>"
        b"</AssumedRoleUser><PackedPolicySize>6</PackedPolicySize>"
        b"</AssumeRoleResult></AssumeRoleResponse>",
        "web-identity": b"<AssumeRoleWithWebIdentityResponse>"
        b"<AssumeRoleWithWebIdentityResult>" + creds +
        b"<Provider>p</Provider><Audience>a</Audience>"
        b"<SubjectFromWebIdentityToken>s</SubjectFromWebIdentityToken>"
        b"</AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>",
        "caller": b"<GetCallerIdentityResponse><GetCallerIdentityResult>"
        b"<Arn>arn:aws:iam::1:user/u</Arn><UserId>U</UserId><Account>1</Account>"
        b"</GetCallerIdentityResult></GetCallerIdentityResponse>",
        "bad-expiration": b"<AssumeRoleResponse><AssumeRoleResult>" +
        creds.replace(b"2030-01-01T00:00:00Z", b"soon") +
        b"</AssumeRoleResult></AssumeRoleResponse>",
        "long-key": b"<AssumeRoleResponse><AssumeRoleResult><Credentials>"
        b"<AccessKeyId>" + b"A" * 300 + b"</AccessKeyId></Credentials>"
        b"</AssumeRoleResult></AssumeRoleResponse>",
    }


def seeds_profile():
    return {
        "config": b"[default]\nregion = us-east-1\noutput: json\n"
        b"[profile dev]\nrole_arn = arn:aws:iam::1:role/r\n"
        b"source_profile = default\ns3 =\n  max_concurrent_requests = 20\n"
        b"  Multipart_Threshold = 8MB\n[sso-session x]\nsso_region = eu\n",
        "credentials": b"\xef\xbb\xbf[default]\r\naws_access_key_id = AKID\r\n"
        b"aws_secret_access_key = secret # not a comment\r\n"
        b"; comment\n# comment\n[default]\nAWS_SESSION_TOKEN=tok\n",
        "continuation": b"[a]\nk = v\n  more\n\tmore2\n[profile  b ]x\nk=\n",
        "bad-header": b"[default\nk=v\n",
        "before-section": b"k = v\n",
        "nul": b"[a]\nk=v\x00\n",
        "empty-key": b"[a]\n = v\n",
        "long-key": b"[a]\n" + b"k" * 200 + b" =\n  x = y\n",
        "many": b"".join(b"[s%d]\nk=v\n" % i for i in range(40)),
    }


def seeds_credentials():
    return {
        "process": b'{"Version":1,"AccessKeyId":"AKIDEXAMPLE",'
        b'"SecretAccessKey":"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",'
        b'"SessionToken":"tok","Expiration":"2030-01-01T00:00:00Z"}',
        "process-v2": b'{"Version":2,"AccessKeyId":"a","SecretAccessKey":"s"}',
        "imds": b'{"Code":"Success","LastUpdated":"2024-01-01T00:00:00Z",'
        b'"Type":"AWS-HMAC","AccessKeyId":"ASIA","SecretAccessKey":"s",'
        b'"Token":"t","Expiration":"2030-01-01T00:00:00Z"}',
        "imds-failed": b'{"Code":"Failure","Message":"x"}',
        "ecs": b'{"AccessKeyId":"ASIA","SecretAccessKey":"s","Token":"t",'
        b'"Expiration":"2001-01-01T00:00:00Z","RoleArn":"r"}',
        "wrong-types": b'{"Version":"1","AccessKeyId":1,"SecretAccessKey":[]}',
        "long-token": ('{"Version":1,"AccessKeyId":"a","SecretAccessKey":"s",'
                       '"SessionToken":"%s"}' % ("t" * 20000)).encode(),
        "command": b"/usr/bin/cred-helper --profile 'my profile' \"a\\\"b\" c\\ d",
        "command-open-quote": b"helper 'unterminated",
        "role-name": b"my-role+=,.@_",
        "url-ecs": b"http://169.254.170.2/v2/credentials/x",
        "url-https": b"https://example.com/creds",
        "url-bad": b"http://169.254.169.254.evil.com/",
        "url-v6": b"http://[fd00:ec2::23]/creds",
    }


def seeds_timeutil():
    return {"t%02d" % i: s.encode() for i, s in enumerate([
        "2026-11-27T08:01:02Z", "2026-11-27T08:01:02.123Z",
        "2026-11-27T08:01:02+00:00", "2026-11-27T08:01:02-05:30",
        "20261127T080102Z", "1969-12-31T23:59:59Z", "9999-12-31T23:59:60Z",
        "2026-02-31T00:00:00Z", "0000-01-01T00:00:00Z",
        "2026-11-27T08:01:02.Z", "2026-11-27T08:01:02+99:99",
        "Fri, 27 Nov 2026 08:01:02 GMT", "Fri, 27 Nov 2147483647 08:01:02 GMT",
        "Fri, 27 Nov 2026 -8:-1:-2 GMT", "Mon, 1 Jan 1970 00:00:00 GMT",
        "2026-11-27 08:01:02z", "2026-11-27T08:01:02.0000000000000000001Z",
    ])}


def seeds_text():
    def t(size, s):
        return bytes([size >> 8 & 0xFF, size & 0xFF]) + s
    return {
        "ascii": t(100, b"hello world"),
        "controls": t(64, b"a\nb\rc\x00d\x1b[31m\x7f\xc2\x85"),
        "bidi": t(32, "x\u202ey\u2066z\u2028".encode()),
        "invalid": t(16, b"\xff\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80\xe2\x82"),
        "cut-multibyte": t(6, "ab\U0001F600\U0001F600".encode()),
        "cut-4": t(4, "\u00e9\u00e9\u00e9".encode()),
        "glob": t(10, b"arn:*:role/?dmin\x00arn:aws:iam::1:role/admin"),
        "glob-stars": t(10, b"*a*a*a*a*a*a*b\x00" + b"a" * 200),
    }


def sigv4_seed(flags, method, path, query, headers, body=b""):
    out = bytes([flags]) + b"%s\n%s\n%s\n" % (method, path, query)
    out += b"".join(b"%s:%s\n" % h for h in headers)
    return out + b"\n" + body


def seeds_sigv4():
    host = (b"Host", b"example.amazonaws.com")
    return {
        "get": sigv4_seed(0, b"GET", b"/", b"", [host]),
        "post-form": sigv4_seed(0x08, b"POST", b"/", b"",
                                [host, (b"Content-Type", b"application/x-www-form"
                                        b"-urlencoded")], b"Action=ListUsers"),
        "dots": sigv4_seed(0, b"GET", b"/a/./b/../../c//d/%2e%2E/", b"", [host]),
        "dots-raw": sigv4_seed(0x02, b"GET", b"/a/./b/../c", b"", [host]),
        "s3": sigv4_seed(0x01, b"PUT", b"/bucket/key with space/%41",
                         b"x-id=PutObject&a=b&a=a", [host], b"data"),
        "presign": sigv4_seed(0x05, b"GET", b"/bucket/k", b"acl", [host]),
        "query": sigv4_seed(0x10, b"GET", b"/", b"b=%zz&a=&=x&&c=%2",
                            [host, (b"X-Amz-Meta", b"  a   b  ")]),
        "auth-present": sigv4_seed(0, b"GET", b"/", b"",
                                   [host, (b"Authorization", b"x")]),
        "no-host": sigv4_seed(0x20, b"", b"", b"", []),
        "long-path": sigv4_seed(0, b"GET", b"/" + b"a/" * 5000, b"", [host]),
    }


def sigv4_fixtures(testdata):
    """The official SigV4 suite's request.txt files in the harness's format."""
    out = {}
    for req in sorted(glob.glob(os.path.join(testdata, "sigv4/v4/*/request.txt"))):
        raw = open(req, "rb").read().replace(b"\r\n", b"\n")
        head, _, body = raw.partition(b"\n\n")
        lines = head.split(b"\n")
        parts = lines[0].split(b" ")
        if len(parts) < 3:
            continue
        target = b" ".join(parts[1:-1])
        path, _, query = target.partition(b"?")
        headers = [tuple(h.split(b":", 1)) for h in lines[1:] if b":" in h]
        name = os.path.basename(os.path.dirname(req))
        out["suite-" + name] = sigv4_seed(0, parts[0], path, query, headers, body)
    return out


def seeds_state():
    state = {"version": 1, "account": "prod", "last_end": 1722430210.5,
             "hole_start": 1722420000, "hole_end": 1722430000,
             "seen": {"e-1": 1722430210, "e-2": 1722430211.25},
             "secrets": {"a": {"metric_ts": 1722430200, "reads": 3, "denied": 1,
                               "unexpected": 0,
                               "alarm_name": "secretwatch-a-read",
                               "alarm_state": "ALARM"},
                         "b/with slash": {"metric_ts": 0, "reads": -5,
                                          "alarm_name": "other",
                                          "alarm_state": "OK"},
                         "unknown": {"metric_ts": 1}}}
    return {
        "state": j(state),
        "fresh": j(dict(state, seen={}, secrets={}, last_end=0, hole_start=0,
                        hole_end=0)),
        "future-version": j(dict(state, version=2)),
        "bad-hole": j(dict(state, hole_start=1722430000, hole_end=1722420000)),
        "bad-seen": j(dict(state, seen={"x": "y"})),
        "long-id": j(dict(state, seen={"i" * 300: 1722430210})),
        "nan-time": j(dict(state, last_end=1e400)),
        "truncated": j(state)[:57],
        "long-alarm-state": j(dict(state, secrets={"a": {
            "metric_ts": 0, "alarm_name": "secretwatch-a-read",
            "alarm_state": "S" * 40}})),
    }


def seeds_config():
    return {
        "minimal": b'<Account "prod">\n  Region "us-east-1"\n'
        b'  <Secret "db">\n  </Secret>\n</Account>\n',
        "full": b'<Account "prod">\n Region "eu-west-1"\n Profile "p"\n'
        b' RoleARN "arn:aws:iam::123456789012:role/r"\n ExternalID "x-1"\n'
        b' EndpointURL "http://127.0.0.1:4566"\n Interval 60\n Timeout 5\n'
        b' CloudWatchProtocol "query"\n Events true\n'
        b' EventSource "FilterLogEvents"\n LogGroup "ct"\n Lookback 900\n'
        b' MaxBackfill 86400\n MetricPeriod 60\n Watchdog true\n'
        b' WatchdogCycles 10\n Trail "t"\n NotifyAllowed false\n'
        b' <Secret "prod/db">\n  SecretID "arn:aws:secretsmanager:eu-west-1:'
        b'123456789012:secret:prod/db-AbCdEf"\n  Mode "guarded"\n'
        b'  AllowPrincipal "arn:aws:sts::123456789012:assumed-role/app/*"\n'
        b'  AllowPrincipal "arn:aws:iam::123456789012:user/ci"\n'
        b'  MetricNamespace "SW"\n  MetricName "m"\n  AlarmName "a"\n'
        b' </Secret>\n <Secret "honey">\n  Mode "honeytoken"\n </Secret>\n'
        b'</Account>\n<Account "dev">\n Region "us-east-1"\n'
        b' <Secret "x">\n </Secret>\n</Account>\n',
        "wrong-types": b'<Account 1>\n Region 5\n Events "maybe"\n'
        b' Interval "x"\n <Secret>\n </Secret>\n</Account>\n',
        "duplicates": b'<Account "a">\n Region "us-east-1"\n <Secret "s">\n'
        b' </Secret>\n</Account>\n<Account "a">\n Region "us-east-1"\n'
        b' <Secret "s">\n </Secret>\n</Account>\n',
        "hostile-label": b'\xe2\x82\xac' * 30 + b'\n<Account "../\\x\x1b">\n'
        b' Region "us-east-1"\n <Secret "' + b'\xc3\xa9' * 40 + b'">\n'
        b' </Secret>\n</Account>\n',
        "unknown-option": b'Foo "bar"\n<Account "a">\n Bar 1 2 3\n</Account>\n',
        "guarded-without-allow": b'<Account "a">\n Region "us-east-1"\n'
        b' <Secret "s">\n  Mode "guarded"\n </Secret>\n</Account>\n',
    }


def seeds_secretsmanager():
    return {
        "secret-ref": b'{"ARN":"arn","Name":"n","VersionId":"v",'
        b'"DeletionDate":1.523477145713E9}',
        "describe": b'{"ARN":"a","Name":"n","RotationEnabled":true,'
        b'"Tags":[{"Key":"k","Value":"v"},{"Key":1}],"CreatedDate":"x"}',
        "list": b'{"SecretList":[{"ARN":"a","Name":"n"},2],"NextToken":"t"}',
        "value": b'{"ARN":"arn","Name":"n","SecretString":"s",'
        b'"SecretBinary":"AAAA","CreatedDate":1.5E9}',
    }


def seeds_sns():
    return {
        "create-topic": b"<CreateTopicResponse><CreateTopicResult><TopicArn>a"
        b"</TopicArn></CreateTopicResult></CreateTopicResponse>",
        "subscribe": b"<SubscribeResponse><SubscribeResult><SubscriptionArn>"
        b"pending confirmation</SubscriptionArn></SubscribeResult>"
        b"</SubscribeResponse>",
        "attributes": b"<GetTopicAttributesResponse><GetTopicAttributesResult>"
        b"<Attributes><entry><key>Policy</key><value>{}</value></entry><entry>"
        b"<key>x</key></entry></Attributes></GetTopicAttributesResult>"
        b"</GetTopicAttributesResponse>",
        "subscriptions": b"<ListSubscriptionsByTopicResponse>"
        b"<ListSubscriptionsByTopicResult><Subscriptions><member><Protocol>"
        b"email</Protocol><Endpoint>a@b</Endpoint></member></Subscriptions>"
        b"<NextToken>n</NextToken></ListSubscriptionsByTopicResult>"
        b"</ListSubscriptionsByTopicResponse>",
        "tags": b"<ListTagsForResourceResponse><ListTagsForResourceResult><Tags>"
        b"<member><Key>k</Key><Value>v</Value></member></Tags>"
        b"</ListTagsForResourceResult></ListTagsForResourceResponse>",
    }


def seeds_iam():
    return {
        "role": b"<GetRoleResponse><GetRoleResult><Role><RoleName>r</RoleName>"
        b"<Arn>a</Arn><AssumeRolePolicyDocument>%7B%22Version%22%3A%222012-10-17"
        b"%22%7D</AssumeRolePolicyDocument><RoleId>i</RoleId></Role>"
        b"</GetRoleResult></GetRoleResponse>",
        "role-policy": b"<GetRolePolicyResponse><GetRolePolicyResult><RoleName>r"
        b"</RoleName><PolicyName>p</PolicyName><PolicyDocument>%zz%7"
        b"</PolicyDocument></GetRolePolicyResult></GetRolePolicyResponse>",
        "tags": b"<ListRoleTagsResponse><ListRoleTagsResult><Tags><member><Key>k"
        b"</Key><Value>v</Value></member></Tags><IsTruncated>true</IsTruncated>"
        b"<Marker>m</Marker></ListRoleTagsResult></ListRoleTagsResponse>",
    }


def seeds_s3():
    return {
        "tagging": b"<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag>"
        b"<Tag><Key>k2</Key></Tag></TagSet></Tagging>",
        "list": b'<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
        b"<IsTruncated>true</IsTruncated><Contents><Key>a</Key><Size>12</Size>"
        b"<LastModified>2024-01-01T00:00:00.000Z</LastModified></Contents>"
        b"<Contents><Key>b</Key><Size>x</Size></Contents><KeyCount>2</KeyCount>"
        b"<NextContinuationToken>t</NextContinuationToken></ListBucketResult>",
    }


GENERATORS = {
    "json": seeds_json, "xml": seeds_xml, "protocol": seeds_protocol,
    "ctrecord": seeds_ctrecord, "cloudtrail": seeds_cloudtrail,
    "cloudwatch": seeds_cloudwatch, "logs": seeds_logs, "sts": seeds_sts,
    "profile": seeds_profile, "credentials": seeds_credentials,
    "timeutil": seeds_timeutil, "text": seeds_text, "sigv4": seeds_sigv4,
    "state": seeds_state, "config": seeds_config,
    "secretsmanager": seeds_secretsmanager, "sns": seeds_sns, "iam": seeds_iam,
    "s3": seeds_s3,
}


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in GENERATORS:
        sys.stderr.write("usage: seeds.py {%s} OUTDIR\n" % "|".join(GENERATORS))
        return 2
    target, outdir = sys.argv[1], sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    seeds = GENERATORS[target]()
    testdata = os.environ.get("SW_TESTDATA", "")
    copied = 0
    if testdata and os.path.isdir(os.path.join(testdata, "aws-responses")):
        base = os.path.join(testdata, "aws-responses")
        for pattern in FIXTURES[target]:
            for path in sorted(glob.glob(os.path.join(base, pattern))):
                if os.path.getsize(path) <= MAX_FIXTURE:
                    rel = os.path.relpath(path, base).replace("/", "__")
                    seeds["fixture-" + rel] = open(path, "rb").read()
                    copied += 1
        if target == "sigv4":
            extra = sigv4_fixtures(testdata)
            seeds.update(extra)
            copied += len(extra)
    for name, data in seeds.items():
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(data)
    print("seeds.py: %s: %d seeds (%d from the shared test data)"
          % (target, len(seeds), copied))
    return 0


if __name__ == "__main__":
    sys.exit(main())
