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

A failing cell's candidates are the published cells among its failing LP's binding relations
(rows with a non-zero dual: what pins the failing side), never a `keep` cell (nor a `headline`
one for a cell of a finer table: it is protected inside its own table); the failing cells
of a pass are covered together, greedily, by least cost per failing cell served (one complement
closing a rectangle for two primaries beats two cheaper ones). Cost = value ** lambda (log(1 +
value) for lambda 0), on values relative to the largest cell, so that only the order of the
values matters and a rescaled cube gives the same pattern. Suppressing a cell only removes
constraints, so a test passed stays passed and the loop re-tests only what failed. When a
failing cell's relations hold no candidate, the loop escalates: it suppresses the cheapest
published cell containing the failing one (a margin) and says so in `Pattern.notes`; with
nothing left it gives the cell up, says so, and the release gate (audit.py, which shares no
code with this module) refuses the release. A last pass publishes again each complement the
finished pattern does not need.

The LPs solve the leaf form with HiGHS, one model whose rows are every cell (a suppressed
cell's row is free), so suppressing a cell is a change of row bounds and each solve starts from
the previous basis (presolve off, primal simplex: DISCLOSURE.md 3.5). The tests here are a
little stricter than the gate's (a side must be reached by a margin, a width must exceed a
larger tolerance), so that what passes here passes there.
"""

from __future__ import annotations

from collections.abc import Collection
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
_PRUNE_LPS = 1_000
"""At most about this many LPs for pruning."""
_INSIDER_LPS = 20_000
"""At most this many insider LPs per search (DISCLOSURE.md 3.5's cube needs far fewer outsider
ones); past it the insider pass stops, says so in the notes, and the gate decides."""
_MOVES_AFTER = 8
"""Groups a primary's insider pass tests with their own LPs before it makes the small moves
(`_Search._small_moves`): those are two LPs over the whole cube, several times the cost of a
group's own pair, and pay only when many groups are left to clear."""
_MAX_ROUNDS = 200
"""Rounds of the exactness, interval and insider passes; each round that changes nothing ends
the search, and each change suppresses one more cell, so this only bounds pathological cubes."""


