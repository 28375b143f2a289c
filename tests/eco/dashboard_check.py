#!/usr/bin/python3
"""Checks contrib/grafana/secretwatch-dashboard.json: valid Grafana dashboard
JSON (structure, unique ids and refIds, grid inside 24 columns, Graphite data
source, defined template variables, balanced target expressions, every topic
of the contract covered) and, given the list of series a real Graphite held
(written by eco_graphite.py), that every series path in every target matches
at least one of them.

Usage: dashboard_check.py DASHBOARD.json [SERIES.txt]
Exit 0 pass, 1 fail, 77 skipped (SERIES.txt named but absent: the Graphite
test was skipped)."""
import json
import os
import re
import sys

# The contract (DESIGN.md 2.2, issue 6): what the dashboard must show.
REQUIRED_SERIES = {
    "reads per secret": "derive-reads",
    "unexpected reads": "derive-reads-unexpected",
    "denied reads": "derive-reads-denied",
    "alarm state": "gauge-alarm_state",
    "event lag": "gauge-event_lag",
    "API calls": "total_requests-",
    "throttles": "-throttled",
    "watchdog": "gauge-chain-",
}
PANEL_TYPES = {"row", "timeseries", "stat", "state-timeline", "gauge",
               "table", "text", "bargauge", "graph", "singlestat"}
SERIES_RE = re.compile(r"(?<![\w.'\"])collectd\.[^\s,()'\"]+")
VAR_RE = re.compile(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]")


def graphite_glob_to_re(pattern):
    """Graphite's glob: '*' and '?' inside one node, {a,b}, [chars];
    template variables stand for any node text."""
    pattern = VAR_RE.sub("*", pattern)
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "*":
            out.append("[^.]*")
        elif c == "?":
            out.append("[^.]")
        elif c == "{":
            j = pattern.index("}", i)
            alts = pattern[i + 1:j].split(",")
            out.append("(?:" + "|".join(
                graphite_glob_to_re(a)[1:-1] for a in alts) + ")")
            i = j
        elif c == "[":
            j = pattern.index("]", i)
            out.append(pattern[i:j + 1])
            i = j
        else:
            out.append(re.escape(c))
        i += 1
    return "^" + "".join(out) + "$"


def balanced(expr):
    depth, quote = 0, None
    for c in expr:
        if quote:
            if c == quote:
                quote = None
        elif c in "'\"":
            quote = c
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0 and quote is None


def check(dash, series):
    """Returns a list of (ok, message)."""
    res = []

    def ok(cond, msg):
        res.append((bool(cond), msg))
        return cond

    ok(isinstance(dash, dict), "the dashboard is a JSON object")
    if not isinstance(dash, dict):
        return res
    ok(isinstance(dash.get("title"), str) and dash["title"], "has a title")
    ok(isinstance(dash.get("uid"), str) and
       re.match(r"^[A-Za-z0-9_-]{1,40}$", dash.get("uid", "")),
       "has a uid of at most 40 [A-Za-z0-9_-]")
    ok(isinstance(dash.get("schemaVersion"), int) and
       dash["schemaVersion"] >= 27, "schemaVersion is an integer >= 27")
    inputs = dash.get("__inputs", [])
    ok(any(i.get("pluginId") == "graphite" and i.get("type") == "datasource"
           for i in inputs), "__inputs asks for a Graphite data source")
    variables = {v.get("name") for v in
                 dash.get("templating", {}).get("list", [])}
    ok(variables, "defines template variables")
    panels = dash.get("panels")
    if not ok(isinstance(panels, list) and panels, "has panels"):
        return res
    ids, targets = set(), []
    for p in panels:
        name = "panel %r" % p.get("title")
        ok(isinstance(p.get("id"), int) and p["id"] not in ids,
           name + ": unique integer id")
        ids.add(p.get("id"))
        ok(p.get("type") in PANEL_TYPES, name + ": known type %r"
           % p.get("type"))
        g = p.get("gridPos", {})
        ok(all(isinstance(g.get(k), int) for k in "xywh") and
           g["x"] >= 0 and g["w"] > 0 and g["h"] > 0 and
           g["x"] + g["w"] <= 24, name + ": gridPos inside 24 columns")
        if p.get("type") == "row":
            continue
        ds = p.get("datasource", {})
        ok(isinstance(ds, dict) and ds.get("type") == "graphite",
           name + ": Graphite data source")
        refs = [t.get("refId") for t in p.get("targets", [])]
        ok(refs and len(refs) == len(set(refs)),
           name + ": targets with unique refIds")
        for t in p.get("targets", []):
            expr = t.get("target", "")
            targets.append((p.get("title"), expr))
            ok(isinstance(expr, str) and balanced(expr),
               name + ": balanced expression " + expr)
            for m in VAR_RE.finditer(expr):
                v = next(x for x in m.groups() if x)
                ok(v in variables or v.startswith("__"),
                   name + ": variable $%s is defined" % v)
            ok(SERIES_RE.search(expr), name + ": names a collectd series")
    all_paths = [p for _, e in targets for p in SERIES_RE.findall(e)]
    for topic, piece in REQUIRED_SERIES.items():
        ok(any(piece in p for p in all_paths),
           "covers %s (a target with %r)" % (topic, piece))
    if series is not None:
        for title, expr in targets:
            for path in SERIES_RE.findall(expr):
                rx = re.compile(graphite_glob_to_re(path))
                hits = [s for s in series if rx.match(s)]
                ok(hits, "panel %r: %s matches a series Graphite holds%s"
                   % (title, path, " (%d, e.g. %s)" % (len(hits), hits[0])
                      if hits else ""))
    return res


def main():
    if len(sys.argv) not in (2, 3):
        print(__doc__)
        return 2
    series = None
    if len(sys.argv) == 3:
        if not os.path.exists(sys.argv[2]):
            print("skip: %s is absent (the Graphite test did not run)"
                  % sys.argv[2])
            return 77
        with open(sys.argv[2]) as f:
            series = [ln.strip() for ln in f if ln.strip()]
    try:
        with open(sys.argv[1]) as f:
            dash = json.load(f)
    except (OSError, ValueError) as e:
        print("FAIL the dashboard is not valid JSON: %s" % e)
        return 1
    res = check(dash, series)
    for good, msg in res:
        print(("ok   " if good else "FAIL ") + msg)
    bad = sum(1 for g, _ in res if not g)
    print("%d passed, %d failed" % (len(res) - bad, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
