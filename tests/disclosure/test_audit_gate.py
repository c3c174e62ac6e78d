"""The release gate on hand-built cubes: DISCLOSURE.md's golden intervals (2.2, 2.3, 2.4, 3.2),
the insider pass, fail-closed statuses and the public summary."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from digex.disclosure.audit import GateReport, audit
from digex.disclosure.problem import FREE, LABEL_KEY, SECONDARY, Cube, Pattern


def cube_of(
    cells: Sequence[Sequence[int]],
    atoms: Sequence[Mapping[str, float]],
    values: Sequence[float] | None = None,
) -> Cube:
    """A cube from its cells as lists of atom numbers and each atom's contributions by group;
    cell values are the atoms' sums unless `values` says otherwise (an inconsistent cube)."""
    groups = sorted({g for atom in atoms for g in atom})
    col = {g: i for i, g in enumerate(groups)}
    rows = [a for a, atom in enumerate(atoms) for _ in atom]
    cols = [col[g] for atom in atoms for g in atom]
    amounts = [float(x) for atom in atoms for x in atom.values()]
    contributions = sparse.csr_matrix((amounts, (rows, cols)), shape=(len(atoms), len(groups)))
    member_rows = [i for i, cell in enumerate(cells) for _ in cell]
    member_cols = [a for cell in cells for a in cell]
    membership = sparse.csr_matrix(
        (np.ones(len(member_cols)), (member_rows, member_cols)), shape=(len(cells), len(atoms))
    )
    atom_values = np.array([sum(atom.values()) for atom in atoms], dtype=np.float64)
    true = membership @ atom_values
    value = true if values is None else np.asarray(values, dtype=np.float64)
    frame = pd.DataFrame({"flow": "X", "value": value})
    labels = pd.DataFrame(
        {
            "flow": "X",
            "freq": "A",
            "period": "2024",
            "cut": "test",
            "member": [f"c{i}" for i in range(len(cells))],
            "measure": "LEVEL",
            "cell": range(len(cells)),
        }
    )
    assert tuple(labels.columns[:-1]) == LABEL_KEY
    return Cube(frame, labels, membership, atom_values, contributions, tuple(groups))


def pattern_of(n: int, primaries: Mapping[int, float], secondaries: Sequence[int] = ()) -> Pattern:
    """Primaries with their protection level (upl = lpl; 0: threshold only, code A; else M)."""
    code = np.full(n, FREE, dtype=object)
    upl = np.zeros(n)
    for cell, level in primaries.items():
        code[cell] = "M" if level > 0 else "A"
        upl[cell] = level
    for cell in secondaries:
        code[cell] = SECONDARY
    return Pattern(code=code, upl=upl, lpl=upl.copy())


def intervals(report: GateReport, insider: str | None = None) -> dict[int, tuple[float, float]]:
    return {
        c.cell: (round(c.low, 6), round(c.high, 6)) for c in report.cells if c.insider == insider
    }


# --- Handbook example 3 (DISCLOSURE.md 2.2) ---------------------------------------------------

# Atoms X11 X12 X21 X22 X31 X32 (true interior 5, 2, 1, 2 and the published row 3, 3).
HANDBOOK_ATOMS: list[dict[str, float]] = [
    {"a": 3, "b": 2},
    {"G": 2},
    {"c": 0.5, "d": 0.5},
    {"e": 1, "f": 1},
    {"h": 2, "i": 1},
    {"j": 2, "k": 1},
]
HANDBOOK_CELLS = [[0], [1], [2], [3], [4], [5], [0, 1], [2, 3], [4, 5], [0, 2, 4], [1, 3, 5]]
HANDBOOK_CELLS.append(list(range(6)))


def test_handbook_example_3_intervals() -> None:
    cube = cube_of(HANDBOOK_CELLS, HANDBOOK_ATOMS)
    assert list(cube.values()[6:]) == [7, 3, 6, 9, 7, 16]
    pattern = pattern_of(cube.n_cells, {0: 0.3, 1: 0.2, 2: 0, 3: 0})
    report = audit(cube, pattern, insiders=False, exact_bounds=True)
    assert intervals(report) == {0: (3, 6), 1: (1, 4), 2: (0, 3), 3: (0, 3)}
    assert report.passed
    assert report.lps == 8


