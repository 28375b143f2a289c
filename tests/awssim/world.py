"""The simulated world: accounts and credentials, the clock, the scheduler,
the mail spool and the registry of service instances.

Every handler runs holding World.lock (the server takes it), and so does
every scheduled callback, so services need no locking of their own."""

import heapq
import itertools
import json
import os
import sys
import threading
import time
import traceback
import uuid
from email.utils import formatdate


class Principal:
    """A set of credentials and the identity behind them.

    principal_type: "IAMUser", "AssumedRole" or "Root".
    session_token / expiration: set for temporary credentials (STS); then
    requests must carry X-Amz-Security-Token and are refused after expiration.
    """

    def __init__(self, account_id, access_key_id, secret_access_key, principal_arn,
                 principal_type="IAMUser", user_name=None, principal_id=None,
                 session_token=None, expiration=None, role_arn=None, session_name=None,
                 name=None, source_identity=None):
        self.account_id = account_id
        self.access_key_id = access_key_id
        self.secret_access_key = secret_access_key
        self.principal_arn = principal_arn
        self.principal_type = principal_type
        self.user_name = user_name
        self.principal_id = principal_id or _principal_id(principal_type, access_key_id,
                                                          session_name)
        self.session_token = session_token
        self.expiration = expiration
        self.role_arn = role_arn
        self.session_name = session_name
        self.name = name or user_name or session_name
        self.source_identity = source_identity

    @property
    def temporary(self):
        return self.session_token is not None

    def to_json(self):
        d = {
            "account_id": self.account_id,
            "access_key_id": self.access_key_id,
            "secret_access_key": self.secret_access_key,
            "principal_arn": self.principal_arn,
            "principal_type": self.principal_type,
            "principal_id": self.principal_id,
            "name": self.name,
        }
        if self.role_arn:
            d["role_arn"] = self.role_arn
        if self.session_token:
            d["session_token"] = self.session_token
            d["expiration"] = self.expiration
        return d

    def __repr__(self):
        return "Principal(%s, %s)" % (self.principal_arn, self.access_key_id)


# Accounts have one Principal per access key; the contract calls it Account.
Account = Principal


def _principal_id(principal_type, key, session_name):
    # Stable fake unique ids derived from the key: AIDA for users, AROA for roles.
    tail = (key or "X" * 17)[4:21].upper().ljust(17, "X")
    if principal_type == "AssumedRole":
        return "AROA" + tail + ":" + (session_name or "session")
    if principal_type == "Root":
        return "ACCOUNTROOT"
    return "AIDA" + tail


# Fixed, documented test credentials (they are fake; see README.md).
ACCOUNT_A = "111122223333"
ACCOUNT_B = "444455556666"
APP_ROLE = "app-server"
APP_SESSION = "i-0abc1234def567890"


def default_principals():
    """The principals every simulator starts with (first: the admin user alice)."""
    return [
        Principal(ACCOUNT_A, "AKIAAWSSIMALICE00001", "aliceSecretKey/awssim/000000000000000000",
                  "arn:aws:iam::%s:user/alice" % ACCOUNT_A, "IAMUser", user_name="alice"),
        Principal(ACCOUNT_A, "AKIAAWSSIMAPPSERVER1", "appSecretKey/awssim/00000000000000000000",
                  "arn:aws:sts::%s:assumed-role/%s/%s" % (ACCOUNT_A, APP_ROLE, APP_SESSION),
                  "AssumedRole", role_arn="arn:aws:iam::%s:role/%s" % (ACCOUNT_A, APP_ROLE),
                  session_name=APP_SESSION, name="app"),
        Principal(ACCOUNT_A, "AKIAAWSSIMINTRUDER01", "intruderSecretKey/awssim/000000000000000",
                  "arn:aws:iam::%s:user/intruder" % ACCOUNT_A, "IAMUser", user_name="intruder"),
        Principal(ACCOUNT_B, "AKIAAWSSIMBOB0000001", "bobSecretKey/awssim/00000000000000000000",
                  "arn:aws:iam::%s:user/bob" % ACCOUNT_B, "IAMUser", user_name="bob"),
    ]


class OpDispatch:
    """Base for service modules: handle() calls self.op_<Operation>(ctx, params);
    an operation without a method is answered as not implemented."""

    def handle(self, ctx, operation, params):
        fn = getattr(self, "op_" + operation, None)
        if fn is None:
            raise NotImplementedError(operation)
        return fn(ctx, params)


