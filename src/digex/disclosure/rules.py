"""The primary (sensitivity) rules: which cells reveal too much about their largest contributor.

A contributor is an enterprise group (`Parameters.groups`), never a declarant: the rules read
each group's sum in the cell, and take its absolute value (a credit note does not make a group
smaller in what its figure reveals). With x1 >= x2 >= ... the groups' |sums|, X their total and
R = X - x1 - x2 the remainder (Handbook on SDC, chapter 4):

- threshold: unsafe when 0 < N < n; it only forbids exact disclosure, so its UPL is 0;
- (n,k)-dominance: unsafe when x1 + ... + xn > k/100 X; UPL = 100/k (x1 + ... + xn) - X;
- p %-rule: unsafe when R < p/100 x1 (the runner-up subtracting its own figure learns x1
  within p %); UPL = p/100 x1 - R;
- (p,q) prior-posterior: unsafe when R < p/q x1; UPL = p/q x1 - R (a p %-rule with 100 p/q);
- zero_unsafe (optional): N >= 1 groups that all reported exactly 0 (a published 0 tells each
  of them that the others reported nothing).

Boundaries follow the Handbook: dominance is strict (>) and the p %-rule strict (<), so a cell
exactly at the limit is safe; each test compares the two sides multiplied out (100 S > k X,
p x1 > 100 R), which is exact on integer-valued figures and is the sign of the UPL's
numerator, so "unsafe" and "UPL > 0" never disagree. The lower protection level is the UPL
capped at the cell's value (values cannot go below 0). N counts every group with an entry,
an explicit 0 included, but the threshold counts only the groups with a non-zero sum (a cell
of 7, 3 and 0 is two firms' figures: the one with 3 learns the 7); an empty cell is safe.

When several rules fire the code follows A (threshold, zero) > O ((1,k)) > T ((n>=2,k)) > M
(p %, pq), the UPL is the largest of the rules that fired, and `rule` lists every rule that
fired in that order, joined by "; ".

`judge` reads one cell by sorting; `sensitivity` does the same for every row of a sparse
(cells x groups) matrix without a loop over cells: the largest entries come from a few passes
of `np.maximum.reduceat` over the CSR data, each removing the row maxima it found.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from digex.disclosure import problem
from digex.disclosure.parameters import Parameters
from digex.disclosure.problem import FREE, BoolArray, FloatArray, Sensitivity

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Verdict:
    """One cell's verdict, as `Sensitivity` holds it per cell."""

    code: str
    rule: str
    upl: float
    lpl: float
    contributors: int
    x1: float
    x2: float


def equivalent_p(k: float) -> float:
    """The p of the p %-rule that a (2,k) rule over-protects: every (2,k)-safe cell is p %-safe
    with p = 100 (100 - k) / k, not the reverse (the Handbook prefers the p %-rule)."""
    return 100.0 * (100.0 - k) / k


def group_sums(units: Iterable[tuple[str, float]], groups: Mapping[str, str]) -> dict[str, float]:
    """Each enterprise group's sum over (unit id, value) pairs; a unit `groups` does not list
    is its own group. What a cell's contributions are, before `judge` reads them."""
    out: dict[str, float] = {}
    for unit, value in units:
        group = groups.get(unit, unit)
        out[group] = out.get(group, 0.0) + float(value)
    return out


def dominance_upl(top: Any, total: Any, k: float) -> Any:
    """UPL of the (n,k) rule from the n largest's sum `top`: positive exactly when unsafe."""
    return (100.0 * top - k * total) / k


def p_percent_upl(x1: Any, remainder: Any, p: float) -> Any:
    """UPL of the p %-rule: positive exactly when unsafe."""
    return (p * x1 - 100.0 * remainder) / 100.0


def pq_upl(x1: Any, remainder: Any, p: float, q: float) -> Any:
    """UPL of the (p,q) prior-posterior rule: positive exactly when unsafe."""
    return (p * x1 - q * remainder) / q


@dataclass(frozen=True)
class _Stats:
    """What the rules read of each cell (arrays, or 0-d arrays for one cell)."""

    n: IntArray
    nonzero: IntArray  # groups with a non-zero sum: what the threshold counts
    total: FloatArray
    tops: dict[int, FloatArray]  # n -> x1 + ... + xn
    remainder: FloatArray
    protected: FloatArray | None = None
    """xs, the largest contributor without a waiver (None: no waivers, xs = x1)."""
    other: FloatArray | None = None
    """xr, the largest contributor other than s (None: no waivers, xr = x2)."""

    def top(self, n: int) -> Any:
        """What the rule on the n largest reads: with waivers xs for n = 1 and xs + xr for
        n = 2 (DISCLOSURE.md 1.3; larger n read the n largest, waived or not)."""
        if self.protected is None or n > 2:
            return self.tops[n]
        assert self.other is not None
        return self.protected if n == 1 else self.protected + self.other

    @property
    def rest(self) -> Any:
        """X - xs - xr: what the runner-up does not know (R, with waivers)."""
        if self.protected is None:
            return self.remainder
        assert self.other is not None
        return self.total - self.protected - self.other


