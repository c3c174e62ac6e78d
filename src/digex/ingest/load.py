"""A load: files in, every row accepted or rejected with reasons, all in one transaction.

The load log records each file's name, content hash, time, user and counts; rows read always
equal rows accepted plus rows rejected, and the reconciliation by currency is stored with the
load. The same content is refused the second time unless the new load says which earlier load
it replaces; the older load stays in the store (history is never rewritten), only no longer
current.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import datetime as dt
import hashlib
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Final

import duckdb

from digex import __version__
from digex.codelists import codelist_rows, codelists_version
from digex.errors import (
    DuplicateLoad,
    InvalidFile,
    NotReconciled,
    OutOfMemory,
    UnknownLoad,
    UsageError,
)
from digex.indicators.auxiliary import decimals as series_decimals
from digex.ingest.parsers import MONTHS_WRITTEN, DecimalMark, code_spellings
from digex.ingest.readers import Reader, ReadOptions, Staged, reader_for
from digex.ingest.validate import (
    MixedDecimalMarks,
    Rules,
    check_declarations,
    check_jobs,
    check_rates,
    check_series,
)
from digex.profile import CountryProfile
from digex.sql import literal
from digex.store import Store
from digex.store.append import (
    Basis,
    LoadRecord,
    ReplacedLoad,
    append_rows,
    check_unchanged,
    next_load_id,
    record_events,
    record_load,
)
from digex.store.store import MEMORY_ENV, default_path, load_memory_limit
from digex.store.target import load_target
from digex.store.users import current_user

DECLARATION_FIELDS = (
    "declaration_id",
    "period",
    "firm_id",
    "segment",
    "partner",
    "currency",
    "amount",
    "flow",
)
RATE_FIELDS = ("period", "currency", "rate")
JOB_FIELDS = ("year", "segment", "jobs")
SERIES_FIELDS = ("series", "year", "value")
FIELDS = {
    "declarations": DECLARATION_FIELDS,
    "rates": RATE_FIELDS,
    "jobs": JOB_FIELDS,
    "series": SERIES_FIELDS,
}
REFERENCE_KINDS = ("rates", "jobs", "series")
"""Kinds of file whose identical content is silently reused: they accompany many loads."""
CHECKS = {
    "declarations": check_declarations,
    "rates": check_rates,
    "jobs": check_jobs,
    "series": check_series,
}

Progress = Callable[[str, float, int], None]
"""Called as progress(description, files_done, files_total) while files are loaded; files_done
counts the current file's progress as a fraction, so a bar moves during one large file. A
callable whose `polls` attribute is false is told only when each step begins (the engine's own
progress within a step is then not watched)."""

_STEPS = (("reading", 0.0, 0.55), ("checking", 0.55, 0.45), ("storing", 0.0, 1.0))
"""Each step's share of its phase: a file is read and checked first (the preparing phase, the
slow one), then stored with the others in one short transaction (the storing phase)."""
PREPARE_SHARE = 0.85
"""Share of the progress bar given to preparing every file; storing them all takes the rest."""


class _Watch:
    """Reports the engine's own progress on a long statement, polled from a side thread."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        report: Callable[[str, float], None] | None,
        poll: bool = True,
    ) -> None:
        self.con = con
        self.report = report
        self.poll = poll
        self.stop = threading.Event()

    @contextmanager
    def step(self, index: int) -> Iterator[None]:
        name, base, span = _STEPS[index]
        if self.report is None:
            yield
            return
        report = self.report
        report(name, base)
        if not self.poll:
            yield
            return

        def poll() -> None:
            while not self.stop.wait(0.25):
                pct = self.con.query_progress()
                if pct >= 0:
                    report(name, base + span * min(pct, 100.0) / 100)

        self.stop.clear()
        thread = threading.Thread(target=poll, daemon=True)
        thread.start()
        try:
            yield
        finally:
            self.stop.set()
            thread.join()


@dataclass(frozen=True)
class CurrencyTotal:
    currency: str | None
    rows_accepted: int
    rows_rejected: int
    amount: Decimal
    value_minor: int


@dataclass(frozen=True)
class LoadResult:
    """The reconciliation of one file."""

    load_id: int
    kind: str
    file: Path
    file_format: str
    encoding: str | None
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    replaces: int | None = None
    reused: bool = False
    totals: tuple[CurrencyTotal, ...] = ()
    reasons: dict[str, int] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    """What a user should know about the file though nothing was refused (a file with a header
    and no rows, columns that were not used, ...); printed under the load's summary."""

    @property
    def reconciles(self) -> bool:
        return self.rows_read == self.rows_accepted + self.rows_rejected


