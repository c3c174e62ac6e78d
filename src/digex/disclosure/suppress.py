"""Secondary suppression: complementary cells chosen greedily by cost until the pattern holds.

No maintained implementation with a licence compatible with Apache-2.0 exists in Python
(DISCLOSURE.md 4: `gconfid` is GPL-3.0, the others are R or drive tau-Argus), so this is the
greedy audit-and-add method the fact sheet recommends for a small team, over the whole cube in
leaf form at once (every table, hierarchy and year to date of a release is additivity over the
same atoms, so no relation can be forgotten):

1. primaries and forced cells are suppressed;
2. *exactness*: a suppressed cell whose membership row lies in the row space of the published
   rows is a linear combination of published cells, whatever the values (a rank test, no LP);
3. *intervals*: each primary's attacker LP (min and max of its row subject to the published
   cells, atoms >= 0) must reach its protection levels on both sides;
4. *insiders*: each enterprise group knows its own contributions (every atom it is in is at
   least its amount, an atom it alone makes up is known exactly); the primaries it does not
   make up alone are re-tested with that knowledge (DISCLOSURE.md 2.4, 3.3).

A failing cell gets one complement: the cheapest published cell among the LP's binding
relations (its published rows with a non-zero dual: what pins the failing side), never a
`keep` cell; cost = value ** lambda (log(1 + value) for lambda 0, on values relative to the
largest cell, so that only the order of the values matters and a rescaled cube gives the same
pattern). Suppressing a cell only removes constraints, so a test passed stays passed and the
loop re-tests only what failed. When a failing cell's relations hold no candidate, the loop
escalates: it suppresses the cheapest published cell containing the failing one (a margin) and
says so in `Pattern.notes`; with nothing left it gives the cell up, says so, and the release
gate (audit.py, which shares no code with this module) refuses the release.

The LPs solve the leaf form with HiGHS, one model whose rows are every cell (a suppressed
cell's row is free), so suppressing a cell is a change of row bounds and each solve starts from
the previous basis (presolve off, primal simplex: DISCLOSURE.md 3.5). The tests here are a
little stricter than the gate's (a side must be reached by a margin, a width must exceed a
larger tolerance), so that what passes here passes there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import highspy
import numpy as np
import numpy.typing as npt
from scipy import linalg, sparse
from scipy.sparse import csgraph

from digex.disclosure.problem import (
    FREE,
    MANUAL,
    PRIMARY_CODES,
    SECONDARY,
    BoolArray,
    Cube,
    FloatArray,
    Pattern,
    Sensitivity,
)

IntArray = npt.NDArray[np.int64]

_TOP = 1e6
"""The LPs see values scaled so that the largest cell is this (HiGHS' tolerances are absolute:
1e-7 on cells of about 1e6 is far below anything that matters)."""
_SIDE_MARGIN = 1e-7
"""A protection side counts as reached when passed by this share of the largest cell (the gate
allows 1e-9 short of it)."""
_WIDTH = 1e-6
"""A cell is not exactly computable when its interval is wider than this share of the largest
cell (the gate asks for more than 1e-9)."""
_DUAL_TOL = 1e-9
_NULL_TOL = 1e-8
_PRUNE_CELLS = 3000
"""Cubes up to this many cells get the pruning pass (a full re-test per complement)."""
_MAX_ROUNDS = 200
"""Rounds of the exactness, interval and insider passes; each round that changes nothing ends
the search, and each change suppresses one more cell, so this only bounds pathological cubes."""


def suppress(
    cube: Cube,
    sensitivity: Sensitivity,
    *,
    keep: BoolArray | None = None,
    force: npt.NDArray[np.object_] | None = None,
    cost_lambda: float = 0.5,
    insiders: bool = True,
) -> Pattern:
    """The release's suppression pattern: the primaries (their codes and protection levels),
    the forced cells (their given code), and the complements (SECONDARY) that protect them.

    `keep[i]` means cell i is already public (an earlier release, or published after review):
    it is never chosen as a complement, and a primary in `keep` stays published (the caller
    decides which primaries may be kept). `force[i]` is "" or the code cell i must be
    suppressed with (an earlier suppression is sticky; an override is MANUAL); a forced cell
    that is also a primary now keeps its primary code and levels, since those are what the gate
    must prove. A forced cell wins over `keep`.
    """
    n = cube.n_cells
    keep_ = _mask(keep, n, "keep")
    force_ = np.full(n, "", dtype=object) if force is None else np.asarray(force, dtype=object)
    if force_.shape != (n,):
        raise ValueError(f"force has {force_.size} entries for {n} cells")
    forced = force_ != ""
    primary = sensitivity.primary
    notes: list[str] = []
    kept = primary & keep_ & ~forced
    if kept.any():
        notes.append(f"{int(kept.sum())} primary cell(s) kept published by the caller")
    if (forced & keep_).any():
        notes.append(f"{int((forced & keep_).sum())} cell(s) both kept and forced: suppressed")
    code = np.full(n, FREE, dtype=object)
    code[forced] = force_[forced]
    protected = primary & ~kept
    code[protected] = sensitivity.code[protected]
    upl = np.where(protected, np.asarray(sensitivity.upl, dtype=np.float64), 0.0)
    lpl = np.where(protected, np.asarray(sensitivity.lpl, dtype=np.float64), 0.0)
    tested = np.isin(code, PRIMARY_CODES) | (code == MANUAL)
    search = _Search(cube, code != FREE, keep_ & ~forced, costs(cube.values(), cost_lambda))
    search.run(tested, upl, lpl, insiders=insiders)
    code[search.added] = SECONDARY
    return Pattern(code=code, upl=upl, lpl=lpl, notes=tuple(notes + search.notes))


def costs(values: FloatArray, cost_lambda: float) -> FloatArray:
    """value ** lambda (log(1 + value) for lambda 0) on |value| relative to the largest cell:
    tau-Argus' cost family (DISCLOSURE.md 5, "Costs"), made independent of the unit."""
    if cost_lambda < 0:
        raise ValueError(f"cost_lambda must be >= 0, got {cost_lambda}")
    v = np.abs(np.asarray(values, dtype=np.float64))
    top = float(v.max()) if v.size else 0.0
    rel = v / top if top > 0 else v
    return np.log1p(rel) if cost_lambda == 0 else np.power(rel, cost_lambda)


