"""Admin operations in core, on SQLite and MariaDB: users, credits, requests, services, packs, mail log."""

from __future__ import annotations

import threading

import pytest
from sqlmodel import select

from kmerhosting.core import sessions
from kmerhosting.core.admin import credits, notifications, packs, services, users
from kmerhosting.core.errors import InvalidInput, NotAuthorized, NotFound
from kmerhosting.core.ledger import ledger_sum
from kmerhosting.db import session_scope
from kmerhosting.models import (AuditLog, AuthSession, CreditRequest, NotificationLog, Pack, Role, Service,
                                Transaction, User, UserStatus)

from .factories import make_pack, make_service, make_user, run_jobs


def _request(session, user, amount=15000, status="pending"):
    req = CreditRequest(user_id=user.id, amount=amount, payment_method="mtn_momo", payment_reference="MP123",
                        status=status)
    session.add(req)
    session.commit()
    return req


def _audit(session, action):
    return session.exec(select(AuditLog).where(AuditLog.action == action)).all()


@pytest.fixture
def admin(session):
    return make_user(session, role=Role.admin, email="boss@kmerhosting.cm")


@pytest.fixture
def customer(session):
    return make_user(session, email="client@example.cm", credits=5000)


# --- actor checks ------------------------------------------------------------------------------

def test_every_core_function_rechecks_that_the_actor_is_an_admin(session, customer):
    pack = make_pack(session)
    req = _request(session, customer)
    for actor in (customer.id, None, "1", 999999):
        with pytest.raises(NotAuthorized):
            users.list_users(session, actor)
        with pytest.raises(NotAuthorized):
            credits.adjust_credits(session, actor, customer.id, 1000, "bonus")
        with pytest.raises(NotAuthorized):
            credits.approve_request(session, actor, req.id)
        with pytest.raises(NotAuthorized):
            packs.delete_pack(session, actor, pack.id)
    session.rollback()
    assert session.get(User, customer.id).credits == 5000


def test_a_blocked_admin_is_no_longer_an_admin(session, admin, customer):
    admin.status = UserStatus.blocked
    session.add(admin)
    session.commit()
    with pytest.raises(NotAuthorized):
        users.list_users(session, admin.id)


# --- users -------------------------------------------------------------------------------------

def test_search_users_by_email_or_name_and_filter(session, admin, customer):
    awa = make_user(session, email="awa@example.cm")
    awa.name = "Awa Ndiaye"
    session.add(awa)
    session.commit()
    blocked = make_user(session, email="ngono@example.cm", status=UserStatus.blocked)
    assert [u.email for (u,) in users.list_users(session, admin.id, search="ndiaye").rows] == ["awa@example.cm"]
    assert [u.email for (u,) in users.list_users(session, admin.id, search="CLIENT@").rows] == ["client@example.cm"]
    assert [u.id for (u,) in users.list_users(session, admin.id, status="blocked").rows] == [blocked.id]
    assert [u.id for (u,) in users.list_users(session, admin.id, role="admin").rows] == [admin.id]
    assert users.list_users(session, admin.id, search="%").total == 0  # LIKE wildcards are literal
    page = users.list_users(session, admin.id, per_page=2, page=2)
    assert page.total == 4 and page.pages == 2 and len(page.rows) == 2
    with pytest.raises(InvalidInput):
        users.list_users(session, admin.id, status="deleted")


def test_blocking_a_user_ends_all_their_sessions_and_is_audited(session, admin, customer):
    token = sessions.create_session(session, customer.id)
    sessions.create_session(session, customer.id)
    session.commit()
    users.set_status(session, admin.id, customer.id, "blocked")
    session.commit()
    assert sessions.user_for_token(session, token) is None
    assert all(s.revoked_at for s in session.exec(select(AuthSession).where(AuthSession.user_id == customer.id)))
    [entry] = _audit(session, "user.block")
    assert (entry.actor_id, entry.target_id, entry.before, entry.after["status"]) == \
        (admin.id, customer.id, {"status": "active"}, "blocked")
    assert entry.after["sessions_ended"] == 2
    users.set_status(session, admin.id, customer.id, "active")
    session.commit()
    assert session.get(User, customer.id).status == "active"