@dataclass(frozen=True)
class LoadOptions:
    encoding: str | None = None
    delimiter: str | None = None
    decimal_mark: DecimalMark = "auto"
    today: dt.date | None = None
    user: str | None = None
    reason: str | None = None
    """Why the files are loaded (kept in the audit log with each load's event)."""


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _user(options: LoadOptions) -> str:
    return options.user or current_user()


SPELLED: Final = (
    ("segments", "code"),
    ("ebops", "ebops_code"),
    ("countries", "code"),
    ("currencies", "code"),
)
"""The code lists whose codes a declaration holds, with their code column."""


def _register_codelists(con: duckdb.DuckDBPyConnection, types: Mapping[str, str]) -> None:
    """TEMP TABLEs `ref_segments`, `ref_countries` and `ref_currencies`: the codes a row may
    hold, each with its value in the type the store keeps it in (`types`, column -> SQL type;
    text when absent), so that validation takes the stored value from the join it needs anyway
    rather than converting every row's code; and `ref_months`, the months a period may name."""

    def stored(column: str, code: str) -> str:
        return f"CAST({code} AS {types[column]})" if column in types else code

    # written as VALUES lists (a few hundred codes): handing DuckDB a Python table instead
    # imports PyArrow and pandas, more than the load's own checks of a small file take
    def values(name: str, columns: Sequence[str]) -> str:
        rows = [
            "(" + ", ".join(literal(row[c]) for c in columns) + ")" for row in codelist_rows(name)
        ]
        return f"(SELECT * FROM (VALUES {', '.join(rows)}) AS t({', '.join(columns)}))"

    lists = {
        "cl_segments": values("segments", ["code"]),
        "cl_ebops": values("ebops", ["ebops_code", "segment"]),
        "cl_countries": values("countries", ["code"]),
        "cl_currencies": values("currencies", ["code"]),
    }
    # every spelling of every code (`code_spellings`), for the lookups of the codes as written:
    # one string split by the engine (as VALUES, its 2,500 rows took 60 ms to parse and bind)
    codes = sorted({row[c] for name, c in SPELLED for row in codelist_rows(name) if row[c]})
    spelled = "\x1e".join(
        f"{code}\x1f{written}" for code in codes for written in code_spellings(code)
    )
    for name, sql in lists.items():
        con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {sql}")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE cl_spellings AS "
        "SELECT split_part(x, chr(31), 1) AS code, split_part(x, chr(31), 2) AS written "
        f"FROM (SELECT unnest(string_split({literal(spelled)}, chr(30))) AS x)"
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE ref_segments AS
        WITH r AS (
            SELECT code, code AS segment, CAST(NULL AS VARCHAR) AS ebops FROM cl_segments
            UNION ALL
            SELECT ebops_code, segment, ebops_code FROM cl_ebops
            WHERE segment IS NOT NULL AND segment <> ''
        )
        SELECT r.*, w.written, {stored("segment", "segment")} AS stored_segment,
               {stored("ebops", "ebops")} AS stored_ebops
        FROM r JOIN cl_spellings w USING (code)"""
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE ref_countries AS "
        f"SELECT code, w.written, {stored('partner', 'code')} AS stored "
        "FROM cl_countries JOIN cl_spellings w USING (code)"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE ref_currencies AS "
        f"SELECT code, w.written, {stored('currency', 'code')} AS stored "
        "FROM cl_currencies JOIN cl_spellings w USING (code)"
    )
    for name in lists:
        con.execute(f"DROP VIEW {name}")
    con.execute("DROP TABLE cl_spellings")
    con.execute(f"CREATE OR REPLACE TEMP TABLE ref_months AS {MONTHS_WRITTEN}")


@dataclass(frozen=True)
class _Prepared:
    """A file read and checked, waiting in temporary tables to be stored."""

    index: int
    path: Path
    kind: str
    digest: str
    replaces: int | None
    staged: Staged
    rows_read: int
    decimal_mark: str | None = "auto"
    """The file's decimal mark as validation decided it (`auto`: its amounts never show one;
    None for rates and jobs files, whose values each show their own)."""

    @property
    def checked(self) -> str:
        return f"checked_{self.index}"

    @property
    def rejected(self) -> str:
        """Declarations only: their rejected rows apart (the others keep them in `checked`)."""
        return f"rejected_{self.index}"


class Loader:
    """Loads files into a store: every file is read and checked first, away from the store,
    then all are stored in one short transaction.

    DuckDB runs statements over temporary tables created inside an open transaction on one
    thread (measured: splitting 10 million lines took 28.9 s inside the load's transaction and
    5.1 s outside it), so the long work happens before BEGIN, in temporary tables that vanish
    with the process. Nothing reaches the store file before the transaction, so a crash or an
    invalid file at any point leaves the store as it was.

    The store is held for a moment before the files are checked, to read what the checks need
    (`digex.store.append.Basis`), and then only for the final transaction, which reads it again
    and refuses the load if another process changed it meanwhile. Given a path (a store this
    process does not hold open), the files are checked in an in-memory database of the load's
    own, and other processes read the store meanwhile; given an open `Store`, in a cursor of it.
    """

    def __init__(self, store: Store | Path, profile: CountryProfile, options: LoadOptions) -> None:
        self.target = load_target(store)
        self.profile = profile
        self.options = options
        units = profile.minor_units
        self.rules = Rules(
            national_currency=profile.national_currency,
            firm_pattern=profile.firm_id_pattern,
            firm_name=profile.firm_id_name,
            today=options.today or dt.date.today(),
            decimal_mark=options.decimal_mark,
            minor_units=units,
            series={
                s.id: series_decimals(s, profile.national_currency, units) for s in profile.series
            },
            profile=(profile.label, profile.source),
        )
        self.minor_units = units

    def run(
        self,
        files: Sequence[Path],
        rates: Sequence[Path] = (),
        replace: Sequence[int] = (),
        progress: Progress | None = None,
        jobs: Sequence[Path] = (),
        series: Sequence[Path] = (),
    ) -> list[LoadResult]:
        work = plan_files(files, rates, jobs, replace, series)
        n = len(work)

        def reporter(i: int, name: str, base: float, share: float) -> Callable[[str, float], None]:
            def report(step: str, frac: float) -> None:
                if progress:
                    progress(f"{name}: {step}", n * base + (i + frac) * share, n)

            return report

        polls = bool(getattr(progress, "polls", True))
        planned: list[_Prepared | LoadResult] = []
        limit = load_memory_limit(sum(_size(path) for path, _, _ in work))
        declarations = any(kind == "declarations" for _, kind, _ in work)
        checked: list[tuple[str, str]] = []
        with _memory_advice(limit):
            basis = self.target.basis(
                declarations=declarations, replaces=[old for _, _, old in work if old is not None]
            )
            if declarations:
                self.rules = dataclasses.replace(self.rules, code_types=basis.types())
            with (
                self.target.staging(basis, limit) as con,
                tempfile.TemporaryDirectory(prefix="digex-") as tmp,
            ):
                try:
                    _register_codelists(con, basis.types())
                    seen: dict[str, Path] = {}
                    for i, (path, kind, old) in enumerate(work):
                        if kind == "declarations" and "load_rates" not in _temp_tables(con):
                            prepared = [p for p in planned if isinstance(p, _Prepared)]
                            _load_rates(con, basis, prepared)
                        report = reporter(i, path.name, 0.0, PREPARE_SHARE)
                        watch = _Watch(con, report if progress else None, polls)
                        item, digest = self._prepare(
                            con, basis, i, path, kind, old, seen, Path(tmp), watch
                        )
                        planned.append(item)
                        checked.append((kind, digest))
                    results: list[LoadResult] = []
                    with self.target.final(con, basis) as wcon:
                        check_unchanged(wcon, basis, checked)
                        load_id = next_load_id(wcon) - 1
                        for i, item in enumerate(planned):
                            if isinstance(item, LoadResult):
                                results.append(item)
                                continue
                            load_id += 1
                            report = reporter(i, item.path.name, PREPARE_SHARE, 1 - PREPARE_SHARE)
                            watch = _Watch(wcon, report if progress else None, polls)
                            with watch.step(2):
                                results.append(self._store(wcon, item, load_id))
                        results = self._reconvert(wcon, results)
                        stored = [r.load_id for r in results if not r.reused]
                        record_events(wcon, stored, reason=self.options.reason)
                finally:
                    _drop(con, *_temp_tables(con))
        if progress:
            progress("done", n, n)
        return results

    def _reconvert(
        self, con: duckdb.DuckDBPyConnection, results: list[LoadResult]
    ) -> list[LoadResult]:
        """After a rates file is stored, convert again the stored declarations whose rate is
        no longer the one in force (in the same transaction); the rates file's summary says
        how many and which months."""
        from digex.store.reconvert import rates_in_force_are, reconvert

        stored = [i for i, r in enumerate(results) if r.kind == "rates" and not r.reused]
        if not stored:
            return results
        last = stored[-1]
        # the declarations of this call were converted at `load_rates`: when those are the
        # rates now in force, only the declarations of earlier loads can need converting again
        new = [r.load_id for r in results if r.kind == "declarations" and not r.reused]
        converted_from = min(new) if new and rates_in_force_are(con, "load_rates") else None
        count, months = reconvert(
            con,
            minor_units=self.minor_units,
            cause="rates",
            load_id=results[last].load_id,
            user=_user(self.options),
            converted_from=converted_from,
        )
        if count:
            shown = ", ".join(months[:6]) + (
                f" and {len(months) - 6} more" if len(months) > 6 else ""
            )
            note = (
                f"{count:,} declarations already stored were converted again at the rates now "
                f"in force ({shown}); the values they were loaded with stay in the history"
            )
            results = list(results)
            results[last] = dataclasses.replace(
                results[last], warnings=(*results[last].warnings, note)
            )
        return results

    def _prepare(
        self,
        con: duckdb.DuckDBPyConnection,
        basis: Basis,
        index: int,
        path: Path,
        kind: str,
        replaces: int | None,
        seen: dict[str, Path],
        workdir: Path,
        watch: _Watch,
    ) -> tuple[_Prepared | LoadResult, str]:
        """Read and check one file into the temporary table `checked_<index>` (every row,
        typed, with its reasons; rejected rows with their messages and original text), or
        return the earlier load when the file is a reused one; with the file's content hash."""
        reader = reader_for(path)
        # The content hash (1.5 s for 600 MB) is computed while the engine stages the file;
        # a file found to be a duplicate is then dropped before anything is stored.
        with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="digex-hash") as pool:
            hashing = pool.submit(file_hash, path)
            staged = self._stage(con, reader, path, kind, workdir, watch)
            digest = hashing.result()
        if digest in seen:
            raise DuplicateLoad(f"{path.name}: same content as {seen[digest].name} in this load")
        seen[digest] = path
        if replaces is not None:
            _check_replaceable(basis.replaced.get(replaces), replaces, kind)
        earlier = basis.active.get((kind, digest))
        if earlier and earlier.load_id != replaces:
            if kind in REFERENCE_KINDS:
                reused = LoadResult(
                    earlier.load_id,
                    kind,
                    path,
                    earlier.file_format,
                    earlier.encoding,
                    earlier.rows_read,
                    earlier.rows_accepted,
                    earlier.rows_rejected,
                    reused=True,
                )
                return reused, digest
            raise DuplicateLoad(
                f"{path.name}: this content was already loaded as load {earlier.load_id} "
                f"({earlier.file_name}); to load it again give replace={earlier.load_id}"
            )
        with watch.step(1):
            try:
                rules = self.rules
                if rules.decimal_mark == "auto" and staged.decimal_mark is not None:
                    rules = dataclasses.replace(rules, decimal_mark=staged.decimal_mark)
                mark = CHECKS[kind](con, rules)
                if kind == "declarations":  # rates files read their own mark, whatever is given
                    mark = mark or rules.decimal_mark
                rows = _rows_read(con, staged)
                item = _Prepared(index, path, kind, digest, replaces, staged, rows, mark)
            except MixedDecimalMarks as e:
                raise InvalidFile(f"{path.name}: {e}") from e
            except (duckdb.InvalidInputException, duckdb.IOException) as e:
                raise InvalidFile(f"{path.name}: cannot be read to the end ({e})") from e
        con.execute(f"ALTER TABLE checked RENAME TO {item.checked}")
        if kind == "declarations":
            con.execute(f"ALTER TABLE rejected RENAME TO {item.rejected}")
        _drop(con, "stage", "stage_some", "stage_wanted", "stage_lines", "repeated_ids")
        _drop(con, "stage_records", "stage_spanned")
        return item, digest

    def _stage(
        self,
        con: duckdb.DuckDBPyConnection,
        reader: Reader,
        path: Path,
        kind: str,
        workdir: Path,
        watch: _Watch,
    ) -> Staged:
        fields = FIELDS[kind]

        def match(names: Sequence[str]) -> tuple[dict[str, int], list[str]]:
            return self.profile.match_header(names, fields, kind)

        with watch.step(0):
            return reader.stage(
                con,
                path,
                fields,
                match,
                ReadOptions(self.options.encoding, self.options.delimiter, self.profile.encodings),
                workdir,
            )

    def _store(self, con: duckdb.DuckDBPyConnection, item: _Prepared, load_id: int) -> LoadResult:
        """Append one prepared file to the store (inside the load's transaction)."""
        kind, path = item.kind, item.path
        # rows read were counted on the staged file, independently of where rows went, so
        # the reconciliation read = accepted + rejected is a real check
        accepted, rejected = append_rows(
            con, kind, load_id, item.checked, item.rejected, self.minor_units
        )
        if accepted + rejected != item.rows_read:  # raised inside the transaction: rolled back
            raise NotReconciled(
                f"{path.name}: {item.rows_read:,} rows read but {accepted:,} accepted and "
                f"{rejected:,} rejected; nothing was stored. This is a defect of digex: "
                "please report it with the file"
            )
        reasons, totals = record_load(
            con,
            LoadRecord(
                load_id=load_id,
                kind=kind,
                file_name=path.name,
                file_path=str(path.resolve()),
                content_hash=item.digest,
                file_bytes=path.stat().st_size,
                file_format=item.staged.file_format,
                encoding=item.staged.encoding,
                delimiter=item.staged.delimiter,
                decimal_mark=item.decimal_mark,
                loaded_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
                loaded_by=_user(self.options),
                rows_read=item.rows_read,
                rows_accepted=accepted,
                rows_rejected=rejected,
                replaces=item.replaces,
                profile=self.profile.code,
                codelists_version=codelists_version(),
                digex_version=__version__,
            ),
        )
        return LoadResult(
            load_id=load_id,
            kind=kind,
            file=path,
            file_format=item.staged.file_format,
            encoding=item.staged.encoding,
            rows_read=item.rows_read,
            rows_accepted=accepted,
            rows_rejected=rejected,
            replaces=item.replaces,
            totals=tuple(
                CurrencyTotal(cur, n_ok, n_bad, Decimal(amount or 0), int(value or 0))
                for cur, n_ok, n_bad, amount, value in totals
            ),
            reasons=reasons,
            warnings=_warnings(item),
        )


