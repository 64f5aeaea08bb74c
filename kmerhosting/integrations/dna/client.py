"""A client for Domain Name API's SOAP interface, over httpx.

Reads (CheckAvailability, GetTldList, GetDetails, GetCurrentBalance) are retried a bounded number
of times on a timeout, a transport error or a throttle (361). Writes (RegisterWithContactInfo,
Renew, ModifyNameServer) are sent exactly once: a timeout there means "unknown" and the caller
reconciles with GetDetails before anything else.

Credentials travel inside every request body; they are never logged (a test checks it).
"""

from __future__ import annotations

import logging
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

import httpx

from ..registrar import (
    Contact,
    RegistrarDomainTaken,
    RegistrarError,
    RegistrarInsufficientBalance,
    RegistrarThrottled,
    RegistrarTimeout,
)
from . import soap

log = logging.getLogger(__name__)

NOT_FOUND = 510
THROTTLED = 361
INSUFFICIENT_BALANCE = 350
OBJECT_EXISTS = 2302
CURRENCY_USD = 2


@dataclass(frozen=True)
class AvailabilityRow:
    domain: str  # "name.tld", lower case
    available: bool
    price: Decimal | None
    currency: str
    period: int
    reason: str = ""
    is_fee: bool = False


@dataclass(frozen=True)
class TldPrice:
    tld: str  # without the leading dot, as DNA writes it: "com"
    trade_type: str  # Registration | Renew | Transfer
    period: int
    price: Decimal
    currency: str


@dataclass(frozen=True)
class DomainDetails:
    domain: str
    id: str
    status: str
    start_date: datetime | None
    expires_at: datetime | None
    remaining_days: int | None
    nameservers: tuple[str, ...]
    lock_status: bool


@dataclass(frozen=True)
class Balance:
    amount: Decimal
    currency: str


class DnaUnreachable(RegistrarError):
    """No connection to DNA: the request never arrived (a write can safely count as refused)."""


def error_for(code: int, message: str) -> RegistrarError:
    """The typed error for a DNA error code."""
    if code == THROTTLED:
        return RegistrarThrottled(message, code=code)
    if code == INSUFFICIENT_BALANCE:
        return RegistrarInsufficientBalance(message, code=code)
    if code == OBJECT_EXISTS:
        return RegistrarDomainTaken(message, code=code)
    return RegistrarError(message, code=code)


def _decimal(value: str) -> Decimal | None:
    try:
        return Decimal(value) if value else None
    except InvalidOperation:
        return None


