"""The release tables (`releases`, `release_loads`, `release_inputs`, `release_observations`):
every statement on them is here.

A release is written once, in one transaction, and never changed: this module has no UPDATE or
DELETE on these tables, and a test keeps it so. Its `content_hash` is a sha256 over every row
of the release in a canonical order and text form, computed by DuckDB itself, so that the same
statement checks a release in the store and in its snapshot file (the same four tables holding
that one release).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from digex.sql import literal
from digex.store import disclosure

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

RELEASE_COLUMNS: Final = (
    "release_id, period, freq, vintage, status, note, created_at, created_by, published_at, "
    "digex_version, profile, profile_version, profile_sha256, codelists_version, last_load_id, "
    "last_conversion_id, observations"
)
"""The columns of `releases` before its `content_hash`, in the table's order."""
TABLES: Final = (
    "releases",
    "release_loads",
    "release_inputs",
    "release_observations",
    "release_estimates",
)
OBSERVATION_COLUMNS: Final = (
    "indicator, freq, period, cut, member, flow, value, unit, unit_mult, obs_status, completeness"
)
STORED_COLUMNS: Final = OBSERVATION_COLUMNS + ", conf_status"
"""The observation columns a release stores: the tidy ones and the internal CONF_STATUS."""
OBSERVATION_KEY: Final = "indicator, freq, period, cut, member, flow"
ESTIMATE_COLUMNS: Final = (
    "indicator, freq, period, cut, member, flow, value, lower_80, upper_80, lower_95, "
    "upper_95, unit, unit_mult, obs_status, adjustment, method"
)
"""The columns of `release_estimates` after `release_id` (schema 8)."""
"""What identifies an observation within a release (and, across releases, its vintages)."""


@dataclass(frozen=True)
class Release:
    """The `releases` row, without its content hash and count (computed when it is written)."""

    release_id: str
    period: str
    freq: str
    vintage: int
    status: str
    note: str | None
    created_at: dt.datetime
    created_by: str
    published_at: dt.datetime
    digex_version: str
    profile: str
    profile_version: str
    profile_sha256: str
    codelists_version: str
    last_load_id: int | None
    last_conversion_id: int | None


def _opt(value: str | int | dt.datetime | None) -> str:
    return "NULL" if value is None else literal(value)


def next_vintage(con: duckdb.DuckDBPyConnection, period: str) -> int:
    """The vintage number a new release of `period` takes (1 for the first)."""
    row = con.execute(
        f"SELECT coalesce(max(vintage), 0) + 1 FROM releases WHERE period = {literal(period)}"
    ).fetchone()
    return int(row[0]) if row else 1


