"""CloudTrail: trails, event history (LookupEvents), record building and delivery
of records to the trail's CloudWatch Logs log group.

Every API call the server handles becomes a record (record_api_call), shaped like the
real ones in testdata/aws-responses/cloudtrail-records. Records become visible in event
history after a delivery delay and, when a logging trail has a log group and a usable
role, are delivered as log events to "<account>_CloudTrail_<region>" in that group."""

import base64
import bisect
import calendar
import copy
import gzip
import hashlib
import itertools
import json
import random
import re
import time
import uuid

from errors import AwsError

SIGNING_NAME = "cloudtrail"

HISTORY_DAYS = 90
LOOKUP_RATE = 2.0           # LookupEvents requests per second per account and region
LOOKUP_BURST = 2.0
MAX_TRAILS_PER_REGION = 5
S3_FLUSH_S = 1.0           # trail log files: at most one per second (or per delivery delay)
MAX_HISTORY = 500000        # bound memory: oldest records are dropped beyond this

# Calls CloudTrail does not record as management events (data events or unlogged).
UNRECORDED = {
    ("logs", "PutLogEvents"), ("logs", "FilterLogEvents"), ("logs", "GetLogEvents"),
    ("monitoring", "PutMetricData"), ("monitoring", "GetMetricData"),
    ("monitoring", "GetMetricStatistics"), ("monitoring", "ListMetrics"),
    ("s3", "GetObject"), ("s3", "PutObject"), ("s3", "HeadObject"), ("s3", "DeleteObject"),
    ("s3", "ListObjects"), ("s3", "ListObjectsV2"), ("sns", "Publish"),
}
# Request members CloudTrail never shows.
SENSITIVE = {"SecretString", "SecretBinary", "Password", "SecretAccessKey", "SessionToken",
             "NewPassword", "OldPassword", "PrivateKey", "WebIdentityToken"}
READ_PREFIXES = ("Get", "Describe", "List", "Lookup", "BatchGet", "Head", "Filter", "Search")


# ---------------------------------------------------------------- shared helpers

def iso(t):
    """Epoch seconds -> CloudTrail's eventTime form (2024-07-31T12:36:48Z)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def parse_iso(text):
    """ISO-8601 UTC text -> epoch seconds, or None."""
    if not isinstance(text, str):
        return None
    m = re.match(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d:?\d\d)?$", text)
    if not m:
        return None
    try:
        t = calendar.timegm(tuple(int(m.group(i)) for i in range(1, 7)) + (0, 0, 0))
    except (ValueError, OverflowError):
        return None
    if m.group(7):
        t += float(m.group(7))
    tz = m.group(8)
    if tz and tz != "Z":
        sign = 1 if tz[0] == "+" else -1
        digits = tz[1:].replace(":", "")
        t -= sign * (int(digits[:2]) * 3600 + int(digits[2:]) * 60)
    return t


def lower_camel(value):
    """Request members as CloudTrail shows them: lowerCamelCase keys, recursively,
    sensitive members dropped, bytes shown as a placeholder."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k in SENSITIVE:
                continue
            key = _camel(k) if isinstance(k, str) else k
            out[key] = lower_camel(v)
        return out
    if isinstance(value, list):
        return [lower_camel(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return "HIDDEN_DUE_TO_SECURITY_REASONS"
    return value


def _camel(name):
    """"ARN" -> "arn", "AWSAccountId" -> "awsAccountId", "SecretId" -> "secretId"."""
    m = re.match(r"[A-Z0-9]+", name)
    if not m:
        return name
    run = m.group(0)
    if len(run) == len(name):
        return name.lower()
    if len(run) > 1 and name[len(run)].islower():
        run = run[:-1]
    return run.lower() + name[len(run):]


def params_digest(*parts):
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:24]


def encode_token(digest, position):
    raw = json.dumps({"h": digest, "p": position}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token, digest, code="InvalidNextTokenException", message="Invalid NextToken"):
    """The position stored in a token made by encode_token for the same parameters."""
    try:
        pad = "=" * (-len(token) % 4)
        doc = json.loads(base64.urlsafe_b64decode(token + pad))
        if not isinstance(doc, dict) or doc.get("h") != digest:
            raise ValueError("other parameters")
        return doc["p"]
    except (ValueError, TypeError, KeyError, AttributeError):
        raise AwsError(code, message)


class TokenFault:
    """Pagination tokens that stop being honoured (admin action "tokens"): the
    next `remaining` requests of one operation that carry a token (any token,
    also one issued before the fault was set), of `account` or of any account
    when it is None, are refused with the service's invalid-token error, as AWS
    refuses a token it no longer honours. Tokens themselves stay stateless: with
    no fault set, a token works again with the same parameters."""

    def __init__(self):
        self.remaining = 0
        self.account = None
        self.refused = 0

    def admin(self, body):
        """{"invalidate": N (>0: refuse the next N token uses, <=0: clear),
        "account": id (optional)} sets the fault; without "invalidate" it only
        reports {"invalidate_remaining", "account", "refused"}."""
        if "invalidate" in body:
            n = body["invalidate"]
            if isinstance(n, str) and re.fullmatch(r"-?[0-9]+", n):
                n = int(n)
            if not isinstance(n, int) or isinstance(n, bool):
                raise AwsError("ValidationException", "invalidate must be an integer")
            acct = body.get("account")
            if acct is not None and not isinstance(acct, str):
                raise AwsError("ValidationException", "account must be a string")
            self.remaining = max(0, n)
            self.account = acct or None
        return {"invalidate_remaining": self.remaining, "account": self.account,
                "refused": self.refused}

    def take(self, account):
        """True when this token use is to be refused (and counts it)."""
        if self.remaining <= 0 or (self.account is not None and self.account != account):
            return False
        self.remaining -= 1
        self.refused += 1
        return True


class TokenBucket:
    """Requests-per-second limiter (per key), as AWS enforces per account and region."""

    def __init__(self, rate, burst):
        self.rate, self.burst = float(rate), float(burst)
        self.state = {}

    def take(self, key, now):
        tokens, last = self.state.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + max(0.0, now - last) * self.rate)
        if tokens < 1.0:
            self.state[key] = (tokens, now)
            return False
        self.state[key] = (tokens - 1.0, now)
        return True


