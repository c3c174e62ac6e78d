"""The indicator suite: every indicator for a frequency and its cuts, as one tidy table.

One row per indicator x flow x cut member x period, with unit, unit multiplier and the two
status attributes of `digex.indicators.status` (each figure's from the periods it reads).
Only the small per-cell results reach pandas; everything that touches declarations runs in the
backend. All the cuts of a run are computed by the same queries (a `cut` column tells them
apart): with six cuts that is seven queries per frequency instead of about forty, which is what
the suite's time was spent on (compiling and running a query per cut and indicator).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np
import pandas as pd

from digex.indicators import status as st
from digex.indicators.columns import COLUMNS as _COLUMNS
from digex.indicators.cuts import TOTAL, check_cut, installed_mappings
from digex.indicators.engine import Engine
from digex.indicators.periods import PER_YEAR, Period
from digex.indicators.registry import Indicator, Registry, RegistryError
from digex.indicators.registry import registry as _packaged

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from digex.indicators import plans

COLUMNS: Final = list(_COLUMNS)
NET: Final = "N"
"""The flow of the balance family's rows (exports minus imports)."""


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


# the completeness of a figure by whether its own spans and its base are complete: the status
# module's one rule, tabulated once so that it applies to whole columns
_COMPLETENESS: Final = np.array(
    [[st.completeness(own, base).value for base in (False, True)] for own in (False, True)],
    dtype=object,
)
_OBS: Final = np.array([code.value for code in st.OBS_PRECEDENCE], dtype=object)


def _statuses(frame: pd.DataFrame, indicator: Indicator) -> tuple[np.ndarray, np.ndarray]:
    """The obs_status and completeness of one indicator on every row of a wide frame."""
    inputs = indicator.reads
    own = np.logical_and.reduce([frame[f"{s}_ok"].to_numpy(bool) for s in inputs.own])
    base = np.logical_and.reduce(
        [frame[f"{s}_ok"].to_numpy(bool) for s in inputs.base] or [np.ones(len(frame), bool)]
    )
    rank = np.maximum.reduce([frame[f"{s}_obs"].to_numpy("int64") for s in inputs.all])
    return _OBS[rank], _COMPLETENESS[own.astype("int64"), base.astype("int64")]


def _tidy(frame: pd.DataFrame, indicators: Sequence[Indicator], freq: str, nc: str) -> pd.DataFrame:
    """One row per indicator and cell, from a frame with one column per indicator; a cell of a
    cut the indicator does not exist for gives no row."""
    for i in indicators:
        if i.column not in frame.columns:
            raise RegistryError(
                f"{i.id}: the engine's {i.family} cells have no column {i.column!r}"
                f" (they have {', '.join(map(str, frame.columns))})"
            )
    if not indicators or frame.empty:
        return pd.DataFrame(columns=COLUMNS)
    ids = ["period", "cut", "member", "flow"]
    values = frame[[i.column for i in indicators]].astype("float64")
    values.columns = pd.Index([i.id for i in indicators])
    out = pd.concat([frame[ids], values], axis=1).melt(
        id_vars=ids, var_name="indicator", value_name="value"
    )
    # melt stacks the indicators' columns one after the other, in `indicators`' order
    statuses = [_statuses(frame, i) for i in indicators]
    out["obs_status"] = np.concatenate([obs for obs, _ in statuses])
    out["completeness"] = np.concatenate([done for _, done in statuses])
    exists = np.concatenate([frame["cut"].isin(i.cuts).to_numpy(bool) for i in indicators])
    out = out[out["value"].notna().to_numpy() & exists]
    out = out.assign(
        freq=freq,
        unit=out["indicator"].map({i.id: i.unit_code(nc) for i in indicators}),
        unit_mult=0,
    )
    return pd.DataFrame(out[COLUMNS]).reset_index(drop=True)


