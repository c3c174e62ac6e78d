"""The primary rules on the Handbook's worked examples (DISCLOSURE.md 2.1), the holdings table,
the boundary conventions and the (2,k) <-> p conversion; expected numbers are computed here
with fractions."""

from __future__ import annotations

from fractions import Fraction as Fr
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import sparse

from digex.disclosure.parameters import Parameters, load_parameters
from digex.disclosure.problem import FREE
from digex.disclosure.rules import (
    Verdict,
    cell_contributions,
    equivalent_p,
    group_sums,
    judge,
    p_percent_upl,
    sensitivity,
)

ONLY_P10 = Parameters(p=10)


def _rule(*, p: float | None = None, nk: tuple[tuple[int, float], ...] = (), pq=None) -> Parameters:
    """One concentration rule alone (threshold 1: never fires on a non-empty cell)."""
    return Parameters(min_frequency=1, p=p, nk=nk, pq=pq)


def _upl_dominance(cell: list[int], n: int, k: Fr) -> Fr:
    return Fr(100) / k * sum(sorted(cell, reverse=True)[:n]) - sum(cell)


def _upl_p(cell: list[int], p: Fr) -> Fr:
    xs = sorted(cell, reverse=True)
    return p / 100 * xs[0] - sum(xs[2:])


# DISCLOSURE.md 2.1: (row, cell, parameters, code, exact UPL or None when safe)
GOLDEN = [
    ("1 (1,90)", [50_000, 49_000, 1_000], _rule(nk=((1, 90),)), FREE, None),
    ("1b p=10", [50_000, 49_000, 1_000], _rule(p=10), "M", Fr(4_000)),
    ("2 p=10", [52_000, 50_000, 8_000], _rule(p=10), FREE, None),
    ("2b (2,1000/11)", [52_000, 50_000, 8_000], _rule(nk=((2, 1000 / 11),)), "T", Fr(2_200)),
    (
        "3 (1,85)",
        [300, 20, 10],
        _rule(nk=((1, 85),)),
        "O",
        _upl_dominance([300, 20, 10], 1, Fr(85)),
    ),
    ("3b p=10", [300, 20, 10], _rule(p=10), "M", Fr(20)),
    (
        "3b (2,85)",
        [300, 20, 10],
        _rule(nk=((2, 85),)),
        "T",
        _upl_dominance([300, 20, 10], 2, Fr(85)),
    ),
    ("4 (25,50)", [900, 50, 30, 20], _rule(pq=(25, 50)), "M", Fr(400)),
    ("4 p=50", [900, 50, 30, 20], _rule(p=50), "M", Fr(400)),
]


@pytest.mark.parametrize(
    ("row", "cell", "params", "code", "upl"), GOLDEN, ids=[g[0] for g in GOLDEN]
)
def test_handbook_examples(row: str, cell: list[int], params: Parameters, code: str, upl) -> None:
    v = judge(cell, params)
    assert v.code == code
    assert v.contributors == len(cell)
    assert (v.x1, v.x2) == tuple(sorted(cell, reverse=True)[:2])
    if upl is None:
        assert (v.rule, v.upl, v.lpl) == ("", 0.0, 0.0)
    else:
        assert v.upl == pytest.approx(float(upl), rel=1e-12)
        assert v.lpl == v.upl  # symmetric, below the value
        assert v.rule


def test_handbook_numbers_as_printed() -> None:
    # 3: 352.94 - 330 = 22.94; 3b (2,85): 46.47; 2b with k written 90.909: about 2,200.
    assert round(judge([300, 20, 10], _rule(nk=((1, 85),))).upl, 2) == 22.94
    assert round(judge([300, 20, 10], _rule(nk=((2, 85),))).upl, 2) == 46.47
    assert round(judge([52_000, 50_000, 8_000], _rule(nk=((2, 90.909),))).upl, -2) == 2_200
    # 2: safe, its UPL negative (-2,800): the remainder is 2,800 above what p = 10 needs.
    assert p_percent_upl(52_000.0, 8_000.0, 10.0) == -2_800.0
    assert _upl_p([52_000, 50_000, 8_000], Fr(10)) == -2_800


