"""A fake cPanel/WHM server for tests: real HTTPS on 127.0.0.1 speaking WHM API 1 (PROTOCOLS.md A1).

TLS is real: a throw-away CA and a certificate for 127.0.0.1 are made when the fixture starts, and the
client is given the CA (`ca_file`) so certificate verification stays on, as in production.

Contract held (a breach is listed in `violations`):

- `Authorization: whm <user>:<token>` on every API call. None → HTTP 401 HTML page; a wrong token →
  HTTP 403 HTML page (not JSON), as cPanel answers.
- `/json-api/<function>` by GET (query) or POST (form body); `api.version=1` is required. Without it
  the fake answers the legacy API 0 shape (`{"result": [{"status": ...}]}`, `{"package": [...]}`) and
  does nothing, so a client that forgets it cannot read the answer.
- Each function's own parameter names: `createacct` and `removeacct` take `username` (`user` is the
  deprecated name), the others `user`, `changepackage` takes `pkg`, createacct's package is `plan`.
  A missing parameter is answered as WHM does: HTTP 200, `metadata.result: 0` and a reason; an unknown
  parameter is only listed.
- Refusals are HTTP 200 with `metadata.result: 0` and WHM's reason: reserved or invalid usernames,
  a username that is an account or a system group ("Sorry, a group for that username already exists."),
  a domain already on the server, an unknown package, an unknown account ("... does not exist").

Accounts live in memory (`accounts`) with their package, suspended flag and disk/bandwidth usage;
`system_groups` holds names that exist on the server without being accounts. `create_user_session`
returns `https://127.0.0.1:<port>/cpsess<digits>/login/?session=...`, which the fake serves once
(a small HTML page naming the user) so a browser test can land on it.

Plans (see FakeGatewayServer): `hang(function, seconds, apply=True)` (e.g. a createacct that completes
after the client gave up), `http_error`, `garbage`, `respond`, plus `fail(function, reason)` (a
result-0 refusal) and `down()`/`up()` (connection refused while down). Every request is in `requests`.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
import secrets
import ssl
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest

from kmerhosting.integrations.panels import RESERVED_USERNAMES
from kmerhosting.integrations.panels.whm import WhmPanel

from .fake_gateway import ContractViolation, FakeGatewayServer, RecordedRequest

WHM_USER = "root"
WHM_TOKEN = "KMERFAKETOKEN0123456789ABCDEFGHIJ"
VERSION = "11.124.0.21"

# function -> (required parameters, optional parameters) as WHM API 1 names them.
FUNCTIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "version": ((), ()),
    "listaccts": ((), ("search", "searchtype", "searchmethod", "want")),
    "createacct": (("username", "domain"), ("password", "plan", "contactemail", "quota", "bwlimit", "ip",
                                            "reseller", "pkgname", "savepkg", "maxftp", "showpass")),
    "suspendacct": (("user",), ("reason", "disallowun", "leave-ftp-accts-enabled")),
    "unsuspendacct": (("user",), ("retain-service-proxies",)),
    "removeacct": (("username",), ("keepdns",)),
    "changepackage": (("user", "pkg"), ()),
    "create_user_session": (("user", "service"), ("app", "locale")),
    "accountsummary": (("user",), ("domain",)),
    "showbw": ((), ("searchtype", "search", "month", "year")),
    "listpkgs": ((), ("want",)),
    "passwd": (("user", "password"), ("db_pass_update", "digestauth", "enabledigest")),
}
# Names a client might send by mistake, and what WHM API 1 calls them for that function.
WRONG_NAMES = {("createacct", "user"): "username", ("createacct", "pkg"): "plan",
               ("createacct", "package"): "plan", ("createacct", "pass"): "password",
               ("removeacct", "user"): "username", ("suspendacct", "username"): "user",
               ("unsuspendacct", "username"): "user", ("changepackage", "username"): "user",
               ("changepackage", "plan"): "pkg", ("changepackage", "package"): "pkg",
               ("create_user_session", "username"): "user",
               ("passwd", "username"): "user", ("passwd", "pass"): "password",
               ("accountsummary", "username"): "user"}
SESSION_PATH = re.compile(r"/cpsess(\d+)/login/?")
PAGE_401 = b"<html><head><title>401 Unauthorized</title></head><body>Access denied</body></html>"
PAGE_403 = (b"<html><head><title>403 Forbidden</title></head><body><h1>Access denied</h1>"
            b"<p>The API token is not valid.</p></body></html>")
PACKAGES = {
    "kmer_starter": {"QUOTA": "1024", "BWLIMIT": "10240"},
    "kmer_pro": {"QUOTA": "5120", "BWLIMIT": "unlimited"},
    "kmer_business": {"QUOTA": "unlimited", "BWLIMIT": "unlimited"},
}


# --- TLS -----------------------------------------------------------------------------------------


def make_certificates(directory: Path) -> tuple[Path, Path, Path]:
    """(CA certificate, server certificate, server key) for 127.0.0.1/localhost, made with `cryptography`."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Fake WHM test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
          .not_valid_after(now + dt.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                        x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = directory / "ca.pem", directory / "server.pem", directory / "server.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return paths


class _TlsServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True  # up() binds the same port again after down()

    def __init__(self, address, handler, context: ssl.SSLContext):
        self.context = context
        super().__init__(address, handler)

    def get_request(self):
        sock, address = self.socket.accept()
        # The handshake runs in the request's thread (Handler.setup), not in the accept loop.
        return self.context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), address

    def handle_error(self, request, client_address):
        pass  # handshakes refused by clients that do not trust the CA are what some tests intend


