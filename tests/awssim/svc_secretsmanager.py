"""Secrets Manager: secrets, values, tags, a simple per-secret resource policy, and the
admin `read` action (reads recorded as if a principal had called GetSecretValue).

SecretId may be a name, a full ARN or a partial ARN (the ARN without the "-XXXXXX"
suffix). CloudTrail records are written by the server (world.record_api_call) for every
call; this module attaches `resources` through ctx.ct_resources when the secret resolved,
and writes one GetSecretValue record per secret that BatchGetSecretValue returns."""

import copy
import json
import random
import re
import string
import uuid

from errors import AwsError

SIGNING_NAME = "secretsmanager"

NAME_RE = re.compile(r"[A-Za-z0-9/_+=.@-]{1,512}")
SUFFIX_CHARS = string.ascii_letters + string.digits

# BatchGetSecretValue (2023) is newer than Debian's botocore 1.29: its shapes, written
# from the Secrets Manager API reference, are merged into the model the server uses.
MODEL_PATCH = {
    "operations": {
        "BatchGetSecretValue": {
            "name": "BatchGetSecretValue",
            "http": {"method": "POST", "requestUri": "/"},
            "input": {"shape": "BatchGetSecretValueRequest"},
            "output": {"shape": "BatchGetSecretValueResponse"},
            "errors": [{"shape": "ResourceNotFoundException"},
                       {"shape": "InvalidParameterException"},
                       {"shape": "InvalidRequestException"},
                       {"shape": "DecryptionFailure"},
                       {"shape": "InternalServiceError"},
                       {"shape": "InvalidNextTokenException"}],
        },
    },
    "shapes": {
        "BatchGetSecretValueRequest": {"type": "structure", "members": {
            "SecretIdList": {"shape": "SecretIdListType"},
            "Filters": {"shape": "FiltersListType"},
            "MaxResults": {"shape": "MaxResultsBatchType", "box": True},
            "NextToken": {"shape": "NextTokenType"}}},
        "BatchGetSecretValueResponse": {"type": "structure", "members": {
            "SecretValues": {"shape": "SecretValuesType"},
            "NextToken": {"shape": "NextTokenType"},
            "Errors": {"shape": "APIErrorListType"}}},
        "SecretIdListType": {"type": "list", "member": {"shape": "SecretIdType"},
                             "min": 1, "max": 20},
        "MaxResultsBatchType": {"type": "integer", "min": 1, "max": 20},
        "SecretValuesType": {"type": "list", "member": {"shape": "SecretValueEntry"}},
        "SecretValueEntry": {"type": "structure", "members": {
            "ARN": {"shape": "SecretARNType"},
            "Name": {"shape": "SecretNameType"},
            "VersionId": {"shape": "SecretVersionIdType"},
            "SecretBinary": {"shape": "SecretBinaryType"},
            "SecretString": {"shape": "SecretStringType"},
            "VersionStages": {"shape": "SecretVersionStagesType"},
            "CreatedDate": {"shape": "CreatedDateType", "box": True}}},
        "APIErrorListType": {"type": "list", "member": {"shape": "APIErrorType"}},
        "APIErrorType": {"type": "structure", "members": {
            "SecretId": {"shape": "SecretIdType"},
            "ErrorCode": {"shape": "ErrorCode"},
            "Message": {"shape": "ErrorMessage"}}},
        "ErrorCode": {"type": "string"},
    },
}




def _not_found(what="secret"):
    return AwsError("ResourceNotFoundException", "Secrets Manager can't find the specified %s."
                    % what)


def _as_list(v):
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


