#!/usr/bin/python3
"""contrib/systemd/secretwatch.conf: systemd-analyze verify accepts it as a
drop-in of Debian's collectd.service (no unknown key, no bad value), and
the plugin works under what it sets up. In a private mount namespace
(unshare -m), as ProtectSystem=full and ProtectHome=read-only do, /usr,
/etc, /boot and /home are read-only, and a private directory is mounted on
/var/lib/collectd; `collectd -T` with Debian's BaseDir then writes the
default state file /var/lib/collectd/secretwatch/prod.json (0600):
once in the 0700 directory StateDirectory= creates, once with the directory
missing (the plugin creates it 0700).

Usage: systemd_dropin.py /path/to/secretwatch.so
Exit 0 pass, 1 fail, 77 skipped (systemd-analyze, unshare or collectd
missing)."""
import os
import shutil
import stat
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from swharness import (  # noqa: E402
    Checker, collectd_env, collectd_wrapper, Harness, need_collectd,
    run_checks, skip)


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    so = sys.argv[1]
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        skip("systemd-analyze missing (Debian systemd)")
    h = Harness("sw-eco-systemd-", so)
    ck = Checker(h, ("sim.log",))
    def body():
        dropin = os.path.join(h.src, "contrib/systemd/secretwatch.conf")
        units = os.path.join(h.work, "units")
        os.makedirs(os.path.join(units, "collectd.service.d"))
        unit = os.path.join(units, "collectd.service")
        if os.path.exists("/lib/systemd/system/collectd.service"):
            shutil.copy("/lib/systemd/system/collectd.service", unit)
        else:  # Debian's unit, reduced to what verify needs
            with open(unit, "w") as f:
                f.write("[Unit]\nDescription=collectd\n[Service]\nType=notify"
                        "\nExecStart=/bin/true\n[Install]\n"
                        "WantedBy=multi-user.target\n")
        shutil.copy(dropin, os.path.join(units, "collectd.service.d"))
        r = subprocess.run([analyze, "verify", unit], capture_output=True,
                           text=True, timeout=60,
                           env=dict(os.environ, SYSTEMD_UNIT_PATH=units + ":"))
        ours = [ln for ln in (r.stdout + r.stderr).splitlines()
                if "secretwatch.conf" in ln or "collectd.service" in ln]
        ck(not ours, "systemd-analyze verify: the drop-in parses without "
           "a warning", ours)
        with open(dropin) as f:
            text = f.read()
        ck("StateDirectory=collectd/secretwatch" in text and
           "StateDirectoryMode=0700" in text,
           "the drop-in keeps <BaseDir>/secretwatch writable, mode 0700")

        # The plugin under the drop-in's file system view.
        if shutil.which("unshare") is None:
            skip("unshare missing (util-linux)")
        probe = subprocess.run(
            ["unshare", "-m", "sh", "-c", "mount --make-rprivate /"],
            capture_output=True, timeout=20)
        if probe.returncode != 0:
            print("note: no mount namespace here (%s); the runtime half is "
                  "skipped" % probe.stderr.decode(errors="replace").strip())
            return
        need_collectd(["logfile"], so)
        h.start_sim()
        h.client("secretsmanager").create_secret(Name="TopSecretInfo",
                                                 SecretString="decoy")
        plugins = h.plugin_dir(so, ["logfile"])
        # collectd itself (only it) gets the ASan runtime of an ASan build
        collectd = collectd_wrapper(os.path.join(h.work, "collectd-run"),
                                    so, h.report_dir)
        for case in ("StateDirectory", "missing"):
            state = os.path.join(h.work, "state-" + case)
            os.makedirs(state)
            if case == "StateDirectory":
                os.mkdir(os.path.join(state, "secretwatch"), 0o700)
            conf = os.path.join(h.work, "collectd-%s.conf" % case)
            log = os.path.join(h.work, "collectd-%s.log" % case)
            with open(conf, "w") as f:
                f.write("""Hostname "swtest"
BaseDir "/var/lib/collectd"
PIDFile "{w}/collectd.pid"
PluginDir "{pd}"
TypesDB "/usr/share/collectd/types.db"
Interval 10
LoadPlugin logfile
<Plugin logfile>
  LogLevel info
  File "{log}"
</Plugin>
{account}    Timeout 5
    <Secret "TopSecretInfo">
    </Secret>
  </Account>
</Plugin>
""".format(w=h.work, pd=plugins, log=log,
                    account=h.account_open()))
            ro = " && ".join(
                "mount -o bind %s %s && mount -o remount,bind,ro %s" %
                (d, d, d) for d in ("/usr", "/etc", "/boot", "/home")
                if os.path.isdir(d))
            script = ("set -e; mount --make-rprivate /; mkdir -p "
                      "/var/lib/collectd; mount -o bind %s /var/lib/collectd;"
                      " %s; if touch /usr/.sw-probe 2>/dev/null; then "
                      "echo /usr-writable; exit 3; fi; exec %s -T -C %s"
                      % (state, ro, collectd, conf))
            env = collectd_env()
            r = subprocess.run(["unshare", "-m", "sh", "-c", script],
                               capture_output=True, text=True, timeout=90,
                               env=env)
            path = os.path.join(state, "secretwatch", "prod.json")
            ok = r.returncode == 0 and os.path.exists(path)
            ck(ok, "%s: collectd -T with /usr /etc read-only writes "
               "/var/lib/collectd/secretwatch/prod.json" % case,
               "rc %d %s %s" % (r.returncode, r.stdout[-500:],
                                h.log(os.path.basename(log))))
            if ok:
                dmode = stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode)
                fmode = stat.S_IMODE(os.stat(path).st_mode)
                ck(dmode == 0o700 and fmode == 0o600,
                   "%s: directory 0700, state file 0600" % case,
                   "%o %o" % (dmode, fmode))

    return run_checks(h, ck, body)


if __name__ == "__main__":
    sys.exit(main())
