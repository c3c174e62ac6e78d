"""A tiny store with seasonal monthly series long enough for X-13 and a nowcast (2020-01 to
2025-06): ITO and BPO with several firms each (published), KPO with one firm (suppressed by
disclosure control, so never adjusted nor forecast)."""

from __future__ import annotations

import dataclasses
import math
from decimal import Decimal
from pathlib import Path
from typing import Final

from tests.conftest import write_csv

from digex.api import Digex
from digex.indicators.tables import PublishedTable
from digex.profile import CountryProfile

FIRMS: Final = {
    "ITO": tuple(f"{101 + i:015d}" for i in range(6)),
    "BPO": tuple(f"{201 + i:015d}" for i in range(6)),
    "KPO": ("000000000000301",),
}
BASE: Final = {"ITO": 900_000, "BPO": 500_000, "KPO": 40_000}
MONTHS: Final = tuple(
    (y, m) for y in range(2020, 2026) for m in range(1, 13) if (y, m) <= (2025, 6)
)


def amount(segment: str, firm: int, year: int, month: int) -> Decimal:
    """A trend of 6 % a year, a seasonal swing of 25 % (high in December), firms of
    different sizes and a small deterministic wobble (X-13 needs an irregular part)."""
    t = (year - 2020) * 12 + month - 1
    season = 1 + 0.25 * math.cos(2 * math.pi * (month - 12) / 12)
    wobble = 1 + 0.02 * math.sin(1.7 * t + firm)
    value = BASE[segment] * (1 + 0.05 * firm) * 1.005**t * season * wobble
    return Decimal(f"{value:.2f}")


def declarations(months: tuple[tuple[int, int], ...] = MONTHS) -> list[tuple[str, ...]]:
    out = []
    for segment, firms in FIRMS.items():
        for f, firm in enumerate(firms):
            for y, m in months:
                out.append(
                    (
                        f"{segment}{f}{y}{m:02d}",
                        f"{y}-{m:02d}",
                        firm,
                        segment,
                        "FR",
                        "MAD",
                        str(amount(segment, f, y, m)),
                        "X",
                    )
                )
    return out


def write(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return write_csv(folder / "seasonal.csv", declarations())


def profile(db: Digex) -> CountryProfile:
    """The store's profile publishing the total and the segments only (a fast release)."""
    return dataclasses.replace(
        db.profile,
        tables=(
            PublishedTable("total", ("A", "H", "Q", "M"), ytd=False),
            PublishedTable("segment", ("A", "H", "Q", "M"), ytd=False),
        ),
    )
