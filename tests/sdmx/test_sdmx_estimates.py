"""A release's frozen estimates in the SDMX data: the adjusted level under ADJUSTMENT S with
OBS_STATUS E, the nowcast of the year with F, each in a row of its own beside the observed
levels (ADJUSTMENT N), never sharing a key or a status with them."""

from __future__ import annotations

import dataclasses
import io

import pandas as pd
import pytest
from tests.sdmx.tiny import tiny_sdmx_release

from digex.publish.figures import ReleaseFigures
from digex.releases.estimates import ESTIMATE_COLUMNS
from digex.sdmx import ids
from digex.sdmx.data import data_message, select
from digex.sdmx.query import parse_query
from digex.sdmx.structures import structures

FLOW = "MA1,DF_DIGITAL_EXPORTS,1.0"
KEY = [*ids.DIMENSIONS, ids.TIME]
ESTIMATES = [
    # indicator, freq, period, value, lower_80, upper_80, obs_status, adjustment, method
    ("LEVEL_SA", "M", "2024-12", 2_180_000_000.5, None, None, "E", "S", "x13"),
    ("LEVEL_SA", "M", "2024-11", 2_170_000_000.0, None, None, "E", "S", "x13"),
    ("TREND", "M", "2024-12", 2_175_000_000.0, None, None, "E", "S", "x13"),
    ("SEASONAL_FACTOR", "M", "2024-12", 1.055, None, None, "E", "N", "x13"),
    ("NOWCAST_LEVEL", "A", "2025", 27_100_000_000.0, 26.9e9, 27.3e9, "F", "N", "ratio"),
]


def _with_estimates() -> ReleaseFigures:
    rows = [
        {
            "indicator": i, "freq": f, "period": p, "cut": "total", "member": "_T",
            "flow": "X", "value": v, "lower_80": lo, "upper_80": hi, "lower_95": lo,
            "upper_95": hi, "unit": "PURE_NUMB" if i == "SEASONAL_FACTOR" else "MAD",
            "unit_mult": 0, "obs_status": s, "adjustment": a, "method": m,
        }
        for i, f, p, v, lo, hi, s, a, m in ESTIMATES
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=list(ESTIMATE_COLUMNS))
    return dataclasses.replace(tiny_sdmx_release(), estimates=frame)


@pytest.fixture(scope="module")
def release() -> ReleaseFigures:
    return _with_estimates()


def test_adjusted_and_forecast_rows_have_their_own_keys_and_statuses(
    release: ReleaseFigures,
) -> None:
    plain = tiny_sdmx_release()
    found = structures(release, "MA1")
    before = select(plain, structures(plain, "MA1"), parse_query(FLOW, "all", {}))
    frame = select(release, found, parse_query(FLOW, "all", {}))
    assert len(frame) == len(before) + 3  # two adjusted months and the nowcast
    assert not frame.duplicated(KEY).any()
    by_key = frame.set_index(KEY)
    month = ("M", "MA", "W1", "_T", "C", "_T", "LEVEL", "MAD")
    observed = by_key.loc[(*month, "N", "2024-12")]
    adjusted = by_key.loc[(*month, "S", "2024-12")]
    assert (observed[ids.MEASURE], observed["OBS_STATUS"]) == (2_300_000_000.0, "P")
    assert (adjusted[ids.MEASURE], adjusted["OBS_STATUS"]) == (2_180_000_000.5, "E")
    year = by_key.loc[("A", "MA", "W1", "_T", "C", "_T", "LEVEL", "MAD", "N", "2025")]
    assert (year[ids.MEASURE], year["OBS_STATUS"]) == (27_100_000_000.0, "F")
    # an estimate never has an observed status, an observation never an estimated one
    estimated = (frame["ADJUSTMENT"] == "S") | (frame[ids.TIME] == "2025")
    assert set(frame.loc[estimated, "OBS_STATUS"]) == {"E", "F"}
    assert not frame.loc[~estimated, "OBS_STATUS"].isin(["E", "F"]).any()
    assert {"TREND", "SEASONAL_FACTOR", "LEVEL_SA", "NOWCAST_LEVEL"}.isdisjoint(frame["INDICATOR"])


def test_the_adjusted_series_is_queried_by_its_adjustment_code(release: ReleaseFigures) -> None:
    found = structures(release, "MA1")
    key = ".".join(
        {"FREQ": "M", "INDICATOR": "LEVEL", "ADJUSTMENT": "S"}.get(d, "") for d in ids.DIMENSIONS
    )
    frame = select(release, found, parse_query(FLOW, key, {}))
    assert list(frame[ids.TIME]) == ["2024-11", "2024-12"]
    body, _ = data_message(release, found, frame, "csv1")
    text = pd.read_csv(io.BytesIO(body))
    assert list(text["ADJUSTMENT"]) == ["S", "S"]
    assert list(text["OBS_STATUS"]) == ["E", "E"]
