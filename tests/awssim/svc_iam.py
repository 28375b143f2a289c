"""IAM roles: CreateRole, GetRole, ListRoles, UpdateAssumeRolePolicy,
UpdateRole, PutRolePolicy, GetRolePolicy, ListRolePolicies,
ListAttachedRolePolicies, DeleteRolePolicy, DeleteRole, TagRole, UntagRole,
ListRoleTags, GetUser. A new role is not usable by CloudTrail until
world.delays["iam_role_propagation"] seconds have passed (as in AWS)."""

import json
import secrets
import string
import urllib.parse

from errors import AwsError
from world import ACCOUNT_A, APP_ROLE, OpDispatch

SIGNING_NAME = "iam"

DEFAULT_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % ACCOUNT_A},
         "Action": "sts:AssumeRole"},
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
         "Action": "sts:AssumeRole"},
    ],
}


def _rand_id(prefix):
    return prefix + "".join(secrets.choice(string.ascii_uppercase + string.digits)
                            for _ in range(17))


def _quote(doc):
    # IAM returns policy documents URL-encoded (RFC 3986).
    return urllib.parse.quote(doc, safe="")


def _parse_policy(doc):
    try:
        d = json.loads(doc)
    except ValueError:
        raise AwsError("MalformedPolicyDocument", "This policy contains invalid Json", 400)
    if not isinstance(d, dict):
        raise AwsError("MalformedPolicyDocument", "This policy contains invalid Json", 400)
    if "Statement" not in d:
        raise AwsError("MalformedPolicyDocument", "Syntax errors in policy.", 400)
    return d


def _parse_trust(doc):
    """A role trust policy: a policy whose statements name who may assume the
    role (Principal or NotPrincipal) and no Resource, as IAM requires."""
    d = _parse_policy(doc)
    stmts = d["Statement"]
    for st in stmts if isinstance(stmts, list) else [stmts]:
        if not isinstance(st, dict):
            raise AwsError("MalformedPolicyDocument", "Syntax errors in policy.", 400)
        if "Principal" not in st and "NotPrincipal" not in st:
            raise AwsError("MalformedPolicyDocument", "Missing required field Principal", 400)
        if "Resource" in st or "NotResource" in st:
            raise AwsError("MalformedPolicyDocument", "Has prohibited field Resource", 400)
    return d


