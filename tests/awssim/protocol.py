"""Wire protocols of the simulator: loading botocore's service models, parsing
and validating input (JSON, query, S3 REST-XML) and rendering output and
errors for each protocol.

Everything here is pure (no sockets, no world state) so it can be tested
without a server."""

import base64
import binascii
import calendar
import copy
import datetime
import json
import re
import threading
import urllib.parse
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape as _xml_escape

import botocore.loaders
import botocore.model

from errors import AwsError

# Signing name -> botocore model name.
MODEL_NAMES = {
    "monitoring": "cloudwatch",
}
S3_NS = "http://s3.amazonaws.com/doc/2006-03-01/"
CW_JSON_TARGET = "GraniteServiceVersion20100801"

_loader = None
_models = {}
_models_lock = threading.Lock()
_patches = {}


def register_model_patch(signing_name, patch):
    """Merge extra operations/shapes (botocore service-2 format) into a model
    before it is first loaded; used by service modules for operations newer
    than Debian's botocore (e.g. BatchGetSecretValue)."""
    with _models_lock:
        _patches.setdefault(signing_name, []).append(patch)
        _models.pop(signing_name, None)


def model_for(signing_name):
    """The botocore ServiceModel for a signing name, or None."""
    global _loader
    with _models_lock:
        if signing_name in _models:
            return _models[signing_name]
        if _loader is None:
            _loader = botocore.loaders.create_loader()
        name = MODEL_NAMES.get(signing_name, signing_name)
        try:
            raw = _loader.load_service_model(name, "service-2")
        except Exception:
            _models[signing_name] = None
            return None
        raw = copy.deepcopy(raw)
        for patch in _patches.get(signing_name, []):
            for key in ("operations", "shapes"):
                raw.setdefault(key, {}).update(copy.deepcopy(patch.get(key, {})))
        model = botocore.model.ServiceModel(raw, service_name=name)
        _models[signing_name] = model
        return model


def target_prefixes(signing_names):
    """{X-Amz-Target prefix: signing name} for the JSON services."""
    out = {CW_JSON_TARGET: "monitoring"}
    for s in signing_names:
        m = model_for(s)
        if m is not None and m.metadata.get("protocol") == "json":
            out[m.metadata.get("targetPrefix")] = s
    return out


# --- time formats ----------------------------------------------------------
def iso8601(t):
    """Epoch seconds (or datetime) -> 2026-11-27T09:20:00.000Z."""
    if isinstance(t, datetime.datetime):
        t = to_epoch(t)
    d = datetime.datetime.utcfromtimestamp(float(t))
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (d.microsecond // 1000)


def rfc822(t):
    from email.utils import formatdate
    return formatdate(float(t), usegmt=True)


def to_epoch(v):
    if isinstance(v, datetime.datetime):
        if v.tzinfo is None:
            return calendar.timegm(v.timetuple()) + v.microsecond / 1e6
        return v.timestamp()
    return float(v)


_ISO_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?"
    r"(Z|[+-]\d{2}:?\d{2})?$")


def parse_timestamp(v):
    """ISO 8601 string or epoch number (as string or number) -> epoch seconds;
    raises ValueError."""
    if isinstance(v, bool):
        raise ValueError("boolean")
    if isinstance(v, (int, float)):
        return float(v)
    s = str(v).strip()
    try:
        return float(s)
    except ValueError:
        pass
    m = _ISO_RE.match(s)
    if not m:
        raise ValueError("bad timestamp")
    y, mo, d, h, mi, se, frac, tz = m.groups()
    dt = datetime.datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(se or 0))
    t = calendar.timegm(dt.timetuple())
    if frac:
        t += float("0." + frac)
    if tz and tz != "Z":
        sign = 1 if tz[0] == "+" else -1
        tz = tz[1:].replace(":", "")
        t -= sign * (int(tz[:2]) * 3600 + int(tz[2:]) * 60)
    return float(t)


def lower_camel(name):
    return name[:1].lower() + name[1:] if name else name


