"""cPanel/WHM over httpx (WHM API 1), from the documented wire protocol (PROTOCOLS.md A1).

Wire facts: HTTPS to port 2087, header `Authorization: whm <user>:<API token>`, one function per call at
`/json-api/<function>?api.version=1&...`. Without `api.version=1` WHM answers the legacy "API 0" shapes,
so every call sends it. Every answer is HTTP 200 with the envelope `{"metadata": {"result": 1|0,
"reason": ...}, "data": ...}`: a refusal is `result: 0` with WHM's words in `reason`, never an HTTP
error. Bad credentials are an HTTP 401/403 page (not JSON). Parameter names are inconsistent and WHM
reads only its own: `createacct` and `removeacct` take `username`, the others `user`, `changepackage`
takes `pkg`, `createacct` takes the package as `plan`.

`createacct` and `passwd` are sent as POST forms (WHM accepts both; the fake checks both) so the account
password never sits in a URL, where web-server access logs and httpx's request log would keep it. The other
calls are GETs.

The contract callers rely on (see the package docstring):

- Reads (`find_account`, `usage`, `packages`, `test_connection`) are repeated once here on a timeout.
- Writes are never repeated here. `createacct` is slow (tens of seconds: give the client a timeout of
  90 s, as FOSSBilling learned) and its answer can be lost while the account gets created; a repeated
  createacct then fails with "a group for that username already exists". So a `create_account` that
  raises `PanelUnavailable` has an unknown outcome and the caller must call `find_account` before
  creating again — or use `ensure_account(spec)`, which does find → create → find again and never
  makes two accounts for one spec.

Reasons WHM gives are mapped onto the interface's errors: a taken or reserved username → UsernameTaken,
"does not exist" → AccountNotFound, HTTP 401/403 or "access denied" → PanelAuthFailed, anything else →
PanelRejected with WHM's words. The token and passwords never reach a message, a repr or the log.
"""

from __future__ import annotations

import json
import logging
import ssl
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import httpx

from . import (
    KIND_CPANEL,
    Account,
    AccountNotFound,
    AccountSpec,
    LoginUrl,
    PanelAuthFailed,
    PanelPackage,
    PanelRejected,
    PanelUnavailable,
    ServerInfo,
    Usage,
    UsernameTaken,
    ensure_account,
    megabytes,
    scrub,
)

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 90.0
RETRY_LATER = frozenset({408, 425, 429})
SERVICES = frozenset({"cpaneld", "whostmgrd", "webmaild"})

# WHM's words (lower-cased fragments) for the refusals a caller acts on, checked in this order.
_AUTH_WORDS = ("access denied", "permission denied", "not authorized", "unauthorized")
_TAKEN_WORDS = ("group for that username already exists", "user for that username already exists",
                "username already exists", "is a reserved username", "reserved username",
                "already exists as a user", "already taken")
_NOT_FOUND_WORDS = ("does not exist", "doesn't exist", "no such user", "no account", "not found")


def _reason_error(function: str, reason: str) -> PanelRejected | PanelAuthFailed:
    """The typed refusal for WHM's `metadata.reason`."""
    words = reason.lower()
    message = f"WHM {function}: {reason or 'refused without a reason'}"
    if any(w in words for w in _AUTH_WORDS):
        return PanelAuthFailed(message, code="permission")
    if "domain" in words and ("already" in words or "exists" in words):
        return PanelRejected(message, code="domain_taken")
    if any(w in words for w in _TAKEN_WORDS):
        return UsernameTaken(message, code="username_reserved" if "reserved" in words else "username_taken")
    if any(w in words for w in _NOT_FOUND_WORDS) and "package" not in words and "pacakge" not in words:
        return AccountNotFound(message, code="not_found")
    if "package" in words or "pacakge" in words:  # sic: WHM's own spelling in createacct
        return PanelRejected(message, code="unknown_package")
    return PanelRejected(message, code="rejected")


def _account(row: Mapping[str, Any]) -> Account:
    """An `acct` row of listaccts/accountsummary as an Account."""
    return Account(
        username=str(row.get("user") or ""),
        domain=str(row.get("domain") or ""),
        package=str(row.get("plan") or ""),
        suspended=str(row.get("suspended") or "0") not in ("0", "", "False", "false"),
        suspend_reason=str(row.get("suspendreason") or "") if str(row.get("suspended") or "0") != "0" else "",
        disk_used_mb=megabytes(row.get("diskused")),
        disk_limit_mb=megabytes(row.get("disklimit")),
        ip=str(row.get("ip") or ""),
        email=str(row.get("email") or ""),
        owner=str(row.get("owner") or ""),
    )


def _bytes_to_mb(value: Any, zero_is_unlimited: bool = False) -> int | None:
    try:
        number = int(float(value))
    except (TypeError, ValueError):
        return None
    if zero_is_unlimited and number == 0:
        return None
    return number // (1024 * 1024)


