"""Progress toward national targets, and the auxiliary jobs series.

A target (from the country profile) is compared with the latest *complete* year: a partial year
would understate the level. The growth needed is the compound annual rate that takes the latest
complete level to the target in the target's year; the growth achieved is the same rate measured
from the target's base year.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Final

import numpy as np
import pandas as pd

from digex.errors import ProfileError
from digex.indicators import status as st
from digex.indicators.consistency import CheckResult
from digex.indicators.engine import Engine
from digex.indicators.registry import (
    NATIONAL_CURRENCY,
    Indicator,
    Registry,
    RegistryError,
    registry,
)
from digex.indicators.suite import COLUMNS
from digex.profile import CountryProfile, Target

if TYPE_CHECKING:
    import ibis.expr.types as ir

JOBS_SERIES = "JOBS"
FAMILIES: Final = ("target", "jobs", "series")
"""The registry's families computed apart from the suite: here, and the auxiliary aggregate
series in `digex.indicators.auxiliary` (with `tidy_rows` from here)."""


def annual_exports(engine: Engine) -> pd.Series:
    """Exports of complete years, by year (national currency units)."""
    frame = engine.main("A", "total").execute()
    frame = frame[(frame["flow"] == "X") & frame["complete"]]
    return pd.Series(frame.set_index("year")["level"].sort_index())


def jobs(engine: Engine) -> pd.DataFrame:
    """Jobs by year and segment; the total is the '_T' row, or the sum of segments."""
    frame = jobs_rows(engine)
    if frame.empty:
        return frame
    segs = frame[frame["segment"] != "_T"]
    have_total = set(frame.loc[frame["segment"] == "_T", "year"])
    sums = pd.DataFrame(
        segs[~segs["year"].isin(have_total)].groupby("year", as_index=False)["value"].sum()
    )
    sums["segment"] = "_T"
    both = pd.concat([frame, sums], ignore_index=True)
    return both.sort_values(["year", "segment"], ignore_index=True)


def _cagr(start: float, end: float, years: int) -> float | None:
    if years <= 0 or start <= 0 or end <= 0:
        return None
    return float(((end / start) ** (1 / years) - 1) * 100)


def _single(i: Indicator, name: str, values: tuple[str, ...]) -> str:
    """The one value an indicator's cells all have when they do not say it themselves."""
    if len(values) != 1:
        raise RegistryError(
            f"{i.id}: its cells carry no {name}, so its entry must list one, not {list(values)}"
        )
    return values[0]


def tidy_rows(
    family: str,
    cells: pd.DataFrame,
    nc: str,
    units: Mapping[str, str] | None = None,
    definitions: Registry | None = None,
) -> pd.DataFrame:
    """The tidy rows of a family the suite does not compute (targets, jobs), from `cells`: one
    row per cell with `period`, `cut`, `member` (and `freq`, `flow` unless the registry gives
    the indicator a single one) and a column per indicator, named as the registry says; a
    missing value gives no row. These series have no status of their own to inherit
    (auxiliary data, a target): normal and complete. `units` overrides an indicator's unit (a
    jobs target's level is in jobs, not in currency). `definitions`: the registry the family
    is read from (the installed one if None)."""
    indicators = (definitions or registry()).family(family)
    parts = []
    for i in indicators:
        if i.column not in cells.columns:
            raise RegistryError(f"{i.id}: the {family} cells have no column {i.column!r}")
        rows = cells[cells[i.column].notna()]
        parts.append(
            pd.DataFrame(
                {
                    "indicator": i.id,
                    "freq": rows["freq"] if "freq" in rows else _single(i, "freq", i.freqs),
                    "period": rows["period"],
                    "cut": rows["cut"],
                    "member": rows["member"],
                    "flow": rows["flow"] if "flow" in rows else _single(i, "flow", i.flows),
                    "value": rows[i.column].astype("float64"),
                    "unit": (units or {}).get(i.id, i.unit_code(nc)),
                    "unit_mult": 0,
                    "obs_status": st.NORMAL.value,
                    "completeness": st.COMPLETE.value,
                },
                index=rows.index,
                columns=COLUMNS,
            )
        )
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    # cell by cell, each cell's indicators in the registry's order
    out = pd.concat(parts).sort_index(kind="stable")
    return pd.DataFrame(out[COLUMNS]).reset_index(drop=True)


def progress_rows(target: Target, series: pd.Series, nc: str, flow: str) -> pd.DataFrame:
    """The progress indicators (the registry's `target` family) of one target against an
    annual series."""
    if series.empty:
        return pd.DataFrame(columns=COLUMNS)
    latest = int(series.index.max())
    level = float(series.loc[latest])
    cells: dict[str, object] = {
        "period": str(latest),
        "cut": "target",
        "member": target.id,
        "flow": flow,
        "level": level,
        "gap": float(target.value) - level,
        "progress": level / float(target.value) * 100,
        "cagr_needed": _cagr(level, float(target.value), target.year - latest),
        "cagr_achieved": None,
    }
    if target.base_year is not None and target.base_year in series.index:
        base = float(series.loc[target.base_year])
        cells["cagr_achieved"] = _cagr(base, level, latest - target.base_year)
    # a jobs target's level and gap are in jobs: what is in national currency for a target in
    # it is in the target's unit
    units = {
        i.id: target_unit(target, nc)
        for i in registry().family("target")
        if i.unit == NATIONAL_CURRENCY
    }
    frame = pd.DataFrame([cells]).astype({"cagr_needed": "float64", "cagr_achieved": "float64"})
    return tidy_rows("target", frame, nc, units)


