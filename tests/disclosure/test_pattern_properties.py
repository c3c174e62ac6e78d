"""The suppression's patterns through the release gate (audit.py, written independently): the
fact sheet's 2-D table and singleton cases, the months-then-quarter sequence and small random
cubes. Skipped until the gate is on the branch."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from tests.disclosure.test_suppress import (
    MONTHS,
    ONE_FIRM_TWICE,
    SINGLE_MULTIPLE,
    SINGLE_SINGLE,
    cube_of,
    month_cells,
    p_rule,
    protectable,
    random_cubes,
    relation_cube,
    table_cube,
)

from digex.disclosure.suppress import suppress

audit = pytest.importorskip("digex.disclosure.audit")


def test_table_passes_the_gate():
    cube = table_cube()
    pattern = suppress(cube, p_rule(cube))
    report = audit.audit(cube, pattern)
    assert report.passed, report.frame()
    hidden = cube.values()[pattern.code == "D"].sum()
    assert hidden >= 490  # pattern B, the minimum (DISCLOSURE.md 2.3)


@pytest.mark.parametrize("parts", [SINGLE_SINGLE, SINGLE_MULTIPLE, ONE_FIRM_TWICE])
def test_singleton_cases_pass_the_gate_only_with_insiders(parts):
    cube = relation_cube(parts)
    sens = p_rule(cube)
    assert not audit.audit(cube, suppress(cube, sens, insiders=False)).passed
    assert audit.audit(cube, suppress(cube, sens)).passed


@pytest.mark.parametrize(
    "cube",
    [relation_cube(p) for p in (SINGLE_SINGLE, SINGLE_MULTIPLE, ONE_FIRM_TWICE)] + [table_cube()],
    ids=["single-single", "single-multiple", "one-firm-several-singletons", "table"],
)
def test_a_second_pass_on_the_gates_failures_alone_passes_it(cube):
    """protect's loop: outsiders first, then the insiders the gate names, with the cells it
    proved `settled` (not searched again). The settled cells must not hide a failure: the
    pattern must pass the gate, and be the one a pass that re-tests everything finds."""
    sens = p_rule(cube)
    first = suppress(cube, sens, insiders=False)
    gate = audit.audit(cube, first)
    groups = {r.insider for r in gate.failures() if r.insider is not None}
    assert groups  # an insider the outsider pattern leaves able to recover a value
    force = np.where(first.suppressed, first.code, "").astype(object)
    settled = first.suppressed.copy()
    settled[[r.cell for r in gate.failures()]] = False
    again = suppress(cube, sens, force=force, insider_groups=groups, settled=settled)
    assert audit.audit(cube, again).passed
    whole = suppress(cube, sens, force=force, insider_groups=groups)
    assert list(again.code) == list(whole.code)


def test_months_then_quarter_passes_the_gate():
    first = cube_of(month_cells(2, False), [a for month in MONTHS[:2] for a in month])
    p1 = suppress(first, p_rule(first))
    assert audit.audit(first, p1).passed
    second = cube_of(month_cells(3, True), [a for month in MONTHS for a in month])
    keep = np.zeros(second.n_cells, dtype=bool)
    force = np.full(second.n_cells, "", dtype=object)
    keep[:6] = ~p1.suppressed
    force[:6] = np.where(p1.suppressed, p1.code, "")
    assert audit.audit(second, suppress(second, p_rule(second), keep=keep, force=force)).passed


@settings(max_examples=6, deadline=None)
@given(random_cubes())
def test_random_cube_patterns_pass_the_gate(cube):
    sens = p_rule(cube)
    assume(protectable(cube, sens))
    report = audit.audit(cube, suppress(cube, sens))
    assert report.passed, report.frame()
