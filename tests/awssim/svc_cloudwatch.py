"""CloudWatch (signing name "monitoring"): metrics (PutMetricData, GetMetricData,
GetMetricStatistics, ListMetrics), metric alarms (PutMetricAlarm, DescribeAlarms,
DeleteAlarms, SetAlarmState, DescribeAlarmHistory, tags), alarm evaluation and alarm
actions (SNS publish with the real alarm notification JSON).

The server serves this service over query/XML and JSON 1.0 with the same params; errors
are raised with their query codes (InvalidParameterValue, ...). Alarms evaluate every
world.delays["alarm_evaluation"] seconds and at once on tick."""

import bisect
import datetime
import json
import math
import re

from errors import AwsError
from svc_cloudtrail import decode_token, encode_token, params_digest

SIGNING_NAME = "monitoring"

MAX_QUERIES = 500
MAX_ALARM_NAMES = 100
MAX_RECORDS = 100
DEFAULT_MAX_DATAPOINTS = 100800
MAX_POINTS_PER_METRIC = 200000
STATES = ("OK", "ALARM", "INSUFFICIENT_DATA")
COMPARISONS = {
    "GreaterThanOrEqualToThreshold": (lambda v, t: v >= t, "greater than or equal to"),
    "GreaterThanThreshold": (lambda v, t: v > t, "greater than"),
    "LessThanThreshold": (lambda v, t: v < t, "less than"),
    "LessThanOrEqualToThreshold": (lambda v, t: v <= t, "less than or equal to"),
}
REGION_NAMES = {
    "us-east-1": "US East (N. Virginia)", "us-east-2": "US East (Ohio)",
    "us-west-1": "US West (N. California)", "us-west-2": "US West (Oregon)",
    "eu-west-1": "EU (Ireland)", "eu-central-1": "EU (Frankfurt)",
    "eu-west-2": "EU (London)", "eu-west-3": "EU (Paris)", "eu-north-1": "EU (Stockholm)",
    "ap-southeast-1": "Asia Pacific (Singapore)", "ap-southeast-2": "Asia Pacific (Sydney)",
    "ap-northeast-1": "Asia Pacific (Tokyo)", "ap-south-1": "Asia Pacific (Mumbai)",
    "ca-central-1": "Canada (Central)", "sa-east-1": "South America (Sao Paulo)",
}
STAT_RE = re.compile(r"(Sum|SampleCount|Average|Minimum|Maximum|p\d{1,2}(\.\d{1,2})?|p100)$")


def _bad(message):
    return AwsError("InvalidParameterValue", message)


def _combo(message):
    return AwsError("InvalidParameterCombination", message)


