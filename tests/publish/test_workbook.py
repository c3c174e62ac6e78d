"""The release's Excel workbook, on a tiny release made by hand: every number is the release's
own value in a numeric cell, a confidential cell holds its mark, text is never a formula."""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile
from decimal import Decimal
from importlib.resources import files
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from tests.disclosure.fixtures import CANARY
from tests.disclosure.test_leak import leaks

from digex.errors import UsageError
from digex.indicators.columns import PUBLIC_COLUMNS
from digex.indicators.registry import registry
from digex.publish.figures import FigureKey, ReleaseFigures
from digex.publish.rounding import ROUNDING_NOTE
from digex.publish.workbook import (
    BREAK_MARK,
    CONFIDENTIAL_MARK,
    LABEL_COLUMNS,
    MAX_WIDTH,
    NOT_AVAILABLE,
    WORDS,
    sheet_name,
    write_workbook,
)
from digex.releases.content import registry_text

EVIL_NOTE = '=HYPERLINK("http://example.com/x","click")'
EVIL_SEGMENT = "-2+3+cmd|' /C calc'!A0"
NAN = float("nan")
COLUMNS = list(PUBLIC_COLUMNS)
ROWS: list[tuple[object, ...]] = [
    # indicator, freq, period, cut, member, flow, value, unit, obs, completeness, conf
    ("LEVEL", "A", "2023", "total", "_T", "X", 1000.1, "MAD", "B", "complete", "F"),
    ("LEVEL", "A", "2024", "total", "_T", "X", 1234567890.35, "MAD", "P", "complete", "F"),
    ("LEVEL", "A", "2024", "total", "_T", "M", 55.25, "MAD", "P", "complete", "F"),
    ("GROWTH_YOY", "A", "2024", "total", "_T", "X", 0.1 + 0.2, "PC", "P", "incomplete_base", "F"),
    ("LEVEL", "M", "2024-01", "total", "_T", "X", 99.5, "MAD", "P", "complete", "F"),
    ("JOBS", "A", "2024", "total", "_T", "_Z", 1500.0, "JOBS", "P", "complete", "F"),
    ("LEVEL", "A", "2024", "segment", "ITO", "X", 600.5, "MAD", "P", "complete", "F"),
    # a confidential row that still carries its value (a snapshot never does): the mark decides
    ("LEVEL", "A", "2024", "segment", "CRM", "X", float(CANARY), "MAD", "P", "complete", "C"),
    ("LEVEL", "A", "2024", "segment", "ZZZ", "X", 7.75, "MAD", "E", "complete", "F"),
    ("LEVEL", "A", "2023", "segment", "ITO", "X", 500.0, "MAD", "B", "complete", "F"),
    ("SHARE", "A", "2024", "segment", "ITO", "X", 48.64, "PC", "P", "complete", "F"),
    ("SHARE", "A", "2024", "segment", "CRM", "X", NAN, "PC", "P", "complete", "C"),
    ("GROWTH_YOY", "A", "2024", "segment", "ITO", "X", NAN, "PC", "P", "complete", "F"),
    ("LEVEL", "M", "2024-01", "segment", "ITO", "X", -3.5, "MAD", "P", "complete", "F"),
]
SEGMENTS = [
    ("ITO", "IT outsourcing", "Externalisation informatique", "تعهيد خدمات تكنولوجيا المعلومات"),
    ("CRM", "Customer relationship", "Relation client", "إدارة العلاقة مع العملاء"),
    ("ZZZ", EVIL_SEGMENT, EVIL_SEGMENT, EVIL_SEGMENT),
]


