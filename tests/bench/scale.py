#!/usr/bin/python3
"""Section 8 of secretwatch's benchmark (issue 8, "Scale beyond one
poller"), run by bench.py (tests/bench/run.sh, or `run.sh --scale-only`):

8.1 the LookupEvents strategy crossover (DESIGN.md 2.4): pages of one
    EventName=GetSecretValue query vs one ResourceName query per secret,
    counted by the simulator, and what the plugin's cycle (sw_cycle_driver)
    picked cycle after cycle;
8.2 a fleet of N real collectd polling one account and region through one
    simulator with its real LookupEvents limit (2/s): with the documented
    fleet setting (`Events true` on designated hosts, `Events false` on the
    others) and with every host reading events;
8.3 one real collectd polling 50 accounts, each through AssumeRole.

Standalone: scale.py --build-dir DIR [--part crossover|fleet|accounts]
[--quick]; prints the Markdown. Every loop and wait is bounded."""
import argparse
import glob
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.dont_write_bytecode = True
import bench  # noqa: E402
import swharness  # noqa: E402

PAGE = 50
LOOKBACK = 900  # the plugin's default, used by every config here
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
    "Action": "sts:AssumeRole"}]})
ROLE = "secretwatch-reader"


def log(msg):
    bench.log("scale: " + msg)


def boto(sim_cfg, service, key=bench.KEY, secret=bench.SECRET_KEY):
    import boto3
    return boto3.client(service, region_name="us-east-1",
                        endpoint_url=sim_cfg["endpoint_https"],
                        verify=sim_cfg["ca_file"], aws_access_key_id=key,
                        aws_secret_access_key=secret)


def ceil_div(a, b):
    return (a + b - 1) // b


