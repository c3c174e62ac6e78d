"""What the command line writes, checked in-process: options refused before any work, values
shown in their indicator's own unit, CSV cells safe in a spreadsheet and free of float noise."""

from __future__ import annotations

import csv
import io
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digex.api import Digex, indicators_on
from digex.errors import UsageError
from digex.indicators.options import check_query
from digex.indicators.registry import definitions
from digex.publish.display import member_label, shown_value, unit_label
from digex.publish.spreadsheet import neutralise, neutralise_table
from digex.publish.tidy import Rows, csv_rows, csv_text

# --- options ----------------------------------------------------------------------------------

REFUSED = [
    ({"freq": "W"}, "freq='W': use one of A, H, Q, M"),
    ({"freq": "q"}, "freq='q'"),
    ({"flow": "Z"}, "flow='Z': use one of X, M"),
    ({"flow": ["X", "Z"]}, "flow='Z'"),
    ({"freq": "Q", "period": "2024"}, "freq=Q contradicts the period 2024"),
    ({"freq": "A", "period": ["2024", "2024-H1"]}, "freq=A contradicts the period 2024-H1"),
    ({"top": 3}, "top=3 needs `by`"),
    ({"top": 0, "by": "partner"}, "top=0"),
    ({"by": "colour"}, "colour"),
    ({"period": "2024-13"}, "2024-13"),
    ({"unit_mult": 400}, "unit_mult=400"),
    ({"indicators": ["LEVEL", "NOPE"]}, "'NOPE'"),
]


def query(**given: object) -> dict[str, object]:
    return {"period": None, "freq": None, "by": "total", "flow": "X", **given}


@pytest.mark.parametrize(("options", "message"), REFUSED)
def test_options_outside_what_is_allowed_are_usage_errors(
    options: dict[str, object], message: str
) -> None:
    with pytest.raises(UsageError) as info:
        check_query(**query(**options))  # type: ignore[arg-type]
    assert message in str(info.value)
    assert info.value.exit_code == 2


@pytest.mark.parametrize(
    "options",
    [
        {"freq": "Q"},
        {"freq": "Q", "period": "2024-Q3"},
        {"period": ["2024", "2024-Q1"]},
        {"top": 5, "by": "partner", "flow": ["X", "M"]},
        {"top": 1, "by": "all"},
        {"indicators": ["LEVEL"], "unit_mult": 9},
    ],
)
def test_allowed_options_pass(options: dict[str, object]) -> None:
    check_query(**query(**options))  # type: ignore[arg-type]


def test_the_python_api_refuses_before_computing(store: Digex) -> None:
    """`db.indicators(freq="W")` was a KeyError from the engine; the empty store shows that
    nothing is computed or cached first."""
    with pytest.raises(UsageError, match="freq='W'"):
        store.indicators(freq="W")
    with pytest.raises(UsageError, match="flow='Z'"):
        store.indicator_rows("2024", flow="Z")
    with pytest.raises(UsageError, match="needs `by`"):
        store.indicators("2024", top=2)
    assert store.store.con.execute("SELECT count(*) FROM indicator_cache").fetchone() == (0,)


def test_another_engine_is_refused_before_it_is_reached(tmp_path: Path) -> None:
    """The URL names nothing that exists: the usage error comes first, before any connection."""
    with pytest.raises(UsageError, match="freq='W'"):
        indicators_on(f"duckdb:///{tmp_path}/none.duckdb", freq="W")


# --- values in their own unit -----------------------------------------------------------------


def hand(value: Decimal, power: int, decimals: int) -> str:
    """The shown value by hand: scaled by 10^power, rounded half up, with thousands commas."""
    q = (value / Decimal(10) ** power).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
    return f"{abs(q) if q == 0 else q:,}"


@pytest.mark.parametrize(
    ("indicator", "value", "unit", "shown"),
    [
        ("LEVEL", 26_212_345_678.91, "MAD", ("26.212", "bn MAD")),
        ("LEVEL", 18_705_450_000.0, "MAD", ("18.705", "bn MAD")),  # exactly half: up
        ("FIRMS", 29, "FIRMS", ("29", "firms")),
        ("FIRMS", 29.0, "FIRMS", ("29", "firms")),
        ("AVG_PER_FIRM", 904_562.5, "MAD", ("0.905", "m MAD")),
        ("HHI_FIRMS", 0.04800000094, "INDEX", ("0.0480", "index")),
        ("SHARE", 28.75, "PC", ("28.8", "%")),
        ("GROWTH_YOY", -2.25, "PC", ("-2.3", "%")),
        ("CONTRIBUTION", 0.125, "PP", ("0.13", "pp")),
        ("GROWTH_YOY", -0.04, "PC", ("0.0", "%")),  # never "-0.0"
        ("GROWTH_YOY", float("nan"), "PC", ("—", "%")),
        ("JOBS", 148_500, "JOBS", ("148,500", "jobs")),
        ("TARGET_LEVEL", 148_500, "JOBS", ("148,500", "jobs")),  # a jobs target: a count
    ],
)
def test_each_indicator_is_shown_in_its_own_unit(
    indicator: str, value: float, unit: str, shown: tuple[str, str]
) -> None:
    assert shown_value(indicator, value, unit, 0, own_scale=True) == shown


