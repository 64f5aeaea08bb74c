"""Every public event handler of every admin State class refuses anonymous visitors and customers and
changes nothing; an admin gets the pages' data and can act. SQLite and MariaDB."""

from __future__ import annotations

import inspect
import types

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel, select

import kmerhosting.kmerhosting  # noqa: F401  (registers every page and state)
from kmerhosting.core import sessions
from kmerhosting.i18n import translate
from kmerhosting.core.servers import seal_token
from kmerhosting.models import CreditRequest, NotificationLog, Role, Server, User
from kmerhosting.state.admin import AdminState
from kmerhosting.state.admin_credits import AdminCreditsState
from kmerhosting.state.admin_services import AdminServicesState
from kmerhosting.state.admin_stats import AdminStatsState
from kmerhosting.state.admin_users import AdminUserState
from kmerhosting.state.forms import ROW_ID

from .background import run_background
from .factories import in_language, make_pack, make_payment, make_service, make_user


def admin_state_classes() -> list[type]:
    """Every concrete state that mixes in AdminState (the mixin itself cannot be instantiated)."""
    found, todo = [], list(AdminState.__subclasses__())
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    assert len(found) >= 9
    return found


def admin_handlers() -> list[tuple[type, str]]:
    """(class, name) of each public event handler written in the admin state modules."""
    result = []
    for cls in admin_state_classes():
        for name, handler in cls.event_handlers.items():
            fn = handler.fn
            if name.startswith("_") or not fn.__module__.startswith("kmerhosting.state.admin"):
                continue
            result.append((cls, name))
    return result


def test_the_handler_list_covers_every_admin_page():
    names = {f"{cls.__name__}.{name}" for cls, name in admin_handlers()}
    for expected in ("AdminUsersState.set_user_status", "AdminUserState.set_user_role", "AdminCreditsState.approve",
                     "AdminCreditsState.reject", "AdminCreditsState.add_credits", "AdminServicesState.set_panel_url",
                     "AdminPacksState.delete_pack", "AdminPacksState.save_pack", "AdminStatsState.export_csv",
                     "AdminMailsState.resend", "AdminAuditState.load", "AdminOverviewState.load",
                     "AdminPaymentsState.check_now", "AdminPaymentsState.open_payment",
                     "AdminPaymentsState.download_csv", "AdminServersState.save_server",
                     "AdminServersState.test_server", "AdminServersState.delete_server"):
        assert expected in names
    assert "AdminCreditsState.next_page" in names  # the mixin's handlers are each page's own
    assert len(names) >= 35


@pytest.fixture
def world(session):
    admin = make_user(session, role=Role.admin, email="boss@kmerhosting.cm")
    customer = make_user(session, email="client@example.cm", credits=5000)
    victim = make_user(session, email="victim@example.cm", credits=2000)
    pack = make_pack(session, slug="start")
    unused = make_pack(session, slug="unused")
    service = make_service(session, victim, pack, status="pending")
    request = CreditRequest(user_id=victim.id, amount=9000, payment_method="mtn_momo", payment_reference="X1")
    mail = NotificationLog(recipient=victim.email, user_id=victim.id, kind="credit_added", status="failed",
                           payload={"template": "verify_email", "context": {}})
    session.add_all([request, mail])
    session.commit()
    server = Server(name="Serveur Douala", panel="cpanel", host="127.0.0.1", port=9,
                    token_sealed=seal_token("state-secret-token"))
    session.add(server)
    session.commit()
    payment = make_payment(session, victim, status="pending", reference="KHSTATE0001",
                           events=[{"source": "start", "status": "pending", "detail": {"sandbox": True}}])
    tokens = {"customer": sessions.create_session(session, customer.id),
              "admin": sessions.create_session(session, admin.id)}
    session.commit()
    return types.SimpleNamespace(admin=admin, customer=customer, victim=victim, pack=pack, unused=unused,
                                 service=service, request=request, mail=mail, payment=payment, tokens=tokens,
                                 server=server)


FORM_KEYS = {"search": "", "status": "blocked", "role": "admin", "mode": "credit", "amount": "50000",
             "reason": "free money", "note": "approved by me", "panel_url": "https://evil.example.cm",
             "name": "Hacked", "slug": "hacked", "monthly_price": "1", "control_panel": "cpanel",
             "start": "2020-01-01", "end": "2020-12-31", "granularity": "month", "recipient": "", "kind": "all",
             "action": "", "target_type": "", "panel": "cpanel", "host": "evil.example.cm", "port": "2087",
             "api_user": "root", "token": "stolen-token", "capacity": "10", "nameservers": ""}


