"""Disclosure control in the store: the public view of a release, its pattern (`release_cells`),
the gate's runs (`release_gates`) and the overrides (`disclosure_overrides`).

The store keeps every value a release computed, true ones included: what may be shown is
said by each observation's internal `conf_status`. Every public read goes through
`observations_view(confidential=False)`, which blanks the value of every suppressed row and
shows one mark for all of them (`PUBLIC_MARK`), so that no reader learns which rule fired,
nor that a cell was small rather than derivable. A release is served publicly only when its
latest gate run passed (`served`): one made before disclosure control, or whose gate failed,
is internal.

This module imports nothing heavy (the CLI's fast paths read through it).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from digex.errors import NotPublished
from digex.sql import literal

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

FREE: Final = "F"
"""CONF_STATUS of a free row (the same as `digex.disclosure.problem.FREE`; a test checks)."""
PUBLIC_MARK: Final = "C"
"""The one CONF_STATUS public outputs show for a suppressed row, whatever the reason."""
PUBLIC_HASH: Final = "public.sha256"
"""The input holding the hash of a release's public view, recorded when it was made: what
its snapshot file must give (the view cannot hold its own hash)."""
INTERNAL_INPUTS: Final = ("disclosure.json", "overrides.json", PUBLIC_HASH)
"""Inputs frozen with a release that are not part of its public view: the disclosure
parameters (offices keep the thresholds secret), the overrides in force when it was made,
and the public view's own hash. Never in a snapshot file nor in a public listing."""
LABEL_COLUMNS: Final = ("flow", "freq", "period", "cut", "member", "measure")
"""`digex.disclosure.problem.LABEL_KEY`, spelt here so that reads need no NumPy."""
CELL_COLUMNS: Final = (
    *LABEL_COLUMNS,
    "cell",
    "value",
    "contributors",
    "x1",
    "x2",
    "rule",
    "upl",
    "lpl",
    "conf_status",
    "origin",
)
"""The columns of `release_cells` after `release_id` (`protect.Protection.cells`)."""
ACTIONS: Final = ("suppress", "publish")

_TIDY: Final = (
    "indicator, freq, period, cut, member, flow, {value} AS value, unit, unit_mult, obs_status, "
    "completeness, {conf} AS conf_status"
)
PUBLIC_VALUE: Final = "CASE WHEN conf_status IS NULL OR conf_status = 'F' THEN value END"
PUBLIC_STATUS: Final = (
    "CASE WHEN conf_status IS NULL THEN NULL WHEN conf_status = 'F' THEN 'F' ELSE 'C' END"
)


def observations_view(*, confidential: bool = False, conf: str = "conf_status") -> str:
    """`release_observations` as a reader may see it, a parenthesised SELECT with
    `release_id`, the tidy columns and `conf_status`. Public: a suppressed row's value is
    NULL and its status `PUBLIC_MARK`; confidential: the stored values and internal codes.
    `conf` is the stored column (``NULL`` for a snapshot made before the column existed)."""
    if confidential:
        columns = _TIDY.format(value="value", conf=conf)
    else:
        public = (
            PUBLIC_VALUE.replace("conf_status", conf),
            PUBLIC_STATUS.replace("conf_status", conf),
        )
        columns = _TIDY.format(value=public[0], conf=public[1])
    return f"(SELECT release_id, {columns} FROM release_observations)"


def inputs_view() -> str:
    """`release_inputs` without the internal ones (`INTERNAL_INPUTS`)."""
    internal = literal(list(INTERNAL_INPUTS))
    return f"(SELECT * FROM release_inputs WHERE NOT list_contains({internal}, name))"


