"""The indicator engine: every indicator defined once, as Ibis expressions.

The same expressions compile to DuckDB (the embedded default), PostgreSQL and Spark. Money
stays in integer minor units until the final division, so sums are exact on every backend;
ratios (growth, shares, concentration) are computed from those exact sums.

Every indicator is a function of two things only: sums of `value_minor` and the set of firms
present in a cell (counts, entries, exits, firm concentration), plus the months with data
(coverage). So the declarations are reduced once per frequency to *firm cells* (one row per
flow x period x cut x member x firm with its exact sum), materialised, and every indicator
reads those; all the cuts of a run are row groups of the same tables, so one query computes an
indicator for every cut asked. On a 10M-row store this took the full suite (six cuts, two
frequencies) from about 80 queries to 20, and from minutes of scans to seconds.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from digex.indicators import firms
from digex.indicators.cuts import ALL_CUTS, CROSS_CUTS, TOTAL, Mappings, check_cut, with_member
from digex.indicators.periods import MONTHS, PER_YEAR, label_expr, sub_period
from digex.store.tables import PORTABLE

if TYPE_CHECKING:  # Ibis is imported where an expression is built: a compiled plan needs none
    import ibis
    import ibis.expr.types as ir
    import pandas as pd

    from digex.indicators import plans
    from digex.indicators.plans import Recorder

KEYS = firms.KEYS
CELL = ("flow", "cut", "member")
TOTAL_CUT = "total"
RATE_SUM: Final = "decimal(38, 8)"
"""The sum of a period's rates (stored as DECIMAL(18, 8)), exact on every backend."""
DERIVED: Final = {"total": "segment", "ebops": "segment", "region": "partner"}
"""Cuts whose member is a function of another cut's member: they are summed from that
cut's (ten to thirty times smaller) cells instead of from the declarations. The cross cuts
are summed from one table of segment x partner sums (`Engine._per_cut`)."""


@dataclass(frozen=True)
class Sources:
    """The backend and the table names the engine reads (named by `digex.store.tables`: by
    default the portable names every backend holds; `Store.snapshot().sources` gives a store's
    own)."""

    backend: Any
    """The Ibis backend; None when `connection` is given, the engine then makes one on that
    connection when it first builds an expression (a compiled plan needs none)."""
    declarations: str = PORTABLE.declarations
    rates: str = PORTABLE.rates
    minor_units: int = field(kw_only=True)
    auxiliary: str = PORTABLE.auxiliary
    mappings: Mappings | None = field(default=None, kw_only=True)
    """The code list correspondences the EBOPS and region cuts read (None: the installed)."""
    connection: Any = field(default=None, kw_only=True)
    """The DuckDB connection (a store's cursor) the tables are read on, if they are: the suite
    then runs its compiled SQL there (`digex.indicators.plans`)."""


def _zeros(schema: ibis.Schema) -> dict[str, ir.Value]:
    """A zero of its type for every column of `schema` but the cell's keys."""
    import ibis

    return {c: ibis.literal(0).cast(t) for c, t in schema.items() if c not in KEYS}


def _right(*names: str) -> list[str]:
    return [f"{n}_right" for n in names]