def load_files(
    store: Path | None,
    profile: CountryProfile,
    options: LoadOptions,
    files: Sequence[Path] = (),
    *,
    rates: Sequence[Path] = (),
    jobs: Sequence[Path] = (),
    replace: Sequence[int] = (),
    progress: Progress | None = None,
    series: Sequence[Path] = (),
) -> list[LoadResult]:
    """Load files into the store file at `store` (default: `$DIGEX_DB`, else
    ./digex.duckdb) without holding it while they are checked: other processes read it
    meanwhile, and it is held for writing only for the final transaction (`digex load`)."""
    target = store if store is not None else default_path()
    return Loader(target, profile, options).run(files, rates, replace, progress, jobs, series)


def plan_files(
    files: Sequence[Path],
    rates: Sequence[Path],
    jobs: Sequence[Path],
    replace: Sequence[int],
    series: Sequence[Path] = (),
) -> list[tuple[Path, str, int | None]]:
    """The files of a call in loading order (rates first: the declarations of the same call
    are checked against them), each with the load it replaces.

    `replace` names one load per declaration file; in a call without declaration files, one
    per rates, then jobs, then series file (a corrected rates file is loaded alone)."""
    references = len(rates) + len(jobs) + len(series)
    wanted = len(files) if files else references
    if replace and len(replace) != wanted:
        raise UsageError(
            f"`replace` was given {len(replace)} time(s) for {wanted} file(s) it can apply to; "
            "give one load id to replace per declaration file, in the same order (or, "
            "loading only rates, jobs and series files, one per such file in that order)"
        )
    olds: list[int | None] = list(replace) if replace else [None] * wanted
    reference_olds = [None] * references if files else olds
    declaration_olds = olds if files else []
    kinds = ["rates"] * len(rates) + ["jobs"] * len(jobs) + ["series"] * len(series)
    work = [
        (Path(p), kind, old)
        for p, kind, old in zip([*rates, *jobs, *series], kinds, reference_olds, strict=True)
    ]
    work += [(Path(p), "declarations", old) for p, old in zip(files, declaration_olds, strict=True)]
    return work


