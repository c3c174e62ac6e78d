"""Indicators about the firms (or partners) behind a cell: concentration and demography.

Both read per-unit sums that the engine has already reduced (one row per flow x period x cut x
member x unit), so they never touch the declarations themselves.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:  # imported where an expression is built (a compiled plan needs no Ibis)
    import ibis.expr.types as ir

KEYS = ("flow", "ordinal", "cut", "member")
TOP = 10
"""The largest units any indicator looks at (top-5 and top-10 shares)."""


EXACT: Final = "decimal(38, 0)"
"""Squares of minor-unit sums: a BIGINT squared needs up to 37 digits, and a cell's sum of
squares stays below 10^38 unless its firms each declare tens of billions of dirhams (the
database then stops on the overflow rather than rounding)."""


def _square(v: ir.IntegerValue) -> ir.DecimalValue:
    d = v.cast(EXACT)
    return d * d


def concentration(units: ir.Table, by: str) -> ir.Table:
    """HHI (0-1) of the units `by` within each cell, and the top-5 and top-10 shares (%).

    Every figure is exact integer sums divided once at the end: HHI = sum(v^2) / (sum v)^2
    over DECIMAL(38, 0), a top-k share = the k largest values' integer sum over the cell's.
    A sum of floating-point shares (what this was) depends on the order the engine's threads
    add them, and two computations of the same rows differed in their last bits.

    Only the ten largest units of a cell are ranked: DuckDB then keeps a top-10 per cell
    instead of sorting every unit, a quarter of the CPU time of ranking them all (10M-row
    store). Ties in size are left unordered: the k largest values are the same whichever tied
    unit comes first, so the top-k shares are too.
    """
    import ibis

    units = units.select(*KEYS, by, v=units.value_minor)
    hhi = units.group_by(list(KEYS)).aggregate(
        cell=units.v.sum(), squares=_square(units.v).sum().cast(EXACT), units=ibis._.count()
    )
    w = ibis.window(group_by=list(KEYS), order_by=ibis.desc("v"))
    # filtering on the window function itself (not on a column holding it) is what DuckDB
    # turns into a per-cell top-N; the ten kept rows are then cheap to rank again
    top = units.filter(ibis.row_number().over(w) < TOP)
    top = top.mutate(rank=ibis.row_number().over(w))
    top = top.group_by(list(KEYS)).aggregate(
        top5_minor=top.v.sum(where=top["rank"] < 5), top10_minor=top.v.sum()
    )
    j = hhi.join(top, list(KEYS))
    return j.select(
        *KEYS,
        hhi=j.squares.cast("float64") / _square(j.cell).nullif(0).cast("float64"),
        units=j.units,
        top5=_percent(j.top5_minor, j.cell),
        top10=_percent(j.top10_minor, j.cell),
    )


def _percent(numerator: ir.IntegerValue, denominator: ir.IntegerValue) -> ir.FloatingValue:
    """The engine's per cent of two exact integers (one division; NULL over zero)."""
    return (numerator * 100).cast("float64") / denominator.nullif(0).cast("float64")


def demography(
    firm_cells: ir.Table,
    cells: ir.Table,
    coverage: ir.Table,
    ordinals: Collection[int] | None = None,
) -> ir.Table:
    """Firms with declarations in the period and not in the previous one, and vice versa.

    entries = firms now - firms present in both periods, exits = firms before - the same;
    the firms present in both are one semi-join of the firm rows on their previous period
    (`firm_cells` has one row per firm present in a cell, `cells` the cell's firm count).
    Two anti-joins gave the same counts at over twice the cost (10M-row store).
    """
    import ibis

    now = firm_cells
    before = firm_cells.select("flow", "cut", "member", "firm_id", ordinal=firm_cells.ordinal + 1)
    if ordinals is not None:
        wanted = sorted(ordinals)
        now = now.filter(now.ordinal.isin(wanted))
        before = before.filter(before.ordinal.isin(wanted))
    stayed = (
        now.semi_join(before, [*KEYS, "firm_id"])
        .group_by(list(KEYS))
        .aggregate(stayed=ibis._.count())
    )
    zero = ibis.literal(0, "int64")
    present = cells.select(*KEYS, now=cells.firms.cast("int64"), before=zero)
    shifted = cells.select(
        "flow",
        ordinal=cells.ordinal + 1,
        cut="cut",
        member="member",
        now=zero,
        before=cells.firms.cast("int64"),
    )
    # ordinal + 1 may widen the ordinal's integer type (Spark's year() is int32)
    counts = present.union(shifted.cast(present.schema()))
    counts = counts.group_by(list(KEYS)).aggregate(now=counts.now.sum(), before=counts.before.sum())
    # a period whose previous period has no data at all has no entries or exits to show
    periods = coverage.select("ordinal")
    counts = counts.semi_join(periods, "ordinal").semi_join(
        periods.select(ordinal=periods.ordinal + 1), "ordinal"
    )
    if ordinals is not None:
        counts = counts.filter(counts.ordinal.isin(sorted(ordinals)))
    out = counts.left_join(stayed, list(KEYS)).drop(*(f"{k}_right" for k in KEYS))
    stayed_n = out.stayed.fill_null(0)
    return out.select(*KEYS, entries=out.now - stayed_n, exits=out.before - stayed_n)
