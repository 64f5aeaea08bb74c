"""Sales statistics against totals computed independently in plain Python, on SQLite and MariaDB."""

from __future__ import annotations

import csv
import io
import random
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kmerhosting.core.admin import stats
from kmerhosting.core.errors import InvalidInput, NotAuthorized
from kmerhosting.models import Role, Service, Transaction, User, utcnow

from .factories import make_pack, make_user

DOUALA = ZoneInfo("Africa/Douala")
KINDS = ["credit", "adjustment", "purchase", "domain", "renewal", "refund"]


def local_day(moment: datetime) -> date:
    return moment.astimezone(DOUALA).date()


@pytest.fixture
def seeded(session):
    """A reproducible ledger over three months, with rows right around local midnight."""
    rng = random.Random(20261124)
    admin = make_user(session, role=Role.admin)
    customers = [make_user(session) for _ in range(6)]
    packs = [make_pack(session, monthly_price=p) for p in (1500, 3500, 9000)]
    base = datetime(2026, 3, 1, tzinfo=UTC)
    rows = []
    for i in range(600):
        moment = base + timedelta(minutes=rng.randrange(0, 92 * 24 * 60))
        if i % 10 == 0:  # 23:00-23:59 UTC is already the next day in Douala
            moment = moment.replace(hour=23, minute=rng.randrange(60))
        kind = rng.choice(KINDS)
        amount = rng.randrange(100, 250_000)
        signed = -amount if kind in ("purchase", "domain", "renewal") else amount
        if kind == "adjustment" and rng.random() < 0.5:
            signed = -amount
        rows.append(Transaction(user_id=rng.choice(customers).id, kind=kind, amount=signed, balance_after=0,
                                created_at=moment))
    services = []
    for i in range(40):
        created = base + timedelta(hours=rng.randrange(0, 92 * 24))
        pack = rng.choice(packs)
        months = rng.choice([1, 3, 6, 12, 24, 36])
        services.append(Service(user_id=rng.choice(customers).id, pack_id=pack.id, domain=f"s{i}.cm",
                                control_panel="cpanel", status=rng.choice(["active", "active", "expired", "cancelled"]),
                                duration_months=months, price_paid=pack.monthly_price * months - rng.randrange(0, 999),
                                starts_at=created, expires_at=created + timedelta(days=30 * months), created_at=created))
    for c in customers:
        c.credits = rng.randrange(0, 80_000)
        c.created_at = base + timedelta(days=rng.randrange(0, 92), hours=rng.randrange(24))
    session.add_all(rows + services + customers)
    session.commit()
    return {"admin": admin, "rows": rows, "services": services, "customers": customers, "packs": packs}


@pytest.mark.parametrize("granularity", ["day", "month", "year"])
def test_revenue_by_period_matches_the_ledger_to_the_franc(session, seeded, granularity):
    period = stats.parse_period("2026-03-10", "2026-05-20", granularity)
    fmt = stats.FORMATS[granularity]
    expected = defaultdict(int)
    for t in seeded["rows"]:
        day = local_day(t.created_at)
        if period.start <= day <= period.end and t.kind in ("purchase", "domain", "renewal", "refund"):
            expected[day.strftime(fmt)] -= t.amount
    got = stats.revenue(session, period)
    assert {r["period"]: r["revenue"] for r in got} == {b: expected.get(b, 0) for b in period.buckets()}
    assert sum(abs(v) for v in expected.values()) > 0
    assert sum(r["revenue"] for r in got) == sum(expected.values())
    assert all(r["revenue"] == r["gross"] - r["refunds"] for r in got)
    assert [r["period"] for r in got] == period.buckets()  # empty buckets are present, in order


def test_the_full_report_matches_independent_totals(session, seeded):
    admin = seeded["admin"]
    period = stats.parse_period("2026-03-01", "2026-05-31", "month")
    rep = stats.report(session, admin.id, period)
    in_period = [t for t in seeded["rows"] if period.start <= local_day(t.created_at) <= period.end]
    assert rep.totals["gross"] == -sum(t.amount for t in in_period if t.kind in ("purchase", "domain", "renewal"))
    assert rep.totals["refunds"] == sum(t.amount for t in in_period if t.kind == "refund")
    assert rep.totals["revenue"] == rep.totals["gross"] - rep.totals["refunds"]

    start, end = period.start_utc, period.end_utc
    svcs = [s for s in seeded["services"] if start <= s.created_at < end]
    by_pack = Counter()
    amount_by_pack = Counter()
    for s in svcs:
        by_pack[s.pack_id] += 1
        amount_by_pack[s.pack_id] += s.price_paid
    names = {p.id: p.name for p in seeded["packs"]}
    assert {r["pack"]: (r["services"], r["amount"]) for r in rep.by_pack} == \
        {names[k]: (by_pack[k], amount_by_pack[k]) for k in by_pack}
    by_months = defaultdict(lambda: [0, 0])
    for s in svcs:
        by_months[s.duration_months][0] += 1
        by_months[s.duration_months][1] += s.price_paid
    assert {r["months"]: [r["services"], r["amount"]] for r in rep.by_duration} == dict(by_months)

    assert rep.outstanding == sum(c.credits for c in seeded["customers"])
    assert rep.totals["new_customers"] == sum(1 for c in seeded["customers"]
                                              if period.start <= local_day(c.created_at) <= period.end)