def _mask(values: BoolArray | None, n: int, name: str) -> BoolArray:
    if values is None:
        return np.zeros(n, dtype=np.bool_)
    out = np.asarray(values, dtype=np.bool_)
    if out.shape != (n,):
        raise ValueError(f"{name} has {out.size} entries for {n} cells")
    return out


def exactly_computable(
    membership: sparse.csr_matrix,
    published: BoolArray,
    targets: IntArray,
    known_zero: BoolArray,
) -> BoolArray:
    """Whether each target cell is a linear combination of the published cells (its row in
    their row space), with the atoms of a published zero cell known to be 0.

    Atoms that a published cell determines alone (all its other atoms known) are known too,
    repeatedly: what is left is small, and its null space (dense) decides the rest. The test
    reads only the membership (and which published cells are 0), not the values.
    """
    known = determined_atoms(membership, published, known_zero)
    unknown = np.flatnonzero(~known)
    rows = sparse.csr_matrix(membership[targets][:, unknown], dtype=np.float64)
    out = np.asarray(rows.getnnz(axis=1) == 0)
    if unknown.size == 0 or out.all():
        return out
    pub = sparse.csr_matrix(membership[np.flatnonzero(published)][:, unknown], dtype=np.float64)
    pub = pub[np.flatnonzero(pub.getnnz(axis=1) > 0)]
    if pub.shape[0] == 0:
        return out
    dense = np.unique(pub.toarray(), axis=0)
    null = linalg.null_space(dense)
    if null.shape[1] == 0:
        return np.ones(targets.size, dtype=np.bool_)
    t = rows.toarray()
    proj = np.linalg.norm(t @ null, axis=1)
    size = np.linalg.norm(t, axis=1)
    return np.asarray(out | (proj <= _NULL_TOL * np.maximum(size, 1.0)), dtype=np.bool_)