# --- validation ---------------------------------------------------------------
class Problems:
    """Collects validation problems in AWS's wording."""

    def __init__(self):
        self.items = []      # (kind, path, message)

    def add(self, kind, path, msg):
        self.items.append((kind, path, msg))


def _constraint_checks(shape, value, path, probs):
    # length/range/enum/pattern, as Coral's "Member must ..." messages.
    t = shape.type_name
    md = shape.metadata
    if t == "string":
        enum = shape.enum
        if enum and value not in enum:
            probs.add("enum", path, "Value '%s' at '%s' failed to satisfy constraint: Member must "
                      "satisfy enum value set: [%s]" % (value, path, ", ".join(enum)))
        if "min" in md and len(value) < md["min"]:
            probs.add("length", path, "Value '%s' at '%s' failed to satisfy constraint: Member must "
                      "have length greater than or equal to %d" % (value, path, md["min"]))
        if "max" in md and len(value) > md["max"]:
            probs.add("length", path, "Value '%s' at '%s' failed to satisfy constraint: Member must "
                      "have length less than or equal to %d" % (value[:64], path, md["max"]))
        if md.get("pattern"):
            try:
                ok = re.fullmatch(md["pattern"], value, re.S) is not None
            except re.error:
                ok = True   # Java-only regex syntax: do not enforce
            if not ok:
                probs.add("pattern", path, "Value '%s' at '%s' failed to satisfy constraint: Member "
                          "must satisfy regular expression pattern: %s" % (value[:64], path,
                                                                           md["pattern"]))
    elif t in ("integer", "long", "float", "double"):
        if "min" in md and value < md["min"]:
            probs.add("range", path, "Value '%s' at '%s' failed to satisfy constraint: Member must "
                      "have value greater than or equal to %s" % (value, path, md["min"]))
        if "max" in md and value > md["max"]:
            probs.add("range", path, "Value '%s' at '%s' failed to satisfy constraint: Member must "
                      "have value less than or equal to %s" % (value, path, md["max"]))
    elif t in ("list", "map"):
        n = len(value)
        if "min" in md and n < md["min"]:
            probs.add("length", path, "Value '%s' at '%s' failed to satisfy constraint: Member must "
                      "have length greater than or equal to %d" % (_short(value), path, md["min"]))
        if "max" in md and n > md["max"]:
            probs.add("length", path, "Value '%s' at '%s' failed to satisfy constraint: Member must "
                      "have length less than or equal to %d" % (_short(value), path, md["max"]))
    elif t == "blob":
        if "min" in md and len(value) < md["min"]:
            probs.add("length", path, "Value at '%s' failed to satisfy constraint: Member must "
                      "have length greater than or equal to %d" % (path, md["min"]))
        if "max" in md and len(value) > md["max"]:
            probs.add("length", path, "Value at '%s' failed to satisfy constraint: Member must "
                      "have length less than or equal to %d" % (path, md["max"]))


def _short(v):
    s = str(v)
    return s if len(s) < 80 else s[:77] + "..."


def check_required(shape, value, path, probs):
    """Required members, recursively, plus constraints (on converted values)."""
    if value is None:
        return
    t = shape.type_name
    if t == "structure":
        for req in shape.required_members:
            if value.get(req) is None:
                probs.add("missing", _join(path, req),
                          "Value null at '%s' failed to satisfy constraint: Member must not be "
                          "null" % _join(path, lower_camel(req)))
        for k, v in value.items():
            if k in shape.members:
                check_required(shape.members[k], v, _join(path, lower_camel(k)), probs)
    elif t == "list":
        _constraint_checks(shape, value, path, probs)
        for i, v in enumerate(value):
            check_required(shape.member, v, "%s.%d.member" % (path, i + 1), probs)
    elif t == "map":
        _constraint_checks(shape, value, path, probs)
        for k, v in value.items():
            check_required(shape.value, v, "%s.%s" % (path, k), probs)
    else:
        _constraint_checks(shape, value, path, probs)


def _join(path, name):
    return "%s.%s" % (path, name) if path else name


