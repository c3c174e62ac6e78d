"""The engine's PostgreSQL sessions sort and hash in memory (issue 19): with the server's
default work_mem (4 MB) the monthly suites' plans spilled to disk."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.postgres


def _setting(backend: object, name: str) -> str:
    with backend.raw_sql(f"SHOW {name}") as cursor:  # type: ignore[attr-defined]
        return str(cursor.fetchone()[0])


def test_postgres_sessions_get_room_to_sort_and_hash(pg_url: str) -> None:
    import ibis

    from digex.backends import WORK_MEM, tune_postgres

    backend = ibis.connect(pg_url)
    try:
        assert _setting(backend, "work_mem") != WORK_MEM  # the server's default, 4MB
        tune_postgres(backend)
        assert _setting(backend, "work_mem") == WORK_MEM
        assert _setting(backend, "enable_nestloop") == "off"
        backend.raw_sql("SET work_mem = '256MB'").close()
        tune_postgres(backend)  # a session (or server) that already gives more keeps it
        assert _setting(backend, "work_mem") == "256MB"
    finally:
        backend.disconnect()
