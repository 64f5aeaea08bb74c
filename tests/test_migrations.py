"""The schema comes from the migrations, and they agree with the models, on SQLite and MariaDB."""

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