class Secret:
    def __init__(self, account, region, name, now):
        suffix = "".join(random.choice(SUFFIX_CHARS) for _ in range(6))
        self.account, self.region, self.name = account, region, name
        self.arn = "arn:aws:secretsmanager:%s:%s:secret:%s-%s" % (region, account, name, suffix)
        self.description = None
        self.kms_key_id = None
        self.tags = []              # list of {"Key","Value"} (order kept)
        self.created = now
        self.last_changed = now
        self.last_accessed = None
        self.deleted = None         # DeletedDate when scheduled for deletion
        self.deletion_date = None
        self.versions = {}          # version id -> {"string", "binary", "stages", "created"}
        self.policy = None          # resource policy JSON text

    def version_for(self, version_id=None, stage=None):
        if version_id is not None:
            v = self.versions.get(version_id)
            if v is None or (stage is not None and stage not in v["stages"]):
                raise AwsError("ResourceNotFoundException",
                               "Secrets Manager can't find the specified secret value for "
                               "VersionId: %s" % version_id)
            return version_id, v
        stage = stage or "AWSCURRENT"
        for vid, v in self.versions.items():
            if stage in v["stages"]:
                return vid, v
        raise AwsError("ResourceNotFoundException",
                       "Secrets Manager can't find the specified secret value for staging "
                       "label: %s" % stage)

    def put_version(self, vid, secret_string, secret_binary, now, stages=None):
        stages = list(stages or ["AWSCURRENT"])
        if "AWSCURRENT" in stages:
            for ov in self.versions.values():
                if "AWSPREVIOUS" in ov["stages"]:
                    ov["stages"].remove("AWSPREVIOUS")
            for ov in self.versions.values():
                if "AWSCURRENT" in ov["stages"]:
                    ov["stages"].remove("AWSCURRENT")
                    ov["stages"].append("AWSPREVIOUS")
        self.versions[vid] = {"string": secret_string, "binary": secret_binary,
                              "stages": stages, "created": now}
        # versions without stages are deprecated; keep the map bounded
        for k in [k for k, v in self.versions.items() if not v["stages"]][:-90]:
            del self.versions[k]
        self.last_changed = now


