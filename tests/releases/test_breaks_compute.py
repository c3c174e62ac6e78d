"""The profile's series break reaches what `db.indicators` returns (and so the cache, the CLI
and the releases, which compute through the same service): Morocco's five-segment perimeter
from 2023-01-01, on a tiny store of two years and two months."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.conftest import FIRM, TODAY, write_csv

import digex
from digex.api import Digex
from digex.indicators.registry import registry
from digex.profile import load_profile
from digex.publish import explanation
from digex.publish.figures import FigureKey
from digex.releases.breaks import SeriesBreak, flags, mark_breaks

MONTHS = [f"{y}-{m:02d}" for y in (2022, 2023) for m in range(1, 13)] + ["2024-01", "2024-02"]
SERIES = [("EXPORTS_3SEG", "2022", "16500000000"), ("EXPORTS_3SEG", "2023", "17900000000.00")]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Digex]:
    folder = tmp_path_factory.mktemp("breaks")
    rows = [
        (f"D{n}-{seg}", month, FIRM, seg, "FR", "MAD", str(100 + n), "X")
        for n, month in enumerate(MONTHS)
        for seg in ("ITO", "CRM")
    ]
    with digex.init(folder / "b.duckdb", profile="MA") as store:
        store.load(
            write_csv(folder / "d.csv", rows),
            series=write_csv(folder / "s.csv", SERIES, header=("series", "year", "value")),
            today=TODAY,
        )
    with digex.connect(folder / "b.duckdb", read_only=True) as store:
        yield store


CASES = [
    ("LEVEL", "2023-H1", "B"),  # at: the half-year holding 2023-01-01
    ("LEVEL", "2023-H2", "A"),
    ("GROWTH_POP", "2023-H2", "A"),  # over 2023-H1, new perimeter both
    ("GROWTH_YOY", "2023-H2", "B"),  # over 2022-H2
    ("LEVEL", "2023-Q1", "B"),
    ("LEVEL", "2023-Q2", "A"),
    ("LEVEL", "2023-01", "B"),
    ("GROWTH_POP", "2023-01", "B"),  # over 2022-12
    ("LEVEL", "2023-02", "A"),
    ("GROWTH_POP", "2023-02", "A"),
    ("YTD_LEVEL", "2023-02", "A"),  # January-February 2023, new perimeter only
    ("YTD_GROWTH", "2023-02", "B"),  # over January-February 2022
    ("GROWTH_YOY", "2024-01", "A"),  # over 2023-01, after the break both
    ("LEVEL", "2022-12", "A"),
    ("LEVEL", "2022", "A"),
    ("LEVEL", "2023", "B"),  # the first year of the new perimeter
    ("GROWTH_YOY", "2023", "B"),  # 2023 over 2022: two definitions
]


@pytest.fixture(scope="module")
def computed(db: Digex) -> pd.DataFrame:
    """Every case's figure, in one computation (one suite run per frequency)."""
    return db.indicators(sorted({p for _, p, _ in CASES} | {"2024"}))


def status(frame: pd.DataFrame, indicator: str, period: str, member: str = "_T") -> str:
    row = frame[
        (frame["indicator"] == indicator)
        & (frame["period"] == period)
        & (frame["member"] == member)
    ]
    assert len(row) == 1, (indicator, period, member)
    return str(row["obs_status"].iloc[0])


def test_the_moroccan_profile_records_the_break() -> None:
    (brk,) = load_profile("MA").breaks
    assert (brk.id, brk.day) == ("five-segments", dt.date(2023, 1, 1))
    assert (brk.indicators, brk.cuts, brk.members) == (frozenset(),) * 3
    assert all(brk.explanation[lang].strip() for lang in ("ar", "fr", "en"))
    # the figures it quotes are named, so that each release writes its own (26.17 bn and
    # 17.9 bn on the calibrated demo data), never copied into the profile
    for lang in ("ar", "fr", "en"):
        assert explanation.figures(brk.explanation[lang]) == [
            FigureKey("LEVEL", "2023"),
            FigureKey("SERIES_LEVEL", "2023", member="EXPORTS_3SEG"),
        ]
        assert not re.findall(r"\d+[.,]\d+", brk.explanation[lang])


