"""S3 buckets: CreateBucket (location constraint rules), HeadBucket,
GetBucketLocation, ListBuckets, Put/Get/DeleteBucketPolicy,
Put/GetPublicAccessBlock, Put/GetBucketEncryption, Put/Get/DeleteBucketTagging,
DeleteBucket, ListObjectsV2, PutObject, GetObject (small objects, for
CloudTrail log files and tests)."""

import hashlib
import json
import re
import urllib.parse

from errors import AwsError
from world import OpDispatch

SIGNING_NAME = "s3"

_BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_IP_RE = re.compile(r"^\d+\.\d+\.\d+\.\d+$")
REGIONS = {
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-west-2", "eu-west-3",
    "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "ap-south-1",
    "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
    "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-east-1", "ca-central-1",
    "sa-east-1", "me-south-1", "me-central-1", "af-south-1", "il-central-1", "EU",
}


def _no_bucket(name):
    return AwsError("NoSuchBucket", "The specified bucket does not exist", 404,
                    extra={"BucketName": name})


class Service(OpDispatch):
    def __init__(self, world):
        self.world = world
        self.reset()

    def reset(self):
        self.buckets = {}   # name -> dict

    # --- cross-service interface ------------------------------------------------------
    def bucket_policy(self, name):
        """The bucket's policy document (str) or None."""
        b = self.buckets.get(name)
        return b["policy"] if b else None

    def bucket(self, name):
        return self.buckets.get(name)

    def put_object(self, bucket, key, body, content_type="application/octet-stream"):
        """Store an object (used by in-world deliveries); False if no bucket."""
        b = self.buckets.get(bucket)
        if b is None:
            return False
        if isinstance(body, str):
            body = body.encode()
        b["objects"][key] = {"body": body, "etag": '"%s"' % hashlib.md5(body).hexdigest(),
                             "modified": float(int(self.world.now())),
                             "content_type": content_type}
        return True

    # --- helpers -----------------------------------------------------------------------
    def _get(self, ctx, name):
        b = self.buckets.get(name)
        if b is None:
            raise _no_bucket(name)
        if b["account"] != ctx.account_id:
            raise AwsError("AccessDenied", "Access Denied", 403)
        return b

    # --- operations ------------------------------------------------------------------------
    def op_CreateBucket(self, ctx, p):
        name = p["Bucket"]
        if not _BUCKET_RE.match(name) or ".." in name or _IP_RE.match(name) or \
                name.startswith("xn--") or name.endswith("-s3alias"):
            raise AwsError("InvalidBucketName", "The specified bucket is not valid.", 400,
                           extra={"BucketName": name})
        loc = (p.get("CreateBucketConfiguration") or {}).get("LocationConstraint")
        region = ctx.region or "us-east-1"
        if loc is not None and loc not in REGIONS:
            raise AwsError("InvalidLocationConstraint", "The specified location-constraint is "
                           "not valid", 400, extra={"LocationConstraint": loc})
        if region == "us-east-1":
            if loc == "us-east-1":
                raise AwsError("InvalidLocationConstraint", "The specified location-constraint "
                               "is not valid", 400, extra={"LocationConstraint": loc})
            if loc is not None:
                raise AwsError("IllegalLocationConstraintException", "The %s location "
                               "constraint is incompatible for the region specific endpoint "
                               "this request was sent to." % loc, 400)
        else:
            if loc is None:
                raise AwsError("IllegalLocationConstraintException", "The unspecified location "
                               "constraint is incompatible for the region specific endpoint "
                               "this request was sent to.", 400)
            if loc != region:
                raise AwsError("IllegalLocationConstraintException", "The %s location "
                               "constraint is incompatible for the region specific endpoint "
                               "this request was sent to." % loc, 400)
        b = self.buckets.get(name)
        if b is not None:
            if b["account"] != ctx.account_id:
                raise AwsError("BucketAlreadyExists", "The requested bucket name is not "
                               "available. The bucket namespace is shared by all users of the "
                               "system. Please select a different name and try again.", 409,
                               extra={"BucketName": name})
            if region != "us-east-1":
                raise AwsError("BucketAlreadyOwnedByYou", "Your previous request to create the "
                               "named bucket succeeded and you already own it.", 409,
                               extra={"BucketName": name})
            # us-east-1 answers 200 for a bucket you already own (legacy behaviour).
            return {"Location": "/" + name}
        self.buckets[name] = {
            "name": name, "account": ctx.account_id, "region": region,
            "created": float(int(self.world.now())), "policy": None, "pab": None,
            "encryption": {"Rules": [{"ApplyServerSideEncryptionByDefault":
                                      {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": False}]},
            "tags": None, "objects": {},
        }
        return {"Location": "/" + name}

    def op_HeadBucket(self, ctx, p):
        b = self.buckets.get(p["Bucket"])
        if b is None:
            raise AwsError("NotFound", "Not Found", 404)
        if b["account"] != ctx.account_id:
            raise AwsError("Forbidden", "Forbidden", 403)
        return {"_headers": {"x-amz-bucket-region": b["region"]}}

    def op_GetBucketLocation(self, ctx, p):
        b = self._get(ctx, p["Bucket"])
        loc = "" if b["region"] == "us-east-1" else b["region"]
        return {"_body": '<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns='
                         '"http://s3.amazonaws.com/doc/2006-03-01/">%s</LocationConstraint>'
                         % loc}

    def op_ListBuckets(self, ctx, p):
        own = [b for b in self.buckets.values() if b["account"] == ctx.account_id]
        return {"Buckets": [{"Name": b["name"], "CreationDate": b["created"]}
                            for b in sorted(own, key=lambda x: x["name"])],
                "Owner": {"ID": hashlib.sha256(ctx.account_id.encode()).hexdigest(),
                          "DisplayName": "awssim-%s" % ctx.account_id}}

    def op_DeleteBucket(self, ctx, p):
        b = self._get(ctx, p["Bucket"])
        if b["objects"]:
            raise AwsError("BucketNotEmpty", "The bucket you tried to delete is not empty", 409,
                           extra={"BucketName": b["name"]})
        del self.buckets[b["name"]]
        return {}

    def op_PutBucketPolicy(self, ctx, p):
        b = self._get(ctx, p["Bucket"])
        doc = p.get("Policy") or ""
        try:
            d = json.loads(doc)
            if not isinstance(d, dict) or not doc.lstrip().startswith("{"):
                raise ValueError
        except ValueError:
            raise AwsError("MalformedPolicy", "Policies must be valid JSON and the first byte "
                           "must be '{'", 400)
        if "Statement" not in d:
            raise AwsError("MalformedPolicy", "Missing required field Statement", 400)
        b["policy"] = doc
        return {}

    def op_GetBucketPolicy(self, ctx, p):
        b = self._get(ctx, p["Bucket"])
        if b["policy"] is None:
            raise AwsError("NoSuchBucketPolicy", "The bucket policy does not exist", 404,
                           extra={"BucketName": b["name"]})
        return {"Policy": b["policy"]}

    def op_DeleteBucketPolicy(self, ctx, p):
        b = self._get(ctx, p["Bucket"])
        b["policy"] = None
        return {}

    def op_PutPublicAccessBlock(self, ctx, p):
        b = self._get(ctx, p["Bucket"])
        b["pab"] = dict(p.get("PublicAccessBlockConfiguration") or {})
        return {}

    def op_GetPublicAccessBlock(self, ctx, p):
        b = self._get(ctx, p["Bucket"])
        if b["pab"] is None:
            raise AwsError("NoSuchPublicAccessBlockConfiguration", "The public access block "
                           "configuration was not found", 404, extra={"BucketName": b["name"]})
        return {"PublicAccessBlockConfiguration": b["pab"]}

    def op_DeletePublicAccessBlock(self, ctx, p):
        b = self._get(ctx, p["Bucket"])
        b["pab"] = None
        return {}

    def op_PutBucketEncryption(self, ctx, p):
        b = self._get(ctx, p["Bucket"])
        conf = p.get("ServerSideEncryptionConfiguration") or {}
        rules = conf.get("Rules") or []
        if not rules:
            raise AwsError("MalformedXML", "The XML you provided was not well-formed or did not "
                           "validate against our published schema", 400)
        for r in rules:
            alg = (r.get("ApplyServerSideEncryptionByDefault") or {}).get("SSEAlgorithm")
            if alg not in ("AES256", "aws:kms", "aws:kms:dsse"):
                raise AwsError("MalformedXML", "The XML you provided was not well-formed or did "
                               "not validate against our published schema", 400)
        b["encryption"] = {"Rules": rules}
        return {}

    def op_GetBucketEncryption(self, ctx, p):
        b = self._get(ctx, p["Bucket"])
        return {"ServerSideEncryptionConfiguration": b["encryption"]}

    def op_PutBucketTagging(self, ctx, p):
        b = self._get(ctx, p["Bucket"])
        tags = (p.get("Tagging") or {}).get("TagSet") or []
        keys = [t.get("Key") for t in tags]
        if len(set(keys)) != len(keys):
            raise AwsError("InvalidTag", "Cannot provide multiple Tags with the same key", 400)
        if len(tags) > 50:
            raise AwsError("BadRequest", "Object tags cannot be greater than 50", 400)
        for t in tags:
            if not t.get("Key") or len(t["Key"]) > 128 or len(t.get("Value", "")) > 256 or \
                    t["Key"].startswith("aws:"):
                raise AwsError("InvalidTag", "The TagKey you have provided is invalid", 400)
        b["tags"] = [{"Key": t["Key"], "Value": t.get("Value", "")} for t in tags]
        return {}

    def op_GetBucketTagging(self, ctx, p):
        b = self._get(ctx, p["Bucket"])
        if not b["tags"]:
            raise AwsError("NoSuchTagSet", "The TagSet does not exist", 404,
                           extra={"BucketName": b["name"]})
        return {"TagSet": list(b["tags"])}

    def op_DeleteBucketTagging(self, ctx, p):
        b = self._get(ctx, p["Bucket"])
        b["tags"] = None
        return {}

    def op_ListObjectsV2(self, ctx, p):
        b = self._get(ctx, p["Bucket"])
        prefix = p.get("Prefix", "")
        maxk = int(p.get("MaxKeys", 1000))
        start = p.get("ContinuationToken") or p.get("StartAfter") or ""
        keys = sorted(k for k in b["objects"] if k.startswith(prefix) and k > start)
        page = keys[:maxk]
        out = {"IsTruncated": len(keys) > maxk, "Name": b["name"], "Prefix": prefix,
               "MaxKeys": maxk, "KeyCount": len(page),
               "Contents": [{"Key": k, "LastModified": b["objects"][k]["modified"],
                             "ETag": b["objects"][k]["etag"],
                             "Size": len(b["objects"][k]["body"]), "StorageClass": "STANDARD"}
                            for k in page]}
        if not page:
            del out["Contents"]
        if p.get("ContinuationToken"):
            out["ContinuationToken"] = p["ContinuationToken"]
        if out["IsTruncated"]:
            out["NextContinuationToken"] = page[-1]
        return self._encode_keys(p, out, ("Prefix", "StartAfter"))

    @staticmethod
    def _encode_keys(p, out, fields):
        # EncodingType=url: S3 URL-encodes key names (and prefixes) in the answer.
        if p.get("EncodingType") != "url":
            return out
        out["EncodingType"] = "url"
        for f in fields:
            if out.get(f):
                out[f] = urllib.parse.quote(out[f], safe="/")
        for c in out.get("Contents", []):
            c["Key"] = urllib.parse.quote(c["Key"], safe="/")
        return out

    def op_ListObjects(self, ctx, p):
        b = self._get(ctx, p["Bucket"])
        prefix = p.get("Prefix", "")
        maxk = int(p.get("MaxKeys", 1000))
        keys = sorted(k for k in b["objects"] if k.startswith(prefix) and k > p.get("Marker", ""))
        page = keys[:maxk]
        out = {"IsTruncated": len(keys) > maxk, "Name": b["name"], "Prefix": prefix,
               "MaxKeys": maxk, "Marker": p.get("Marker", ""),
               "Contents": [{"Key": k, "LastModified": b["objects"][k]["modified"],
                             "ETag": b["objects"][k]["etag"],
                             "Size": len(b["objects"][k]["body"]), "StorageClass": "STANDARD"}
                            for k in page]}
        if not page:
            del out["Contents"]
        if out["IsTruncated"]:
            out["NextMarker"] = page[-1]
        return self._encode_keys(p, out, ("Prefix", "Marker", "NextMarker"))

    def op_GetBucketAcl(self, ctx, p):
        self._get(ctx, p["Bucket"])
        owner = {"ID": hashlib.sha256(ctx.account_id.encode()).hexdigest(),
                 "DisplayName": "awssim-%s" % ctx.account_id}
        return {"Owner": owner, "Grants": [{
            "Grantee": dict(owner, Type="CanonicalUser"), "Permission": "FULL_CONTROL"}]}

    def op_DeleteObject(self, ctx, p):
        b = self._get(ctx, p["Bucket"])
        b["objects"].pop(p["Key"], None)
        return {}

    def op_DeleteObjects(self, ctx, p):
        b = self._get(ctx, p["Bucket"])
        objs = (p.get("Delete") or {}).get("Objects") or []
        if len(objs) > 1000:
            raise AwsError("MalformedXML", "The XML you provided was not well-formed or did not "
                           "validate against our published schema", 400)
        deleted = []
        for o in objs:
            b["objects"].pop(o["Key"], None)
            deleted.append({"Key": o["Key"]})
        quiet = (p.get("Delete") or {}).get("Quiet")
        return {} if quiet else {"Deleted": deleted}

    def op_PutObject(self, ctx, p):
        b = self._get(ctx, p["Bucket"])
        body = p.get("Body") or b""
        self.put_object(b["name"], p["Key"], body, p.get("ContentType",
                                                         "application/octet-stream"))
        return {"ETag": b["objects"][p["Key"]]["etag"]}

    def op_GetObject(self, ctx, p):
        b = self._get(ctx, p["Bucket"])
        o = b["objects"].get(p["Key"])
        if o is None:
            raise AwsError("NoSuchKey", "The specified key does not exist.", 404,
                           extra={"Key": p["Key"]})
        return {"Body": o["body"], "ETag": o["etag"], "ContentLength": len(o["body"]),
                "ContentType": o["content_type"], "LastModified": o["modified"]}
