"""The declarations' coded columns stored as ENUM types that follow the shipped code lists.

Writing a text column into the store costs far more than writing a small integer: for the five
coded columns (segment, EBOPS code, partner, currency, flow) of 10 million declarations, DuckDB
took 3.7 s as text and 1.4 s as ENUM, conversion included (measured side by side). An ENUM type
is closed, though, and the code lists are data a statistician may edit, so the types are not
fixed in a migration: before each load of declarations, `follow_codelists` widens any type that
lacks a code of the current lists (a new type, the column converted to it, the old type
dropped), in one transaction, and validation then writes each accepted code in its type.

Readers never see the types: the `current_declarations` view gives the codes back as text
(migration 4). Only the indicator engine on the store reads `ENGINE_VIEW`, the codes as stored:
Ibis takes an ENUM for text, and the suite took 6.0-6.6 s on it against 7.1-7.2 s through the
text casts (10M rows, side by side).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import duckdb

from digex.codelists import codelist_rows
from digex.sql import literal as _quoted

ENGINE_VIEW: Final = "current_declarations_coded"
"""The current declarations with their codes as stored, for the indicator engine."""


def _column(name: str, column: str) -> Callable[[], set[str]]:
    def codes() -> set[str]:
        return {row[column] for row in codelist_rows(name) if row[column]}

    return codes


CODED: Final[dict[str, Callable[[], set[str]]]] = {
    "segment": lambda: _column("segments", "code")() | _column("ebops", "segment")(),
    "ebops": _column("ebops", "ebops_code"),
    "partner": _column("countries", "code"),
    "currency": _column("currencies", "code"),
    # validation accepts X and M only; the code list names them
    "flow": lambda: _column("flows", "code")() | {"X", "M"},
}
"""Column of `declarations` -> the codes it may hold under the shipped code lists."""


def _type_prefix(column: str) -> str:
    return f"code_{column}_v"


def _latest(con: duckdb.DuckDBPyConnection, column: str) -> str | None:
    """The name of the ENUM type the column has now (None while it is still text)."""
    prefix = _type_prefix(column)
    rows = con.execute(
        "SELECT type_name FROM duckdb_types() WHERE database_name = current_database() "
        f"AND starts_with(type_name, {_quoted(prefix)})"
    ).fetchall()
    names = sorted((str(r[0]) for r in rows), key=lambda n: int(n[len(prefix) :]))
    return names[-1] if names else None


def _current(con: duckdb.DuckDBPyConnection, column: str) -> tuple[str | None, set[str]]:
    """The ENUM type the column has now (None while it is still text) and its values."""
    name = _latest(con, column)
    if name is None:
        held = con.execute(
            f"SELECT DISTINCT {column} FROM declarations WHERE {column} IS NOT NULL"
        ).fetchall()
        return None, {str(r[0]) for r in held}
    row = con.execute(f"SELECT enum_range(NULL::{name})").fetchone()
    return name, set(row[0] if row else [])


def current_types(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Column -> the name of the ENUM type it is stored in now, changing nothing (a column
    still stored as text is left out): what a load's final transaction compares."""
    return {column: name for column in CODED if (name := _latest(con, column)) is not None}


def follow_codelists(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Make every coded column of `declarations` an ENUM holding all the current codes (and
    every value already stored), and return column -> the name of its type.

    Widening a type changes how the codes are stored, not what they are, so a load runs this
    in a transaction of its own before it validates: validation then writes the codes in the
    very type they are stored in, and the insert has nothing to convert.
    """
    types = {}
    for column, required in CODED.items():
        name, held = _current(con, column)
        wanted = held | required()
        if name is not None and wanted <= held:
            types[column] = name
            continue
        version = int(name[len(_type_prefix(column)) :]) + 1 if name else 1
        new = f"{_type_prefix(column)}{version}"
        # sorted, so that ordering by the code is the same as ordering the text
        con.execute(f"CREATE TYPE {new} AS ENUM ({', '.join(map(_quoted, sorted(wanted)))})")
        con.execute(f"ALTER TABLE declarations ALTER {column} SET DATA TYPE {new}")
        if name is not None:
            con.execute(f"DROP TYPE {name}")
        types[column] = new
    return types
