"""The store as a release saw it: the engine's three inputs rebuilt from the history.

A release records the loads in force when it was made (`release_loads`) and the newest
conversion of declarations then (`last_conversion_id`). History is append-only (a later load,
`--replace`, withdrawal or rates correction only adds rows), so the rows the release was computed
from are all still in the store, and selecting them by those ids gives the engine exactly the
inputs it read then, whatever happened since:

- the declarations of the release's loads, each with its newest conversion up to
  `last_conversion_id` (as `current_declarations_coded` reads them, `digex.store.reconvert`);
- the rates in force: for each month and currency, the rate of the newest of the release's
  loads that gives one (as `current_rates`);
- the auxiliary series likewise (as `current_auxiliary`).

They are temporary views on the caller's cursor (nothing is written to the store, and they
vanish with the cursor), named after the release, and given to the engine as its `Sources`.
A test compares them with the live views on a store whose state is the release's, so that a
change to one definition without the other is seen.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from digex.errors import UnknownRelease
from digex.sql import literal
from digex.store.releases import OBSERVATION_KEY
from digex.store.tables import EngineTables, engine_sources

if TYPE_CHECKING:
    import duckdb

    from digex.indicators.engine import Sources


@dataclass(frozen=True)
class Vintage:
    """What identifies the store's state a release was computed on."""

    release_id: str
    last_conversion_id: int | None


def state_of(con: duckdb.DuckDBPyConnection, release_id: str) -> Vintage:
    """The release's recorded state; `UnknownRelease` when there is no such release."""
    row = con.execute(
        f"SELECT last_conversion_id FROM releases WHERE release_id = {literal(release_id)}"
    ).fetchone()
    if row is None:
        raise UnknownRelease(
            f"no release {release_id!r} in this store; `digex release list` shows the releases"
        )
    return Vintage(release_id, None if row[0] is None else int(row[0]))


def table_names(release_id: str) -> EngineTables:
    """The temporary views' names for a release: a digest of its id keeps them plain SQL
    identifiers whatever the id holds, and distinct per release on one cursor."""
    tag = hashlib.sha256(release_id.encode()).hexdigest()[:12]
    return EngineTables(
        f"vintage_{tag}_declarations", f"vintage_{tag}_rates", f"vintage_{tag}_auxiliary"
    )


def _loads(rid: str) -> str:
    return f"(SELECT load_id FROM release_loads WHERE release_id = {rid})"


def _declarations(vintage: Vintage) -> str:
    rid = literal(vintage.release_id)
    columns = (
        "d.load_id, d.line, d.declaration_id, d.period, d.firm_id, d.segment, d.ebops, "
        "d.partner, d.currency, d.amount, d.flow"
    )
    if vintage.last_conversion_id is None:  # nothing had been converted again then
        return (
            f"SELECT {columns}, d.rate, d.value_minor "
            f"FROM declarations d WHERE d.load_id IN {_loads(rid)}"
        )
    return f"""SELECT {columns}, coalesce(c.rate, d.rate) AS rate,
           coalesce(c.value_minor, d.value_minor) AS value_minor
    FROM declarations d
    LEFT JOIN (
        SELECT load_id, line, arg_max(rate, conversion_id) AS rate,
               arg_max(value_minor, conversion_id) AS value_minor
        FROM reconversions WHERE conversion_id <= {vintage.last_conversion_id:d}
        GROUP BY load_id, line
    ) c ON c.load_id = d.load_id AND c.line = d.line
    WHERE d.load_id IN {_loads(rid)}"""


def _rates(vintage: Vintage) -> str:
    return (
        "SELECT period, currency, arg_max(rate, load_id) AS rate FROM rates "
        f"WHERE load_id IN {_loads(literal(vintage.release_id))} GROUP BY period, currency"
    )


def _auxiliary(vintage: Vintage) -> str:
    return (
        "SELECT series, year, segment, arg_max(value, load_id) AS value FROM auxiliary "
        f"WHERE load_id IN {_loads(literal(vintage.release_id))} GROUP BY series, year, segment"
    )


