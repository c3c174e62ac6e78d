"""The suite's tidy rows, shaped from a pass's results with Arrow and NumPy.

A pass's results are a few hundred cells per family, one column per indicator. Turning them
into one row per indicator and cell is bookkeeping: which cells a request keeps, the statuses
of each figure (they depend on its indicator and period only) and the melt. Done with pandas
calls per family and indicator (a merge, a melt, copies), it cost a load's computation about
as much CPU as the pass's statements, holding Python's lock all along, so the other period's
pass could not shape meanwhile. Here each family is a few whole-array operations: the statuses
are worked out once per indicator and period and handed to the cells by index, and the cells'
strings stay in Arrow (taken, never turned into Python objects) until the one pandas frame of
the result.

Kept apart from `digex.indicators.suite`, whose source is part of the compiled plans' key: how
rows are shaped changes no statement a pass runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pyarrow as pa

from digex.indicators import status as st
from digex.indicators.columns import COLUMNS
from digex.indicators.periods import PER_YEAR, label
from digex.indicators.registry import Indicator, RegistryError

if TYPE_CHECKING:
    import pandas as pd
    from numpy.typing import NDArray

SORT: Final = ("indicator", "flow", "cut", "member", "period")
"""The order of a pass's rows (each one's key: the frequency is the pass's)."""

# the completeness of a figure by whether its own spans and its base are complete: the status
# module's one rule, tabulated once so that it applies to whole columns
_COMPLETENESS: Final = np.array(
    [[st.completeness(own, base).value for base in (False, True)] for own in (False, True)],
    dtype=object,
)
_OBS: Final = np.array([code.value for code in st.OBS_PRECEDENCE], dtype=object)


@dataclass(frozen=True)
class Spans:
    """For a contiguous range of periods from `first`, whether each span a figure may read is
    complete (`<span>_ok`) and the worst observation status in it (`<span>_obs`, a rank of
    `status.OBS_PRECEDENCE`), and each period's label."""

    first: int
    columns: Mapping[str, NDArray[Any]]
    labels: pa.Array

    def positions(self, ordinals: NDArray[np.int64]) -> NDArray[np.intp]:
        """Where each ordinal's spans are (every ordinal must lie in the range)."""
        return (ordinals - self.first).astype(np.intp)


