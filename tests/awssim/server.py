"""HTTP/HTTPS front end of the simulator: TLS, request parsing, SigV4
verification with botocore's signer, routing, validation, rendering, admin
endpoints, fault injection and request counters."""

import collections
import datetime
import glob
import hashlib
import hmac
import http.server
import importlib
import json
import os
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time
import traceback
import urllib.parse
import uuid

from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth, SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

import protocol as P
from errors import AwsError
from world import Ctx, World

HERE = os.path.dirname(os.path.abspath(__file__))
SKEW_LIMIT = 300          # seconds, all services but S3
S3_SKEW_LIMIT = 900       # S3 allows 15 minutes (MaxAllowedSkewMilliseconds 900000)
MAX_BODY = 16 * 1024 * 1024

SIG_MISMATCH = ("The request signature we calculated does not match the signature you provided. "
                "Check your AWS Secret Access Key and signing method. Consult the service "
                "documentation for details.")
S3_SIG_MISMATCH = ("The request signature we calculated does not match the signature you "
                   "provided. Check your key and signing method.")
TOKEN_INVALID = "The security token included in the request is invalid."
TOKEN_EXPIRED = "The security token included in the request is expired"

# S3 operations that refuse a body without Content-MD5 (or a flexible
# checksum header). botocore's model flags more (PutBucketPolicy), but S3
# accepts those without one.
S3_MD5_REQUIRED = frozenset((
    "DeleteObjects", "PutBucketLifecycle", "PutBucketLifecycleConfiguration",
    "PutBucketReplication", "PutObjectLockConfiguration", "PutBucketCors", "PutBucketTagging",
    "PutPublicAccessBlock", "PutBucketEncryption"))

KNOWN_SERVICES = ("sts", "iam", "s3", "sns", "secretsmanager", "cloudtrail", "logs",
                  "monitoring")

# Throttling answer per service (code, status, message), as AWS sends them.
THROTTLE = {
    "cloudtrail": ("ThrottlingException", 400, "Rate exceeded"),
    "logs": ("ThrottlingException", 400, "Rate exceeded"),
    "secretsmanager": ("ThrottlingException", 400, "Rate exceeded"),
    "monitoring": ("Throttling", 400, "Rate exceeded"),
    "sts": ("Throttling", 400, "Rate exceeded"),
    "iam": ("Throttling", 400, "Rate exceeded"),
    "sns": ("Throttling", 400, "Rate exceeded"),
    "s3": ("SlowDown", 503, "Please reduce your request rate."),
}


# --- signers that use exactly the headers the client signed ------------------------
class _ExactHeaders:
    def headers_to_sign(self, request):
        # Use the client's SignedHeaders list as given (AWS does), including
        # headers botocore itself would never sign (user-agent).
        from botocore.compat import HTTPHeaders
        hm = HTTPHeaders()
        for name, value in request.headers.items():
            hm[name.lower()] = value
        return hm


class _V4(_ExactHeaders, SigV4Auth):
    pass


class _S3V4(_ExactHeaders, S3SigV4Auth):
    pass


class _V4Query(_ExactHeaders, SigV4QueryAuth):
    pass


class _S3V4Query(_ExactHeaders, S3SigV4QueryAuth):
    pass


def _amz_time(s):
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(s))


def _parse_amz_date(s):
    try:
        d = datetime.datetime.strptime(s, "%Y%m%dT%H%M%SZ")
    except (TypeError, ValueError):
        return None
    return d.replace(tzinfo=datetime.timezone.utc).timestamp()


def _canonical_query(raw_query, drop=()):
    """AWS-style canonical query: decode each key/value and re-encode with the
    unreserved set; botocore's signer then sorts."""
    pairs = []
    for part in (raw_query or "").split("&"):
        if not part:
            continue
        k, _, v = part.partition("=")
        k = urllib.parse.unquote(k)
        if k in drop:
            continue
        v = urllib.parse.unquote(v)
        pairs.append("%s=%s" % (urllib.parse.quote(k, safe="-_.~"),
                                urllib.parse.quote(v, safe="-_.~")))
    return "&".join(pairs)


class RawOp:
    """An operation missing from the botocore model (no validation)."""

    def __init__(self, name):
        self.name = name
        self.input_shape = None
        self.output_shape = None
        self.http = {}
        self.http_checksum_required = False
        self.http_checksum = {}


class Fault:
    def __init__(self, spec):
        self.service = spec.get("service") or None
        self.operation = spec.get("operation") or None
        self.kind = str(spec.get("kind", ""))
        self.count = int(spec.get("count", 1))
        self.account = spec.get("account") or None
        self.delay_s = float(spec.get("delay_s", 2.0))
        self.offset_s = float(spec.get("offset_s", 600.0))
        self.status = spec.get("status")
        self.spec = dict(spec)

    def matches(self, service, operation, account):
        return ((self.service is None or self.service == service) and
                (self.operation is None or self.operation == operation) and
                (self.account is None or self.account == account))


FAULT_KINDS = ("throttle", "500", "503", "delay", "reset", "malformed", "truncated",
               "content_type", "skew")


LOG_MAX = 10000
_READ_PREFIXES = ("Get", "List", "Describe", "Head", "Lookup", "Filter", "Test", "BatchGet")


def is_read_only(operation):
    """Whether an operation only reads (by AWS's naming convention)."""
    return bool(operation) and operation.startswith(_READ_PREFIXES)


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.clear()

    def clear(self):
        with getattr(self, "lock", threading.Lock()):
            self.total = 0
            self.connections = {"http": 0, "https": 0}
            self.tls_handshakes = 0
            self.tls_failures = 0
            self.rows = {}       # (service, operation, account) -> [count, errors]
            self.errors = {}     # code -> count
            self.log = collections.deque(maxlen=LOG_MAX)
            self.mutating = 0

    def count(self, service, operation, account, error_code=None, principal_arn=None,
              user_agent=None):
        with self.lock:
            self.total += 1
            ro = is_read_only(operation)
            if not ro:
                self.mutating += 1
            self.log.append({"time": time.time(), "service": service, "operation": operation,
                             "account": account, "principal_arn": principal_arn,
                             "user_agent": user_agent, "read_only": ro, "error": error_code})
            row = self.rows.setdefault((service or "-", operation or "-", account or "-"), [0, 0])
            row[0] += 1
            if error_code:
                row[1] += 1
                self.errors[error_code] = self.errors.get(error_code, 0) + 1

    def snapshot(self, with_log=True):
        with self.lock:
            services, operations, accounts = {}, {}, {}
            rows = []
            for (s, o, a), (n, e) in sorted(self.rows.items()):
                svc = services.setdefault(s, {"total": 0, "operations": {}})
                svc["total"] += n
                svc["operations"][o] = svc["operations"].get(o, 0) + n
                operations["%s.%s" % (s, o)] = operations.get("%s.%s" % (s, o), 0) + n
                accounts[a] = accounts.get(a, 0) + n
                rows.append({"service": s, "operation": o, "account": a, "count": n,
                             "errors": e})
            return {"total": self.total, "connections": sum(self.connections.values()),
                    "http_connections": self.connections["http"],
                    "https_connections": self.connections["https"],
                    "tls_handshakes": self.tls_handshakes, "tls_failures": self.tls_failures,
                    "services": services, "operations": operations, "accounts": accounts,
                    "errors": dict(self.errors), "rows": rows, "mutating": self.mutating,
                    "log": list(self.log) if with_log else None}


