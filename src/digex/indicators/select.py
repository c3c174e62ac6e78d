"""Choosing flows, indicators, the unit multiplier and the largest members from a tidy table.

The narrowing is one DuckDB query over any relation with the tidy columns: the indicator
cache in the store, or a table just computed. Answering from the cache then needs neither Ibis
nor pandas (each costs close to a second of import), and a cached answer goes through the very
same narrowing as a freshly computed one, so the two cannot drift apart.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from digex.errors import UnknownIndicator as UnknownIndicator
from digex.profile import CountryProfile
from digex.sql import literal

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

T = TypeVar("T")
Fetch = Callable[[Any], T]
"""Turns the DuckDB connection holding the narrowed result into what the caller wants
(plain rows for printing, a pandas frame for the Python API)."""

ALWAYS = ("N", "_Z")
"""Flows shown whatever flow is asked for: net balance (N) and flow-less series such as jobs."""

_names = itertools.count()


@dataclass(frozen=True)
class Selection:
    """What a query keeps of a tidy table, checked before anything is read or computed."""

    flows: tuple[str, ...]
    money: tuple[str, ...]
    """Units the unit multiplier rescales (the registry's money units, see `of`); required:
    an empty default rescaled nothing, silently."""
    indicators: tuple[str, ...] = ()
    unit_mult: int = 0
    top: int | None = None

    @classmethod
    def of(
        cls,
        profile: CountryProfile,
        *,
        flow: str | Sequence[str] = "X",
        indicators: Sequence[str] | None = None,
        unit_mult: int = 0,
        top: int | None = None,
    ) -> Selection:
        from digex.indicators.options import check_selection
        from digex.indicators.registry import registry

        check_selection(indicators, unit_mult, top)
        flows = [flow] if isinstance(flow, str) else list(flow)
        return cls(
            flows=(*flows, *ALWAYS),
            indicators=tuple(indicators or ()),
            unit_mult=unit_mult,
            money=registry().money_units(profile.national_currency),
            top=top,
        )

    def sql(self, source: str, carry: Sequence[str] = ()) -> str:
        """The query over `source`, a table name or a parenthesised SELECT; `carry` names
        columns of `source` kept after the tidy ones (a release's rows carry `release_id`).

        `top=N` keeps, for each cut, flow and period, the N members with the largest level (e.g.
        the five main partner countries) with all their indicators, the largest first; equal
        levels are ordered by member code, so the choice never depends on storage order.
        """
        value, unit_mult = "value", "unit_mult"
        if self.unit_mult:
            money = literal(list(self.money))
            scale = literal(float(10**self.unit_mult))
            value = f"CASE WHEN list_contains({money}, unit) THEN value / {scale} ELSE value END"
            unit_mult = (
                f"CASE WHEN list_contains({money}, unit) THEN {self.unit_mult:d} ELSE unit_mult END"
            )
        chosen, order = "", "cut, indicator, flow, member, freq, period"
        if self.top is not None:
            chosen = f"""JOIN (
                SELECT cut, flow, freq, period, member, row_number() OVER (
                    PARTITION BY cut, flow, freq, period ORDER BY value DESC, member
                ) AS rank
                FROM {source} WHERE indicator = 'LEVEL' AND NOT isnan(value)
                QUALIFY rank <= {self.top:d}
            ) USING (cut, flow, freq, period, member)"""
            order = "cut, indicator, flow, freq, period, rank"
        where = f"list_contains({literal(list(self.flows))}, flow)"
        kept = "".join(f", {column}" for column in carry)
        if self.indicators:
            where += f" AND list_contains({literal(list(self.indicators))}, indicator)"
        return f"""SELECT indicator, freq, period, cut, member, flow, {value} AS value, unit,
                CAST({unit_mult} AS BIGINT) AS unit_mult, obs_status, completeness{kept}
            FROM {source} {chosen}
            WHERE {where}
            ORDER BY {order}"""


def statement(selection: Selection, fetch: Fetch[Any]) -> Callable[[str], str]:
    """The statement that narrows a source for `fetch`: the selection's query, or, for a
    `ParquetFile`, that query copied to the file by the engine."""
    if isinstance(fetch, ParquetFile):
        return lambda source: fetch.copy(selection.sql(source))
    return selection.sql


def narrow(con: Any, source: str, selection: Selection, fetch: Fetch[T]) -> T:
    """Run the selection over `source` (a table name or a parenthesised SELECT) on `con`."""
    con.execute(statement(selection, fetch)(source))
    return fetch(con)


def narrow_frame(con: Any, frame: pd.DataFrame, selection: Selection, fetch: Fetch[T]) -> T:
    """The selection over a computed pandas table, through the same query as the cache."""
    name = f"digex_tidy_{next(_names)}"
    con.register(name, frame)
    try:
        return narrow(con, name, selection, fetch)
    finally:
        con.unregister(name)


def to_frame(con: Any) -> pd.DataFrame:
    """The narrowed result as the Python API returns it (text as pandas strings, int64)."""
    frame: pd.DataFrame = con.df()
    return frame


def to_arrow(con: Any) -> pa.Table:
    """The narrowed result as a PyArrow table: the rows and values of `to_frame` (text as
    Arrow `string`, numbers of the same types)."""
    table: pa.Table = con.to_arrow_table()
    return table


@dataclass(frozen=True)
class ParquetFile:
    """A fetch that has the engine write the narrowed rows to a Parquet file (`COPY ... TO`)
    and returns how many it wrote.

    The file holds what `pyarrow.parquet.write_table` of `to_arrow`'s table holds: the same
    columns and types, and the `digex.source` schema metadata (a test compares the two files);
    written this way, a cached answer asked as Parquet imports no PyArrow (0.1-0.2 s of the
    process's half-second)."""

    path: Path
    source: str = "live"
    """What `digex.source` says: live figures (the only ones written this way so far)."""

    def copy(self, query: str) -> str:
        metadata = f"{{'digex.source': {literal(self.source)}}}"
        return (
            f"COPY ({query}) TO {literal(str(self.path))} (FORMAT parquet, KV_METADATA {metadata})"
        )

    def __call__(self, con: Any) -> int:
        return int(con.fetchone()[0])


def select(
    frame: pd.DataFrame,
    profile: CountryProfile,
    *,
    flow: str | Sequence[str] = "X",
    indicators: Sequence[str] | None = None,
    unit_mult: int = 0,
    top: int | None = None,
) -> pd.DataFrame:
    """Narrow a computed table (e.g. from another engine) as a cached answer is narrowed."""
    from digex.store import offline

    selection = Selection.of(
        profile, flow=flow, indicators=indicators, unit_mult=unit_mult, top=top
    )
    with offline.connect() as con:
        return narrow_frame(con, frame, selection, to_frame)
