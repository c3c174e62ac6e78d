"""The command line: parse options, call one core function, render its result.

Every `DigexError` becomes a one-line message on stderr and its exit code, in one place
(`main`): 0 success, 1 an error in the data, the store or the environment, 2 a usage error
(an option value outside what is allowed, refused before any work), 3 a check that found
problems. Options are checked at the top of each command, before a store is opened.
"""

from __future__ import annotations

import copy
import importlib
import re
import shlex
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Final

import typer

from digex import __version__, settings
from digex.errors import ChecksFailed, DigexError, UsageError

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa
    from rich.console import Console
    from rich.progress import Progress
    from rich.table import Table

    from digex.api import Digex
    from digex.ingest.load import LoadResult
    from digex.ingest.load import Progress as LoadProgress
    from digex.profile import CountryProfile
    from digex.publish.explanation import Lookup
    from digex.publish.tidy import Rows

app = typer.Typer(
    help="digex: load, check and publish digital-services export statistics.\n\n"
    "Start with `digex demo` (synthetic data), or `digex init` then "
    "`digex load FILES --rates RATES`.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@cache
def _console(stderr: bool = False) -> Console:
    """Rich is imported on first use: `digex indicators --format csv` prints without it."""
    from rich.console import Console

    return Console(stderr=stderr)


def out() -> Console:
    return _console()


def err() -> Console:
    return _console(stderr=True)


WIDE = 1_000
"""Columns a `--wide` table may take: its natural width, whatever the terminal's (a terminal
wraps its long lines, a pager or a file keeps them), so that no cell is cut or folded."""


def _print_table(table: Table, wide: bool = False) -> None:
    if not wide:
        out().print(table)
        return
    from rich.console import Console
    from rich.measure import Measurement

    console = Console(width=WIDE)
    natural = Measurement.get(console, console.options, table).maximum
    Console(width=natural).print(table)


def _table(title: str, **options: Any) -> Table:
    """A table that fits an 80-column terminal: lines between columns only (no outer frame,
    no padding at the edges), which leaves the cells 8 to 10 more columns."""
    from rich import box
    from rich.table import Table

    options = {"box": box.MINIMAL, "show_edge": False, "pad_edge": False, **options}
    return Table(title=title, title_justify="left", **options)


DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        help=f"Store file (default: ${settings.DB.name}, else ./{settings.DB.default}).",
        envvar=settings.DB.name,
        show_default=False,
    ),
]
ProfileOption = Annotated[
    str | None,
    typer.Option(
        "--profile",
        help="Country profile: ISO code (MA) or a .toml path. A store is read with the profile "
        "it records (another country's is refused), so is a duckdb:// --engine; another --engine "
        "uses $DIGEX_PROFILE, else MA.",
        show_default=False,
    ),
]


@app.callback()
def _setup(ctx: typer.Context) -> None:
    """Warnings digex gives (a store whose recorded country profile differs from the installed
    one) become one line on stderr, like its errors."""
    ctx.with_resource(_warnings_as_lines())


@contextmanager
def _warnings_as_lines() -> Iterator[None]:
    import warnings

    from digex.errors import ProfileWarning

    def show(message: Warning | str, category: type[Warning], *args: Any, **kw: Any) -> None:
        if issubclass(category, ProfileWarning):
            from rich.markup import escape

            err().print(
                "[yellow]warning:[/]",
                escape(for_cli(str(message))),
                highlight=False,
                soft_wrap=True,
            )
        else:
            shown(message, category, *args, **kw)

    with warnings.catch_warnings():
        shown = warnings.showwarning
        warnings.simplefilter("always", ProfileWarning)
        warnings.showwarning = show
        yield


@app.command()
def init(db: DbOption = None, profile: ProfileOption = None) -> None:
    """Create an empty store recording a country profile (default: $DIGEX_PROFILE, else MA), or
    bring an existing one to the current schema; with --profile, an existing store records that
    profile in place of its own (a new version of it, or another country's while it holds no
    load)."""
    import digex
    from digex.store import SCHEMA_VERSION

    # plain lines, not Rich (its import is a sixth of what init costs, issue 19); a pipe or a
    # log gets each message on one line instead of folded at 80 columns
    with digex.init(db, profile=profile) as store:
        if store.profile_note:
            typer.echo(store.profile_note)
        country = store.profile
        typer.echo(
            f"store {store.path} ready (schema version {SCHEMA_VERSION}); country profile "
            f"{country.label} ({country.names.get('en', country.code)}, {country.source})"
        )


def _print_results(results: list[LoadResult], elapsed: float, minor_units: int) -> None:
    table = _table("Reconciliation: rows read = accepted + rejected")
    for col in ("load", "file", "format", "read", "accepted", "rejected", "check"):
        table.add_column(  # the counts stay whole; a long file name or note wraps
            col,
            justify="right" if col in ("read", "accepted", "rejected") else "left",
            no_wrap=col not in ("file", "check"),
            overflow="fold",
            min_width=8 if col in ("file", "check") else None,
        )
    shown = results if len(results) <= 12 else [r for r in results if r.kind != "declarations"]
    for r in shown:
        note = (
            f"already loaded (load {r.load_id})"
            if r.reused
            else ("ok" if r.reconciles else "MISMATCH")
        )
        if r.replaces is not None:
            note += f", replaces load {r.replaces}"
        table.add_row(
            str(r.load_id),
            r.file.name,
            f"{r.file_format} {r.encoding or ''}".strip(),
            f"{r.rows_read:,}",
            f"{r.rows_accepted:,}",
            f"{r.rows_rejected:,}",
            note,
        )
    decl = [r for r in results if r.kind == "declarations" and not r.reused]
    if len(results) > 12:
        groups: dict[str, list[LoadResult]] = {}
        for r in decl:
            groups.setdefault(f"{r.file_format} {r.encoding or ''}".strip(), []).append(r)
        for fmt, rs in sorted(groups.items()):
            table.add_row(
                f"{rs[0].load_id}-{rs[-1].load_id}",
                f"{len(rs)} files",
                fmt,
                f"{sum(r.rows_read for r in rs):,}",
                f"{sum(r.rows_accepted for r in rs):,}",
                f"{sum(r.rows_rejected for r in rs):,}",
                "ok" if all(r.reconciles for r in rs) else "MISMATCH",
            )
    if len(decl) > 1:
        table.add_row(
            "",
            f"total ({len(decl)} files)",
            "",
            f"{sum(r.rows_read for r in decl):,}",
            f"{sum(r.rows_accepted for r in decl):,}",
            f"{sum(r.rows_rejected for r in decl):,}",
            "ok" if all(r.reconciles for r in decl) else "MISMATCH",
            style="bold",
        )
    out().print(table)
    _print_currency_totals(decl, minor_units)
    _print_reasons_and_warnings(results, decl)
    out().print(f"loaded in {elapsed:.1f} s")


