"""Series breaks: which figures are at a break (OBS_STATUS B) and which straddle one."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from digex.errors import ProfileError, UsageError
from digex.indicators.periods import PER_YEAR, Period, parse_period
from digex.indicators.registry import registry
from digex.indicators.select import UnknownIndicator
from digex.indicators.status import Inputs, ObsStatus
from digex.releases.breaks import (
    SeriesBreak,
    flag_frame,
    flags,
    is_at,
    mark_breaks,
    parse_breaks,
    read_breaks,
    span_days,
    straddles,
)

TEXT = {"en": "Five segments", "fr": "Cinq segments", "ar": "خمسة قطاعات"}
FIVE = SeriesBreak("five-segments", dt.date(2024, 1, 1), TEXT, cuts=frozenset({"total"}))


@pytest.mark.parametrize(
    ("indicator", "period", "at", "across"),
    [
        ("LEVEL", "2023", False, False),
        ("LEVEL", "2024", True, False),  # the first observation of the new perimeter
        ("GROWTH_YOY", "2024", True, True),  # 2024 over 2023: two definitions
        ("GROWTH_YOY", "2025", False, False),
        ("GROWTH_YOY", "2024-H2", False, True),  # 2024-H2 over 2023-H2
        ("GROWTH_YOY", "2025-H1", False, False),
        ("GROWTH_POP", "2024-H1", True, True),  # over 2023-H2
        ("GROWTH_POP", "2024-H2", False, False),  # over 2024-H1
        ("YTD_GROWTH", "2024-03", False, True),  # January-March 2024 over 2023
        ("YTD_GROWTH", "2025-02", False, False),
        ("YTD_LEVEL", "2024-03", False, False),  # January-March 2024, all new
        ("CONTRIBUTION", "2024-Q1", True, True),
    ],
)
def test_a_break_on_the_first_of_january(
    indicator: str, period: str, at: bool, across: bool
) -> None:
    f = flags(indicator, "total", "_T", period, [FIVE])
    assert (bool(f.at), bool(f.across)) == (at, across)
    assert f.obs_status == ("B" if at or across else None)
    assert f.obs_status is (ObsStatus.BREAK if at or across else None)


def test_only_the_series_it_concerns() -> None:
    assert flags("GROWTH_YOY", "segment", "ITO", "2024", [FIVE]).obs_status is None
    narrow = SeriesBreak("kpo", dt.date(2024, 1, 1), TEXT, frozenset({"LEVEL"}), members={"KPO"})
    assert flags("LEVEL", "segment", "KPO", "2024", [narrow]).at == ("kpo",)
    assert flags("LEVEL", "segment", "ITO", "2024", [narrow]).at == ()
    assert flags("SHARE", "segment", "KPO", "2024", [narrow]).at == ()
    june = SeriesBreak("other", dt.date(2024, 6, 1), TEXT)
    both = flags("GROWTH_YOY", "total", "_T", "2024", [FIVE, narrow, june])
    assert both.across == ("five-segments", "other")


def test_a_break_inside_a_period() -> None:
    july = SeriesBreak("july", dt.date(2024, 7, 1), TEXT)
    year = parse_period("2024")
    assert is_at(year, july)
    assert straddles(year, _reads("LEVEL"), july)  # January-June old, July-December new
    assert is_at(parse_period("2024-H2"), july)
    assert not straddles(parse_period("2024-H2"), _reads("LEVEL"), july)
    assert flags("LEVEL", "total", "_T", "2024-H1", [july]).obs_status is None
    assert flags("GROWTH_YOY", "total", "_T", "2025-Q2", [july]).across == ("july",)
    assert flags("GROWTH_YOY", "total", "_T", "2025-Q3", [july]).across == ()
    mid_month = SeriesBreak("mid", dt.date(2024, 3, 15), TEXT)
    assert flags("LEVEL", "total", "_T", "2024-03", [mid_month]).across == ("mid",)


def months_read(period: Period, span: str) -> list[tuple[int, int]]:
    """The months a span reads, listed from the definitions of the spans, month by month."""
    size = 12 // PER_YEAR[period.freq]
    own = [(period.year, m) for m in range(period.first_month, period.last_month + 1)]
    if span == "own":
        return own
    if span == "yoy":
        return [(y - 1, m) for y, m in own]
    if span == "pop":
        return [(y, m - size) if m > size else (y - 1, m - size + 12) for y, m in own]
    ytd = [(period.year, m) for m in range(1, period.last_month + 1)]
    return ytd if span == "ytd" else [(y - 1, m) for y, m in ytd]


def days(months: list[tuple[int, int]]) -> list[dt.date]:
    out = []
    for y, m in months:
        day = dt.date(y, m, 1)
        while day.month == m:
            out.append(day)
            day += dt.timedelta(days=1)
    return out


periods = st.builds(
    lambda freq, year, sub: Period(freq, year, 1 + sub % PER_YEAR[freq]),
    st.sampled_from(["M", "Q", "H", "A"]),
    st.integers(2021, 2026),
    st.integers(0, 11),
)


@given(
    periods,
    st.sampled_from(["LEVEL", *sorted(registry().indicators)]),
    st.dates(dt.date(2019, 1, 1), dt.date(2028, 12, 31)),
)
def test_straddle_is_days_on_both_sides(period: Period, indicator: str, day: dt.date) -> None:
    brk = SeriesBreak("b", day, TEXT)
    reads = _reads(indicator)
    read = days([m for span in reads.all for m in months_read(period, span)])
    assert straddles(period, reads, brk) == (min(read) < day <= max(read))
    assert is_at(period, brk) == (day in days(months_read(period, "own")))


BREAKS_TOML = """
[[break]]
id = "five-segments"
date = 2024-01-01
cuts = ["total"]
explanation = { en = "Five segments", fr = "Cinq segments", ar = "خمسة قطاعات" }
"""


def test_read_from_toml(tmp_path: Path) -> None:
    path = tmp_path / "breaks.toml"
    path.write_text(BREAKS_TOML, encoding="utf-8")
    (brk,) = read_breaks(path)
    assert brk == FIVE
    assert brk.explanation["ar"] == "خمسة قطاعات"
    assert parse_breaks({}) == ()


def item(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"id": "b", "date": dt.date(2024, 1, 1), "explanation": dict(TEXT)}
    base.update(changes)
    return base


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([item(explanation={"en": "x", "fr": "y"})], "needs a text in ar"),
        ([item(date="2024-01-01")], "`date` must be a day"),
        ([item(cuts=["sector"])], "unknown cuts"),
        ([item(indicators=["LEVEL", "GROWTH_YOYY"])], r"unknown indicators \['GROWTH_YOYY'\]"),
        ([item(members="KPO")], "`members` must be a list"),
        ([item(scope="all")], "unknown keys"),
        ([item(), item()], "once"),
        ([{"date": dt.date(2024, 1, 1)}], "`id`"),
    ],
)
def test_errors_name_the_break(entries: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(ProfileError, match=message):
        parse_breaks({"break": entries}, "breaks.toml")


def test_an_unknown_indicator_or_span_is_a_digex_error() -> None:
    with pytest.raises(UnknownIndicator, match="'LEVELS'"):
        flags("LEVELS", "total", "_T", "2024", [FIVE])
    with pytest.raises(UsageError, match="span='last_year'"):
        span_days(parse_period("2024"), "last_year")  # type: ignore[arg-type]


def test_a_table_of_figures() -> None:
    frame = pd.DataFrame(
        {
            "indicator": ["GROWTH_YOY", "GROWTH_YOY", "LEVEL", "GROWTH_YOY", "LEVEL"],
            "period": ["2024", "2025", "2024", "2024", "2024"],
            "cut": ["total", "total", "total", "segment", "total"],
            "member": ["_T", "_T", "_T", "ITO", "_T"],
            "flow": ["X", "X", "X", "X", "M"],
            "value": [0.2, 3.5, 26.2, 1.0, 2.0],
        }
    )
    out = flag_frame(frame, [FIVE])
    assert list(out["break_across"]) == ["five-segments", "", "", "", ""]
    assert list(out["break_at"]) == ["five-segments", "", "five-segments", "", "five-segments"]
    assert list(out["value"]) == list(frame["value"])


def _reads(indicator: str) -> Inputs:
    return registry().indicators[indicator].reads


def test_a_break_of_a_single_series_marks_the_cross_cells_built_on_it() -> None:
    """KPO's break marks KPO.FR and KPO.150 (segment x partner, segment x region), not
    ITO.FR; France's marks every segment's FR cell; a break may name a cross cut itself."""
    kpo = SeriesBreak("kpo", dt.date(2024, 1, 1), TEXT, frozenset({"LEVEL"}), members={"KPO"})
    france = SeriesBreak(
        "fr", dt.date(2024, 1, 1), TEXT, frozenset({"LEVEL"}), frozenset({"partner"}), {"FR"}
    )
    rows = [
        ("segment_partner", "KPO.FR"),
        ("segment_partner", "ITO.FR"),
        ("segment_partner", "ITO.ES"),
        ("segment_region", "KPO.150"),
        ("segment", "KPO"),
        ("partner", "FR"),
        ("region", "150"),
    ]
    frame = pd.DataFrame(
        [("LEVEL", "2024", cut, member, "A") for cut, member in rows],
        columns=["indicator", "period", "cut", "member", "obs_status"],
    )
    for brk, expected in (
        (kpo, {"KPO.FR", "KPO.150", "KPO"}),
        (france, {"KPO.FR", "ITO.FR", "FR"}),
    ):
        marked = mark_breaks(frame, [brk])
        hit = set(marked.loc[marked["obs_status"] == ObsStatus.BREAK.value, "member"])
        assert hit == expected
        assert {m for c, m in rows if brk.concerns("LEVEL", c, m)} == expected
    (named,) = parse_breaks({"break": [item(cuts=["segment_partner"])]}, "p.toml")
    assert named.concerns("LEVEL", "segment_partner", "KPO.FR")
    assert not named.concerns("LEVEL", "segment", "KPO")
