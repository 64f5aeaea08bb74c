"""Rate limits counted in the database: windows, keys, and failures that survive a rollback."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from kmerhosting.core import rate_limit
from kmerhosting.core.errors import RateLimited
from kmerhosting.models import RateLimitEvent, utcnow

LIMIT = rate_limit.Limit("test", 3, timedelta(minutes=10))


def test_a_limit_refuses_once_its_window_is_full(session):
    for _ in range(3):
        rate_limit.hit(session, (LIMIT, "a"))
    with pytest.raises(RateLimited) as exc:
        rate_limit.hit(session, (LIMIT, "a"))
    assert "Too many attempts" in exc.value.message("en")
    rate_limit.hit(session, (LIMIT, "b"))  # another subject has its own count


def test_keys_ignore_case_and_spaces():
    assert LIMIT.key(" Awa@Example.CM ") == LIMIT.key("awa@example.cm") == "test:awa@example.cm"
    assert LIMIT.key("") == "test:-"
    assert len(LIMIT.key("x" * 500)) == 200


def test_old_events_fall_out_of_the_window(session):
    old = utcnow() - timedelta(minutes=11)
    session.add_all([RateLimitEvent(key=LIMIT.key("a"), created_at=old) for _ in range(5)])
    session.commit()
    assert rate_limit.count(session, LIMIT, "a") == 0
    rate_limit.check(session, (LIMIT, "a"))
    assert rate_limit.purge_expired(session, older_than=timedelta(minutes=10)) == 5


def test_recorded_events_survive_the_callers_rollback(session):
    rate_limit.record(session, (LIMIT, "a"), (LIMIT, "b"))
    session.rollback()
    assert rate_limit.count(session, LIMIT, "a") == 1 and rate_limit.count(session, LIMIT, "b") == 1


def test_recording_while_the_caller_holds_a_write_transaction_does_not_deadlock(session):
    session.add(RateLimitEvent(key="other", created_at=utcnow()))
    session.flush()  # on SQLite this connection now holds the write lock
    rate_limit.record(session, (LIMIT, "a"))
    session.commit()
    assert rate_limit.count(session, LIMIT, "a") == 1


def test_clear_forgets_a_subject(session):
    rate_limit.record(session, (LIMIT, "a"))
    rate_limit.clear(session, LIMIT, "a")
    session.commit()
    assert rate_limit.count(session, LIMIT, "a") == 0
    assert session.exec(select(RateLimitEvent)).all() == []


def test_concurrent_hits_pass_at_most_the_limit_and_refusals_are_taken_back(engine):
    barrier, passed, lock = threading.Barrier(12), [], threading.Lock()

    def hit():
        with Session(engine) as own:
            barrier.wait()
            try:
                rate_limit.hit(own, (LIMIT, "burst"))
            except RateLimited:
                return
            with lock:
                passed.append(1)

    threads = [threading.Thread(target=hit) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with Session(engine) as s:
        assert 1 <= len(passed) <= LIMIT.max_events
        assert rate_limit.count(s, LIMIT, "burst") == len(passed)