# --- JSON input ------------------------------------------------------------------
def json_input(shape, value, path, probs, strict=True):
    """Convert a decoded JSON value to the handler form (timestamps -> epoch
    floats, blobs -> bytes), reporting type errors and unknown members."""
    if value is None:
        return None
    t = shape.type_name
    if t == "structure":
        if not isinstance(value, dict):
            probs.add("type", path, "Start of structure or map found where not expected.")
            return None
        out = {}
        for k, v in value.items():
            m = shape.members.get(k)
            if m is None:
                if strict:
                    probs.add("unknown", _join(path, k), "Unrecognized field '%s' at '%s'"
                              % (k, path or "input"))
                continue
            if v is None:
                continue
            out[k] = json_input(m, v, _join(path, lower_camel(k)), probs, strict)
        return out
    if t == "list":
        if not isinstance(value, list):
            probs.add("type", path, "Unexpected value at '%s': expected a list" % path)
            return None
        return [json_input(shape.member, v, "%s.%d.member" % (path, i + 1), probs, strict)
                for i, v in enumerate(value)]
    if t == "map":
        if not isinstance(value, dict):
            probs.add("type", path, "Unexpected value at '%s': expected a map" % path)
            return None
        return {k: json_input(shape.value, v, "%s.%s" % (path, k), probs, strict)
                for k, v in value.items()}
    if t == "string":
        if not isinstance(value, str):
            probs.add("type", path, "%s can not be converted to a String" % _json_kind(value))
            return None
        return value
    if t == "boolean":
        if not isinstance(value, bool):
            probs.add("type", path, "%s can not be converted to a Boolean" % _json_kind(value))
            return None
        return value
    if t in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or \
                (isinstance(value, float) and not value.is_integer()):
            probs.add("type", path, "%s can not be converted to an Integer" % _json_kind(value))
            return None
        return int(value)
    if t in ("float", "double"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            probs.add("type", path, "%s can not be converted to a Double" % _json_kind(value))
            return None
        return float(value)
    if t == "timestamp":
        try:
            return parse_timestamp(value)
        except ValueError:
            probs.add("type", path, "%s can not be converted to a Timestamp" % _json_kind(value))
            return None
    if t == "blob":
        if not isinstance(value, str):
            probs.add("type", path, "%s can not be converted to a Blob" % _json_kind(value))
            return None
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            probs.add("type", path, "Base64 encoded value at '%s' is invalid" % path)
            return None
    return value


def _json_kind(v):
    if isinstance(v, bool):
        return "BOOLEAN_VALUE"
    if isinstance(v, (int, float)):
        return "NUMBER_VALUE"
    if isinstance(v, str):
        return "STRING_VALUE"
    if isinstance(v, list):
        return "START_ARRAY"
    if isinstance(v, dict):
        return "START_OBJECT"
    return "VALUE"


# --- query input -------------------------------------------------------------------
def query_input(shape, params, prefix, probs, path="", _pre=None):
    """Flattened query params {"A.member.1.B": "x"} -> nested dict per shape."""
    if _pre is None:
        # Every dotted prefix of every key, so presence tests are O(1) even for
        # GetMetricData's thousands of parameters.
        _pre = set()
        for k in params:
            parts = k.split(".")
            for i in range(1, len(parts) + 1):
                _pre.add(".".join(parts[:i]))
    t = shape.type_name
    if t == "structure":
        out = {}
        for name, m in shape.members.items():
            key = m.serialization.get("name", name)
            full = "%s.%s" % (prefix, key) if prefix else key
            if full not in _pre:
                continue
            v = query_input(m, params, full, probs, _join(path, lower_camel(name)), _pre)
            if v is not None:
                out[name] = v
        return out
    if t == "list":
        if params.get(prefix) == "" and not any(
                k.startswith(prefix + ".") for k in _pre if len(k) > len(prefix)):
            return []
        if shape.serialization.get("flattened"):
            base = prefix
        else:
            base = prefix + "." + shape.member.serialization.get("name", "member")
        items = []
        for i in range(1, 100001):
            k = "%s.%d" % (base, i)
            if k not in _pre:
                break
            items.append(query_input(shape.member, params, k, probs,
                                     "%s.%d.member" % (path, i), _pre))
        return items
    if t == "map":
        if shape.serialization.get("flattened"):
            base = prefix
        else:
            base = prefix + ".entry"
        kname = shape.key.serialization.get("name", "key")
        vname = shape.value.serialization.get("name", "value")
        out = {}
        for i in range(1, 100001):
            k = "%s.%d" % (base, i)
            if k not in _pre:
                break
            key = params.get("%s.%s" % (k, kname))
            if key is None:
                continue
            out[key] = query_input(shape.value, params, "%s.%s" % (k, vname), probs,
                                   "%s.%s" % (path, key), _pre)
        return out
    if prefix not in params:
        return None
    raw = params[prefix]
    return _scalar_from_text(shape, raw, path, probs)


def _scalar_from_text(shape, raw, path, probs):
    t = shape.type_name
    try:
        if t == "string":
            return raw
        if t == "boolean":
            if raw.lower() in ("true", "false"):
                return raw.lower() == "true"
            raise ValueError
        if t in ("integer", "long"):
            return int(raw)
        if t in ("float", "double"):
            return float(raw)
        if t == "timestamp":
            return parse_timestamp(raw)
        if t == "blob":
            return base64.b64decode(raw, validate=True)
    except (ValueError, binascii.Error):
        probs.add("type", path, "Invalid value '%s' for parameter %s" % (raw[:64], path))
        return None
    return raw


# --- XML (S3 REST-XML input) ---------------------------------------------------------
def _local(tag):
    return tag.rsplit("}", 1)[-1]


def xml_input(shape, elem, probs, path=""):
    """An ElementTree element -> value per shape (S3 bodies)."""
    t = shape.type_name
    if t == "structure":
        out = {}
        children = list(elem)
        for name, m in shape.members.items():
            if m.serialization.get("location"):
                continue
            key = m.serialization.get("name", name)
            if m.type_name == "list" and m.serialization.get("flattened"):
                mname = m.member.serialization.get("name", key)
                found = [c for c in children if _local(c.tag) == mname]
                if found:
                    out[name] = [xml_input(m.member, c, probs, "%s.%d" % (path, i))
                                 for i, c in enumerate(found)]
                continue
            found = [c for c in children if _local(c.tag) == key]
            if found:
                out[name] = xml_input(m, found[0], probs, _join(path, name))
        return out
    if t == "list":
        mname = shape.member.serialization.get("name", "member")
        return [xml_input(shape.member, c, probs, "%s.%d" % (path, i))
                for i, c in enumerate(elem) if _local(c.tag) == mname]
    if t == "map":
        out = {}
        for e in elem:
            k = e.find("key")
            v = e.find("value")
            if k is not None:
                out[k.text or ""] = xml_input(shape.value, v, probs, path) if v is not None else None
        return out
    return _scalar_from_text(shape, (elem.text or "").strip() if t != "string" else
                             (elem.text or ""), path, probs)


# --- output rendering -------------------------------------------------------------
def json_output(shape, value):
    """Handler output -> JSON-ready value (timestamps epoch numbers, blobs base64)."""
    if value is None:
        return None
    if shape is None:
        return _json_generic(value)
    t = shape.type_name
    if t == "structure" and isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if v is None:
                continue
            m = shape.members.get(k)
            out[k] = json_output(m, v) if m is not None else _json_generic(v)
        return out
    if t == "list" and isinstance(value, (list, tuple)):
        return [json_output(shape.member, v) for v in value]
    if t == "map" and isinstance(value, dict):
        return {k: json_output(shape.value, v) for k, v in value.items()}
    if t == "timestamp":
        e = to_epoch(value) if not isinstance(value, str) else parse_timestamp(value)
        return int(e) if float(e).is_integer() else e
    if t == "blob":
        if isinstance(value, str):
            value = value.encode()
        return base64.b64encode(value).decode()
    return _json_generic(value)


def _json_generic(v):
    if isinstance(v, datetime.datetime):
        return to_epoch(v)
    if isinstance(v, bytes):
        return base64.b64encode(v).decode()
    if isinstance(v, dict):
        return {k: _json_generic(x) for k, x in v.items() if x is not None}
    if isinstance(v, (list, tuple)):
        return [_json_generic(x) for x in v]
    return v


def _xml_scalar(shape, v, ts_default="iso8601"):
    t = shape.type_name
    if t == "boolean":
        return "true" if v else "false"
    if t == "timestamp":
        fmt = shape.serialization.get("timestampFormat", ts_default)
        if isinstance(v, str):
            v = parse_timestamp(v)
        if fmt == "rfc822":
            return rfc822(to_epoch(v))
        if fmt == "unixTimestamp":
            return str(int(to_epoch(v)))
        return iso8601(v)
    if t == "blob":
        if isinstance(v, str):
            v = v.encode()
        return base64.b64encode(v).decode()
    if t in ("float", "double"):
        f = float(v)
        return repr(int(f)) + ".0" if f.is_integer() and abs(f) < 1e16 else repr(f)
    return str(v)


def xml_members(shape, value, out, ts_default="iso8601"):
    """Append XML for a structure's members (query and S3 rules)."""
    for name, m in shape.members.items():
        if name not in value or value[name] is None:
            continue
        if m.serialization.get("location") or m.serialization.get("xmlAttribute"):
            continue
        xml_value(m, m.serialization.get("name", name), value[name], out, ts_default)


def _xml_attributes(shape, v):
    # Members serialized as XML attributes (S3 Grantee's xsi:type), with the
    # namespace declarations they need.
    attrs = []
    ns = shape.serialization.get("xmlNamespace")
    if isinstance(ns, dict) and ns.get("prefix"):
        attrs.append(' xmlns:%s="%s"' % (ns["prefix"], ns.get("uri", "")))
    for name, m in shape.members.items():
        if m.serialization.get("xmlAttribute") and isinstance(v, dict) and \
                v.get(name) is not None:
            attrs.append(' %s="%s"' % (m.serialization.get("name", name),
                                       _xml_escape(str(v[name]), {'"': "&quot;"})))
    return "".join(attrs)


def xml_value(shape, tag, v, out, ts_default="iso8601"):
    t = shape.type_name
    if t == "structure":
        out.append("<%s%s>" % (tag, _xml_attributes(shape, v)))
        if isinstance(v, dict):
            xml_members(shape, v, out, ts_default)
        out.append("</%s>" % tag)
    elif t == "list":
        mshape = shape.member
        if shape.serialization.get("flattened"):
            mtag = mshape.serialization.get("name", tag)
            for item in v:
                xml_value(mshape, mtag, item, out, ts_default)
        else:
            mtag = mshape.serialization.get("name", "member")
            out.append("<%s>" % tag)
            for item in v:
                xml_value(mshape, mtag, item, out, ts_default)
            out.append("</%s>" % tag)
    elif t == "map":
        kn = shape.key.serialization.get("name", "key")
        vn = shape.value.serialization.get("name", "value")
        flat = shape.serialization.get("flattened")
        if not flat:
            out.append("<%s>" % tag)
        for k, item in v.items():
            out.append("<%s>" % (tag if flat else "entry"))
            out.append("<%s>%s</%s>" % (kn, _xml_escape(str(k)), kn))
            xml_value(shape.value, vn, item, out, ts_default)
            out.append("</%s>" % (tag if flat else "entry"))
        if not flat:
            out.append("</%s>" % tag)
    else:
        out.append("<%s>%s</%s>" % (tag, _xml_escape(_xml_scalar(shape, v, ts_default)), tag))


def query_response(model, op, result, request_id):
    """The query-protocol XML response body for a successful call."""
    ns = model.metadata.get("xmlNamespace", "")
    out = ['<%sResponse xmlns="%s">' % (op.name, ns)]
    oshape = op.output_shape
    if oshape is not None:
        wrapper = _result_wrapper(op) or (op.name + "Result")
        out.append("<%s>" % wrapper)
        xml_members(oshape, result or {}, out)
        out.append("</%s>" % wrapper)
    out.append("<ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata>" % request_id)
    out.append("</%sResponse>" % op.name)
    return ("".join(out) + "\n").encode()


def _result_wrapper(op):
    # botocore keeps resultWrapper in the operation's output definition.
    try:
        return op._operation_model["output"].get("resultWrapper")
    except (KeyError, AttributeError, TypeError):
        return None


def query_error(model_ns, code, message, request_id, sender=True):
    return ('<ErrorResponse xmlns="%s"><Error><Type>%s</Type><Code>%s</Code><Message>%s'
            '</Message></Error><RequestId>%s</RequestId></ErrorResponse>\n' % (
                model_ns, "Sender" if sender else "Receiver", _xml_escape(code),
                _xml_escape(message), request_id)).encode()


def s3_error(code, message, request_id, extra=None):
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>%s</Code><Message>%s</Message>'
             % (_xml_escape(code), _xml_escape(message))]
    for k, v in (extra or {}).items():
        parts.append("<%s>%s</%s>" % (k, _xml_escape(str(v)), k))
    parts.append("<RequestId>%s</RequestId><HostId>%s</HostId></Error>" % (
        request_id, base64.b64encode(request_id.encode() * 2).decode()))
    return "".join(parts).encode()


