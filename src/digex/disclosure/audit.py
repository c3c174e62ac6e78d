"""The release gate: linear programmes prove what an attacker can learn of each suppressed cell.

The gate is independent of the secondary suppression on purpose: it imports nothing of
`suppress` and re-derives everything from the cube and the pattern, so a mistake in how
complements are chosen cannot hide itself. It solves the attacker's problem in leaf form (the
model-matrix form of GaussSuppression's interval computation): the unknowns are the atoms
(z >= 0, except atoms whose true sum is negative, which get no lower bound), each published
cell is one equality `membership row . z = value`, and a suppressed cell's feasible interval is
the min and max of its membership row. Leaf form cannot forget a relation: every hierarchy,
every time aggregate and year to date is additivity over the same atoms.

What "protected" means (DISCLOSURE.md 3.2): a primary with an upper protection level must have
max >= value + upl and min <= value - lpl (both sides: a wide interval with one short side
fails); a threshold-only primary (upl 0), a manual suppression without levels and every
secondary must only not be exactly computable (max - min > eps). A solver status other than
optimal fails the cell (fail closed), except an unbounded side, which is the best protection
there is.

The insider pass (DISCLOSURE.md 3.3, 2.4) repeats the primaries' test for each enterprise group
with the group's own knowledge added: each of its atoms is at least its contribution, and equal
to it where it is the atom's only contributor. A group is not re-tested on a primary it alone
makes up (it knows that value anyway). Secondaries are not re-tested: a group learning a
non-sensitive complement exactly is acceptable (DISCLOSURE.md 2.3, pattern B).

Cost (DISCLOSURE.md 3.5): the model is built once per connected component and only the
objective (or, for an insider, a few column bounds) changes between solves, with presolve off
and the primal simplex, so each solve starts from the previous basis. Atoms that the published
cells determine one by one (a published cell with one unknown atom left) are fixed before the
LPs: that removes the published leaves and cuts the cube into small components. Every LP
solution is a feasible point of the attacker's system, so it proves the sides of other cells
it happens to reach (a certificate), and their LPs are skipped unless `exact_bounds` asks for
the exact intervals.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import highspy
import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import sparse
from scipy.sparse import csgraph

from digex.disclosure.problem import SECONDARY, BoolArray, Cube, FloatArray, Pattern

IntArray = npt.NDArray[np.int64]

_REL_EPS = 1e-9
"""Tolerance relative to the largest cell (DISCLOSURE.md 3.4): HiGHS' feasibility tolerance is
1e-7 absolute on the scaled model, whose largest cell is 1e5..1e6."""
_TOP = 1e6
"""The scaled model's largest cell is at most this (and above a tenth of it)."""
_MAX_POINTS = 1000
"""Outsider LP points kept per component for the insider pass (memory: points x cells)."""


@dataclass(frozen=True)
class CellAudit:
    """What the gate proved about one suppressed cell, for outsiders or for one insider group.

    `low`/`high` are the attacker's interval as far as it was proved: exact LP bounds where the
    LP was solved, else the extremes of the feasible points found (the true interval is at
    least that wide). Values in the cube's units."""

    cell: int
    role: str
    value: float
    low: float
    high: float
    needed_low: float
    needed_high: float
    passed: bool
    insider: str | None
    problem: str


@dataclass(frozen=True)
class GateReport:
    """The gate's verdict on a pattern: one `CellAudit` per suppressed cell for outsiders, then
    one per (primary, group) the insider pass found failing (every pair tested with
    `exact_bounds`). `lps` counts the linear programmes solved; `insiders` the groups whose
    knowledge was tested."""

    passed: bool
    cells: tuple[CellAudit, ...]
    lps: int
    seconds: float
    insiders: int
    total_cells: int = 0
    """The cube's number of cells (for the public summary)."""

    def failures(self) -> tuple[CellAudit, ...]:
        return tuple(c for c in self.cells if not c.passed)

    def summary(self) -> dict[str, int]:
        """PUBLIC: counts only. No value, interval, rule, protection level, group or cell id,
        so it can be shown next to a public release."""
        outsider = {c.cell for c in self.cells if c.insider is None}
        return {
            "cells": self.total_cells,
            "suppressed": len(outsider),
            "audited": sum(1 for c in self.cells if c.insider is None),
            "failed": len({c.cell for c in self.failures()}),
            "lps": self.lps,
        }

    def frame(self) -> pd.DataFrame:
        """INTERNAL: one row per `CellAudit` (values, intervals, groups): never public."""
        columns = [f.name for f in CellAudit.__dataclass_fields__.values()]
        rows = [[getattr(c, name) for name in columns] for c in self.cells]
        return pd.DataFrame(rows, columns=columns)