def _print_reasons_and_warnings(results: list[LoadResult], decl: list[LoadResult]) -> None:
    from rich.markup import escape

    reasons: dict[str, int] = {}
    for r in decl:
        for code, n in r.reasons.items():
            reasons[code] = reasons.get(code, 0) + n
    if reasons:
        rt = _table("Rejected rows by reason (see `digex rejects`)")
        rt.add_column("reason")
        rt.add_column("rows", justify="right")
        for code, n in sorted(reasons.items(), key=lambda kv: -kv[1]):
            rt.add_row(code, f"{n:,}")
        out().print(rt)
    for r in results:
        for warning in r.warnings:
            out().print(f"[yellow]warning:[/] {escape(warning)}")  # names its file


def _print_currency_totals(decl: list[LoadResult], minor_units: int) -> None:
    """Totals by currency, the national one exact in its own decimals (3 for a dinar), each
    invoicing currency in its own (0 for the yen, 3 for the dinar)."""
    from decimal import Decimal

    from digex.codelists import currency_minor_units

    sums: dict[str, list[float | int]] = {}
    for r in decl:
        for t in r.totals:
            if t.rows_accepted:
                acc = sums.setdefault(t.currency or "", [0, 0.0, 0])
                acc[0] += t.rows_accepted
                acc[1] += float(t.amount)
                acc[2] += t.value_minor
    if not sums:
        return
    ct = _table("Accepted totals by currency")
    for col in ("currency", "rows", "amount in currency", "national currency"):
        ct.add_column(col, justify="left" if col == "currency" else "right")
    decimals = currency_minor_units()
    for cur, (n, amount, minor) in sorted(sums.items()):
        national = Decimal(int(minor)).scaleb(-minor_units)
        shown = f"{amount:,.{decimals.get(cur, 2)}f}"  # in the currency's own decimals
        ct.add_row(cur, f"{int(n):,}", shown, f"{national:,.{minor_units}f}")
    out().print(ct)


class _Bar:
    """A Rich progress bar fed by the loader's progress callback."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        # a total from the start: the first refresh may come before the loader's first report
        self.task = progress.add_task("loading", total=1, files=0)

    def __call__(self, description: str, done: float, total: int) -> None:
        self.progress.update(
            self.task, description=description, completed=done, total=max(total, 1), files=total
        )


class _StageLog:
    """Where no bar is drawn, a line on stderr as each stage of each file begins, so that a long
    load in a pipe or a log says what it is doing. Stages of small files that follow each other
    within a second are not repeated (78 demo files would print 234 lines), but a stage held
    back that way is written once it has run for the interval: otherwise a 1M-row file read
    straight after a small rates file went unnamed for the whole of its reading and checking,
    under the rates file's line."""

    polls = False
    """The loader need not watch the engine's progress within a stage for this reporter."""

    def __init__(self, interval: float = 1.0) -> None:
        self.start = time.perf_counter()
        self.interval = interval
        self.last_shown = -interval
        self.last: str | None = None
        self.lock = threading.Lock()
        self.timer: threading.Timer | None = None

    def __call__(self, description: str, done: float, total: int) -> None:
        with self.lock:
            if description == self.last:
                return
            self.last = description
            if self.timer is not None:
                self.timer.cancel()
                self.timer = None
            began = time.perf_counter() - self.start
            if description == "done" or began - self.last_shown >= self.interval:
                self._write(description, began)
                return
            # a stage that turns out long is named once it has lasted the interval (the line
            # says when it began); a daemon timer, so an interrupted load never waits on it
            self.timer = threading.Timer(self.interval, self._late, (description, began))
            self.timer.daemon = True
            self.timer.start()

    def close(self) -> None:
        """Stop a pending line (the load ended, or failed, before it was due)."""
        with self.lock:
            if self.timer is not None:
                self.timer.cancel()
                self.timer = None

    def _late(self, description: str, began: float) -> None:
        with self.lock:
            if description == self.last:
                self._write(description, began)

    def _write(self, description: str, began: float) -> None:
        self.last_shown = time.perf_counter() - self.start
        err().print(f"[{began:6.1f} s] {description}", highlight=False, soft_wrap=True)


@contextmanager
def _load_progress() -> Iterator[_Bar | _StageLog]:
    """A bar where one is drawn (a terminal); elsewhere (a pipe, a log file) a line per stage,
    without importing Rich's progress module (60-100 ms of a small load's whole process). Only
    the bar watches the engine's progress (polling it cost about 4 % of a 10M-row load)."""
    if not err().is_terminal:
        log = _StageLog()
        try:
            yield log
        finally:
            log.close()
        return
    with _progress() as progress:
        yield _Bar(progress)


def _progress() -> Progress:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}% of {task.fields[files]} file(s)"),
        TimeElapsedColumn(),
        console=err(),
        transient=True,
        disable=not err().is_terminal,
    )