def user_identity(ctx):
    """userIdentity for the calling principal, per principal type."""
    ptype = getattr(ctx, "principal_type", None) or "IAMUser"
    arn = ctx.principal_arn or ""
    acct = ctx.account_id
    if ptype == "AssumedRole":
        principal = getattr(ctx, "principal", None)
        bits = arn.split(":", 5)[-1].split("/")
        role = bits[1] if len(bits) > 1 else "role"
        session = bits[2] if len(bits) > 2 else "session"
        role_arn = getattr(principal, "role_arn", None) or "arn:aws:iam::%s:role/%s" % (acct, role)
        pid = ctx.principal_id or ("AROA" + "X" * 17 + ":" + session)
        created = getattr(principal, "expiration", None)
        created = (created - 3600) if isinstance(created, (int, float)) else (ctx.event_time - 600)
        return {
            "type": "AssumedRole",
            "principalId": pid,
            "arn": arn,
            "accountId": acct,
            "accessKeyId": ctx.access_key_id,
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": pid.split(":")[0],
                    "arn": role_arn,
                    "accountId": acct,
                    "userName": role_arn.split("/")[-1],
                },
                "webIdFederationData": {},
                "attributes": {"creationDate": iso(created), "mfaAuthenticated": "false"},
            },
        }
    if ptype == "Root":
        return {"type": "Root", "principalId": acct, "arn": "arn:aws:iam::%s:root" % acct,
                "accountId": acct, "accessKeyId": ctx.access_key_id}
    return {
        "type": "IAMUser",
        "principalId": ctx.principal_id,
        "arn": arn,
        "accountId": acct,
        "accessKeyId": ctx.access_key_id,
        "userName": ctx.user_name or arn.split("/")[-1],
    }


def _username(rec):
    ui = rec.get("userIdentity") if isinstance(rec, dict) else None
    if not isinstance(ui, dict):
        return None
    if ui.get("userName"):
        return ui["userName"]
    if ui.get("type") == "AssumedRole" and isinstance(ui.get("arn"), str):
        return ui["arn"].split("/")[-1]
    if ui.get("type") == "Root":
        return "root"
    return None


class _Entry:
    """One record in event history."""
    __slots__ = ("t", "seq", "rec", "text", "account", "region")

    def __init__(self, t, seq, rec, account, region):
        self.t, self.seq, self.rec, self.account, self.region = t, seq, rec, account, region
        self.text = json.dumps(rec, separators=(",", ":"))

    def key(self):
        return (self.t, self.seq)


