"""The same kind of generated rows in every input form the README lists: column names in any
case with blanks around them, French and Arabic names, Windows-1252 and Windows-1256, the
delimiters `|`, `;` and tab (the other files use `,`), Excel and Parquet.
Whatever the form, each row's outcome is the reference's."""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook
from tests.crosscheck import generate as gen
from tests.crosscheck import reference as ref
from tests.crosscheck.compare import TODAY, Case, check_counts, check_rows

import digex

ACCENTS = ("numero_declaration", "période", "ice", "activité", "pays", "devise", "montant", "sens")
ARABIC = ("رقم_التصريح", "الفترة", "المعرف_الموحد", "النشاط", "البلد", "العملة", "المبلغ", "التدفق")
LATIN_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")
N = 400


def rows(seed: int, prefix: str, *, latin: bool = False) -> list[gen.Line]:
    lines = gen.Generator(seed, prefix).rows(N)
    if latin:  # Windows-1252 and -1256 have no Arabic-Indic digits
        for line in lines:
            line.fields = [f.translate(LATIN_DIGITS) for f in line.fields]
    return lines


def write_xlsx(path: Path, lines: list[gen.Line]) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(gen.FIELDS))
    for line in lines:
        sheet.append(line.fields)
    book.save(path)


def write_parquet(path: Path, lines: list[gen.Line]) -> None:
    columns = {
        name: pa.array([line.fields[i] for line in lines], pa.string())
        for i, name in enumerate(gen.FIELDS)
    }
    pq.write_table(pa.table(columns), path)


@pytest.fixture(scope="module")
def formats(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Case]:
    tmp = tmp_path_factory.mktemp("formats")
    rates = tmp / "rates.csv"
    gen.write_rates(rates, seed=7)
    rules = ref.Rules.read()
    ref_rates = ref.read_rates([rates], rules)
    upper = [f"  {h.upper()} " for h in gen.FIELDS]
    csvs = [
        ("upper.csv", rows(11, "U"), {"header": upper, "delimiter": "|"}, "utf-8"),
        (
            "cp1252.csv",
            rows(12, "W", latin=True),
            {"header": ACCENTS, "delimiter": ";"},
            "cp1252",
        ),
        ("cp1256.csv", rows(13, "A", latin=True), {"header": ARABIC, "delimiter": "\t"}, "cp1256"),
    ]
    others = [
        ("excel.xlsx", rows(14, "X"), write_xlsx),
        ("parquet.parquet", rows(15, "Q"), write_parquet),
    ]
    expected: list[ref.Row] = []
    paths = []
    for name, lines, options, encoding in csvs:
        gen.write(tmp / name, lines, encoding=encoding, **options)
        expected += ref.load_file(tmp / name, rules, ref_rates, TODAY, encoding=encoding)
        paths.append(tmp / name)
    for name, lines, writer in others:
        writer(tmp / name, lines)
        gen.write(tmp / f"{name}.csv", lines)  # the same rows, as the reference reads them
        for row in ref.load_file(tmp / f"{name}.csv", rules, ref_rates, TODAY):
            row.file = name
            if name.endswith(".parquet"):  # `line` is the row number (docs/internals.md)
                row.line -= 1
            expected.append(row)
        paths.append(tmp / name)
    db = digex.init(tmp / "store.duckdb")
    yield Case(db, {}, {}, expected, db.load(paths, rates=rates, today=TODAY))
    db.close()


def test_every_form_gives_the_reference_outcomes(formats: Case) -> None:
    check_rows(formats)
    check_counts(formats)


def test_the_forms_were_read_as_meant(formats: Case) -> None:
    got = {r.file.name: (r.file_format, r.encoding) for r in formats.results}
    assert codecs.lookup(got["cp1252.csv"][1]).name == "cp1252"
    assert codecs.lookup(got["cp1256.csv"][1]).name == "cp1256"
    assert got["excel.xlsx"][0] == "xlsx"
    assert got["parquet.parquet"][0] == "parquet"
