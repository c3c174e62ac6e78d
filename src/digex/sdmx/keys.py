"""A release's public observations keyed by the DSD's dimensions: one row per observation,
the columns the DSD's components (plus the months each period spans, for the time filters).

The estimates frozen with the release (`ReleaseFigures.estimates`) come as rows of their own
keys, never in an observation's row: a seasonally adjusted level is INDICATOR LEVEL with
ADJUSTMENT S and OBS_STATUS E (the observed level's key has ADJUSTMENT N), the nowcast of the
year is LEVEL at FREQ A with OBS_STATUS F (a release of a part of a year holds no observed
level of that year). The trend, the seasonal factors, the nowcast's intervals and the
chance of the target path stay in the release and its note: the DSD has no code for them.

A row's cut says which dimension carries its member: a partner or region row has ACTIVITY
`_T`, a segment or EBOPS row COUNTERPART_AREA `W1`, a currency row its CURRENCY_DENOM, a
cross cut (`KPO.FR`) both its ACTIVITY and its COUNTERPART_AREA. The target rows are left out
(`codes.NOT_DATA`). A confidential figure keeps its row, with no value and CONF_STATUS C.
Everything is column arithmetic on the frame; the registry is asked once per distinct
(indicator, unit, unit multiplier), never per row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import numpy as np
import pandas as pd

from digex.errors import ReleaseDataError
from digex.indicators.cuts import SEPARATOR, TOTAL
from digex.publish.figures import CONFIDENTIAL
from digex.sdmx import ids
from digex.sdmx.codes import FLOW_ENTRY, NOT_DATA, frozen_registry

if TYPE_CHECKING:
    from digex.publish.figures import ReleaseFigures

START: Final = "_start"
END: Final = "_end"
"""Hidden columns: the first and last month of a row's period, as months since year 0."""
COLUMNS: Final = (*ids.DIMENSIONS, ids.TIME, ids.MEASURE, *ids.ATTRIBUTES)
_MONTHS: Final = {"A": 12, "S": 6, "Q": 3, "M": 1}

_AREA_CUTS: Final = ("partner", "region")
_ACTIVITY_CUTS: Final = ("segment", "ebops")
_CROSS_CUTS: Final = ("segment_partner", "segment_region")
_KEYED_CUTS: Final = ("total", *_AREA_CUTS, *_ACTIVITY_CUTS, "currency", *_CROSS_CUTS)


def sdmx_period(label: str) -> str:
    """digex's period label as SDMX writes it: `2025-H1` is `2025-S1` (H is hourly in SDMX);
    years, quarters and months are the same."""
    return label.replace("-H", "-S")


def digex_period(text: str) -> str:
    """An SDMX period (`2025-S1`, `2025-Q1`, `2025-01`, `2025`) as digex labels it."""
    return text.strip().upper().replace("-S", "-H")


def sdmx_freq(freq: str) -> str:
    """digex's frequency as SDMX's FREQ: H (half-year) is S."""
    return "S" if freq == "H" else freq


SDMX_ESTIMATES: Final = {
    "LEVEL_SA": ("LEVEL", ids.ADJUSTED),
    "NOWCAST_LEVEL": ("LEVEL", ids.UNADJUSTED),
}
"""Estimate indicators the SDMX data carry: the INDICATOR and ADJUSTMENT codes of each."""


def _estimates(release: ReleaseFigures) -> pd.DataFrame:
    """The release's estimates SDMX carries (`SDMX_ESTIMATES`), as observation rows with
    their ADJUSTMENT (every one published: only published series are estimated)."""
    e = release.estimates
    e = e[e["indicator"].isin(list(SDMX_ESTIMATES)) & ~e["cut"].isin(NOT_DATA)]
    codes = e["indicator"].map(SDMX_ESTIMATES)
    return pd.DataFrame(
        {
            "indicator": [c[0] for c in codes],
            "freq": e["freq"].to_numpy(),
            "period": e["period"].to_numpy(),
            "cut": e["cut"].to_numpy(),
            "member": e["member"].to_numpy(),
            "flow": e["flow"].to_numpy(),
            "value": e["value"].astype(float).to_numpy(),
            "unit": e["unit"].to_numpy(),
            "unit_mult": e["unit_mult"].astype(int).to_numpy(),
            "obs_status": e["obs_status"].to_numpy(),
            "conf_status": "F",
            "adjustment": [c[1] for c in codes],
        }
    )