def tiny_release(
    status: str = "revised",
    note: str | None = EVIL_NOTE,
    rows: list[tuple[object, ...]] = ROWS,
    tables: str = "",
) -> ReleaseFigures:
    """A release of period 2024 with a total, three segments (one named like a formula, one
    confidential), a break, an estimate, an incomplete base and a value not available
    (`rows`), its profile MA's with `tables` appended."""
    frame = pd.DataFrame([(*r[:8], 0, *r[8:]) for r in rows], columns=COLUMNS)
    codelists = {
        "version": "test",
        "codelists": {
            "segments": [
                {"code": c, "name_en": en, "name_fr": fr, "name_ar": ar}
                for c, en, fr, ar in SEGMENTS
            ],
            "countries": [
                {"code": "FR", "name_en": "France", "name_fr": "France"},
                {"code": "AE", "name_en": "United Arab Emirates", "name_fr": "Émirats arabes unis"},
                {"code": "ZM", "name_en": "Zambia", "name_fr": "Zambie"},
            ],
        },
    }
    profile = (files("digex") / "data" / "profiles" / "MA.toml").read_text(encoding="utf-8")
    profile += tables
    metadata: dict[str, object] = {
        "release_id": "2024.2",
        "period": "2024",
        "freq": "A",
        "vintage": 2,
        "status": status,
        "note": note,
        "created_at": dt.datetime(2025, 8, 4, 8, 0),
        "published_at": dt.datetime(2025, 8, 8, 9, 30),
        "profile": "MA",
    }
    inputs = {
        "profile.toml": profile,
        "registry.toml": registry_text(),
        "codelists.json": json.dumps(codelists),
    }
    return ReleaseFigures("2024.2", metadata, inputs, frame, Path("tiny.duckdb"))


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("workbook")
    release = tiny_release()
    return {lang: write_workbook(release, lang, folder / f"{lang}.xlsx") for lang in WORDS}


@pytest.fixture(scope="module")
def books(written: dict[str, Path]) -> dict[str, Workbook]:
    return {lang: load_workbook(path) for lang, path in written.items()}


def table_sheets(book: Workbook) -> list[Worksheet]:
    return book.worksheets[1:]


def header(sheet: Worksheet) -> list[str]:
    return [str(c.value) for c in sheet[2]]


def cells_by_key(sheet: Worksheet) -> dict[FigureKey, object]:
    """Every period cell of a table sheet by the figure it shows (its row's series key and its
    column's period), blank ones left out."""
    names = header(sheet)
    found: dict[FigureKey, object] = {}
    for row in sheet.iter_rows(min_row=3):
        key = str(row[-1].value)
        indicator, flow, cut, member = key.split("/")
        for cell, period in zip(row[LABEL_COLUMNS:-1], names[LABEL_COLUMNS:-1], strict=True):
            if cell.value is not None:
                found[FigureKey(indicator, period, cut, member, flow)] = cell
    return found


def test_every_number_is_the_release_value_in_a_numeric_cell(books: dict[str, Workbook]) -> None:
    release = tiny_release()
    for book in books.values():
        shown = {}
        for sheet in table_sheets(book):
            shown.update(cells_by_key(sheet))
        numbers = {k: c for k, c in shown.items() if c.data_type == "n"}  # type: ignore[attr-defined]
        expected = {f.key: f.value for f in release if f.available}
        # every available figure of the release is shown once, as the exact stored value
        assert set(numbers) == set(expected)
        for key, cell in numbers.items():
            value = cell.value  # type: ignore[attr-defined]
            assert isinstance(value, int | float)  # a whole double is read back as an int
            exact = expected[key]
            assert exact is not None
            # the release's value to the 15 significant digits a double holds: the levels
            # (cents) exactly, a ratio to its float's precision
            assert Decimal(repr(value)) == Decimal(f"{float(exact):.15g}"), key
            assert abs(Decimal(repr(value)) - exact) <= abs(exact) * Decimal("1e-15"), key
            if key.indicator == "LEVEL":
                assert Decimal(repr(value)) == exact
    cells = cells_by_key(books["en"]["Total"])
    assert cells[FigureKey("LEVEL", "2024")].value == 1234567890.35  # type: ignore[attr-defined]
    assert cells[FigureKey("GROWTH_YOY", "2024")].value == 0.3  # type: ignore[attr-defined]


def test_the_total_closes_each_indicator_block_of_a_breakdown(books: dict[str, Workbook]) -> None:
    sheet = books["en"]["By segment"]
    keys = [str(row[-1].value) for row in sheet.iter_rows(min_row=3)]
    assert keys == [
        "LEVEL/X/segment/ITO",
        "LEVEL/X/segment/CRM",
        "LEVEL/X/segment/ZZZ",
        "LEVEL/X/total/_T",
        "SHARE/X/segment/ITO",
        "SHARE/X/segment/CRM",
        "GROWTH_YOY/X/segment/ITO",
        "GROWTH_YOY/X/total/_T",
    ]
    # periods: the years first, then the months, oldest first
    assert header(sheet)[LABEL_COLUMNS:-1] == ["2023", "2024", "2024-01"]
    totals = [row[2].value for row in sheet.iter_rows(min_row=3) if row[-1].value.endswith("_T")]
    assert totals == ["Total", "Total"]