class Sim:
    """One simulator: the world, the loaded services, faults and counters."""

    def __init__(self, world, verbose=False):
        self.world = world
        self.verbose = verbose
        self.stats = Stats()
        self.faults = []
        self.faults_lock = threading.Lock()
        self.modules = {}
        self.idle_timeout_s = 120
        self.load_services()
        self.targets = P.target_prefixes(list(self.world.services))

    def load_services(self):
        for path in sorted(glob.glob(os.path.join(HERE, "svc_*.py"))):
            name = os.path.splitext(os.path.basename(path))[0]
            try:
                mod = importlib.import_module(name)
                signing = getattr(mod, "SIGNING_NAME")
                patch = getattr(mod, "MODEL_PATCH", None)
                if patch:
                    P.register_model_patch(signing, patch)
                svc = mod.Service(self.world)
                self.world.register(signing, svc)
                self.modules[signing] = mod
            except Exception:
                sys.stderr.write("awssim: cannot load %s:\n" % name)
                traceback.print_exc(file=sys.stderr)

    # --- faults ------------------------------------------------------------------
    def add_fault(self, spec):
        if not isinstance(spec, dict):
            raise ValueError("a fault is a JSON object")
        spec = dict(spec, kind=str(spec.get("kind", "")))   # 500 or "500"
        if spec["kind"] not in FAULT_KINDS:
            raise ValueError("kind must be one of %s" % ", ".join(FAULT_KINDS))
        f = Fault(spec)
        with self.faults_lock:
            self.faults.append(f)
        return f

    def take_fault(self, service, operation, account):
        with self.faults_lock:
            for f in self.faults:
                if f.matches(service, operation, account):
                    if f.count > 0:
                        f.count -= 1
                        if f.count == 0:
                            self.faults.remove(f)
                    return f
        return None

    def clear_faults(self):
        with self.faults_lock:
            self.faults = []