S3_ROOTS = {
    "ListObjectsV2": "ListBucketResult",
    "ListObjects": "ListBucketResult",
    "GetBucketTagging": "Tagging",
    "ListBuckets": "ListAllMyBucketsResult",
    "GetBucketAcl": "AccessControlPolicy",
    "GetObjectTagging": "Tagging",
}


def s3_response(op, result):
    """(status, headers, body) for a successful S3 REST-XML call."""
    status = int(op.http.get("responseCode", 200))
    headers = {}
    oshape = op.output_shape
    result = result or {}
    body = b""
    if oshape is None:
        return status, headers, body
    for name, m in oshape.members.items():
        loc = m.serialization.get("location")
        if name not in result or result[name] is None:
            continue
        if loc == "header":
            headers[m.serialization.get("name", name)] = _xml_scalar(m, result[name], "rfc822")
        elif loc == "headers":
            pre = m.serialization.get("name", "")
            for k, v in result[name].items():
                headers[pre + k] = str(v)
        elif loc == "statusCode":
            status = int(result[name])
    payload = oshape.serialization.get("payload")
    if payload:
        m = oshape.members[payload]
        v = result.get(payload)
        if v is None:
            return status, headers, body
        if m.type_name in ("blob", "string"):
            body = v if isinstance(v, bytes) else str(v).encode()
            return status, headers, body
        tag = m.serialization.get("name", payload)
        out = ['<?xml version="1.0" encoding="UTF-8"?>\n']
        inner = []
        xml_value(m, tag, v, inner)
        first = inner[0]
        inner[0] = first[:-1] + ' xmlns="%s">' % S3_NS
        out.extend(inner)
        return status, headers, "".join(out).encode()
    body_members = {k: v for k, v in result.items()
                    if k in oshape.members and not oshape.members[k].serialization.get("location")}
    if not body_members and op.name not in S3_ROOTS:
        return status, headers, body
    root = S3_ROOTS.get(op.name, op.name + "Result")
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<%s xmlns="%s">' % (root, S3_NS)]
    xml_members(oshape, result, out)
    out.append("</%s>" % root)
    return status, headers, "".join(out).encode()


