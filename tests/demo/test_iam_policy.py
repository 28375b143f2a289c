#!/usr/bin/python3
"""contrib/iam/plugin-policy.json grants exactly the AWS operations the
plugin calls: derived from the lib functions plugin/*.c calls (each checked
to send that operation name in lib/, and present in the built
secretwatch.so), plus sts:AssumeRole for the RoleARN option. Never
secretsmanager:GetSecretValue, never a wildcard action.
Exit 0 pass, 1 fail."""
import glob
import json
import os
import re
import sys

SRC = os.environ.get("SW_SOURCE_DIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("SW_BUILD_DIR", "")

# lib function prefix -> (IAM service prefix, lib source file)
SERVICES = {"ct": ("cloudtrail", "cloudtrail.c"),
            "cw": ("cloudwatch", "cloudwatch.c"),
            "logs": ("logs", "logs.c"),
            "sts": ("sts", "sts.c"),
            "sm": ("secretsmanager", "secretsmanager.c"),
            "sns": ("sns", "sns.c"),
            "iam": ("iam", "iam.c"),
            "s3": ("s3", "s3.c")}
# Helpers around a call (parsers, destructors, lookups): no request.
NOT_AN_OPERATION = re.compile(
    r"_(clean_up|init|parse|request|find|log_reads|free)$")

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def read(path):
    with open(path, errors="replace") as f:
        return f.read()


def expected_actions():
    plugin = "".join(read(p) for p in sorted(glob.glob(
        os.path.join(SRC, "plugin", "*.c"))))
    # comments are not calls
    plugin = re.sub(r"/\*.*?\*/", "", plugin, flags=re.S)
    want = set()
    calls = set(re.findall(r"\bsw_(%s)_([a-z_]+)\s*\(" % "|".join(SERVICES),
                           plugin))
    for svc, fn in sorted(calls):
        if NOT_AN_OPERATION.search(fn) or fn.endswith("_resp"):
            continue
        op = "".join(w.capitalize() for w in fn.split("_"))
        prefix, libfile = SERVICES[svc]
        lib = read(os.path.join(SRC, "lib", libfile))
        check('"%s"' % op in lib,
              "sw_%s_%s sends operation %s (lib/%s)" % (svc, fn, op, libfile))
        want.add("%s:%s" % (prefix, op))
    # RoleARN: the credentials chain calls STS AssumeRole for the plugin.
    if '"RoleARN"' in read(os.path.join(SRC, "plugin", "config.c")):
        creds = read(os.path.join(SRC, "lib", "credentials.c"))
        check("sw_sts_assume_role(" in creds,
              "RoleARN: lib/credentials.c calls sw_sts_assume_role")
        want.add("sts:AssumeRole")
    return want


def main():
    want = expected_actions()
    check(len(want) >= 5, "found the plugin's operations: %s"
          % ", ".join(sorted(want)))
    policy = json.loads(read(os.path.join(SRC, "contrib", "iam",
                                          "plugin-policy.json")))
    check(policy.get("Version") == "2012-10-17", "policy Version 2012-10-17")
    have = set()
    for st in policy.get("Statement", []):
        check(st.get("Effect") == "Allow" and "NotAction" not in st,
              "statement %s: Allow with Action" % st.get("Sid"))
        acts = st.get("Action", [])
        have.update([acts] if isinstance(acts, str) else acts)
    check(not any("*" in a for a in have), "no wildcard action")
    check("secretsmanager:GetSecretValue" not in have,
          "never secretsmanager:GetSecretValue")
    check(not any(a.startswith("secretsmanager:") for a in have),
          "no Secrets Manager access at all")
    check(have - want == set(), "nothing the plugin does not call: %s"
          % ", ".join(sorted(have - want)))
    check(want - have == set(), "everything the plugin calls: missing %s"
          % ", ".join(sorted(want - have)))
    so = os.path.join(BUILD, "plugin", "secretwatch.so") if BUILD else ""
    if so and os.path.exists(so):
        blob = open(so, "rb").read()
        for a in sorted(want):
            check(a.split(":")[1].encode() in blob,
                  "%s is in the built secretwatch.so" % a.split(":")[1])
    else:
        print("note: secretwatch.so not built; binary check skipped")
    if failures:
        print("%d check(s) failed" % len(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