def _aws_time(t):
    """Alarm notification time form: 2026-11-27T09:25:31.123+0000."""
    d = datetime.datetime.utcfromtimestamp(t)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + "%03d+0000" % (d.microsecond // 1000)


def _short_time(t):
    return datetime.datetime.utcfromtimestamp(t).strftime("%d/%m/%y %H:%M:%S")


def _dims_key(dims):
    if isinstance(dims, dict):
        items = dims.items()
    else:
        items = [(d.get("Name"), d.get("Value")) for d in (dims or []) if isinstance(d, dict)]
    return tuple(sorted((str(k), str(v)) for k, v in items))


def _valid_period(period, high_res_ok=True):
    if not isinstance(period, int) or isinstance(period, bool) or period < 1:
        return False
    return period % 60 == 0 or (high_res_ok and period in (1, 5, 10, 30))


class _Series:
    """Datapoints of one metric: (timestamp, count, sum, min, max, unit, values)."""
    __slots__ = ("points",)

    def __init__(self):
        self.points = []

    def add(self, t, count, total, lo, hi, unit, values=None):
        self.points.append((float(t), float(count), float(total), float(lo), float(hi), unit,
                            values))
        if len(self.points) > 1 and self.points[-1][0] < self.points[-2][0]:
            self.points.sort(key=lambda p: p[0])
        if len(self.points) > MAX_POINTS_PER_METRIC:
            del self.points[:len(self.points) - MAX_POINTS_PER_METRIC]

    def buckets(self, start, end, period, unit=None):
        """{bucket start: [count, sum, min, max, values, unit]} for start <= t < end."""
        out = {}
        first = bisect.bisect_left(self.points, start, key=lambda p: p[0])
        for i in range(first, len(self.points)):
            t, c, s, lo, hi, u, vals = self.points[i]
            if t >= end:
                break
            if unit is not None and u != unit and not (unit == "None" and u is None):
                continue
            b = math.floor(t / period) * period
            agg = out.get(b)
            if agg is None:
                out[b] = [c, s, lo, hi, list(vals) if vals is not None else [s / c if c else 0],
                          u]
            else:
                agg[0] += c
                agg[1] += s
                agg[2] = min(agg[2], lo)
                agg[3] = max(agg[3], hi)
                agg[4].extend(vals if vals is not None else [s / c if c else 0])
        return out


def _stat(agg, stat):
    c, s, lo, hi, vals = agg[0], agg[1], agg[2], agg[3], agg[4]
    if stat == "Sum":
        return s
    if stat == "SampleCount":
        return c
    if stat == "Average":
        return s / c if c else 0.0
    if stat == "Minimum":
        return lo
    if stat == "Maximum":
        return hi
    if stat.startswith("p"):
        q = float(stat[1:])
        data = sorted(vals)
        if not data:
            return None
        k = max(0, min(len(data) - 1, int(math.ceil(q / 100.0 * len(data))) - 1))
        return data[k]
    return None


class MetricMath:
    """A small CloudWatch metric math evaluator: numbers, query ids, + - * /, unary
    minus, parentheses, and the functions SUM, AVG, MIN, MAX (across series, of a list
    `[a, b]` or METRICS()), ABS and FILL(series, value). Series are {timestamp: value};
    arithmetic between series keeps the timestamps both have."""

    TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|"
                       r"(\S))")

    def __init__(self, series, start, end):
        self.series, self.start, self.end = series, start, end
        self.done = {}

    def evaluate(self, qid, text, period, expressions, depth=0):
        if qid in self.done:
            return self.done[qid]
        if depth > 20:
            raise AwsError("ValidationError", "Error in expression %s: circular reference"
                           % qid)
        if not isinstance(text, str) or not text.strip() or len(text) > 2048:
            raise AwsError("ValidationError", "Error in expression %s: empty expression" % qid)
        self.qid, self.period, self.expressions, self.depth = qid, period, expressions, depth
        self.toks = [m.groups() for m in self.TOKEN.finditer(text) if any(m.groups())]
        self.i = 0
        if sum(1 for t in self.toks if t[2] in ("(", "[")) > 50:
            self._fail("too deeply nested")
        value = self._expr()
        if self.i != len(self.toks):
            self._fail("unexpected token")
        if isinstance(value, list):
            value = value[0] if len(value) == 1 else self._fail("a list is not a time series")
        if not isinstance(value, dict):
            self._fail("the expression must produce a time series")
        self.done[qid] = value
        return value

    def _fail(self, why):
        raise AwsError("ValidationError", "Error in expression %s: %s" % (self.qid, why))

    def _peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else (None, None, None)

    def _take(self, sym):
        if self._peek()[2] != sym:
            self._fail("expected %r" % sym)
        self.i += 1

    def _expr(self):
        left = self._term()
        while self._peek()[2] in ("+", "-"):
            op = self._peek()[2]
            self.i += 1
            left = self._binary(op, left, self._term())
        return left

    def _term(self):
        left = self._factor()
        while self._peek()[2] in ("*", "/"):
            op = self._peek()[2]
            self.i += 1
            left = self._binary(op, left, self._factor())
        return left

    def _factor(self):
        num, name, sym = self._peek()
        if num is not None:
            self.i += 1
            return float(num)
        if sym == "-":
            self.i += 1
            return self._binary("*", -1.0, self._factor())
        if sym == "(":
            self.i += 1
            v = self._expr()
            self._take(")")
            return v
        if sym == "[":
            self.i += 1
            items = [self._expr()]
            while self._peek()[2] == ",":
                self.i += 1
                items.append(self._expr())
            self._take("]")
            return items
        if name is None:
            self._fail("unexpected token")
        self.i += 1
        if self._peek()[2] == "(":
            self.i += 1
            args = []
            if self._peek()[2] != ")":
                args.append(self._expr())
                while self._peek()[2] == ",":
                    self.i += 1
                    args.append(self._expr())
            self._take(")")
            return self._call(name.upper(), args)
        if name in self.series:
            return dict(self.series[name][0])
        if name in self.expressions and name != self.qid:
            saved = (self.qid, self.period, self.expressions, self.depth, self.toks, self.i)
            v = self.evaluate(name, self.expressions[name], self.period, self.expressions,
                              self.depth + 1)
            self.qid, self.period, self.expressions, self.depth, self.toks, self.i = saved
            return dict(v)
        self._fail("unknown metric id %s" % name)

    def _binary(self, op, a, b):
        fn = {"+": lambda x, y: x + y, "-": lambda x, y: x - y, "*": lambda x, y: x * y,
              "/": lambda x, y: x / y if y else None}[op]
        if isinstance(a, list) or isinstance(b, list):
            self._fail("arithmetic on a list")
        if isinstance(a, float) and isinstance(b, float):
            r = fn(a, b)
            if r is None or not math.isfinite(r):
                self._fail("the constant expression has no finite value")
            return r
        if isinstance(a, float):
            out = {t: fn(a, v) for t, v in b.items()}
        elif isinstance(b, float):
            out = {t: fn(v, b) for t, v in a.items()}
        else:
            out = {t: fn(a[t], b[t]) for t in a if t in b}
        return {t: v for t, v in out.items() if v is not None and math.isfinite(v)}

    def _call(self, name, args):
        if name == "METRICS":
            if len(args) > 1:
                self._fail("METRICS takes at most one argument")
            return [dict(v[0]) for _, v in sorted(self.series.items())]
        if name in ("SUM", "AVG", "MIN", "MAX"):
            if len(args) != 1:
                self._fail("%s takes one argument" % name)
            items = args[0] if isinstance(args[0], list) else [args[0]]
            if not all(isinstance(x, dict) for x in items):
                self._fail("%s needs time series" % name)
            times = sorted(set(t for x in items for t in x))
            agg = {"SUM": sum, "MIN": min, "MAX": max,
                   "AVG": lambda v: sum(v) / len(v)}[name]
            return {t: agg([x[t] for x in items if t in x]) for t in times}
        if name == "ABS" and len(args) == 1 and isinstance(args[0], dict):
            return {t: abs(v) for t, v in args[0].items()}
        if name == "FILL" and len(args) == 2 and isinstance(args[0], dict) and \
                isinstance(args[1], float):
            period = self.period or min([p for _, p in self.series.values()] or [60])
            out = dict(args[0])
            t = math.floor(self.start / period) * period
            for _ in range(100000):
                if t >= self.end:
                    break
                out.setdefault(float(t), args[1])
                t += period
            return out
        self._fail("unsupported function %s" % name)


