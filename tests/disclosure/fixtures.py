"""Tiny data sets for disclosure control, and a tiny store built from them in code.

Other test files import these (the store, leak and release tests): the amounts are chosen so
that the cells a test reasons about are safe or unsafe for the documented defaults (minimum
frequency 3, p % rule with p = 10) by a wide margin, which the comments below compute.

`ISSUE_ROWS` is issue 15's fixture, one year of exports (and a few imports) in one month:

- a one-firm cell: KPO, a single firm (`K1`) declaring the canary amount 7,777,777.77 MAD
  (`CANARY`), which no public output may ever show in any rendering;
- a cell dominated by two firms: partner ES, I4 2,000,000 and I5 1,800,000 with B1's
  50,000 (the remainder 50,000 is under 10 % of 2,000,000: the p % rule fires);
- a cell derivable by subtraction: KPO again (total - ITO - BPO), and ES (total - FR - US),
  so the pattern needs complements;
- every other cell is safe: ITO (I1..I5, with I1 13,000,000 and I2 11,500,000 of
  49,300,000), BPO (B1..B4, 10,850,000), the total (67,927,777.77), FR, US (I1..I3:
  4,000,000 + 3,500,000 + 3,000,000, three firms and a remainder of 3,000,000).

`TWELVE_ROWS`: KPO with exactly twelve firms (TOP10 leaves the two smallest, whose sum it
reveals), beside a large ITO.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Final

from tests.conftest import TODAY, write_csv

import digex
from digex.api import Digex
from digex.indicators.engine import Engine
from digex.indicators.tables import PublishedTable

Row = tuple[str, str, str, str, str, str, str, str]
"""A declaration as the CSV loader reads it (tests.conftest.HEADER's columns)."""

CANARY: Final = Decimal("7777777.77")
"""The one-firm KPO cell's amount: a distinctive figure that must never be published."""

FIRMS: Final = {
    name: f"{i:015d}"
    for i, name in enumerate(
        ("I1", "I2", "I3", "I4", "I5", "B1", "B2", "B3", "B4", "K1"), start=100
    )
}
"""The issue fixture's firms (I: ITO, B: BPO, K: KPO) and their 15-digit identifiers."""

ISSUE_AMOUNTS: Final = (
    # (firm, segment, partner, flow, amount in MAD)
    ("I1", "ITO", "FR", "X", Decimal("9000000")),
    ("I2", "ITO", "FR", "X", Decimal("8000000")),
    ("I3", "ITO", "FR", "X", Decimal("7000000")),
    ("I4", "ITO", "FR", "X", Decimal("6000000")),
    ("I5", "ITO", "FR", "X", Decimal("5000000")),
    ("I1", "ITO", "US", "X", Decimal("4000000")),
    ("I2", "ITO", "US", "X", Decimal("3500000")),
    ("I3", "ITO", "US", "X", Decimal("3000000")),
    ("I4", "ITO", "ES", "X", Decimal("2000000")),
    ("I5", "ITO", "ES", "X", Decimal("1800000")),
    ("B1", "BPO", "FR", "X", Decimal("3000000")),
    ("B2", "BPO", "FR", "X", Decimal("2800000")),
    ("B3", "BPO", "FR", "X", Decimal("2600000")),
    ("B4", "BPO", "FR", "X", Decimal("2400000")),
    ("B1", "BPO", "ES", "X", Decimal("50000")),
    ("K1", "KPO", "FR", "X", CANARY),
    ("I1", "ITO", "FR", "M", Decimal("1000000")),
    ("I2", "ITO", "FR", "M", Decimal("900000")),
    ("I3", "ITO", "FR", "M", Decimal("800000")),
)

ISSUE_TABLES: Final = (
    PublishedTable("total", ("A",), ytd=False),
    PublishedTable("segment", ("A",), ytd=False),
    PublishedTable("partner", ("A",), ytd=False),
)
"""Small tables for the issue fixture: the yearly total, segments and partners."""


def rows(
    amounts: Sequence[tuple[str, str, str, str, Decimal]],
    *,
    year: int = 2024,
    months: Sequence[int] = (3,),
    firms: dict[str, str] | None = None,
) -> list[Row]:
    """Declarations of `amounts` in `year`, each split equally over `months` (to the cent:
    the last month takes the rounding remainder, so each amount's months add up to it)."""
    ids = firms if firms is not None else FIRMS
    out: list[Row] = []
    for n, (firm, segment, partner, flow, amount) in enumerate(amounts):
        share = (amount / len(months)).quantize(Decimal("0.01"))
        for k, month in enumerate(months):
            part = amount - share * (len(months) - 1) if k == len(months) - 1 else share
            out.append(
                (
                    f"D{year}{n:03d}{month:02d}",
                    f"{year}-{month:02d}",
                    ids[firm],
                    segment,
                    partner,
                    "MAD",
                    str(part),
                    flow,
                )
            )
    return out


ISSUE_ROWS: Final = rows(ISSUE_AMOUNTS)

TWELVE_FIRMS: Final = {f"K{i}": f"{900 + i:015d}" for i in range(1, 13)} | {
    f"I{i}": f"{800 + i:015d}" for i in range(1, 7)
}
TWELVE_AMOUNTS: Final = tuple(
    (f"K{i}", "KPO", "FR", "X", Decimal(1_000_000 - 50_000 * i)) for i in range(1, 13)
) + tuple((f"I{i}", "ITO", "US", "X", Decimal(5_000_000 + 100_000 * i)) for i in range(1, 7))
TWELVE_ROWS: Final = rows(TWELVE_AMOUNTS, firms=TWELVE_FIRMS)


@contextmanager
def tiny_store(folder: Path, declarations: Sequence[Row] = ISSUE_ROWS) -> Iterator[Digex]:
    """A store in `folder` (which must not hold one) with `declarations` loaded (MA profile,
    no rates: every amount is in MAD)."""
    folder.mkdir(parents=True, exist_ok=True)
    with digex.init(folder / "tiny.duckdb") as db:
        db.load(write_csv(folder / "declarations.csv", declarations), today=TODAY)
        yield db


@contextmanager
def engine_of(db: Digex) -> Iterator[Engine]:
    """An engine on one snapshot of `db` (valid inside the block)."""
    with db.store.snapshot() as snap:
        yield Engine(snap.sources(db.profile.minor_units))
