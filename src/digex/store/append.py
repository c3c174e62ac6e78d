"""What a load reads from the store and what it writes there.

A load checks its files in a database of its own (see `digex.ingest.load`), away from the
store, and comes here twice: once, briefly, before checking, for what the checks need (the
`Basis`: the code-list types, the rates in force, the active loads and their content hashes,
the loads `replace` names), and once at the end, inside the one transaction that appends
the checked rows. That transaction first reads the basis again and refuses the load when
anything the checks used has changed meanwhile (another process may have written the store
while the files were being checked), so a load is always checked against the store it lands
in.

Every statement naming a table or view of the store that a load runs is here; the staged
tables it reads (`checked_<n>`, `rejected_<n>`) are the loader's temporary tables.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Final

import duckdb

from digex.errors import StoreError
from digex.ingest.convert import value_estimate_sql, value_minor_sql
from digex.sql import literal
from digex.store.audit import Event, record
from digex.store.codes import current_types, follow_codelists
from digex.store.store import LOCK_WAIT

FINAL_WAIT: Final = 6 * LOCK_WAIT
"""Seconds the final write waits for other processes to let go of the store: longer than a
command waits (LOCK_WAIT), since the files have been checked by then, perhaps for minutes, and
a reader holds the file only for the time of its query."""

ALIAS: Final = "digex_store"
"""The name the store is attached under on the loader's own connection for the final write."""

ACCEPTED: Final = {
    "declarations": ("declarations", "rejects"),
    "rates": ("rates", "rate_rejects"),
    "jobs": ("auxiliary", "auxiliary_rejects"),
    "series": ("auxiliary", "auxiliary_rejects"),
}
"""Where the accepted and the rejected rows of each kind of file are stored."""


@dataclass(frozen=True)
class CodeType:
    """The ENUM type a coded column of `declarations` is stored in, with its codes."""

    column: str
    name: str
    codes: tuple[str, ...]

    def create_sql(self) -> str:
        """The statement that makes the same type in another database (the loader's)."""
        codes = ", ".join(map(literal, self.codes))
        return f"CREATE TYPE {self.name} AS ENUM ({codes})"


@dataclass(frozen=True)
class EarlierLoad:
    """An active load, as a new file with the same content meets it."""

    load_id: int
    kind: str
    file_name: str
    content_hash: str
    file_format: str
    encoding: str | None
    rows_read: int
    rows_accepted: int
    rows_rejected: int


@dataclass(frozen=True)
class ReplacedLoad:
    """The state of a load that a new one says it replaces."""

    load_id: int
    kind: str
    file_name: str
    current: bool
    withdrawn: bool


@dataclass(frozen=True)
class Basis:
    """What a load's checks read from the store, read once before and once at the end."""

    schema_version: int
    declarations: bool
    """Whether the call loads declarations (only their checks read the types and rates)."""
    code_types: tuple[CodeType, ...]
    rates: tuple[tuple[dt.date, str, Decimal], ...]
    """The rates in force (period, currency, rate), sorted; empty when not asked for."""
    active: Mapping[tuple[str, str], EarlierLoad]
    """(kind, content hash) -> the active load holding that content."""
    replaced: Mapping[int, ReplacedLoad | None]
    """Each load id the call names with `replace` -> its state (None: no such load)."""
    profile: str | None = None
    """The sha256 of the country profile the store records (its rules checked the files)."""
    file: tuple[int, int] | None = None
    """The store file's (device, inode) when the basis was read: the final write goes to that
    very file, not to one made since at its path."""

    def types(self) -> dict[str, str]:
        """Coded column -> the name of its type (what validation casts the codes to)."""
        return {t.column: t.name for t in self.code_types}

    def rates_sql(self) -> str:
        """The rates in force as an SQL relation (period DATE, currency VARCHAR, rate
        DECIMAL(18, 8)): written as constants, since handing DuckDB a Python table imports
        PyArrow and pandas (0.6 CPU s) for a few hundred rows."""
        rows = [
            f"({literal(p)}, {literal(c)}, {literal(format(r, 'f'))})" for p, c, r in self.rates
        ]
        rows = rows or ["(NULL, NULL, NULL)"]
        return (
            "(SELECT CAST(period AS DATE) AS period, CAST(currency AS VARCHAR) AS currency, "
            "CAST(rate AS DECIMAL(18, 8)) AS rate "
            f"FROM (VALUES {', '.join(rows)}) AS t(period, currency, rate)"
            f"{'' if self.rates else ' WHERE false'})"
        )

    def changes(self, later: Basis, files: Sequence[tuple[str, str]]) -> list[str]:
        """What differs in `later` that the checks of `files` ((kind, content hash) each)
        depended on; empty when the load may be stored as checked."""
        changed = []
        if later.schema_version != self.schema_version:
            changed.append("its schema version")
        if later.profile != self.profile:
            changed.append("its country profile")
        if later.code_types != self.code_types:
            changed.append("the code-list types")
        if later.rates != self.rates:
            changed.append("the rates in force")
        if later.replaced != self.replaced:
            changed.append("the state of the load named by `replace`")
        if any(self.active.get(f) != later.active.get(f) for f in files):
            changed.append("the loads holding the same content")
        return changed


