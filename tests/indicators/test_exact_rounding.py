"""What the summary presents is the exact share and growth, rounded half up (hypothesis).

The levels come in as the engine gives them (an integer of minor units divided once by 100,
a float); the reference is computed from the integers in Decimal with enough precision.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

import pandas as pd
from hypothesis import example, given
from hypothesis import strategies as st

from digex.indicators.periods import Period
from digex.publish.rounding import exact, round_exact
from digex.publish.summary import build

MEMBERS = ("ITO", "CRM", "BPO")
minor = st.integers(0, 10**15 - 1)  # up to 10^13 currency units
levels = st.tuples(*(minor for _ in MEMBERS))


def tidy(now: tuple[int, ...], before: tuple[int, ...]) -> pd.DataFrame:
    rows = []
    for period, values in (("2024", now), ("2023", before)):
        for member, value in [*zip(MEMBERS, values, strict=True), ("_T", sum(values))]:
            # as the engine computes a level: the exact sum cast to a float, divided once
            level = float(value) / 100
            rows.append(("LEVEL", period, member, level, "A", "complete"))
    columns = ["indicator", "period", "member", "value", "obs_status", "completeness"]
    return pd.DataFrame(rows, columns=columns)


def reference(numerator: int, denominator: int, decimals: int) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 80
        value = Decimal(numerator) * 100 / Decimal(denominator)
        return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


@given(levels, levels)
@example((8180, 11500, 20320), (8000, 10000, 24000))  # +2.25 % and 28.75 %, the ties
@example((2875, 7125, 0), (1000, 0, 0))
def test_presented_shares_and_growth_are_the_exact_values_rounded_half_up(
    now: tuple[int, ...], before: tuple[int, ...]
) -> None:
    names = [(m, m) for m in MEMBERS] + [("_T", "Total")]
    h = build(tidy(now, before), Period("A", 2024, 1), names, "title")
    total = sum(now)
    for row, value, previous in zip(h.rows, [*now, total], [*before, sum(before)], strict=True):
        if total:
            assert row.share is not None
            assert round_exact(row.share, 1) == reference(value, total, 1)
        if previous:
            assert row.growth is not None
            assert round_exact(row.growth, 1) == reference(value - previous, previous, 1)
        else:
            assert row.growth is None


@given(st.integers(-(10**15), 10**15), st.integers(1, 10**15), st.integers(0, 4))
def test_round_exact_is_decimal_half_up(numerator: int, denominator: int, decimals: int) -> None:
    with localcontext() as ctx:
        ctx.prec = 80
        expected = (Decimal(numerator) / Decimal(denominator)).quantize(
            Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP
        )
    assert round_exact(Fraction(numerator, denominator), decimals) == expected


@given(st.integers(-(10**15) + 1, 10**15 - 1))
def test_a_level_reads_back_as_its_exact_minor_units(value: int) -> None:
    assert exact(float(value) / 100) == Fraction(value, 100)
