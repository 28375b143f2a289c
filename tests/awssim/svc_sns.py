"""SNS: CreateTopic, GetTopicAttributes, SetTopicAttributes, ListTopics,
Subscribe (email stays "pending confirmation" until POST /_awssim/confirm),
ConfirmSubscription, ListSubscriptionsByTopic, ListSubscriptions, Publish,
Unsubscribe, DeleteTopic, TagResource, UntagResource, ListTagsForResource.

Deliveries to confirmed email / email-json subscriptions are appended to the
world's mail spool: one message per notification, the body being the
message itself (for alarms: the real SNS alarm JSON)."""

import json
import re
import uuid

from errors import AwsError
from world import OpDispatch

SIGNING_NAME = "sns"

PROTOCOLS = ("http", "https", "email", "email-json", "sms", "sqs", "application", "lambda",
             "firehose")
_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_FIFO_RE = re.compile(r"^[A-Za-z0-9_-]{1,251}\.fifo$")
SETTABLE = ("Policy", "DisplayName", "DeliveryPolicy", "KmsMasterKeyId", "TracingConfig",
            "SignatureVersion", "ContentBasedDeduplication", "DataProtectionPolicy",
            "HTTPSuccessFeedbackRoleArn", "HTTPFailureFeedbackRoleArn")
MAX_MESSAGE = 262144


def _bad(what):
    return AwsError("InvalidParameter", "Invalid parameter: %s" % what, 400)


def _not_found(what="Topic does not exist"):
    return AwsError("NotFound", what, 404)


def default_policy(arn, acct):
    return json.dumps({
        "Version": "2008-10-17", "Id": "__default_policy_ID",
        "Statement": [{
            "Sid": "__default_statement_ID", "Effect": "Allow", "Principal": {"AWS": "*"},
            "Action": ["SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission",
                       "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe",
                       "SNS:ListSubscriptionsByTopic", "SNS:Publish"],
            "Resource": arn, "Condition": {"StringEquals": {"AWS:SourceOwner": acct}}}]},
        separators=(",", ":"))


