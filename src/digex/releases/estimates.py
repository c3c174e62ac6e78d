"""The estimates a release freezes beside its observations: the seasonally adjusted monthly and
quarterly series of the total and the segments and, for a period shorter than a year, the
nowcast of its year and the chance of the target path.

Why frozen: a past release must show the numbers it showed. Refitting later would move them
with every new month (a new model, new factors, new simulations), so the release stores the
rows (`release_estimates`) and what made them (``estimates.json``: each series' spec, model and
diagnostics, each nowcast's method and what it read, the backtest's recommendation), both under
its content hash and in its snapshot file.

Only what the release publishes is estimated: a series is adjusted or forecast only when the
release publishes its LEVEL at that frequency and none of its cells (in this release or an
earlier one) is suppressed by disclosure control; an adjusted series of a suppressed cell would
give the cell back (the adjusted value times its factor). The series read are the complete
periods up to the release's last month, computed by the release's own engine on the same state
of the store as its observations.

The specification of each series is fixed for a year: the first release of a year chooses it
(X-13's automdl, `adjust.choose_spec`) and the store keeps it (`seasonal_specs`); every later
release of that year adjusts with it, so that a revision changes the adjusted figures only
through the data. The nowcast's method is the one the backtest of the total recommends at the
release's horizon (its months), applied to every series: backtesting each segment at every
horizon costs a minute on the demo for no change of method there.

Every row is an estimate, never an observation: LEVEL_SA, GROWTH_POP_SA (its change on the
period before, per cent) and TREND carry OBS_STATUS E and ADJUSTMENT S, SEASONAL_FACTOR E and
N, NOWCAST_LEVEL F and N with its 80 % and 95 % intervals; none of these indicators is ever a
row of `release_observations`.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import pandas as pd

from digex.errors import AdjustmentFailed, NowcastError, UsageError
from digex.indicators.columns import KEY
from digex.indicators.periods import PER_YEAR, parse_period
from digex.indicators.periods import label as period_label

if TYPE_CHECKING:
    from digex.indicators.engine import Engine
    from digex.indicators.periods import Period
    from digex.profile import CountryProfile

ESTIMATE_COLUMNS: Final = (
    *KEY,
    "value",
    "lower_80",
    "upper_80",
    "lower_95",
    "upper_95",
    "unit",
    "unit_mult",
    "obs_status",
    "adjustment",
    "method",
)
"""The columns of `release_estimates` after `release_id`."""
ESTIMATE_KEY: Final = KEY
CUTS: Final = ("total", "segment")
FREQS: Final = ("M", "Q")
FLOW: Final = "X"
INPUT_NAME: Final = "estimates.json"
"""The release input holding the specs, models, diagnostics and nowcast methods."""
TARGET_CHANCE: Final = "TARGET_CHANCE"
"""The probability (per cent) that the year reaches its point of the target path."""
ESTIMATED: Final = frozenset(
    {"LEVEL_SA", "GROWTH_POP_SA", "TREND", "SEASONAL_FACTOR", "NOWCAST_LEVEL", TARGET_CHANCE}
)
"""Indicators only an estimate row carries."""

SeriesKey = tuple[str, str, str, str]
"""(freq, cut, member, flow)."""


@dataclass(frozen=True)
class Estimates:
    """What a release freezes beside its observations (see the module's docstring)."""

    frame: pd.DataFrame
    record: dict[str, Any]
    chosen: dict[SeriesKey, str] = field(default_factory=dict)
    """The specs chosen by this release (series -> spec JSON): the first of its year."""
    seconds: float = 0.0

    def to_json(self) -> str:
        return json.dumps(self.record, ensure_ascii=False, sort_keys=True, allow_nan=False)


def empty() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="object") for c in ESTIMATE_COLUMNS})
    for c in ("value", "lower_80", "upper_80", "lower_95", "upper_95"):
        frame[c] = frame[c].astype("float64")
    frame["unit_mult"] = frame["unit_mult"].astype("int32")
    return frame