class Engine:
    """Every denominator is guarded with `nullif(0)`: a ratio over zero is undefined (NULL) on
    every backend, where DuckDB alone would return inf and Spark would stop the query.

    Methods named for one cut (`main(freq, cut)`) return that cut's rows; methods named
    `*_cells(freq, cuts)` return every cut asked in one table with a `cut` column.
    """

    def __init__(
        self,
        sources: Sources,
        years: tuple[int, int] | None = None,
        *,
        recorder: Recorder | None = None,
        _tables: dict[str, ir.Table] | None = None,
        _backend: list[Any] | None = None,
    ) -> None:
        """`recorder`: compile what the engine materialises into a plan's statements instead
        of materialising it (`digex.indicators.plans`; DuckDB)."""
        self.sources = sources
        # shared with the engines of its years: the backend made once, when first needed
        self._backend = [sources.backend] if _backend is None else _backend
        self.scale = 10**sources.minor_units
        self.years = years
        self.recorder = recorder
        self._base: ir.Table | None = None
        self._within: dict[tuple[int, int], Engine] = {}
        self._cached: dict[tuple[str, ...], ir.Table] = {}
        self._tables = {} if _tables is None else _tables

    @property
    def backend(self) -> Any:
        """The Ibis backend, made on the sources' DuckDB connection when they give none."""
        if self._backend[0] is None:
            import ibis

            from digex.store.tables import ibis_made

            ibis_made()
            self._backend[0] = ibis.duckdb.from_connection(self.sources.connection)
        return self._backend[0]

    def frame(
        self,
        name: str,
        build: Callable[[Engine], ir.Table],
        *,
        years: tuple[int, int] | None = None,
        described: Mapping[str, str] | None = None,
    ) -> pd.DataFrame:
        """The rows of the query `build` makes on the engine of `years` (None: this engine's).

        On a store's DuckDB connection the query runs as compiled SQL (`digex.indicators.plans`),
        compiled by Ibis once: `name` and `described` must name everything `build` writes into
        it besides the years and the engine's sources (e.g. the series it filters on)."""
        years = self.years if years is None else years

        def through_ibis() -> pd.DataFrame:
            engine = self if years is None or years == self.years else self.within(*years)
            frame: pd.DataFrame = build(engine).execute()
            return frame

        con = self.sources.connection
        if con is None:
            return through_ibis()
        from digex.indicators import plans
        from digex.indicators.cuts import installed_mappings

        mappings = self.sources.mappings or installed_mappings()
        key = self.read(name, years=years is not None, described=described).key()
        plan = plans.find(key)
        if plan is None:
            recorder = plans.Recorder(self.backend)
            sentinel = None if years is None else (plans.FIRST_YEAR, plans.LAST_YEAR)
            engine = Engine(
                self.sources,
                sentinel,
                recorder=recorder,
                _tables=self._tables,
                _backend=self._backend,
            )
            recorder.query(name, build(engine))
            plan = recorder.plan(key, years=years is not None, periods=0)
            if plan is None:  # not expressible with placeholders: Ibis runs it as it is
                return through_ibis()
            plans.keep(plan)
        return plans.run(con, plan, years, (), mappings)[name]

    def read(
        self, name: str, *, years: bool = False, described: Mapping[str, str] | None = None
    ) -> plans.Read:
        """What the compiled text of the query `frame` names `name` depends on."""
        from digex.indicators import plans
        from digex.indicators.cuts import installed_mappings

        return plans.Read(
            name=name,
            years=years,
            described=tuple(sorted((described or {}).items())),
            tables=(self.sources.declarations, self.sources.rates, self.sources.auxiliary),
            minor_units=self.sources.minor_units,
            mappings=plans.mappings_digest(self.sources.mappings or installed_mappings()),
        )

    def table(self, name: str) -> ir.Table:
        """The backend's table `name`, looked up once per engine (and the engines of its
        years): each lookup asks the backend for the schema and parses every column's type,
        9 % of a small suite's time when done for each query."""
        if name not in self._tables:
            self._tables[name] = self.backend.table(name)
        return self._tables[name]

    def within(self, first_year: int, last_year: int) -> Engine:
        """The same engine reading only these calendar years (pushed down to the scan).

        Growth needs the year before the first period asked for, and year-to-date needs the
        whole year, so callers pass whole years including the previous one.
        """
        # one engine per span, so that every cut of a run shares the materialised tables
        key = (first_year, last_year)
        if key not in self._within:
            self._within[key] = Engine(
                self.sources,
                key,
                recorder=self.recorder,
                _tables=self._tables,
                _backend=self._backend,
            )
        return self._within[key]

    def _in_years(self, t: ir.Table) -> ir.Table:
        import ibis

        if self.years is None:
            return t
        first, last = self.years
        return t.filter(
            (t.period >= ibis.date(first, 1, 1)) & (t.period < ibis.date(last + 1, 1, 1))
        )

    def _cache(self, key: tuple[str, ...], build: Any) -> ir.Table:
        """Materialise once per engine: `cache()` makes a temporary table on DuckDB and
        PostgreSQL and a cached frame on Spark, so later queries read the small result."""
        if key not in self._cached:
            expr = build()
            if self.recorder is not None:
                self._cached[key] = self.recorder.materialise(expr)
                return self._cached[key]
            # ibis 12's PySpark backend caches a query without first registering the
            # in-memory tables it reads (the codelist mappings of the EBOPS and region cuts),
            # and Spark then cannot find them: register them as an execution would
            register = getattr(self.backend, "_run_pre_execute_hooks", None)
            if register is not None:
                register(expr)
            self._cached[key] = expr.cache()
        return self._cached[key]

    @staticmethod
    def cuts_with_total(cuts: Sequence[str]) -> tuple[str, ...]:
        """The cuts asked, in canonical order, with the total that shares divide by."""
        wanted = {check_cut(c) for c in cuts} | {TOTAL_CUT}
        return tuple(c for c in ALL_CUTS if c in wanted)

    # -- inputs -------------------------------------------------------------------------
    BASE_COLUMNS = ("period", "firm_id", "segment", "partner", "currency", "flow", "value_minor")

    def base(self) -> ir.Table:
        """The declarations (years and columns), materialised once, for the row-level checks."""
        if self._base is None:
            t = self._in_years(self.table(self.sources.declarations))
            self._base = t.select(*self.BASE_COLUMNS).cache()
        return self._base

    def declarations(self, freq: str) -> ir.Table:
        t = self.base()
        year = t.period.year()
        sub = sub_period(t.period.month(), freq)
        return t.mutate(year=year, sub=sub, ordinal=year * PER_YEAR[freq] + sub - 1)

    def _ordinal(self, t: ir.Table, freq: str) -> ir.IntegerValue:
        return t.period.year() * PER_YEAR[freq] + sub_period(t.period.month(), freq) - 1

    def coverage(self, freq: str) -> ir.Table:
        """Months with any data in each period: a period with fewer is 'incomplete'."""
        import ibis

        def build() -> ir.Table:
            t = self._in_years(self.table(self.sources.declarations)).select("period")
            months = t.distinct()
            year = months.period.year()
            sub = sub_period(months.period.month(), freq)
            return (
                months.group_by(ordinal=year * PER_YEAR[freq] + sub - 1, year=year, sub=sub)
                .aggregate(months=ibis._.count())
                .mutate(
                    period=label_expr(freq, ibis._.year, ibis._.sub),
                    complete=ibis._.months >= MONTHS[freq],
                )
            )

        return self._cache(("coverage", freq), build)

    def rows(self, freq: str) -> ir.Table:
        """The declarations of the years, with their period's ordinal (not materialised).

        Each cut's firm cells are aggregated straight from here: a hash aggregation's cost
        follows its number of groups, and one pre-aggregation to the finest grain every cut
        needs (firm x segment x partner x currency, 1.1M groups a year on a 10M-row store) cost
        more than the three per-cut aggregations it was meant to save.
        """
        t = self._in_years(self.table(self.sources.declarations))
        return t.mutate(ordinal=self._ordinal(t, freq))

    def _per_cut(self, rows: ir.Table, cuts: Sequence[str], by: str) -> ir.Table:
        """Sums per flow x period x cut x member x `by`, every cut stacked in one table."""
        import ibis

        derived = {c: s for c, s in DERIVED.items() if c in cuts and s != by}
        direct: dict[str, ir.Table] = {}
        for cut in sorted({derived.get(c, c) for c in cuts if c not in CROSS_CUTS}):
            t = with_member(rows, cut, self.sources.mappings)
            direct[cut] = t.group_by("flow", "ordinal", "member", by).aggregate(
                value_minor=t.value_minor.sum()
            )
        pairs = None
        if any(c in CROSS_CUTS for c in cuts):
            # both cross cuts from one aggregation to segment x partner (x `by`)
            keys = list(dict.fromkeys(("flow", "ordinal", "segment", "partner", by)))
            pairs = rows.group_by(keys).aggregate(value_minor=rows.value_minor.sum())
        parts = []
        for cut in cuts:
            if cut in direct:
                t = direct[cut]
            elif pairs is not None and cut in CROSS_CUTS:
                t = with_member(pairs, cut, self.sources.mappings)
                t = t.group_by("flow", "ordinal", "member", by).aggregate(
                    value_minor=t.value_minor.sum()
                )
            else:
                source = derived[cut]
                t = with_member(
                    direct[source].rename({source: "member"}), cut, self.sources.mappings
                )
                t = t.group_by("flow", "ordinal", "member", by).aggregate(
                    value_minor=t.value_minor.sum()
                )
            parts.append(t.mutate(cut=ibis.literal(cut)).select(*KEYS, by, "value_minor"))
        # a cut's member may be a NOT NULL column or a literal: one schema for every part
        schema = ibis.schema({n: t.copy(nullable=True) for n, t in parts[0].schema().items()})
        return ibis.union(*(p.cast(schema) for p in parts), distinct=False)

    def firm_cell_sums(self, freq: str, cuts: Sequence[str]) -> ir.Table:
        """Each firm's sum in each cell of the cuts (and the total): one row per firm present,
        so counting rows counts firms, and concentration and demography read them directly."""
        return self._per_cut(self.rows(freq), self.cuts_with_total(cuts), "firm_id")

    def firm_cells(self, freq: str, cuts: Sequence[str]) -> ir.Table:
        """`firm_cell_sums`, materialised once per engine and frequency (a run that already
        has a superset of the cuts reads that one)."""
        wanted = self.cuts_with_total(cuts)
        for (kind, f, *have), table in self._cached.items():
            if kind == "firm_cells" and f == freq and set(wanted) <= set(have):
                return table if tuple(have) == wanted else table.filter(table.cut.isin(wanted))
        return self._cache(("firm_cells", freq, *wanted), lambda: self.firm_cell_sums(freq, wanted))

    # -- levels, growth, shares, contributions, year to date ------------------------------
    def level_cells(self, freq: str, cuts: Sequence[str]) -> ir.Table:
        import ibis

        wanted = self.cuts_with_total(cuts)

        def build() -> ir.Table:
            t = self.firm_cells(freq, wanted)
            return t.group_by(*KEYS).aggregate(
                value_minor=t.value_minor.sum(), firms=ibis._.count()
            )

        return self._cache(("levels", freq, *wanted), build)

    def levels(self, freq: str, cut: str) -> ir.Table:
        return _one(self.level_cells(freq, (cut,)), cut)

    def main_cells(self, freq: str, cuts: Sequence[str]) -> ir.Table:
        import ibis

        n = PER_YEAR[freq]
        cov = self.coverage(freq)
        levels = self.level_cells(freq, cuts)
        lv = self._with_earlier_in_year(self._with_vanished(levels, cov, n), cov)
        lv = lv.join(cov, "ordinal")
        # year to date: cumulative within the calendar year, up to and including the period
        # (every member has a row in every period after its first of the year, see above)
        w = ibis.window(group_by=[*CELL, "year"], order_by="sub", following=0)
        lv = lv.mutate(ytd_minor=lv.value_minor.sum().over(w))
        tot = lv.filter(lv.cut == TOTAL_CUT).select(
            "flow", "ordinal", total_minor="value_minor", total_ytd_minor="ytd_minor"
        )
        # the total a year earlier, for contributions (also for members new this year)
        tot_py = tot.select("flow", ordinal=tot.ordinal + n, py_total_minor="total_minor")
        tot = tot.left_join(tot_py, ["flow", "ordinal"]).drop(*_right("flow", "ordinal"))
        lv = lv.join(tot, ["flow", "ordinal"])
        prev = lv.select(
            *CELL,
            ordinal=lv.ordinal + n,
            py_minor=lv.value_minor,
            py_ytd_minor=lv.ytd_minor,
        )
        pp = lv.select(*CELL, ordinal=lv.ordinal + 1, pp_minor=lv.value_minor)
        r = lv.left_join(prev, list(KEYS)).drop(*_right(*KEYS))
        r = r.left_join(pp, list(KEYS)).drop(*_right(*KEYS))
        f = r.value_minor.cast("float64")
        return r.mutate(
            level=f / self.scale,
            # growth on a zero level (a member that had vanished) is undefined, not infinite
            growth_yoy=_percent(r.value_minor - r.py_minor, r.py_minor),
            growth_pop=_percent(r.value_minor - r.pp_minor, r.pp_minor),
            share=_percent(r.value_minor, r.total_minor),
            # a member new this year contributes all its value (its level a year ago was 0)
            contribution=_percent(r.value_minor - r.py_minor.fill_null(0), r.py_total_minor),
            ytd_level=r.ytd_minor.cast("float64") / self.scale,
            ytd_growth=_percent(r.ytd_minor - r.py_ytd_minor, r.py_ytd_minor),
            avg_per_firm=f / self.scale / r.firms.nullif(0).cast("float64"),
        )

    def main(self, freq: str, cut: str) -> ir.Table:
        return _one(self.main_cells(freq, (cut,)), cut)

    def member_levels(self, freq: str, cuts: Sequence[str]) -> ir.Table:
        """Each member's LEVEL per period, as `main_cells` gives it (the same zero rows for a
        member that vanished or paused within its year, the same division), with the
        period's label and whether it is complete; summed straight from the declarations.

        A long series of a few single cuts (the seasonal adjustment's years of months of the
        total and the segments) needs no firm cells: one aggregation instead of the suite's
        six families over every firm, 3.5 s -> a fraction of it at 10M rows."""
        import ibis

        rows = self.rows(freq)
        parts = []
        for cut in cuts:
            if check_cut(cut) in CROSS_CUTS:
                raise ValueError(f"member_levels reads single cuts, not {cut}")
            t = with_member(rows, cut, self.sources.mappings)
            t = t.group_by("flow", "ordinal", "member").aggregate(value_minor=t.value_minor.sum())
            parts.append(t.mutate(cut=ibis.literal(cut)).select(*KEYS, "value_minor"))
        schema = ibis.schema({n: t.copy(nullable=True) for n, t in parts[0].schema().items()})
        lv = ibis.union(*(p.cast(schema) for p in parts), distinct=False)
        cov = self.coverage(freq)
        lv = self._with_earlier_in_year(self._with_vanished(lv, cov, PER_YEAR[freq]), cov)
        lv = lv.join(cov.select("ordinal", "period", "complete"), "ordinal")
        return lv.mutate(level=lv.value_minor.cast("float64") / self.scale)

    @staticmethod
    def _with_vanished(lv: ir.Table, cov: ir.Table, n: int) -> ir.Table:
        """Add zero rows for members present a year earlier and absent now.

        Without them a partner that stopped buying would drop out of the period, its negative
        contribution would be lost, and contributions would no longer add up to growth.
        """
        schema = lv.schema()
        shifted = lv.select(*CELL, ordinal=lv.ordinal + n).semi_join(
            cov.select("ordinal"), "ordinal"
        )
        vanished = shifted.anti_join(lv, list(KEYS)).select(*KEYS, **_zeros(schema))
        return lv.union(vanished.cast(schema))

    @staticmethod
    def _with_earlier_in_year(lv: ir.Table, cov: ir.Table) -> ir.Table:
        """Add zero rows, in every later period of the year with data, for members that had
        declarations earlier in the year and none in that period.

        Year to date is a running sum over the year: without these rows a member's
        year-to-date level (and its growth) would vanish in a period where it happens to have
        no declarations, and the members' year-to-date levels would no longer add up to the
        total's. A year earlier the same rows keep the comparison year's year to date.
        """
        schema = lv.schema()
        periods = cov.select("ordinal", "year", "sub")
        dated = lv.join(periods, "ordinal")
        first = dated.group_by(*CELL, "year").aggregate(first=dated["sub"].min())
        later = first.join(periods, "year")
        later = later.filter(later["sub"] > later["first"])
        missing = later.select(*CELL, "ordinal").anti_join(lv, list(KEYS))
        return lv.union(missing.select(*KEYS, **_zeros(schema)).cast(schema))

    # -- national currency into USD and EUR at the period's average rate ------------------
    def foreign_cells(
        self, freq: str, cuts: Sequence[str], currencies: tuple[str, ...]
    ) -> ir.Table:
        import ibis

        rates = self._in_years(self.table(self.sources.rates))
        rates = rates.filter(rates.currency.isin(list(currencies)))
        avg = (
            rates.mutate(ordinal=self._ordinal(rates, freq))
            .group_by(["ordinal", "currency"])
            # the mean from an exact DECIMAL sum, divided once: a mean of doubles depends on
            # the order the engine's threads add them (last bits differed run to run)
            .aggregate(rate_sum=ibis._.rate.cast(RATE_SUM).sum(), n=ibis._.count())
        )
        avg = avg.select(
            "ordinal",
            "currency",
            avg_rate=avg.rate_sum.cast("float64") / avg.n.cast("float64"),
        )
        lv = self.level_cells(freq, cuts)
        j = lv.join(avg, "ordinal")
        return j.mutate(
            value=j.value_minor.cast("float64") / self.scale / j.avg_rate.nullif(0)
        ).select(*KEYS, "currency", "value")

    def foreign_levels(self, freq: str, cut: str, currencies: tuple[str, ...]) -> ir.Table:
        return _one(self.foreign_cells(freq, (cut,), currencies), cut)

    # -- balance and coverage -----------------------------------------------------------
    def balance_cells(self, freq: str, cuts: Sequence[str]) -> ir.Table:
        import ibis

        lv = self.level_cells(freq, cuts)
        on = ["ordinal", "cut", "member"]
        x = lv.filter(lv.flow == "X").select(*on, x_minor=lv.value_minor)
        m = lv.filter(lv.flow == "M").select(*on, m_minor=lv.value_minor)
        j = x.outer_join(m, on)
        j = j.select(
            ordinal=ibis.coalesce(j.ordinal, j.ordinal_right),
            cut=ibis.coalesce(j.cut, j.cut_right),
            member=ibis.coalesce(j.member, j.member_right),
            x_minor=j.x_minor.fill_null(0),
            m_minor=j.m_minor,
        )
        return j.mutate(
            balance=(j.x_minor - j.m_minor.fill_null(0)).cast("float64") / self.scale,
            coverage=j.x_minor.cast("float64") / j.m_minor.nullif(0).cast("float64") * 100,
        )

    def balance(self, freq: str, cut: str) -> ir.Table:
        return _one(self.balance_cells(freq, (cut,)), cut)

    # -- concentration --------------------------------------------------------------------
    def concentration_cells(
        self, freq: str, cuts: Sequence[str], by: str, ordinals: Collection[int] | None = None
    ) -> ir.Table:
        """HHI (0-1) of `by` (firm_id or partner) within each cell, and top-5/10 shares.

        `ordinals` limits the work to the periods asked: unlike growth, concentration needs
        no other period.
        """
        if by == "firm_id":
            units = self.firm_cells(freq, cuts)
            units = units.filter(units.cut.isin(list(cuts)))
        else:
            rows = self.rows(freq)
            rows = rows.group_by("flow", "ordinal", "segment", "partner", "currency").aggregate(
                value_minor=rows.value_minor.sum()
            )
            units = self._per_cut(rows, cuts, by)
        if ordinals is not None:
            units = units.filter(units.ordinal.isin(sorted(ordinals)))
        return firms.concentration(units, by)

    def concentration(self, freq: str, cut: str, by: str) -> ir.Table:
        return _one(self.concentration_cells(freq, (cut,), by), cut)

    # -- active firms, entries and exits --------------------------------------------------
    def demography_cells(
        self, freq: str, cuts: Sequence[str], ordinals: Collection[int] | None = None
    ) -> ir.Table:
        """Entries and exits; `ordinals` limits the work to the periods asked."""
        return firms.demography(
            self.firm_cells(freq, cuts),
            self.level_cells(freq, cuts),
            self.coverage(freq),
            ordinals,
        )

    def demography(self, freq: str, cut: str) -> ir.Table:
        return _one(self.demography_cells(freq, (cut,)), cut)


def _percent(numerator: ir.IntegerValue, denominator: ir.IntegerValue) -> ir.FloatingValue:
    """`numerator / denominator` in per cent, from exact integers with a single rounding.

    The numerator is multiplied by 100 as an integer, so the one float division gives the
    double nearest the exact ratio (both sides below 2^53); `(a / b - 1) * 100` rounded three
    times and could land an exact 2.25 % on 2.2499999999999964. A zero denominator gives NULL.
    """
    return (numerator * 100).cast("float64") / denominator.nullif(0).cast("float64")


def _one(cells: ir.Table, cut: str) -> ir.Table:
    """One cut's rows, as the single-cut methods have always returned them (no cut column)."""
    return cells.filter(cells.cut == cut).drop("cut")


__all__ = ["TOTAL", "Engine", "Sources"]
