"""Which declarations exist in a month: who declares, to which market, in which currency.

A declaration is one firm, month, segment, partner, currency and flow, so a month's keys must be
distinct. Small months are drawn by simple weighted sampling, discarding repeats; when a month
asks for a large part of all possible keys (benchmark sizes), repeats would make that slow and
biased, so the keys are then drawn exactly, without replacement, over the whole key grid.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from digex.demo.population import (
    CURRENCIES,
    KPO,
    PARTNERS,
    Units,
    currency_probabilities,
    partner_probabilities,
)

# Share of the rows by segment (many small ITO declarations, few KPO ones) and of import (M) rows,
# which feed the balance indicators but never the calibrated exports.
ROW_SHARES = np.array([0.42, 0.26, 0.14, 0.165, 0.015])
IMPORT_SHARE = 0.08
# A unit's chance of declaring grows less than proportionally with its size: a large group
# declares more rows, and larger ones.
ROW_SIZE_POWER = 0.7
MAIN_MARKET_SHARE = 0.5
"""Part of a firm's rows that go to its main market rather than to the sector's partner mix."""
_GRID_CELLS_PER_CHUNK = 2_000_000


@dataclass(frozen=True)
class Keys:
    """The identifying fields of a month's rows, as indices (flow: 0 = X, 1 = M)."""

    unit: NDArray[np.int64]
    partner: NDArray[np.int64]
    currency: NDArray[np.int64]
    flow: NDArray[np.int64]

    def code(self) -> NDArray[np.int64]:
        c = (self.unit * len(PARTNERS) + self.partner) * len(CURRENCIES) + self.currency
        return c * 2 + self.flow

    def take(self, idx: NDArray[np.int64]) -> Keys:
        return Keys(self.unit[idx], self.partner[idx], self.currency[idx], self.flow[idx])

    def __add__(self, other: Keys) -> Keys:
        return Keys(
            np.concatenate([self.unit, other.unit]),
            np.concatenate([self.partner, other.partner]),
            np.concatenate([self.currency, other.currency]),
            np.concatenate([self.flow, other.flow]),
        )


