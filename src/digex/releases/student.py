"""Two-sided p-values of Student's t distribution, without SciPy.

SciPy is not in the lock, and a revision analysis needs only the tail probability of one
statistic: P(|T| >= t) for T with `df` degrees of freedom equals the regularised incomplete
beta function I_x(df/2, 1/2) at x = df / (df + t^2). The function is evaluated by its
continued fraction (the even/odd expansion in Abramowitz & Stegun 26.5.8), which converges
quickly for x < (a + 1) / (a + b + 2); beyond that point the symmetry
I_x(a, b) = 1 - I_{1-x}(b, a) brings it back into that range (for a small t the complement
t^2 / (df + t^2) is formed directly, as 1 - x would lose its digits). Accuracy is about 1e-14
absolute, far beyond what a p-value printed to three decimals needs; the tests check it
against the closed forms for 1 and 2 degrees of freedom.
"""

from __future__ import annotations

import math
from typing import Final

_TINY: Final = 1e-300
_EPS: Final = 1e-15
_MAX_TERMS: Final = 500


def two_sided_p(t: float, df: float) -> float:
    """P(|T| >= |t|) for Student's T with `df` > 0 degrees of freedom."""
    if not df > 0:
        raise ValueError(f"degrees of freedom must be positive, got {df}")
    if math.isnan(t):
        raise ValueError("t is not a number")
    if math.isinf(t):
        return 0.0
    square = t * t
    if square < df:  # x = df / (df + t^2) is near 1: work from its complement, exactly formed
        return 1.0 - regularized_beta(square / (df + square), 0.5, df / 2.0)
    return regularized_beta(df / (df + square), df / 2.0, 0.5)


def regularized_beta(x: float, a: float, b: float) -> float:
    """I_x(a, b) for 0 <= x <= 1 and a, b > 0."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    if x > (a + 1.0) / (a + b + 2.0):
        return 1.0 - regularized_beta(1.0 - x, b, a)
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    return math.exp(log_front) * _fraction(x, a, b) / a


def _nonzero(v: float) -> float:
    return v if abs(v) >= _TINY else _TINY


def _fraction(x: float, a: float, b: float) -> float:
    """The continued fraction 1 / (1 + d1 / (1 + d2 / (1 + ...))) by the modified Lentz method,
    where d(2m+1) = -(a+m)(a+b+m)x / ((a+2m)(a+2m+1)) and d(2m) = m(b-m)x / ((a+2m-1)(a+2m))."""
    c = 1.0
    d = 1.0 / _nonzero(1.0 - (a + b) * x / (a + 1.0))
    result = d
    for m in range(1, _MAX_TERMS):
        for coefficient in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1.0 / _nonzero(1.0 + coefficient * d)
            c = _nonzero(1.0 + coefficient / c)
            result *= c * d
        if abs(c * d - 1.0) < _EPS:
            return result
    raise ArithmeticError(f"the incomplete beta fraction did not converge (x={x}, a={a}, b={b})")