# ---------------------------------------------------------------------------------------------
# The reduced problem: atoms the published cells fix one by one, then connected components.


@dataclass
class _Reduced:
    """The attacker's system after fixing determined atoms (scaled units)."""

    free: BoolArray  # per atom: still an unknown
    fixed_value: FloatArray  # per atom: its value where fixed (0 where free)
    rows: IntArray  # published cells with a free atom left
    rhs: FloatArray  # their values minus their fixed atoms
    consistent: bool


def _fix_determined(
    published: sparse.csr_matrix, values: FloatArray, lower: FloatArray, eps: float
) -> _Reduced:
    """Fix every atom that a published cell with a single unknown atom left determines, until
    none is left (a sparse version of presolve's singleton rows). When the published values
    contradict each other or the bounds, nothing is fixed: the LPs then find the system
    infeasible and the cells fail closed with the solver's word."""
    n_atoms = published.shape[1]
    free = np.ones(n_atoms, dtype=np.bool_)
    fixed_value = np.zeros(n_atoms)
    ones = published.copy()
    ones.data[:] = 1.0
    while True:
        unknown = ones @ free.astype(np.float64)
        rest = values - published @ fixed_value
        single = np.flatnonzero(np.isclose(unknown, 1.0))
        if single.size == 0:
            break
        block = sparse.csr_matrix(ones[single].multiply(free[np.newaxis, :]))
        block.eliminate_zeros()
        atom = block.indices  # one free atom per singleton row, in row order
        coef = np.asarray(published[single, atom]).ravel()
        fixed_value[atom] = rest[single] / coef
        free[atom] = False
    unknown = ones @ free.astype(np.float64)
    rest = values - published @ fixed_value
    done = unknown < 0.5
    consistent = bool(
        np.all(np.abs(rest[done]) <= eps) and np.all(fixed_value[~free] >= lower[~free] - eps)
    )
    if not consistent:
        keep = np.flatnonzero(published.getnnz(axis=1) > 0)
        return _Reduced(
            np.ones(n_atoms, dtype=np.bool_), np.zeros(n_atoms), keep, values[keep], False
        )
    keep = np.flatnonzero(~done)
    return _Reduced(free, fixed_value, keep, rest[keep], True)


_SETTLED = (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kUnbounded)
"""Solver statuses taken at their word; any other is solved once more from scratch."""