def test_annual_growth_after_the_break_is_plain(computed: pd.DataFrame) -> None:
    assert status(computed, "GROWTH_YOY", "2024") == "A"  # 2024 over 2023: one definition


def test_every_cut_is_at_the_break(db: Digex) -> None:
    by_segment = db.indicators("2023", by="segment", indicators=["LEVEL", "SHARE"])
    assert set(by_segment["obs_status"]) == {"B"}


@pytest.mark.parametrize(("indicator", "period", "code"), CASES)
def test_each_frequency_has_its_first_observation_after_the_break(
    computed: pd.DataFrame, indicator: str, period: str, code: str
) -> None:
    assert status(computed, indicator, period) == code


def test_the_older_series_keeps_its_own_status(computed: pd.DataFrame) -> None:
    frame = computed
    assert status(frame, "SERIES_LEVEL", "2023", "EXPORTS_3SEG") == "A"
    assert status(frame, "SERIES_GROWTH", "2023", "EXPORTS_3SEG") == "A"
    assert status(frame, "LEVEL", "2023") == "B"


breaks = st.builds(
    lambda day, cut, indicator: SeriesBreak(
        "b",
        day,
        {"en": "x", "fr": "x", "ar": "x"},
        frozenset(indicator),
        frozenset(cut),
    ),
    st.dates(dt.date(2022, 1, 1), dt.date(2025, 12, 31)),
    st.sampled_from([[], ["total"], ["segment"]]),
    st.sampled_from([[], ["GROWTH_YOY"], ["LEVEL", "YTD_GROWTH"], ["SERIES_LEVEL"]]),
)
figures = st.lists(
    st.tuples(
        st.sampled_from(sorted(registry().indicators)),
        st.sampled_from(["2023", "2024", "2023-H2", "2024-Q1", "2023-01", "2024-12"]),
        st.sampled_from([("total", "_T"), ("segment", "ITO"), ("segment", "KPO")]),
        st.sampled_from(["A", "P"]),
    ),
    min_size=1,
    max_size=30,
)


@given(figures, st.lists(breaks, max_size=2))
def test_marking_a_table_is_flagging_each_figure(
    rows: list[tuple[str, str, tuple[str, str], str]], chosen: list[SeriesBreak]
) -> None:
    chosen = [
        SeriesBreak(f"b{n}", b.day, b.explanation, b.indicators, b.cuts)
        for n, b in enumerate(chosen)
    ]
    frame = pd.DataFrame(
        [(i, p, c, m, o) for i, p, (c, m), o in rows],
        columns=["indicator", "period", "cut", "member", "obs_status"],
    )
    marked = mark_breaks(frame, chosen)
    expected = ["B" if flags(i, c, m, p, chosen).obs_status else o for i, p, (c, m), o in rows]
    assert marked["obs_status"].tolist() == expected
    assert frame["obs_status"].tolist() == [o for *_, o in rows]  # the input is left as it was


def test_auxiliary_series_alone_are_left_to_their_own_breaks() -> None:
    five = load_profile("MA").breaks
    assert flags("JOBS", "total", "_T", "2023", five).obs_status is None
    assert flags("SERIES_LEVEL", "total", "EXPORTS_3SEG", "2023", five).obs_status is None
    # exports per job divides the declarations' exports: the first year of the new perimeter
    assert flags("EXPORTS_PER_JOB", "total", "_T", "2023", five).at == ("five-segments",)
    named = SeriesBreak("old", dt.date(2023, 1, 1), five[0].explanation, frozenset({"JOBS"}))
    assert flags("JOBS", "total", "_T", "2023", [named]).at == ("old",)
