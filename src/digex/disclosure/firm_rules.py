"""Rules for the indicators computed from the firms themselves, which disclose on their own.

A top-k share published with the cell's value gives the sum of the firms outside the top k
(value x (1 - share)): that sum is a cell of its own and must pass the primary rules, with at
least `min_frequency` groups in it (TOP10_FIRMS on KPO's dozen firms gives the two smallest
firms' sum). The number of firms, the average per firm and the firms' HHI say how many firms a
cell has and, with the value, how large a typical one is: they are shown only from
`min_firms` firms on (or for an empty cell, which has nothing to reveal). A count of firms
(entries, exits) of 1 to `min_frequency` - 1 points at the firms themselves.

The contributors are the same enterprise groups as in `rules`.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import sparse

from digex.disclosure.parameters import Parameters
from digex.disclosure.problem import FREE, BoolArray
from digex.disclosure.rules import RowScan, sensitivity

TOP_K: Final = {"top5_ok": 5, "top10_ok": 10}
"""The top-k share indicators and their k."""


def _outside_tops(m: sparse.csr_matrix, ks: list[int]) -> dict[int, sparse.csr_matrix]:
    """For each k, every row without its k largest entries (by absolute value)."""
    scan = RowScan(m)
    out: dict[int, sparse.csr_matrix] = {}
    for j in range(1, max(ks) + 1):
        scan.pop_largest()
        if j in ks:
            keep = scan.remaining()
            indptr = np.zeros(m.shape[0] + 1, dtype=np.int64)
            np.cumsum(np.bincount(scan.row_of[keep], minlength=m.shape[0]), out=indptr[1:])
            out[j] = sparse.csr_matrix(
                (scan.data[keep], m.indices[: m.indptr[-1]][keep], indptr), shape=m.shape
            )
    return out


def firm_indicators_ok(cell_contributions: sparse.csr_matrix, params: Parameters) -> pd.DataFrame:
    """Per cell (the index): whether its firm-based indicators may be published (bool columns
    `counts_ok`, `top5_ok`, `top10_ok`)."""
    m = sparse.csr_matrix(cell_contributions, dtype=np.float64, copy=True)
    m.sum_duplicates()
    n = np.diff(m.indptr)
    out = pd.DataFrame(
        {"counts_ok": (n == 0) | (n >= params.min_firms)},
        index=pd.RangeIndex(m.shape[0], name="cell"),
    )
    outside = _outside_tops(m, list(TOP_K.values()))
    for column, k in TOP_K.items():
        rest = sensitivity(outside[k], params)
        out[column] = (n - k >= params.min_frequency) & (rest.code == FREE)
    return out


def small_count(values: npt.ArrayLike, params: Parameters) -> BoolArray:
    """True where a count of firms (entries, exits, ...) is 1 .. min_frequency - 1 in absolute
    value: too few to publish. Missing values are not small counts."""
    v = np.abs(np.asarray(values, dtype=np.float64))
    with np.errstate(invalid="ignore"):
        return np.asarray((v > 0) & (v < params.min_frequency), dtype=np.bool_)
