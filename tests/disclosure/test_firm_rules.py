"""Firm-based indicators on tiny hand-made cells: top-k shares only where the firms outside the
top k are a safe cell of their own, counts/averages/HHI only from min_firms firms, and small
counts of entries or exits."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from digex.disclosure.firm_rules import firm_indicators_ok, small_count
from digex.disclosure.parameters import Parameters
from digex.disclosure.problem import FREE
from digex.disclosure.rules import judge

BALANCED_12 = [100, 90, 80, 70, 60, 50, 45, 40, 35, 30, 25, 20]  # KPO-like: a dozen firms
# The sixth firm dwarfs the six below it: top-5 share reveals it within a few units.
SIXTH_DOMINATES_12 = [1000, 1000, 1000, 1000, 1000, 900, 1, 1, 1, 1, 1, 1]
CELLS = {
    "balanced 12": BALANCED_12,
    "sixth dominates": SIXTH_DOMINATES_12,
    "13 firms": [*BALANCED_12, 10],
    "7 firms": BALANCED_12[:7],
    "5 firms": BALANCED_12[:5],
    "4 firms": BALANCED_12[:4],
    "empty": [],
}


def _matrix(cells: list[list[int]]) -> sparse.csr_matrix:
    """Rows = cells, one column per group (shuffled, so that order means nothing)."""
    rng = np.random.default_rng(4)
    rows, cols, data = [], [], []
    for i, cell in enumerate(cells):
        rows += [i] * len(cell)
        cols += rng.permutation(20)[: len(cell)].tolist()  # distinct groups
        data += cell
    return sparse.csr_matrix((np.asarray(data, dtype=float), (rows, cols)), shape=(len(cells), 20))


def test_top_shares_counts_and_averages() -> None:
    ok = firm_indicators_ok(_matrix(list(CELLS.values())), Parameters())
    ok.index = pd.Index(list(CELLS), name="cell")
    expected = pd.DataFrame(
        {
            # N == 0 or N >= 5
            "counts_ok": [True, True, True, True, True, False, True],
            # 7 outside; balanced: R = 245 - 50 - 45 = 150 >= 5 (p = 10); dominated: R = 4 < 90
            "top5_ok": [True, False, True, False, False, False, False],
            # 12 firms: two outside the top 10 (TOP10 gives their sum); 13: three, 20/15/10
            "top10_ok": [False, False, True, False, False, False, False],
        },
        index=ok.index,
    )
    pd.testing.assert_frame_equal(ok, expected)
    assert ok.dtypes.eq(bool).all()


def test_the_outside_cell_meets_every_primary_rule() -> None:
    """Every rule switched on judges the firms outside the top k: the 13-firm cell's three
    smallest (20, 15, 10) pass p = 10 but not (1,40) (20 > 0.40 x 45); its eight outside the
    top 5 (largest 50 of 255) pass both; min_frequency 4 wants four firms outside."""
    m = _matrix([BALANCED_12, [*BALANCED_12, 10]])
    assert firm_indicators_ok(m, Parameters())["top10_ok"].tolist() == [False, True]
    ok = firm_indicators_ok(m, Parameters(p=None, nk=((1, 40),)))
    assert ok["top10_ok"].tolist() == [False, False]  # 20 > 0.40 * 45
    assert ok["top5_ok"].tolist() == [True, True]  # 50 of 245, 50 of 255
    ok = firm_indicators_ok(m, Parameters(min_frequency=4))
    assert ok["top10_ok"].tolist() == [False, False]


def test_min_firms_is_the_parameter() -> None:
    ok = firm_indicators_ok(_matrix([BALANCED_12[:7], BALANCED_12[:8]]), Parameters(min_firms=8))
    assert ok["counts_ok"].tolist() == [False, True]
    assert list(ok.index) == [0, 1]
    assert ok.index.name == "cell"


def test_small_counts() -> None:
    values = [0, 1, 2, 3, 4, np.nan, -1, 2.0]
    assert small_count(values, Parameters()).tolist() == [
        False,
        True,
        True,
        False,
        False,
        False,
        True,
        True,
    ]
    assert small_count([3, 4, 5], Parameters(min_frequency=5)).tolist() == [True, True, False]


@settings(max_examples=60)
@given(
    cells=st.lists(
        st.lists(st.integers(0, 1000) | st.sampled_from([0, 7, 7, 7]), max_size=16), max_size=6
    ),
    min_frequency=st.integers(1, 4),
    nk=st.sampled_from([(), ((1, 60.0),)]),
)
def test_firm_indicators_are_judge_on_the_sorted_rest(
    cells: list[list[int]], min_frequency: int, nk: tuple[tuple[int, float], ...]
) -> None:
    """Each cell read alone: sort, drop the k largest, judge the rest (ties included)."""
    params = Parameters(min_frequency=min_frequency, nk=nk, min_firms=6)
    ok = firm_indicators_ok(_matrix(cells), params).to_dict("list")
    for i, cell in enumerate(cells):
        rest = sorted(cell, reverse=True)
        assert ok["counts_ok"][i] == (len(cell) in (0, *range(6, 99)))
        for column, k in (("top5_ok", 5), ("top10_ok", 10)):
            expected = len(cell) - k >= min_frequency and judge(rest[k:], params).code == FREE
            assert ok[column][i] == expected
