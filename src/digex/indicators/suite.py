"""The indicator suite: every indicator for a frequency and its cuts, as one tidy table.

One row per indicator x flow x cut member x period, with unit, unit multiplier and the two
status attributes of `digex.indicators.status` (each figure's from the periods it reads).
Only the small per-cell results leave the backend, as Arrow tables that
`digex.indicators.shape` turns into the tidy rows; everything that touches declarations runs in
the backend. All the cuts of a run are computed by the same queries (a `cut` column tells them
apart): with six cuts that is seven queries per frequency instead of about forty, which is what
the suite's time was spent on (compiling and running a query per cut and indicator).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np

from digex.indicators import shape
from digex.indicators import status as st
from digex.indicators.columns import COLUMNS as _COLUMNS
from digex.indicators.cuts import TOTAL, check_cut, installed_mappings
from digex.indicators.engine import Engine
from digex.indicators.periods import Period
from digex.indicators.registry import Registry, RegistryError
from digex.indicators.registry import registry as _packaged

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pandas as pd
    import pyarrow as pa

    from digex.indicators import plans

COLUMNS: Final = list(_COLUMNS)
NET: Final = "N"
"""The flow of the balance family's rows (exports minus imports)."""


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
        reach = [t.column("ordinal") for f, _ in families if (t := frames[f]).num_rows]
        # the store's declarations carry no observation status of their own: normal (A)
        status = shape.spans(
            cov.column("ordinal").to_numpy(),
            cov.column("complete").to_numpy(zero_copy_only=False),
            np.full(cov.num_rows, st.obs_rank(st.NORMAL.value)),
            freq,
            reach=np.concatenate([c.to_numpy() for c in reach]) if reach else (),
        )
        parts = [
            shape.Family(
                frames[family],
                self.registry.family(family, freq),
                CELLS[family].flow,
                CELLS[family].per_currency,
            )
            for family, _ in families
        ]
        return shape.tidy(parts, status, freq, cuts, flows, wanted, self.nc)

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
    ) -> dict[str, pa.Table]:
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
        return plans.run_arrow(con, plan, years, sorted(wanted or ()), mappings)

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
    ) -> dict[str, pa.Table]:
        """`_frames` by executing each query with Ibis (materialising with `cache()`); the
        frames Ibis gives, as Arrow tables."""
        import pyarrow as pa

        if years is not None:
            engine = engine.within(*years)
        suite = Suite(engine, self.nc, self.registry)
        out = {"coverage": engine.coverage(freq).execute()}
        for family, cuts in families:
            out[family] = suite.cells(family, freq, cuts, wanted).execute()
        return {k: pa.Table.from_pandas(v, preserve_index=False) for k, v in out.items()}


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