class Service(OpDispatch):
    def __init__(self, world):
        self.world = world
        self.reset()

    def reset(self):
        self.roles = {}    # (account, name) -> role dict
        self._add(ACCOUNT_A, APP_ROLE, json.dumps(DEFAULT_TRUST), created=self.world.now() - 86400,
                  description="application role (EC2 instance profile)")

    def _add(self, acct, name, trust_doc, path="/", description=None, max_session=3600,
             tags=None, created=None):
        role = {
            "Path": path, "RoleName": name, "RoleId": _rand_id("AROA"),
            "Arn": "arn:aws:iam::%s:role%s%s" % (acct, path, name),
            "CreateDate": float(int(created if created is not None else self.world.now())),
            "AssumeRolePolicyDocument": trust_doc, "MaxSessionDuration": max_session,
            "Tags": list(tags or []), "_trust": json.loads(trust_doc), "_policies": {},
        }
        if description is not None:
            role["Description"] = description
        self.roles[(acct, name)] = role
        return role

    # --- cross-service interface ------------------------------------------------------
    def role_by_arn(self, arn):
        """The role dict for a role ARN, or None."""
        parts = (arn or "").split(":", 5)
        if len(parts) != 6 or parts[2] != "iam" or not parts[5].startswith("role/"):
            return None
        return self.roles.get((parts[4], parts[5].rsplit("/", 1)[-1]))

    def role_usable(self, arn):
        """True once a role exists and has propagated (usable by CloudTrail)."""
        role = self.role_by_arn(arn)
        if role is None:
            return False
        created = role.get("_created_exact")
        if created is None:     # seeded roles exist "since yesterday"
            return True
        return self.world.now() >= created + self.world.delays.get("iam_role_propagation", 0)

    def role_policies(self, arn):
        role = self.role_by_arn(arn)
        return dict(role["_policies"]) if role else {}

    # --- helpers -----------------------------------------------------------------------
    def _get(self, ctx, name):
        role = self.roles.get((ctx.account_id, name))
        if role is None:
            raise AwsError("NoSuchEntity", "The role with name %s cannot be found." % name, 404)
        return role

    @staticmethod
    def _public(role):
        out = {k: v for k, v in role.items() if not k.startswith("_")}
        out["AssumeRolePolicyDocument"] = _quote(role["AssumeRolePolicyDocument"])
        if not out.get("Tags"):
            out.pop("Tags", None)
        return out

    # --- operations ------------------------------------------------------------------------
    def op_CreateRole(self, ctx, p):
        name = p["RoleName"]
        if (ctx.account_id, name) in self.roles:
            raise AwsError("EntityAlreadyExists", "Role with name %s already exists." % name, 409)
        _parse_trust(p["AssumeRolePolicyDocument"])
        role = self._add(ctx.account_id, name, p["AssumeRolePolicyDocument"],
                         path=p.get("Path", "/"), description=p.get("Description"),
                         max_session=p.get("MaxSessionDuration", 3600), tags=p.get("Tags"))
        role["_created_exact"] = self.world.now()
        return {"Role": self._public(role)}

    def op_GetRole(self, ctx, p):
        role = self._get(ctx, p["RoleName"])
        return {"Role": self._public(role)}

    def op_ListRoles(self, ctx, p):
        pre = p.get("PathPrefix", "/")
        roles = [self._public(r) for (a, _), r in sorted(self.roles.items())
                 if a == ctx.account_id and r["Path"].startswith(pre)]
        return {"Roles": roles, "IsTruncated": False}

    def op_DeleteRole(self, ctx, p):
        role = self._get(ctx, p["RoleName"])
        if role["_policies"]:
            raise AwsError("DeleteConflict", "Cannot delete entity, must delete policies "
                           "first.", 409)
        del self.roles[(ctx.account_id, p["RoleName"])]
        return {}

    def op_PutRolePolicy(self, ctx, p):
        role = self._get(ctx, p["RoleName"])
        _parse_policy(p["PolicyDocument"])
        role["_policies"][p["PolicyName"]] = p["PolicyDocument"]
        return {}

    def op_GetRolePolicy(self, ctx, p):
        role = self._get(ctx, p["RoleName"])
        doc = role["_policies"].get(p["PolicyName"])
        if doc is None:
            raise AwsError("NoSuchEntity", "The role policy with name %s cannot be found."
                           % p["PolicyName"], 404)
        return {"RoleName": role["RoleName"], "PolicyName": p["PolicyName"],
                "PolicyDocument": _quote(doc)}

    def op_ListRolePolicies(self, ctx, p):
        role = self._get(ctx, p["RoleName"])
        return {"PolicyNames": sorted(role["_policies"]), "IsTruncated": False}

    def op_DeleteRolePolicy(self, ctx, p):
        role = self._get(ctx, p["RoleName"])
        if p["PolicyName"] not in role["_policies"]:
            raise AwsError("NoSuchEntity", "The role policy with name %s cannot be found."
                           % p["PolicyName"], 404)
        del role["_policies"][p["PolicyName"]]
        return {}

    def op_UpdateAssumeRolePolicy(self, ctx, p):
        role = self._get(ctx, p["RoleName"])
        role["_trust"] = _parse_trust(p["PolicyDocument"])
        role["AssumeRolePolicyDocument"] = p["PolicyDocument"]
        return {}

    def op_UpdateRole(self, ctx, p):
        role = self._get(ctx, p["RoleName"])
        if "Description" in p:
            role["Description"] = p["Description"]
        if "MaxSessionDuration" in p:
            role["MaxSessionDuration"] = p["MaxSessionDuration"]
        return {}

    def op_ListAttachedRolePolicies(self, ctx, p):
        self._get(ctx, p["RoleName"])
        return {"AttachedPolicies": [], "IsTruncated": False}

    def op_TagRole(self, ctx, p):
        role = self._get(ctx, p["RoleName"])
        tags = {t["Key"]: t.get("Value", "") for t in role["Tags"]}
        for t in p["Tags"]:
            tags[t["Key"]] = t.get("Value", "")
        if len(tags) > 50:
            raise AwsError("LimitExceeded", "Cannot exceed quota for TagsPerRole: 50.", 409)
        role["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
        return {}

    def op_UntagRole(self, ctx, p):
        role = self._get(ctx, p["RoleName"])
        drop = set(p["TagKeys"])
        role["Tags"] = [t for t in role["Tags"] if t["Key"] not in drop]
        return {}

    def op_ListRoleTags(self, ctx, p):
        role = self._get(ctx, p["RoleName"])
        return {"Tags": list(role["Tags"]), "IsTruncated": False}

    def op_GetUser(self, ctx, p):
        name = p.get("UserName") or ctx.user_name
        if ctx.principal_type != "IAMUser" and not p.get("UserName"):
            raise AwsError("ValidationError", "Must specify userName when calling with "
                           "non-User credentials", 400)
        for pr in self.world.accounts:
            if pr.account_id == ctx.account_id and pr.user_name == name:
                return {"User": {"Path": "/", "UserName": name, "UserId": pr.principal_id,
                                 "Arn": pr.principal_arn,
                                 "CreateDate": float(int(self.world.started - 86400))}}
        raise AwsError("NoSuchEntity", "The user with name %s cannot be found." % name, 404)