def test_handbook_example_3_insider_collapse() -> None:
    """X12's only contributor fixes X12 = 2, and every other interval collapses to a point."""
    cube = cube_of(HANDBOOK_CELLS, HANDBOOK_ATOMS)
    pattern = pattern_of(cube.n_cells, {0: 0.3, 1: 0.2, 2: 0, 3: 0})
    report = audit(cube, pattern, exact_bounds=True)
    assert intervals(report, "G") == {0: (5, 5), 2: (1, 1), 3: (2, 2)}
    assert not report.passed
    failing = {(c.cell, c.insider, c.problem) for c in report.failures()}
    assert failing == {(0, "G", "exact"), (2, "G", "exact"), (3, "G", "exact")}
    # Without exact bounds the verdict is the same, with fewer LPs.
    quick = audit(cube, pattern)
    assert {(c.cell, c.insider) for c in quick.failures()} == {(0, "G"), (2, "G"), (3, "G")}
    assert quick.lps < report.lps


# --- The 2-D table of DISCLOSURE.md 2.3 --------------------------------------------------------

# Interior atoms row by row (R1..R3 x S1..S4), letters the enterprise groups.
TABLE: list[dict[str, float]] = [
    {"A": 60, "B": 50, "C": 40},
    {"D": 90, "E": 70, "F": 40},
    {"G": 45, "H": 30, "I": 25},
    {"J": 80, "K": 60, "L": 40},
    {"M": 70, "N": 50, "O": 30},
    {"P": 55, "Q": 45, "R": 20},
    {"S": 35},
    {"T": 50, "U": 40, "V": 30},
    {"W": 180, "X": 12, "Y": 8},
    {"Z": 100, "AA": 60, "AB": 40},
    {"AC": 40, "AD": 30, "AE": 20},
    {"AF": 70, "AG": 50, "AH": 40},
]
TABLE_CELLS = [[a] for a in range(12)]
TABLE_CELLS += [[4 * r + s for s in range(4)] for r in range(3)]  # row totals 12..14
TABLE_CELLS += [[4 * r + s for r in range(3)] for s in range(4)]  # column totals 15..18
TABLE_CELLS.append(list(range(12)))  # 19
R1S1, R1S3, R2S1, R2S3, R3S1, R3S3 = 0, 2, 4, 6, 8, 10
TABLE_PRIMARIES = {R2S3: 3.5, R3S1: 10.0}
PATTERN_B = (R1S1, R1S3, R2S1, R3S3)


def test_table_pattern_a_passes_outsiders_fails_insider_s() -> None:
    cube = cube_of(TABLE_CELLS, TABLE)
    assert list(cube.values()[12:]) == [630, 425, 650, 500, 520, 225, 460, 1705]
    pattern = pattern_of(cube.n_cells, TABLE_PRIMARIES, (R2S1, R3S3))
    report = audit(cube, pattern, exact_bounds=True)
    assert intervals(report) == {
        R2S1: (60, 185),
        R2S3: (0, 125),
        R3S1: (165, 290),
        R3S3: (0, 125),
    }
    assert all(c.passed for c in report.cells if c.insider is None)
    failing = [(c.cell, c.insider, c.problem, c.low, c.high) for c in report.failures()]
    assert failing == [(R3S1, "S", "exact", pytest.approx(200), pytest.approx(200))]
    assert not report.passed


def test_table_pattern_b_passes_both() -> None:
    cube = cube_of(TABLE_CELLS, TABLE)
    pattern = pattern_of(cube.n_cells, TABLE_PRIMARIES, PATTERN_B)
    report = audit(cube, pattern, exact_bounds=True)
    assert intervals(report) == {
        R1S1: (25, 250),
        R1S3: (0, 225),
        R2S1: (0, 185),
        R2S3: (0, 185),
        R3S1: (65, 290),
        R3S3: (0, 225),
    }
    assert intervals(report, "S") == {R3S1: (100, 290)}
    assert report.passed
    needed = {c.cell: (c.needed_low, c.needed_high) for c in report.cells if c.insider is None}
    assert needed[R2S3] == pytest.approx((31.5, 38.5))
    assert needed[R3S1] == pytest.approx((190, 210))
    assert needed[R1S1] == (150, 150)
    assert audit(cube, pattern).passed


@pytest.mark.parametrize(
    ("published", "cell", "insider"),
    [(R1S1, R3S1, "S"), (R1S3, R3S1, "S"), (R2S1, R2S3, None), (R3S3, R3S1, None)],
)
def test_table_pattern_b_mutations_fail(published: int, cell: int, insider: str | None) -> None:
    """Publishing any one of B's secondaries breaks it: a primary exactly disclosed to
    outsiders, or to insider S. (Publishing R1S1 or R1S3 also leaves the other one alone in
    row R1, hence exact: DISCLOSURE.md's table looks at the primaries only.)"""
    cube = cube_of(TABLE_CELLS, TABLE)
    pattern = pattern_of(cube.n_cells, TABLE_PRIMARIES, [c for c in PATTERN_B if c != published])
    report = audit(cube, pattern)
    assert not report.passed
    assert (cell, insider, "exact") in {(c.cell, c.insider, c.problem) for c in report.failures()}
    outsider = {c.cell: c for c in report.cells if c.insider is None}
    primaries_pass = outsider[R2S3].passed and outsider[R3S1].passed
    assert primaries_pass == (insider is not None)
    if published in (R1S1, R1S3):
        other = R1S3 if published == R1S1 else R1S1
        assert (outsider[other].problem, outsider[other].low) == ("exact", TABLE_VALUES[other])


