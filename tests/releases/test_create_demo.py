"""The demo's releases: preliminary 2024, a late file, revised 2024, preliminary 2025-H1. The
late file changes no published figure of DESIGN.md: the public table stays true in every
vintage."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from tests.conftest import DemoReleases, DemoStore
from tests.test_reference_figures import FIGURES, query

import digex
from digex.api import Digex
from digex.demo import run
from digex.publish.rounding import round_half_up
from digex.releases.snapshot import read_release, snapshot_path

ANNUAL = [f for f in FIGURES if f["period"] in ("2023", "2024") and f["measure"] != "jobs"]
"""The figures a late file of December 2024 may change (the others are of other periods)."""


def _copy(demo_store: DemoStore, folder: Path) -> Path:
    return Path(shutil.copy(demo_store.path, folder / "demo.duckdb"))


def _annual(db: Digex) -> pd.DataFrame:
    """The annual figures' indicators, every cut, in one pass of the suite."""
    wanted = sorted({query(f)[1] for f in ANNUAL})
    return db.indicators(["2023", "2024"], by="all", indicators=wanted)


def _value(frame: pd.DataFrame, figure: dict[str, Any]) -> float:
    by, indicator, _ = query(figure)
    hit = frame[
        (frame["indicator"] == indicator)
        & (frame["cut"] == by)
        & (frame["member"] == figure["segment"])
        & (frame["period"] == figure["period"])
    ]
    assert len(hit) == 1, figure["id"]
    return float(hit["value"].iloc[0])


def test_the_late_file_moves_no_published_figure(demo_store: DemoStore, tmp_path: Path) -> None:
    with digex.connect(_copy(demo_store, tmp_path)) as db:
        before = _annual(db)
        path = run.write_late_file(db, tmp_path)
        (late,) = db.load(path, today=run.LOAD_DATE, user=run.USER)
        after = _annual(db)
    assert late.rows_accepted == len(run.LATE_AMOUNTS) == 5
    total = next(f for f in ANNUAL if f["id"] == "EXP_2024")
    added = Decimal(str(_value(after, total))) - Decimal(str(_value(before, total)))
    assert added.quantize(Decimal("0.01")) == sum(Decimal(a) for a in run.LATE_AMOUNTS.values())
    changed = set()
    for figure in ANNUAL:
        unit = 10 ** query(figure)[2]
        published = Decimal(str(figure["value"]))
        assert round_half_up(_value(before, figure) / unit, figure["decimals"]) == published
        if round_half_up(_value(after, figure) / unit, figure["decimals"]) != published:
            changed.add(figure["id"])
    # 26.2, +0.2 %, the levels, shares and growth of the segments hold in both vintages
    assert changed == set()
    assert Decimal("2e6") < added < Decimal("3e6")  # "a few million MAD"


def test_the_demo_s_releases_fit_the_release_calendar() -> None:
    made = [(period, status) for period, status, *_ in run.DEMO_RELEASES]
    assert made == [("2024", "preliminary"), ("2024", "revised"), ("2025-H1", "preliminary")]
    for _, _, created, published, note in run.DEMO_RELEASES:
        assert created < published  # each embargoed a few days
        assert note
    # the calendar's due dates (data/calendar/MA.toml): a year within 3 months, H1 within 6 weeks
    assert run.DEMO_RELEASES[0][3] < dt.datetime(2025, 4, 1)
    assert run.DEMO_RELEASES[2][3] < dt.datetime(2025, 8, 12)


@pytest.mark.slow
def test_the_demo_makes_its_releases(demo_releases: DemoReleases) -> None:
    """The whole flow as `digex demo` runs it (three releases, each protected: the session's
    `demo_releases`, one run of the command). The total and the five segments' levels and
    shares stay published in every release's public view, whose gate passed; the demo says
    so, with each gate's counts and time."""
    flat = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", demo_releases.transcript)
    with digex.connect(demo_releases.store, read_only=True) as db:
        listing = db.releases()
        made = list(zip(listing["release_id"], listing["period"], strict=True))
        unpublished = {rid: run.unpublished_headline(db, rid, period) for rid, period in made}
    assert unpublished == {rid: [] for rid, _ in made}
    assert "every release publishes the total and the five segments' levels and shares" in flat
    for rid, _ in made:
        gate = re.search(rf"gate of {re.escape(rid)}: passed in [0-9.]+ s \(([^)]*)\)", flat)
        assert gate is not None, rid
        counts = {k: int(v.replace(",", "")) for k, v in re.findall(r"(\w+) ([0-9,]+)", gate[1])}
        assert counts["failed"] == 0
        assert counts["suppressed"] > 0
    ids = list(zip(listing["release_id"], listing["status"], strict=True))
    assert ids == [("2024.1", "preliminary"), ("2024.2", "revised"), ("2025-H1.1", "preliminary")]
    first, second = (
        {
            (r["indicator"], r["cut"], r["member"], r["period"], r["flow"]): r["value"]
            for r in read_release(snapshot_path(demo_releases.store, rid)).observations.to_pylist()
        }
        for rid in ("2024.1", "2024.2")
    )
    for segment, amount in run.LATE_AMOUNTS.items():
        key = ("LEVEL", "segment", segment, "2024", "X")
        assert Decimal(str(second[key])) - Decimal(str(first[key])) == Decimal(amount)
    for row, (_, status, created, published, _) in zip(
        listing.itertuples(), run.DEMO_RELEASES, strict=True
    ):
        assert (row.status, row.created_at, row.published_at) == (status, created, published)


@pytest.mark.slow
def test_kpo_by_region_is_protected_inside_its_table(demo_releases: DemoReleases) -> None:
    """The demo's 2024 release publishes segment x region yearly (the Handbook's "partners
    grouped by region"): a thin KPO region (two firms in Asia in 2023, on the test-size data)
    is suppressed, its complements are found among the segment x region cells, and the total
    and the five segments (the profile's headline tables) stay published in every year."""
    with digex.connect(demo_releases.store, read_only=True) as db:
        cells = db.release_cells(demo_releases.ids["2024-prelim"])
    yearly = cells[(cells["freq"] == "A") & (cells["flow"] == "X") & (cells["measure"] == "LEVEL")]
    cross = yearly[yearly["cut"] == "segment_region"]
    kpo = cross[cross["member"].str.startswith("KPO.")]
    assert (kpo["origin"] == "rule").any()
    assert (kpo.loc[kpo["origin"] == "rule", "conf_status"] != "F").all()
    assert (cross["origin"] == "secondary").any()
    headline = yearly[yearly["cut"].isin(["total", "segment"])]
    assert len(headline) == 6 * yearly["period"].nunique()
    assert (headline["conf_status"] == "F").all()
