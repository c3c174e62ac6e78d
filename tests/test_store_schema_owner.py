"""One owner of the schema: no module outside `digex.store` writes SQL naming a store table or
view, so that a release table, an as-of view or another backend changes that package only.

The names are taken from the schema itself (a store just made), not from a list kept by hand:
a table added by a migration is covered the day it is added.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest
from tests.conftest import FIRM, TODAY, write_csv

import digex
from digex.store import Store

SRC = Path(digex.__file__).parent
OWNER = SRC / "store"
PENDING = {}
"""Modules still naming store tables on this branch, each moved by another branch of the same
round: remove an entry when its branch is merged (the test then holds it to the rule)."""


@pytest.fixture(scope="module")
def names(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """Every table and view of a store just made."""
    with Store.create(tmp_path_factory.mktemp("schema") / "names.duckdb") as store:
        rows = store.con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE NOT temporary "
            "UNION SELECT view_name FROM duckdb_views() WHERE NOT internal AND NOT temporary"
        ).fetchall()
    return {str(name) for (name,) in rows}


def _docstrings(tree: ast.AST) -> set[int]:
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def texts(source: str) -> Iterator[tuple[int, str]]:
    """Every string literal of a module but its docstrings, an f-string with `{}` for each
    value it formats, with its line."""
    tree = ast.parse(source)
    skip = _docstrings(tree)
    parts_of_fstrings: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = ""
            for part in node.values:
                parts_of_fstrings.add(id(part))
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    text += part.value
                else:
                    text += "{}"
            yield node.lineno, text
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in skip | parts_of_fstrings
        ):
            yield node.lineno, node.value


def _tables_asked(source: str, names: set[str]) -> Iterator[tuple[int, str]]:
    """`x.table("name")` calls (Ibis, DuckDB) on a store table or view, and Ibis's
    `backend.tables.name` / `backend.tables["name"]`."""
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("table", "view", "sql_table")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and node.args[0].value in names
        ):
            yield node.lineno, str(node.args[0].value)
        if (
            isinstance(node, ast.Attribute)
            and node.attr in names
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "tables"
        ):
            yield node.lineno, node.attr
        if (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "tables"
            and isinstance(node.slice, ast.Constant)
            and node.slice.value in names
        ):
            yield node.lineno, str(node.slice.value)


def violations(source: str, names: set[str]) -> list[tuple[int, str]]:
    """Literals that name a store table or view: in SQL (after FROM, JOIN, INTO, UPDATE,
    TABLE, VIEW, COPY, TRUNCATE, DESCRIBE, SUMMARIZE, an index's ON or a PRAGMA's argument,
    with or without a schema or database before it, or later in a FROM's comma list), as a
    whole string when the name is no plain word (`current_rates`, not `rates`, which also
    names a kind of file), or handed to a `.table()` call or Ibis's `tables`."""
    alternatives = "|".join(sorted(map(re.escape, names), key=len, reverse=True))
    word = r"(?:\"[^\"]+\"|\{\}|\w+)"
    before = (
        r"\b(?:(?:FROM|JOIN|INTO|UPDATE|TABLE|VIEW|COPY|TRUNCATE|DESCRIBE|SUMMARIZE|"
        r"INDEX\s+\w+\s+ON)\s+|PRAGMA\s+\w+\s*\(\s*'?)"
    )
    listed = rf"(?:{word}(?:\.{word})?(?:\s+(?:AS\s+)?\w+)?\s*,\s*)*"
    sql = re.compile(
        rf"{before}\(?\s*{listed}(?:{word}\.)?\"?(?:{alternatives})\b\"?(?![\w.(])",
        re.IGNORECASE,
    )
    compound = {name for name in names if "_" in name}
    found = [
        (line, text) for line, text in texts(source) if text.strip() in compound or sql.search(text)
    ]
    return found + list(_tables_asked(source, names))


def test_the_names_come_from_the_schema(names: set[str]) -> None:
    assert {"loads", "declarations", "current_declarations", "indicator_cache"} <= names
    assert {"current_declarations_coded", "current_all_rejects", "withdrawals"} <= names


@pytest.mark.parametrize(
    "code",
    [
        'rows = store.con.execute("SELECT load_id FROM loads").fetchall()',
        'db.store.con.execute(f"SELECT * FROM current_all_rejects WHERE load_id = {n}")',
        'con.execute("DELETE FROM indicator_cache WHERE state <> ?", [s])',
        'backend.table("current_rates")',
        'con.table("loads").to_arrow_table()',
        'TABLES = {"current_auxiliary": "auxiliary.parquet"}',
        'con.execute(f"COPY (SELECT * FROM current_declarations) TO {path!r}")',
        'con.execute("SELECT count(*) FROM main.loads")',
        'con.execute("INSERT INTO digex_store.declarations SELECT * FROM c")',
        'con.execute(f"SELECT * FROM {schema}.rejects")',
        'con.execute("SELECT * FROM checked_1 c, loads l WHERE c.x = l.load_id")',
        'con.execute("SELECT 1 FROM a AS x, main.withdrawals")',
        'con.execute("TRUNCATE indicator_cache")',
        'con.execute("DESCRIBE declarations")',
        'con.execute("SUMMARIZE current_rates")',
        "con.execute(\"PRAGMA table_info('loads')\")",
        'con.execute("CREATE INDEX ix ON declarations (load_id)")',
        "backend.tables.loads.count()",
        'backend.tables["current_rates"]',
    ],
)
def test_sql_on_a_store_table_is_found(code: str, names: set[str]) -> None:
    assert violations(code, names)


@pytest.mark.parametrize(
    "code",
    [
        '"""Reads from loads, in SELECT FROM loads form (a docstring)."""',
        'message = "no declarations to load"',
        'kinds = ("declarations", "rates")',
        'con.execute("SELECT * FROM checked_rates")',
        'con.execute(f"SELECT * FROM {table}")',
        'con.execute("SELECT * FROM checked_1 c, rejected_1 r")',
        'con.execute("DESCRIBE SELECT * FROM staged")',
        "backend.tables.staged",
    ],
)
def test_other_text_is_not_taken_for_sql_on_the_store(code: str, names: set[str]) -> None:
    assert not violations(code, names)


def test_no_sql_on_store_tables_outside_the_store_package(names: set[str]) -> None:
    found = {}
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC).as_posix()
        if path.is_relative_to(OWNER) or relative in PENDING:
            continue
        if hits := violations(path.read_text(encoding="utf-8"), names):
            found[relative] = hits
    assert not found, "SQL on store tables outside digex/store/ (move it behind store/):\n" + (
        "\n".join(
            f"{f}:{line}: {text.strip()[:80]!r}" for f, v in found.items() for line, text in v
        )
    )