@contextmanager
def steps(first: str) -> Iterator[Callable[[str], None]]:
    """A spinner naming the step under way and the time it has taken, for work that tells its
    steps (`progress=`): a release's disclosure control alone runs tens of seconds, and a
    spinner with nothing else moving looks hung. Nothing is drawn outside a terminal."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    bar = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}", markup=False),
        TimeElapsedColumn(),
        console=err(),
        transient=True,
        disable=not err().is_terminal,
    )
    with bar:
        task = bar.add_task(first, total=None)

        def say(what: str) -> None:
            bar.reset(task, description=what)  # the time shown is the step's

        yield say


DECIMAL_MARKS = ("auto", ".", ",")


@app.command()
def load(
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Declaration files: CSV, .xlsx or .parquet (none when only --rates, --jobs or "
            "--series files are loaded).",
            show_default=False,
        ),
    ] = None,
    rates: Annotated[
        list[Path] | None,
        typer.Option("--rates", help="Exchange-rate file(s): period,currency,rate."),
    ] = None,
    jobs: Annotated[
        list[Path] | None,
        typer.Option("--jobs", help="Auxiliary jobs file(s): year,segment,jobs (_T = total)."),
    ] = None,
    series: Annotated[
        list[Path] | None,
        typer.Option(
            "--series",
            help="Auxiliary aggregate series file(s): series,year,value (series declared in "
            "the profile, e.g. an older series on another perimeter).",
        ),
    ] = None,
    replace: Annotated[
        list[int] | None,
        typer.Option(
            "--replace",
            help="Load id that this file replaces (once per FILE, in order; loading only rates, "
            "jobs or series files, once per such file, in that order); see `digex loads`.",
        ),
    ] = None,
    encoding: Annotated[
        str | None, typer.Option(help="utf-8, utf-8-sig, cp1256 or cp1252 (default: detect).")
    ] = None,
    delimiter: Annotated[
        str | None, typer.Option(help="Field delimiter (default: detect , ; tab |).")
    ] = None,
    decimal: Annotated[
        str,
        typer.Option(
            "--decimal",
            help="Decimal mark of the declaration and series files: auto, '.' or ',' (the "
            "other mark then only groups thousands).",
        ),
    ] = "auto",
    indicators: Annotated[
        bool,
        typer.Option(
            "--indicators/--no-indicators",
            help="Then compute the latest complete year and half-year, every cut, so that "
            "queries on them answer at once (skip it when more loads follow).",
        ),
    ] = True,
    db: DbOption = None,
    profile: ProfileOption = None,
    reason: Annotated[
        str | None,
        typer.Option("--reason", help="Why the files are loaded (kept in the audit log)."),
    ] = None,
) -> None:
    """Validate and load declaration files; every row is accepted or rejected with reasons.

    One transaction for the whole call: if any file cannot be read, nothing is stored.
    """
    from digex.api import Digex
    from digex.ingest.load import LoadOptions, load_files

    files = files or []
    if not (files or rates or jobs or series):
        raise UsageError(
            "nothing to load: give declaration FILES, --rates RATES, --jobs JOBS or --series SERIES"
        )
    if decimal not in DECIMAL_MARKS:
        raise UsageError(f"--decimal {decimal!r}: use auto, '.' or ','")
    if encoding is not None:
        import codecs

        try:
            codecs.lookup(encoding)
        except LookupError:
            raise UsageError(
                f"--encoding {encoding!r} is not an encoding Python knows; give utf-8, "
                "utf-8-sig, cp1256 or cp1252, or leave it out to detect it"
            ) from None
    if delimiter is not None:
        delimiter = delimiter.replace("\\t", "\t")
        if len(delimiter) != 1:
            raise UsageError(
                f"--delimiter {delimiter!r}: give one character, such as , ; | or \\t (tab)"
            )
    if replace:  # refused before any work, by the rule the loader applies
        from digex.ingest.load import plan_files

        plan_files(files, rates or [], jobs or [], replace, series or [])
    why = (reason or "").strip() or None  # kept with each load's event in the audit log
    start = time.perf_counter()
    with Digex.open(db, profile=profile) as opened:  # the profile the store is read with
        country = opened.profile
        importing = indicators and not _kept_up_to_date(opened)
    # the store is not held while the files are checked (other processes read it meanwhile)
    with _load_progress() as shown:
        progress: LoadProgress = _ImportWhenChecking(shown, files) if importing else shown
        results = load_files(
            db,
            country,
            LoadOptions(encoding, delimiter, decimal, reason=why),  # type: ignore[arg-type]
            files,
            rates=rates or [],
            jobs=jobs or [],
            replace=replace or [],
            progress=progress,
            series=series or [],
        )
        _print_results(results, time.perf_counter() - start, country.minor_units)
    if indicators and any(not r.reused for r in results):
        import warnings

        from digex.errors import ProfileWarning

        with warnings.catch_warnings():  # said when the store was first opened, above
            warnings.simplefilter("ignore", ProfileWarning)
            store = Digex.open(db, profile=profile)
        with store:
            _precompute(store)


def _kept_up_to_date(store: Digex) -> bool:
    """Whether the store keeps results for its content: a store whose every load computed its
    indicators. A monthly file then mostly reaches none of the latest periods (a July file
    after a June one: nothing is computed), and importing the engine alongside the load would
    cost that load 0.7 s of CPU for nothing (measured: 2.11 against 1.42 CPU s for a 1,000-row
    July file); a file that does reach them imports it when needed."""
    from digex.indicators import cache

    return cache.holds_current(store.store, store.profile)


class _ImportWhenChecking:
    """The load's progress reporter, which also starts importing what computing the
    indicators needs (`_import_in_background`) once the engine is checking the first
    declaration file (or, with none, storing).

    Not earlier: the import is Python holding its lock most of the time, and started with the
    load it slowed the load's own Python steps before the first statement (opening the store,
    reading what the checks need, the code lists, a rates file) by 0.25-0.4 s, a stretch on one
    core in which the file is not read yet. While the engine checks a file, the main thread
    waits in the engine without Python's lock, and the import only shares the cores."""

    def __init__(self, progress: LoadProgress, files: Sequence[Path]) -> None:
        self.progress = progress
        self.polls = bool(getattr(progress, "polls", True))
        self.checking = {f"{Path(f).name}: checking" for f in files}
        self.started = False

    def __call__(self, description: str, done: float, total: int) -> None:
        if not self.started and (description in self.checking or description.endswith(": storing")):
            self.started = True
            _import_in_background()
        self.progress(description, done, total)


def _import_in_background() -> None:
    """Import what computing the indicators needs while the engine loads the files.

    The indicator modules (pandas among them) take a while to import; the load spends most of
    its time in the engine, which does not hold Python's lock, so a thread can import them
    meanwhile. Ibis is not imported: the latest periods' passes run as SQL compiled once and
    shipped (`digex.indicators.plans`); another computation imports it when it needs it. A
    failure here is not reported: the same import runs again, in the open, when needed.
    """

    def work() -> None:
        try:
            importlib.import_module("digex.indicators.service")
            importlib.import_module("digex.indicators.cache")
        except Exception:
            pass

    threading.Thread(target=work, name="digex-imports", daemon=True).start()


