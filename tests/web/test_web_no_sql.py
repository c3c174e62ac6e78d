"""No request text reaches SQL (issue 17, point 5): the web service and the SDMX modules run
none. A request is answered from a release's frame in pandas; a release is read from the
snapshot file the served-release index names, by the id the index holds, never by the text of
a request. The one exception is `digex.web.index`, which the release commands call to write the
index from the store (the server never does)."""

from __future__ import annotations

import ast
from pathlib import Path

import digex

SRC = Path(digex.__file__).parent
SCANNED = ("web", "sdmx")
ALLOWED = {"web/index.py"}
"""The index's writer: it reads the store when a release command (or `serve --reindex`,
before the server starts) asks, with no request in sight."""
DRIVERS = ("duckdb", "ibis", "sqlalchemy", "psycopg", "pyspark", "digex.store", "digex.sql")
CALLS = ("execute", "executemany", "sql", "raw_sql")


def _sql_in(source: str) -> list[str]:
    """What in `source` imports a database driver or digex's store, or calls a method named
    as a query runs."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):  # `from digex import store` names it
            module = node.module or ""
            names = [f"digex.{a.name}" for a in node.names] if module == "digex" else [module]
        else:
            names = []
        found += [f"{node.lineno}: import {n}" for n in names if n.startswith(DRIVERS)]
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in CALLS
        ):
            found.append(f"{node.lineno}: .{node.func.attr}(...)")
    return found


def test_the_scan_finds_what_it_looks_for() -> None:
    sample = "import duckdb\nfrom digex import store\nfrom digex.store import releases\n"
    sample += "con.execute(f'x {y}')\n"
    assert _sql_in(sample) == [
        "1: import duckdb",
        "2: import digex.store",
        "3: import digex.store",
        "4: .execute(...)",
    ]
    assert _sql_in("frame[frame['a'].isin(codes)]\n") == []


def test_no_web_or_sdmx_module_runs_sql() -> None:
    scanned = [
        p for part in SCANNED for p in sorted((SRC / part).rglob("*.py"))
    ]  # fmt: skip
    assert len(scanned) > 20
    found = {
        name: hits
        for path in scanned
        if (name := str(path.relative_to(SRC))) not in ALLOWED
        and (hits := _sql_in(path.read_text(encoding="utf-8")))
    }
    assert found == {}
