#!/usr/bin/python3
"""credential_process for the fault suite: asks the simulator for new
short-lived temporary credentials (POST /_awssim/credentials) and prints
them in the credential_process format. Every issued secret key and session
token is appended to ISSUED (one JSON object per line) so the test can grep
everything collectd produced for them.

Usage: credproc.py ADMIN_URL DURATION_S ISSUED_FILE"""
import json
import sys
import time
import urllib.request


def main():
    url, duration, issued = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    req = urllib.request.Request(
        url + "credentials",
        data=json.dumps({"principal": "AKIAAWSSIMALICE00001",
                         "duration_s": duration}).encode(), method="POST")
    with urllib.request.urlopen(req, timeout=10) as r:
        c = json.loads(r.read())
    exp = c.get("expiration")
    if isinstance(exp, (int, float)):
        exp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(exp))
    with open(issued, "a") as f:
        f.write(json.dumps({"secret": c["secret_access_key"],
                            "token": c["session_token"],
                            "key": c["access_key_id"], "time": time.time()})
                + "\n")
    json.dump({"Version": 1, "AccessKeyId": c["access_key_id"],
               "SecretAccessKey": c["secret_access_key"],
               "SessionToken": c["session_token"], "Expiration": exp},
              sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
