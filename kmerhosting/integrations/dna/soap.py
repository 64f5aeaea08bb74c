"""SOAP 1.1 envelopes for Domain Name API (a WCF basicHttpBinding service).

Shared by the client and by the test suite's fake DNA server, so both speak one contract:

- the operation element `<Op xmlns="http://tempuri.org/"><request>...</request></Op>`;
- the credentials `Password`, `UserName` belong to the base request type (namespace CORE), the
  operation's own fields to the derived type (namespace API). WCF's DataContractSerializer reads
  base-type members first, then the derived type's, each group in alphabetical order: an element
  out of order is silently dropped by the server, so the order is part of the contract;
- nested contracts (ContactInfo) use namespace DATA, string lists are `<arr:string>` items.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from typing import Any

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
TEMPURI = "http://tempuri.org/"
CORE = "http://schemas.datacontract.org/2004/07/Olipso.Core.DataContracts"
API = "http://schemas.datacontract.org/2004/07/Olipso.ExternalApi.Core.DataContracts.DomainApiContracts"
DATA = "http://schemas.datacontract.org/2004/07/Olipso.Core.DataContracts.Data"
ARRAYS = "http://schemas.microsoft.com/2003/10/Serialization/Arrays"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

CREDENTIAL_FIELDS = ("Password", "UserName")  # base request type, alphabetical
RESULT_FIELDS = ("ErrorCode", "OperationMessage", "OperationResult")  # base response type

for _prefix, _uri in (("s", SOAP_ENV), ("core", CORE), ("api", API), ("data", DATA), ("arr", ARRAYS),
                      ("i", XSI)):
    ET.register_namespace(_prefix, _uri)


def soap_action(operation: str) -> str:
    return f'"http://tempuri.org/IDomainApi/{operation}"'


def q(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def append_value(parent: ET.Element, namespace: str, name: str, value: Any) -> None:
    """Serialise one data member: scalars as text, lists as string arrays, dicts as a nested
    contract (namespace DATA) with members in alphabetical order. None is left out."""
    if value is None:
        return
    element = ET.SubElement(parent, q(namespace, name))
    if isinstance(value, (list, tuple)):
        for item in value:
            ET.SubElement(element, q(ARRAYS, "string")).text = _text(item)
    elif isinstance(value, dict):
        for key in sorted(value):
            append_value(element, DATA, key, value[key])
    else:
        element.text = _text(value)


def build_request(operation: str, username: str, password: str, fields: dict[str, Any]) -> bytes:
    """The whole envelope for `operation` with the credentials and `fields` in contract order."""
    envelope = ET.Element(q(SOAP_ENV, "Envelope"))
    body = ET.SubElement(envelope, q(SOAP_ENV, "Body"))
    op = ET.SubElement(body, q(TEMPURI, operation))
    request = ET.SubElement(op, q(TEMPURI, "request"))
    append_value(request, CORE, "Password", password)
    append_value(request, CORE, "UserName", username)
    for name in sorted(fields):
        append_value(request, API, name, fields[name])
    return ET.tostring(envelope, encoding="utf-8", xml_declaration=True)


def build_response(operation: str, error_code: int, result: str, message: str,
                   fields: dict[str, Any] | None = None) -> bytes:
    """An answer envelope (used by the fake server): base result members, then the operation's."""
    envelope = ET.Element(q(SOAP_ENV, "Envelope"))
    body = ET.SubElement(envelope, q(SOAP_ENV, "Body"))
    response = ET.SubElement(body, q(TEMPURI, f"{operation}Response"))
    op_result = ET.SubElement(response, q(TEMPURI, f"{operation}Result"))
    append_value(op_result, CORE, "ErrorCode", error_code)
    append_value(op_result, CORE, "OperationMessage", message)
    append_value(op_result, CORE, "OperationResult", result)
    for name in sorted(fields or {}):
        _append_response_value(op_result, API, name, fields[name])
    return ET.tostring(envelope, encoding="utf-8", xml_declaration=True)


def _append_response_value(parent: ET.Element, namespace: str, name: str, value: Any) -> None:
    """Like append_value, but a list of dicts becomes a list of nested contracts named after the
    list (`FooList` holds `Foo` items), as WCF serialises `List<Foo>`."""
    if isinstance(value, list) and value and isinstance(value[0], dict):
        element = ET.SubElement(parent, q(namespace, name))
        item_name = name[:-4] if name.endswith("List") else name
        for item in value:
            child = ET.SubElement(element, q(namespace, item_name))
            for key in sorted(item):
                _append_response_value(child, namespace, key, item[key])
    elif isinstance(value, dict):
        element = ET.SubElement(parent, q(namespace, name))
        for key in sorted(value):
            _append_response_value(element, DATA, key, value[key])
    else:
        append_value(parent, namespace, name, value)


def build_fault(message: str, code: str = "s:Client") -> bytes:
    envelope = ET.Element(q(SOAP_ENV, "Envelope"))
    body = ET.SubElement(envelope, q(SOAP_ENV, "Body"))
    fault = ET.SubElement(body, q(SOAP_ENV, "Fault"))
    ET.SubElement(fault, "faultcode").text = code
    ET.SubElement(fault, "faultstring").text = message
    return ET.tostring(envelope, encoding="utf-8", xml_declaration=True)


# --- reading ------------------------------------------------------------------------------------


def child(element: ET.Element | None, name: str) -> ET.Element | None:
    """A data member by local name. The envelope and operation wrapper are matched on their exact
    namespaces; data members are matched in any namespace because WCF's namespace for a member is
    its declaring type's, which differs between DNA's hosts and versions."""
    if element is None:
        return None
    return element.find(f"{{*}}{name}")


def text(element: ET.Element | None, name: str, default: str = "") -> str:
    found = child(element, name)
    return (found.text or "").strip() if found is not None and found.text is not None else default


def strings(element: ET.Element | None, name: str) -> list[str]:
    found = child(element, name)
    if found is None:
        return []
    return [(item.text or "").strip() for item in found if (item.text or "").strip()]


_FRACTION = re.compile(r"(\.\d{6})\d+")


def parse_datetime(value: str) -> datetime | None:
    """A WCF DateTime ("2027-11-24T10:00:00", maybe 7 fraction digits and an offset) as aware UTC."""
    value = (value or "").strip()
    if not value or value.startswith("0001-01-01"):
        return None
    value = _FRACTION.sub(r"\1", value.replace("Z", "+00:00"))
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def format_datetime(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
