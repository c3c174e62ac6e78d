"""Conversion to the national currency: exact, and fast enough for hundreds of millions of rows.

A declared amount (at most 4 decimals) times the month's rate (at most 8 decimals) is rounded
half away from zero to the national currency's minor unit, once per row. Done directly with
DECIMAL arithmetic this is exact but slow: the rounding divides 128-bit integers in software
(measured: 6.8 s for 10 million rows, more than reading the file). This module computes the
same integer in three tiers, each exact where it is used:

1. Most rows: the double-precision estimate x = amount x rate x 10^m, rounded. Its relative
   error is below 8 x 2^-53 (DuckDB converts each DECIMAL to a double with at most three
   roundings, then two products: 8 in all, each at most 2^-53), so the exact value lies
   within x x 2^-50 of x. Rounding to the nearest integer only changes at half units, so when
   x is further than that (with a margin: x x 2^-48) from the nearest k + 1/2, x and the exact
   value round to the same integer. Only doubles are involved (measured: 0.4 against 0.9 CPU s
   per 10 million rows for tier 2 alone).
2. Rows within that distance of a half unit (a few per million on the benchmark's rows, and
   every exact tie) while x stays below 2^49: q0 = round(x) is within 1.4 units of the exact value;
   d = amount x rate x 10^m - q0 is exact (a DECIMAL(38, 12) difference), and q0 + floor(d +
   1/2) is round-half-up of the exact product, which for the positive values stored is
   round-half-away-from-zero. Only products, a subtraction and a comparison.
3. Other values (a single declaration above about 5.6 trillion in minor units, or a value that
   is not positive): the exact DECIMAL rounding.
"""

from __future__ import annotations

from typing import Final

from digex.ingest.parsers import AMOUNT_SCALE

RATE_SCALE: Final = 8
RATE_TYPE: Final = f"DECIMAL(18, {RATE_SCALE})"
FAST_LIMIT: Final = 2**49
"""Largest value (in minor units) for which the double-precision estimate is close enough."""

NEAR_HALF: Final = 2.0**-48
"""Relative distance from a half unit below which the estimate alone does not decide (four
times its error bound, 2^-50)."""

VALUE_LIMIT: Final = 9.2e18
"""Largest converted value (in minor units) a row may have: the store keeps it as a BIGINT
(at most about 9.223e18), and the double-precision estimate below is far closer than the gap."""


def value_estimate_sql(amount: str, rate: str, minor_units: int) -> str:
    """SQL for amount x rate in minor units as a double (an estimate, to compare with limits)."""
    return f"CAST({amount} AS DOUBLE) * CAST({rate} AS DOUBLE) * {10**minor_units}"


def value_exact_sql(amount: str, rate: str, minor_units: int) -> str:
    """SQL for amount x rate in minor units, exact (a DECIMAL(38, 12): at most 14 + 9 integer
    digits times the minor units, well within it)."""
    return f"CAST({amount} AS DECIMAL(38, {AMOUNT_SCALE})) * {rate} * {10**minor_units}"


def value_minor_sql(amount: str, rate: str, minor_units: int, *, estimate: str) -> str:
    """SQL for round(amount x rate) in minor units (BIGINT), half away from zero.

    `amount` is a DECIMAL(18, 4) expression and `rate` a DECIMAL(18, 8) one; both are repeated
    in the result, so pass column names. `estimate`: a column holding `value_estimate_sql` of
    the same amount and rate, computed once beside them in a subquery: the result reads it seven
    times, and DuckDB evaluates a repeated expression at each (measured: twice the CPU of the
    column, on the load's 10 million rows).
    """
    exact = value_exact_sql(amount, rate, minor_units)
    q0 = f"CAST(round({estimate}) AS BIGINT)"
    # d is below 1.5 in size with 12 decimals: exact as a double, and floor(d + 0.5) is
    # then -1, 0 or 1 exactly as in decimal arithmetic (a tie, d = 0.5, gives 1)
    d = f"CAST({exact} - {q0} AS DOUBLE)"
    corrected = f"{q0} + CAST(floor({d} + 0.5) AS BIGINT)"
    positive = f"{amount} > 0 AND {rate} > 0 AND {estimate} < {float(FAST_LIMIT)!r}"
    clear = f"abs({estimate} - floor({estimate}) - 0.5) > {estimate} * {NEAR_HALF!r}"
    return (
        f"CASE WHEN {positive} AND {clear} THEN {q0} "
        f"WHEN {positive} THEN {corrected} "
        f"ELSE CAST(round({exact}) AS BIGINT) END"
    )
