"""The information-loss report, counted by hand on a small set of labels."""

from __future__ import annotations

import pandas as pd
import pytest

from digex.disclosure.loss import information_loss


def test_loss_by_table_counts_and_shares():
    rows = [
        # flow, cut, freq, measure, value, conf_status
        ("X", "segment", "Q", "LEVEL", 100.0, "F"),
        ("X", "segment", "Q", "LEVEL", 30.0, "A"),
        ("X", "segment", "Q", "LEVEL", 20.0, "D"),
        ("X", "segment", "Q", "LEVEL", 50.0, "C"),
        ("X", "segment", "A", "LEVEL", 400.0, "F"),
        ("X", "partner", "Q", "LEVEL", -10.0, "D"),
        ("X", "partner", "Q", "LEVEL", 0.0, "F"),
    ]
    cells = pd.DataFrame(rows, columns=["flow", "cut", "freq", "measure", "value", "conf_status"])
    cells["period"] = "2024"
    cells["member"] = [f"m{i}" for i in range(len(rows))]
    out = information_loss(cells).set_index(["flow", "cut", "freq", "measure"])
    q = out.loc[("X", "segment", "Q", "LEVEL")]
    assert (q["cells"], q["suppressed"], q["primary"], q["secondary"], q["manual"]) == (
        4,
        3,
        1,
        1,
        1,
    )
    assert q["value"] == 200.0
    assert q["value_suppressed"] == 100.0
    assert q["pct_cells"] == pytest.approx(75.0)
    assert q["pct_value"] == pytest.approx(50.0)
    a = out.loc[("X", "segment", "A", "LEVEL")]
    assert (a["suppressed"], a["pct_cells"], a["pct_value"]) == (0, 0.0, 0.0)
    p = out.loc[("X", "partner", "Q", "LEVEL")]  # a negative hidden value still counts as hidden
    assert (p["value"], p["value_suppressed"], p["pct_value"]) == (10.0, 10.0, 100.0)
    assert len(out) == 3


def test_loss_needs_the_status():
    with pytest.raises(ValueError, match="conf_status"):
        information_loss(
            pd.DataFrame({"flow": [], "cut": [], "freq": [], "measure": [], "value": []})
        )
