"""Choosing flows, indicators and the unit multiplier from a computed tidy table.

Kept free of Ibis so that answering from the cache stays fast.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from digex.errors import DigexError
from digex.indicators.definitions import definitions
from digex.profile import CountryProfile

ALWAYS = ("N", "_Z")
"""Flows shown whatever flow is asked for: net balance (N) and flow-less series such as jobs."""


class UnknownIndicator(ValueError, DigexError):
    """An indicator id that is not in the definitions."""


def rescale(frame: pd.DataFrame, unit_mult: int, national_currency: str) -> pd.DataFrame:
    """Money values divided by 10**unit_mult (e.g. 9 for billions), with the multiplier noted."""
    money = frame["unit"].isin({national_currency, "USD", "EUR"})
    frame = frame.copy()
    frame.loc[money, "value"] = frame.loc[money, "value"] / 10**unit_mult
    frame.loc[money, "unit_mult"] = unit_mult
    return frame


def select(
    frame: pd.DataFrame,
    profile: CountryProfile,
    *,
    flow: str | Sequence[str] = "X",
    indicators: Sequence[str] | None = None,
    unit_mult: int = 0,
    top: int | None = None,
) -> pd.DataFrame:
    """Narrow a computed table; `top=N` keeps, for each cut, flow and period, the N members
    with the largest level (e.g. the five main partner countries), with all their indicators."""
    if top is not None:
        frame = _top(frame, top)
    flows = [flow] if isinstance(flow, str) else list(flow)
    keep = frame["flow"].isin([*flows, *ALWAYS])
    if indicators:
        known = definitions()
        unknown = [i for i in indicators if i not in known]
        if unknown:
            raise UnknownIndicator(
                f"unknown indicator {unknown[0]!r}; known: {', '.join(sorted(known))}"
            )
        keep &= frame["indicator"].isin(list(indicators))
    order = ["cut", "indicator", "flow", "member", "freq", "period"]
    if "rank" in frame:  # the largest first
        order = ["cut", "indicator", "flow", "freq", "period", "rank"]
    out = frame[keep].sort_values(order, kind="stable", ignore_index=True)
    out = out.drop(columns=["rank"], errors="ignore")
    if unit_mult:
        out = rescale(out, unit_mult, profile.national_currency)
    return out


def _top(frame: pd.DataFrame, n: int) -> pd.DataFrame:
    if n < 1:
        raise DigexError(f"--top {n}: give a number of members, 1 or more")
    keys = ["cut", "flow", "freq", "period"]
    levels = frame[frame["indicator"] == "LEVEL"]
    ranked = levels.assign(rank=levels.groupby(keys)["value"].rank(method="first", ascending=False))
    chosen = ranked.loc[ranked["rank"] <= n, [*keys, "member", "rank"]]
    return frame.merge(chosen, on=[*keys, "member"], how="inner")