@dataclass
class _Component:
    """One connected block of the attacker's system, with its HiGHS model built once."""

    cols: IntArray  # atom numbers
    cells: IntArray  # suppressed cells whose interval depends on these atoms
    objective: sparse.csr_matrix  # (cells x cols): the suppressed cells' rows
    offset: FloatArray  # the suppressed cells' fixed part
    lower: FloatArray
    upper: FloatArray
    truth: FloatArray | None  # the true atom values when they satisfy the system
    model: highspy.Highs = field(repr=False)
    rows: sparse.csr_matrix | None = field(default=None, repr=False)  # its published rows
    costs: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    points: list[FloatArray] = field(default_factory=list)
    """The outsider LPs' solutions: feasible points the insider pass starts from."""
    stacked: FloatArray | None = None
    reached: FloatArray | None = None  # (points x cells): each cell's value at each point
    retries: int = 0
    """LPs solved a second time from scratch (`solve`)."""

    def set_objective(self, i: int, sense: highspy.ObjSense) -> None:
        row = self.objective.getrow(i)
        if self.costs.size:
            n = self.costs.size
            self.model.changeColsCost(n, self.costs, np.zeros(n))
        cols = row.indices.astype(np.int32)
        self.model.changeColsCost(cols.size, cols, row.data.astype(np.float64))
        self.costs = cols.astype(np.int64)
        self.model.changeObjectiveSense(sense)

    def solve(self, i: int, maximise: bool) -> tuple[str, float, FloatArray | None]:
        """(status, the cell's bound, the LP's point) for the max or min of cell i."""
        sense = highspy.ObjSense.kMaximize if maximise else highspy.ObjSense.kMinimize
        self.set_objective(i, sense)
        self.model.run()
        status = self.model.getModelStatus()
        if status not in _SETTLED:
            # warm from the last basis after an insider's column bounds, HiGHS can end
            # "infeasible" or "unknown" on a system the true values satisfy (the demo's first
            # release: 6 insider LPs of its exact bounds); a cold solve decides, and any
            # status but optimal or unbounded still fails the cell
            self.model.clearSolver()
            self.model.run()
            self.retries += 1
            status = self.model.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal:
            point = np.asarray(self.model.getSolution().col_value, dtype=np.float64)
            bound = float(self.model.getInfo().objective_function_value) + self.offset[i]
            return "", bound, point
        if status == highspy.HighsModelStatus.kUnbounded:
            return "", math.inf if maximise else -math.inf, None
        return "solver: " + self.model.modelStatusToString(status), math.nan, None

    def reach(self, point: FloatArray) -> FloatArray:
        """Every suppressed cell's value at a feasible point."""
        return np.asarray(self.objective @ point, dtype=np.float64) + self.offset


_banner_shown = False


def _highs() -> highspy.Highs:
    """A HiGHS instance. HiGHS writes its banner to the process's standard output (file
    descriptor 1, below Python) the first time one is made, whatever its options: that would
    land in the middle of a CLI's table or JSON, so the first one is made with descriptor 1
    pointed at the null device."""
    global _banner_shown
    if _banner_shown:
        return highspy.Highs()  # type: ignore[no-untyped-call]
    sys.stdout.flush()
    saved = os.dup(1)
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        model = highspy.Highs()  # type: ignore[no-untyped-call]
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(null)
    _banner_shown = True
    return model


def silence_banner() -> None:
    """Make the process's first HiGHS instance with the banner kept off standard output (a
    caller that solves with HiGHS before the gate, the suppression, calls this first)."""
    _highs()


def _new_model(
    rows: sparse.csr_matrix, rhs: FloatArray, lower: FloatArray, upper: FloatArray
) -> highspy.Highs:
    model = _highs()
    model.setOptionValue("output_flag", False)
    model.setOptionValue("presolve", "off")
    model.setOptionValue("simplex_strategy", 4)  # primal: warm from the last basis
    model.setOptionValue("threads", 1)
    csc = sparse.csc_matrix(rows)
    lp = highspy.HighsLp()
    lp.num_col_ = int(csc.shape[1])
    lp.num_row_ = int(csc.shape[0])
    lp.col_cost_ = np.zeros(lp.num_col_)
    lp.col_lower_ = lower
    lp.col_upper_ = upper
    lp.row_lower_ = rhs
    lp.row_upper_ = rhs
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = csc.indptr.astype(np.int32)
    lp.a_matrix_.index_ = csc.indices.astype(np.int32)
    lp.a_matrix_.value_ = csc.data.astype(np.float64)
    model.passModel(lp)
    return model


# ---------------------------------------------------------------------------------------------
# The audit.


@dataclass
class _Need:
    """What must be proved of each suppressed cell (scaled units, cells' order)."""

    cell: IntArray
    value: FloatArray
    high: FloatArray  # value + upl (value where only exactness is tested)
    low: FloatArray  # value - lpl
    sided: BoolArray  # two-sided test (upl > 0) rather than exactness only
    primary: BoolArray


