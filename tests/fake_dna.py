"""A fake Domain Name API server for tests: real HTTP on 127.0.0.1, real SOAP 1.1 envelopes.

It holds the contract the real service holds (REFERENCE.md, "DNA"): POST to /DomainApi.svc with
`Content-Type: text/xml; charset=utf-8` and a quoted `SOAPAction` naming the operation of the body;
the operation element and `request` in http://tempuri.org/; credentials (`Password`, `UserName`,
namespace CORE) first, then exactly the operation's fields (namespace API) in alphabetical order;
contacts as nested contracts (namespace DATA, alphabetical), string lists as `<arr:string>`.
A request that breaks the contract gets a SOAP fault (as WCF's deserializer would answer) and is
listed in `violations`; wrong credentials get an ERROR result.

Registered domains live in memory; the reseller balance (USD) pays for them. Tests can make the
next call(s) of an operation fail with a code (`fail`, `throttle`, `insufficient_balance`) or hang
longer than the client waits (`hang`, optionally after carrying the operation out, which is how a
register "times out" yet succeeds). Every request is recorded in `requests`.
"""

from __future__ import annotations

import threading
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kmerhosting.integrations.dna import DnaClient, DnaRegistrar
from kmerhosting.integrations.dna import soap
from kmerhosting.integrations.dna.soap import API, ARRAYS, CORE, DATA, SOAP_ENV, TEMPURI

USERNAME = "reseller-test"
PASSWORD = "s3cret-P@ss<&>word"  # has XML special characters on purpose

OPERATION_FIELDS = {
    "CheckAvailability": ("Commad", "DomainNameList", "Period", "TldList"),
    "GetTldList": ("IncludePriceDefinitions", "PageNumber", "PageSize"),
    "RegisterWithContactInfo": ("AdditionalAttributes", "AdministrativeContact", "BillingContact", "DomainName",
                                "LockStatus", "NameServerList", "Period", "PrivacyProtectionStatus",
                                "RegistrantContact", "TechnicalContact"),
    "Renew": ("DomainName", "Period"),
    "GetDetails": ("DomainName",),
    "ModifyNameServer": ("DomainName", "NameServerList"),
    "GetCurrentBalance": ("CurrencyId",),
}
LIST_FIELDS = {"DomainNameList", "TldList", "NameServerList"}
CONTACT_FIELDS = {"AdministrativeContact", "BillingContact", "RegistrantContact", "TechnicalContact"}
CONTACT_REQUIRED = ("AddressLine1", "City", "Country", "EMail", "FirstName", "LastName", "Phone",
                    "PhoneCountryCode")


class ContractViolation(Exception):
    pass


@dataclass
class RecordedRequest:
    path: str
    soap_action: str
    content_type: str
    body: bytes
    operation: str = ""
    root: ET.Element | None = None

    def request_element(self) -> ET.Element:
        return self.root.find(f"{{{SOAP_ENV}}}Body/{{{TEMPURI}}}{self.operation}/{{{TEMPURI}}}request")

    def field_names(self) -> list[tuple[str, str]]:
        """(namespace, name) of each child of `request`, in the order sent."""
        return [tuple(child.tag[1:].split("}", 1)) for child in self.request_element()]

    def value(self, name: str) -> str:
        return soap.text(self.request_element(), name)


@dataclass
class FakeDomain:
    name: str
    id: str
    expires_at: datetime
    start_date: datetime
    nameservers: list[str]
    contact_email: str = ""


@dataclass
class _Plan:
    kind: str  # error | hang | http
    code: int = 0
    message: str = ""
    seconds: float = 0.0
    apply: bool = False
    times: int = 1


