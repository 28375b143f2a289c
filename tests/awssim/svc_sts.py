"""STS: GetCallerIdentity, AssumeRole, AssumeRoleWithWebIdentity,
GetSessionToken; temporary credentials with session tokens and expiry."""

import base64
import binascii
import json
import secrets
import string

from errors import AwsError
from world import OpDispatch, Principal

SIGNING_NAME = "sts"

_ALNUM = string.ascii_uppercase + string.digits


def _rand(n, alphabet=_ALNUM):
    return "".join(secrets.choice(alphabet) for _ in range(n))


def _jwt_claims(token):
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        pad = "=" * (-len(parts[1]) % 4)
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + pad).decode())
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    return claims if isinstance(claims, dict) else None


def _principal_matches(stmt_principal, caller):
    """Does a trust-policy Principal element admit the caller principal?"""
    if stmt_principal == "*":
        return True
    if not isinstance(stmt_principal, dict):
        return False
    aws = stmt_principal.get("AWS", [])
    aws = [aws] if isinstance(aws, str) else aws
    for p in aws:
        if p == "*" or p == caller.account_id or \
                p == "arn:aws:iam::%s:root" % caller.account_id or p == caller.principal_arn or \
                (caller.role_arn and p == caller.role_arn):
            return True
    return False


def _conditions_hold(cond, values):
    """StringEquals / StringLike on a few context keys (sts:ExternalId,
    *:aud, *:sub); unknown operators fail closed."""
    if not cond:
        return True
    import fnmatch
    for op, kv in cond.items():
        for key, want in kv.items():
            have = values.get(key.lower())
            wants = [want] if isinstance(want, str) else list(want)
            if op == "StringEquals":
                if have is None or have not in wants:
                    return False
            elif op == "StringLike":
                if have is None or not any(fnmatch.fnmatchcase(have, w) for w in wants):
                    return False
            else:
                return False
    return True


def _trust_allows(role, action, principal_ok, values):
    """Whether an Allow statement of the role's trust policy grants `action`
    to a principal accepted by principal_ok(Principal element) under its
    conditions (evaluated on `values`)."""
    trust = role.get("_trust") or {}
    stmts = trust.get("Statement", []) if isinstance(trust, dict) else []
    stmts = [stmts] if isinstance(stmts, dict) else stmts
    for st in stmts:
        if not isinstance(st, dict) or st.get("Effect") != "Allow":
            continue
        acts = st.get("Action", [])
        acts = [acts] if isinstance(acts, str) else acts
        if not any(a in (action, "sts:*", "*") for a in acts):
            continue
        if principal_ok(st.get("Principal")) and _conditions_hold(st.get("Condition"), values):
            return True
    return False


