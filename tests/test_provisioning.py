"""Hosting accounts follow the services (core/provisioning.py): created at payment, suspended at expiry +
grace or by an admin, restored by a renewal, removed after cancellation, moved to another package. The
real WHM client against the fake WHM server over HTTPS, on SQLite and MariaDB; a worker killed mid-create;
the sandbox server of a fresh install."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from kmerhosting.config import PROJECT_ROOT
from kmerhosting.core import cart, checkout, jobs, notifier, provisioning, renewals, servers, sessions
from kmerhosting.core.admin import services as admin_services
from kmerhosting.core.admin import stats
from kmerhosting.core.errors import InvalidInput
from kmerhosting.core.ledger import ledger_sum
from kmerhosting.i18n import translate
from kmerhosting.integrations.mail.templates import render
from kmerhosting.models import (AccountStatus, AuditLog, Job, JobStatus, NotificationLog, ProvisionEvent, Role,
                                Server, Service, ServiceStatus, User, utcnow)
from kmerhosting.state.admin_services import AdminServicesState
from kmerhosting.state.forms import ROW_ID

from .factories import in_language, make_pack, make_user
from .fake_mailtrap import RecordingBackend
from .fake_whm import fake_whm_fixture, whm_certificates_fixture, whm_client  # noqa: F401  (fixtures)

NS = "ns1.kmerhosting.cm,ns2.kmerhosting.cm"
OTHER_KINDS = ("domain.register", "mail.send")
PANEL_WRITES = tuple(k for k in provisioning.PANEL_JOBS if k != provisioning.USAGE_JOB)


@pytest.fixture(autouse=True)
def _settings(configure, tmp_path):
    configure(PUBLIC_BASE_URL="https://shop.example.cm", PROVISION_TERMINATE_DAYS="30",
              PANEL_SANDBOX_DIR=str(tmp_path / "sandbox-panel"), NEW_SERVICE_STATUS="active")
    yield
    servers.set_panel_override(None)


def whm_server(session, fake, timeout: float = 0.5, **fields) -> Server:
    """A server row for the fake WHM; this process talks to it through the real client."""
    server = Server(name=f"cp-{uuid.uuid4().hex[:6]}", panel="cpanel", host="127.0.0.1", port=fake.port,
                    api_user=fake.user, token_sealed=servers.seal_token(fake.token),
                    ca_pem=Path(fake.ca_file).read_text(), nameservers=NS, **fields)
    session.add(server)
    session.commit()
    servers.set_panel_override(server.id, whm_client(fake, timeout=timeout))
    return server


def buy(engine, session, user, pack, domain: str) -> Service:
    item = cart.add_pack(session, user_id=user.id, visitor_key=None, pack_id=pack.id, months=12)
    cart.choose_own_domain(session, user_id=user.id, visitor_key=None, item_id=item.id, domain=domain)
    session.commit()
    total = checkout.checkout_preview(session, user.id).total
    checkout.pay(Session(engine, expire_on_commit=False), user.id, uuid.uuid4().hex, total)
    session.expire_all()
    return session.exec(select(Service).where(Service.domain == domain)).one()


def run(now=None, kinds=PANEL_WRITES + OTHER_KINDS, limit: int = 50) -> int:
    """Run due jobs (at `now`), as the worker would; the usage refresh only when asked."""
    count = 0
    while count < limit and jobs.run_one("tests", now=now, kinds=kinds):
        count += 1
    return count


def fresh(session, service_id: int) -> Service:
    session.expire_all()
    return session.get(Service, service_id)


def events(session, service_id: int) -> list[tuple[str, str]]:
    session.expire_all()
    return [(e.action, e.outcome) for e in session.exec(
        select(ProvisionEvent).where(ProvisionEvent.service_id == service_id).order_by(ProvisionEvent.id)).all()]


def welcome(session, service_id: int) -> list[NotificationLog]:
    session.expire_all()
    return list(session.exec(select(NotificationLog).where(NotificationLog.service_id == service_id,
                                                           NotificationLog.kind == "hosting_ready")).all())


def customer(session, credits: int = 500_000) -> User:
    return make_user(session, credits=credits)


def admin(session) -> User:
    return make_user(session, role=Role.admin)


# --- the whole life of an account ---------------------------------------------------------------------------


def test_checkout_to_termination_each_step_on_the_server(engine, session, fake_whm):
    server = whm_server(session, fake_whm)
    starter = make_pack(session, name="Starter", panel_packages={"cpanel": "kmer_starter"})
    pro = make_pack(session, name="Pro", panel_packages={"cpanel": "kmer_pro"})
    user, boss = customer(session), admin(session)

    service = buy(engine, session, user, starter, "boutique-awa.cm")
    # Stored before any call: the server, the username, "creating"; pending whatever NEW_SERVICE_STATUS says.
    assert (service.server_id, service.panel_username, service.account_status, service.status) == \
        (server.id, "boutiqueawa", AccountStatus.creating, ServiceStatus.pending)
    assert fake_whm.accounts == {}

    run()
    service = fresh(session, service.id)
    account = fake_whm.accounts["boutiqueawa"]
    assert (account["domain"], account["plan"], account["suspended"]) == ("boutique-awa.cm", "kmer_starter", 0)
    assert (service.account_status, service.status) == (AccountStatus.created, ServiceStatus.active)
    assert service.panel_url == "https://127.0.0.1:2083"
    assert ("create", "ok") in events(session, service.id)
    [mail] = welcome(session, service.id)
    assert mail.status == "sent"
    for lang in ("fr", "en"):
        _subject, text, html = render("hosting_ready", lang, mail.payload["context"])
        assert "boutiqueawa" in text and "ns1.kmerhosting.cm" in text and "/dashboard/services" in text
        assert account["password"] and account["password"] not in text + html + str(mail.payload)

    # Expiry + grace: the notifier suspends the service, the worker the account.
    service.expires_at = utcnow() - timedelta(days=40)
    session.add(service)
    session.commit()
    notifier.run_daily(utcnow(), backend=RecordingBackend())
    assert fresh(session, service.id).status == ServiceStatus.suspended
    run()
    assert fake_whm.accounts["boutiqueawa"]["suspended"] == 1

    # A renewal brings it back.
    renewals.renew_service(session, user.id, service.id, 12, uuid.uuid4().hex)
    assert fresh(session, service.id).status == ServiceStatus.active
    run()
    assert fake_whm.accounts["boutiqueawa"]["suspended"] == 0

    # An admin moves it to another pack: changepackage.
    admin_services.change_pack(session, boss.id, service.id, pro.id)
    session.commit()
    run()
    assert fake_whm.accounts["boutiqueawa"]["plan"] == "kmer_pro"

    # An admin suspends and restores.
    admin_services.set_status(session, boss.id, service.id, ServiceStatus.suspended)
    session.commit()
    run()
    assert fake_whm.accounts["boutiqueawa"]["suspended"] == 1
    admin_services.set_status(session, boss.id, service.id, ServiceStatus.active)
    session.commit()
    run()
    assert fake_whm.accounts["boutiqueawa"]["suspended"] == 0

    # Cancelled: the account stays until the delay has passed, then goes.
    admin_services.set_status(session, boss.id, service.id, ServiceStatus.cancelled)
    session.commit()
    assert fresh(session, service.id).cancelled_at is not None
    run()
    assert "boutiqueawa" in fake_whm.accounts
    run(now=utcnow() + timedelta(days=29))
    assert "boutiqueawa" in fake_whm.accounts
    run(now=utcnow() + timedelta(days=31))
    assert "boutiqueawa" not in fake_whm.accounts
    assert fresh(session, service.id).account_status == AccountStatus.terminated
    actions = [action for action, outcome in events(session, service.id) if outcome == "ok"]
    assert actions == ["find", "create", "suspend", "unsuspend", "change_package", "suspend", "unsuspend", "terminate"]
    assert len(fake_whm.calls("createacct")) == 1
    assert not fake_whm.violations


def _charged_once(session, user_id: int) -> None:
    session.expire_all()
    assert session.get(User, user_id).credits == ledger_sum(session, user_id)


def test_usage_is_read_from_the_panel_and_refreshed(engine, session, fake_whm):
    whm_server(session, fake_whm)
    pack = make_pack(session, panel_packages={"cpanel": "kmer_starter"})
    service = buy(engine, session, customer(session), pack, "usage-site.cm")
    run()
    fake_whm.accounts["usagesite"].update(diskused_mb=321, bandwidth_bytes=50 * 1024 * 1024)
    run(kinds=(provisioning.USAGE_JOB,), limit=1)
    service = fresh(session, service.id)
    assert (service.disk_used_mb, service.disk_limit_mb, service.bandwidth_used_mb) == (321, 1024, 50)
    assert service.usage_at is not None
    assert "usage" not in [action for action, _ in events(session, service.id)]  # not listed when it works
    job = session.exec(select(Job).where(Job.kind == provisioning.USAGE_JOB)).one()
    assert job.status == JobStatus.queued  # again in a few hours
    assert job.run_after.replace(tzinfo=None) > (utcnow() + timedelta(hours=5)).replace(tzinfo=None)


# --- lost answers, races, outages -----------------------------------------------------------------------------


def test_a_lost_createacct_answer_ends_with_exactly_one_account(engine, session, fake_whm):
    whm_server(session, fake_whm)
    pack = make_pack(session, panel_packages={"cpanel": "kmer_starter"})
    service = buy(engine, session, customer(session), pack, "perdu.cm")
    fake_whm.hang("createacct", seconds=3, apply=True)  # WHM creates it; the answer never reaches us
    run()
    run(now=utcnow() + timedelta(hours=1))
    assert list(fake_whm.accounts) == ["perdu"]
    assert len(fake_whm.calls("createacct")) == 1  # looked up (listaccts), never created twice
    assert fresh(session, service.id).status == ServiceStatus.active
    # Every call in the history: the look-up, the create whose answer was lost, the look-up that found it.
    assert events(session, service.id) == [("find", "ok"), ("create", "unknown"), ("find", "ok")]


def test_a_create_lost_before_the_panel_acted_is_made_on_the_next_attempt(engine, session, fake_whm):
    whm_server(session, fake_whm)
    pack = make_pack(session, panel_packages={"cpanel": "kmer_starter"})
    service = buy(engine, session, customer(session), pack, "reprise.cm")
    fake_whm.hang("createacct", seconds=3, apply=False)
    run()
    service = fresh(session, service.id)
    assert (service.status, service.account_status) == (ServiceStatus.pending, AccountStatus.creating)
    assert ("create", "unknown") in events(session, service.id)
    assert welcome(session, service.id) == []
    run(now=utcnow() + timedelta(hours=1))
    assert list(fake_whm.accounts) == ["reprise"]
    assert fresh(session, service.id).status == ServiceStatus.active
    assert len(welcome(session, service.id)) == 1


def test_two_workers_racing_create_one_account(engine, session, fake_whm):
    whm_server(session, fake_whm, timeout=5)
    pack = make_pack(session, panel_packages={"cpanel": "kmer_starter"})
    service = buy(engine, session, customer(session), pack, "course.cm")
    fake_whm.late("createacct", 0.5)
    barrier = threading.Barrier(4)

    def worker(n):
        barrier.wait()
        jobs.run_one(f"racer-{n}", kinds=(provisioning.CREATE_JOB,))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run()
    assert list(fake_whm.accounts) == ["course"]
    assert len(fake_whm.calls("createacct")) == 1
    assert fresh(session, service.id).status == ServiceStatus.active
    assert len(welcome(session, service.id)) == 1


def test_a_panel_that_is_down_leaves_the_service_pending_and_the_customer_charged_once(engine, session, fake_whm):
    whm_server(session, fake_whm)
    pack = make_pack(session, panel_packages={"cpanel": "kmer_starter"})
    user = customer(session)
    fake_whm.down()
    service = buy(engine, session, user, pack, "panne.cm")
    for hours in (0, 1, 2):
        run(now=utcnow() + timedelta(hours=hours), kinds=(provisioning.CREATE_JOB,), limit=1)
    service = fresh(session, service.id)
    assert (service.status, service.account_status) == (ServiceStatus.pending, AccountStatus.creating)
    job = session.exec(select(Job).where(Job.kind == provisioning.CREATE_JOB)).one()
    assert job.status == JobStatus.queued and job.attempts == 3 and "PanelUnavailable" in job.last_error
    assert [o for a, o in events(session, service.id)] == ["unknown"] * 3
    _charged_once(session, user.id)
    balance = session.get(User, user.id).credits
    fake_whm.up()
    run(now=utcnow() + timedelta(hours=5))
    assert fresh(session, service.id).status == ServiceStatus.active
    assert list(fake_whm.accounts) == ["panne"]
    _charged_once(session, user.id)
    assert session.get(User, user.id).credits == balance


def test_a_creation_that_gave_up_during_a_long_outage_gets_a_new_round_from_the_notifier(engine, session, fake_whm):
    whm_server(session, fake_whm)
    pack = make_pack(session, panel_packages={"cpanel": "kmer_starter"})
    service = buy(engine, session, customer(session), pack, "longue-panne.cm")
    fake_whm.down()
    run(kinds=(provisioning.CREATE_JOB,), limit=1)
    job = session.exec(select(Job).where(Job.kind == provisioning.CREATE_JOB)).one()
    job.status = JobStatus.failed  # as after its last attempt
    session.add(job)
    session.commit()
    fake_whm.up()
    run()  # the failed creation is not taken again by itself
    assert fresh(session, service.id).status == ServiceStatus.pending and fake_whm.accounts == {}
    summary = notifier.run_retries(utcnow(), backend=RecordingBackend())
    assert summary.requeued.get(provisioning.CREATE_JOB) == 1
    run()
    assert fresh(session, service.id).status == ServiceStatus.active
    assert list(fake_whm.accounts) == ["longuepanne"]
    assert notifier.run_retries(utcnow(), backend=RecordingBackend()).requeued.get(provisioning.CREATE_JOB) is None


def test_wrong_credentials_make_the_job_wait_for_an_admin(engine, session, fake_whm):
    server = whm_server(session, fake_whm)
    servers.set_panel_override(server.id, whm_client(fake_whm, token="WRONG" * 8))
    pack = make_pack(session, panel_packages={"cpanel": "kmer_starter"})
    service = buy(engine, session, customer(session), pack, "cles.cm")
    run(kinds=(provisioning.CREATE_JOB,), limit=1)
    job = session.exec(select(Job).where(Job.kind == provisioning.CREATE_JOB)).one()
    assert job.status == JobStatus.queued
    assert job.run_after.replace(tzinfo=None) >= (utcnow() + timedelta(minutes=25)).replace(tzinfo=None)
    assert fresh(session, service.id).status == ServiceStatus.pending
    assert events(session, service.id) == [("find", "failed")]
    assert fake_whm.token not in str(session.exec(select(ProvisionEvent.message)).all())


def test_a_username_taken_on_the_panel_moves_to_the_next_name(engine, session, fake_whm):
    whm_server(session, fake_whm)
    fake_whm.add_account("jeanmbarga", "jean-mbarga.com")  # someone else's, made outside the shop
    pack = make_pack(session, panel_packages={"cpanel": "kmer_starter"})
    service = buy(engine, session, customer(session), pack, "jean-mbarga.cm")
    assert fresh(session, service.id).panel_username == "jeanmbarga"
    run()
    service = fresh(session, service.id)
    assert (service.panel_username, service.status) == ("jeanmbarga1", ServiceStatus.active)
    assert fake_whm.accounts["jeanmbarga1"]["domain"] == "jean-mbarga.cm"
    assert fake_whm.accounts["jeanmbarga"]["domain"] == "jean-mbarga.com"


def test_two_services_never_share_a_username_on_a_server(engine, session, fake_whm):
    whm_server(session, fake_whm)
    pack = make_pack(session, panel_packages={"cpanel": "kmer_starter"})
    first = buy(engine, session, customer(session), pack, "kmer.cm")
    second = buy(engine, session, customer(session), pack, "kmer.com")
    assert (first.panel_username, second.panel_username) == ("kmer", "kmer1")
    run()
    assert sorted(fake_whm.accounts) == ["kmer", "kmer1"]


def test_an_admin_retries_a_refused_creation(engine, session, fake_whm):
    whm_server(session, fake_whm)
    pack = make_pack(session, panel_packages={"cpanel": "kmer_missing"})
    boss = admin(session)
    service = buy(engine, session, customer(session), pack, "refus.cm")
    run()
    service = fresh(session, service.id)
    assert (service.status, service.account_status) == (ServiceStatus.pending, AccountStatus.failed)
    assert "kmer_missing" in service.account_error
    assert session.exec(select(Job).where(Job.kind == provisioning.CREATE_JOB)).one().status == JobStatus.failed
    assert stats.overview(session, boss.id)["failed_panel_jobs"] == 1
    with pytest.raises(InvalidInput):
        admin_services.set_status(session, boss.id, service.id, ServiceStatus.active)  # no account yet
    session.rollback()

    pack.panel_packages = {"cpanel": "kmer_starter"}  # the admin fixes the pack
    session.add(pack)
    session.commit()
    assert admin_services.retry_provisioning(session, boss.id, service.id) == 1
    session.commit()
    run()
    service = fresh(session, service.id)
    assert (service.status, service.account_status) == (ServiceStatus.active, AccountStatus.created)
    assert list(fake_whm.accounts) == ["refus"]
    assert stats.overview(session, boss.id)["failed_panel_jobs"] == 0
    detail = admin_services.account_detail(session, boss.id, service.id)
    assert detail.username == "refus" and [e.outcome for e in reversed(detail.events)] == ["ok", "refused", "ok", "ok"]
    assert session.exec(select(AuditLog).where(AuditLog.action == "service.provision_retry")).one()
    with pytest.raises(InvalidInput):
        admin_services.retry_provisioning(session, boss.id, service.id)  # nothing failed any more


def test_the_admin_page_shows_the_account_and_its_history_and_retries(engine, session, fake_whm):
    whm_server(session, fake_whm)
    pack = make_pack(session, panel_packages={"cpanel": "kmer_missing"})
    boss = admin(session)
    service = buy(engine, session, customer(session), pack, "page-admin.cm")
    run()
    token = sessions.create_session(session, boss.id)
    session.commit()
    state = AdminServicesState()
    state.auth_token = token
    state.load()
    [row] = [r for r in state.rows if r["id"] == str(service.id)]
    assert (row["username"], row["account_status"], row["managed"]) == ("pageadmin", "failed", "1")
    assert row["account_label"] == "Refusé"
    state.open_account({ROW_ID: str(service.id)})
    assert state.detail_open and state.account["username"] == "pageadmin"
    assert state.account["can_retry"] == "1" and "kmer_missing" in state.account["account_error"]
    assert [(e["action"], e["outcome_label"]) for e in state.history] == [("Création", "refusé"), ("Recherche", "réussi")]
    assert in_language(state, "en").history[0]["action"] == "Create"

    pack.panel_packages = {"cpanel": "kmer_starter"}
    session.add(pack)
    session.commit()
    state.retry_provisioning({ROW_ID: str(service.id)})
    assert state.error == ""
    run()
    state.open_account({ROW_ID: str(service.id)})
    assert [e["outcome"] for e in state.history] == ["ok", "ok", "refused", "ok"]
    assert state.account["can_retry"] == ""
    assert list(fake_whm.accounts) == ["pageadmin"]

    other = make_pack(session, name="Business", panel_packages={"cpanel": "kmer_business"})
    state.open_account({ROW_ID: str(service.id)})
    assert {"id": str(other.id), "name": "Business"} in state.pack_options
    state.change_pack({ROW_ID: str(service.id), "pack_id": str(other.id)})
    assert state.error == "" and state.account["pack_id"] == str(other.id)
    run()
    assert fake_whm.accounts["pageadmin"]["plan"] == "kmer_business"
    plesk = make_pack(session, name="Plesk", control_panel="plesk")
    state.change_pack({ROW_ID: str(service.id), "pack_id": str(plesk.id)})
    assert state.error == translate("admin.error.pack_other_panel", "en")  # the page was switched to English above


# --- without a server; the sandbox -------------------------------------------------------------------------------


def test_without_a_server_the_manual_flow_is_kept(engine, session, configure):
    pack = make_pack(session)
    service = buy(engine, session, customer(session), pack, "manuel.cm")
    assert (service.status, service.server_id, service.account_status) == (ServiceStatus.active, None, "")
    assert not session.exec(select(Job).where(Job.kind.like("panel.%"))).all()


def test_a_real_server_is_preferred_to_the_sandbox_of_a_fresh_install(engine, session, fake_whm):
    servers.seed_sandbox_servers(session)
    real = whm_server(session, fake_whm, capacity=10)
    pack = make_pack(session, panel_packages={"cpanel": "kmer_starter"})
    service = buy(engine, session, customer(session), pack, "vrai-serveur.cm")
    assert service.server_id == real.id
    run()
    assert list(fake_whm.accounts) == ["vraiserveur"]


def test_a_fresh_install_creates_accounts_on_the_sandbox_end_to_end(engine, session):
    servers.seed_sandbox_servers(session)
    pack = make_pack(session, panel_packages={"cpanel": "starter"})
    user, boss = customer(session), admin(session)
    service = buy(engine, session, user, pack, "essai.cm")
    assert service.status == ServiceStatus.pending
    run()
    service = fresh(session, service.id)
    assert (service.status, service.account_status, service.panel_username) == \
        (ServiceStatus.active, AccountStatus.created, "essai")
    panel = servers.panel_for(session.get(Server, service.server_id))
    assert panel.find_account("essai").package == "starter"
    [mail] = welcome(session, service.id)
    _, text, _ = render("hosting_ready", "fr", mail.payload["context"])
    assert "Serveur de test" in text
    admin_services.set_status(session, boss.id, service.id, ServiceStatus.suspended)
    session.commit()
    run()
    assert panel.find_account("essai").suspended
    admin_services.set_status(session, boss.id, service.id, ServiceStatus.cancelled)
    session.commit()
    run(now=utcnow() + timedelta(days=31))
    assert panel.find_account("essai") is None


# --- a worker killed mid-createacct -------------------------------------------------------------------------------

LEASE = 4  # JOB_LEASE_SECONDS for the worker processes: at least 4 x PANEL_TIMEOUT


@pytest.mark.slow
@pytest.mark.parametrize("applied", [True, False], ids=["whm-created-it", "whm-never-saw-it"])
def test_a_worker_killed_mid_createacct_ends_with_exactly_one_account(engine, session, fake_whm, tmp_path, applied):
    server = whm_server(session, fake_whm)
    servers.set_panel_override(server.id)  # the workers build their own client from the server row
    pack = make_pack(session, panel_packages={"cpanel": "kmer_starter"})
    user = customer(session)
    service = buy(engine, session, user, pack, "coupure.cm")
    fake_whm.hang("createacct", seconds=60, apply=applied)
    env = {**os.environ, "DATABASE_URL": engine.url.render_as_string(hide_password=False),
           "KMER_ENV_FILE": "/nonexistent", "PANEL_TIMEOUT": "1", "JOB_LEASE_SECONDS": str(LEASE),
           "WORKER_POLL_SECONDS": "0.1", "PUBLIC_BASE_URL": "https://shop.example.cm"}
    started: list[subprocess.Popen] = []
    logs = []

    def start():
        log = open(tmp_path / f"worker-{len(started)}.log", "w")  # noqa: SIM115  (closed at the end)
        logs.append(log)
        process = subprocess.Popen([sys.executable, "jobs/worker.py", "--threads", "1"], cwd=PROJECT_ROOT,
                                   env=env, stdout=log, stderr=subprocess.STDOUT)
        started.append(process)
        return process

    try:
        first = start()
        deadline = time.monotonic() + 60
        while not fake_whm.calls("createacct"):
            assert first.poll() is None, (tmp_path / "worker-0.log").read_text()
            assert time.monotonic() < deadline, "the worker never sent createacct"
            time.sleep(0.005)
        first.kill()
        first.wait(timeout=10)
        start()
        deadline = time.monotonic() + 60
        while fresh(session, service.id).status != ServiceStatus.active:
            assert time.monotonic() < deadline, (tmp_path / "worker-1.log").read_text()
            time.sleep(0.1)
    finally:
        for process in started:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=20)
        for log in logs:
            log.close()
    assert list(fake_whm.accounts) == ["coupure"]
    assert len(fake_whm.calls("createacct")) == (1 if applied else 2)
    assert fresh(session, service.id).account_status == AccountStatus.created
    _charged_once(session, user.id)