def key_text(key: SeriesKey) -> str:
    """How the JSON names a series: M/segment/ITO/X."""
    return "/".join(key)


def published_series(
    observations: pd.DataFrame, earlier: pd.DataFrame
) -> tuple[set[SeriesKey], set[SeriesKey]]:
    """The series (freq, cut, member, flow) whose LEVEL the release publishes at M or Q and
    none of whose cells is suppressed, here or in an earlier release; and those left out for
    a suppressed cell."""
    rows = observations[
        (observations["indicator"] == "LEVEL")
        & observations["freq"].isin(FREQS)
        & observations["cut"].isin(CUTS)
        & (observations["flow"] == FLOW)
    ]
    conf = rows["conf_status"] if "conf_status" in rows else pd.Series(None, index=rows.index)
    withheld = conf.notna() & (conf != "F")
    on = ["freq", "cut", "member", "flow"]
    every = {tuple(str(v) for v in k) for k in rows[on].itertuples(index=False)}
    bad = {tuple(str(v) for v in k) for k in rows.loc[withheld, on].itertuples(index=False)}
    if not earlier.empty:
        old = earlier[earlier["conf_status"].notna() & (earlier["conf_status"] != "F")]
        bad |= {tuple(str(v) for v in k) for k in old[on].itertuples(index=False)}
    return every - bad, every & bad  # type: ignore[return-value]


def levels(
    engine: Engine, profile: CountryProfile, period: Period, freq: str
) -> dict[SeriesKey, pd.Series]:
    """The complete LEVEL series at `freq` of the total and each segment, up to the
    release's last month, each on a PeriodIndex (a series with a gap is left out). The
    engine's `member_levels`: the suite's LEVEL without the firm cells the other indicators
    need (`profile` is kept for the callers' symmetry with `compute`)."""
    del profile
    t = engine.member_levels(freq, CUTS)
    t = t.filter((t.flow == FLOW) & t.complete)
    rows = t.select("cut", "member", "period", "level").execute()
    last = pd.Period(f"{period.year}-{period.last_month:02d}", freq="M").asfreq(freq)
    out: dict[SeriesKey, pd.Series] = {}
    for (cut, member), part in rows.groupby(["cut", "member"], sort=True):
        values = pd.Series(
            part["level"].to_numpy(dtype="float64"),
            index=pd.PeriodIndex(part["period"].astype(str), freq=freq),
        ).sort_index()
        values = values[values.index <= last]
        if values.empty or values.index[-1] != last:
            continue
        expected = pd.period_range(values.index[0], last, freq=freq)
        if len(expected) != len(values):
            continue
        out[(freq, str(cut), str(member), FLOW)] = values.rename(str(member))
    return out


def quarters(months: dict[SeriesKey, pd.Series], period: Period) -> dict[SeriesKey, pd.Series]:
    """The quarterly series as sums of the complete monthly ones (a quarter's LEVEL is the sum
    of its months': one engine pass instead of two, a third of the estimates' time on the
    demo), each from its first whole quarter to the release's last quarter, which must be
    whole."""
    last = pd.Period(f"{period.year}-{period.last_month:02d}", freq="M")
    out: dict[SeriesKey, pd.Series] = {}
    if last.month % 3:
        return out
    for (_, cut, member, flow), values in months.items():
        index = pd.PeriodIndex(values.index, freq="M")
        grouped = values.groupby(index.asfreq("Q")).agg(["sum", "count"])
        whole = grouped[grouped["count"] == 3]
        if whole.empty:
            continue
        sums = whole["sum"].round(2)
        sums.index = pd.PeriodIndex(sums.index, freq="Q")
        out[("Q", cut, member, flow)] = sums.rename(member)
    return out


def estimate(
    engine: Engine,
    profile: CountryProfile,
    period: Period,
    observations: pd.DataFrame,
    earlier: pd.DataFrame,
    specs: dict[SeriesKey, str],
) -> Estimates:
    """The estimates of a release of `period` whose protected `observations` are given, with
    the earlier releases' labels `earlier` and the specs of the period's year already stored
    (series -> spec JSON)."""
    from digex.timeseries.adjust import AdjustmentSpec, adjust

    started = time.perf_counter()
    allowed, withheld = published_series(observations, earlier)
    unit = profile.national_currency
    parts: list[pd.DataFrame] = []
    seasonal: dict[str, Any] = {}
    skipped: dict[str, str] = {}
    chosen: dict[SeriesKey, str] = {}
    monthly: dict[SeriesKey, pd.Series] = {}
    effects = profile.calendar_effects
    months = levels(engine, profile, period, "M")
    by_freq = {"M": months, "Q": quarters(months, period)}
    monthly = {k: v for k, v in months.items() if k in allowed}
    for freq in FREQS:
        found = by_freq[freq]
        for key in sorted(allowed):
            if key[0] != freq:
                continue
            if key not in found:
                skipped[key_text(key)] = "no complete series up to the release's period"
                continue
            stored = specs.get(key)
            spec = AdjustmentSpec.from_json(stored) if stored else None
            try:
                done = adjust(found[key], spec, effects=effects)
            except AdjustmentFailed as e:
                skipped[key_text(key)] = str(e)
                continue
            if stored is None:
                chosen[key] = done.spec.to_json()
            seasonal[key_text(key)] = {
                **done.record(),
                "spec_from": "stored" if stored else "chosen",
            }
            rows = done.frame(cut=key[1], member=key[2], flow=key[3])
            factor_unit = "PURE_NUMB" if done.spec.transform == "log" else unit
            rows["unit"] = rows["indicator"].map(
                lambda i, fu=factor_unit: fu if i == "SEASONAL_FACTOR" else unit
            )
            rows["method"] = done.method
            parts.append(rows)
            parts.append(_growth(rows, done.method))
    for key in sorted(withheld):
        skipped[key_text(key)] = "a cell of the series is suppressed: neither adjusted nor forecast"
    record: dict[str, Any] = {"seasonal": seasonal, "skipped": skipped}
    if period.freq != "A" and period.last_month < 12:  # a year ending here is observed whole
        nowcast_rows, record["nowcast"] = _nowcasts(profile, period, monthly, unit)
        parts.append(nowcast_rows)
    frame = _carried(_tidy(parts), observations)
    return Estimates(frame, record, chosen, time.perf_counter() - started)


FORECASTS: Final = frozenset({"NOWCAST_LEVEL", TARGET_CHANCE})
"""Estimates of a period the release does not carry (its year, not yet observed)."""


def _carried(frame: pd.DataFrame, observations: pd.DataFrame) -> pd.DataFrame:
    """The adjusted rows of the periods the release carries only (and every forecast).

    A series is adjusted over its whole history, but the history's periods were never in
    any release's cube: no primary rule ran on them, and an adjusted level times its
    seasonal factor gives back the raw level (a one-firm month of KPO in 2020, say). The
    periods the release publishes passed disclosure control; the others stay inside. An
    adjusted change (GROWTH_POP_SA) is kept only where the period before is carried too:
    with the adjusted level, it gives that period's adjusted level."""
    if frame.empty:
        return frame
    freq = frame["freq"].astype(str)
    period = frame["period"].astype(str)
    carried = pd.MultiIndex.from_frame(
        observations[["freq", "period"]].astype(str).drop_duplicates()
    )
    keep = pd.MultiIndex.from_arrays([freq, period]).isin(carried)
    growth = (frame["indicator"] == "GROWTH_POP_SA").to_numpy()
    if growth.any():
        before = [_before(p) if g else p for p, g in zip(period, growth, strict=True)]
        keep &= ~growth | pd.MultiIndex.from_arrays([freq, before]).isin(carried)
    keep |= frame["indicator"].isin(FORECASTS).to_numpy()
    return frame[keep].reset_index(drop=True)


def _before(label: str) -> str:
    """The label of the period before `label`, at its frequency (2025-01 -> 2024-12)."""
    p = parse_period(label)
    year, sub = divmod(p.ordinal - 1, PER_YEAR[p.freq])
    return period_label(p.freq, year, sub + 1)


def _growth(rows: pd.DataFrame, method: str) -> pd.DataFrame:
    """GROWTH_POP_SA: the adjusted series' change on the period before, per cent (E, S): the
    figure a note states instead of a raw month-on-month change, which is mostly season."""
    sa = rows[rows["indicator"] == "LEVEL_SA"].reset_index(drop=True)
    values = sa["value"].to_numpy(dtype="float64")
    growth = (values[1:] / values[:-1] - 1) * 100
    out = sa.iloc[1:].copy()
    out["indicator"] = "GROWTH_POP_SA"
    out["value"] = growth
    out["unit"] = "PC"
    out["method"] = method
    return out


def _tidy(parts: list[pd.DataFrame]) -> pd.DataFrame:
    base = empty()
    if not parts:
        return base
    frame = pd.concat([p for p in parts if not p.empty] or [base], ignore_index=True)
    for column in ESTIMATE_COLUMNS:
        if column not in frame:
            frame[column] = None
    frame = frame[list(ESTIMATE_COLUMNS)].copy()
    for c in ("value", "lower_80", "upper_80", "lower_95", "upper_95"):
        frame[c] = pd.to_numeric(frame[c], errors="coerce").astype("float64")
    frame["unit_mult"] = 0
    frame["unit_mult"] = frame["unit_mult"].astype("int32")
    return frame.sort_values(list(ESTIMATE_KEY), ignore_index=True)


def _nowcasts(
    profile: CountryProfile, period: Period, monthly: dict[SeriesKey, pd.Series], unit: str
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The nowcast of the period's year for every published monthly series, by the method the
    total's backtest recommends after the period's months, and the chance of the target
    path."""
    from digex.timeseries.backtest import backtest
    from digex.timeseries.nowcast import nowcast
    from digex.timeseries.target_path import chance, exports_target, target_path

    months = period.last_month
    total_key: SeriesKey = ("M", "total", "_T", FLOW)
    record: dict[str, Any] = {"year": period.year, "months": months, "series": {}, "notes": []}
    rows: list[dict[str, Any]] = []
    if total_key not in monthly:
        record["notes"].append("the total's monthly series is not published: no nowcast")
        return pd.DataFrame(rows), record
    total = monthly[total_key]
    tested = backtest(total, period.year, horizons=(months,))
    method = tested.recommendation.method
    record["backtest"] = tested.to_json()
    record["method"] = method
    best_total = None
    for key in sorted(monthly):
        try:
            made = nowcast(monthly[key], period.year, months, method, cut=key[1], member=key[2])
        except (NowcastError, UsageError) as e:
            record["notes"].append(str(e))
            continue
        record["series"][key_text(key)] = made.to_json()
        row = made.row()
        row.update(flow=FLOW, unit=unit, adjustment="N", method=method)
        rows.append(row)
        if key == total_key:
            best_total = made
    if best_total is not None:
        index = pd.PeriodIndex(total.index, freq="M")
        sums = total.groupby(index.year).agg(["sum", "count"])
        annual = sums.loc[sums["count"] == 12, "sum"]
        try:
            path = target_path(exports_target(profile), annual, unit)
            reach = chance(path, best_total)
            record["target"] = reach.to_json()
            rows.append(
                {
                    "indicator": TARGET_CHANCE,
                    "freq": "A",
                    "period": str(period.year),
                    "cut": "target",
                    "member": path.target,
                    "flow": FLOW,
                    "value": reach.probability * 100,
                    "unit": "PC",
                    "obs_status": "F",
                    "adjustment": "N",
                    "method": method,
                }
            )
        except NowcastError as e:
            record["notes"].append(str(e))
    return pd.DataFrame(rows), record
