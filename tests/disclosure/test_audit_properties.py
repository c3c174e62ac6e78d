"""The gate's exact intervals against scipy's linprog on the same table in cell form (variables =
the suppressed cells, one equation per additivity relation), on small random 2-D tables; and
rescaling every value leaves the verdicts alone and scales the intervals."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog
from tests.disclosure.test_audit_gate import cube_of, intervals, pattern_of

from digex.disclosure.audit import audit


def table_cells(rows: int, cols: int) -> list[list[int]]:
    """Interior cells (atoms, row by row), row totals, column totals, the grand total."""
    cells = [[a] for a in range(rows * cols)]
    cells += [[r * cols + c for c in range(cols)] for r in range(rows)]
    cells += [[r * cols + c for r in range(rows)] for c in range(cols)]
    cells.append(list(range(rows * cols)))
    return cells


def relations(rows: int, cols: int) -> list[tuple[int, list[int]]]:
    """(margin, its children) in cell numbers: the cell form's additivity."""
    n = rows * cols
    out = [(n + r, [r * cols + c for c in range(cols)]) for r in range(rows)]
    out += [(n + rows + c, [r * cols + c for r in range(rows)]) for c in range(cols)]
    grand = n + rows + cols
    out.append((grand, [n + r for r in range(rows)]))
    out.append((grand, [n + rows + c for c in range(cols)]))
    return out


def cell_form_bounds(
    values: np.ndarray, hidden: list[int], rels: list[tuple[int, list[int]]]
) -> dict[int, tuple[float, float]]:
    col = {c: i for i, c in enumerate(hidden)}
    a_eq, b_eq = [], []
    for margin, children in rels:
        coef = {margin: 1.0} | {c: -1.0 for c in children}
        if not any(c in col for c in coef):
            continue
        row = np.zeros(len(hidden))
        rhs = 0.0
        for c, k in coef.items():
            if c in col:
                row[col[c]] += k
            else:
                rhs -= k * values[c]
        a_eq.append(row)
        b_eq.append(rhs)
    out = {}
    for t in hidden:
        bounds = []
        for sign in (1.0, -1.0):
            cost = np.zeros(len(hidden))
            cost[col[t]] = sign
            res = linprog(cost, A_eq=np.array(a_eq) if a_eq else None, b_eq=b_eq or None)
            assert res.status in (0, 3)
            bounds.append(sign * res.fun if res.status == 0 else -sign * math.inf)
        out[t] = (round(bounds[0], 6), round(bounds[1], 6))
    return out


@st.composite
def tables(draw: st.DrawFn) -> tuple[int, int, list[float], list[int]]:
    rows = draw(st.integers(2, 3))
    cols = draw(st.integers(2, 4))
    interior = draw(st.lists(st.integers(0, 60), min_size=rows * cols, max_size=rows * cols))
    n = rows * cols + rows + cols + 1
    hidden = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True))
    return rows, cols, [float(v) for v in interior], sorted(hidden)


@settings(max_examples=20)
@given(tables())
def test_exact_bounds_equal_linprog_on_the_cell_form(
    table: tuple[int, int, list[float], list[int]],
) -> None:
    rows, cols, interior, hidden = table
    cube = cube_of(table_cells(rows, cols), [{f"g{a}": v} for a, v in enumerate(interior)])
    report = audit(cube, pattern_of(cube.n_cells, {}, hidden), insiders=False, exact_bounds=True)
    expected = cell_form_bounds(cube.values(), hidden, relations(rows, cols))
    got = intervals(report)
    assert got.keys() == expected.keys()
    for cell, (low, high) in expected.items():
        assert got[cell] == pytest.approx((low, high), abs=1e-6), cell


@settings(max_examples=10)
@given(tables(), st.sampled_from([1e-3, 7.0, 1e6, 3.3e9]))
def test_rescaling_scales_intervals_and_keeps_verdicts(
    table: tuple[int, int, list[float], list[int]], factor: float
) -> None:
    rows, cols, interior, hidden = table
    cells = table_cells(rows, cols)
    primaries = {hidden[0]: 2.0}
    base = audit(
        cube_of(cells, [{f"g{a}": v, "x": 1.0} for a, v in enumerate(interior)]),
        pattern_of(len(cells), primaries, hidden[1:]),
        exact_bounds=True,
    )
    pattern = pattern_of(len(cells), {hidden[0]: 2.0 * factor}, hidden[1:])
    scaled = audit(
        cube_of(cells, [{f"g{a}": v * factor, "x": factor} for a, v in enumerate(interior)]),
        pattern,
        exact_bounds=True,
    )
    assert [(c.cell, c.insider, c.passed, c.problem) for c in scaled.cells] == [
        (c.cell, c.insider, c.passed, c.problem) for c in base.cells
    ]
    for a, b in zip(base.cells, scaled.cells, strict=True):
        expected = (a.low * factor, a.high * factor)
        assert (b.low, b.high) == pytest.approx(expected, rel=1e-9, abs=1e-9 * factor)


@st.composite
def patterns(
    draw: st.DrawFn,
) -> tuple[list[list[int]], list[dict[str, float]], dict[int, float], list[int]]:
    rows = draw(st.integers(2, 3))
    cols = draw(st.integers(2, 3))
    cells = table_cells(rows, cols)
    owners = st.dictionaries(st.sampled_from("ABCDE"), st.integers(1, 40), min_size=1, max_size=3)
    atoms = [{g: float(v) for g, v in draw(owners).items()} for _ in range(rows * cols)]
    hidden = draw(st.lists(st.integers(0, len(cells) - 1), min_size=1, unique=True))
    levels = st.sampled_from([0.0, 0.5, 3.0, 10.0])
    primaries = {c: draw(levels) for c in hidden[: draw(st.integers(1, len(hidden)))]}
    return cells, atoms, primaries, [c for c in hidden if c not in primaries]


@settings(max_examples=25)
@given(patterns())
def test_certificates_change_no_verdict(
    case: tuple[list[list[int]], list[dict[str, float]], dict[int, float], list[int]],
) -> None:
    """Skipping LPs with feasible points (outsider and insider) fails exactly the cells that
    solving every LP fails."""
    cells, atoms, primaries, secondaries = case
    cube = cube_of(cells, atoms)
    pattern = pattern_of(cube.n_cells, primaries, secondaries)
    quick = audit(cube, pattern)
    exact = audit(cube, pattern, exact_bounds=True)
    assert {c.cell for c in quick.failures()} == {c.cell for c in exact.failures()}
    assert quick.passed == exact.passed
    assert quick.lps <= exact.lps