# --- S3 routing -------------------------------------------------------------------
class S3Route:
    def __init__(self, op):
        self.op = op
        uri = op.http["requestUri"]
        path, _, query = uri.partition("?")
        self.method = op.http["method"]
        self.has_key = "{Key+}" in path
        self.is_root = path == "/"
        self.query = {}
        shape = op.input_shape
        # Header members that must be present (CopyObject's x-amz-copy-source
        # tells it apart from PutObject on the same URI).
        required = shape.required_members if shape is not None else []
        self.required_headers = [
            shape.members[n].serialization.get("name", n).lower() for n in required
            if shape.members[n].serialization.get("location") == "header"]
        for part in query.split("&") if query else []:
            k, _, v = part.partition("=")
            if k == "x-id":     # newer SDKs' hint, not sent by every client
                continue
            self.query[k] = v if "=" in part else None
        # Required query members (AbortMultipartUpload's uploadId) tell apart
        # operations on the same URI.
        for n in required:
            m = shape.members[n]
            if m.serialization.get("location") == "querystring":
                self.query.setdefault(m.serialization.get("name", n), None)

    def matches(self, method, has_bucket, has_key, qs, header_names):
        if method != self.method:
            return False
        for h in self.required_headers:
            if h not in header_names:
                return False
        if self.is_root != (not has_bucket):
            return False
        if self.has_key != has_key:
            return False
        for k, v in self.query.items():
            if k not in qs:
                return False
            if v is not None and qs[k] != v:
                return False
        return True


