"""`digex seasonal PERIOD`: the seasonally adjusted series of the total (and of each member of a
cut), with the method, the model, the calendar effects kept and the main diagnostics of each.

It adjusts the live store's series, each with a spec chosen now; freezing specs and adjusted
series with a release (and only its published series) is the release's job, not this one's.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated, Any, Final

import typer  # noqa: TID251 (a module of the command line, registered by digex.cli)

from digex.cli import DbOption, _table, err, out
from digex.errors import AdjustmentFailed, UsageError

if TYPE_CHECKING:
    import pandas as pd

    from digex.timeseries.adjust import Adjusted
    from digex.timeseries.holidays import CalendarEffects

FORMATS: Final = ("table", "json")
SHOWN: Final = 12
"""Periods printed per series: the last year of a monthly series."""
EFFECT_NAMES: Final = {
    "working_days": "working days",
    "ramadan": "Ramadan",
    "eid_al_fitr": "Eid al-Fitr",
    "eid_al_adha": "Eid al-Adha",
}


def _through(period: str, freq: str) -> pd.Period:
    """PERIOD at `freq`: a month 2025-06 (M) or a quarter 2025-Q2 (Q)."""
    import re

    import pandas as pd

    if freq == "M" and re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", period):
        return pd.Period(period, freq="M")
    if freq == "Q" and (m := re.fullmatch(r"(\d{4})-?Q([1-4])", period)):
        return pd.Period(f"{m[1]}Q{m[2]}", freq="Q")
    wanted = "a month, e.g. 2025-06" if freq == "M" else "a quarter, e.g. 2025-Q2"
    raise UsageError(f"PERIOD {period!r} at frequency {freq}: give {wanted}")


def _effects(db: Any) -> tuple[CalendarEffects | None, str | None, str]:
    """The calendar effects of the store's profile (and its currency); a store made before
    profiles stated them reads those of the installed profile of its country (said in a
    note)."""
    from digex.api import Digex
    from digex.errors import ProfileError
    from digex.profile import load_profile

    with Digex.open(db, read_only=True) as store:
        profile = store.profile
    if profile.calendar_effects is not None:
        return profile.calendar_effects, None, profile.national_currency
    try:
        installed = load_profile(profile.code)
    except ProfileError:
        installed = None
    if installed is None or installed.calendar_effects is None:
        note = f"the country profile {profile.label} states no calendar effects: none used"
        return None, note, profile.national_currency
    note = (
        f"the store's profile {profile.label} states no calendar effects: those of the "
        f"installed {installed.label} are used"
    )
    return installed.calendar_effects, note, profile.national_currency


def _effect_text(adjusted: Adjusted) -> str:
    kept = [
        f"{EFFECT_NAMES[k]} (t {e.t:.1f})" for k, e in adjusted.effects.items() if k in EFFECT_NAMES
    ]
    return ", ".join(kept) if kept else "none significant"


def _last(adjusted: Adjusted) -> pd.DataFrame:
    import pandas as pd

    frame = pd.DataFrame(
        {
            "raw": adjusted.raw,
            "adjusted": adjusted.adjusted,
            "trend": adjusted.trend,
            "seasonal": adjusted.seasonal,
        }
    )
    return frame.tail(SHOWN)


def _json_of(cut: str, member: str, adjusted: Adjusted) -> dict[str, Any]:
    from digex.timeseries.adjust import period_label

    rows = [
        {"period": period_label(period), **{k: float(v) for k, v in row.items()}}
        for period, row in _last(adjusted).iterrows()
    ]
    return {"cut": cut, "member": member, **adjusted.record(), "recent": rows}


def _print_one(member: str, adjusted: Adjusted, currency: str) -> None:
    from rich.markup import escape

    from digex.timeseries.adjust import period_label

    kind = "multiplicative" if adjusted.spec.transform == "log" else "additive"
    method = "X-13ARIMA-SEATS" if adjusted.method == "x13" else "STL"
    console = out()
    console.print()
    name = "Total" if member == "_T" else member
    console.print(f"[bold]{escape(name)}[/]: {method}, {adjusted.model}, {kind}", highlight=False)
    if adjusted.reason:
        console.print(f"  fallback: {escape(adjusted.reason)}", highlight=False)
    console.print(f"  calendar effects: {_effect_text(adjusted)}", highlight=False)
    console.print(f"  diagnostics: {escape(adjusted.diagnostics.summary())}", highlight=False)
    table = _table("", show_header=True)
    factor = "factor" if adjusted.spec.transform == "log" else f"seasonal (M {currency})"
    for name in ("period", f"raw (M {currency})", "adjusted", "trend", factor):
        table.add_column(name, justify="left" if name == "period" else "right")
    for period, row in _last(adjusted).iterrows():
        shown = row["seasonal"] if adjusted.spec.transform == "log" else row["seasonal"] / 1e6
        table.add_row(
            period_label(period),
            f"{row['raw'] / 1e6:,.1f}",
            f"{row['adjusted'] / 1e6:,.1f}",
            f"{row['trend'] / 1e6:,.1f}",
            f"{shown:,.3f}" if adjusted.spec.transform == "log" else f"{shown:,.1f}",
        )
    console.print(table)


def seasonal(
    period: Annotated[
        str,
        typer.Argument(help="Last period adjusted: a month (2025-06), or a quarter (2025-Q2)."),
    ],
    by: Annotated[
        str | None,
        typer.Option(help="Also adjust each member of this cut (e.g. segment)."),
    ] = None,
    freq: Annotated[str, typer.Option(help="M (monthly) or Q (quarterly).")] = "M",
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    db: DbOption = None,
) -> None:
    """Seasonally adjust the exports of the total (and of each member of --by) through PERIOD:
    X-13ARIMA-SEATS with Morocco's calendar effects (working days, Ramadan, Eid al-Fitr, Eid
    al-Adha, each kept where significant), STL where X-13 cannot fit. Prints per series the
    method, the model, the calendar effects kept, the main diagnostics and the last 12
    periods raw, adjusted and trend.

    This adjusts the live store's series, with a model chosen now. A release will freeze the
    adjustment of its published series only (with their fixed specs), not of this command's.

    Example: `digex seasonal 2025-06 --by segment`.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from digex import settings
    from digex.timeseries.adjust import adjust, period_label
    from digex.timeseries.series import series

    if fmt not in FORMATS:
        raise UsageError(f"--format {fmt!r}: use one of {', '.join(FORMATS)}")
    if freq not in ("M", "Q"):
        raise UsageError(f"--freq {freq!r}: seasonal adjustment is monthly (M) or quarterly (Q)")
    through = _through(period, freq)
    path = db if db is not None else settings.default_path()
    effects, note, currency = _effects(path)
    columns: list[tuple[str, str, pd.Series]] = []
    label = period_label(through)
    total = series(path, freq="M" if freq == "M" else "Q", through=label)
    columns.append(("total", "_T", total["_T"]))
    if by is not None and by != "total":
        members = series(path, freq="M" if freq == "M" else "Q", by=by, through=label)
        columns.extend((by, str(m), members[m]) for m in members.columns)
    if total.index[-1] != through:
        raise UsageError(
            f"PERIOD {period}: the store's last complete {freq} period is "
            f"{period_label(total.index[-1])}"
        )
    done: list[tuple[str, str, Adjusted]] = []
    failed: list[str] = []
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err(),
        transient=True,
        disable=not err().is_terminal,
    )
    with progress:
        task = progress.add_task("adjusting", total=len(columns))
        for cut, member, values in columns:
            progress.update(task, description=f"adjusting {member}")
            try:
                done.append((cut, member, adjust(values.rename(member), effects=effects)))
            except AdjustmentFailed as error:
                failed.append(f"{member}: {error}")
            progress.advance(task)
    if fmt == "json":
        body = [_json_of(cut, member, adjusted) for cut, member, adjusted in done]
        sys.stdout.write(json.dumps(body, ensure_ascii=False, allow_nan=False, indent=1) + "\n")
    else:
        out().print(
            f"Seasonal adjustment of exports through {label} ({freq}), the live store's "
            f"series; amounts in millions of {currency}",
            highlight=False,
        )
        for _, member, adjusted in done:
            _print_one(member, adjusted, currency)
    if note:
        err().print(f"note: {note}", highlight=False, markup=False)
    if failed:
        raise AdjustmentFailed("not adjusted: " + "; ".join(failed))