def insert(
    con: duckdb.DuckDBPyConnection,
    release: Release,
    inputs: Mapping[str, str],
    observations: str,
    cells: str | None = None,
    estimates: str | None = None,
) -> str:
    """Write `release` whole, inside the caller's transaction; returns its content hash.

    `observations` names a relation the connection can read (a registered Arrow table, a temp
    table) with the columns `OBSERVATION_COLUMNS` and `conf_status` (the internal CONF_STATUS;
    a relation without it writes NULL, as releases made before disclosure control hold);
    `cells` the release's suppression pattern (`disclosure.CELL_COLUMNS`), hashed with it.
    The loads recorded are the loads in force now (`active_loads`): the caller writes the
    release in the same transaction as it reads the store's state, so that both agree.
    `estimates` names a relation with `ESTIMATE_COLUMNS` (the release's frozen estimates,
    hashed with it; None: none)."""
    r = release
    rid = literal(r.release_id)
    con.execute(
        "INSERT INTO release_loads SELECT "
        f"{rid}, load_id, kind, file_name, content_hash, rows_accepted, rows_rejected "
        "FROM active_loads"
    )
    for name in sorted(inputs):
        con.execute(
            f"INSERT INTO release_inputs VALUES ({rid}, {literal(name)}, {literal(inputs[name])})"
        )
    given = {
        str(row[0]) for row in con.execute(f"DESCRIBE SELECT * FROM {observations}").fetchall()
    }
    conf = "conf_status" if "conf_status" in given else "CAST(NULL AS VARCHAR)"
    con.execute(
        f"INSERT INTO release_observations SELECT {rid}, {OBSERVATION_COLUMNS}, {conf} "
        f"FROM {observations}"
    )
    if estimates is not None:
        con.execute(
            f"INSERT INTO release_estimates SELECT {rid}, {ESTIMATE_COLUMNS} FROM {estimates}"
        )
    count = con.execute(
        f"SELECT count(*) FROM release_observations WHERE release_id = {rid}"
    ).fetchone()
    values = ", ".join(
        [
            rid,
            literal(r.period),
            literal(r.freq),
            literal(r.vintage),
            literal(r.status),
            _opt(r.note),
            literal(r.created_at),
            literal(r.created_by),
            literal(r.published_at),
            literal(r.digex_version),
            literal(r.profile),
            literal(r.profile_version),
            literal(r.profile_sha256),
            literal(r.codelists_version),
            _opt(r.last_load_id),
            _opt(r.last_conversion_id),
            f"CAST({int(count[0]) if count else 0:d} AS BIGINT)",
        ]
    )
    # the hash is computed over the `releases` row before it is written, so that the row is
    # written once, whole: nothing in digex ever updates a release
    head = f"(SELECT * FROM (VALUES ({values})) AS r({RELEASE_COLUMNS}))"
    if cells is not None:
        # under disclosure control: the hash of the public view (what the snapshot file holds
        # and gives) is recorded first, as an internal input the content hash then covers
        public = _hash(con, r.release_id, dataclasses.replace(_Relations.public(), releases=head))
        con.execute(
            f"INSERT INTO release_inputs VALUES ({rid}, {literal(disclosure.PUBLIC_HASH)}, "
            f"{literal(public)})"
        )
        disclosure.insert_cells(con, r.release_id, cells)
    digest = _hash(con, r.release_id, _Relations.stored(head))
    # the typed VALUES row reads as the stored row does (tests check the two hashes agree)
    con.execute(f"INSERT INTO releases VALUES ({values}, {literal(digest)})")
    return digest


_ROWS: Final = """
SELECT concat_ws(chr(10),
  (SELECT concat_ws('|', release_id, period, freq, vintage, status, coalesce(note, '\\N'),
                    created_at, created_by, published_at, digex_version, profile,
                    profile_version, profile_sha256, codelists_version,
                    coalesce(CAST(last_load_id AS VARCHAR), '\\N'),
                    coalesce(CAST(last_conversion_id AS VARCHAR), '\\N'), observations)
   FROM {releases} WHERE release_id = {rid}),
  (SELECT coalesce(string_agg(concat_ws('|', load_id, kind, file_name, content_hash,
                                        rows_accepted, rows_rejected), chr(10)
                              ORDER BY load_id), '')
   FROM release_loads WHERE release_id = {rid}),
  (SELECT coalesce(string_agg(concat_ws('|', name, sha256(content)), chr(10) ORDER BY name), '')
   FROM {inputs} WHERE release_id = {rid}),
  (SELECT coalesce(string_agg(concat_ws('|', indicator, freq, period, cut, member, flow,
                                        coalesce(CAST(value AS VARCHAR), '\\N'), unit,
                                        unit_mult, obs_status, completeness, conf_status),
                              chr(10)
                              ORDER BY indicator, freq, period, cut, member, flow), '')
   FROM {observations} WHERE release_id = {rid}),
  {cells},
  {estimates})
"""
_CELLS: Final = """(SELECT string_agg(concat_ws('|', {columns}), chr(10) ORDER BY {key})
   FROM release_cells WHERE release_id = {rid})"""
"""The pattern's part of the hash: NULL (skipped by concat_ws) for a release without one, so
that a release made before disclosure control hashes as it did (its `conf_status` NULL is
skipped too)."""
_ESTIMATES: Final = """(SELECT string_agg(concat_ws('|', indicator, freq, period, cut, member, flow,
                                   {values}, unit, unit_mult, obs_status, adjustment, method),
                         chr(10) ORDER BY indicator, freq, period, cut, member, flow)
   FROM release_estimates WHERE release_id = {rid})"""
"""The estimates' part of the hash: NULL (skipped by concat_ws) for a release without any,
so that a release made before schema 8 hashes as it did."""
_NUMBERS: Final = ("value", "lower_80", "upper_80", "lower_95", "upper_95")


