"""CloudWatch Logs: log groups and streams, retention, tags, PutLogEvents, metric
filters (patterns evaluated by filterpattern on every ingested event, producing
datapoints in CloudWatch), FilterLogEvents (5 TPS per account and region).

CloudTrail delivers records through ingest(); timestamps are epoch milliseconds."""

import bisect
import random
import re

from errors import AwsError
from filterpattern import compile_pattern
from svc_cloudtrail import TokenBucket, TokenFault, decode_token, encode_token, params_digest

SIGNING_NAME = "logs"

FILTER_RATE = 5.0
MAX_FILTERS_PER_GROUP = 100
MAX_EVENTS_PER_GROUP = 200000
RETENTION_DAYS = {1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827,
                  2192, 2557, 2922, 3288, 3653}
GROUP_RE = re.compile(r"[\.\-_/#A-Za-z0-9]{1,512}")
STREAM_RE = re.compile(r"[^:*]{1,512}")
FILTER_NAME_RE = re.compile(r"[^:*]{1,512}")


def _order(e):
    return (e[0], e[2])


def _event_id():
    return "".join(random.choice("0123456789") for _ in range(56))


class Service:
    def __init__(self, world):
        self.world = world
        self.reset()

    def reset(self):
        self.groups = {}       # (account, region) -> {name: group}
        self.bucket = TokenBucket(FILTER_RATE, FILTER_RATE)
        self.ingested = 0
        self.token_fault = TokenFault()   # FilterLogEvents nextTokens refused on demand

    # ------------------------------------------------------------ helpers
    def _region(self, ctx):
        return getattr(ctx, "region", None) or self.world.region

    def _groups(self, account, region):
        return self.groups.setdefault((account, region), {})

    def _group(self, ctx, name):
        if not isinstance(name, str) or not name:
            raise AwsError("InvalidParameterException", "logGroupName must not be empty.")
        g = self._groups(ctx.account_id, self._region(ctx)).get(name)
        if g is None:
            raise AwsError("ResourceNotFoundException", "The specified log group does not exist.")
        return g

    def group_exists(self, account, region, name):
        return name in self.groups.get((account, region), {})

    def _now_ms(self):
        return int(self.world.now() * 1000)

    def handle(self, ctx, operation, params):
        fn = getattr(self, "op_" + operation, None)
        if fn is None:
            raise AwsError("InvalidOperationException",
                           "awssim does not model CloudWatch Logs %s" % operation)
        try:
            return fn(ctx, params or {})
        except (TypeError, KeyError, AttributeError, ValueError, IndexError) as e:
            # input the model allows but the handler cannot use: refuse, never crash
            raise AwsError("InvalidParameterException", "Invalid request parameters for %s: %s"
                           % (operation, type(e).__name__))

    # ------------------------------------------------------------ groups
    def op_CreateLogGroup(self, ctx, p):
        name = p.get("logGroupName")
        if not isinstance(name, str) or not GROUP_RE.fullmatch(name):
            raise AwsError("InvalidParameterException",
                           "1 validation error detected: Value '%s' at 'logGroupName' failed "
                           "to satisfy constraint: Member must satisfy regular expression "
                           "pattern: [\\.\\-_/#A-Za-z0-9]+" % name)
        groups = self._groups(ctx.account_id, self._region(ctx))
        if name in groups:
            raise AwsError("ResourceAlreadyExistsException",
                           "The specified log group already exists")
        arn = "arn:aws:logs:%s:%s:log-group:%s" % (self._region(ctx), ctx.account_id, name)
        groups[name] = {"name": name, "created": self._now_ms(), "retention": None,
                        "kms": p.get("kmsKeyId"), "tags": dict(p.get("tags") or {}),
                        "arn": arn, "streams": {}, "filters": {}, "events": [],
                        "stored": 0, "account": ctx.account_id, "region": self._region(ctx)}
        return {}

    def op_DeleteLogGroup(self, ctx, p):
        g = self._group(ctx, p.get("logGroupName"))
        del self._groups(ctx.account_id, self._region(ctx))[g["name"]]
        return {}

    def _group_out(self, g):
        out = {"logGroupName": g["name"], "creationTime": g["created"],
               "metricFilterCount": len(g["filters"]), "arn": g["arn"] + ":*",
               "storedBytes": g["stored"]}
        if g["retention"] is not None:
            out["retentionInDays"] = g["retention"]
        if g["kms"]:
            out["kmsKeyId"] = g["kms"]
        return out

    def op_DescribeLogGroups(self, ctx, p):
        prefix, pattern = p.get("logGroupNamePrefix"), p.get("logGroupNamePattern")
        if prefix and pattern:
            raise AwsError("InvalidParameterException",
                           "LogGroup name prefix and LogGroup name pattern are mutually "
                           "exclusive parameters.")
        limit = p.get("limit", 50)
        if not isinstance(limit, int) or not 1 <= limit <= 50:
            raise AwsError("InvalidParameterException", "limit must be between 1 and 50.")
        names = sorted(self._groups(ctx.account_id, self._region(ctx)))
        if prefix:
            names = [n for n in names if n.startswith(prefix)]
        if pattern:
            names = [n for n in names if pattern.lower() in n.lower()]
        digest = params_digest("dlg", ctx.account_id, prefix, pattern)
        start = 0
        if p.get("nextToken") is not None:
            start = decode_token(p["nextToken"], digest, "InvalidParameterException",
                                 "The specified nextToken is invalid.")
            if not isinstance(start, int) or start < 0:
                raise AwsError("InvalidParameterException", "The specified nextToken is invalid.")
        groups = self._groups(ctx.account_id, self._region(ctx))
        out = {"logGroups": [self._group_out(groups[n]) for n in names[start:start + limit]]}
        if start + limit < len(names):
            out["nextToken"] = encode_token(digest, start + limit)
        return out

    def op_PutRetentionPolicy(self, ctx, p):
        g = self._group(ctx, p.get("logGroupName"))
        days = p.get("retentionInDays")
        if days not in RETENTION_DAYS:
            raise AwsError("InvalidParameterException",
                           "1 validation error detected: Value '%s' at 'retentionInDays' "
                           "failed to satisfy constraint: Member must satisfy enum value set: "
                           "%s" % (days, sorted(RETENTION_DAYS)))
        g["retention"] = days
        return {}

    def op_DeleteRetentionPolicy(self, ctx, p):
        self._group(ctx, p.get("logGroupName"))["retention"] = None
        return {}

    def op_TagLogGroup(self, ctx, p):
        g = self._group(ctx, p.get("logGroupName"))
        g["tags"].update(p.get("tags") or {})
        return {}

    def op_UntagLogGroup(self, ctx, p):
        g = self._group(ctx, p.get("logGroupName"))
        for k in p.get("tags") or []:
            g["tags"].pop(k, None)
        return {}

    def op_ListTagsLogGroup(self, ctx, p):
        return {"tags": dict(self._group(ctx, p.get("logGroupName"))["tags"])}

    def _group_by_arn(self, ctx, arn):
        m = re.match(r"arn:aws[\w-]*:logs:([\w-]+):(\d{12}):log-group:([^:]+)(:\*)?$", arn or "")
        if not m:
            raise AwsError("InvalidParameterException", "Invalid resource ARN: %s" % arn)
        g = self.groups.get((m.group(2), m.group(1)), {}).get(m.group(3))
        if g is None or m.group(2) != ctx.account_id:
            raise AwsError("ResourceNotFoundException", "The specified resource does not exist.")
        return g

    def op_TagResource(self, ctx, p):
        self._group_by_arn(ctx, p.get("resourceArn"))["tags"].update(p.get("tags") or {})
        return {}

    def op_UntagResource(self, ctx, p):
        g = self._group_by_arn(ctx, p.get("resourceArn"))
        for k in p.get("tagKeys") or []:
            g["tags"].pop(k, None)
        return {}

    def op_ListTagsForResource(self, ctx, p):
        return {"tags": dict(self._group_by_arn(ctx, p.get("resourceArn"))["tags"])}

    # ------------------------------------------------------------ streams and events
    def op_CreateLogStream(self, ctx, p):
        g = self._group(ctx, p.get("logGroupName"))
        name = p.get("logStreamName")
        if not isinstance(name, str) or not STREAM_RE.fullmatch(name):
            raise AwsError("InvalidParameterException", "Invalid log stream name.")
        if name in g["streams"]:
            raise AwsError("ResourceAlreadyExistsException",
                           "The specified log stream already exists")
        self._stream(g, name)
        return {}

    @staticmethod
    def _stream(g, name):
        s = g["streams"].get(name)
        if s is None:
            s = g["streams"][name] = {"name": name, "created": None, "first": None,
                                      "last": None, "ingested": None, "stored": 0}
        return s

    def op_DescribeLogStreams(self, ctx, p):
        g = self._group(ctx, p.get("logGroupName"))
        prefix = p.get("logStreamNamePrefix") or ""
        out = []
        for name in sorted(g["streams"]):
            if not name.startswith(prefix):
                continue
            s = g["streams"][name]
            item = {"logStreamName": name, "creationTime": s["created"] or g["created"],
                    "arn": "%s:log-stream:%s" % (g["arn"], name), "storedBytes": s["stored"]}
            for k, src in (("firstEventTimestamp", "first"), ("lastEventTimestamp", "last"),
                           ("lastIngestionTime", "ingested")):
                if s[src] is not None:
                    item[k] = s[src]
            out.append(item)
        limit = p.get("limit", 50)
        return {"logStreams": out[:limit]}

    def op_PutLogEvents(self, ctx, p):
        g = self._group(ctx, p.get("logGroupName"))
        s = g["streams"].get(p.get("logStreamName"))
        if s is None:
            raise AwsError("ResourceNotFoundException", "The specified log stream does not exist.")
        events = p.get("logEvents") or []
        if not 1 <= len(events) <= 10000:
            raise AwsError("InvalidParameterException",
                           "logEvents must contain between 1 and 10000 events.")
        now = self._now_ms()
        prev = None
        rejected = {}
        for i, ev in enumerate(events):
            ts, msg = ev.get("timestamp"), ev.get("message")
            if not isinstance(ts, int) or not isinstance(msg, str):
                raise AwsError("InvalidParameterException", "Each log event needs timestamp and "
                               "message.")
            if prev is not None and ts < prev:
                raise AwsError("InvalidParameterException",
                               "Log events in a single PutLogEvents request must be in "
                               "chronological order.")
            prev = ts
            if ts > now + 2 * 3600 * 1000:
                rejected.setdefault("tooNewLogEventStartIndex", i)
                continue
            if ts < now - 14 * 86400 * 1000:
                rejected["tooOldLogEventEndIndex"] = i
                continue
            self._append(g, p["logStreamName"], ts, msg, now)
        out = {"nextSequenceToken": "%056d" % random.getrandbits(160)}
        if rejected:
            out["rejectedLogEventsInfo"] = rejected
        return out

    def ingest(self, account, region, group_name, stream_name, timestamp_ms, message):
        """Deliver one event from inside the world (CloudTrail); False when the group
        does not exist."""
        g = self.groups.get((account, region), {}).get(group_name)
        if g is None:
            return False
        self._append(g, stream_name, int(timestamp_ms), message, self._now_ms())
        return True

    def _append(self, g, stream_name, ts, msg, now):
        s = self._stream(g, stream_name)
        if s["created"] is None:
            s["created"] = now
        s["first"] = ts if s["first"] is None else min(s["first"], ts)
        s["last"] = ts if s["last"] is None else max(s["last"], ts)
        s["ingested"] = now
        size = len(msg.encode("utf-8", "replace")) + 26
        s["stored"] += size
        g["stored"] += size
        # kept sorted by (timestamp, eventId): the order FilterLogEvents pages in
        bisect.insort(g["events"], (ts, now, _event_id(), stream_name, msg), key=_order)
        if len(g["events"]) > MAX_EVENTS_PER_GROUP:
            del g["events"][:len(g["events"]) - MAX_EVENTS_PER_GROUP]
        self.ingested += 1
        self._apply_filters(g, ts, msg)

    def _apply_filters(self, g, ts, msg):
        if not g["filters"]:
            return
        cw = self.world.service("monitoring")
        put = getattr(cw, "put_datapoint", None) if cw is not None else None
        if put is None:
            return
        delay = float(self.world.delays.get("metric_filter", 0.0))
        for f in list(g["filters"].values()):
            for mt in f["metricTransformations"]:
                value, dims = None, {}
                if f["compiled"].matches(msg):
                    value = f["compiled"].metric_value(msg, mt.get("metricValue", "1"))
                    for dname, spec in (mt.get("dimensions") or {}).items():
                        dv = _dimension_value(f["compiled"], msg, spec)
                        if dv is None:
                            value = None
                            break
                        dims[dname] = dv
                elif mt.get("defaultValue") is not None:
                    value = float(mt["defaultValue"])
                if value is None:
                    continue
                args = (g["account"], mt["metricNamespace"], mt["metricName"], dims,
                        ts / 1000.0, value, mt.get("unit"))
                if delay > 0:
                    self.world.schedule(self.world.now() + delay, put, *args)
                else:
                    put(*args)

    def op_GetLogEvents(self, ctx, p):
        g = self._group(ctx, p.get("logGroupName"))
        if p.get("logStreamName") not in g["streams"]:
            raise AwsError("ResourceNotFoundException", "The specified log stream does not exist.")
        evs = [e for e in g["events"] if e[3] == p["logStreamName"]]
        evs = self._time_window(evs, p.get("startTime"), p.get("endTime"))
        limit = p.get("limit", 10000)
        evs = evs[:limit] if p.get("startFromHead") else evs[-limit:]
        return {"events": [{"timestamp": e[0], "message": e[4], "ingestionTime": e[1]}
                           for e in evs],
                "nextForwardToken": "f/%056d" % 0, "nextBackwardToken": "b/%056d" % 0}

    @staticmethod
    def _time_window(evs, start, end):
        return [e for e in evs if (start is None or e[0] >= start) and
                (end is None or e[0] <= end)]

    def op_FilterLogEvents(self, ctx, p):
        if not self.bucket.take((ctx.account_id, self._region(ctx)), self.world.now()):
            raise AwsError("ThrottlingException", "Rate exceeded", 400)
        name = p.get("logGroupName")
        if name is None and p.get("logGroupIdentifier"):
            ident = p["logGroupIdentifier"]
            name = ident.split(":log-group:")[-1].split(":")[0] if ident.startswith("arn:") \
                else ident
        g = self._group(ctx, name)
        streams, sprefix = p.get("logStreamNames"), p.get("logStreamNamePrefix")
        if streams and sprefix:
            raise AwsError("InvalidParameterException",
                           "logStreamNames and logStreamNamePrefix are mutually exclusive.")
        start, end = p.get("startTime"), p.get("endTime")
        if start is not None and end is not None and start > end:
            raise AwsError("InvalidParameterException",
                           "endTime must be greater than or equal to startTime.")
        limit = p.get("limit", 10000)
        if not isinstance(limit, int) or not 1 <= limit <= 10000:
            raise AwsError("InvalidParameterException", "limit must be between 1 and 10000.")
        pattern = compile_pattern(p.get("filterPattern") or "", "filter pattern")
        digest = params_digest("fle", ctx.account_id, g["name"], streams, sprefix, start, end,
                               p.get("filterPattern"))
        pos = 0
        if p.get("nextToken") is not None:
            pos = decode_token(p["nextToken"], digest, "InvalidParameterException",
                               "The specified nextToken is invalid.")
            if not isinstance(pos, list) or len(pos) != 2:
                raise AwsError("InvalidParameterException", "The specified nextToken is invalid.")
            pos = (pos[0], pos[1])
            if not isinstance(pos[0], int) or not isinstance(pos[1], str):
                raise AwsError("InvalidParameterException", "The specified nextToken is invalid.")
            if self.token_fault.take(ctx.account_id):
                # what AWS answers for a token it no longer honours (botocore's model
                # lists InvalidParameterException for FilterLogEvents)
                raise AwsError("InvalidParameterException", "The specified nextToken is invalid.")
        evs = g["events"]
        first = bisect.bisect_right(evs, pos, key=_order) if pos else \
            bisect.bisect_left(evs, (start if start is not None else -2 ** 63, ""), key=_order)
        out, last, more = [], None, False
        for i in range(first, len(evs)):
            e = evs[i]
            if start is not None and e[0] < start:
                continue
            if end is not None and e[0] > end:
                break
            if streams and e[3] not in streams:
                continue
            if sprefix and not e[3].startswith(sprefix):
                continue
            if not pattern.matches(e[4]):
                continue
            if len(out) == limit:
                more = True
                break
            out.append({"logStreamName": e[3], "timestamp": e[0], "message": e[4],
                        "ingestionTime": e[1], "eventId": e[2]})
            last = (e[0], e[2])
        result = {"events": out,
                  "searchedLogStreams": [{"logStreamName": s, "searchedCompletely": not more}
                                         for s in sorted(g["streams"])
                                         if (not streams or s in streams) and
                                         (not sprefix or s.startswith(sprefix))]}
        if more:
            result["nextToken"] = encode_token(digest, list(last))
        return result

    # ------------------------------------------------------------ admin
    def admin(self, action, body):
        """tokens: {"invalidate": N, "account"} -> the next N FilterLogEvents requests with
        a nextToken get InvalidParameterException "The specified nextToken is invalid."
        (svc_cloudtrail.TokenFault.admin); without "invalidate" it only reports."""
        if action == "tokens":
            return self.token_fault.admin(body or {})
        raise AwsError("ValidationException", "unknown logs admin action %s" % action)

    # ------------------------------------------------------------ metric filters
    def op_PutMetricFilter(self, ctx, p):
        g = self._group(ctx, p.get("logGroupName"))
        name = p.get("filterName")
        if not isinstance(name, str) or not FILTER_NAME_RE.fullmatch(name):
            raise AwsError("InvalidParameterException", "Invalid filter name.")
        compiled = compile_pattern(p.get("filterPattern"), "metric filter pattern")
        mts = p.get("metricTransformations") or []
        if len(mts) != 1:
            raise AwsError("InvalidParameterException",
                           "metricTransformations must contain exactly one transformation.")
        norm = []
        for mt in mts:
            for k in ("metricName", "metricNamespace", "metricValue"):
                if not isinstance(mt.get(k), str) or not mt.get(k):
                    raise AwsError("InvalidParameterException", "%s must not be empty." % k)
            if mt.get("dimensions") and mt.get("defaultValue") is not None:
                raise AwsError("InvalidParameterException",
                               "You cannot specify a default value for a metric transformation "
                               "that has dimensions.")
            if len(mt.get("dimensions") or {}) > 3:
                raise AwsError("InvalidParameterException",
                               "A metric transformation can have at most 3 dimensions.")
            spec = mt["metricValue"].strip()
            if not spec.startswith("$") and compiled.metric_value("{}", spec) is None:
                raise AwsError("InvalidParameterException",
                               "Invalid metric value: %s" % mt["metricValue"])
            if spec.startswith("$.") and compiled.kind != "json":
                raise AwsError("InvalidParameterException",
                               "Invalid metric value for a non-JSON filter pattern.")
            if spec.startswith("$") and not spec.startswith("$.") and \
                    spec[1:] not in compiled.field_names():
                raise AwsError("InvalidParameterException",
                               "Invalid metric value: %s is not a field of the filter "
                               "pattern." % spec)
            norm.append({k: v for k, v in mt.items() if v is not None})
        if name not in g["filters"] and len(g["filters"]) >= MAX_FILTERS_PER_GROUP:
            raise AwsError("LimitExceededException", "Resource limit exceeded.")
        old = g["filters"].get(name)
        g["filters"][name] = {"filterName": name, "filterPattern": p.get("filterPattern"),
                              "metricTransformations": norm, "compiled": compiled,
                              "creationTime": old["creationTime"] if old else self._now_ms(),
                              "logGroupName": g["name"]}
        return {}

    def op_DescribeMetricFilters(self, ctx, p):
        name, prefix = p.get("logGroupName"), p.get("filterNamePrefix")
        mname, mns = p.get("metricName"), p.get("metricNamespace")
        if prefix and not name:
            raise AwsError("InvalidParameterException",
                           "filterNamePrefix requires logGroupName.")
        if bool(mname) != bool(mns):
            raise AwsError("InvalidParameterException",
                           "metricName and metricNamespace must be given together.")
        if name:
            groups = [self._group(ctx, name)]
        else:
            groups = [self._groups(ctx.account_id, self._region(ctx))[n] for n in
                      sorted(self._groups(ctx.account_id, self._region(ctx)))]
        found = []
        for g in groups:
            for fname in sorted(g["filters"]):
                f = g["filters"][fname]
                if prefix and not fname.startswith(prefix):
                    continue
                if mname and not any(mt["metricName"] == mname and mt["metricNamespace"] == mns
                                     for mt in f["metricTransformations"]):
                    continue
                found.append({k: v for k, v in f.items() if k != "compiled"})
        limit = p.get("limit", 50)
        if not isinstance(limit, int) or not 1 <= limit <= 50:
            raise AwsError("InvalidParameterException", "limit must be between 1 and 50.")
        digest = params_digest("dmf", ctx.account_id, name, prefix, mname, mns)
        start = 0
        if p.get("nextToken") is not None:
            start = decode_token(p["nextToken"], digest, "InvalidParameterException",
                                 "The specified nextToken is invalid.")
            if not isinstance(start, int) or start < 0:
                raise AwsError("InvalidParameterException", "The specified nextToken is invalid.")
        out = {"metricFilters": found[start:start + limit]}
        if start + limit < len(found):
            out["nextToken"] = encode_token(digest, start + limit)
        return out

    def op_DeleteMetricFilter(self, ctx, p):
        g = self._group(ctx, p.get("logGroupName"))
        if p.get("filterName") not in g["filters"]:
            raise AwsError("ResourceNotFoundException", "The specified metric filter does not "
                           "exist.")
        del g["filters"][p["filterName"]]
        return {}

    def op_TestMetricFilter(self, ctx, p):
        compiled = compile_pattern(p.get("filterPattern"), "metric filter pattern")
        out = []
        for i, msg in enumerate(p.get("logEventMessages") or []):
            if compiled.matches(msg):
                out.append({"eventNumber": i + 1, "eventMessage": msg, "extractedValues": {}})
        return {"matches": out}


def _dimension_value(compiled, msg, spec):
    """A dimension value: a `$.field` of the (JSON) event as text, or a constant."""
    if isinstance(spec, str) and spec.startswith("$"):
        v = compiled.field_value(msg, spec)
        if v is None or isinstance(v, bool):
            return None
        return v if isinstance(v, str) else format(v, "g")
    return None if spec is None else str(spec)