def suppress(
    cube: Cube,
    sensitivity: Sensitivity,
    *,
    keep: BoolArray | None = None,
    headline: BoolArray | None = None,
    force: npt.NDArray[np.object_] | None = None,
    cost_lambda: float = 0.5,
    insiders: bool = True,
    insider_groups: Collection[str] | None = None,
    settled: BoolArray | None = None,
) -> Pattern:
    """The release's suppression pattern: the primaries (their codes and protection levels),
    the forced cells (their given code), and the complements (SECONDARY) that protect them.

    `keep[i]` means cell i is already public (an earlier release, or published after review):
    it is never chosen as a complement, and a primary in `keep` stays published (the caller
    decides which primaries may be kept). `headline[i]` means cell i belongs to a headline
    table (the sector's total, its segments): it may protect another headline cell, never a
    cell of a finer table, which must find its complements inside itself. `force[i]` is "" or
    the code cell i must be suppressed with (an earlier suppression is sticky; an override is
    MANUAL); a forced cell that is also a primary now keeps its primary code and levels, since
    those are what the gate must prove. A forced cell wins over `keep`. `insider_groups`
    limits the insider pass to those enterprise groups (None: every group): a second pass on
    what the gate found. `settled[i]` means the gate proved suppressed cell i protected
    against everyone it tested, in a pattern this search only adds to (`force`): adding
    suppressions only widens intervals, so its outsider and insider LPs are not solved again
    (pruning still re-tests it, and the gate audits the result whole).
    """
    n = cube.n_cells
    keep_ = _mask(keep, n, "keep")
    force_ = np.full(n, "", dtype=object) if force is None else np.asarray(force, dtype=object)
    if force_.shape != (n,):
        raise ValueError(f"force has {force_.size} entries for {n} cells")
    forced = force_ != ""
    unknown = set(force_[forced]) - {*PRIMARY_CODES, SECONDARY, MANUAL}
    if unknown:
        raise ValueError(f"force holds codes that are not CONF_STATUS codes: {sorted(unknown)}")
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
    search.headline = _mask(headline, n, "headline")
    if insider_groups is not None:
        wanted = set(insider_groups)
        search.insider_groups = np.array(
            [i for i, g in enumerate(cube.groups) if g in wanted], dtype=np.int64
        )
    search.passed[_mask(settled, n, "settled") & (code != FREE)] = True
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
        self.size = np.asarray(self.members.getnnz(axis=1), dtype=np.int64)
        values = cube.values()
        top = float(np.max(np.abs(values))) if values.size else 0.0
        self.scale = _TOP / top if top > 0 else 1.0
        self.values = values * self.scale
        self.truth = np.asarray(cube.atom_values, dtype=np.float64) * self.scale
        self.lower = np.where(self.truth < 0, -highspy.kHighsInf, 0.0)
        nonneg = self.members @ (self.truth < 0).astype(np.float64) == 0
        self.zero_cells = (np.asarray(values) == 0) & nonneg
        self.zero_atom_cells = np.asarray(self.members @ (self.truth == 0).astype(np.float64) > 0)
        contrib = sparse.csc_matrix(cube.contributions, dtype=np.float64)
        self.contrib = contrib
        self.sole = np.asarray(sparse.csr_matrix(contrib).getnnz(axis=1) == 1)
        present = sparse.csr_matrix(cube.contributions, dtype=np.float64, copy=True)
        present.data[:] = 1.0  # an explicit 0 is a contributor too: count, never add
        by_cell = sparse.csr_matrix(self.members @ present)
        self.owner = np.full(cube.n_cells, -1, dtype=np.int64)
        one = np.flatnonzero(by_cell.getnnz(axis=1) == 1)
        self.owner[one] = by_cell.indices[by_cell.indptr[one]]
        self.given_up = np.zeros(cube.n_cells, dtype=np.bool_)
        self._cached: tuple[int, BoolArray, IntArray] | None = None
        self._mover: tuple[int, highspy.Highs] | None = None
        self.insider_groups: IntArray | None = None
        self.headline = np.zeros(cube.n_cells, dtype=np.bool_)
        self.version = 0
        self.insider_lps = 0
        self.budget_noted = False
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
        if not self.given_up.any():
            self._prune(insiders)

    def _prune(self, insiders: bool) -> None:
        """Greedy choices overlap: a complement added early can become useless once later
        ones are in. Each complement, the most expensive first, is published again when the
        pattern still holds without it: the rank test again, and the LPs of the cells that
        share a component of the attacker's system with it (no other cell can notice). At most
        `_PRUNE_LPS` LPs: pruning only ever publishes a cell the pattern does not need."""
        order = np.flatnonzero(self.added)
        order = order[np.lexsort((order, -self.cost[order]))]
        start = self.lp.lps
        for c in (int(i) for i in order):
            if self.lp.lps - start > _PRUNE_LPS:
                return
            before = self._structure()
            self._publish_again(c)
            if self._holds(c, before, insiders):
                self.added[c] = False
            else:
                self._suppress(c)

    def _publish_again(self, c: int) -> None:
        self.suppressed[c] = False
        self.version += 1
        self.lp.publish(np.array([c]), self.values[[c]])

    def _holds(self, c: int, before: tuple[BoolArray, IntArray], insiders: bool) -> bool:
        """Whether the pattern still holds with cell c published again: what c's row ties
        together now, and every component where an atom became known, is re-tested."""
        known, comps = self._structure()
        atoms = self._atoms(c)
        mine = np.unique(comps[atoms[~known[atoms]]])
        near = np.isin(comps, mine[mine >= 0])
        newly = known & ~before[0]
        touched = np.unique(before[1][newly])
        near |= newly | np.isin(before[1], touched[touched >= 0])
        reach = np.asarray(self.members @ near.astype(np.float64) > 0)
        # c's equation ties only the components its atoms are in: a cell of another one
        # cannot have become computable (the rank test's LPs are over the whole cube)
        targets = np.flatnonzero(self.suppressed & ~self.given_up & reach)
        if targets.size and self._exact(targets).any():
            return False
        lp = (self.tested | self.zero_atom_cells) & self.suppressed & ~self.given_up & reach
        for t in (int(i) for i in np.flatnonzero(lp)):
            atoms = self._atoms(t)
            ok, _, points = self._check(t, atoms)
            if not ok:
                return False
            if insiders and self.tested[t] and not self._insider_holds(t, atoms, points):
                return False
        return True

    def _insider_holds(self, t: int, atoms: IntArray, points: list[FloatArray]) -> bool:
        return self._insider_failure(t, atoms, points)[0] is None and not self.budget_noted

    def _open(self) -> BoolArray:
        """The cells the LPs test and have not passed yet: primaries, and suppressed cells
        holding an atom whose true sum is 0 (the rank test cannot see that non-negativity
        may pin such an atom to 0)."""
        lp = self.tested | self.zero_atom_cells
        return np.asarray(lp & self.suppressed & ~self.passed & ~self.given_up)

    def _exact(self, targets: IntArray) -> BoolArray:
        """Which targets the published cells determine exactly. Cells without an atom left
        unknown (`determined_atoms`) are; for the others feasible points decide: the true one
        and the two extremes of one random positive combination of the targets' atoms usually
        differ on every cell that is not exact, and only the cells they leave equal get their
        own two LPs. (A dense null space of the published rows, `exactly_computable`, costs
        minutes on a release's 15,000 atoms.)"""
        known = determined_atoms(self.members, ~self.suppressed, self._known_zero())
        rows = sparse.csr_matrix(self.members[targets])
        open_ = np.asarray(rows @ (~known).astype(np.float64) > 0)
        exact = ~open_
        cand = np.flatnonzero(open_)
        if cand.size == 0:
            return exact
        sub = sparse.csr_matrix(rows[cand])
        true = sub @ self.truth
        tol = _WIDTH * _TOP
        low, high = true.copy(), true.copy()
        weights = np.random.default_rng(0).uniform(0.5, 1.5, self.cube.n_atoms)
        weights = weights * np.asarray(sub.sum(axis=0)).ravel()
        for point in self.lp.extremes(weights):
            v = sub @ point
            low, high = np.minimum(low, v), np.maximum(high, v)
        for i in np.flatnonzero(high - low <= tol):
            atoms = self._atoms(int(targets[cand[i]]))
            for maximise in (True, False):
                status, value, _ = self.lp.solve(atoms, maximise=maximise)
                if status != "optimal":
                    value = np.inf if status == "unbounded" else np.nan
                low[i], high[i] = min(low[i], value), max(high[i], value)
            exact[cand[i]] = not high[i] - low[i] > tol  # NaN (infeasible): exact, fail closed
        return exact

    def _suppress(self, cell: int) -> None:
        self.suppressed[cell] = True
        self.version += 1
        self.added[cell] = True
        self.lp.hide(cell)

    def _exactness(self) -> bool:
        """(a) Suppressed cells that are linear combinations of published ones get
        complements (the max LP's duals say which published cells express them)."""
        targets = np.flatnonzero(self.suppressed & ~self.given_up)
        if targets.size == 0:
            return False
        exact = targets[self._exact(targets)]
        wants: list[_Want] = []
        for t in (int(i) for i in exact):
            _, _, duals = self.lp.solve(self._atoms(t), maximise=True)
            wants.append(_Want(t, duals, None, "exactly computable"))
        return self._cover(wants)

    def _intervals(self, insiders: bool) -> bool:
        """(b) and (c): each primary's interval, for outsiders then for each insider group;
        the failing ones get complements together."""
        wants: list[_Want] = []
        for t in (int(i) for i in np.flatnonzero(self._open())):
            atoms = self._atoms(t)
            ok, duals, points = self._check(t, atoms)
            if not ok:
                wants.append(_Want(t, duals, None, "interval short"))
                continue
            if insiders and self.tested[t]:
                group, duals = self._insider_failure(t, atoms, points)
                if group is not None:
                    why = f"insider {self.cube.groups[group]}"
                    wants.append(_Want(t, duals, self._known_by(group), why))
                    continue
            self.passed[t] = True
        return self._cover(wants)

    def _cover(self, wants: list[_Want]) -> bool:
        """Complements for the failing cells: a greedy weighted set cover over their binding
        relations (published, not kept cells with a non-zero dual in the failing LP), the
        cell of least cost per failing cell it serves first, so that one complement serving
        two primaries (a rectangle) beats two cheaper ones; a failing cell without any
        candidate escalates (`_escalate`)."""
        free = ~self.suppressed & ~self.keep
        sets: dict[int, IntArray] = {}
        changed = False
        for w in wants:
            ok = free if w.exclude is None else free & ~w.exclude
            if not self.headline[w.cell]:
                ok = ok & ~self.headline  # a finer table's cell is protected inside it
            cand = np.zeros(0, dtype=np.int64)
            if w.duals is not None:
                cand = np.flatnonzero(ok & (np.abs(w.duals) > _DUAL_TOL))
            if cand.size:
                sets[w.cell] = cand
            else:
                changed |= self._escalate(w.cell, ok, w.why)
        while sets:
            pooled = np.concatenate(list(sets.values()))
            cells, count = np.unique(pooled, return_counts=True)
            order = np.lexsort((cells, self.cost[cells] / count))
            c = int(cells[order[0]])
            self._suppress(c)
            changed = True
            sets = {t: cand for t, cand in sets.items() if c not in cand}
        return changed

    def _check(
        self, t: int, atoms: IntArray, bounds: tuple[IntArray, FloatArray, FloatArray] | None = None
    ) -> tuple[bool, FloatArray | None, list[FloatArray]]:
        """Solve t's max (and min); the failing side's duals, the points reached."""
        if bounds is not None:
            self.lp.bound(*bounds)
        try:
            points: list[FloatArray] = []
            status, high, up = self.lp.solve(atoms, maximise=True)
            if status == "infeasible":
                return False, None, points
            if self.lp.point is not None:
                points.append(self.lp.point)
            if not self._high_ok(t, high):
                return False, up, points
            status, low, down = self.lp.solve(atoms, maximise=False)
            if status == "infeasible":
                return False, None, points
            if self.lp.point is not None:
                points.append(self.lp.point)
            if self._low_ok(t, low, high):
                return True, None, points
            if self.sided[t] and low > self.low[t] - _SIDE_MARGIN * _TOP:
                return False, down, points
            # Too narrow: what pins either side may be what to free.
            both = [np.abs(d) for d in (up, down) if d is not None]
            return False, (sum(both[1:], both[0]) if both else None), points
        finally:
            if bounds is not None:
                self.lp.bound(bounds[0], self.lower[bounds[0]], None)

    def _high_ok(self, t: int, high: float) -> bool:
        if not self.sided[t]:
            return True  # only the width counts (`_low_ok`)
        return bool(high >= self.high[t] + _SIDE_MARGIN * _TOP)

    def _low_ok(self, t: int, low: float, high: float) -> bool:
        if not self.sided[t]:
            return high - low > _WIDTH * _TOP
        return bool(low <= self.low[t] - _SIDE_MARGIN * _TOP) and high - low > _WIDTH * _TOP

    def _insider_failure(
        self, t: int, atoms: IntArray, points: list[FloatArray]
    ) -> tuple[int | None, FloatArray | None]:
        """The first group (by number) whose own knowledge breaks t's protection, with the
        failing LP's duals. Every point an LP reached is feasible for the outsider; a group
        whose knowledge one of them respects on each side (or that only touches parts of the
        cube t is not tied to) learns nothing more and needs no LP; the points of each insider
        LP join the pool. Past `_INSIDER_LPS` insider LPs in all, the pass stops and says so."""
        known, comps = self._structure()
        mine = np.unique(comps[atoms[~known[atoms]]])
        near = np.isin(comps, mine[mine >= 0])
        groups = self._groups_in(near)
        if self.insider_groups is not None:
            groups = groups[np.isin(groups, self.insider_groups)]
        groups = groups[groups != self.owner[t]]
        if groups.size == 0:
            return None, None  # no LP, not even the small moves: nobody to test
        pool = list(points)
        moved = False
        own_lps = 0
        for g in groups:
            cols, lo, hi = self._knowledge(int(g))
            # a contributor of t is tested with what it knows outside t only: t's protection
            # levels already price in its own share (the gate's convention)
            outside = ~np.isin(cols, atoms)
            if not outside.all():
                cols, lo, hi = cols[outside], lo[outside], hi[outside]
                if cols.size == 0:
                    continue
            at = cols[near[cols]]
            if self._reached(t, pool, at, lo[near[cols]], hi[near[cols]]):
                continue
            if not moved and own_lps >= _MOVES_AFTER:
                # many groups need their own LPs: the small moves (two LPs over the whole
                # cube) will clear most of those left
                pool = self._small_moves(t) + pool
                moved = True
                if self._reached(t, pool, at, lo[near[cols]], hi[near[cols]]):
                    continue
            if self.insider_lps >= _INSIDER_LPS:
                if not self.budget_noted:
                    self.notes.append(
                        f"insider pass stopped after {_INSIDER_LPS} LPs: the gate decides"
                    )
                    self.budget_noted = True
                return None, None
            before = self.lp.lps
            ok, duals, found = self._check(t, atoms, (cols, lo, hi))
            self.insider_lps += self.lp.lps - before
            own_lps += 1
            if not ok:
                return int(g), duals
            pool += found
        return None, None

    def _small_moves(self, t: int) -> list[FloatArray]:
        """The feasible points nearest the truth (least total change of the atoms) that reach
        each side t needs. The max and min LPs end on vertices where most atoms have moved, so
        they clear no insider who knows one of them; these move only a cycle of cells through
        t, so every group whose atoms they leave alone is cleared without an LP of its own.
        The model (atoms' increases and decreases, published rows unchanged) is made again
        when the pattern has changed."""
        if self._mover is None or self._mover[0] != self.version:
            self._mover = (self.version, self._new_mover())
        model = self._mover[1]
        n = self.cube.n_atoms
        inf = highspy.kHighsInf
        if self.sided[t]:
            margin = 2 * _SIDE_MARGIN * _TOP
            sides = [(self.high[t] - self.values[t] + margin, inf)]
            sides.append((-inf, self.low[t] - self.values[t] - margin))
        else:
            step = 10 * _WIDTH * _TOP
            sides = [(step, inf), (-inf, -step)]
        points = []
        for lo, hi in sides:
            model.changeRowBounds(int(t), lo, hi)
            model.run()
            self.lp.lps += 1
            if model.getModelStatus() == highspy.HighsModelStatus.kOptimal:
                d = np.asarray(model.getSolution().col_value, dtype=np.float64)
                points.append(self.truth + d[:n] - d[n:])
        model.changeRowBounds(int(t), -inf, inf)
        return points

    def _new_mover(self) -> highspy.Highs:
        inf = highspy.kHighsInf
        m = self.members
        n_rows, n = m.shape
        both = sparse.csr_matrix(sparse.hstack([m, -m]))
        h = highspy.Highs()  # type: ignore[no-untyped-call]
        h.setOptionValue("output_flag", False)
        h.setOptionValue("presolve", "off")
        h.setOptionValue("simplex_strategy", 4)
        h.setOptionValue("threads", 1)
        lp = highspy.HighsLp()
        lp.num_col_ = 2 * n
        lp.num_row_ = n_rows
        lp.col_cost_ = np.ones(2 * n)
        lp.col_lower_ = np.zeros(2 * n)
        down = np.where(np.isfinite(self.lower), self.truth - self.lower, inf)
        lp.col_upper_ = np.concatenate([np.full(n, inf), down])
        bound = np.where(self.suppressed, inf, 0.0)
        lp.row_lower_ = -bound
        lp.row_upper_ = bound
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.start_ = both.indptr.astype(np.int32)
        lp.a_matrix_.index_ = both.indices.astype(np.int32)
        lp.a_matrix_.value_ = both.data.astype(np.float64)
        h.passModel(lp)
        return h

    def _reached(
        self, t: int, pool: list[FloatArray], cols: IntArray, lo: FloatArray, hi: FloatArray
    ) -> bool:
        """Whether points respecting these bounds reach both of t's required sides."""
        fits = [p for p in pool if _within(p[cols], lo, hi)]
        if not fits:
            return False
        value = [float(p[self._atoms(t)].sum()) for p in fits]
        return self._high_ok(t, max(value)) and self._low_ok(t, min(value), max(value))

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
        pattern changes."""
        if self._cached is None or self._cached[0] != self.version:
            known = determined_atoms(self.members, ~self.suppressed, self._known_zero())
            self._cached = (self.version, known, self._components(known))
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

    def _escalate(self, t: int, ok: BoolArray, why: str) -> bool:
        """No candidate in t's relations: suppress its cheapest allowed margin (a cell
        containing it), or give t up; both are noted."""
        overlap = self.members @ self.members[t].T.toarray().ravel()
        margins = np.flatnonzero(
            ok & ~self.suppressed & (overlap == self.size[t]) & (self.size > self.size[t])
        )
        if margins.size:
            c = int(margins[np.lexsort((margins, self.cost[margins]))[0]])
            self._suppress(c)
            self.notes.append(
                f"escalation: cell {c} suppressed as a margin of cell {t} ({why}, no "
                "complement left in its relations)"
            )
            return True
        self.given_up[t] = True
        self.notes.append(
            f"stall: cell {t} is still unprotected ({why}) and no published cell that is not "
            "kept can protect it: the gate will refuse the release"
        )
        return False


@dataclass(frozen=True)
class _Want:
    """A failing cell: the failing LP's row duals, cells that cannot help (an insider's own)."""

    cell: int
    duals: FloatArray | None
    exclude: BoolArray | None
    why: str


def _within(point: FloatArray, lower: FloatArray, upper: FloatArray) -> bool:
    tol = 1e-7 * _TOP * 1e-3
    return bool(np.all(point >= lower - tol) and np.all(point <= upper + tol))


_SETTLED = (
    highspy.HighsModelStatus.kOptimal,
    highspy.HighsModelStatus.kUnbounded,
)
"""Solver statuses taken at their word; any other is solved once more from scratch."""


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

    def extremes(self, weights: FloatArray) -> list[FloatArray]:
        """The optimal points of min and max of `weights` . atoms (those the solver reached)."""
        h = self.h
        if self.objective.size:
            h.changeColsCost(self.objective.size, self.objective, np.zeros(self.objective.size))
        every = np.arange(weights.size, dtype=np.int32)
        h.changeColsCost(every.size, every, np.asarray(weights, dtype=np.float64))
        self.objective = every
        points = []
        for sense in (highspy.ObjSense.kMaximize, highspy.ObjSense.kMinimize):
            h.changeObjectiveSense(sense)
            h.run()
            self.lps += 1
            if h.getModelStatus() == highspy.HighsModelStatus.kOptimal:
                points.append(np.asarray(h.getSolution().col_value, dtype=np.float64))
        self.point = None
        return points

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
        if status not in _SETTLED:
            # started from the last basis after column bounds changed (an insider's), HiGHS
            # can end "infeasible" or "unknown" on a system the true values satisfy: once
            # more from scratch before the cell is failed (closed)
            h.clearSolver()
            h.run()
            self.lps += 1
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
