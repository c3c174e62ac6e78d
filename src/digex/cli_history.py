"""The history commands: `release list`, `release show ID`, `release diff OLD NEW` (added to
the `release` group) and `revisions INDICATOR`. Each parses its options, makes one call to the
API (`Digex.releases`, `release`, `release_diff`, `revision_analysis`) and renders the result:
a table for people, CSV or JSON for programs (`--format`, as `digex indicators`)."""

from __future__ import annotations

import datetime as dt
import json
import math
import sys
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Final

import typer  # noqa: TID251 (a command-line module, like digex.cli)

from digex.cli import (
    CONFIDENTIAL_HELP,
    SHORT_HASH,
    WIDE,
    DbOption,
    _print_table,
    _table,
    _writing,
    out,
    warn_confidential,
)
from digex.errors import UsageError

if TYPE_CHECKING:
    import pandas as pd

    from digex.releases.analysis import Analysis, SeriesAnalysis
    from digex.releases.diff import ReleaseDiff
    from digex.releases.show import ReleaseDetails

FORMATS: Final = ("table", "csv", "json")
FormatOption = Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")]
OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="File to write (csv or json).")
]
WideOption = Annotated[bool, typer.Option("--wide", help="Table: every column, full hashes.")]
EmbargoedOption = Annotated[
    bool,
    typer.Option("--embargoed", help="Show a release still under embargo (staff only)."),
]
ConfidentialOption = Annotated[
    bool, typer.Option("--confidential", help=CONFIDENTIAL_HELP, show_default=False)
]
DIFF_ROWS: Final = 200
"""Rows of a diff a table shows (csv and json hold them all)."""


def _check_format(fmt: str, output: Path | None) -> None:
    if fmt not in FORMATS:
        raise UsageError(f"--format {fmt!r}: use one of {', '.join(FORMATS)}")
    if fmt == "table" and output is not None:
        raise UsageError("--output needs --format csv or json")