class Service:
    def __init__(self, world):
        self.world = world
        self.reset()

    def reset(self):
        self.secrets = {}   # (account, region) -> {name: Secret}

    def _store(self, account, region):
        return self.secrets.setdefault((account, region), {})

    def _region(self, ctx):
        return getattr(ctx, "region", None) or self.world.region

    # ------------------------------------------------------------ resolution
    def resolve(self, ctx, secret_id):
        """The Secret named by name, full ARN or partial ARN; AwsError when absent."""
        if not isinstance(secret_id, str) or secret_id == "" or len(secret_id) > 2048:
            raise AwsError("InvalidParameterException",
                           "Invalid secret id: it must be a name or an ARN.")
        if secret_id.startswith("arn:"):
            parts = secret_id.split(":", 6)
            if len(parts) != 7 or parts[2] != "secretsmanager" or parts[5] != "secret":
                raise AwsError("ValidationException", "Invalid ARN %s" % secret_id)
            account, region = parts[4], parts[3]
            store = self.secrets.get((account, region), {})
            for s in store.values():
                if s.arn == secret_id or s.arn[:-7] == secret_id:
                    return s
            raise _not_found()
        s = self._store(ctx.account_id, self._region(ctx)).get(secret_id)
        if s is None:
            raise _not_found()
        return s

    def _authorize(self, ctx, secret, action):
        """The per-secret resource policy: an explicit Deny for the caller refuses.
        Callers from another account need an explicit Allow."""
        denied, allowed = False, False
        if secret.policy:
            try:
                doc = json.loads(secret.policy)
            except ValueError:
                doc = {}
            for st in _as_list(doc.get("Statement") if isinstance(doc, dict) else None):
                if not isinstance(st, dict) or not _principal_matches(st.get("Principal"), ctx):
                    continue
                if not _action_matches(st.get("Action"), action):
                    continue
                if st.get("Effect") == "Deny":
                    denied = True
                elif st.get("Effect") == "Allow":
                    allowed = True
        if denied:
            raise AwsError("AccessDeniedException",
                           "User: %s is not authorized to perform: %s on resource: %s with "
                           "an explicit deny in a resource-based policy"
                           % (ctx.principal_arn, action, secret.arn))
        if secret.account != ctx.account_id and not allowed:
            raise AwsError("AccessDeniedException",
                           "User: %s is not authorized to perform: %s on resource: %s "
                           "because no resource-based policy allows the %s action"
                           % (ctx.principal_arn, action, secret.arn, action))

    @staticmethod
    def _resources(ctx, secret):
        ctx.ct_resources = [{"accountId": secret.account, "type": "AWS::SecretsManager::Secret",
                             "ARN": secret.arn}]
        ctx.ct_owner_account = secret.account

    def _get(self, ctx, secret_id, action, allow_deleted=True):
        s = self.resolve(ctx, secret_id)
        self._resources(ctx, s)
        self._authorize(ctx, s, action)
        if s.deleted is not None and not allow_deleted:
            raise AwsError("InvalidRequestException",
                           "You can't perform this operation on the secret because it was "
                           "marked for deletion.")
        return s

    # ------------------------------------------------------------ API
    def handle(self, ctx, operation, params):
        fn = getattr(self, "op_" + operation, None)
        if fn is None:
            raise AwsError("InvalidRequestException",
                           "awssim does not model Secrets Manager %s" % operation)
        try:
            return fn(ctx, params or {})
        except (TypeError, KeyError, AttributeError, ValueError, IndexError) as e:
            # input the model allows but the handler cannot use: refuse, never crash
            raise AwsError("InvalidParameterException", "Invalid request parameters for %s: %s"
                           % (operation, type(e).__name__))

    def op_CreateSecret(self, ctx, p):
        name = p.get("Name")
        if not isinstance(name, str) or not NAME_RE.fullmatch(name):
            raise AwsError("InvalidParameterException",
                           "Invalid name. Must be a valid name containing alphanumeric "
                           "characters, or any of the following: -/_+=.@!")
        if p.get("SecretString") is not None and p.get("SecretBinary") is not None:
            raise AwsError("InvalidParameterException",
                           "You can't specify both a binary secret value and a string secret "
                           "value in the same secret.")
        store = self._store(ctx.account_id, self._region(ctx))
        if name in store:
            if store[name].deleted is not None:
                raise AwsError("InvalidRequestException",
                               "You can't create this secret because a secret with this name "
                               "is already scheduled for deletion.")
            raise AwsError("ResourceExistsException",
                           "The operation failed because the secret %s already exists." % name)
        now = self.world.now()
        s = Secret(ctx.account_id, self._region(ctx), name, now)
        s.description = p.get("Description")
        s.kms_key_id = p.get("KmsKeyId")
        s.tags = [{"Key": t.get("Key"), "Value": t.get("Value", "")} for t in p.get("Tags") or []]
        out = {"ARN": s.arn, "Name": name}
        if p.get("SecretString") is not None or p.get("SecretBinary") is not None:
            vid = p.get("ClientRequestToken") or str(uuid.uuid4())
            s.put_version(vid, p.get("SecretString"), p.get("SecretBinary"), now)
            out["VersionId"] = vid
        store[name] = s
        self._resources(ctx, s)
        return out

    def op_PutSecretValue(self, ctx, p):
        s = self._get(ctx, p.get("SecretId"), "secretsmanager:PutSecretValue", False)
        if (p.get("SecretString") is None) == (p.get("SecretBinary") is None):
            raise AwsError("InvalidParameterException",
                           "You must provide either SecretString or SecretBinary.")
        vid = p.get("ClientRequestToken") or str(uuid.uuid4())
        s.put_version(vid, p.get("SecretString"), p.get("SecretBinary"), self.world.now(),
                      p.get("VersionStages"))
        return {"ARN": s.arn, "Name": s.name, "VersionId": vid,
                "VersionStages": list(s.versions[vid]["stages"])}

    def op_UpdateSecret(self, ctx, p):
        s = self._get(ctx, p.get("SecretId"), "secretsmanager:UpdateSecret", False)
        if p.get("SecretString") is not None and p.get("SecretBinary") is not None:
            raise AwsError("InvalidParameterException",
                           "You can't specify both a binary secret value and a string secret "
                           "value in the same secret.")
        if p.get("Description") is not None:
            s.description = p["Description"]
        if p.get("KmsKeyId") is not None:
            s.kms_key_id = p["KmsKeyId"]
        s.last_changed = self.world.now()
        out = {"ARN": s.arn, "Name": s.name}
        if p.get("SecretString") is not None or p.get("SecretBinary") is not None:
            vid = p.get("ClientRequestToken") or str(uuid.uuid4())
            s.put_version(vid, p.get("SecretString"), p.get("SecretBinary"), self.world.now())
            out["VersionId"] = vid
        return out

    def _value_out(self, s, vid, v):
        out = {"ARN": s.arn, "Name": s.name, "VersionId": vid,
               "VersionStages": list(v["stages"]), "CreatedDate": v["created"]}
        if v["string"] is not None:
            out["SecretString"] = v["string"]
        if v["binary"] is not None:
            out["SecretBinary"] = v["binary"]
        return out

    def op_GetSecretValue(self, ctx, p):
        if getattr(ctx, "force_denied", False):
            # admin read with "denied": an identity policy refuses before the secret is
            # even looked at; resources are still shown when the id resolves
            try:
                self._resources(ctx, self.resolve(ctx, p.get("SecretId")))
            except AwsError:
                pass
            raise AwsError("AccessDeniedException",
                           "User: %s is not authorized to perform: secretsmanager:GetSecretValue"
                           " on resource: %s because no identity-based policy allows the "
                           "secretsmanager:GetSecretValue action"
                           % (ctx.principal_arn, p.get("SecretId")))
        s = self._get(ctx, p.get("SecretId"), "secretsmanager:GetSecretValue", False)
        vid, v = s.version_for(p.get("VersionId"), p.get("VersionStage"))
        s.last_accessed = float(int(self.world.now() // 86400) * 86400)
        return self._value_out(s, vid, v)

    def op_BatchGetSecretValue(self, ctx, p):
        ids, filters = p.get("SecretIdList"), p.get("Filters")
        if (ids is None) == (filters is None):
            raise AwsError("InvalidParameterException",
                           "Either SecretIdList or Filters must be provided, but not both.")
        max_results = p.get("MaxResults")
        if max_results is not None:
            if ids is not None:
                raise AwsError("InvalidParameterException",
                               "MaxResults can only be used with Filters.")
            if not isinstance(max_results, int) or not 1 <= max_results <= 20:
                raise AwsError("InvalidParameterException",
                               "MaxResults must be between 1 and 20.")
        values, errors, token = [], [], None
        if ids is not None:
            if not isinstance(ids, list) or not 1 <= len(ids) <= 20:
                raise AwsError("InvalidParameterException",
                               "SecretIdList must contain between 1 and 20 secret ids.")
            candidates = []
            for sid in ids:
                try:
                    candidates.append((sid, self.resolve(ctx, sid)))
                except AwsError as e:
                    errors.append({"SecretId": sid, "ErrorCode": e.code, "Message": e.message})
        else:
            matching = self._filtered(ctx, filters)
            start = self._token_pos(ctx, p.get("NextToken"), ("batch", filters))
            n = max_results or 20
            page = matching[start:start + n]
            if start + n < len(matching):
                token = self._token(ctx, ("batch", filters), start + n)
            candidates = [(s.arn, s) for s in page]
        ct = self.world.service("cloudtrail")
        for sid, s in candidates:
            sub = copy.copy(ctx)
            sub.ct_resources = sub.ct_owner_account = None
            sub.request_id = str(uuid.uuid4())
            try:
                self._authorize(sub, s, "secretsmanager:GetSecretValue")
                if s.deleted is not None:
                    raise AwsError("InvalidRequestException",
                                   "You can't perform this operation on the secret because it "
                                   "was marked for deletion.")
                vid, v = s.version_for()
                values.append(self._value_out(s, vid, v))
                s.last_accessed = float(int(self.world.now() // 86400) * 86400)
                err = None
            except AwsError as e:
                errors.append({"SecretId": sid, "ErrorCode": e.code, "Message": e.message})
                err = e
            if ct is not None and err is None:
                self._resources(sub, s)
                ct.record_api_call(sub, "secretsmanager", "GetSecretValue",
                                   {"SecretId": s.arn}, None, None)
        out = {"SecretValues": values, "Errors": errors}
        if token:
            out["NextToken"] = token
        return out

    def op_DescribeSecret(self, ctx, p):
        s = self._get(ctx, p.get("SecretId"), "secretsmanager:DescribeSecret")
        out = self._list_entry(s)
        out["VersionIdsToStages"] = out.pop("SecretVersionsToStages", {})
        return out

    def _list_entry(self, s):
        out = {"ARN": s.arn, "Name": s.name, "RotationEnabled": False,
               "LastChangedDate": s.last_changed, "CreatedDate": s.created,
               "SecretVersionsToStages": {k: list(v["stages"]) for k, v in s.versions.items()
                                          if v["stages"]}}
        if s.description is not None:
            out["Description"] = s.description
        if s.kms_key_id:
            out["KmsKeyId"] = s.kms_key_id
        if s.tags:
            out["Tags"] = [dict(t) for t in s.tags]
        if s.last_accessed is not None:
            out["LastAccessedDate"] = s.last_accessed
        if s.deleted is not None:
            out["DeletedDate"] = s.deleted
        return out

    def _filtered(self, ctx, filters):
        out = []
        store = self._store(ctx.account_id, self._region(ctx))
        for s in sorted(store.values(), key=lambda x: (x.created, x.name)):
            if s.deleted is not None:
                continue
            if all(_filter_matches(f, s) for f in (filters or [])):
                out.append(s)
        return out

    def _token(self, ctx, params, pos):
        from svc_cloudtrail import encode_token, params_digest
        return encode_token(params_digest(ctx.account_id, params), pos)

    def _token_pos(self, ctx, token, params):
        if token is None:
            return 0
        from svc_cloudtrail import decode_token, params_digest
        pos = decode_token(token, params_digest(ctx.account_id, params),
                           "InvalidNextTokenException", "The NextToken value is invalid.")
        if not isinstance(pos, int) or pos < 0:
            raise AwsError("InvalidNextTokenException", "The NextToken value is invalid.")
        return pos

    def op_ListSecrets(self, ctx, p):
        filters = p.get("Filters") or []
        for f in filters:
            if f.get("Key") not in ("description", "name", "tag-key", "tag-value",
                                    "primary-region", "owning-service", "all"):
                raise AwsError("InvalidParameterException",
                               "Invalid filter key: %s" % f.get("Key"))
        n = p.get("MaxResults") or 100
        if not isinstance(n, int) or not 1 <= n <= 100:
            raise AwsError("InvalidParameterException", "MaxResults must be between 1 and 100.")
        matching = self._filtered(ctx, filters)
        if p.get("SortOrder") == "desc":
            matching.reverse()
        key = ("list", filters, p.get("SortOrder"))
        start = self._token_pos(ctx, p.get("NextToken"), key)
        out = {"SecretList": [self._list_entry(s) for s in matching[start:start + n]]}
        if start + n < len(matching):
            out["NextToken"] = self._token(ctx, key, start + n)
        return out

    def op_DeleteSecret(self, ctx, p):
        s = self._get(ctx, p.get("SecretId"), "secretsmanager:DeleteSecret")
        window, force = p.get("RecoveryWindowInDays"), p.get("ForceDeleteWithoutRecovery")
        if window is not None and force:
            raise AwsError("InvalidParameterException",
                           "You can't use ForceDeleteWithoutRecovery in conjunction with "
                           "RecoveryWindowInDays.")
        if window is not None and (not isinstance(window, int) or not 7 <= window <= 30):
            raise AwsError("InvalidParameterException",
                           "RecoveryWindowInDays value must be between 7 and 30 days "
                           "(inclusive).")
        now = self.world.now()
        if force:
            self._store(s.account, s.region).pop(s.name, None)
            return {"ARN": s.arn, "Name": s.name, "DeletionDate": now}
        if s.deleted is not None:
            raise AwsError("InvalidRequestException",
                           "You can't perform this operation on the secret because it was "
                           "already scheduled for deletion.")
        s.deleted = now
        s.deletion_date = now + (window or 30) * 86400
        self.world.schedule(s.deletion_date, self._purge, s)
        return {"ARN": s.arn, "Name": s.name, "DeletionDate": s.deletion_date}

    def _purge(self, s):
        store = self._store(s.account, s.region)
        if store.get(s.name) is s and s.deleted is not None:
            del store[s.name]

    def op_RestoreSecret(self, ctx, p):
        s = self._get(ctx, p.get("SecretId"), "secretsmanager:RestoreSecret")
        s.deleted = s.deletion_date = None
        return {"ARN": s.arn, "Name": s.name}

    def op_TagResource(self, ctx, p):
        s = self._get(ctx, p.get("SecretId"), "secretsmanager:TagResource")
        tags = {t["Key"]: t for t in s.tags}
        for t in p.get("Tags") or []:
            if not isinstance(t, dict) or not t.get("Key"):
                raise AwsError("InvalidParameterException", "Tag keys must not be empty.")
            tags[t["Key"]] = {"Key": t["Key"], "Value": t.get("Value", "")}
        if len(tags) > 50:
            raise AwsError("InvalidParameterException", "A secret can have at most 50 tags.")
        s.tags = list(tags.values())
        return {}

    def op_UntagResource(self, ctx, p):
        s = self._get(ctx, p.get("SecretId"), "secretsmanager:UntagResource")
        drop = set(p.get("TagKeys") or [])
        s.tags = [t for t in s.tags if t["Key"] not in drop]
        return {}

    def op_PutResourcePolicy(self, ctx, p):
        s = self._get(ctx, p.get("SecretId"), "secretsmanager:PutResourcePolicy")
        text = p.get("ResourcePolicy")
        try:
            doc = json.loads(text)
        except (TypeError, ValueError):
            raise AwsError("MalformedPolicyDocumentException",
                           "The resource policy is not valid JSON.")
        if not isinstance(doc, dict) or not _as_list(doc.get("Statement")):
            raise AwsError("MalformedPolicyDocumentException",
                           "The resource policy has no Statement.")
        for st in _as_list(doc.get("Statement")):
            if not isinstance(st, dict) or st.get("Effect") not in ("Allow", "Deny") or \
                    "Principal" not in st or "Action" not in st:
                raise AwsError("MalformedPolicyDocumentException",
                               "Each statement needs Effect, Principal and Action.")
        s.policy = text
        return {"ARN": s.arn, "Name": s.name}

    def op_GetResourcePolicy(self, ctx, p):
        s = self._get(ctx, p.get("SecretId"), "secretsmanager:GetResourcePolicy")
        out = {"ARN": s.arn, "Name": s.name}
        if s.policy:
            out["ResourcePolicy"] = s.policy
        return out

    def op_DeleteResourcePolicy(self, ctx, p):
        s = self._get(ctx, p.get("SecretId"), "secretsmanager:DeleteResourcePolicy")
        s.policy = None
        return {"ARN": s.arn, "Name": s.name}

    # ------------------------------------------------------------ admin
    def admin(self, action, body):
        if action != "read":
            raise AwsError("ValidationException", "unknown secretsmanager admin action %s"
                           % action)
        return self.admin_read(body or {})

    def admin_read(self, body):
        """Record reads as if `principal` had called GetSecretValue(SecretId=secret).

        body: "secret" (name, ARN or partial ARN, kept as requestParameters.secretId),
        "principal" (access key id, principal/role/user ARN, or a configured principal's
        short name such as "app"; default: the first account's user), "source_ip",
        "user_agent", "event_time" (epoch seconds or ISO-8601, may be in the past),
        "delivery_delay_s", "out_of_order_s" (random extra delay per record), "denied"
        (an identity-policy AccessDenied), "count" (1..100000), "vpc_endpoint_id", "region".
        Returns {"count", "event_ids", "principal_arn", "account_id", "error_code"}: the
        read really runs, so an unknown secret gives error_code ResourceNotFoundException
        and a record with that errorCode."""
        from world import Ctx
        secret = body.get("secret")
        if not isinstance(secret, str) or not secret:
            raise AwsError("ValidationException", "secret is required")
        who = body.get("principal") or self.world.accounts[0].access_key_id
        if not isinstance(who, str):
            raise AwsError("ValidationException", "principal must be an ARN or access key id")
        principal = self.world.principal_for(who)
        if principal is None:  # also accept a configured principal's short name
            principal = next((p for p in self.world.accounts if p.name == who), None)
        if principal is None:
            raise AwsError("ValidationException", "unknown principal %r" % body.get("principal"))
        count = body.get("count", 1)
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= 100000:
            raise AwsError("ValidationException", "count must be 1..100000")
        for k in ("out_of_order_s", "delivery_delay_s"):
            v = body.get(k)
            if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float)) or
                                  v < 0):
                raise AwsError("ValidationException", "%s must be a number >= 0" % k)
        delay = body.get("delivery_delay_s")
        if delay is not None and (not isinstance(delay, (int, float)) or delay < 0):
            raise AwsError("ValidationException", "delivery_delay_s must be >= 0")
        event_time = body.get("event_time")
        if isinstance(event_time, str):
            from svc_cloudtrail import parse_iso
            event_time = parse_iso(event_time)
            if event_time is None:
                raise AwsError("ValidationException", "event_time: ISO-8601 or epoch seconds")
        elif event_time is not None and (isinstance(event_time, bool) or
                                         not isinstance(event_time, (int, float))):
            raise AwsError("ValidationException", "event_time: ISO-8601 or epoch seconds")
        if event_time is not None and not 0 <= event_time <= self.world.now() + 86400:
            raise AwsError("ValidationException", "event_time out of range")
        ct = self.world.service("cloudtrail")
        ids, error = [], None
        for i in range(count):
            ctx = Ctx.for_principal(
                principal, source_ip=body.get("source_ip") or "203.0.113.10",
                user_agent=body.get("user_agent") or "aws-cli/2.17.20 awssim-read",
                region=body.get("region") or self.world.region,
                request_id=str(uuid.uuid4()),
                event_time=float(event_time if event_time is not None else self.world.now()),
                service="secretsmanager", operation="GetSecretValue",
                vpc_endpoint_id=body.get("vpc_endpoint_id"),
                delivery_delay_s=delay, force_denied=bool(body.get("denied")),
                out_of_order_s=body.get("out_of_order_s"))
            params = {"SecretId": secret}
            result, error = None, None
            try:
                result = self.op_GetSecretValue(ctx, params)
            except AwsError as e:
                error = e
            if ct is not None:
                rec = ct.record_api_call(ctx, "secretsmanager", "GetSecretValue", params,
                                         result, error)
                if rec is not None:
                    ids.append(rec["eventID"])
        return {"count": count, "event_ids": ids, "principal_arn": principal.principal_arn,
                "account_id": principal.account_id,
                "error_code": error.code if error is not None else None}


def _principal_matches(pr, ctx):
    if pr == "*":
        return True
    if not isinstance(pr, dict):
        return False
    wanted = _as_list(pr.get("AWS"))
    if "*" in wanted:
        return True
    acct = ctx.account_id
    role_arn = getattr(getattr(ctx, "principal", None), "role_arn", None)
    mine = {ctx.principal_arn, ctx.access_key_id}
    if role_arn:
        mine.add(role_arn)
    if getattr(ctx, "principal_type", None) == "Root":
        mine.add("arn:aws:iam::%s:root" % acct)
    for w in wanted:
        if w in mine:
            return True
        if w in (acct, "arn:aws:iam::%s:root" % acct):
            return True
    return False


def _action_matches(actions, action):
    for a in _as_list(actions):
        if not isinstance(a, str):
            continue
        regex = ".*".join(re.escape(x) for x in a.lower().split("*"))
        if re.fullmatch(regex, action.lower()):
            return True
    return False


def _filter_matches(f, s):
    key = f.get("Key")
    values = f.get("Values") or []
    tag_keys = [t["Key"] for t in s.tags]
    tag_values = [t.get("Value", "") for t in s.tags]
    fields = {"name": [s.name], "description": [s.description or ""], "tag-key": tag_keys,
              "tag-value": tag_values, "primary-region": [s.region], "owning-service": [],
              "all": [s.name, s.description or ""] + tag_keys + tag_values}.get(key, [])
    for v in values:
        neg = isinstance(v, str) and v.startswith("!")
        v = v[1:] if neg else v
        hit = any(isinstance(x, str) and x.lower().startswith(str(v).lower()) for x in fields)
        if hit != neg:
            return True
    return False
