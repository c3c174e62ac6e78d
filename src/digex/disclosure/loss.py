"""Information loss: how much of each published table the suppression hid.

The Handbook compares suppression methods by the number of cells and the share of the value
they hide (DISCLOSURE.md 4, "Evidence"); the same two shares, by table, tell a release's
reviewer where protection costs the most and where a coarser grid would help (issue 15,
point 7). A table here is one flow, cut, frequency and measure, counted over its labels: a
cell published under two labels counts in both tables it appears in.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from digex.disclosure.problem import FREE, MANUAL, PRIMARY_CODES, SECONDARY

TABLE_KEY: Final = ("flow", "cut", "freq", "measure")
CARRIED: Final = "carried"
"""The origin of a pattern's row that is an earlier release's cell (`protect`): not a cell
this release publishes or hides, so no loss of its."""
COLUMNS: Final = (
    *TABLE_KEY,
    "cells",
    "suppressed",
    "primary",
    "secondary",
    "manual",
    "value",
    "value_suppressed",
    "pct_cells",
    "pct_value",
)


def information_loss(cells: pd.DataFrame) -> pd.DataFrame:
    """One row per table: counts of labels (all, suppressed, and by reason), the value and the
    suppressed value (absolute values, so that a negative balance still counts as hidden), and
    the suppressed shares in per cent (0 for an empty or all-zero table)."""
    missing = [c for c in (*TABLE_KEY, "value", "conf_status") if c not in cells.columns]
    if missing:
        raise ValueError(f"information_loss needs the columns {missing}")
    if "origin" in cells.columns:  # an earlier release's cells, carried into the system only
        cells = cells[cells["origin"].astype(str) != CARRIED]
    status = cells["conf_status"].astype(str)
    value = pd.to_numeric(cells["value"], errors="coerce").fillna(0.0).abs()
    hidden = status != FREE
    frame = pd.DataFrame(
        {
            **{key: cells[key].to_numpy() for key in TABLE_KEY},
            "cells": 1,
            "suppressed": hidden.to_numpy(dtype=np.int64),
            "primary": status.isin(PRIMARY_CODES).to_numpy(dtype=np.int64),
            "secondary": (status == SECONDARY).to_numpy(dtype=np.int64),
            "manual": (status == MANUAL).to_numpy(dtype=np.int64),
            "value": value.to_numpy(dtype=np.float64),
            "value_suppressed": value.where(hidden, 0.0).to_numpy(dtype=np.float64),
        }
    )
    out = frame.groupby(list(TABLE_KEY), sort=True, dropna=False).sum().reset_index()
    cells_n = out["cells"].to_numpy(dtype=np.float64)
    total = out["value"].to_numpy(dtype=np.float64)
    out["pct_cells"] = _share(out["suppressed"].to_numpy(dtype=np.float64), cells_n)
    out["pct_value"] = _share(out["value_suppressed"].to_numpy(dtype=np.float64), total)
    return out.loc[:, list(COLUMNS)]


def _share(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    safe = np.where(whole > 0, whole, 1.0)
    return np.where(whole > 0, 100.0 * part / safe, 0.0)
