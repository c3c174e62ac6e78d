"""Parsing an SDMX REST data query: flowRef, key, periods and parameters."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digex.indicators.periods import Period, parse_period
from digex.sdmx import ids
from digex.sdmx.errors import NotImplementedQuery, QueryError
from digex.sdmx.keys import digex_period, sdmx_freq, sdmx_period
from digex.sdmx.query import FlowRef, parse_flow, parse_key, parse_query, period_months

N = len(ids.DIMENSIONS)


def test_flow_refs() -> None:
    assert parse_flow("DF_DIGITAL_EXPORTS") == FlowRef(None, "DF_DIGITAL_EXPORTS", None)
    assert parse_flow("MA1,DF_DIGITAL_EXPORTS") == FlowRef("MA1", "DF_DIGITAL_EXPORTS", None)
    assert parse_flow("MA1,DF_DIGITAL_EXPORTS,1.0").version == "1.0"
    assert parse_flow("MA1,DF_DIGITAL_EXPORTS,latest").version is None
    assert parse_flow("all,DF_DIGITAL_EXPORTS,all") == FlowRef(None, "DF_DIGITAL_EXPORTS", None)
    for bad in ("", "a,b,c,d", "MA1,,1.0", "MA1,DF X", "MA1,DF,v1"):
        with pytest.raises(QueryError) as e:
            parse_flow(bad)
        assert e.value.status == 400
        assert e.value.sdmx_code == 140


def test_keys_with_wildcards_plus_and_all() -> None:
    assert parse_key("all") == (None,) * N
    assert parse_key(None) == (None,) * N
    assert parse_key("." * (N - 1)) == (None,) * N
    key = parse_key("A.MA.FR+ES......")
    assert key[0] == frozenset({"A"})
    assert key[1] == frozenset({"MA"})
    assert key[2] == frozenset({"FR", "ES"})
    assert key[3:] == (None,) * (N - 3)
    trailing = parse_key("." * (N - 1) + "N")
    assert trailing[-1] == frozenset({"N"})
    assert trailing[:-1] == (None,) * (N - 1)


@pytest.mark.parametrize("key", ["A.MA", "A" + "." * N, "A.MA.FR..", "A.MA.F R......"])
def test_a_key_of_the_wrong_length_or_with_a_bad_code_is_a_400(key: str) -> None:
    with pytest.raises(QueryError) as e:
        parse_key(key)
    assert e.value.status == 400
    assert "key" in str(e.value)


CODES = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_", min_size=1, max_size=6)


@given(
    st.lists(
        st.one_of(st.none(), st.frozensets(CODES, min_size=1, max_size=4)), min_size=N, max_size=N
    )
)
def test_a_key_reads_back_as_written(parts: list[frozenset[str] | None]) -> None:
    text = ".".join("" if p is None else "+".join(sorted(p)) for p in parts)
    parsed = parse_key(text)
    expected = tuple(parts) if text != "all" else (None,) * N
    assert parsed == expected
    query = parse_query("DF_DIGITAL_EXPORTS", text)
    assert query.filters() == {d: p for d, p in zip(ids.DIMENSIONS, parts, strict=True) if p}


@given(st.integers(min_value=0, max_value=N + 3).filter(lambda n: n != N - 1))
def test_any_other_number_of_dots_is_refused(dots: int) -> None:
    with pytest.raises(QueryError):
        parse_key("A" + "." * dots if dots else "A")


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("2024", 2024 * 12, 2024 * 12 + 11),
        ("2024-S1", 2024 * 12, 2024 * 12 + 5),
        ("2024-S2", 2024 * 12 + 6, 2024 * 12 + 11),
        ("2024-H2", 2024 * 12 + 6, 2024 * 12 + 11),
        ("2024-Q3", 2024 * 12 + 6, 2024 * 12 + 8),
        ("2024-02", 2024 * 12 + 1, 2024 * 12 + 1),
        ("2024-02-01", 2024 * 12 + 1, 2024 * 12),
        ("2024-02-29", 2024 * 12 + 2, 2024 * 12 + 1),
        ("9999-12-31", 9999 * 12 + 12, 9999 * 12 + 11),  # no day after it: was a 500
        ("2023-02-28", 2023 * 12 + 2, 2023 * 12 + 1),
    ],
)
def test_periods(text: str, first: int, last: int) -> None:
    assert period_months(text, end=False) == first
    assert period_months(text, end=True) == last


@pytest.mark.parametrize("text", ["24", "2024-S3", "2024-Q5", "2024-13", "2024-W01", "2023-02-29"])
def test_a_period_that_is_not_sdmx_is_a_400(text: str) -> None:
    with pytest.raises(QueryError):
        parse_query("DF_DIGITAL_EXPORTS", "all", {"startPeriod": text})


def test_parameters() -> None:
    q = parse_query(
        "MA1,DF_DIGITAL_EXPORTS,1.0",
        "all",
        {
            "startPeriod": "2024-S1",
            "endPeriod": "2024",
            "firstNObservations": "2",
            "lastNObservations": "1",
            "dimensionAtObservation": "AllDimensions",
            "detail": "dataonly",
            "updatedAfter": "2025-03-28T09:00:00Z",
            "includeHistory": "false",
            "format": "csv",
        },
        ignore=("format",),
    )
    assert (q.start, q.end) == (2024 * 12, 2024 * 12 + 11)
    assert (q.first_n, q.last_n) == (2, 1)
    assert q.dimension_at_observation == "AllDimensions"
    assert q.detail == "dataonly"
    assert q.updated_after == dt.datetime(2025, 3, 28, 9, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"firstNObservations": "0"}, "firstNObservations"),
        ({"lastNObservations": "x"}, "lastNObservations"),
        ({"dimensionAtObservation": "NOPE"}, "dimensionAtObservation"),
        ({"detail": "most"}, "detail"),
        ({"updatedAfter": "yesterday"}, "updatedAfter"),
        ({"startPeriod": "2025", "endPeriod": "2024"}, "after endPeriod"),
        ({"release": "2024.1"}, "unknown query parameter 'release'"),
        ({"includeHistory": "maybe"}, "includeHistory"),
    ],
)
def test_a_wrong_parameter_is_a_400_naming_it(params: dict[str, str], words: str) -> None:
    with pytest.raises(QueryError, match=words):
        parse_query("DF_DIGITAL_EXPORTS", "all", params)


def test_a_standard_value_not_served_is_a_501() -> None:
    with pytest.raises(NotImplementedQuery) as e:
        parse_query("DF_DIGITAL_EXPORTS", "all", {"includeHistory": "true"})
    assert e.value.status == 501


def test_series_without_observations_are_asked_by_time() -> None:
    """detail=serieskeysonly and nodata list series (SDMX-ML data: `data.SERIES_ONLY`)."""
    for detail in ("serieskeysonly", "nodata"):
        assert parse_query("DF_DIGITAL_EXPORTS", "all", {"detail": detail}).detail == detail
        with pytest.raises(QueryError, match="dimensionAtObservation"):
            parse_query(
                "DF_DIGITAL_EXPORTS",
                "all",
                {"detail": detail, "dimensionAtObservation": "AllDimensions"},
            )


PERIODS = st.one_of(
    st.builds(Period, st.just("A"), st.integers(1990, 2100), st.just(1)),
    st.builds(Period, st.just("H"), st.integers(1990, 2100), st.integers(1, 2)),
    st.builds(Period, st.just("Q"), st.integers(1990, 2100), st.integers(1, 4)),
    st.builds(Period, st.just("M"), st.integers(1990, 2100), st.integers(1, 12)),
)


@given(PERIODS)
def test_periods_both_ways(period: Period) -> None:
    """digex's label to SDMX's and back; SDMX's period covers the same months, as a query's
    bounds read it."""
    text = sdmx_period(period.label)
    assert "-H" not in text
    assert parse_period(digex_period(text)) == period
    assert sdmx_freq(period.freq) == ("S" if period.freq == "H" else period.freq)
    base = period.year * 12
    assert period_months(text, end=False) == base + period.first_month - 1
    assert period_months(text, end=True) == base + period.last_month - 1