class Service:
    def __init__(self, world):
        self.world = world
        self.reset()

    def reset(self):
        self.trails = {}              # (account, name) -> trail dict
        self.history = {}             # (account, region) -> sorted list of _Entry
        self.history_keys = {}        # (account, region) -> sorted list of (t, seq)
        self.bucket = TokenBucket(LOOKUP_RATE, LOOKUP_BURST)
        self.seq = itertools.count()
        self.delivered = 0
        self.default_delay_s = None   # None: world.delays["cloudtrail_delivery"]
        self.out_of_order_s = 0.0     # extra random delay per record when > 0
        self.token_fault = TokenFault()  # LookupEvents NextTokens refused on demand

    # ------------------------------------------------------------ API dispatch
    def handle(self, ctx, operation, params):
        fn = getattr(self, "op_" + operation, None)
        if fn is None:
            raise AwsError("UnsupportedOperationException",
                           "awssim does not model CloudTrail %s" % operation)
        try:
            return fn(ctx, params or {})
        except (TypeError, KeyError, AttributeError, ValueError, IndexError) as e:
            # input the model allows but the handler cannot use: refuse, never crash
            raise AwsError("InvalidParameterException", "Invalid request parameters for %s: %s"
                           % (operation, type(e).__name__))

    # ------------------------------------------------------------ trails
    def _region(self, ctx):
        return getattr(ctx, "region", None) or self.world.region

    def _trail(self, ctx, name):
        if not isinstance(name, str) or not name:
            raise AwsError("InvalidTrailNameException", "Trail name must not be empty.")
        if name.startswith("arn:"):
            m = re.match(r"arn:aws[\w-]*:cloudtrail:([\w-]+):(\d{12}):trail/(.+)$", name)
            if not m:
                raise AwsError("CloudTrailARNInvalidException",
                               "Invalid trail ARN: %s" % name)
            key = (m.group(2), m.group(3))
        else:
            key = (ctx.account_id, name)
        t = self.trails.get(key)
        if t is None:
            raise AwsError("TrailNotFoundException",
                           "Unknown trail: %s for the user: %s" % (name, ctx.account_id))
        return t

    @staticmethod
    def _check_name(name):
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9]", name or "") or \
                re.search(r"[._-]{2}", name):
            raise AwsError("InvalidTrailNameException",
                           "Trail name %s is invalid. Trail names must start with a letter or "
                           "number, be 3-128 characters, and contain only letters, numbers, "
                           "periods, underscores and dashes." % name)

    def _check_bucket(self, ctx, bucket, prefix):
        s3 = self.world.service("s3")
        if s3 is None:
            return
        exists = getattr(s3, "bucket", None)
        if exists is not None and exists(bucket) is None:
            raise AwsError("S3BucketDoesNotExistException",
                           "S3 bucket %s does not exist." % bucket)
        fn = getattr(s3, "bucket_policy", None)
        if fn is None:
            return
        policy = fn(bucket)
        if not _policy_lets_cloudtrail_write(policy, bucket, prefix, ctx.account_id):
            raise AwsError("InsufficientS3BucketPolicyException",
                           "Incorrect S3 bucket policy is detected for bucket: %s" % bucket)

    def _check_logs(self, ctx, group_arn, role_arn):
        if not group_arn and not role_arn:
            return None
        if bool(group_arn) != bool(role_arn):
            raise AwsError("InvalidParameterCombinationException",
                           "You must specify both a CloudWatch Logs log group and a role, "
                           "or neither.")
        m = re.match(r"arn:aws[\w-]*:logs:([\w-]+):(\d{12}):log-group:([^:]+)(:\*)?$", group_arn)
        if not m or m.group(2) != ctx.account_id:
            raise AwsError("InvalidCloudWatchLogsLogGroupArnException",
                           "CloudTrail cannot validate the specified log group ARN.")
        logs = self.world.service("logs")
        if logs is not None and hasattr(logs, "group_exists") and \
                not logs.group_exists(ctx.account_id, m.group(1), m.group(3)):
            raise AwsError("InvalidCloudWatchLogsLogGroupArnException",
                           "CloudTrail cannot validate the specified log group ARN.")
        if not re.match(r"arn:aws[\w-]*:iam::\d{12}:role/.+$", role_arn or ""):
            raise AwsError("InvalidCloudWatchLogsRoleArnException",
                           "CloudTrail cannot validate the specified role ARN.")
        iam = self.world.service("iam")
        usable = getattr(iam, "role_usable", None) if iam is not None else None
        if usable is not None and not usable(role_arn):
            raise AwsError("InvalidCloudWatchLogsRoleArnException",
                           "Access denied. Verify in IAM that the role has adequate "
                           "permissions.")
        return (m.group(1), m.group(3))

    def _trail_out(self, t, status=False):
        keys = ["Name", "S3BucketName", "S3KeyPrefix", "SnsTopicName", "SnsTopicARN",
                "IncludeGlobalServiceEvents", "IsMultiRegionTrail", "HomeRegion", "TrailARN",
                "LogFileValidationEnabled", "CloudWatchLogsLogGroupArn",
                "CloudWatchLogsRoleArn", "KmsKeyId", "HasCustomEventSelectors",
                "HasInsightSelectors", "IsOrganizationTrail"]
        return {k: t[k] for k in keys if t.get(k) is not None}

    def op_CreateTrail(self, ctx, p):
        name = p.get("Name")
        self._check_name(name)
        region = self._region(ctx)
        if (ctx.account_id, name) in self.trails:
            raise AwsError("TrailAlreadyExistsException",
                           "Trail %s already exists for customer: %s" % (name, ctx.account_id))
        mine = [t for (a, _), t in self.trails.items()
                if a == ctx.account_id and t["HomeRegion"] == region]
        if len(mine) >= MAX_TRAILS_PER_REGION:
            raise AwsError("MaximumNumberOfTrailsExceededException",
                           "User: %s already has %d trails in %s." %
                           (ctx.account_id, MAX_TRAILS_PER_REGION, region))
        bucket = p.get("S3BucketName")
        if not isinstance(bucket, str) or not re.fullmatch(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]",
                                                           bucket):
            raise AwsError("InvalidS3BucketNameException",
                           "Bucket name %s is not valid." % bucket)
        self._check_bucket(ctx, bucket, p.get("S3KeyPrefix"))
        self._check_logs(ctx, p.get("CloudWatchLogsLogGroupArn"), p.get("CloudWatchLogsRoleArn"))
        if p.get("IsOrganizationTrail"):
            raise AwsError("OrganizationsNotInUseException",
                           "This account is not a member of an organization.")
        arn = "arn:aws:cloudtrail:%s:%s:trail/%s" % (region, ctx.account_id, name)
        t = {
            "Name": name, "S3BucketName": bucket, "S3KeyPrefix": p.get("S3KeyPrefix"),
            "SnsTopicName": p.get("SnsTopicName"),
            "IncludeGlobalServiceEvents": p.get("IncludeGlobalServiceEvents", True),
            "IsMultiRegionTrail": bool(p.get("IsMultiRegionTrail", False)),
            "HomeRegion": region, "TrailARN": arn,
            "LogFileValidationEnabled": bool(p.get("EnableLogFileValidation", False)),
            "CloudWatchLogsLogGroupArn": p.get("CloudWatchLogsLogGroupArn"),
            "CloudWatchLogsRoleArn": p.get("CloudWatchLogsRoleArn"),
            "KmsKeyId": p.get("KmsKeyId"), "HasCustomEventSelectors": False,
            "HasInsightSelectors": False, "IsOrganizationTrail": False,
            "account": ctx.account_id, "logging": False, "tags": {},
            "selectors": [{"ReadWriteType": "All", "IncludeManagementEvents": True,
                           "DataResources": [], "ExcludeManagementEventSources": []}],
            "advanced": None, "status": {},
        }
        if t["SnsTopicName"]:
            t["SnsTopicARN"] = "arn:aws:sns:%s:%s:%s" % (region, ctx.account_id,
                                                         t["SnsTopicName"])
        for tag in p.get("TagsList") or []:
            t["tags"][tag.get("Key")] = tag.get("Value", "")
        self.trails[(ctx.account_id, name)] = t
        out = self._trail_out(t)
        for k in ("HomeRegion", "HasCustomEventSelectors", "HasInsightSelectors"):
            out.pop(k, None)
        return out

    def op_UpdateTrail(self, ctx, p):
        t = self._trail(ctx, p.get("Name"))
        if p.get("S3BucketName") is not None or p.get("S3KeyPrefix") is not None:
            bucket = p.get("S3BucketName") or t["S3BucketName"]
            self._check_bucket(ctx, bucket, p.get("S3KeyPrefix", t.get("S3KeyPrefix")))
            t["S3BucketName"] = bucket
            if p.get("S3KeyPrefix") is not None:
                t["S3KeyPrefix"] = p["S3KeyPrefix"] or None
        if "CloudWatchLogsLogGroupArn" in p or "CloudWatchLogsRoleArn" in p:
            g = p.get("CloudWatchLogsLogGroupArn", t.get("CloudWatchLogsLogGroupArn")) or None
            r = p.get("CloudWatchLogsRoleArn", t.get("CloudWatchLogsRoleArn")) or None
            self._check_logs(ctx, g, r)
            t["CloudWatchLogsLogGroupArn"], t["CloudWatchLogsRoleArn"] = g, r
        for src, dst in (("IncludeGlobalServiceEvents", "IncludeGlobalServiceEvents"),
                         ("IsMultiRegionTrail", "IsMultiRegionTrail"),
                         ("EnableLogFileValidation", "LogFileValidationEnabled"),
                         ("KmsKeyId", "KmsKeyId"), ("SnsTopicName", "SnsTopicName")):
            if src in p:
                t[dst] = p[src]
        out = self._trail_out(t)
        for k in ("HomeRegion", "HasCustomEventSelectors", "HasInsightSelectors"):
            out.pop(k, None)
        return out

    def op_GetTrail(self, ctx, p):
        return {"Trail": self._trail_out(self._trail(ctx, p.get("Name")))}

    def op_DescribeTrails(self, ctx, p):
        names = p.get("trailNameList") or []
        region = self._region(ctx)
        shadows = p.get("includeShadowTrails", True)
        out = []
        for (acct, _), t in sorted(self.trails.items()):
            if acct != ctx.account_id:
                continue
            if t["HomeRegion"] != region and not (shadows and t["IsMultiRegionTrail"]):
                continue
            if names and t["Name"] not in names and t["TrailARN"] not in names:
                continue
            out.append(self._trail_out(t))
        return {"trailList": out}

    def op_ListTrails(self, ctx, p):
        return {"Trails": [{"TrailARN": t["TrailARN"], "Name": t["Name"],
                            "HomeRegion": t["HomeRegion"]}
                           for (acct, _), t in sorted(self.trails.items())
                           if acct == ctx.account_id]}

    def op_DeleteTrail(self, ctx, p):
        t = self._trail(ctx, p.get("Name"))
        if t["HomeRegion"] != self._region(ctx):
            raise AwsError("InvalidHomeRegionException",
                           "This operation must be called from the trail's home region.")
        del self.trails[(t["account"], t["Name"])]
        return {}

    def op_StartLogging(self, ctx, p):
        t = self._trail(ctx, p.get("Name"))
        if not t["logging"]:
            t["logging"] = True
            t["status"]["StartLoggingTime"] = self.world.now()
        return {}

    def op_StopLogging(self, ctx, p):
        t = self._trail(ctx, p.get("Name"))
        if t["logging"]:
            t["logging"] = False
            t["status"]["StopLoggingTime"] = self.world.now()
        return {}

    def op_GetTrailStatus(self, ctx, p):
        t = self._trail(ctx, p.get("Name"))
        st = t["status"]
        out = {"IsLogging": t["logging"]}
        for k in ("StartLoggingTime", "StopLoggingTime", "LatestDeliveryTime",
                  "LatestCloudWatchLogsDeliveryTime", "LatestDeliveryError",
                  "LatestCloudWatchLogsDeliveryError", "LatestDeliveryAttemptTime",
                  "LatestDeliveryAttemptSucceeded"):
            if st.get(k) is not None:
                out[k] = st[k]
        if st.get("StartLoggingTime"):
            out["TimeLoggingStarted"] = iso(st["StartLoggingTime"])
        if st.get("StopLoggingTime"):
            out["TimeLoggingStopped"] = iso(st["StopLoggingTime"])
        for k in ("LatestDeliveryAttemptTime",):
            if isinstance(out.get(k), (int, float)):
                out[k] = iso(out[k])
        return out

    def op_PutEventSelectors(self, ctx, p):
        t = self._trail(ctx, p.get("TrailName"))
        sels, adv = p.get("EventSelectors"), p.get("AdvancedEventSelectors")
        if (sels is None) == (adv is None):
            raise AwsError("InvalidEventSelectorsException",
                           "Specify either EventSelectors or AdvancedEventSelectors, not both.")
        if sels is not None:
            if len(sels) > 5:
                raise AwsError("InvalidEventSelectorsException",
                               "You can specify at most 5 event selectors.")
            norm = []
            for s in sels:
                rw = s.get("ReadWriteType", "All")
                if rw not in ("ReadOnly", "WriteOnly", "All"):
                    raise AwsError("InvalidEventSelectorsException",
                                   "Invalid ReadWriteType: %s" % rw)
                norm.append({"ReadWriteType": rw,
                             "IncludeManagementEvents": s.get("IncludeManagementEvents", True),
                             "DataResources": s.get("DataResources") or [],
                             "ExcludeManagementEventSources":
                                 s.get("ExcludeManagementEventSources") or []})
            t["selectors"], t["advanced"] = norm, None
        else:
            t["selectors"], t["advanced"] = None, adv
        t["HasCustomEventSelectors"] = True
        return self.op_GetEventSelectors(ctx, {"TrailName": p.get("TrailName")})

    def op_GetEventSelectors(self, ctx, p):
        t = self._trail(ctx, p.get("TrailName"))
        out = {"TrailARN": t["TrailARN"]}
        if t["advanced"] is not None:
            out["AdvancedEventSelectors"] = t["advanced"]
        else:
            out["EventSelectors"] = t["selectors"]
        return out

    def _trail_by_arn(self, ctx, arn):
        for t in self.trails.values():
            if t["TrailARN"] == arn:
                return t
        if not isinstance(arn, str) or not arn.startswith("arn:"):
            raise AwsError("CloudTrailARNInvalidException",
                           "Invalid ARN: %s" % arn)
        raise AwsError("ResourceNotFoundException", "Resource %s not found." % arn)

    def op_AddTags(self, ctx, p):
        t = self._trail_by_arn(ctx, p.get("ResourceId"))
        tags = dict(t["tags"])
        for tag in p.get("TagsList") or []:
            if not tag.get("Key"):
                raise AwsError("InvalidTagParameterException", "Tag key must not be empty.")
            tags[tag["Key"]] = tag.get("Value", "")
        if len(tags) > 50:
            raise AwsError("TagsLimitExceededException", "The number of tags exceeds 50.")
        t["tags"] = tags
        return {}

    def op_RemoveTags(self, ctx, p):
        t = self._trail_by_arn(ctx, p.get("ResourceId"))
        for tag in p.get("TagsList") or []:
            t["tags"].pop(tag.get("Key"), None)
        return {}

    def op_ListTags(self, ctx, p):
        out = []
        for arn in p.get("ResourceIdList") or []:
            t = self._trail_by_arn(ctx, arn)
            out.append({"ResourceId": arn,
                        "TagsList": [{"Key": k, "Value": v} for k, v in sorted(t["tags"].items())]})
        return {"ResourceTagList": out}

    # ------------------------------------------------------------ LookupEvents
    def op_LookupEvents(self, ctx, p):
        now = self.world.now()
        region = self._region(ctx)
        if not self.bucket.take((ctx.account_id, region), now):
            raise AwsError("ThrottlingException", "Rate exceeded", 400)
        attrs = p.get("LookupAttributes") or []
        if len(attrs) > 1:
            raise AwsError("InvalidLookupAttributesException",
                           "You cannot specify more than one lookup attribute.")
        attr = None
        if attrs:
            a = attrs[0]
            key, value = a.get("AttributeKey"), a.get("AttributeValue")
            if key not in ("EventId", "EventName", "ReadOnly", "Username", "ResourceType",
                           "ResourceName", "EventSource", "AccessKeyId") or \
                    not isinstance(value, str) or value == "":
                raise AwsError("InvalidLookupAttributesException",
                               "Invalid lookup attribute: %s" % key)
            attr = (key, value)
        start, end = p.get("StartTime"), p.get("EndTime")
        for v in (start, end):
            if v is not None and not isinstance(v, (int, float)):
                raise AwsError("InvalidTimeRangeException", "Invalid time range.")
        if start is not None and end is not None and start > end:
            raise AwsError("InvalidTimeRangeException", "Start time must be before end time.")
        category = p.get("EventCategory")
        if category is not None and category != "insight":
            raise AwsError("InvalidEventCategoryException", "Invalid event category.")
        limit = p.get("MaxResults", 50)
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1 or limit > 50:
            raise AwsError("InvalidMaxResultsException",
                           "MaxResults must be between 1 and 50.")
        digest = params_digest(ctx.account_id, region, attr, start, end, category)
        position = None
        if p.get("NextToken") is not None:
            position = decode_token(p["NextToken"], digest)
            if self.token_fault.take(ctx.account_id):
                raise AwsError("InvalidNextTokenException", "Invalid NextToken")
            if not (isinstance(position, list) and len(position) == 2 and
                    all(isinstance(x, (int, float)) and not isinstance(x, bool)
                        for x in position)):
                raise AwsError("InvalidNextTokenException", "Invalid NextToken")
        lo = max(start if start is not None else 0.0, now - HISTORY_DAYS * 86400)
        hi = end if end is not None else now
        if category == "insight":
            return {"Events": []}
        entries = self.history.get((ctx.account_id, region), [])
        keys = self.history_keys.get((ctx.account_id, region), [])
        # newest first: walk backwards from the newest key below the position/time bound
        upper = (hi, float("inf")) if position is None else \
            min((hi, float("inf")), (float(position[0]), float(position[1])))
        idx = bisect.bisect_left(keys, upper) - 1
        out, last = [], None
        for i in range(idx, -1, -1):
            e = entries[i]
            if e.t < lo:
                break
            if e.t > hi:
                continue
            if attr is not None and not _attr_matches(e.rec, attr):
                continue
            if len(out) == limit:
                return {"Events": out, "NextToken": encode_token(digest, list(last))}
            out.append(_event_out(e))
            last = e.key()
        return {"Events": out}

    # ------------------------------------------------------------ records
    def record_api_call(self, ctx, service, operation, params, result, error):
        """Build the record for one handled API call and schedule its delivery.
        Returns the record (None when CloudTrail does not record such calls)."""
        if (service, operation) in UNRECORDED or getattr(ctx, "no_trail", False):
            return None
        if error is not None and getattr(error, "code", "") in (
                "ThrottlingException", "Throttling", "TooManyRequestsException"):
            return None
        rec = self.build_record(ctx, service, operation, params, result, error)
        region = getattr(ctx, "region", None) or self.world.region
        owner = getattr(ctx, "ct_owner_account", None)
        if owner and owner != ctx.account_id:
            # A cross-account call is logged in both accounts, linked by sharedEventID.
            shared = str(uuid.uuid4())
            rec["sharedEventID"] = shared
            other = copy.deepcopy(rec)
            other["recipientAccountId"] = owner
            other["eventID"] = str(uuid.uuid4())
            self.enqueue(other, owner, region, getattr(ctx, "delivery_delay_s", None),
                         jitter_s=getattr(ctx, "out_of_order_s", None))
        self.enqueue(rec, ctx.account_id, region, getattr(ctx, "delivery_delay_s", None),
                     jitter_s=getattr(ctx, "out_of_order_s", None))
        return rec

    def build_record(self, ctx, service, operation, params, result, error):
        source = "%s.amazonaws.com" % service
        read_only = operation.startswith(READ_PREFIXES)
        req = lower_camel(params) if params else None
        if isinstance(req, dict) and not req:
            req = None
        region = getattr(ctx, "region", None) or self.world.region
        rec = {
            "eventVersion": "1.08" if service == "sts" else "1.09",
            "userIdentity": user_identity(ctx),
            "eventTime": iso(ctx.event_time),
            "eventSource": source,
            "eventName": operation,
            "awsRegion": region,
            "sourceIPAddress": getattr(ctx, "source_ip", None) or "127.0.0.1",
            "userAgent": getattr(ctx, "user_agent", None) or "",
        }
        if error is not None:
            code = getattr(error, "code", "InternalError")
            if code in ("AccessDeniedException", "AccessDenied"):
                code = "AccessDenied"
                req = None if service == "secretsmanager" and operation == "GetSecretValue" \
                    and getattr(ctx, "ct_hide_denied_params", False) else req
            rec["errorCode"] = code
            rec["errorMessage"] = getattr(error, "message", str(error))
        rec["requestParameters"] = req
        if error is None and not read_only and isinstance(result, dict) and result:
            rec["responseElements"] = lower_camel(result)
        else:
            rec["responseElements"] = None
        rec["requestID"] = getattr(ctx, "request_id", None) or str(uuid.uuid4())
        rec["eventID"] = str(uuid.uuid4())
        rec["readOnly"] = read_only
        resources = getattr(ctx, "ct_resources", None)
        if resources:
            rec["resources"] = resources
        rec["eventType"] = "AwsApiCall"
        rec["managementEvent"] = True
        rec["recipientAccountId"] = ctx.account_id
        if getattr(ctx, "vpc_endpoint_id", None):
            rec["vpcEndpointId"] = ctx.vpc_endpoint_id
        rec["eventCategory"] = "Management"
        if getattr(ctx, "tls", True):  # AWS endpoints are TLS-only: real records carry it
            rec["tlsDetails"] = {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                                 "clientProvidedHostHeader": "iam.amazonaws.com"
                                 if service == "iam" else "%s.%s.amazonaws.com" %
                                 (service, region)}
        return rec

    def enqueue(self, rec, account, region, delay_s=None, log_delay_s=None, jitter_s=None):
        """Make rec visible in history (and deliver it to trails' log groups) later."""
        now = self.world.now()
        if delay_s is None:
            delay_s = self.default_delay_s
        if log_delay_s is None and delay_s is not None:
            log_delay_s = delay_s
        if delay_s is None:
            delay_s = self.world.delays.get("cloudtrail_delivery", 1.0)
        if log_delay_s is None:
            log_delay_s = max(float(delay_s), self.world.delays.get("logs_delivery", 1.0))
        spread = self.out_of_order_s if jitter_s is None else float(jitter_s)
        jitter = random.uniform(0, spread) if spread > 0 else 0.0
        t = parse_iso(rec.get("eventTime")) if isinstance(rec, dict) else None
        if t is None:
            t = now
        entry = _Entry(t, next(self.seq), rec, account, region)
        self.world.schedule(now + float(delay_s) + jitter, self._make_visible, entry)
        self.world.schedule(now + float(log_delay_s) + jitter, self._deliver_to_trails, entry)
        return entry

    def _make_visible(self, entry):
        k = (entry.account, entry.region)
        keys = self.history_keys.setdefault(k, [])
        entries = self.history.setdefault(k, [])
        i = bisect.bisect_left(keys, entry.key())
        keys.insert(i, entry.key())
        entries.insert(i, entry)
        if len(keys) > MAX_HISTORY:
            del keys[:len(keys) - MAX_HISTORY]
            del entries[:len(entries) - MAX_HISTORY]

    def _deliver_to_trails(self, entry):
        now = self.world.now()
        for t in list(self.trails.values()):
            if t["account"] != entry.account or not t["logging"]:
                continue
            if t["HomeRegion"] != entry.region and not t["IsMultiRegionTrail"]:
                continue
            if not _selected(t, entry.rec):
                continue
            st = t["status"]
            st["LatestDeliveryAttemptTime"] = now
            if self._deliver_to_s3(t, entry, now):
                st["LatestDeliveryTime"] = now
                st["LatestDeliveryAttemptSucceeded"] = iso(now)
                st.pop("LatestDeliveryError", None)
            else:
                st["LatestDeliveryError"] = "NoSuchBucket"
            group_arn = t.get("CloudWatchLogsLogGroupArn")
            if not group_arn or not t.get("CloudWatchLogsRoleArn"):
                continue
            m = re.match(r"arn:aws[\w-]*:logs:([\w-]+):(\d{12}):log-group:([^:]+)", group_arn)
            logs = self.world.service("logs")
            if not m or logs is None or not hasattr(logs, "ingest"):
                continue
            iam = self.world.service("iam")
            usable = getattr(iam, "role_usable", None) if iam is not None else None
            if usable is not None and not usable(t["CloudWatchLogsRoleArn"]):
                st["LatestCloudWatchLogsDeliveryError"] = "AccessDenied"
                continue
            stream = "%s_CloudTrail_%s" % (entry.account, entry.region)
            ok = logs.ingest(m.group(2), m.group(1), m.group(3), stream,
                             int(entry.t * 1000), entry.text)
            if ok:
                st["LatestCloudWatchLogsDeliveryTime"] = now
                st.pop("LatestCloudWatchLogsDeliveryError", None)
                self.delivered += 1
            else:
                st["LatestCloudWatchLogsDeliveryError"] = "ResourceNotFoundException"

    def _deliver_to_s3(self, t, entry, now):
        """Buffer the record for the trail's next CloudTrail log file (gzip
        {"Records": [...]}), written to its bucket by _flush_s3 a few seconds later;
        False when the bucket is gone."""
        s3 = self.world.service("s3")
        if s3 is None or getattr(s3, "put_object", None) is None:
            return True
        if getattr(s3, "bucket", None) is not None and s3.bucket(t["S3BucketName"]) is None:
            return False
        buf = t.setdefault("s3_buffer", [])
        if not buf:
            flush_s = max(S3_FLUSH_S, float(self.world.delays.get("cloudtrail_delivery", 1.0)))
            self.world.schedule(now + flush_s, self._flush_s3, t)
        buf.append(entry)
        return True

    def _flush_s3(self, t):
        buf, t["s3_buffer"] = t.get("s3_buffer") or [], []
        if not buf:
            return
        s3 = self.world.service("s3")
        now = self.world.now()
        stamp = time.gmtime(now)
        first = buf[0]
        key = "%sAWSLogs/%s/CloudTrail/%s/%s/%s_CloudTrail_%s_%s_%s.json.gz" % (
            (t["S3KeyPrefix"].rstrip("/") + "/") if t.get("S3KeyPrefix") else "",
            first.account, first.region, time.strftime("%Y/%m/%d", stamp), first.account,
            first.region, time.strftime("%Y%m%dT%H%MZ", stamp), uuid.uuid4().hex[:16])
        body = gzip.compress(('{"Records":[%s]}' % ",".join(e.text for e in buf)).encode())
        try:
            ok = s3.put_object(t["S3BucketName"], key, body, "application/x-gzip")
        except (AwsError, KeyError, TypeError):
            ok = False
        if ok is False:
            t["status"]["LatestDeliveryError"] = "NoSuchBucket"

    # ------------------------------------------------------------ admin
    def admin(self, action, body):
        """record: {"record": {...} (a CloudTrail record, kept as given), "delivery_delay_s",
        "out_of_order_s", "account_id" (default: its recipientAccountId when that account
        exists here, else the first account), "region"} -> {"eventID", "account_id",
        "region", "event_time"}. Records older than 90 days stay out of LookupEvents but
        are still delivered to logging trails' log groups.
        config: {"out_of_order_s", "delivery_delay_s" (null: world delays)} -> settings.
        tokens: {"invalidate": N, "account"} -> the next N LookupEvents requests with a
        NextToken get InvalidNextTokenException (TokenFault.admin)."""
        body = body or {}
        if action == "record":
            rec = body.get("record")
            if isinstance(rec, str):
                try:
                    rec = json.loads(rec)
                except ValueError:
                    raise AwsError("ValidationException", "record is not JSON")
            if not isinstance(rec, dict):
                raise AwsError("ValidationException", "record must be a JSON object")
            known = self.world.account_ids()
            acct = body.get("account_id") or rec.get("recipientAccountId")
            if acct not in known:
                acct = known[0]
            region = body.get("region") or self.world.region
            delay = body.get("delivery_delay_s")
            if delay is not None and not isinstance(delay, (int, float)):
                raise AwsError("ValidationException", "delivery_delay_s must be a number")
            jitter = body.get("out_of_order_s")
            if jitter is not None and not isinstance(jitter, (int, float)):
                raise AwsError("ValidationException", "out_of_order_s must be a number")
            entry = self.enqueue(copy.deepcopy(rec), acct, region, delay, None, jitter)
            return {"eventID": rec.get("eventID"), "account_id": acct, "region": region,
                    "event_time": entry.t}
        if action == "config":
            if "out_of_order_s" in body:
                self.out_of_order_s = float(body["out_of_order_s"] or 0)
            if "delivery_delay_s" in body:
                d = body["delivery_delay_s"]
                self.default_delay_s = None if d is None else float(d)
            return {"out_of_order_s": self.out_of_order_s,
                    "delivery_delay_s": self.default_delay_s}
        if action == "tokens":
            return self.token_fault.admin(body)
        raise AwsError("ValidationException", "unknown cloudtrail admin action %s" % action)


