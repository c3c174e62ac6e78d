"""`digex claims TEXT_FILE`: the figures a press text quotes, checked against the releases."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer  # noqa: TID251 (a command-line module: part of the CLI layer)

from digex.cli import DbOption, out
from digex.errors import ClaimsInconsistent, UsageError

if TYPE_CHECKING:
    from digex.claims.check import Report
    from digex.publish.figures import ReleaseFigures

FORMATS = ("table", "json")
STYLE = {"consistent": "green", "inconsistent": "bold red", "not checkable": "yellow"}


def _text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as e:
        raise UsageError(f"cannot read the text file {path}: {e.strerror or e}") from e
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise UsageError(
            f"{path} is not UTF-8 text (byte {e.start}): save it as UTF-8 and run again"
        ) from e


def served_releases(store: Path, release: str | None = None) -> list[ReleaseFigures]:
    """The release named (with the releases it revises, which `open_release` reads as its
    `previous`), or every release of the store whose disclosure gate passed, each read from
    its snapshot."""
    from digex.errors import NotPublished
    from digex.publish.figures import open_release
    from digex.store import Store, releases
    from digex.store import disclosure as served

    if release is not None:
        return [open_release(store, release)]
    with Store(store, read_only=True) as s, s.reading() as con:
        ids = []
        for rid in releases.ids(con):
            try:
                served.require_served(con, rid)
            except NotPublished:
                continue
            ids.append(rid)
    return [open_release(store, rid) for rid in ids]


def _table(report: Report) -> None:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"claims ({report.lang}): {report.counts()}", show_lines=True)
    for name in ("sentence", "claim", "verdict", "official", "cause"):
        table.add_column(name, overflow="fold")
    for v in report.verdicts:
        c = v.claim
        head, found, tail = c.sentence.partition(c.text)
        quoted = escape(head) + (f"[bold]{escape(found)}[/bold]" if found else "") + escape(tail)
        where = f"{c.kind}, {c.subject.member}, {c.period.label if c.period else '?'}"
        cause = " - ".join(x for x in (v.cause, v.explanation) if x)
        table.add_row(
            f"“{quoted}”",
            escape(f"{c.text} ({where})"),
            f"[{STYLE[v.status]}]{v.status}[/]",
            escape(v.official or ""),
            escape(cause + (f" [{v.release}]" if v.release else "")),
        )
    out().print(table)


def claims(
    text_file: Annotated[Path, typer.Argument(help="The text to check (UTF-8).")],
    release: Annotated[
        str | None,
        typer.Option(
            "--release",
            help="Check against this release (default: each claim against the latest "
            "release holding its figure).",
        ),
    ] = None,
    lang: Annotated[
        str, typer.Option("--lang", help="The text's language: auto, ar, fr or en.")
    ] = "auto",
    output: Annotated[str, typer.Option("--format", help="table (default) or json.")] = "table",
    db: DbOption = None,
) -> None:
    """Check every number TEXT_FILE quotes (levels, growth, shares, points, counts) against
    the published releases' public figures: consistent (within the rounding of the quoted
    figure), inconsistent (with the official value and the likely cause) or not checkable.
    Exit status 3 when a claim is inconsistent."""
    from digex import settings
    from digex.claims.check import check_text

    if output not in FORMATS:
        raise UsageError(f"format={output}: give table or json").naming(format=output)
    if lang not in ("auto", "ar", "fr", "en"):
        raise UsageError(f"lang={lang}: give auto, ar, fr or en").naming(lang=lang)
    text = _text(text_file)
    store = db or settings.default_path()
    report = check_text(text, served_releases(store, release), release=release, lang=lang)
    if output == "json":
        sys.stdout.write(json.dumps(report.as_json(), ensure_ascii=False, indent=2) + "\n")
    else:
        _table(report)
    if report.inconsistent:
        n = report.counts()["inconsistent"]
        raise ClaimsInconsistent(
            f"{n} claim(s) of {text_file} are inconsistent with the published figures "
            "(listed above with the official value and the likely cause)"
        )