def test_an_admin_cannot_block_or_demote_themselves(session, admin):
    other = make_user(session, role=Role.admin)
    with pytest.raises(InvalidInput) as exc:
        users.set_status(session, admin.id, admin.id, "blocked")
    assert exc.value.key == "admin.error.block_self"
    with pytest.raises(InvalidInput) as exc:
        users.set_role(session, admin.id, admin.id, "customer")
    assert exc.value.key == "admin.error.demote_self"
    session.rollback()
    assert session.get(User, admin.id).status == "active" and session.get(User, admin.id).role == "admin"
    assert other.role == "admin"


def test_the_last_active_admin_cannot_be_removed(session, admin):
    other = make_user(session, role=Role.admin)
    users.set_role(session, admin.id, other.id, "customer")  # two active admins: allowed
    session.commit()
    for change in (lambda: users.set_status(session, admin.id, admin.id, "blocked"),
                   lambda: users.set_role(session, admin.id, admin.id, "customer")):
        with pytest.raises(InvalidInput):
            change()
        session.rollback()
    assert users._active_admins(session) == 1
    assert session.get(User, admin.id).role == "admin" and session.get(User, admin.id).status == "active"


def test_last_admin_rule_refuses_demoting_the_only_other_active_admin(session, admin, monkeypatch):
    other = make_user(session, role=Role.admin)
    # Simulate the race "other was the last active admin" by counting only one active admin.
    monkeypatch.setattr(users, "_active_admins", lambda s: 1)
    with pytest.raises(InvalidInput) as exc:
        users.set_role(session, admin.id, other.id, "customer")
    assert exc.value.key == "admin.error.last_admin"
    with pytest.raises(InvalidInput) as exc:
        users.set_status(session, admin.id, other.id, "blocked")
    assert exc.value.key == "admin.error.last_admin"


def test_user_history_shows_services_ledger_requests_logins_and_mails(session, admin, customer):
    pack = make_pack(session)
    make_service(session, customer, pack)
    _request(session, customer)
    sessions.create_session(session, customer.id, client="Firefox")
    session.add(NotificationLog(recipient=customer.email, user_id=customer.id, kind="credit_added", status="sent"))
    session.commit()
    h = users.user_history(session, admin.id, customer.id)
    assert len(h["services"]) == 1 and len(h["ledger"]) == 1 and len(h["requests"]) == 1
    assert h["logins"][0].client == "Firefox" and h["mails"][0].kind == "credit_added"
    with pytest.raises(NotFound):
        users.user_history(session, admin.id, 987654)


# --- credits -----------------------------------------------------------------------------------

def test_admin_adds_credits_with_a_reason_through_the_ledger(session, admin, customer):
    row, mail = credits.adjust_credits(session, admin.id, customer.id, "10 000", "Paiement MoMo reçu")
    session.commit()
    assert (row.kind, row.amount, row.balance_after, row.actor_id) == ("credit", 10000, 15000, admin.id)
    assert session.get(User, customer.id).credits == 15000 == ledger_sum(session, customer.id)
    assert mail.template == "credit_added" and mail.context == {
        "name": customer.name, "amount": 10000, "balance": 15000, "reason": "Paiement MoMo reçu"}
    [entry] = _audit(session, "credits.credit")
    assert entry.before == {"credits": 5000} and entry.after["credits"] == 15000


@pytest.mark.parametrize("amount,reason,key", [
    (0, "bonus", "admin.error.amount_positive"), (-100, "bonus", "admin.error.amount_positive"),
    ("abc", "bonus", "admin.error.amount"), (12.5, "bonus", "admin.error.amount"),
    (10**12, "bonus", "admin.error.amount"), (1000, "  ", "admin.error.reason_required"),
])
def test_bad_credit_input_is_refused_with_a_clear_message(session, admin, customer, amount, reason, key):
    with pytest.raises(InvalidInput) as exc:
        credits.adjust_credits(session, admin.id, customer.id, amount, reason)
    assert exc.value.key == key
    session.rollback()
    assert session.get(User, customer.id).credits == 5000


def test_a_correction_is_signed_and_never_drives_the_balance_below_zero(session, admin, customer):
    row, _ = credits.adjust_credits(session, admin.id, customer.id, -2000, "Double saisie", correction=True)
    session.commit()
    assert (row.kind, row.amount, row.balance_after) == ("adjustment", -2000, 3000)
    with pytest.raises(InvalidInput) as exc:
        credits.adjust_credits(session, admin.id, customer.id, -3001, "Trop", correction=True)
    assert exc.value.key == "admin.error.below_zero"
    session.rollback()
    assert session.get(User, customer.id).credits == 3000 == ledger_sum(session, customer.id)


