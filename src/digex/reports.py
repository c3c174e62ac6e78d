"""Small screen reports shared by the CLI commands (headline tables)."""

from __future__ import annotations

from rich.table import Table

from digex.api import Digex
from digex.codelists import segments


def exports_by_segment_table(db: Digex, *, synthetic: bool = False) -> Table:
    """Annual exports (flow X) by segment in bn of national currency, from current loads."""
    rows = db.store.con.execute(
        """SELECT year(period) AS y, segment, sum(value_minor) AS v
        FROM current_declarations WHERE flow = 'X' GROUP BY ALL ORDER BY y"""
    ).fetchall()
    years = sorted({int(r[0]) for r in rows})
    values = {(int(r[0]), str(r[1])): int(r[2]) for r in rows}
    currency = db.profile.national_currency
    title = f"Exports by segment, bn {currency}"
    if synthetic:
        title += " (SYNTHETIC DEMO DATA)"
    table = Table(title=title, title_justify="left")
    table.add_column("segment")
    for y in years:
        table.add_column(str(y), justify="right")
    codes = [s.code for s in segments()]
    for code in [*codes, "total"]:
        cells = []
        for y in years:
            v = (
                sum(values.get((y, c), 0) for c in codes)
                if code == "total"
                else values.get((y, code), 0)
            )
            cells.append(f"{v / 1e11:,.3f}")
        table.add_row(code, *cells, style="bold" if code == "total" else None)
    return table