class MonthSampler:
    """Draws one month's keys from the units active that month."""

    def __init__(self, units: Units, month: int, rng: np.random.Generator) -> None:
        self.units, self.rng = units, rng
        active = units.active(month)
        self.by_segment = [np.flatnonzero(active & (units.segment == s)) for s in range(5)]
        self.partner_p = partner_probabilities()
        self.currency_p = currency_probabilities()
        # Cumulative probabilities, exactly 1 from each partner's last possible currency on, so
        # that rounding can never select a currency the partner does not use.
        cum = np.cumsum(self.currency_p, axis=1)
        last = len(CURRENCIES) - 1 - np.argmax(self.currency_p[:, ::-1] > 0, axis=1)
        cum[np.arange(len(CURRENCIES))[None, :] >= last[:, None]] = 1.0
        self.currency_cum = cum
        # The (partner, currency) pairs that occur at all.
        self._pairs = np.nonzero(self.currency_p > 0)

    def mandatory(self) -> Keys:
        """Every KPO firm and the largest firm of each other segment declare exports every month,
        which keeps every segment non-empty and KPO spread over about a dozen firms."""
        picks = [self.by_segment[KPO]]
        for s in range(KPO):
            members = self.by_segment[s]
            picks.append(members[[np.argmax(self.units.size[members])]])
        unit = np.concatenate(picks)
        return self._complete(unit, np.zeros(len(unit), dtype=np.int64))

    def keys(self, n: int) -> Keys:
        """`n` rows with distinct keys, the mandatory ones included."""
        possible = sum(len(m) for m in self.by_segment) * len(self._pairs[0]) * 2
        if n > possible // 50:  # keys are scarce: repeats would dominate the draws
            return self._exhaustive(n)
        keys = self.mandatory()
        drawn, factor = 0, 2
        while drawn <= 4 * n:
            _, first = np.unique(keys.code(), return_index=True)
            keys = keys.take(np.sort(first))
            missing = n - len(keys.unit)
            if missing <= 0:
                return keys.take(np.arange(n))
            # Each round meets more repeats (large firms' usual markets are taken): draw more.
            keys = keys + self._draw(missing * factor + 64)
            drawn, factor = drawn + missing * factor + 64, factor * 2
        return self._exhaustive(n)

    def _draw(self, n: int) -> Keys:
        seg = self.rng.choice(5, size=n, p=ROW_SHARES)
        unit = np.empty(n, dtype=np.int64)
        for s in range(5):
            where = np.flatnonzero(seg == s)
            members = self.by_segment[s]
            p = self.units.size[members] ** ROW_SIZE_POWER
            unit[where] = self.rng.choice(members, size=len(where), p=p / p.sum())
        flow = (self.rng.random(n) < IMPORT_SHARE).astype(np.int64)
        return self._complete(unit, flow)

    def _complete(self, unit: NDArray[np.int64], flow: NDArray[np.int64]) -> Keys:
        n = len(unit)
        own = self.rng.random(n) < MAIN_MARKET_SHARE
        other = self.rng.choice(len(PARTNERS), size=n, p=self.partner_p)
        partner = np.where(own, self.units.main_partner[unit], other).astype(np.int64)
        u = self.rng.random(n)
        currency = (u[:, None] >= self.currency_cum[partner]).sum(axis=1).astype(np.int64)
        return Keys(unit, partner, currency, flow)

    def _grid_weights(
        self, active: NDArray[np.int64], unit_w: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        """Weight of every possible (unit, partner-currency pair, flow) cell, flattened."""
        main = self._pairs[0][None, :] == self.units.main_partner[active][:, None]
        partner_w = (1 - MAIN_MARKET_SHARE) * self.partner_p[
            self._pairs[0]
        ] + MAIN_MARKET_SHARE * main
        pair_w = partner_w * self.currency_p[self._pairs]
        flow_w = np.array([1 - IMPORT_SHARE, IMPORT_SHARE])
        w: NDArray[np.float64] = unit_w[:, None, None] * pair_w[:, :, None] * flow_w
        return w.ravel()

    def _exhaustive(self, n: int) -> Keys:
        """Weighted sampling without replacement over every possible key: the `n` cells with the
        largest u ** (1 / weight) (Efraimidis and Spirakis), taken chunk by chunk of units to
        bound memory. Only if `n` exceeds the possible keys do some repeat."""
        active = np.concatenate(self.by_segment)
        seg = self.units.segment[active]
        size_w = self.units.size[active] ** ROW_SIZE_POWER
        unit_w = ROW_SHARES[seg] * size_w / np.bincount(seg, weights=size_w, minlength=5)[seg]
        n_pairs = len(self._pairs[0])
        shape = (len(active), n_pairs, 2)
        position = np.full(len(self.units.size), -1)
        position[active] = np.arange(len(active))
        pair_of = np.full(self.currency_p.shape, -1)
        pair_of[self._pairs] = np.arange(n_pairs)
        m = self.mandatory()
        forced = np.ravel_multi_index(
            (position[m.unit], pair_of[m.partner, m.currency], m.flow), shape
        )
        cells = n_pairs * 2
        step = max(1, _GRID_CELLS_PER_CHUNK // cells)
        best_idx = np.empty(0, dtype=np.int64)
        best_key = np.empty(0)
        best_w = np.empty(0)
        for lo in range(0, len(active), step):
            hi = min(lo + step, len(active))
            w = self._grid_weights(active[lo:hi], unit_w[lo:hi])
            key = -self.rng.standard_exponential(len(w)) / w  # log(u) / w
            key[forced[(forced >= lo * cells) & (forced < hi * cells)] - lo * cells] = np.inf
            best_idx = np.concatenate([best_idx, np.arange(lo * cells, hi * cells)])
            best_key = np.concatenate([best_key, key])
            best_w = np.concatenate([best_w, w])
            if len(best_key) > n:
                top = np.argpartition(-best_key, n - 1)[:n]
                best_idx, best_key, best_w = best_idx[top], best_key[top], best_w[top]
        if len(best_idx) < n:  # more rows than possible keys: some keys repeat
            extra = self.rng.choice(len(best_idx), n - len(best_idx), p=best_w / best_w.sum())
            best_idx = np.concatenate([best_idx, best_idx[extra]])
        i, pair, flow = np.unravel_index(best_idx, shape)
        return Keys(
            active[i],
            self._pairs[0][pair].astype(np.int64),
            self._pairs[1][pair].astype(np.int64),
            flow.astype(np.int64),
        )
