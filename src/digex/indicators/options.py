"""The options of an indicator query, refused before any work when outside what is allowed.

A query is checked whole, before the cache is read or anything is computed, so that a mistyped
value (`freq="W"`, `flow="Z"`) or a contradiction (`freq="Q"` with the period 2024, `top`
without a cut) is a one-line `UsageError` naming the allowed values, never a traceback from
deep in the engine nor a silently ignored option. The Python API, the CLI and the web API all
go through `check_query`. Nothing here imports Ibis or pandas: a cached answer stays quick.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from digex.errors import DigexError, UsageError

FREQS: Final = ("A", "H", "Q", "M")
"""Annual, half-yearly, quarterly, monthly: the frequencies the engine computes."""
FLOWS: Final = ("X", "M")
"""Exports (credit) and imports (debit): the flows a user may ask for."""
UNIT_MULT_RANGE: Final = range(-300, 301)
"""Powers of ten for which 10**N is still a float."""


def check_query(
    period: str | Sequence[str] | None,
    freq: str | None,
    by: str,
    flow: str | Sequence[str],
    indicators: Sequence[str] | None = None,
    unit_mult: int = 0,
    top: int | None = None,
) -> None:
    """Raise `UsageError` unless every option is allowed and they agree with each other."""
    if freq is not None and freq not in FREQS:
        raise UsageError(f"freq={freq!r}: use one of {', '.join(FREQS)}")
    for f in [flow] if isinstance(flow, str) else flow:
        if f not in FLOWS:
            raise UsageError(f"flow={f!r}: use one of {', '.join(FLOWS)}")
    _check_periods(period, freq, by)
    check_selection(indicators, unit_mult, top)
    if top is not None:
        _check_top(top, by)


def check_selection(indicators: Sequence[str] | None, unit_mult: int, top: int | None) -> None:
    """The options that narrow a computed table (`select.Selection`), which may also be built
    on its own: indicator ids, unit multiplier, number of members."""
    if top is not None and top < 1:
        raise UsageError(f"top={top}: give a number of members, 1 or more")
    if unit_mult not in UNIT_MULT_RANGE:
        raise UsageError(f"unit_mult={unit_mult}: give a power of ten such as 6 or 9")
    if indicators:
        _check_indicators(indicators)


def _check_periods(period: str | Sequence[str] | None, freq: str | None, by: str) -> None:
    """The period labels and the cut, read as the cache reads them; a period's frequency must
    be the one `freq` asks for."""
    from digex.indicators.cache import requests

    try:
        keys = requests(period, None, by)
    except UsageError:
        raise
    except DigexError as e:
        raise UsageError(str(e)) from e
    if freq is None or period is None:
        return
    for key in keys:
        key_freq, _, label = key.split("|")
        if key_freq != freq:
            raise UsageError(
                f"freq={freq} contradicts the period {label}; give a period at that "
                "frequency, or drop `freq` (a period says its own frequency)"
            )


def _check_top(top: int, by: str) -> None:
    from digex.indicators.cuts import ALL_CUTS

    if by == "total":
        others = ", ".join(c for c in (*ALL_CUTS, "all") if c != "total")
        raise UsageError(f"top={top} needs `by`, one of {others} (the total is one member)")


def _check_indicators(indicators: Sequence[str]) -> None:
    from digex.indicators.registry import definitions
    from digex.indicators.select import UnknownIndicator

    known = definitions()
    for i in indicators:
        if i not in known:
            raise UnknownIndicator(f"unknown indicator {i!r}; known: {', '.join(sorted(known))}")
