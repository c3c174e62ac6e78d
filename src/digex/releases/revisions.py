"""Revision analysis of one indicator and cut, as the OECD/Eurostat guidelines on revisions
policy and analysis recommend (McKenzie and Gamba, "Interpreting the results of revision
analyses: recommended summary statistics", OECD 2008).

For each period t revised between an earlier estimate P_t and a later one L_t (which two is
chosen by position in the period's own list of published values, see `Triangle`), the
revision is R_t = L_t - P_t, and over the n such periods:

- mean revision MR = sum(R_t) / n: the bias of the earlier estimate (positive: it was too low);
- mean absolute revision MAR = sum(|R_t|) / n: the size of revisions whatever their sign;
- relative mean absolute revision RMAR = sum(|R_t|) / sum(|L_t|), that is MAR over the mean
  absolute later estimate. Dividing by the later estimate (the better one) is the OECD's
  choice; dividing sums rather than averaging |R_t| / |L_t| keeps one period whose estimate
  is close to zero from dominating. For a triangle of growth rates this is MAR over the mean
  absolute growth, as the guidelines ask: the revision is then measured against the size of
  the movement it changes. For levels it is the relative size of revisions to the level.
  Undefined when every later estimate is zero;
- the shares of positive, negative and zero revisions, and the share of revisions with the
  same sign as MR (a zero revision has no sign: it counts in n, never as agreeing).
  Undefined when MR is zero (no direction to agree with). The share of periods whose earlier
  and later estimates have the same sign (zero counting as its own sign) is given too: for
  growth rates it says how often the first estimate got the direction of the movement right;
- a t-test of MR = 0, with df = n - 1: t = MR / se(MR). The plain standard error is
  s / sqrt(n) with s the sample standard deviation of R_t. Revisions of successive periods
  are usually correlated (the same late file revises several months; year-on-year growth
  rates overlap), which makes the plain standard error too small, so the guidelines recommend
  the heteroskedasticity and autocorrelation consistent (HAC) standard error of Newey and
  West: with e_t = R_t - MR in period order and Bartlett weights w_l = 1 - l / (L + 1),
      se_HAC(MR)^2 = [sum(e_t^2) + 2 sum_{l=1..L} w_l sum_{t>l} e_t e_{t-l}] / (n (n - 1)).
  The divisor n (n - 1) makes L = 0 give exactly the plain standard error. L defaults to
  floor(4 (n / 100)^(2/9)) (Newey and West, 1994), at most n - 1; overlapping revisions
  (year-on-year growth of quarters overlap over three lags) call for a larger L, which the
  caller can give. Revisions are taken in period order, and a period with no revision (a gap)
  is skipped, not treated as a zero. The t statistic is undefined (None) when n < 2 or the
  standard error is zero (every revision equal, e.g. no revision at all).

Periods with a single published value are not revised and do not count, nor do periods with
fewer published values than the chosen positions need. Revisions are exact and means and
shares are Decimal quotients (28 significant digits), so a hand computation checks them
digit for digit; the standard errors, t and p-values are floats (the p-value from SciPy's
Student's t distribution).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from digex.errors import UsageError
from digex.releases.triangle import Triangle

if TYPE_CHECKING:
    import pandas as pd

FIRST = 0
"""Position of the first published estimate of a period."""
LATEST = -1
"""Position of the latest published estimate of a period."""


@dataclass(frozen=True)
class Revision:
    period: str
    earlier_release: str
    later_release: str
    earlier: Decimal
    later: Decimal

    @property
    def revision(self) -> Decimal:
        return self.later - self.earlier


@dataclass(frozen=True)
class TTest:
    """A t-test of mean revision = 0; `statistic` and `p_value` are None when undefined."""

    std_error: float
    statistic: float | None
    p_value: float | None
    df: int
    lags: int


@dataclass(frozen=True)
class RevisionStats:
    n: int
    mean_revision: Decimal | None
    mean_absolute_revision: Decimal | None
    relative_mean_absolute_revision: Decimal | None
    positive: int
    negative: int
    zero: int
    share_same_sign_as_mean: Decimal | None
    share_same_direction: Decimal | None
    t_plain: TTest | None
    t_hac: TTest | None


def _position(estimates: Sequence[object], at: int) -> int | None:
    """The index `at` (Python style: 0 first, -1 last) in a list of this length, or None."""
    n = len(estimates)
    index = at if at >= 0 else n + at
    return index if 0 <= index < n else None


def revisions(triangle: Triangle, earlier: int = FIRST, later: int = LATEST) -> list[Revision]:
    """The revisions from each period's `earlier`-th to its `later`-th published estimate
    (positions as Python indices: 0 the first, 1 the second, -1 the latest), in period order.

    A period counts only when both positions exist and the later one comes after the
    earlier one in its own list: a period published once is never revised.
    """
    if (earlier >= 0) == (later >= 0) and later <= earlier:
        raise UsageError(
            f"the later estimate (position {later}) must come after the earlier ({earlier})"
        )
    result = []
    for period in triangle.periods:
        estimates = triangle.estimates(period)
        i, j = _position(estimates, earlier), _position(estimates, later)
        if i is None or j is None or j <= i:
            continue
        p, q = estimates[i], estimates[j]
        result.append(Revision(period, p.vintage.id, q.vintage.id, p.value, q.value))
    return result


def _sign(v: Decimal) -> int:
    return (v > 0) - (v < 0)


def default_lags(n: int) -> int:
    """Newey and West's (1994) rule of thumb, floor(4 (n / 100)^(2/9)), at most n - 1."""
    if n < 2:
        return 0
    rule: float = 4 * (n / 100) ** (2 / 9)
    return min(n - 1, math.floor(rule))