@dataclass(frozen=True)
class _Relations:
    """What `_ROWS` reads a release from: the stored rows, or the public view of them."""

    releases: str
    inputs: str
    observations: str
    cells: bool

    @classmethod
    def stored(cls, releases: str = "releases", conf: str = "conf_status") -> _Relations:
        return cls(
            releases,
            "release_inputs",
            disclosure.observations_view(confidential=True, conf=conf),
            True,
        )

    @classmethod
    def public(cls, conf: str = "conf_status") -> _Relations:
        return cls(
            "releases", disclosure.inputs_view(), disclosure.observations_view(conf=conf), False
        )


def content_hash(con: duckdb.DuckDBPyConnection, release_id: str) -> str:
    """The sha256 of the release's rows as they are now (compare with the stored
    `content_hash` to see whether they were changed). Text is joined with `|` and newlines;
    a missing value is written `\\N`; a DOUBLE in DuckDB's shortest round-trip form. The
    observations' `conf_status` and the pattern (`release_cells`) are joined when there are
    any: a snapshot file (the public view, no pattern) and a release made before disclosure
    control give the hash they always gave."""
    conf = (
        "conf_status"
        if disclosure.has_column(con, "release_observations", "conf_status")
        else "NULL"
    )
    cells = disclosure.has_column(con, "release_cells", "release_id")
    return _hash(con, release_id, dataclasses.replace(_Relations.stored(conf=conf), cells=cells))


def public_hash(con: duckdb.DuckDBPyConnection, release_id: str) -> str:
    """The sha256 of the release's public view as its rows are now (`rows`): what its
    snapshot file holds and gives with `content_hash`."""
    return _hash(con, release_id, _Relations.public())


def recorded_public_hash(con: duckdb.DuckDBPyConnection, release_id: str) -> str | None:
    """The public view's hash recorded when the release was made (`disclosure.PUBLIC_HASH`);
    for a release made before disclosure control, its content hash (the two are the same:
    it has nothing to hide). None when there is no such release."""
    row = con.execute(
        "SELECT coalesce((SELECT content FROM release_inputs WHERE release_id = "
        f"{literal(release_id)} AND name = {literal(disclosure.PUBLIC_HASH)}), "
        f"(SELECT content_hash FROM releases WHERE release_id = {literal(release_id)}))"
    ).fetchone()
    return None if row is None or row[0] is None else str(row[0])


def _hash(con: duckdb.DuckDBPyConnection, release_id: str, read: _Relations) -> str:
    """The hash of a release read from the relations `read` names."""
    rid = literal(release_id)
    cells = (
        _CELLS.format(
            columns=", ".join(disclosure.CELL_COLUMNS),
            key=", ".join(disclosure.LABEL_COLUMNS),
            rid=rid,
        )
        if read.cells
        else "NULL"
    )
    estimates = (
        _ESTIMATES.format(
            values=", ".join(f"coalesce(CAST({c} AS VARCHAR), '\\N')" for c in _NUMBERS),
            rid=rid,
        )
        if disclosure.has_column(con, "release_estimates", "release_id")
        else "NULL"
    )
    rows = _ROWS.format(
        rid=rid,
        releases=read.releases,
        inputs=read.inputs,
        observations=read.observations,
        cells=cells,
        estimates=estimates,
    )
    row = con.execute(f"SELECT sha256(({rows}))").fetchone()
    return str(row[0]) if row else ""


def stored_hash(con: duckdb.DuckDBPyConnection, release_id: str) -> str | None:
    """The hash written when the release was made (None when there is no such release)."""
    row = con.execute(
        f"SELECT content_hash FROM releases WHERE release_id = {literal(release_id)}"
    ).fetchone()
    return None if row is None else str(row[0])