def cpu_s(pid):
    """user+sys CPU seconds of a live process (0 when gone)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def status_kb(pid, field):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def pct(values, q):
    """The q-quantile (0..1) of values, nearest rank; None when empty."""
    if not values:
        return None
    v = sorted(values)
    return v[min(len(v) - 1, max(0, int(round(q * (len(v) - 1)))))]


def fmt_s(x):
    return "-" if x is None else "%.1f" % x


# ------------------------------------------------- 8.1 strategy crossover

def cheaper(en, ps):
    if ps < en:
        return "per-secret"
    if en < ps:
        return "EventName"
    return "tie"


def pick_of(r):
    """The query kind of one driver cycle from its LookupEvents calls."""
    en, rn = int(r["le_event_name"]), int(r["le_resource_name"])
    if en and rn:
        return "V"  # verifying: both kinds
    if rn:
        return "P"
    return "E"


def crossover_cell(build, work, sim, s, total, share, cycles):
    """One cell: s watched secrets (full ARNs), `total` GetSecretValue
    records in the Lookback window of which round(share * total) read
    watched secrets (spread evenly), the rest read 4 other secrets."""
    sim.reset()
    sm = boto(sim.cfg, "secretsmanager")
    arns = [sm.create_secret(Name="cross/w%03d" % i, SecretString="x")["ARN"]
            for i in range(s)]
    others = [sm.create_secret(Name="cross/o%d" % i, SecretString="x")["ARN"]
              for i in range(4)]
    watched = int(round(share * total))
    per = [watched // s + (1 if i < watched % s else 0) for i in range(s)]
    for arn, n in zip(arns, per):
        if n:
            sim.admin("read", {"secret": arn, "principal": bench.INTRUDER,
                               "count": n, "delivery_delay_s": 0})
    rest = total - watched
    for i, arn in enumerate(others):
        n = rest // 4 + (1 if i < rest % 4 else 0)
        if n:
            sim.admin("read", {"secret": arn, "principal": bench.INTRUDER,
                               "count": n, "delivery_delay_s": 0})
    sim.admin("tick", {"evaluate_alarms": False})
    time.sleep(1.1)  # whole-second window edges
    # what each strategy costs over the Lookback window, simulator-counted
    ct = boto(sim.cfg, "cloudtrail")
    end = time.time()
    start = end - LOOKBACK

    def pages(attr_key, value):
        tok, n = None, 0
        while n < 10000:
            kw = {"LookupAttributes": [{"AttributeKey": attr_key,
                                        "AttributeValue": value}],
                  "StartTime": start, "EndTime": end, "MaxResults": PAGE}
            if tok:
                kw["NextToken"] = tok
            tok = ct.lookup_events(**kw).get("NextToken")
            n += 1
            if not tok:
                break
        return n
    sim.clear_counts()
    for_en = pages("EventName", "GetSecretValue")
    en = bench.op(sim.counts(), "cloudtrail.LookupEvents")
    sim.clear_counts()
    for arn in arns:
        pages("ResourceName", arn)
    ps = bench.op(sim.counts(), "cloudtrail.LookupEvents")
    assert en == for_en
    # the plugin's choice, cycle after cycle
    dwork = tempfile.mkdtemp(prefix="drv-", dir=work)
    conf = os.path.join(dwork, "plugin.conf")
    with open(conf, "w") as f:
        f.write(secrets_config(sim, arns, os.path.join(dwork, "state")))
    d = DriverConf(build, dwork, conf)
    picks, le, notifs, failed = [], [], 0, 0
    try:
        for _ in range(cycles):
            r = d.cmd("cycle 1")
            picks.append(pick_of(r))
            le.append(int(r["le_event_name"] + r["le_resource_name"] +
                          r["le_other"]))
            notifs += int(r["notifs"])
            failed += int(r["failed"])
    finally:
        d.close()
    want = cheaper(en, ps)
    best = min(en, ps)
    # after the verifying cycle (or all but the first, when there was none)
    k = picks.index("V") + 1 if "V" in picks else 1
    after = list(zip(picks[k:], le[k:]))
    right = sum(1 for p, _ in after
                if want == "tie" or (p == "P") == (want == "per-secret"))
    return {"S": s, "T": total, "W": watched, "share": share, "en": en,
            "ps": ps, "cheaper": want, "picks": picks, "le": le,
            "right": right, "after": len(after),
            "extra": sum(n for _, n in after) - best * len(after),
            "notifs": notifs, "failed": failed}


def secrets_config(sim, arns, state_file, interval=60):
    lines = ['<Account "cross">', '  Region "us-east-1"',
             '  EndpointURL "%s"' % sim.cfg["endpoint_https"],
             '  CAFile "%s"' % sim.cfg["ca_file"],
             '  Interval %d' % interval, '  Timeout 30', '  Watchdog false',
             '  StateFile "%s"' % state_file]
    for i, arn in enumerate(arns):
        lines += ['  <Secret "w%03d">' % i, '    SecretID "%s"' % arn,
                  '  </Secret>']
    lines.append('</Account>')
    return "\n".join(lines) + "\n"


class DriverConf(bench.Driver):
    """bench.Driver on a given config file (rate limits lifted)."""

    def __init__(self, build, work, conf):
        self.work = work
        env = dict(os.environ, AWS_ACCESS_KEY_ID=bench.KEY,
                   AWS_SECRET_ACCESS_KEY=bench.SECRET_KEY,
                   AWS_CONFIG_FILE="/dev/null",
                   AWS_SHARED_CREDENTIALS_FILE="/dev/null",
                   SW_BENCH_NO_RATELIMIT="1")
        self.err = open(os.path.join(work, "driver.log"), "w")
        self.proc = subprocess.Popen(
            [os.path.join(build, "tests", "bench", "sw_cycle_driver"), conf,
             work], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self.err, text=True, env=env)


def section_crossover(build, work, sim, quick):
    grid_s = [1, 4, 16, 64]
    grid_t = [100, 1000, 3000]
    shares = [0.02, 0.2, 1.0]
    if quick:
        grid_s, grid_t, shares = [1, 16], [100, 1000], [0.02, 1.0]
    rows = []
    t0 = time.time()
    for total in grid_t:
        for share in shares:
            for s in grid_s:
                log("crossover: S=%d T=%d share=%.2f" % (s, total, share))
                rows.append(crossover_cell(build, work, sim, s, total, share,
                                           12))
    return {"rows": rows, "seconds": time.time() - t0}


def crossover_text(x):
    rows = x["rows"]
    o = ["### 8.1 LookupEvents strategy crossover", "",
         "S watched secrets (full ARNs), T GetSecretValue records in the "
         "Lookback window (900 s), W = share x T of them reads of watched "
         "secrets (spread evenly), the rest reads of 4 other secrets. "
         "EventName = pages of one `EventName=GetSecretValue` query over the "
         "window, per-secret = pages of one `ResourceName=<ARN>` query per "
         "secret, both counted by the simulator. Plugin: `sw_cycle_driver` "
         "(Interval 60, so 60 pages per cycle at most), %d cycles back to "
         "back with no new records; per cycle E = EventName only, V = "
         "verifying (both kinds), P = per-secret only, and the LookupEvents "
         "calls of each cycle. \"cheaper picked\" counts the cycles after "
         "the verifying one (after the first when none) that used the "
         "cheaper kind (a tie counts as cheaper); \"pages over the "
         "cheaper\" sums, over those cycles, the plugin's pages minus the "
         "cheaper strategy's. A ResourceName query also returns the "
         "secret's other events (here its CreateSecret record): 1,000 "
         "reads of one secret cost 21 pages. \"notified\" = notifications "
         "over the %d cycles (each watched read exactly once: = W)." %
         (len(rows[0]["picks"]), len(rows[0]["picks"])), ""]
    trs = []
    for r in rows:
        trs.append((r["S"], r["T"], "%.0f%%" % (100 * r["share"]), r["W"],
                    r["en"], r["ps"], r["cheaper"], "".join(r["picks"]),
                    " ".join(str(n) for n in r["le"]),
                    "%d/%d" % (r["right"], r["after"]),
                    "%+d" % r["extra"], r["notifs"],
                    r["failed"]))
    o.append(bench.md_table(
        ["S", "T", "share", "W", "EventName pages", "per-secret pages",
         "cheaper", "plugin per cycle", "plugin pages per cycle",
         "cheaper picked", "pages over the cheaper", "notified",
         "failed cycles"], trs))
    o.append("")
    # crossover: per (T, share), the S below which per-secret is cheaper
    lines = []
    for t in sorted({r["T"] for r in rows}):
        for sh in sorted({r["share"] for r in rows}):
            cell = sorted((r for r in rows if r["T"] == t and
                           r["share"] == sh), key=lambda r: r["S"])
            win = [r["S"] for r in cell if r["ps"] < r["en"]]
            lines.append("T = %d, share %.0f%%: per-secret cheaper for S in "
                         "%s of %s" % (t, 100 * sh, win or "none",
                                       [r["S"] for r in cell]))
    wrong = [r for r in rows if r["right"] < r["after"]]
    o += ["Crossover (measured): per-secret costs sum(max(1, ceil(w_i/50))) "
          "pages over the S secrets, EventName max(1, ceil(T/50)); "
          "per-secret wins only while S (at least one page per secret) stays "
          "below ceil(T/50) and the watched reads are a small share of T.",
          ""] + ["- " + ln for ln in lines] + [""]
    o.append("After its verifying cycle the plugin used the cheaper "
             "strategy in every cycle in %d of %d cells%s. Notified exactly "
             "W in %d of %d cells. %d cells took %.0f s." %
             (len(rows) - len(wrong), len(rows),
              "" if not wrong else "; not in: " + ", ".join(
                  "S=%d T=%d share %.0f%% (%s vs %s pages: %s)" %
                  (r["S"], r["T"], 100 * r["share"], r["en"], r["ps"],
                   "".join(r["picks"])) for r in wrong),
              sum(1 for r in rows if r["notifs"] == r["W"]), len(rows),
              len(rows), x["seconds"]))
    o.append("")
    never = [r for r in rows if r["cheaper"] == "per-secret" and
             "V" not in r["picks"]]
    if never:
        o += ["Never verified: in %d cell(s) where per-secret queries were "
              "cheaper (%s) the plugin never ran a verifying cycle, so it "
              "never tried them: a verifying cycle runs only when both "
              "estimates together fit in the cycle's page budget "
              "(plugin/poller.c choose_queries, max_pages = %d here), and "
              "the EventName query alone filled it." %
              (len(never), ", ".join("S=%d T=%d share %.0f%%: %d vs %d" %
                                     (r["S"], r["T"], 100 * r["share"],
                                      r["en"], r["ps"]) for r in never),
               60), ""]
    flip = [r for r in rows if "V" in r["picks"] and
            r["right"] < r["after"]]
    if flip:
        o += ["Switching back: in %d cell(s) the plugin returned to the "
              "dearer query now and then (%s): the estimate of the "
              "query not in use fades (plugin/cursor.c STRATEGY_FADE) "
              "until it looks a quarter cheaper (STRATEGY_SWITCH), and "
              "it is tried again for one cycle." %
              (len(flip), ", ".join("S=%d T=%d share %.0f%% %+d pages" %
                                    (r["S"], r["T"], 100 * r["share"],
                                     r["extra"]) for r in flip)), ""]
    return o


# ------------------------------------------------------------- collectd

def start_sim(h, extra=()):
    """tests/awssim (its real limits) in h.work/sim, optional arguments;
    sets h.sim, h.cfg, h.admin_url."""
    simdir = os.path.join(h.work, "sim")
    logf = open(os.path.join(h.work, "sim.log"), "w")
    p = subprocess.Popen(["/usr/bin/python3", os.path.join(
        swharness.source_dir(), "tests/awssim/awssim"), "--dir", simdir] +
        list(extra), stdout=logf, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL, start_new_session=True)
    logf.close()
    h.procs.append(p)
    path = os.path.join(simdir, "awssim.json")

    def ready():
        if p.poll() is not None:
            raise RuntimeError("awssim exited: " + h.log("sim.log"))
        try:
            with open(path) as f:
                return json.load(f)
        except (OSError, ValueError):
            return None
    h.cfg = swharness.wait_for("awssim.json", ready, 30, 0.1)
    h.sim = p
    h.admin_url = h.cfg["endpoint_http"] + "/_awssim/"


def admin_get(h, path):
    req = urllib.request.Request(h.admin_url + path, method="GET")
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())


def admin_delete(h, path):
    req = urllib.request.Request(h.admin_url + path, method="DELETE")
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read() or b"{}")


def collectd_conf(h, name, plugin_dir, script, body, interval,
                  globals_=""):
    """work/<name>/collectd.conf of one collectd: its own BaseDir, log and
    host name, exec notifications to script, then body."""
    d = os.path.join(h.work, name)
    os.makedirs(os.path.join(d, "base"), exist_ok=True)
    conf = os.path.join(d, "collectd.conf")
    with open(conf, "w") as f:
        f.write("""Hostname "{n}"