def _precompute(store: Digex) -> None:
    """Compute the indicators a release publishes first; the load is stored whatever happens."""
    start = time.perf_counter()
    with err().status("Computing the indicators of the latest year and half-year..."):
        try:
            periods = store.precompute()
        except DigexError as e:
            from rich.markup import escape

            failed = escape(for_cli(e))
            err().print(
                f"[yellow]The load is stored, but computing its indicators failed: {failed}"
            )
            return
    if periods:
        out().print(
            f"Indicators for {' and '.join(periods)} kept "
            f"({time.perf_counter() - start:.1f} s): queries on them answer at once."
        )


@app.command()
def rejects(
    export: Annotated[
        Path | None, typer.Option("--export", help="Write all rejected rows to this CSV.")
    ] = None,
    load_id: Annotated[int | None, typer.Option("--load", help="Only this load.")] = None,
    limit: Annotated[int, typer.Option(help="Rows to show on screen (0 or more).")] = 20,
    wide: Annotated[
        bool, typer.Option("--wide", help="Also the load id and the row as it was read.")
    ] = False,
    db: DbOption = None,
) -> None:
    """List rejected rows (file, line, reasons, original values) so they can be fixed."""
    from digex.api import Digex

    if limit < 0:
        raise UsageError(f"--limit {limit}: give a number of rows, 0 or more")
    with Digex.open(db, read_only=True) as store:
        frame = store.rejects(load_id=load_id, output="arrow")
        if load_id is not None and frame.num_rows == 0:  # none rejected, or no such load?
            known = store.loads(output="arrow").column("load_id").to_pylist()
            if load_id not in known:
                from digex.errors import UnknownLoad

                raise UnknownLoad(
                    f"--load {load_id}: there is no load {load_id}; see `digex loads`"
                )
    if export is not None:
        import pyarrow.csv as pacsv

        from digex.publish.spreadsheet import neutralise_table

        with _writing(export):
            pacsv.write_csv(neutralise_table(frame), export)
        out().print(f"{frame.num_rows:,} rejected rows written to {export}")
        return
    table = _table(f"{frame.num_rows:,} rejected rows")
    columns = (
        ("load", "file", "line", "reasons", "message", "raw")
        if wide
        else ("file", "line", "reasons", "message")
    )
    for col in columns:
        table.add_column(
            col,
            justify="right" if col in ("load", "line") else "left",
            no_wrap=col in ("load", "line"),
            overflow="fold",
            min_width=8 if col == "file" else None,
        )
    for row in frame.slice(0, limit).to_pylist():
        cells = {
            **row,
            "load": str(row["load_id"]),
            "file": row["file_name"],
            "line": str(row["line"]),
            "raw": _cut(row["raw"] or "", RAW_SHOWN),
        }
        table.add_row(*(cells[c] for c in columns))
    _print_table(table, wide)
    if frame.num_rows > limit:
        out().print(f"… {frame.num_rows - limit:,} more; `digex rejects --export rejects.csv`")


SHORT_HASH = 8
"""Hex digits of the content hash shown without --wide (as `git log` shortens a commit's)."""


RAW_SHOWN = 120
"""Characters of a rejected row's raw text that `rejects --wide` shows (the export has all)."""


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@app.command()
def loads(
    wide: Annotated[
        bool,
        typer.Option(
            "--wide",
            help="Also the kind, time, user, format, rows read, replacements and full hash.",
        ),
    ] = False,
    db: DbOption = None,
) -> None:
    """Show the load log: file, content hash, date, counts, and what replaced what."""
    from digex.api import Digex

    with Digex.open(db, read_only=True) as store:
        rows = store.loads(output="arrow").to_pylist()
    table = _table("Load log")
    columns = ["load", *(["kind"] if wide else []), "file", "loaded at" if wide else "loaded"]
    if wide:
        columns += ["by", "format", "read"]
    columns += ["accepted", "rejected", "status", *(["replaces"] if wide else []), "hash"]
    for col in columns:
        table.add_column(  # only the file name wraps (not at all with --wide)
            col,
            justify="right" if col in ("read", "accepted", "rejected") else "left",
            no_wrap=wide or col != "file",
            overflow="fold",
            min_width=8 if col == "file" else None,
        )
    for r in rows:
        cells = [
            str(r["load_id"]),
            *([r["kind"]] if wide else []),
            r["file_name"],
            f"{r['loaded_at']:%Y-%m-%d %H:%M}" if wide else f"{r['loaded_at']:%Y-%m-%d}",
        ]
        if wide:
            cells += [
                r["loaded_by"],
                f"{r['file_format']} {r['encoding'] or ''}".strip(),
                f"{r['rows_read']:,}",
            ]
        cells += [
            f"{r['rows_accepted']:,}",
            f"{r['rows_rejected']:,}",
            str(r["status"]),
        ]
        if wide:
            cells.append("" if r["replaces"] is None else str(r["replaces"]))
        digest = str(r["content_hash"] or "")
        cells.append(digest if wide else digest[:SHORT_HASH])
        table.add_row(*cells)
    _print_table(table, wide)
    for r in rows:
        if r["withdrawn_at"] is not None:
            out().print(
                f"load {r['load_id']} withdrawn {r['withdrawn_at']:%Y-%m-%d %H:%M} by "
                f"{r['withdrawn_by']}: {r['withdraw_reason']}",
                highlight=False,
                markup=False,
            )
    if not wide:
        out().print("`digex loads --wide`: kind, time, user, rows read, replacements, full hash")


DEMO_DIR = Path("demo")


@app.command()
def demo(
    out_dir: Annotated[
        Path,
        typer.Option(
            "--out",
            help="Folder for the generated files: new, empty, or one the demo made before.",
        ),
    ] = DEMO_DIR / "data",
    db: Annotated[
        Path, typer.Option("--db", help="Demo store (re-created on every run).")
    ] = DEMO_DIR / "digex-demo.duckdb",
    seed: Annotated[
        int, typer.Option(help="Random seed; the same seed gives the same files.")
    ] = 2025,
    firms: Annotated[int, typer.Option(help="Number of synthetic firms.")] = 1000,
    rows: Annotated[int, typer.Option(help="Approximate number of declaration rows.")] = 200_000,
) -> None:
    """Generate SYNTHETIC declarations calibrated on the published figures, load and summarise."""
    from digex.demo import run

    run.check_size(firms=firms, rows=rows)
    run.check_places(out_dir, db)
    out().print("[bold yellow]SYNTHETIC DEMO DATA — not official statistics[/]")
    made = run.make_files(out_dir, seed=seed, firms=firms, rows=rows)
    files = made.files
    out().print(
        f"generated {files.rows_written:,} declaration rows in {len(files.declarations)} files "
        f"under {out_dir} ({made.seconds:.1f} s)"
    )
    with _load_progress() as progress:
        loaded = run.make_store(db, files, progress=progress)
    with loaded.store as store:
        _print_results(loaded.results, loaded.seconds, store.profile.minor_units)
        with steps("making the demo's releases") as step:
            demo_releases = run.make_releases(
                store,
                out_dir,
                progress=lambda what: err().print(what, highlight=False),
                stage=step,
            )
        cli_release.print_demo_releases(demo_releases)
        for period in run.HEADLINE_PERIODS:
            out().print(headline_table(store, period, "en"))
        latest = {info.period: info.release_id for info in demo_releases.releases}
    published = run.publish_demo(
        db, latest, progress=lambda what: err().print(f"publishing {what}", highlight=False)
    )
    for folder in published:
        out().print(f"publication: {folder}", highlight=False, soft_wrap=True)
    shown = shlex.quote(str(db))
    out().print(f"store: {db}  (try `digex summary 2024 --lang fr --db {shown}`)")


