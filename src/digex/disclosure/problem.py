"""The contract between the disclosure modules: a release's cube in leaf form and a pattern.

Every published magnitude (a LEVEL or a YTD_LEVEL of one flow, period, cut and member) is a
sum of *atoms*: the finest cells the declarations are summed into (flow x month x segment x
partner x currency), after merging atoms that no published cell tells apart. A cell is a 0/1
row over the atoms (`Cube.membership`), so every hierarchy (partner -> region -> world, EBOPS
crossing segments, months -> quarters -> half-years -> years, year to date) is additivity over
the atoms, written once, and a relation cannot be forgotten. Cells with the same atoms (an EBOPS
code that is one segment's default) are one cell with several labels: they can only be
published or suppressed together.

The rules read each enterprise group's contribution to a cell (`Cube.cell_contributions`);
the secondary suppression and the gate read the cells, the atoms' true values and, for the
insider pass, each group's contribution to each atom. Values are in the national currency's
units (floats); the LP modules rescale them for the solver.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import sparse

LABEL_KEY: Final = ("flow", "freq", "period", "cut", "member", "measure")
"""What names a published magnitude: `measure` is LEVEL (the period's sum) or YTD_LEVEL (the
sum from January to the period's end); the other columns as in release observations."""

MEASURES: Final = ("LEVEL", "YTD_LEVEL")

FREE: Final = "F"
"""CONF_STATUS of a cell free for publication."""
PRIMARY_CODES: Final = ("A", "O", "T", "M")
"""CONF_STATUS of a sensitive cell, by the rule that fired: A minimum frequency (small count),
O dominance by one unit ((1,k)), T dominance by two ((n,k) with n >= 2), M another
concentration rule (p %, pq)."""
SECONDARY: Final = "D"
"""CONF_STATUS of a complementary (secondary) suppression."""
MANUAL: Final = "C"
"""CONF_STATUS of a cell suppressed by an override after review."""
PUBLIC_MARK: Final = "C"
"""The one code every public output shows for a suppressed cell, whatever the reason."""

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Cube:
    """One release's magnitude cells in leaf form (both flows: a cell never mixes them, so the
    flows are separate blocks of the same matrices).

    - `cells`: one row per distinct cell, numbered 0..n-1 (the index), with `flow` and `value`
      (its true sum, national currency units);
    - `labels`: one row per published magnitude, columns `LABEL_KEY` and `cell` (its row in
      `cells`); several labels may name one cell;
    - `membership`: CSR (cells x atoms) of 0/1: cell value = membership @ atom_values;
    - `atom_values`: each atom's true sum;
    - `contributions`: CSR (atoms x groups): each enterprise group's sum in each atom (a
      group present in an atom with a zero sum is an explicit 0 entry: it counts as a
      contributor);
    - `groups`: the enterprise groups' ids, in the columns' order.
    """

    cells: pd.DataFrame
    labels: pd.DataFrame
    membership: sparse.csr_matrix
    atom_values: FloatArray
    contributions: sparse.csr_matrix
    groups: tuple[str, ...]

    @property
    def n_cells(self) -> int:
        return int(self.membership.shape[0])

    @property
    def n_atoms(self) -> int:
        return int(self.membership.shape[1])

    def cell_contributions(self) -> sparse.csr_matrix:
        """(cells x groups): each group's sum in each cell (its atoms' sums added), a group
        present with a zero sum kept as an explicit 0 (`cell_contributions`)."""
        return cell_contributions(self.membership, self.contributions)

    def values(self) -> FloatArray:
        return np.asarray(self.cells["value"], dtype=np.float64)


@dataclass(frozen=True)
class Sensitivity:
    """What the primary rules found, per cell (arrays of length `Cube.n_cells`).

    `code` is FREE or one of `PRIMARY_CODES`; `rule` names the rule that fired in words the
    internal report shows (``"threshold n=3"``, ``"p%"``, ``"(2,85)-dominance"``, ``"pq"``,
    ``""`` when safe); `upl`/`lpl` the protection levels the attacker's interval must reach
    above and below the value (0 for a threshold-only cell: it must only not be exactly
    computable; `lpl` <= value); `contributors` N, `x1`/`x2` the two largest groups' sums.
    """

    code: npt.NDArray[np.object_]
    rule: npt.NDArray[np.object_]
    upl: FloatArray
    lpl: FloatArray
    contributors: npt.NDArray[np.int64]
    x1: FloatArray
    x2: FloatArray

    @property
    def primary(self) -> BoolArray:
        return np.asarray(self.code != FREE, dtype=np.bool_)


@dataclass(frozen=True)
class Pattern:
    """A suppression pattern: `code` per cell (FREE, a primary code, SECONDARY or MANUAL) and
    the protection levels the gate checks (those of `Sensitivity`; 0 for secondaries).
    `suppressed` cells are never published, under any label."""

    code: npt.NDArray[np.object_]
    upl: FloatArray
    lpl: FloatArray
    notes: tuple[str, ...] = field(default=())
    """What the suppression had to do beyond the ordinary (escalations, a stall)."""

    @property
    def suppressed(self) -> BoolArray:
        return np.asarray(self.code != FREE, dtype=np.bool_)

    @property
    def primary(self) -> BoolArray:
        return np.asarray(np.isin(self.code, PRIMARY_CODES) | (self.code == MANUAL))


def cell_contributions(
    membership: sparse.csr_matrix, contributions: sparse.csr_matrix
) -> sparse.csr_matrix:
    """(cells x groups) from (cells x atoms) and (atoms x groups), keeping a group that is
    present in a cell with a zero sum (it declared 0, or its +5 and -5 cancel) as an explicit
    0: it is a contributor for the threshold and the zero rule, and a plain sparse product
    drops such entries."""
    values = (sparse.csr_matrix(membership) @ sparse.csr_matrix(contributions)).tocoo()
    member = sparse.csr_matrix(membership, dtype=np.float64, copy=True)
    member.data = (member.data != 0).astype(np.float64)
    present = sparse.csr_matrix(contributions, dtype=np.float64, copy=True)
    present.data = np.ones_like(present.data)
    # Non-negative structure: a (cell, group) entry of this product is > 0 exactly when the
    # group has an entry in one of the cell's atoms.
    where = (member @ present).tocoo()
    rows = np.concatenate([where.row, values.row])
    cols = np.concatenate([where.col, values.col])
    data = np.concatenate([np.zeros(where.nnz), values.data.astype(np.float64)])
    # COO -> CSR adds the duplicates up and keeps entries that sum to 0.
    return sparse.csr_matrix((data, (rows, cols)), shape=values.shape)
