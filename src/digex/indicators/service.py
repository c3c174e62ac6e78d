"""One entry point for indicator requests, shared by the Python API, the CLI and the web API."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from digex.errors import UnknownCut
from digex.indicators.auxiliary import series_indicators
from digex.indicators.consistency import verify_frame
from digex.indicators.cuts import ALL_CUTS, CUTS, check_cut
from digex.indicators.engine import Engine
from digex.indicators.periods import Period, parse_period
from digex.indicators.registry import Registry, registry
from digex.indicators.suite import COLUMNS, Suite
from digex.indicators.targets import jobs_indicators, target_indicators
from digex.profile import CountryProfile
from digex.releases.breaks import mark_breaks, mark_targets

FLOWS = ("X", "M")


def _with_jobs(
    engine: Engine,
    profile: CountryProfile,
    frame: pd.DataFrame,
    cuts: Sequence[str],
    known: Registry,
) -> pd.DataFrame:
    """Results at the jobs series' frequencies (annual) by its cuts (total, segment) also carry
    the jobs series and exports per job, as the registry's jobs family says."""
    if frame.empty:
        return frame
    family = known.family("jobs")
    jobs_cuts = {c for i in family for c in i.cuts}
    jobs_freqs = {f for i in family for f in i.freqs}
    by_cut = {c: frame[frame["cut"] == c] for c in cuts if c in jobs_cuts}
    by_cut = {c: f for c, f in by_cut.items() if jobs_freqs & set(f["freq"].unique())}
    if not by_cut:
        return frame
    # each period once: parsing every row's label cost a load's pass 5 ms
    years = {
        parse_period(p).year
        for rows in by_cut.values()
        for p in rows.loc[rows["freq"].isin(jobs_freqs), "period"].unique()
    }
    extra = jobs_indicators(engine, profile, years, known)
    parts = [frame]
    for cut, rows in by_cut.items():
        parts.append(extra[(extra["cut"] == cut) & extra["period"].isin(set(rows["period"]))])
    parts = [p for p in parts if not p.empty]
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else frame


def _with_series(
    engine: Engine,
    profile: CountryProfile,
    frame: pd.DataFrame,
    cuts: Sequence[str],
    wanted: Sequence[Period] | None,
    freq: str | None,
    known: Registry,
) -> pd.DataFrame:
    """Annual results of the total cut also carry the profile's auxiliary aggregate series for
    the years asked for (every year they hold when no period is given), whether or not the
    declarations cover those years: an older series may start before them."""
    family = known.family("series")
    if not profile.series or not {c for i in family for c in i.cuts} & set(cuts):
        return frame
    freqs = {f for i in family for f in i.freqs}
    if wanted is None:
        if (freq or "A") not in freqs:
            return frame
        years = None
    else:
        years = {p.year for p in wanted if p.freq in freqs}
        if not years:
            return frame
    extra = series_indicators(engine, profile, years, known)
    if extra.empty:
        return frame
    if frame.empty:
        return extra
    return pd.concat([frame, extra], ignore_index=True)


def compute(
    engine: Engine,
    profile: CountryProfile,
    *,
    period: str | Sequence[str] | None = None,
    freq: str | None = None,
    by: str | Sequence[str] = "total",
    definitions: Registry | None = None,
) -> pd.DataFrame:
    """Every indicator, every flow, money in units: what the cache keeps; `select` narrows it.

    `by` is one cut, "all" (the six single cuts) or a sequence of cuts (e.g. a release's
    tables, cross cuts included): the engine answers every cut of a frequency with the same
    queries, one suite pass per frequency. `definitions` is the indicator registry the suite
    computes (the installed one when None; a release's verification passes the one frozen
    with it).
    """
    known = definitions or registry()
    cuts = cuts_of(by)
    suite = Suite(engine, profile.national_currency, known)
    wanted: list[Period] | None = None
    if period is not None:
        labels = [period] if isinstance(period, str) else list(period)
        wanted = [parse_period(p) for p in labels]
        freqs = sorted({p.freq for p in wanted})
        frames = [
            suite.run(f, cuts, flows=FLOWS, periods=[p for p in wanted if p.freq == f])
            for f in freqs
        ]
        frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)
    else:
        frame = suite.run(freq or "A", cuts, flows=FLOWS)
    verify_frame(frame)
    frame = _with_jobs(engine, profile, frame, cuts, known)
    frame = _with_series(engine, profile, frame, cuts, wanted, freq, known)
    return mark_breaks(frame, profile.breaks, known)


def cuts_of(by: str | Sequence[str]) -> list[str]:
    """The cuts `by` asks for, in canonical order, each once ("all" stands for the six single
    cuts, in a sequence too); `UnknownCut` for any other."""
    asked = [by] if isinstance(by, str) else list(by)
    wanted = {c for b in asked for c in (CUTS if b == "all" else (check_cut(b),))}
    if not wanted:
        raise UnknownCut(f"no cut asked for; choose among {', '.join(ALL_CUTS)}")
    return [c for c in ALL_CUTS if c in wanted]


def targets(engine: Engine, profile: CountryProfile) -> pd.DataFrame:
    """Progress toward each target of the country profile."""
    return mark_targets(target_indicators(engine, profile), profile.breaks, profile.targets)