FORMATS = ("table", "csv", "json", "parquet")


@contextmanager
def _writing(path: Path) -> Iterator[None]:
    """Turn a failed write of an output file into a one-line error naming the file."""
    try:
        yield
    except OSError as e:
        raise DigexError(
            f"cannot write {path}: {e.strerror or e}; check that the folder exists and is writable"
        ) from e


@app.command()
def indicators(
    period: Annotated[
        list[str] | None,
        typer.Option(
            "--period", "-p", help="2024, 2024-Q3, 2025-H1 or 2024-03 (repeatable; default: all)."
        ),
    ] = None,
    by: Annotated[
        str,
        typer.Option(
            help="Cut: total, segment, ebops, partner, region, currency, all (those six), or a "
            "cross cut: segment_partner (member KPO.FR), segment_region (KPO.150)."
        ),
    ] = "total",
    freq: Annotated[
        str | None, typer.Option(help="A, H, Q or M when no --period is given (default A).")
    ] = None,
    flow: Annotated[
        list[str] | None, typer.Option(help="X (exports, default), M (imports); repeatable.")
    ] = None,
    indicator: Annotated[
        list[str] | None,
        typer.Option("--indicator", "-i", help="Only these indicator ids (repeatable)."),
    ] = None,
    unit_mult: Annotated[
        int | None,
        typer.Option(
            help="Show money in 10^N units (6 = millions, 9 = billions). Default: a table shows "
            "each indicator in its own unit (money in billions, average per firm in millions); "
            "csv, json and parquet hold national-currency units (N = 0).",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="table, csv, json or parquet.")
    ] = "table",
    top: Annotated[
        int | None,
        typer.Option(help="Only the N largest members of the cut (needs --by, e.g. --by partner)."),
    ] = None,
    engine: Annotated[
        str | None,
        typer.Option(
            "--engine",
            help="Compute elsewhere: spark:///parquet_dir, postgresql://..., duckdb:///file "
            "(see docs/spark.md); default: the store itself.",
        ),
    ] = None,
    profile: ProfileOption = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (parquet needs one).")
    ] = None,
    wide: Annotated[
        bool, typer.Option("--wide", help="Table: also the frequency and cut of each row.")
    ] = False,
    release: Annotated[
        str | None,
        typer.Option(help="The figures of this release (e.g. 2025-H1.1), not the live store."),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="The figures as published then: a date (its end, UTC) or a date and time "
            "(UTC unless an offset is given), each from the latest release published by then.",
        ),
    ] = None,
    embargoed: Annotated[
        bool,
        typer.Option(
            "--embargoed", help="With --release: read a release still under embargo (staff)."
        ),
    ] = False,
    confidential: Annotated[
        bool, typer.Option("--confidential", help=CONFIDENTIAL_HELP, show_default=False)
    ] = False,
    db: DbOption = None,
) -> None:
    """Compute indicators: levels, growth, shares, contributions, concentration, firms.

    Without --release or --as-of the figures are computed from the live store: unreleased
    and not disclosure-protected, for internal use (a line on stderr says so); with them,
    published figures, each row with its release_id and conf_status: a cell suppressed by
    disclosure control shows C and no value (--confidential: the stored value, staff only).

    Examples: `digex indicators --period 2025-H1 --by segment`,
    `digex indicators -p 2024 --by partner -i SHARE -i LEVEL --format csv`,
    `digex indicators -p 2024 --as-of 2025-08-15`.
    """
    from digex.api import Digex
    from digex.indicators.options import check_query

    if fmt not in FORMATS:
        raise UsageError(f"--format {fmt!r}: use one of {', '.join(FORMATS)}")
    if fmt == "parquet" and output is None:
        raise UsageError("--format parquet needs --output FILE")
    if fmt == "table" and output is not None:
        raise UsageError("--output needs --format csv, json or parquet")
    if top is not None and engine is not None:
        raise UsageError("--top is answered from the store only; drop --engine or --top")
    check_query(period, freq, by, flow or ["X"], indicator, unit_mult or 0, top)
    published = _check_published(release, as_of, embargoed, engine)
    if confidential and not published:
        raise UsageError(
            "--confidential reads the values a release stored: give --release or --as-of "
            "(live figures are never disclosure-protected)"
        )
    query: dict[str, Any] = dict(
        freq=freq, by=by, flow=flow or ["X"], indicators=indicator, unit_mult=unit_mult or 0
    )
    view = TableView(own_scale=unit_mult is None, wide=wide)
    if published:
        query |= dict(release=release, as_of=as_of, embargoed=embargoed)
    if confidential:
        query |= dict(confidential=True)
        warn_confidential()
    if engine is not None:
        from digex.api import indicators_on
        from digex.backends import EngineURLError

        try:
            frame = indicators_on(engine, period, profile=profile, **query)
        except EngineURLError as e:  # an unknown scheme or option: refused before connecting
            raise UsageError(str(e)) from e
        _emit(frame, fmt, output, False, view)
        _say_source(frame, None)
        return
    with Digex.open(db, read_only=True, profile=profile) as store:
        if fmt == "parquet" and not published:  # written by the engine: no PyArrow
            assert output is not None
            with _writing(output):
                written = store.write_indicators(output, period, **query, top=top)
            out().print(f"{written:,} rows written to {output}")
            err().print(LIVE_NOTE, highlight=False, soft_wrap=True)
            return
        result = _from_store(store, period, query, top, fmt, output, view, release, as_of)
    _say_source(result, as_of)


