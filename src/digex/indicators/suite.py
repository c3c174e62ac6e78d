"""The indicator suite: every indicator for a frequency and a cut, as one tidy table.

One row per indicator x flow x cut member x period, with unit, unit multiplier and status.
Only the small per-cell results reach pandas; everything that touches declarations runs in the
backend.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

import pandas as pd

from digex.indicators.cuts import TOTAL, check_cut
from digex.indicators.definitions import unit_of
from digex.indicators.engine import Engine
from digex.indicators.periods import PER_YEAR, Period, label

COLUMNS: Final = [
    "indicator",
    "freq",
    "period",
    "cut",
    "member",
    "flow",
    "value",
    "unit",
    "unit_mult",
    "status",
]
MAIN: Final = {
    "LEVEL": "level",
    "GROWTH_YOY": "growth_yoy",
    "GROWTH_POP": "growth_pop",
    "YTD_LEVEL": "ytd_level",
    "YTD_GROWTH": "ytd_growth",
    "SHARE": "share",
    "CONTRIBUTION": "contribution",
    "FIRMS": "firms",
    "AVG_PER_FIRM": "avg_per_firm",
}
MONEY: Final = {"NC", "USD", "EUR"}
"""Units whose values are rescaled when a unit multiplier is asked for."""


def _tidy(
    frame: pd.DataFrame, columns: dict[str, str], freq: str, cut: str, nc: str
) -> pd.DataFrame:
    parts = []
    for indicator, col in columns.items():
        if col not in frame:
            continue
        part = frame[["period", "member", "flow", "status"]].copy()
        part["value"] = frame[col].astype("float64")
        part["indicator"] = indicator
        part["unit"] = unit_of(indicator, nc)
        parts.append(part[part["value"].notna()])
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    out["freq"] = freq
    out["cut"] = cut
    out["unit_mult"] = 0
    return pd.DataFrame(out[COLUMNS])


def _periods(frame: pd.DataFrame, freq: str, n: int) -> pd.DataFrame:
    years = frame["ordinal"] // n
    subs = frame["ordinal"] % n + 1
    frame = frame.copy()
    frame["period"] = [label(freq, int(y), int(s)) for y, s in zip(years, subs, strict=True)]
    return frame


class Suite:
    """Runs the engine for the cuts and frequencies asked, and shapes the tidy result."""

    def __init__(self, engine: Engine, national_currency: str) -> None:
        self.engine = engine
        self.nc = national_currency

    def run(
        self,
        freq: str,
        cut: str,
        *,
        flows: Sequence[str] = ("X", "M"),
        periods: Iterable[Period] | None = None,
    ) -> pd.DataFrame:
        check_cut(cut)
        n = PER_YEAR[freq]
        e = self.engine
        wanted = None
        if periods is not None:
            chosen = list(periods)
            wanted = {p.ordinal for p in chosen}
            if chosen:
                # a year earlier for growth and contributions, the whole year for year to date
                e = e.within(min(p.year for p in chosen) - 1, max(p.year for p in chosen))
        cov: pd.DataFrame = e.coverage(freq).execute()
        cov["status"] = cov["complete"].map({True: "normal", False: "incomplete"})
        status = cov[["ordinal", "period", "status"]]

        def keep(frame: pd.DataFrame, by_flow: bool = True) -> pd.DataFrame:
            if wanted is not None:
                frame = frame[frame["ordinal"].isin(wanted)]
            if by_flow:
                frame = frame[frame["flow"].isin(list(flows))]
            return frame.merge(status[["ordinal", "status"]], on="ordinal", how="left")

        main = keep(e.main(freq, cut).execute())
        if cut == "total":
            main = main.drop(columns=["share", "contribution"])
        pieces = [_tidy(main, MAIN, freq, cut, self.nc)]
        fx = keep(e.foreign_levels(freq, cut, ("USD", "EUR")).execute())
        for cur in ("USD", "EUR"):
            sub = fx[fx["currency"] == cur].rename(columns={"value": "v"})
            pieces.append(_tidy(_periods(sub, freq, n), {f"LEVEL_{cur}": "v"}, freq, cut, self.nc))
        bal = keep(e.balance(freq, cut).execute().assign(flow="N"), by_flow=False)
        pieces.append(
            _tidy(
                _periods(bal, freq, n),
                {"BALANCE": "balance", "COVERAGE": "coverage"},
                freq,
                cut,
                self.nc,
            )
        )
        conc_firms = keep(e.concentration(freq, cut, "firm_id").execute())
        pieces.append(
            _tidy(
                _periods(conc_firms, freq, n),
                {"HHI_FIRMS": "hhi", "TOP5_FIRMS": "top5", "TOP10_FIRMS": "top10"},
                freq,
                cut,
                self.nc,
            )
        )
        if cut not in ("partner", "region"):
            conc_partners = keep(e.concentration(freq, cut, "partner").execute())
            pieces.append(
                _tidy(_periods(conc_partners, freq, n), {"HHI_PARTNERS": "hhi"}, freq, cut, self.nc)
            )
        demo = keep(e.demography(freq, cut).execute())
        pieces.append(
            _tidy(
                _periods(demo, freq, n),
                {"FIRM_ENTRIES": "entries", "FIRM_EXITS": "exits"},
                freq,
                cut,
                self.nc,
            )
        )
        out = pd.concat([p for p in pieces if not p.empty], ignore_index=True)
        return out.sort_values(["indicator", "flow", "member", "period"], ignore_index=True)


__all__ = ["COLUMNS", "TOTAL", "Suite"]