def test_pending_modules_exist() -> None:
    """An entry for a module that was renamed or removed would exempt nothing: drop it."""
    assert all((SRC / relative).exists() for relative in PENDING)


# -- at run time: who runs statements on a store connection ----------------------------------
class Recording:
    """A DuckDB connection that notes, for each statement run on it, the module that ran it and
    the first digex module up the stack (Ibis runs the engine's statements for digex)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, log: list[Ran], *, store: bool) -> None:
        self._con = con
        self._log = log
        self._store = store  # a store's own connection (else: a loader's, store attached or not)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)

    def __enter__(self) -> Recording:
        return self

    def __exit__(self, *exc: object) -> None:
        self._con.close()

    def _note(self, text: object) -> None:
        sql = str(text)
        first = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
        if first == "ATTACH":
            self._store = True
        frame = sys._getframe(3)  # _note <- _run <- execute etc. <- the caller
        caller = str(frame.f_globals.get("__name__"))
        via = caller
        while via != "?" and not via.startswith("digex."):
            frame = frame.f_back  # type: ignore[assignment]
            via = "?" if frame is None else str(frame.f_globals.get("__name__"))
        if self._store:
            self._log.append(Ran(caller, via, sql))
        if first == "DETACH":
            self._store = False

    def _run(self, method: str, query: object, *args: Any, **kwargs: Any) -> Any:
        self._note(query)
        result = getattr(self._con, method)(query, *args, **kwargs)
        return self if result is self._con else result

    def execute(self, query: object, *args: Any, **kwargs: Any) -> Any:
        return self._run("execute", query, *args, **kwargs)

    def executemany(self, query: object, *args: Any, **kwargs: Any) -> Any:
        return self._run("executemany", query, *args, **kwargs)

    def sql(self, query: object, *args: Any, **kwargs: Any) -> Any:
        return self._run("sql", query, *args, **kwargs)

    def query(self, query: object, *args: Any, **kwargs: Any) -> Any:
        return self._run("query", query, *args, **kwargs)

    def table(self, name: object) -> Any:
        return self._run("table", name)

    def view(self, name: object) -> Any:
        return self._run("view", name)

    def cursor(self) -> Recording:
        return Recording(self._con.cursor(), self._log, store=self._store)


@dataclass(frozen=True)
class Ran:
    caller: str
    """The module that called the connection's method."""
    via: str
    """The first digex module up the stack (the caller itself when it is one)."""
    sql: str