def _from_store(
    store: Digex,
    period: list[str] | None,
    query: dict[str, Any],
    top: int | None,
    fmt: str,
    output: Path | None,
    view: TableView,
    release: str | None,
    as_of: str | None,
) -> Rows | pd.DataFrame | pa.Table:
    """`digex indicators` answered from the store and emitted; what was emitted.

    Published parquet is written from an Arrow table (its release ids are read from it),
    everything else printed from plain rows: a cached answer needs no pandas."""
    if fmt == "parquet":
        result: Rows | pd.DataFrame | pa.Table = store.indicators(
            period, **query, top=top, output="arrow"
        )
    else:
        result = store.indicator_rows(period, **query, top=top)
    synthetic = store.synthetic
    if fmt == "table":  # a B row's note writes the figures its break names, read here
        from digex.publish.headline import store_lookup

        lookup = store_lookup(store, release=release, as_of=as_of)
        view = replace(view, profile=store.profile, lookup=lookup)
        _emit(result, fmt, output, synthetic, view)
    else:
        _emit(result, fmt, output, synthetic, replace(view, profile=store.profile))
    return result


def _check_published(
    release: str | None, as_of: str | None, embargoed: bool, engine: str | None
) -> bool:
    """Whether the query reads releases; contradictory options refused before any work."""
    if release is not None and as_of is not None:
        raise UsageError("--release reads one release, --as-of what was published then: give one")
    if embargoed and release is None:
        raise UsageError("--embargoed reads one release under embargo: give --release too")
    if engine is not None and (release is not None or as_of is not None):
        raise UsageError("releases are read from the store: drop --engine")
    return release is not None or as_of is not None


LIVE_NOTE: Final = (
    "note: unreleased figures, computed from the live store: internal, not "
    "disclosure-protected (--release ID or --as-of DATE give the published ones)"
)
CONFIDENTIAL_HELP: Final = (
    "Staff only: the values a release stored, suppressed cells included, with the internal "
    "codes (A, O, T, M primary, D secondary, C manual). Never publish this output."
)
CONFIDENTIAL_WARNING: Final = (
    "warning: unprotected values: for internal use only, never publish this output"
)


def warn_confidential() -> None:
    """The line on stderr every `--confidential` output starts with."""
    err().print(CONFIDENTIAL_WARNING, style="bold yellow", highlight=False, soft_wrap=True)


def _release_ids(result: Rows | pd.DataFrame | pa.Table) -> set[str] | None:
    """The releases a result's rows come from (None for figures from the live store)."""
    from digex.publish.tidy import Rows

    if isinstance(result, Rows):
        if "release_id" not in result.columns:
            return None
        at = result.columns.index("release_id")
        return {str(row[at]) for row in result.rows}
    names = result.column_names if hasattr(result, "column_names") else list(result.columns)
    if "release_id" not in names:
        return None
    column = result["release_id"]
    values = column.to_pylist() if hasattr(column, "to_pylist") else column.tolist()
    return {str(v) for v in values}


def _say_source(result: Rows | pd.DataFrame | pa.Table, as_of: str | None) -> None:
    """One line on stderr saying where the figures come from: the releases of the rows, or
    the live store (unreleased), so that no one quotes the latter as published."""
    ids = _release_ids(result)
    if ids is None:
        err().print(LIVE_NOTE, highlight=False, soft_wrap=True)
        return
    when = ""
    if as_of is not None:
        from digex.store.published import parse_as_of

        when = f" as published at {parse_as_of(as_of):%Y-%m-%d %H:%M:%S} UTC,"
    shown = ", ".join(sorted(ids)) if ids else "none (no row matched)"
    err().print(f"note: figures{when} from release {shown}", highlight=False, soft_wrap=True)


@dataclass(frozen=True)
class TableView:
    """How a table of tidy rows is shown: in each indicator's own unit unless `--unit-mult`
    was given; the frequency and cut columns only with `--wide`."""

    own_scale: bool = True
    wide: bool = False
    profile: CountryProfile | None = None
    """The store's profile: what the breaks a B row is at or across are (explained under the
    table), and the names of its auxiliary series (after their ids with `--wide`)."""
    lookup: Lookup | None = None
    """Where a break's explanation finds the figures it names (the store the table reads, as
    it reads it); None: they are named, not written."""


def _emit(
    result: Rows | pd.DataFrame | pa.Table,
    fmt: str,
    output: Path | None,
    synthetic: bool,
    view: TableView | None = None,
) -> None:
    """Print or write a tidy table: `result` is `Rows`, an Arrow table (parquet from the
    store), or a pandas frame (other engines)."""
    from digex.publish.tidy import Rows, csv_rows, csv_text, json_text

    if fmt == "parquet":
        assert output is not None
        assert not isinstance(result, Rows)
        import pyarrow as pa
        import pyarrow.parquet as pq

        if not isinstance(result, pa.Table):  # what `DataFrame.to_parquet(index=False)` does
            result = pa.Table.from_pandas(result, preserve_index=False)
        with _writing(output):
            pq.write_table(result, output)
        out().print(f"{result.num_rows:,} rows written to {output}")
        return
    rows = result if isinstance(result, Rows) else Rows.of_frame(result)
    if fmt in ("csv", "json"):
        if fmt == "csv":
            shown = csv_rows(rows)
            text = csv_text(shown.columns, shown.rows)
        else:
            text = json_text(rows.columns, rows.rows)
        if output is None:
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
        else:
            with _writing(output):
                output.write_text(text, encoding="utf-8")
            out().print(f"{len(rows):,} rows written to {output}")
        return
    _print_indicator_table(rows, synthetic, view or TableView())


FREE_CODE: Final = "F"
CONFIDENTIAL_SEEN: Final = "conf_status"
CONFIDENTIAL_NOTE: Final = (
    "C: confidential, suppressed by disclosure control (it would reveal a firm's figures)"
)