def test_approving_a_request_credits_it_once_and_cannot_be_decided_again(session, admin, customer):
    req = _request(session, customer, 15000)
    decided, mail = credits.approve_request(session, admin.id, req.id, "merci")
    session.commit()
    assert decided.status == "approved" and decided.decided_by_id == admin.id and decided.decided_at
    assert session.get(User, customer.id).credits == 20000
    assert mail.template == "credit_request_approved" and mail.context["balance"] == 20000
    for decide in (credits.approve_request, credits.reject_request):
        with pytest.raises(InvalidInput) as exc:
            decide(session, admin.id, req.id, "encore une fois")
        assert exc.value.key == "admin.error.request_decided"
        session.rollback()
    assert session.get(User, customer.id).credits == 20000 == ledger_sum(session, customer.id)


def test_rejecting_a_request_needs_a_note_and_credits_nothing(session, admin, customer):
    req = _request(session, customer)
    with pytest.raises(InvalidInput) as exc:
        credits.reject_request(session, admin.id, req.id, "")
    assert exc.value.key == "admin.error.note_required"
    session.rollback()
    decided, mail = credits.reject_request(session, admin.id, req.id, "Référence MoMo introuvable")
    session.commit()
    assert decided.status == "rejected" and decided.note == "Référence MoMo introuvable"
    assert mail.context == {"name": customer.name, "amount": 15000, "note": "Référence MoMo introuvable"}
    assert session.get(User, customer.id).credits == 5000


def test_concurrent_approvals_credit_once(engine, session, admin, customer):
    req = _request(session, customer, 7000)
    barrier = threading.Barrier(4)
    outcomes = []

    def approve():
        barrier.wait()
        try:
            with session_scope() as s:
                credits.approve_request(s, admin.id, req.id)
            outcomes.append("ok")
        except InvalidInput as exc:
            outcomes.append(exc.key)
        except Exception as exc:  # noqa: BLE001  (a deadlock/lock error is also "not credited twice")
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=approve) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 1, outcomes
    session.expire_all()
    assert session.get(User, customer.id).credits == 12000 == ledger_sum(session, customer.id)
    assert len(session.exec(select(Transaction).where(Transaction.reference == f"request:{req.id}")).all()) == 1


def test_credit_mail_is_queued_with_the_credit_and_sent_by_the_worker(session, admin, customer):
    credits.adjust_credits(session, admin.id, customer.id, 1000, "Geste commercial")
    session.rollback()  # the action rolled back: no credit, no mail
    assert session.exec(select(NotificationLog)).all() == []
    credits.adjust_credits(session, admin.id, customer.id, 1000, "Geste commercial")
    session.commit()
    [log] = session.exec(select(NotificationLog).where(NotificationLog.user_id == customer.id)).all()
    assert log.kind == "credit_added" and log.recipient == customer.email and log.status == "pending"
    run_jobs()
    session.expire_all()
    assert session.get(NotificationLog, log.id).status == "sent"


# --- services ----------------------------------------------------------------------------------

def test_service_life_cycle_and_panel_url(session, admin, customer):
    pack = make_pack(session)
    svc = make_service(session, customer, pack, status="pending", domain="boutique.cm")
    assert [s.domain for s, _, _ in services.list_services(session, admin.id, search="boutique").rows] == ["boutique.cm"]
    assert services.list_services(session, admin.id, search="client@", status="pending").total == 1
    services.set_status(session, admin.id, svc.id, "active")
    services.set_status(session, admin.id, svc.id, "suspended")
    services.set_status(session, admin.id, svc.id, "active")
    services.set_panel_url(session, admin.id, svc.id, "https://cp1.kmerhosting.cm:2083")
    session.commit()
    svc = session.get(Service, svc.id)
    assert svc.status == "active" and svc.panel_url == "https://cp1.kmerhosting.cm:2083"
    services.set_status(session, admin.id, svc.id, "cancelled")
    session.commit()
    with pytest.raises(InvalidInput) as exc:
        services.set_status(session, admin.id, svc.id, "active")
    assert exc.value.key == "admin.error.transition"
    assert len(session.exec(select(AuditLog).where(AuditLog.target_type == "service")).all()) == 5


@pytest.mark.parametrize("url", ["ftp://x.cm", "javascript:alert(1)", "https://", "panel.cm", "https://a b.cm",
                                 "https://x.cm:99999", "http://" + "a" * 260 + ".cm"])