class WhmPanel:
    """The shop's WHM client for one server. One httpx.Client per instance: thread-safe, connections reused."""

    kind = KIND_CPANEL
    is_test = False

    def __init__(self, host: str, port: int = 2087, *, username: str = "root", token: str = "",
                 timeout: float = DEFAULT_TIMEOUT, verify_tls: bool = True, ca_file: str | None = None,
                 transport: httpx.BaseTransport | None = None):
        self.host = host
        self.port = port
        self.username = username
        self._token = token
        self.timeout = timeout
        self.verify_tls = verify_tls
        verify: ssl.SSLContext | bool
        if not verify_tls:
            verify = False  # a server with a self-signed certificate, by an admin's explicit choice
        else:
            verify = ssl.create_default_context(cafile=ca_file) if ca_file else ssl.create_default_context()
        self._http = httpx.Client(base_url=f"https://{host}:{port}", timeout=httpx.Timeout(timeout),
                                  verify=verify, transport=transport,
                                  headers={"Authorization": f"whm {username}:{token}",
                                           "Accept": "application/json"})

    def __repr__(self) -> str:  # never the token, even in a traceback's locals
        return f"WhmPanel(host={self.host!r}, port={self.port}, username={self.username!r})"

    def close(self) -> None:
        self._http.close()

    # --- one call -------------------------------------------------------------------------------

    def _call(self, function: str, params: Mapping[str, str] | None = None, *, read: bool = False,
              form: bool = False, hidden: tuple[str, ...] = ()) -> dict:
        """Call one WHM API 1 function and return the envelope (result 1), or raise the typed error.
        A read is sent a second time after a timeout; a write never is."""
        attempts = 2 if read else 1
        for attempt in range(1, attempts + 1):
            try:
                return self._send(function, dict(params or {}), form=form, hidden=hidden)
            except PanelUnavailable as exc:
                if exc.code != "timeout" or attempt == attempts:
                    raise
                log.info("WHM %s on %s: timed out, asking once more", function, self.host)
        raise AssertionError("unreachable")

    def _send(self, function: str, params: dict[str, str], *, form: bool, hidden: tuple[str, ...]) -> dict:
        hidden = (self._token, *hidden)
        path = f"/json-api/{function}"
        started = time.monotonic()
        try:
            if form:
                response = self._http.post(path, params={"api.version": "1"}, data=params)
            else:
                response = self._http.get(path, params={"api.version": "1", **params})
        except httpx.TimeoutException as exc:
            log.warning("WHM %s on %s timed out after %.1fs", function, self.host, time.monotonic() - started)
            raise PanelUnavailable(f"WHM {function} on {self.host}: no answer in time, outcome unknown",
                                   code="timeout") from exc
        except httpx.HTTPError as exc:
            # Refused, reset, DNS, or a certificate that does not verify: all "could not ask". The TLS
            # case gets its own code so the admin page can say "certificate" rather than "down".
            text = str(exc)
            code = "tls" if "CERTIFICATE" in text.upper() or "SSL" in text.upper() else "connection"
            log.warning("WHM %s on %s: %s (%s)", function, self.host, type(exc).__name__, code)
            raise PanelUnavailable(f"WHM {function} on {self.host}: {type(exc).__name__}"
                                   f"{' (TLS certificate not trusted)' if code == 'tls' else ''}",
                                   code=code) from exc
        status = response.status_code
        log.info("WHM %s on %s -> HTTP %s in %.2fs", function, self.host, status, time.monotonic() - started)
        if status in (401, 403):
            raise PanelAuthFailed(f"WHM {function} on {self.host}: HTTP {status}, credentials refused",
                                  code="unauthorized")
        if status >= 500 or status in RETRY_LATER:
            raise PanelUnavailable(f"WHM {function} on {self.host}: HTTP {status}", code=f"http_{status}")
        if status != 200:
            raise PanelRejected(f"WHM {function} on {self.host}: HTTP {status}", code=f"http_{status}")
        try:
            payload = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
            payload = None
        metadata = payload.get("metadata") if isinstance(payload, dict) else None
        if not isinstance(metadata, dict) or "result" not in metadata:
            # An HTML page (proxy, login form) or an API 0 shape: not the answer API 1 promises.
            raise PanelUnavailable(f"WHM {function} on {self.host}: answer without the API 1 envelope",
                                   code="garbage")
        if str(metadata.get("result")) == "1":
            return payload
        reason = scrub(str(metadata.get("reason") or ""), hidden)
        error = _reason_error(function, reason)
        log.warning("WHM %s on %s refused: %s (%s)", function, self.host, reason[:200], error.code)
        raise error

    @staticmethod
    def _data(payload: Mapping) -> dict:
        data = payload.get("data")
        return data if isinstance(data, dict) else {}

    # --- Panel ----------------------------------------------------------------------------------

    def test_connection(self) -> ServerInfo:
        """WHM's version, and how many accounts these credentials can see."""
        version = str(self._data(self._call("version", read=True)).get("version") or "")
        accounts = self._data(self._call("listaccts", {"want": "user"}, read=True)).get("acct") or []
        return ServerInfo(kind=self.kind, version=version, accounts=len(accounts))

    def find_account(self, username: str) -> Account | None:
        """listaccts with an exact user search: an empty list means no such account."""
        payload = self._call("listaccts", {"search": username, "searchtype": "user", "searchmethod": "exact"},
                             read=True)
        rows = self._data(payload).get("acct") or []
        # Compare again here: a server that ignored `searchmethod=exact` must not hand us "jean2" for "jean".
        for row in rows:
            if isinstance(row, Mapping) and row.get("user") == username:
                return _account(row)
        return None

    def create_account(self, spec: AccountSpec) -> Account:
        """createacct. PanelUnavailable means unknown outcome: `find_account` before trying again."""
        params = {"username": spec.username, "domain": spec.domain, "password": spec.password,
                  "plan": spec.package, "contactemail": spec.email}
        payload = self._call("createacct", params, form=True, hidden=(spec.password,))
        data = self._data(payload)
        log.info("WHM createacct on %s: %s for %s", self.host, spec.username, spec.domain)
        return Account(username=spec.username, domain=spec.domain, package=str(data.get("package") or spec.package),
                       ip=str(data.get("ip") or ""), email=spec.email, owner=self.username, disk_used_mb=0)

    def ensure_account(self, spec: AccountSpec) -> tuple[Account, bool]:
        return ensure_account(self, spec)

    def suspend(self, username: str, reason: str = "") -> None:
        self._call("suspendacct", {"user": username, "reason": reason or "Suspended by the shop"})

    def unsuspend(self, username: str) -> None:
        self._call("unsuspendacct", {"user": username})

    def terminate(self, username: str) -> None:
        # API 1 reads `username`; `user` is the deprecated API 0 name.
        self._call("removeacct", {"username": username})

    def change_package(self, username: str, package: str) -> None:
        self._call("changepackage", {"user": username, "pkg": package})

    def login_url(self, username: str, service: str = "cpaneld") -> LoginUrl:
        """create_user_session: a URL that logs in once and dies after 15 idle minutes. Not a read
        (it makes a session), but harmless to repeat: the caller may simply ask for a new one."""
        if service not in SERVICES:
            raise PanelRejected(f"WHM create_user_session: unknown service {service!r}", code="invalid")
        data = self._data(self._call("create_user_session", {"user": username, "service": service}))
        url = str(data.get("url") or "")
        if not url.startswith("https://"):
            raise PanelUnavailable("WHM create_user_session: answer without a login URL", code="garbage")
        expires = data.get("expires")
        try:
            expires_at = datetime.fromtimestamp(int(expires), UTC) if expires else None
        except (TypeError, ValueError, OverflowError):
            expires_at = None
        return LoginUrl(url=url, expires_at=expires_at)

    def change_password(self, username: str, password: str) -> None:
        """passwd (`user`, `password`), as a POST form; WHM refuses a password below the server's strength
        rule with its own words (PanelRejected, code "weak_password"), the password scrubbed out."""
        try:
            self._call("passwd", {"user": username, "password": password}, form=True, hidden=(password,))
        except PanelRejected as exc:
            words = str(exc).lower()
            if "weak" in words or "strength" in words:
                raise PanelRejected(str(exc), code="weak_password") from None
            raise

    def usage(self, username: str) -> Usage:
        """Disk from accountsummary, this month's bandwidth from showbw (bytes; a limit of 0 is unlimited)."""
        rows = self._data(self._call("accountsummary", {"user": username}, read=True)).get("acct") or []
        row = next((r for r in rows if isinstance(r, Mapping) and r.get("user") == username), None)
        if row is None:
            raise AccountNotFound(f"WHM accountsummary: no account {username!r}", code="not_found")
        bandwidth = self._data(self._call("showbw", {"searchtype": "user", "search": username}, read=True))
        bw_row = next((r for r in bandwidth.get("acct") or [] if isinstance(r, Mapping) and r.get("user") == username),
                      {})
        return Usage(disk_used_mb=megabytes(row.get("diskused")), disk_limit_mb=megabytes(row.get("disklimit")),
                     bandwidth_used_mb=_bytes_to_mb(bw_row.get("totalbytes")) if bw_row else None,
                     bandwidth_limit_mb=_bytes_to_mb(bw_row.get("limit"), zero_is_unlimited=True) if bw_row else None)

    def packages(self) -> list[PanelPackage]:
        rows = self._data(self._call("listpkgs", read=True)).get("pkg") or []
        return [PanelPackage(name=str(row.get("name")), disk_limit_mb=megabytes(row.get("QUOTA")),
                             bandwidth_limit_mb=megabytes(row.get("BWLIMIT")))
                for row in rows if isinstance(row, Mapping) and row.get("name")]