def _allowed(ran: Ran, names: set[str]) -> bool:
    if ran.caller.startswith("digex.store."):
        return True
    if not ran.caller.startswith("digex."):  # Ibis for the engine on store-given sources,
        # or dropping its own cached tables (from a finalizer, wherever the collection ran)
        return ran.caller.startswith("ibis.") and (
            ran.via.startswith(("digex.store.", "digex.indicators."))
            or not violations(f"sql = {ran.sql!r}", names)
        )
    # a loader's statements on its own temporary tables, in a cursor of an open store
    return ran.caller.startswith("digex.ingest.") and not violations(f"sql = {ran.sql!r}", names)


def test_only_the_store_package_runs_statements_on_the_store(
    names: set[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every connection the store and the loader open records who runs each statement on it
    (the loader's own only while the store is attached), through the main paths of the API:
    load (through an open store, and as `digex load` does), loads, rejects, declarations,
    indicators computed then read as kept, check, targets and withdraw."""
    from digex.ingest.load import Loader, LoadOptions
    from digex.profile import load_profile
    from digex.store import store as store_module
    from digex.store import target as target_module

    log: list[Ran] = []
    real = store_module.connect

    def connect(database: str = ":memory:", **kw: Any) -> Recording:
        return Recording(real(database, **kw), log, store=database != ":memory:")

    monkeypatch.setattr(store_module, "connect", connect)
    monkeypatch.setattr(target_module, "connect", connect)

    db = tmp_path / "s.duckdb"
    rows = [("D1", "2024-03", FIRM, "ITO", "FR", "MAD", "1000", "X"), ("D2", "x", *("",) * 6)]
    rates = [("2024-03", "EUR", "10.8")]
    with digex.init(db) as store:
        store.load(write_csv(tmp_path / "d.csv", rows), today=TODAY)
    loader = Loader(db, load_profile("MA"), LoadOptions(today=TODAY))
    loader.run(
        [], rates=[write_csv(tmp_path / "r.csv", rates, header=("period", "currency", "rate"))]
    )
    with digex.connect(db) as store:
        store.loads()
        store.rejects()
        store.declarations()
        store.indicators("2024")
        store.indicators("2024")  # kept by now
        store.check()
        store.targets()
        store.withdraw(2, reason="test")
    assert {r.caller for r in log} >= {"digex.store.store", "digex.store.append"}
    assert any(r.caller.startswith("ibis.") for r in log), "the engine's statements were seen"
    wrong = sorted({(r.caller, r.via, r.sql.strip()[:70]) for r in log if not _allowed(r, names)})
    assert not wrong, "statements on the store run outside digex.store:\n" + "\n".join(
        map(str, wrong)
    )


def test_a_statement_from_elsewhere_is_caught(names: set[str]) -> None:
    assert not _allowed(Ran("digex.api", "digex.api", "SELECT * FROM loads"), names)
    ibis_sql = 'SELECT "t0"."period" FROM "current_rates" AS "t0"'
    assert not _allowed(Ran("ibis.backends.duckdb", "digex.api", ibis_sql), names)
    assert _allowed(Ran("ibis.backends.duckdb", "digex.indicators.engine", ibis_sql), names)
    assert not _allowed(Ran("digex.ingest.load", "digex.ingest.load", "DELETE FROM loads"), names)
    assert not _allowed(Ran("pandas.io.sql", "digex.store.queries", "SELECT 1"), names)
    assert _allowed(Ran("digex.ingest.load", "digex.ingest.load", "SELECT * FROM checked_1"), names)