FQDNLookup false
BaseDir "{d}/base"
PIDFile "{d}/collectd.pid"
PluginDir "{pd}"
TypesDB "{tdb}"
Interval {iv}
{g}
LoadPlugin logfile
<Plugin logfile>
  LogLevel info
  File "{d}/collectd.log"
</Plugin>
LoadPlugin exec
<Plugin exec>
  NotificationExec "nobody" "{script}"
</Plugin>
LoadPlugin secretwatch
<Plugin secretwatch>
{body}</Plugin>
""".format(n=name, d=d, pd=plugin_dir, tdb=swharness.TYPES_DB, iv=interval,
           g=globals_, script=script, body=body))
    return conf


def notifications(notif_dir):
    """[(host, fields, seconds written)] of the exec notifications."""
    out = []
    for path in glob.glob(os.path.join(notif_dir, "n.*")):
        try:
            with open(path, errors="replace") as f:
                text = f.read()
        except OSError:
            continue
        head = text.partition("\n\n")[0]
        fields = {}
        for line in head.splitlines():
            k, _, v = line.partition(": ")
            fields.setdefault(k, v)
        out.append((fields.get("Host"), fields,
                    int(path.rsplit(".", 1)[1]) / 1e9))
    return out


def reads_by(notes, type_="secret_access"):
    """{(host, event_id): [seconds, ...]} of the read notifications."""
    got = {}
    for host, f, t in notes:
        if f.get("Type") == type_:
            got.setdefault((host, f.get("event_id")), []).append(t)
    return got


def throttles(counts):
    return counts.get("errors", {}).get("ThrottlingException", 0)


def max_rate(times, window_s=1.0):
    """Most calls in any window_s-long window."""
    times = sorted(times)
    best, j = 0, 0
    for i, t in enumerate(times):
        while times[j] < t - window_s + 1e-9:
            j += 1
        best = max(best, i - j + 1)
    return best


# ---------------------------------------------------------------- 8.2 fleet

def fleet_run(so, n, readers, interval, records, wait_s):
    """n collectd on one account and region; the first `readers` have
    Events true. Injects `records` reads (one every interval/2 s) and waits
    until every reader notified each (at most wait_s after the last)."""
    h = swharness.Harness("swscale-fleet-", so)
    try:
        start_sim(h)
        arn = boto(h.cfg, "secretsmanager").create_secret(
            Name="TopSecretInfo", SecretString="decoy")["ARN"]
        pd = h.plugin_dir(so, ("exec", "logfile"))
        script, ndir = h.notify_script()
        names = ["fleet%02d" % i for i in range(n)]
        procs = {}
        admin_delete(h, "requests")
        t_start = time.time()
        for i, name in enumerate(names):
            body = """  <Account "prod">
    Region "us-east-1"
    EndpointURL "{ep}"
    CAFile "{ca}"
    Interval {iv}
    Timeout 5
    Watchdog false
    Events {ev}
    <Secret "TopSecretInfo">
      SecretID "{arn}"
      Mode "honeytoken"
    </Secret>
  </Account>