def _serve_tls(handle: Callable[[BaseHTTPRequestHandler], None], context: ssl.SSLContext,
               port: int = 0) -> _TlsServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True
        timeout = 10

        def setup(self):
            super().setup()
            self.request.do_handshake()

        def log_message(self, *args):
            pass

        def _any(self):
            handle(self)

        do_GET = do_POST = do_PUT = do_DELETE = _any

    server = _TlsServer(("127.0.0.1", port), Handler, context)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    return server


# --- the fake ------------------------------------------------------------------------------------


def envelope(function: str, result: int, reason: str, data: Any = None, raw: str = "") -> dict:
    answer: dict = {"metadata": {"command": function, "result": result, "reason": reason, "version": 1}}
    if raw:
        answer["metadata"]["output"] = {"raw": raw}
    if data is not None:
        answer["data"] = data
    return answer


class FakeWhm(FakeGatewayServer):
    def __init__(self, certificates: tuple[Path, Path, Path], user: str = WHM_USER, token: str = WHM_TOKEN):
        super().__init__()
        self.ca_file, self._cert_file, self._key_file = (str(p) for p in certificates)
        self.user = user
        self.token = token
        self.accounts: dict[str, dict] = {}
        self.packages: dict[str, dict] = {name: dict(limits) for name, limits in PACKAGES.items()}
        self.system_groups: set[str] = {"nobody", "mail", "cpanelsolr"}
        self.sessions: dict[str, dict] = {}          # session token -> {user, service, used}
        self.port = 0

    # --- test controls --------------------------------------------------------------------------

    def add_account(self, username: str, domain: str, package: str = "kmer_starter", *, suspended: bool = False,
                    disk_used_mb: int = 0, bandwidth_bytes: int = 0) -> dict:
        """An account that already exists on the server (made by someone else, or earlier)."""
        with self._lock:
            record = {"user": username, "domain": domain, "plan": package, "email": f"{username}@{domain}",
                      "suspended": 1 if suspended else 0, "suspendreason": "Existing" if suspended else None,
                      "suspendtime": None, "diskused_mb": disk_used_mb, "bandwidth_bytes": bandwidth_bytes,
                      "ip": "192.0.2.10", "owner": self.user, "startdate": time.strftime("%y %b %d %H:%M"),
                      "unix_startdate": int(time.time()), "theme": "jupiter", "password": ""}
            self.accounts[username] = record
            return record

    def fail(self, function: str, reason: str, times: int = 1) -> None:
        """The next call(s) of `function` are refused: HTTP 200, result 0, `reason`."""
        self.respond(function, 200, envelope(function, 0, reason), times=times)

    def down(self) -> None:
        """Stop listening: connections are refused until `up()`."""
        self._close_server()

    def up(self) -> None:
        if self._server is None:
            self._server = _serve_tls(self._handle_http, self._context, self.port)

    def calls(self, operation: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.operation == operation]

    # --- server ---------------------------------------------------------------------------------

    def start(self) -> FakeWhm:
        self._context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._context.load_cert_chain(self._cert_file, self._key_file)
        self._server = _serve_tls(self._handle_http, self._context)
        self.port = self._server.server_address[1]
        self.url = f"https://127.0.0.1:{self.port}"
        return self

    def _close_server(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def stop(self) -> None:
        self._stopping.set()
        self._close_server()

    # --- protocol -------------------------------------------------------------------------------

    @staticmethod
    def params(record: RecordedRequest) -> dict[str, str]:
        """The call's parameters: the query, plus a POSTed form body."""
        params = dict(record.query)
        if record.method == "POST" and "application/x-www-form-urlencoded" in record.headers.get("content-type", ""):
            params.update(parse_qsl(record.body.decode(), keep_blank_values=True))
        return params

    def route(self, record: RecordedRequest) -> str:
        if SESSION_PATH.fullmatch(record.path):
            if record.method != "GET":
                raise ContractViolation("a login URL is opened with GET", 405)
            return "session_login"
        match = re.fullmatch(r"/json-api/([a-z_]+)", record.path)
        if not match:
            raise ContractViolation("no such path (WHM API 1 lives under /json-api/<function>)", 404)
        if record.method not in ("GET", "POST"):
            raise ContractViolation(f"{record.method} is not an API method", 405)
        if match.group(1) not in FUNCTIONS:
            raise ContractViolation(f"unknown function {match.group(1)}", 404)
        return match.group(1)

    def check_request(self, record: RecordedRequest):
        if record.operation == "session_login":
            return None
        authorization = record.headers.get("authorization")
        if not authorization:
            self.violations.append(f"{record.path}: no Authorization header")
            return 401, PAGE_401
        scheme, _, credentials = authorization.partition(" ")
        if scheme.lower() != "whm":
            self.violations.append(f"{record.path}: Authorization scheme {scheme!r}, not 'whm'")
            return 401, PAGE_401
        if credentials != f"{self.user}:{self.token}":
            return 403, PAGE_403
        params = self.params(record)
        if params.get("api.version") != "1":
            self.violations.append(f"{record.operation}: no api.version=1 (legacy API 0 answer sent)")
            return 200, self.api0_answer(record.operation)
        return None

    @staticmethod
    def api0_answer(function: str) -> dict:
        if function == "listpkgs":
            return {"package": []}
        if function in ("listaccts", "accountsummary"):
            return {"status": 1, "statusmsg": "Ok", "acct": []}
        return {"result": [{"status": 0, "statusmsg": "API 0 request ignored by the fake", "options": {}}]}

    def error_body(self, status: int, message: str, error_code: str):
        return f"<html><head><title>{status}</title></head><body>{message}</body></html>".encode()

    def handle(self, record: RecordedRequest):
        if record.operation == "session_login":
            return self._op_session_login(record)
        function = record.operation
        params = self.params(record)
        params.pop("api.version", None)
        required, optional = FUNCTIONS[function]
        if "password" in record.query:
            self.violations.append(f"{function}: a password in the URL (send it as a POST form)")
        for name in params:
            if (function, name) in WRONG_NAMES:
                self.violations.append(f"{function}: sent {name!r}, WHM API 1 reads {WRONG_NAMES[function, name]!r}")
            elif name not in required and name not in optional:
                self.violations.append(f"{function}: unknown parameter {name!r}")
        for name in required:
            if not params.get(name):
                self.violations.append(f"{function}: missing parameter {name!r}")
                return 200, envelope(function, 0, f"Missing parameter “{name}”.")
        return 200, getattr(self, "_op_" + function)(params)

    def _missing_account(self, function: str, username: str) -> dict:
        return envelope(function, 0, f"The user “{username}” does not exist.")

    def _acct(self, record: dict) -> dict:
        row = {k: v for k, v in record.items() if k not in ("password", "diskused_mb", "bandwidth_bytes")}
        limit = self.packages.get(record["plan"], {}).get("QUOTA", "unlimited")
        row.update(diskused=f"{record['diskused_mb']}M", disklimit="unlimited" if limit == "unlimited" else f"{limit}M")
        return row

    # --- functions (called under the lock) ------------------------------------------------------

    def _op_version(self, params):
        return envelope("version", 1, "OK", {"version": VERSION})

    def _op_listaccts(self, params):
        search = params.get("search", "")
        searchtype = params.get("searchtype", "domain")
        method = params.get("searchmethod", "regex")
        rows = []
        for record in self.accounts.values():
            field = {"user": "user", "domain": "domain", "owner": "owner", "package": "plan"}.get(searchtype, "user")
            value = str(record[field])
            if search and not (value == search if method == "exact" else re.search(search, value)):
                continue
            rows.append(self._acct(record))
        return envelope("listaccts", 1, "OK", {"acct": rows})

    def _op_createacct(self, params):
        username, domain = params["username"].lower(), params["domain"].lower()
        plan = params.get("plan") or "default"
        if len(username) > 16 or not re.fullmatch(r"[a-z][a-z0-9]*", username):
            return envelope("createacct", 0, f"“{username}” is not a valid username.")
        if username.startswith("test"):
            return envelope("createacct", 0, "Usernames cannot begin with “test”.")
        if username in RESERVED_USERNAMES:
            return envelope("createacct", 0, f"Sorry, “{username}” is a reserved username.")
        if username in self.accounts or username in self.system_groups:
            return envelope("createacct", 0, "Sorry, a group for that username already exists.")
        if any(r["domain"] == domain for r in self.accounts.values()):
            return envelope("createacct", 0, f"Sorry, the domain {domain} is already set up (main domain).")
        if plan not in self.packages:
            return envelope("createacct", 0, f"Sorry, “{plan}” is not a valid pacakge name. at "
                                             "/usr/local/cpanel/Whostmgr/Accounts/Create.pm line 1298.")
        record = self.add_account(username, domain, plan)
        record["email"] = params.get("contactemail", "")
        record["password"] = params.get("password", "")
        self.system_groups.add(username)
        # Like WHM, the raw log holds the password unless showpass=n: a client must never repeat it.
        raw = f"Creating account {username} for {domain}\nPassword: {record['password']}\nAccount Creation Ok"
        return envelope("createacct", 1, "Account Creation Ok", {
            "ip": record["ip"], "package": plan, "nameserver": "ns1.example.cm", "nameserver2": "ns2.example.cm",
            "nameserver3": None, "nameserver4": None}, raw=raw)

    def _op_suspendacct(self, params):
        record = self.accounts.get(params["user"])
        if record is None:
            return self._missing_account("suspendacct", params["user"])
        record.update(suspended=1, suspendreason=params.get("reason") or "Unknown", suspendtime=int(time.time()))
        return envelope("suspendacct", 1, "OK", raw=f"Suspending {params['user']}")

    def _op_unsuspendacct(self, params):
        record = self.accounts.get(params["user"])
        if record is None:
            return self._missing_account("unsuspendacct", params["user"])
        record.update(suspended=0, suspendreason=None, suspendtime=None)
        return envelope("unsuspendacct", 1, "OK", raw=f"Unsuspending {params['user']}")

    def _op_removeacct(self, params):
        username = params["username"]
        if username not in self.accounts:
            return self._missing_account("removeacct", username)
        del self.accounts[username]
        self.system_groups.discard(username)
        return envelope("removeacct", 1, f"{username} account removed")

    def _op_changepackage(self, params):
        record = self.accounts.get(params["user"])
        if record is None:
            return self._missing_account("changepackage", params["user"])
        if params["pkg"] not in self.packages:
            return envelope("changepackage", 0, f"Specified package “{params['pkg']}” does not exist.")
        record["plan"] = params["pkg"]
        return envelope("changepackage", 1, "OK", raw=f"<pre>Changing package to {params['pkg']}</pre>")

    def _op_create_user_session(self, params):
        username, service = params["user"], params["service"]
        if username not in self.accounts:
            return self._missing_account("create_user_session", username)
        if service not in ("cpaneld", "whostmgrd", "webmaild"):
            return envelope("create_user_session", 0, f"Invalid service “{service}”.")
        cpsess = "".join(secrets.choice("0123456789") for _ in range(10))
        session = f"{username}:{secrets.token_hex(8)}:CREATE_USER_SESSION,{secrets.token_hex(16)}"
        expires = int(time.time()) + 900
        self.sessions[session] = {"user": username, "service": service, "cpsess": cpsess, "used": False}
        url = f"{self.url}/cpsess{cpsess}/login/?session={session}"
        return envelope("create_user_session", 1, "Created session", {
            "url": url, "session": session, "cp_security_token": f"/cpsess{cpsess}", "expires": expires,
            "service": service})

    def _op_accountsummary(self, params):
        record = self.accounts.get(params["user"])
        if record is None:
            return self._missing_account("accountsummary", params["user"])
        return envelope("accountsummary", 1, "OK", {"acct": [self._acct(record)]})

    def _op_showbw(self, params):
        rows = []
        for record in self.accounts.values():
            if params.get("search") and record["user"] != params["search"]:
                continue
            limit = self.packages.get(record["plan"], {}).get("BWLIMIT", "unlimited")
            rows.append({"user": record["user"], "maindomain": record["domain"], "owner": record["owner"],
                         "totalbytes": record["bandwidth_bytes"],
                         "limit": 0 if limit == "unlimited" else int(limit) * 1024 * 1024, "bwusage": []})
        return envelope("showbw", 1, "OK", {"acct": rows, "month": 1, "year": 2026,
                                              "totalused": sum(r["totalbytes"] for r in rows)})

    def _op_listpkgs(self, params):
        return envelope("listpkgs", 1, "OK", {"pkg": [{"name": name, **limits, "FEATURELIST": "default"}
                                                     for name, limits in self.packages.items()]})

    def _op_passwd(self, params):
        record = self.accounts.get(params["user"])
        if record is None:
            return self._missing_account("passwd", params["user"])
        password = params["password"]
        classes = sum(bool(re.search(p, password)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]"))
        if len(password) < 8 or classes < 3:
            # WHM's words when the password is below the server's minimum strength (it echoes nothing).
            return envelope("passwd", 0, "Sorry, the password you selected cannot be used because it is too "
                                         "weak and would be too easy to guess. Please select a password with "
                                         "strength rating of 65 or higher.")
        record["password"] = password
        return envelope("passwd", 1, "Password changed for user " + params["user"], {"app": []})

    def _op_session_login(self, record: RecordedRequest):
        session = record.query.get("session", "")
        entry = self.sessions.get(session)
        cpsess = SESSION_PATH.fullmatch(record.path).group(1)
        if entry is None or entry["used"] or entry["cpsess"] != cpsess:
            return 401, b"<html><body><h1>Session expired</h1><p>Log in again.</p></body></html>"
        entry["used"] = True
        # No favicon request: a browser test reads this page's console.
        return 200, (f"<html><head><title>cPanel - {entry['user']}</title>"
                     '<link rel="icon" href="data:,"></head>'
                     f"<body><h1>cPanel</h1><p>Logged in as {entry['user']}</p></body></html>").encode()


@pytest.fixture(name="whm_certificates", scope="session")
def whm_certificates_fixture():
    with tempfile.TemporaryDirectory(prefix="fake-whm-tls-") as directory:
        yield make_certificates(Path(directory))


@pytest.fixture(name="fake_whm")
def fake_whm_fixture(whm_certificates):
    server = FakeWhm(whm_certificates).start()
    yield server
    server.stop()


def whm_client(fake: FakeWhm, *, timeout: float = 0.5, token: str | None = None,
               ca_file: str | None = "fake") -> WhmPanel:
    """The real client pointed at the fake (short timeout; the fake's CA trusted unless ca_file=None)."""
    return WhmPanel("127.0.0.1", fake.port, username=fake.user, token=fake.token if token is None else token,
                    timeout=timeout, ca_file=fake.ca_file if ca_file == "fake" else ca_file)


@pytest.fixture(name="whm_panel")
def whm_panel_fixture(fake_whm):
    panel = whm_client(fake_whm)
    yield panel
    panel.close()
