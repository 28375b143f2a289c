#!/usr/bin/python3
"""Security properties of issue 7 that need no fault stream (the others run
inside fault_table.py, over everything that run produced):

* the plugin's IAM policy (contrib/iam/plugin-policy.json) grants no
  secretsmanager:GetSecretValue (nor a wildcard that covers it);
* a state file that is a symbolic link, or owned by another user, is
  refused (collectd -T fails, the log names the reason) and not touched;
* TLS verification cannot be turned off: no option that would do it is
  accepted (collectd -T refuses the configuration) and a wrong CA fails
  closed with a clear error in the collectd log.

collectd -T runs through tests/lib/swharness.py: under an ASan build of the
plugin with the ASan runtime preloaded, and a sanitizer report fails.

Usage: security_props.py /path/to/secretwatch.so   Exit 0 pass, 1 fail, 77 skip."""
import fnmatch
import json
import os
import pwd
import subprocess
import sys
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import swharness  # noqa: E402  (simulator, PluginDir, collectd -T, sanitizers)

BOB = ("AKIAAWSSIMBOB0000001", "bobSecretKey/awssim/00000000000000000000")
FAILURES = []


def check(cond, what, detail=""):
    if cond:
        print("ok   " + what)
    else:
        print("FAIL: " + what + ("\n" + detail if detail else ""))
        FAILURES.append(what)


def iam_policy(src):
    path = os.path.join(src, "contrib", "iam", "plugin-policy.json")
    if not os.path.exists(path):
        print("note: %s is absent: IAM policy property not checked" % path)
        return
    with open(path) as f:
        doc = json.load(f)
    stmts = doc.get("Statement", [])
    if isinstance(stmts, dict):
        stmts = [stmts]
    grants = []
    for s in stmts:
        if s.get("Effect") != "Allow":
            continue
        acts = s.get("Action", [])
        acts = [acts] if isinstance(acts, str) else acts
        for a in acts:
            for want in ("secretsmanager:GetSecretValue",
                         "secretsmanager:BatchGetSecretValue"):
                if fnmatch.fnmatch(want.lower(), a.lower()):
                    grants.append(a)
        if "NotAction" in s:
            grants.append("NotAction in an Allow statement")
    check(not grants, "IAM policy grants no GetSecretValue (%d statements)"
          % len(stmts), repr(grants))


class T:
    """One simulator and a PluginDir (swharness.Harness); collectd -T runs
    through swharness.run_collectd_T, so an ASan build of the plugin runs
    with the ASan runtime preloaded and a sanitizer report fails the check
    that ran it."""

    def __init__(self, so):
        self.so = so
        self.h = swharness.Harness("swsec-", so)
        self.work = self.h.work
        self.plugins = self.h.plugin_dir(so, ("logfile",))
        self.n = 0

    def start_sim(self):
        self.h.start_sim()
        self.cfg = self.h.cfg

    def close(self):
        """Stops the simulator; exits 1 when a sanitizer wrote a report."""
        self.h.close(keep=bool(os.environ.get("SW_KEEP")))

    def collectd_T(self, account_body):
        """collectd -T with one account block: (exit status, log text)."""
        self.n += 1
        log = "log%d" % self.n
        conf = os.path.join(self.work, "c%d.conf" % self.n)
        with open(conf, "w") as f:
            f.write(self.h.base_conf(self.plugins, hostname="swsec",
                                     interval=2, log=log) + """\
LoadPlugin secretwatch
<Plugin secretwatch>
  <Account "sec">
    Region "us-east-1"
    Timeout 3
{body}
    <Secret "S">
      SecretID "S"
    </Secret>
  </Account>
</Plugin>
""".format(body=account_body))
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(AWS_ACCESS_KEY_ID=BOB[0], AWS_SECRET_ACCESS_KEY=BOB[1])
        try:
            r = swharness.run_collectd_T(conf, self.so, env, 60,
                                         self.h.report_dir)
        except AssertionError as e:   # a sanitizer report
            check(False, "no sanitizer report from collectd -T (%s)" % conf,
                  str(e)[-3000:])
            return -1, str(e)
        return r.returncode, r.stdout + r.stderr + self.h.log(log, 1 << 20)

    def counters(self):
        with urllib.request.urlopen(self.h.admin_url + "requests?log=0",
                                    timeout=20) as r:
            return json.loads(r.read())


