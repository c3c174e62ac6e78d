"""Narrowing a tidy table in SQL gives what the former pandas narrowing gave, the cache keys
are those of the engine's own parsers, and the plain-text writers write what pandas writes."""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digex.errors import DigexError
from digex.indicators import cache
from digex.indicators.cuts import CUTS, UnknownCut
from digex.indicators.periods import InvalidPeriod, parse_period
from digex.indicators.select import ALWAYS, UnknownIndicator, literal, select
from digex.profile import load_profile
from digex.publish.tidy import Rows, csv_text, json_float, json_text

MA = load_profile("MA")


def reference(
    frame: pd.DataFrame,
    *,
    flow: str | Sequence[str] = "X",
    indicators: Sequence[str] | None = None,
    unit_mult: int = 0,
    top: int | None = None,
) -> pd.DataFrame:
    """The pandas narrowing digex used before the SQL one (the oracle for the SQL)."""
    if top is not None:
        keys = ["cut", "flow", "freq", "period"]
        levels = frame[frame["indicator"] == "LEVEL"]
        rank = levels.groupby(keys)["value"].rank(method="first", ascending=False)
        ranked = levels.assign(rank=rank)
        chosen = ranked.loc[ranked["rank"] <= top, [*keys, "member", "rank"]]
        frame = frame.merge(chosen, on=[*keys, "member"], how="inner")
    flows = [flow] if isinstance(flow, str) else list(flow)
    keep = frame["flow"].isin([*flows, *ALWAYS])
    if indicators:
        keep &= frame["indicator"].isin(list(indicators))
    order = ["cut", "indicator", "flow", "member", "freq", "period"]
    if "rank" in frame:
        order = ["cut", "indicator", "flow", "freq", "period", "rank"]
    out = frame[keep].sort_values(order, kind="stable", ignore_index=True)
    out = out.drop(columns=["rank"], errors="ignore")
    if unit_mult:
        money = out["unit"].isin({"MAD", "USD", "EUR"})
        out = out.copy()
        out.loc[money, "value"] = out.loc[money, "value"] / 10**unit_mult
        out.loc[money, "unit_mult"] = unit_mult
    return out


def tidy_frame() -> pd.DataFrame:
    """Two periods, two cuts, every flow and unit kind; no two levels tie."""
    rows = []
    for period, bump in (("2024", 0.0), ("2023", 0.25)):
        for cut, members in (("segment", ["ITO", "CRM", "KPO"]), ("partner", ["FR", "US", "NA"])):
            for rank, member in enumerate(members):
                level = 1.0e9 / (rank + 1) + bump + 0.1
                for flow in ("X", "M"):
                    rows += [
                        (
                            "LEVEL",
                            period,
                            cut,
                            member,
                            flow,
                            level * (2 if flow == "X" else 1),
                            "MAD",
                        ),
                        ("LEVEL_USD", period, cut, member, flow, level / 10.3, "USD"),
                        ("SHARE", period, cut, member, flow, 100.0 / (rank + 2), "PC"),
                        ("FIRMS", period, cut, member, flow, float(rank + 3), "NUM"),
                    ]
                rows.append(("BALANCE", period, cut, member, "N", level / 3, "MAD"))
            rows.append(("JOBS", period, cut, "_T", "_Z", 148_500.0, "NUM"))
    frame = pd.DataFrame(
        rows, columns=["indicator", "period", "cut", "member", "flow", "value", "unit"]
    )
    frame.insert(1, "freq", "A")
    frame.insert(8, "unit_mult", 0)
    frame["obs_status"] = "A"
    frame["completeness"] = "complete"
    return frame.sample(frac=1.0, random_state=7, ignore_index=True)  # storage order is arbitrary


QUERIES = [
    {},
    {"flow": "M"},
    {"flow": ["X", "M"]},
    {"indicators": ["SHARE", "LEVEL"]},
    {"unit_mult": 9},
    {"unit_mult": 6, "flow": ["M", "X"], "indicators": ["LEVEL_USD", "FIRMS", "BALANCE"]},
    {"top": 1},
    {"top": 2, "flow": ["X", "M"], "unit_mult": 9},
    {"top": 5, "indicators": ["LEVEL"]},
]


@pytest.mark.parametrize("query", QUERIES, ids=[str(q) for q in QUERIES])
def test_sql_narrowing_equals_the_pandas_one(query: dict[str, object]) -> None:
    frame = tidy_frame()
    got = select(frame, MA, **query)  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(got, reference(frame, **query))  # type: ignore[arg-type]
    assert len(got) > 0


def test_top_orders_equal_levels_by_member_and_ignores_missing_levels() -> None:
    frame = tidy_frame()
    level = (frame["indicator"] == "LEVEL") & (frame["period"] == "2024") & (frame["flow"] == "X")
    frame.loc[level & frame["member"].isin(["CRM", "KPO"]), "value"] = 5.0e8
    frame.loc[level & (frame["member"] == "ITO"), "value"] = float("nan")
    got = select(frame, MA, top=1, indicators=["LEVEL"])
    chosen = got[(got["cut"] == "segment") & (got["period"] == "2024")]
    assert chosen["member"].tolist() == ["CRM"]


