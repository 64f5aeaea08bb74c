"""No page event waits on the registrar or the mail provider: paying, renewing a domain, signing up and
an admin's decision only write rows (and their jobs); the worker talks to the outside world. A
plain handler runs on the backend's event loop, where such a wait would stall every other visitor."""

from __future__ import annotations

import pytest
from sqlmodel import select

import kmerhosting.kmerhosting  # noqa: F401  (registers the pages and states)
from kmerhosting.core import cart
from kmerhosting.integrations.mail.backends import set_backend_override
from kmerhosting.integrations.registrar.factory import set_registrar_override
from kmerhosting.integrations.registrar.sandbox import SandboxRegistrar
from kmerhosting.models import CreditRequest, DomainPurchase, RegistrarStatus, User

from .factories import make_pack, make_user, run_jobs
from .fake_mailtrap import RecordingBackend
from .test_accounts_support import make_state
from .test_cart_state import login, run, state_of


class RecordingRegistrar(SandboxRegistrar):
    """The sandbox, noting every call that leaves for the registrar."""

    def __init__(self):
        self.calls: list[str] = []

    def check(self, domains):
        self.calls.append("check")
        return super().check(domains)

    def register(self, domain, years, contact, nameservers):
        self.calls.append("register")
        return super().register(domain, years, contact, nameservers)

    def renew(self, domain, years):
        self.calls.append("renew")
        return super().renew(domain, years)

    def details(self, domain):
        self.calls.append("details")
        return super().details(domain)


@pytest.fixture
def outside(engine):
    registrar, mail = RecordingRegistrar(), RecordingBackend()
    set_registrar_override(registrar)
    set_backend_override(mail)
    yield registrar, mail
    set_registrar_override(None)
    set_backend_override(None)


def test_paying_for_a_domain_waits_on_neither_the_registrar_nor_the_mail(session, outside):
    from kmerhosting.state.checkout import CheckoutState

    registrar, mail = outside
    user = make_user(session, credits=500_000)
    item = cart.add_pack(session, user_id=user.id, visitor_key=None, pack_id=make_pack(session).id, months=12)
    cart.choose_new_domain(session, user_id=user.id, visitor_key=None, item_id=item.id, domain="attente.cm",
                           years=1)
    session.commit()
    registrar.calls.clear()
    s = state_of(CheckoutState)
    s.auth_token = login(session, user)
    s.load_checkout()

    run(s.pay())

    assert s.paid and registrar.calls == [] and mail.sent == []
    run_jobs()
    assert registrar.calls == ["register"] and [m.subject for _, m in mail.sent][0]
    session.expire_all()
    assert session.exec(select(DomainPurchase)).one().registrar_status == RegistrarStatus.registered


def test_renewing_a_domain_waits_on_neither_the_registrar_nor_the_mail(session, outside):
    from kmerhosting.state.dashboard_domains import DashboardDomainsState

    registrar, mail = outside
    user = make_user(session, credits=50_000)
    info = registrar.register("prolonger.cm", 1, None, ("ns1.x.cm", "ns2.x.cm"))
    purchase = DomainPurchase(user_id=user.id, domain="prolonger.cm", price=15000,
                              registrar_status=RegistrarStatus.registered, expires_at=info.expires_at)
    session.add(purchase)
    session.commit()
    registrar.calls.clear()
    s = state_of(DashboardDomainsState)
    s.auth_token = login(session, user)
    s.load()

    s.renew(purchase.id)

    assert registrar.calls == [] and mail.sent == []
    session.expire_all()
    assert session.get(User, user.id).credits == 35_000  # paid at the click
    run_jobs()
    assert registrar.calls == ["renew"] and len(mail.sent) == 1


def test_signing_up_sends_no_mail_in_the_request(session, outside):
    from kmerhosting.state.auth import RegisterState

    _, mail = outside
    _, state = make_state(RegisterState, client_ip="10.1.1.9")
    state.submit({"name": "Awa Attente", "email": "attente@example.cm", "phone": "699123456",
                  "password": "Mboa-secret-2026", "password_confirm": "Mboa-secret-2026"})
    assert state.done and mail.sent == []
    run_jobs()
    assert [m.to_email for _, m in mail.sent] == ["attente@example.cm"]


def test_an_admin_decision_sends_no_mail_in_the_request(session, outside):
    from kmerhosting.models import Role
    from kmerhosting.state.admin_credits import AdminCreditsState

    _, mail = outside
    admin = make_user(session, role=Role.admin)
    customer = make_user(session)
    request = CreditRequest(user_id=customer.id, amount=5000, payment_method="mtn_momo", payment_reference="MP1")
    session.add(request)
    session.commit()
    s = state_of(AdminCreditsState)
    s.auth_token = login(session, admin)

    s.approve(request.id, {"note": ""})

    assert mail.sent == []
    session.expire_all()
    assert session.get(User, customer.id).credits == 5000
    run_jobs()
    assert [m.to_email for _, m in mail.sent] == [customer.email]