class Ctx:
    """Per-request context handed to Service.handle()."""

    def __init__(self, **kw):
        self.account_id = None
        self.principal_arn = None
        self.principal_type = None
        self.principal_id = None
        self.access_key_id = None
        self.session_token = None
        self.user_name = None
        self.source_ip = "127.0.0.1"
        self.user_agent = ""
        self.region = "us-east-1"
        self.request_id = str(uuid.uuid4())
        self.event_time = time.time()
        self.service = None
        self.operation = None
        self.vpc_endpoint_id = None
        self.principal = None
        self.protocol = None
        for k, v in kw.items():
            setattr(self, k, v)

    @classmethod
    def for_principal(cls, principal, **kw):
        """A context as if `principal` made a call (admin /read, internal calls)."""
        c = cls(account_id=principal.account_id, principal_arn=principal.principal_arn,
                principal_type=principal.principal_type, principal_id=principal.principal_id,
                access_key_id=principal.access_key_id, session_token=principal.session_token,
                user_name=principal.user_name, principal=principal)
        for k, v in kw.items():
            setattr(c, k, v)
        return c


# Delays (seconds) for what AWS does later; --realistic uses minutes.
FAST_DELAYS = {
    "cloudtrail_delivery": 1.0,       # event history visibility
    "logs_delivery": 1.0,             # trail -> log group
    "metric_filter": 0.0,             # log event -> datapoint
    "alarm_evaluation": 1.0,          # alarm evaluation cadence
    "sns_delivery": 0.0,              # publish -> mail spool
    "iam_role_propagation": 3.0,      # new role not yet usable by CloudTrail
}
REALISTIC_DELAYS = {
    "cloudtrail_delivery": 300.0,
    "logs_delivery": 300.0,
    "metric_filter": 60.0,
    "alarm_evaluation": 60.0,
    "sns_delivery": 5.0,
    "iam_role_propagation": 10.0,
}


