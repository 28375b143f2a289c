#!/usr/bin/python3
"""A loopback HTTP(S) server that answers from a script, for the C tests.

Usage: scripted_server.py --script FILE --log FILE [--cert PEM --key PEM]
                          [--verify-secret SECRET]

It listens on 127.0.0.1 on a free port, prints the port on stdout, and
answers each request (in arrival order, whatever the connection) with the
next step of the JSON list in FILE; past the end it answers 500. Each request
is logged as one JSON line (connection number, method, path, headers, body)
to the log file before it is answered, so a test can check what was sent.

Step fields (all optional): status (200), headers {name: value}, body (str),
body_bytes (n: a body of n 'x'), delay_ms (wait before answering),
date_offset_s (Date header = now + offset), reset_mid_body (send the headers
and half the body, then reset the connection), close (close after answering),
no_length (no Content-Length: the body ends when the connection closes).

With --verify-secret, each request's SigV4 Authorization header is checked
with botocore's signer (an independent implementation) over the request as it
arrived, and the log entry gets "sig_ok" (and "sig_error" saying why not).

It exits when stdin closes or after 120 seconds, so it never outlives a test.
"""
import argparse
import email.utils
import json
import os
import socket
import ssl
import struct
import sys
import threading
import time

MAX_HEAD = 65536
MAX_BODY = 8 << 20


def read_request(f):
    line = f.readline(MAX_HEAD)
    if not line:
        return None
    method, path, _ = line.decode("latin-1").rstrip("\r\n").split(" ", 2)
    headers = []
    total = 0
    while True:
        h = f.readline(MAX_HEAD)
        total += len(h)
        if not h or total > MAX_HEAD:
            return None
        h = h.decode("latin-1").rstrip("\r\n")
        if not h:
            break
        name, _, value = h.partition(":")
        headers.append([name.strip(), value.strip()])
    length = 0
    for name, value in headers:
        if name.lower() == "content-length":
            length = min(int(value), MAX_BODY)
    body = f.read(length) if length else b""
    return method, path, headers, body


def verify_sigv4(secret, req):
    """Recomputes the request's SigV4 signature with botocore; returns
    (ok, reason)."""
    from botocore.auth import S3SigV4Auth, SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    method, path, headers, body = req
    hdr = {}
    for name, value in headers:
        hdr.setdefault(name.lower(), value)
    auth = hdr.get("authorization", "")
    if not auth.startswith("AWS4-HMAC-SHA256 "):
        return False, "no SigV4 Authorization header"
    fields = {}
    for part in auth[len("AWS4-HMAC-SHA256 "):].split(","):
        k, _, v = part.strip().partition("=")
        fields[k] = v
    try:
        akid, date8, region, service, _ = fields["Credential"].split("/")
        signed = fields["SignedHeaders"].split(";")
        given = fields["Signature"]
    except (KeyError, ValueError):
        return False, "malformed Authorization header"
    amz_date = hdr.get("x-amz-date", "")
    if amz_date[:8] != date8:
        return False, "X-Amz-Date does not match the credential scope"
    missing = [h for h in signed if h not in hdr]
    if missing or "host" not in signed:
        return False, "signed headers missing: %s" % missing
    signed_headers = {h: hdr[h] for h in signed}
    request = AWSRequest(method=method, url="http://" + hdr["host"] + path,
                         headers=signed_headers, data=body)
    request.context["timestamp"] = amz_date
    creds = Credentials(akid, secret, hdr.get("x-amz-security-token"))
    cls = S3SigV4Auth if service == "s3" else SigV4Auth
    signer = cls(creds, service, region)
    canonical = signer.canonical_request(request)
    expected = signer.signature(signer.string_to_sign(request, canonical),
                                request)
    if expected != given:
        return False, "signature mismatch; botocore canonical request:\n" + \
            canonical
    return True, ""