@dataclass(frozen=True)
class _Rule:
    name: str
    code: str
    evaluate: Callable[[_Stats], tuple[Any, Any]]  # -> (fired, upl)


def _threshold(n: int) -> Callable[[_Stats], tuple[Any, Any]]:
    return lambda s: ((s.nonzero > 0) & (s.nonzero < n), np.zeros_like(s.total))


def _zero(s: _Stats) -> tuple[Any, Any]:
    return (s.n > 0) & (s.total == 0), np.zeros_like(s.total)


def _fires(upl: Any) -> tuple[Any, Any]:
    return upl > 0, upl


def _dominance(n: int, k: float) -> Callable[[_Stats], tuple[Any, Any]]:
    return lambda s: _fires(dominance_upl(s.top(n), s.total, k))


def _p_percent(p: float) -> Callable[[_Stats], tuple[Any, Any]]:
    return lambda s: _fires(p_percent_upl(s.top(1), s.rest, p))


def _pq(p: float, q: float) -> Callable[[_Stats], tuple[Any, Any]]:
    return lambda s: _fires(pq_upl(s.top(1), s.rest, p, q))


def _rules(params: Parameters) -> list[_Rule]:
    """The rules `params` switches on, in order of precedence of their codes."""
    rules = [_Rule(f"threshold n={params.min_frequency}", "A", _threshold(params.min_frequency))]
    if params.zero_unsafe:
        rules.append(_Rule("zero", "A", _zero))
    for n, k in sorted(params.nk, key=lambda r: r[0] != 1):
        rules.append(_Rule(f"({n},{k:g})-dominance", "O" if n == 1 else "T", _dominance(n, k)))
    if params.p is not None:
        rules.append(_Rule("p%", "M", _p_percent(params.p)))
    if params.pq is not None:
        rules.append(_Rule("pq", "M", _pq(*params.pq)))
    return rules


def _depth(params: Parameters) -> int:
    """How many of the largest contributors the rules read."""
    return max([2, *(n for n, _ in params.nk)])


def judge(
    contributions: Sequence[float], params: Parameters, waived: Sequence[bool] | None = None
) -> Verdict:
    """The verdict on one cell from its groups' sums (any order; an explicit 0 counts);
    `waived` says which of them waived their protection."""
    flags = list(waived) if waived is not None else [False] * len(contributions)
    kept = sorted((abs(float(c)) for c, w in zip(contributions, flags, strict=True) if not w),
                  reverse=True)  # fmt: skip
    given = max((abs(float(c)) for c, w in zip(contributions, flags, strict=True) if w),
                default=0.0)  # fmt: skip
    xs = sorted((abs(float(c)) for c in contributions), reverse=True)
    value = sum(float(c) for c in contributions)
    n = len(xs)
    x1 = xs[0] if n > 0 else 0.0
    x2 = xs[1] if n > 1 else 0.0
    if n == 0:
        return Verdict(FREE, "", 0.0, 0.0, 0, 0.0, 0.0)
    stats = _Stats(
        n=np.asarray(n),
        nonzero=np.asarray(sum(1 for x in xs if x != 0)),
        total=np.asarray(sum(xs)),
        tops={j: np.asarray(sum(xs[:j])) for j in range(1, _depth(params) + 1)},
        remainder=np.asarray(sum(xs[2:])),
        protected=np.asarray(kept[0] if kept else 0.0) if any(flags) else None,
        other=np.asarray(max(kept[1] if len(kept) > 1 else 0.0, given)) if any(flags) else None,
    )
    code, names, upl = FREE, [], 0.0
    for rule in _rules(params):
        fired, rule_upl = rule.evaluate(stats)
        if bool(fired):
            code = rule.code if code == FREE else code
            names.append(rule.name)
            upl = max(upl, float(rule_upl))
    lpl = min(upl, max(value, 0.0))
    return Verdict(code, "; ".join(names), upl, lpl, n, x1, x2)


def cell_contributions(
    membership: sparse.csr_matrix, contributions: sparse.csr_matrix
) -> sparse.csr_matrix:
    """(cells x groups), a group present in a cell with a zero sum kept as an explicit 0:
    `problem.cell_contributions`, the one implementation (`Cube.cell_contributions` uses it)."""
    return problem.cell_contributions(membership, contributions)


def _canonical(m: Any) -> sparse.csr_matrix:
    """A float CSR with one entry per (cell, group), explicit zeros kept."""
    out = sparse.csr_matrix(m, dtype=np.float64)
    if not out.has_canonical_format:
        out = out.copy()
        out.sum_duplicates()  # adds duplicates up; keeps entries that sum to 0
    return out


