"""Headline tables (`[[table]] headline = true`): their cells never protect a finer table's
cell, which finds its complements inside its own table; a sensitive headline cell is still
protected by the other headline cells; a finer cell that only a headline could protect is
left to the gate, which refuses the release (fail closed)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from tests.disclosure.fixtures import ISSUE_ROWS, engine_of, tiny_store
from tests.disclosure.test_suppress import cube_of, p_rule, protected

from digex.disclosure.cube import build_cube, cube_periods
from digex.disclosure.problem import FREE, SECONDARY
from digex.disclosure.protect import headline_cells
from digex.disclosure.suppress import suppress
from digex.indicators.engine import Engine
from digex.indicators.tables import PublishedTable

# Segments A and B, each sold to two partners: atoms a1, a2, b1, b2.
T, A, B, A1, A2, B1, B2 = range(7)
CELLS = [[0, 1, 2, 3], [0, 1], [2, 3], [0], [1], [2], [3]]
HEADLINE = np.array([True, True, True, False, False, False, False])
"""The total and the two segments; the segment x partner cells are the finer table."""
SAFE = {"g2": 40.0, "g3": 35.0, "g4": 30.0}


def _safe(prefix: str) -> dict[str, float]:
    return {f"{prefix}{g}": v for g, v in SAFE.items()}


def _mask(*cells: int) -> np.ndarray:
    out = np.zeros(len(CELLS), dtype=bool)
    out[list(cells)] = True
    return out


def test_a_finer_cell_is_protected_inside_its_table() -> None:
    # a1 is one firm's: A1 is primary; its cheapest complement is A2 either way
    cube = cube_of(CELLS, [{"g1": 20.0}, _safe("a"), _safe("b"), _safe("c")])
    sens = p_rule(cube)
    assert list(np.flatnonzero(sens.primary)) == [A1]
    pattern = suppress(cube, sens, headline=HEADLINE)
    assert list(np.flatnonzero(pattern.suppressed)) == [A1, A2]
    assert protected(cube, pattern) == []


def test_a_headline_never_protects_a_finer_cell() -> None:
    cube = cube_of(CELLS, [{"g1": 20.0}, _safe("a"), _safe("b"), _safe("c")])
    sens = p_rule(cube)
    keep = _mask(A2)  # A2 published earlier: only the segment A (or the total) is left
    plain = suppress(cube, sens, keep=keep)
    assert plain.suppressed[A]
    assert protected(cube, plain) == []
    kept = suppress(cube, sens, keep=keep, headline=HEADLINE)
    assert not (kept.suppressed & HEADLINE).any()
    assert list(np.flatnonzero(kept.code != FREE)) == [A1]
    assert any("stall" in n for n in kept.notes)  # the gate will refuse the release
    assert protected(cube, kept) != []


def test_a_sensitive_headline_cell_is_protected_by_the_other_headlines() -> None:
    # segment A is one firm's (in both of its partners): A, A1 and A2 are primary
    cube = cube_of(CELLS, [{"g1": 20.0}, {"g1": 25.0}, _safe("b"), _safe("c")])
    sens = p_rule(cube)
    assert list(np.flatnonzero(sens.primary)) == [A, A1, A2]
    pattern = suppress(cube, sens, headline=HEADLINE)
    assert pattern.code[B] == SECONDARY  # a headline protecting a headline
    assert pattern.code[T] == FREE
    assert protected(cube, pattern) == []


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    with tiny_store(tmp_path_factory.mktemp("headline"), ISSUE_ROWS) as db, engine_of(db) as e:
        yield e


def test_headline_cells_are_those_with_a_label_in_a_headline_table(engine: Engine) -> None:
    yearly, exports = ("A",), ("X",)
    tables = (
        PublishedTable("total", yearly, False, (), exports, headline=True),
        PublishedTable("segment", yearly, False, (), exports),
        PublishedTable("partner", yearly, False, (), exports),
    )
    c = build_cube(engine.sources, tables, cube_periods("2024"))
    labels = c.labels
    expected = np.zeros(c.n_cells, dtype=bool)
    expected[labels.loc[labels["cut"] == "total", "cell"].to_numpy()] = True
    assert expected.sum() == 1
    assert (headline_cells(c, tables) == expected).all()
    assert not headline_cells(c, tables[1:]).any()