""".format(ep=h.cfg["endpoint_https"], ca=h.cfg["ca_file"], iv=interval,
           ev="true" if i < readers else "false", arn=arn)
            conf = collectd_conf(h, name, pd, script, body, interval)
            procs[name] = h.spawn([swharness.COLLECTD, "-f", "-C", conf],
                                  name + ".out", env=h.collectd_env())
            # hosts of a fleet do not start in the same second: spread the
            # read times over one interval
            time.sleep(float(interval) / n)
        time.sleep(2 * interval + 1)  # every poller ran its first cycle
        dead = [k for k, p in procs.items() if p.poll() is not None]
        if dead:
            raise RuntimeError("collectd exited: %s %s" %
                               (dead, h.log(dead[0] + "/collectd.log")))
        cpu0 = {k: cpu_s(p.pid) for k, p in procs.items()}
        sim_cpu0, t0 = cpu_s(h.sim.pid), time.time()
        delivered = {}
        for k in range(records):
            r = h.admin("read", {"secret": "TopSecretInfo",
                                 "principal": bench.INTRUDER,
                                 "source_ip": "198.51.100.%d" % (k + 1),
                                 "delivery_delay_s": 0})
            h.admin("tick", {"evaluate_alarms": False})
            for eid in r["event_ids"]:
                delivered[eid] = time.time()
            time.sleep(interval / 2.0)
        want = {(nm, e) for nm in names[:readers] for e in delivered}
        deadline = time.time() + wait_s
        while time.time() < deadline:
            got = reads_by(notifications(ndir))
            if want <= set(got):
                break
            time.sleep(1)
        time.sleep(interval + 1)  # a duplicate would come in the next cycle
        t1 = time.time()
        cpu1 = {k: cpu_s(p.pid) for k, p in procs.items()}
        sim_cpu1 = cpu_s(h.sim.pid)
        load = os.getloadavg()
        rss = [status_kb(p.pid, "VmRSS") for p in procs.values()]
        counts = admin_get(h, "requests")
        for p in procs.values():
            h.stop(p)
        t_end = time.time()
        got = reads_by(notifications(ndir))
        hosts = []
        for i, name in enumerate(names):
            mine = {e: ts for (hn, e), ts in got.items() if hn == name}
            lost = sum(1 for e in delivered if e not in mine) \
                if i < readers else 0
            dup = sum(len(ts) - 1 for ts in mine.values())
            late = [min(ts) - delivered[e] for e, ts in mine.items()
                    if e in delivered]
            hosts.append({"name": name, "reader": i < readers,
                          "notified": sum(len(ts) for ts in mine.values()),
                          "lost": lost, "dup": dup, "late": late})
        le_log = [e for e in counts.get("log", [])
                  if e.get("operation") == "LookupEvents"]
        busy = sum(cpu1[k] - cpu0[k] for k in procs) / (t1 - t0)
        return {"n": n, "readers": readers, "interval": interval,
                "wait_s": wait_s,
                "records": len(delivered), "hosts": hosts,
                "throttles": throttles(counts),
                "lookups": bench.op(counts, "cloudtrail.LookupEvents"),
                "max_le_per_s": max_rate([e["time"] for e in le_log]),
                "seconds": t_end - t_start,
                "collectd_cpu_pct": 100.0 * busy,
                "sim_cpu_pct": 100.0 * (sim_cpu1 - sim_cpu0) / (t1 - t0),
                "load1": load[0], "rss_kb_avg": sum(rss) / max(1, len(rss)),
                "errors": counts.get("errors", {})}
    finally:
        h.close()


def section_fleet(so, quick):
    n = 20
    iv = 5
    recs = 6 if quick else 10
    runs = []
    plan = ((1, 40), (n, 60)) if quick else ((1, 60), (2, 60), (n, 120))
    for readers, wait_s in plan:
        log("fleet: %d collectd, %d reading events" % (n, readers))
        runs.append(fleet_run(so, n, readers, iv, recs, wait_s))
    return runs


def fleet_text(runs):
    o = ["### 8.2 Fleet: %d collectd on one account and region" %
         runs[0]["n"], "",
         "%d real collectd (Debian's, `Interval %d`, one honeytoken secret, "
         "`Watchdog false`, each with its own state file) against one "
         "simulator with its real LookupEvents limit (2/s per account and "
         "region, burst 2). %d reads injected one every %.1f s, each "
         "visible in LookupEvents at once; every reader must notify each "
         "exactly once (exec NotificationExec; meta event_id), checked "
         "against the event ids the simulator answered. The collectd start "
         "one after the other, spread over one interval (as a fleet's hosts "
         "do not read in the same second). Late = notification written "
         "minus the record's delivery; lost = not notified when the run "
         "ended (all notified, or %s s after the last read, then one more "
         "interval). Demand with every host reading: %d hosts x >= 1 page "
         "per %d s = %.1f pages/s against 2/s." %
         (runs[0]["n"], runs[0]["interval"], runs[0]["records"],
          runs[0]["interval"] / 2.0,
          "/".join(str(r["wait_s"]) for r in runs), runs[0]["n"],
          runs[0]["interval"], runs[0]["n"] / float(runs[0]["interval"])),
         ""]
    rows = []
    for r in runs:
        rd = [x for x in r["hosts"] if x["reader"]]
        lates = [max(x["late"]) for x in rd if x["late"]]
        meds = [statistics.median(x["late"]) for x in rd if x["late"]]
        others = sum(x["notified"] for x in r["hosts"] if not x["reader"])
        rows.append((
            "%d with `Events true`, %d `Events false`" %
            (r["readers"], r["n"] - r["readers"]) if r["readers"] < r["n"]
            else "all %d read events" % r["n"],
            r["lookups"], r["max_le_per_s"], r["throttles"],
            "%d/%d" % (sum(1 for x in rd if x["lost"] == 0 and
                           x["dup"] == 0), len(rd)),
            sum(x["lost"] for x in rd), sum(x["dup"] for x in rd), others,
            fmt_s(statistics.median(meds) if meds else None),
            fmt_s(max(meds) if meds else None),
            fmt_s(max(lates) if lates else None),
            "%.1f%%" % r["collectd_cpu_pct"], "%.0f%%" % r["sim_cpu_pct"],
            "%.2f" % r["load1"], "%.0f s" % r["seconds"]))
    o.append(bench.md_table(
        ["setting", "LookupEvents calls", "max calls in 1 s",
         "ThrottlingException", "readers exactly once", "lost", "duplicated",
         "notified by `Events false` hosts",
         "late s: median of per-process medians",
         "late s: worst per-process median", "late s: worst per-process max",
         "CPU of the %d collectd (of 1 core)" % runs[0]["n"],
         "simulator CPU", "load (1 min)", "run"], rows))
    o.append("")
    for r in runs:
        rd = [x for x in r["hosts"] if x["reader"]]
        bad = sum(x["lost"] + x["dup"] for x in rd)
        if r["readers"] < r["n"]:
            o.append("- %d designated poller(s): %d ThrottlingException "
                     "(target 0: **%s**), %s." %
                     (r["readers"], r["throttles"],
                      "met" if r["throttles"] == 0 else "missed",
                      "every read notified exactly once" if bad == 0 else
                      "%d lost or duplicated" % bad))
        else:
            starved = [x["name"] for x in rd if x["notified"] == 0]
            o.append("- all %d reading: %d of %d LookupEvents calls "
                     "throttled; %d of %d processes notified every read "
                     "exactly once, %d duplicates%s." %
                     (r["n"], r["throttles"], r["lookups"],
                      sum(1 for x in rd if x["lost"] == 0 and x["dup"] == 0),
                      len(rd), sum(x["dup"] for x in rd),
                      "; starved (nothing notified in the run): " +
                      ", ".join(starved) if starved else ""))
    o.append("")
    for r in runs:
        if r["readers"] == r["n"]:
            per = ["%s %s/%s" % (x["name"][-2:],
                                 fmt_s(statistics.median(x["late"])
                                       if x["late"] else None),
                                 fmt_s(max(x["late"]) if x["late"] else None))
                   for x in r["hosts"]]
            o += ["All %d reading, late per process (median/max s): %s." %
                  (r["n"], ", ".join(per)), ""]
    return o


# ------------------------------------------------------------ 8.3 accounts

def accounts_file(path, n):
    """The built-in principals (alice first) plus n accounts, each with an
    admin user; returns the list."""
    acc = [{"account_id": "111122223333",
            "access_key_id": bench.KEY, "secret_access_key": bench.SECRET_KEY,
            "principal_arn": "arn:aws:iam::111122223333:user/alice",
            "name": "alice"},
           {"account_id": "111122223333", "access_key_id":
            "AKIAAWSSIMINTRUDER01", "secret_access_key":
            "intruderSecretKey/awssim/000000000000000",
            "principal_arn": "arn:aws:iam::111122223333:user/intruder",
            "name": "intruder"}]
    for i in range(n):
        acc.append({"account_id": "2000000%05d" % i,
                    "access_key_id": "AKIASWSCALE%09d" % i,
                    "secret_access_key": "scaleSecretKey/awssim/%018d" % i,
                    "principal_arn": "arn:aws:iam::2000000%05d:user/admin" % i,
                    "name": "scale%02d" % i})
    with open(path, "w") as f:
        json.dump(acc, f)
    return acc


def rounds_of(times, gap_s):
    """Splits sorted times into groups separated by more than gap_s."""
    out = []
    for t in sorted(times):
        if out and t - out[-1][-1] <= gap_s:
            out[-1].append(t)
        else:
            out.append([t])
    return out


def accounts_run(so, n, interval, measure_cycles, injected_accounts):
    h = swharness.Harness("swscale-acct-", so)
    try:
        acc = accounts_file(os.path.join(h.work, "accounts.json"), n)
        start_sim(h, ["--accounts", os.path.join(h.work, "accounts.json")])
        mine = acc[2:]
        arns = []
        for a in mine:
            boto(h.cfg, "iam", a["access_key_id"],
                 a["secret_access_key"]).create_role(
                RoleName=ROLE, AssumeRolePolicyDocument=TRUST)
            arns.append(boto(h.cfg, "secretsmanager", a["access_key_id"],
                             a["secret_access_key"]).create_secret(
                Name="TopSecretInfo", SecretString="decoy")["ARN"])
        pd = h.plugin_dir(so, ("exec", "logfile"))
        script, ndir = h.notify_script()
        body = ""
        for i, (a, arn) in enumerate(zip(mine, arns)):
            body += """  <Account "a{i:02d}">
    Region "us-east-1"
    EndpointURL "{ep}"
    CAFile "{ca}"
    RoleARN "arn:aws:iam::{acct}:role/{role}"
    Interval {iv}
    Timeout 10
    Watchdog false
    <Secret "TopSecretInfo">
      SecretID "{arn}"
      Mode "honeytoken"
    </Secret>
  </Account>