def test_a_confidential_cell_holds_the_mark_and_the_cover_explains_it(
    books: dict[str, Workbook],
) -> None:
    for lang, book in books.items():
        cells = cells_by_key(book.worksheets[2])
        for member in ("CRM",):
            for indicator in ("LEVEL", "SHARE"):
                cell = cells[FigureKey(indicator, "2024", "segment", member)]
                assert cell.value == CONFIDENTIAL_MARK  # type: ignore[attr-defined]
                assert cell.data_type == "s"  # type: ignore[attr-defined]
        legend = dict(
            (str(a.value), str(b.value)) for a, b in book.worksheets[0].iter_rows(max_col=2)
        )
        assert legend[CONFIDENTIAL_MARK] == WORDS[lang]["confidential"]


def test_a_confidential_value_is_nowhere_in_the_file(written: dict[str, Path]) -> None:
    """The cell's conf_status decides, not whether a value came with it: the canary the
    confidential row carries appears in no rendering anywhere in any of the files."""
    for path in written.values():
        with zipfile.ZipFile(path) as archive:
            text = "".join(archive.read(n).decode("utf-8") for n in archive.namelist())
        assert "7777777.77" not in text
        assert not leaks(text, {float(CANARY)})


def test_not_available_and_not_published_are_shown_apart(books: dict[str, Workbook]) -> None:
    sheet = books["en"]["By segment"]
    cells = cells_by_key(sheet)
    # a growth the release holds without a value: the mark of not available, not C, not 0
    assert cells[FigureKey("GROWTH_YOY", "2024", "segment", "ITO")].value == NOT_AVAILABLE  # type: ignore[attr-defined]
    # CRM has a 2024 level (confidential) but none for 2023: not available in that year...
    assert cells[FigureKey("LEVEL", "2023", "segment", "CRM")].value == NOT_AVAILABLE  # type: ignore[attr-defined]
    # ... and no monthly figure at all: blank, the series is not published monthly
    assert FigureKey("LEVEL", "2024-01", "segment", "CRM") not in cells
    assert FigureKey("SHARE", "2024-01", "segment", "ITO") not in cells
    legend = {str(b.value) for _, b in books["en"].worksheets[0].iter_rows(max_col=2)}
    assert WORDS["en"]["not_available"] in legend
    assert WORDS["en"]["blank"] in legend


def test_number_formats_scale_round_and_mark_without_making_text(
    books: dict[str, Workbook],
) -> None:
    total = cells_by_key(books["en"]["Total"])
    level = total[FigureKey("LEVEL", "2024")]
    assert level.number_format == "#,##0.000,,,"  # type: ignore[attr-defined]
    assert total[FigureKey("LEVEL", "2023")].number_format == f'#,##0.000,,,"{BREAK_MARK}"'  # type: ignore[attr-defined]
    assert total[FigureKey("GROWTH_YOY", "2024")].number_format == '#,##0.0"†"'  # type: ignore[attr-defined]
    assert total[FigureKey("JOBS", "2024", flow="_Z")].number_format == "#,##0"  # type: ignore[attr-defined]
    segment = cells_by_key(books["en"]["By segment"])
    assert segment[FigureKey("SHARE", "2024", "segment", "ITO")].number_format == "#,##0.0"  # type: ignore[attr-defined]
    # an estimate (E) in a provisional release is marked with its code
    assert segment[FigureKey("LEVEL", "2024", "segment", "ZZZ")].number_format == '#,##0.000,,,"E"'  # type: ignore[attr-defined]
    units = {row[-1].value: row[3].value for row in books["fr"]["Ensemble"].iter_rows(min_row=3)}
    assert units["LEVEL/X/total/_T"] == "milliards de MAD"
    assert units["GROWTH_YOY/X/total/_T"] == "%"
    assert units["JOBS/_Z/total/_T"] == "emplois"


def test_text_that_looks_like_a_formula_stays_text(books: dict[str, Workbook]) -> None:
    for book in books.values():
        texts = [
            c
            for sheet in book.worksheets
            for row in sheet.iter_rows()
            for c in row
            if isinstance(c.value, str)
        ]
        assert not [c.coordinate for c in texts if c.data_type != "s"]
        assert not [c.value for c in texts if c.value.startswith(("=", "+", "-", "@"))]
        values = {c.value for c in texts}
        assert "'" + EVIL_NOTE in values
        assert "'" + EVIL_SEGMENT in values
        assert not any(
            c.data_type == "f" for s in book.worksheets for r in s.iter_rows() for c in r
        )


