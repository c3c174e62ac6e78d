"""Conversion to the national currency: exact, and fast enough for hundreds of millions of rows.

A declared amount (at most 4 decimals) times the month's rate (at most 8 decimals) is rounded
half away from zero to the national currency's minor unit, once per row. Done directly with
DECIMAL arithmetic this is exact but slow: the rounding divides 128-bit integers in software
(measured: 6.8 s for 10 million rows, more than reading the file). This module computes the
same integer from a floating-point estimate corrected with exact DECIMAL arithmetic, which only
multiplies, subtracts and compares (0.9 s for the same rows):

- q0 = round(amount x rate x 10^m) in double precision is within 1.4 units of the exact value
  while it stays below 2^49: each of the four roundings (two conversions, two products) has a
  relative error of at most 2^-53, so the estimate is off by at most 0.4 of a unit before its
  own rounding;
- d = amount x rate x 10^m - q0 is exact (a DECIMAL(38, 12) difference), and the result,
  q0 + floor(d + 1/2), is round-half-up of the exact product, which for the positive values
  stored is round-half-away-from-zero.

Other values (a single declaration above about 5.6 trillion in minor units, or a value that is
not positive) take the exact DECIMAL path.
"""

from __future__ import annotations

from typing import Final

from digex.ingest.parsers import AMOUNT_SCALE

RATE_SCALE: Final = 8
RATE_TYPE: Final = f"DECIMAL(18, {RATE_SCALE})"
FAST_LIMIT: Final = 2**49
"""Largest value (in minor units) for which the double-precision estimate is close enough."""


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


def value_minor_sql(amount: str, rate: str, minor_units: int) -> str:
    """SQL for round(amount x rate) in minor units (BIGINT), half away from zero.

    `amount` is a DECIMAL(18, 4) expression and `rate` a DECIMAL(18, 8) one; both are repeated
    in the result, so pass column names.
    """
    exact = value_exact_sql(amount, rate, minor_units)
    estimate = value_estimate_sql(amount, rate, minor_units)
    q0 = f"CAST(round({estimate}) AS BIGINT)"
    # d is below 1.5 in size with 12 decimals: exact as a double, and floor(d + 0.5) is
    # then -1, 0 or 1 exactly as in decimal arithmetic (a tie, d = 0.5, gives 1)
    d = f"CAST({exact} - {q0} AS DOUBLE)"
    fast = f"{q0} + CAST(floor({d} + 0.5) AS BIGINT)"
    guard = f"{amount} > 0 AND {rate} > 0 AND {estimate} < {float(FAST_LIMIT)!r}"
    return f"CASE WHEN {guard} THEN {fast} ELSE CAST(round({exact}) AS BIGINT) END"
