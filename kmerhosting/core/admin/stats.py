"""Sales figures for the admin, aggregated in SQL (GROUP BY), correct to the franc.

Definitions (also shown on the stats page):
- Revenue (CA) = money customers spent = the debits of kinds purchase, domain and renewal, minus the
  refunds, from the ledger: -SUM(amount) over those four kinds (debits are negative, refunds positive).
  Credits bought or granted are not revenue: they are a debt to the customer until spent.
- Days, months and years are local (settings.timezone, Africa/Douala) calendar periods; the period
  [start, end] includes both days.
- Sales by pack / by duration: hosting services created in the period (count and price paid).
- New customers: accounts with role customer created in the period.
- Credits outstanding: the sum of every balance now (what customers can still spend).
- Upcoming expiries: active services whose expiry lies within the next 30 / 60 days.
- Renewal rate = R / (R + L), where R = services renewed in the period (distinct services with a
  `renewal` ledger row in the period) and L = services that reached their expiry inside the period,
  before now, without being renewed in it and not cancelled (their expires_at is still in the period,
  since a renewal moves it forward). None when R + L = 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, select

from ...config import get_settings
from ...models import Pack, Role, Service, ServiceStatus, Transaction, TransactionKind, User, utcnow
from .. import provisioning
from ..csv_cells import write_csv
from ..errors import InvalidInput
from . import payments, servers
from .common import require_admin

SPENDING_KINDS = (TransactionKind.purchase, TransactionKind.domain, TransactionKind.renewal)
REVENUE_KINDS = (*SPENDING_KINDS, TransactionKind.refund)
GRANULARITIES = ("day", "month", "year")
FORMATS = {"day": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}
MAX_DAYS = {"day": 400, "month": 3700, "year": 36600}


# --- dialect-aware date buckets --------------------------------------------------------------------

def _zone() -> ZoneInfo:
    return ZoneInfo(get_settings().timezone)


def utc_offset_minutes(moment: datetime | None = None) -> int:
    """The shop's offset from UTC (Douala: +60, no daylight saving time)."""
    offset = (moment or utcnow()).astimezone(_zone()).utcoffset()
    return int(offset.total_seconds() // 60)


def local_bucket(dialect: str, column, granularity: str, offset_minutes: int):
    """SQL text label of the local day / month / year of a UTC datetime column, on SQLite and MariaDB."""
    fmt = FORMATS[granularity]
    offset = int(offset_minutes)
    if dialect == "sqlite":
        return sa.func.strftime(fmt, column, f"{offset:+d} minutes")
    shifted = sa.func.date_add(column, sa.literal_column(f"INTERVAL {offset:d} MINUTE"))
    return sa.func.date_format(shifted, fmt)


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


# --- period --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    start: date  # local, included
    end: date  # local, included
    granularity: str = "day"

    @property
    def start_utc(self) -> datetime:
        return datetime.combine(self.start, time.min, _zone()).astimezone(ZoneInfo("UTC"))

    @property
    def end_utc(self) -> datetime:  # exclusive
        return datetime.combine(self.end + timedelta(days=1), time.min, _zone()).astimezone(ZoneInfo("UTC"))

    def buckets(self) -> list[str]:
        """Every label of the period, so empty days still show as zero on the chart."""
        if self.granularity == "year":
            return [str(y) for y in range(self.start.year, self.end.year + 1)]
        if self.granularity == "month":
            labels, month = [], self.start.replace(day=1)
            while month <= self.end:
                labels.append(month.strftime("%Y-%m"))
                month = (month + timedelta(days=32)).replace(day=1)
            return labels
        days = (self.end - self.start).days + 1
        return [(self.start + timedelta(days=i)).isoformat() for i in range(days)]


def parse_period(start, end, granularity="day") -> Period:
    """A period from form text (YYYY-MM-DD); clear messages for the admin."""
    if granularity not in GRANULARITIES:
        raise InvalidInput("admin.error.granularity")
    try:
        start_d = start if isinstance(start, date) else date.fromisoformat(str(start).strip())
        end_d = end if isinstance(end, date) else date.fromisoformat(str(end).strip())
    except ValueError:
        raise InvalidInput("admin.error.period_dates") from None
    if end_d < start_d:
        raise InvalidInput("admin.error.period_order")
    if (end_d - start_d).days + 1 > MAX_DAYS[granularity]:
        raise InvalidInput("admin.error.period_too_long", days=MAX_DAYS[granularity])
    return Period(start_d, end_d, granularity)


def default_period(today: date | None = None) -> Period:
    today = today or utcnow().astimezone(_zone()).date()
    return Period(today - timedelta(days=29), today, "day")


# --- reports -------------------------------------------------------------------------------------------

def revenue(session: Session, period: Period) -> list[dict]:
    """Per bucket: gross sales (purchase + domain + renewal debits), refunds, revenue = gross - refunds."""
    bucket = local_bucket(_dialect(session), Transaction.created_at, period.granularity,
                          utc_offset_minutes()).label("bucket")
    gross = sa.func.sum(sa.case((Transaction.kind.in_(SPENDING_KINDS), -Transaction.amount), else_=0))
    refunds = sa.func.sum(sa.case((Transaction.kind == TransactionKind.refund, Transaction.amount), else_=0))
    stmt = (select(bucket, gross, refunds, sa.func.count())
            .where(Transaction.kind.in_(REVENUE_KINDS), Transaction.created_at >= period.start_utc,
                   Transaction.created_at < period.end_utc)
            .group_by(bucket))
    found = {label: (int(g or 0), int(r or 0), int(n)) for label, g, r, n in session.execute(stmt)}
    rows = []
    for label in period.buckets():
        g, r, n = found.pop(label, (0, 0, 0))
        rows.append({"period": label, "gross": g, "refunds": r, "revenue": g - r, "operations": n})
    return rows


def _services_in(period: Period):
    return (Service.created_at >= period.start_utc, Service.created_at < period.end_utc)


def sales_by_pack(session: Session, period: Period) -> list[dict]:
    stmt = (select(Pack.name, sa.func.count(Service.id), sa.func.coalesce(sa.func.sum(Service.price_paid), 0))
            .join(Pack, Pack.id == Service.pack_id).where(*_services_in(period))
            .group_by(Pack.id, Pack.name).order_by(sa.func.sum(Service.price_paid).desc()))
    return [{"pack": name, "services": int(n), "amount": int(total)} for name, n, total in session.execute(stmt)]


def sales_by_duration(session: Session, period: Period) -> list[dict]:
    stmt = (select(Service.duration_months, sa.func.count(Service.id),
                   sa.func.coalesce(sa.func.sum(Service.price_paid), 0))
            .where(*_services_in(period)).group_by(Service.duration_months).order_by(Service.duration_months))
    return [{"months": int(m), "services": int(n), "amount": int(total)} for m, n, total in session.execute(stmt)]


def new_customers(session: Session, period: Period) -> list[dict]:
    bucket = local_bucket(_dialect(session), User.created_at, period.granularity, utc_offset_minutes()).label("b")
    stmt = (select(bucket, sa.func.count(User.id))
            .where(User.role == Role.customer, User.created_at >= period.start_utc, User.created_at < period.end_utc)
            .group_by(bucket))
    found = {label: int(n) for label, n in session.execute(stmt)}
    return [{"period": label, "customers": found.get(label, 0)} for label in period.buckets()]


def credits_outstanding(session: Session) -> int:
    return int(session.execute(select(sa.func.coalesce(sa.func.sum(User.credits), 0))).scalar_one())


def upcoming_expiries(session: Session, now: datetime | None = None) -> dict:
    now = now or utcnow()

    def within(days):
        return sa.func.sum(sa.case((Service.expires_at < now + timedelta(days=days), 1), else_=0))

    stmt = (select(within(30), within(60))
            .where(Service.status == ServiceStatus.active, Service.expires_at >= now,
                   Service.expires_at < now + timedelta(days=60)))
    d30, d60 = session.execute(stmt).one()
    return {"days_30": int(d30 or 0), "days_60": int(d60 or 0)}


def renewal_rate(session: Session, period: Period, now: datetime | None = None) -> dict:
    """See the module docstring: rate = renewed / (renewed + lapsed)."""
    now = now or utcnow()
    renewed_ids = (select(Transaction.service_id)
                   .where(Transaction.kind == TransactionKind.renewal, Transaction.service_id.is_not(None),
                          Transaction.created_at >= period.start_utc, Transaction.created_at < period.end_utc)
                   .distinct())
    renewed = session.execute(select(sa.func.count()).select_from(renewed_ids.subquery())).scalar_one()
    lapsed = session.execute(
        select(sa.func.count(Service.id))
        .where(Service.expires_at >= period.start_utc, Service.expires_at < min(period.end_utc, now),
               Service.status != ServiceStatus.cancelled, Service.id.not_in(renewed_ids))
    ).scalar_one()
    renewed, lapsed = int(renewed), int(lapsed)
    due = renewed + lapsed
    rate = None if due == 0 else round(100 * renewed / due, 1)
    return {"renewed": renewed, "lapsed": lapsed, "due": due, "rate_percent": rate}


@dataclass
class Report:
    period: Period
    revenue: list[dict]
    by_pack: list[dict]
    by_duration: list[dict]
    customers: list[dict]
    outstanding: int
    expiries: dict
    renewals: dict
    totals: dict = field(default_factory=dict)


def report(session: Session, actor_id: int, period: Period) -> Report:
    """Everything the stats page shows, in a handful of aggregate queries."""
    require_admin(session, actor_id)
    rev = revenue(session, period)
    customers = new_customers(session, period)
    totals = {
        "revenue": sum(r["revenue"] for r in rev),  # sums per-bucket results, a few hundred at most
        "gross": sum(r["gross"] for r in rev),
        "refunds": sum(r["refunds"] for r in rev),
        "new_customers": sum(c["customers"] for c in customers),
    }
    return Report(period=period, revenue=rev, by_pack=sales_by_pack(session, period),
                  by_duration=sales_by_duration(session, period), customers=customers,
                  outstanding=credits_outstanding(session), expiries=upcoming_expiries(session),
                  renewals=renewal_rate(session, period), totals=totals)


# --- CSV -----------------------------------------------------------------------------------------------

REPORTS = ("revenue", "packs", "durations", "customers", "summary")


def to_csv(rep: Report, name: str, lang: str = "fr") -> str:
    """One report as CSV (comma separated, integer XAF, ISO periods, header row) for machines, plus a
    last column in words in the reader's language; pack names are kept inert by write_csv."""
    from ...i18n import display  # noqa: PLC0415

    if name not in REPORTS:
        raise InvalidInput("admin.error.bad_report")
    if name == "revenue":
        return write_csv(["period", "gross_xaf", "refunds_xaf", "revenue_xaf", "operations", "period_label"],
                         ([r["period"], r["gross"], r["refunds"], r["revenue"], r["operations"],
                           display.period(r["period"], lang)] for r in rep.revenue),
                         lineterminator="\n")
    if name == "packs":
        return write_csv(["pack", "services", "amount_xaf"],
                         ([r["pack"], r["services"], r["amount"]] for r in rep.by_pack), lineterminator="\n")
    if name == "durations":
        return write_csv(["months", "services", "amount_xaf", "duration"],
                         ([r["months"], r["services"], r["amount"], display.months(r["months"], lang)]
                          for r in rep.by_duration), lineterminator="\n")
    if name == "customers":
        return write_csv(["period", "new_customers", "period_label"],
                         ([r["period"], r["customers"], display.period(r["period"], lang)] for r in rep.customers),
                         lineterminator="\n")
    return write_csv(["metric", "value"], [
        ["period_start", rep.period.start.isoformat()], ["period_end", rep.period.end.isoformat()],
        ["revenue_xaf", rep.totals["revenue"]], ["gross_xaf", rep.totals["gross"]],
        ["refunds_xaf", rep.totals["refunds"]], ["new_customers", rep.totals["new_customers"]],
        ["credits_outstanding_xaf", rep.outstanding], ["expiring_30_days", rep.expiries["days_30"]],
        ["expiring_60_days", rep.expiries["days_60"]], ["renewed", rep.renewals["renewed"]],
        ["lapsed", rep.renewals["lapsed"]],
        ["renewal_rate_percent", "" if rep.renewals["rate_percent"] is None else rep.renewals["rate_percent"]],
    ], lineterminator="\n")


def overview(session: Session, actor_id: int) -> dict:
    """The numbers on the admin home page: what needs attention now."""
    from ...models import CreditRequest, CreditRequestStatus, NotificationLog, NotificationStatus  # noqa: PLC0415

    require_admin(session, actor_id)

    def count(model, *where):
        return int(session.execute(select(sa.func.count()).select_from(model).where(*where)).scalar_one())

    period = default_period()
    rev = -int(session.execute(select(sa.func.coalesce(sa.func.sum(Transaction.amount), 0))
                               .where(Transaction.kind.in_(REVENUE_KINDS),
                                      Transaction.created_at >= period.start_utc,
                                      Transaction.created_at < period.end_utc)).scalar_one())
    return {
        "customers": count(User, User.role == Role.customer),
        "pending_requests": count(CreditRequest, CreditRequest.status == CreditRequestStatus.pending),
        "failed_mails": count(NotificationLog, NotificationLog.status == NotificationStatus.failed),
        "active_services": count(Service, Service.status == ServiceStatus.active),
        "pending_services": count(Service, Service.status == ServiceStatus.pending),
        "revenue_30_days": rev,
        "outstanding": credits_outstanding(session),
        "failed_panel_jobs": provisioning.failed_jobs(session),  # hosting-account jobs that gave up
        **payments.counts(session, actor_id),
        "servers_attention": servers.attention_count(session),
    }
