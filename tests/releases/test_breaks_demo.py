"""The demo ships the older three-segment series: both published 2023 figures are returned,
each with its series, the figures at the break carry OBS_STATUS B and growth across it is
flagged (in the data and in the terminal table), while 2024 on 2023 stays a plain +0.2 %."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd
import pytest
from tests.conftest import TODAY, DemoStore
from tests.inprocess import run_here

import digex
from digex.demo.generator import OLDER_SERIES, older_series


@pytest.fixture(scope="module")
def demo(demo_store: DemoStore, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A copy of the session's demo store with the demo's series file loaded, as `make demo`
    (demo.run) loads it."""
    assert demo_store.files.series is not None
    path = Path(shutil.copy(demo_store.path, tmp_path_factory.mktemp("demo-breaks") / "d.duckdb"))
    with digex.connect(path) as db:
        [result] = db.load(series=demo_store.files.series, today=TODAY)
        assert (result.kind, result.rows_accepted, result.rows_rejected) == ("series", 5, 0)
    return path


@pytest.fixture(scope="module")
def frame(demo: Path) -> Iterator[pd.DataFrame]:
    with digex.connect(demo, read_only=True) as db:
        yield db.indicators(["2022", "2023", "2024"])


def one(frame: pd.DataFrame, indicator: str, period: str, member: str = "_T") -> pd.Series:
    rows = frame[
        (frame["indicator"] == indicator)
        & (frame["period"] == period)
        & (frame["member"] == member)
    ]
    assert len(rows) == 1
    return rows.iloc[0]


def rounded(value: float, places: str) -> Decimal:
    return Decimal(float(value)).quantize(Decimal(places), ROUND_HALF_UP)


def test_both_2023_figures_with_their_series(frame: pd.DataFrame) -> None:
    five = one(frame, "LEVEL", "2023")
    three = one(frame, "SERIES_LEVEL", "2023", OLDER_SERIES)
    assert rounded(five["value"] / 1e9, "0.01") == Decimal("26.17")
    assert rounded(three["value"] / 1e9, "0.1") == Decimal("17.9")
    assert (five["cut"], three["cut"]) == ("total", "total")
    assert (five["unit"], three["unit"]) == ("MAD", "MAD")


def test_the_2023_observations_carry_b_and_growth_across_is_flagged(frame: pd.DataFrame) -> None:
    assert one(frame, "LEVEL", "2023")["obs_status"] == "B"
    assert one(frame, "LEVEL", "2022")["obs_status"] == "A"
    assert one(frame, "GROWTH_YOY", "2023")["obs_status"] == "B"  # 2023 over 2022
    after = one(frame, "GROWTH_YOY", "2024")  # 2024 over 2023: one perimeter
    assert after["obs_status"] == "A"
    assert rounded(after["value"], "0.1") == Decimal("0.2")
    # the older series is one definition throughout: its own growth is plain, and it has no
    # figure for 2024, a year it does not cover (nothing is spliced onto the new series)
    assert one(frame, "SERIES_GROWTH", "2023", OLDER_SERIES)["obs_status"] == "A"
    assert frame[(frame["period"] == "2024") & frame["indicator"].str.startswith("SERIES_")].empty


def test_the_file_holds_what_the_generator_drew(demo: Path) -> None:
    import numpy as np

    (child,) = np.random.SeedSequence(2025).spawn(6)[5:]
    drawn = older_series(np.random.default_rng(child))
    with digex.connect(demo, read_only=True) as db:
        kept = db.store.con.execute(
            "SELECT year, value FROM current_auxiliary WHERE series = 'EXPORTS_3SEG' ORDER BY year"
        ).fetchall()
    assert kept == sorted(drawn.items())
    assert [y for y, _ in kept] == [2019, 2020, 2021, 2022, 2023]


def test_the_table_marks_the_break(demo: Path, tmp_path: Path) -> None:
    run = run_here(["indicators", "--period", "2023", "--db", demo], tmp_path).ok()
    lines = run.stdout.splitlines()
    level = next(line for line in lines if line.startswith("LEVEL ") and "_T" in line)
    assert "26.170‡" in level
    older = next(line for line in lines if line.startswith("SERIES_LEVEL"))
    assert OLDER_SERIES in older
    assert "‡" not in older
    assert "‡ series break (B)" in run.stdout