TABLE_VALUES = [sum(atom.values()) for atom in TABLE]


# --- Singleton cases of DISCLOSURE.md 2.4: one relation each -----------------------------------

THREE = ({"g1": 60, "g2": 50, "g3": 40}, {"h1": 100, "h2": 80, "h3": 70})


def one_relation(atoms: Sequence[Mapping[str, float]]) -> Cube:
    """Each atom a cell of its own, and their total."""
    return cube_of([[a] for a in range(len(atoms))] + [list(range(len(atoms)))], atoms)


CASES = {
    # name: (atoms, primaries with UPL, the insider who breaks it, the cell it learns, remedy)
    "singleton-singleton": (
        [{"F1": 40}, {"F2": 60}, THREE[0], THREE[1]],
        {0: 4.0, 1: 6.0},
        "F1",
        1,
        2,
    ),
    "singleton-multiple": (
        [{"F1": 40}, {"p": 92, "q": 5, "r": 3}, THREE[0], {"h1": 100, "h2": 60, "h3": 50}],
        {0: 4.0, 1: 6.2},
        "F1",
        1,
        2,
    ),
    "one firm, several singletons": (
        [
            {"F": 30},
            {"F": 50},
            {"u": 100, "v": 12, "w": 8},
            {"x1": 90, "x2": 50, "x3": 40},
            {"y1": 100, "y2": 70, "y3": 50},
        ],
        {0: 3.0, 1: 5.0, 2: 2.0},
        "F",
        2,
        3,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_singleton_cases_fail_the_insider_until_remedied(case: str) -> None:
    atoms, primaries, insider, learnt, remedy = CASES[case]
    cube = one_relation(atoms)
    total = {"singleton-singleton": 500, "singleton-multiple": 500}.get(case, 600)
    assert cube.values()[-1] == total
    report = audit(cube, pattern_of(cube.n_cells, primaries), exact_bounds=True)
    outsider = intervals(report)
    width = total - sum(v for a, v in enumerate(cube.values()[:-1]) if a not in primaries)
    assert outsider == {cell: (0, width) for cell in primaries}
    assert all(c.passed for c in report.cells if c.insider is None)
    value = cube.values()[learnt]
    failing = {(c.cell, c.insider): (c.low, c.high) for c in report.failures()}
    assert failing[learnt, insider] == pytest.approx((value, value))
    assert {c.problem for c in report.failures()} == {"exact"}
    assert all(c.insider is not None for c in report.failures())
    fixed = audit(cube, pattern_of(cube.n_cells, primaries, [remedy]), exact_bounds=True)
    assert fixed.passed, fixed.frame()
    if case == "one firm, several singletons":
        assert intervals(fixed, "F")[2] == (0, 300)


# --- Fail closed, sides, unbounded --------------------------------------------------------------


@pytest.mark.parametrize(
    "values",
    [
        [5, 2, 1, 2, 3, 3, 8, 3, 6, 9, 7, 16],  # row 1 says 8: no solution at all
        [5, 2, 1, 2, 4, 3, 7, 3, 6, 9, 7, 16],  # published X31 + X32 != published row 3
    ],
)
def test_inconsistent_published_cells_fail_closed(values: list[float]) -> None:
    cube = cube_of(HANDBOOK_CELLS, HANDBOOK_ATOMS, values)
    report = audit(cube, pattern_of(cube.n_cells, {0: 0.3, 1: 0.2, 2: 0, 3: 0}))
    assert not report.passed
    assert {c.cell for c in report.failures()} == {0, 1, 2, 3}
    assert {c.problem for c in report.failures()} == {"solver: Infeasible"}
    assert all(math.isnan(c.low) and math.isnan(c.high) for c in report.cells)


def test_a_wide_interval_short_on_one_side_fails() -> None:
    """X = 100 with levels 10 in [60, 105]: width 45 >= 20, yet only 5 above (DISCLOSURE.md
    3.2): a width test would pass it."""
    atoms = [{"g": 60, "h": 40}, {"i": 3, "j": 2}, {"k": 20, "l": 20}]
    cube = cube_of([[0], [1], [2], [0, 1], [1, 2]], atoms)
    report = audit(cube, pattern_of(cube.n_cells, {0: 10.0}, [1, 2]), insiders=False)
    x = next(c for c in report.cells if c.cell == 0)
    assert (x.low, x.high, x.needed_low, x.needed_high) == pytest.approx((60, 105, 90, 110))
    assert (x.passed, x.problem) == (False, "upper")
    assert [c.cell for c in report.failures()] == [0]


def test_unbounded_sides_are_safe() -> None:
    """An atom in no published cell has no upper bound; a negative atom has no lower bound."""
    cube = cube_of([[0], [1], [0, 1]], [{"a": 4, "b": 3}, {"c": 5, "d": 4}])
    free = audit(cube, pattern_of(3, {0: 1.0}, [1, 2]), exact_bounds=True)
    assert intervals(free) == {0: (0, math.inf), 1: (0, math.inf), 2: (0, math.inf)}
    assert free.passed
    negative = cube_of([[0], [1], [0, 1]], [{"a": -8, "b": 3}, {"c": 15, "d": 5}])
    report = audit(negative, pattern_of(3, {}, [0, 1]), exact_bounds=True)
    assert intervals(report) == {0: (-math.inf, 15), 1: (0, math.inf)}
    assert report.passed


# --- The report's two faces ---------------------------------------------------------------------


def test_summary_is_counts_only_and_frame_is_per_cell() -> None:
    cube = cube_of(TABLE_CELLS, TABLE)
    report = audit(cube, pattern_of(cube.n_cells, TABLE_PRIMARIES, (R2S1, R3S3)))
    summary = report.summary()
    assert summary == {
        "cells": 20,
        "suppressed": 4,
        "audited": 4,
        "failed": 1,
        "lps": report.lps,
    }
    assert all(type(v) is int for v in summary.values())
    frame = report.frame()
    assert len(frame) == len(report.cells) == 5
    assert list(frame.columns[:4]) == ["cell", "role", "value", "low"]
    assert frame.loc[frame["insider"] == "S", "cell"].tolist() == [R3S1]
    assert report.insiders > 0


def test_a_group_outside_every_suppressed_cell_is_an_insider_too() -> None:
    """H is the only contributor of an atom that only published cells hold; knowing it, H
    subtracts it from a published cell and gets the primary."""
    atoms = [{"g1": 30, "g2": 10}, {"H": 100}, {"k1": 40, "k2": 20}]
    cube = cube_of([[0], [2], [0, 1], [1, 2]], atoms)
    report = audit(cube, pattern_of(cube.n_cells, {0: 5.0}, [1]), exact_bounds=True)
    assert intervals(report) == {0: (0, 140), 1: (20, 160)}
    assert [(c.cell, c.insider, c.problem) for c in report.failures()] == [(0, "H", "exact")]


def test_a_contributor_is_not_an_insider_of_its_own_cell() -> None:
    """A cell of 100 (firm A) and 5 (firm B), p = 10: UPL = LPL = 10. Suppressed with a
    complement of its relation, outsiders see [0, 250]. Firm A knows the cell is at least 100,
    above the 95 the lower side needs: tested with its own share it would fail whatever were
    suppressed; the p %-rule's levels already price in what a contributor knows of the cell."""
    atoms: list[dict[str, float]] = [
        {"A": 100, "B": 5},
        {"c1": 60, "c2": 50, "c3": 40},
        {"d1": 100, "d2": 80, "d3": 70},
    ]
    report = audit(one_relation(atoms), pattern_of(4, {0: 10.0}, [1]))
    assert report.passed, report.frame()


def test_a_contributor_knowing_a_sibling_cell_is_an_insider() -> None:
    """Firm B is the runner-up of cell 0 (100, 5) and the only firm of cell 1 (singleton, 40):
    both suppressed in one relation, B subtracts its own 40 from the published total's rest and
    learns cell 0 exactly, so the gate must fail; a third suppression in the relation fixes it."""
    atoms: list[dict[str, float]] = [
        {"A": 100, "B": 5},
        {"B": 40},
        {"c1": 60, "c2": 50, "c3": 40},
        {"d1": 100, "d2": 80, "d3": 70},
    ]
    cube = one_relation(atoms)
    failed = audit(cube, pattern_of(5, {0: 10.0, 1: 4.0}))
    assert not failed.passed
    assert {(c.cell, c.insider) for c in failed.failures()} == {(0, "B")}
    assert audit(cube, pattern_of(5, {0: 10.0, 1: 4.0}, [2])).passed