def target_unit(target: Target, nc: str) -> str:
    """The unit of a target's national-currency indicators' rows (level, gap): the national
    currency's code, or a unit of the registry (JOBS), whose presentation a table then uses.
    The registry's code is matched whatever its case: profiles recorded in stores before the
    units were the registry's wrote `jobs`."""
    if target.unit == nc:
        return nc
    codes = {code.casefold(): code for code in registry().units if code != NATIONAL_CURRENCY}
    found = codes.get(target.unit.casefold())
    if found is None:
        raise ProfileError(
            f"target {target.id}: unit {target.unit!r} is neither the national currency ({nc}) "
            f"nor a unit of the indicator registry ({', '.join(codes.values())})"
        )
    return found


def target_indicators(engine: Engine, profile: CountryProfile) -> pd.DataFrame:
    nc = profile.national_currency
    exports = annual_exports(engine)
    job_frame = jobs(engine)
    job_total = (
        job_frame[job_frame["segment"] == "_T"].set_index("year")["value"].astype("float64")
        if not job_frame.empty
        else pd.Series(dtype="float64")
    )
    parts = [pd.DataFrame(columns=COLUMNS)]
    for target in profile.targets:
        if target.measure == "exports":
            parts.append(progress_rows(target, exports, nc, "X"))
        elif target.measure == "jobs":
            parts.append(progress_rows(target, job_total.sort_index(), nc, "_Z"))
    return pd.concat([p for p in parts if not p.empty] or parts, ignore_index=True)


def jobs_indicators(
    engine: Engine,
    profile: CountryProfile,
    years: Collection[int] | None = None,
    definitions: Registry | None = None,
) -> pd.DataFrame:
    """JOBS by year and segment, and EXPORTS_PER_JOB where the year's exports are complete;
    only for `years` when given.

    Limiting the years limits the exports computed for them: the engine then reads those years
    (and the one before, the span the suite reads for growth, whose tables it reuses) instead
    of every year in the store.
    """
    job_frame = jobs(engine)
    span = None
    if years is not None:
        job_frame = job_frame[job_frame["year"].isin(set(years))]
        span = (min(years) - 1, max(years)) if not job_frame.empty else None
    if job_frame.empty:
        return pd.DataFrame(columns=COLUMNS)
    levels = engine.frame("jobs_levels", jobs_levels_query, years=span)
    levels = levels[(levels["flow"] == "X") & levels["complete"]]
    merged = job_frame.merge(
        levels[["year", "member", "level"]],
        left_on=["year", "segment"],
        right_on=["year", "member"],
        how="left",
    )
    segment = merged["segment"].astype(str)
    jobs_value = merged["value"].astype("float64")
    level = merged["level"].astype("float64")
    cells = pd.DataFrame(
        {
            "period": merged["year"].astype(str),
            "cut": np.where(segment == "_T", "total", "segment"),
            "member": segment,
            "jobs": jobs_value,
            # where the year's exports are complete and there are jobs to divide by
            "exports_per_job": (level / jobs_value).where(level.notna() & (jobs_value != 0)),
        }
    )
    return tidy_rows("jobs", cells, profile.national_currency, definitions=definitions)


def jobs_add_up(engine: Engine) -> CheckResult:
    """A year's jobs by segment add up to its total ('_T'), where both were given.

    A later jobs file replaces the rows it holds, by (year, segment): correcting one segment
    without the total (or the total alone) leaves a year whose parts and total disagree, which
    this reports rather than choosing one of them.
    """
    name = "jobs by segment add up to the total"
    frame = jobs_rows(engine)
    if frame.empty:
        return CheckResult(name, True, "no jobs loaded")
    parts = frame[frame["segment"] != "_T"].groupby("year")["value"].sum()
    totals = frame[frame["segment"] == "_T"].set_index("year")["value"]
    both = pd.concat([parts.rename("parts"), totals.rename("total")], axis=1, join="inner")
    bad = both[both["parts"] != both["total"]]
    if both.empty:
        return CheckResult(name, True, "no year has both segments and a total")
    if bad.empty:
        return CheckResult(name, True, f"{len(both)} year(s) exact")
    years = "; ".join(
        f"{y}: segments {p:,}, total {t:,}"
        for y, p, t in zip(
            bad.index.astype(int), bad["parts"].astype(int), bad["total"].astype(int), strict=True
        )
    )
    return CheckResult(name, False, f"{len(bad)} year(s) differ ({years})")


def jobs_rows(engine: Engine) -> pd.DataFrame:
    """The jobs rows as loaded (segments and, where given, the total), without the totals
    `jobs` derives for years that have none."""
    table = engine.sources.auxiliary
    # a store always has the view; another backend's tables may lack it
    if engine.sources.connection is None and table not in engine.backend.list_tables():
        return pd.DataFrame(columns=pd.Index(["year", "segment", "value"]))

    return engine.frame("jobs_rows", jobs_rows_query)


def jobs_rows_query(engine: Engine) -> ir.Table:
    """The query of `jobs_rows` (compiled once on DuckDB, `Engine.frame`)."""
    aux = engine.table(engine.sources.auxiliary)
    return aux.filter(aux.series == JOBS_SERIES).select("year", "segment", "value")


def jobs_levels_query(engine: Engine) -> ir.Table:
    """The exports' levels the jobs are compared with: the segments' rows and the total's."""
    return engine.main_cells("A", ("total", "segment"))