def spans(
    ordinals: Sequence[int] | NDArray[np.int64],
    complete: Sequence[bool] | NDArray[np.bool_],
    ranks: Sequence[int] | NDArray[np.int64],
    freq: str,
    reach: Sequence[int] | NDArray[np.int64] = (),
) -> Spans:
    """The spans of every period from the start of the year before the first of `ordinals`
    (so every base is in the range) to the last of `ordinals` and `reach` (other periods some
    figure is computed for), from the periods with data: `ordinals`, each `complete` or not,
    with the rank of its observation status. A period without any data is incomplete, so a
    year to date over a year that starts later is incomplete too."""
    n = PER_YEAR[freq]
    own = np.asarray(ordinals, dtype=np.int64)
    every = np.concatenate([own, np.asarray(reach, dtype=np.int64)])
    if not len(every):
        return Spans(0, {}, pa.array([], pa.string()))
    first = (int(every.min()) // n - 1) * n
    size = int(every.max()) + 1 - first
    years = -(-size // n)  # whole years, so the year to date is an accumulation along rows
    ok = np.zeros(years * n, dtype=bool)
    rank = np.zeros(years * n, dtype=np.int64)
    ok[own - first] = np.asarray(complete, dtype=bool)
    rank[own - first] = np.asarray(ranks, dtype=np.int64)
    ytd_ok = np.minimum.accumulate(ok.reshape(years, n), axis=1).reshape(-1)[:size]
    ytd_rank = np.maximum.accumulate(rank.reshape(years, n), axis=1).reshape(-1)[:size]
    ok, rank = ok[:size], rank[:size]

    def back(values: NDArray[Any], k: int) -> NDArray[Any]:
        """`values` k periods earlier (False or 0 before the range)."""
        out = np.zeros_like(values)
        if k < len(values):
            out[k:] = values[: len(values) - k]
        return out

    columns = {
        "own_ok": ok,
        "own_obs": rank,
        "pop_ok": back(ok, 1),
        "pop_obs": back(rank, 1),
        "yoy_ok": back(ok, n),
        "yoy_obs": back(rank, n),
        "ytd_ok": ytd_ok,
        "ytd_obs": ytd_rank,
        "ytd_yoy_ok": back(ytd_ok, n),
        "ytd_yoy_obs": back(ytd_rank, n),
    }
    ordinal = range(first, first + size)
    labels = pa.array([label(freq, o // n, o % n + 1) for o in ordinal], pa.string())
    return Spans(first, columns, labels)


def statuses(
    frame: Mapping[str, Any] | pd.DataFrame, indicator: Indicator
) -> tuple[NDArray[np.object_], NDArray[np.object_]]:
    """The obs_status and completeness of one indicator on every row of `frame` (a column per
    span: `<span>_ok`, `<span>_obs`)."""
    inputs = indicator.reads
    own = np.logical_and.reduce([np.asarray(frame[f"{s}_ok"], dtype=bool) for s in inputs.own])
    n = len(own)
    base = np.logical_and.reduce(
        [np.asarray(frame[f"{s}_ok"], dtype=bool) for s in inputs.base] or [np.ones(n, bool)]
    )
    rank = np.maximum.reduce([np.asarray(frame[f"{s}_obs"], dtype=np.int64) for s in inputs.all])
    return _OBS[rank], _COMPLETENESS[own.astype(np.int64), base.astype(np.int64)]


@dataclass(frozen=True)
class Family:
    """One family's cells as a pass computed them, and how to read them."""

    cells: pa.Table
    indicators: Sequence[Indicator]
    flow: str | None = None
    """The one flow of every row (the balance's: net), instead of each cell's own."""
    per_currency: bool = False
    """One row per currency, each indicator being one currency's (the foreign family)."""


def _strings(table: pa.Table, name: str) -> pa.Array:
    return table.column(name).combine_chunks().cast(pa.string())


def _among(values: pa.Array, chosen: Sequence[str]) -> NDArray[np.bool_]:
    """Which of `values` are one of `chosen` (a missing value is none)."""
    import pyarrow.compute as pc

    found = pc.is_in(values, value_set=pa.array(list(chosen), pa.string()))
    return np.asarray(found.fill_null(False), dtype=bool)


def _floats(column: pa.ChunkedArray) -> NDArray[np.float64]:
    """A column's values as floats, NaN for a missing one."""
    values: NDArray[np.float64] = (
        column.combine_chunks().cast(pa.float64()).to_numpy(zero_copy_only=False)
    )
    return values


def _family_rows(
    family: Family,
    spans: Spans,
    cuts: Sequence[str],
    flows: Sequence[str],
    wanted: set[int] | None,
    nc: str,
) -> pa.Table | None:
    """The tidy rows of one family's cells (the cuts, flows and periods asked for); a cell of
    a cut an indicator does not exist for gives no row, nor does a missing value."""
    cells, indicators = family.cells, family.indicators
    for i in indicators:
        if i.column not in cells.column_names:
            raise RegistryError(
                f"{i.id}: the engine's {i.family} cells have no column {i.column!r}"
                f" (they have {', '.join(cells.column_names)})"
            )
    if not indicators or not cells.num_rows:
        return None
    cut = _strings(cells, "cut")
    ordinal = np.asarray(cells.column("ordinal").combine_chunks().cast(pa.int64()))
    chosen = _among(cut, cuts)
    if wanted is not None:
        chosen &= np.isin(ordinal, sorted(wanted))
    flow = None
    if family.flow is None:
        flow = _strings(cells, "flow")
        chosen &= _among(flow, flows)
    currency = _strings(cells, "currency") if family.per_currency else None
    where = spans.positions(ordinal)
    rows, which, ranks, done, values = [], [], [], [], []
    floats: dict[str, NDArray[np.float64]] = {}
    for k, i in enumerate(indicators):
        value = floats.get(i.column)
        if value is None:
            value = floats[i.column] = _floats(cells.column(i.column))
        keep = chosen & ~np.isnan(value)
        keep &= _among(cut, i.cuts)
        if currency is not None:
            keep &= _among(currency, (i.unit,))
        found = np.flatnonzero(keep)
        # the statuses of the indicator's periods, handed to its cells by period
        obs, completeness = statuses(spans.columns, i)
        at = where[found]
        rows.append(found)
        which.append(np.full(len(found), k, dtype=np.int64))
        ranks.append(obs[at])
        done.append(completeness[at])
        values.append(value[found])
    taken = pa.array(np.concatenate(rows))
    index = pa.array(np.concatenate(which))
    n = len(taken)
    return pa.table(
        {
            "indicator": pa.array([i.id for i in indicators], pa.string()).take(index),
            "freq": pa.nulls(n, pa.string()),  # the pass's, filled once for every family
            "period": spans.labels.take(pa.array(where).take(taken)),
            "cut": cut.take(taken),
            "member": _strings(cells, "member").take(taken),
            "flow": pa.array([family.flow] * n, pa.string()) if flow is None else flow.take(taken),
            "value": pa.array(np.concatenate(values), pa.float64()),
            "unit": pa.array([i.unit_code(nc) for i in indicators], pa.string()).take(index),
            "unit_mult": pa.array(np.zeros(n, dtype=np.int64)),
            "obs_status": pa.array(np.concatenate(ranks), pa.string()),
            "completeness": pa.array(np.concatenate(done), pa.string()),
        }
    )


def tidy(
    families: Sequence[Family],
    spans: Spans,
    freq: str,
    cuts: Sequence[str],
    flows: Sequence[str],
    wanted: set[int] | None,
    nc: str,
) -> pd.DataFrame:
    """One row per indicator x flow x cut member x period of a pass (`COLUMNS`), sorted by
    indicator, flow, cut, member and period; no columns' types when there is no row."""
    import pandas as pd

    pieces = [_family_rows(f, spans, cuts, flows, wanted, nc) for f in families]
    found = [p for p in pieces if p is not None and p.num_rows]
    if not found:  # no declaration in the periods asked for
        return pd.DataFrame(columns=list(COLUMNS))
    rows = pa.concat_tables(found)
    rows = rows.set_column(1, "freq", pa.array([freq] * rows.num_rows, pa.string()))
    rows = rows.sort_by([(c, "ascending") for c in SORT])
    frame: pd.DataFrame = rows.to_pandas()
    return frame


__all__ = ["SORT", "Family", "Spans", "spans", "statuses", "tidy"]
