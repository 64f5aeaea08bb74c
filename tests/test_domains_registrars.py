"""The same promises from both registrars the shop can use: the sandbox (default) and DNA (through
the real client and the fake DNA server)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kmerhosting.integrations.registrar import Contact, RegistrarDomainTaken, RegistrarError
from kmerhosting.integrations.registrar.factory import get_registrar
from kmerhosting.integrations.registrar.sandbox import SandboxRegistrar

from .fake_dna import FakeDna

CONTACT = Contact(first_name="Jean", last_name="Mbarga", email="jean@example.cm", phone="699000000")
NS = ("ns1.kmerhosting.cm", "ns2.kmerhosting.cm")


@pytest.fixture(params=["sandbox", "dna"])
def any_registrar(request, tmp_path):
    if request.param == "sandbox":
        # The sandbox keeps its registry in the shop's database: a fresh one per test.
        from kmerhosting import db
        from kmerhosting.manage import migrate

        url = f"sqlite:///{tmp_path / 'sandbox.db'}"
        migrate(url)
        engine = db.make_engine(url)
        db.set_engine_override(engine)
        yield SandboxRegistrar()
        db.set_engine_override(None)
        engine.dispose()
        return
    from kmerhosting.integrations.dna import DnaRegistrar

    server = FakeDna().start()
    server.taken |= {"facebook"}
    registrar = DnaRegistrar(server.client())
    yield registrar
    registrar.client.close()
    server.stop()


def test_check_keeps_the_order_asked_and_knows_taken_names(any_registrar):
    result = any_registrar.check(["libre.com", "google.cm", "libre.cm"])
    assert [(a.domain, a.available) for a in result] == [("libre.com", True), ("google.cm", False),
                                                         ("libre.cm", True)]
    assert all(a.currency == "USD" and a.price for a in result)


def test_register_details_renew(any_registrar):
    info = any_registrar.register("cycle.cm", 1, CONTACT, NS)
    assert info.expires_at.tzinfo is not None and info.expires_at.microsecond == 0
    assert info.expires_at - datetime.now(UTC) > timedelta(days=363)
    assert any_registrar.details("cycle.cm").registrar_id == info.registrar_id
    assert any_registrar.check(["cycle.cm"])[0].available is False
    assert any_registrar.renew("cycle.cm", 2) == info.expires_at + timedelta(days=730)


def test_a_name_cannot_be_bought_twice(any_registrar):
    any_registrar.register("unique.cm", 1, CONTACT, NS)
    with pytest.raises(RegistrarDomainTaken):
        any_registrar.register("unique.cm", 1, CONTACT, NS)
    with pytest.raises(RegistrarDomainTaken):
        any_registrar.register("facebook.com", 1, CONTACT, NS)


def test_unknown_domain_details_is_none_and_bad_periods_are_refused(any_registrar):
    assert any_registrar.details("jamais.cm") is None
    for years in (0, 11):
        with pytest.raises(RegistrarError) as caught:
            any_registrar.register("periode.cm", years, CONTACT, NS)
        assert caught.value.code == 530


def test_the_sandbox_is_the_default_and_says_it_is_a_test(engine, configure):
    configure(REGISTRAR="sandbox")
    registrar = get_registrar()
    assert registrar.name == "sandbox" and registrar.is_test is True
    assert [a.available for a in registrar.check(["taken-x.cm", "takenby.com"])] == [False, False]


def test_registrar_dna_setting_builds_the_dna_client(configure):
    configure(REGISTRAR="dna", DNA_USERNAME="u", DNA_PASSWORD="p", DNA_ENDPOINT="http://127.0.0.1:9/DomainApi.svc")
    registrar = get_registrar()
    assert registrar.name == "dna" and registrar.is_test is False
    assert registrar.client.endpoint == "http://127.0.0.1:9/DomainApi.svc"


def test_the_dna_registrar_is_built_once_per_account(configure):
    configure(REGISTRAR="dna", DNA_USERNAME="u", DNA_PASSWORD="p", DNA_ENDPOINT="http://127.0.0.1:9/DomainApi.svc")
    first = get_registrar()
    assert get_registrar() is first  # one connection pool, reused
    configure(DNA_USERNAME="autre")
    assert get_registrar() is not first and get_registrar().client.username == "autre"
