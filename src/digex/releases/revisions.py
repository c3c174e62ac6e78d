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
  The divisor n (n - 1) makes L = 0 give exactly the plain standard error. The lag terms pair
  only periods whose ordinals differ by exactly l: when a period between two revised ones has
  no revision (a gap), "lag 1" never pairs periods months apart, and a pair whose partner is
  missing adds nothing (the sum has fewer terms, the divisor stays). L defaults to 2 (at most
  n - 1), the OECD/Eurostat practice for revision triangles, whose short series make data-driven
  rules unreliable; `rule="newey-west"` gives Newey and West's (1994) rule of thumb
  floor(4 (n / 100)^(2/9)) instead, and a caller may give L itself (overlapping revisions, e.g.
  year-on-year growth of quarters, overlap over three lags). The t statistic is undefined
  (None) when n < 2 or the standard error is zero (every revision equal, e.g. no revision at
  all).

Periods with a single published value are not revised and do not count, nor do periods with
fewer published values than the chosen positions need. Revisions are exact and means and
shares are Decimal quotients (28 significant digits), so a hand computation checks them
digit for digit; the standard errors, t and p-values are floats (the p-value from SciPy's
Student's t distribution).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Final, Literal, get_args

from digex.errors import ReleaseDataError, UsageError
from digex.indicators.periods import parse_period
from digex.releases.triangle import Triangle

if TYPE_CHECKING:
    import pandas as pd

FIRST = 0
"""Position of the first published estimate of a period."""
LATEST = -1
"""Position of the latest published estimate of a period."""
LagRule = Literal["oecd", "newey-west"]
"""How the HAC standard error's number of lags is chosen when none is given."""
LAG_RULES: Final = get_args(LagRule)
OECD_LAGS: Final = 2
"""The OECD/Eurostat revision analyses' number of Bartlett lags."""


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
    if _never_after(earlier, later):
        raise UsageError(
            f"later={later} can never be an estimate published after earlier={earlier}: "
            "give positions such as earlier=0, later=-1 (first to latest)"
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


def _never_after(earlier: int, later: int) -> bool:
    """Whether position `later` comes after position `earlier` in no list of estimates.

    Counted from the same end, it must be larger. Counted from different ends, earlier = -m
    (m-th from the end) and later = k (the k+1-th) fit a list of n estimates when
    n - m < k < n, which some n allows only when m >= 2 and k >= 1; earlier = k and
    later = -m fit every list longer than k + m.
    """
    if (earlier >= 0) == (later >= 0):
        return later <= earlier
    return earlier < 0 and (earlier == -1 or later == 0)


def _sign(v: Decimal) -> int:
    return (v > 0) - (v < 0)


def default_lags(n: int, rule: LagRule = "oecd") -> int:
    """The HAC lags for n revisions: OECD_LAGS (the OECD/Eurostat practice), or Newey and
    West's (1994) rule of thumb floor(4 (n / 100)^(2/9)); at most n - 1."""
    if rule not in LAG_RULES:
        raise UsageError(f"rule={rule!r}: choose one of {', '.join(LAG_RULES)}")
    if n < 2:
        return 0
    if rule == "oecd":
        return min(n - 1, OECD_LAGS)
    nw: float = 4 * (n / 100) ** (2 / 9)
    return min(n - 1, math.floor(nw))


def _t_test(errors: Mapping[int, float], mean: float, lags: int) -> TTest:
    """The t-test of MR = 0 from the errors e_t by period ordinal; lag l pairs the periods
    whose ordinals differ by exactly l (Bartlett weights)."""
    n = len(errors)
    total = sum(e * e for e in errors.values())
    for lag in range(1, lags + 1):
        weight = 1 - lag / (lags + 1)
        pairs = (e * errors[t - lag] for t, e in errors.items() if t - lag in errors)
        total += 2 * weight * sum(pairs)
    se = math.sqrt(max(total, 0.0) / (n * (n - 1)))
    if se == 0.0:
        return TTest(se, None, None, n - 1, lags)
    statistic = mean / se
    return TTest(se, statistic, _two_sided_p(statistic, n - 1), n - 1, lags)


def _ordinals(revs: Sequence[Revision]) -> list[int]:
    """The revised periods' ordinals (one frequency, each period once)."""
    periods = [parse_period(r.period) for r in revs]
    if len({p.freq for p in periods}) > 1 or len({p.ordinal for p in periods}) < len(periods):
        raise ReleaseDataError(
            "revisions to compare are of distinct periods of one frequency, not "
            f"{[r.period for r in revs]}"
        )
    return [p.ordinal for p in periods]


def _two_sided_p(statistic: float, df: int) -> float:
    """P(|T| >= |t|) for Student's T with `df` degrees of freedom, from SciPy's survival
    function (imported here: scipy.stats takes a second to load and only the test needs it)."""
    from scipy import stats

    return float(2 * stats.t.sf(abs(statistic), df))


def analyse(
    triangle: Triangle,
    earlier: int = FIRST,
    later: int = LATEST,
    lags: int | None = None,
    rule: LagRule = "oecd",
) -> RevisionStats:
    """The summary statistics of the revisions from `earlier` to `later` (see the module)."""
    return summarise(revisions(triangle, earlier, later), lags, rule)


def summarise(
    revs: Sequence[Revision], lags: int | None = None, rule: LagRule = "oecd"
) -> RevisionStats:
    """The statistics of revisions of distinct periods; `lags` (the HAC's) defaults to what
    `rule` gives for their number."""
    if lags is not None and lags < 0:
        raise UsageError(f"the number of lags must be 0 or more, not {lags}")
    lag_count = default_lags(len(revs), rule) if lags is None else min(len(revs) - 1, lags)
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
        errors = {o: float(r.revision - mr) for o, r in zip(_ordinals(revs), revs, strict=True)}
        t_plain = _t_test(errors, float(mr), 0)
        t_hac = _t_test(errors, float(mr), lag_count)
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