def _print_indicator_table(rows: Rows, synthetic: bool, view: TableView) -> None:
    """Each indicator in its own unit and decimals (`digex.publish.display`); the cells that
    matter (id, period, value, unit) are never cut, a long member name wraps."""
    from digex.indicators import status as st
    from digex.publish.display import MISSING, member_label, shown_value

    title = f"{len(rows):,} indicator values" + (" — SYNTHETIC DEMO DATA" if synthetic else "")
    table = _table(title)
    wide = ("freq", "cut") if view.wide else ()
    for col in ("indicator", *wide, "period", "member", "flow", "value", "unit", "status"):
        fold = col == "member"
        table.add_column(
            col,
            justify="right" if col == "value" else "left",
            no_wrap=not fold,
            overflow="fold" if fold else "ellipsis",
            min_width=8 if fold else None,
        )
    seen: set[str] = set()
    broken: list[tuple[str, str, str, str]] = []
    names = {s.id: s.name("en") for s in view.profile.series} if view.profile else {}
    for row in rows.records():
        value, unit = shown_value(
            str(row["indicator"]),
            row["value"],
            str(row["unit"]),
            int(row["unit_mult"]),
            own_scale=view.own_scale,
        )
        conf = row.get("conf_status")
        if conf is not None and conf != FREE_CODE:
            # suppressed by disclosure control: the public view has no value, only the mark;
            # a --confidential read shows the stored value with its internal code
            value = str(conf) if value == MISSING else f"{value} {conf}"
            seen.add(CONFIDENTIAL_SEEN)
        member = member_label(str(row["cut"]), str(row["member"]))
        if view.wide and str(row["indicator"]).startswith("SERIES_") and member in names:
            member = f"{member} {names[member]}"
        table.add_row(
            str(row["indicator"]),
            *(str(row[c]) for c in wide),
            str(row["period"]),
            member,
            str(row["flow"]),
            # a figure on incomplete months, or at a series break, is never a plain number
            value + st.mark(str(row["completeness"])) + st.break_mark(str(row["obs_status"])),
            unit,
            st.cell(str(row["obs_status"]), str(row["completeness"]), words=view.wide),
        )
        seen.add(str(row["completeness"]))
        seen.add(str(row["obs_status"]))
        if row["obs_status"] == st.ObsStatus.BREAK:
            broken.append(
                (str(row["indicator"]), str(row["cut"]), str(row["member"]), str(row["period"]))
            )
    out().print(table)
    if CONFIDENTIAL_SEEN in seen:
        out().print(CONFIDENTIAL_NOTE, highlight=False, markup=False)
    for code in st.COMPLETENESS:  # what the marks mean, for the marks shown
        if code in seen and code != st.COMPLETE:
            out().print(st.NOTES["en"][code], highlight=False, markup=False)
    if st.ObsStatus.BREAK in seen:
        from digex.publish.headline import break_notes
        from digex.releases.breaks import touching

        found = touching(broken, view.profile.breaks) if view.profile else ()
        for note in break_notes(found, "en", lookup=view.lookup):
            out().print(note, highlight=False, markup=False)


@app.command()
def summary(
    period: Annotated[str, typer.Argument(help="2024, 2025-H1, 2024-Q3, ...")],
    lang: Annotated[str, typer.Option(help="Language: en, fr or ar.")] = "en",
    release: Annotated[
        str | None, typer.Option(help="The figures of this release, not the live store.")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="The figures as published then (a date: its end, UTC)."),
    ] = None,
    db: DbOption = None,
) -> None:
    """The headline table: exports by segment, growth on a year earlier, shares."""
    from digex.api import Digex

    _check_published(release, as_of, False, None)
    with Digex.open(db, read_only=True) as store:
        out().print(headline_table(store, period, lang, release=release, as_of=as_of))
    if release is not None:
        err().print(f"note: figures from release {release}", highlight=False)
    elif as_of is not None:
        from digex.store.published import parse_as_of

        when = f"{parse_as_of(as_of):%Y-%m-%d %H:%M:%S} UTC"
        err().print(f"note: figures as published at {when}", highlight=False)
    else:
        err().print(LIVE_NOTE, highlight=False, soft_wrap=True)


def headline_table(
    store: object, period: str, lang: str, *, release: str | None = None, as_of: str | None = None
) -> Table:
    """The headline table (`digex.publish.headline`) as a Rich table."""
    from rich.markup import escape

    from digex.api import Digex
    from digex.publish import headline

    assert isinstance(store, Digex)
    h = headline.headline_table(store, period, lang, release=release, as_of=as_of)
    # escaped: rich would take "[incomplete period]" for a style and print nothing
    table = _table(escape(h.title), caption=escape("\n".join(h.notes)))
    table.add_column(h.columns[0])
    for col in h.columns[1:]:
        table.add_column(col, justify="right")
    for line in h.lines:
        table.add_row(escape(line.name), *line.cells, style="bold" if line.total else None)
    return table


@app.command()
def check(db: DbOption = None) -> None:
    """Run the consistency checks; exits 3 if any fails (publication must stop)."""
    from digex.api import Digex

    with Digex.open(db, read_only=True) as store:
        results = store.check()
    table = _table("Consistency checks")
    for col in ("check", "result", "detail"):
        table.add_column(col)
    for r in results:
        table.add_row(r.name, "[green]ok[/]" if r.ok else "[red]FAILED[/]", r.detail)
    out().print(table)
    failed = [r for r in results if not r.ok]
    if failed:
        raise ChecksFailed(
            f"{len(failed)} consistency check(s) failed, publication stopped: "
            + "; ".join(f"{r.name}: {r.detail}" for r in failed)
        )


@app.command()
def targets(db: DbOption = None) -> None:
    """Progress toward the national targets of the country profile."""
    from digex.api import Digex
    from digex.publish.headline import store_lookup

    with Digex.open(db, read_only=True) as store:
        frame = store.targets()
        synthetic = store.store.synthetic
        view = TableView(profile=store.profile, lookup=store_lookup(store))
        _emit(frame, "table", None, synthetic, view)


@app.command()
def withdraw(
    load_id: Annotated[int, typer.Argument(help="The load to withdraw (see `digex loads`).")],
    reason: Annotated[
        str, typer.Option("--reason", help="Why the load is withdrawn (kept in the load log).")
    ],
    db: DbOption = None,
) -> None:
    """Withdraw a load that should never have been made: it leaves every figure, nothing is
    deleted, and the load log keeps who withdrew it, when and why."""
    from digex.api import Digex

    if not reason.strip():  # refused before the store is opened for writing
        raise UsageError("--reason is empty; say why the load is withdrawn (kept in the load log)")
    with Digex.open(db) as store:
        store.withdraw(load_id, reason=reason)
        row = next(r for r in store.loads(output="arrow").to_pylist() if r["load_id"] == load_id)
    out().print(
        f"load {load_id} ({row['file_name']}) withdrawn by {row['withdrawn_by']}: it no longer "
        "counts in any figure; it stays in the store and `digex loads` shows it"
    )


