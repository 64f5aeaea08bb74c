"""Durable jobs (core/jobs.py, jobs/worker.py): written with the transaction they belong to, run once
at a time by exactly one worker, taken over when a worker disappears, retried with a back-off, and
never silently dropped. On SQLite and MariaDB."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from kmerhosting.config import PROJECT_ROOT
from kmerhosting.core import jobs
from kmerhosting.models import Job, JobStatus, utcnow

from .factories import make_user

RAN: list[tuple[int, int]] = []


@jobs.handler("test.echo", max_attempts=3, backoff_seconds=60, backoff_max_seconds=600)
def _echo(job: jobs.JobView) -> jobs.Outcome:
    RAN.append((job.id, job.attempts))
    what = job.payload.get("do", "done")
    if what == "retry":
        return jobs.retry("not yet")
    if what == "boom":
        raise RuntimeError("the provider hung up")
    if what == "fail":
        return jobs.fail("refused for good")
    return jobs.done(echo=job.payload.get("value"))


@pytest.fixture(autouse=True)
def clean_runs():
    RAN.clear()
    yield
    RAN.clear()


def _job(session, job_id) -> Job:
    session.expire_all()
    return session.get(Job, job_id)


def _add(session, **payload) -> Job:
    job = jobs.enqueue(session, "test.echo", payload)
    session.commit()
    return job


def test_a_job_is_written_with_its_transaction_or_not_at_all(session):
    user = make_user(session)
    jobs.enqueue(session, "test.echo", {"value": 1}, user_id=user.id)
    session.rollback()
    assert session.exec(select(Job)).all() == []
    jobs.enqueue(session, "test.echo", {"value": 2}, user_id=user.id)
    session.commit()
    [job] = session.exec(select(Job)).all()
    assert (job.status, job.attempts, job.max_attempts, job.user_id) == (JobStatus.queued, 0, 3, user.id)


def test_a_dedupe_key_makes_a_second_job_for_the_same_work_impossible(engine, session):
    first = jobs.enqueue(session, "test.echo", {"value": 1}, dedupe_key="echo:1")
    session.commit()
    assert jobs.enqueue(session, "test.echo", {"value": 1}, dedupe_key="echo:1").id == first.id
    session.commit()

    barrier = threading.Barrier(8)
    ids = []

    def racer():
        with Session(engine, expire_on_commit=False) as s:
            barrier.wait()
            job = jobs.enqueue(s, "test.echo", {"value": 2}, dedupe_key="echo:2")
            s.commit()
            ids.append(job.id)

    threads = [threading.Thread(target=racer) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(ids)) == 1 and len(ids) == 8
    assert len(session.exec(select(Job).where(Job.dedupe_key == "echo:2")).all()) == 1


def test_twenty_workers_claiming_at_once_run_each_job_exactly_once(engine, session):
    for n in range(10):
        jobs.enqueue(session, "test.echo", {"value": n})
    session.commit()
    barrier = threading.Barrier(20)
    errors = []

    def worker(n):
        barrier.wait()
        try:
            while jobs.run_one(f"worker-{n}"):
                pass
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(job_id for job_id, _ in RAN) == sorted(j.id for j in session.exec(select(Job)).all())
    assert {j.status for j in session.exec(select(Job)).all()} == {JobStatus.done}


def test_a_done_job_keeps_its_result_and_is_not_run_again(session):
    job = _add(session, value="kmer")
    assert jobs.run_until_idle() == 1 and jobs.run_until_idle() == 0
    job = _job(session, job.id)
    assert (job.status, job.result, job.attempts, job.lease_owner) == (JobStatus.done, {"echo": "kmer"}, 1, "")
    assert job.finished_at is not None


def test_a_retry_waits_for_a_back_off_that_doubles(session):
    job = _add(session, do="retry")
    start = utcnow()
    jobs.run_until_idle()
    first = _job(session, job.id)
    assert first.status == JobStatus.queued and first.last_error == "not yet"
    assert timedelta(seconds=50) < jobs.as_utc(first.run_after) - start < timedelta(seconds=70)
    assert jobs.run_until_idle() == 0  # not due yet

    view = jobs.claim("w", now=utcnow() + timedelta(seconds=70))
    jobs.settle(view, jobs.retry("still not"))
    second = _job(session, job.id)
    assert timedelta(seconds=100) < jobs.as_utc(second.run_after) - utcnow() < timedelta(seconds=140)


def test_the_last_attempt_is_told_so_and_a_job_that_cannot_finish_is_failed_not_dropped(session):
    job = _add(session, do="retry")
    seen = []
    for _ in range(3):
        view = jobs.claim("w", now=utcnow() + timedelta(days=1))
        seen.append(view.last_attempt)
        jobs.settle(view, jobs.execute(view))
    assert seen == [False, False, True]
    failed = _job(session, job.id)
    assert failed.status == JobStatus.failed and failed.last_error == "not yet" and failed.finished_at
    assert jobs.claim("w", now=utcnow() + timedelta(days=2)) is None
    assert jobs.queue_status(session).failed[0].id == job.id

    assert jobs.requeue(session, job.id)  # an admin's "try again"
    session.commit()
    again = _job(session, job.id)
    assert (again.status, again.attempts) == (JobStatus.queued, 0)
    assert not jobs.requeue(session, job.id)  # only a failed job can be


def test_an_unexpected_exception_is_an_unknown_outcome_tried_again(session):
    job = _add(session, do="boom")
    jobs.run_until_idle()
    job = _job(session, job.id)
    assert job.status == JobStatus.queued and "RuntimeError: the provider hung up" in job.last_error


def test_a_refusal_fails_the_job_at_once(session):
    job = _add(session, do="fail")
    jobs.run_until_idle()
    assert _job(session, job.id).status == JobStatus.failed and RAN == [(job.id, 1)]


def test_a_job_of_an_unknown_kind_fails_instead_of_looping(session):
    job = jobs.enqueue(session, "nobody.handles.this", {})
    session.commit()
    jobs.run_until_idle()
    assert _job(session, job.id).status == JobStatus.failed


def test_a_worker_that_disappears_is_taken_over_when_its_lease_ends(session, configure):
    configure(JOB_LEASE_SECONDS="30")
    job = _add(session, value=1)
    lost = jobs.claim("worker-that-dies")
    assert lost is not None and jobs.claim("other") is None  # held

    later = utcnow() + timedelta(seconds=31)
    taken = jobs.claim("other", now=later)
    assert taken is not None and taken.id == job.id and taken.attempts == 2

    assert jobs.settle(lost, jobs.done()) is None  # the first one came back too late: its answer is ignored
    assert jobs.settle(taken, jobs.execute(taken)) == JobStatus.done
    assert _job(session, job.id).result == {"echo": 1}


def test_the_worker_command_runs_due_jobs_shows_failures_and_queues_them_again(engine, session):
    from kmerhosting.core import mailer

    mailer.send_later(session, "credit_added", "cli@example.cm", "fr",
                      {"name": "Awa", "amount": 1000, "balance": 1000, "reason": ""})
    failed = jobs.enqueue(session, "nobody.handles.this", {})
    session.commit()
    env = {**os.environ, "DATABASE_URL": engine.url.render_as_string(hide_password=False),
           "KMER_ENV_FILE": "/nonexistent"}

    def worker(*args):
        return subprocess.run([sys.executable, "jobs/worker.py", *args], cwd=PROJECT_ROOT, env=env,
                              capture_output=True, text=True, timeout=120)

    once = worker("--once")
    assert once.returncode == 0 and "2 job(s) run" in once.stdout, once.stderr
    session.expire_all()
    assert session.exec(select(mailer.NotificationLog)).one().status == "sent"
    status = worker("--status")
    assert f"failed #{failed.id} nobody.handles.this" in status.stdout and "done 1" in status.stdout
    again = worker("--retry", str(failed.id))
    assert again.returncode == 0 and str(failed.id) in again.stdout
    assert _job(session, failed.id).status == JobStatus.queued


def test_claiming_uses_the_status_index(engine):
    """The worker polls every second: the due-jobs query must not scan the whole table."""
    with engine.connect() as conn:
        indexes = {ix["name"] for ix in sa.inspect(conn).get_indexes("jobs")}
    assert "ix_jobs_status_run_after" in indexes


def test_a_transaction_that_the_database_rolled_back_to_break_a_deadlock_is_run_again(session):
    import sqlalchemy as sa

    class Deadlock(Exception):
        args = (1213, "Deadlock found when trying to get lock; try restarting transaction")

    calls = []

    def work(_session):
        calls.append(1)
        if len(calls) < 3:
            raise sa.exc.OperationalError("UPDATE jobs ...", {}, Deadlock())
        return "done"

    assert jobs._in_transaction(work, tries=5) == "done" and len(calls) == 3
    calls.clear()
    with pytest.raises(jobs.TransientDatabaseError):
        jobs._in_transaction(work, tries=2)

    def broken(_session):
        raise sa.exc.OperationalError("UPDATE jobs ...", {}, Exception(1146, "Table doesn't exist"))

    with pytest.raises(sa.exc.OperationalError):  # not a deadlock: not hidden
        jobs._in_transaction(broken, tries=5)