def test_panel_url_must_be_an_http_url(session, admin, customer, url):
    svc = make_service(session, customer, make_pack(session))
    with pytest.raises(InvalidInput) as exc:
        services.set_panel_url(session, admin.id, svc.id, url)
    assert exc.value.key == "admin.error.panel_url"


# --- packs -------------------------------------------------------------------------------------

PACK_FORM = {"name": "Pro Plus", "slug": "pro-plus", "monthly_price": "4500", "control_panel": "plesk",
             "disk_gb": "50", "websites": "5", "discount_12": "15", "discount_24": "", "discount_36": "25",
             "free_ssl": "on", "is_active": "on"}


def test_create_edit_deactivate_and_delete_an_unused_pack(session, admin):
    pack = packs.create_pack(session, admin.id, PACK_FORM)
    session.commit()
    assert (pack.monthly_price, pack.discounts, pack.control_panel) == (4500, {"12": 15, "36": 25}, "plesk")
    packs.update_pack(session, admin.id, pack.id, {**PACK_FORM, "monthly_price": "5000", "discount_12": "10"})
    packs.set_active(session, admin.id, pack.id, False)
    session.commit()
    pack = session.get(Pack, pack.id)
    assert (pack.monthly_price, pack.discounts["12"], pack.is_active) == (5000, 10, False)
    packs.delete_pack(session, admin.id, pack.id)
    session.commit()
    assert session.get(Pack, pack.id) is None
    assert [a.action for a in session.exec(select(AuditLog).order_by(AuditLog.id))] == \
        ["pack.create", "pack.update", "pack.deactivate", "pack.delete"]


def test_a_pack_with_services_is_never_deleted(session, admin, customer):
    pack = make_pack(session)
    make_service(session, customer, pack)
    with pytest.raises(InvalidInput) as exc:
        packs.delete_pack(session, admin.id, pack.id)
    assert exc.value.key == "admin.error.pack_in_use"
    session.rollback()
    assert session.get(Pack, pack.id) is not None


@pytest.mark.parametrize("change,key", [
    ({"name": "X"}, "admin.error.pack_name"), ({"slug": "Pro Plus"}, "admin.error.pack_slug"),
    ({"monthly_price": "0"}, "admin.error.pack_price"), ({"monthly_price": "12.5"}, "admin.error.pack_price"),
    ({"control_panel": "webmin"}, "admin.error.pack_panel"), ({"discount_12": "95"}, "admin.error.discount"),
    ({"discount_6": "-5"}, "admin.error.discount"), ({"disk_gb": "beaucoup"}, "admin.error.pack_number"),
])
def test_pack_validation_names_the_problem(session, admin, change, key):
    with pytest.raises(InvalidInput) as exc:
        packs.create_pack(session, admin.id, {**PACK_FORM, **change})
    assert exc.value.key == key


def test_pack_slug_must_be_unique(session, admin):
    make_pack(session, slug="pro-plus")
    with pytest.raises(InvalidInput) as exc:
        packs.create_pack(session, admin.id, PACK_FORM)
    assert exc.value.key == "admin.error.pack_slug_taken"


# --- mail log ----------------------------------------------------------------------------------

def test_mail_log_filters_and_resend_of_a_failed_mail(session, admin, customer):
    failed = NotificationLog(recipient=customer.email, user_id=customer.id, kind="credit_added", status="failed",
                             error="SMTP timeout", payload={"template": "verify_email",
                                                            "context": {"name": "A", "link": "https://x.cm/v"}})
    sent = NotificationLog(recipient="other@example.cm", kind="expiry_notice", status="sent", threshold=30)
    session.add_all([failed, sent])
    session.commit()
    assert notifications.list_mails(session, admin.id, status="failed").total == 1
    assert notifications.list_mails(session, admin.id, kind="expiry_notice").total == 1
    assert notifications.list_mails(session, admin.id, recipient="CLIENT@").total == 1
    with pytest.raises(InvalidInput):
        notifications.resend(admin.id, sent.id)
    entry = notifications.resend(admin.id, failed.id)
    assert entry.attempts == 1 and entry.status == "pending"  # claimed and handed to the worker
    with pytest.raises(InvalidInput):
        notifications.resend(admin.id, failed.id)  # a second click: it is no longer failed
    run_jobs()
    session.expire_all()
    assert session.get(NotificationLog, failed.id).status == "sent"
    assert len(session.exec(select(AuditLog).where(AuditLog.action == "mail.resend")).all()) == 1
    with pytest.raises(NotAuthorized):
        notifications.resend(customer.id, failed.id)
