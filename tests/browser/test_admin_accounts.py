"""The admin's side of hosting accounts in a real browser: a service whose creation the panel refused is
opened in its account dialog (server, username, the panel's words, the call history), moved to another
plan and retried, and the worker then creates the account; servers are deactivated, activated, and an
unused one deleted; the server form can be left without saving."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from kmerhosting.models import AccountStatus, Job, Pack, ProvisionEvent, Server, Service, ServiceStatus

from ..conftest import screenshot
from ..factories import make_service, make_user
from ..live import ADMIN_EMAIL
from . import helpers as h

pytestmark = pytest.mark.browser


@pytest.fixture
def admin(page, live_db):
    h.log_in_with_token(page, h.session_token(live_db, ADMIN_EMAIL))
    page.set_viewport_size({"width": 390, "height": 844})
    return page


def test_a_refused_account_is_read_moved_to_another_plan_and_retried(admin, live_db):
    tag = uuid.uuid4().hex[:6]
    with Session(live_db, expire_on_commit=False) as s:
        sandbox = s.exec(select(Server).where(Server.panel == "cpanel", Server.sandbox == True)).first()  # noqa: E712
        starter = s.exec(select(Pack).where(Pack.slug == "starter")).one()
        pro = s.exec(select(Pack).where(Pack.slug == "pro")).one()
        user = make_user(s, email=f"refused-{tag}@example.cm")
        service = make_service(s, user, starter, domain=f"refus-{tag}.cm", status=ServiceStatus.pending,
                               server_id=sandbox.id, panel_username=f"refus{tag}",
                               account_status=AccountStatus.failed,
                               account_error="Sorry, the package kh_inconnu does not exist.")
        s.add(ProvisionEvent(service_id=service.id, server_id=sandbox.id, action="create", outcome="refused",
                             message="Sorry, the package kh_inconnu does not exist.", duration_ms=840))
        s.add(Job(kind="panel.create", status="failed", dedupe_key=f"panel:{service.id}:create",
                  payload={"service_id": service.id}, user_id=user.id, attempts=1, max_attempts=12,
                  last_error="the panel refused the account"))
        s.commit()
    h.goto(admin, "/admin/services")
    admin.locator("input[name=search]").fill(service.domain)
    admin.locator("input[name=search]").press("Enter")
    admin.locator(f"#account-history-{service.id}").click()
    dialog = admin.locator("#account-detail")
    expect(dialog).to_contain_text(service.domain)
    expect(dialog).to_contain_text("the package kh_inconnu does not exist")
    expect(dialog).to_contain_text(f"refus{tag}")
    screenshot(admin, "admin-account-refused")

    dialog.locator("button[role=combobox]").click()
    admin.get_by_role("option", name="Pro", exact=True).click()
    admin.locator("#account-change-pack").click()
    expect(admin.get_by_text("Offre changée").first).to_be_visible()
    with Session(live_db) as s:
        assert s.get(Service, service.id).pack_id == pro.id

    expect(dialog).to_be_visible()  # the dialog stays open on the moved service
    admin.locator("#account-retry").click()
    expect(admin.get_by_text("Opérations relancées").first).to_be_visible()
    # The worker creates the account on the sandbox server: the service becomes active.
    with Session(live_db) as s:
        for _ in range(60):
            row = s.exec(select(Service).where(Service.id == service.id)
                         .execution_options(populate_existing=True)).one()
            if row.account_status == AccountStatus.created:
                break
            admin.wait_for_timeout(500)
        assert row.account_status == AccountStatus.created and row.status == ServiceStatus.active
    if admin.locator("#account-detail").count():
        admin.locator("#account-close").click()
    expect(admin.locator("#account-detail")).to_have_count(0)


def test_servers_are_deactivated_activated_and_an_unused_one_deleted(admin, live_db):
    name = f"Yaoundé x{uuid.uuid4().hex[:6]}"
    with Session(live_db) as s:
        s.add(Server(name=name, panel="directadmin", host="da.example.cm", port=2222, active=True))
        s.commit()
    h.goto(admin, "/admin/servers")
    row = admin.locator(f"tr.server-row[data-server='{name}']")
    row.get_by_role("button", name="Désactiver").click()
    expect(row.get_by_role("button", name="Activer")).to_be_visible()
    row.get_by_role("button", name="Activer").click()
    expect(row.get_by_role("button", name="Désactiver")).to_be_visible()

    admin.locator("#server-new").click()
    expect(admin.locator("#server-dialog")).to_be_visible()
    admin.locator("#server-cancel").click()
    expect(admin.locator("#server-dialog")).to_have_count(0)

    row.locator(".confirm-trigger").click()
    admin.locator(".confirm-action").click()
    expect(admin.locator(f"tr.server-row[data-server='{name}']")).to_have_count(0)
    with Session(live_db) as s:
        assert s.exec(select(Server).where(Server.name == name)).first() is None