def test_upcoming_expiries_and_renewal_rate_follow_their_definition(session):
    admin = make_user(session, role=Role.admin)
    user = make_user(session)
    pack = make_pack(session)
    now = utcnow()

    def service(days, status="active"):
        s = Service(user_id=user.id, pack_id=pack.id, domain=f"d{days}{status}.cm", control_panel="cpanel",
                    status=status, duration_months=12, price_paid=1000, starts_at=now - timedelta(days=300),
                    expires_at=now + timedelta(days=days))
        session.add(s)
        session.commit()
        return s

    service(10), service(29), service(45), service(90), service(20, "suspended")
    lapsed = [service(-5, "expired"), service(-20, "expired")]
    service(-10, "cancelled")  # not counted: the customer ended it
    renewed = service(300)  # renewed during the period: its expiry moved forward
    session.add(Transaction(user_id=user.id, kind="renewal", amount=-1000, balance_after=0, service_id=renewed.id,
                            created_at=now - timedelta(days=3)))
    session.add(Transaction(user_id=user.id, kind="renewal", amount=-1000, balance_after=0, service_id=renewed.id,
                            created_at=now - timedelta(days=2)))  # the same service twice counts once
    session.commit()
    assert stats.upcoming_expiries(session) == {"days_30": 2, "days_60": 3}
    today = now.astimezone(DOUALA).date()
    rate = stats.renewal_rate(session, stats.parse_period(today - timedelta(days=30), today))
    assert rate == {"renewed": 1, "lapsed": len(lapsed), "due": 3, "rate_percent": 33.3}
    assert stats.report(session, admin.id, stats.default_period()).renewals["renewed"] == 1


def test_csv_exports_each_report(session, seeded):
    period = stats.parse_period("2026-04-01", "2026-04-30", "day")
    rep = stats.report(session, seeded["admin"].id, period)
    revenue = list(csv.reader(io.StringIO(stats.to_csv(rep, "revenue"))))
    assert revenue[0] == ["period", "gross_xaf", "refunds_xaf", "revenue_xaf", "operations", "period_label"]
    assert revenue[1][0] == "2026-04-01" and revenue[1][5] == "1\xa0avr."  # ISO for machines, words for people
    english = list(csv.reader(io.StringIO(stats.to_csv(rep, "durations", "en"))))
    assert english[0] == ["months", "services", "amount_xaf", "duration"]
    assert all(r[3] == f"{r[0]}\xa0month" + ("" if r[0] == "1" else "s") for r in english[1:])
    assert len(revenue) == 31 and sum(int(r[3]) for r in revenue[1:]) == rep.totals["revenue"]
    summary = dict(csv.reader(io.StringIO(stats.to_csv(rep, "summary"))))
    assert int(summary["credits_outstanding_xaf"]) == rep.outstanding
    for name in stats.REPORTS:
        assert stats.to_csv(rep, name).count("\n") >= 1
    with pytest.raises(InvalidInput):
        stats.to_csv(rep, "../../etc/passwd")


@pytest.mark.parametrize("start,end,granularity,key", [
    ("2026-05-01", "2026-04-01", "day", "admin.error.period_order"),
    ("hier", "2026-04-01", "day", "admin.error.period_dates"),
    ("2020-01-01", "2026-04-01", "day", "admin.error.period_too_long"),
    ("2026-01-01", "2026-04-01", "week", "admin.error.granularity"),
])
def test_bad_periods_are_refused_clearly(start, end, granularity, key):
    with pytest.raises(InvalidInput) as exc:
        stats.parse_period(start, end, granularity)
    assert exc.value.key == key


def test_stats_need_an_admin(session):
    customer = make_user(session)
    with pytest.raises(NotAuthorized):
        stats.report(session, customer.id, stats.default_period())
    with pytest.raises(NotAuthorized):
        stats.overview(session, customer.id)
    assert session.get(User, customer.id) is not None