class Service(OpDispatch):
    def __init__(self, world):
        self.world = world
        self.reset()

    def reset(self):
        self.topics = {}   # arn -> topic dict
        self.subs = {}     # subscription arn -> dict

    # --- helpers ----------------------------------------------------------------------
    def _topic(self, ctx, arn):
        parts = (arn or "").split(":")
        if len(parts) != 6 or parts[0] != "arn" or parts[2] != "sns":
            raise _bad("TopicArn")
        t = self.topics.get(arn)
        if t is None:
            raise _not_found()
        if t["account"] != ctx.account_id and not self._policy_allows(t, ctx):
            raise AwsError("AuthorizationError", "User: %s is not authorized to perform: "
                           "SNS:%s on resource: %s because no resource-based policy allows the "
                           "SNS:%s action" % (ctx.principal_arn, ctx.operation, arn,
                                              ctx.operation), 403)
        return t

    @staticmethod
    def _policy_allows(topic, ctx):
        try:
            pol = json.loads(topic["attrs"]["Policy"])
        except (ValueError, KeyError):
            return False
        for st in pol.get("Statement", []):
            if st.get("Effect") != "Allow":
                continue
            pr = st.get("Principal")
            aws = pr.get("AWS") if isinstance(pr, dict) else pr
            aws = [aws] if isinstance(aws, str) else (aws or [])
            cond = st.get("Condition") or {}
            if "*" in aws and cond:
                continue   # the default policy only admits the owner
            if "*" in aws or ctx.account_id in aws or \
                    "arn:aws:iam::%s:root" % ctx.account_id in aws or ctx.principal_arn in aws:
                return True
        return False

    def _counts(self, t):
        confirmed = pending = 0
        for s in self.subs.values():
            if s["TopicArn"] == t["arn"]:
                if s["confirmed"]:
                    confirmed += 1
                else:
                    pending += 1
        return confirmed, pending

    # --- cross-service interface --------------------------------------------------------
    def publish(self, topic_arn, subject, message, attributes=None):
        """Publish from inside the world (CloudWatch alarm actions); returns the
        MessageId or None when the topic does not exist."""
        t = self.topics.get(topic_arn)
        if t is None:
            return None
        mid = str(uuid.uuid4())
        delay = float(self.world.delays.get("sns_delivery", 0.0))
        targets = [s for s in self.subs.values()
                   if s["TopicArn"] == topic_arn and s["confirmed"] and
                   s["Protocol"] in ("email", "email-json")]
        for s in targets:
            if delay <= 0:
                self._deliver(s, t, mid, subject, message)
            else:
                self.world.schedule(self.world.now() + delay, self._deliver, s, t, mid, subject,
                                    message)
        t["published"] += 1
        return mid

    def _deliver(self, sub, topic, mid, subject, message):
        if sub["SubscriptionArn"] not in self.subs:
            return
        subj = subject or "AWS Notification Message"
        if sub["Protocol"] == "email-json":
            body = json.dumps({"Type": "Notification", "MessageId": mid,
                               "TopicArn": topic["arn"], "Subject": subject, "Message": message,
                               "Timestamp": _iso(self.world.now()), "SignatureVersion": "1",
                               "UnsubscribeURL": "https://sns.%s.amazonaws.com/?Action="
                               "Unsubscribe&SubscriptionArn=%s" % (topic["region"],
                                                                   sub["SubscriptionArn"])},
                              indent=2)
        else:
            body = message
        self.world.append_mail(sub["Endpoint"], subj, body)

    def confirm(self, email, topic_arn=None):
        """Confirm pending subscriptions of an endpoint; returns their ARNs."""
        done = []
        for s in self.subs.values():
            if s["Endpoint"] == email and not s["confirmed"] and \
                    (topic_arn is None or s["TopicArn"] == topic_arn):
                s["confirmed"] = True
                done.append(s["SubscriptionArn"])
        return done

    def admin(self, action, body):
        """confirm: {"email", "topic_arn" (optional)} -> {"confirmed": [arn...]}."""
        if action == "confirm":
            if not body.get("email"):
                raise ValueError("email is required")
            return {"confirmed": self.confirm(body["email"], body.get("topic_arn"))}
        if action == "subscriptions":
            # Includes each confirmation token (for ConfirmSubscription).
            return {"subscriptions": [dict(self._sub_public(s), Token=s["token"],
                                           PendingConfirmation=not s["confirmed"])
                                      for s in self.subs.values()]}
        raise ValueError("unknown sns admin action %s" % action)

    # --- operations ------------------------------------------------------------------------
    def op_CreateTopic(self, ctx, p):
        name = p["Name"]
        attrs = dict(p.get("Attributes") or {})
        fifo = attrs.get("FifoTopic", "false").lower() == "true"
        if not (_FIFO_RE.match(name) if fifo else _NAME_RE.match(name)):
            raise _bad("Topic Name")
        if name.endswith(".fifo") and not fifo:
            raise _bad("Topic Name")
        for k in attrs:
            if k not in SETTABLE and k != "FifoTopic":
                raise _bad("Attributes Reason: Unknown attribute %s" % k)
        arn = "arn:aws:sns:%s:%s:%s" % (ctx.region, ctx.account_id, name)
        t = self.topics.get(arn)
        if t is not None:
            for k, v in attrs.items():
                if k != "Policy" and t["attrs"].get(k) != v:
                    raise _bad("Attributes Reason: Topic already exists with different "
                               "attributes")
            return {"TopicArn": arn}
        t = {"arn": arn, "name": name, "account": ctx.account_id, "region": ctx.region,
             "attrs": {"Policy": default_policy(arn, ctx.account_id), "DisplayName": ""},
             "tags": {}, "published": 0}
        t["attrs"].update(attrs)
        if "Policy" in attrs:
            self._check_policy(attrs["Policy"])
        for tag in p.get("Tags") or []:
            t["tags"][tag["Key"]] = tag["Value"]
        self.topics[arn] = t
        return {"TopicArn": arn}

    @staticmethod
    def _check_policy(doc):
        try:
            d = json.loads(doc)
            if not isinstance(d, dict) or "Statement" not in d:
                raise ValueError
        except ValueError:
            raise _bad("Policy Error: null")

    def op_GetTopicAttributes(self, ctx, p):
        t = self._topic(ctx, p["TopicArn"])
        confirmed, pending = self._counts(t)
        attrs = {
            "TopicArn": t["arn"], "Owner": t["account"], "SubscriptionsConfirmed": str(confirmed),
            "SubscriptionsPending": str(pending), "SubscriptionsDeleted": "0",
            "EffectiveDeliveryPolicy": json.dumps({"http": {"defaultHealthyRetryPolicy": {
                "minDelayTarget": 20, "maxDelayTarget": 20, "numRetries": 3,
                "numMaxDelayRetries": 0, "numNoDelayRetries": 0, "numMinDelayRetries": 0,
                "backoffFunction": "linear"}, "disableSubscriptionOverrides": False}},
                separators=(",", ":")),
        }
        attrs.update(t["attrs"])
        return {"Attributes": attrs}

    def op_SetTopicAttributes(self, ctx, p):
        t = self._topic(ctx, p["TopicArn"])
        name = p["AttributeName"]
        if name not in SETTABLE:
            raise _bad("AttributeName")
        val = p.get("AttributeValue", "")
        if name == "Policy":
            self._check_policy(val)
        t["attrs"][name] = val
        return {}

    def op_ListTopics(self, ctx, p):
        return {"Topics": [{"TopicArn": a} for a, t in sorted(self.topics.items())
                           if t["account"] == ctx.account_id]}

    def op_DeleteTopic(self, ctx, p):
        arn = p["TopicArn"]
        if arn in self.topics:
            self._topic(ctx, arn)
            del self.topics[arn]
            for k in [k for k, s in self.subs.items() if s["TopicArn"] == arn]:
                del self.subs[k]
        return {}

    def op_Subscribe(self, ctx, p):
        t = self._topic(ctx, p["TopicArn"])
        proto = p["Protocol"]
        if proto not in PROTOCOLS:
            raise _bad("Amazon SNS does not support this protocol string: %s" % proto)
        ep = p.get("Endpoint")
        if proto in ("email", "email-json"):
            if not ep or not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", ep):
                raise _bad("Email address")
        elif not ep:
            raise _bad("Endpoint")
        for s in self.subs.values():
            if s["TopicArn"] == t["arn"] and s["Protocol"] == proto and s["Endpoint"] == ep:
                if s["confirmed"] or p.get("ReturnSubscriptionArn"):
                    return {"SubscriptionArn": s["SubscriptionArn"]}
                return {"SubscriptionArn": "pending confirmation"}
        arn = "%s:%s" % (t["arn"], uuid.uuid4())
        # Only http(s), email and email-json need confirming; the rest are live at once.
        confirmed = proto not in ("http", "https", "email", "email-json")
        self.subs[arn] = {"SubscriptionArn": arn, "TopicArn": t["arn"], "Protocol": proto,
                          "Endpoint": ep, "Owner": ctx.account_id, "confirmed": confirmed,
                          "attrs": dict(p.get("Attributes") or {}),
                          "token": uuid.uuid4().hex + uuid.uuid4().hex}
        if confirmed or p.get("ReturnSubscriptionArn"):
            return {"SubscriptionArn": arn}
        return {"SubscriptionArn": "pending confirmation"}

    def op_ConfirmSubscription(self, ctx, p):
        t = self._topic(ctx, p["TopicArn"])
        for s in self.subs.values():
            if s["TopicArn"] == t["arn"] and s.get("token") == p["Token"]:
                s["confirmed"] = True
                return {"SubscriptionArn": s["SubscriptionArn"]}
        raise _bad("Token")

    @staticmethod
    def _sub_public(s):
        return {"SubscriptionArn": s["SubscriptionArn"] if s["confirmed"]
                else "PendingConfirmation", "Owner": s["Owner"], "Protocol": s["Protocol"],
                "Endpoint": s["Endpoint"], "TopicArn": s["TopicArn"]}

    def op_ListSubscriptionsByTopic(self, ctx, p):
        t = self._topic(ctx, p["TopicArn"])
        return {"Subscriptions": [self._sub_public(s) for s in self.subs.values()
                                  if s["TopicArn"] == t["arn"]]}

    def op_ListSubscriptions(self, ctx, p):
        return {"Subscriptions": [self._sub_public(s) for s in self.subs.values()
                                  if s["Owner"] == ctx.account_id]}

    def op_GetSubscriptionAttributes(self, ctx, p):
        s = self.subs.get(p["SubscriptionArn"])
        if s is None:
            raise _not_found("Subscription does not exist")
        attrs = {"SubscriptionArn": s["SubscriptionArn"], "TopicArn": s["TopicArn"],
                 "Protocol": s["Protocol"], "Endpoint": s["Endpoint"], "Owner": s["Owner"],
                 "PendingConfirmation": "false" if s["confirmed"] else "true",
                 "ConfirmationWasAuthenticated": "true" if s["confirmed"] else "false",
                 "RawMessageDelivery": "false"}
        attrs.update(s["attrs"])
        return {"Attributes": attrs}

    def op_Unsubscribe(self, ctx, p):
        arn = p["SubscriptionArn"]
        s = self.subs.get(arn)
        if s is None:
            if arn.count(":") < 6:
                raise _bad("SubscriptionArn")
            raise _not_found("Subscription does not exist")
        del self.subs[arn]
        return {}

    def op_Publish(self, ctx, p):
        arn = p.get("TopicArn") or p.get("TargetArn")
        if not arn:
            if p.get("PhoneNumber"):
                return {"MessageId": str(uuid.uuid4())}
            raise _bad("TopicArn or TargetArn Reason: no value for required parameter")
        t = self._topic(ctx, arn)
        msg = p["Message"]
        if not msg:
            raise _bad("Empty message")
        if len(msg.encode()) > MAX_MESSAGE:
            raise _bad("Message too long")
        subj = p.get("Subject")
        if subj is not None and (len(subj) > 100 or not subj.strip() or
                                 any(ord(c) < 32 for c in subj)):
            raise _bad("Subject")
        if p.get("MessageStructure") is not None:
            if p["MessageStructure"] != "json":
                raise _bad("MessageStructure")
            try:
                per = json.loads(msg)
            except ValueError:
                raise _bad("Message Structure - JSON message body failed to parse")
            if not isinstance(per, dict) or not isinstance(per.get("default"), str):
                raise _bad("Message Structure - No default entry in JSON message body")
            # Email subscribers get the "email" entry when there is one.
            msg = per.get("email", per["default"])
        return {"MessageId": self.publish(t["arn"], subj, msg)}

    def _tag_topic(self, ctx, arn):
        t = self.topics.get(arn)
        if t is None or t["account"] != ctx.account_id:
            raise AwsError("ResourceNotFound", "Resource does not exist", 404)
        return t

    def op_TagResource(self, ctx, p):
        t = self._tag_topic(ctx, p["ResourceArn"])
        for tag in p["Tags"]:
            t["tags"][tag["Key"]] = tag["Value"]
        if len(t["tags"]) > 50:
            raise AwsError("TagLimitExceeded", "Could not complete request: tag quota of per "
                           "resource exceeded", 400)
        return {}

    def op_UntagResource(self, ctx, p):
        t = self._tag_topic(ctx, p["ResourceArn"])
        for k in p["TagKeys"]:
            t["tags"].pop(k, None)
        return {}

    def op_ListTagsForResource(self, ctx, p):
        t = self._tag_topic(ctx, p["ResourceArn"])
        return {"Tags": [{"Key": k, "Value": v} for k, v in t["tags"].items()]}


def _iso(t):
    import time
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(t))