def keyed(release: ReleaseFigures) -> pd.DataFrame:
    """The release's observations as SDMX rows, and its estimates SDMX carries (see the
    module's docstring), sorted by key then time."""
    o = release.observations
    o = o[~o["cut"].isin(NOT_DATA)].assign(adjustment=ids.UNADJUSTED)
    estimated = _estimates(release)
    if not estimated.empty:
        o = pd.concat([o, estimated[[c for c in estimated.columns if c in o.columns]]])
    o = o.reset_index(drop=True)
    unknown = sorted(set(o["cut"].astype(str)) - set(_KEYED_CUTS))
    if unknown:  # keyed as a total, its rows would take the total's keys
        raise ReleaseDataError(
            f"release {release.release_id} has rows of the cut {unknown[0]!r}, which the SDMX "
            f"key does not place (it places {', '.join(_KEYED_CUTS)}): digex.sdmx.keys must "
            "learn it before the release is served as SDMX"
        )
    cut = o["cut"].to_numpy(dtype=object)
    member = o["member"].astype(str)
    cross = np.isin(cut, _CROSS_CUTS)
    parts = member.str.split(SEPARATOR, n=1, expand=True).reindex(columns=[0, 1])
    first = parts[0].fillna("").to_numpy(dtype=object)
    second = parts[1].fillna("").to_numpy(dtype=object)
    member_values = member.to_numpy(dtype=object)

    area = np.where(np.isin(cut, _AREA_CUTS), member_values, ids.WORLD)
    area = np.where(cross, second, area)
    activity = np.where(np.isin(cut, _ACTIVITY_CUTS), member_values, TOTAL)
    activity = np.where(cross, first, activity)
    currency = np.where(cut == "currency", member_values, TOTAL)

    freq = o["freq"].astype(str).replace({"H": sdmx_freq("H")})  # as `sdmx_period`, by column
    period = o["period"].astype(str).str.replace("-H", "-S", regex=False)
    conf = o["conf_status"].fillna("").astype(str).replace({"": "F"})
    value = o["value"].astype(float).where(conf != CONFIDENTIAL)

    frame = pd.DataFrame(
        {
            "FREQ": freq,
            "REF_AREA": release.profile.code,
            "COUNTERPART_AREA": area,
            "ACTIVITY": activity,
            "ACCOUNTING_ENTRY": o["flow"].astype(str).map(FLOW_ENTRY).fillna(o["flow"]),
            "CURRENCY_DENOM": currency,
            "INDICATOR": o["indicator"].astype(str),
            "UNIT_MEASURE": "",
            "ADJUSTMENT": o["adjustment"].astype(str),
            ids.TIME: period,
            ids.MEASURE: value,
            "OBS_STATUS": o["obs_status"].astype(str),
            "CONF_STATUS": conf,
            "UNIT_MULT": o["unit_mult"].astype(int).astype(str),
            "DECIMALS": "",
        }
    )
    _attributes(frame, o, release)
    _months(frame)
    return frame.sort_values([*ids.DIMENSIONS, START], kind="stable").reset_index(drop=True)


def _attributes(frame: pd.DataFrame, o: pd.DataFrame, release: ReleaseFigures) -> None:
    """UNIT_MEASURE and DECIMALS from the registry frozen with the release, per distinct
    (indicator, unit, unit_mult)."""
    reg = frozen_registry(release.inputs)
    combos = o[["indicator", "unit", "unit_mult"]].drop_duplicates()
    table = pd.DataFrame(
        [
            (i, u, m, found["UNIT_MEASURE"], found["DECIMALS"])
            for i, u, m in combos.itertuples(index=False)
            for found in [reg.sdmx(str(i), str(u), int(m))]
        ],
        columns=["indicator", "unit", "unit_mult", "UNIT_MEASURE", "DECIMALS"],
    )
    joined = o[["indicator", "unit", "unit_mult"]].merge(table, how="left")
    frame["UNIT_MEASURE"] = joined["UNIT_MEASURE"].to_numpy()
    frame["DECIMALS"] = joined["DECIMALS"].to_numpy()


def _months(frame: pd.DataFrame) -> None:
    """The START and END month ordinals of each row's SDMX period."""
    text = frame[ids.TIME]
    year = text.str.slice(0, 4).astype(int)
    tail = text.str.slice(5)
    digits = tail.str.lstrip("SQ").replace("", "1").astype(int)
    size = frame["FREQ"].map(_MONTHS).astype(int)
    start = year * 12 + (digits - 1) * size
    frame[START] = start
    frame[END] = start + size - 1