def determined_atoms(
    membership: sparse.csr_matrix, published: BoolArray, known_zero: BoolArray
) -> BoolArray:
    """Atoms an attacker knows one by one: a published cell with one unknown atom left gives
    it, and so on; `known_zero` atoms are known from the start."""
    pub = sparse.csr_matrix(membership[np.flatnonzero(published)], dtype=np.float64)
    known = known_zero.copy()
    while True:
        unknown = (~known).astype(np.float64)
        left = pub @ unknown
        rows = np.flatnonzero(np.abs(left - 1.0) < 0.5)
        if rows.size == 0:
            return known
        sub = sparse.csr_matrix(pub[rows].multiply(unknown))
        sub.eliminate_zeros()
        new = sub.indices
        if np.all(known[new]):
            return known
        known[new] = True


@dataclass
class _Search:
    """The greedy search's state: which cells are suppressed, the attacker's LP model."""

    cube: Cube
    suppressed: BoolArray
    keep: BoolArray
    cost: FloatArray
    added: BoolArray = field(init=False)
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        cube = self.cube
        self.added = np.zeros(cube.n_cells, dtype=np.bool_)
        self.members = sparse.csr_matrix(cube.membership, dtype=np.float64)
        self.members_t = sparse.csr_matrix(self.members.T)
        self.size = np.asarray(self.members.getnnz(axis=1), dtype=np.int64)
        values = cube.values()
        top = float(np.max(np.abs(values))) if values.size else 0.0
        self.scale = _TOP / top if top > 0 else 1.0
        self.values = values * self.scale
        self.truth = np.asarray(cube.atom_values, dtype=np.float64) * self.scale
        self.lower = np.where(self.truth < 0, -highspy.kHighsInf, 0.0)
        nonneg = self.members @ (self.truth < 0).astype(np.float64) == 0
        self.zero_cells = (np.asarray(values) == 0) & nonneg
        contrib = sparse.csc_matrix(cube.contributions, dtype=np.float64)
        self.contrib = contrib
        self.sole = np.asarray(sparse.csr_matrix(contrib).getnnz(axis=1) == 1)
        by_cell = sparse.csr_matrix(cube.cell_contributions())
        self.owner = np.full(cube.n_cells, -1, dtype=np.int64)
        one = np.flatnonzero(by_cell.getnnz(axis=1) == 1)
        self.owner[one] = by_cell.indices[by_cell.indptr[one]]
        self.given_up = np.zeros(cube.n_cells, dtype=np.bool_)
        self._cached: tuple[int, BoolArray, IntArray] | None = None
        self.passed = np.zeros(cube.n_cells, dtype=np.bool_)
        self.lp = _Attacker(self.members, self.lower)
        self.lp.publish(np.flatnonzero(~self.suppressed), self.values[~self.suppressed])

    # -- the loop -------------------------------------------------------------------------

    def run(self, tested: BoolArray, upl: FloatArray, lpl: FloatArray, *, insiders: bool) -> None:
        self.high = self.values + upl * self.scale
        self.low = self.values - lpl * self.scale
        self.sided = tested & ((upl > 0) | (lpl > 0))
        self.tested = tested
        for _ in range(_MAX_ROUNDS):
            changed = self._exactness()
            changed |= self._intervals(insiders)
            if not changed:
                break
        else:
            self.notes.append(f"stopped after {_MAX_ROUNDS} rounds: the gate decides")
            return
        if self.cube.n_cells <= _PRUNE_CELLS:
            self._prune(insiders)

    def _prune(self, insiders: bool) -> None:
        """Greedy choices overlap: a complement added early can become useless once later
        ones are in. Each complement, the most expensive first, is published again when the
        whole pattern still holds without it (a full re-test, hence only on smaller cubes)."""
        order = np.flatnonzero(self.added)
        order = order[np.lexsort((order, -self.cost[order]))]
        for c in (int(i) for i in order):
            self.suppressed[c] = False
            self.lp.publish(np.array([c]), self.values[[c]])
            if self._holds(insiders):
                self.added[c] = False
            else:
                self.suppressed[c] = True
                self.lp.hide(c)

    def _holds(self, insiders: bool) -> bool:
        """Whether every test passes on the current pattern (no complement is added)."""
        targets = np.flatnonzero(self.suppressed & ~self.given_up)
        if exactly_computable(self.members, ~self.suppressed, targets, self._known_zero()).any():
            return False
        for t in (int(i) for i in np.flatnonzero(self.tested & self.suppressed & ~self.given_up)):
            atoms = self._atoms(t)
            ok, _, points = self._check(t, atoms)
            if not ok or (insiders and self._insider_failure(t, atoms, points)[0] is not None):
                return False
        return True

    def _suppress(self, cell: int) -> None:
        self.suppressed[cell] = True
        self.added[cell] = True
        self.lp.hide(cell)

    def _exactness(self) -> bool:
        """(a) Suppressed cells that are linear combinations of published ones get a
        complement; cells near one just complemented wait for the next round."""
        targets = np.flatnonzero(self.suppressed & ~self.given_up)
        if targets.size == 0:
            return False
        known_zero = self._known_zero()
        exact = targets[exactly_computable(self.members, ~self.suppressed, targets, known_zero)]
        touched = np.zeros(self.cube.n_atoms, dtype=np.bool_)
        changed = False
        for t in exact:
            atoms = self._atoms(int(t))
            if touched[atoms].any():
                continue
            _, _, duals = self.lp.solve(atoms, maximise=True)
            c = self._complement(int(t), duals, "exactly computable")
            if c is not None:
                touched[self._atoms(c)] = True
                changed = True
        return changed

    def _intervals(self, insiders: bool) -> bool:
        """(b) and (c): each primary's interval, for outsiders then for each insider group."""
        changed = False
        open_ = self.tested & self.suppressed & ~self.passed & ~self.given_up
        for t in (int(i) for i in np.flatnonzero(open_)):
            atoms = self._atoms(t)
            ok, duals, points = self._check(t, atoms)
            if not ok:
                changed |= self._complement(t, duals, "interval short") is not None
                continue
            if insiders:
                group, duals = self._insider_failure(t, atoms, points)
                if group is not None:
                    why = f"insider {self.cube.groups[group]}"
                    mine = self._known_by(group)
                    changed |= self._complement(t, duals, why, exclude=mine) is not None
                    continue
            self.passed[t] = True
        return changed

    def _check(
        self, t: int, atoms: IntArray, bounds: tuple[IntArray, FloatArray, FloatArray] | None = None
    ) -> tuple[bool, FloatArray | None, list[FloatArray]]:
        """Solve t's max (and min); the failing side's duals, the points reached."""
        if bounds is not None:
            self.lp.bound(*bounds)
        try:
            points: list[FloatArray] = []
            status, high, duals = self.lp.solve(atoms, maximise=True)
            if status == "infeasible":
                return False, None, points
            if self.lp.point is not None:
                points.append(self.lp.point)
            if not self._high_ok(t, high):
                return False, duals, points
            status, low, duals = self.lp.solve(atoms, maximise=False)
            if status == "infeasible":
                return False, None, points
            if self.lp.point is not None:
                points.append(self.lp.point)
            return self._low_ok(t, low, high), duals, points
        finally:
            if bounds is not None:
                self.lp.bound(bounds[0], self.lower[bounds[0]], None)

    def _high_ok(self, t: int, high: float) -> bool:
        if not self.sided[t]:
            return high > self.values[t] + _WIDTH * _TOP or high == np.inf
        return bool(high >= self.high[t] + _SIDE_MARGIN * _TOP)

    def _low_ok(self, t: int, low: float, high: float) -> bool:
        if not self.sided[t]:
            return high - low > _WIDTH * _TOP
        return bool(low <= self.low[t] - _SIDE_MARGIN * _TOP) and high - low > _WIDTH * _TOP

    def _insider_failure(
        self, t: int, atoms: IntArray, points: list[FloatArray]
    ) -> tuple[int | None, FloatArray | None]:
        """The first group (by number) whose own knowledge breaks t's protection, with the
        failing LP's duals. A group whose knowledge the outsider's extreme points already
        respect (or that only touches parts of the cube t is not tied to) learns nothing
        more and needs no LP."""
        known, comps = self._structure()
        mine = np.unique(comps[atoms[~known[atoms]]])
        near = np.isin(comps, mine[mine >= 0])
        for g in self._groups_in(near):
            if self.owner[t] == g:
                continue
            cols, lo, hi = self._knowledge(int(g))
            at = near[cols]
            if all(_within(p[cols[at]], lo[at], hi[at]) for p in points):
                continue
            ok, duals, _ = self._check(t, atoms, (cols, lo, hi))
            if not ok:
                return int(g), duals
        return None, None

    # -- helpers ---------------------------------------------------------------------------

    def _atoms(self, cell: int) -> IntArray:
        m = self.members
        return np.asarray(m.indices[m.indptr[cell] : m.indptr[cell + 1]], dtype=np.int64)

    def _known_zero(self) -> BoolArray:
        cells = np.flatnonzero(self.zero_cells & ~self.suppressed)
        out = np.zeros(self.cube.n_atoms, dtype=np.bool_)
        out[self.members[cells].indices] = True
        return out

    def _structure(self) -> tuple[BoolArray, IntArray]:
        """The atoms the attacker knows and the components of the others, cached until the
        next suppression (suppressed cells only ever grow)."""
        n = int(self.suppressed.sum())
        if self._cached is None or self._cached[0] != n:
            known = determined_atoms(self.members, ~self.suppressed, self._known_zero())
            self._cached = (n, known, self._components(known))
        return self._cached[1], self._cached[2]

    def _components(self, known: BoolArray) -> IntArray:
        """Each unknown atom's connected component (atoms tied by a published cell); -1 for
        atoms the attacker knows."""
        unknown = np.flatnonzero(~known)
        pub = sparse.csr_matrix(self.members[np.flatnonzero(~self.suppressed)][:, unknown])
        graph = sparse.bmat([[None, pub], [pub.T, None]], format="csr")
        _, labels = csgraph.connected_components(graph, directed=False)
        out = np.full(self.cube.n_atoms, -1, dtype=np.int64)
        out[unknown] = labels[pub.shape[0] :]
        return out

    def _groups_in(self, atoms: BoolArray) -> IntArray:
        rows = sparse.csr_matrix(self.contrib)[np.flatnonzero(atoms)]
        return np.unique(rows.indices).astype(np.int64)

    def _knowledge(self, g: int) -> tuple[IntArray, FloatArray, FloatArray]:
        """Group g's atoms with the bounds its own figures give: at least its amount (never
        above the atom's true sum), exactly the atom where it is alone."""
        c = self.contrib
        cols = np.asarray(c.indices[c.indptr[g] : c.indptr[g + 1]], dtype=np.int64)
        amounts = np.asarray(c.data[c.indptr[g] : c.indptr[g + 1]]) * self.scale
        truth = self.truth[cols]
        lo = np.where(self.lower[cols] == 0, np.maximum(0.0, np.minimum(amounts, truth)), -np.inf)
        sole = self.sole[cols]
        lo = np.where(sole, truth, lo)
        hi = np.where(sole, truth, np.inf)
        return cols, lo, hi

    def _known_by(self, g: int) -> BoolArray:
        """Cells group g makes up alone: suppressing them hides nothing from it."""
        return np.asarray(self.owner == g)

    def _complement(
        self, t: int, duals: FloatArray | None, why: str, exclude: BoolArray | None = None
    ) -> int | None:
        """Suppress the cheapest published non-keep cell among t's binding relations; else
        escalate to the cheapest published non-keep margin of t; else give t up."""
        free = ~self.suppressed & ~self.keep
        if exclude is not None:
            free &= ~exclude
        if duals is not None:
            cand = np.flatnonzero(free & (np.abs(duals) > _DUAL_TOL))
            if cand.size:
                c = int(cand[np.lexsort((cand, self.cost[cand]))[0]])
                self._suppress(c)
                return c
        overlap = self.members @ self.members[t].T.toarray().ravel()
        margins = np.flatnonzero(free & (overlap == self.size[t]) & (self.size > self.size[t]))
        if margins.size:
            c = int(margins[np.lexsort((margins, self.cost[margins]))[0]])
            self._suppress(c)
            self.notes.append(
                f"escalation: cell {c} suppressed as a margin of cell {t} ({why}, no "
                "complement left in its relations)"
            )
            return c
        self.given_up[t] = True
        self.notes.append(
            f"stall: cell {t} is still unprotected ({why}) and no published cell that is not "
            "kept can protect it: the gate will refuse the release"
        )
        return None