def _selected(trail, rec):
    """Whether a trail's event selectors deliver this (management) record."""
    if trail.get("advanced") is not None:
        return any(_advanced_matches(sel, rec) for sel in trail["advanced"])
    read_only = rec.get("readOnly")
    for sel in trail.get("selectors") or []:
        if not sel.get("IncludeManagementEvents", True):
            continue
        if rec.get("eventSource") in (sel.get("ExcludeManagementEventSources") or []):
            continue
        rw = sel.get("ReadWriteType", "All")
        if rw == "All" or (rw == "ReadOnly" and read_only is True) or \
                (rw == "WriteOnly" and read_only is not True):
            return True
    return False


def _advanced_matches(sel, rec):
    """An advanced event selector: every field selector must hold; a selector without
    eventCategory = Management selects data events only (none are modelled)."""
    fields = {"eventCategory": "Management", "readOnly": str(rec.get("readOnly")).lower(),
              "eventSource": rec.get("eventSource"), "eventName": rec.get("eventName"),
              "eventType": rec.get("eventType")}
    management = False
    for f in sel.get("FieldSelectors") or []:
        name = f.get("Field")
        if name not in fields:
            continue
        value = fields[name] or ""
        if name == "eventCategory" and "Management" in (f.get("Equals") or []):
            management = True
        if f.get("Equals") and value not in f["Equals"]:
            return False
        if f.get("NotEquals") and value in f["NotEquals"]:
            return False
        if f.get("StartsWith") and not any(value.startswith(x) for x in f["StartsWith"]):
            return False
        if f.get("NotStartsWith") and any(value.startswith(x) for x in f["NotStartsWith"]):
            return False
        if f.get("EndsWith") and not any(value.endswith(x) for x in f["EndsWith"]):
            return False
        if f.get("NotEndsWith") and any(value.endswith(x) for x in f["NotEndsWith"]):
            return False
    return management


