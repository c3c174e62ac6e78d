"""digex.sql: whatever it quotes, DuckDB reads back unchanged."""

from __future__ import annotations

import ast
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


@given(
    st.datetimes(timezones=st.timezones()).filter(lambda d: d.utcoffset() is not None),
)
def test_an_aware_timestamp_keeps_its_instant_in_utc(moment: dt.datetime) -> None:
    """TIMESTAMP has no offset: 12:00+01:00 is written as 11:00 (UTC), never as 12:00."""
    back = read_back(literal(moment))
    assert isinstance(back, dt.datetime)
    assert back.replace(tzinfo=dt.UTC) == moment.astimezone(dt.UTC)


def test_an_offset_is_not_dropped() -> None:
    noon = dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert read_back(literal(noon)) == dt.datetime(2025, 3, 1, 11, 0)


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
    """Quoting is written once, in digex.sql; a second copy would be a second rule to keep.
    Two forms of hand-quoting are looked for in every other module: doubling quotes
    (`.replace("'", "''")`) and an f-string that puts a quote right around an interpolated
    value (`'{x}'`, `"{x}"`), which breaks on a value holding that quote."""
    src = Path(digex.sql.__file__).parent
    doubling = re.compile(r"""\.replace\(\s*(["'])(['"])\1\s*,\s*(["'])\2\2\3\s*\)""")
    found = []
    for path in sorted(src.rglob("*.py")):
        if path == Path(digex.sql.__file__):
            continue
        text = path.read_text(encoding="utf-8")
        name = str(path.relative_to(src))
        if doubling.search(text):
            found.append(f"{name}: doubles quotes")
        if name in NOT_SQL:
            continue
        quoted = [
            f"{name}:{line}: '{{{expression}}}'"
            for line, expression in _quoted_interpolations(text)
        ]
        if len(quoted) > CONSTANTS_IN_INGEST.get(name, 0):
            found.extend(quoted)
    assert found == []


# The loader's quoted constants of the code (reason codes, blank characters, patterns, decimal
# marks), never a user's value; they are to go through `literal` too.
CONSTANTS_IN_INGEST = {
    "ingest/checks.py": 2,
    "ingest/parsers.py": 9,
}
"""Per file, how many quoted interpolations of constants remain (a new one fails)."""
NOT_SQL = {
    "publish/tidy.py",
    "publish/document.py",
    "publish/pdf.py",
    "sdmx/errors.py",
    "web/caching.py",
    "web/dashboard/page.py",
    "web/dashboard/routes.py",
}
"""Modules whose quotes are not SQL's: JSON's (escaped by tidy's own `_json_string`), HTML and
XML attributes' (escaped by `html.escape`, or an integer), an HTTP ETag's (a hex digest),
a download's file name (codes checked by pattern)."""


def _quoted_interpolations(source: str) -> list[tuple[int, str]]:
    """The line and the expression of each value an f-string puts right between two quote
    characters."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.JoinedStr):
            continue
        parts = node.values
        for before, value, after in zip(parts, parts[1:], parts[2:], strict=False):
            if (
                isinstance(value, ast.FormattedValue)
                and isinstance(before, ast.Constant)
                and isinstance(after, ast.Constant)
                and str(before.value)[-1:] in ("'", '"')
                and str(after.value)[:1] == str(before.value)[-1:]
            ):
                lines.append((value.lineno, ast.unparse(value.value)))
    return lines


def test_the_hand_quoting_scan_finds_what_it_looks_for() -> None:
    found = _quoted_interpolations(
        "a = f\"SET x = '{v}'\"\nb = f'{v}'\nc = f\"'{v}\\\"\"\nd = f'\"{v}\" is'\n"
    )
    assert found == [(1, "v"), (4, "v")]
    # what the reviewer found before it was fixed (SET memory_limit = '{limit}')
    assert _quoted_interpolations("s = f\"SET memory_limit = '{limit}'\"\n") == [(1, "limit")]