def test_dominance_safe_where_p_percent_is_not() -> None:
    """Example 1: (1,90) ignores the runner-up, who can estimate x1 within 2 %."""
    cell = [50_000, 49_000, 1_000]
    assert judge(cell, _rule(nk=((1, 90),))).code == FREE
    assert judge(cell, _rule(p=10)).code == "M"
    assert Fr(sum(cell) - 49_000, 50_000) - 1 == Fr(2, 100)


# τ-ARGUS 4.1 holdings: cell -> (reporting unit, value, group)
HOLDINGS = {
    (800, 20): [("u1", 599, "1"), ("u2", 344, "1"), ("u3", 244, "1"), ("u4", 644, "2")],
    (800, 30): [("u5", 355, "1"), ("u6", 433, "2"), ("u7", 323, "3"), ("u8", 343, "3")],
    (900, 20): [("u9", 23, "4"), ("u10", 43, "5"), ("u11", 34, "5"), ("u12", 53, "5")],
    (900, 30): [
        ("u13", 700, "6"),
        ("u14", 200, "6"),
        ("u15", 60, "7"),
        ("u16", 40, "8"),
        ("u17", 10, "9"),
    ],
}


def _holding_cells() -> dict[object, list[tuple[str, int]]]:
    """The four cells and their five margins, as (unit, value) lists."""
    cells: dict[object, list[tuple[str, int]]] = {
        k: [(u, v) for u, v, _ in c] for k, c in HOLDINGS.items()
    }
    for row in (800, 900):
        cells[(row, "total")] = cells[(row, 20)] + cells[(row, 30)]
    for col in (20, 30):
        cells[("total", col)] = cells[(800, col)] + cells[(900, col)]
    cells["total"] = cells[(800, "total")] + cells[(900, "total")]
    return cells


@pytest.fixture
def holding_params(tmp_path: Path) -> Parameters:
    rows = [f"{u},G{g}" for c in HOLDINGS.values() for u, _, g in c]
    (tmp_path / "groups.csv").write_text("firm_id,group_id\n" + "\n".join(rows) + "\n")
    (tmp_path / "d.toml").write_text(
        '[rules]\np = 10\nmin_frequency = 3\n[groups]\nfile = "groups.csv"\n'
    )
    return load_parameters(tmp_path / "d.toml")


def test_holdings_at_group_level(holding_params: Parameters) -> None:
    cells = _holding_cells()
    margins = {k: sum(v for _, v in c) for k, c in cells.items() if "total" in str(k)}
    assert sorted(margins.values()) == [1_163, 1_984, 2_464, 3_285, 4_448]
    verdicts = {
        k: judge(list(group_sums(c, holding_params.groups).values()), holding_params)
        for k, c in cells.items()
    }
    # (800,20): groups 1 (1,187) and 2 (644); (900,20): groups 4 (23) and 5 (130).
    assert verdicts[(800, 20)].contributors == 2
    assert verdicts[(800, 20)].upl == pytest.approx(float(Fr(1_187, 10)))
    assert verdicts[(900, 20)].contributors == 2
    assert verdicts[(900, 20)].upl == pytest.approx(13.0)
    assert {verdicts[k].code for k in [(800, 20), (900, 20)]} == {"A"}  # threshold first
    assert verdicts[(900, 30)].contributors == 4
    assert (verdicts[(900, 30)].code, verdicts[(900, 30)].upl) == ("M", 40.0)
    assert verdicts[(800, 30)].contributors == 3
    safe = [k for k, v in verdicts.items() if v.code == FREE]
    assert sorted(map(str, safe)) == sorted(map(str, [(800, 30), *margins]))


def test_holdings_at_reporting_unit_level_all_safe() -> None:
    """Without the groups every cell and margin passes: the (900,30) cell's 700 and 200 would
    be two contributors, R = 110 >= 70."""
    for cell in _holding_cells().values():
        assert judge([v for _, v in cell], ONLY_P10).code == FREE