_s3_routes = None


def s3_route(method, bucket, key, qs, header_names=()):
    """The S3 OperationModel a REST request maps to, or None."""
    global _s3_routes
    if _s3_routes is None:
        m = model_for("s3")
        routes = [S3Route(m.operation_model(n)) for n in m.operation_names]
        # Most specific first (more query keys), so ?policy wins over plain /{Bucket}.
        routes.sort(key=lambda r: (-len(r.query), -len(r.required_headers)))
        _s3_routes = routes
    names = {h.lower() for h in (header_names or ())}
    for r in _s3_routes:
        if r.matches(method, bool(bucket), bool(key), qs, names):
            return r.op
    return None


def s3_input(op, bucket, key, qs, headers, body, probs):
    """Input params for an S3 operation from the REST bindings."""
    shape = op.input_shape
    params = {}
    if shape is None:
        return params
    lower_headers = {k.lower(): v for k, v in headers.items()}
    for name, m in shape.members.items():
        loc = m.serialization.get("location")
        lname = m.serialization.get("name", name)
        if loc == "uri":
            if lname == "Bucket" and bucket is not None:
                params[name] = bucket
            elif lname in ("Key", "Key+") and key is not None:
                params[name] = key
        elif loc == "querystring":
            if lname in qs and qs[lname] is not None:
                v = _scalar_from_text(m, qs[lname], name, probs)
                if v is not None:
                    params[name] = v
        elif loc == "header":
            v = lower_headers.get(lname.lower())
            if v is not None:
                v = _scalar_from_text(m, v, name, probs) if m.type_name != "timestamp" else v
                if v is not None:
                    params[name] = v
        elif loc == "headers":
            pre = lname.lower()
            mp = {k[len(pre):]: v for k, v in lower_headers.items() if k.startswith(pre)}
            if mp:
                params[name] = mp
    payload = shape.serialization.get("payload")
    if payload:
        m = shape.members[payload]
        if m.type_name in ("blob", "string"):
            if body:
                params[payload] = body if m.type_name == "blob" else body.decode("utf-8", "replace")
        elif body and body.strip():
            try:
                root = ET.fromstring(body)
            except ET.ParseError:
                raise AwsError("MalformedXML", "The XML you provided was not well-formed or did "
                               "not validate against our published schema")
            expected = m.serialization.get("name", payload)
            if _local(root.tag) != expected:
                raise AwsError("MalformedXML", "The XML you provided was not well-formed or did "
                               "not validate against our published schema")
            params[payload] = xml_input(m, root, probs, payload)
    return params


def parse_qs_raw(raw_query):
    """Raw query string -> {key: value or None} (decoded; no '+' as space,
    as SigV4 clients encode spaces as %20). Last value wins."""
    out = {}
    if not raw_query:
        return out
    for part in raw_query.split("&"):
        if not part:
            continue
        k, eq, v = part.partition("=")
        out[urllib.parse.unquote(k)] = urllib.parse.unquote(v) if eq else ""
    return out


def parse_form(body):
    """application/x-www-form-urlencoded -> dict (last value wins)."""
    out = {}
    for k, v in urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
        out[k] = v
    return out


def validation_message(items):
    n = len(items)
    msgs = [m for _, _, m in items[:10]]
    return "%d validation error%s detected: %s" % (n, "" if n == 1 else "s", "; ".join(msgs))


def json_dumps(v):
    return json.dumps(v, separators=(",", ":")).encode()