def test_selection_errors_name_the_problem() -> None:
    with pytest.raises(DigexError, match="top=0"):
        select(tidy_frame(), MA, top=0)
    with pytest.raises(UnknownIndicator, match="'NOPE'"):
        select(tidy_frame(), MA, indicators=["LEVEL", "NOPE"])
    with pytest.raises(DigexError, match="unit_mult=400"):
        select(tidy_frame(), MA, unit_mult=400)


@pytest.mark.parametrize(
    "value", ["Xx", "it's", "a''b", "back\\slash", "ünï €", "", "%_*", "x'); DROP TABLE t; --"]
)
def test_literals_read_back_exactly(value: str) -> None:
    assert duckdb.sql(f"SELECT {literal(value)}").fetchone() == (value,)
    assert duckdb.sql(f"SELECT {literal([value, 'X'])}").fetchone() == ([value, "X"],)
    # a hostile flow only selects nothing
    assert len(select(tidy_frame(), MA, flow=value)) == len(select(tidy_frame(), MA, flow="Q"))


@pytest.mark.parametrize("value", [0.1, 1e9, 1e-300, 123456.78901234567, 2.0**60, -0.0, 1e22])
def test_float_literals_are_exact(value: float) -> None:
    assert duckdb.sql(f"SELECT {literal(value)}").fetchone() == (value,)
    assert duckdb.sql(f"SELECT {literal([])}").fetchone() == ([],)


LABELS = ["2024", "2025-H1", "2025-h2", " 2025-S1 ", "2024-Q3", "2024-03", "2024-12", "0999"]


@pytest.mark.parametrize("label", LABELS)
def test_cache_keys_use_the_engine_labels(label: str) -> None:
    p = parse_period(label)
    assert cache.requests(label, None, "segment") == [f"{p.freq}|segment|{p.label}"]


@pytest.mark.parametrize("label", ["2024-13", "2024-Q5", "24", "2024-H3", "2024-S", "x"])
def test_cache_keys_reject_what_the_engine_rejects(label: str) -> None:
    with pytest.raises(InvalidPeriod):
        parse_period(label)
    with pytest.raises(InvalidPeriod, match=label.strip()):
        cache.requests(label, None, "segment")


def test_cache_knows_the_engine_cuts() -> None:
    assert cache.requests(["2024"], None, "all") == [f"A|{c}|2024" for c in CUTS]
    assert cache.requests(None, "Q", "partner") == ["Q|partner|*"]
    with pytest.raises(UnknownCut, match="colour"):
        cache.requests("2024", None, "colour")


# --- the writers --------------------------------------------------------------------------

AWKWARD_FLOATS = [
    0.0, -0.0, 0.5, 1.5, 2.5, 0.05, 0.95, 0.99999999995, 5e-11, 4.9999e-11, -3.5e-11, 1e-15,
    9.9e-16, 1e16 - 1, 9999999999999998.0, 1e16, 1e17, 7653179.16, 22367149.744299516,
    float("nan"), float("inf"), -float("inf"), 1.7976931348623157e308, 5e-324,
]  # fmt: skip


def pandas_text(frame: pd.DataFrame) -> tuple[str, str]:
    return (
        frame.to_csv(index=False),
        frame.to_json(orient="records", force_ascii=False, indent=1),
    )


def rows_text(frame: pd.DataFrame) -> tuple[str, str]:
    rows = Rows.of_frame(frame)
    return csv_text(rows.columns, rows.rows), json_text(rows.columns, rows.rows)


def test_writers_match_pandas_on_awkward_values() -> None:
    text = ["", "a/b", 'q"u,o', "line\nbreak", "\r\t\x00\x01\x1f", "é€𝄞\u2028", "back\\slash"]
    n = max(len(AWKWARD_FLOATS), len(text))
    frame = pd.DataFrame(
        {
            "s": pd.Series([text[i % len(text)] for i in range(n)], dtype="str"),
            "value": pd.Series([AWKWARD_FLOATS[i % len(AWKWARD_FLOATS)] for i in range(n)]),
            "unit_mult": pd.Series(range(-3, n - 3), dtype="int64"),
        }
    )
    assert rows_text(frame) == pandas_text(frame)
    assert rows_text(frame.iloc[:0]) == pandas_text(frame.iloc[:0])


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    st.lists(
        st.tuples(
            st.text(max_size=8),
            st.floats(allow_nan=True, allow_infinity=True),
            st.integers(-(2**63), 2**63 - 1),
        ),
        max_size=6,
    )
)
def test_writers_match_pandas_on_any_value(rows: list[tuple[str, float, int]]) -> None:
    frame = pd.DataFrame(
        {
            "s": pd.Series([r[0] for r in rows], dtype="str"),
            "value": pd.Series([r[1] for r in rows], dtype="float64"),
            "n": pd.Series([r[2] for r in rows], dtype="int64"),
        }
    )
    assert rows_text(frame) == pandas_text(frame)


@pytest.mark.parametrize("value", AWKWARD_FLOATS)
def test_json_floats_match_pandas(value: float) -> None:
    expected = pd.Series([value]).to_json(orient="values")
    assert f"[{json_float(value)}]" == expected
