"""The indicator engine: every indicator defined once, as Ibis expressions.

The same expressions compile to DuckDB (the embedded default), PostgreSQL and Spark. Money
stays in integer minor units until the final division, so sums are exact on every backend;
ratios (growth, shares, concentration) are computed from those exact sums.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir

from digex.indicators.cuts import TOTAL, with_member
from digex.indicators.periods import MONTHS, PER_YEAR, label_expr, sub_period

KEYS = ("flow", "ordinal", "member")


@dataclass(frozen=True)
class Sources:
    """The backend and the table names the engine reads."""

    backend: Any
    declarations: str = "current_declarations"
    rates: str = "current_rates"
    minor_units: int = 2


class Engine:
    """Every denominator is guarded with `nullif(0)`: a ratio over zero is undefined (NULL) on
    every backend, where DuckDB alone would return inf and Spark would stop the query."""

    def __init__(self, sources: Sources, years: tuple[int, int] | None = None) -> None:
        self.sources = sources
        self.backend = sources.backend
        self.scale = 10**sources.minor_units
        self.years = years
        self._base: ir.Table | None = None
        self._within: dict[tuple[int, int], Engine] = {}

    def within(self, first_year: int, last_year: int) -> Engine:
        """The same engine reading only these calendar years (pushed down to the scan).

        Growth needs the year before the first period asked for, and year-to-date needs the
        whole year, so callers pass whole years including the previous one.
        """
        # one engine per span, so that every cut of a run shares one materialised base
        key = (first_year, last_year)
        if key not in self._within:
            self._within[key] = Engine(self.sources, key)
        return self._within[key]

    def _in_years(self, t: ir.Table) -> ir.Table:
        if self.years is None:
            return t
        first, last = self.years
        return t.filter(
            (t.period >= ibis.date(first, 1, 1)) & (t.period < ibis.date(last + 1, 1, 1))
        )

    # -- inputs -------------------------------------------------------------------------
    BASE_COLUMNS = ("period", "firm_id", "segment", "partner", "currency", "flow", "value_minor")

    def base(self) -> ir.Table:
        """The declarations the indicators need (years and columns), materialised once.

        Every indicator of a run reads this narrow table instead of scanning the store again;
        `cache()` makes a temporary table on DuckDB and PostgreSQL and a cached frame on Spark.
        """
        if self._base is None:
            t = self._in_years(self.backend.table(self.sources.declarations))
            self._base = t.select(*self.BASE_COLUMNS).cache()
        return self._base

    def declarations(self, freq: str) -> ir.Table:
        t = self.base()
        year = t.period.year()
        sub = sub_period(t.period.month(), freq)
        return t.mutate(year=year, sub=sub, ordinal=year * PER_YEAR[freq] + sub - 1)

    def coverage(self, freq: str) -> ir.Table:
        """Months with any data in each period: a period with fewer is 'incomplete'."""
        t = self.declarations(freq)
        return (
            t.group_by(["ordinal", "year", "sub"])
            .aggregate(months=t.period.nunique())
            .mutate(
                period=label_expr(freq, ibis._.year, ibis._.sub),
                complete=ibis._.months >= MONTHS[freq],
            )
        )

    # -- levels, growth, shares, contributions, year to date ------------------------------
    def levels(self, freq: str, cut: str) -> ir.Table:
        t = with_member(self.declarations(freq), cut)
        return t.group_by(["flow", "ordinal", "member"]).aggregate(
            value_minor=t.value_minor.sum(), firms=t.firm_id.nunique()
        )

    def main(self, freq: str, cut: str) -> ir.Table:
        n = PER_YEAR[freq]
        cov = self.coverage(freq)
        lv = self._with_vanished(self.levels(freq, cut), cov, n)
        tot = self.levels(freq, "total").select("flow", "ordinal", total_minor=ibis._.value_minor)
        lv = lv.join(cov, "ordinal")
        # year to date: cumulative within the calendar year, up to and including the period
        w = ibis.window(group_by=["flow", "member", "year"], order_by="sub", following=0)
        lv = lv.mutate(ytd_minor=lv.value_minor.sum().over(w))
        tot_ytd = (
            tot.join(cov, "ordinal")
            .mutate(
                total_ytd_minor=ibis._.total_minor.sum().over(
                    ibis.window(group_by=["flow", "year"], order_by="sub", following=0)
                )
            )
            .select("flow", "ordinal", "total_minor", "total_ytd_minor")
        )
        # the total a year earlier, for contributions (also for members new this year)
        tot_py = tot_ytd.select("flow", ordinal=tot_ytd.ordinal + n, py_total_minor="total_minor")
        tot_ytd = tot_ytd.left_join(tot_py, ["flow", "ordinal"]).drop("flow_right", "ordinal_right")
        lv = lv.join(tot_ytd, ["flow", "ordinal"])
        prev = lv.select(
            "flow",
            "member",
            ordinal=lv.ordinal + n,
            py_minor=lv.value_minor,
            py_ytd_minor=lv.ytd_minor,
        )
        pp = lv.select("flow", "member", ordinal=lv.ordinal + 1, pp_minor=lv.value_minor)
        r = lv.left_join(prev, list(KEYS)).drop("flow_right", "member_right", "ordinal_right")
        r = r.left_join(pp, list(KEYS)).drop("flow_right", "member_right", "ordinal_right")
        f = r.value_minor.cast("float64")
        return r.mutate(
            level=f / self.scale,
            # growth on a zero level (a member that had vanished) is undefined, not infinite
            growth_yoy=(f / r.py_minor.nullif(0).cast("float64") - 1) * 100,
            growth_pop=(f / r.pp_minor.nullif(0).cast("float64") - 1) * 100,
            share=f / r.total_minor.nullif(0).cast("float64") * 100,
            # a member new this year contributes all its value (its level a year ago was 0)
            contribution=(r.value_minor - r.py_minor.fill_null(0)).cast("float64")
            / r.py_total_minor.nullif(0).cast("float64")
            * 100,
            ytd_level=r.ytd_minor.cast("float64") / self.scale,
            ytd_growth=(r.ytd_minor.cast("float64") / r.py_ytd_minor.nullif(0).cast("float64") - 1)
            * 100,
            avg_per_firm=f / self.scale / r.firms.nullif(0).cast("float64"),
        )

    @staticmethod
    def _with_vanished(lv: ir.Table, cov: ir.Table, n: int) -> ir.Table:
        """Add zero rows for members present a year earlier and absent now.

        Without them a partner that stopped buying would drop out of the period, its negative
        contribution would be lost, and contributions would no longer add up to growth.
        """
        schema = lv.schema()
        shifted = lv.select("flow", "member", ordinal=lv.ordinal + n).semi_join(
            cov.select("ordinal"), "ordinal"
        )
        vanished = shifted.anti_join(lv, list(KEYS)).select(
            "flow",
            "ordinal",
            "member",
            value_minor=ibis.literal(0).cast(schema["value_minor"]),
            firms=ibis.literal(0).cast(schema["firms"]),
        )
        return lv.union(vanished.cast(schema))

    # -- national currency into USD and EUR at the period's average rate ------------------
    def foreign_levels(self, freq: str, cut: str, currencies: tuple[str, ...]) -> ir.Table:
        rates = self._in_years(self.backend.table(self.sources.rates))
        rates = rates.filter(rates.currency.isin(list(currencies)))
        year = rates.period.year()
        sub = sub_period(rates.period.month(), freq)
        avg = (
            rates.mutate(ordinal=year * PER_YEAR[freq] + sub - 1)
            .group_by(["ordinal", "currency"])
            .aggregate(avg_rate=ibis._.rate.cast("float64").mean())
        )
        lv = self.levels(freq, cut)
        j = lv.join(avg, "ordinal")
        return j.mutate(
            value=j.value_minor.cast("float64") / self.scale / j.avg_rate.nullif(0)
        ).select("flow", "ordinal", "member", "currency", "value")

    # -- balance and coverage -----------------------------------------------------------
    def balance(self, freq: str, cut: str) -> ir.Table:
        lv = self.levels(freq, cut)
        x = lv.filter(lv.flow == "X").select("ordinal", "member", x_minor=lv.value_minor)
        m = lv.filter(lv.flow == "M").select("ordinal", "member", m_minor=lv.value_minor)
        j = x.outer_join(m, ["ordinal", "member"])
        j = j.select(
            ordinal=ibis.coalesce(j.ordinal, j.ordinal_right),
            member=ibis.coalesce(j.member, j.member_right),
            x_minor=j.x_minor.fill_null(0),
            m_minor=j.m_minor,
        )
        return j.mutate(
            balance=(j.x_minor - j.m_minor.fill_null(0)).cast("float64") / self.scale,
            coverage=j.x_minor.cast("float64") / j.m_minor.nullif(0).cast("float64") * 100,
        )

    # -- concentration --------------------------------------------------------------------
    def concentration(self, freq: str, cut: str, by: str) -> ir.Table:
        """HHI (0-1) of `by` (firm_id or partner) within each cell, and top-5/10 shares."""
        t = with_member(self.declarations(freq), cut)
        units = t.group_by(["flow", "ordinal", "member", by]).aggregate(v=t.value_minor.sum())
        w = ibis.window(group_by=list(KEYS))
        units = units.mutate(
            cell=units.v.sum().over(w),
            rank=ibis.row_number().over(
                ibis.window(group_by=list(KEYS), order_by=[ibis.desc("v"), by])
            ),
        )
        s = units.v.cast("float64") / units.cell.nullif(0).cast("float64")
        units = units.mutate(s2=s * s, s=s)
        return units.group_by(list(KEYS)).aggregate(
            hhi=units.s2.sum(),
            units=units.count(),
            top5=units.s.sum(where=units["rank"] < 5) * 100,
            top10=units.s.sum(where=units["rank"] < 10) * 100,
        )

    # -- active firms, entries and exits --------------------------------------------------
    def demography(self, freq: str, cut: str) -> ir.Table:
        """Firms with declarations in the period and not in the previous one, and vice versa."""
        t = with_member(self.declarations(freq), cut)
        active = t.select("flow", "ordinal", "member", "firm_id").distinct()
        nxt = active.select("flow", "member", "firm_id", ordinal=active.ordinal + 1)
        cov = self.coverage(freq).select("ordinal")
        both = ["flow", "ordinal", "member", "firm_id"]
        entries = active.anti_join(nxt, both).group_by(list(KEYS)).aggregate(entries=ibis._.count())
        exits = (
            nxt.anti_join(active, both)
            .semi_join(cov, "ordinal")
            .group_by(list(KEYS))
            .aggregate(exits=ibis._.count())
        )
        had_previous = cov.select(ordinal=cov.ordinal + 1)
        cells = active.select(*KEYS).distinct().semi_join(had_previous, "ordinal")
        cells = cells.union(exits.select(*KEYS)).distinct()
        j = cells.left_join(entries, list(KEYS)).drop("flow_right", "ordinal_right", "member_right")
        j = j.left_join(exits, list(KEYS)).drop("flow_right", "ordinal_right", "member_right")
        return j.mutate(entries=j.entries.fill_null(0), exits=j.exits.fill_null(0))


__all__ = ["TOTAL", "Engine", "Sources"]