def argument_for(param: inspect.Parameter, w) -> object:
    """The most damaging plausible value for each handler argument."""
    name = param.name
    if name == "user_id":
        return w.victim.id
    if name == "request_id":
        return w.request.id
    if name == "service_id":
        return w.service.id
    if name == "pack_id":
        return w.unused.id
    if name == "log_id":
        return w.mail.id
    if name == "server_id":
        return str(w.server.id)
    if name == "status":
        return "blocked" if "user" in str(param) else "active"
    if name == "role":
        return "admin"
    if name == "active":
        return False
    if name == "form":
        return {**FORM_KEYS, "user": w.victim.email}
    if name == "name":
        return "revenue"
    if name == "is_open":
        return True  # the mail viewer asked open without a mail: refused like the rest
    raise AssertionError(f"no test value for argument {name!r}")


def snapshot(engine) -> dict:
    """Every row of every table (small test database): any change shows up."""
    with engine.connect() as conn:
        return {t.name: sorted(map(repr, conn.execute(sa.select(t)).all())) for t in SQLModel.metadata.sorted_tables}


def row_form_target(name: str, w) -> dict:
    """The row a per-row form (components.forms.row_form) names in its hidden field."""
    rows = {"reject": w.request.id, "set_panel_url": w.service.id, "check_now": w.payment.id,
            "open_payment": w.payment.id, "edit_server": w.server.id, "test_server": w.server.id,
            "activate_server": w.server.id, "deactivate_server": w.server.id, "open_account": w.service.id,
            "retry_provisioning": w.service.id, "change_pack": w.service.id}
    return {ROW_ID: str(rows[name])} if name in rows else {}


def call(state, name, w):
    handler = type(state).event_handlers[name]
    params = [p for p in list(inspect.signature(handler.fn).parameters.values())[1:]
              if p.default is inspect.Parameter.empty or p.name == "form"]
    args = [{**argument_for(p, w), **row_form_target(name, w)} if p.name == "form" else argument_for(p, w)
            for p in params]
    if inspect.iscoroutinefunction(handler.fn) or inspect.isasyncgenfunction(handler.fn):
        events = run_background(state, name, *args)  # a background handler, as the app runs it
        return events[0] if events else None
    result = handler.fn(state, *args)
    if inspect.isgenerator(result):
        result = list(result)
    return result


PAGE_LOAD_HANDLERS = {"load"}
DATA_VARS = ("rows", "requests", "cards", "user", "services", "ledger", "logins", "mails", "revenue_rows",
             "pack_rows", "duration_rows", "customer_rows", "summary", "form", "kinds", "payment", "timeline", "account",
             "history", "pack_options")


@pytest.mark.parametrize("who", ["anonymous", "customer"])
def test_every_admin_handler_refuses_visitors_and_customers_and_changes_nothing(engine, world, who, monkeypatch):
    monkeypatch.setattr(AdminUserState, "_target", lambda self: str(world.victim.id))
    before = snapshot(engine)
    refused = translate("error.not_authorized", "fr")
    for cls, name in admin_handlers():
        state = cls()
        state.auth_token = "" if who == "anonymous" else world.tokens["customer"]
        if cls.__name__ in ("AdminPacksState", "AdminServersState"):
            state.editing = 0  # a create form would be "open"
        result = call(state, name, world)
        if name in PAGE_LOAD_HANDLERS:
            # The page guard redirects such a visitor: the load loads nothing and adds no second message.
            assert result is None and state.error == "", f"{cls.__name__}.{name}: {state.error!r}"
        else:
            assert result is not None, f"{cls.__name__}.{name} did not refuse"
            assert state.error == refused, f"{cls.__name__}.{name}: {state.error!r}"
        for var in DATA_VARS:
            if hasattr(state, var):
                assert not getattr(state, var), f"{cls.__name__}.{name} leaked {var}"
        assert snapshot(engine) == before, f"{cls.__name__}.{name} changed the database"