@contextmanager
def _memory_advice(limit: str) -> Iterator[None]:
    """The engine running out of memory anywhere in a load, as a digex error with advice."""
    try:
        yield
    except duckdb.OutOfMemoryException as e:
        raise OutOfMemory(
            f"the engine ran out of memory (limit {limit}) while loading; "
            f"set {MEMORY_ENV} higher (e.g. {MEMORY_ENV}=4GB) or free disk space "
            f"beside the store for spilling ({str(e).splitlines()[0]})"
        ) from e


def _warnings(item: _Prepared) -> tuple[str, ...]:
    """What the load's summary tells about a file that was loaded though something is odd."""
    empty = (
        (f"{item.path.name}: the file has a header and no rows; the load is recorded, empty",)
        if item.rows_read == 0
        else ()
    )
    return item.staged.warnings + empty


def _size(path: Path) -> int:
    """The file's size, or 0 when it cannot be read (the reader then says why)."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _rows_read(con: duckdb.DuckDBPyConnection, staged: Staged) -> int:
    """The rows of the staged file, as the reader counted them from its lines, else counted
    here in TEMP VIEW `stage`: either way apart from where validation put the rows, so that
    read = accepted + rejected is a check of the load (a delimited file's lines are counted
    as they are read, which spares splitting every line once more to count them)."""
    return staged.rows if staged.rows is not None else _count(con, "stage")


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0]) if row else 0


def _temp_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The temporary tables and views of the connection."""
    return sorted(
        str(r[0])
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE temporary UNION ALL "
            "SELECT view_name FROM duckdb_views() WHERE temporary AND NOT internal"
        ).fetchall()
    )