def _within(point: FloatArray, lower: FloatArray, upper: FloatArray) -> bool:
    tol = 1e-7 * _TOP * 1e-3
    return bool(np.all(point >= lower - tol) and np.all(point <= upper + tol))


class _Attacker:
    """The attacker's LP in leaf form: one HiGHS model, rows = all cells (published rows fixed
    to their values, suppressed rows free), columns = atoms."""

    def __init__(self, members: sparse.csr_matrix, lower: FloatArray) -> None:
        inf = highspy.kHighsInf
        n_rows, n_cols = members.shape
        h = highspy.Highs()  # type: ignore[no-untyped-call]
        h.setOptionValue("output_flag", False)
        h.setOptionValue("presolve", "off")
        h.setOptionValue("simplex_strategy", 4)
        h.setOptionValue("threads", 1)
        lp = highspy.HighsLp()
        lp.num_col_ = n_cols
        lp.num_row_ = n_rows
        lp.col_cost_ = np.zeros(n_cols)
        lp.col_lower_ = lower
        lp.col_upper_ = np.full(n_cols, inf)
        lp.row_lower_ = np.full(n_rows, -inf)
        lp.row_upper_ = np.full(n_rows, inf)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.start_ = members.indptr.astype(np.int32)
        lp.a_matrix_.index_ = members.indices.astype(np.int32)
        lp.a_matrix_.value_ = members.data.astype(np.float64)
        h.passModel(lp)
        self.h = h
        self.n_rows = n_rows
        self.objective = np.zeros(0, dtype=np.int32)
        self.point: FloatArray | None = None
        self.lps = 0

    def publish(self, cells: IntArray, values: FloatArray) -> None:
        idx = cells.astype(np.int32)
        v = np.asarray(values, dtype=np.float64)
        self.h.changeRowsBounds(idx.size, idx, v, v)  # type: ignore[attr-defined]

    def hide(self, cell: int) -> None:
        self.h.changeRowBounds(cell, -highspy.kHighsInf, highspy.kHighsInf)

    def bound(self, cols: IntArray, lower: FloatArray, upper: FloatArray | None) -> None:
        idx = cols.astype(np.int32)
        up = np.full(idx.size, highspy.kHighsInf) if upper is None else upper
        self.h.changeColsBounds(idx.size, idx, np.asarray(lower, dtype=np.float64), up)

    def solve(self, atoms: IntArray, *, maximise: bool) -> tuple[str, float, FloatArray | None]:
        """The extreme of the atoms' sum: ("optimal" | "unbounded" | "infeasible", value,
        row duals). Any status but optimal and unbounded counts as infeasible (fail closed)."""
        h = self.h
        if self.objective.size:
            h.changeColsCost(self.objective.size, self.objective, np.zeros(self.objective.size))
        self.objective = atoms.astype(np.int32)
        h.changeColsCost(self.objective.size, self.objective, np.ones(self.objective.size))
        sense = highspy.ObjSense.kMaximize if maximise else highspy.ObjSense.kMinimize
        h.changeObjectiveSense(sense)
        h.run()
        self.lps += 1
        self.point = None
        status = h.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal:
            sol = h.getSolution()
            self.point = np.asarray(sol.col_value, dtype=np.float64)
            value = float(h.getInfo().objective_function_value)
            return "optimal", value, np.asarray(sol.row_dual, dtype=np.float64)
        unbounded = (
            highspy.HighsModelStatus.kUnbounded,
            highspy.HighsModelStatus.kUnboundedOrInfeasible,
        )
        if status in unbounded:
            return "unbounded", np.inf if maximise else -np.inf, None
        return "infeasible", np.nan, None
