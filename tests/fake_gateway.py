"""What the fake payment gateways share: an HTTP server on 127.0.0.1, recorded requests, planned
failures, and a webhook receiver standing in for the shop's callback URL.

A subclass names the operation a request is (`route`) and carries it out (`handle`). A request that
breaks the gateway's contract is listed in `violations` (and answered as the gateway would refuse
it), so a test can assert that the real client spoke the protocol. Plans make the next call(s) of an
operation answer an HTTP error, a non-JSON page, a chosen answer, or hang longer than the client
waits — optionally after carrying the operation out, which is how "created, but the answer was
lost" is produced.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest


class ContractViolation(Exception):
    """The client sent something the gateway's documented protocol does not allow."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass
class RecordedRequest:
    method: str
    path: str                      # without the query string
    query: dict[str, str]
    headers: dict[str, str]        # names lower-cased
    body: bytes
    operation: str = ""

    @property
    def json(self) -> Any:
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None


@dataclass
class Plan:
    kind: str                      # http | garbage | respond | hang
    status: int = 0
    message: str = ""
    error_code: str = ""
    payload: Any = None
    html: bool = False
    seconds: float = 0.0
    apply: bool = False
    times: int = 1


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False


def _serve(handle: Callable[[BaseHTTPRequestHandler], None]) -> _Server:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms delayed-ACK stall

        def log_message(self, *args):  # keep test output clean
            pass

        def _any(self):
            handle(self)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _any

    server = _Server(("127.0.0.1", 0), Handler)
    # A short poll interval: shutdown() waits for the loop to notice, and every test stops a server.
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    return server


def _reply(handler: BaseHTTPRequestHandler, status: int, body: bytes, content_type: str) -> None:
    try:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the client gave up waiting, as a hang plan intends


