"""The synthetic exporters and their markets.

A *unit* is one firm active in one segment (a large group may export in two segments). Sizes are
heavy-tailed, as in the real sector: a handful of groups carry a large part of the value and
many small firms declare little. KPO is deliberately a small segment of about a dozen similar
firms, so that its total can be published while its cells by partner must be suppressed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from digex.demo.calibration import MONTHS, SEGMENTS

KPO = SEGMENTS.index("KPO")
N_MONTHS = len(MONTHS)

# Partner markets and their weight in the rows drawn: France first, then Spain, the US, the UK,
# Belgium, Germany, Canada and Switzerland, then a tail (Namibia, `NA`, included on purpose: the
# code is a classic victim of readers that turn "NA" into a missing value).
PARTNER_WEIGHTS: dict[str, float] = {
    "FR": 40.0, "ES": 9.0, "US": 7.5, "GB": 6.0, "BE": 5.0, "DE": 4.0, "CA": 3.0, "CH": 3.0,
    "NL": 2.5, "IT": 2.0, "LU": 1.5, "IE": 1.2, "PT": 1.0, "SE": 0.8, "PL": 0.6, "AT": 0.6,
    "DK": 0.5, "NO": 0.4, "FI": 0.3, "SN": 1.2, "CI": 1.0, "CM": 0.6, "GA": 0.5, "ML": 0.3,
    "BF": 0.2, "TN": 0.8, "DZ": 0.3, "EG": 0.4, "NG": 0.4, "KE": 0.3, "ZA": 0.4, "NA": 0.6,
    "MR": 0.4, "AE": 1.5, "SA": 1.2, "QA": 0.8, "KW": 0.3, "JO": 0.2, "TR": 0.4, "IN": 0.4,
    "CN": 0.4, "JP": 0.3, "SG": 0.3, "AU": 0.3, "BR": 0.3, "MX": 0.2, "MG": 0.2,
}  # fmt: skip
PARTNERS: tuple[str, ...] = tuple(PARTNER_WEIGHTS)
CURRENCIES: tuple[str, ...] = ("EUR", "USD", "GBP", "CHF", "CAD", "MAD")

# Invoice currency given the partner (probabilities in CURRENCIES order): mostly the partner's own
# currency, some invoices in dirhams, dollars for markets without a quoted rate.
_EURO = ("FR", "ES", "BE", "DE", "NL", "IT", "LU", "IE", "PT", "AT", "FI")
_OTHER_EUROPE = ("SE", "PL", "DK", "NO")
_CFA = ("SN", "CI", "CM", "GA", "ML", "BF")
_CURRENCY_MIX: dict[str, tuple[float, ...]] = {
    "euro": (0.86, 0.05, 0.0, 0.0, 0.0, 0.09),
    "US": (0.05, 0.90, 0.0, 0.0, 0.0, 0.05),
    "GB": (0.18, 0.10, 0.72, 0.0, 0.0, 0.0),
    "CH": (0.33, 0.05, 0.0, 0.62, 0.0, 0.0),
    "CA": (0.08, 0.32, 0.0, 0.0, 0.60, 0.0),
    "other_europe": (0.80, 0.12, 0.0, 0.0, 0.0, 0.08),
    "cfa": (0.70, 0.15, 0.0, 0.0, 0.0, 0.15),
    "rest": (0.20, 0.75, 0.0, 0.0, 0.0, 0.05),
}
# Segments of ordinary firms (KPO firms are counted apart) and share of firms in each.
_FIRM_SEGMENT_SHARES = (0.46, 0.20, 0.15, 0.19)


def _currency_group(partner: str) -> str:
    if partner in _EURO:
        return "euro"
    if partner in _OTHER_EUROPE:
        return "other_europe"
    if partner in _CFA:
        return "cfa"
    return partner if partner in _CURRENCY_MIX else "rest"


def partner_probabilities() -> NDArray[np.float64]:
    w = np.array(list(PARTNER_WEIGHTS.values()), dtype=np.float64)
    p: NDArray[np.float64] = w / w.sum()
    return p


def currency_probabilities() -> NDArray[np.float64]:
    """Invoice currency probabilities per partner, shape (partners, currencies)."""
    mix = np.array([_CURRENCY_MIX[_currency_group(p)] for p in PARTNERS], dtype=np.float64)
    p: NDArray[np.float64] = mix / mix.sum(axis=1, keepdims=True)
    return p


@dataclass(frozen=True)
class Units:
    """Firm-by-segment units; arrays are aligned, one entry per unit."""

    firm_ids: tuple[str, ...]  # one per firm, 15-digit ICE
    firm: NDArray[np.int64]
    segment: NDArray[np.int64]
    size: NDArray[np.float64]
    entry: NDArray[np.int64]  # first active month index
    exit: NDArray[np.int64]  # first inactive month index (N_MONTHS = still active)
    main_partner: NDArray[np.int64]

    def active(self, month: int) -> NDArray[np.bool_]:
        return (self.entry <= month) & (month < self.exit)


def _firm_ids(rng: np.random.Generator, n: int) -> tuple[str, ...]:
    """Unique 15-digit ICE numbers; many start with zeros, as real ones do."""
    zeros = rng.choice(3, size=n, p=[0.40, 0.15, 0.45])  # leading zeros: none, one, two
    low = 10 ** (14 - zeros)
    values = low + (rng.random(n) * 9 * low).astype(np.int64)
    while len(np.unique(values)) < n:
        _, first = np.unique(values, return_index=True)
        dup = np.setdiff1d(np.arange(n), first)
        values[dup] = low[dup] + (rng.random(len(dup)) * 9 * low[dup]).astype(np.int64)
    return tuple(f"{v:015d}" for v in values.tolist())


def _lifetimes(
    rng: np.random.Generator, n: int, persistent: NDArray[np.bool_]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Entry and exit months: most firms predate 2019, others enter over time, some leave."""
    entry = np.where(rng.random(n) < 0.62, 0, rng.integers(1, N_MONTHS, n))
    span = np.maximum(N_MONTHS - entry - 6, 1)
    leaves = rng.random(n) < 0.2
    exit_ = np.where(leaves, entry + 6 + (rng.random(n) * span).astype(np.int64), N_MONTHS)
    entry[persistent] = 0
    exit_[persistent] = N_MONTHS
    return entry.astype(np.int64), np.minimum(exit_, N_MONTHS).astype(np.int64)


