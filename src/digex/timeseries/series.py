"""The monthly or quarterly series time-series methods read, from a store's live figures.

Seasonal adjustment and the nowcast both want the same thing: one column per member of a cut,
one row per period, only periods whose figures are complete (a month still being declared
would read as a fall), in the national currency and unscaled. Reading it in one place keeps the
two methods on the same numbers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pandas as pd

from digex.errors import UsageError

Frequency = Literal["M", "Q"]


def series(
    store_path: Path,
    *,
    freq: Frequency = "M",
    by: str = "total",
    flow: str = "X",
    through: str | None = None,
    indicator: str = "LEVEL",
) -> pd.DataFrame:
    """The store's `indicator` at `freq` for each member of the cut `by`, as a frame indexed
    by a pandas `PeriodIndex` (one column per member, `_T` for the total), up to and including
    the period `through` (a label at `freq`, e.g. 2025-06 or 2025-Q2; default the last one).

    Periods whose figures are not complete are left out from the end (they are partial, not
    low), and any gap inside the series is refused: a seasonal model cannot read one.
    """
    from digex.api import Digex

    if freq not in ("M", "Q"):
        raise UsageError(f"frequency {freq!r}: time series are monthly (M) or quarterly (Q)")
    with Digex.open(store_path) as store:
        rows = store.indicators(freq=freq, by=by, flow=flow, indicators=[indicator])
    if rows.empty:
        raise UsageError(
            f"{store_path}: no {indicator} figures at frequency {freq} by {by}: load "
            "declarations first (digex load)"
        )
    rows = rows[rows["completeness"] == "complete"]
    wide = rows.pivot_table(index="period", columns="member", values="value", aggfunc="first")
    wide.index = pd.PeriodIndex(wide.index, freq=freq)
    wide = wide.sort_index()
    if through is not None:
        end = pd.Period(through, freq=freq)
        wide = wide[wide.index <= end]
    if wide.empty:
        raise UsageError(f"{store_path}: no complete {freq} period up to {through}")
    expected = pd.period_range(wide.index[0], wide.index[-1], freq=freq)
    missing = expected.difference(wide.index)
    if len(missing):
        raise UsageError(
            f"{store_path}: the {freq} series by {by} has no complete figures for "
            f"{', '.join(str(p) for p in missing[:5])}: a time series needs every period"
        )
    wide.columns.name = by
    out: pd.DataFrame = wide.astype(float)
    return out