# --- the request handler ------------------------------------------------------------
class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "awssim"
    sys_version = ""
    timeout = None   # the server sets the socket timeout (idle_timeout_s)

    def log_message(self, fmt, *args):
        if self.server.sim.verbose:
            sys.stderr.write("awssim %s %s\n" % (self.address_string(), fmt % args))

    def version_string(self):
        return self.server_version

    def date_time_string(self, timestamp=None):
        if timestamp is None:
            timestamp = time.time() + getattr(self, "_date_offset", 0.0)
        return super().date_time_string(timestamp)

    def do_GET(self):
        self._serve()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = do_GET

    # --- plumbing ---------------------------------------------------------------------
    def _read_body(self):
        te = self.headers.get("Transfer-Encoding", "").lower()
        if "chunked" in te:
            data = bytearray()
            for _ in range(100000):
                line = self.rfile.readline(1024)
                if not line:
                    break
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    # trailers until blank line
                    for _ in range(100):
                        t = self.rfile.readline(8192)
                        if t in (b"\r\n", b"\n", b""):
                            break
                    break
                if len(data) + size > MAX_BODY:
                    raise ValueError("body too large")
                data += self.rfile.read(size)
                self.rfile.readline(8)
            return bytes(data)
        n = int(self.headers.get("Content-Length") or 0)
        if n < 0 or n > MAX_BODY:
            raise ValueError("body too large")
        return self.rfile.read(n) if n else b""

    def _send(self, status, headers, body, head_only=False):
        self.send_response(status)
        have = {k.lower() for k in headers}
        for k, v in headers.items():
            self.send_header(k, v)
        if "content-length" not in have:
            self.send_header("Content-Length", str(len(body)))
        # Headers and body in one write (one TLS record, one segment): a
        # separate small body write would wait on the client's delayed ACK.
        self._headers_buffer.append(b"\r\n")
        if body and not head_only:
            self._headers_buffer.append(body)
        self.flush_headers()

    def _serve(self):
        self._date_offset = 0.0
        self._fault = None
        try:
            raw = self._read_body()
        except (ValueError, OSError):
            self._send(400, {"Content-Type": "text/plain", "Connection": "close"},
                       b"bad request body\n")
            self.close_connection = True
            return
        self.raw_body = raw
        split = urllib.parse.urlsplit(self.path)
        self.raw_path = split.path or "/"
        self.raw_query = split.query
        try:
            if self.raw_path.startswith("/_awssim/") or self.raw_path == "/_awssim":
                status, headers, body = self._admin()
            else:
                status, headers, body = self._aws()
        except Exception:
            traceback.print_exc(file=sys.stderr)
            status, headers, body = 500, {"Content-Type": "text/plain"}, b"internal error\n"
        self._deliver(status, headers, body)

    def _deliver(self, status, headers, body):
        f = self._fault
        head = self.command == "HEAD"
        if f is not None and f.kind == "reset":
            # Abort the connection with a TCP RST, no response.
            try:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                           struct.pack("ii", 1, 0))
            except OSError:
                pass
            self.close_connection = True
            try:
                self.connection.close()
            except OSError:
                pass
            return
        if f is not None and f.kind == "truncated":
            # Announce the full length, send half, then close.
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self._send(status, headers, body, head_only=head)

    # --- admin ---------------------------------------------------------------------------
    def _admin(self):
        sim = self.server.sim
        world = sim.world
        if self.client_address[0] not in ("127.0.0.1", "::1"):
            return self._json(403, {"error": "admin interface is loopback only"})
        try:
            body = json.loads(self.raw_body.decode() or "{}") if self.raw_body.strip() else {}
            if not isinstance(body, dict):
                raise ValueError("body must be a JSON object")
        except (ValueError, UnicodeDecodeError) as e:
            return self._json(400, {"error": "bad JSON: %s" % e})
        for k, v in P.parse_qs_raw(self.raw_query).items():
            body.setdefault(k, v)
        name = self.raw_path[len("/_awssim/"):].strip("/")
        m = self.command
        try:
            if name == "fault":
                if m == "DELETE":
                    sim.clear_faults()
                    return self._json(200, {"faults": []})
                if m == "GET":
                    return self._json(200, {"faults": [dict(f.spec, remaining=f.count)
                                                       for f in sim.faults]})
                if m == "POST":
                    specs = body.get("faults") if isinstance(body.get("faults"), list) else [body]
                    for s in specs:
                        sim.add_fault(s)
                    return self._json(200, {"faults": [dict(f.spec, remaining=f.count)
                                                       for f in sim.faults]})
            elif name == "requests":
                if m == "DELETE":
                    sim.stats.clear()
                return self._json(200, sim.stats.snapshot(
                    str(body.get("log", "1")).lower() not in ("0", "false", "no")))
            elif name == "reset" and m == "POST":
                sim.clear_faults()
                sim.stats.clear()
                world.reset()
                return self._json(200, {"reset": True})
            elif name == "tick" and m == "POST":
                return self._json(200, world.tick(bool(body.get("evaluate_alarms", True))))
            elif name == "mail" and m == "GET":
                with world.lock:
                    mail = list(world.mail)
                return self._json(200, {"mail": mail, "spool": world.mail_spool})
            elif name == "mail" and m == "DELETE":
                with world.lock:
                    world.mail = []
                return self._json(200, {"mail": []})
            elif name == "config" and m == "GET":
                return self._json(200, self.server.config)
            elif name == "delays":
                if m == "POST":
                    for k, v in body.items():
                        if k not in world.delays:
                            return self._json(400, {"error": "unknown delay %s" % k})
                        world.delays[k] = float(v)
                return self._json(200, {"delays": world.delays})
            elif name in ("read", "record") and m == "POST":
                svc_name = "secretsmanager" if name == "read" else "cloudtrail"
                return self._service_admin(svc_name, name, body)
            elif name == "confirm" and m == "POST":
                return self._service_admin("sns", "confirm", body)
            elif name == "credentials" and m == "POST":
                return self._service_admin("sts", "credentials", body)
            elif "/" in name and m == "POST":
                svc_name, _, action = name.partition("/")
                return self._service_admin(svc_name, action, body)
            return self._json(404, {"error": "no admin endpoint %s %s" % (m, self.raw_path)})
        except (ValueError, KeyError, TypeError) as e:
            return self._json(400, {"error": "%s: %s" % (type(e).__name__, e)})
        except AwsError as e:
            return self._json(e.status, {"error": e.message, "code": e.code})
        except Exception as e:   # a bug in an admin handler: report it, keep serving
            traceback.print_exc(file=sys.stderr)
            return self._json(500, {"error": "%s: %s" % (type(e).__name__, e)})

    def _service_admin(self, svc_name, action, body):
        world = self.server.sim.world
        svc = world.service(svc_name)
        fn = getattr(svc, "admin", None) if svc is not None else None
        if fn is None:
            return self._json(501, {"error": "service %s has no admin interface" % svc_name})
        with world.lock:
            out = fn(action, body)
        return self._json(200, out if out is not None else {})

    def _json(self, status, obj):
        return status, {"Content-Type": "application/json"}, \
            (json.dumps(obj, default=_json_default, sort_keys=True) + "\n").encode()

    # --- AWS API ---------------------------------------------------------------------------
    def _aws(self):
        sim = self.server.sim
        world = sim.world
        req_id = str(uuid.uuid4())
        self.request_id = req_id
        h = self.headers
        target = h.get("X-Amz-Target")
        ctype = (h.get("Content-Type") or "").split(";")[0].strip().lower()
        qs = P.parse_qs_raw(self.raw_query)
        auth = h.get("Authorization")
        presigned = "X-Amz-Signature" in qs or "X-Amz-Credential" in qs

        # Which service and protocol: credential scope first (like AWS routes by
        # endpoint), then the request's shape.
        scope = None
        if auth and auth.startswith("AWS4-HMAC-SHA256"):
            scope = self._parse_auth_header(auth)
        elif presigned:
            scope = self._parse_presigned(qs)
        form = None
        if ctype == "application/x-www-form-urlencoded" and self.command == "POST":
            form = P.parse_form(self.raw_body)
        elif self.command in ("GET", "POST") and "Action" in qs and not target:
            form = {k: v for k, v in qs.items() if not k.startswith("X-Amz-")}

        service = scope["service"] if scope and scope.get("service") else \
            self._guess_service(target, form)
        wrong_scope = None
        if scope and not scope.get("broken") and service not in KNOWN_SERVICES and \
                service not in world.services:
            # Signed for a service this endpoint does not serve: answer as the
            # service the request is shaped for would.
            wrong_scope = service
            service = self._guess_service(target, form)
        self.service = service
        proto = self._protocol(service, target, ctype)
        self.proto = proto
        ctx = Ctx(source_ip=self.client_address[0], user_agent=h.get("User-Agent", ""),
                  request_id=req_id, event_time=world.now(), service=service,
                  region=(scope or {}).get("region") or world.region, protocol=proto)
        operation = None
        params = None
        model = P.model_for(service) if service else None
        try:
            if service is None or model is None:
                raise self._unknown_service(service, target, form)
            if wrong_scope is not None:
                e = self._auth_error(service, proto, "mismatch")
                e.message = "Credential should be scoped to correct service: '%s'. " % service
                raise e
            # Identify the operation before checking the signature, so faults
            # and counters know it even for refused requests.
            op = self._operation(model, service, proto, target, form, qs)
            operation = op.name if op is not None else None
            ctx.operation = operation
            principal = None
            # Faults match on the account the key claims (checked just below).
            claimed = world.lookup_key(scope["key"]) if scope else None
            fault = sim.take_fault(service, operation, claimed.account_id if claimed else None)
            if fault is not None and fault.kind == "skew":
                # The server's clock is off: judge the request (and send Date) by it.
                self._date_offset = fault.offset_s
            if scope is None and proto == "rest-xml" and (
                    (auth or "").startswith("AWS ") or "AWSAccessKeyId" in qs):
                raise AwsError("InvalidRequest", "The authorization mechanism you have provided "
                               "is not supported. Please use AWS4-HMAC-SHA256.", 400)
            if scope is None:
                if service == "sts" and operation in ("AssumeRoleWithWebIdentity",
                                                      "AssumeRoleWithSAML"):
                    pass
                else:
                    raise self._missing_auth(service, proto)
            else:
                principal = self._authenticate(scope, service, proto, qs, presigned)
                ctx.principal = principal
                ctx.account_id = principal.account_id
                ctx.principal_arn = principal.principal_arn
                ctx.principal_type = principal.principal_type
                ctx.principal_id = principal.principal_id
                ctx.access_key_id = principal.access_key_id
                ctx.session_token = principal.session_token
                ctx.user_name = principal.user_name
            if fault is not None and fault.kind != "skew":
                self._apply_fault(fault, service, proto)
            if op is None or service not in world.services:
                raise self._unknown_operation(service, proto, target, form)
            try:
                params = self._params(model, op, service, proto, form, qs)
            except AwsError as e:
                # Refused calls by an authenticated principal are API calls too.
                if scope is not None:
                    with world.lock:
                        world.record_api_call(ctx, service, operation, {}, None, e)
                raise
            svc = world.services[service]
            if fault is not None and fault.kind == "delay":
                time.sleep(max(0.0, min(fault.delay_s, 300.0)))
            with world.lock:
                try:
                    result = svc.handle(ctx, operation, params)
                except AwsError as e:
                    world.record_api_call(ctx, service, operation, params, None, e)
                    raise
                except NotImplementedError:
                    raise AwsError("NotImplemented" if proto == "rest-xml" else
                                   ("InvalidAction" if proto == "query" else
                                    "UnknownOperationException"),
                                   "%s is not implemented by the simulator" % operation,
                                   501 if proto == "rest-xml" else 400)
                except Exception:
                    traceback.print_exc(file=sys.stderr)
                    raise AwsError("InternalFailure" if proto != "rest-xml" else "InternalError",
                                   "The request processing has failed because of an unknown "
                                   "error, exception or failure.", 500, sender=False)
                world.record_api_call(ctx, service, operation, params, result, None)
            status, headers, body = self._render(model, op, proto, result, req_id)
            sim.stats.count(service, operation, ctx.account_id, None, ctx.principal_arn,
                            ctx.user_agent)
            if fault is not None:
                status, headers, body = self._post_fault(fault, proto, status, headers, body)
            return status, headers, body
        except AwsError as e:
            sim.stats.count(service, operation, ctx.account_id, e.code, ctx.principal_arn,
                            ctx.user_agent)
            return self._error(model, service, proto, e, req_id)
        except Exception:
            # Never let a bug take the server down: answer InternalFailure.
            traceback.print_exc(file=sys.stderr)
            e = AwsError("InternalFailure" if proto != "rest-xml" else "InternalError",
                         "The request processing has failed because of an unknown error, "
                         "exception or failure.", 500, sender=False)
            sim.stats.count(service, operation, ctx.account_id, e.code, ctx.principal_arn,
                            ctx.user_agent)
            return self._error(model, service, proto, e, req_id)

    def _guess_service(self, target, form):
        if target:
            return self.server.sim.targets.get(target.rpartition(".")[0])
        if form is not None and "Action" in form:
            # Unsigned query request: the service whose model has that action.
            for svc in ("sts", "iam", "sns", "monitoring"):
                m = P.model_for(svc)
                if m is not None and form["Action"] in m.operation_names:
                    return svc
            return None
        return "s3"

    def _protocol(self, service, target, ctype):
        if service == "s3":
            return "rest-xml"
        if service == "monitoring":
            if ctype == "application/x-amz-json-1.0" or (target or "").startswith(
                    P.CW_JSON_TARGET + "."):
                return "json10"
            return "query"
        model = P.model_for(service) if service else None
        if model is None:
            if target:
                return "json"
            return "query"
        return "json" if model.metadata.get("protocol") == "json" else \
            model.metadata.get("protocol")

    # --- auth --------------------------------------------------------------------------------
    def _parse_auth_header(self, auth):
        fields = {}
        rest = auth[len("AWS4-HMAC-SHA256"):].strip()
        for part in rest.split(","):
            k, _, v = part.strip().partition("=")
            fields[k.strip()] = v.strip()
        cred = fields.get("Credential", "")
        bits = cred.split("/")
        if len(bits) != 5 or not fields.get("SignedHeaders") or not fields.get("Signature"):
            self._incomplete = "Authorization header requires 'Credential', 'Signature' and " \
                "'SignedHeaders' parameters. Authorization=%s" % auth[:40]
            return {"key": bits[0] if bits else "", "date": "", "region": bits[2] if len(bits) > 2
                    else None, "service": bits[3] if len(bits) > 3 else None,
                    "broken": True, "signed_headers": [], "signature": ""}
        return {"key": bits[0], "date": bits[1], "region": bits[2], "service": bits[3],
                "terminator": bits[4], "signed_headers": fields["SignedHeaders"].split(";"),
                "signature": fields["Signature"], "broken": bits[4] != "aws4_request"}

    def _parse_presigned(self, qs):
        bits = qs.get("X-Amz-Credential", "").split("/")
        if len(bits) != 5:
            return {"key": "", "date": "", "region": None, "service": None, "broken": True,
                    "signed_headers": [], "signature": "", "presigned": True}
        return {"key": bits[0], "date": bits[1], "region": bits[2], "service": bits[3],
                "signed_headers": qs.get("X-Amz-SignedHeaders", "").split(";"),
                "signature": qs.get("X-Amz-Signature", ""), "presigned": True,
                "broken": qs.get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256"}

    def _auth_error(self, service, proto, kind, message=None, extra=None):
        """The error AWS answers for an authentication failure of `kind`:
        unknown, mismatch, skew, expired, incomplete, token."""
        if proto == "rest-xml":
            table = {
                "unknown": ("InvalidAccessKeyId", 403, "The AWS Access Key Id you provided does "
                            "not exist in our records."),
                "mismatch": ("SignatureDoesNotMatch", 403, S3_SIG_MISMATCH),
                "skew": ("RequestTimeTooSkewed", 403, "The difference between the request time "
                         "and the current time is too large."),
                "expired": ("ExpiredToken", 400, "The provided token has expired."),
                "token": ("InvalidToken", 400, "The provided token is malformed or otherwise "
                          "invalid."),
                "incomplete": ("AuthorizationHeaderMalformed", 400, "The authorization header "
                               "is malformed; the Credential is mal-formed; expecting "
                               "\"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\"."),
                "presign_expired": ("AccessDenied", 403, "Request has expired"),
            }
        elif proto == "json":
            table = {
                "unknown": ("UnrecognizedClientException", 400, TOKEN_INVALID),
                "token": ("UnrecognizedClientException", 400, TOKEN_INVALID),
                "mismatch": ("InvalidSignatureException", 400, SIG_MISMATCH),
                "skew": ("InvalidSignatureException", 400, message),
                "presign_expired": ("InvalidSignatureException", 400, message),
                "expired": ("ExpiredTokenException", 400, TOKEN_EXPIRED),
                "incomplete": ("IncompleteSignatureException", 400, message),
            }
        else:   # query and CloudWatch JSON 1.0 (query-compatible codes)
            table = {
                "unknown": ("InvalidClientTokenId", 403, TOKEN_INVALID),
                "token": ("InvalidClientTokenId", 403, TOKEN_INVALID),
                "mismatch": ("SignatureDoesNotMatch", 403, SIG_MISMATCH),
                "skew": ("SignatureDoesNotMatch", 403, message),
                "presign_expired": ("SignatureDoesNotMatch", 403, message),
                "expired": ("ExpiredToken", 403, TOKEN_EXPIRED),
                "incomplete": ("IncompleteSignature", 400, message),
            }
        code, status, msg = table[kind]
        return AwsError(code, message if (message and kind in ("incomplete",)) else msg,
                        status, extra=extra)

    def _missing_auth(self, service, proto):
        if proto == "rest-xml":
            return AwsError("AccessDenied", "Access Denied", 403)
        if proto == "json":
            return AwsError("MissingAuthenticationTokenException", "Missing Authentication Token",
                            400)
        return AwsError("MissingAuthenticationToken", "Request is missing Authentication Token",
                        403)

    def _authenticate(self, scope, service, proto, qs, presigned):
        world = self.server.sim.world
        h = self.headers
        if scope.get("broken"):
            raise self._auth_error(service, proto, "incomplete",
                                   getattr(self, "_incomplete", "Authorization header is "
                                           "malformed"))
        if presigned:
            amz_date = qs.get("X-Amz-Date", "")
        else:
            amz_date = h.get("X-Amz-Date") or ""
        t_req = _parse_amz_date(amz_date)
        if t_req is None and not presigned and h.get("Date"):
            # Date header form (RFC 1123) is allowed when X-Amz-Date is absent.
            try:
                from email.utils import parsedate_to_datetime
                t_req = parsedate_to_datetime(h["Date"]).timestamp()
                amz_date = _amz_time(t_req)
            except (TypeError, ValueError):
                t_req = None
        if t_req is None:
            raise self._auth_error(service, proto, "incomplete",
                                   "Authorization header requires existence of either a "
                                   "'X-Amz-Date' or a 'Date' header. Authorization=%s"
                                   % (h.get("Authorization") or "")[:40])
        if scope["date"] != amz_date[:8]:
            if proto == "rest-xml":
                raise self._auth_error(service, proto, "incomplete")
            raise self._auth_error(service, proto, "incomplete",
                                   "Date in Credential scope does not match YYYYMMDD from "
                                   "ISO-8601 version of date from HTTP: '%s' != '%s', from "
                                   "'%s'." % (scope["date"], amz_date[:8], amz_date))
        principal = world.lookup_key(scope["key"])
        if principal is None:
            extra = {"AWSAccessKeyId": scope["key"]} if proto == "rest-xml" else None
            raise self._auth_error(service, proto, "unknown", extra=extra)
        # Clock: the real one, shifted while a "skew" fault is active.
        now = world.now() + self._date_offset
        limit = S3_SKEW_LIMIT if proto == "rest-xml" else SKEW_LIMIT
        if presigned:
            try:
                expires = int(qs.get("X-Amz-Expires", "0"))
            except ValueError:
                expires = 0
            if expires > 604800 and proto == "rest-xml":
                raise AwsError("AuthorizationQueryParametersError", "X-Amz-Expires must be less "
                               "than a week (in seconds) that is 604800", 400)
            if now > t_req + expires:
                if proto == "rest-xml":
                    raise self._auth_error(service, proto, "presign_expired", extra={
                        "X-Amz-Expires": expires, "Expires": P.iso8601(t_req + expires)[:19] + "Z",
                        "ServerTime": P.iso8601(now)[:19] + "Z"})
                raise self._auth_error(service, proto, "presign_expired",
                                       "Signature expired: %s is now earlier than %s (%s - %d "
                                       "sec.)" % (amz_date, _amz_time(now - expires),
                                                  _amz_time(now), expires))
        # A presigned URL may be used until it expires (checked above), however
        # old its X-Amz-Date; only a date in the future is refused.
        if (t_req < now - limit and not presigned) or t_req > now + limit:
            if proto == "rest-xml":
                raise self._auth_error(service, proto, "skew", extra={
                    "RequestTime": amz_date, "ServerTime": P.iso8601(now)[:19] + "Z",
                    "MaxAllowedSkewMilliseconds": limit * 1000})
            if t_req < now - limit:
                msg = "Signature expired: %s is now earlier than %s (%s - 5 min.)" % (
                    amz_date, _amz_time(now - limit), _amz_time(now))
            else:
                msg = "Signature not yet current: %s is still later than %s (%s + 5 min.)" % (
                    amz_date, _amz_time(now + limit), _amz_time(now))
            raise self._auth_error(service, proto, "skew", msg)
        self._verify_signature(scope, principal, service, proto, qs, presigned, amz_date)
        token = qs.get("X-Amz-Security-Token") if presigned else h.get("X-Amz-Security-Token")
        if principal.temporary:
            if not token:
                extra = {"AWSAccessKeyId": scope["key"]} if proto == "rest-xml" else None
                raise self._auth_error(service, proto, "unknown", extra=extra)
            if not hmac.compare_digest(token, principal.session_token):
                raise self._auth_error(service, proto, "token")
            if principal.expiration is not None and world.now() >= principal.expiration:
                raise self._auth_error(service, proto, "expired")
        elif token:
            raise self._auth_error(service, proto, "token")
        return principal

    def _verify_signature(self, scope, principal, service, proto, qs, presigned, amz_date):
        h = self.headers
        signed = [s.strip().lower() for s in scope["signed_headers"] if s.strip()]
        if "host" not in signed and not presigned:
            raise self._auth_error(service, proto, "mismatch")
        headers = {}
        for name in signed:
            vals = h.get_all(name) or []
            headers[name] = ",".join(" ".join(v.split()) for v in vals)
        drop = ("X-Amz-Signature",) if presigned else ()
        query = _canonical_query(self.raw_query, drop)
        url = "http://%s%s%s" % (h.get("Host") or "localhost", self.raw_path,
                                 ("?" + query) if query else "")
        if proto == "rest-xml":
            cls = _S3V4Query if presigned else _S3V4
        else:
            cls = _V4Query if presigned else _V4
        creds = Credentials(principal.access_key_id, principal.secret_access_key)
        signer = cls(creds, scope["service"], scope["region"]) if not presigned else \
            cls(creds, scope["service"], scope["region"], expires=int(qs.get("X-Amz-Expires", 0)
                                                                      or 0))
        req = AWSRequest(method=self.command, url=url, headers=headers, data=self.raw_body)
        req.context["timestamp"] = amz_date
        if proto == "rest-xml" and not presigned:
            sha = h.get("x-amz-content-sha256")
            if sha is None:
                raise AwsError("InvalidRequest", "Missing required header for this request: "
                               "x-amz-content-sha256", 400)
            if sha not in ("UNSIGNED-PAYLOAD",) and not sha.startswith("STREAMING-"):
                if sha != hashlib.sha256(self.raw_body).hexdigest():
                    raise AwsError("XAmzContentSHA256Mismatch", "The provided "
                                   "'x-amz-content-sha256' header does not match what was "
                                   "computed.", 400, extra={
                                       "ClientComputedContentSHA256": sha,
                                       "S3ComputedContentSHA256":
                                           hashlib.sha256(self.raw_body).hexdigest()})
            if sha.startswith("STREAMING-"):
                raise AwsError("NotImplemented", "aws-chunked uploads are not supported by the "
                               "simulator", 501)
        canonical = signer.canonical_request(req)
        sts = signer.string_to_sign(req, canonical)
        expected = signer.signature(sts, req)
        if not hmac.compare_digest(expected, scope["signature"]):
            extra = None
            if proto == "rest-xml":
                extra = {"AWSAccessKeyId": scope["key"], "StringToSign": sts,
                         "SignatureProvided": scope["signature"],
                         "StringToSignBytes": " ".join("%02x" % b for b in sts.encode()),
                         "CanonicalRequest": canonical,
                         "CanonicalRequestBytes": " ".join("%02x" % b for b in
                                                           canonical.encode())}
            if self.server.sim.verbose:
                # Session tokens never reach the log, even fake ones.
                shown = "\n".join("x-amz-security-token:<redacted>"
                                  if ln.startswith("x-amz-security-token:") else ln
                                  for ln in canonical.split("\n"))
                sys.stderr.write("awssim: signature mismatch for %s; canonical request:\n%s\n"
                                 % (scope["key"], shown))
            raise self._auth_error(service, proto, "mismatch", extra=extra)

    # --- operations and params ------------------------------------------------------------
    def _unknown_service(self, service, target, form):
        proto = getattr(self, "proto", "query")
        if proto == "json" or target:
            return AwsError("UnknownOperationException", "", 400)
        if proto == "rest-xml":
            return AwsError("NotImplemented", "A header you provided implies functionality that "
                            "is not implemented", 501)
        return AwsError("InvalidAction", "The action or operation requested is invalid. Verify "
                        "that the action is typed correctly.", 400)

    def _unknown_operation(self, service, proto, target, form):
        if proto in ("json", "json10"):
            return AwsError("UnknownOperationException", "", 400)
        if proto == "rest-xml":
            return AwsError("NotImplemented", "A header you provided implies functionality that "
                            "is not implemented", 501)
        action = (form or {}).get("Action")
        if not action:
            return AwsError("MissingAction", "Missing Action", 400)
        return AwsError("InvalidAction", "Could not find operation %s for version %s" % (
            action, (form or {}).get("Version", "NO_VERSION_SPECIFIED")), 400)

    def _operation(self, model, service, proto, target, form, qs):
        if proto in ("json", "json10"):
            if not target or "." not in target:
                return None
            prefix, _, name = target.rpartition(".")
            want = P.CW_JSON_TARGET if proto == "json10" else model.metadata.get("targetPrefix")
            if prefix != want:
                return None
            if name not in model.operation_names:
                # Newer than Debian's botocore model and implemented by the
                # service module (op_<Name>): passed through unvalidated.
                svc = self.server.sim.world.service(service)
                if svc is not None and callable(getattr(svc, "op_" + name, None)):
                    return RawOp(name)
                return None
            return model.operation_model(name)
        if proto == "query":
            name = (form or {}).get("Action")
            if not name or name not in model.operation_names:
                return None
            return model.operation_model(name)
        if proto == "rest-xml":
            bucket, key = self._s3_bucket_key()
            self.s3_bucket, self.s3_key = bucket, key
            return P.s3_route(self.command, bucket, key, qs, list(self.headers.keys()))
        return None

    def _s3_bucket_key(self):
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0].lower()
        path = self.raw_path
        vhost = None
        if host.endswith(".localhost"):
            vhost = host[: -len(".localhost")]
            if vhost.endswith(".s3"):
                vhost = vhost[:-3]
        if vhost:
            key = urllib.parse.unquote(path[1:]) if len(path) > 1 else None
            return vhost, key
        parts = path[1:].split("/", 1)
        bucket = urllib.parse.unquote(parts[0]) if parts[0] else None
        key = urllib.parse.unquote(parts[1]) if len(parts) > 1 and parts[1] else None
        return bucket, key

    def _params(self, model, op, service, proto, form, qs):
        probs = P.Problems()
        shape = op.input_shape
        if isinstance(op, RawOp):
            try:
                data = json.loads(self.raw_body.decode("utf-8")) if self.raw_body.strip() else {}
            except (ValueError, UnicodeDecodeError):
                data = None
            if not isinstance(data, dict):
                raise self._serialization_error(proto, "Start of structure or map found where not "
                                                "expected.")
            return data
        if proto in ("json", "json10"):
            try:
                data = json.loads(self.raw_body.decode("utf-8")) if self.raw_body.strip() else {}
            except (ValueError, UnicodeDecodeError):
                raise self._serialization_error(proto, "Unexpected character found while parsing "
                                                "the request body")
            if not isinstance(data, dict):
                raise self._serialization_error(proto, "Start of structure or map found where not "
                                                "expected.")
            params = P.json_input(shape, data, "", probs, strict=True) if shape is not None \
                else {}
            if shape is None and data:
                probs.add("unknown", "", "Unrecognized field '%s'" % next(iter(data)))
        elif proto == "query":
            rest = {k: v for k, v in (form or {}).items() if k not in ("Action", "Version")}
            params = P.query_input(shape, rest, "", probs) if shape is not None else {}
        else:
            if op.name in S3_MD5_REQUIRED:
                self._check_md5(required=True)
            elif "Content-MD5" in self.headers:
                self._check_md5(required=False)
            params = P.s3_input(op, self.s3_bucket, self.s3_key, qs, self.headers,
                                self.raw_body, probs)
        if proto == "rest-xml":
            # S3 does not check enums against the model (regions and classes
            # grow); its own rules apply in the handler.
            probs.items = [p for p in probs.items if p[0] != "enum"]
        types = [p for p in probs.items if p[0] in ("type", "unknown")]
        if types:
            if proto == "json":
                if types[0][0] == "unknown":
                    raise AwsError("ValidationException", P.validation_message(types), 400)
                raise AwsError("SerializationException", types[0][2], 400)
            raise self._query_validation(service, proto, types)
        probs = P.Problems()
        if shape is not None:
            P.check_required(shape, params, "", probs)
        if proto == "rest-xml":
            probs.items = [p for p in probs.items if p[0] not in ("enum", "pattern")]
        if probs.items:
            if proto == "json":
                raise AwsError("ValidationException", P.validation_message(probs.items), 400)
            raise self._query_validation(service, proto, probs.items)
        return params

    def _serialization_error(self, proto, msg):
        if proto == "json10":
            return AwsError("InvalidParameterValue", msg, 400)
        return AwsError("SerializationException", msg, 400)

    def _query_validation(self, service, proto, items):
        kind, path, msg = items[0]
        top = path.split(".")[0] if path else ""
        pname = top[:1].upper() + top[1:]
        if service == "monitoring":
            if kind == "missing":
                return AwsError("MissingParameter", "The parameter %s is required." % pname, 400)
            if kind == "unknown":
                return AwsError("InvalidParameterValue", msg, 400)
            return AwsError("InvalidParameterValue", "The parameter %s %s" % (
                pname, "has an invalid value." if kind == "type" else "is invalid: " + msg), 400)
        if service == "sns":
            if kind == "missing":
                return AwsError("ValidationError", P.validation_message(items), 400)
            return AwsError("InvalidParameter", "Invalid parameter: %s" % pname, 400)
        if service == "s3":
            if kind == "missing":
                return AwsError("InvalidRequest", "Missing required parameter %s" % pname, 400)
            return AwsError("InvalidArgument", msg, 400)
        # IAM, STS
        if kind == "type":
            return AwsError("InvalidParameterValue", msg, 400)
        return AwsError("ValidationError", P.validation_message(items), 400)

    def _check_md5(self, required):
        import base64
        md5 = self.headers.get("Content-MD5")
        if md5 is None:
            if any(k.lower().startswith("x-amz-checksum-") for k in self.headers.keys()):
                return
            if required:
                raise AwsError("InvalidRequest", "Missing required header for this request: "
                               "Content-MD5", 400)
            return
        try:
            want = base64.b64decode(md5, validate=True)
            if len(want) != 16:
                raise ValueError
        except (ValueError, TypeError):
            raise AwsError("InvalidDigest", "The Content-MD5 you specified was invalid.", 400,
                           extra={"Content-MD5": md5})
        if hashlib.md5(self.raw_body).digest() != want:
            raise AwsError("BadDigest", "The Content-MD5 you specified did not match what we "
                           "received.", 400, extra={"ExpectedDigest": md5})

    # --- rendering ----------------------------------------------------------------------
    def _render(self, model, op, proto, result, req_id):
        extra_headers = {}
        if isinstance(result, dict) and ("_headers" in result or "_body" in result):
            result = dict(result)
            extra_headers = result.pop("_headers", None) or {}
            raw_body = result.pop("_body", None)
            if raw_body is not None:
                h = {"Content-Type": "application/xml" if proto == "rest-xml" else
                     "application/octet-stream"}
                h.update(extra_headers)
                return 200, h, raw_body if isinstance(raw_body, bytes) else raw_body.encode()
        status, headers, body = self._render_result(model, op, proto, result, req_id)
        headers.update(extra_headers)
        return status, headers, body

    def _render_result(self, model, op, proto, result, req_id):
        if proto == "json":
            body = P.json_dumps(P.json_output(op.output_shape, result or {}))
            return 200, {"Content-Type": "application/x-amz-json-1.1",
                         "x-amzn-RequestId": req_id}, body
        if proto == "json10":
            body = P.json_dumps(P.json_output(op.output_shape, result or {}))
            return 200, {"Content-Type": "application/x-amz-json-1.0",
                         "x-amzn-RequestId": req_id}, body
        if proto == "query":
            return 200, {"Content-Type": "text/xml", "x-amzn-RequestId": req_id}, \
                P.query_response(model, op, result, req_id)
        status, headers, body = P.s3_response(op, result)
        headers = dict(headers)
        headers["x-amz-request-id"] = req_id[:16].replace("-", "").upper()
        headers["x-amz-id-2"] = "awssim/" + req_id
        if body:
            headers.setdefault("Content-Type", "application/xml")
        return status, headers, body

    def _error(self, model, service, proto, e, req_id):
        headers = {"x-amzn-RequestId": req_id}
        headers.update(e.headers)
        if proto == "json":
            # Modelled errors use their shape's member name ("Message" in Secrets
            # Manager and CloudTrail); generic ones (auth, throttling) "message".
            body = {"__type": e.code, _message_key(model, e.code): e.message}
            body.update(e.extra)
            headers["Content-Type"] = "application/x-amz-json-1.1"
            headers["x-amzn-ErrorType"] = "%s:http://internal.amazon.com/coral/com.amazon." \
                "coral.service/" % e.code
            return e.status, headers, P.json_dumps(body)
        if proto == "json10":
            headers["Content-Type"] = "application/x-amz-json-1.0"
            headers["x-amzn-query-error"] = "%s;%s" % (e.code, "Sender" if e.sender else
                                                       "Receiver")
            body = {"__type": _cw_json_type(e.code), "message": e.message}
            body.update(e.extra)
            return e.status, headers, P.json_dumps(body)
        if proto == "rest-xml":
            headers = {"x-amz-request-id": req_id[:16].replace("-", "").upper(),
                       "x-amz-id-2": "awssim/" + req_id}
            headers.update(e.headers)
            if self.command == "HEAD":
                return e.status, headers, b""
            headers["Content-Type"] = "application/xml"
            return e.status, headers, P.s3_error(e.code, e.message, req_id, e.extra)
        ns = model.metadata.get("xmlNamespace", "") if model is not None else ""
        headers["Content-Type"] = "text/xml"
        return e.status, headers, P.query_error(ns, e.code, e.message, req_id, e.sender)

    # --- faults --------------------------------------------------------------------------
    def _apply_fault(self, f, service, proto):
        if f.kind == "throttle":
            code, status, msg = THROTTLE.get(service, ("ThrottlingException", 400,
                                                       "Rate exceeded"))
            if proto == "json10":
                code = "Throttling"
            raise AwsError(code, msg, status)
        if f.kind == "500":
            if proto == "rest-xml":
                raise AwsError("InternalError", "We encountered an internal error. Please try "
                               "again.", 500, sender=False)
            raise AwsError("InternalFailure", "The request processing has failed because of an "
                           "unknown error, exception or failure.", 500, sender=False)
        if f.kind == "503":
            if proto == "rest-xml":
                raise AwsError("ServiceUnavailable", "Please reduce your request rate.", 503,
                               sender=False)
            raise AwsError("ServiceUnavailable", "Service is unable to handle request.", 503,
                           sender=False)
        # delay, reset, malformed, truncated, content_type act around the handler.
        self._fault = f

    def _post_fault(self, f, proto, status, headers, body):
        if f.kind == "malformed":
            headers = dict(headers)
            if proto in ("json", "json10"):
                body = b'{"__type": "Oops", "Events": [{"EventId": '
            else:
                body = b"<?xml version=\"1.0\"?><Response><Result><unclosed>&bogus;</Response"
            return status, headers, body
        if f.kind == "content_type":
            return 200, {"Content-Type": "text/html; charset=utf-8"}, (
                b"<!DOCTYPE html><html><head><title>Gateway</title></head><body><h1>Network "
                b"login required</h1></body></html>\n")
        return status, headers, body


