#!/usr/bin/python3
"""contrib/ansible/roles/secretwatch with Debian's ansible-core:
`ansible-playbook -c local -i localhost,` into a private prefix.

1. first run: installs the built plugin, writes secretwatch.conf from the
   variables (validated by the role with `collectd -T -C` against
   tests/awssim), restarts collectd through the handler (a test command);
2. second run, same variables: changed=0 and no restart;
3. this host is no longer in secretwatch_events_pollers: only the
   configuration changes (Events false) and collectd restarts once;
4. a configuration collectd refuses (a bad Mode): the play fails in
   validation and the installed file stays as it was;
5. a fleet of two inventory hosts (both local, each its own prefix) in one
   play: only the listed poller gets Events true;
6. the .deb branch, in check mode with a dummy package: apt would install
   it, nothing is installed.

Usage: test_ansible.py /path/to/secretwatch.so
Exit 0 pass, 1 fail, 77 skipped (a needed package is missing)."""
import hashlib
import json
import os
import re
import stat
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import swharness  # noqa: E402
from swharness import COLLECTD, KEY, SECRET_KEY, skip  # noqa: E402

PLAYBOOK = "/usr/bin/ansible-playbook"
CONF = "/etc/collectd/collectd.conf.d/secretwatch.conf"


class Harness(swharness.Harness):
    def __init__(self, so):
        super().__init__("sw-ansible-", so)
        self.prefix = os.path.join(self.work, "root")
        self.restarts = os.path.join(self.work, "restarts.log")
        # The role runs collectd -T itself: an ASan plugin needs the
        # runtime preloaded into collectd (only there), and SW_VALGRIND=1
        # runs collectd under valgrind, both through a wrapper.
        self.collectd_bin = COLLECTD
        if swharness.wrapper_needed(so):
            self.collectd_bin = swharness.collectd_wrapper(
                os.path.join(self.work, "collectd-asan"), so, self.report_dir)

    def variables(self, pollers, mode="honeytoken"):
        # a build tree (<build>/plugin/secretwatch.so) is named by its
        # directory, anything else by the file
        build = os.path.dirname(os.path.dirname(self.so))
        if os.path.basename(os.path.dirname(self.so)) == "plugin":
            source = {"secretwatch_build_dir": build}
        else:
            source = {"secretwatch_plugin_src": self.so}
        if self.collectd_bin != COLLECTD:
            source["secretwatch_collectd_bin"] = self.collectd_bin
        return dict(source, **{
            "secretwatch_prefix": self.prefix,
            "secretwatch_restart_command":
                "/bin/sh -c 'echo restart >> %s'" % self.restarts,
            "secretwatch_helper_dir": "/usr/lib/secretwatch",
            "secretwatch_validate_timeout": 60,
            "secretwatch_validate_environment": {
                "AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY},
            "secretwatch_events_pollers": pollers,
            "secretwatch_accounts": [{
                "name": "prod",
                "region": "us-east-1",
                "endpoint_url": self.cfg["endpoint_https"],
                "ca_file": self.cfg["ca_file"],
                "host": "aws-prod",
                "interval": 60,
                "timeout": 5,
                "watchdog": False,
                "secrets": [
                    {"label": "TopSecretInfo", "secret_id": "TopSecretInfo",
                     "alarm_name": "secretwatch-TopSecretInfo-read",
                     "mode": mode},
                    {"label": "app-db", "secret_id": "prod/app/db",
                     "mode": "guarded",
                     "allow_principals": [
                         "arn:aws:sts::111122223333:assumed-role/app-*/*",
                         "arn:aws:iam::111122223333:user/deploy"]},
                ]}],
        })

    def play(self, variables, inventory="localhost,", extra=()):
        """Runs the role; returns (rc, output, recap dict of localhost)."""
        run = len(os.listdir(self.work))
        vars_file = os.path.join(self.work, "vars-%d.json" % run)
        with open(vars_file, "w") as f:
            json.dump(variables, f)
        book = os.path.join(self.work, "site.yml")
        with open(book, "w") as f:
            f.write("- hosts: all\n  gather_facts: false\n"
                    "  roles: [secretwatch]\n")
        cfg = os.path.join(self.work, "ansible.cfg")
        open(cfg, "w").close()  # no /etc/ansible/ansible.cfg
        tmp = os.path.join(self.work, "ansible-tmp")
        env = dict(os.environ, ANSIBLE_CONFIG=cfg,
                   ANSIBLE_ROLES_PATH=os.path.join(self.src, "contrib",
                                                   "ansible", "roles"),
                   ANSIBLE_LOCAL_TEMP=tmp, ANSIBLE_REMOTE_TMP=tmp,
                   ANSIBLE_NOCOLOR="1", ANSIBLE_RETRY_FILES_ENABLED="0",
                   ANSIBLE_PYTHON_INTERPRETER="/usr/bin/python3",
                   ANSIBLE_STDOUT_CALLBACK="default")
        r = subprocess.run([PLAYBOOK, "-c", "local", "-i", inventory,
                            "-e", "@" + vars_file] + list(extra) + [book],
                           capture_output=True, text=True, timeout=120,
                           env=env, stdin=subprocess.DEVNULL)
        out = r.stdout + r.stderr
        m = re.search(r"^localhost\s*:\s*(.*)$", out, re.M)
        recap = dict((k, int(v)) for k, v in
                     re.findall(r"(\w+)=(\d+)", m.group(1))) if m else {}
        return r.returncode, out, recap

    def conf(self):
        with open(self.prefix + CONF) as f:
            return f.read()

    def restart_count(self):
        if not os.path.exists(self.restarts):
            return 0
        with open(self.restarts) as f:
            return len(f.read().splitlines())


def check(cond, what, out=""):
    if not cond:
        print("FAIL: " + what)
        if out:
            print(out[-6000:])
        raise SystemExit(1)
    print("ok   " + what)


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    if not os.path.exists(PLAYBOOK):
        skip("ansible-playbook missing (Debian package ansible-core)")
    if not os.path.exists(COLLECTD):
        skip("collectd missing (Debian package collectd-core)")
    h = Harness(os.path.abspath(sys.argv[1]))
    def body():
        h.start_sim()
        # 1. first run
        rc, out, recap = h.play(h.variables(["localhost"]))
        check(rc == 0 and recap.get("failed") == 0 and
              recap.get("changed", 0) > 0,
              "first run succeeds and changes the host (%r)" % recap, out)
        plugin = h.prefix + "/usr/lib/collectd/secretwatch.so"
        check(os.path.isfile(plugin) and not os.path.islink(plugin) and
              sha(plugin) == sha(h.so), "the built plugin is installed "
              "(a copy, not a symlink)")
        conf = h.conf()
        for want in ('LoadPlugin secretwatch', '<Account "prod">',
                     'Region "us-east-1"', 'Host "aws-prod"', 'Interval 60',
                     'Watchdog false', 'Events true',
                     '<Secret "TopSecretInfo">',
                     'AlarmName "secretwatch-TopSecretInfo-read"',
                     'Mode "honeytoken"', 'Mode "guarded"',
                     'AllowPrincipal "arn:aws:sts::111122223333:'
                     'assumed-role/app-*/*"',
                     'AllowPrincipal "arn:aws:iam::111122223333:user/deploy"'):
            check(want in conf, "secretwatch.conf has %s" % want, conf)
        mode = stat.S_IMODE(os.stat(h.prefix + CONF).st_mode)
        check(mode == 0o640, "secretwatch.conf is 0640 (%o)" % mode)
        sdir = h.prefix + "/var/lib/collectd/secretwatch"
        check(os.path.isdir(sdir) and
              stat.S_IMODE(os.stat(sdir).st_mode) == 0o700,
              "state directory 0700")
        check(h.restart_count() == 1, "the handler restarted collectd once "
              "(%d)" % h.restart_count())
        # the rendered file is a configuration collectd accepts on its own
        # (the role validated it, this checks the installed result)
        r = subprocess.run(
            [h.prefix + "/usr/lib/secretwatch/secretwatch-validate",
             h.collectd_bin,
             h.prefix + "/usr/lib/collectd", "/usr/share/collectd/types.db",
             "60", h.prefix + CONF], capture_output=True, text=True,
            timeout=90, env=swharness.collectd_env())
        check(r.returncode == 0, "collectd -T -C accepts the installed "
              "configuration", r.stderr)
        # 2. second run: nothing to do
        rc, out, recap = h.play(h.variables(["localhost"]))
        check(rc == 0 and recap.get("failed") == 0 and
              recap.get("changed") == 0,
              "second run reports changed=0 (%r)" % recap, out)
        check(h.restart_count() == 1, "no restart on the second run")
        # 3. another host polls LookupEvents now
        before = sha(plugin)
        rc, out, recap = h.play(h.variables(["poller-1", "poller-2"]))
        changed = re.findall(r"^changed: \[localhost\]", out, re.M)
        check(rc == 0 and recap.get("changed") == 2 and len(changed) == 2 and
              "TASK [secretwatch : Write the secretwatch configuration]\n"
              "changed" in re.sub(r" \*+", "", out),
              "events moved to other hosts: the configuration changed, then "
              "the handler (%r)" % recap, out)
        conf = h.conf()
        check("Events false" in conf and "Events true" not in conf and
              "read by poller-1, poller-2" in conf,
              "Events false on a host that is not a poller", conf)
        check(sha(plugin) == before and h.restart_count() == 2,
              "plugin untouched, collectd restarted once more")
        # 4. a configuration collectd refuses is not installed
        rc, out, recap = h.play(h.variables(["poller-1"], mode="bogus"))
        check(rc != 0 and recap.get("failed") == 1 and
              "collectd -T -C failed" in out,
              "a bad Mode fails the play in validation", out)
        check(h.conf() == conf and h.restart_count() == 2,
              "the refused configuration was not installed, no restart")
        # 5. a fleet in one play: two hosts, one poller
        inv = os.path.join(h.work, "fleet.ini")
        with open(inv, "w") as f:
            for name in ("host-a", "host-b"):
                f.write("%s ansible_connection=local secretwatch_prefix=%s\n"
                        % (name, os.path.join(h.work, name)))
        fleet = h.variables(["host-a"])
        del fleet["secretwatch_prefix"]  # extra vars would win over hosts'
        rc, out, _ = h.play(fleet, inventory=inv)
        confs = {}
        for name in ("host-a", "host-b"):
            with open(os.path.join(h.work, name) + CONF) as f:
                confs[name] = f.read()
        check(rc == 0 and re.search(r"^host-a .*failed=0", out, re.M) and
              re.search(r"^host-b .*failed=0", out, re.M),
              "fleet play over two hosts succeeds", out)
        check("Events true" in confs["host-a"] and
              "Events false" in confs["host-b"],
              "fleet: only the poller host-a reads events, host-b has "
              "Events false")
        check(h.restart_count() == 4, "fleet: each host restarted once")
        # 6. the .deb branch, in check mode (nothing is installed)
        pkg = "secretwatch-ansible-test-dummy"
        deb_root = os.path.join(h.work, "deb")
        os.makedirs(os.path.join(deb_root, "DEBIAN"))
        with open(os.path.join(deb_root, "DEBIAN", "control"), "w") as f:
            f.write("Package: %s\nVersion: 1.0\nArchitecture: all\n"
                    "Maintainer: test <test@example.com>\n"
                    "Description: dummy package of the secretwatch role test\n"
                    % pkg)
        deb = os.path.join(h.work, pkg + ".deb")
        r = subprocess.run(["dpkg-deb", "--build", deb_root, deb],
                           capture_output=True, text=True, timeout=60)
        check(r.returncode == 0, "dummy .deb built", r.stderr)
        deb_vars = h.variables(["localhost"])
        deb_vars.pop("secretwatch_plugin_src", None)
        deb_vars.pop("secretwatch_build_dir", None)
        deb_vars["secretwatch_deb"] = deb
        rc, out, recap = h.play(deb_vars, extra=["--check"])
        flat = re.sub(r" \*+", "", out)
        check(rc == 0 and "TASK [secretwatch : Install the secretwatch "
              "package]\nchanged" in flat and
              "TASK [secretwatch : Install the built plugin]\nskipping"
              in flat,
              "secretwatch_deb set: the package task would install it, the "
              "build copy is skipped", out)
        r = subprocess.run(["dpkg-query", "-W", pkg], capture_output=True)
        check(r.returncode != 0, "check mode installed nothing")

    return swharness.run_to_end(h, body)


if __name__ == "__main__":
    sys.exit(main())