def _t_test(errors: Sequence[float], mean: float, lags: int) -> TTest:
    n = len(errors)
    total = sum(e * e for e in errors)
    for lag in range(1, lags + 1):
        weight = 1 - lag / (lags + 1)
        total += 2 * weight * sum(errors[t] * errors[t - lag] for t in range(lag, n))
    se = math.sqrt(max(total, 0.0) / (n * (n - 1)))
    if se == 0.0:
        return TTest(se, None, None, n - 1, lags)
    statistic = mean / se
    return TTest(se, statistic, _two_sided_p(statistic, n - 1), n - 1, lags)


def _two_sided_p(statistic: float, df: int) -> float:
    """P(|T| >= |t|) for Student's T with `df` degrees of freedom, from SciPy's survival
    function (imported here: scipy.stats takes a second to load and only the test needs it)."""
    from scipy import stats

    return float(2 * stats.t.sf(abs(statistic), df))


def analyse(
    triangle: Triangle, earlier: int = FIRST, later: int = LATEST, lags: int | None = None
) -> RevisionStats:
    """The summary statistics of the revisions from `earlier` to `later` (see the module)."""
    return summarise(revisions(triangle, earlier, later), lags)


def summarise(revs: Sequence[Revision], lags: int | None = None) -> RevisionStats:
    """The statistics of revisions given in period order."""
    if lags is not None and lags < 0:
        raise UsageError(f"the number of lags must be 0 or more, not {lags}")
    n = len(revs)
    signs = [_sign(r.revision) for r in revs]
    positive, negative = signs.count(1), signs.count(-1)
    if n == 0:
        return RevisionStats(0, None, None, None, 0, 0, 0, None, None, None, None)
    mr = sum((r.revision for r in revs), Decimal(0)) / n
    absolute = sum((abs(r.revision) for r in revs), Decimal(0))
    later_size = sum((abs(r.later) for r in revs), Decimal(0))
    direction = sum(_sign(r.earlier) == _sign(r.later) for r in revs)
    same = None if mr == 0 else Decimal(signs.count(_sign(mr))) / n
    t_plain = t_hac = None
    if n >= 2:
        errors = [float(r.revision - mr) for r in revs]
        t_plain = _t_test(errors, float(mr), 0)
        t_hac = _t_test(errors, float(mr), min(n - 1, default_lags(n) if lags is None else lags))
    return RevisionStats(
        n=n,
        mean_revision=mr,
        mean_absolute_revision=absolute / n,
        relative_mean_absolute_revision=None if later_size == 0 else absolute / later_size,
        positive=positive,
        negative=negative,
        zero=n - positive - negative,
        share_same_sign_as_mean=same,
        share_same_direction=Decimal(direction) / n,
        t_plain=t_plain,
        t_hac=t_hac,
    )


def revisions_frame(revs: Sequence[Revision]) -> pd.DataFrame:
    """One row per revised period, as the API returns it."""
    import pandas as pd

    return pd.DataFrame(
        {
            "period": [r.period for r in revs],
            "earlier_release": [r.earlier_release for r in revs],
            "later_release": [r.later_release for r in revs],
            "earlier": [r.earlier for r in revs],
            "later": [r.later for r in revs],
            "revision": [r.revision for r in revs],
        }
    )


def stats_row(stats: RevisionStats) -> dict[str, object]:
    """The statistics as one flat row, for a table with a row per indicator and cut."""
    row: dict[str, object] = {
        "n": stats.n,
        "mean_revision": stats.mean_revision,
        "mean_absolute_revision": stats.mean_absolute_revision,
        "relative_mean_absolute_revision": stats.relative_mean_absolute_revision,
        "positive": stats.positive,
        "negative": stats.negative,
        "zero": stats.zero,
        "share_same_sign_as_mean": stats.share_same_sign_as_mean,
        "share_same_direction": stats.share_same_direction,
    }
    for name, test in (("plain", stats.t_plain), ("hac", stats.t_hac)):
        row[f"se_{name}"] = None if test is None else test.std_error
        row[f"t_{name}"] = None if test is None else test.statistic
        row[f"p_{name}"] = None if test is None else test.p_value
    row["hac_lags"] = None if stats.t_hac is None else stats.t_hac.lags
    return row
