"""Pytest plugin: PostgreSQL fixtures (load with ``pytest_plugins = ["tests.pg_fixtures"]``).

- ``pg_url`` (session): URL of a running server with the test role and database (``tests/pg.py``).
- ``pg_backend`` (session): an Ibis PostgreSQL backend whose ``search_path`` is a schema of its
  own, dropped and re-created empty at the start of the session; tables created through it
  (``create_table``) land there. The schema is kept after the session for inspection and the
  server is left running.

When PostgreSQL is missing or cannot be started: the tests skip, except in CI (``$CI`` set),
where they fail, so a CI run never passes without the PostgreSQL tests.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from tests.pg import postgres_url

from digex.backends import tune_postgres

if TYPE_CHECKING:
    from ibis.backends.postgres import Backend

SCHEMA = "digex_pytest"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def session_schema() -> str:
    """One schema per pytest process (pytest-xdist workers get their own)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return f"{SCHEMA}_{worker}" if worker.isalnum() else SCHEMA


@pytest.fixture(scope="session")
def pg_url() -> str:
    try:
        return postgres_url()
    except RuntimeError as exc:
        if in_ci():
            pytest.fail(f"PostgreSQL tests cannot run in CI: {exc}", pytrace=False)
        pytest.skip(f"PostgreSQL unavailable: {exc}")


def reset_schema(url: str, schema: str) -> None:
    """Drop ``schema`` with everything in it and create it again, empty."""
    import psycopg
    from psycopg import sql

    ident = sql.Identifier(schema)
    with psycopg.connect(url, autocommit=True) as con:
        con.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(ident))
        con.execute(sql.SQL("CREATE SCHEMA {}").format(ident))


@pytest.fixture(scope="session")
def pg_backend(pg_url: str) -> Iterator[Backend]:
    import ibis

    schema = session_schema()
    reset_schema(pg_url, schema)
    con = tune_postgres(ibis.connect(pg_url, schema=schema))
    try:
        yield con
    finally:
        con.disconnect()
