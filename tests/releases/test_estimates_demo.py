"""The estimates frozen with the demo's releases (the `demo_releases` fixture): adjusted
series and the nowcast as rows of their own, the specs of 2024 chosen by its first release
and reused by the revision, the rows under the hash and in the snapshot files."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from tests.conftest import DemoReleases

import digex
from digex.indicators.periods import PER_YEAR, label, parse_period
from digex.releases.estimates import ESTIMATED, INPUT_NAME
from digex.releases.snapshot import read_release, snapshot_path
from digex.store import releases as rel


@pytest.fixture
def con(demo_releases: DemoReleases) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(demo_releases.store), read_only=True)
    yield connection
    connection.close()


def test_the_half_year_freezes_adjusted_series_and_its_years_nowcast(
    demo_releases: DemoReleases, con: duckdb.DuckDBPyConnection
) -> None:
    rid = demo_releases.ids["2025-H1"]
    rows = rel.estimates(con, rid).to_pandas()
    by = rows.groupby(["indicator", "obs_status", "adjustment"]).size().to_dict()
    assert set(by) == {
        ("LEVEL_SA", "E", "S"),
        ("GROWTH_POP_SA", "E", "S"),
        ("TREND", "E", "S"),
        ("SEASONAL_FACTOR", "E", "N"),
        ("NOWCAST_LEVEL", "F", "N"),
        ("TARGET_CHANCE", "F", "N"),
    }
    sa = rows[(rows["indicator"] == "LEVEL_SA") & (rows["freq"] == "M")]
    assert sa["period"].max() == "2025-06"  # up to the release's last month, not later
    now = rows[rows["indicator"] == "NOWCAST_LEVEL"].set_index("member")
    total = now.loc["_T"]
    assert total["lower_95"] <= total["lower_80"] < total["value"] < total["upper_80"]
    assert total["upper_80"] <= total["upper_95"]
    # the year is at least what its first half already holds (13.4 bn MAD)
    assert total["lower_95"] > 13e9
    recorded = json.loads(rel.inputs(con, rid)[INPUT_NAME])
    assert recorded["nowcast"]["method"] == total["method"]
    assert recorded["nowcast"]["months"] == 6


def test_adjusted_rows_only_of_periods_the_release_publishes(
    demo_releases: DemoReleases, con: duckdb.DuckDBPyConnection
) -> None:
    """The series are adjusted over their whole history (the demo's from 2019), but an
    adjusted level times its factor is the raw level: a month no release ever carried was
    never judged by the primary rules, so no row of it leaves the release."""
    for which, first in (("2025-H1", "2024-01"), ("2024", "2023-01")):
        rid = demo_releases.ids[which]
        observed = rel.stored_observations(con, rid).to_pandas()
        carried = set(zip(observed["freq"], observed["period"], strict=True))
        rows = rel.estimates(con, rid).to_pandas()
        adjusted = rows[~rows["indicator"].isin(["NOWCAST_LEVEL", "TARGET_CHANCE"])]
        assert len(adjusted) > 0
        assert set(zip(adjusted["freq"], adjusted["period"], strict=True)) <= carried
        months = adjusted[adjusted["freq"] == "M"]
        assert months["period"].min() == first  # the year before the release's, not 2019
        _assert_changes_only_after_carried_periods(rows, carried)
        # the last month's adjusted change is still there to be stated
        total = rows[(rows["member"] == "_T") & (rows["freq"] == "M")]
        growth = total[total["indicator"] == "GROWTH_POP_SA"]
        assert growth["period"].max() == ("2025-06" if which == "2025-H1" else "2024-12")


def test_estimated_and_observed_values_never_share_a_row_or_a_status(
    demo_releases: DemoReleases, con: duckdb.DuckDBPyConnection
) -> None:
    for rid in demo_releases.ids.values():
        observed = rel.stored_observations(con, rid).to_pandas()
        estimated = rel.estimates(con, rid).to_pandas()
        assert not observed["indicator"].isin(ESTIMATED).any()
        assert set(estimated["indicator"]) <= ESTIMATED
        assert set(estimated["obs_status"]) <= {"E", "F"}
        assert not observed["obs_status"].isin(["E", "F"]).any()


def test_a_year_has_no_nowcast_and_its_revision_reuses_its_specs(
    demo_releases: DemoReleases, con: duckdb.DuckDBPyConnection
) -> None:
    first, revised = demo_releases.ids["2024-prelim"], demo_releases.ids["2024"]
    for rid in (first, revised):
        held = set(rel.estimates(con, rid).to_pandas()["indicator"])
        assert held == {"LEVEL_SA", "GROWTH_POP_SA", "TREND", "SEASONAL_FACTOR"}
    chosen_by = {
        r
        for (r,) in con.execute(
            "SELECT release_id FROM seasonal_specs WHERE year = 2024"
        ).fetchall()
    }
    assert chosen_by == {first}
    old = json.loads(rel.inputs(con, first)[INPUT_NAME])["seasonal"]
    new = json.loads(rel.inputs(con, revised)[INPUT_NAME])["seasonal"]
    assert old
    assert set(new) == set(old)
    for series, made in new.items():
        assert made["spec_from"] == "stored"
        assert made["model"] == old[series]["model"], series
        assert made["spec"] == old[series]["spec"], series
    assert all(made["spec_from"] == "chosen" for made in old.values())


def test_frozen_rows_are_under_the_hash_and_in_the_snapshot(
    demo_releases: DemoReleases, con: duckdb.DuckDBPyConnection
) -> None:
    for rid in demo_releases.ids.values():
        assert rel.content_hash(con, rid) == rel.stored_hash(con, rid)
        snap = read_release(snapshot_path(demo_releases.store, rid))
        assert snap.intact
        assert snap.estimates is not None
        assert snap.estimates.equals(rel.estimates(con, rid))
    held = rel.estimates(con, demo_releases.ids["2025-H1"]).num_rows
    con.close()  # open_release opens the store read-only with its own settings
    figures = demo_releases.open("2025-H1")
    assert len(figures.estimates) == held
    assert not figures.observations["indicator"].isin(ESTIMATED).any()


def _assert_changes_only_after_carried_periods(
    rows: pd.DataFrame, carried: set[tuple[str, str]]
) -> None:
    """An adjusted change with its adjusted level gives the period before's adjusted level:
    only where that period is one the release carries (checked disclosure-wise)."""
    growth = rows[rows["indicator"] == "GROWTH_POP_SA"]
    assert len(growth) > 0
    for freq, period in zip(growth["freq"], growth["period"], strict=True):
        p = parse_period(period)
        year, sub = divmod(p.ordinal - 1, PER_YEAR[p.freq])
        assert (freq, label(p.freq, year, sub + 1)) in carried, (freq, period)


def test_a_release_ending_in_december_forecasts_nothing(
    demo_releases: DemoReleases, tmp_path: Path
) -> None:
    """Its year is observed whole: no nowcast (it used to stop the release, after its gate
    had passed, on the nowcast's 1-to-11-month limit). A quarter of the demo's: the months
    and quarters it carries, adjusted, and the changes only after a carried period."""
    store = Path(shutil.copy(demo_releases.store, tmp_path / "demo.duckdb"))
    with digex.connect(store) as db:
        made = db.create_release(
            "2024-Q4", "preliminary", now=dt.datetime(2025, 2, 10, 8, 0),
            publish_at=dt.datetime(2025, 2, 12, 9, 0),
        )  # fmt: skip
        assert made.gate["failed"] == 0
        with db.store.reading() as con:
            rows = rel.estimates(con, made.release_id).to_pandas()
            observed = rel.stored_observations(con, made.release_id).to_pandas()
    assert not rows["indicator"].isin(["NOWCAST_LEVEL", "TARGET_CHANCE"]).any()
    carried = set(zip(observed["freq"], observed["period"], strict=True))
    assert set(zip(rows["freq"], rows["period"], strict=True)) <= carried
    assert {"2024-12", "2024-Q4"} <= set(rows.loc[rows["indicator"] == "LEVEL_SA", "period"])
    _assert_changes_only_after_carried_periods(rows, carried)
    # October's change would give September's adjusted level: September is not carried
    months = rows[(rows["indicator"] == "GROWTH_POP_SA") & (rows["freq"] == "M")]
    assert "2024-10" not in set(months["period"])
    assert "2024-11" in set(months["period"])
