"""The DNA client against the fake DNA server: the XML it sends and what it makes of the answers."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from kmerhosting.config import load_settings
from kmerhosting.integrations.dna import DnaRegistrar, soap
from kmerhosting.integrations.dna.soap import API, ARRAYS, CORE, DATA, SOAP_ENV, TEMPURI
from kmerhosting.integrations.registrar import (
    Contact,
    RegistrarDomainTaken,
    RegistrarError,
    RegistrarInsufficientBalance,
    RegistrarThrottled,
    RegistrarTimeout,
)

from .fake_dna import PASSWORD, USERNAME, dna_registrar, fake_dna  # noqa: F401  (fixtures)

CONTACT = Contact(first_name="Awa", last_name="Nkemelu", email="awa@example.cm", phone="677000000")
NS = ("ns1.kmerhosting.cm", "ns2.kmerhosting.cm")


def _request_members(record):
    return [tuple(child.tag[1:].split("}", 1)) for child in record.request_element()]


def test_check_availability_sends_the_contract_envelope_and_reads_the_answer(fake_dna, dna_registrar):
    fake_dna.add_domain("prise.cm")
    result = dna_registrar.check(["prise.cm", "prise.com", "google.net"])

    assert [(a.domain, a.available) for a in result] == [("prise.cm", False), ("prise.com", True),
                                                         ("google.net", False)]
    assert result[1].price == 12.0 and result[1].currency == "USD"
    record = fake_dna.requests[-1]
    assert fake_dna.violations == []
    assert record.path == "/DomainApi.svc"
    assert record.soap_action == '"http://tempuri.org/IDomainApi/CheckAvailability"'
    assert record.content_type == "text/xml; charset=utf-8"
    assert record.root.tag == f"{{{SOAP_ENV}}}Envelope"
    assert record.root.find(f"{{{SOAP_ENV}}}Body/{{{TEMPURI}}}CheckAvailability/{{{TEMPURI}}}request") is not None
    assert _request_members(record) == [(CORE, "Password"), (CORE, "UserName"), (API, "Commad"),
                                        (API, "DomainNameList"), (API, "Period"), (API, "TldList")]
    assert record.value("UserName") == USERNAME and record.value("Password") == PASSWORD
    tlds = record.request_element().find(f"{{{API}}}TldList")
    assert [(item.tag, item.text) for item in tlds] == [(f"{{{ARRAYS}}}string", t) for t in ("cm", "com", "net")]


def test_register_then_details_then_renew_round_trip(fake_dna, dna_registrar):
    info = dna_registrar.register("monsite.cm", 2, CONTACT, NS)
    assert info.domain == "monsite.cm" and info.registrar_id and info.status == "Active"
    assert info.expires_at > datetime.now(UTC) + timedelta(days=700)
    assert info.nameservers == NS
    assert fake_dna.domains["monsite.cm"].contact_email == "awa@example.cm"

    details = dna_registrar.details("monsite.cm")
    assert details.registrar_id == info.registrar_id and details.expires_at == info.expires_at

    new_expiry = dna_registrar.renew("monsite.cm", 1)
    assert new_expiry == info.expires_at + timedelta(days=365)
    assert dna_registrar.details("monsite.cm").expires_at == new_expiry
    assert fake_dna.violations == []


def test_register_request_follows_the_contract(fake_dna, dna_registrar):
    dna_registrar.register("contrat.com", 1, CONTACT, NS)
    record = fake_dna.calls("RegisterWithContactInfo")[0]
    members = [name for _, name in _request_members(record)]
    assert members[:2] == ["Password", "UserName"]
    assert members[2:] == sorted(members[2:])
    assert {"DomainName", "Period", "NameServerList", "RegistrantContact", "AdministrativeContact",
            "TechnicalContact", "BillingContact"} <= set(members)
    registrant = record.request_element().find(f"{{{API}}}RegistrantContact")
    names = [child.tag for child in registrant]
    assert all(tag.startswith(f"{{{DATA}}}") for tag in names)
    assert names == sorted(names)
    assert registrant.find(f"{{{DATA}}}EMail").text == "awa@example.cm"
    assert record.value("Period") == "1" and record.value("DomainName") == "contrat.com"
    assert record.value("LockStatus") == "true"


def test_password_with_xml_characters_is_escaped_not_injected(fake_dna, dna_registrar):
    assert "<&>" in PASSWORD
    dna_registrar.check(["echappe.cm"])
    body = fake_dna.requests[-1].body.decode()
    assert "&lt;&amp;&gt;" in body and fake_dna.violations == []


def test_wrong_credentials_give_a_registrar_error(fake_dna):
    registrar = DnaRegistrar(fake_dna.client(password="wrong"))
    with pytest.raises(RegistrarError) as caught:
        registrar.check(["abc.cm"])
    assert caught.value.code == 300


def test_taken_domain_and_error_codes_are_typed(fake_dna, dna_registrar):
    with pytest.raises(RegistrarDomainTaken):
        dna_registrar.register("google.cm", 1, CONTACT, NS)
    fake_dna.throttle("RegisterWithContactInfo")
    with pytest.raises(RegistrarThrottled):
        dna_registrar.register("libre.cm", 1, CONTACT, NS)
    fake_dna.insufficient_balance("RegisterWithContactInfo")
    with pytest.raises(RegistrarInsufficientBalance):
        dna_registrar.register("libre.cm", 1, CONTACT, NS)
    fake_dna.fail("Renew", 530, "Invalid period")
    dna_registrar.register("libre.cm", 1, CONTACT, NS)
    with pytest.raises(RegistrarError) as caught:
        dna_registrar.renew("libre.cm", 1)
    assert caught.value.code == 530 and type(caught.value) is RegistrarError


def test_the_reseller_balance_runs_out_like_the_real_one(fake_dna, dna_registrar):
    fake_dna.balance_usd = Decimal("30")
    dna_registrar.register("un.cm", 1, CONTACT, NS)  # 25 USD
    with pytest.raises(RegistrarInsufficientBalance):
        dna_registrar.register("deux.cm", 1, CONTACT, NS)
    assert dna_registrar.balance().amount == Decimal("5.00")


def test_details_of_an_unknown_domain_is_none(dna_registrar):
    assert dna_registrar.details("inconnu.cm") is None


def test_a_timed_out_read_is_retried_a_bounded_number_of_times(fake_dna, dna_registrar):
    fake_dna.add_domain("lent.cm")
    fake_dna.hang("GetDetails", seconds=2)
    assert dna_registrar.details("lent.cm").domain == "lent.cm"  # 2nd attempt answers
    assert len(fake_dna.calls("GetDetails")) == 2

    fake_dna.hang("GetDetails", seconds=2, times=5)
    with pytest.raises(RegistrarTimeout):
        dna_registrar.details("lent.cm")
    assert len(fake_dna.calls("GetDetails")) == 4  # 2 more, then gives up


def test_a_throttled_read_is_retried(fake_dna, dna_registrar):
    fake_dna.throttle("CheckAvailability")
    assert dna_registrar.check(["retente.cm"])[0].available
    assert len(fake_dna.calls("CheckAvailability")) == 2


def test_register_and_renew_are_never_retried(fake_dna, dna_registrar):
    fake_dna.hang("RegisterWithContactInfo", seconds=2, apply=True)
    with pytest.raises(RegistrarTimeout):
        dna_registrar.register("unefois.cm", 1, CONTACT, NS)
    assert len(fake_dna.calls("RegisterWithContactInfo")) == 1
    assert "unefois.cm" in fake_dna.domains  # bought, though the answer was lost

    fake_dna.throttle("Renew")
    with pytest.raises(RegistrarThrottled):
        dna_registrar.renew("unefois.cm", 1)
    fake_dna.hang("Renew", seconds=2)
    with pytest.raises(RegistrarTimeout):
        dna_registrar.renew("unefois.cm", 1)
    assert len(fake_dna.calls("Renew")) == 2


def test_an_unreachable_server_is_a_registrar_error(fake_dna):
    client = fake_dna.client()
    client.endpoint = "http://127.0.0.1:9/DomainApi.svc"  # nothing listens on the discard port
    with pytest.raises(RegistrarError) as caught:
        DnaRegistrar(client).register("x.cm", 1, CONTACT, NS)
    assert not isinstance(caught.value, RegistrarTimeout)  # never sent: safe to call it refused


def test_tld_prices_name_servers_and_balance(fake_dna, dna_registrar):
    prices = dna_registrar.tld_prices()
    assert any(p.tld == "cm" and p.trade_type == "Renew" and p.price == Decimal("25.00") for p in prices)
    dna_registrar.register("serveurs.cm", 1, CONTACT, NS)
    dna_registrar.set_nameservers("serveurs.cm", ("ns1.autre.cm", "ns2.autre.cm"))
    assert dna_registrar.details("serveurs.cm").nameservers == ("ns1.autre.cm", "ns2.autre.cm")
    assert dna_registrar.balance().currency == "USD"
    record = fake_dna.calls("GetTldList")[0]
    assert _request_members(record)[2:] == [(API, "IncludePriceDefinitions"), (API, "PageNumber"),
                                            (API, "PageSize")]
    assert fake_dna.violations == []


def test_the_password_never_appears_in_logs_or_errors(fake_dna, caplog):
    caplog.set_level(logging.DEBUG)
    registrar = DnaRegistrar(fake_dna.client())
    registrar.check(["journal.cm"])
    registrar.register("journal.cm", 1, CONTACT, NS)
    fake_dna.hang("Renew", seconds=2)
    errors = []
    for call in (lambda: registrar.renew("journal.cm", 1), lambda: registrar.details("journal.cm"),
                 lambda: DnaRegistrar(fake_dna.client(password="wrong-" + PASSWORD)).check(["a.cm"])):
        try:
            call()
        except RegistrarError as exc:
            errors.append(exc)
    assert caplog.records, "the client logs its calls"
    logged = "\n".join(r.getMessage() for r in caplog.records) + repr(registrar.client)
    assert "DNA RegisterWithContactInfo -> SUCCESS" in logged
    assert PASSWORD not in logged and "P@ss" not in logged
    assert all(PASSWORD not in str(e) and "P@ss" not in repr(e) for e in errors)


def test_from_settings_uses_the_configured_account():
    settings = load_settings({"REGISTRAR": "dna", "DNA_USERNAME": "u", "DNA_PASSWORD": "p",
                              "DNA_ENDPOINT": "http://127.0.0.1:1/DomainApi.svc", "DNA_TIMEOUT": "7"})
    registrar = DnaRegistrar.from_settings(settings)
    assert registrar.client.username == "u" and registrar.client.timeout == 7
    assert registrar.name == "dna" and registrar.is_test is False


def test_wcf_dates_are_read_as_utc():
    assert soap.parse_datetime("2027-11-24T10:00:00") == datetime(2027, 11, 24, 10, tzinfo=UTC)
    assert soap.parse_datetime("2027-11-24T10:00:00.1234567+01:00") == \
        datetime(2027, 11, 24, 9, 0, 0, 123456, tzinfo=UTC)
    assert soap.parse_datetime("0001-01-01T00:00:00") is None
    assert soap.parse_datetime("garbage") is None


def _post(fake, body: bytes, action: str, content_type="text/xml; charset=utf-8"):
    import httpx

    return httpx.post(fake.url, content=body, headers={"SOAPAction": action, "Content-Type": content_type})


def test_the_fake_server_rejects_what_the_contract_forbids(fake_dna):
    """The checks the client's tests rely on really bite: each bad request gets a SOAP fault."""
    good = soap.build_request("GetDetails", USERNAME, PASSWORD, {"DomainName": "a.cm"})
    assert _post(fake_dna, good, soap.soap_action("GetDetails")).status_code == 200
    assert fake_dna.violations == []

    swapped = good.replace(b"core:Password", b"core:TMP").replace(b"core:UserName", b"core:Password") \
        .replace(b"core:TMP", b"core:UserName")
    wrong_ns = good.replace(b'xmlns:api="' + API.encode(), b'xmlns:api="' + DATA.encode())
    unsorted = soap.build_request("Renew", USERNAME, PASSWORD, {"DomainName": "a.cm", "Period": 1}) \
        .replace(b"<api:DomainName>a.cm</api:DomainName><api:Period>1</api:Period>",
                 b"<api:Period>1</api:Period><api:DomainName>a.cm</api:DomainName>")
    cases = [
        (swapped, soap.soap_action("GetDetails"), "text/xml; charset=utf-8"),
        (wrong_ns, soap.soap_action("GetDetails"), "text/xml; charset=utf-8"),
        (unsorted, soap.soap_action("Renew"), "text/xml; charset=utf-8"),
        (good, soap.soap_action("Renew"), "text/xml; charset=utf-8"),  # action names another operation
        (good, "http://tempuri.org/IDomainApi/GetDetails", "text/xml; charset=utf-8"),  # unquoted
        (good, soap.soap_action("GetDetails"), "application/soap+xml"),  # SOAP 1.2 content type
    ]
    for body, action, content_type in cases:
        response = _post(fake_dna, body, action, content_type)
        assert response.status_code == 500 and b"Fault" in response.content
    assert len(fake_dna.violations) == len(cases)


def test_a_gateway_error_page_is_unknown_for_writes_and_retried_for_reads(fake_dna, dna_registrar):
    fake_dna.http_error("RegisterWithContactInfo", 504)
    with pytest.raises(RegistrarTimeout):  # may have reached DNA: reconcile, never assume refused
        dna_registrar.register("passerelle.cm", 1, CONTACT, NS)
    fake_dna.http_error("CheckAvailability", 503)
    assert dna_registrar.check(["passerelle.cm"])[0].available
    assert len(fake_dna.calls("CheckAvailability")) == 2
    fake_dna.http_error("GetDetails", 500)
    with pytest.raises(RegistrarError):
        dna_registrar.details("passerelle.cm")