def _int(value: str, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def contact_fields(contact: Contact) -> dict[str, str]:
    """A ContactInfo contract (members are sorted when serialised)."""
    return {
        "AddressLine1": contact.address, "AddressLine2": "", "AddressLine3": "",
        "City": contact.city, "Company": contact.company, "Country": contact.country,
        "EMail": contact.email, "Fax": "", "FaxCountryCode": "", "FirstName": contact.first_name,
        "LastName": contact.last_name, "Phone": contact.phone,
        "PhoneCountryCode": contact.phone_country_code, "State": contact.state,
        "Type": "Contact", "ZipCode": contact.zip_code,
    }


class DnaClient:
    def __init__(self, username: str, password: str, endpoint: str, *, timeout: float = 20.0,
                 read_attempts: int = 3, retry_delay: float = 0.5,
                 transport: httpx.BaseTransport | None = None):
        self.username = username
        self._password = password
        self.endpoint = endpoint
        self.timeout = timeout
        self.read_attempts = max(1, read_attempts)
        self.retry_delay = retry_delay
        self._http = httpx.Client(timeout=httpx.Timeout(timeout), transport=transport,
                                  headers={"Content-Type": "text/xml; charset=utf-8"})

    def __repr__(self) -> str:  # never show the password, even in a traceback's locals
        return f"DnaClient(username={self.username!r}, endpoint={self.endpoint!r})"

    def close(self) -> None:
        self._http.close()

    # --- transport ------------------------------------------------------------------------------

    def _post_once(self, operation: str, fields: dict) -> ET.Element:
        """One request; returns the `<OpResult>` element of a SUCCESS answer or raises."""
        body = soap.build_request(operation, self.username, self._password, fields)
        started = time.monotonic()
        try:
            response = self._http.post(self.endpoint, content=body,
                                       headers={"SOAPAction": soap.soap_action(operation)})
        except httpx.TimeoutException as exc:
            log.warning("DNA %s timed out after %.1fs", operation, time.monotonic() - started)
            raise RegistrarTimeout(f"{operation}: no answer within {self.timeout}s") from exc
        except httpx.ConnectError as exc:
            log.warning("DNA %s: cannot connect (%s)", operation, type(exc).__name__)
            raise DnaUnreachable(f"{operation}: cannot connect") from exc
        except httpx.HTTPError as exc:
            # The request may have arrived before the connection broke: same as a timeout.
            log.warning("DNA %s: connection lost (%s)", operation, type(exc).__name__)
            raise RegistrarTimeout(f"{operation}: connection lost, outcome unknown") from exc
        elapsed = time.monotonic() - started
        result = self._parse(operation, response)
        code = _int(soap.text(result, "ErrorCode"), 0)
        outcome = soap.text(result, "OperationResult").upper()
        message = soap.text(result, "OperationMessage")
        log.info("DNA %s -> %s code=%s in %.2fs", operation, outcome or "?", code, elapsed)
        if outcome != "SUCCESS":
            raise error_for(code, message or f"{operation} failed")
        return result

    def _parse(self, operation: str, response: httpx.Response) -> ET.Element:
        try:
            root = ET.fromstring(response.content)
        except ET.ParseError:
            root = None
        if root is None or root.tag != soap.q(soap.SOAP_ENV, "Envelope"):
            raise self._not_soap(operation, response.status_code)
        body = root.find(soap.q(soap.SOAP_ENV, "Body"))
        fault = body.find(soap.q(soap.SOAP_ENV, "Fault")) if body is not None else None
        if fault is not None:
            raise RegistrarError(f"{operation}: SOAP fault: {fault.findtext('faultstring', '')[:200]}")
        wrapper = body.find(soap.q(soap.TEMPURI, f"{operation}Response")) if body is not None else None
        result = wrapper.find(soap.q(soap.TEMPURI, f"{operation}Result")) if wrapper is not None else None
        if result is None:
            raise RegistrarError(f"{operation}: HTTP {response.status_code}, no {operation}Result")
        return result

    @staticmethod
    def _not_soap(operation: str, status: int) -> RegistrarError:
        """A proxy's error page. 502/504: the request may have reached DNA, so the outcome is
        unknown (a write must be reconciled); 503: it did not."""
        log.warning("DNA %s: HTTP %s without a SOAP envelope", operation, status)
        if status in (502, 504):
            return RegistrarTimeout(f"{operation}: HTTP {status} from a gateway")
        if status == 503:
            return DnaUnreachable(f"{operation}: HTTP 503")
        return RegistrarError(f"{operation}: HTTP {status}, not a SOAP answer")

    def _read(self, operation: str, fields: dict) -> ET.Element:
        """A read: retried on timeout, transport error or throttle, a bounded number of times."""
        for attempt in range(1, self.read_attempts + 1):
            try:
                return self._post_once(operation, fields)
            except (RegistrarTimeout, RegistrarThrottled, DnaUnreachable) as exc:
                retryable = exc  # any other answer would be the same if asked again
            if attempt == self.read_attempts:
                raise retryable
            log.info("DNA %s: retrying (%d/%d) after %s", operation, attempt, self.read_attempts,
                     type(retryable).__name__)
            time.sleep(self.retry_delay * attempt)
        raise AssertionError("unreachable")

    def _write(self, operation: str, fields: dict) -> ET.Element:
        """A write: sent once, never retried (a lost answer does not mean nothing happened)."""
        return self._post_once(operation, fields)

    # --- operations -----------------------------------------------------------------------------

    def check_availability(self, labels: list[str], tlds: list[str], period: int = 1,
                           command: str = "create") -> list[AvailabilityRow]:
        result = self._read("CheckAvailability", {
            "Commad": command,  # sic: DNA's contract spells it so
            "DomainNameList": list(labels),
            "Period": period,
            "TldList": [tld.lstrip(".") for tld in tlds],
        })
        rows = []
        for item in soap.child(result, "DomainAvailabilityInfoList") or []:
            label = soap.text(item, "DomainName").lower()
            tld = soap.text(item, "Tld").lower().lstrip(".")
            rows.append(AvailabilityRow(
                domain=f"{label}.{tld}" if tld and not label.endswith("." + tld) else label,
                available=soap.text(item, "Status").lower() == "available",
                price=_decimal(soap.text(item, "Price")), currency=soap.text(item, "Currency"),
                period=_int(soap.text(item, "Period"), period), reason=soap.text(item, "Reason"),
                is_fee=soap.text(item, "IsFee").lower() == "true",
            ))
        return rows

    def get_tld_list(self, page: int = 0, page_size: int = 1000) -> list[TldPrice]:
        result = self._read("GetTldList", {"IncludePriceDefinitions": True, "PageNumber": page,
                                           "PageSize": page_size})
        prices = []
        for tld_info in soap.child(result, "TldInfoList") or []:
            name = soap.text(tld_info, "Name").lower().lstrip(".")
            for price in soap.child(tld_info, "PriceInfoList") or []:
                amount = _decimal(soap.text(price, "Price"))
                if amount is not None:
                    prices.append(TldPrice(tld=name, trade_type=soap.text(price, "TradeType"),
                                           period=_int(soap.text(price, "Period"), 1), price=amount,
                                           currency=soap.text(price, "CurrencyName")))
        return prices

    def register_with_contact_info(self, domain: str, period: int, nameservers: tuple[str, ...],
                                   contact: Contact, *, lock: bool = True,
                                   privacy: bool = False) -> DomainDetails:
        contact_info = contact_fields(contact)
        result = self._write("RegisterWithContactInfo", {
            "AdditionalAttributes": {},
            "AdministrativeContact": contact_info, "BillingContact": contact_info,
            "DomainName": domain, "LockStatus": lock, "NameServerList": list(nameservers),
            "Period": period, "PrivacyProtectionStatus": privacy,
            "RegistrantContact": contact_info, "TechnicalContact": contact_info,
        })
        return self._details(soap.child(result, "DomainInfo"), domain)

    def renew(self, domain: str, period: int) -> datetime | None:
        result = self._write("Renew", {"DomainName": domain, "Period": period})
        return soap.parse_datetime(soap.text(result, "ExpirationDate"))

    def get_details(self, domain: str) -> DomainDetails | None:
        """None when DNA does not know the domain (510)."""
        try:
            result = self._read("GetDetails", {"DomainName": domain})
        except RegistrarError as exc:
            if exc.code == NOT_FOUND:
                return None
            raise
        return self._details(soap.child(result, "DomainInfo"), domain)

    def modify_name_servers(self, domain: str, nameservers: tuple[str, ...]) -> None:
        self._write("ModifyNameServer", {"DomainName": domain, "NameServerList": list(nameservers)})

    def get_current_balance(self, currency_id: int = CURRENCY_USD) -> Balance:
        result = self._read("GetCurrentBalance", {"CurrencyId": currency_id})
        return Balance(amount=_decimal(soap.text(result, "Balance")) or Decimal(0),
                       currency=soap.text(result, "CurrencySymbol") or soap.text(result, "CurrencyName"))

    @staticmethod
    def _details(info: ET.Element | None, domain: str) -> DomainDetails:
        if info is None:
            raise RegistrarError(f"no DomainInfo for {domain}")
        return DomainDetails(
            domain=(soap.text(info, "DomainName") or domain).lower(), id=soap.text(info, "Id"),
            status=soap.text(info, "Status"), start_date=soap.parse_datetime(soap.text(info, "StartDate")),
            expires_at=soap.parse_datetime(soap.text(info, "ExpirationDate")),
            remaining_days=_int(soap.text(info, "RemainingDay"), 0) if soap.text(info, "RemainingDay") else None,
            nameservers=tuple(soap.strings(info, "NameServerList")),
            lock_status=soap.text(info, "LockStatus").lower() == "true",
        )