""".format(i=i, ep=h.cfg["endpoint_https"], ca=h.cfg["ca_file"],
           acct=a["account_id"], role=ROLE, iv=interval, arn=arn)
        conf = collectd_conf(h, "multi", pd, script, body, interval)
        admin_delete(h, "requests")
        t_start = time.time()
        cd = h.spawn([swharness.COLLECTD, "-f", "-C", conf], "multi.out",
                     env=h.collectd_env())

        def warmed():
            if cd.poll() is not None:
                raise RuntimeError("collectd exited: " +
                                   h.log("multi/collectd.log"))
            c = admin_get(h, "requests?log=0")
            return len([a for a in mine if c["accounts"].get(
                a["account_id"], 0) >= 3]) == len(mine)
        swharness.wait_for("a first cycle in every account", warmed,
                           3 * interval + 60, 0.5)
        first = admin_get(h, "requests?log=0")
        time.sleep(interval)
        admin_delete(h, "requests")
        cpu0, t0 = cpu_s(cd.pid), time.time()
        delivered = {}
        for a in mine[:injected_accounts]:
            for k in range(2):
                r = h.admin("read", {"secret": "TopSecretInfo",
                                     "principal": a["access_key_id"],
                                     "delivery_delay_s": 0})
                for eid in r["event_ids"]:
                    delivered[eid] = (a["account_id"], time.time())
        h.admin("tick", {"evaluate_alarms": False})
        time.sleep(measure_cycles * interval)
        t1, cpu1 = time.time(), cpu_s(cd.pid)
        rss, hwm = status_kb(cd.pid, "VmRSS"), status_kb(cd.pid, "VmHWM")
        threads = status_kb(cd.pid, "Threads")
        counts = admin_get(h, "requests")
        h.stop(cd)
        seconds = time.time() - t_start
        got = {}
        for host, f, t in notifications(ndir):
            if f.get("Type") == "secret_access":
                got.setdefault(f.get("event_id"), []).append(
                    (f.get("account_id"), t))
        lost = [e for e in delivered if e not in got]
        dup = sum(len(v) - 1 for v in got.values())
        wrong = [e for e, v in got.items() if e in delivered and
                 any(x[0] != delivered[e][0] for x in v)]
        stray = [e for e in got if e not in delivered]
        late = [min(t for _, t in got[e]) - delivered[e][1]
                for e in delivered if e in got]
        logs = counts.get("log", [])
        by_acct = {}
        for e in logs:
            by_acct.setdefault(e.get("account"), []).append(e)
        spans, le_rates = [], []
        for a in mine:
            es = by_acct.get(a["account_id"], [])
            for g in rounds_of([e["time"] for e in es], interval / 2.0):
                spans.append(g[-1] - g[0])
            le_rates.append(max_rate([e["time"] for e in es
                                      if e["operation"] == "LookupEvents"]))
        op_rates = {}
        for acct, es in by_acct.items():
            ops = {}
            for e in es:
                ops.setdefault(e["operation"], []).append(e["time"])
            for opn, ts in ops.items():
                op_rates[opn] = max(op_rates.get(opn, 0), max_rate(ts))
        mine_ids = {a["account_id"] for a in mine}
        all_t = [e["time"] for e in logs if e.get("account") in mine_ids]
        rounds = rounds_of(all_t, interval / 4.0)
        whole = [g[-1] - g[0] for g in rounds]
        full = [w for g, w in zip(rounds, whole) if len(g) >= n]
        return {"n": n, "interval": interval, "seconds": seconds,
                "measured_s": t1 - t0, "cycles": len(rounds),
                "cpu_ms_per_round": (cpu1 - cpu0) * 1000.0 /
                max(1, (t1 - t0) / interval),
                "rss_kb": rss, "hwm_kb": hwm, "threads": threads,
                "throttles": throttles(counts) + throttles(first),
                "errors": counts.get("errors", {}),
                "assume_role": bench.op(first, "sts.AssumeRole") +
                bench.op(counts, "sts.AssumeRole"),
                "calls": counts["total"], "ops": counts["operations"],
                "le_max_per_s": max(le_rates) if le_rates else 0,
                "op_rates": op_rates,
                "span_med": statistics.median(spans) if spans else None,
                "span_max": max(spans) if spans else None,
                "whole_med": statistics.median(full) if full else None,
                "whole_max": max(full) if full else None,
                "injected": len(delivered),
                "injected_accounts": injected_accounts,
                "lost": len(lost), "dup": dup, "wrong": len(wrong),
                "stray": len(stray),
                "late_max": max(late) if late else None,
                "late_med": statistics.median(late) if late else None,
                "log_truncated": len(logs) < counts["total"]}
    finally:
        h.close()


def section_accounts(so, quick):
    log("accounts: 50 accounts in one collectd")
    return accounts_run(so, 50, 10, 3 if quick else 6, 10)


def accounts_text(r):
    o = ["### 8.3 One collectd, %d accounts through AssumeRole" % r["n"], "",
         "One real collectd (default `ReadThreads` 5), %d `<Account>` blocks "
         "with `RoleARN` (AssumeRole from alice's account into each "
         "account's `%s` role), `Interval %d`, one honeytoken secret each, "
         "against one simulator with every real limit (%d accounts loaded "
         "with `--accounts`). %d reads injected in %d accounts (2 each), "
         "then %.0f s measured. Cycle time from the simulator's log (the "
         "time each answer was ready): per account, from the first to the "
         "last answer of one cycle (the first call's own time left out); "
         "whole, from the first to the last answer of all accounts in one "
         "round. The 2/s LookupEvents limit is per account here: one page "
         "per account and cycle." %
         (r["n"], ROLE, r["interval"], r["n"], r["injected"],
          r["injected_accounts"], r["measured_s"]), ""]
    o.append(bench.md_table(
        ["figure", "value"], [
            ("AssumeRole calls (whole run)", r["assume_role"]),
            ("calls in the measured part",
             "%d (%s)" % (r["calls"], ", ".join(
                 "%s %d" % (k.split(".")[-1], v)
                 for k, v in sorted(r["ops"].items())))),
            ("ThrottlingException (whole run)", r["throttles"]),
            ("other errors", r["errors"] or "none"),
            ("most LookupEvents calls of one account in 1 s", r["le_max_per_s"]),
            ("most calls of one account and operation in 1 s",
             ", ".join("%s %d" % kv for kv in sorted(r["op_rates"].items()))),
            ("cycle time per account: median / max",
             "%s / %s s" % (fmt_s3(r["span_med"]), fmt_s3(r["span_max"]))),
            ("cycle time, all %d accounts: median / max" % r["n"],
             "%s / %s s (rounds seen: %d)" %
             (fmt_s3(r["whole_med"]), fmt_s3(r["whole_max"]), r["cycles"])),
            ("collectd CPU per round of %d account cycles" % r["n"],
             "%.1f ms (%.2f ms per account)" %
             (r["cpu_ms_per_round"], r["cpu_ms_per_round"] / r["n"])),
            ("collectd RSS / peak", "%.1f / %.1f MiB (%d threads)" %
             (r["rss_kb"] / 1024.0, r["hwm_kb"] / 1024.0, r["threads"])),
            ("injected reads notified exactly once",
             "%d of %d (lost %d, duplicated %d, wrong account %d, "
             "unexpected %d)" % (r["injected"] - r["lost"], r["injected"],
                                 r["lost"], r["dup"], r["wrong"],
                                 r["stray"])),
            ("late: median / max", "%s / %s s" % (fmt_s(r["late_med"]),
                                                  fmt_s(r["late_max"]))),
            ("run", "%.0f s" % r["seconds"])]))
    o.append("")
    return o


def fmt_s3(x):
    return "-" if x is None else "%.3f" % x


# ----------------------------------------------------------------- all

def run(build, work, sim, quick, parts=("crossover", "fleet", "accounts")):
    """Runs the parts; sim is an unlimited bench.Sim (for 8.1). Returns the
    results dict for text()."""
    so = os.path.join(build, "plugin", "secretwatch.so")
    res = {"t0": time.time(), "parts": list(parts)}
    if "crossover" in parts:
        res["crossover"] = section_crossover(build, work, sim, quick)
    have_collectd = os.path.exists(swharness.COLLECTD) and all(
        os.path.exists("%s/%s.so" % (swharness.DEBIAN_PLUGINS, p))
        for p in ("exec", "logfile")) and os.path.exists(so)
    if "fleet" in parts and have_collectd:
        res["fleet"] = section_fleet(so, quick)
    if "accounts" in parts and have_collectd:
        res["accounts"] = section_accounts(so, quick)
    res["seconds"] = time.time() - res["t0"]
    return res


def text(res):
    o = ["## 8. Scale", "",
         "Reproduce: `tests/bench/run.sh --scale-only` (section 8 alone, "
         "about %.0f s here; rewrites only this section of results.md), or "
         "`python3 tests/bench/scale.py --build-dir build-bench [--part "
         "crossover|fleet|accounts]`." % res["seconds"], ""]
    if "crossover" in res:
        o += crossover_text(res["crossover"])
    missing = ("not run: collectd (collectd-core), its exec or logfile "
               "plugin, or the built secretwatch.so is missing")
    if "fleet" in res:
        o += fleet_text(res["fleet"])
    elif "fleet" in res["parts"]:
        o += ["### 8.2 Fleet", "", missing, ""]
    if "accounts" in res:
        o += accounts_text(res["accounts"])
    elif "accounts" in res["parts"]:
        o += ["### 8.3 Accounts", "", missing, ""]
    return o


def replace_section(path, section_lines):
    """Rewrites section 8 of the results file at path (everything from
    "## 8. Scale" or "## Not measured here" to the end), keeping 1-7."""
    try:
        with open(path) as f:
            old = f.read()
    except OSError:
        old = "# secretwatch benchmark results\n\n"
    cut = len(old)
    for mark in ("\n## 8. Scale", "\n## Not measured here"):
        i = old.find(mark)
        if 0 <= i < cut:
            cut = i
    new = old[:cut].rstrip("\n") + "\n\n" + "\n".join(section_lines)
    with open(path, "w") as f:
        f.write(new.rstrip("\n") + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--part", action="append",
                    choices=["crossover", "fleet", "accounts"])
    ap.add_argument("--out", help="results file whose section 8 to replace")
    args = ap.parse_args()
    build = os.path.realpath(args.build_dir)
    work = tempfile.mkdtemp(prefix="swscale-")
    sim = None
    try:
        parts = args.part or ["crossover", "fleet", "accounts"]
        if "crossover" in parts:
            sim = bench.Sim(work, unlimited=True)
        res = run(build, work, sim, args.quick, parts)
        lines = text(res)
        if args.out:
            replace_section(args.out, lines)
        print("\n".join(lines))
        return 0
    finally:
        if sim:
            sim.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
