"""`digex nowcast YEAR`: the full year estimated from its first months, with intervals, the
backtest of the methods, the one it recommends and the chance of reaching the target path."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer  # noqa: TID251 (a command-line module: part of the CLI layer)

from digex.cli import DbOption, _table, err, out
from digex.errors import UsageError

if TYPE_CHECKING:
    from digex.timeseries.nowcast_report import NowcastReport

FORMATS = ("table", "json")
NOTE = (
    "note: estimates made from the live store's unreleased figures: internal, not "
    "disclosure-protected; never publish them as observed figures"
)


def nowcast(
    year: Annotated[int, typer.Argument(help="The year to nowcast, e.g. 2025.")],
    months: Annotated[
        int | None,
        typer.Option(
            "--months",
            help="Nowcast from the year's first K months, 1 to 11 (default: every complete "
            "month the store has).",
            show_default=False,
        ),
    ] = None,
    by: Annotated[
        str,
        typer.Option("--by", help="Also nowcast each member of this cut (e.g. segment)."),
    ] = "total",
    method: Annotated[
        str,
        typer.Option(
            "--method",
            help="ratio (ratio estimator), model (ETS), best (the one the backtest "
            "recommends) or all.",
        ),
    ] = "all",
    fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
    db: DbOption = None,
) -> None:
    """Estimate YEAR's full-year exports from its first months: the ratio estimator (the
    year to date times the past years' full year / year to date) and an ETS model of the
    monthly series, each with 80 % and 95 % intervals; the backtest of both on every past
    year after 3, 6 and 9 months (MAPE, interval coverage) and the method it recommends; the
    probability of reaching this year's point of the path to the profile's export target.

    Nowcasts are estimates (OBS_STATUS F, forecast), shown apart from the observed year to
    date they start from."""
    from digex import settings
    from digex.timeseries.nowcast_report import nowcast_report

    if fmt not in FORMATS:
        raise UsageError(f"format={fmt}: give table or json").naming(format=fmt)
    report = nowcast_report(
        db or settings.default_path(), year, months=months, by=by, method=method
    )
    err().print(NOTE, highlight=False, soft_wrap=True)
    if fmt == "json":
        sys.stdout.write(json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n")
        return
    _print(report)


def _millions(value: float) -> str:
    return f"{value / 1e6:,.0f}"


def _span(low: float, high: float) -> str:
    return f"{_millions(low)}–{_millions(high)}"


def _chance(p: float) -> str:
    """A probability to one decimal, never a certainty the model cannot give."""
    if p < 0.001:
        return "under 0.1 %"
    if p > 0.999:
        return "over 99.9 %"
    return f"{p * 100:.1f} %"


def _print(report: NowcastReport) -> None:
    """Three tables and a few lines: what was observed, what is estimated (marked F), how the
    methods did before; never an estimate in the observed table or the reverse."""
    unit = f"million {report.unit}"
    _print_observed(report, unit)
    _print_estimates(report, unit)
    _print_backtest(report)
    say = out().print
    for member, tested in report.backtests.items():
        rec = tested.recommendation
        say(f"recommended for {member}: {rec.method} ({rec.reason})", highlight=False)
    if report.target is not None:
        t = report.target
        say(
            f"target {t.path.target}: its path ({t.path.rate:.2f} % a year from "
            f"{t.path.base_year} to {t.path.target_year}) is at {_millions(t.level)} {unit} in "
            f"{t.year}; the probability that the year reaches it is "
            f"{_chance(t.probability)} (an estimate, from the {t.method} nowcast)",
            highlight=False,
            soft_wrap=True,
        )
    for note in report.notes:
        say(f"note: {note}", highlight=False, soft_wrap=True)


def _print_observed(report: NowcastReport, unit: str) -> None:
    seen = _table(
        f"Observed: the year to date after {report.months} months, {unit} (not estimates)"
    )
    for name in ("cut", "member", "value", "status"):
        seen.add_column(name)
    for row in report.observed.to_dict(orient="records"):
        value = row["value"]
        shown = _millions(value) if isinstance(value, float) else "–"
        seen.add_row(str(row["cut"]), str(row["member"]), shown, str(row["obs_status"]))
    out().print(seen)


def _print_estimates(report: NowcastReport, unit: str) -> None:
    from digex.timeseries.nowcast import FORECAST

    est = _table(
        f"Nowcast of {report.year} from {report.months} months, {unit}: ESTIMATES "
        "(status F, forecast), not observed figures"
    )
    for name in ("cut", "member", "method", "estimate", "80 % interval", "95 % interval", "status"):
        est.add_column(name)
    for n in report.nowcasts:
        est.add_row(
            n.cut,
            n.member,
            n.method,
            _millions(n.value),
            _span(n.lower_80, n.upper_80),
            _span(n.lower_95, n.upper_95),
            FORECAST,
        )
    out().print(est)
    for n in report.nowcasts:
        if n.member == "_T":
            out().print(f"{n.method}: {n.spec}", highlight=False, soft_wrap=True)


def _print_backtest(report: NowcastReport) -> None:
    bt = _table(f"Backtest on the years before {report.year}: nowcasts after 3, 6 and 9 months")
    for name in ("member", "method", "months", "years", "MAPE %", "in 80 %", "in 95 %"):
        bt.add_column(name)
    for member, tested in report.backtests.items():
        for r in tested.table().to_dict(orient="records"):
            bt.add_row(
                member,
                str(r["method"]),
                str(r["months"]),
                str(r["years"]),
                f"{r['mape']:.2f}",
                f"{r['cover_80']:.0f} %",
                f"{r['cover_95']:.0f} %",
            )
    out().print(bt)
