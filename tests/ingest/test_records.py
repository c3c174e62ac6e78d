"""Records spanning lines: the loader's rule agrees with Python's csv module (RFC 4180)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import FIRM, HEADER, TODAY

from digex.api import Digex
from digex.ingest.records import record_spans

plain_text = st.text(alphabet="ab1 .", max_size=4)
quoted_text = st.text(alphabet='ab1\n,;" .', max_size=6)


@st.composite
def files(draw: st.DrawFn) -> tuple[str, str]:
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    rows = draw(
        st.lists(
            st.lists(st.one_of(plain_text, quoted_text), min_size=1, max_size=4),
            min_size=1,
            max_size=8,
        )
    )
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerows(rows)
    return out.getvalue(), delimiter


def _spans_by_csv(text: str, delimiter: str) -> list[tuple[int, int]]:
    """First and last line of each record spanning lines, as Python's csv module reads it."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    spans, last = [], 0
    for _ in reader:
        first, last = last + 1, reader.line_num
        if last > first:
            spans.append((first, last))
    return spans


@settings(max_examples=300, deadline=None)
@given(files())
def test_records_spanning_lines_are_found_as_the_csv_module_reads_them(
    file: tuple[str, str],
) -> None:
    text, delimiter = file
    lines = text.split("\n")[:-1]
    odd = [(i, t) for i, t in enumerate(lines, 1) if t.count('"') % 2]
    assert record_spans(odd, delimiter) == _spans_by_csv(text, delimiter)


def test_a_stray_or_unclosed_quote_keeps_its_line_on_its_own() -> None:
    # line 2: a stray quote inside an unquoted field; line 4: a field opened and never closed
    odd = [(2, 'D1,5"6,X'), (4, 'D3,"open')]
    assert record_spans(odd, ",") == []
    assert record_spans([(2, 'D1,5"6,X'), (3, 'D2,"a'), (4, 'b",X')], ",") == [(3, 4)]


def test_a_record_spanning_lines_is_one_row_at_its_first_line(
    store: Digex, rates_file: Path, tmp_path: Path
) -> None:
    text = (
        f"{','.join(HEADER)}\n"
        f"D1,2024-01,{FIRM},ITO,FR,EUR,100,X\n"
        f'D2,2024-01,{FIRM},"ITO\n",FR,EUR,"200\n\n",X\n'  # blanks around values: valid
        f'D3,2024-01,{FIRM},CRM,"F\nR",EUR,300,X\n'  # a line break inside a code: rejected
        f'D4,2024-01,{FIRM},CRM,FR,EUR,"4""00",X\n'  # an escaped quote, one line
        f"D5,2024-01,{FIRM},BPO,FR,EUR,500,X\n"
    )
    for ending in ("\n", "\r\n"):
        f = tmp_path / "d.csv"
        f.write_bytes(text.replace("\n", ending).encode())
        [_, result] = store.load(f, rates=rates_file, today=TODAY, replace=())
        assert (result.rows_read, result.rows_accepted, result.rows_rejected) == (5, 3, 2)
        rows = store.declarations().query(f"load_id == {result.load_id}")
        numbers = rows["declaration_id"].str[1:]  # D1 in the first round, E1 in the second
        assert dict(zip(numbers, rows["line"], strict=True)) == {
            "1": 2,
            "2": 3,
            "5": 10,  # D2 spans lines 3-6, D3 lines 7-8
        }
        rejects = store.rejects().query(f"load_id == {result.load_id}").set_index("line")
        assert rejects.loc[7, "reasons"] == "PARTNER_UNKNOWN"
        assert rejects.loc[7, "partner"].splitlines() == ["F", "R"]  # kept as written
        assert rejects.loc[9, "reasons"] == "AMOUNT_INVALID"
        assert rejects.loc[9, "amount"] == '4"00'
        text = text.replace("D", "E")  # another content for the second round


def test_a_stray_quote_does_not_swallow_the_lines_after_it(
    store: Digex, rates_file: Path, tmp_path: Path
) -> None:
    text = (
        f"{','.join(HEADER)}\n"
        f'D1,2024-01,{FIRM},ITO,FR,EUR,1"00,X\n'
        f"D2,2024-01,{FIRM},ITO,FR,EUR,200,X\n"
        f'D3,2024-01,{FIRM},ITO,FR,EUR,"300,X\n'
        f"D4,2024-01,{FIRM},ITO,FR,EUR,400,X\n"
    )
    (tmp_path / "d.csv").write_text(text)
    [_, result] = store.load(tmp_path / "d.csv", rates=rates_file, today=TODAY)
    assert (result.rows_read, result.rows_accepted) == (4, 2)
    assert store.rejects()["line"].tolist() == [2, 4]


def test_a_line_break_in_a_workbook_cell_keeps_the_rows_numbered(
    store: Digex, rates_file: Path, tmp_path: Path
) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(HEADER))
    sheet.append(["D1", "2024-01", FIRM, "ITO\n", "FR", "EUR", "100", "X"])  # valid, trimmed
    sheet.append(["D2", "2024-01", FIRM, "CRM", "F\r\nR", "EUR", "200", "X"])
    sheet.append(["D3", "2024-01", FIRM, "BPO", "FR", "EUR", "300", "X"])
    book.save(tmp_path / "d.xlsx")
    [_, result] = store.load(tmp_path / "d.xlsx", rates=rates_file, today=TODAY)
    assert (result.rows_read, result.rows_accepted) == (3, 2)
    assert sorted(store.declarations()["line"]) == [2, 4]
    reject = store.rejects().iloc[0]
    assert (reject["line"], reject["reasons"]) == (3, "PARTNER_UNKNOWN")
    assert reject["partner"] == "F\nR"
