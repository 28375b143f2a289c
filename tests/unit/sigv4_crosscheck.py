#!/usr/bin/python3
"""Cross-checks lib/sigv4 against two independent SigV4 signers.

Usage: sigv4_crosscheck.py <path to the test_sigv4 binary>

For each of our own request vectors (the request shapes secretwatch sends:
JSON 1.1 POST, AWS query POST and GET, S3 PUT/GET with x-amz-content-sha256,
a session token) this signs the request with

  (a) botocore (SigV4Auth / S3SigV4Auth, and the query-string signers for
      presigned URLs) with fixed credentials and a fixed clock, and
  (b) curl --aws-sigv4 against a loopback HTTP server that records what curl
      sent (curl signs with the current time, so the date is taken from the
      X-Amz-Date it sent),

and asks our signer (``test_sigv4 --sign-helper``, JSON in and out) to sign
the very same request at the same time. The Authorization values (or the
presigned query parameters) must be identical.

Prints one line per comparison: PASS/FAIL/SKIP <vector> <signer>. Exit code
0 when nothing failed, 1 on any failure, 77 when neither signer is usable.
Only loopback traffic; every wait is bounded.
"""

import datetime
import hashlib
import http.server
import json
import shutil
import subprocess
import sys
import threading
import types
import urllib.parse

AKID = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE/token+with=specials//=="
FIXED = datetime.datetime(2026, 3, 14, 15, 9, 26)
TIMEOUT_S = 20


def vector(name, service, region, method, path, query="", headers=None,
           body="", s3=False, token=None, presign=False, curl=True):
    return dict(name=name, service=service, region=region, method=method,
                path=path, query=query, headers=headers or [], body=body,
                s3=s3, token=token, presign=presign, curl=curl)


VECTORS = [
    vector("cloudtrail-lookupevents-json11", "cloudtrail", "us-east-1",
           "POST", "/",
           headers=[("Content-Type", "application/x-amz-json-1.1"),
                    ("X-Amz-Target", "com.amazonaws.cloudtrail.v20131101."
                                     "CloudTrail_20131101.LookupEvents")],
           body='{"LookupAttributes":[{"AttributeKey":"EventSource",'
                '"AttributeValue":"secretsmanager.amazonaws.com"}],'
                '"MaxResults":50}'),
    vector("sts-getcalleridentity-query-post", "sts", "eu-west-1", "POST",
           "/",
           headers=[("Content-Type",
                     "application/x-www-form-urlencoded; charset=utf-8")],
           body="Action=GetCallerIdentity&Version=2011-06-15"),
    vector("sns-publish-query-post", "sns", "us-west-2", "POST", "/",
           headers=[("Content-Type",
                     "application/x-www-form-urlencoded; charset=utf-8")],
           body="Action=Publish&Message=secret%20read%3A%20prod%2Fdb"
                "&TopicArn=arn%3Aaws%3Asns%3Aus-west-2%3A123456789012%3A"
                "alerts&Version=2010-03-31"),
    vector("iam-listusers-query-get", "iam", "us-east-1", "GET", "/",
           query="Action=ListUsers&MaxItems=100&Version=2010-05-08"),
    vector("s3-put-content-sha256", "s3", "us-east-1", "PUT",
           "/trail-bucket/AWSLogs/123456789012/2026%2003/a%2Bb%20c.json",
           headers=[("Content-Type", "application/json")],
           body='{"Records":[]}\n', s3=True),
    vector("s3-listobjectsv2-get", "s3", "eu-central-1", "GET",
           "/trail-bucket", query="list-type=2&prefix=AWSLogs%2F123",
           s3=True),
    vector("logs-filterlogevents-session-token", "logs", "ap-southeast-2",
           "POST", "/",
           headers=[("Content-Type", "application/x-amz-json-1.1"),
                    ("X-Amz-Target", "Logs_20140328.FilterLogEvents")],
           body='{"logGroupName":"trail","limit":100}', token=TOKEN),
    vector("secretsmanager-getsecretvalue-token", "secretsmanager",
           "us-east-1", "POST", "/",
           headers=[("Content-Type", "application/x-amz-json-1.1"),
                    ("X-Amz-Target", "secretsmanager.GetSecretValue")],
           body='{"SecretId":"prod/db"}', token=TOKEN),
    # Path normalization, double encoding and query sorting for non-S3
    # services. curl 7.88 does none of these (it signs path and query as
    # given), so only botocore is asked.
    vector("execute-api-path-normalized-double-encoded", "execute-api",
           "us-east-1", "GET", "/prod/./items/../items/a%20b%2Fc",
           query="b=2&a=1&a=0&empty=", curl=False),
    vector("presign-sts-getcalleridentity", "sts", "us-east-1", "GET", "/",
           query="Action=GetCallerIdentity&Version=2011-06-15",
           token=TOKEN, presign=True),
    vector("presign-s3-getobject", "s3", "us-east-1", "GET",
           "/trail-bucket/AWSLogs/x%20y.json.gz", s3=True, presign=True),
]