@dataclass
class _Bounds:
    """What is proved so far of each of a component's suppressed cells."""

    low: FloatArray
    high: FloatArray
    solved_low: BoolArray
    solved_high: BoolArray
    problem: list[str]

    @classmethod
    def start(cls, n: int) -> _Bounds:
        return cls(
            np.full(n, math.inf),
            np.full(n, -math.inf),
            np.zeros(n, dtype=np.bool_),
            np.zeros(n, dtype=np.bool_),
            [""] * n,
        )

    def see(self, reached: FloatArray) -> None:
        """A feasible point: each cell's value there bounds its interval from inside."""
        open_high = ~self.solved_high
        open_low = ~self.solved_low
        self.high[open_high] = np.maximum(self.high[open_high], reached[open_high])
        self.low[open_low] = np.minimum(self.low[open_low], reached[open_low])


class _Auditor:
    def __init__(self, cube: Cube, pattern: Pattern, exact_bounds: bool) -> None:
        self.cube = cube
        self.exact_bounds = exact_bounds
        self.lps = 0
        values = cube.values()
        # read once: a record per suppressed cell and group tested (tens of thousands on the
        # demo) would otherwise index the cells' frame each time
        self.values = np.asarray(values, dtype=np.float64)
        top = float(np.max(np.abs(values))) if values.size else 0.0
        self.scale = 10.0 ** math.ceil(math.log10(top / _TOP)) if top > 0 else 1.0
        self.eps = _REL_EPS * top / self.scale if top > 0 else _REL_EPS
        suppressed = pattern.suppressed
        cell = np.flatnonzero(suppressed)
        upl = np.asarray(pattern.upl, dtype=np.float64)[cell] / self.scale
        lpl = np.asarray(pattern.lpl, dtype=np.float64)[cell] / self.scale
        primary = pattern.primary[cell] & (pattern.code[cell] != SECONDARY)
        sided = primary & (upl > self.eps)
        scaled = values[cell] / self.scale
        self.need = _Need(
            cell=cell,
            value=scaled,
            high=np.where(sided, scaled + upl, scaled),
            low=np.where(sided, scaled - np.minimum(lpl, np.maximum(scaled, 0.0)), scaled),
            sided=sided,
            primary=primary,
        )
        atoms = np.asarray(cube.atom_values, dtype=np.float64) / self.scale
        self.atoms = atoms
        self.lower = np.where(atoms < 0, -math.inf, 0.0)
        membership = sparse.csr_matrix(cube.membership, dtype=np.float64)
        self.membership = membership
        published = sparse.csr_matrix(membership[np.flatnonzero(~suppressed)])
        self.reduced = _fix_determined(
            published, values[~suppressed] / self.scale, self.lower, self.eps
        )
        self.published = sparse.csr_matrix(published[self.reduced.rows])
        self.hidden = sparse.csr_matrix(membership[cell])
        self.components = list(self._components())

    # -- building ------------------------------------------------------------------------------

    def _components(self) -> Iterator[_Component]:
        red = self.reduced
        free = np.flatnonzero(red.free)
        pub = sparse.csr_matrix(self.published[:, free])
        hid = sparse.csr_matrix(self.hidden[:, free])
        n_pub, n_hid, n_free = pub.shape[0], hid.shape[0], free.size
        incidence = sparse.vstack([pub, hid]).tocoo()
        graph = sparse.coo_matrix(
            (
                np.ones(incidence.nnz),
                (incidence.row, n_pub + n_hid + incidence.col),
            ),
            shape=(n_pub + n_hid + n_free,) * 2,
        )
        _, label = csgraph.connected_components(graph, directed=False)
        atom_label = label[n_pub + n_hid :]
        pub_label = label[:n_pub]
        hid_label = label[n_pub : n_pub + n_hid]
        hid_has = hid.getnnz(axis=1) > 0
        offset = np.asarray(self.hidden @ red.fixed_value, dtype=np.float64)
        truth_ok = red.consistent and self._truth_fits()
        for lab in np.unique(hid_label[hid_has]):
            cols_local = np.flatnonzero(atom_label == lab)
            rows_local = np.flatnonzero(pub_label == lab)
            cells_local = np.flatnonzero((hid_label == lab) & hid_has)
            a = sparse.csr_matrix(pub[rows_local][:, cols_local])
            obj = sparse.csr_matrix(hid[cells_local][:, cols_local])
            cols = free[cols_local]
            lower = self.lower[cols]
            upper = np.full(cols.size, math.inf)
            yield _Component(
                cols=cols,
                cells=cells_local,
                objective=obj,
                offset=offset[cells_local],
                lower=lower,
                upper=upper,
                truth=self.atoms[cols] if truth_ok else None,
                model=_new_model(a, red.rhs[rows_local], lower, upper),
                rows=a,
            )

    def _truth_fits(self) -> bool:
        """Whether the true atom values satisfy the published cells (they do unless the cube's
        values and atoms disagree): only then is the truth a feasible point to start from."""
        published = self.published @ self.atoms
        fixed = self.published @ np.where(self.reduced.free, 0.0, self.reduced.fixed_value)
        gap = np.abs(published - fixed - self.reduced.rhs)
        fixed_ok = np.abs(self.reduced.fixed_value - self.atoms)[~self.reduced.free]
        return bool(np.all(gap <= self.eps) and np.all(fixed_ok <= self.eps))

    # -- testing -------------------------------------------------------------------------------

    def _proved(self, k: int, b: _Bounds, n: IntArray) -> tuple[bool, bool]:
        """(upper side done, lower side done) for local cell k (global need index n[k])."""
        j = n[k]
        if self.need.sided[j]:
            return (
                b.high[k] >= self.need.high[j] - self.eps,
                b.low[k] <= self.need.low[j] + self.eps,
            )
        wide = b.high[k] - b.low[k] > self.eps
        return bool(wide), bool(wide)

    def _test(
        self, comp: _Component, local: IntArray, b: _Bounds, n: IntArray, keep: bool = False
    ) -> None:
        """Solve the LPs still needed for the component's cells `local` (all with
        `exact_bounds`), proving other cells with every point found."""
        for k in local:
            for maximise in (True, False):
                if b.problem[k]:
                    break
                solved = b.solved_high if maximise else b.solved_low
                if solved[k]:
                    continue
                if not self.exact_bounds:
                    up, down = self._proved(k, b, n)
                    if up and down:
                        break
                    if self.need.sided[n[k]] and (up if maximise else down):
                        continue
                status, bound, point = comp.solve(int(k), maximise)
                self.lps += 1
                if status:
                    b.problem[k] = status
                    continue
                solved[k] = True
                if maximise:
                    b.high[k] = bound
                else:
                    b.low[k] = bound
                if point is not None:
                    b.see(comp.reach(point))
                    if keep and len(comp.points) < _MAX_POINTS:
                        comp.points.append(point)

    def _verdict(self, j: int, low: float, high: float, problem: str) -> tuple[bool, str]:
        if problem:
            return False, problem
        if high - low <= self.eps:
            return False, "exact"
        if self.need.sided[j]:
            if high < self.need.high[j] - self.eps:
                return False, "upper"
            if low > self.need.low[j] + self.eps:
                return False, "lower"
        return True, ""

    def _record(
        self, j: int, low: float, high: float, problem: str, insider: str | None
    ) -> CellAudit:
        passed, problem = self._verdict(j, low, high, problem)
        if low > high:  # no feasible point seen (a solver failure): nothing was proved
            low = high = math.nan
        s = self.scale
        return CellAudit(
            cell=int(self.need.cell[j]),
            role="primary" if self.need.primary[j] else "secondary",
            value=float(self.values[self.need.cell[j]]),
            low=low * s,
            high=high * s,
            needed_low=float(self.need.low[j]) * s,
            needed_high=float(self.need.high[j]) * s,
            passed=passed,
            insider=insider,
            problem=problem,
        )

    def outsiders(self) -> list[CellAudit]:
        """One record per suppressed cell: the attacker knows only the published cells."""
        records: dict[int, CellAudit] = {}
        for comp in self.components:
            b = _Bounds.start(comp.cells.size)
            if comp.truth is not None:
                b.see(comp.reach(comp.truth))
            self._test(comp, np.arange(comp.cells.size), b, comp.cells, keep=True)
            for k, j in enumerate(comp.cells):
                records[int(j)] = self._record(
                    int(j), float(b.low[k]), float(b.high[k]), b.problem[k], None
                )
        # Cells with every atom fixed by the published cells: exactly known.
        for j in range(self.need.cell.size):
            if j not in records:
                v = float((self.hidden[j] @ self.reduced.fixed_value)[0])
                records[j] = self._record(j, v, v, "", None)
        return [records[j] for j in sorted(records)]

    def insiders(self, failed: set[int]) -> tuple[list[CellAudit], int]:
        """Each group's own knowledge added in turn; returns the failing (every, with
        `exact_bounds`) records and how many groups were tested. Every group with an unknown
        atom in a component holding a primary it does not make up alone is tested, not only
        the groups of suppressed cells: knowing an atom that only published cells contain
        can still pin a suppressed one down."""
        cube = self.cube
        contrib = sparse.csc_matrix(cube.contributions, dtype=np.float64)
        sole = np.asarray(cube.contributions.getnnz(axis=1) == 1)
        by_cell = sparse.csr_matrix(cube.cell_contributions())
        cells_of = sparse.csc_matrix(by_cell)
        owner = np.full(cube.n_cells, -1, dtype=np.int64)
        one = np.flatnonzero(by_cell.getnnz(axis=1) == 1)
        owner[one] = by_cell.indices[by_cell.indptr[one]]
        need_owner = owner[self.need.cell]
        open_cell = self.need.primary.copy()
        if not self.exact_bounds:
            open_cell &= ~np.isin(self.need.cell, np.fromiter(failed, dtype=np.int64))
        records: list[CellAudit] = []
        tested = 0
        col_of = np.full(cube.n_atoms, -1, dtype=np.int64)
        comp_of = np.full(cube.n_atoms, -1, dtype=np.int64)
        for c, comp in enumerate(self.components):
            col_of[comp.cols] = np.arange(comp.cols.size)
            comp_of[comp.cols] = c
            if open_cell[comp.cells].any():
                comp.points[:0] = self._small_moves(comp)
                comp.reached = None
        # Groups that alone make up unknown atoms first: they are the likeliest to break a
        # primary, and a broken primary is not re-tested for later groups.
        present = contrib.copy()
        present.data[:] = 1.0
        alone = np.asarray(present.T @ (sole & (comp_of >= 0)).astype(np.float64)).ravel()
        for g in np.argsort(-alone, kind="stable"):
            start, end = contrib.indptr[g], contrib.indptr[g + 1]
            atoms = contrib.indices[start:end]
            here = comp_of[atoms]
            touched = False
            for c in np.unique(here[here >= 0]):
                comp = self.components[c]
                n = comp.cells
                candidates = open_cell[n] & (need_owner[n] != g)
                if not candidates.any():
                    continue
                touched = True
                mine = atoms[here == c]
                known = contrib.data[start:end][here == c] / self.scale
                own = cells_of.indices[cells_of.indptr[g] : cells_of.indptr[g + 1]]
                found = self._group(
                    comp, int(g), mine, known, sole[mine], candidates, own, open_cell
                )
                records += found
                if not self.exact_bounds:
                    for r in found:
                        open_cell[self.need.cell == r.cell] = False
            tested += touched
        return records, tested

    def _group(
        self,
        comp: _Component,
        g: int,
        mine: IntArray,
        known: FloatArray,
        sole: BoolArray,
        candidates: BoolArray,
        own: IntArray,
        open_cell: BoolArray,
    ) -> list[CellAudit]:
        """Group g's failures (every record with `exact_bounds`) on the component's
        `candidates`. A primary the group is a contributor of (`own`): its rule's protection
        levels already price in what a contributor knows of its own share of the cell (the
        p %-rule's attacker is the runner-up), so only the group's knowledge outside that cell
        is added; tested with all of it, the largest contributor of a cell of 100 and 5 would
        fail whatever is suppressed, since it knows the cell is at least 100."""
        n = comp.cells
        col_of = np.searchsorted(comp.cols, mine)
        inside = np.isin(self.need.cell[n], own)
        found: list[CellAudit] = []
        targets = np.flatnonzero(candidates & ~inside)
        if targets.size:
            found += self._insider(comp, g, col_of, known, sole, targets)
        membership = self.membership
        for k in np.flatnonzero(candidates & inside):
            if not self.exact_bounds and not open_cell[n[k]]:
                continue
            t = int(self.need.cell[n[k]])
            out = ~np.isin(
                mine, membership.indices[membership.indptr[t] : membership.indptr[t + 1]]
            )
            if out.any():
                found += self._insider(comp, g, col_of[out], known[out], sole[out], np.array([k]))
        return found

    def _insider(
        self,
        comp: _Component,
        g: int,
        cols: IntArray,
        amounts: FloatArray,
        sole: BoolArray,
        targets: IntArray,
    ) -> list[CellAudit]:
        """Group g's knowledge as column bounds on the built model, the targets re-tested
        warm, the bounds restored. An atom is at least the group's own amount (capped at the
        atom's true value, so that a negative contribution of another group cannot make the
        system infeasible) and equal to its value where the group is its only contributor."""
        truth = self.atoms[comp.cols[cols]]
        lower = comp.lower[cols]
        lower = np.where(np.isfinite(lower), np.maximum(lower, np.minimum(amounts, truth)), lower)
        lower = np.where(sole, truth, lower)
        upper = np.where(sole, truth, comp.upper[cols])
        idx = cols.astype(np.int32)
        comp.model.changeColsBounds(idx.size, idx, lower, upper)
        try:
            b = _Bounds.start(comp.cells.size)
            if comp.truth is not None:
                b.see(comp.reach(comp.truth))
                self._shrink_towards_truth(comp, cols, lower, sole, targets, b)
            self._test(comp, targets, b, comp.cells)
        finally:
            comp.model.changeColsBounds(idx.size, idx, comp.lower[cols], comp.upper[cols])
        name = self.cube.groups[g]
        out = []
        for k in targets:
            j = int(comp.cells[k])
            rec = self._record(j, float(b.low[k]), float(b.high[k]), b.problem[k], name)
            if self.exact_bounds or not rec.passed:
                out.append(rec)
        return out

    def _small_moves(self, comp: _Component) -> list[FloatArray]:
        """For each primary of the component and each side it must reach, the feasible point
        nearest the truth (least total change of the atoms) that reaches it. An outsider LP's
        point is a vertex where most atoms have moved (to 0), so it certifies no insider who
        knows any of them; these points move only the few atoms of a cycle of cells through
        the primary, so they certify every group whose atoms they leave alone
        (`_shrink_towards_truth`), and only the groups they touch need their own LPs. One
        model per component (changes d+ and d- of the atoms, published rows unchanged), each
        point a change of one row's bounds."""
        if comp.truth is None or comp.rows is None:
            return []
        n = comp.cols.size
        a, o = comp.rows, comp.objective
        m, q = a.shape[0], o.shape[0]
        matrix = sparse.csr_matrix(sparse.vstack([sparse.hstack([a, -a]), sparse.hstack([o, -o])]))
        inf = math.inf
        down = np.where(np.isfinite(comp.lower), comp.truth - comp.lower, inf)
        model = _new_model(
            matrix,
            np.zeros(m + q),
            np.zeros(2 * n),
            np.concatenate([comp.upper - comp.truth, down]),
        )
        model.changeRowsBounds(  # type: ignore[attr-defined]
            q, np.arange(m, m + q, dtype=np.int32), np.full(q, -inf), np.full(q, inf)
        )
        model.changeColsCost(2 * n, np.arange(2 * n, dtype=np.int32), np.ones(2 * n))
        # dual simplex: each point changes one row's bounds of the same objective, so the last
        # optimal basis stays dual feasible and the next solve starts from it (primal simplex
        # would start over from phase 1: 15 % of the demo's gate); which vertex wins a tie
        # does not matter here, a point only ever certifies
        model.setOptionValue("simplex_strategy", 1)
        origin = comp.reach(comp.truth)
        points: list[FloatArray] = []
        for k in range(q):
            j = comp.cells[k]
            if not self.need.primary[j]:
                continue
            if self.need.sided[j]:
                sides = [(self.need.high[j] - origin[k] + self.eps, inf)]
                sides.append((-inf, self.need.low[j] - origin[k] - self.eps))
            else:
                step = 100 * self.eps
                sides = [(step, inf), (-inf, -step)]
            row = m + k
            for lo, hi in sides:
                model.changeRowBounds(row, lo, hi)
                model.run()
                self.lps += 1
                if model.getModelStatus() == highspy.HighsModelStatus.kOptimal:
                    d = np.asarray(model.getSolution().col_value, dtype=np.float64)
                    points.append(comp.truth + d[:n] - d[n:])
            model.changeRowBounds(row, -inf, inf)
        return points

    def _shrink_towards_truth(
        self,
        comp: _Component,
        cols: IntArray,
        lower: FloatArray,
        sole: BoolArray,
        targets: IntArray,
        b: _Bounds,
    ) -> None:
        """Certificates for an insider without an LP: on the segment from the true point (which
        the insider's bounds admit) to an outsider LP's point, every point satisfies the
        published cells, and the part of it nearest that point which still respects the
        group's bounds is a feasible point of the insider's system. It keeps the whole
        outsider point when the group's atoms are untouched there, and nothing when the point
        moved one of the group's own single-contributor atoms."""
        if not comp.points or comp.truth is None:
            return
        if comp.reached is None:
            stacked = np.vstack(comp.points)
            comp.reached = np.asarray(comp.objective @ stacked.T, dtype=np.float64).T + comp.offset
            comp.stacked = stacked
        assert comp.stacked is not None
        truth = comp.truth[cols]
        at = comp.stacked[:, cols]
        short = at < lower - self.eps
        gap = np.where(short, truth - at, 1.0)
        ratio = np.where(short, (truth - lower) / gap, math.inf)
        step = np.minimum(1.0, ratio.min(axis=1, initial=math.inf))
        moved = (np.abs(at - truth) > self.eps) & sole
        step[moved.any(axis=1)] = 0.0
        usable = step > 0
        if not usable.any():
            return
        origin = comp.reach(comp.truth)[targets]
        seen = origin + step[usable, np.newaxis] * (comp.reached[usable][:, targets] - origin)
        b.high[targets] = np.maximum(b.high[targets], seen.max(axis=0))
        b.low[targets] = np.minimum(b.low[targets], seen.min(axis=0))


def audit(
    cube: Cube, pattern: Pattern, *, insiders: bool = True, exact_bounds: bool = False
) -> GateReport:
    """Prove, with linear programmes, that no suppressed cell of `pattern` can be narrowed by an
    outsider (and, with `insiders`, by any enterprise group) beyond what the rules allow.

    `exact_bounds` solves both LPs of every audited cell instead of stopping once a
    feasible point has proved what is needed: the reported intervals are then the exact
    ones (the internal report, the tests), at the cost of more LPs; insider records are then
    kept for every (primary, group) pair tested, not only for failures. Never raises on a
    failing pattern: the report says so."""
    start = time.perf_counter()
    auditor = _Auditor(cube, pattern, exact_bounds)
    records = auditor.outsiders()
    tested = 0
    if insiders:
        failed = {r.cell for r in records if not r.passed}
        extra, tested = auditor.insiders(failed)
        records += extra
    return GateReport(
        passed=all(r.passed for r in records),
        cells=tuple(records),
        lps=auditor.lps + sum(c.retries for c in auditor.components),
        seconds=time.perf_counter() - start,
        insiders=tested,
        total_cells=cube.n_cells,
    )
