"""Student's t tail probabilities against closed forms and table values."""

from __future__ import annotations

import math
from statistics import NormalDist

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digex.releases.student import regularized_beta, two_sided_p

t_values = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


@given(t_values)
def test_one_degree_of_freedom_is_cauchy(t: float) -> None:
    assert two_sided_p(t, 1) == pytest.approx(1 - 2 / math.pi * math.atan(abs(t)), abs=1e-13)


@given(t_values)
def test_two_degrees_of_freedom(t: float) -> None:
    assert two_sided_p(t, 2) == pytest.approx(1 - abs(t) / math.sqrt(2 + t * t), abs=1e-13)


@pytest.mark.parametrize(
    ("t", "df", "p"),
    [(12.706, 1, 0.05), (4.303, 2, 0.05), (2.228, 10, 0.05), (2.086, 20, 0.05), (2.845, 20, 0.01)],
)
def test_critical_values(t: float, df: int, p: float) -> None:
    assert two_sided_p(t, df) == pytest.approx(p, abs=2e-4)


def test_large_df_tends_to_the_normal() -> None:
    for t in (0.5, 1.96, 3.0):
        assert two_sided_p(t, 1e7) == pytest.approx(2 * (1 - NormalDist().cdf(t)), abs=1e-6)


def test_edges() -> None:
    assert two_sided_p(0.0, 5) == 1.0
    assert two_sided_p(math.inf, 5) == 0.0
    assert regularized_beta(0.0, 2, 3) == 0.0
    assert regularized_beta(1.0, 2, 3) == 1.0
    # I_x(1, 1) = x, I_x(a, 1) = x^a
    assert regularized_beta(0.3, 1, 1) == pytest.approx(0.3, abs=1e-14)
    assert regularized_beta(0.7, 2.5, 1) == pytest.approx(0.7**2.5, abs=1e-14)
    with pytest.raises(ValueError, match="positive"):
        two_sided_p(1.0, 0)