_CW_JSON_TYPES = None


def _message_key(model, code):
    if model is None or code not in model.shape_names:
        return "message"
    try:
        shape = model.shape_for(code)
    except Exception:   # botocore raises various lookup errors
        return "message"
    members = getattr(shape, "members", {}) or {}
    if "Message" in members:
        return "Message"
    return "message"


def _cw_json_type(code):
    # CloudWatch JSON 1.0 __type: the modelled error shape's qualified name for
    # modelled errors (its query code travels in x-amzn-query-error).
    global _CW_JSON_TYPES
    if _CW_JSON_TYPES is None:
        m = P.model_for("monitoring")
        table = {}
        if m is not None:
            for sname in m.shape_names:
                s = m.shape_for(sname)
                err = s.metadata.get("error") if hasattr(s, "metadata") else None
                if s.metadata.get("exception") and err and err.get("code"):
                    table[err["code"]] = "com.amazonaws.cloudwatch#" + sname
        table["Throttling"] = "ThrottlingException"
        _CW_JSON_TYPES = table
    return _CW_JSON_TYPES.get(code, code)


def _json_default(o):
    if isinstance(o, bytes):
        return o.decode("utf-8", "replace")
    if isinstance(o, (set, tuple)):
        return list(o)
    if isinstance(o, datetime.datetime):
        return P.to_epoch(o)
    return str(o)


