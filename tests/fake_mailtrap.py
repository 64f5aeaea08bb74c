"""A fake Mailtrap sending API on 127.0.0.1, over HTTPS with a trustme certificate.

It answers `POST /api/send` and `POST /api/send/<inbox_id>` the way Mailtrap does, so the real
`mailtrap` SDK (which always speaks https) can be pointed at it with api_host="127.0.0.1:<port>"
and REQUESTS_CA_BUNDLE naming the test CA. Tests queue failures with `fail_next(status, body)` or
`stall_next(seconds)` and read what arrived in `requests`.

`RecordingBackend` is the in-process counterpart for tests of what is sent (and when it fails).
"""

from __future__ import annotations

import json
import ssl
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import trustme

from kmerhosting.integrations.mail import MailError, SendResult


@dataclass
class Received:
    path: str
    headers: dict
    body: dict


class FakeMailtrap:
    def __init__(self, ca: trustme.CA | None = None):
        self.ca = ca or trustme.CA()
        self.requests: list[Received] = []
        self._plan: list[tuple] = []  # ("fail", status, body) | ("stall", seconds)
        self._lock = threading.Lock()
        self._count = 0
        cert = self.ca.issue_cert("127.0.0.1", "localhost")
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(context)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                fake._handle(self, raw)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.host = f"127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> "FakeMailtrap":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def ca_bundle(self, path) -> str:
        self.ca.cert_pem.write_to_path(str(path))
        return str(path)

    def fail_next(self, status: int, body: dict | None = None, times: int = 1) -> None:
        with self._lock:
            self._plan += [("fail", status, body)] * times

    def stall_next(self, seconds: float, times: int = 1) -> None:
        with self._lock:
            self._plan += [("stall", seconds)] * times

    @property
    def delivered(self) -> list[Received]:
        """The requests that were answered with success."""
        return [r for r in self.requests if r.headers.get("x-fake-outcome") == "ok"]

    def _handle(self, handler: BaseHTTPRequestHandler, raw: bytes) -> None:
        with self._lock:
            step = self._plan.pop(0) if self._plan else None
            self._count += 1
            message_id = f"fake-{self._count:05d}"
        headers = {k.lower(): v for k, v in handler.headers.items()}
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {"_raw": raw.decode(errors="replace")}
        record = Received(handler.path, headers, body)
        self.requests.append(record)
        if not (handler.path == "/api/send" or handler.path.startswith("/api/send/")):
            return self._answer(handler, 404, {"errors": ["Not Found"]})
        if step and step[0] == "stall":
            time.sleep(step[1])
            return self._answer(handler, 200, {"success": True, "message_ids": [message_id]}, quiet=True)
        if step and step[0] == "fail":
            return self._answer(handler, step[1], step[2] if step[2] is not None else {"errors": ["Internal error"]})
        if headers.get("authorization", "") != "Bearer test-token":
            return self._answer(handler, 401, {"errors": ["Unauthorized"]})
        if not body.get("to") or not body.get("from") or not body.get("subject"):
            return self._answer(handler, 400, {"errors": ["'to', 'from' and 'subject' are required"]})
        record.headers["x-fake-outcome"] = "ok"
        return self._answer(handler, 200, {"success": True, "message_ids": [message_id]})

    @staticmethod
    def _answer(handler, status: int, payload: dict, quiet: bool = False) -> None:
        data = json.dumps(payload).encode()
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        except OSError:
            if not quiet:  # the client gave up (timeout): nothing to answer
                raise



class RecordingBackend:
    name = "outbox"

    def __init__(self):
        self.sent = []
        self.failures = []  # errors to raise, one per coming send
        self._lock = threading.Lock()

    def fail_next(self, times: int = 1, error: str = "Mailtrap error 500: Internal Server Error") -> None:
        self.failures += [error] * times

    def send(self, message, *, notification_id=None):
        with self._lock:
            if self.failures:
                raise MailError(self.failures.pop(0))
            self.sent.append((notification_id, message))
            return SendResult(provider_id=f"rec-{len(self.sent)}")

    def to(self, email: str) -> list:
        return [m for _, m in self.sent if m.to_email == email]