@dataclass
class FakeDna:
    username: str = USERNAME
    password: str = PASSWORD
    prices_usd: dict = field(default_factory=lambda: {"cm": Decimal("25.00"), "com": Decimal("12.00"),
                                                      "net": Decimal("14.00"), "org": Decimal("13.00")})
    taken: set = field(default_factory=lambda: {"google", "example"})
    balance_usd: Decimal = Decimal("1000.00")
    domains: dict = field(default_factory=dict)
    requests: list = field(default_factory=list)
    violations: list = field(default_factory=list)
    url: str = ""

    def __post_init__(self):
        self._plans: dict[str, list[_Plan]] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._next_id = 1000

    # --- test controls --------------------------------------------------------------------------

    def fail(self, operation: str, code: int, message: str = "", times: int = 1) -> None:
        """The next `times` calls of `operation` answer ERROR with `code`."""
        self._plans.setdefault(operation, []).append(_Plan("error", code=code, message=message or
                                                           f"error {code}", times=times))

    def throttle(self, operation: str, times: int = 1) -> None:
        self.fail(operation, 361, "Too many requests", times)

    def insufficient_balance(self, operation: str, times: int = 1) -> None:
        self.fail(operation, 350, "Insufficient balance", times)

    def hang(self, operation: str, seconds: float = 3.0, apply: bool = False, times: int = 1) -> None:
        """The next call(s) answer only after `seconds`; with apply=True the operation is carried
        out first (the registrar did it, the answer got lost)."""
        self._plans.setdefault(operation, []).append(_Plan("hang", seconds=seconds, apply=apply, times=times))

    def http_error(self, operation: str, status: int, times: int = 1) -> None:
        """The next call(s) get an HTML error page with `status`, as a proxy in front of DNA gives."""
        self._plans.setdefault(operation, []).append(_Plan("http", code=status, times=times))

    def add_domain(self, name: str, years: int = 1, nameservers=("ns1.other.cm", "ns2.other.cm")) -> FakeDomain:
        now = datetime.now(UTC).replace(microsecond=0)
        with self._lock:
            self._next_id += 1
            domain = FakeDomain(name=name, id=str(self._next_id), start_date=now,
                                expires_at=now + timedelta(days=365 * years), nameservers=list(nameservers))
            self.domains[name] = domain
        return domain

    def calls(self, operation: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.operation == operation]

    # --- server ---------------------------------------------------------------------------------

    def start(self) -> FakeDna:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms delayed-ACK stall

            def log_message(self, *args):  # keep test output clean
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                record = RecordedRequest(path=self.path, soap_action=self.headers.get("SOAPAction", ""),
                                         content_type=self.headers.get("Content-Type", ""),
                                         body=self.rfile.read(length))
                fake.requests.append(record)
                status, answer, delay = fake._handle(record)
                if delay and fake._stopping.wait(delay):
                    return
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "text/xml; charset=utf-8")
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting, as intended by hang()

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            block_on_close = False

        self._server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/DomainApi.svc"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def client(self, timeout: float = 0.5, read_attempts: int = 2, password: str | None = None) -> DnaClient:
        return DnaClient(self.username, self.password if password is None else password, self.url,
                         timeout=timeout, read_attempts=read_attempts, retry_delay=0)

    # --- protocol -------------------------------------------------------------------------------

    def _handle(self, record: RecordedRequest) -> tuple[int, bytes, float]:
        try:
            operation, request = self._parse(record)
        except ContractViolation as exc:
            self.violations.append(str(exc))
            return 500, soap.build_fault(str(exc)), 0.0
        if soap.text(request, "UserName") != self.username or soap.text(request, "Password") != self.password:
            return 200, soap.build_response(operation, 300, "ERROR", "Reseller not found"), 0.0
        plan = self._take_plan(operation)
        if plan and plan.kind == "http":
            return plan.code, b"<html><body>Bad gateway</body></html>", 0.0
        if plan and plan.kind == "error":
            return 200, soap.build_response(operation, plan.code, "ERROR", plan.message), 0.0
        if plan and plan.kind == "hang" and not plan.apply:
            return 200, soap.build_response(operation, 0, "ERROR", "late"), plan.seconds
        code, message, fields = getattr(self, "_op_" + operation)(request)
        answer = soap.build_response(operation, code, "SUCCESS" if code == 0 else "ERROR", message, fields)
        return 200, answer, plan.seconds if plan else 0.0

    def _take_plan(self, operation: str) -> _Plan | None:
        with self._lock:
            plans = self._plans.get(operation) or []
            if not plans:
                return None
            plan = plans[0]
            plan.times -= 1
            if plan.times <= 0:
                plans.pop(0)
            return plan

    def _parse(self, record: RecordedRequest) -> tuple[str, ET.Element]:
        if record.path != "/DomainApi.svc":
            raise ContractViolation(f"wrong path {record.path}")
        if record.content_type.replace(" ", "").lower() != "text/xml;charset=utf-8":
            raise ContractViolation(f"wrong Content-Type {record.content_type!r}")
        try:
            root = ET.fromstring(record.body)
        except ET.ParseError as exc:
            raise ContractViolation(f"not XML: {exc}") from None
        record.root = root
        if root.tag != f"{{{SOAP_ENV}}}Envelope":
            raise ContractViolation(f"root is {root.tag}, not a SOAP 1.1 Envelope")
        body = root.find(f"{{{SOAP_ENV}}}Body")
        if body is None or len(body) != 1:
            raise ContractViolation("Body must hold exactly one operation element")
        op_element = body[0]
        namespace, _, operation = op_element.tag[1:].partition("}")
        if namespace != TEMPURI or operation not in OPERATION_FIELDS:
            raise ContractViolation(f"unknown operation {op_element.tag}")
        record.operation = operation
        if record.soap_action != soap.soap_action(operation):
            raise ContractViolation(f"SOAPAction {record.soap_action!r} does not match {operation}")
        if len(op_element) != 1 or op_element[0].tag != f"{{{TEMPURI}}}request":
            raise ContractViolation(f"{operation} must hold one tempuri 'request' element")
        request = op_element[0]
        expected = [(CORE, "Password"), (CORE, "UserName")] + [(API, name) for name in OPERATION_FIELDS[operation]]
        sent = [tuple(child.tag[1:].split("}", 1)) for child in request]
        if sent != expected:
            raise ContractViolation(f"{operation} request members {sent} != expected {expected}")
        for child in request:
            self._check_member(operation, child)
        return operation, request

    def _check_member(self, operation: str, element: ET.Element) -> None:
        name = element.tag.split("}", 1)[1]
        if name in LIST_FIELDS:
            if any(item.tag != f"{{{ARRAYS}}}string" for item in element):
                raise ContractViolation(f"{operation}.{name} items must be arr:string")
        elif name in CONTACT_FIELDS:
            members = [child.tag for child in element]
            if any(not tag.startswith(f"{{{DATA}}}") for tag in members):
                raise ContractViolation(f"{operation}.{name} members must be in the DATA namespace")
            names = [tag.split("}", 1)[1] for tag in members]
            if names != sorted(names):
                raise ContractViolation(f"{operation}.{name} members not in alphabetical order: {names}")
            missing = [n for n in CONTACT_REQUIRED if not soap.text(element, n)]
            if missing:
                raise ContractViolation(f"{operation}.{name} lacks {missing}")
        elif len(element):
            if name != "AdditionalAttributes":
                raise ContractViolation(f"{operation}.{name} must be a simple value")

    # --- operations -----------------------------------------------------------------------------

    @staticmethod
    def _int(request, name, default=-1):
        try:
            return int(soap.text(request, name))
        except ValueError:
            return default

    def _domain_info(self, domain: FakeDomain) -> dict:
        now = datetime.now(UTC)
        return {"DomainInfo": {
            "DomainName": domain.name, "ExpirationDate": soap.format_datetime(domain.expires_at),
            "Id": domain.id, "LockStatus": True, "NameServerList": list(domain.nameservers),
            "RemainingDay": max(0, (domain.expires_at - now).days),
            "StartDate": soap.format_datetime(domain.start_date), "Status": "Active",
        }}

    def _op_CheckAvailability(self, request):
        period = self._int(request, "Period", 1)
        rows = []
        for label in soap.strings(request, "DomainNameList"):
            for tld in soap.strings(request, "TldList"):
                name = f"{label}.{tld}".lower()
                supported = tld in self.prices_usd
                free = supported and label not in self.taken and name not in self.domains
                rows.append({"Command": soap.text(request, "Commad"), "Currency": "USD",
                             "DomainName": label, "IsFee": False, "Period": period,
                             "Price": str(self.prices_usd.get(tld, Decimal(0)) * period),
                             "Reason": "" if free else ("Domain exists" if supported else "TLD not supported"),
                             "Status": "available" if free else "notavailable", "Tld": tld})
        return 0, "", {"DomainAvailabilityInfoList": rows}

    def _op_GetTldList(self, request):
        tlds = []
        for tld, price in sorted(self.prices_usd.items()):
            tlds.append({"Name": tld, "PriceInfoList": [
                {"CurrencyName": "USD", "Period": 1, "Price": str(price), "TradeType": trade}
                for trade in ("Registration", "Renew", "Transfer")]})
        return 0, "", {"TldInfoList": tlds}

    def _op_RegisterWithContactInfo(self, request):
        name = soap.text(request, "DomainName").lower()
        period = self._int(request, "Period")
        label, _, tld = name.partition(".")
        if tld not in self.prices_usd:
            return 310, "TLD not supported", {}
        if not 1 <= period <= 10:
            return 530, "Invalid period", {}
        nameservers = soap.strings(request, "NameServerList")
        if not 2 <= len(nameservers) <= 13:
            return 560, "Wrong name server count", {}
        with self._lock:
            if label in self.taken or name in self.domains:
                return 2302, "Object exists", {}
            cost = self.prices_usd[tld] * period
            if cost > self.balance_usd:
                return 350, "Insufficient balance", {}
            self.balance_usd -= cost
        contact = soap.child(request, "RegistrantContact")
        domain = self.add_domain(name, period, nameservers)
        domain.contact_email = soap.text(contact, "EMail")
        return 0, "", self._domain_info(domain)

    def _op_Renew(self, request):
        name = soap.text(request, "DomainName").lower()
        period = self._int(request, "Period")
        with self._lock:
            domain = self.domains.get(name)
            if domain is None:
                return 510, "Domain not found", {}
            if not 1 <= period <= 10:
                return 530, "Invalid period", {}
            cost = self.prices_usd[name.partition(".")[2]] * period
            if cost > self.balance_usd:
                return 350, "Insufficient balance", {}
            self.balance_usd -= cost
            domain.expires_at += timedelta(days=365 * period)
        return 0, "", {"ExpirationDate": soap.format_datetime(domain.expires_at)}

    def _op_GetDetails(self, request):
        domain = self.domains.get(soap.text(request, "DomainName").lower())
        if domain is None:
            return 510, "Domain not found", {}
        return 0, "", self._domain_info(domain)

    def _op_ModifyNameServer(self, request):
        domain = self.domains.get(soap.text(request, "DomainName").lower())
        if domain is None:
            return 510, "Domain not found", {}
        nameservers = soap.strings(request, "NameServerList")
        if not 2 <= len(nameservers) <= 13:
            return 560, "Wrong name server count", {}
        domain.nameservers = nameservers
        return 0, "", {}

    def _op_GetCurrentBalance(self, request):
        return 0, "", {"Balance": str(self.balance_usd), "CurrencyId": self._int(request, "CurrencyId", 2),
                       "CurrencyName": "USD", "CurrencySymbol": "USD"}


@pytest.fixture
def fake_dna():
    server = FakeDna().start()
    yield server
    server.stop()


@pytest.fixture
def dna_registrar(fake_dna):
    """The real client and registrar, pointed at the fake server (short timeout, no retry delay)."""
    registrar = DnaRegistrar(fake_dna.client())
    yield registrar
    registrar.client.close()
