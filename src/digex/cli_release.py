"""`digex release ...`: the commands that make releases (the `release` group; `release verify`
and the history commands are added to the same group by their own modules)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer  # noqa: TID251 (a command-line module: part of the CLI layer)

from digex.errors import UsageError

if TYPE_CHECKING:
    from digex.demo.run import Released
    from digex.releases.create import ReleaseInfo

release_app: typer.Typer = typer.Typer(
    help="Releases: the figures of a period frozen as published.\n\n"
    "A release holds every indicator of every cut for its period and the periods it is "
    "compared with (the months, quarters and half-years inside it, and the same a year "
    "earlier), the loads it was computed from and a copy of its inputs (profile, code lists, "
    "indicator registry), with a content hash. Nothing changes a release: later loads, "
    "--replace and withdrawals change the live store only.\n\n"
    "Its id is PERIOD.VINTAGE: 2024.1 is the first release of 2024, 2024.2 the next (a "
    "vintage), made after late or corrected data; each vintage stays readable. A period's "
    "releases go preliminary, then revised (any number), then final (the last).\n\n"
    "A release is created now and published now, or later with --publish-at (an embargo): "
    "until then the public side does not see it. Each release is also written as a read-only "
    "snapshot file beside the store (STORE.releases/ID.duckdb), which publication reads "
    "instead of the live store.",
    no_args_is_help=True,
)

# digex.cli registers `release_app` at its end: it must exist before digex.cli is imported, so
# that importing this module first (digex.cli then imports it back, half made) works too
from digex.cli import DbOption, err, out, steps  # noqa: E402


def _moment(text: str | None) -> dt.datetime | None:
    """An ISO date-time as given on the command line (UTC unless it says its offset)."""
    if text is None:
        return None
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"--publish-at {text} is not an ISO date-time; give e.g. 2025-03-31T09:00 (UTC) "
            "or 2025-03-31T10:00+01:00"
        ) from None


def _report(info: ReleaseInfo) -> None:
    when = f"{info.published_at:%Y-%m-%d %H:%M} UTC"
    published = f"embargoed until {when}" if info.embargoed else f"published {when}"
    out().print(
        f"release {info.release_id} ({info.status}, vintage {info.vintage} of {info.period}) "
        f"created {info.created_at:%Y-%m-%d %H:%M} UTC, {published}",
        highlight=False,
    )
    out().print(
        f"{info.observations:,} observations from {info.loads} loads; sha256 {info.content_hash}",
        highlight=False,
    )
    if info.snapshot is not None:
        out().print(f"snapshot: {info.snapshot}", highlight=False, soft_wrap=True)
    if info.gate:
        gate = info.gate
        seconds = info.timings.get("gate", 0.0)
        out().print(
            f"disclosure: {gate.get('suppressed', 0):,} of {gate.get('cells', 0):,} cells "
            "suppressed (with the cells earlier releases showed for the same years); gate "
            f"passed ({gate.get('audited', 0):,} audited, "
            f"{gate.get('lps', 0):,} LPs, {seconds:.2f} s)",
            highlight=False,
        )
    out().print(
        f"estimates: {info.estimates:,} rows frozen (seasonal adjustment, nowcast) in "
        f"{info.timings.get('estimates', 0.0):.2f} s",
        highlight=False,
    )
    out().print(_took(info.timings), highlight=False)
    for warning in info.warnings:
        err().print(f"[yellow]warning:[/] {warning}", highlight=False)
    if info.snapshot_error is not None:
        err().print(f"[yellow]warning:[/] no snapshot file: {info.snapshot_error}", highlight=False)


@release_app.command("create")
def create(
    period: Annotated[str, typer.Argument(help="The period: 2024, 2025-H1, 2024-Q3, 2024-03.")],
    status: Annotated[
        str,
        typer.Option(
            "--status",
            help="preliminary (a period's first figures), revised (after late or corrected "
            "data), or final (the last release of the period).",
        ),
    ],
    note: Annotated[
        str | None,
        typer.Option("--note", help="Why this release is made (kept with it and in the log)."),
    ] = None,
    publish_at: Annotated[
        str | None,
        typer.Option(
            "--publish-at",
            help="Embargo: publish at this ISO date-time (UTC unless it gives an offset); "
            "default now.",
            show_default=False,
        ),
    ] = None,
    disclosure: Annotated[
        Path | None,
        typer.Option(
            "--disclosure",
            help="Disclosure parameters (TOML; default $DIGEX_DISCLOSURE, else the documented "
            "defaults). Keep the file out of the data's repository: offices keep them secret.",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Freeze the figures of PERIOD as a release: in the store, with a content hash, and in a
    read-only snapshot file beside it.

    Disclosure control runs first: cells that would reveal a firm are suppressed (with the
    complements that keep them from being derived), and the release gate proves the pattern.
    A failing gate refuses the release (exit 3) and names the cells: suppress one more cell
    with `digex disclosure override add`, or publish that table on a coarser grid."""
    from digex.api import Digex

    moment = _moment(publish_at)
    with Digex.open(db) as store, steps(f"release {period} ({status})") as step:
        info = store.create_release(
            period, status, note=note, publish_at=moment, disclosure=disclosure, progress=step
        )
    _report(info)


