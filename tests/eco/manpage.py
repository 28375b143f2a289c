#!/usr/bin/python3
"""secretwatch(5) against the code: it renders without a groff warning, and
documents (as an option heading) every option of the parser's tables in
plugin/config.c and every option of collectd.conf.example, with the default
the parser sets; every value and notification type the plugin dispatches
is described.

Usage: manpage.py   (SW_SOURCE_DIR: the source tree)
Exit 0 pass, 1 fail, 77 skipped (groff missing)."""
import os
import re
import shutil
import subprocess
import sys

SRC = os.environ.get("SW_SOURCE_DIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))


def read(rel):
    with open(os.path.join(SRC, rel)) as f:
        return f.read()


def main():
    if shutil.which("groff") is None:
        print("skip: groff missing (Debian groff-base)")
        return 77
    page_path = os.path.join(SRC, "docs/secretwatch.5")
    page = read("docs/secretwatch.5")
    passed = failed = 0

    def ck(cond, what, detail=""):
        nonlocal passed, failed
        if cond:
            passed += 1
            print("ok   " + what)
        else:
            failed += 1
            print("FAIL " + what + (": %s" % detail if detail else ""))

    r = subprocess.run(["groff", "-man", "-ww", "-z", page_path],
                       capture_output=True, text=True, timeout=60)
    ck(r.returncode == 0 and not r.stderr.strip(),
       "groff -man -ww renders without warnings", r.stderr[:500])
    r = subprocess.run(["groff", "-man", "-Tutf8", page_path],
                       capture_output=True, text=True, timeout=60)
    text = re.sub(r".\x08", "", r.stdout)
    ck("ACCOUNT OPTIONS" in text and "NOTIFICATIONS" in text,
       "renders the option and notification sections")

    # Option headings: .BI "Name ..." / .BI "<Account ..." / .BI Name ...
    headings = set(re.findall(r'^\.TP\n\.BI? "?<?([A-Za-z]+)', page, re.M))
    config_c = read("plugin/config.c")
    opts = re.findall(r'^\s*\{"([A-Za-z]+)", OPT_', config_c, re.M)
    ck(len(opts) >= 25, "found the option tables in plugin/config.c "
       "(%d options)" % len(opts))
    for o in sorted(set(opts)):
        ck(o in headings, "option %s of plugin/config.c has its heading" % o)
    example = read("collectd.conf.example")
    m = re.search(r"^<Plugin secretwatch>", example, re.M)
    ck(m, "collectd.conf.example has a <Plugin secretwatch> block")
    block = example[m.start():] if m else ""
    ex_opts = set(re.findall(r"^\s*#?\s*([A-Z][A-Za-z]+)\s+\S", block, re.M))
    ex_opts -= {"One", "Name", "Send", "Where", "Trust", "Seconds", "Period",
                "Pull", "After", "Check", "Also", "Assume", "Shared",
                "Repeatable", "Reads", "Matched", "The", "AWS", "CloudWatch",
                "At", "Default", "Defaults", "Accounts", "Put", "Copy"}
    ex_opts = {o for o in ex_opts if o in set(opts) or
               re.match(r"^[A-Z][a-z]+[A-Z]", o)}
    for o in sorted(ex_opts):
        ck(o in headings, "option %s of collectd.conf.example is documented"
           % o)
    for o in ("Account", "Secret"):
        ck(o in headings, "block <%s> is documented" % o)

    # Defaults the parser sets (config.h) appear in the page.
    config_h = read("plugin/config.h")
    for macro, opt in (("TIMEOUT_S", "Timeout"), ("LOOKBACK_S", "Lookback"),
                       ("MAX_BACKFILL_S", "MaxBackfill"),
                       ("PERIOD_S", "MetricPeriod"),
                       ("WATCHDOG_CYCLES", "WatchdogCycles")):
        m = re.search(r"#define SWP_DEFAULT_%s ([0-9.]+)" % macro, config_h)
        if not m:
            ck(False, "config.h defines SWP_DEFAULT_%s" % macro)
            continue
        want = m.group(1).rstrip("0").rstrip(".") if "." in m.group(1) \
            else m.group(1)
        start = page.find('.BI "%s ' % opt)
        end = page.find("\n.TP", start + 1)
        sect = page[start:end] if start >= 0 and end > start else ""
        ck(re.search(r"Default: %s\b" % re.escape(want), sect),
           "%s: default %s documented" % (opt, want))

    # Values and notifications the plugin dispatches.
    code = "".join(read("plugin/" + f) for f in os.listdir(
        os.path.join(SRC, "plugin")) if f.endswith(".c"))
    values = set(re.findall(
        r'swp_dispatch\([^;]*?"([a-z_]+)",\s*"([a-z_-]+)"', code, re.S))
    ck(len(values) >= 6, "found the plugin's dispatches (%d)" % len(values))
    for t, ti in sorted(values):
        ck("%s/%s" % (t, ti.replace("-", "\\-")) in page,
           "value %s/%s is documented" % (t, ti))
    for t in ("total_requests", "response_time", "chain"):
        ck(t in page, "%s is documented" % t)
    for t in sorted(set(re.findall(r'notif_init\([^;]*?"([a-z_]+)"', code,
                                   re.S)) | {"secret_access"}):
        ck(".BR \"type %s\"" % t in page, "notification type %s is documented"
           % t)
    for meta in set(re.findall(r'meta_(?:str|add_boolean)\(&?n,\s*"([a-z_]+)"',
                               code)):
        ck(".BR %s" % meta in page or ".B %s" % meta in page,
           "notification meta %s is documented" % meta)
    for check in set(re.findall(r'swp_wd_report\([^;]*?"([a-z_]+)"', code,
                                re.S)):
        ck(".B %s" % check in page, "watchdog check %s is documented" % check)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