def _attr_matches(rec, attr):
    key, value = attr
    if key == "EventId":
        return rec.get("eventID") == value
    if key == "EventName":
        return rec.get("eventName") == value
    if key == "EventSource":
        return rec.get("eventSource") == value
    if key == "ReadOnly":
        return str(rec.get("readOnly")).lower() == value.lower()
    if key == "Username":
        return _username(rec) == value
    if key == "AccessKeyId":
        ui = rec.get("userIdentity")
        return isinstance(ui, dict) and ui.get("accessKeyId") == value
    res = rec.get("resources") if isinstance(rec.get("resources"), list) else []
    if key == "ResourceType":
        return any(isinstance(r, dict) and r.get("type") == value for r in res)
    if key == "ResourceName":
        return any(isinstance(r, dict) and r.get("ARN") == value for r in res)
    return False


def _event_out(entry):
    rec = entry.rec
    ev = {"EventId": rec.get("eventID"), "EventName": rec.get("eventName"),
          "ReadOnly": str(rec.get("readOnly", "")).lower() if rec.get("readOnly") is not None
          else None,
          "EventTime": entry.t, "EventSource": rec.get("eventSource"),
          "CloudTrailEvent": entry.text}
    ui = rec.get("userIdentity")
    if isinstance(ui, dict) and ui.get("accessKeyId"):
        ev["AccessKeyId"] = ui["accessKeyId"]
    user = _username(rec)
    if user:
        ev["Username"] = user
    ev["Resources"] = [{"ResourceType": r.get("type"), "ResourceName": r.get("ARN")}
                       for r in (rec.get("resources") if isinstance(rec.get("resources"), list)
                                 else []) if isinstance(r, dict)]
    return {k: v for k, v in ev.items() if v is not None}