def make_units(rng: np.random.Generator, firms: int) -> Units:
    """Draw the exporter population: ordinary firms, a few large groups and the KPO firms."""
    if firms < 50:
        raise ValueError(f"firms must be at least 50 to fill five segments, got {firms}")
    n_kpo = max(10, round(0.012 * firms))
    n_other = firms - n_kpo
    seg = np.concatenate(
        [rng.choice(4, size=n_other, p=_FIRM_SEGMENT_SHARES), np.full(n_kpo, KPO)]
    ).astype(np.int64)
    size = np.exp(rng.normal(0.0, 1.5, firms))
    # A few large groups, in IT services and contact centres.
    big = rng.choice(np.flatnonzero(seg <= 1), size=6, replace=False)
    size[big] *= 10.0
    # KPO firms are of similar size, so that none dominates the segment.
    size[seg == KPO] = rng.uniform(0.7, 1.3, n_kpo)
    persistent = np.zeros(firms, dtype=bool)
    persistent[big] = True
    for s in range(4):  # the largest firm of each segment is there all along
        members = np.flatnonzero(seg == s)
        persistent[members[np.argmax(size[members])]] = True
    entry, exit_ = _lifetimes(rng, firms, persistent)
    kpo = np.flatnonzero(seg == KPO)
    entry[kpo], exit_[kpo] = 0, N_MONTHS
    entry[kpo[0]] = 30  # one KPO firm enters in mid-2021, another leaves in 2023
    exit_[kpo[1]] = 55
    # About one ordinary firm in eight also exports in a second segment, at a smaller scale.
    second = np.flatnonzero((seg != KPO) & (rng.random(firms) < 0.12))
    second_seg = (seg[second] + rng.integers(1, 4, len(second))) % 4
    firm = np.concatenate([np.arange(firms), second])
    p = partner_probabilities()
    return Units(
        firm_ids=_firm_ids(rng, firms),
        firm=firm.astype(np.int64),
        segment=np.concatenate([seg, second_seg]).astype(np.int64),
        size=np.concatenate([size, size[second] * rng.uniform(0.1, 0.5, len(second))]),
        entry=np.concatenate([entry, entry[second]]),
        exit=np.concatenate([exit_, exit_[second]]),
        main_partner=rng.choice(len(PARTNERS), size=len(firm), p=p).astype(np.int64),
    )
