"""Waivers (DISCLOSURE.md 1.3): a group that waived its protection is not the one the p %,
pq and (n,k) rules protect; s is the largest contributor without a waiver and r the largest
other than s. The threshold still counts it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import sparse
from tests.disclosure.test_rules_properties import PARAMS, _row, matrices

from digex.disclosure.parameters import (
    Parameters,
    load_parameters,
    parameters_from_json,
    parameters_json,
)
from digex.disclosure.rules import judge, sensitivity
from digex.errors import DisclosureConfigError


def test_the_golden_waiver() -> None:
    """900 (waived), 50, 30, 20 with p = 10: unsafe without the waiver (R = 50 < 90, UPL 40);
    with it s = 50, r = 900 and X - xs - xr = 50 >= 5: safe."""
    cell, waived = [900.0, 50.0, 30.0, 20.0], [True, False, False, False]
    without = judge(cell, Parameters())
    assert (without.code, without.upl) == ("M", 40.0)
    assert judge(cell, Parameters(), waived).code == "F"
    # by hand: the (2,85) rule reads xs + xr = 950 > 850 either way
    assert judge(cell, Parameters(p=None, nk=((2, 85.0),)), waived).code == "T"
    # the threshold still counts a waived group: 900 alone, waived, stays unsafe
    assert judge([900.0], Parameters(), [True]).code == "A"
    # a waiver by the runner-up changes nothing for the largest
    assert judge(cell, Parameters(), [False, True, False, False]).upl == 40.0


@given(m=matrices(), params=PARAMS, flags=st.lists(st.booleans(), min_size=10, max_size=10))
def test_sensitivity_with_waivers_is_judge_row_by_row(
    m: sparse.csr_matrix, params: Parameters, flags: list[bool]
) -> None:
    waived = np.array(flags[: m.shape[1]], dtype=np.bool_)
    s = sensitivity(m, params, waived)
    for i in range(m.shape[0]):
        cols = m.indices[m.indptr[i] : m.indptr[i + 1]]
        v = judge(_row(m, i), params, [bool(waived[c]) for c in cols])
        assert (s.code[i], s.rule[i]) == (v.code, v.rule)
        assert np.isclose(s.upl[i], v.upl, rtol=1e-12, atol=1e-9)


def test_waivers_from_the_deployment_file(tmp_path: Path) -> None:
    path = tmp_path / "disclosure.toml"
    path.write_text('[waivers]\ngroups = ["G7", "001234567000089"]\n', encoding="utf-8")
    params = load_parameters(path)
    assert params.waivers == ("001234567000089", "G7")
    assert parameters_from_json(parameters_json(params)) == params
    assert parameters_from_json(parameters_json(Parameters())).waivers == ()
    path.write_text('[waivers]\ngroups = "G7"\n', encoding="utf-8")
    with pytest.raises(DisclosureConfigError, match="waivers"):
        load_parameters(path)