def has_column(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    """Whether `table` exists on `con` with `column` (a snapshot file or a store written by an
    older digex may lack either)."""
    row = con.execute(
        "SELECT count(*) FROM duckdb_columns() WHERE table_name = "
        f"{literal(table)} AND column_name = {literal(column)}"
    ).fetchone()
    return bool(row and row[0])


# -- the gate's runs --------------------------------------------------------------------------
LATEST_GATE: Final = """(SELECT * FROM release_gates
    QUALIFY row_number() OVER (PARTITION BY release_id ORDER BY audited_at DESC, passed) = 1)"""
"""Each release's latest gate run (two at the same instant: the failed one wins)."""
SERVED: Final = f"(SELECT release_id FROM {LATEST_GATE} WHERE passed)"
"""The releases that may be served publicly: their latest gate run passed."""


@dataclass(frozen=True)
class Gate:
    """One run of the release gate as stored."""

    release_id: str
    audited_at: dt.datetime
    audited_by: str
    passed: bool
    cells: int
    suppressed: int
    lps: int
    seconds: float
    summary: dict[str, int]
    report: list[dict[str, object]]


def record_gate(
    con: duckdb.DuckDBPyConnection,
    release_id: str,
    *,
    at: dt.datetime,
    by: str,
    passed: bool,
    summary: Mapping[str, int],
    report: list[dict[str, object]],
    lps: int,
    seconds: float,
) -> None:
    """Append a gate run (in the caller's transaction). `summary` is the public one (counts
    only), `report` the internal failures."""
    row = ", ".join(
        [
            literal(release_id),
            literal(at),
            literal(by),
            "true" if passed else "false",
            literal(int(summary.get("cells", 0))),
            literal(int(summary.get("suppressed", 0))),
            literal(int(lps)),
            literal(float(seconds)),
            literal(json.dumps(dict(summary), sort_keys=True)),
            literal(json.dumps(report, sort_keys=True, default=_plain)),
        ]
    )
    con.execute(f"INSERT INTO release_gates VALUES ({row})")


def _plain(value: object) -> object:
    """A NumPy scalar or an infinity as JSON can hold it."""
    item = getattr(value, "item", None)
    if callable(item):
        value = item()
    if isinstance(value, float) and value != value:
        return None
    return value if isinstance(value, int | float | str | bool) else str(value)


def gates(con: duckdb.DuckDBPyConnection, release_id: str) -> list[Gate]:
    """Every gate run of a release, oldest first."""
    rows = con.execute(
        "SELECT release_id, audited_at, audited_by, passed, cells, suppressed, lps, seconds, "
        f"summary, report FROM release_gates WHERE release_id = {literal(release_id)} "
        "ORDER BY audited_at, passed DESC"
    ).fetchall()
    return [
        Gate(
            str(r[0]),
            r[1],
            str(r[2]),
            bool(r[3]),
            int(r[4]),
            int(r[5]),
            int(r[6]),
            float(r[7]),
            json.loads(r[8]),
            json.loads(r[9]),
        )
        for r in rows
    ]


def require_served(con: duckdb.DuckDBPyConnection, release_id: str) -> None:
    """`NotPublished` unless the release's latest gate run passed, saying why."""
    found = gates(con, release_id)
    if not found:
        raise NotPublished(
            f"release {release_id} was made before disclosure control (no release gate was "
            "run on it): it is never served publicly; make a new release of its period, or "
            "read its stored values for internal use with `confidential`"
        ).naming("confidential", release=release_id)
    latest = found[-1]
    if not latest.passed:
        raise NotPublished(
            f"release {release_id} failed its release gate ({latest.audited_at:%Y-%m-%d %H:%M} "
            f"UTC): it cannot be published or served; `digex disclosure audit {release_id}` "
            "shows the failing cells (internal use only)"
        ).naming("confidential", release=release_id)


# -- the pattern --------------------------------------------------------------------------------
_CELL_TYPES: Final = (
    *(["VARCHAR"] * len(LABEL_COLUMNS)),
    "INTEGER",  # cell
    "DOUBLE",  # value
    "INTEGER",  # contributors
    "DOUBLE",  # x1
    "DOUBLE",  # x2
    "VARCHAR",  # rule
    "DOUBLE",  # upl
    "DOUBLE",  # lpl
    "VARCHAR",  # conf_status
    "VARCHAR",  # origin
)


def insert_cells(con: duckdb.DuckDBPyConnection, release_id: str, cells: str) -> int:
    """Write a release's pattern from the relation `cells` (columns `CELL_COLUMNS`, in the
    caller's transaction); returns the rows written."""
    typed = ", ".join(f"CAST({c} AS {t})" for c, t in zip(CELL_COLUMNS, _CELL_TYPES, strict=True))
    con.execute(f"INSERT INTO release_cells SELECT {literal(release_id)}, {typed} FROM {cells}")
    row = con.execute(
        f"SELECT count(*) FROM release_cells WHERE release_id = {literal(release_id)}"
    ).fetchone()
    return int(row[0]) if row else 0


def cells(
    con: duckdb.DuckDBPyConnection, release_id: str, *, suppressed_only: bool = False
) -> pa.Table:
    """A release's pattern (internal), by label."""
    where = f"release_id = {literal(release_id)}"
    if suppressed_only:
        where += " AND conf_status <> 'F'"
    return con.execute(
        f"SELECT {', '.join(CELL_COLUMNS)} FROM release_cells WHERE {where} "
        f"ORDER BY {', '.join(LABEL_COLUMNS)}"
    ).to_arrow_table()


def earlier_labels(con: duckdb.DuckDBPyConnection, before: dt.datetime | None = None) -> pa.Table:
    """The labels every release made before `before` (all, for None) carried, with their
    CONF_STATUS: what a new release must keep (published stays published, suppressed stays
    suppressed). One row per release and label."""
    when = "" if before is None else f"WHERE r.created_at < {literal(before)}"
    return con.execute(
        f"SELECT c.release_id, {', '.join('c.' + k for k in LABEL_COLUMNS)}, c.conf_status "
        "FROM release_cells c JOIN releases r USING (release_id) "
        f"{when} ORDER BY r.created_at, c.release_id"
    ).to_arrow_table()


# -- overrides --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Override:
    flow: str
    freq: str
    period: str
    cut: str
    member: str
    measure: str
    action: str
    reason: str


def add_override(
    con: duckdb.DuckDBPyConnection, override: Override, *, at: dt.datetime, by: str
) -> int:
    """Record an override (in the caller's transaction); returns its id."""
    row = con.execute(
        "SELECT coalesce(max(override_id), 0) + 1 FROM disclosure_overrides"
    ).fetchone()
    number = int(row[0]) if row else 1
    o = override
    values = ", ".join(
        literal(v) for v in (number, at, by, o.flow, o.freq, o.period, o.cut, o.member, o.measure)
    )
    con.execute(
        f"INSERT INTO disclosure_overrides VALUES ({values}, {literal(o.action)}, "
        f"{literal(o.reason)})"
    )
    return number


def overrides(con: duckdb.DuckDBPyConnection, before: dt.datetime | None = None) -> pa.Table:
    """The overrides made (before `before`, for None all), oldest first: the later of two on
    one label is the one in force (the reader keeps the last)."""
    when = "" if before is None else f"WHERE made_at < {literal(before)}"
    return con.execute(
        f"SELECT * FROM disclosure_overrides {when} ORDER BY override_id"
    ).to_arrow_table()


# -- verification -------------------------------------------------------------------------------
STATUS_DIFFERS: Final = "conf_status"
"""The kind of difference `status_differences` counts (beside `vintage.COMPARED`'s)."""


def status_differences(
    con: duckdb.DuckDBPyConnection, release_id: str, recomputed: str, limit: int
) -> tuple[int, list[tuple[str | None, ...]]]:
    """The observations whose stored CONF_STATUS differs from the one `recomputed` (a
    relation with the observation key and `conf_status`) gives: how many, and the first
    `limit` in key order as (key's six values, kind, released, recomputed). Keys only one
    side holds are `vintage.compare`'s to report."""
    key = ("indicator", "freq", "period", "cut", "member", "flow")
    on = " AND ".join(f"r.{k} = c.{k}" for k in key)
    picked = ", ".join(f"r.{k}" for k in key)
    differing = (
        f"FROM (SELECT * FROM release_observations WHERE release_id = {literal(release_id)}) r "
        f"JOIN {recomputed} c ON {on} WHERE r.conf_status IS DISTINCT FROM c.conf_status"
    )
    row = con.execute(f"SELECT count(*) {differing}").fetchone()
    first = con.execute(
        f"SELECT {picked}, {literal(STATUS_DIFFERS)}, r.conf_status, c.conf_status {differing} "
        f"ORDER BY {picked} LIMIT {limit:d}"
    ).fetchall()
    return (int(row[0]) if row else 0), [
        tuple(None if v is None else str(v) for v in r) for r in first
    ]


def pattern_state(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """What a new release's pattern must keep to, as a state to compare: the number of
    releases (their cells are frozen or sticky) and the newest override."""
    row = con.execute(
        "SELECT (SELECT count(*) FROM releases), "
        "(SELECT coalesce(max(override_id), 0) FROM disclosure_overrides)"
    ).fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def releases_with_service(con: duckdb.DuckDBPyConnection) -> list[tuple[Any, ...]]:
    """Every release, oldest first: id, period, freq, vintage, status, created and published
    times, note, and whether it may be served (its latest gate run passed), as the web
    service's index records them."""
    return con.execute(
        "SELECT release_id, period, freq, vintage, status, created_at, published_at, note, "
        f"release_id IN {SERVED} AS served FROM releases "
        "ORDER BY created_at, release_id"
    ).fetchall()
