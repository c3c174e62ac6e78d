"""The demo's releases as SDMX: every observation of a real release has one key, and the
structure-specific message sdmx1 reads holds exactly the release's values (the only module of
the SDMX tests on the demo fixture)."""

from __future__ import annotations

import io
import math
from typing import TYPE_CHECKING

import pytest

import sdmx
from digex.publish.figures import ReleaseFigures
from digex.sdmx import ids
from digex.sdmx.data import data_message, select
from digex.sdmx.keys import SDMX_ESTIMATES
from digex.sdmx.query import parse_query
from digex.sdmx.structures import structures, write_structures

if TYPE_CHECKING:  # imported, conftest would be a second module (its classes then unpicklable)
    from tests.conftest import DemoReleases

KEY = [*ids.DIMENSIONS, ids.TIME]


@pytest.fixture(scope="module")
def release_2024(demo_releases: DemoReleases) -> ReleaseFigures:
    return demo_releases.open("2024")


def test_every_observation_has_one_key(release_2024: ReleaseFigures) -> None:
    found = structures(release_2024, "MA1")
    frame = select(release_2024, found, parse_query("DF_DIGITAL_EXPORTS"))
    o = release_2024.observations
    e = release_2024.estimates
    carried = e[e["indicator"].isin(list(SDMX_ESTIMATES)) & (e["cut"] != "target")]
    # every observation but the targets' progress, and the estimates SDMX carries (adjusted
    # series, ADJUSTMENT S, OBS_STATUS E), each once
    assert len(frame) == int((o["cut"] != "target").sum()) + len(carried)
    assert set(frame.loc[frame["ADJUSTMENT"] == "S", "OBS_STATUS"]) <= {"E"}
    assert not frame.duplicated(KEY).any()
    for component, codes in found.lists.items():
        if component in frame.columns:
            assert set(frame[component]) <= codes.ids(), component
    total = frame.set_index(KEY).loc[
        ("A", "MA", "W1", "_T", "C", "_T", "LEVEL", "MAD", "N", "2024")
    ]
    assert total[ids.MEASURE] == float(release_2024.figure("LEVEL", "2024").value or math.nan)
    withheld = frame[frame["CONF_STATUS"] == "C"]
    assert len(withheld) == int((o[o["cut"] != "target"]["conf_status"] == "C").sum()) > 0
    assert withheld[ids.MEASURE].isna().all()


def test_sdmx1_reads_the_release_exactly(release_2024: ReleaseFigures) -> None:
    """The annual observations of the total and two segments, withheld ones among them (the
    whole release would take sdmx1 four seconds)."""
    found = structures(release_2024, "MA1")
    frame = select(release_2024, found, parse_query("DF_DIGITAL_EXPORTS", "A..W1.KPO+ITO+_T....."))
    assert len(frame) > 300
    assert (frame["CONF_STATUS"] == "C").any()
    structure = sdmx.read_sdmx(io.BytesIO(write_structures(found)))
    body, _ = data_message(release_2024, found, frame, "structurespecific")
    message = sdmx.read_sdmx(io.BytesIO(body), structure=structure.dataflow[ids.DATAFLOW])
    read = sdmx.to_pandas(message).reset_index()
    assert len(read) == len(frame)
    got = dict(
        zip(map(tuple, read[KEY].astype(str).to_numpy().tolist()), read["value"], strict=True)
    )
    for key, value in zip(
        map(tuple, frame[KEY].to_numpy().tolist()), frame[ids.MEASURE], strict=True
    ):
        if math.isnan(value):
            assert math.isnan(got[key]), key
        else:
            assert got[key] == value, key


def test_a_half_year_is_a_semester(demo_releases: DemoReleases) -> None:
    release = demo_releases.open("2025-H1")
    found = structures(release, "MA1")
    key = "S.MA.W1._T.C._T.LEVEL.MAD.N"
    frame = select(
        release, found, parse_query("DF_DIGITAL_EXPORTS", key, {"startPeriod": "2025-S1"})
    )
    assert list(frame[ids.TIME]) == ["2025-S1"]
    assert frame[ids.MEASURE].iloc[0] == float(release.figure("LEVEL", "2025-H1").value or math.nan)