class Service:
    def __init__(self, world):
        self.world = world
        self.generation = 0
        self.reset()

    def reset(self):
        self.metrics = {}    # (account, region, namespace, name, dims_key) -> _Series
        self.alarms = {}     # (account, region) -> {name: alarm dict}
        self.history = {}    # (account, region) -> [history items]
        self.tags = {}       # alarm ARN -> {key: value}
        self.generation += 1
        self._schedule_evaluation(self.generation)

    def _region(self, ctx):
        return getattr(ctx, "region", None) or self.world.region

    def handle(self, ctx, operation, params):
        fn = getattr(self, "op_" + operation, None)
        if fn is None:
            raise AwsError("InvalidAction", "awssim does not model CloudWatch %s" % operation)
        try:
            return fn(ctx, params or {})
        except (TypeError, KeyError, AttributeError, ValueError, IndexError) as e:
            # input the model allows but the handler cannot use: refuse, never crash
            raise AwsError("InvalidParameterValue", "Invalid request parameters for %s: %s"
                           % (operation, type(e).__name__))

    # ------------------------------------------------------------ metrics
    def put_datapoint(self, account, namespace, name, dims, timestamp, value, unit=None,
                      region=None):
        """Add one value (used by metric filters in svc_logs)."""
        key = (account, region or self.world.region, namespace, name, _dims_key(dims))
        series = self.metrics.get(key)
        if series is None:
            series = self.metrics[key] = _Series()
        v = float(value)
        series.add(timestamp, 1, v, v, v, unit, [v])

    def op_PutMetricData(self, ctx, p):
        ns = p.get("Namespace")
        if not isinstance(ns, str) or not ns or ns.startswith("AWS/") or len(ns) > 255:
            raise _bad("The value %s for parameter Namespace is invalid." % ns)
        data = p.get("MetricData") or []
        if not 1 <= len(data) <= 1000:
            raise _bad("The collection MetricData must not have a size greater than 1000.")
        now = self.world.now()
        staged = []
        for i, d in enumerate(data):
            where = "MetricData.member.%d" % (i + 1)
            if not d.get("MetricName"):
                raise AwsError("MissingParameter",
                               "The parameter %s.MetricName is required." % where)
            if len(d.get("Dimensions") or []) > 30:
                raise _bad("The collection %s.Dimensions must not have a size greater than 30."
                           % where)
            t = d.get("Timestamp", now)
            if t < now - 14 * 86400 or t > now + 2 * 3600:
                raise _bad("The parameter %s.Timestamp must specify a time no more than two "
                           "weeks in the past or two hours in the future." % where)
            unit = d.get("Unit")
            has = [k for k in ("Value", "StatisticValues", "Values") if d.get(k) is not None]
            if len(has) != 1:
                raise _combo("The parameters %s.Value, %s.StatisticValues and %s.Values are "
                             "mutually exclusive and one is required." % (where, where, where))
            if "Value" in has:
                v = d["Value"]
                if not math.isfinite(v):
                    raise _bad("The value %s for parameter %s.Value is invalid." % (v, where))
                staged.append((d, t, 1, v, v, v, unit, [v]))
            elif "StatisticValues" in has:
                sv = d["StatisticValues"]
                staged.append((d, t, sv["SampleCount"], sv["Sum"], sv["Minimum"], sv["Maximum"],
                               unit, None))
            else:
                vals, counts = d["Values"], d.get("Counts") or [1.0] * len(d["Values"])
                if len(vals) != len(counts):
                    raise _combo("The parameters %s.Values and %s.Counts must be of the same "
                                 "size." % (where, where))
                if not vals:
                    continue
                if len(vals) > 150 or any(not math.isfinite(x) for x in vals + counts) or \
                        any(c < 0 for c in counts):
                    raise _bad("The parameter %s.Values is invalid." % where)
                expanded = []
                for v, c in zip(vals, counts):  # raw values for percentiles, bounded
                    expanded.extend([v] * int(min(max(1, c), 10000 - len(expanded))))
                staged.append((d, t, sum(counts), sum(v * c for v, c in zip(vals, counts)),
                               min(vals), max(vals), unit, expanded))
        for d, t, c, s, lo, hi, unit, vals in staged:
            key = (ctx.account_id, self._region(ctx), ns, d["MetricName"],
                   _dims_key(d.get("Dimensions")))
            series = self.metrics.get(key)
            if series is None:
                series = self.metrics[key] = _Series()
            series.add(t, c, s, lo, hi, unit, vals)
        return {}

    def op_ListMetrics(self, ctx, p):
        want_dims = p.get("Dimensions") or []
        out = []
        for (acct, region, ns, name, dk), _ in sorted(self.metrics.items(),
                                                     key=lambda kv: kv[0]):
            if acct != ctx.account_id or region != self._region(ctx):
                continue
            if p.get("Namespace") and ns != p["Namespace"]:
                continue
            if p.get("MetricName") and name != p["MetricName"]:
                continue
            dd = dict(dk)
            if any(d.get("Name") not in dd or
                   (d.get("Value") is not None and dd[d["Name"]] != d["Value"])
                   for d in want_dims):
                continue
            out.append({"Namespace": ns, "MetricName": name,
                        "Dimensions": [{"Name": k, "Value": v} for k, v in dk]})
        return {"Metrics": out[:500]}

    def _series(self, ctx, metric):
        if not isinstance(metric, dict):
            raise AwsError("MissingParameter", "The parameter Metric is required.")
        key = (ctx.account_id, self._region(ctx), metric.get("Namespace"),
               metric.get("MetricName"), _dims_key(metric.get("Dimensions")))
        return self.metrics.get(key)

    def op_GetMetricStatistics(self, ctx, p):
        start, end, period = p.get("StartTime"), p.get("EndTime"), p.get("Period")
        if start >= end:
            raise _bad("The parameter StartTime must be less than the parameter EndTime.")
        if not _valid_period(period):
            raise _bad("The parameter Period must be a multiple of 60.")
        stats, ext = p.get("Statistics") or [], p.get("ExtendedStatistics") or []
        if not stats and not ext:
            raise AwsError("MissingParameter", "Must specify either Statistics or "
                           "ExtendedStatistics.")
        if stats and ext:
            raise _combo("The parameters Statistics and ExtendedStatistics are mutually "
                         "exclusive.")
        if len(stats) + len(ext) > 10:
            raise _bad("Too many statistics requested.")
        for s in ext:
            if not re.fullmatch(r"p\d{1,2}(\.\d{1,2})?|p100", s):
                raise _bad("The value %s for parameter ExtendedStatistics is not supported." % s)
        n = math.ceil((end - start) / period)
        if n > 1440:
            raise _combo("You have requested up to %d datapoints, which exceeds the limit of "
                         "1,440. You may reduce the datapoints requested by increasing Period, "
                         "or decreasing the time range." % n)
        series = self._series(ctx, {"Namespace": p.get("Namespace"),
                                    "MetricName": p.get("MetricName"),
                                    "Dimensions": p.get("Dimensions")})
        out = []
        if series is not None:
            for b, agg in sorted(series.buckets(start, end, period, p.get("Unit")).items()):
                dp = {"Timestamp": float(b), "Unit": p.get("Unit") or agg[5] or "None"}
                for s in stats:
                    dp[s] = _stat(agg, s)
                if ext:
                    dp["ExtendedStatistics"] = {s: _stat(agg, s) for s in ext}
                out.append(dp)
        return {"Label": p.get("MetricName"), "Datapoints": out}

    def op_GetMetricData(self, ctx, p):
        queries = p.get("MetricDataQueries") or []
        start, end = p.get("StartTime"), p.get("EndTime")
        if not queries:
            raise AwsError("MissingParameter", "The parameter MetricDataQueries is required.")
        if len(queries) > MAX_QUERIES:
            raise _bad("The collection MetricDataQueries must not have a size greater than "
                       "500.")
        if start >= end:
            raise _bad("The parameter StartTime must be less than the parameter EndTime.")
        scan = p.get("ScanBy") or "TimestampDescending"
        if scan not in ("TimestampDescending", "TimestampAscending"):
            raise _bad("The value %s for parameter ScanBy is invalid." % scan)
        max_points = p.get("MaxDatapoints") or DEFAULT_MAX_DATAPOINTS
        if not isinstance(max_points, int) or max_points < 1:
            raise _bad("The parameter MaxDatapoints must be greater than 0.")
        ids = set()
        series = {}     # id -> ({bucket: value}, period) for MetricStat queries
        for i, q in enumerate(queries):
            qid = q.get("Id")
            if not isinstance(qid, str) or not re.fullmatch(r"[a-z][a-zA-Z0-9_]{0,254}", qid):
                raise _bad("Invalid metric data query id: %s. Ids must start with a lowercase "
                           "letter and contain only letters, numbers and underscores." % qid)
            if qid in ids:
                raise _bad("The metric data query id %s is used more than once." % qid)
            ids.add(qid)
            ms, expr = q.get("MetricStat"), q.get("Expression")
            if (ms is None) == (expr is None):
                raise _bad("Exactly one of MetricStat and Expression must be set in "
                           "MetricDataQueries.member.%d." % (i + 1))
            if expr is not None:
                continue
            period, stat = ms.get("Period"), ms.get("Stat")
            if not _valid_period(period):
                raise _bad("The parameter MetricDataQueries.member.%d.MetricStat.Period must "
                           "be a multiple of 60." % (i + 1))
            if not isinstance(stat, str) or not STAT_RE.match(stat):
                raise _bad("The value %s for parameter MetricDataQueries.member.%d.MetricStat"
                           ".Stat is invalid." % (stat, i + 1))
            data = self._series(ctx, ms.get("Metric"))
            values = {}
            if data is not None:
                for b, agg in data.buckets(math.floor(start / period) * period, end, period,
                                           ms.get("Unit")).items():
                    v = _stat(agg, stat)
                    if v is not None:
                        values[float(b)] = float(v)
            series[qid] = (values, period)
        math_eval = MetricMath(series, start, end)
        per_query = []
        for q in queries:
            if q.get("ReturnData") is False:
                continue
            if q.get("Expression") is not None:
                values = math_eval.evaluate(q["Id"], q["Expression"], q.get("Period"),
                                            {x["Id"]: x.get("Expression") for x in queries
                                             if x.get("Expression") is not None})
            else:
                values = series[q["Id"]][0]
            points = sorted(values.items(), reverse=(scan == "TimestampDescending"))
            per_query.append((q, points, None, None))
        digest = params_digest("gmd", ctx.account_id, queries, start, end, scan, max_points)
        pos = 0
        if p.get("NextToken") is not None:
            pos = decode_token(p["NextToken"], digest, "InvalidNextToken",
                               "The service cannot process NextToken.")
            if not isinstance(pos, int) or pos < 0:
                raise AwsError("InvalidNextToken", "The service cannot process NextToken.")
        results, offset, budget_end = [], 0, pos + max_points
        total = sum(len(x[1]) for x in per_query if x[1] is not None)
        for q, points, code, messages in per_query:
            label = q.get("Label") or (q["MetricStat"].get("Metric", {}).get("MetricName")
                                       if q.get("MetricStat") else q["Id"])
            r = {"Id": q["Id"], "Label": label, "Timestamps": [], "Values": []}
            if points is None:
                r["StatusCode"] = code
                r["Messages"] = messages
                results.append(r)
                continue
            lo, hi = max(pos - offset, 0), min(budget_end - offset, len(points))
            for t, v in points[lo:hi] if hi > lo else []:
                r["Timestamps"].append(t)
                r["Values"].append(v)
            r["StatusCode"] = "PartialData" if hi < len(points) else "Complete"
            r["Messages"] = []
            offset += len(points)
            results.append(r)
        out = {"MetricDataResults": results, "Messages": []}
        if budget_end < total:
            out["NextToken"] = encode_token(digest, budget_end)
        return out

    # ------------------------------------------------------------ alarms
    def _alarms(self, account, region):
        return self.alarms.setdefault((account, region), {})

    def _arn(self, ctx, name):
        return "arn:aws:cloudwatch:%s:%s:alarm:%s" % (self._region(ctx), ctx.account_id, name)

    def op_PutMetricAlarm(self, ctx, p):
        name = p.get("AlarmName")
        if not isinstance(name, str) or not 1 <= len(name) <= 255:
            raise _bad("The parameter AlarmName must be 1 to 255 characters.")
        metrics = p.get("Metrics")
        single = p.get("MetricName") is not None or p.get("Namespace") is not None
        if metrics and single:
            raise _combo("The parameters MetricName and Metrics are mutually exclusive.")
        if not metrics and not single:
            raise AwsError("MissingParameter", "The parameter MetricName is required.")
        if single:
            if not p.get("MetricName") or not p.get("Namespace"):
                raise AwsError("MissingParameter",
                               "The parameters MetricName and Namespace are required.")
            if (p.get("Statistic") is None) == (p.get("ExtendedStatistic") is None):
                raise _combo("Exactly one of Statistic and ExtendedStatistic must be "
                             "specified.")
            if p.get("Period") is None:
                raise AwsError("MissingParameter", "The parameter Period is required.")
            period = p["Period"]
        else:
            data = [m for m in metrics if m.get("ReturnData", True)]
            if len(data) != 1:
                raise _bad("Exactly one element of the metrics list should return data.")
            ms = data[0].get("MetricStat")
            period = (ms or {}).get("Period") or data[0].get("Period") or 60
        if not _valid_period(period):
            raise _bad("The parameter Period must be 10, 30 or a multiple of 60.")
        n = p.get("EvaluationPeriods")
        if not isinstance(n, int) or n < 1:
            raise _bad("The parameter EvaluationPeriods must be greater than 0.")
        if n * period > 7 * 86400:
            raise _bad("The product of EvaluationPeriods and Period must not exceed 604800.")
        m = p.get("DatapointsToAlarm")
        if m is not None and (not isinstance(m, int) or not 1 <= m <= n):
            raise _bad("DatapointsToAlarm must be between 1 and EvaluationPeriods.")
        op = p.get("ComparisonOperator")
        if op not in COMPARISONS:
            if op in ("LessThanLowerOrGreaterThanUpperThreshold", "LessThanLowerThreshold",
                      "GreaterThanUpperThreshold"):
                if not p.get("ThresholdMetricId"):
                    raise AwsError("MissingParameter",
                                   "The parameter ThresholdMetricId is required.")
            else:
                raise _bad("The value %s for parameter ComparisonOperator is invalid." % op)
        if op in COMPARISONS and p.get("Threshold") is None:
            raise AwsError("MissingParameter", "The parameter Threshold is required.")
        tmd = p.get("TreatMissingData")
        if tmd is not None and tmd not in ("breaching", "notBreaching", "ignore", "missing"):
            raise _bad("The value %s for parameter TreatMissingData is invalid." % tmd)
        if p.get("Statistic") is not None and p["Statistic"] not in (
                "SampleCount", "Average", "Sum", "Minimum", "Maximum"):
            raise _bad("The value %s for parameter Statistic is invalid." % p["Statistic"])
        for key in ("AlarmActions", "OKActions", "InsufficientDataActions"):
            acts = p.get(key) or []
            if len(acts) > 5:
                raise _bad("The collection %s must not have a size greater than 5." % key)
            for a in acts:
                if not isinstance(a, str) or not re.match(r"arn:aws[\w-]*:[\w-]+:", a):
                    raise _bad("Invalid arn syntax: %s" % a)
        alarms = self._alarms(ctx.account_id, self._region(ctx))
        now = self.world.now()
        old = alarms.get(name)
        a = {k: p.get(k) for k in (
            "AlarmName", "AlarmDescription", "MetricName", "Namespace", "Statistic",
            "ExtendedStatistic", "Dimensions", "Period", "Unit", "EvaluationPeriods",
            "DatapointsToAlarm", "Threshold", "ComparisonOperator", "TreatMissingData",
            "EvaluateLowSampleCountPercentile", "Metrics", "ThresholdMetricId")}
        a["Period"] = p.get("Period")
        a["ActionsEnabled"] = p.get("ActionsEnabled", True)
        for key in ("AlarmActions", "OKActions", "InsufficientDataActions"):
            a[key] = list(p.get(key) or [])
        if single:
            a["Dimensions"] = list(p.get("Dimensions") or [])
        a["AlarmArn"] = self._arn(ctx, name)
        a["AlarmConfigurationUpdatedTimestamp"] = now
        a["account"], a["region"] = ctx.account_id, self._region(ctx)
        if old is None:
            a.update(StateValue="INSUFFICIENT_DATA",
                     StateReason="Unchecked: Initial alarm creation",
                     StateUpdatedTimestamp=now, StateTransitionedTimestamp=now)
        else:
            for k in ("StateValue", "StateReason", "StateReasonData", "StateUpdatedTimestamp",
                      "StateTransitionedTimestamp"):
                if old.get(k) is not None:
                    a[k] = old[k]
        alarms[name] = a
        if p.get("Tags"):
            self.tags.setdefault(a["AlarmArn"], {}).update(
                {t["Key"]: t.get("Value", "") for t in p["Tags"]})
        self._history(a, "ConfigurationUpdate",
                      "Alarm \"%s\" %s" % (name, "updated" if old else "created"),
                      {"type": "Update" if old else "Create", "version": "1.0"})
        return {}

    _ALARM_KEYS = ("AlarmName", "AlarmArn", "AlarmDescription",
                   "AlarmConfigurationUpdatedTimestamp", "ActionsEnabled", "OKActions",
                   "AlarmActions", "InsufficientDataActions", "StateValue", "StateReason",
                   "StateReasonData", "StateUpdatedTimestamp", "MetricName", "Namespace",
                   "Statistic", "ExtendedStatistic", "Dimensions", "Period", "Unit",
                   "EvaluationPeriods", "DatapointsToAlarm", "Threshold", "ComparisonOperator",
                   "TreatMissingData", "EvaluateLowSampleCountPercentile", "Metrics",
                   "ThresholdMetricId", "StateTransitionedTimestamp")

    def _alarm_out(self, a):
        return {k: a[k] for k in self._ALARM_KEYS if a.get(k) is not None}

    def op_DescribeAlarms(self, ctx, p):
        names, prefix = p.get("AlarmNames"), p.get("AlarmNamePrefix")
        if names and len(names) > MAX_ALARM_NAMES:
            raise _bad("The collection AlarmNames must not have a size greater than 100.")
        if names and prefix:
            raise _combo("The parameters AlarmNames and AlarmNamePrefix are mutually "
                         "exclusive.")
        state = p.get("StateValue")
        if state is not None and state not in STATES:
            raise _bad("The value %s for parameter StateValue is invalid." % state)
        types = p.get("AlarmTypes") or ["MetricAlarm"]
        for t in types:
            if t not in ("MetricAlarm", "CompositeAlarm"):
                raise _bad("The value %s for parameter AlarmTypes is invalid." % t)
        limit = p.get("MaxRecords") or 50
        if not isinstance(limit, int) or not 1 <= limit <= MAX_RECORDS:
            raise _bad("The parameter MaxRecords must be between 1 and 100.")
        action_prefix = p.get("ActionPrefix")
        alarms = self._alarms(ctx.account_id, self._region(ctx))
        selected = []
        if "MetricAlarm" in types:
            for name in sorted(alarms):
                a = alarms[name]
                if names and name not in names:
                    continue
                if prefix and not name.startswith(prefix):
                    continue
                if state and a["StateValue"] != state:
                    continue
                if action_prefix and not any(
                        x.startswith(action_prefix) for x in
                        a["AlarmActions"] + a["OKActions"] + a["InsufficientDataActions"]):
                    continue
                selected.append(name)
        digest = params_digest("da", ctx.account_id, names, prefix, state, types, action_prefix)
        start = 0
        if p.get("NextToken") is not None:
            start = decode_token(p["NextToken"], digest, "InvalidNextToken",
                                 "The service cannot process NextToken.")
            if not isinstance(start, int) or start < 0:
                raise AwsError("InvalidNextToken", "The service cannot process NextToken.")
        out = {"MetricAlarms": [self._alarm_out(alarms[n]) for n in selected[start:start + limit]]}
        if "CompositeAlarm" in types:
            out["CompositeAlarms"] = []
        if start + limit < len(selected):
            out["NextToken"] = encode_token(digest, start + limit)
        return out

    def op_DeleteAlarms(self, ctx, p):
        names = p.get("AlarmNames") or []
        if len(names) > MAX_ALARM_NAMES:
            raise _bad("The collection AlarmNames must not have a size greater than 100.")
        alarms = self._alarms(ctx.account_id, self._region(ctx))
        missing = [n for n in names if n not in alarms]
        if missing:
            raise AwsError("ResourceNotFound", "%s not found" % ", ".join(missing), 404)
        for n in names:
            self.tags.pop(alarms[n]["AlarmArn"], None)
            del alarms[n]
        return {}

    def op_SetAlarmState(self, ctx, p):
        alarms = self._alarms(ctx.account_id, self._region(ctx))
        a = alarms.get(p.get("AlarmName"))
        if a is None:
            raise AwsError("ResourceNotFound", "Alarm %s not found" % p.get("AlarmName"), 404)
        state = p.get("StateValue")
        if state not in STATES:
            raise _bad("The value %s for parameter StateValue is invalid." % state)
        data = p.get("StateReasonData")
        if data is not None:
            try:
                json.loads(data)
            except ValueError:
                raise AwsError("InvalidFormat", "StateReasonData is not valid JSON.")
        self._transition(a, state, p.get("StateReason") or "", data)
        return {}

    def op_DescribeAlarmHistory(self, ctx, p):
        items = list(self.history.get((ctx.account_id, self._region(ctx)), []))
        if p.get("AlarmName"):
            items = [i for i in items if i["AlarmName"] == p["AlarmName"]]
        if p.get("HistoryItemType"):
            items = [i for i in items if i["HistoryItemType"] == p["HistoryItemType"]]
        if p.get("StartDate") is not None:
            items = [i for i in items if i["Timestamp"] >= p["StartDate"]]
        if p.get("EndDate") is not None:
            items = [i for i in items if i["Timestamp"] <= p["EndDate"]]
        if p.get("ScanBy", "TimestampDescending") == "TimestampDescending":
            items.reverse()
        limit = p.get("MaxRecords") or 100
        digest = params_digest("dah", ctx.account_id, p.get("AlarmName"),
                               p.get("HistoryItemType"), p.get("StartDate"), p.get("EndDate"))
        start = 0
        if p.get("NextToken") is not None:
            start = decode_token(p["NextToken"], digest, "InvalidNextToken",
                                 "The service cannot process NextToken.")
            if not isinstance(start, int) or start < 0:
                raise AwsError("InvalidNextToken", "The service cannot process NextToken.")
        out = {"AlarmHistoryItems": items[start:start + limit]}
        if start + limit < len(items):
            out["NextToken"] = encode_token(digest, start + limit)
        return out

    def _alarm_by_arn(self, ctx, arn):
        for a in self._alarms(ctx.account_id, self._region(ctx)).values():
            if a["AlarmArn"] == arn:
                return a
        raise AwsError("ResourceNotFoundException", "%s not found" % arn, 404)

    def op_TagResource(self, ctx, p):
        a = self._alarm_by_arn(ctx, p.get("ResourceARN"))
        self.tags.setdefault(a["AlarmArn"], {}).update(
            {t["Key"]: t.get("Value", "") for t in p.get("Tags") or []})
        return {}

    def op_UntagResource(self, ctx, p):
        a = self._alarm_by_arn(ctx, p.get("ResourceARN"))
        for k in p.get("TagKeys") or []:
            self.tags.get(a["AlarmArn"], {}).pop(k, None)
        return {}

    def op_ListTagsForResource(self, ctx, p):
        a = self._alarm_by_arn(ctx, p.get("ResourceARN"))
        return {"Tags": [{"Key": k, "Value": v} for k, v in
                         sorted(self.tags.get(a["AlarmArn"], {}).items())]}

    # ------------------------------------------------------------ evaluation
    def _schedule_evaluation(self, generation):
        interval = float(self.world.delays.get("alarm_evaluation", 1.0))
        self.world.schedule(self.world.now() + max(0.2, interval), self._periodic, generation)

    def _periodic(self, generation):
        if generation != self.generation:
            return
        self.evaluate_all()
        self._schedule_evaluation(generation)

    def on_tick(self, evaluate_alarms=True):
        if not evaluate_alarms:
            return None
        n, changed = self.evaluate_all()
        return {"alarms_evaluated": n, "transitions": changed}

    def evaluate_all(self):
        n = changed = 0
        for alarms in list(self.alarms.values()):
            for a in list(alarms.values()):
                n += 1
                try:
                    changed += bool(self.evaluate(a))
                except (ArithmeticError, TypeError, ValueError, KeyError):
                    continue
        return n, changed

    def _alarm_metric(self, a):
        """(metric dict, stat, unit, period) an alarm watches, or None."""
        if a.get("MetricName"):
            return ({"Namespace": a["Namespace"], "MetricName": a["MetricName"],
                     "Dimensions": a.get("Dimensions") or []},
                    a.get("Statistic") or a.get("ExtendedStatistic"), a.get("Unit"), a["Period"])
        for q in a.get("Metrics") or []:
            if q.get("ReturnData", True):
                ms = q.get("MetricStat")
                if not ms:
                    return None
                return ms.get("Metric"), ms.get("Stat"), ms.get("Unit"), ms.get("Period")
        return None

    def _alarm_values(self, a, start, end):
        """{bucket: (value, sample count)} of what an alarm watches in [start, end), and
        its period; metric math alarms (Metrics with an Expression) through MetricMath."""
        target = self._alarm_metric(a)
        metrics = a.get("Metrics") or []
        returned = [q for q in metrics if q.get("ReturnData", True)]
        if metrics and returned and returned[0].get("Expression") is not None:
            series = {}
            period = returned[0].get("Period") or 60
            for q in metrics:
                ms = q.get("MetricStat")
                if not ms:
                    continue
                key = (a["account"], a["region"], ms["Metric"].get("Namespace"),
                       ms["Metric"].get("MetricName"), _dims_key(ms["Metric"].get("Dimensions")))
                data = self.metrics.get(key)
                buckets = data.buckets(start, end, ms["Period"], ms.get("Unit")) if data else {}
                series[q["Id"]] = ({float(b): _stat(agg, ms["Stat"]) for b, agg in
                                    buckets.items()}, ms["Period"])
                period = ms["Period"]
            exprs = {q["Id"]: q["Expression"] for q in metrics if q.get("Expression")}
            try:
                values = MetricMath(series, start, end).evaluate(
                    returned[0]["Id"], returned[0]["Expression"], period, exprs)
            except AwsError:
                return {}, period
            return {b: (v, 1.0) for b, v in values.items()}, period
        if target is None:
            return None, None
        metric, stat, unit, period = target
        key = (a["account"], a["region"], metric.get("Namespace"), metric.get("MetricName"),
               _dims_key(metric.get("Dimensions")))
        data = self.metrics.get(key)
        buckets = data.buckets(start, end, period, unit) if data else {}
        return {b: (_stat(agg, stat), agg[0]) for b, agg in buckets.items()}, period

    def _alarm_period(self, a):
        target = self._alarm_metric(a)
        if target is not None:
            return target[3]
        for q in a.get("Metrics") or []:
            if q.get("ReturnData", True):
                return q.get("Period") or next(
                    (x["MetricStat"]["Period"] for x in a["Metrics"] if x.get("MetricStat")), 60)
        return None

    def evaluate(self, a, now=None):
        """Evaluate one alarm; returns True when its state changed."""
        period = self._alarm_period(a)
        if not period or a.get("ComparisonOperator") not in COMPARISONS:
            return False
        now = self.world.now() if now is None else now
        n = a["EvaluationPeriods"]
        m = a.get("DatapointsToAlarm") or n
        last = math.floor(now / period) * period
        buckets, period = self._alarm_values(a, last - n * period, last + period)
        if buckets is None:
            return False
        # Datapoints arrive late (delivery, metric filters): early in a period that has
        # no data yet, evaluate the N periods that ended, as CloudWatch's evaluation
        # delay does, so a read at the end of a minute is not missed.
        if last not in buckets and now - last < max(30.0, period / 2.0):
            last -= period
        first = last - (n - 1) * period
        cmp, words = COMPARISONS[a["ComparisonOperator"]]
        threshold = float(a["Threshold"])
        evaluated = []   # (bucket, value or None, sample count)
        for i in range(n):
            b = last - i * period
            v, c = buckets.get(b, (None, 0))
            evaluated.append((b, v, c))
        tmd = a.get("TreatMissingData") or "missing"
        present = [(b, v) for b, v, _ in evaluated if v is not None]
        missing = n - len(present)
        breaching = sum(1 for _, v in present if cmp(v, threshold))
        if tmd == "breaching":
            breaching += missing
        if not present and tmd in ("missing", "ignore"):
            if tmd == "ignore":
                return False
            new = "INSUFFICIENT_DATA"
            reason = "Insufficient Data: %d datapoint%s %s unknown." % (
                n, "" if n == 1 else "s", "was" if n == 1 else "were")
        elif breaching >= m:
            new = "ALARM"
            reason = self._reason(present, n, m, breaching, words, threshold, a["StateValue"],
                                  True)
        else:
            new = "OK"
            reason = self._reason(present, n, m, breaching, words, threshold, a["StateValue"],
                                  False)
        if new == a["StateValue"]:
            return False
        data = {
            "version": "1.0", "queryDate": _aws_time(now),
            "startDate": _aws_time(first), "period": period,
            "recentDatapoints": [v for _, v in sorted(present)],
            "threshold": threshold,
            "evaluatedDatapoints": [
                dict({"timestamp": _aws_time(b)},
                     **({"sampleCount": float(c), "value": v} if v is not None else {}))
                for b, v, c in evaluated],
        }
        if a.get("Statistic"):
            data["statistic"] = a["Statistic"]
        self._transition(a, new, reason, json.dumps(data, separators=(",", ":")), now)
        return True

    @staticmethod
    def _reason(present, n, m, breaching, words, threshold, old, is_alarm):
        pts = ", ".join("%s (%s)" % (repr(float(v)), _short_time(b))
                        for b, v in sorted(present, reverse=True))
        count = len(present) if present else n
        if is_alarm:
            text = "Threshold Crossed: %s [%s] %s %s the threshold (%s)" % (
                ("1 datapoint" if count == 1 else "%d out of the last %d datapoints"
                 % (breaching, n)), pts, "was" if count == 1 else "were", words,
                repr(threshold))
            if old == "OK" or old == "INSUFFICIENT_DATA":
                text += " (minimum %d datapoint%s for %s -> ALARM transition)" % (
                    m, "" if m == 1 else "s", old)
            return text + "."
        return "Threshold Crossed: %s [%s] %s not %s the threshold (%s)." % (
            "1 datapoint" if count == 1 else "%d datapoints" % count, pts,
            "was" if count == 1 else "were", words, repr(threshold))

    def _transition(self, a, new, reason, data=None, now=None):
        now = self.world.now() if now is None else now
        old = a["StateValue"]
        a["StateValue"], a["StateReason"] = new, reason
        a["StateReasonData"] = data
        a["StateUpdatedTimestamp"] = now
        if old != new:
            a["StateTransitionedTimestamp"] = now
        self._history(a, "StateUpdate", "Alarm updated from %s to %s" % (old, new), {
            "version": "1.0",
            "oldState": {"stateValue": old},
            "newState": {"stateValue": new, "stateReason": reason}})
        if a.get("ActionsEnabled", True):
            actions = {"ALARM": a["AlarmActions"], "OK": a["OKActions"],
                       "INSUFFICIENT_DATA": a["InsufficientDataActions"]}[new]
            for arn in actions:
                self._run_action(a, arn, old, new, reason, now)

    def _history(self, a, kind, summary, data):
        items = self.history.setdefault((a["account"], a["region"]), [])
        items.append({"AlarmName": a["AlarmName"], "AlarmType": "MetricAlarm",
                      "Timestamp": self.world.now(), "HistoryItemType": kind,
                      "HistorySummary": summary, "HistoryData": json.dumps(data)})
        if len(items) > 10000:
            del items[:len(items) - 10000]

    def notification(self, a, old, new, reason, now):
        """The SNS message CloudWatch sends for an alarm state change (JSON text)."""
        region = a["region"]
        trigger = {}
        if a.get("MetricName"):
            trigger = {
                "MetricName": a["MetricName"], "Namespace": a["Namespace"],
                "StatisticType": "Statistic" if a.get("Statistic") else "ExtendedStatistic",
                "Statistic": (a.get("Statistic") or "").upper() if a.get("Statistic") else None,
                "Unit": a.get("Unit"),
                "Dimensions": [{"value": d.get("Value"), "name": d.get("Name")}
                               for d in a.get("Dimensions") or []],
                "Period": a["Period"], "EvaluationPeriods": a["EvaluationPeriods"],
            }
            if a.get("ExtendedStatistic"):
                trigger["ExtendedStatistic"] = a["ExtendedStatistic"]
                del trigger["Statistic"]
        elif a.get("Metrics"):
            trigger = {"Metrics": a.get("Metrics"), "Period": self._alarm_period(a),
                       "EvaluationPeriods": a["EvaluationPeriods"]}
        if a.get("DatapointsToAlarm") is not None:
            trigger["DatapointsToAlarm"] = a["DatapointsToAlarm"]
        trigger.update({
            "ComparisonOperator": a["ComparisonOperator"], "Threshold": a.get("Threshold"),
            "TreatMissingData": a.get("TreatMissingData") or "missing",
            "EvaluateLowSampleCountPercentile": a.get("EvaluateLowSampleCountPercentile") or "",
        })
        msg = {
            "AlarmName": a["AlarmName"],
            "AlarmDescription": a.get("AlarmDescription"),
            "AWSAccountId": a["account"],
            "AlarmConfigurationUpdatedTimestamp":
                _aws_time(a["AlarmConfigurationUpdatedTimestamp"]),
            "NewStateValue": new,
            "NewStateReason": reason,
            "StateChangeTime": _aws_time(now),
            "Region": REGION_NAMES.get(region, region),
            "AlarmArn": a["AlarmArn"],
            "OldStateValue": old,
            "OKActions": a["OKActions"],
            "AlarmActions": a["AlarmActions"],
            "InsufficientDataActions": a["InsufficientDataActions"],
            "Trigger": trigger,
        }
        return json.dumps(msg)

    def _run_action(self, a, arn, old, new, reason, now):
        if not re.match(r"arn:aws[\w-]*:sns:", arn):
            self._history(a, "Action", "Failed to execute action %s" % arn,
                          {"actionState": "Failed", "notificationResource": arn,
                           "error": "awssim runs SNS actions only"})
            return
        subject = '%s: "%s" in %s' % (new, a["AlarmName"],
                                      REGION_NAMES.get(a["region"], a["region"]))
        if len(subject) > 100:
            subject = subject[:100]
        message = self.notification(a, old, new, reason, now)
        sns = self.world.service("sns")
        publish = getattr(sns, "publish", None) if sns is not None else None
        ok, err = False, "SNS is not available"
        if publish is not None:
            try:
                mid = publish(arn, subject, message)
                ok, err = (True, None) if mid is not None else (False, "NotFound: Topic does "
                                                                 "not exist")
            except AwsError as e:
                err = "%s: %s" % (e.code, e.message)
        self._history(a, "Action",
                      "Successfully executed action %s" % arn if ok else
                      "Failed to execute action %s" % arn,
                      {"actionState": "Succeeded" if ok else "Failed",
                       "notificationResource": arn,
                       "stateUpdateTimestamp": int(now * 1000),
                       **({"error": err} if err else {})})