def test_group_sums_unlisted_unit_is_its_own_group() -> None:
    assert group_sums([("a", 1), ("b", 2), ("c", 4)], {"a": "g", "b": "g"}) == {"g": 3, "c": 4}


# Exact ties: both sides multiplied out, so a cell exactly at the limit is safe even where
# the naive float product lands one unit in the last place above (0.07 * 100 > 7) or below
# (0.70 * 170 < 119).
TIES = [
    ("x1 = 85% of X", [170, 20, 10], _rule(nk=((1, 85),))),
    ("x1 = 70% of X, 0.7*170 < 119", [119, 30, 21], _rule(nk=((1, 70),))),
    ("x1 + x2 = 85% of X", [50, 35, 15], _rule(nk=((2, 85),))),
    ("R = 10% of x1", [50, 40, 3, 2], _rule(p=10)),
    ("R = 7% of x1, 0.07*100 > 7", [100, 50, 4, 3], _rule(p=7)),
    ("R = p/q x1", [100, 50, 30, 20], _rule(pq=(25, 50))),
]


@pytest.mark.parametrize(("name", "cell", "params"), TIES, ids=[t[0] for t in TIES])
def test_exact_ties_are_safe(name: str, cell: list[int], params: Parameters) -> None:
    assert judge(cell, params).code == FREE
    assert sensitivity(sparse.csr_matrix([cell], dtype=float), params).code[0] == FREE
    bigger = [cell[0] + 1, *cell[1:]]  # one unit more for the largest: unsafe
    assert judge(bigger, params).code != FREE


def test_threshold_counts_groups_zeros_included() -> None:
    no_p = Parameters(p=None)
    assert judge([5, 7], no_p) == Verdict("A", "threshold n=3", 0.0, 0.0, 2, 7.0, 5.0)
    assert judge([5, 7, 0], no_p).code == FREE  # an explicit 0 is a contributor
    assert judge([5, 7, 1], Parameters(p=None, min_frequency=4)).code == "A"
    assert judge([], Parameters()) == Verdict(FREE, "", 0.0, 0.0, 0, 0.0, 0.0)


def test_zero_cells_unsafe_only_when_asked() -> None:
    assert judge([0, 0, 0], Parameters()).code == FREE
    v = judge([0, 0, 0], Parameters(zero_unsafe=True))
    assert (v.code, v.rule, v.upl, v.lpl) == ("A", "zero", 0.0, 0.0)
    assert judge([0, 0, 1], Parameters(zero_unsafe=True, p=None)).code == FREE


def test_precedence_and_the_largest_upl() -> None:
    # Two groups: the threshold gives the code, the p %-rule the protection level.
    v = judge([900, 100], Parameters())
    assert (v.code, v.rule, v.upl, v.lpl) == ("A", "threshold n=3; p%", 90.0, 90.0)
    # (1,k), (2,k) and p % all fire: O wins, the UPL is the largest of the three.
    params = Parameters(p=10, nk=((2, 85), (1, 85)))
    cell = [300, 20, 10]
    v = judge(cell, params)
    assert v.code == "O"
    assert v.rule == "(1,85)-dominance; (2,85)-dominance; p%"
    assert v.upl == pytest.approx(float(_upl_dominance(cell, 2, Fr(85))))


def test_rules_read_absolute_group_sums_and_lpl_stays_above_zero() -> None:
    # A credit note of 100 is as revealing as a sale of 100; the cell's value is -90, so the
    # attacker's interval cannot be asked to go below 0 there: LPL 0.
    v = judge([-100, 5, 5], Parameters(p=10))
    assert (v.code, v.x1, v.upl, v.lpl) == ("M", 100.0, 5.0, 0.0)


def test_lpl_capped_at_the_value() -> None:
    v = judge([40, 30, 30], _rule(nk=((1, 30),)))  # UPL = 100/30 * 40 - 100 = 33.33 < 100
    assert v.lpl == v.upl == pytest.approx(float(Fr(100, 3)))
    v = judge([90, 5, 5], _rule(nk=((1, 40),)))  # UPL = 125 > X = 100
    assert (v.upl, v.lpl) == (pytest.approx(125.0), 100.0)


