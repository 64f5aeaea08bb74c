"""The schema comes from the migrations, and they agree with the models, on SQLite and MariaDB."""

from datetime import datetime

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from kmerhosting.db import make_engine
from kmerhosting.manage import downgrade, migrate

from .conftest import _MARIADB_PROBLEM, create_mariadb_database


@pytest.fixture(params=["sqlite", "mariadb"])
def empty_url(request, tmp_path):
    if request.param == "mariadb":
        if _MARIADB_PROBLEM:
            pytest.skip(f"MariaDB unreachable: {_MARIADB_PROBLEM}")
        url, drop = create_mariadb_database("kmer_migr")
        yield url
        drop()
    else:
        yield f"sqlite:///{tmp_path / 'm.db'}"


def _tables(url):
    engine = make_engine(url)
    names = set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
    engine.dispose()
    return names


def test_upgrade_downgrade_upgrade_from_empty(empty_url):
    migrate(empty_url)
    assert _tables(empty_url) == set(SQLModel.metadata.tables)
    downgrade(empty_url, "base")
    assert _tables(empty_url) == set()
    migrate(empty_url)
    assert _tables(empty_url) == set(SQLModel.metadata.tables)


def test_models_and_migrations_agree(empty_url):
    migrate(empty_url)
    engine = make_engine(empty_url)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, SQLModel.metadata)
    engine.dispose()
    assert diff == [], f"models and migrations differ; run alembic revision --autogenerate: {diff}"


def _service_rows(url, rows):
    """Rows written as the 0001 schema has them (reflected: the models already have the new columns)."""
    engine = make_engine(url)
    meta = sa.MetaData()
    meta.reflect(engine, only=["users", "packs", "services"])
    day = datetime(2026, 1, 1)
    with engine.begin() as conn:
        conn.execute(meta.tables["users"].insert().values(
            id=1, email="a@example.cm", password_hash="x", name="A", phone="", role="customer", status="active",
            language="fr", credits=0, created_at=day))
        conn.execute(meta.tables["packs"].insert().values(
            id=1, name="P", slug="p", description_fr="", description_en="", features="[]", monthly_price=1000,
            discounts="{}", control_panel="cpanel", disk_gb=1, bandwidth_gb=0, email_accounts=1, databases=1,
            websites=1, free_ssl=True, is_active=True, sort_order=0, created_at=day))
        for n, (domain, status) in enumerate(rows, start=1):
            conn.execute(meta.tables["services"].insert().values(
                id=n, user_id=1, pack_id=1, domain=domain, control_panel="cpanel", status=status,
                duration_months=12, price_paid=1000, starts_at=day, expires_at=day.replace(year=2027),
                panel_url="", created_at=day))
    return engine


def test_the_upgrade_gives_live_services_their_live_domain(empty_url):
    migrate(empty_url, "0001")
    engine = _service_rows(empty_url, [("a.cm", "active"), ("a.cm", "cancelled"), ("b.cm", "suspended")])
    migrate(empty_url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT domain, status, live_domain FROM services ORDER BY id")).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [("a.cm", "active", "a.cm"), ("a.cm", "cancelled", None),
                                        ("b.cm", "suspended", "b.cm")]


def test_the_upgrade_stops_and_names_live_services_sharing_a_domain(empty_url):
    migrate(empty_url, "0001")
    _service_rows(empty_url, [("twice.cm", "active"), ("twice.cm", "pending")]).dispose()
    with pytest.raises(RuntimeError, match=r"twice\.cm \(2 services\)"):
        migrate(empty_url)
