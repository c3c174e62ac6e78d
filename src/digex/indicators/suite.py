"""The indicator suite: every indicator for a frequency and its cuts, as one tidy table.

One row per indicator x flow x cut member x period, with unit, unit multiplier and the two
status attributes of `digex.indicators.status` (each figure's from the periods it reads).
Only the small per-cell results reach pandas; everything that touches declarations runs in the
backend. All the cuts of a run are computed by the same queries (a `cut` column tells them
apart): with six cuts that is seven queries per frequency instead of about forty, which is what
the suite's time was spent on (compiling and running a query per cut and indicator).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

import numpy as np
import pandas as pd

from digex.indicators import status as st
from digex.indicators.cuts import TOTAL, check_cut
from digex.indicators.definitions import unit_of
from digex.indicators.engine import Engine
from digex.indicators.periods import PER_YEAR, Period

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
    "obs_status",
    "completeness",
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
NO_PARTNER_HHI: Final = ("partner", "region")
"""Cuts whose members are partners or groups of them: a partner HHI within them says nothing."""


def spans(cov: pd.DataFrame, freq: str) -> pd.DataFrame:
    """For each period with data, whether each span it may read is complete (`<span>_ok`)
    and the worst observation status in it (`<span>_obs`, a rank of `status.OBS_PRECEDENCE`).

    `cov` has one row per period with data (ordinal, complete, obs_status); a period without
    any data is incomplete, so a year to date over a year that starts later is incomplete too.
    """
    n = PER_YEAR[freq]
    if cov.empty:
        return pd.DataFrame(index=pd.Index([], name="ordinal"))
    # from the start of the year before the first period, so every base is in the index
    first = (int(cov["ordinal"].min()) // n - 1) * n
    index = pd.RangeIndex(first, int(cov["ordinal"].max()) + 1, name="ordinal")
    by = cov.set_index("ordinal")
    ok = by["complete"].astype(bool).reindex(index, fill_value=False)
    rank = by["obs_status"].map(st.obs_rank).reindex(index, fill_value=0).astype("int64")
    year = pd.Series(index // n, index=index)
    ytd_ok = ok.astype("int64").groupby(year).cummin().astype(bool)
    ytd_rank = rank.groupby(year).cummax()

    def back(series: pd.Series, k: int, fill: bool | int) -> pd.Series:
        shifted: pd.Series = series.shift(k, fill_value=fill)
        return shifted

    out = pd.DataFrame(
        {
            "own_ok": ok,
            "own_obs": rank,
            "pop_ok": back(ok, 1, False),
            "pop_obs": back(rank, 1, 0),
            "yoy_ok": back(ok, n, False),
            "yoy_obs": back(rank, n, 0),
            "ytd_ok": ytd_ok,
            "ytd_obs": ytd_rank,
            "ytd_yoy_ok": back(ytd_ok, n, False),
            "ytd_yoy_obs": back(ytd_rank, n, 0),
        }
    )
    return out.loc[sorted(cov["ordinal"])]


def _statuses(frame: pd.DataFrame, indicator: str) -> tuple[np.ndarray, np.ndarray]:
    """The obs_status and completeness of one indicator on every row of a wide frame."""
    inputs = st.inputs_of(indicator)
    own = np.logical_and.reduce([frame[f"{s}_ok"].to_numpy(bool) for s in inputs.own])
    base = np.logical_and.reduce(
        [frame[f"{s}_ok"].to_numpy(bool) for s in inputs.base] or [np.ones(len(frame), bool)]
    )
    rank = np.maximum.reduce([frame[f"{s}_obs"].to_numpy("int64") for s in inputs.all])
    codes = np.array(st.OBS_PRECEDENCE, dtype=object)[rank]
    done = np.where(
        ~own, st.INCOMPLETE_PERIOD, np.where(~base, st.INCOMPLETE_BASE, st.COMPLETE)
    ).astype(object)
    return codes, done


def _tidy(frame: pd.DataFrame, columns: dict[str, str], freq: str, nc: str) -> pd.DataFrame:
    """One row per indicator and cell, from a frame with one column per indicator."""
    present = {indicator: col for indicator, col in columns.items() if col in frame}
    if not present or frame.empty:
        return pd.DataFrame(columns=COLUMNS)
    ids = ["period", "cut", "member", "flow"]
    values = frame[list(present.values())].astype("float64")
    values.columns = pd.Index(list(present))
    out = pd.concat([frame[ids], values], axis=1).melt(
        id_vars=ids, var_name="indicator", value_name="value"
    )
    # melt stacks the indicators' columns one after the other, in `present`'s order
    statuses = [_statuses(frame, indicator) for indicator in present]
    out["obs_status"] = np.concatenate([obs for obs, _ in statuses])
    out["completeness"] = np.concatenate([done for _, done in statuses])
    out = out[out["value"].notna()]
    out = out.assign(
        freq=freq,
        unit=out["indicator"].map({i: unit_of(i, nc) for i in present}),
        unit_mult=0,
    )
    return pd.DataFrame(out[COLUMNS]).reset_index(drop=True)


class Suite:
    """Runs the engine for the cuts and frequencies asked, and shapes the tidy result."""

    def __init__(self, engine: Engine, national_currency: str) -> None:
        self.engine = engine
        self.nc = national_currency

    def run(
        self,
        freq: str,
        cut: str | Sequence[str],
        *,
        flows: Sequence[str] = ("X", "M"),
        periods: Iterable[Period] | None = None,
    ) -> pd.DataFrame:
        """Every indicator of `freq` for one cut or several (`cut` then a list of cuts)."""
        cuts = [cut] if isinstance(cut, str) else list(cut)
        for c in cuts:
            check_cut(c)
        e = self.engine
        wanted = None
        if periods is not None:
            chosen = list(periods)
            wanted = {p.ordinal for p in chosen}
            if chosen:
                # a year earlier for growth and contributions, the whole year for year to date
                e = e.within(min(p.year for p in chosen) - 1, max(p.year for p in chosen))
        cov: pd.DataFrame = e.coverage(freq).execute()
        # the store's declarations carry no observation status of their own: normal (A)
        cov["obs_status"] = st.NORMAL
        status = spans(cov, freq).join(cov.set_index("ordinal")["period"]).reset_index()

        def keep(frame: pd.DataFrame, by_flow: bool = True) -> pd.DataFrame:
            chosen = frame["cut"].isin(cuts)
            if wanted is not None:
                chosen &= frame["ordinal"].isin(wanted)
            if by_flow:
                chosen &= frame["flow"].isin(list(flows))
            frame = frame[chosen].drop(columns=["period"], errors="ignore")
            return frame.merge(status, on="ordinal", how="left")

        def tidy(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
            return _tidy(frame, columns, freq, self.nc)

        main = keep(e.main_cells(freq, cuts).execute())
        # the total's share is 100 and its contribution its growth: not published as such
        main.loc[main["cut"] == "total", ["share", "contribution"]] = float("nan")
        pieces = [tidy(main, MAIN)]
        fx = keep(e.foreign_cells(freq, cuts, ("USD", "EUR")).execute())
        for cur in ("USD", "EUR"):
            pieces.append(tidy(fx[fx["currency"] == cur], {f"LEVEL_{cur}": "value"}))
        bal = keep(e.balance_cells(freq, cuts).execute().assign(flow="N"), by_flow=False)
        pieces.append(tidy(bal, {"BALANCE": "balance", "COVERAGE": "coverage"}))
        conc_firms = keep(e.concentration_cells(freq, cuts, "firm_id", wanted).execute())
        pieces.append(
            tidy(conc_firms, {"HHI_FIRMS": "hhi", "TOP5_FIRMS": "top5", "TOP10_FIRMS": "top10"})
        )
        partner_cuts = [c for c in cuts if c not in NO_PARTNER_HHI]
        if partner_cuts:
            conc_partners = keep(
                e.concentration_cells(freq, partner_cuts, "partner", wanted).execute()
            )
            pieces.append(tidy(conc_partners, {"HHI_PARTNERS": "hhi"}))
        demo = keep(e.demography_cells(freq, cuts, wanted).execute())
        pieces.append(tidy(demo, {"FIRM_ENTRIES": "entries", "FIRM_EXITS": "exits"}))
        found = [p for p in pieces if not p.empty]
        if not found:  # no declaration in the periods asked for
            return pd.DataFrame(columns=COLUMNS)
        out = pd.concat(found, ignore_index=True)
        return out.sort_values(["indicator", "flow", "cut", "member", "period"], ignore_index=True)


__all__ = ["COLUMNS", "TOTAL", "Suite"]