@app.command()
def version() -> None:
    """Print the digex version."""
    out().print(__version__)


FLAGS: Final[dict[str, str]] = {
    "replace": "--replace",
    "rates": "--rates",
    "jobs": "--jobs",
    "series": "--series",
    "encoding": "--encoding",
    "delimiter": "--delimiter",
    "decimal_mark": "--decimal",
    "period": "--period",
    "freq": "--freq",
    "flow": "--flow",
    "by": "--by",
    "top": "--top",
    "indicators": "--indicator",
    "unit_mult": "--unit-mult",
    "lang": "--lang",
    "reason": "--reason",
    "path": "--db",
    "firms": "--firms",
    "rows": "--rows",
    "profile": "--profile",
    "out_dir": "--out",
    "db": "--db",
    "release": "--release",
    "as_of": "--as-of",
    "embargoed": "--embargoed",
    "confidential": "--confidential",
}
"""The core's parameter -> the option of this command line that sets it. The core names a
parameter `name=value` or `` `name` `` in its messages (as the Python API and a URL query
spell it); the command line says `--option value` or `--option` instead."""
_PARAMETER = re.compile(r"(?<![^\s(,;])(?:`(?P<bare>[a-z_]+)`|(?P<named>[a-z_]+)=)")
"""A parameter named in a message whose raiser did not declare it: only at the start of a
word (a path such as /data/by=year/ or a URL's query names no parameter)."""


def for_cli(message: str | DigexError, protect: Iterable[str] = ()) -> str:
    """A core message in the command line's words, on one line.

    An error that declares the parameters it names (`DigexError.parameters`) has exactly
    those spellings rewritten, values shell-quoted (a path with a space can be pasted back);
    any other text has its word-initial mentions rewritten, except in the words that hold
    one of `protect` (the user's own arguments: a file called rows=1.csv stays itself)."""
    declared = message.parameters if isinstance(message, DigexError) else None
    text = " ".join(line.strip() for line in str(message).splitlines() if line.strip())
    if declared is not None:
        for name, value in declared.items():
            if name not in FLAGS:
                continue
            if value is None:
                text = text.replace(f"`{name}`", FLAGS[name])
            else:
                text = text.replace(f"{name}={value}", f"{FLAGS[name]} {shlex.quote(value)}")
        return text
    kept = {w for p in protect if "=" in p for w in (p, Path(p).name) if "=" in w}

    def option(m: re.Match[str]) -> str:
        name = m["bare"] or m["named"]
        if name not in FLAGS:
            return m[0]
        return FLAGS[name] if m["bare"] else FLAGS[name] + " "

    return " ".join(
        word if any(p in word for p in kept) else _PARAMETER.sub(option, word)
        for word in text.split(" ")
    )


def _only(args: list[str]) -> typer.Typer:
    """The app with only the command `args` name: Typer reads the signature and options of
    every command it holds each time it runs (40-50 ms of `digex init`'s CPU for all of
    them, issue 19). The whole app when no single command is named (`digex --help`, an
    unknown command that Typer then suggests a name for)."""
    from typer.main import get_command_name

    name = args[0] if args else ""
    if not name or name.startswith("-"):
        return app
    commands = [
        c
        for c in app.registered_commands
        if c.callback is not None and (c.name or get_command_name(c.callback.__name__)) == name
    ]
    groups = [g for g in app.registered_groups if g.name == name]
    if len(commands) + len(groups) != 1:
        return app
    only = copy.copy(app)
    only.registered_commands, only.registered_groups = commands, groups
    return only


def main() -> None:
    try:
        _only(sys.argv[1:])()
    except DigexError as e:
        from rich.markup import escape

        text = escape(for_cli(e, protect=sys.argv[1:]))
        err().print("[bold red]error:[/]", text, highlight=False, soft_wrap=True)
        sys.exit(e.exit_code)
    except KeyboardInterrupt:
        err().print("interrupted; the store is unchanged (the transaction was not committed)")
        sys.exit(130)


from digex import cli_calendar  # noqa: E402

app.command()(cli_calendar.calendar)
app.command()(cli_calendar.log)

# -- releases (digex.cli_release) ----------------------------------------------------------------
from digex import cli_release  # noqa: E402

app.add_typer(cli_release.release_app, name="release")
FLAGS.update({"status": "--status", "publish_at": "--publish-at", "note": "--note"})

# -- release history (digex.cli_history): release list, show, diff; revisions -------------------
from digex import cli_history  # noqa: E402

FLAGS.update({"earlier": "--earlier", "later": "--later"})
cli_history.add_to(cli_release.release_app)
app.command()(cli_history.revisions)

# -- disclosure control (digex.cli_disclosure) ----------------------------------------------------
from digex import cli_disclosure  # noqa: E402

app.add_typer(cli_disclosure.disclosure_app, name="disclosure")
FLAGS.update({"disclosure": "--disclosure", "action": "--suppress"})

# -- publication (digex.cli_publish) --------------------------------------------------------------
from digex import cli_publish  # noqa: E402

app.command()(cli_publish.publish)
FLAGS.update(
    {"out": "--out", "lang": "--lang", "commentary": "--commentary", "templates": "--templates"}
)

# -- SDMX files (digex.cli_sdmx) -----------------------------------------------------------------
from digex import cli_sdmx  # noqa: E402

app.add_typer(cli_sdmx.sdmx_app, name="sdmx")
FLAGS.update({"format": "--format", "agency": "--agency"})

# -- the web service (digex.cli_serve) ------------------------------------------------------------
from digex import cli_serve  # noqa: E402

app.command()(cli_serve.serve)
FLAGS.update({"port": "--port"})

# -- seasonal adjustment (digex.cli_seasonal) -----------------------------------------------------
from digex import cli_seasonal  # noqa: E402

app.command()(cli_seasonal.seasonal)

# -- the nowcast of the full year (digex.cli_nowcast) ---------------------------------------------
from digex import cli_nowcast  # noqa: E402

app.command()(cli_nowcast.nowcast)
FLAGS.update({"months": "--months", "method": "--method"})

# -- the claim checker (digex.cli_claims) ---------------------------------------------------------
from digex import cli_claims  # noqa: E402

app.command()(cli_claims.claims)