results = {"PASS": 0, "FAIL": 0, "SKIP": 0}


def report(status, vec, signer, detail=""):
    results[status] += 1
    print(f"{status} {vec['name']} {signer}" + (f": {detail}" if detail
                                                 else ""), flush=True)


def ours(helper, vec, host, headers, amz_date, body):
    """Signs with lib/sigv4 through the test binary; returns its JSON."""
    spec = dict(akid=AKID, secret=SECRET, token=vec["token"],
                region=vec["region"], service=vec["service"],
                amz_date=amz_date, s3=vec["s3"], presign=vec["presign"],
                expires=3600, method=vec["method"], path=vec["path"],
                query=vec["query"] or None,
                headers=[["Host", host]] + [list(h) for h in headers],
                body=body)
    out = subprocess.run([helper, "--sign-helper"], input=json.dumps(spec),
                         capture_output=True, text=True, timeout=TIMEOUT_S)
    try:
        return json.loads(out.stdout)
    except ValueError:
        return {"error": f"helper exit {out.returncode}: {out.stderr[:300]}"}


# ---- botocore ----

def botocore_sign(vec, host):
    """(added headers dict, presigned query) from botocore at FIXED."""
    import botocore.auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    class FixedDateTime(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return cls(FIXED.year, FIXED.month, FIXED.day, FIXED.hour,
                       FIXED.minute, FIXED.second)

    url = f"http://{host}{vec['path']}"
    if vec["query"]:
        url += "?" + vec["query"]
    req = AWSRequest(method=vec["method"], url=url,
                     headers=dict([("Host", host)] + vec["headers"]),
                     data=vec["body"].encode())
    creds = Credentials(AKID, SECRET, vec["token"])
    if vec["presign"]:
        cls = (botocore.auth.S3SigV4QueryAuth if vec["s3"]
               else botocore.auth.SigV4QueryAuth)
        signer = cls(creds, vec["service"], vec["region"], expires=3600)
    else:
        cls = (botocore.auth.S3SigV4Auth if vec["s3"]
               else botocore.auth.SigV4Auth)
        signer = cls(creds, vec["service"], vec["region"])
    saved = botocore.auth.datetime
    botocore.auth.datetime = types.SimpleNamespace(datetime=FixedDateTime)
    try:
        signer.add_auth(req)
    finally:
        botocore.auth.datetime = saved
    return dict(req.headers.items()), urllib.parse.urlsplit(req.url).query


def check_botocore(helper, vec):
    try:
        import botocore  # noqa: F401
    except ImportError:
        report("SKIP", vec, "botocore", "python3-botocore not installed")
        return
    host = f"{vec['service']}.{vec['region']}.amazonaws.com"
    theirs, their_query = botocore_sign(vec, host)
    mine = ours(helper, vec, host, vec["headers"],
                FIXED.strftime("%Y%m%dT%H%M%SZ"), vec["body"])
    if "error" in mine:
        report("FAIL", vec, "botocore", "our signer: " + mine["error"])
        return
    if vec["presign"]:
        # botocore orders the parameters its own way: compare as multisets.
        want = sorted(urllib.parse.parse_qsl(their_query,
                                             keep_blank_values=True))
        got = sorted(urllib.parse.parse_qsl(mine["query"],
                                            keep_blank_values=True))
        if want == got:
            report("PASS", vec, "botocore")
        else:
            report("FAIL", vec, "botocore",
                   f"query differs:\n  ours {mine['query']}\n"
                   f"  botocore {their_query}")
        return
    got = {k.lower(): v for k, v in mine["headers"].items()}
    want = {k.lower(): v for k, v in theirs.items()
            if k.lower() in ("authorization", "x-amz-date",
                             "x-amz-security-token", "x-amz-content-sha256")}
    if got == want:
        report("PASS", vec, "botocore")
    else:
        report("FAIL", vec, "botocore", f"\n  ours     {got}\n  botocore {want}")


# ---- curl ----

class Recorder(http.server.BaseHTTPRequestHandler):
    captured = []

    def _any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(min(n, 1 << 20)) if n else b""
        Recorder.captured.append((self.command, self.path,
                                  list(self.headers.items()), body))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = do_PUT = _any

    def log_message(self, *args):
        pass


def curl_usable():
    curl = shutil.which("curl")
    if not curl:
        return None, "curl not installed"
    out = subprocess.run([curl, "--help", "all"], capture_output=True,
                         text=True, timeout=TIMEOUT_S)
    if "--aws-sigv4" not in out.stdout:
        return None, "this curl has no --aws-sigv4 (needs 7.75 or later)"
    return curl, ""


def check_curl(helper, vec, curl, port):
    if vec["presign"] or not vec["curl"]:
        return  # curl --aws-sigv4 only signs headers, and only simply
    url = f"http://127.0.0.1:{port}{vec['path']}"
    if vec["query"]:
        url += "?" + vec["query"]
    cmd = [curl, "-sS", "--max-time", "10", "-o", "/dev/null",
           "--aws-sigv4", f"aws:amz:{vec['region']}:{vec['service']}",
           "--user", f"{AKID}:{SECRET}", "-X", vec["method"]]
    extra = list(vec["headers"])
    if vec["s3"]:
        extra.append(("x-amz-content-sha256",
                      hashlib.sha256(vec["body"].encode()).hexdigest()))
    if vec["token"]:
        # curl has no token option: the header is sent and, as an x-amz-*
        # field, signed.
        extra.append(("X-Amz-Security-Token", vec["token"]))
    for k, v in extra:
        cmd += ["-H", f"{k}: {v}"]
    if vec["body"]:
        cmd += ["--data-binary", vec["body"]]
    cmd.append(url)
    Recorder.captured.clear()
    run = subprocess.run(cmd, capture_output=True, text=True,
                         timeout=TIMEOUT_S)
    if run.returncode != 0 or len(Recorder.captured) != 1:
        report("FAIL", vec, "curl", f"curl exit {run.returncode} "
               f"{run.stderr.strip()[:200]}")
        return
    method, target, headers, body = Recorder.captured[0]
    sent = {k.lower(): v for k, v in headers}
    auth = sent.get("authorization", "")
    signed = auth.partition("SignedHeaders=")[2].partition(",")[0].split(";")
    if "host" not in signed:
        report("FAIL", vec, "curl", f"unexpected Authorization {auth!r}")
        return
    # Sign what curl signed, minus the fields our signer adds itself.
    ours_adds = {"x-amz-date", "authorization"}
    if vec["token"]:
        ours_adds.add("x-amz-security-token")
    if vec["s3"]:
        ours_adds.add("x-amz-content-sha256")
    mine_headers = [(k, v) for k, v in headers
                    if k.lower() in signed and k.lower() not in ours_adds
                    and k.lower() != "host"]
    path, _, query = target.partition("?")
    v2 = dict(vec, method=method, path=path, query=query)
    mine = ours(helper, v2, sent["host"], mine_headers, sent["x-amz-date"],
                body.decode())
    if "error" in mine:
        report("FAIL", vec, "curl", "our signer: " + mine["error"])
        return
    got = {k.lower(): v for k, v in mine["headers"].items()}
    if got.get("authorization") == auth:
        report("PASS", vec, "curl")
    else:
        report("FAIL", vec, "curl",
               f"\n  ours {got.get('authorization')}\n  curl {auth}")


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    helper = sys.argv[1]
    curl, why = curl_usable()
    server = None
    if curl:
        server = http.server.HTTPServer(("127.0.0.1", 0), Recorder)
        server.timeout = 5
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        for vec in VECTORS:
            check_botocore(helper, vec)
            if curl:
                check_curl(helper, vec, curl, server.server_address[1])
            elif not vec["presign"] and vec["curl"]:
                report("SKIP", vec, "curl", why)
    finally:
        if server:
            server.shutdown()
            server.server_close()
    print(f"sigv4 cross-check: {results['PASS']} passed, "
          f"{results['FAIL']} failed, {results['SKIP']} skipped")
    if results["FAIL"]:
        return 1
    return 0 if results["PASS"] else 77


if __name__ == "__main__":
    sys.exit(main())