def create_views(con: duckdb.DuckDBPyConnection, release_id: str) -> EngineTables:
    """Make the release's three inputs temporary views on `con` and return their names."""
    vintage = state_of(con, release_id)
    names = table_names(release_id)
    for name, query in zip(
        names.names(), (_declarations(vintage), _rates(vintage), _auxiliary(vintage)), strict=True
    ):
        con.execute(f"CREATE OR REPLACE TEMPORARY VIEW {name} AS {query}")
    return names


def vintage_sources(con: duckdb.DuckDBPyConnection, release_id: str, minor_units: int) -> Sources:
    """The engine's inputs as the release saw them, read through Ibis on `con` (a cursor of
    the store's, e.g. a `Snapshot`'s): its views are made on that cursor."""
    return engine_sources(con, minor_units, create_views(con, release_id))


COMPARED: Final = ("value", "unit", "unit_mult", "obs_status", "completeness")
"""The fields of an observation a recomputation must give exactly (value: equal or both
missing; a DOUBLE compared as stored, bit for bit, never within a tolerance)."""
ONLY_RELEASED: Final = "only in the release"
ONLY_RECOMPUTED: Final = "only recomputed"


@dataclass(frozen=True)
class Comparison:
    counts: dict[str, int]
    """Differences by kind: a field of `COMPARED`, `ONLY_RELEASED` or `ONLY_RECOMPUTED`."""
    first: list[tuple[str | None, ...]]
    """The first differences in key order: the key's six values, the kind, and the released
    and recomputed values as text (NULL as None)."""


def compare(
    con: duckdb.DuckDBPyConnection,
    release_id: str,
    recomputed: str,
    limit: int,
) -> Comparison:
    """The differences between a release's observations and `recomputed` (a relation with
    the observation columns), see `Comparison`."""
    keys = [k.strip() for k in OBSERVATION_KEY.split(",")]
    on = " AND ".join(f"r.{k} = c.{k}" for k in keys)
    key = ", ".join(f"coalesce(r.{k}, c.{k}) AS {k}" for k in keys)
    fields = ", ".join(f"r.{f} AS r_{f}, c.{f} AS c_{f}" for f in COMPARED)
    matched = "NOT only_released AND NOT only_recomputed"
    parts = [
        f"SELECT {OBSERVATION_KEY}, {literal(ONLY_RELEASED)} AS kind, "
        "CAST(NULL AS VARCHAR) AS released, CAST(NULL AS VARCHAR) AS recomputed "
        "FROM joined WHERE only_released",
        f"SELECT {OBSERVATION_KEY}, {literal(ONLY_RECOMPUTED)}, NULL, NULL "
        "FROM joined WHERE only_recomputed",
        *(
            f"SELECT {OBSERVATION_KEY}, {literal(f)}, CAST(r_{f} AS VARCHAR), "
            f"CAST(c_{f} AS VARCHAR) FROM joined "
            f"WHERE {matched} AND r_{f} IS DISTINCT FROM c_{f}"
            for f in COMPARED
        ),
    ]
    con.execute(
        f"""CREATE OR REPLACE TEMPORARY TABLE release_differences AS
        WITH joined AS (
            SELECT {key}, c.indicator IS NULL AS only_released,
                   r.indicator IS NULL AS only_recomputed, {fields}
            FROM (SELECT * FROM release_observations
                  WHERE release_id = {literal(release_id)}) r
            FULL OUTER JOIN {recomputed} c ON {on}
        )
        {" UNION ALL ".join(parts)}"""
    )
    counts = {
        str(kind): int(n)
        for kind, n in con.execute(
            "SELECT kind, count(*) FROM release_differences GROUP BY kind ORDER BY kind"
        ).fetchall()
    }
    first = con.execute(
        f"SELECT * FROM release_differences ORDER BY {OBSERVATION_KEY}, kind LIMIT {limit:d}"
    ).fetchall()
    con.execute("DROP TABLE release_differences")
    return Comparison(
        counts,
        [tuple(None if v is None else str(v) for v in row) for row in first],
    )
