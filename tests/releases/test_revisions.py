"""Revision statistics on a small triangle computed by hand, and their identities (hypothesis)."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal as D
from fractions import Fraction

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digex.errors import DigexError, NotAValue, ReleaseDataError, UsageError
from digex.releases.revisions import (
    analyse,
    default_lags,
    revisions,
    revisions_frame,
    stats_row,
    summarise,
)
from digex.releases.triangle import Triangle, Vintage

UTC = dt.UTC


def at(month: int, day: int, year: int = 2025) -> dt.datetime:
    return dt.datetime(year, month, day, 10, tzinfo=UTC)


R1 = Vintage(at(3, 15), "R1")  # 2024 preliminary
R2 = Vintage(at(8, 10), "R2")  # 2025-H1 preliminary
R3 = Vintage(at(9, 30), "R3")  # 2024 revised, after a late file
R4 = Vintage(at(3, 10, 2026), "R4")  # 2025 preliminary

# half-year exports in bn MAD, by release
TABLE: dict[str, dict[Vintage, str | None]] = {
    "2023-H1": {R1: "12.80", R2: "12.85", R3: "12.85", R4: "12.90"},
    "2023-H2": {R1: "13.37", R2: None, R3: "13.30", R4: "13.30"},  # R2 gave no value
    "2024-H1": {R1: "12.93", R2: "12.93", R3: "12.93", R4: "12.93"},  # never revised
    "2024-H2": {R1: "13.27", R4: "13.40"},
    "2025-H1": {R2: "13.38", R4: "13.45"},  # first published by R2, not R1
    "2025-H2": {R4: "13.50"},  # published once: not revised
}


def triangle(table: dict[str, dict[Vintage, str | None]] = TABLE) -> Triangle:
    return Triangle(
        (period, v, None if x is None else D(x))
        for period, row in table.items()
        for v, x in row.items()
    )


def test_revisions_first_to_latest() -> None:
    revs = revisions(triangle())
    assert [(r.period, r.earlier_release, r.later_release, r.revision) for r in revs] == [
        ("2023-H1", "R1", "R4", D("0.10")),
        ("2023-H2", "R1", "R4", D("-0.07")),  # the missing R2 value is skipped, not a zero
        ("2024-H1", "R1", "R4", D("0.00")),
        ("2024-H2", "R1", "R4", D("0.13")),
        ("2025-H1", "R2", "R4", D("0.07")),
    ]  # 2025-H2 has one estimate: not revised, not counted


def test_statistics_by_hand() -> None:
    s = analyse(triangle())
    # revisions +0.10, -0.07, 0, +0.13, +0.07: n = 5
    assert s.n == 5
    # MR = (0.10 - 0.07 + 0 + 0.13 + 0.07) / 5 = 0.23 / 5
    assert s.mean_revision == D("0.046")
    # MAR = (0.10 + 0.07 + 0 + 0.13 + 0.07) / 5 = 0.37 / 5
    assert s.mean_absolute_revision == D("0.074")
    # RMAR = 0.37 / (12.90 + 13.30 + 12.93 + 13.40 + 13.45) = 0.37 / 65.98
    assert s.relative_mean_absolute_revision == D("0.37") / D("65.98")
    # three up, one down, one exactly zero: the zero agrees with no sign
    assert (s.positive, s.negative, s.zero) == (3, 1, 1)
    assert s.share_same_sign_as_mean == D("0.6")  # 3 of 5 are positive like MR
    assert s.share_same_direction == 1  # every level is positive in both estimates

    # plain t: e = R - MR = 0.054, -0.116, -0.046, 0.084, 0.024
    # sum e^2 = 0.002916 + 0.013456 + 0.002116 + 0.007056 + 0.000576 = 0.02612
    # se^2 = s^2 / n = (0.02612 / 4) / 5 = 0.001306
    assert s.t_plain is not None
    assert s.t_plain.std_error == pytest.approx(math.sqrt(0.001306), rel=1e-12)
    t = 0.046 / math.sqrt(0.001306)  # 1.2729
    assert s.t_plain.statistic == pytest.approx(t, rel=1e-12)
    assert s.t_plain.df == 4
    # Student's t with 4 df has a closed form: F(t) = 1/2 + 3/8 u (1 - u^2 / 12),
    # u = 2 t / sqrt(4 + t^2)
    u = 2 * t / math.sqrt(4 + t * t)
    cdf = 0.5 + 3 / 8 * u * (1 - u * u / 12)
    assert s.t_plain.p_value == pytest.approx(2 * (1 - cdf), rel=1e-10)
    assert s.t_plain.p_value == pytest.approx(0.2719, abs=5e-4)
    row = stats_row(s)
    assert (row["n"], row["mean_revision"], row["t_plain"]) == (5, D("0.046"), s.t_plain.statistic)
    assert row["hac_lags"] == 2


def test_hac_standard_error_by_hand() -> None:
    e = [Fraction(x) for x in ("0.054", "-0.116", "-0.046", "0.084", "0.024")]
    squares = sum(x * x for x in e)
    assert squares == Fraction("0.02612")
    lag1 = sum(e[t] * e[t - 1] for t in range(1, 5))
    # -0.006264 + 0.005336 - 0.003864 + 0.002016
    assert lag1 == Fraction("-0.002776")
    lag2 = sum(e[t] * e[t - 2] for t in range(2, 5))
    # -0.002484 - 0.009744 - 0.001104
    assert lag2 == Fraction("-0.013332")

    # one lag: weight 1 - 1/2; se^2 = (0.02612 - 0.002776) / (5 x 4) = 0.0011672
    one = analyse(triangle(), lags=1).t_hac
    assert one is not None
    assert one.lags == 1
    assert one.std_error == pytest.approx(math.sqrt(0.0011672), rel=1e-12)
    assert one.statistic == pytest.approx(0.046 / math.sqrt(0.0011672), rel=1e-12)

    # the default for n = 5 is floor(4 x 0.05^(2/9)) = floor(2.05) = 2 lags, weights 2/3, 1/3
    assert default_lags(5) == 2
    two = analyse(triangle()).t_hac
    assert two is not None
    assert two.lags == 2
    variance = (squares + 2 * Fraction(2, 3) * lag1 + 2 * Fraction(1, 3) * lag2) / 20
    assert two.std_error == pytest.approx(math.sqrt(variance), rel=1e-12)
    assert two.df == 4


def test_hac_pairs_periods_by_their_distance() -> None:
    # revisions of 2010, 2011, 2013 and 2014 (none of 2012): 0.1, 0.4, 0.2, 0.5
    years = {"2010": "0.1", "2011": "0.4", "2013": "0.2", "2014": "0.5"}
    table = {y: {R1: "10", R2: str(10 + D(r))} for y, r in years.items()}
    s = analyse(triangle(table))
    # MR = 1.2 / 4 = 0.3; e = -0.2, 0.1, -0.1, 0.2; sum e^2 = 0.10
    assert s.mean_revision == D("0.3")
    e = {
        2010: Fraction("-0.2"),
        2011: Fraction("0.1"),
        2013: Fraction("-0.1"),
        2014: Fraction("0.2"),
    }
    # lag 1 pairs 2010-2011 and 2013-2014 (not 2011-2013): -0.02 - 0.02
    lag1 = e[2011] * e[2010] + e[2014] * e[2013]
    assert lag1 == Fraction("-0.04")
    # lag 2 pairs 2011-2013 only: -0.01
    lag2 = e[2013] * e[2011]
    assert lag2 == Fraction("-0.01")
    # two lags by default (OECD), weights 2/3 and 1/3:
    # se^2 = (0.10 - 4/3 x 0.04 - 2/3 x 0.01) / (4 x 3) = 0.04 / 12
    variance = (Fraction("0.10") + Fraction(4, 3) * lag1 + Fraction(2, 3) * lag2) / 12
    assert variance == Fraction(1, 300)
    assert s.t_hac is not None
    assert s.t_hac.lags == 2
    assert s.t_hac.std_error == pytest.approx(math.sqrt(1 / 300), rel=1e-12)
    assert s.t_hac.statistic == pytest.approx(0.3 * math.sqrt(300), rel=1e-12)
    # three lags: lag 3 pairs 2010-2013 and 2011-2014: 0.02 + 0.02, weight 1/4
    three = analyse(triangle(table), lags=3).t_hac
    assert three is not None
    lag3 = e[2013] * e[2010] + e[2014] * e[2011]
    variance3 = (Fraction("0.10") + Fraction(3, 2) * lag1 + 1 * lag2 + Fraction(1, 2) * lag3) / 12
    assert three.std_error == pytest.approx(math.sqrt(variance3), rel=1e-12)


def test_default_lags_oecd_and_newey_west() -> None:
    # two Bartlett lags whatever the length (at most n - 1), unless Newey-West is asked for
    assert [default_lags(n) for n in (0, 1, 2, 3, 5, 200)] == [0, 0, 1, 2, 2, 2]
    # floor(4 (n/100)^(2/9)): n = 5 gives 2.05, n = 200 gives 4.67
    assert default_lags(5, "newey-west") == 2
    assert default_lags(200, "newey-west") == 4
    assert default_lags(2, "newey-west") == 1
    years = {str(2000 + k): {R1: "10", R2: str(10 + D(k % 3))} for k in range(200)}
    assert analyse(triangle(years)).t_hac.lags == 2  # type: ignore[union-attr]
    assert analyse(triangle(years), rule="newey-west").t_hac.lags == 4  # type: ignore[union-attr]
    with pytest.raises(UsageError, match="rule='andrews'"):
        default_lags(5, "andrews")  # type: ignore[arg-type]


def t_test_of(*revs: str) -> tuple[float | None, float | None]:
    """The plain t and p of revisions R1 -> R2 of the given sizes, one a year."""
    table = {str(2010 + i): {R1: "10", R2: str(10 + D(r))} for i, r in enumerate(revs)}
    test = analyse(triangle(table)).t_plain
    assert test is not None
    return test.statistic, test.p_value


def test_p_values_match_closed_forms() -> None:
    # 0.1, 0.3: MR = 0.2, e = -0.1, 0.1, s^2 = 0.02 / 1, se^2 = 0.02 / 2 = 0.01, t = 0.2 / 0.1
    # df = 1 is Cauchy: P(|T| >= 2) = 1 - 2/pi atan(2) = 0.2952
    t, p = t_test_of("0.1", "0.3")
    assert t == pytest.approx(2.0, rel=1e-12)
    assert p == pytest.approx(1 - 2 / math.pi * math.atan(2), rel=1e-12)
    # 0.1, 0.2, 0.6: MR = 0.3, e = -0.2, -0.1, 0.3, s^2 = 0.14 / 2, se^2 = 0.07 / 3
    # df = 2: P(|T| >= t) = 1 - t / sqrt(2 + t^2)
    t, p = t_test_of("0.1", "0.2", "0.6")
    assert t == pytest.approx(0.3 / math.sqrt(0.07 / 3), rel=1e-12)
    assert p == pytest.approx(1 - t / math.sqrt(2 + t * t), rel=1e-12)
    # a negative mean revision gives the same two-sided p as its mirror image
    assert t_test_of("-0.1", "-0.2", "-0.6") == pytest.approx((-t, p), rel=1e-12)
    # ten zeros and a 1: MR = 1/11, e = -1/11 (ten times), 10/11,
    # s^2 = (10/121 + 100/121) / 10 = 1/11, se^2 = s^2 / 11 = 1/121, t = 1, df = 10
    t, p = t_test_of(*(["0"] * 10 + ["1"]))
    assert t == pytest.approx(1.0, rel=1e-12)
    # even df (Abramowitz & Stegun 26.7.3): P(|T| < t) = sin a (1 + c/2 + 1.3/(2.4) c^2
    # + ... + 1.3.5.7/(2.4.6.8) c^4), a = atan(t / sqrt(10)), c = cos^2 a = 10/11
    c = D(10) / 11
    inside = (1 + c / 2 + c**2 * 3 / 8 + c**3 * 15 / 48 + c**4 * 105 / 384) / D(11).sqrt()
    assert p == pytest.approx(1 - float(inside), rel=1e-12)
    assert p == pytest.approx(0.3409, abs=5e-5)


def test_chosen_positions() -> None:
    # first to second estimate: 2023-H2's second is R3's (R2 gave none), 2024-H2's is R4's
    revs = {r.period: r for r in revisions(triangle(), 0, 1)}
    assert revs["2023-H1"].revision == D("0.05")
    assert (revs["2023-H2"].later_release, revs["2023-H2"].revision) == ("R3", D("-0.07"))
    assert revs["2024-H2"].later_release == "R4"
    assert "2025-H2" not in revs
    # the third estimate exists only for the first three periods
    assert [r.period for r in revisions(triangle(), 0, 2)] == ["2023-H1", "2023-H2", "2024-H1"]
    with pytest.raises(UsageError):
        revisions(triangle(), 1, 0)
    # the latest before the first can never be: refused, not an empty list
    with pytest.raises(UsageError, match=r"later=0.*earlier=-1"):
        revisions(triangle(), earlier=-1, later=0)
    with pytest.raises(UsageError):
        revisions(triangle(), earlier=-3, later=0)
    # the second-to-last to the second exists only for periods with two or three estimates
    # (two: positions 0 -> 1); 2023-H1 has four, whose second-to-last (R3) is after R2
    assert [r.period for r in revisions(triangle(), -2, 1)] == ["2024-H2", "2025-H1"]
    with pytest.raises(UsageError):
        analyse(triangle(), lags=-1)


def test_releases_published_at_the_same_time() -> None:
    twin = Vintage(R3.published, "R3bis")
    table = {p: dict(row) for p, row in TABLE.items()}
    table["2024-H2"][twin] = "13.30"  # the same instant as R3, which has no 2024-H2 value
    table["2023-H1"][twin] = "12.85"  # agrees with R3: kept once
    revs = {r.period: r for r in revisions(triangle(table), 0, 1)}
    assert (revs["2023-H1"].later_release, revs["2023-H1"].later) == ("R2", D("12.85"))
    assert (revs["2024-H2"].later_release, revs["2024-H2"].later) == ("R3bis", D("13.30"))
    assert [len(triangle(table).estimates(p)) for p in ("2023-H1", "2024-H2")] == [4, 3]
    table["2023-H2"][twin] = "13.31"  # differs from R3's 13.30 at the same instant
    with pytest.raises(DigexError, match=r"R3.*R3bis.*2023-H2"):
        triangle(table)


def test_from_frame_and_back() -> None:
    frame = pd.DataFrame(
        {
            "period": ["2024", "2024", "2024", "2023", "2023"],
            "release": ["b", "a", "c", "a", "b"],
            "published": pd.to_datetime(
                ["2025-09-30", "2025-03-15", "2026-03-10", "2025-03-15", "2025-09-30"], utc=True
            ),
            "value": [26.21, 26.2, float("nan"), 26.17, 26.17],
        }
    )
    tri = Triangle.from_frame(frame)
    assert tri.periods == ("2023", "2024")
    assert [v.id for v in tri.vintages] == ["a", "b", "c"]
    # floats are read as printed (26.21, not its binary expansion); NaN is no value
    assert [r.revision for r in revisions(tri)] == [D(0), D("0.01")]
    wide = tri.to_frame()
    assert list(wide.columns) == ["a", "b", "c"]
    assert wide.loc["2024", "b"] == D("26.21")
    assert wide.loc["2024", "c"] is None
    table = revisions_frame(revisions(tri))
    assert list(table["revision"]) == [D(0), D("0.01")]


def test_integer_levels_stay_exact() -> None:
    # minor units beyond 2^53 (a float would round them) and pandas' missing integer
    frame = pd.DataFrame(
        {
            "period": ["2024", "2024", "2023"],
            "release": ["a", "b", "a"],
            "published": pd.to_datetime(["2025-03-15", "2025-09-30", "2025-03-15"], utc=True),
            "value": pd.array([2**60 + 1, 2**60 + 4, pd.NA], dtype="Int64"),
        }
    )
    tri = Triangle.from_frame(frame)
    assert tri.periods == ("2024",)
    assert [r.revision for r in revisions(tri)] == [D(3)]
    with pytest.raises(NotAValue):
        Triangle([("2024", R1, "26.2")])
    with pytest.raises(NotAValue, match="boolean"):
        Triangle([("2024", R1, True)])  # type: ignore[list-item]


def test_periods_sort_in_time_and_one_frequency() -> None:
    tri = Triangle([("2024-10", R1, 1), ("2024-09", R1, 2), ("2024-10", R2, 3)])
    assert tri.periods == ("2024-09", "2024-10")
    with pytest.raises(ReleaseDataError, match="one frequency"):
        Triangle([("2024", R1, 1), ("2024-H1", R1, 2)])
    with pytest.raises(ReleaseDataError, match=r"\['R1'\].*two publication times"):
        Triangle([("2024", R1, 1), ("2023", Vintage(R1.published + dt.timedelta(1), "R1"), 2)])
    with pytest.raises(ReleaseDataError, match="time zone"):
        Triangle([("2024", Vintage(dt.datetime(2025, 1, 1), "x"), 1)])


# a column of estimates per period: 1 to 4 values (None where a release gave none)
cell = st.one_of(st.none(), st.decimals(min_value=-1000, max_value=1000, places=2))
columns = st.lists(st.lists(cell, min_size=1, max_size=4), min_size=0, max_size=12)
VINTAGES = [Vintage(at(1 + k, 1), f"V{k}") for k in range(4)]


def build(cols: list[list[D | None]]) -> Triangle:
    return Triangle(
        (f"{2000 + i}", VINTAGES[k], x) for i, col in enumerate(cols) for k, x in enumerate(col)
    )


@settings(max_examples=100, deadline=None)
@given(columns)
def test_identities(cols: list[list[D | None]]) -> None:
    s = analyse(build(cols))
    published = [[x for x in col if x is not None] for col in cols]
    assert s.n == sum(len(p) >= 2 for p in published)
    assert s.positive + s.negative + s.zero == s.n
    if s.n == 0:
        assert s.mean_revision is None
        assert s.t_plain is None
        return
    assert s.mean_revision is not None
    assert s.mean_absolute_revision is not None
    assert s.mean_absolute_revision >= abs(s.mean_revision)
    total = sum((abs(p[-1] - p[0]) for p in published if len(p) > 1), D(0))
    assert s.mean_absolute_revision == total / s.n
    if s.share_same_sign_as_mean is not None:
        agreeing = s.positive if s.mean_revision > 0 else s.negative
        assert s.share_same_sign_as_mean == D(agreeing) / s.n
    if s.t_plain is not None and s.t_plain.statistic is not None:
        t, mr = s.t_plain.statistic, s.mean_revision
        assert (t > 0, t < 0) == (mr > 0, mr < 0)
        assert s.t_plain.p_value is not None
        assert 0 <= s.t_plain.p_value <= 1


@settings(max_examples=100, deadline=None)
@given(st.lists(st.decimals(min_value=-100, max_value=100, places=1), min_size=2, max_size=10))
def test_hac_without_lags_is_the_plain_test(values: list[D]) -> None:
    cols = [[x, x + D(k % 3)] for k, x in enumerate(values)]
    s = summarise(revisions(build(cols)), lags=0)
    assert s.t_plain is not None
    assert s.t_hac is not None
    assert s.t_hac.std_error == pytest.approx(s.t_plain.std_error, rel=1e-12, abs=1e-15)
    assert s.t_hac.statistic == s.t_plain.statistic or s.t_hac.statistic == pytest.approx(
        s.t_plain.statistic, rel=1e-12
    )


@settings(max_examples=100, deadline=None)
@given(st.lists(st.decimals(min_value=-100, max_value=100, places=1), min_size=0, max_size=10))
def test_no_revision_gives_zeros_and_an_undefined_t(values: list[D]) -> None:
    s = analyse(build([[x, None, x, x] for x in values]))
    assert s.n == len(values)
    if not values:
        return
    assert s.mean_revision == 0
    assert s.mean_absolute_revision == 0
    assert s.zero == s.n
    assert s.share_same_sign_as_mean is None  # no direction to agree with
    assert s.share_same_direction == 1
    if s.n >= 2:
        assert s.t_plain is not None
        assert s.t_hac is not None
        assert (s.t_plain.std_error, s.t_plain.statistic, s.t_plain.p_value) == (0, None, None)
        assert (s.t_hac.statistic, s.t_hac.p_value) == (None, None)
    else:
        assert s.t_plain is None
