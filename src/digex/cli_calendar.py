"""`digex calendar` (the advance release calendar, and its iCalendar file) and `digex log` (the
audit log): two reads of the store's history that share their output formats.

Both print a table, or CSV or JSON on stdout for another program; neither imports pandas, so
that a script asking for them often does not pay for it.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Final

import typer  # noqa: TID251 (a module of the command line, registered by digex.cli)

from digex.cli import DbOption, _print_table, _table, _writing, err, out
from digex.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Sequence

FORMATS: Final = ("table", "csv", "json")
LANGS: Final = ("en", "fr", "ar")


def _day(value: str | None, option: str) -> dt.date | None:
    """A YYYY-MM-DD option, refused as a usage error before any work."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{option} {value!r}: give a day as YYYY-MM-DD") from None


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise UsageError(f"--format {fmt!r}: use one of {', '.join(FORMATS)}")


def _cell(value: Any) -> Any:
    """A value as CSV and JSON write it: days and times in ISO 8601, the rest as it is."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _print_rows(columns: Sequence[str], rows: Sequence[Sequence[Any]], fmt: str) -> None:
    from digex.publish.tidy import csv_text, json_text

    cells = [[_cell(v) for v in row] for row in rows]
    text = csv_text(columns, cells) if fmt == "csv" else json_text(columns, cells)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def calendar(
    since: Annotated[
        str | None,
        typer.Option("--from", help="First day shown, YYYY-MM-DD (default: the calendar's)."),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option("--to", help="Last day shown, YYYY-MM-DD (default: 12 months ahead)."),
    ] = None,
    ics: Annotated[
        Path | None,
        typer.Option("--ics", help="Also write the calendar as an iCalendar (.ics) file."),
    ] = None,
    lang: Annotated[str, typer.Option(help="Language of the .ics file: en, fr or ar.")] = "en",
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
    today: Annotated[
        str | None,
        typer.Option(
            help="Draw the calendar up as at the end of this day, YYYY-MM-DD (default: now).",
            hidden=True,
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """The advance release calendar: past and upcoming releases, each due by its deadline
    (from the country profile's rules), and its state: due, published, published-late or
    late. An embargoed release counts as published from its publication time.

    Example: `digex calendar --ics releases.ics --lang fr`.
    """
    from digex.api import Digex

    _check_format(fmt)
    if lang not in LANGS:
        raise UsageError(f"--lang {lang!r}: use one of {', '.join(LANGS)}")
    first, last, day = _day(since, "--from"), _day(until, "--to"), _day(today, "--today")
    if first is not None and last is not None and last < first:
        raise UsageError(f"--to {until} is before --from {since}")
    now = dt.datetime.now(dt.UTC)
    with Digex.open(db, read_only=True) as store:
        rules = store.calendar_rules()
        entries = store.calendar_entries(day or now, since=first, until=last)
        country = store.profile.code
    if ics is not None:
        from digex.releases.ical import to_ical

        text = to_ical(entries, rules, country=country, lang=lang, stamp=now)
        with _writing(ics):
            ics.write_bytes(text.encode("utf-8"))  # CRLF line ends kept as they are
    from digex.releases.calendar import COLUMNS, table_rows

    rows = table_rows(entries)
    if fmt != "table":
        _print_rows(COLUMNS, rows, fmt)
    else:
        _print_calendar(rows, rules.title.get("en", ""), rules.timezone)
    if ics is not None:
        err().print(f"{len(entries)} releases written to {ics}", highlight=False, markup=False)


def _print_calendar(rows: Sequence[Sequence[Any]], title: str, zone: dt.tzinfo) -> None:
    from rich.markup import escape

    table = _table(escape(f"{title}: release calendar (times in {zone})".lstrip(": ")))
    for col in ("period", "status", "due by", "published", "state", "release"):
        # on a narrow terminal the publication's time goes under its day, nothing is cut
        table.add_column(col, no_wrap=col != "published")
    for period, status, _, due, published, state, release in rows:
        shown = "" if published is None else f"{published.astimezone(zone):%Y-%m-%d %H:%M}"
        table.add_row(
            period, status, "" if due is None else due.isoformat(), shown, state, release or ""
        )
    _print_table(table)
    if not rows:
        out().print("no release is published or due in these days", highlight=False)


LOG_COLUMNS: Final = ("event", "at", "by", "action", "subject", "reason", "details")


def log(
    action: Annotated[
        str | None,
        typer.Option(help="Only this action: load, replace, withdraw, release or revision."),
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="Only events from this day (UTC), YYYY-MM-DD.")
    ] = None,
    limit: Annotated[
        int | None, typer.Option(help="Only the last N events (default: all).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
    db: DbOption = None,
) -> None:
    """The audit log: every load, replacement, withdrawal and release, with who made it,
    when (UTC) and why; newest last."""
    from digex.api import Digex
    from digex.store.audit import ACTIONS

    _check_format(fmt)
    if action is not None and action not in ACTIONS:
        raise UsageError(f"--action {action!r}: use one of {', '.join(ACTIONS)}")
    if limit is not None and limit < 0:
        raise UsageError(f"--limit {limit}: give 0 or more")
    day = _day(since, "--since")
    with Digex.open(db, read_only=True) as store:
        events = store.log(action=action, since=day, limit=limit, output="arrow").to_pylist()
    rows = [
        (
            e["event_id"],
            e["made_at"].replace(tzinfo=dt.UTC),  # stored in UTC: said so in files too
            e["made_by"],
            e["action"],
            e["subject"],
            e["reason"],
            # an object in JSON (not a string holding JSON); CSV writes it as the store has it
            json.loads(e["details"]) if fmt == "json" and e["details"] else e["details"],
        )
        for e in events
    ]
    if fmt != "table":
        _print_rows(LOG_COLUMNS, rows, fmt)
        return
    from rich.markup import escape  # user text (a reason, a file name) is never markup

    table = _table("Audit log (times in UTC)")
    for col in LOG_COLUMNS:
        table.add_column(col, no_wrap=col not in ("reason", "details"), overflow="fold")
    for event, at, by, what, subject, reason, details in rows:
        texts = (by, what, subject, reason or "", _brief(details))
        table.add_row(str(event), f"{at:%Y-%m-%d %H:%M}", *map(escape, texts))
    _print_table(table)
    if not rows:
        out().print("no event matches", highlight=False)


BRIEF_APART: Final = frozenset(
    {"file_name", "rows_accepted", "rows_rejected", "replaces", "reconverted"}
)
BRIEF_LEFT_OUT: Final = frozenset({"kind", "content_hash", "rows_read"})
"""Details a table shows in words, and those it leaves to `--format csv|json`."""


def _brief(details: str | None) -> str:
    """An event's details in a line: its file and counts, not every key."""
    if not details:
        return ""
    data = json.loads(details)
    parts = [str(data["file_name"])] if "file_name" in data else []
    if "rows_accepted" in data:
        parts.append(f"{data['rows_accepted']:,} accepted, {data['rows_rejected']:,} rejected")
    if data.get("replaces") is not None:
        parts.append(f"replaces {data['replaces']}")
    if isinstance(data.get("reconverted"), dict):
        parts.append(f"{data['reconverted']['rows']:,} converted again")
    others = sorted(set(data) - BRIEF_APART - BRIEF_LEFT_OUT)
    parts += [f"{k}={data[k]}" for k in others if not isinstance(data[k], dict | list)]
    return "; ".join(parts)
