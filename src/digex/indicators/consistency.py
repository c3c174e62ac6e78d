"""Consistency checks: the arithmetic identities every publication must satisfy.

They are run by `digex check`, after the headline computations, and before any publication.
Levels are compared exactly, in integer minor units; ratios with a tolerance far below any
published rounding (1e-6 percentage points). Rounded published figures are not checked here:
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

TOLERANCE: Final = 1e-6
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


def _parts_sum(engine: Engine, freq: str, cut: str) -> CheckResult:
    parts = engine.levels(freq, cut).execute()
    total = engine.levels(freq, "total").execute()
    summed = parts.groupby(["flow", "ordinal"])["value_minor"].sum()
    joined = total.set_index(["flow", "ordinal"])["value_minor"].to_frame("total").join(summed)
    bad = joined[joined["total"] != joined["value_minor"]]
    return CheckResult(
        f"{cut} parts sum to the total ({freq})",
        bad.empty,
        f"{len(bad)} period(s) differ" if len(bad) else f"{len(joined)} periods exact",
    )


def _shares_and_contributions(engine: Engine, freq: str, cut: str) -> list[CheckResult]:
    main = engine.main(freq, cut).execute()
    total = engine.main(freq, "total").execute().set_index(["flow", "ordinal"])
    shares = main.groupby(["flow", "ordinal"])["share"].sum()
    share_err = float((shares - 100).abs().max())
    contrib = main.groupby(["flow", "ordinal"])["contribution"].sum(min_count=1)
    growth = total["growth_yoy"]
    both = pd.concat([contrib.rename("c"), growth.rename("g")], axis=1).dropna()
    contrib_err = float((both["c"] - both["g"]).abs().max()) if len(both) else 0.0
    return [
        CheckResult(
            f"{cut} shares sum to 100 ({freq})",
            share_err < TOLERANCE,
            f"largest deviation {share_err:.2e} points",
        ),
        CheckResult(
            f"{cut} contributions sum to total growth ({freq})",
            contrib_err < TOLERANCE,
            f"largest deviation {contrib_err:.2e} points over {len(both)} periods",
        ),
    ]


def _growth_matches_levels(engine: Engine, freq: str) -> CheckResult:
    from digex.indicators.periods import PER_YEAR

    main = engine.main(freq, "segment").execute()
    idx = main.set_index(["flow", "member", "ordinal"])
    prev = idx["value_minor"].rename(lambda o: o + PER_YEAR[freq], level="ordinal")
    joined = idx.join(prev.rename("prev"), how="inner")
    expected = (joined["value_minor"] / joined["prev"] - 1) * 100
    err = float(np.nanmax((expected - joined["growth_yoy"]).abs())) if len(joined) else 0.0
    return CheckResult(
        f"growth matches levels ({freq})", err < TOLERANCE, f"largest deviation {err:.2e}"
    )


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


def run_checks(engine: Engine, freqs: tuple[str, ...] = ("A", "Q")) -> list[CheckResult]:
    results = [_frequencies_agree(engine)]
    for freq in freqs:
        results.append(_growth_matches_levels(engine, freq))
        for cut in PARTS:
            results.append(_parts_sum(engine, freq, cut))
            results += _shares_and_contributions(engine, freq, cut)
    return results


def require_consistent(results: list[CheckResult]) -> None:
    failed = [r for r in results if not r.ok]
    if failed:
        lines = "; ".join(f"{r.name}: {r.detail}" for r in failed)
        raise ConsistencyError(
            f"{len(failed)} consistency check(s) failed, publication stopped: {lines}"
        )