# --- servers ---------------------------------------------------------------------------
class HTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, addr, sim, config, tls_context=None):
        self.sim = sim
        self.config = config
        self.tls_context = tls_context
        super().__init__(addr, Handler)

    def finish_request(self, request, client_address):
        # TLS handshake in the worker thread (not the accept loop), counted.
        stats = self.sim.stats
        try:
            request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        if self.tls_context is not None:
            with stats.lock:
                stats.connections["https"] += 1
            request.settimeout(30)
            try:
                request = self.tls_context.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                with stats.lock:
                    stats.tls_failures += 1
                return
            with stats.lock:
                stats.tls_handshakes += 1
        else:
            with stats.lock:
                stats.connections["http"] += 1
        # Idle keep-alive connections are closed after this long (per socket).
        request.settimeout(self.sim.idle_timeout_s)
        try:
            self.RequestHandlerClass(request, client_address, self)
        except (ConnectionError, ssl.SSLError, socket.timeout, OSError):
            pass

    def handle_error(self, request, client_address):
        if self.sim.verbose:
            super().handle_error(request, client_address)


def make_certs(directory):
    """CA and server certificate (SAN 127.0.0.1, localhost, *.localhost) with
    the openssl CLI; returns (ca_file, cert_file, key_file)."""
    ca_key = os.path.join(directory, "ca.key")
    ca = os.path.join(directory, "ca.pem")
    key = os.path.join(directory, "server.key")
    csr = os.path.join(directory, "server.csr")
    cert = os.path.join(directory, "server.pem")
    ext = os.path.join(directory, "server.ext")
    run = lambda *a: subprocess.run(["openssl"] + list(a), check=True,  # noqa: E731
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=30)
    run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", ca_key, "-out", ca, "-days", "30", "-subj", "/CN=awssim test CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        "-addext", "subjectKeyIdentifier=hash")
    run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", key, "-out", csr, "-subj", "/CN=localhost")
    with open(ext, "w") as f:
        f.write("basicConstraints=critical,CA:FALSE\n"
                "keyUsage=critical,digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=serverAuth\n"
                "subjectKeyIdentifier=hash\n"
                "authorityKeyIdentifier=keyid\n"
                "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:*.localhost\n")
    run("x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
        "-out", cert, "-days", "30", "-extfile", ext)
    for p in (csr, ext, os.path.join(directory, "ca.srl")):
        try:
            os.unlink(p)
        except OSError:
            pass
    os.chmod(ca_key, 0o600)
    os.chmod(key, 0o600)
    return ca, cert, key