class Suite:
    """Runs the engine for the cuts and frequencies asked, and shapes the tidy result: one
    query per family of the registry, each indicator a column of its family's cells."""

    def __init__(
        self,
        engine: Engine,
        national_currency: str,
        registry: Registry | None = None,
        *,
        compiled: bool = True,
    ) -> None:
        """`compiled=False` runs every pass through Ibis even on DuckDB (what the compiled
        plans are checked against)."""
        self.engine = engine
        self.nc = national_currency
        self.registry = registry or _packaged()
        self.compiled = compiled

    def cells(
        self,
        family: str,
        freq: str,
        cuts: Sequence[str],
        ordinals: Collection[int] | None = None,
    ) -> ir.Table:
        """The engine's query for one family's cells (its indicators are columns of it)."""
        how = CELLS.get(family)
        if how is None:
            raise RegistryError(f"the suite computes no {family!r} cells")
        return how.query(self, freq, cuts, ordinals)

    def _pieces(
        self, family: str, frame: pd.DataFrame, indicators: Sequence[Indicator], freq: str
    ) -> list[pd.DataFrame]:
        """The tidy rows of one family's cells."""
        if CELLS[family].per_currency:  # one row per currency: each indicator is one's
            return [
                _tidy(frame[frame["currency"] == i.unit], [i], freq, self.nc) for i in indicators
            ]
        return [_tidy(frame, indicators, freq, self.nc)]

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
        wanted = None
        years = None
        if periods is not None:
            chosen = list(periods)
            wanted = {p.ordinal for p in chosen}
            if chosen:
                # a year earlier for growth and contributions, the whole year for year to date
                years = (min(p.year for p in chosen) - 1, max(p.year for p in chosen))
        families = self.families(freq, cuts)
        frames = self._frames(freq, families, years, wanted)
        cov = frames["coverage"]
        # the store's declarations carry no observation status of their own: normal (A)
        cov["obs_status"] = st.NORMAL.value
        status = spans(cov, freq).join(cov.set_index("ordinal")["period"]).reset_index()

        def keep(frame: pd.DataFrame, by_flow: bool = True) -> pd.DataFrame:
            chosen = frame["cut"].isin(cuts)
            if wanted is not None:
                chosen &= frame["ordinal"].isin(wanted)
            if by_flow:
                chosen &= frame["flow"].isin(list(flows))
            frame = frame[chosen].drop(columns=["period"], errors="ignore")
            return frame.merge(status, on="ordinal", how="left")

        pieces = []
        for family, _ in families:
            how = CELLS[family]
            indicators = self.registry.family(family, freq)
            frame = frames[family]
            if how.flow is not None:
                frame = keep(frame.assign(flow=how.flow), by_flow=False)
            else:
                frame = keep(frame)
            pieces += self._pieces(family, frame, indicators, freq)
        found = [p for p in pieces if not p.empty]
        if not found:  # no declaration in the periods asked for
            return pd.DataFrame(columns=COLUMNS)
        out = pd.concat(found, ignore_index=True)
        return out.sort_values(["indicator", "flow", "cut", "member", "period"], ignore_index=True)

    def families(self, freq: str, cuts: Sequence[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """The families a pass computes, each with the cuts some indicator of it exists for
        (no partner HHI by partner), in `CELLS`' order."""
        families = []
        for family in CELLS:
            indicators = self.registry.family(family, freq)
            family_cuts = tuple(c for c in cuts if any(c in i.cuts for i in indicators))
            if family_cuts:
                families.append((family, family_cuts))
        return tuple(families)

    def inputs(
        self,
        freq: str,
        families: tuple[tuple[str, tuple[str, ...]], ...],
        periods: int | None,
    ) -> plans.Inputs:
        """What the compiled text of a pass depends on (`periods`: how many are asked, None
        for every period)."""
        from digex.indicators import plans

        sources = self.engine.sources
        return plans.Inputs(
            freq=freq,
            families=families,
            currencies=tuple(i.unit for i in self.registry.family("foreign", freq)),
            periods=periods,
            tables=(sources.declarations, sources.rates, sources.auxiliary),
            minor_units=sources.minor_units,
            mappings=plans.mappings_digest(sources.mappings or installed_mappings()),
        )

    def _frames(
        self,
        freq: str,
        families: tuple[tuple[str, tuple[str, ...]], ...],
        years: tuple[int, int] | None,
        wanted: set[int] | None,
    ) -> dict[str, pd.DataFrame]:
        """The coverage and each family's cells, for the calendar years `years` (None: all)
        and the period ordinals `wanted` (None: every period): on DuckDB by running the
        pass's compiled plan (compiled by Ibis once, `digex.indicators.plans`), elsewhere
        through Ibis."""
        from digex.indicators import plans

        con = self.engine.sources.connection
        # an engine narrowed to some years already (`within`) keeps its own reads: Ibis's
        narrowed = self.engine.years is not None
        if con is None or not self.compiled or narrowed or (wanted is not None and not wanted):
            return self._through_ibis(self.engine, freq, families, years, wanted)
        inputs = self.inputs(freq, families, None if wanted is None else len(wanted))
        key = inputs.key()
        plan = plans.find(key)
        if plan is None:
            plan = self.record(inputs, key)
            if plan is None:  # not expressible with placeholders: Ibis runs it as it is
                return self._through_ibis(self.engine, freq, families, years, wanted)
            plans.keep(plan)
        mappings = self.engine.sources.mappings or installed_mappings()
        return plans.run(con, plan, years, sorted(wanted or ()), mappings)

    def record(self, inputs: plans.Inputs, key: str) -> plans.Plan | None:
        """Compile the pass `inputs` describes into a plan (sentinels for years and periods)."""
        from digex.indicators import plans

        recorder = plans.Recorder(self.engine.backend)
        years = (plans.FIRST_YEAR, plans.LAST_YEAR) if inputs.periods is not None else None
        ordinals = None
        if inputs.periods is not None:
            ordinals = [plans.ORDINAL_BASE + i for i in range(inputs.periods)]
        engine = Engine(
            self.engine.sources,
            years,
            recorder=recorder,
            _tables=self.engine._tables,
            _backend=self.engine._backend,
        )
        suite = Suite(engine, self.nc, self.registry)
        recorder.query("coverage", engine.coverage(inputs.freq))
        for family, cuts in inputs.families:
            recorder.query(family, suite.cells(family, inputs.freq, cuts, ordinals))
        return recorder.plan(key, years=years is not None, periods=inputs.periods or 0)

    def _through_ibis(
        self,
        engine: Engine,
        freq: str,
        families: tuple[tuple[str, tuple[str, ...]], ...],
        years: tuple[int, int] | None,
        wanted: set[int] | None,
    ) -> dict[str, pd.DataFrame]:
        """`_frames` by executing each query with Ibis (materialising with `cache()`)."""
        if years is not None:
            engine = engine.within(*years)
        suite = Suite(engine, self.nc, self.registry)
        out: dict[str, pd.DataFrame] = {"coverage": engine.coverage(freq).execute()}
        for family, cuts in families:
            out[family] = suite.cells(family, freq, cuts, wanted).execute()
        return out


@dataclass(frozen=True)
class Cells:
    """How the suite computes one family of the registry: the engine's query for its cells
    (a column per indicator), and how its rows are told apart."""

    query: Callable[[Suite, str, Sequence[str], Collection[int] | None], ir.Table]
    flow: str | None = None
    """The one flow of every row (the balance's: net), instead of each cell's own."""
    per_currency: bool = False
    """One row per currency, each indicator being one currency's (the foreign family)."""


def _foreign(suite: Suite, freq: str, cuts: Sequence[str], _: Collection[int] | None) -> ir.Table:
    currencies = tuple(i.unit for i in suite.registry.family("foreign", freq))
    return suite.engine.foreign_cells(freq, cuts, currencies)


CELLS: Final[Mapping[str, Cells]] = {
    "main": Cells(lambda s, freq, cuts, _: s.engine.main_cells(freq, cuts)),
    "foreign": Cells(_foreign, per_currency=True),
    "balance": Cells(lambda s, freq, cuts, _: s.engine.balance_cells(freq, cuts), flow=NET),
    "firm_concentration": Cells(
        lambda s, freq, cuts, o: s.engine.concentration_cells(freq, cuts, "firm_id", o)
    ),
    "partner_concentration": Cells(
        lambda s, freq, cuts, o: s.engine.concentration_cells(freq, cuts, "partner", o)
    ),
    "demography": Cells(lambda s, freq, cuts, o: s.engine.demography_cells(freq, cuts, o)),
}
"""The registry's families the suite computes, one query each, in this order (the others,
target and jobs, are `digex.indicators.targets`')."""

__all__ = ["CELLS", "COLUMNS", "TOTAL", "Cells", "Suite"]