def test_the_written_file_has_no_formula(written: dict[str, Path]) -> None:
    """In the file itself, not only as openpyxl reads it back: no <f> element, the note as a
    string."""
    with zipfile.ZipFile(written["en"]) as archive:
        xml = "".join(
            archive.read(n).decode("utf-8") for n in archive.namelist() if n.endswith(".xml")
        )
    assert "<f>" not in xml
    assert "&apos;=HYPERLINK" in xml or "'=HYPERLINK" in xml


def test_arabic_sheets_are_right_to_left(books: dict[str, Workbook]) -> None:
    assert all(s.sheet_view.rightToLeft for s in books["ar"].worksheets)
    assert not any(s.sheet_view.rightToLeft for s in books["en"].worksheets)
    assert not any(s.sheet_view.rightToLeft for s in books["fr"].worksheets)
    assert books["ar"].worksheets[0].title == WORDS["ar"]["cover"]
    names = [c.value for c in books["ar"]["حسب القطاع"]["C"][2:5]]
    assert names[0] == "تعهيد خدمات تكنولوجيا المعلومات"


def test_the_cover_says_what_the_file_is(books: dict[str, Workbook]) -> None:
    release = tiny_release()
    for lang, book in books.items():
        words = WORDS[lang]
        cover = book.worksheets[0]
        title = str(cover["A1"].value)
        assert title.endswith(words["annex"])
        assert title.startswith(release.profile.calendar.title[lang])  # type: ignore[union-attr]
        lines = {str(a.value): b for a, b in cover.iter_rows(min_row=2, max_col=2)}
        assert lines[words["release"]].value == "2024.2"
        assert lines[words["release"]].data_type == "s"  # not the number 2024.2
        assert lines[words["period"]].value == "2024"
        assert lines[words["status"]].value == words["revised"]
        assert lines[words["vintage"]].value == 2
        assert lines[words["created"]].value == dt.datetime(2025, 8, 4, 8, 0)
        assert lines[words["published"]].value == dt.datetime(2025, 8, 8, 9, 30)
        assert lines[words["note"]].value == "'" + EVIL_NOTE
        assert lines[words["source"]].value == release.profile.data_source[lang]
        assert "EBOPS 2010" in str(lines[words["methods"]].value)
        assert str(lines[words["rounding"]].value).startswith(ROUNDING_NOTE[lang])
        # the marks the release uses: P unmarked, B as the break mark, E as itself
        colon = words["colon"]
        assert lines[words["unmarked"]].value == f"P{colon}{words['obs_P']}"
        assert lines[BREAK_MARK].value == f"B{colon}{words['obs_B']}"
        assert lines["E"].value == f"E{colon}{words['obs_E']}"
        assert lines["†"].value == words["incomplete_base"]
        assert lines["*"].value == words["incomplete_period"]
        assert "2023-01-01" in str(lines[words["break_detail"]].value)
        # the sheets, what each holds, and the definition of each indicator shown
        if lang == "en":
            assert lines["By segment"].value == "By segment: yearly, monthly; Exports"
            assert lines["Total"].value == "Total: yearly, monthly; Exports, Imports"
        if lang == "fr":
            assert lines["Ensemble"].value == (
                "Ensemble : annuel, mensuel ; Exportations, Importations"
            )
        assert [str(a.value) for a, _ in cover.iter_rows(max_col=2)].count(
            book.worksheets[1].title
        ) == 1
        growth = registry().indicators["GROWTH_YOY"]
        assert lines[growth.name(lang)].value == growth.definitions[lang]
        assert registry().indicators["SHARE"].name(lang) in lines
        assert registry().indicators["BALANCE"].name(lang) not in lines  # not in the release


def test_a_final_release_marks_provisional_figures_and_leaves_normal_ones(
    tmp_path: Path,
) -> None:
    release = tiny_release(status="final", note=None)
    book = load_workbook(write_workbook(release, "en", tmp_path / "final.xlsx"))
    cells = cells_by_key(book["Total"])
    # in a final release P is no longer the ordinary status: it is marked
    assert cells[FigureKey("LEVEL", "2024")].number_format == '#,##0.000,,,"P"'  # type: ignore[attr-defined]
    lines = {str(a.value): b.value for a, b in book.worksheets[0].iter_rows(max_col=2)}
    assert lines["P"] == f"P: {WORDS['en']['obs_P']}"
    assert lines[WORDS["en"]["status"]] == "final"
    assert lines[WORDS["en"]["note"]] == NOT_AVAILABLE