def _as_list(v):
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def _policy_lets_cloudtrail_write(policy, bucket, prefix, account):
    """True when a bucket policy grants cloudtrail.amazonaws.com s3:GetBucketAcl on the
    bucket and s3:PutObject on <bucket>/[prefix/]AWSLogs/<account>/*."""
    if not policy:
        return False
    try:
        doc = json.loads(policy) if isinstance(policy, str) else policy
    except ValueError:
        return False
    if not isinstance(doc, dict):
        return False
    key = "%sAWSLogs/%s/x" % ((prefix.rstrip("/") + "/") if prefix else "", account)
    want = {"s3:GetBucketAcl": "arn:aws:s3:::%s" % bucket,
            "s3:PutObject": "arn:aws:s3:::%s/%s" % (bucket, key)}
    granted = set()
    for st in _as_list(doc.get("Statement")):
        if not isinstance(st, dict) or st.get("Effect") != "Allow":
            continue
        pr = st.get("Principal")
        services = _as_list(pr.get("Service")) if isinstance(pr, dict) else \
            (["*"] if pr == "*" else [])
        if "cloudtrail.amazonaws.com" not in services and "*" not in services:
            continue
        actions = [a.lower() for a in _as_list(st.get("Action")) if isinstance(a, str)]
        for action, resource in want.items():
            if not any(a in (action.lower(), "s3:*", "*") for a in actions):
                continue
            for r in _as_list(st.get("Resource")):
                if isinstance(r, str) and re.fullmatch(
                        ".*".join(re.escape(x) for x in r.split("*")), resource):
                    granted.add(action)
    return len(granted) == len(want)
