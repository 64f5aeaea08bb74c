"""Fixtures of the browser tests."""

from __future__ import annotations

import pytest

from kmerhosting import db


@pytest.fixture(scope="module")
def live_db(live_app):
    """The live app's own database, for arranging what a page will show and checking what it did."""
    engine = db.make_engine(live_app.database_url)
    yield engine
    engine.dispose()
