"""A worker killed (SIGKILL) in the middle of a domain registration or renewal, then started again: the
domain ends bought once and the customer charged once, or not bought and refunded. The real worker
process (jobs/worker.py), the real DNA client, the fake DNA server, on SQLite and MariaDB."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from kmerhosting.config import PROJECT_ROOT
from kmerhosting.core import cart, checkout, domain_renewals
from kmerhosting.core.ledger import ledger_sum
from kmerhosting.integrations.registrar.factory import set_registrar_override
from kmerhosting.models import (DomainPurchase, DomainRenewal, Job, JobStatus, Order, RegistrarStatus, RenewalStatus,
                                Transaction, TransactionKind, User)

from .factories import make_user
from .fake_dna import PASSWORD, USERNAME, dna_registrar, fake_dna  # noqa: F401  (fixtures)

pytestmark = pytest.mark.slow

DNA_TIMEOUT = 1  # seconds the worker waits for DNA: the window in which it is killed
LEASE = 4  # JOB_LEASE_SECONDS: how long a dead worker's job stays held (at least 4 x DNA_TIMEOUT)


@pytest.fixture
def worker_env(engine, fake_dna):
    return {**os.environ, "DATABASE_URL": engine.url.render_as_string(hide_password=False),
            "KMER_ENV_FILE": "/nonexistent", "REGISTRAR": "dna", "DNA_ENDPOINT": fake_dna.url,
            "DNA_USERNAME": USERNAME, "DNA_PASSWORD": PASSWORD, "DNA_TIMEOUT": str(DNA_TIMEOUT),
            "JOB_LEASE_SECONDS": str(LEASE), "WORKER_POLL_SECONDS": "0.1"}


@pytest.fixture
def workers(worker_env, tmp_path):
    started: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        log = open(tmp_path / f"worker-{len(started)}.log", "w")
        process = subprocess.Popen([sys.executable, "jobs/worker.py", "--threads", "1"], cwd=PROJECT_ROOT,
                                   env=worker_env, stdout=log, stderr=subprocess.STDOUT)
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=20)


def kill_when_sent(process: subprocess.Popen, fake_dna, operation: str, timeout: float = 60) -> None:
    """SIGKILL the worker as soon as its `operation` request reaches DNA (before any answer)."""
    deadline = time.monotonic() + timeout
    while not fake_dna.calls(operation):
        assert process.poll() is None, "the worker exited on its own"
        assert time.monotonic() < deadline, f"the worker never sent {operation}"
        time.sleep(0.005)
    process.kill()
    process.wait(timeout=10)


def wait_for(check, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, "the restarted worker did not settle the job in time"
        time.sleep(0.1)


def _settled_job(engine, kind: str) -> Job | None:
    with Session(engine) as s:
        job = s.exec(select(Job).where(Job.kind == kind)).one()
        return job if job.status == JobStatus.done else None


def _charges_once(engine, user_id: int, expected_balance: int) -> None:
    with Session(engine) as s:
        assert s.get(User, user_id).credits == ledger_sum(s, user_id) == expected_balance


def _buy_domain(session, user, domain: str) -> int:
    cart.add_domain_item(session, user_id=user.id, visitor_key=None, domain=domain, years=1)
    session.commit()
    total = checkout.checkout_preview(session, user.id).total
    return checkout.pay(session, user.id, f"crash-{domain}-0123456789", total).order_id


def _purchase_status(engine, order_id: int) -> str | None:
    with Session(engine) as s:
        purchase = s.exec(select(DomainPurchase).where(DomainPurchase.order_id == order_id)).one()
        return purchase.registrar_status if purchase.registrar_status in (
            RegistrarStatus.registered, RegistrarStatus.failed) else None


@pytest.fixture(autouse=True)
def registrar_is_dna(dna_registrar):
    set_registrar_override(dna_registrar)  # the checkout's own registrar reads (cart quote) in this process
    yield
    set_registrar_override(None)


def test_killed_while_registering_a_domain_the_registrar_bought_ends_bought_once(engine, session, fake_dna,
                                                                                workers):
    user = make_user(session, credits=20000)
    order_id = _buy_domain(session, user, "coupure.cm")
    fake_dna.hang("RegisterWithContactInfo", seconds=60, apply=True)  # DNA buys it; the answer never comes

    kill_when_sent(workers(), fake_dna, "RegisterWithContactInfo")
    workers()

    assert wait_for(lambda: _purchase_status(engine, order_id)) == RegistrarStatus.registered
    assert len(fake_dna.calls("RegisterWithContactInfo")) == 1  # asked (GetDetails), never bought twice
    _charges_once(engine, user.id, 5000)
    job = wait_for(lambda: _settled_job(engine, checkout.REGISTER_JOB))
    assert job.attempts == 2  # the dead worker's attempt, then the new one's
    with Session(engine) as s:
        assert s.get(Order, order_id).status == "paid"


def test_killed_while_registering_a_domain_the_registrar_did_not_buy_ends_bought_once(engine, session, fake_dna,
                                                                                     workers):
    user = make_user(session, credits=20000)
    order_id = _buy_domain(session, user, "reprise.cm")
    fake_dna.hang("RegisterWithContactInfo", seconds=60, apply=False)  # lost before DNA did anything

    kill_when_sent(workers(), fake_dna, "RegisterWithContactInfo")
    workers()

    assert wait_for(lambda: _purchase_status(engine, order_id)) == RegistrarStatus.registered
    operations = [r.operation for r in fake_dna.requests if r.operation != "CheckAvailability"]
    assert operations == ["RegisterWithContactInfo", "GetDetails", "RegisterWithContactInfo"]
    assert list(fake_dna.domains) == ["reprise.cm"]
    _charges_once(engine, user.id, 5000)


def _registered_domain(session, fake_dna, user, name: str) -> DomainPurchase:
    domain = fake_dna.add_domain(name)
    purchase = DomainPurchase(user_id=user.id, domain=name, price=15000, registrar="dna",
                              registrar_status=RegistrarStatus.registered, registrar_id=domain.id,
                              expires_at=domain.expires_at)
    session.add(purchase)
    session.commit()
    return purchase


def _renewal_status(engine, purchase_id: int) -> str | None:
    with Session(engine) as s:
        renewal = s.exec(select(DomainRenewal).where(DomainRenewal.purchase_id == purchase_id)).one()
        return renewal.status if renewal.status in (RenewalStatus.done, RenewalStatus.failed) else None


def test_killed_while_renewing_a_domain_the_registrar_renewed_ends_renewed_once(engine, session, fake_dna, workers):
    user = make_user(session, credits=40000)
    purchase = _registered_domain(session, fake_dna, user, "prolonge.cm")
    before = fake_dna.domains["prolonge.cm"].expires_at
    domain_renewals.renew_domain(session, user.id, purchase.id, 1)
    fake_dna.hang("Renew", seconds=60, apply=True)

    kill_when_sent(workers(), fake_dna, "Renew")
    workers()

    assert wait_for(lambda: _renewal_status(engine, purchase.id)) == RenewalStatus.done
    assert fake_dna.domains["prolonge.cm"].expires_at - before == timedelta(days=365)
    assert len(fake_dna.calls("Renew")) == 1
    _charges_once(engine, user.id, 25000)


def test_killed_while_renewing_a_domain_the_registrar_then_refuses_ends_refunded_once(engine, session, fake_dna,
                                                                                     workers):
    user = make_user(session, credits=40000)
    purchase = _registered_domain(session, fake_dna, user, "refusee.cm")
    before = fake_dna.domains["refusee.cm"].expires_at
    domain_renewals.renew_domain(session, user.id, purchase.id, 1)
    fake_dna.hang("Renew", seconds=60, apply=False)
    fake_dna.fail("Renew", 530, "Invalid period")  # the Renew sent again after the check is refused

    kill_when_sent(workers(), fake_dna, "Renew")
    workers()

    assert wait_for(lambda: _renewal_status(engine, purchase.id)) == RenewalStatus.failed
    assert fake_dna.domains["refusee.cm"].expires_at == before
    _charges_once(engine, user.id, 40000)
    with Session(engine) as s:
        refunds = s.exec(select(Transaction).where(Transaction.user_id == user.id,
                                                   Transaction.kind == TransactionKind.refund)).all()
        assert len(refunds) == 1
