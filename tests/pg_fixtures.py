"""Pytest plugin: PostgreSQL fixtures (load with ``pytest_plugins = ["tests.pg_fixtures"]``).

- ``pg_url`` (session): URL of a running server with the test role and database (``tests/pg.py``).
- ``pg_backend`` (session): an Ibis PostgreSQL backend whose ``search_path`` is a schema of its
  own, named after this run (its process id and a random token: two runs on one machine, or two
  xdist workers, never share one), created empty at the start of the session and dropped at its
  end; tables created through it (``create_table``) land there. A schema left by a run that died
  (its process is gone) is dropped by the next run's start. The server is left running.

When PostgreSQL is missing or cannot be started: the tests skip, except in CI (``$CI`` set),
where they fail, so a CI run never passes without the PostgreSQL tests.
"""

from __future__ import annotations

import os
import secrets
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


_RUN: str = f"{os.getpid()}_{secrets.token_hex(4)}"
"""This pytest process' own part of the schema's name (an xdist worker is a process of its own)."""


def session_schema() -> str:
    """The schema of this pytest process: `digex_pytest_<pid>_<token>`, unique per run and per
    xdist worker, so that two test runs on one machine (two worktrees) never drop or fill each
    other's tables."""
    return f"{SCHEMA}_{_RUN}"


def _stale(schema: str) -> bool:
    """A schema this module made for a process that is no longer running (a run killed before
    its end): the server is local (`tests/pg.py`), so the process id is this machine's."""
    pid = schema.removeprefix(f"{SCHEMA}_").split("_", 1)[0]
    if not schema.startswith(f"{SCHEMA}_") or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


@pytest.fixture(scope="session")
def pg_url() -> str:
    try:
        return postgres_url()
    except RuntimeError as exc:
        if in_ci():
            pytest.fail(f"PostgreSQL tests cannot run in CI: {exc}", pytrace=False)
        pytest.skip(f"PostgreSQL unavailable: {exc}")


def reset_schema(url: str, schema: str) -> None:
    """Drop ``schema`` with everything in it and create it again, empty; drop the schemas of
    runs that died before dropping theirs."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(url, autocommit=True) as con:
        names = con.execute(
            "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE %s",
            (f"{SCHEMA}%",),
        ).fetchall()
        for (name,) in names:
            if _stale(name):
                con.execute(
                    sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name))
                )
        ident = sql.Identifier(schema)
        con.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(ident))
        con.execute(sql.SQL("CREATE SCHEMA {}").format(ident))


def drop_schema(url: str, schema: str) -> None:
    """Drop ``schema`` with everything in it (the end of the session)."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(url, autocommit=True) as con:
        con.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


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
        drop_schema(pg_url, schema)