def test_headers_are_bold_and_frozen_and_columns_sized(books: dict[str, Workbook]) -> None:
    for book in books.values():
        for sheet in table_sheets(book):
            assert sheet.freeze_panes == "E3"
            assert all(c.font.bold for c in sheet[2])
            assert (
                sheet.auto_filter.ref
                == f"A2:{sheet.cell(2, sheet.max_column).column_letter}{sheet.max_row}"
            )
            widths = {k: d.width for k, d in sheet.column_dimensions.items()}
            # the indicator column fits the longest indicator name
            longest = max(len(str(c.value)) for c in sheet["A"][1:])
            assert widths["A"] >= min(longest + 2, MAX_WIDTH)
    segment = books["en"]["By segment"]
    assert segment.column_dimensions["C"].width >= len(EVIL_SEGMENT) + 2
    assert segment.column_dimensions["E"].width < 20


def test_the_same_release_gives_the_same_bytes(tmp_path: Path, written: dict[str, Path]) -> None:
    again = write_workbook(tiny_release(), "en", tmp_path / "again.xlsx")
    assert again.read_bytes() == written["en"].read_bytes()


def test_a_language_the_profile_does_not_publish_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"release 2024\.2 is published in ar, fr, en"):
        write_workbook(tiny_release(), "de", tmp_path / "de.xlsx")
    assert not (tmp_path / "de.xlsx").exists()


_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


@given(st.lists(st.text(max_size=40), min_size=1, max_size=6))
def test_sheet_names_are_valid_and_unique(texts: list[str]) -> None:
    taken: set[str] = set()
    names = [sheet_name(t, taken) for t in texts]
    assert len({n.casefold() for n in names}) == len(names)
    for name in names:
        assert 0 < len(name) <= 31
        assert not _FORBIDDEN.search(name)
        assert not name.startswith("'")
        assert not name.endswith("'")
        assert name.casefold() != "history"


def test_a_long_sheet_name_is_cut_to_excel_s_limit() -> None:
    taken: set[str] = set()
    first = sheet_name("Par segment et pays partenaire [A/Q]: *?", taken)
    assert first == "Par segment et pays partenaire"
    assert sheet_name("par segment et pays partenaire", taken) == "par segment et pays partena (2)"


def test_a_cross_cut_names_both_members(tmp_path: Path) -> None:
    cross = [
        ("LEVEL", "A", "2024", "segment_partner", "KPO.FR", "X", 5.5, "MAD", "P", "complete", "F"),
        ("LEVEL", "A", "2024", "segment_partner", "ITO.FR", "X", 9.5, "MAD", "P", "complete", "F"),
        ("LEVEL", "A", "2024", "segment_partner", "ITO.XX", "X", NAN, "MAD", "P", "complete", "C"),
    ]
    table = '\n[[table]]\ncut = "segment_partner"\nfreqs = ["A"]\nytd = false\nflows = ["X"]\n'
    release = tiny_release(rows=[*ROWS, *cross], tables=table)
    book = load_workbook(write_workbook(release, "en", tmp_path / "cross.xlsx"))
    sheet = book["By segment and partner"]
    rows = [(r[2].value, r[-1].value) for r in sheet.iter_rows(min_row=3)]
    # segments in their code list's order, an unknown partner code as itself, the total last
    assert rows == [
        ("IT outsourcing — France", "LEVEL/X/segment_partner/ITO.FR"),
        ("IT outsourcing — XX", "LEVEL/X/segment_partner/ITO.XX"),
        ("KPO — France", "LEVEL/X/segment_partner/KPO.FR"),
        ("Total", "LEVEL/X/total/_T"),
    ]
    assert (
        cells_by_key(sheet)[FigureKey("LEVEL", "2024", "segment_partner", "ITO.XX")].value
        == CONFIDENTIAL_MARK
    )  # type: ignore[attr-defined]


def test_members_without_a_meaningful_order_sort_by_name_as_a_reader_does(
    tmp_path: Path,
) -> None:
    partners = [
        ("LEVEL", "A", "2024", "partner", code, "X", 1.0, "MAD", "P", "complete", "F")
        for code in ("ZM", "FR", "AE")
    ]
    release = tiny_release(rows=[*ROWS, *partners])
    book = load_workbook(write_workbook(release, "fr", tmp_path / "fr.xlsx"))
    names = [r[2].value for r in book["Par pays partenaire"].iter_rows(min_row=3)]
    # accents aside: Émirats among the E, before France, not after Zambie
    assert names == ["Émirats arabes unis", "France", "Zambie", "Total"]
