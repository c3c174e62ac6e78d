"""What a release holds: the periods it carries, every indicator of every cut for them with
the release's OBS_STATUS, and the copies of its inputs."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from tests.conftest import FIRM, TODAY, write_csv

import digex
from digex.api import Digex
from digex.indicators.engine import Engine
from digex.releases import content
from digex.store.releases import OBSERVATION_COLUMNS


def amount(year: int, month: int) -> Decimal:
    return Decimal(1000 * month + (year - 2023) * 7) + Decimal("0.25")


def dec(value: float) -> Decimal:
    return Decimal(str(float(value)))


ROWS = [
    (f"D{year}{month:02d}", f"{year}-{month:02d}", FIRM, "ITO", "FR", "MAD",
     str(amount(year, month)), "X")
    for year in (2023, 2024)
    for month in range(1, 13)
]  # fmt: skip


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Digex]:
    folder = tmp_path_factory.mktemp("content")
    with digex.init(folder / "s.duckdb") as db:
        db.load(write_csv(folder / "d.csv", ROWS), today=TODAY)
        yield db


def _observations(db: Digex, period: str, status: str) -> pd.DataFrame:
    with db.store.snapshot() as snap:
        engine = Engine(snap.sources(db.profile.minor_units))
        return content.observations(engine, db.profile, period, status)


def test_the_periods_a_release_carries() -> None:
    labels = [p.label for p in content.release_periods("2025-H1")]
    assert labels == [
        "2024-H1", "2025-H1", "2024-Q1", "2024-Q2", "2025-Q1", "2025-Q2",
        *(f"{y}-{m:02d}" for y in (2024, 2025) for m in range(1, 7)),
    ]  # fmt: skip
    assert [p.label for p in content.release_periods("2024-03")] == ["2023-03", "2024-03"]
    third = [p.label for p in content.release_periods("2024-Q3")]
    assert third == ["2023-Q3", "2024-Q3", "2023-07", "2023-08", "2023-09", "2024-07",
                     "2024-08", "2024-09"]  # fmt: skip
    year = content.release_periods("2024")
    assert len(year) == 2 * (1 + 2 + 4 + 12)
    assert {p.freq for p in year} == {"A", "H", "Q", "M"}


def test_a_release_holds_every_cut_and_period_with_its_status(small: Digex) -> None:
    frame = _observations(small, "2024-H1", "preliminary")
    assert list(frame.columns) == [c.strip() for c in OBSERVATION_COLUMNS.split(",")]
    wanted = {p.label for p in content.release_periods("2024-H1")}
    assert set(frame["period"]) == wanted
    assert set(frame["cut"]) >= {"total", "segment", "region"}  # MA: partners only yearly
    # MA's series break (the five-segment perimeter from 2023-01-01) marks 2023's figures at
    # or across it with B; the release's status makes every other figure provisional
    in_2023 = frame["period"].str.startswith("2023")
    assert set(frame.loc[~in_2023, "obs_status"]) == {"P"}
    assert set(frame.loc[in_2023, "obs_status"]) == {"P", "B"}
    total = (frame["cut"] == "total") & (frame["flow"] == "X")
    exports = frame[(frame["indicator"] == "LEVEL") & total]
    value = exports.set_index("period")["value"]
    by_hand = sum(amount(2024, m) for m in range(1, 7))
    assert dec(value["2024-H1"]) == by_hand
    assert dec(value["2023-Q2"]) == sum(amount(2023, m) for m in (4, 5, 6))
    # year-to-date figures come with each month's row
    ytd = frame[(frame["indicator"] == "YTD_LEVEL") & total]
    assert dec(ytd.set_index("period")["value"]["2024-05"]) == sum(
        amount(2024, m) for m in range(1, 6)
    )
    final = content.released_codes(frame["obs_status"], "final")
    assert set(final[~in_2023]) == {"A"}
    assert set(final[in_2023]) == {"A", "B"}


def test_codes_that_say_more_than_normal_or_provisional_are_kept() -> None:
    codes = pd.Series(["A", "P", "E", "F", "B", "X"])
    assert content.released_codes(codes, "revised").tolist() == ["P", "P", "E", "F", "B", "X"]
    assert content.released_codes(codes, "final").tolist() == ["A", "A", "E", "F", "B", "X"]
    with pytest.raises(ValueError, match="preliminary, revised, final"):
        content.release_status("draft")


def test_the_inputs_frozen_with_a_release(small: Digex) -> None:
    frozen = content.frozen_inputs(small.profile)
    assert sorted(frozen) == list(content.INPUT_NAMES)
    assert frozen["profile.toml"] == small.profile.text
    assert tomllib.loads(frozen["profile.toml"])  # the recorded text, whole
    lists = json.loads(frozen["codelists.json"])
    assert set(lists["codelists"]) == {
        "segments", "ebops", "flows", "countries", "regions", "currencies",
    }  # fmt: skip
    mad = [c for c in lists["codelists"]["currencies"] if c["code"] == "MAD"]
    assert [c["minor_units"] for c in mad] == [2]
    packaged = Path(content.__file__).parent.parent / "data" / "indicators.toml"
    assert frozen["registry.toml"] == packaged.read_text(encoding="utf-8")