def state_refusals(t):
    d = os.path.join(t.work, "st")
    os.makedirs(d, mode=0o700)
    target = os.path.join(d, "target.json")
    with open(target, "w") as f:
        f.write('{"version":1}')
    link = os.path.join(d, "link.json")
    os.symlink(target, link)
    rc, log = t.collectd_T('    EndpointURL "http://127.0.0.1:9"\n'
                           '    StateFile "%s"' % link)
    with open(target) as f:
        kept = f.read() == '{"version":1}'
    check(rc != 0 and "symbolic link" in log and kept and
          os.path.islink(link), "a StateFile that is a symlink is refused "
          "(collectd -T exit %d), its target untouched" % rc, log[-1500:])
    if os.geteuid() != 0:
        print("note: not root: the other-owner case is not checked")
        return
    other = os.path.join(d, "other.json")
    with open(other, "w") as f:
        f.write('{"version":1}')
    nobody = pwd.getpwnam("nobody").pw_uid
    os.chown(other, nobody, -1)
    rc, log = t.collectd_T('    EndpointURL "http://127.0.0.1:9"\n'
                           '    StateFile "%s"' % other)
    check(rc != 0 and "owned by uid %d" % nobody in log and
          os.stat(other).st_uid == nobody, "a StateFile owned by another "
          "user is refused (collectd -T exit %d)" % rc, log[-1500:])


def tls(t):
    ep = t.cfg["endpoint_https"]
    for opt in ('VerifyPeer false', 'VerifyTLS false', 'Insecure true',
                'SSLVerify false', 'NoVerifySSL true', 'VerifyHost false'):
        rc, log = t.collectd_T('    EndpointURL "%s"\n    %s' % (ep, opt))
        check(rc != 0, "option '%s' is refused (collectd -T exit %d)"
              % (opt, rc), log[-800:])
    # AWS SDK / curl variables that would disable or redirect verification
    # must not help: no CAFile and the system store -> fails closed
    before = t.counters()
    rc, log = t.collectd_T('    EndpointURL "%s"' % ep)
    lines = [ln for ln in log.splitlines() if "TLS" in ln or "certificate"
             in ln]
    check(lines and t.counters()["total"] == before["total"],
          "the simulator's CA not trusted by default: TLS fails closed, "
          "no request reached it", log[-800:])
    other = os.path.join(t.work, "other.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                    os.path.join(t.work, "other.key"), "-out", other, "-days",
                    "2", "-subj", "/CN=wrong CA"], check=True,
                   capture_output=True, timeout=60)
    before = t.counters()
    rc, log = t.collectd_T('    EndpointURL "%s"\n    CAFile "%s"' %
                           (ep, other))
    lines = [ln for ln in log.splitlines() if "TLS verification" in ln and
             other in ln]
    check(lines and t.counters()["total"] == before["total"] and
          t.counters()["tls_failures"] > before["tls_failures"],
          "a wrong CAFile fails closed with a clear error: %s" %
          (lines[0].split("secretwatch plugin: ")[-1][:200] if lines
           else "-"), log[-1500:])
    rc, log = t.collectd_T('    EndpointURL "%s"\n    CAFile "%s"' %
                           (ep, t.cfg["ca_file"]))
    check("TLS" not in log and t.counters()["total"] > before["total"],
          "the right CAFile works (control)", log[-800:])


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    so = sys.argv[1]
    swharness.need_collectd(("logfile",), so, tools=("openssl",))
    if swharness.is_asan(so):
        print("AddressSanitizer build: collectd -T runs with the ASan runtime "
              "preloaded; every check below runs (none depends on timing or "
              "memory layout) and any sanitizer report fails it")
    iam_policy(swharness.source_dir())
    t = T(so)
    try:
        t.start_sim()
        state_refusals(t)
        tls(t)
    finally:
        t.close()
    if FAILURES:
        print("%d failure(s)" % len(FAILURES))
        return 1
    print("all security properties hold")
    return 0


if __name__ == "__main__":
    sys.exit(main())