@pytest.mark.parametrize(
    ("k", "p"), [(75, "33.33"), (80, "25.00"), (85, "17.65"), (90, "11.11"), (95, "5.26")]
)
def test_conversion_table(k: float, p: str) -> None:
    assert f"{equivalent_p(k):.2f}" == p


EXACT_PAIRS = [(25.0, 80.0), (60.0, 62.5), (56.25, 64.0)]  # k = 100*100/(100+p), exact in floats


@given(
    pair=st.sampled_from(EXACT_PAIRS),
    cell=st.lists(st.integers(0, 10**6), min_size=1, max_size=8),
)
def test_two_k_safe_implies_p_safe(pair: tuple[float, float], cell: list[int]) -> None:
    p, k = pair
    assert Fr(10_000) / (100 + Fr(p)) == Fr(k)
    if judge(cell, _rule(nk=((2, k),))).code == FREE:
        assert judge(cell, _rule(p=p)).code == FREE


def test_p_safe_does_not_imply_two_k_safe() -> None:
    cell = [100, 100, 30]  # R = 30 >= 25; x1 + x2 = 200 > 0.8 * 230 = 184
    assert judge(cell, _rule(p=25)).code == FREE
    assert judge(cell, _rule(nk=((2, 80),))).code == "T"


def test_sensitivity_rows_are_the_golden_verdicts() -> None:
    params = Parameters(p=10, nk=((1, 85), (2, 90)), pq=(25, 50), zero_unsafe=True)
    cells = [c for _, c, *_ in GOLDEN] + [[0, 0], [], [5], [-100, 5, 5], [7, 0, 0, 3]]
    rows = np.repeat(np.arange(len(cells)), [len(c) for c in cells])
    cols = np.concatenate([np.arange(len(c)) for c in cells]).astype(int)
    data = np.concatenate([np.asarray(c, dtype=float) for c in cells])
    m = sparse.csr_matrix((data, (rows, cols)), shape=(len(cells), 8))
    s = sensitivity(m, params)
    for i, cell in enumerate(cells):
        v = judge(cell, params)
        assert (s.code[i], s.rule[i], s.contributors[i]) == (v.code, v.rule, v.contributors)
        assert (s.upl[i], s.lpl[i], s.x1[i], s.x2[i]) == pytest.approx((v.upl, v.lpl, v.x1, v.x2))


def test_sensitivity_adds_duplicate_entries_of_a_group() -> None:
    """Two entries for one (cell, group) are one contributor: the group's sum."""
    m = sparse.csr_matrix(
        (np.array([60.0, 40.0, 30.0, 20.0]), np.array([0, 0, 1, 2]), np.array([0, 4])), shape=(1, 3)
    )
    assert not m.has_canonical_format
    s = sensitivity(m, Parameters())
    assert (s.contributors[0], s.x1[0], s.x2[0]) == (3, 100.0, 30.0)
    assert m.nnz == 4  # the caller's matrix is left as it was


def test_cell_contributions_keep_groups_whose_sum_is_zero() -> None:
    """Group a sells 5 in one atom and credits 5 in the other; group b declared an explicit 0:
    both are contributors of the cell over both atoms, which a plain sparse product forgets."""
    membership = sparse.csr_matrix(np.array([[1.0, 1.0], [0.0, 1.0]]))
    contributions = sparse.csr_matrix(
        (np.array([5.0, -5.0, 0.0]), (np.array([0, 1, 0]), np.array([0, 0, 1]))), shape=(2, 2)
    )
    cc = cell_contributions(membership, contributions)
    assert cc.toarray().tolist() == [[0.0, 0.0], [-5.0, 0.0]]
    assert np.diff(cc.indptr).tolist() == [2, 1]
    params = Parameters(zero_unsafe=True)
    assert sensitivity(cc, params).code.tolist() == ["A", "A"]
    assert sensitivity(cc, params).rule[0] == "threshold n=3; zero"
    plain = sparse.csr_matrix(membership @ contributions)
    assert np.diff(plain.indptr).tolist() == [0, 1]  # what the product alone gives