def test_an_explicit_unit_multiplier_is_kept() -> None:
    """`--unit-mult 6`: money comes scaled by the query (unit_mult 6 in the row); the table
    shows that power, with the indicator's decimals, and counts are never scaled."""
    assert shown_value("LEVEL", 26_212.345678, "MAD", 6, own_scale=False) == ("26,212.346", "m MAD")
    assert shown_value("LEVEL", 1234.5, "MAD", 0, own_scale=False) == ("1,234.500", "MAD")
    assert shown_value("FIRMS", 29, "FIRMS", 0, own_scale=False) == ("29", "firms")
    assert unit_label("MAD", 5) == "MAD ×10^5"


def test_every_indicator_says_how_a_table_shows_it() -> None:
    for d in definitions().values():
        assert 0 <= d.display_decimals <= 4, d.id
        if d.unit in ("NC", "USD", "EUR"):
            assert d.display_mult in (0, 3, 6, 9), d.id
        else:
            assert d.display_mult == 0, d.id  # counts, per cents and indexes are never scaled
    level = definitions()["LEVEL"]
    assert (level.display_mult, level.display_decimals) == (9, 3)
    assert definitions()["FIRMS"].display_decimals == 0
    assert definitions()["AVG_PER_FIRM"].display_mult == 6


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    st.integers(-(10**15), 10**15),
    st.sampled_from(sorted(definitions())),
)
def test_shown_values_are_the_decimal_computation(minor: int, indicator: str) -> None:
    """Any amount in minor units (a float as the engine gives it) is shown as its exact decimal
    value scaled and rounded half up by hand."""
    d = definitions()[indicator]
    value = minor / 100
    text, _ = shown_value(indicator, value, "MAD", 0, own_scale=True)
    assert text == hand(Decimal(repr(value)), d.display_mult, d.display_decimals)


def test_regions_show_their_names() -> None:
    assert member_label("region", "150") == "150 Europe"
    assert member_label("region", "002") == "002 Africa"
    assert member_label("region", "_X") == "_X"
    assert member_label("partner", "FR") == "FR"


# --- files for spreadsheets ---------------------------------------------------------------------

HOSTILE = ['=HYPERLINK("http://x","y")', "@SUM(A1)", "+212600000000", "-2+3+cmd|' /C calc'!A0"]


@pytest.mark.parametrize("text", [*HOSTILE, "\tx", "\r=1", "-"])
def test_formula_text_is_quoted(text: str) -> None:
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["", "ITO", "2024-H1", "a=b", " =1", "'=1", "ب=1"])
def test_plain_text_is_unchanged(text: str) -> None:
    assert neutralise(text) == text


def test_arrow_tables_quote_text_and_keep_numbers() -> None:
    codes = pa.array(["ITO", "=X"]).dictionary_encode()
    table = pa.table({"text": [HOSTILE[0], None], "n": [-5, 3], "x": [-2.5, 1.0], "code": codes})
    safe = neutralise_table(table)
    assert safe.column("text").to_pylist() == ["'" + HOSTILE[0], None]
    assert safe.column("n").to_pylist() == [-5, 3]
    assert safe.column("x").to_pylist() == [-2.5, 1.0]
    assert safe.column("code").to_pylist() == ["ITO", "'=X"]
    assert safe.schema.field("n").type == pa.int64()
    assert table.column("text").to_pylist()[0] == HOSTILE[0]  # the input is not changed


def test_csv_rows_quote_text_keep_numbers_and_drop_float_noise() -> None:
    rows = Rows(
        ("indicator", "member", "value", "unit_mult"),
        [
            ("LEVEL", "-x", 0.048000000939999996, 9),
            ("GROWTH_YOY", "@y", -2.5, 0),
            ("LEVEL", "ITO", 18705.4, 0),
            ("LEVEL", "ITO", float("nan"), 0),
        ],
    )
    text = csv_text(*astuple(csv_rows(rows)))
    assert text.splitlines()[1:] == [
        "LEVEL,'-x,0.04800000094,9",
        "GROWTH_YOY,'@y,-2.5,0",
        "LEVEL,ITO,18705.4,0",
        "LEVEL,ITO,,0",
    ]
    assert list(csv.reader(io.StringIO(text)))[2][2] == "-2.5"  # a negative number stays one


def astuple(rows: Rows) -> tuple[tuple[str, ...], list[tuple[object, ...]]]:
    return rows.columns, rows.rows