class Service(OpDispatch):
    def __init__(self, world):
        self.world = world

    def reset(self):
        pass

    # --- helpers ----------------------------------------------------------------------
    def issue(self, account_id, principal_arn, principal_type, duration_s, role_arn=None,
              session_name=None, user_name=None, source_identity=None):
        """New temporary credentials, registered with the world."""
        now = self.world.now()
        p = Principal(account_id, "ASIA" + _rand(16),
                      _rand(40, string.ascii_letters + string.digits + "+/"),
                      principal_arn, principal_type, user_name=user_name,
                      session_token="FwoGZXIvYXdzEAwaDAwsim" + _rand(
                          200, string.ascii_letters + string.digits + "+/") + "==",
                      expiration=float(int(now + duration_s)), role_arn=role_arn,
                      session_name=session_name, source_identity=source_identity)
        if role_arn:
            iam = self.world.service("iam")
            role = iam.role_by_arn(role_arn) if iam is not None else None
            role_id = role["RoleId"] if role else "AROA" + _rand(17)
            p.principal_id = "%s:%s" % (role_id, session_name)
        self.world.add_credentials(p)
        return p

    @staticmethod
    def _creds(p):
        return {"AccessKeyId": p.access_key_id, "SecretAccessKey": p.secret_access_key,
                "SessionToken": p.session_token, "Expiration": p.expiration}

    def _role(self, ctx, role_arn, action):
        iam = self.world.service("iam")
        role = iam.role_by_arn(role_arn) if iam is not None else None
        if role is None:
            raise AwsError("AccessDenied", "User: %s is not authorized to perform: %s on "
                           "resource: %s" % (ctx.principal_arn or "anonymous", action, role_arn),
                           403)
        return role

    def _duration(self, role, params):
        d = int(params.get("DurationSeconds", 3600))
        if d > int(role.get("MaxSessionDuration", 3600)):
            raise AwsError("ValidationError", "The requested DurationSeconds exceeds the "
                           "MaxSessionDuration set for this role.", 400)
        return d

    # --- operations ---------------------------------------------------------------------
    def op_GetCallerIdentity(self, ctx, params):
        return {"UserId": ctx.principal_id, "Account": ctx.account_id, "Arn": ctx.principal_arn}

    def op_AssumeRole(self, ctx, p):
        role = self._role(ctx, p["RoleArn"], "sts:AssumeRole")
        caller = ctx.principal
        allowed = _trust_allows(role, "sts:AssumeRole",
                                lambda pr: _principal_matches(pr, caller),
                                {"sts:externalid": p.get("ExternalId"),
                                 "aws:principalaccount": ctx.account_id})
        if not allowed:
            raise AwsError("AccessDenied", "User: %s is not authorized to perform: "
                           "sts:AssumeRole on resource: %s" % (ctx.principal_arn, p["RoleArn"]),
                           403)
        d = self._duration(role, p)
        acct = role["Arn"].split(":")[4]
        arn = "arn:aws:sts::%s:assumed-role/%s/%s" % (acct, role["RoleName"],
                                                      p["RoleSessionName"])
        cred = self.issue(acct, arn, "AssumedRole", d, role_arn=role["Arn"],
                          session_name=p["RoleSessionName"],
                          source_identity=p.get("SourceIdentity"))
        out = {"Credentials": self._creds(cred),
               "AssumedRoleUser": {"AssumedRoleId": cred.principal_id, "Arn": arn}}
        if p.get("SourceIdentity"):
            out["SourceIdentity"] = p["SourceIdentity"]
        return out

    def op_AssumeRoleWithWebIdentity(self, ctx, p):
        claims = _jwt_claims(p["WebIdentityToken"])
        if claims is None:
            raise AwsError("InvalidIdentityToken", "The ID Token provided is not a valid JWT. "
                           "(You may see this error if you sent an Access Token)", 400)
        now = self.world.now()
        if isinstance(claims.get("exp"), (int, float)) and claims["exp"] < now:
            raise AwsError("ExpiredTokenException", "Token expired: current date/time %d must "
                           "be before the expiration date/time%d" % (now, claims["exp"]), 400)
        role = self._role(ctx, p["RoleArn"], "sts:AssumeRoleWithWebIdentity")
        iss = str(claims.get("iss", "")).replace("https://", "")
        vals = {}
        for k in ("aud", "sub", "amr"):
            v = claims.get(k)
            vals["%s:%s" % (iss.lower(), k)] = v if not isinstance(v, list) else \
                (v[0] if v else None)

        def federated_ok(pr):
            fed = pr.get("Federated") if isinstance(pr, dict) else pr
            feds = [fed] if isinstance(fed, str) else (fed or [])
            return any(f == "*" or f.endswith(iss) for f in feds)

        allowed = _trust_allows(role, "sts:AssumeRoleWithWebIdentity", federated_ok, vals)
        if not allowed:
            raise AwsError("AccessDenied", "Not authorized to perform "
                           "sts:AssumeRoleWithWebIdentity", 403)
        d = self._duration(role, p)
        acct = role["Arn"].split(":")[4]
        arn = "arn:aws:sts::%s:assumed-role/%s/%s" % (acct, role["RoleName"],
                                                      p["RoleSessionName"])
        cred = self.issue(acct, arn, "AssumedRole", d, role_arn=role["Arn"],
                          session_name=p["RoleSessionName"])
        aud = claims.get("aud")
        return {"Credentials": self._creds(cred),
                "SubjectFromWebIdentityToken": str(claims.get("sub", "")),
                "AssumedRoleUser": {"AssumedRoleId": cred.principal_id, "Arn": arn},
                "Provider": iss,
                "Audience": aud[0] if isinstance(aud, list) and aud else str(aud or "")}

    def op_GetSessionToken(self, ctx, p):
        if ctx.principal_type == "AssumedRole" and ctx.session_token:
            raise AwsError("AccessDenied", "Cannot call GetSessionToken with session "
                           "credentials", 403)
        d = int(p.get("DurationSeconds", 43200))
        cred = self.issue(ctx.account_id, ctx.principal_arn, ctx.principal_type, d,
                          user_name=ctx.user_name)
        cred.principal_id = ctx.principal_id
        return {"Credentials": self._creds(cred)}

    # --- admin ---------------------------------------------------------------------------
    def admin(self, action, body):
        """credentials: {"principal": ARN or key id (default: the first user),
        "role_arn": optional (assumed-role session), "session_name",
        "duration_s": seconds until expiry (0 or negative: already expired)}."""
        if action != "credentials":
            raise ValueError("unknown sts admin action %s" % action)
        duration = float(body.get("duration_s", 3600))
        if body.get("role_arn"):
            role = self.world.service("iam").role_by_arn(body["role_arn"])
            if role is None:
                raise ValueError("no such role %s" % body["role_arn"])
            acct = role["Arn"].split(":")[4]
            session = body.get("session_name") or "awssim-session"
            arn = "arn:aws:sts::%s:assumed-role/%s/%s" % (acct, role["RoleName"], session)
            p = self.issue(acct, arn, "AssumedRole", duration, role_arn=role["Arn"],
                           session_name=session)
        else:
            base = self.world.principal_for(body.get("principal") or
                                            self.world.accounts[0].access_key_id)
            if base is None:
                raise ValueError("unknown principal")
            p = self.issue(base.account_id, base.principal_arn, base.principal_type, duration,
                           role_arn=base.role_arn, session_name=base.session_name,
                           user_name=base.user_name)
            p.principal_id = base.principal_id
        return p.to_json()