def _drop(con: duckdb.DuckDBPyConnection, *names: str) -> None:
    """Drop temporary tables or views (a reader stages a file as either)."""
    kinds = dict(
        con.execute(
            "SELECT table_name, 'TABLE' FROM duckdb_tables() WHERE temporary UNION ALL "
            "SELECT view_name, 'VIEW' FROM duckdb_views() WHERE temporary AND NOT internal"
        ).fetchall()
    )
    # views first: a view over a table must go before the table
    for name in sorted(names, key=lambda n: kinds.get(n) != "VIEW"):
        if name in kinds:
            con.execute(f"DROP {kinds[name]} {name}")


def _load_rates(
    con: duckdb.DuckDBPyConnection, basis: Basis, prepared: Sequence[_Prepared]
) -> None:
    """TEMP TABLE `load_rates`: the rates the declarations of this call are converted at.

    The store's current rates (as the basis read them), overridden by the accepted rows of the
    rates files loaded in the same call (later files win), as `current_rates` will read once
    the call is committed.
    """
    parts = [f"SELECT period, currency, rate, 0 AS k FROM {basis.rates_sql()}"]
    parts += [
        f"SELECT v_period, v_currency, v_rate, {p.index + 1} FROM {p.checked} WHERE reasons = ''"
        for p in prepared
        if p.kind == "rates"
    ]
    con.execute(
        "CREATE TEMP TABLE load_rates AS SELECT period, currency, arg_max(rate, k) AS rate "
        f"FROM ({' UNION ALL '.join(parts)}) GROUP BY period, currency"
    )


def _check_replaceable(state: ReplacedLoad | None, load_id: int, kind: str) -> None:
    if state is None:
        raise UnknownLoad(f"replace={load_id}: there is no load {load_id}; see `digex loads`")
    if state.withdrawn:
        raise InvalidFile(
            f"replace={load_id}: load {load_id} ({state.file_name}) was withdrawn; load the "
            "file without `replace`"
        )
    if state.kind != kind:
        raise InvalidFile(f"replace={load_id}: load {load_id} is a {state.kind} file, not {kind}")
    if not state.current:
        raise InvalidFile(
            f"replace={load_id}: load {load_id} ({state.file_name}) was already replaced; "
            "replace the load that replaced it"
        )
