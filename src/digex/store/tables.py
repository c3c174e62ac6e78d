"""The tables and views other parts of digex read from a store, by name: named here only.

The indicator engine reads three relations. In a store they are views (`current_rates` and
`current_auxiliary` pick the value in force with DuckDB's `arg_max`; the declarations are read
with their codes as stored, ENUM types); on any other backend they are plain tables of the same
names with text codes, made from the store by `digex.store.queries.portable_tables` (copied to
PostgreSQL, or written as Parquet files for Spark).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from digex.store.codes import ENGINE_VIEW

if TYPE_CHECKING:
    import duckdb

    from digex.indicators.engine import Sources


@dataclass(frozen=True)
class EngineTables:
    """The names of the engine's three inputs."""

    declarations: str
    rates: str
    auxiliary: str

    def names(self) -> tuple[str, str, str]:
        return (self.declarations, self.rates, self.auxiliary)


PORTABLE: Final = EngineTables("current_declarations", "current_rates", "current_auxiliary")
"""The engine's inputs on every backend: the store's views of these names, with text codes and
portable types, as exported and copied (`queries.portable_tables`)."""

IN_STORE: Final = EngineTables(ENGINE_VIEW, PORTABLE.rates, PORTABLE.auxiliary)
"""The engine's inputs read straight from a store (the declarations with their ENUM codes)."""


_BACKENDS: list[bool] = []
"""Holds one item once an Ibis backend has been made on a store in this process."""


def ibis_on_a_store() -> bool:
    """Whether this process ever made an Ibis backend on a store: only then can Ibis hold
    temporary tables there that it drops when their expressions are collected (see
    `digex.store.store._collect_before_closing`)."""
    return bool(_BACKENDS)


def ibis_made() -> None:
    """Note that an Ibis backend is made on a store (`ibis_on_a_store`)."""
    if not _BACKENDS:
        _BACKENDS.append(True)


def engine_sources(
    con: duckdb.DuckDBPyConnection,
    minor_units: int,
    tables: EngineTables = IN_STORE,
    *,
    deferred: bool = False,
) -> Sources:
    """The engine's inputs in a store, read through Ibis on `con` (a cursor of the store's):
    the current ones by default, or `tables` on that cursor (a release's vintage views).
    `deferred`: the engine makes the Ibis backend only if it builds an expression (a suite
    pass whose compiled SQL is known runs without Ibis)."""
    from digex.indicators.engine import Sources

    backend = None
    if not deferred:
        import ibis

        ibis_made()
        backend = ibis.duckdb.from_connection(con)
    return Sources(
        backend,
        declarations=tables.declarations,
        rates=tables.rates,
        auxiliary=tables.auxiliary,
        minor_units=minor_units,
        connection=con,
    )
