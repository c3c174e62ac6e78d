"""The diagnostics of a seasonal adjustment, as stored with it and printed by `digex seasonal`.

X-13 writes its own in the `.udg` file (`key: values` lines): the M- and Q-statistics of X-11,
the Ljung-Box test of the model's residuals, the QS tests for seasonality left in the residuals
and the adjusted series, and sliding spans where the series is long enough to form them. The
STL fallback has no such statistics; it reports the residual tests computed here and the
strength of its seasonal component, so that the two methods answer the same questions where
they can and say None where they cannot.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Diagnostics", "from_stl", "from_udg", "parse_udg"]

LB_LAGS = 24
"""Lags of the Ljung-Box test on the residuals (two years of a monthly series, as X-13)."""
LB_LEVEL = 0.05
"""A lag is reported when the test rejects white noise at this level (X-13's `qlimit`)."""


@dataclass(frozen=True)
class Diagnostics:
    """What says whether an adjustment can be trusted; None where the method gives no such
    statistic (M and Q for STL, sliding spans for a series too short to form two spans)."""

    m: dict[str, float] = field(default_factory=dict)
    """X-11's quality statistics M1-M11 (acceptable below 1)."""
    q: float | None = None
    """Their weighted mean Q (acceptable below 1), and Q without M2 (`q2`)."""
    q2: float | None = None
    ljung_box: dict[int, float] = field(default_factory=dict)
    """Lags at which the residuals' Ljung-Box test rejects white noise (p < 0.05), with their
    p-values; empty when none does."""
    residual_seasonality_p: float | None = None
    """p-value of the QS test for seasonality left in the model's residuals (STL: in the
    remainder); below 0.01 means some is left."""
    adjusted_seasonality_p: float | None = None
    """p-value of the QS test for seasonality left in the adjusted series."""
    identifiable_seasonality: bool | None = None
    sliding_spans: str | None = None
    """`stable`, `unstable` (a month's factor moves by more than 3 % between spans) or
    `not enough data` (X-13 needs two spans of several years)."""
    sliding_spans_max_range: float | None = None
    """Largest range, in per cent, of a month's seasonal factor across the spans."""
    aicc: float | None = None
    outliers: int | None = None
    seasonal_strength: float | None = None
    """1 - var(remainder) / var(seasonal + remainder) (STL; 0 = none, 1 = all seasonal)."""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ljung_box"] = {str(k): v for k, v in self.ljung_box.items()}
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Diagnostics:
        values = dict(data)
        values["ljung_box"] = {int(k): float(v) for k, v in values.get("ljung_box", {}).items()}
        return cls(**values)

    def summary(self) -> str:
        """One line for a terminal: the statistics a reader checks first."""
        parts = []
        if self.q is not None:
            bad = [k for k, v in sorted(self.m.items(), key=lambda kv: int(kv[0][1:])) if v >= 1]
            parts.append(f"Q {self.q:.2f}" + (f" ({', '.join(bad)} >= 1)" if bad else ""))
        if self.seasonal_strength is not None:
            parts.append(f"seasonal strength {self.seasonal_strength:.2f}")
        lags = ", ".join(str(k) for k in sorted(self.ljung_box))
        parts.append(f"Ljung-Box: {'white noise' if not lags else 'rejected at lags ' + lags}")
        if self.adjusted_seasonality_p is not None:
            parts.append(f"QS(SA) p {self.adjusted_seasonality_p:.2f}")
        if self.sliding_spans is not None:
            parts.append(f"sliding spans {self.sliding_spans}")
        return "; ".join(parts)


def parse_udg(text: str) -> dict[str, str]:
    """The `.udg` file as key -> the rest of its line (tables after a `$name:` line ignored)."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key and not key.startswith("$") and "\t" not in key:
            found.setdefault(key.strip(), value.strip())
    return found


def _float(udg: Mapping[str, str], key: str, index: int = 0) -> float | None:
    try:
        return float(udg[key].split()[index])
    except (KeyError, IndexError, ValueError):
        return None


def from_udg(udg: Mapping[str, str]) -> Diagnostics:
    """X-13's diagnostics from its `.udg` keys (see `parse_udg`)."""
    m = {f"M{i}": v for i in range(1, 12) if (v := _float(udg, f"f3.m{i:02d}")) is not None}
    ljung = {}
    for key, value in udg.items():
        if key.startswith("lbq$"):
            fields = value.split()
            ljung[int(key[4:])] = float(fields[-1])
    spans: str | None = None
    widest: float | None = None
    if udg.get("sspans") == "yes":
        ranges = [
            float(v.split()[-2]) for k, v in udg.items() if k.startswith("ssran.p") and v.split()
        ]
        widest = max(ranges) if ranges else None
        spans = "stable" if widest is not None and widest <= 3.0 else "unstable"
    elif "sspans" in udg:
        spans = "not enough data"
    ident = udg.get("f2.idseasonal")
    outliers = _float(udg, "outlier.total")
    return Diagnostics(
        m=m,
        q=_float(udg, "f3.q"),
        q2=_float(udg, "f3.qm2"),
        ljung_box=ljung,
        residual_seasonality_p=_float(udg, "qsrsd", 1),
        adjusted_seasonality_p=_float(udg, "qssadj", 1),
        identifiable_seasonality=None if ident is None else ident == "yes",
        sliding_spans=spans,
        sliding_spans_max_range=widest,
        aicc=_float(udg, "aicc"),
        outliers=None if outliers is None else int(outliers),
    )


def from_stl(seasonal: pd.Series, remainder: pd.Series, period: int) -> Diagnostics:
    """The residual tests for an STL decomposition (on the scale it was made on: logs for a
    multiplicative pattern)."""
    from statsmodels.stats.diagnostic import acorr_ljungbox  # type: ignore[import-untyped]

    rest = remainder.to_numpy(dtype=float)
    lags = min(LB_LAGS, len(rest) // 2 - 1)
    ljung: dict[int, float] = {}
    if lags >= 1 and np.nanvar(rest) > 0:
        table = acorr_ljungbox(rest, lags=lags)
        ljung = {int(lag): float(p) for lag, p in table["lb_pvalue"].items() if float(p) < LB_LEVEL}
    both = np.var(seasonal.to_numpy(dtype=float) + rest)
    strength = max(0.0, 1.0 - float(np.var(rest)) / float(both)) if both > 0 else 0.0
    return Diagnostics(ljung_box=ljung, seasonal_strength=round(strength, 6))