def _plain(value: object) -> object:
    """A cell as csv and json write it: Python numbers (a Decimal as its float), text for
    times, None for anything missing."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return None if value.is_nan() else float(value)
    item = getattr(value, "item", None)  # a NumPy scalar
    if callable(item) and not isinstance(value, dt.datetime):
        value = item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if type(value).__name__ in ("NAType", "NaTType"):
        return None
    return value


def _records(frame: pd.DataFrame) -> tuple[tuple[str, ...], list[tuple[object, ...]]]:
    """The frame's rows as plain Python values, a column at a time (a diff may have hundreds
    of thousands of rows): a Decimal as its float, anything missing as None."""
    values = []
    for name in frame.columns:
        column = frame[name]
        if column.dtype == object and any(isinstance(v, Decimal) for v in column):
            values.append([_plain(v) for v in column])
        else:
            values.append(column.astype(object).where(column.notna(), None).tolist())
    return tuple(str(c) for c in frame.columns), list(zip(*values, strict=True))


def _emit_text(text: str, output: Path | None, count: int) -> None:
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    with _writing(output):
        output.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    out().print(f"{count:,} rows written to {output}")


def _emit_frame(frame: pd.DataFrame, fmt: str, output: Path | None) -> None:
    """A frame as CSV or JSON (the writers of `digex indicators`)."""
    from digex.publish.tidy import Rows, csv_rows, csv_text, json_text

    columns, rows = _records(frame)
    if fmt == "csv":
        shown = csv_rows(Rows(columns, rows))
        text = csv_text(shown.columns, shown.rows)
    else:
        text = json_text(columns, rows)
    _emit_text(text, output, len(rows))


def _json_object(parts: dict[str, Any]) -> str:
    """Several tables and values as one JSON object (frames as arrays of records)."""
    import pandas as pd

    def encode(value: Any) -> Any:
        if isinstance(value, pd.DataFrame):
            columns, rows = _records(value)
            return [dict(zip(columns, map(_plain, row), strict=True)) for row in rows]
        if isinstance(value, dict):
            return {str(k): encode(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [encode(v) for v in value]
        return _plain(value)

    return json.dumps(encode(parts), ensure_ascii=False, indent=1)


def _id(value: object) -> str:
    """A load id read from a nullable column (pandas gives 2.0 or NaN): 2, or empty."""
    plain = _plain(value)
    return "" if plain is None else str(int(plain))  # type: ignore[call-overload]


def _when(value: object) -> str:
    return "" if value is None else f"{value:%Y-%m-%d %H:%M}"


# -- release list ---------------------------------------------------------------------------
def release_list(
    fmt: FormatOption = "table",
    output: OutputOption = None,
    wide: WideOption = False,
    db: DbOption = None,
) -> None:
    """List the releases: id (marked † when it is not served publicly: its release gate
    failed or never ran), period, status, vintage, created, published (an embargoed one
    marked), by whom, observations, content hash, note."""
    from digex.api import Digex

    _check_format(fmt, output)
    with Digex.open(db, read_only=True) as store:
        frame = store.releases()
    if fmt != "table":
        _emit_frame(frame, fmt, output)
        return
    rows = [
        {
            "release": str(r["release_id"]) + ("" if r["gate"] == "passed" else "†"),
            "period": str(r["period"]),
            "status": str(r["status"]),
            "v": str(r["vintage"]),
            "created": _when(r["created_at"]) if wide else f"{r['created_at']:%Y-%m-%d}",
            "published": _when(r["published_at"]) + ("*" if r["embargoed"] else ""),
            "by": str(r["created_by"]),
            "obs.": f"{r['observations']:,}",
            "hash": str(r["content_hash"]) if wide else str(r["content_hash"])[:SHORT_HASH],
            "note": str(_plain(r["note"]) or ""),
        }
        for r in frame.to_dict("records")
    ]
    title = f"{len(frame)} releases" if len(frame) != 1 else "1 release"
    columns = [*LIST_COLUMNS, *(["note"] if wide else [])]
    table = _list_table(title, columns, rows, wide)
    left_out: list[str] = []
    width = out().width
    for column in () if wide else LIST_LEFT_OUT:
        if _natural_width(table) <= width:
            break
        columns.remove(column)
        left_out.append(column)
        table = _list_table(title, columns, rows, wide)
    _print_table(table, wide)
    if not wide:  # notes below the table: a table with them would fold every cell
        for r in frame.to_dict("records"):
            if _plain(r["note"]):
                out().print(f"{r['release_id']}: {r['note']}", highlight=False, markup=False)
    if frame["embargoed"].any():
        out().print("* embargoed: not public before its publication time (UTC)")
    if (frame["gate"] != "passed").any():
        out().print(
            "† not served publicly: its latest release gate failed, or it was made before "
            "disclosure control (`digex disclosure audit RELEASE` runs the gate again)",
            highlight=False,
        )
    if left_out:
        out().print(
            f"left out at this width: {', '.join(left_out)} (--wide, or a wider terminal, "
            "shows them)",
            highlight=False,
        )
    if frame.empty:
        out().print("no release yet: `digex release create PERIOD --status preliminary`")


LIST_COLUMNS: Final = (
    "release", "period", "status", "v", "created", "published", "by", "obs.", "hash"
)  # fmt: skip
LIST_LEFT_OUT: Final = ("v", "period", "created", "by", "hash")
"""The columns `release list` leaves out, in this order, until its table fits the terminal
(the vintage and the period are in the release id; the hash is `release show`'s too): a
column squeezed by the terminal would be cut, and a number must never be (87,4 for 87,492)."""
LIST_NUMBERS: Final = ("v", "obs.")


def _list_table(title: str, columns: list[str], rows: list[dict[str, str]], wide: bool) -> Any:
    """The `release list` table with `columns`: numbers on one line, always whole; text may
    fold when even the fewest columns are wider than the terminal."""
    table = _table(title)
    for col in columns:
        table.add_column(
            col,
            justify="right" if col in LIST_NUMBERS else "left",
            no_wrap=wide or col in LIST_NUMBERS or col == "hash",
            overflow="fold",
            min_width=8 if col == "note" else None,
        )
    for row in rows:
        table.add_row(*(row[col] for col in columns))
    return table


def _natural_width(table: Any) -> int:
    """The columns `table` takes when nothing is squeezed."""
    from rich.console import Console
    from rich.measure import Measurement

    console = Console(width=WIDE)
    return Measurement.get(console, console.options, table).maximum


# -- release show ---------------------------------------------------------------------------
SHOWN_METADATA: Final = (
    ("release", "release_id"),
    ("period", "period"),
    ("frequency", "freq"),
    ("vintage", "vintage"),
    ("status", "status"),
    ("note", "note"),
    ("created", "created_at"),
    ("created by", "created_by"),
    ("published", "published_at"),
    ("digex", "digex_version"),
    ("profile", "profile"),
    ("profile version", "profile_version"),
    ("profile sha256", "profile_sha256"),
    ("code lists", "codelists_version"),
    ("last load", "last_load_id"),
    ("last conversion", "last_conversion_id"),
    ("observations", "observations"),
    ("content hash", "content_hash"),
)


def release_show(
    release_id: Annotated[str, typer.Argument(help="A release id, e.g. 2024.1 (release list).")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    output: OutputOption = None,
    embargoed: EmbargoedOption = False,
    confidential: ConfidentialOption = False,
    db: DbOption = None,
) -> None:
    """Show one release: its metadata, the loads it used (files and hashes), the inputs it
    froze and its observations counted by indicator (suppressed: hidden by disclosure
    control). One under embargo: staff only, with --embargoed; one whose release gate has
    not passed, and the internal inputs: staff only, with --confidential."""
    from digex.api import Digex

    if fmt not in ("table", "json"):
        raise UsageError(f"--format {fmt!r}: use table or json")
    _check_format(fmt, output)
    if confidential:
        warn_confidential()
    with Digex.open(db, read_only=True) as store:
        info = store.release(release_id, embargoed=embargoed, confidential=confidential)
    if fmt == "json":
        parts = {"release": info.metadata, "loads": info.loads, "inputs": info.inputs}
        _emit_text(_json_object({**parts, "counts": info.counts}), output, 1)
        return
    _print_release(info)


def _print_release(info: ReleaseDetails) -> None:
    meta = info.metadata
    head = _table(f"Release {info.release_id}", show_header=False)
    head.add_column("field", no_wrap=True)
    head.add_column("value", overflow="fold")
    for label, key in SHOWN_METADATA:
        value = meta[key]
        text = _when(value) if isinstance(value, dt.datetime) else str(value)
        if key == "published_at" and meta["embargoed"]:
            text += " (embargoed: not public yet)"
        head.add_row(label, "" if value is None else text)
    out().print(head)
    loads = _table(f"Loads used ({len(info.loads)})")
    for col in ("load", "kind", "file", "accepted", "rejected", "replaces", "sha256"):
        loads.add_column(col, justify="right" if col in ("accepted", "rejected") else "left")
    for r in info.loads.to_dict("records"):
        loads.add_row(
            str(r["load_id"]),
            str(r["kind"]),
            str(r["file_name"]),
            f"{r['rows_accepted']:,}",
            f"{r['rows_rejected']:,}",
            _id(r["replaces"]),
            str(r["content_hash"]),
        )
    out().print(loads)
    inputs = _table(f"Inputs frozen ({len(info.inputs)})")
    for col in ("name", "bytes", "sha256"):
        inputs.add_column(col, justify="right" if col == "bytes" else "left")
    for r in info.inputs.to_dict("records"):
        inputs.add_row(str(r["name"]), f"{r['bytes']:,}", str(r["sha256"]))
    out().print(inputs)
    counts = _table("Observations by indicator")
    for col in ("indicator", "observations", "periods", "missing", "suppressed", "cuts"):
        counts.add_column(col, justify="left" if col in ("indicator", "cuts") else "right")
    for r in info.counts.to_dict("records"):
        counts.add_row(
            str(r["indicator"]),
            f"{r['observations']:,}",
            str(r["periods"]),
            f"{r['missing']:,}",
            f"{r['suppressed']:,}",
            str(r["cuts"]),
        )
    out().print(counts)


# -- release diff ---------------------------------------------------------------------------
def release_diff(
    old: Annotated[str, typer.Argument(help="The older release, e.g. 2024.1.")],
    new: Annotated[str, typer.Argument(help="The newer release, e.g. 2024.2.")],
    indicator: Annotated[
        list[str] | None,
        typer.Option("--indicator", "-i", help="Only these indicator ids (repeatable)."),
    ] = None,
    by: Annotated[
        str, typer.Option(help="Cut: total, segment, ebops, partner, region, currency, or all.")
    ] = "all",
    freq: Annotated[str | None, typer.Option(help="Only A, H, Q or M periods.")] = None,
    period: Annotated[
        list[str] | None, typer.Option("--period", "-p", help="Only these periods (repeatable).")
    ] = None,
    flow: Annotated[
        list[str] | None, typer.Option(help="Only X (exports) or M (imports); repeatable.")
    ] = None,
    every: Annotated[
        bool, typer.Option("--all", help="Also the observations whose value did not change.")
    ] = False,
    fmt: FormatOption = "table",
    output: OutputOption = None,
    wide: Annotated[
        bool, typer.Option("--wide", help=f"Table: every row (not only {DIFF_ROWS}), the cut.")
    ] = False,
    embargoed: EmbargoedOption = False,
    confidential: ConfidentialOption = False,
    db: DbOption = None,
) -> None:
    """Compare two releases, by indicator and cut: old and new values, the change (in the
    indicator's unit and % for levels, in percentage points for shares, growth rates and
    ratios in %), members that appeared or vanished; and why: the loads that differ, the
    frozen inputs that differ. A release under embargo: staff only, with --embargoed. A
    value suppressed by disclosure control is missing, unless --confidential (staff)."""
    from digex.api import Digex

    _check_format(fmt, output)
    if confidential:
        warn_confidential()
    with Digex.open(db, read_only=True) as store:
        d = store.release_diff(
            old,
            new,
            indicators=indicator,
            by=by,
            freq=freq,
            period=period,
            flow=flow,
            changed_only=not every,
            embargoed=embargoed,
            confidential=confidential,
        )
    if fmt == "csv":
        _emit_frame(d.rows, fmt, output)
    elif fmt == "json":
        parts = {"old": d.old, "new": d.new, "rows": d.rows, "loads": d.loads}
        text = _json_object({**parts, "inputs": d.inputs, "settings": d.settings})
        _emit_text(text, output, len(d.rows))
    else:
        _print_diff(d, wide, every)


def _change(indicator: str, value: object, unit: str, unit_mult: int) -> str:
    """A change in the indicator's own scale with one decimal more than its values (a
    revision is smaller than the figure it revises), signed; empty when there is none."""
    from digex.indicators.registry import registry
    from digex.publish.rounding import round_half_up

    number = _plain(value)
    if not isinstance(number, int | float):
        return ""
    mult, decimals = registry().presentation(indicator, unit)
    exact = Decimal(repr(float(number))).scaleb(unit_mult - mult)
    rounded = round_half_up(exact, decimals + 1)
    return f"{rounded:+,.{decimals + 1}f}" if rounded != 0 else f"{0:.{decimals + 1}f}"


def _print_diff(d: ReleaseDiff, wide: bool, every: bool) -> None:
    from digex.publish.display import member_label, shown_value

    rows = d.rows
    what = "observations" if every else "observations changed, appeared or vanished"
    table = _table(f"{d.old} → {d.new}: {len(rows):,} {what}")
    cols = ["indicator", *(["cut"] if wide else []), "period", "member", "flow", "old", "new"]
    cols += ["unit", "change", "%"]
    for col in cols:
        right = col in ("old", "new", "change", "%")
        table.add_column(col, justify="right" if right else "left", no_wrap=col != "member")
    shown = rows if wide else rows.head(DIFF_ROWS)
    for r in shown.to_dict("records"):
        ind, unit, mult = str(r["indicator"]), str(r["unit"]), int(r["unit_mult"])
        old_text, label = shown_value(ind, _plain(r["old_value"]), unit, mult, own_scale=True)
        new_text, _ = shown_value(ind, _plain(r["new_value"]), unit, mult, own_scale=True)
        if r["presence"] == "appeared":
            old_text = "(new)"
        if r["presence"] == "vanished":
            new_text = "(gone)"
        change = _change(ind, r["change"], unit, mult)
        if r["measure"] == "pp" and change:
            change += " pp"
        pct = _plain(r["change_pct"])
        table.add_row(
            ind,
            *([str(r["cut"])] if wide else []),
            str(r["period"]),
            member_label(str(r["cut"]), str(r["member"])),
            str(r["flow"]),
            old_text,
            new_text,
            label,
            change,
            "" if not isinstance(pct, float) else f"{pct:+.2f}",
        )
    out().print(table)
    if len(shown) < len(rows):
        out().print(f"… {len(rows) - len(shown):,} more: --wide, or --format csv")
        _print_summary(d)
    for line in why_lines(d):
        out().print(line, highlight=False, markup=False)


def _print_summary(d: ReleaseDiff) -> None:
    """The counts by indicator and cut, when the table could not show every row."""
    table = _table("By indicator and cut")
    for col in ("indicator", "cut", "changed", "appeared", "vanished"):
        table.add_column(col, justify="left" if col in ("indicator", "cut") else "right")
    for r in d.summary().to_dict("records"):
        table.add_row(
            str(r["indicator"]),
            str(r["cut"]),
            *(f"{int(r[c]):,}" for c in ("changed", "appeared", "vanished")),
        )
    out().print(table)


def why_lines(d: ReleaseDiff) -> list[str]:
    """The reasons, one line each: loads, frozen inputs, recorded settings."""
    lines = [f"Why {d.old} and {d.new} differ:"]
    added = d.loads[d.loads["side"] == "new"].to_dict("records")
    gone = d.loads[d.loads["side"] == "old"].to_dict("records")
    for r in added:
        replaces = _id(r["replaces"])
        how = "a new file"
        if replaces:
            how = f"replaces load {replaces}" + (f" (used by {d.old})" if r["replaces_old"] else "")
        lines.append(f"  + load {r['load_id']} {r['file_name']} ({r['kind']}): {how}")
    for r in gone:
        by = _id(r["replaced_by"])
        how = "no longer in force"
        if by:
            how = f"replaced by load {by}"
        elif r["withdrawn"]:
            how = "withdrawn"
        lines.append(f"  - load {r['load_id']} {r['file_name']} ({r['kind']}): {how}")
    if not added and not gone:
        lines.append("  the same loads")
    changed = d.inputs[~d.inputs["same"].astype(bool)].to_dict("records")
    for r in changed:
        if _plain(r["old_sha256"]) is None:
            lines.append(f"  input {r['name']}: only in {d.new}")
        elif _plain(r["new_sha256"]) is None:
            lines.append(f"  input {r['name']}: only in {d.old}")
        else:
            lines.append(f"  input {r['name']}: its frozen copies differ")
    if not changed:
        lines.append("  the same frozen inputs (profile, code lists, registry)")
    for name, (before, after) in d.settings.items():
        lines.append(f"  {name}: {before} → {after}")
    return lines


# -- revisions ------------------------------------------------------------------------------
def revisions(
    indicator: Annotated[str, typer.Argument(help="Indicator id, e.g. LEVEL or GROWTH_YOY.")],
    by: Annotated[
        str, typer.Option(help="Cut: total, segment, ebops, partner, region or currency.")
    ] = "total",
    member: Annotated[
        str | None, typer.Option(help="Only this member of the cut (e.g. ITO, FR).")
    ] = None,
    freq: Annotated[str, typer.Option(help="A, H, Q or M.")] = "A",
    flow: Annotated[str, typer.Option(help="X (exports) or M (imports).")] = "X",
    earlier: Annotated[
        str, typer.Option(help="The estimate revised: first, or N (the N-th published).")
    ] = "first",
    later: Annotated[
        str, typer.Option(help="The estimate it is compared with: latest, or N.")
    ] = "latest",
    triangle: Annotated[
        bool, typer.Option("--triangle", help="csv/json: the triangle instead of the statistics.")
    ] = False,
    fmt: FormatOption = "table",
    output: OutputOption = None,
    confidential: ConfidentialOption = False,
    db: DbOption = None,
) -> None:
    """Revision analysis of one indicator over every published release: the revision
    triangle (each release's value for each period) and, per member of the cut, the mean
    revision, mean absolute revision, relative MAR, the share of revisions with the mean's
    sign and a t-test of mean revision = 0 (plain and HAC).

    A value suppressed by disclosure control is skipped (as a missing one), unless
    --confidential (staff only).

    Example: `digex revisions LEVEL --by segment --freq H`.
    """
    from digex.api import Digex

    _check_format(fmt, output)
    if confidential:
        warn_confidential()
    with Digex.open(db, read_only=True) as store:
        analysis = store.revision_analysis(
            indicator,
            by=by,
            member=member,
            freq=freq,
            flow=flow,
            earlier=earlier,
            later=later,
            confidential=confidential,
        )
    if fmt != "table":
        if triangle:
            _emit_frame(analysis.triangle_frame().reset_index(), fmt, output)
        else:
            _emit_frame(analysis.stats_frame(), fmt, output)
        return
    _print_analysis(analysis)


def _print_analysis(a: Analysis) -> None:
    series = f"{a.indicator}, {a.cut}, flow {a.flow}, frequency {a.freq}"
    if not a.series:
        out().print(f"no published release carries {series}", highlight=False)
        return
    label = shown_value_label(a)
    out().print(
        f"Revision triangles of {series} ({label}): each release's value for each period, "
        "releases in publication order",
        highlight=False,
        markup=False,
    )
    for s in a.series:
        _print_triangle(a, s)
    _print_stats(a)
    counted = {s.member: s.not_counted() for s in a.series}
    gone = {s.member: s.gone for s in a.series}
    for member, periods in counted.items():
        if periods:
            listed = ", ".join(
                f"{p} ({n} published"
                + (f", gone in {', '.join(gone[member][p])})" if gone[member].get(p) else ")")
                for p, n in periods.items()
            )
            why = "too few published values for the estimates compared"
            if any(gone[member].get(p) for p in periods):
                why += " (or the member gone from the release compared)"
            out().print(f"{member}: not counted, {why}: {listed}", highlight=False, markup=False)


def shown_value_label(a: Analysis) -> str:
    """The unit the triangle and the statistics are shown in (bn MAD, %)."""
    from digex.publish.display import shown_value

    return shown_value(a.indicator, 0, a.unit, 0, own_scale=True)[1]


def _print_triangle(a: Analysis, s: SeriesAnalysis) -> None:
    from digex.publish.display import member_label, shown_value

    unit = a.unit
    ids = [v.id for v in s.triangle.vintages]
    table = _table(member_label(a.cut, s.member))
    table.add_column("period", no_wrap=True)
    for rid in ids:
        table.add_column(rid, justify="right", no_wrap=True)
    for period in s.periods():
        values = s.published[period]
        cells = [
            shown_value(a.indicator, values[rid], unit, 0, own_scale=True)[0]
            if rid in values
            else ""
            for rid in ids
        ]
        table.add_row(period, *cells)
    out().print(table)


def _print_stats(a: Analysis) -> None:
    from digex.publish.display import member_label, shown_value

    unit = a.unit
    first = "first" if a.earlier == 0 else f"estimate {a.earlier + 1}"
    last = "latest" if a.later == -1 else f"estimate {a.later + 1}"
    table = _table(f"Revisions {first} → {last}")
    cols = ("member", "n", "MR", "MAR", "RMAR %", "same sign %", "t", "p", "t HAC", "p HAC")
    for col in cols:
        table.add_column(col, justify="left" if col == "member" else "right", no_wrap=True)

    def number(value: object, digits: int) -> str:
        return "" if value is None else f"{float(value):.{digits}f}"  # type: ignore[arg-type]

    def share(value: Decimal | None) -> str:
        return "" if value is None else f"{value * 100:.1f}"

    for s in a.series:
        st = s.stats
        test, hac = st.t_plain, st.t_hac
        table.add_row(
            member_label(a.cut, s.member),
            str(st.n),
            _amount(a.indicator, st.mean_revision, unit, shown_value),
            _amount(a.indicator, st.mean_absolute_revision, unit, shown_value),
            share(st.relative_mean_absolute_revision),
            share(st.share_same_sign_as_mean),
            number(None if test is None else test.statistic, 2),
            number(None if test is None else test.p_value, 3),
            number(None if hac is None else hac.statistic, 2),
            number(None if hac is None else hac.p_value, 3),
        )
    out().print(table)
    out().print(
        f"MR, MAR in {shown_value_label(a)}; RMAR = MAR over the mean absolute later estimate; "
        "HAC: Newey-West standard error, Bartlett weights, 2 lags (n - 1 when fewer); "
        "a period published once is not revised",
        highlight=False,
        markup=False,
    )


def _amount(indicator: str, value: Decimal | None, unit: str, shown: Any) -> str:
    if value is None:
        return ""
    text: str = shown(indicator, value, unit, 0, own_scale=True)[0]
    return text


def add_to(release: typer.Typer) -> None:
    """Add `list`, `show` and `diff` to the `release` command group."""
    release.command("list")(release_list)
    release.command("show")(release_show)
    release.command("diff")(release_diff)