class FakeGatewayServer:
    """The HTTP plumbing; subclasses speak one gateway's protocol."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.violations: list[str] = []
        self.url = ""
        self._plans: dict[str, list[Plan]] = {}
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._server: _Server | None = None

    # --- plans for the next call(s) of an operation ---------------------------------------------

    def _plan(self, operation: str, plan: Plan) -> None:
        with self._lock:
            self._plans.setdefault(operation, []).append(plan)

    def http_error(self, operation: str, status: int, message: str = "", *, error_code: str = "",
                   html: bool = False, times: int = 1) -> None:
        """Answer `status` with the gateway's JSON error shape (or an HTML page, as a proxy would)."""
        self._plan(operation, Plan("http", status=status, message=message or f"HTTP {status}",
                                   error_code=error_code, html=html, times=times))

    def garbage(self, operation: str, times: int = 1) -> None:
        """Answer 200 with an HTML page instead of JSON (a captive portal, a misrouted proxy)."""
        self._plan(operation, Plan("garbage", times=times))

    def respond(self, operation: str, status: int, payload: Any, times: int = 1) -> None:
        """Answer exactly `payload` (JSON) with `status`, without carrying the operation out."""
        self._plan(operation, Plan("respond", status=status, payload=payload, times=times))

    def hang(self, operation: str, seconds: float = 2.0, *, apply: bool = False, times: int = 1) -> None:
        """Answer only after `seconds` (longer than the client waits). With apply=True the operation
        is carried out first: the gateway did it, its answer got lost."""
        self._plan(operation, Plan("hang", seconds=seconds, apply=apply, times=times))

    def late(self, operation: str, seconds: float, times: int = 1) -> None:
        """Carry the operation out and answer after `seconds` (shorter than the client's timeout)."""
        self.hang(operation, seconds, apply=True, times=times)

    def _take_plan(self, operation: str) -> Plan | None:
        with self._lock:
            plans = self._plans.get(operation) or []
            if not plans:
                return None
            plan = plans[0]
            plan.times -= 1
            if plan.times <= 0:
                plans.pop(0)
            return plan

    def calls(self, operation: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.operation == operation]

    # --- server ---------------------------------------------------------------------------------

    def _handle_http(self, handler: BaseHTTPRequestHandler) -> None:
        """One request as received: recorded, dispatched, answered (after a planned delay)."""
        length = int(handler.headers.get("Content-Length") or 0)
        parts = urlsplit(handler.path)
        record = RecordedRequest(method=handler.command, path=parts.path,
                                 query=dict(parse_qsl(parts.query, keep_blank_values=True)),
                                 headers={k.lower(): v for k, v in handler.headers.items()},
                                 body=handler.rfile.read(length) if length else b"")
        with self._lock:
            self.requests.append(record)
        status, answer, delay = self._dispatch(record)
        if delay and self._stopping.wait(delay):
            return
        if isinstance(answer, bytes):
            _reply(handler, status, answer, "text/html; charset=utf-8")
        else:
            _reply(handler, status, json.dumps(answer).encode(), "application/json")

    def start(self):
        self._server = _serve(self._handle_http)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def _dispatch(self, record: RecordedRequest) -> tuple[int, Any, float]:
        try:
            record.operation = self.route(record)
            refusal = self.check_request(record)
        except ContractViolation as exc:
            self.violations.append(f"{record.method} {record.path}: {exc}")
            return exc.status, self.error_body(exc.status, f"contract: {exc}", ""), 0.0
        if refusal is not None:
            return refusal[0], refusal[1], 0.0
        plan = self._take_plan(record.operation)
        if plan and plan.kind == "http":
            if plan.html:
                return plan.status, b"<html><body><h1>Bad gateway</h1></body></html>", 0.0
            return plan.status, self.error_body(plan.status, plan.message, plan.error_code), 0.0
        if plan and plan.kind == "garbage":
            return 200, b"<html><body>Please log in to the Wi-Fi</body></html>", 0.0
        if plan and plan.kind == "respond":
            return plan.status, plan.payload, 0.0
        if plan and plan.kind == "hang" and not plan.apply:
            return 504, self.error_body(504, "late", ""), plan.seconds
        try:
            with self._lock:
                status, answer = self.handle(record)
        except ContractViolation as exc:
            self.violations.append(f"{record.method} {record.path}: {exc}")
            status, answer = exc.status, self.error_body(exc.status, f"contract: {exc}", "")
        return status, answer, plan.seconds if plan else 0.0

    # --- the protocol (subclasses) --------------------------------------------------------------

    def route(self, record: RecordedRequest) -> str:
        """The operation's name; ContractViolation for an unknown path or method."""
        raise NotImplementedError

    def check_request(self, record: RecordedRequest) -> tuple[int, Any] | None:
        """Headers and authentication: ContractViolation, or (status, answer) to refuse, or None."""
        return None

    def handle(self, record: RecordedRequest) -> tuple[int, Any]:
        raise NotImplementedError

    def error_body(self, status: int, message: str, error_code: str) -> Any:
        return {"message": message}


@dataclass
class ReceivedWebhook:
    method: str
    headers: dict[str, str]        # names as sent
    query: dict[str, str]
    body: bytes


@dataclass
class WebhookReceiver:
    """Stands in for the shop's callback URL: records what arrives and answers what `handler`
    (a function of the received webhook) returns, 200 by default."""

    received: list[ReceivedWebhook] = field(default_factory=list)
    handler: Callable[[ReceivedWebhook], int] | None = None
    url: str = ""

    def start(self) -> WebhookReceiver:
        def handle(request: BaseHTTPRequestHandler) -> None:
            length = int(request.headers.get("Content-Length") or 0)
            parts = urlsplit(request.path)
            hook = ReceivedWebhook(method=request.command, headers=dict(request.headers.items()),
                                   query=dict(parse_qsl(parts.query, keep_blank_values=True)),
                                   body=request.rfile.read(length) if length else b"")
            self.received.append(hook)
            status = self.handler(hook) if self.handler else 200
            _reply(request, status, b"{}", "application/json")

        self._server = _serve(handle)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/payments/webhook"
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture(name="webhook_receiver")
def webhook_receiver_fixture():
    receiver = WebhookReceiver().start()
    yield receiver
    receiver.stop()