@release_app.command("snapshot")
def snapshot(
    release_id: Annotated[str, typer.Argument(help="The release, e.g. 2024.1.")],
    db: DbOption = None,
) -> None:
    """Write a release's snapshot file again from the store (when creating the release could
    not write it). An existing snapshot is never replaced."""
    from digex.api import Digex

    with Digex.open(db) as store:
        path = store.write_release_snapshot(release_id)
    out().print(f"snapshot of {release_id}: {path}", highlight=False, soft_wrap=True)


def print_demo_releases(released: Released) -> None:
    """The demo's releases as a table, and the late file loaded between them."""
    from digex.cli import _print_table, _table

    late = released.late
    out().print(
        f"late file {late.file.name}: {late.rows_accepted} declarations (load {late.load_id})",
        highlight=False,
    )
    table = _table(f"Releases ({released.seconds:.1f} s; see `digex release --help`)")
    for name in ("release", "status", "created (UTC)", "published (UTC)", "observations"):
        table.add_column(name, justify="right" if name == "observations" else "left")
    for info in released.releases:
        table.add_row(
            info.release_id,
            info.status,
            f"{info.created_at:%Y-%m-%d %H:%M}",
            f"{info.published_at:%Y-%m-%d %H:%M}",
            f"{info.observations:,}",
        )
    _print_table(table)
    for info in released.releases:  # the public summary: counts only, nothing about a cell
        summary = ", ".join(f"{k} {v:,}" for k, v in info.gate.items())
        seconds = info.timings.get("gate", 0.0)
        out().print(
            f"gate of {info.release_id}: passed in {seconds:.2f} s ({summary}); "
            f"{info.estimates:,} estimates frozen in {info.timings.get('estimates', 0.0):.2f} s",
            highlight=False,
            soft_wrap=True,
        )
    missing = {rid: figures for rid, figures in released.unpublished.items() if figures}
    if missing:
        for rid, figures in missing.items():
            err().print(
                f"[yellow]warning:[/] release {rid} does not publish {', '.join(figures)}",
                highlight=False,
            )
    else:
        out().print(
            "every release publishes the total and the five segments' levels and shares",
            highlight=False,
        )


# -- release verify (digex.releases.verify) --------------------------------------------------------
@release_app.command("verify")
def verify(
    release_id: Annotated[str, typer.Argument(help="The release, e.g. 2024.1.")],
    show: Annotated[
        int, typer.Option("--show", help="Differences listed (all are counted).", min=0)
    ] = 20,
    db: DbOption = None,
) -> None:
    """Check a release: its rows give the hash recorded when it was made, every observation
    recomputed from its frozen inputs (the loads it names, as they were, and its profile) is
    identical, and its snapshot file gives the same hash. Exit code 0 when all hold, 3 when
    one fails."""
    from digex.api import Digex
    from digex.cli import _print_table, _table

    with Digex.open(db, read_only=True) as store:
        found = store.verify_release(release_id, shown=show)
    marks = {True: "ok", False: "FAILED", None: "skipped"}
    for check in found.checks:
        out().print(f"{check.name:<11} {marks[check.passed]:<8} {check.detail}", highlight=False)
    if found.differences:
        table = _table(f"First {len(found.differences)} differences (released -> recomputed)")
        for column in ("indicator", "freq", "period", "cut", "member", "flow", "field"):
            table.add_column(column)
        table.add_column("released", justify="right")
        table.add_column("recomputed", justify="right")
        for d in found.differences:
            table.add_row(*d.key, d.kind, d.released or "-", d.recomputed or "-")
        _print_table(table)
    for note in found.notes:
        err().print(f"note: {note}", highlight=False, soft_wrap=True)
    found.raise_if_failed()
    # a snapshot file that is absent is no doubt on the release; a check of its rows or figures
    # that could not run is, and the last line must not claim more than was checked
    unchecked = [c.name for c in found.checks if c.passed is None and c.name != "snapshot"]
    if unchecked:
        out().print(
            f"release {release_id}: no check failed, but not verified whole "
            f"({', '.join(unchecked)} skipped: see above)",
            highlight=False,
        )
        return
    out().print(f"release {release_id} verified: identical", highlight=False)


def _took(timings: dict[str, float]) -> str:
    """Where a release's time went: the figures, disclosure control, the estimates, storing."""
    from digex.releases.create import DISCLOSURE_STEPS

    disclosure = sum(timings.get(step, 0.0) for step in DISCLOSURE_STEPS)
    parts = {
        "observations": timings.get("observations", 0.0),
        "disclosure control": disclosure,
        "estimates": timings.get("estimates", 0.0),
        "storing and snapshot": timings.get("write", 0.0),
    }
    return "time: " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in parts.items())
