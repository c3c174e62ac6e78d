"""The numbers the demo data are built around: export targets, exchange rates and jobs.

The demo must reproduce the published figures in `data/reference/MA.toml` exactly after
rounding, so the export (X) value of every month and segment is fixed here in MAD before any
declaration is drawn; the generator only spreads each monthly target over firms, partners and
currencies. Targets sit in the middle of the published rounding intervals, so that the centime
rounding of millions of converted amounts cannot push a figure across a rounding boundary.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

SEGMENTS: tuple[str, ...] = ("ITO", "CRM", "ESO", "BPO", "KPO")
FIRST_YEAR, LAST_YEAR, LAST_MONTH = 2019, 2025, 6
MONTHS: tuple[str, ...] = tuple(
    f"{y}-{m:02d}"
    for y in range(FIRST_YEAR, LAST_YEAR + 1)
    for m in range(1, 13)
    if (y, m) <= (LAST_YEAR, LAST_MONTH)
)
RATE_CURRENCIES: tuple[str, ...] = ("EUR", "USD", "GBP", "CHF", "CAD")
NATIONAL_CURRENCY = "MAD"

_BN = 1_000_000_000

# Annual export targets in MAD on the five-segment perimeter. 2023 and 2024 follow the published
# figures: ESO 2023 is 3.462 / 1.071, BPO 2023 is 2.334 / 1.17 (both near the middle of the
# growth rounding interval), ITO and CRM 2023 share the rest of 26.17 bn. 2019-2022 show a
# growing sector; they are not published and only need to be plausible.
ANNUAL: dict[str, dict[int, float]] = {
    "ITO": {2019: 6.80, 2020: 7.45, 2021: 8.30, 2022: 9.35, 2023: 10.20, 2024: 10.578},
    "CRM": {2019: 8.10, 2020: 8.55, 2021: 9.40, 2022: 10.20, 2023: 10.6645, 2024: 9.797},
    "ESO": {2019: 2.05, 2020: 2.15, 2021: 2.45, 2022: 2.90, 2023: 3.2325, 2024: 3.462},
    "BPO": {2019: 1.20, 2020: 1.30, 2021: 1.45, 2022: 1.70, 2023: 1.995, 2024: 2.334},
    "KPO": {2019: 0.045, 2020: 0.050, 2021: 0.058, 2022: 0.066, 2023: 0.078, 2024: 0.048},
}
# First half of 2025 by segment: 13.38 bn in all, which is 13.4 as published and, on the
# unrounded 12.93 bn of the first half of 2024, the published +3.5 %.
H1_2025: dict[str, float] = {"ITO": 5.55, "CRM": 4.63, "ESO": 1.85, "BPO": 1.324, "KPO": 0.026}
H1_2024_TOTAL = 12.93
# CRM by quarter of 2024: Q3 and Q4 are published; Q1 and Q2 share the rest of 9.797 bn.
CRM_2024_QUARTERS: tuple[float, float, float, float] = (2.35, 2.45, 2.814, 2.183)

# Monthly profile of receipts: a dip in August (clients' holidays in Europe) and a December peak
# (year-end invoicing).
SEASONALITY: tuple[float, ...] = (
    0.95, 0.93, 1.02, 0.98, 1.00, 1.04, 1.02, 0.88, 1.00, 1.04, 1.03, 1.11,
)  # fmt: skip

# Plausible monthly-average bands, MAD per unit of currency.
RATE_BANDS: dict[str, tuple[float, float]] = {
    "EUR": (10.70, 11.00),
    "USD": (9.40, 10.30),
    "GBP": (12.00, 13.00),
    "CHF": (10.00, 11.30),
    "CAD": (7.00, 7.50),
}

# Employment by year and segment (an auxiliary series, not in the declarations); 2024 adds up to
# the published 148,500 jobs.
JOBS: dict[int, dict[str, int]] = {
    2019: {"ITO": 27_300, "CRM": 70_200, "ESO": 9_100, "BPO": 8_900, "KPO": 400},
    2020: {"ITO": 29_000, "CRM": 71_500, "ESO": 9_300, "BPO": 9_400, "KPO": 450},
    2021: {"ITO": 31_800, "CRM": 74_900, "ESO": 10_400, "BPO": 10_300, "KPO": 500},
    2022: {"ITO": 35_100, "CRM": 78_600, "ESO": 11_800, "BPO": 11_600, "KPO": 600},
    2023: {"ITO": 38_200, "CRM": 81_300, "ESO": 12_700, "BPO": 12_500, "KPO": 800},
    2024: {"ITO": 40_500, "CRM": 80_000, "ESO": 13_500, "BPO": 13_800, "KPO": 700},
}


@dataclass(frozen=True)
class _Block:
    """Months of one segment whose export total is fixed; seasonality shares it out."""

    segment: int
    months: tuple[int, ...]
    total: float


def _month_index(year: int, month: int) -> int:
    return (year - FIRST_YEAR) * 12 + month - 1


def _blocks() -> list[_Block]:
    blocks: list[_Block] = []
    crm_2024 = sum(CRM_2024_QUARTERS)
    others_2024 = sum(ANNUAL[s][2024] for s in SEGMENTS if s != "CRM")
    # Part of each non-CRM segment's 2024 exports falling in the first half, chosen so that the
    # first half of 2024 adds up to 12.93 bn given CRM's first two quarters.
    h1_fraction = (H1_2024_TOTAL - sum(CRM_2024_QUARTERS[:2])) / others_2024
    assert abs(crm_2024 - ANNUAL["CRM"][2024]) < 1e-9
    for s, seg in enumerate(SEGMENTS):
        for year in range(FIRST_YEAR, 2024):
            months = tuple(_month_index(year, m) for m in range(1, 13))
            blocks.append(_Block(s, months, ANNUAL[seg][year]))
        if seg == "CRM":
            for q, total in enumerate(CRM_2024_QUARTERS):
                months = tuple(_month_index(2024, 3 * q + m) for m in (1, 2, 3))
                blocks.append(_Block(s, months, total))
        else:
            h1 = ANNUAL[seg][2024] * h1_fraction
            blocks.append(_Block(s, tuple(_month_index(2024, m) for m in range(1, 7)), h1))
            months = tuple(_month_index(2024, m) for m in range(7, 13))
            blocks.append(_Block(s, months, ANNUAL[seg][2024] - h1))
        months = tuple(_month_index(2025, m) for m in range(1, LAST_MONTH + 1))
        blocks.append(_Block(s, months, H1_2025[seg]))
    return blocks


def monthly_targets(rng: np.random.Generator) -> NDArray[np.float64]:
    """Export (X) value in MAD for every month and segment, shape (months, segments).

    Each fixed total is spread over its months by the seasonal profile with a little noise, so
    that months differ from one seed to another while every published total stays exact.
    """
    noise = 1.0 + 0.03 * rng.standard_normal((len(MONTHS), len(SEGMENTS)))
    season = np.array([SEASONALITY[i % 12] for i in range(len(MONTHS))])
    weights = season[:, None] * noise
    targets = np.zeros((len(MONTHS), len(SEGMENTS)))
    for block in _blocks():
        idx = np.array(block.months)
        w = weights[idx, block.segment]
        targets[idx, block.segment] = block.total * _BN * w / w.sum()
    return targets


def monthly_rates(rng: np.random.Generator) -> dict[str, NDArray[np.float64]]:
    """Monthly average rates (MAD per unit), rounded to the 6 decimals of the rates file.

    A mean-reverting walk squashed into each currency's band gives smooth, realistic-looking
    paths that never leave the plausible range.
    """
    rates: dict[str, NDArray[np.float64]] = {}
    for cur in RATE_CURRENCIES:
        low, high = RATE_BANDS[cur]
        z = np.empty(len(MONTHS))
        z[0] = rng.normal(0.0, 0.5)
        shocks = rng.normal(0.0, 0.25, len(MONTHS))
        for t in range(1, len(MONTHS)):
            z[t] = 0.92 * z[t - 1] + shocks[t]
        mid, half = (low + high) / 2, (high - low) / 2
        rates[cur] = np.round(mid + 0.95 * half * np.tanh(z), 6)
    return rates
