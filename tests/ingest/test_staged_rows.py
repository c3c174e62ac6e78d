"""The rows a delimited file stages, counted from its lines as they are read (the
reconciliation's rows read, without splitting the lines again): the count is the number of
rows of the staged view, whatever blank lines the file holds, and the view of the lines picked
again gives those lines as the whole view does."""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digex.ingest.parsers import BLANKS
from digex.ingest.readers import stage_delimited

LINES = [
    "\ufeffa,b",  # the header, after a byte order mark
    "1,x",
    "",  # empty: no row
    " ",
    "\t \u00a0\u202f",  # blanks of every kind: no row
    " 2,y",  # starts with a blank but holds a row
    "\u00a03 ,z",
    "\u202f\t4",  # too few fields: a malformed row, still a row
    '"5","w"',
    "6,v,extra",  # too many fields: malformed
]


def _stage(
    path: Path, text: str, con: duckdb.DuckDBPyConnection | None = None
) -> tuple[duckdb.DuckDBPyConnection, int | None]:
    path.write_bytes(text.encode())
    con = con or duckdb.connect()
    return con, stage_delimited(con, path, ",", ("a", "b"), {"a": 0, "b": 1}, 2)


def _rows(con: duckdb.DuckDBPyConnection, view: str) -> list[tuple[object, ...]]:
    return con.execute(f"SELECT line, malformed, a, b FROM {view} ORDER BY line").fetchall()


@pytest.mark.parametrize("ending", ["\n", "\r\n"])
def test_blank_lines_are_neither_staged_nor_counted(tmp_path: Path, ending: str) -> None:
    con, counted = _stage(tmp_path / "f.csv", ending.join(LINES) + ending + ending)
    rows = _rows(con, "stage")
    assert rows == [
        (2, False, "1", "x"),
        (6, False, "2", "y"),
        (7, False, "3", "z"),
        (8, True, "4", None),
        (9, False, "5", "w"),
        (10, True, "6", "v"),
    ]
    assert counted == len(rows)
    # the lines picked again (validation's rejected rows) are read as the whole view reads them
    con.execute("INSERT INTO stage_wanted VALUES (6), (8), (10)")
    assert _rows(con, "stage_some") == [r for r in rows if r[0] in (6, 8, 10)]


def test_a_file_whose_records_span_lines_is_counted_by_the_loader(tmp_path: Path) -> None:
    con, counted = _stage(tmp_path / "f.csv", 'a,b\n1,"x\ny"\n\n2,z\n')
    assert counted is None  # the loader counts the view, where the record is joined
    assert [r[0] for r in _rows(con, "stage")] == [2, 5]


text = st.text(alphabet="ab," + BLANKS.replace("\n", "").replace("\r", ""), max_size=5)
one = duckdb.connect()  # every example stages its file again in the same connection


@settings(max_examples=40, deadline=None)
@given(st.lists(text, max_size=12))
def test_the_count_is_the_lines_holding_more_than_blanks(lines: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        _, counted = _stage(Path(tmp) / "f.csv", "\n".join(["a,b", *lines]) + "\n", one)
        expected = [i for i, t in enumerate(lines, 2) if t.strip(BLANKS)]
        assert [r[0] for r in _rows(one, "stage")] == expected
        assert counted == len(expected)