def admin_state(cls, world):
    state = cls()
    state.auth_token = world.tokens["admin"]
    return state


def test_admin_approves_a_request_through_the_state(session, world):
    state = admin_state(AdminCreditsState, world)
    state.load()
    assert [r["email"] for r in state.requests] == ["victim@example.cm"]
    state.approve(world.request.id, {"note": "OK"})
    assert state.error == "" and state.requests == []
    session.expire_all()
    assert session.get(User, world.victim.id).credits == 11000
    state.approve(world.request.id, {})
    assert state.error == translate("admin.error.request_decided", "fr")
    session.expire_all()
    assert session.get(User, world.victim.id).credits == 11000
    kinds = [m.kind for m in session.exec(select(NotificationLog).where(NotificationLog.user_id == world.victim.id))]
    assert "credit_request_approved" in kinds


def test_admin_rejects_a_request_and_sets_a_panel_url_through_their_row_forms(session, world):
    credits_page = admin_state(AdminCreditsState, world)
    credits_page.load()
    credits_page.reject({ROW_ID: str(world.request.id), "note": ""})
    assert credits_page.error == translate("admin.error.note_required", "fr")
    credits_page.reject({ROW_ID: "not-a-number", "note": "Référence introuvable"})
    assert credits_page.error == translate("error.not_found", "fr")
    credits_page.reject({ROW_ID: str(world.request.id), "note": "Référence introuvable"})
    assert credits_page.error == "" and credits_page.requests == []
    session.expire_all()
    request = session.get(CreditRequest, world.request.id)
    assert (request.status, request.note) == ("rejected", "Référence introuvable")

    services_page = admin_state(AdminServicesState, world)
    services_page.load()
    services_page.set_panel_url({ROW_ID: str(world.service.id), "panel_url": "ftp://panel"})
    assert services_page.error == translate("admin.error.panel_url", "fr")
    services_page.set_panel_url({ROW_ID: str(world.service.id), "panel_url": "https://panel.example.cm:2083"})
    assert services_page.error == ""
    assert services_page.rows[0]["panel_url"] == "https://panel.example.cm:2083"


def test_admin_adds_credits_through_the_state_with_clear_errors(session, world):
    state = admin_state(AdminCreditsState, world)
    state.add_credits({"user": "victim@example.cm", "amount": "abc", "reason": "x", "mode": "credit"})
    assert state.error == translate("admin.error.amount", "fr")
    state.add_credits({"user": "nobody@example.cm", "amount": "1000", "reason": "bonus", "mode": "credit"})
    assert "nobody@example.cm" in state.error
    state.add_credits({"user": str(world.victim.id), "amount": "1 000", "reason": "Bonus fidélité", "mode": "credit"})
    assert state.error == ""
    session.expire_all()
    assert session.get(User, world.victim.id).credits == 3000


def test_user_page_and_stats_page_load_for_an_admin(session, world, monkeypatch):
    monkeypatch.setattr(AdminUserState, "_target", lambda self: str(world.victim.id))
    user_page = admin_state(AdminUserState, world)
    user_page.load()
    assert user_page.user["email"] == "victim@example.cm" and len(user_page.services) == 1
    user_page.set_user_status("blocked")
    assert user_page.user["status"] == "blocked"

    stats_page = admin_state(AdminStatsState, world)
    stats_page.load()
    assert stats_page.error == "" and len(stats_page.revenue_rows) == 30
    assert stats_page.summary["outstanding"] == "7\u202f000\xa0FCFA"
    in_language(stats_page, "en")
    assert stats_page.summary["outstanding"] == "7,000\xa0FCFA"
    in_language(stats_page, "fr")
    stats_page.apply_period({"start": "2026-02-01", "end": "2025-01-01", "granularity": "day"})
    assert stats_page.error == translate("admin.error.period_order", "fr")
    download = stats_page.export_csv("summary")
    assert "kmerhosting-summary-" in str(download)  # the CSV itself: tests/test_stats.py


