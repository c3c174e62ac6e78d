"""One entry point for indicator requests, shared by the Python API, the CLI and the web API."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from digex.indicators.consistency import verify_frame
from digex.indicators.cuts import CUTS
from digex.indicators.engine import Engine
from digex.indicators.periods import parse_period
from digex.indicators.suite import COLUMNS, Suite
from digex.indicators.targets import jobs_indicators, target_indicators
from digex.profile import CountryProfile

FLOWS = ("X", "M")


def _with_jobs(
    engine: Engine,
    profile: CountryProfile,
    frame: pd.DataFrame,
    by: str,
) -> pd.DataFrame:
    """Annual results by total or segment also carry the jobs series and exports per job."""
    if by not in ("total", "segment") or frame.empty or "A" not in set(frame["freq"]):
        return frame
    extra = jobs_indicators(engine, profile)
    extra = extra[(extra["cut"] == by) & extra["period"].isin(set(frame["period"]))]
    if extra.empty:
        return frame
    return pd.concat([frame, extra], ignore_index=True)


def compute(
    engine: Engine,
    profile: CountryProfile,
    *,
    period: str | Sequence[str] | None = None,
    freq: str | None = None,
    by: str = "total",
) -> pd.DataFrame:
    """Every indicator, every flow, money in units: what the cache keeps; `select` narrows it."""
    if by == "all":
        frames = [compute(engine, profile, period=period, freq=freq, by=cut) for cut in CUTS]
        return pd.concat(frames, ignore_index=True)
    suite = Suite(engine, profile.national_currency)
    if period is not None:
        labels = [period] if isinstance(period, str) else list(period)
        wanted = [parse_period(p) for p in labels]
        freqs = sorted({p.freq for p in wanted})
        frames = [
            suite.run(f, by, flows=FLOWS, periods=[p for p in wanted if p.freq == f]) for f in freqs
        ]
        frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)
    else:
        frame = suite.run(freq or "A", by, flows=FLOWS)
    verify_frame(frame)
    return _with_jobs(engine, profile, frame, by)


def targets(engine: Engine, profile: CountryProfile) -> pd.DataFrame:
    """Progress toward each target of the country profile."""
    return target_indicators(engine, profile)
