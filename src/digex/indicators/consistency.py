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

from digex.errors import ConsistencyError
from digex.indicators.cuts import ALL_CUTS, CROSS_CUTS, SEPARATOR
from digex.indicators.engine import TOTAL_CUT, Engine
from digex.indicators.periods import PER_YEAR

TOLERANCE: Final = 1e-9
"""Ratios must agree to this (relative to their size, at least 1 point)."""
PARTS: Final = (
    "segment",
    "ebops",
    "partner",
    "region",
    "currency",
    "segment_partner",
    "segment_region",
)
CROSSED: Final = {
    "segment_partner": ("segment", "partner"),
    "segment_region": ("segment", "region"),
}
"""The two cuts each cross cut crosses: its cells summed over either one give the other's."""
FREQS: Final = ("A", "H", "Q", "M")


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
    # a flow without declarations in a period (every member's level 0) has no shares
    shares = main[main["total_minor"] != 0].groupby(keys)["share"].sum()
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
    ytd = tot["ytd_minor"].to_frame("total").join(main.groupby(keys)["ytd_minor"].sum())
    ytd_bad = ytd[ytd["total"] != ytd["ytd_minor"]]
    return [
        CheckResult(
            f"{cut} year-to-date levels sum to the total's ({freq})",
            ytd_bad.empty,
            f"{len(ytd_bad)} period(s) differ" if len(ytd_bad) else f"{len(ytd)} periods exact",
        ),
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


def _cross_checks(parts: dict[str, pd.DataFrame], freq: str, cut: str) -> list[CheckResult]:
    """A cross cut's cells summed over the partners (regions) give each segment's level, and
    summed over the segments each partner's (region's), exactly in minor units, levels and
    year to date alike."""
    cells = parts.get(cut)
    if cells is None:
        return []
    split = cells["member"].str.split(SEPARATOR, n=1, expand=True)
    keys, sums = ["flow", "ordinal", "member"], ["value_minor", "ytd_minor"]
    results = []
    for position, side in enumerate(CROSSED[cut]):
        margin = parts.get(side)
        if margin is None:
            continue
        summed = cells.assign(member=split[position]).groupby(keys)[sums].sum()
        # a member without cells on one side sums to 0 there
        both = margin.set_index(keys)[sums].join(summed, how="outer", rsuffix="_cells").fillna(0)
        bad = both[
            (both["value_minor"] != both["value_minor_cells"])
            | (both["ytd_minor"] != both["ytd_minor_cells"])
        ]
        results.append(
            CheckResult(
                f"{cut} cells sum to each {side} ({freq})",
                bad.empty,
                f"{len(bad)} {side} period(s) differ" if len(bad) else f"{len(both)} exact",
            )
        )
    return results


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
    engine: Engine,
    freqs: tuple[str, ...] = FREQS,
    cuts: tuple[str, ...] = PARTS,
    kept: pd.DataFrame | None = None,
) -> list[CheckResult]:
    """Every identity at every frequency and cut, on the figures the engine computes and on
    `kept`, the results kept in the store's indicator cache (which answer later queries and
    releases, so a row lost there is as wrong as one the engine loses)."""
    results = [_frequencies_agree(engine)]
    if kept is not None:
        results += check_kept(kept, engine.sources.minor_units)
    for freq in freqs:
        # one query for every cut (the total is always in it), split here
        main = engine.main_cells(freq, cuts).execute()
        parts = {str(cut): rows.drop(columns="cut") for cut, rows in main.groupby("cut")}
        none = main.iloc[0:0].drop(columns="cut")
        total = parts.get("total", none)
        for cut in cuts:
            results += _cut_checks(parts.get(cut, none), total, freq, cut)
            if cut in CROSS_CUTS:
                results += _cross_checks(parts, freq, cut)
    from digex.indicators.targets import jobs_add_up  # imports this module

    return [*results, jobs_add_up(engine)]


def check_kept(kept: pd.DataFrame, minor_units: int) -> list[CheckResult]:
    """Kept LEVEL and YTD_LEVEL rows: in each kept cut, period and flow, every member with a
    level has a year-to-date level, and the members' year-to-date levels add up to the
    total's, exactly in minor units (copies of a figure kept for two requests that disagree
    make the sum differ too) (a kept level is minor units divided once by 10^k, so
    rounding it back gives the integer).
    """
    rows = kept[kept["indicator"].isin(["LEVEL", "YTD_LEVEL"]) & kept["cut"].isin(ALL_CUTS)]
    # a figure kept for several requests (a whole frequency, one period) is one figure
    rows = rows.drop_duplicates(["indicator", "freq", "period", "cut", "member", "flow", "value"])
    rows = rows.assign(minor=(rows["value"] * 10**minor_units).round().astype("int64"))
    cell = ["freq", "period", "flow", "cut"]
    parts = rows[rows["cut"] != TOTAL_CUT]
    levels = parts.loc[parts["indicator"] == "LEVEL", [*cell, "member"]]
    ytd = parts.loc[parts["indicator"] == "YTD_LEVEL", [*cell, "member", "minor"]]
    found = levels.merge(ytd, on=[*cell, "member"], how="left")
    missing = found[found["minor"].isna()]
    summed = ytd.groupby(cell, as_index=False)["minor"].sum()
    total = rows.loc[
        (rows["cut"] == TOTAL_CUT) & (rows["indicator"] == "YTD_LEVEL"),
        ["freq", "period", "flow", "minor"],
    ].rename(columns={"minor": "total"})
    joined = summed.merge(total, on=["freq", "period", "flow"])
    differ = joined[joined["minor"] != joined["total"]]
    return [
        CheckResult(
            "kept results: every member with a level has a year-to-date level",
            missing.empty,
            f"{len(missing)} kept level(s) without one, e.g. {_first(missing)}"
            if len(missing)
            else f"{len(found)} kept levels",
        ),
        CheckResult(
            "kept results: year-to-date levels sum to the total's",
            differ.empty,
            f"{len(differ)} kept period(s) differ, e.g. {_first(differ)}"
            if len(differ)
            else f"{len(joined)} periods exact",
        ),
    ]


def _first(frame: pd.DataFrame) -> str:
    row = frame.iloc[0]
    return f"{row['cut']} {row['period']} flow {row['flow']}"


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
    # a mask on the sums' index only when one is wrong: selecting with it cost each
    # computation more than the sums themselves
    off = ((sums - 100).abs() > 1e-6).to_numpy()
    if off.any():
        first = int(off.argmax())
        cut, flow, period = sums.index[first]
        raise ConsistencyError(
            f"shares by {cut} of flow {flow} in {period} add up to "
            f"{sums.iloc[first]:.6f}, not 100; run `digex check` and report the failing checks"
        )