def test_admin_lists_keep_values_and_follow_a_language_switch_without_reading_again(session, world, monkeypatch):
    from kmerhosting.i18n import display
    from kmerhosting.state.admin import AdminOverviewState
    from kmerhosting.state.admin_packs import AdminPacksState
    from kmerhosting.state.admin_users import AdminUsersState

    shown = {AdminOverviewState: "cards", AdminUsersState: "rows", AdminCreditsState: "requests",
             AdminServicesState: "rows", AdminPacksState: "rows"}
    pages = {cls: admin_state(cls, world) for cls in shown}
    for state in pages.values():
        state.load()
        assert state.error == ""
    french = {cls: state.get_value(shown[cls]) for cls, state in pages.items()}
    assert french[AdminCreditsState][0]["amount"] == display.money(9000, "fr")
    assert french[AdminServicesState][0]["duration"] == display.months(12, "fr")

    # A switch re-words what the pages hold without reading the database again.
    monkeypatch.setattr("kmerhosting.state.admin.session_scope", None)
    for cls, state in pages.items():
        in_language(state, "en")
        assert state.get_value(shown[cls]) != french[cls], cls.__name__
    assert pages[AdminCreditsState].requests[0]["amount"] == "9,000\u00a0FCFA"
    assert pages[AdminServicesState].rows[0]["duration"] == display.months(12, "en")
    assert pages[AdminUsersState].rows[0]["credits"].endswith("FCFA") and "," in "".join(
        r["credits"] for r in pages[AdminUsersState].rows)


def test_admin_reads_filters_and_checks_payments_through_the_state(session, world):
    from kmerhosting.core import jobs
    from kmerhosting.models import AuditLog, Job
    from kmerhosting.state.admin_payments import AdminPaymentsState

    make_payment(session, world.customer, amount=7000, operator="orange", phone="237699001100", status="failed",
                 reference="KHSTATE0002", reason="=cmd")
    state = admin_state(AdminPaymentsState, world)
    state.load()
    assert [r["reference"] for r in state.rows] == ["KHSTATE0002", "KHSTATE0001"]
    failed, waiting = state.rows
    assert (failed["status_label"], failed["operator"], failed["amount"], failed["phone"], failed["checkable"]) == \
        ("Refusé", "Orange Money", "7\u202f000\u00a0FCFA", "+237 6 99 00 11 00", "")
    assert (waiting["status_label"], waiting["gateway"], waiting["checkable"]) == \
        ("En attente de confirmation", "Bac à sable (test)", "1")

    state.apply_filters({"search": "6 99 00", "status": "all", "operator": "orange", "gateway": "sandbox"})
    assert [r["reference"] for r in state.rows] == ["KHSTATE0002"]
    state.apply_filters({"status": "<script>", "operator": "moov", "gateway": "x"})  # unknown: all
    assert (state.status, state.operator, state.gateway, len(state.rows)) == ("all", "all", "all", 2)

    state.open_payment({ROW_ID: str(world.payment.id)})
    assert state.detail_open and state.payment["reference"] == "KHSTATE0001"
    assert [(e["source"], e["status"], e["said"]) for e in state.timeline] == \
        [("Démarrage", "En attente de confirmation", ["sandbox\u00a0: True"])]
    in_language(state, "en")
    assert state.timeline[0]["source"] == "Start" and state.rows[1]["status_label"] == "Waiting for confirmation"
    assert state.timeline[0]["said"] == ["sandbox: True"]
    in_language(state, "fr")

    events = state.check_now({ROW_ID: str(world.payment.id)})
    assert state.error == "" and state.check_waiting
    assert "watch_check" in str(events[-1])
    state.check_now({ROW_ID: str(world.payment.id)})  # a second click: the same job
    assert state.notice == translate("admin.payments.check_already", "fr")
    state.check_now({ROW_ID: "not-a-number"})
    assert state.error == translate("error.not_found", "fr")
    session.expire_all()
    assert len(session.exec(select(Job).where(Job.kind == "payment.check")).all()) == 1
    assert len(session.exec(select(AuditLog).where(AuditLog.action == "payment.check")).all()) == 1

    state.check_now({ROW_ID: state.rows[0]["id"]})  # refused: settled
    assert state.error == translate("admin.payments.error.final", "fr")

    jobs.run_until_idle("tests")  # the worker asks the gateway; the page follows (off the loop)
    run_background(state, "watch_check")
    assert state.timeline[-1]["source"] == "Vérification demandée" and not state.check_waiting

    download = state.download_csv()
    assert "kmerhosting-payments-" in str(download)
    state.set_detail_open(False)
    assert not state.detail_open and state.payment == {} and state.timeline == []
