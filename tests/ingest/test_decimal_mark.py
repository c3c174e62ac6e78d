"""One decimal mark per file: decided from the amounts that show it, or refused if they disagree."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import FIRM, HEADER, TODAY, write_csv

from digex.api import Digex
from digex.errors import InvalidFile
from digex.ingest import parsers


def _rows(*amounts: str) -> list[tuple[str, ...]]:
    return [
        (f"D{i}", "2024-01", FIRM, "ITO", "FR", "MAD", a, "X") for i, a in enumerate(amounts, 1)
    ]


def _write(tmp_path: Path, *amounts: str) -> Path:
    # quoted, so that a comma in an amount is not a field separator
    return write_csv(tmp_path / "d.csv", _rows(*(f'"{a}"' for a in amounts)))


def _amounts(db: Digex) -> dict[str, Decimal]:
    rows = db.store.con.execute("SELECT declaration_id, amount FROM declarations").fetchall()
    return {str(i): Decimal(a) for i, a in rows}


def test_values_that_contradict_each_other_refuse_the_file(store: Digex, tmp_path: Path) -> None:
    f = _write(tmp_path, "1500", "1.234", "1.234,5", "12.5")
    with pytest.raises(InvalidFile) as e:
        store.load(f, today=TODAY)
    msg = str(e.value)
    assert msg.startswith("d.csv:")
    assert "line 5 has an amount written with '.'" in msg
    assert "line 4 one written with ','" in msg
    assert "give decimal_mark=. or decimal_mark=, for the file" in msg
    assert store.loads().empty


def test_an_ambiguous_value_follows_the_mark_the_file_shows(store: Digex, tmp_path: Path) -> None:
    [result] = store.load(_write(tmp_path, "1.234", "12,5", "1.234.567"), today=TODAY)
    assert result.rows_accepted == 3
    assert _amounts(store) == {
        "D1": Decimal(1234),
        "D2": Decimal("12.5"),
        "D3": Decimal(1234567),
    }
    row = store.store.con.execute("SELECT decimal_mark FROM loads").fetchone()
    assert row == (",",)


def test_the_point_shown_makes_a_comma_a_thousands_separator(store: Digex, tmp_path: Path) -> None:
    store.load(_write(tmp_path, "1,234", "0.5", "1,234,567.25", "1,23,4"), today=TODAY)
    assert _amounts(store) == {
        "D1": Decimal(1234),
        "D2": Decimal("0.5"),
        "D3": Decimal("1234567.25"),
    }
    assert store.rejects()["reasons"].tolist() == ["AMOUNT_INVALID"]  # 1,23,4: not in threes


def test_a_malformed_line_shows_no_mark(store: Digex, tmp_path: Path) -> None:
    f = _write(tmp_path, "12.5", "1.234")
    with f.open("a") as out:  # a field too many: malformed, though "12,5" is in its place
        out.write(f'D9,2024-01,{FIRM},ITO,FR,MAD,"12,5",X,more\n')
    [result] = store.load(f, today=TODAY)
    assert _amounts(store) == {"D1": Decimal("12.5"), "D2": Decimal("1.234")}
    assert result.reasons == {"ROW_MALFORMED": 1}


def test_with_no_evidence_ambiguous_values_are_rejected(store: Digex, tmp_path: Path) -> None:
    [result] = store.load(_write(tmp_path, "1.234", "1,234", "1500", "100", "1"), today=TODAY)
    assert _amounts(store) == {"D3": Decimal(1500), "D4": Decimal(100), "D5": Decimal(1)}
    rejects = store.rejects()
    assert rejects["reasons"].tolist() == ["AMOUNT_AMBIGUOUS", "AMOUNT_AMBIGUOUS"]
    assert rejects["amount"].tolist() == ["1.234", "1,234"]
    assert result.reasons == {"AMOUNT_AMBIGUOUS": 2}


def test_a_given_mark_makes_the_other_a_grouping_only(store: Digex, tmp_path: Path) -> None:
    f = _write(tmp_path, "12.5", "1.234", "1.234,5", "1234,5")
    store.load(f, today=TODAY, decimal_mark=",")
    assert _amounts(store) == {
        "D2": Decimal(1234),
        "D3": Decimal("1234.5"),
        "D4": Decimal("1234.5"),
    }
    assert store.rejects()["reasons"].tolist() == ["AMOUNT_INVALID"]  # 12.5 with --decimal ,


amounts = st.decimals(
    min_value=Decimal("0.001"), max_value=Decimal("99999999999.999"), places=3, allow_nan=False
)


def grouped(d: Decimal, sep: str, mark: str, places: int) -> str:
    whole, _, frac = f"{d:.{places}f}".partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return sep.join(groups) + (mark + frac if places else "")


@settings(max_examples=80, deadline=None)
@given(
    st.lists(amounts, min_size=1, max_size=15),
    st.sampled_from([".", ","]),
    st.sampled_from(["", ".", ",", " "]),
    st.integers(0, 3),
)
def test_a_value_never_shows_the_other_mark(
    values: list[Decimal], mark: str, sep: str, places: int
) -> None:
    """Written with one mark (and any grouping), a value shows that mark or none, and reads
    back exactly with it; those that show none are the markless and the ambiguous ones."""
    if sep == mark:
        sep = ""
    texts = [grouped(d, sep, mark, places) for d in values]
    for text, shown in zip(texts, parsers.amount_marks(texts), strict=True):
        if shown is None:  # no mark at all, or the ambiguous d{1,3}.ddd
            marks = text.count(".") + text.count(",")
            assert marks == 0 or re.fullmatch(r"\d{1,3}[.,]\d{3}", text), text
        else:
            assert shown == mark, text
    exact = [Decimal(f"{d:.{places}f}") for d in values]
    assert parsers.parse_amounts(texts, mark) == exact  # type: ignore[arg-type]


def test_numbers_in_a_parquet_file_are_never_ambiguous(store: Digex, tmp_path: Path) -> None:
    rows = _rows("1", "2")
    table = pa.table({h: [r[i] for r in rows] for i, h in enumerate(HEADER)})
    table = table.set_column(6, "amount", pa.array([1.234, 100.125], pa.float64()))
    pq.write_table(table, tmp_path / "d.parquet")
    store.load(tmp_path / "d.parquet", today=TODAY)
    assert _amounts(store) == {"D1": Decimal("1.234"), "D2": Decimal("100.125")}


def test_numbers_in_a_workbook_are_never_ambiguous(store: Digex, tmp_path: Path) -> None:
    """An amount typed as a number in Excel is a number, whatever its digits (1.234 was
    rejected as AMOUNT_AMBIGUOUS); amounts typed as text keep the file's rule."""
    import openpyxl

    def workbook(name: str, amounts: list[object]) -> Path:
        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(list(HEADER))
        for i, amount in enumerate(amounts, 1):
            sheet.append([f"{name}{i}", "2024-01", FIRM, "ITO", "FR", "MAD", amount, "X"])
        path = tmp_path / f"{name}.xlsx"
        book.save(path)
        return path

    store.load(workbook("N", [1.234, 100.125, 7]), today=TODAY)
    assert _amounts(store) == {"N1": Decimal("1.234"), "N2": Decimal("100.125"), "N3": Decimal(7)}
    [result] = store.load(workbook("T", ["1.234", "1,5"]), today=TODAY)  # text: the file's rule
    assert _amounts(store)["T2"] == Decimal("1.5")
    assert _amounts(store)["T1"] == Decimal(1234)
    assert result.rows_rejected == 0


def test_a_typo_is_a_rejected_row_not_evidence(store: Digex, tmp_path: Path) -> None:
    """`1.2,3` reads as a number with neither mark: it is one bad row, not evidence for a comma
    that would refuse a whole file whose other values show a point."""
    assert parsers.amount_marks(["1.2,3", "12,34,5", "12.5"]) == [None, None, "."]
    [result] = store.load(_write(tmp_path, "12.5", "1.2,3", "1,234"), today=TODAY)
    assert result.reasons == {"AMOUNT_INVALID": 1}
    assert _amounts(store) == {"D1": Decimal("12.5"), "D3": Decimal(1234)}


def test_a_thousands_group_never_starts_with_zero() -> None:
    # `0,123` in a file whose mark is the point is not 123
    assert parsers.parse_amounts(["0,123", "1,234", "10,234.5"], ".") == [
        None,
        Decimal(1234),
        Decimal("10234.5"),
    ]
