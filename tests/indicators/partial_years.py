"""A small store with partial years, members that appear and vanish, and exact rounding ties.

- 2021 holds only December (a stray late declaration): incomplete, and the base of 2022.
- 2022 and 2023 are complete; 2024 holds January-June only.
- ES buys in January only (2022, 2023) and in April 2024: its year to date must carry on
  through the months it has no declarations, in the comparison year too.
- 2023 against 2022 has exact ties: CRM grows by exactly 2.25 % (80.00 -> 81.80), BPO's share
  is exactly 28.75 % (115 of 400).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from tests.conftest import TODAY, write_csv

import digex

FIRMS = {"F1": "000000000000001", "F2": "000000000000002", "F3": "000000000000003"}
# (month, firm, segment, partner, amount) ; every row is an export in MAD
ROWS: list[tuple[str, str, str, str, str]] = [("2021-12", "F1", "ITO", "FR", "10.00")]
ROWS += [(f"2022-{m:02d}", "F1", "ITO", "FR", "20.00") for m in range(1, 13)]
ROWS += [("2022-01", "F2", "CRM", "ES", "80.00"), ("2022-07", "F3", "BPO", "US", "100.00")]
ROWS += [(f"2023-{m:02d}", "F1", "ITO", "FR", "16.90") for m in range(1, 12)]
ROWS += [("2023-12", "F1", "ITO", "FR", "17.30")]
ROWS += [("2023-01", "F2", "CRM", "ES", "81.80"), ("2023-07", "F3", "BPO", "US", "115.00")]
ROWS += [(f"2024-{m:02d}", "F1", "ITO", "FR", "20.00") for m in range(1, 7)]
ROWS += [("2024-04", "F2", "CRM", "ES", "30.00")]

MONTHS = {r[0] for r in ROWS}
"""The months with any data: a period is complete when every one of its months is here."""


def amount(row: tuple[str, str, str, str, str]) -> Decimal:
    return Decimal(row[4])


def build(folder: Path) -> Path:
    rows = [
        (f"D{i}", month, FIRMS[firm], segment, partner, "MAD", value, "X")
        for i, (month, firm, segment, partner, value) in enumerate(ROWS)
    ]
    decl = write_csv(folder / "partial.csv", rows)
    path = folder / "partial.duckdb"
    with digex.init(path) as store:
        [result] = store.load(decl, today=TODAY)
        assert result.rows_rejected == 0
    return path
