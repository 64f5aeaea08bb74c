"""Scratch MariaDB databases for tests and benchmarks: created empty, dropped afterwards."""

from __future__ import annotations

import os
import uuid
from typing import Callable

import sqlalchemy as sa

MARIADB_SERVER_URL = os.environ.get("KMER_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306")


def create_mariadb_database(prefix: str = "kmer_test",
                            server_url: str = MARIADB_SERVER_URL) -> tuple[str, Callable[[], None]]:
    """A new, empty MariaDB database; returns its URL and a function that drops it."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    server = sa.create_engine(server_url + "/", connect_args={"connect_timeout": 3})
    with server.begin() as conn:
        conn.execute(sa.text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"))

    def drop() -> None:
        with server.begin() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
        server.dispose()

    return f"{server_url}/{name}?charset=utf8mb4", drop
