"""digex.sql: whatever it quotes, DuckDB reads back unchanged."""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st

import digex.sql
from digex.sql import identifier, literal

CON = duckdb.connect()


def read_back(sql: str) -> object:
    row = CON.execute(f"SELECT {sql}").fetchone()
    assert row is not None
    return row[0]


@given(st.text())
def test_any_text_reads_back(value: str) -> None:
    assert read_back(literal(value)) == value


@given(st.lists(st.text(), max_size=4))
def test_any_list_of_texts_reads_back(values: list[str]) -> None:
    assert read_back(literal(values)) == values


@given(st.text(min_size=1).filter(lambda s: "\0" not in s))
def test_any_name_reads_back(name: str) -> None:
    description = CON.execute(f"SELECT 1 AS {identifier(name)}").description
    assert description is not None
    assert description[0][0] == name


@given(st.floats() | st.integers(min_value=-(2**63), max_value=2**63 - 1))
def test_numbers_read_back_exactly(value: float) -> None:
    back = read_back(literal(value))
    assert back == value or (math.isnan(value) and math.isnan(float(str(back))))


def test_dates_and_timestamps_keep_their_type() -> None:
    assert read_back(literal(dt.date(2025, 3, 1))) == dt.date(2025, 3, 1)
    moment = dt.datetime(2025, 3, 1, 9, 30, 5, 123456)
    assert read_back(literal(moment)) == moment


def test_a_hostile_text_stays_a_value() -> None:
    CON.execute("CREATE TABLE IF NOT EXISTS kept (x VARCHAR)")
    hostile = "x'); DROP TABLE kept; --"
    assert read_back(literal(hostile)) == hostile
    assert CON.execute("SELECT count(*) FROM kept").fetchone() == (0,)


def test_what_cannot_be_written_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        identifier("")
    with pytest.raises(ValueError, match="NUL"):
        identifier("a\0b")
    with pytest.raises(TypeError, match="boolean"):
        literal(True)
    with pytest.raises(TypeError, match="texts only"):
        literal([1, 2])  # type: ignore[list-item]


def test_no_other_module_quotes_sql_by_hand() -> None:
    """Doubling quotes is written once, here; a second copy would be a second rule to keep."""
    src = Path(digex.sql.__file__).parent
    doubling = re.compile(r"""\.replace\(\s*(["'])(['"])\1\s*,\s*(["'])\2\2\3\s*\)""")
    found = [
        str(path.relative_to(src))
        for path in src.rglob("*.py")
        if path.name != "sql.py" and doubling.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []
