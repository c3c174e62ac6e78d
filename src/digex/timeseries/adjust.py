"""Seasonal adjustment of one series with a fixed specification: `adjust(series, spec)`.

A statistics office chooses each series' model once (reviewed once a year) and reuses it: a
model re-chosen every month would revise past adjusted figures for no reason in the data.
`adjust(series)` without a spec chooses one: X-13's automdl picks the transform (log or none)
and the ARIMA model with every calendar regressor of the profile in; regressors whose
|t| < 1.96 (not significant at 5 %, two-sided) are dropped; the chosen model, transform and
kept regressors are the `AdjustmentSpec`, and the series is then adjusted with that spec fixed,
exactly as a later run given the spec adjusts it. Where X-13 refuses the series or its fit
fails, STL adjusts it instead, and the result says so (`method` `stl`, `reason`).

`Adjusted.frame()` is the tidy form a release stores (LEVEL_SA, SEASONAL_FACTOR, TREND, all
OBS_STATUS E: estimates, never mixed with observations), `Adjusted.record()` the spec and
diagnostics as JSON.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Final, Literal

import numpy as np
import pandas as pd

from digex.errors import AdjustmentFailed, X13Failed
from digex.indicators.columns import KEY
from digex.timeseries import stl, x13
from digex.timeseries.diagnostics import Diagnostics
from digex.timeseries.holidays import REGRESSORS, CalendarEffects, calendar_regressors

__all__ = ["SIGNIFICANCE", "Adjusted", "AdjustmentSpec", "adjust", "choose_spec", "period_label"]

SIGNIFICANCE: Final = 1.96
"""A calendar regressor is kept when |t| >= 1.96 in the model chosen with all of them."""
INDICATORS: Final = {"adjusted": "LEVEL_SA", "seasonal": "SEASONAL_FACTOR", "trend": "TREND"}
COLUMNS: Final = (*KEY, "value", "adjustment", "obs_status")

Method = Literal["x13", "stl"]


def period_label(period: object) -> str:
    """A period as the store labels it: 2025-06, 2025-Q2."""
    assert isinstance(period, pd.Period)
    if period.freqstr.startswith("Q"):
        return f"{period.year}-Q{period.quarter}"
    return str(period)


@dataclass(frozen=True)
class AdjustmentSpec:
    """How one series is adjusted, fixed once chosen: a later run with it gives the same
    model, so past adjusted figures change only with the data."""

    method: Method
    freq: Literal["M", "Q"]
    transform: Literal["log", "none"]
    """`log`: multiplicative (factors around 1); `none`: additive."""
    model: str | None = None
    """The ARIMA model of an X-13 spec, e.g. `(0 1 1)(0 1 1)`."""
    constant: bool = False
    regressors: tuple[str, ...] = ()
    """The calendar regressors kept (names of `holidays.REGRESSORS`)."""
    window: int = stl.SEASONAL_WINDOW
    """STL's seasonal window (an STL spec)."""
    chosen_through: str = ""
    """The last period of the data the spec was chosen on."""

    def __post_init__(self) -> None:
        problems = []
        if self.method not in ("x13", "stl"):
            problems.append(f"method {self.method!r} is not x13 or stl")
        if self.freq not in ("M", "Q"):
            problems.append(f"freq {self.freq!r} is not M or Q")
        if self.transform not in ("log", "none"):
            problems.append(f"transform {self.transform!r} is not log or none")
        if self.method == "x13" and (self.model is None or not x13.MODEL.match(self.model)):
            problems.append(f"model {self.model!r} is not an ARIMA model like (0 1 1)(0 1 1)")
        unknown = [r for r in self.regressors if r not in REGRESSORS]
        if unknown:
            problems.append(f"regressors {unknown} are not among {', '.join(REGRESSORS)}")
        if self.window < 7 or self.window % 2 == 0:
            problems.append(f"window {self.window} is not an odd number from 7")
        if problems:
            raise AdjustmentFailed(f"adjustment spec: {'; '.join(problems)}")

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["regressors"] = list(self.regressors)
        return {k: v for k, v in data.items() if v is not None}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AdjustmentSpec:
        known = {f for f in cls.__dataclass_fields__}
        extra = sorted(set(data) - known)
        if extra:
            raise AdjustmentFailed(f"adjustment spec: unknown keys {', '.join(extra)}")
        values = dict(data)
        values["regressors"] = tuple(values.get("regressors", ()))
        try:
            return cls(**values)
        except TypeError as error:
            raise AdjustmentFailed(f"adjustment spec: {error}") from None

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> AdjustmentSpec:
        return cls.from_dict(json.loads(text))

    def to_toml(self) -> str:
        """The spec as a TOML table's lines (a reviewer edits it by hand once a year)."""

        def value(v: Any) -> str:
            if isinstance(v, bool):
                return "true" if v else "false"
            if isinstance(v, int):
                return str(v)
            if isinstance(v, list):
                return "[" + ", ".join(value(x) for x in v) + "]"
            return json.dumps(str(v), ensure_ascii=False)

        return "".join(f"{k} = {value(v)}\n" for k, v in self.to_dict().items())

    @classmethod
    def from_toml(cls, text: str) -> AdjustmentSpec:
        try:
            return cls.from_dict(tomllib.loads(text))
        except tomllib.TOMLDecodeError as error:
            raise AdjustmentFailed(f"adjustment spec: {error}") from None


@dataclass(frozen=True)
class Adjusted:
    """A seasonally adjusted series with what made it: the spec used, the estimates of its
    calendar effects and the diagnostics."""

    raw: pd.Series
    adjusted: pd.Series
    seasonal: pd.Series
    """Seasonal factors (X-11's d10; around 1 for `log`, around 0 for `none`)."""
    trend: pd.Series
    spec: AdjustmentSpec
    diagnostics: Diagnostics
    effects: dict[str, x13.Effect] = field(default_factory=dict)
    """The kept calendar regressors' estimates in the final fit."""
    tested: dict[str, float] = field(default_factory=dict)
    """t-values of every calendar regressor tried when the spec was chosen (empty when it
    was given)."""
    reason: str | None = None
    """Why STL adjusted a series X-13 was to (None when the spec's method ran)."""

    @property
    def method(self) -> str:
        return self.spec.method

    @property
    def model(self) -> str:
        if self.spec.method == "x13":
            return f"regARIMA {self.spec.model}" + (" + constant" if self.spec.constant else "")
        return f"STL (robust, seasonal window {self.spec.window})"

    def frame(self, *, cut: str = "total", member: str = "_T", flow: str = "X") -> pd.DataFrame:
        """The tidy rows a release would store: LEVEL_SA (adjustment S), TREND (S) and
        SEASONAL_FACTOR (N: a factor, not an adjusted figure), every one an estimate
        (OBS_STATUS E)."""
        parts = []
        for attr, indicator in INDICATORS.items():
            values: pd.Series = getattr(self, attr)
            parts.append(
                pd.DataFrame(
                    {
                        "indicator": indicator,
                        "freq": self.spec.freq,
                        "period": [period_label(p) for p in values.index],
                        "cut": cut,
                        "member": member,
                        "flow": flow,
                        "value": values.to_numpy(dtype=float),
                        "adjustment": "N" if indicator == "SEASONAL_FACTOR" else "S",
                        "obs_status": "E",
                    }
                )
            )
        return pd.concat(parts, ignore_index=True)[list(COLUMNS)]

    def record(self) -> dict[str, Any]:
        """The spec, model, calendar effects and diagnostics, as JSON stores them."""
        return {
            "method": self.method,
            "model": self.model,
            "reason": self.reason,
            "spec": self.spec.to_dict(),
            "effects": {
                k: {"estimate": e.estimate, "se": e.se, "t": e.t} for k, e in self.effects.items()
            },
            "tested": self.tested,
            "diagnostics": self.diagnostics.to_dict(),
            "first": period_label(self.raw.index[0]),
            "last": period_label(self.raw.index[-1]),
        }

    def to_json(self) -> str:
        return json.dumps(self.record(), sort_keys=True, allow_nan=False)


def _frequency(series: pd.Series) -> Literal["M", "Q"]:
    index = series.index
    if not isinstance(index, pd.PeriodIndex) or index.freqstr[0] not in "MQ":
        raise AdjustmentFailed(
            f"series {series.name}: seasonal adjustment needs a monthly or quarterly PeriodIndex"
        )
    return "M" if index.freqstr.startswith("M") else "Q"


def _regressors(
    series: pd.Series, effects: CalendarEffects | None, names: tuple[str, ...]
) -> pd.DataFrame | None:
    """The regressors `names` over the series and a year of forecasts (X-13 extends the series
    by a year before filtering, and needs the regressors there too)."""
    if effects is None or not names:
        return None
    index = series.index
    assert isinstance(index, pd.PeriodIndex)
    per_year = stl.periods_per_year(index)
    freq = _frequency(series)
    table = calendar_regressors(effects, index[0], index[-1] + per_year, freq)
    return table[list(names)]


def choose_spec(
    series: pd.Series, effects: CalendarEffects | None = None
) -> tuple[AdjustmentSpec, dict[str, float]]:
    """An X-13 spec for `series` (automdl with every calendar regressor, the insignificant
    ones then dropped) and the t-values tried. Raises `X13Failed` where X-13 cannot fit."""
    freq = _frequency(series)
    names = REGRESSORS if effects is not None else ()
    first = x13.fit(
        series, transform="auto", regressors=_regressors(series, effects, names), decompose=False
    )
    tested = {k: round(e.t, 4) for k, e in first.effects.items()}
    kept = tuple(k for k in names if abs(first.effects[k].t) >= SIGNIFICANCE)
    spec = AdjustmentSpec(
        method="x13",
        freq=freq,
        transform="log" if first.transform == "log" else "none",
        model=first.model,
        constant=first.constant,
        regressors=kept,
        chosen_through=period_label(series.index[-1]),
    )
    return spec, tested


def _stl(
    series: pd.Series,
    spec: AdjustmentSpec | None,
    reason: str | None,
    tested: dict[str, float] | None = None,
) -> Adjusted:
    transform = spec.transform if spec is not None else "auto"
    if transform == "log" and not (series.to_numpy(dtype=float) > 0).all():
        transform = "none"
    window = spec.window if spec is not None else stl.SEASONAL_WINDOW
    found = stl.fit(series, transform=transform, window=window)
    used = AdjustmentSpec(
        method="stl",
        freq=_frequency(series),
        transform="log" if found.transform == "log" else "none",
        window=window,
        chosen_through=(spec.chosen_through if spec is not None else "")
        or period_label(series.index[-1]),
    )
    return Adjusted(
        raw=series,
        adjusted=found.adjusted,
        seasonal=found.seasonal,
        trend=found.trend,
        spec=used,
        diagnostics=found.diagnostics,
        tested=tested or {},
        reason=reason,
    )


def adjust(
    series: pd.Series,
    spec: AdjustmentSpec | None = None,
    *,
    effects: CalendarEffects | None = None,
) -> Adjusted:
    """Adjust `series` (a monthly or quarterly PeriodIndex) with `spec`, or with one chosen
    now (see the module). `effects`: the profile's calendar effects (None: no calendar
    regressors). X-13 failing, STL adjusts the series and `reason` says why."""
    freq = _frequency(series)
    missing = series.index[~np.isfinite(series.to_numpy(dtype=float))]
    if len(missing):
        shown = ", ".join(period_label(p) for p in missing[:5])
        raise AdjustmentFailed(
            f"series {series.name} has no value for {shown}{' ...' if len(missing) > 5 else ''}"
            " (withheld or missing): a series with a gap is not seasonally adjusted"
        )
    if spec is not None and spec.freq != freq:
        raise AdjustmentFailed(
            f"series {series.name} is at frequency {freq} and its adjustment spec at {spec.freq}"
        )
    if spec is not None and spec.method == "stl":
        return _stl(series, spec, None)
    tested: dict[str, float] = {}
    try:
        if spec is None:
            spec, tested = choose_spec(series, effects)
        if spec.regressors and effects is None:
            raise X13Failed(
                f"the spec keeps calendar regressors ({', '.join(spec.regressors)}) and the "
                "country profile states no calendar effects"
            )
        found = x13.fit(
            series,
            transform=spec.transform,
            model=spec.model,
            constant=spec.constant,
            regressors=_regressors(series, effects, spec.regressors),
        )
    except X13Failed as failure:
        return _stl(series, spec, f"X-13 failed: {failure}", tested)
    assert found.adjusted is not None
    assert found.seasonal is not None
    assert found.trend is not None
    return Adjusted(
        raw=series,
        adjusted=found.adjusted,
        seasonal=found.seasonal,
        trend=found.trend,
        spec=spec,
        diagnostics=found.diagnostics,
        effects=found.effects,
        tested=tested,
    )
