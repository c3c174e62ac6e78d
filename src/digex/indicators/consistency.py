"""Consistency checks: the arithmetic identities every publication must satisfy.

They are run by `digex check`, after the headline computations, and before any publication.
Levels are compared exactly, in integer minor units; ratios with a tolerance far below any
published rounding (1e-9, relative). Rounded published figures are not checked here:
growth is computed on unrounded values, so 13.4 / 12.9 - 1 = 3.9 % is not an error when the
unrounded 13.38 / 12.93 give the published 3.5 %.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from digex.errors import DigexError
from digex.indicators.engine import Engine
from digex.indicators.periods import PER_YEAR

TOLERANCE: Final = 1e-9
"""Ratios must agree to this (relative to their size, at least 1 point)."""
PARTS: Final = ("segment", "ebops", "partner", "region", "currency")
FREQS: Final = ("A", "H", "Q", "M")


class ConsistencyError(DigexError):
    """An identity that must hold does not: publication is stopped."""

    status = 500


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str


def _cut_checks(main: pd.DataFrame, total: pd.DataFrame, freq: str, cut: str) -> list[CheckResult]:
    """All checks of one cut, from the cut's and the total's computed indicators."""
    n = PER_YEAR[freq]
    keys = ["flow", "ordinal"]
    tot = total.set_index(keys)
    summed = main.groupby(keys)["value_minor"].sum()
    parts = tot["value_minor"].to_frame("total").join(summed)
    bad = parts[parts["total"] != parts["value_minor"]]
    shares = main.groupby(keys)["share"].sum()
    share_err = float((shares - 100).abs().max()) if len(shares) else 0.0
    contrib = main.groupby(keys)["contribution"].sum(min_count=1)
    both = pd.concat([contrib.rename("c"), tot["growth_yoy"].rename("g")], axis=1).dropna()
    # relative to the growth's size: a growth of 1e6 % carries float noise of ~1e-10 points
    scale = both["g"].abs().clip(lower=1.0)
    contrib_err = float(((both["c"] - both["g"]).abs() / scale).max()) if len(both) else 0.0
    idx = main.set_index(["flow", "member", "ordinal"])
    prev = idx["value_minor"].rename(lambda o: o + n, level="ordinal").replace(0, np.nan)
    joined = idx.join(prev.rename("prev"), how="inner").dropna(subset=["prev"])
    expected = (joined["value_minor"] / joined["prev"] - 1) * 100
    deviation = (expected - joined["growth_yoy"]).abs() / expected.abs().clip(lower=1.0)
    growth_err = float(np.nanmax(deviation)) if len(joined) else 0.0
    return [
        CheckResult(
            f"{cut} parts sum to the total ({freq})",
            bad.empty,
            f"{len(bad)} period(s) differ" if len(bad) else f"{len(parts)} periods exact",
        ),
        CheckResult(
            f"{cut} shares sum to 100 ({freq})",
            share_err < TOLERANCE,
            f"largest deviation {share_err:.2e} points",
        ),
        CheckResult(
            f"{cut} contributions sum to total growth ({freq})",
            contrib_err < TOLERANCE,
            f"largest relative deviation {contrib_err:.2e} over {len(both)} periods",
        ),
        CheckResult(
            f"{cut} growth matches levels ({freq})",
            growth_err < TOLERANCE,
            f"largest relative deviation {growth_err:.2e}",
        ),
    ]


def _frequencies_agree(engine: Engine) -> CheckResult:
    by = {}
    for freq in FREQS:
        lv = engine.declarations(freq)
        by[freq] = (
            lv.group_by(["flow", "year"])
            .aggregate(v=lv.value_minor.sum())
            .execute()
            .set_index(["flow", "year"])["v"]
        )
    annual = by["A"]
    bad = [f for f in FREQS[1:] if not by[f].sort_index().equals(annual.sort_index())]
    # and through the aggregated levels: sum of the months' levels equals the annual level
    months = engine.levels("M", "total").execute()
    years = engine.levels("A", "total").execute()
    months["year"] = months["ordinal"] // 12
    m = months.groupby(["flow", "year"])["value_minor"].sum()
    y = years.set_index(["flow", "ordinal"])["value_minor"].rename_axis(["flow", "year"])
    if not m.sort_index().equals(y.sort_index()):
        bad.append("M-levels")
    return CheckResult(
        "annual = sum of halves = sum of quarters = sum of months",
        not bad,
        "exact in minor units" if not bad else f"differs for {', '.join(bad)}",
    )


def run_checks(
    engine: Engine, freqs: tuple[str, ...] = ("A", "Q"), cuts: tuple[str, ...] = PARTS
) -> list[CheckResult]:
    results = [_frequencies_agree(engine)]
    for freq in freqs:
        # one query for every cut (the total is always in it), split here
        main = engine.main_cells(freq, cuts).execute()
        parts = {str(cut): rows.drop(columns="cut") for cut, rows in main.groupby("cut")}
        none = main.iloc[0:0].drop(columns="cut")
        total = parts.get("total", none)
        for cut in cuts:
            results += _cut_checks(parts.get(cut, none), total, freq, cut)
    from digex.indicators.targets import jobs_add_up  # imports this module

    return [*results, jobs_add_up(engine)]


def require_consistent(results: list[CheckResult]) -> None:
    failed = [r for r in results if not r.ok]
    if failed:
        lines = "; ".join(f"{r.name}: {r.detail}" for r in failed)
        raise ConsistencyError(
            f"{len(failed)} consistency check(s) failed, publication stopped: {lines}"
        )


def verify_frame(frame: pd.DataFrame) -> None:
    """The checks a single result can carry on its own, run after every computation.

    Shares of a complete cut add up to 100 for each flow and period; a failure means the
    engine or the data are wrong and the result must not be used.
    """
    shares = frame[(frame["indicator"] == "SHARE") & (frame["cut"] != "total")]
    if shares.empty:
        return
    sums = shares.groupby(["cut", "flow", "period"])["value"].sum()
    bad = sums[(sums - 100).abs() > 1e-6]
    if len(bad):
        cut, flow, period = bad.index[0]
        raise ConsistencyError(
            f"shares by {cut} of flow {flow} in {period} add up to {bad.iloc[0]:.6f}, not 100; "
            "run `digex check` and report the failing checks"
        )
