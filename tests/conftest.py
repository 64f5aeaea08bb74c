"""Shared fixtures.

Database tests take the `engine` (or `session`) fixture and run once per backend: SQLite always,
MariaDB when it answers at KMER_TEST_MARIADB_URL (default root@127.0.0.1:3306). Each run creates a
fresh MariaDB database and drops it at the end. With KMER_TEST_REQUIRE_MARIADB=1 (CI) an
unreachable MariaDB fails the run instead of skipping.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, SQLModel

os.environ.setdefault("KMER_ENV", "test")
os.environ.setdefault("KMER_ENV_FILE", "/nonexistent")  # never read a developer's .env in tests
# A test that forgets the `engine` fixture must fail loudly, not write to the project's own database.
os.environ.setdefault("DATABASE_URL", "sqlite:////nonexistent/tests-use-the-engine-fixture.db")

from kmerhosting import db  # noqa: E402
from kmerhosting.config import reset_settings_cache  # noqa: E402
from kmerhosting.manage import migrate  # noqa: E402

from .databases import MARIADB_SERVER_URL, create_mariadb_database  # noqa: E402,F401  (tests import it from here)

REQUIRE_MARIADB = os.environ.get("KMER_TEST_REQUIRE_MARIADB") == "1"


def _mariadb_reachable() -> str | None:
    try:
        engine = sa.create_engine(MARIADB_SERVER_URL + "/", connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001
        return str(exc).splitlines()[0]


_MARIADB_PROBLEM = _mariadb_reachable()
if _MARIADB_PROBLEM and REQUIRE_MARIADB:
    raise pytest.UsageError(f"MariaDB is required (KMER_TEST_REQUIRE_MARIADB=1) but unreachable: {_MARIADB_PROBLEM}")

BACKENDS = ["sqlite", "mariadb"]


def pytest_generate_tests(metafunc):
    if "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", BACKENDS, scope="session")


def pytest_report_header(config):
    state = "available" if not _MARIADB_PROBLEM else f"SKIPPED ({_MARIADB_PROBLEM})"
    return f"kmerhosting test backends: sqlite, mariadb {state}"


@pytest.fixture(scope="session")
def database_url(backend, tmp_path_factory):
    """A migrated database for this backend, shared by the session's tests."""
    if backend == "mariadb":
        if _MARIADB_PROBLEM:
            pytest.skip(f"MariaDB unreachable: {_MARIADB_PROBLEM}")
        url, drop = create_mariadb_database()
    else:
        path = Path(tmp_path_factory.mktemp("sqlite")) / "test.db"
        url, drop = f"sqlite:///{path}", lambda: None
    migrate(url)
    yield url
    drop()


@pytest.fixture(scope="session")
def _session_engine(database_url):
    engine = db.make_engine(database_url)
    yield engine
    engine.dispose()


def wipe(engine: sa.Engine) -> None:
    tables = list(reversed(SQLModel.metadata.sorted_tables))
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(sa.text("PRAGMA foreign_keys=OFF"))
        else:
            conn.execute(sa.text("SET FOREIGN_KEY_CHECKS=0"))
        for table in tables:
            conn.execute(table.delete())
        if engine.dialect.name == "sqlite":
            conn.execute(sa.text("PRAGMA foreign_keys=ON"))
        else:
            conn.execute(sa.text("SET FOREIGN_KEY_CHECKS=1"))


@pytest.fixture
def engine(_session_engine):
    """An empty, migrated database (SQLite, then MariaDB); `session_scope()` points at it."""
    wipe(_session_engine)
    db.set_engine_override(_session_engine)
    yield _session_engine
    db.set_engine_override(None)


@pytest.fixture
def session(engine):
    with Session(engine, expire_on_commit=False) as s:
        yield s


@pytest.fixture
def configure(monkeypatch):
    """Change settings for one test: configure(REMINDER_DAYS="30,7")."""

    def apply(**env):
        for key, value in env.items():
            monkeypatch.setenv(key, str(value))
        reset_settings_cache()

    yield apply
    reset_settings_cache()


@pytest.fixture
def sandbox_gateway():
    """The sandbox payment gateway, confirming at once (a number ending in 00 fails, 01 cancels, 99 hangs)."""
    from kmerhosting.integrations.payments.factory import set_gateway_override
    from kmerhosting.integrations.payments.sandbox import SandboxGateway

    gateway = SandboxGateway("test-secret", confirm_seconds=0)
    set_gateway_override(gateway)
    yield gateway
    set_gateway_override(None)


# --- browser journeys ---------------------------------------------------------------------------

REQUIRE_BROWSER = os.environ.get("KMER_TEST_REQUIRE_BROWSER") == "1"


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """The shop started as the README starts it (production build), on a fresh SQLite database."""
    from .live import CHROMIUM, start_app

    if not Path(CHROMIUM).exists():
        if REQUIRE_BROWSER:
            pytest.fail(f"Chromium is required (KMER_TEST_REQUIRE_BROWSER=1) but {CHROMIUM} is missing")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    app = start_app(tmp_path_factory.mktemp("live"))
    yield app
    app.stop()


@pytest.fixture(scope="session")
def browser(live_app):
    """Chromium; every page it opens reports its console errors (tests/console.py)."""
    from playwright.sync_api import sync_playwright

    from .console import watch_browser
    from .live import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as p:
        b = watch_browser(p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS))
        yield b
        b.close()


@pytest.fixture
def page(browser, live_app, request):
    """A fresh browser context (no cookies, no local storage) per test; screenshots in artifacts/."""
    context = browser.new_context(base_url=live_app.base_url, viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(20000)
    yield pg
    context.close()


def _console_failure(errors: list[str]) -> str:
    return "the browser reported errors:\n  " + "\n  ".join(errors)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """A browser console error or uncaught page error during a test fails it (tests/console.py)."""
    from .console import ERRORS

    try:
        result = yield
    except BaseException:
        if errors := ERRORS.take():  # the test failed anyway: say what the browser said too
            item.add_report_section("call", "browser console", "\n".join(errors))
        raise
    if errors := ERRORS.take():
        pytest.fail(_console_failure(errors), pytrace=False)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """Errors that reach us while the test's pages close still belong to that test."""
    from .console import ERRORS

    result = yield
    if errors := ERRORS.take():
        pytest.fail(_console_failure(errors), pytrace=False)
    return result


def screenshot(page, name: str) -> Path:
    from .live import ARTIFACTS

    path = ARTIFACTS / "screenshots" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


# --- browser handler coverage (tests/browser/test_handler_coverage.py) -------------------------------------

_deselected_browser_tests = False


def pytest_deselected(items):
    global _deselected_browser_tests
    if any(item.get_closest_marker("browser") for item in items):
        _deselected_browser_tests = True


def pytest_collection_modifyitems(session, config, items):
    from .handler_coverage import order_last

    order_last(items)


def pytest_collection_finish(session):
    from .handler_coverage import WHOLE_SUITE, whole_browser_suite

    session.config.stash[WHOLE_SUITE] = whole_browser_suite(session.config, _deselected_browser_tests)