class RowScan:
    """The rows of a canonical CSR, for per-row reductions over its data without a loop over
    rows: `per_row` sums or maximises each row's values; `pop_largest` takes each row's
    largest remaining |entry| out of `work` (taken entries become -1) and returns it."""

    def __init__(self, m: sparse.csr_matrix) -> None:
        self.n_rows = int(m.shape[0])
        self.counts = np.diff(m.indptr).astype(np.int64)
        self.data = np.asarray(m.data[: m.indptr[-1]], dtype=np.float64)
        self.row_of = np.repeat(np.arange(self.n_rows), self.counts)
        self.busy = np.flatnonzero(self.counts)
        self.starts = m.indptr[:-1][self.busy]
        self.work = np.abs(self.data)
        self.taken = 0

    def per_row(self, ufunc: np.ufunc, values: FloatArray) -> FloatArray:
        out = np.zeros(self.n_rows)
        if self.busy.size:
            out[self.busy] = ufunc.reduceat(values, self.starts)
        return out

    def pop_largest(self) -> FloatArray:
        self.taken += 1
        top = np.where(self.counts >= self.taken, self.per_row(np.maximum, self.work), 0.0)
        # Take each row's first entry equal to its maximum (rows already empty have none).
        hit = np.flatnonzero(self.work == top[self.row_of])
        hit_rows = self.row_of[hit]
        first = hit[np.r_[True, hit_rows[1:] != hit_rows[:-1]]] if hit.size else hit
        self.work[first] = -1.0
        return top

    def remaining(self) -> BoolArray:
        """The entries not taken yet."""
        return np.asarray(self.work >= 0, dtype=np.bool_)


def sensitivity(
    cell_contributions: sparse.csr_matrix,
    params: Parameters,
    waived: BoolArray | None = None,
) -> Sensitivity:
    """The verdict on every row of (cells x groups), as `judge` would give it row by row;
    `waived` flags the columns (groups) that waived their protection."""
    matrix = _canonical(cell_contributions)
    scan = RowScan(matrix)
    total = scan.per_row(np.add, scan.work)
    value = scan.per_row(np.add, scan.data)
    tops: dict[int, FloatArray] = {}
    largest: list[FloatArray] = []
    remainder = total
    for j in range(1, _depth(params) + 1):
        largest.append(scan.pop_largest())
        tops[j] = largest[-1] + (tops[j - 1] if j > 1 else 0.0)
        if j == 2:
            remainder = scan.per_row(np.add, np.maximum(scan.work, 0.0))
    nonzero = scan.per_row(np.add, (scan.data != 0).astype(np.float64)).astype(np.int64)
    stats = _Stats(n=scan.counts, nonzero=nonzero, total=total, tops=tops, remainder=remainder)
    if waived is not None and np.asarray(waived).any():
        stats = _with_waivers(stats, matrix, np.asarray(waived, dtype=np.bool_))
    return _combine(_rules(params), stats, value, largest[0], largest[1])


def _with_waivers(stats: _Stats, matrix: sparse.csr_matrix, waived: BoolArray) -> _Stats:
    """xs (the largest contributor without a waiver) and xr (the largest other than s) of
    every row: the two largest entries of the columns without a waiver, and the largest of
    the waived ones."""
    entry_waived = waived[matrix.indices[: matrix.indptr[-1]]]
    scan = RowScan(matrix)
    scan.work[entry_waived] = -1.0  # taken already: never the one to protect
    # a row whose entries are all waived (or taken) gives -1: no such contributor, 0
    protected = np.maximum(scan.pop_largest(), 0.0)
    second = np.maximum(scan.pop_largest(), 0.0)
    given = scan.per_row(np.maximum, np.where(entry_waived, np.abs(scan.data), 0.0))
    return dataclasses.replace(stats, protected=protected, other=np.maximum(second, given))


def _combine(
    rules: list[_Rule], stats: _Stats, value: FloatArray, x1: FloatArray, x2: FloatArray
) -> Sensitivity:
    """One code, rule text and UPL per cell from every rule's (fired, upl)."""
    n_cells = stats.n.shape[0]
    fired_mask = np.zeros(n_cells, dtype=np.int64)
    upl = np.zeros(n_cells)
    for bit, rule in enumerate(rules):
        fired, rule_upl = rule.evaluate(stats)
        fired = np.asarray(fired, dtype=np.bool_)
        fired_mask |= fired.astype(np.int64) << bit
        upl = np.where(fired, np.maximum(upl, rule_upl), upl)
    # Few distinct combinations of fired rules: name each once, not once per cell.
    masks, inverse = np.unique(fired_mask, return_inverse=True)
    codes = np.empty(masks.size, dtype=object)
    names = np.empty(masks.size, dtype=object)
    for i, mask in enumerate(masks.tolist()):
        hit = [r for bit, r in enumerate(rules) if mask >> bit & 1]
        codes[i] = hit[0].code if hit else FREE
        names[i] = "; ".join(r.name for r in hit)
    return Sensitivity(
        code=codes[inverse.reshape(-1)],
        rule=names[inverse.reshape(-1)],
        upl=upl,
        lpl=np.minimum(upl, np.maximum(value, 0.0)),
        contributors=stats.n.astype(np.int64),
        x1=x1,
        x2=x2,
    )