def file_identity(path: Path) -> tuple[int, int] | None:
    """The file at `path` as the file system knows it (device, inode); None when missing."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


def recorded_profile(con: duckdb.DuckDBPyConnection) -> str | None:
    """The sha256 of the country profile the store records (None: none recorded)."""
    row = con.execute("SELECT value FROM meta WHERE key = 'profile.sha256'").fetchone()
    return str(row[0]) if row else None


def read_basis(
    con: duckdb.DuckDBPyConnection,
    *,
    declarations: bool,
    replaces: Sequence[int],
    widen: bool = True,
    file: Path | None = None,
) -> Basis:
    """The basis of a load as the store holds it now, inside a transaction of the caller's.

    `declarations`: the call loads declarations, whose checks need the code-list types and the
    rates (a call of rates or jobs files alone reads neither). With `widen`, their types are
    first widened to the shipped code lists (`follow_codelists`: a write only when a list
    gained a code); the final transaction reads them as they are, changing nothing, since any
    difference refuses the load anyway. `file`: the store's path, whose identity is recorded.
    """
    row = con.execute("SELECT max(version) FROM schema_version").fetchone()
    version = int(row[0]) if row and row[0] is not None else 0
    types: tuple[CodeType, ...] = ()
    rates: tuple[tuple[dt.date, str, Decimal], ...] = ()
    if declarations:
        names = follow_codelists(con) if widen else current_types(con)
        types = tuple(_code_type(con, column, names[column]) for column in sorted(names))
        rates = tuple(
            (r[0], str(r[1]), Decimal(r[2]))
            for r in con.execute(
                "SELECT period, currency, rate FROM current_rates ORDER BY period, currency"
            ).fetchall()
        )
    active = {
        (str(r[1]), str(r[3])): EarlierLoad(
            int(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4]), r[5], *map(int, r[6:9])
        )
        for r in con.execute(
            "SELECT load_id, kind, file_name, content_hash, file_format, encoding, rows_read, "
            "rows_accepted, rows_rejected FROM active_loads ORDER BY load_id"
        ).fetchall()
    }
    return Basis(
        version,
        declarations,
        types,
        rates,
        active,
        {i: _replaced(con, i) for i in sorted(set(replaces))},
        recorded_profile(con),
        None if file is None else file_identity(file),
    )


def _code_type(con: duckdb.DuckDBPyConnection, column: str, name: str) -> CodeType:
    row = con.execute(f"SELECT enum_range(NULL::{name})").fetchone()
    return CodeType(column, name, tuple(str(c) for c in (row[0] if row else [])))


def _replaced(con: duckdb.DuckDBPyConnection, load_id: int) -> ReplacedLoad | None:
    row = con.execute(
        f"""SELECT kind, file_name,
               load_id IN (SELECT load_id FROM active_loads),
               load_id IN (SELECT load_id FROM withdrawals)
        FROM loads WHERE load_id = {int(load_id):d}"""
    ).fetchone()
    if row is None:
        return None
    return ReplacedLoad(int(load_id), str(row[0]), str(row[1]), bool(row[2]), bool(row[3]))


def _moved(path: Path) -> StoreError:
    return StoreError(
        f"the store {path} was moved, replaced or deleted while the files were being checked; "
        "nothing was stored: load them again into the store where it now is"
    )


def _remove_made(path: Path) -> None:
    """Remove the empty database an ATTACH made at a path where the store no longer was."""
    for suffix in ("", ".wal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


@contextmanager
def attached(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    *,
    wait: float = FINAL_WAIT,
    identity: tuple[int, int] | None = None,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """The store file attached to the loader's own connection, in one transaction, with the
    store as the default database (the loader's temporary tables stay visible): committed when
    the block ends, rolled back on any exception, detached in both cases.

    Attaching waits (`FINAL_WAIT`) while another process holds the file; with the
    moment the basis is read, this is the only time a load holds the store. DuckDB refuses to
    attach a file this process already has open (a `Store`): such a store is loaded through it
    (`Digex.load`). `identity`: the file's (device, inode) when the basis was read; a file
    that is not that one any more is refused (ATTACH would make a new, empty one).
    """
    home = con.execute("SELECT current_database()").fetchone()
    deadline = time.monotonic() + wait
    while True:
        if identity is not None and file_identity(path) != identity:
            raise _moved(path)
        existed = path.exists()
        try:
            con.execute(f"ATTACH {literal(str(path))} AS {ALIAS}")
            if identity is not None and file_identity(path) != identity:
                con.execute(f"DETACH {ALIAS}")
                if not existed:
                    _remove_made(path)
                raise _moved(path)
            break
        except duckdb.IOException as e:
            if "lock" not in str(e).lower():
                raise StoreError(f"cannot open the store {path}: {str(e).splitlines()[0]}") from e
            if time.monotonic() >= deadline:
                raise StoreError(
                    f"the store {path} is being used by another process; the files were "
                    "checked but nothing was stored: load them again once it is free"
                ) from e
            time.sleep(0.05)
        except duckdb.BinderException as e:  # "Unique file handle conflict"
            raise StoreError(
                f"the store {path} is open in this process; load through it (Digex.load) or "
                "close it first; nothing was stored"
            ) from e
        except duckdb.Error as e:
            if not existed:
                _remove_made(path)
            raise StoreError(
                f"cannot open the store {path}: {str(e).splitlines()[0]}; nothing was stored"
            ) from e
    try:
        con.execute(f"USE {ALIAS}")
        con.execute("BEGIN TRANSACTION")
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")
    finally:
        con.execute(f"USE {home[0] if home else 'memory'}")
        con.execute(f"DETACH {ALIAS}")


def check_unchanged(
    con: duckdb.DuckDBPyConnection, basis: Basis, files: Sequence[tuple[str, str]]
) -> None:
    """Inside the final transaction: refuse the load when the store changed, since `basis`
    was read, in anything the checks of `files` ((kind, content hash) each) depended on."""
    later = read_basis(
        con, declarations=basis.declarations, replaces=sorted(basis.replaced), widen=False
    )
    if changed := basis.changes(later, files):
        raise StoreError(
            f"the store changed while the files were being checked ({', '.join(changed)}: "
            "another process wrote to it); nothing was stored: run the load again"
        )


def next_load_id(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute("SELECT coalesce(max(load_id), 0) + 1 FROM loads").fetchone()
    return int(row[0]) if row else 1


def append_rows(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    load_id: int,
    checked: str,
    rejected: str,
    minor_units: int,
) -> tuple[int, int]:
    """Append the rows of one checked file (temporary tables `checked`, and for declarations
    `rejected`) as load `load_id`; returns the rows accepted and rejected as stored, counted
    in the store's tables, independently of the staged tables."""
    if kind == "declarations":
        _append_declarations(con, load_id, checked, rejected, minor_units)
    elif kind == "rates":
        _append_rates(con, load_id, checked)
    elif kind == "series":
        _append_series(con, load_id, checked)
    else:
        _append_jobs(con, load_id, checked)
    accepted_table, rejected_table = ACCEPTED[kind]
    counts = con.execute(
        f"""SELECT (SELECT count(*) FROM {accepted_table} WHERE load_id = {load_id:d}),
                   (SELECT count(*) FROM {rejected_table} WHERE load_id = {load_id:d})"""
    ).fetchone()
    assert counts is not None
    return int(counts[0]), int(counts[1])


def _append_declarations(
    con: duckdb.DuckDBPyConnection,
    load_id: int,
    checked: str,
    rejected: str,
    minor_units: int,
) -> None:
    # the converted value's estimate is a column of its own: the conversion reads it up to
    # seven times, and DuckDB would compute the expression at each
    estimate = value_estimate_sql("v_amount", "v_rate", minor_units)
    value = value_minor_sql("v_amount", "v_rate", minor_units, estimate="v_estimate")
    con.execute(
        f"""INSERT INTO declarations
        SELECT {load_id:d}, line, declaration_id, v_period, v_firm_id, v_segment, v_ebops,
               v_partner, v_currency, v_amount, v_flow, v_rate, {value}
        FROM (SELECT c.*, {estimate} AS v_estimate
              FROM {checked} c ANTI JOIN {rejected} r ON r.line = c.line
              WHERE c.reasons = '')"""
    )
    con.execute(
        f"""INSERT INTO rejects
        SELECT {load_id:d}, line, reasons, message, declaration_id, period, firm_id, segment,
               partner, currency, amount, flow, raw
        FROM {rejected}"""
    )
    con.execute(
        f"""INSERT INTO load_totals
        WITH a AS (
            SELECT currency AS cur, count(*) AS n, sum(amount) AS amount,
                   sum(value_minor) AS value_minor
            FROM declarations WHERE load_id = {load_id:d} GROUP BY currency
        ), r AS (
            SELECT currency AS cur, count(*) AS n FROM rejects WHERE load_id = {load_id:d}
            GROUP BY currency
        )
        SELECT {load_id:d}, coalesce(a.cur, r.cur), coalesce(a.n, 0), coalesce(r.n, 0),
               a.amount, a.value_minor
        FROM a FULL OUTER JOIN r ON a.cur IS NOT DISTINCT FROM r.cur"""
    )


def _append_rates(con: duckdb.DuckDBPyConnection, load_id: int, checked: str) -> None:
    con.execute(
        f"""INSERT INTO rates SELECT {load_id:d}, line, v_period, v_currency, v_rate
        FROM {checked} WHERE reasons = ''"""
    )
    con.execute(
        f"""INSERT INTO rate_rejects SELECT {load_id:d}, line, reasons, message,
               period, currency, rate, raw
        FROM {checked} WHERE reasons <> ''"""
    )
    con.execute(
        f"""INSERT INTO load_totals SELECT {load_id:d}, v_currency,
               count(*) FILTER (reasons = ''), count(*) FILTER (reasons <> ''), NULL, NULL
        FROM {checked} GROUP BY v_currency"""
    )


def _append_jobs(con: duckdb.DuckDBPyConnection, load_id: int, checked: str) -> None:
    con.execute(
        f"""INSERT INTO auxiliary SELECT {load_id:d}, line, 'JOBS', v_year, v_segment, v_value
        FROM {checked} WHERE reasons = ''"""
    )
    con.execute(
        f"""INSERT INTO auxiliary_rejects SELECT {load_id:d}, line, reasons, message,
               year, segment, jobs, raw
        FROM {checked} WHERE reasons <> ''"""
    )


def _append_series(con: duckdb.DuckDBPyConnection, load_id: int, checked: str) -> None:
    """An auxiliary aggregate series file: one row per series and year, as the sector total
    ('_T'), its value in the series' stored units (`digex.indicators.auxiliary`). Its rejected
    rows keep the series as written in the rejects' `segment` column, the file's one coded
    column, as a jobs file's keep its segment (the schema has no column of its own for it)."""
    con.execute(
        f"""INSERT INTO auxiliary SELECT {load_id:d}, line, v_series, v_year, '_T', v_value
        FROM {checked} WHERE reasons = ''"""
    )
    con.execute(
        f"""INSERT INTO auxiliary_rejects SELECT {load_id:d}, line, reasons, message,
               year, series, value, raw
        FROM {checked} WHERE reasons <> ''"""
    )


@dataclass(frozen=True)
class LoadRecord:
    """One row of the load log."""

    load_id: int
    kind: str
    file_name: str
    file_path: str
    content_hash: str
    file_bytes: int
    file_format: str
    encoding: str | None
    delimiter: str | None
    decimal_mark: str | None
    loaded_at: dt.datetime
    loaded_by: str
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    replaces: int | None
    profile: str
    codelists_version: str
    digex_version: str


def record_load(
    con: duckdb.DuckDBPyConnection, record: LoadRecord
) -> tuple[dict[str, int], list[tuple[str | None, int, int, Decimal | None, int | None]]]:
    """Write the load's row of the load log; returns its rejected rows' count per reason code
    and its reconciliation by currency (currency, accepted, rejected, amount, value)."""
    # written as constants: binding parameters makes DuckDB's client import pandas (0.3-0.6
    # CPU s), longer than a small file's whole load
    values = [getattr(record, f) for f in record.__dataclass_fields__]
    texts = ["NULL" if v is None else literal(v) for v in values]
    con.execute(f"INSERT INTO loads VALUES ({', '.join(texts)})")
    rejected_table = ACCEPTED[record.kind][1]
    reasons = {
        str(code): int(n)
        for code, n in con.execute(
            "SELECT code, count(*) FROM (SELECT unnest(string_split(reasons, ';')) AS code "
            f"FROM {rejected_table} WHERE load_id = {record.load_id:d}) "
            "GROUP BY code ORDER BY code"
        ).fetchall()
    }
    totals = [
        (r[0], int(r[1]), int(r[2]), r[3], None if r[4] is None else int(r[4]))
        for r in con.execute(
            "SELECT currency, rows_accepted, rows_rejected, amount_accepted, "
            f"value_minor_accepted FROM load_totals WHERE load_id = {record.load_id:d} "
            "ORDER BY currency"
        ).fetchall()
    ]
    return reasons, totals


def record_events(
    con: duckdb.DuckDBPyConnection, load_ids: Sequence[int], *, reason: str | None
) -> None:
    """The audit log's event of each load stored by this transaction (call it last in the
    load's final transaction, after any reconversion): `load`, or `replace` for a load that
    replaces another, with the load log's time and user, the user's `reason`, and in its
    details the file, its counts and, for a rates file, the declarations it caused to be
    converted again."""
    for load_id in load_ids:
        row = con.execute(
            "SELECT loaded_at, loaded_by, kind, file_name, content_hash, replaces, rows_read, "
            "rows_accepted, rows_rejected, "
            "(SELECT sum(rows_converted) FROM conversions "
            f" WHERE cause = 'rates' AND load_id = {int(load_id):d}), "
            "(SELECT string_agg(months, ', ' ORDER BY conversion_id) FROM conversions "
            f" WHERE cause = 'rates' AND load_id = {int(load_id):d}) "
            f"FROM loads WHERE load_id = {int(load_id):d}"
        ).fetchone()
        if row is None:
            raise StoreError(f"load {load_id} is not in the load log; nothing was stored")
        details: dict[str, object] = {
            "kind": row[2],
            "file_name": row[3],
            "content_hash": row[4],
            "replaces": row[5],
            "rows_read": int(row[6]),
            "rows_accepted": int(row[7]),
            "rows_rejected": int(row[8]),
        }
        if row[9]:
            details["reconverted"] = {"rows": int(row[9]), "months": str(row[10])}
        action = "load" if row[5] is None else "replace"
        record(con, Event(action, str(load_id), str(row[1]), row[0], reason, details))