class Simulator:
    """Starts and stops the whole simulator (used by the awssim script)."""

    def __init__(self, directory, http_port=0, https_port=0, realistic=False, verbose=False,
                 region="us-east-1", principals=None, idle_timeout_s=120):
        self.dir = os.path.abspath(directory)
        os.makedirs(self.dir, exist_ok=True)
        self.state_file = os.path.join(self.dir, "awssim.json")
        try:
            os.unlink(self.state_file)
        except OSError:
            pass
        self.world = World(self.dir, region=region, realistic=realistic, verbose=verbose,
                           principals=principals)
        self.sim = Sim(self.world, verbose=verbose)
        self.sim.idle_timeout_s = idle_timeout_s
        ca, cert, key = make_certs(self.dir)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(cert, key)
        self.config = {"region": region, "ca_file": ca, "dir": self.dir, "pid": os.getpid(),
                       "mail_spool": self.world.mail_spool, "realistic": realistic,
                       "accounts": [p.to_json() for p in self.world.accounts]}
        self.http = HTTPServer(("127.0.0.1", http_port), self.sim, self.config)
        self.https = HTTPServer(("127.0.0.1", https_port), self.sim, self.config, ctx)
        self.config["http_port"] = self.http.server_address[1]
        self.config["https_port"] = self.https.server_address[1]
        self.config["endpoint_http"] = "http://127.0.0.1:%d" % self.config["http_port"]
        self.config["endpoint_https"] = "https://127.0.0.1:%d" % self.config["https_port"]
        self.config["services"] = sorted(self.world.services)
        open(self.world.mail_spool, "a").close()
        self.stop_event = threading.Event()
        self.threads = []

    def start(self):
        for srv in (self.http, self.https):
            t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.2},
                                 daemon=True)
            t.start()
            self.threads.append(t)
        t = threading.Thread(target=self._background, daemon=True)
        t.start()
        self.threads.append(t)
        tmp = self.state_file + ".tmp"
        with open(tmp, "w") as f:
            json.dump(self.config, f, indent=2, sort_keys=True)
            f.write("\n")
        os.replace(tmp, self.state_file)

    def _background(self):
        while not self.stop_event.wait(0.25):
            try:
                self.world.run_due()
            except Exception:
                traceback.print_exc(file=sys.stderr)

    def stop(self):
        self.stop_event.set()
        for srv in (self.http, self.https):
            srv.shutdown()
            srv.server_close()
