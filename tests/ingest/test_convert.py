"""The conversion to minor units is exact: the fast path equals Decimal arithmetic everywhere."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import duckdb
from hypothesis import example, given, settings
from hypothesis import strategies as st

from digex.ingest.convert import FAST_LIMIT, value_estimate_sql, value_minor_sql

amounts = st.decimals(
    min_value=Decimal("0.0001"), max_value=Decimal("99999999999999.9999"), places=4
)
rates = st.decimals(
    min_value=Decimal("0.00000001"), max_value=Decimal("999999999.99999999"), places=8
)


def expected(amount: Decimal, rate: Decimal, minor_units: int) -> int:
    """Round half away from zero (half up for these positive values), in Python's Decimal."""
    exact = amount * rate * 10**minor_units
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def converted(pairs: list[tuple[Decimal, Decimal]], minor_units: int) -> list[int]:
    with duckdb.connect() as con:
        con.execute("CREATE TABLE t (i INTEGER, a DECIMAL(18, 4), r DECIMAL(18, 8))")
        con.executemany(
            "INSERT INTO t VALUES (?, ?, ?)", [(i, a, r) for i, (a, r) in enumerate(pairs)]
        )
        sql = value_minor_sql("a", "r", minor_units, estimate="x")
        x = value_estimate_sql("a", "r", minor_units)
        query = f"SELECT {sql} FROM (SELECT i, a, r, {x} AS x FROM t) ORDER BY i"
        return [int(v) for (v,) in con.execute(query).fetchall()]


# 100 lists of up to 50 pairs (a DuckDB query each, ~27 ms); the ties and the exact path are
# pinned by the examples below and by the test after it
@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(amounts, rates), min_size=1, max_size=50), st.sampled_from([0, 2, 3]))
@example([(Decimal("0.0050"), Decimal("1.00000000"))], 2)  # a tie: 0.5 centime rounds up
@example([(Decimal("0.0049"), Decimal("1.00000000"))], 2)
@example([(Decimal("1234.5650"), Decimal("1.00000000"))], 2)
@example([(Decimal("99999999999999.9999"), Decimal("900.00000000"))], 2)  # exact path
def test_conversion_equals_decimal_arithmetic(
    pairs: list[tuple[Decimal, Decimal]], minor_units: int
) -> None:
    # the stored value is a BIGINT: beyond it (10^14 units at a rate of 10^5) nothing is stored
    pairs = [(a, r) for a, r in pairs if a * r * 10**minor_units < 2**63 - 1] or [
        (a, Decimal(1)) for a, _ in pairs
    ]
    assert converted(pairs, minor_units) == [expected(a, r, minor_units) for a, r in pairs]


def test_ties_near_the_fast_path_limit_are_exact() -> None:
    """Values just under the fast path's bound, where the double estimate is least precise,
    with amounts chosen so that the exact value ends in exactly half a unit."""
    top = Decimal(FAST_LIMIT - 1) / 100  # in national currency, just under the bound
    pairs = [
        (Decimal(f"{top - k:.4f}").quantize(Decimal("0.0001")) + Decimal("0.0050"), Decimal(1))
        for k in range(1, 200)
    ]
    pairs += [
        (Decimal("7.0000"), Decimal("0.14285715")),
        (Decimal("3.0050"), Decimal("3.00000000")),
    ]
    assert converted(pairs, 2) == [expected(a, r, 2) for a, r in pairs]


def _near_half(rate_units: int, above: bool) -> tuple[Decimal, Decimal]:
    """An amount that, at this rate (in units of 10^-8), converts to a value 10^-10 of a
    centime above or below a half centime: the closest a non-tie can be, and far closer than
    the double estimate of a value of millions of centimes can tell."""
    target = 5 * 10**9 + (1 if above else -1)  # amount units x rate units mod 10^10
    units = target * pow(rate_units, -1, 10**10) % 10**10
    return Decimal(units).scaleb(-4), Decimal(rate_units).scaleb(-8)


def test_values_a_hair_from_half_a_unit_are_exact() -> None:
    """The estimate decides a row only when it is clear of a half unit by more than its error:
    here the exact value is 10^-10 from one, at values up to 10^15 centimes, where the double's
    error (up to 0.1 centime) hides which side it is on."""
    rates = [1_000_000_001, 1_087_654_321, 999_999_999_7, 3, 7_777_777, 123_456_789]
    pairs = [_near_half(r, above) for r in rates for above in (False, True)]
    # the same residues with larger amounts: millions more of whole units
    pairs += [(a + Decimal(10**k), r) for a, r in pairs[:4] for k in (6, 8)]
    pairs = [(a, r) for a, r in pairs if a * r * 100 < 2**62]
    assert all(abs((a * r * 100) % 1 - Decimal("0.5")) == Decimal("1e-10") for a, r in pairs)
    assert converted(pairs, 2) == [expected(a, r, 2) for a, r in pairs]
