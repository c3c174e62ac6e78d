"""One entry point for indicator requests, shared by the Python API, the CLI and the web API."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from digex.indicators.consistency import verify_frame
from digex.indicators.definitions import definitions
from digex.indicators.engine import Engine
from digex.indicators.periods import Period, parse_period
from digex.indicators.suite import COLUMNS, Suite, rescale
from digex.indicators.targets import jobs_indicators, target_indicators
from digex.profile import CountryProfile


def _with_jobs(
    engine: Engine,
    profile: CountryProfile,
    frame: pd.DataFrame,
    by: str,
    period: str | Sequence[str] | None,
) -> pd.DataFrame:
    """Annual results by total or segment also carry the jobs series and exports per job."""
    if by not in ("total", "segment") or frame.empty or "A" not in set(frame["freq"]):
        return frame
    extra = jobs_indicators(engine, profile)
    extra = extra[(extra["cut"] == by) & extra["period"].isin(set(frame["period"]))]
    if extra.empty:
        return frame
    return pd.concat([frame, extra], ignore_index=True)


def targets(engine: Engine, profile: CountryProfile) -> pd.DataFrame:
    """Progress toward each target of the country profile."""
    return target_indicators(engine, profile)


def compute(
    engine: Engine,
    profile: CountryProfile,
    *,
    period: str | Sequence[str] | None = None,
    freq: str | None = None,
    by: str = "total",
    flows: Sequence[str] = ("X",),
    indicators: Sequence[str] | None = None,
    unit_mult: int = 0,
) -> pd.DataFrame:
    wanted: list[Period] | None = None
    if period is not None:
        labels = [period] if isinstance(period, str) else list(period)
        wanted = [parse_period(p) for p in labels]
        freqs = {p.freq for p in wanted}
        if freq is not None and freqs != {freq}:
            freqs = {freq}
        frames = [
            Suite(engine, profile.national_currency).run(
                f, by, flows=flows, periods=[p for p in wanted if p.freq == f]
            )
            for f in sorted(freqs)
        ]
        frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)
    else:
        frame = Suite(engine, profile.national_currency).run(freq or "A", by, flows=flows)
    verify_frame(frame)
    frame = _with_jobs(engine, profile, frame, by, period)
    if indicators:
        known = definitions()
        for ind in indicators:
            if ind not in known:
                from digex.indicators.cuts import UnknownCut

                raise UnknownCut(f"unknown indicator {ind!r}; known: {', '.join(sorted(known))}")
        frame = frame[frame["indicator"].isin(list(indicators))].reset_index(drop=True)
    if unit_mult:
        frame = rescale(frame, unit_mult, profile.national_currency)
    return frame