class World:
    """Shared state of one simulator instance."""

    def __init__(self, directory=None, region="us-east-1", realistic=False, principals=None,
                 verbose=False):
        self.lock = threading.RLock()
        self.region = region
        self.realistic = realistic
        self.verbose = verbose
        self.dir = directory
        self.delays = dict(REALISTIC_DELAYS if realistic else FAST_DELAYS)
        self.accounts = list(principals or default_principals())
        self.credentials = {p.access_key_id: p for p in self.accounts}
        self.services = {}
        self.mail = []
        self.mail_spool = os.path.join(directory, "mail.spool") if directory else None
        self._queue = []
        self._seq = itertools.count()
        self.started = time.time()

    # --- clock and scheduler -------------------------------------------------
    def now(self):
        """The real clock (signatures are checked against it)."""
        return time.time()

    def schedule(self, due, fn, *args):
        """Run fn(*args) (holding the lock) at or after `due` (epoch seconds)."""
        with self.lock:
            heapq.heappush(self._queue, (float(due), next(self._seq), fn, args))

    def run_due(self):
        """Run every scheduled callback that is due now; returns how many ran.
        Callbacks scheduled by callbacks and already due run too (bounded)."""
        ran = 0
        with self.lock:
            for _ in range(100000):
                if not self._queue or self._queue[0][0] > self.now():
                    break
                _, _, fn, args = heapq.heappop(self._queue)
                try:
                    fn(*args)
                except Exception:  # a broken callback must not stop the world
                    traceback.print_exc(file=sys.stderr)
                ran += 1
        return ran

    def run_all_pending(self, horizon=None):
        """Run callbacks due up to now+horizon as if that time had come (used by
        tick with a horizon); returns how many ran."""
        ran = 0
        limit = self.now() + (horizon or 0)
        with self.lock:
            for _ in range(100000):
                if not self._queue or self._queue[0][0] > limit:
                    break
                _, _, fn, args = heapq.heappop(self._queue)
                try:
                    fn(*args)
                except Exception:
                    traceback.print_exc(file=sys.stderr)
                ran += 1
        return ran

    def pending(self):
        with self.lock:
            return len(self._queue)

    def tick(self, evaluate_alarms=True):
        """Perform everything that is due now, then each service's on_tick."""
        out = {}
        with self.lock:
            out["ran"] = self.run_due()
            for name, svc in list(self.services.items()):
                hook = getattr(svc, "on_tick", None)
                if hook is None:
                    continue
                try:
                    r = hook(evaluate_alarms)
                except Exception:
                    traceback.print_exc(file=sys.stderr)
                    continue
                if isinstance(r, dict):
                    out[name] = r
            # on_tick hooks may have scheduled immediate work (e.g. SNS delivery).
            out["ran"] += self.run_due()
            out["pending"] = len(self._queue)
        return out

    # --- services --------------------------------------------------------------
    def register(self, name, instance):
        self.services[name] = instance

    def service(self, name):
        """The service instance registered under its signing name, or None."""
        return self.services.get(name)

    def reset(self):
        """Forget all state: scheduled work, mail, temporary credentials, and
        every service's state (services re-seed their defaults)."""
        with self.lock:
            self._queue = []
            self.mail = []
            if self.mail_spool:
                with open(self.mail_spool, "w"):
                    pass
            self.credentials = {p.access_key_id: p for p in self.accounts}
            for svc in list(self.services.values()):
                fn = getattr(svc, "reset", None)
                if fn:
                    try:
                        fn()
                    except Exception:
                        traceback.print_exc(file=sys.stderr)

    # --- credentials -------------------------------------------------------------
    def add_credentials(self, principal):
        """Register (temporary) credentials issued by STS."""
        with self.lock:
            self.credentials[principal.access_key_id] = principal

    def lookup_key(self, access_key_id):
        return self.credentials.get(access_key_id)

    def account_ids(self):
        seen = []
        for p in self.accounts:
            if p.account_id not in seen:
                seen.append(p.account_id)
        return seen

    def principal_for(self, arn_or_key):
        """A Principal for an access key id, a principal ARN, a role ARN
        (as an assumed-role session) or an IAM user ARN; None if unknown form."""
        if not arn_or_key:
            return None
        p = self.credentials.get(arn_or_key)
        if p:
            return p
        for p in list(self.credentials.values()):
            if p.principal_arn == arn_or_key:
                return p
        parts = arn_or_key.split(":", 5)
        if len(parts) != 6 or parts[0] != "arn":
            return None
        acct, res = parts[4], parts[5]
        if parts[2] == "iam" and res.startswith("user/"):
            name = res.split("/")[-1]
            return Principal(acct, "AKIA" + _fake_tail(arn_or_key), "x", arn_or_key,
                             "IAMUser", user_name=name)
        if parts[2] == "iam" and res.startswith("role/"):
            role = res.split("/")[-1]
            session = "awssim-session"
            return Principal(acct, "ASIA" + _fake_tail(arn_or_key), "x",
                             "arn:aws:sts::%s:assumed-role/%s/%s" % (acct, role, session),
                             "AssumedRole", role_arn=arn_or_key, session_name=session,
                             name=role)
        if parts[2] == "sts" and res.startswith("assumed-role/"):
            bits = res.split("/")
            role = bits[1] if len(bits) > 1 else "role"
            session = bits[2] if len(bits) > 2 else "session"
            return Principal(acct, "ASIA" + _fake_tail(arn_or_key), "x", arn_or_key,
                             "AssumedRole",
                             role_arn="arn:aws:iam::%s:role/%s" % (acct, role),
                             session_name=session, name=role)
        if parts[2] == "iam" and res == "root":
            return Principal(acct, "AKIA" + _fake_tail(arn_or_key), "x", arn_or_key, "Root")
        return None

    # --- CloudTrail hook -----------------------------------------------------------
    def record_api_call(self, ctx, service, operation, params, result, error):
        """Called after every handled AWS API call; forwards to CloudTrail."""
        ct = self.services.get("cloudtrail")
        fn = getattr(ct, "record_api_call", None) if ct else None
        if fn is None:
            return
        try:
            fn(ctx, service, operation, params, result, error)
        except Exception:
            traceback.print_exc(file=sys.stderr)

    # --- mail -------------------------------------------------------------------
    def append_mail(self, to, subject, body, sender="no-reply@sns.amazonaws.com"):
        """Append one message to DIR/mail.spool (mbox format) and to the in-memory
        list served by GET /_awssim/mail."""
        with self.lock:
            t = self.now()
            msg = {
                "to": to,
                "from": sender,
                "subject": subject,
                "body": body,
                "time": t,
                "message_id": str(uuid.uuid4()),
            }
            self.mail.append(msg)
            if self.mail_spool:
                lines = body.split("\n")
                # mbox quoting: a body line starting with "From " would start a message.
                lines = [(">" + l) if l.startswith("From ") else l for l in lines]
                text = ("From %s %s\nFrom: %s\nTo: %s\nSubject: %s\nDate: %s\n"
                        "Message-ID: <%s@awssim>\nContent-Type: text/plain; charset=UTF-8\n\n"
                        "%s\n\n") % (
                            sender, time.asctime(time.gmtime(t)), sender, to,
                            subject.replace("\n", " "), formatdate(t, usegmt=True),
                            msg["message_id"], "\n".join(lines))
                with open(self.mail_spool, "a", encoding="utf-8") as f:
                    f.write(text)
            return msg


def _fake_tail(s):
    import hashlib
    return hashlib.sha256(s.encode()).hexdigest().upper()[:16]


def dumps(obj):
    return json.dumps(obj, sort_keys=True)