def listing(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """Every release, oldest first (by creation), with all of its `releases` columns."""
    return con.execute("SELECT * FROM releases ORDER BY created_at, release_id").to_arrow_table()


def observations(con: duckdb.DuckDBPyConnection, release_id: str) -> pa.Table:
    """A release's observations in key order."""
    return con.execute(
        f"SELECT {OBSERVATION_COLUMNS} FROM release_observations "
        f"WHERE release_id = {literal(release_id)} ORDER BY {OBSERVATION_KEY}"
    ).to_arrow_table()


def stored_observations(con: duckdb.DuckDBPyConnection, release_id: str) -> pa.Table:
    """A release's observations with their CONF_STATUS, in key order (a snapshot's rows are
    the public view: a withheld value is NULL there)."""
    return con.execute(
        f"SELECT {STORED_COLUMNS} FROM release_observations "
        f"WHERE release_id = {literal(release_id)} ORDER BY {OBSERVATION_KEY}"
    ).to_arrow_table()


def inputs(con: duckdb.DuckDBPyConnection, release_id: str) -> dict[str, str]:
    """The copies of a release's inputs, by name."""
    rows = con.execute(
        f"SELECT name, content FROM release_inputs WHERE release_id = {literal(release_id)} "
        "ORDER BY name"
    ).fetchall()
    return {str(name): str(content) for name, content in rows}


def loads(con: duckdb.DuckDBPyConnection, release_id: str) -> pa.Table:
    """The loads a release was computed from, by load id."""
    return con.execute(
        "SELECT load_id, kind, file_name, content_hash, rows_accepted, rows_rejected "
        f"FROM release_loads WHERE release_id = {literal(release_id)} ORDER BY load_id"
    ).to_arrow_table()


def state(con: duckdb.DuckDBPyConnection) -> tuple[int | None, int | None]:
    """The store's state a release is computed on: its newest load id and newest conversion
    id (None for none), from which the state can be rebuilt (history is append-only)."""
    row = con.execute(
        "SELECT (SELECT max(load_id) FROM loads), (SELECT max(conversion_id) FROM conversions)"
    ).fetchone()
    if row is None:
        return None, None
    return (
        None if row[0] is None else int(row[0]),
        None if row[1] is None else int(row[1]),
    )


def of_period(con: duckdb.DuckDBPyConnection, period: str) -> list[tuple[str, int, str]]:
    """The releases of `period` (id, vintage, status), oldest vintage first."""
    rows = con.execute(
        "SELECT release_id, vintage, status FROM releases "
        f"WHERE period = {literal(period)} ORDER BY vintage"
    ).fetchall()
    return [(str(rid), int(vintage), str(status)) for rid, vintage, status in rows]


def same_loads(con: duckdb.DuckDBPyConnection, release_id: str) -> bool:
    """Whether the loads in force now are exactly those `release_id` was computed from (the
    same ids and file hashes): a new release would then show the same figures."""
    rid = literal(release_id)
    row = con.execute(
        "SELECT count(*) FROM ("
        "(SELECT load_id, content_hash FROM active_loads "
        f"EXCEPT SELECT load_id, content_hash FROM release_loads WHERE release_id = {rid}) "
        "UNION ALL "
        f"(SELECT load_id, content_hash FROM release_loads WHERE release_id = {rid} "
        "EXCEPT SELECT load_id, content_hash FROM active_loads))"
    ).fetchone()
    return row is not None and int(row[0]) == 0


def ddl() -> str:
    """The statements that create the four release tables as the store's migrations leave
    them (a snapshot file holds the same tables, so the same `content_hash` reads it): schema
    6's tables, schema 7's `conf_status` column and schema 8's `release_estimates`."""
    from digex.store.migrations import MIGRATIONS

    # the comments go first (one holds a semicolon); the DDL of these tables holds no text
    def statements(migration: str) -> list[str]:
        code = "\n".join(line.split("--")[0].rstrip() for line in migration.splitlines())
        return [s.strip() for s in code.split(";") if s.strip()]

    made = [
        statement
        for statement in statements(MIGRATIONS[5])
        for name in TABLES
        if statement.startswith(f"CREATE TABLE {name} (")
    ]
    made += [s for s in statements(MIGRATIONS[6]) if s.startswith("ALTER TABLE release_")]
    made += [
        s for s in statements(MIGRATIONS[7]) if s.startswith("CREATE TABLE release_estimates (")
    ]
    if len(made) != len(TABLES) + 1:
        raise AssertionError("the release tables' DDL was not found in schemas 6 to 8")
    return ";\n".join(made) + ";"


def rows(con: duckdb.DuckDBPyConnection, release_id: str) -> dict[str, pa.Table]:
    """A release's public rows in each of the four tables, by table (what its snapshot
    holds): the public view of its observations, its inputs without the internal ones, and
    its `releases` row with the public view's hash (`public_hash`), which the file gives."""
    rid = literal(release_id)
    public = recorded_public_hash(con, release_id) or public_hash(con, release_id)
    view = disclosure.observations_view()
    sources = {
        "releases": f"(SELECT * REPLACE ({literal(public)} AS content_hash) FROM releases)",
        "release_loads": "release_loads",
        "release_inputs": disclosure.inputs_view(),
        "release_observations": view,
        "release_estimates": "release_estimates",
    }
    return {
        name: con.execute(
            f"SELECT * FROM {sources[name]} WHERE release_id = {rid}"
        ).to_arrow_table()
        for name in TABLES
    }


def write_copy(target: duckdb.DuckDBPyConnection, tables: Mapping[str, pa.Table]) -> None:
    """Create the release tables on `target` (a new, empty database) and fill them with
    `tables` (from `rows`), in one transaction."""
    target.execute("BEGIN TRANSACTION")
    target.execute(ddl())
    for name in TABLES:
        target.register("release_rows", tables[name])
        target.execute(f"INSERT INTO {name} SELECT * FROM release_rows")
        target.unregister("release_rows")
    target.execute("COMMIT")


def metadata(con: duckdb.DuckDBPyConnection, release_id: str) -> dict[str, object] | None:
    """The `releases` row of `release_id` as a dict (None when there is no such release)."""
    table = con.execute(
        f"SELECT * FROM releases WHERE release_id = {literal(release_id)}"
    ).to_arrow_table()
    found = table.to_pylist()
    return found[0] if found else None


def ids(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every release id, by creation."""
    return [
        str(rid)
        for (rid,) in con.execute(
            "SELECT release_id FROM releases ORDER BY created_at, release_id"
        ).fetchall()
    ]


def months_with_data(con: duckdb.DuckDBPyConnection, first: dt.date, last: dt.date) -> int:
    """How many months from `first` to `last` (first days of months) hold a current
    declaration."""
    from digex.store.tables import PORTABLE

    row = con.execute(
        f"SELECT count(DISTINCT period) FROM {PORTABLE.declarations} "
        f"WHERE period BETWEEN {literal(first)} AND {literal(last)}"
    ).fetchone()
    return int(row[0]) if row else 0


def estimates(con: duckdb.DuckDBPyConnection, release_id: str) -> pa.Table:
    """A release's frozen estimates in key order (none for a release, store or snapshot file
    made before schema 8)."""
    if not disclosure.has_column(con, "release_estimates", "release_id"):
        return con.execute(
            "SELECT * FROM (VALUES (NULL::VARCHAR, NULL::VARCHAR, NULL::VARCHAR, "
            "NULL::VARCHAR, NULL::VARCHAR, NULL::VARCHAR, NULL::DOUBLE, NULL::DOUBLE, "
            "NULL::DOUBLE, NULL::DOUBLE, NULL::DOUBLE, NULL::VARCHAR, NULL::INTEGER, "
            "NULL::VARCHAR, NULL::VARCHAR, NULL::VARCHAR)) "
            f"AS e({ESTIMATE_COLUMNS}) WHERE false"
        ).to_arrow_table()
    return con.execute(
        f"SELECT {ESTIMATE_COLUMNS} FROM release_estimates "
        f"WHERE release_id = {literal(release_id)} ORDER BY {OBSERVATION_KEY}"
    ).to_arrow_table()


def seasonal_specs(
    con: duckdb.DuckDBPyConnection, year: int
) -> dict[tuple[str, str, str, str], str]:
    """The adjustment specs fixed for `year`: (freq, cut, member, flow) -> spec JSON."""
    rows = con.execute(
        "SELECT freq, cut, member, flow, spec FROM seasonal_specs "
        f"WHERE year = {literal(year)} ORDER BY freq, cut, member, flow"
    ).fetchall()
    return {(str(f), str(c), str(m), str(w)): str(spec) for f, c, m, w, spec in rows}


def insert_seasonal_specs(
    con: duckdb.DuckDBPyConnection,
    year: int,
    release_id: str,
    specs: Mapping[tuple[str, str, str, str], str],
) -> None:
    """Keep the specs `release_id` chose for `year`; a series that has one keeps it (a spec
    is fixed for its year: never replaced)."""
    for key in sorted(specs):
        freq, cut, member, flow = key
        values = ", ".join(literal(v) for v in (year, freq, cut, member, flow, specs[key]))
        con.execute(
            f"INSERT INTO seasonal_specs VALUES ({values}, {literal(release_id)}) "
            "ON CONFLICT DO NOTHING"
        )