class Server:
    def __init__(self, script, log_path, verify_secret=None):
        self.verify_secret = verify_secret
        self.script = script
        self.log = open(log_path, "a", encoding="utf-8")
        self.lock = threading.Lock()
        self.next_step = 0
        self.connections = 0

    def take_step(self):
        with self.lock:
            i = self.next_step
            self.next_step += 1
        if i < len(self.script):
            return self.script[i]
        return {"status": 500, "body": "script exhausted"}

    def log_request(self, conn_no, req):
        method, path, headers, body = req
        entry = {"conn": conn_no, "method": method, "path": path,
                 "headers": headers,
                 "body": body.decode("utf-8", "replace")}
        if self.verify_secret is not None:
            try:
                ok, why = verify_sigv4(self.verify_secret, req)
            except Exception as e:  # a crash here must show in the log
                ok, why = False, "verifier error: %r" % (e,)
            entry["sig_ok"] = ok
            if why:
                entry["sig_error"] = why
        with self.lock:
            self.log.write(json.dumps(entry) + "\n")
            self.log.flush()

    def answer(self, sock, step):
        time.sleep(step.get("delay_ms", 0) / 1000.0)
        body = step.get("body", "").encode()
        if "body_bytes" in step:
            body = b"x" * int(step["body_bytes"])
        status = int(step.get("status", 200))
        now = time.time() + float(step.get("date_offset_s", 0))
        head = ["HTTP/1.1 %d %s" % (status, "OK" if status < 400 else "Error"),
                "Date: " + email.utils.formatdate(now, usegmt=True),
                ]
        if not step.get("no_length"):
            head.append("Content-Length: %d" % len(body))
        for name, value in step.get("headers", {}).items():
            head.append("%s: %s" % (name, value))
        if step.get("close") or step.get("no_length"):
            head.append("Connection: close")
        data = ("\r\n".join(head) + "\r\n\r\n").encode() + body
        if step.get("reset_mid_body"):
            sock.sendall(data[: len(data) - max(1, len(body) // 2)])
            time.sleep(0.05)
            # SO_LINGER 0: close sends a TCP RST instead of a FIN.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                            struct.pack("ii", 1, 0))
            return False
        sock.sendall(data)
        return not (step.get("close") or step.get("no_length"))

    def serve_connection(self, sock, conn_no):
        f = None
        try:
            f = sock.makefile("rb")
            while True:
                req = read_request(f)
                if req is None:
                    break
                self.log_request(conn_no, req)
                step = self.take_step()
                if req[0] == "HEAD" and "body" in step:
                    step = dict(step, body="")
                if not self.answer(sock, step):
                    break
        except (OSError, ValueError, ssl.SSLError):
            pass
        finally:
            try:
                # The file holds a reference: the descriptor closes (and the
                # RST goes out) only when both are closed.
                if f is not None:
                    f.close()
                sock.close()
            except OSError:
                pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--script", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--verify-secret")
    args = ap.parse_args()
    with open(args.script, encoding="utf-8") as f:
        script = json.load(f)
    if args.verify_secret is not None:
        # Import before reporting the port: a first import under load can
        # take seconds, which must not count against a request's timeout.
        import botocore.auth  # noqa: F401
        import botocore.awsrequest  # noqa: F401
        import botocore.credentials  # noqa: F401
    server = Server(script, args.log, args.verify_secret)
    ctx = None
    if args.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.cert, args.key)
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(16)
    print(lsock.getsockname()[1], flush=True)

    def watchdog():
        sys.stdin.read()
        os._exit(0)

    threading.Thread(target=watchdog, daemon=True).start()
    threading.Timer(120, lambda: os._exit(0)).start()
    while True:
        sock, _ = lsock.accept()
        server.connections += 1
        conn_no = server.connections
        if ctx is not None:
            try:
                sock.settimeout(5)
                sock = ctx.wrap_socket(sock, server_side=True)
                sock.settimeout(None)
            except (OSError, ssl.SSLError):
                sock.close()
                continue
        threading.Thread(target=server.serve_connection,
                         args=(sock, conn_no), daemon=True).start()


if __name__ == "__main__":
    main()
