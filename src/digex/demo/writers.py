"""Write one month of declarations in the format a real office might have sent it.

Statistics offices receive files from many systems: UTF-8 exports, Excel sheets, Windows French
files with `;` and decimal commas, Arabic spreadsheets saved as Windows-1256, Parquet from a data
platform. The demo mixes them on a fixed calendar so the loader's readers are all exercised and
a test can find each one. Every binary format also carries the synthetic-data notice.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from openpyxl import Workbook

SYNTHETIC_NOTICE = "SYNTHETIC DEMO DATA — not official statistics"
COLUMNS: tuple[str, ...] = (
    "declaration_id", "period", "firm_id", "segment", "partner", "currency", "amount", "flow",
)  # fmt: skip
_FRENCH_A = (
    "numero_declaration", "période", "ICE", "activité",
    "pays_partenaire", "devise", "montant", "flux",
)  # fmt: skip
_FRENCH_B = (
    "id_declaration", "mois", "identifiant_entreprise", "segment_activite",
    "pays", "monnaie", "valeur", "sens",
)  # fmt: skip
_ARABIC_A = (
    "رقم_التصريح", "الفترة", "المعرف_الموحد", "النشاط",
    "البلد_الشريك", "العملة", "المبلغ", "التدفق",
)  # fmt: skip
_ARABIC_B = (
    "رقم_التصريح", "الشهر", "المعرف_الموحد", "القطاع", "البلد", "العملة", "القيمة", "الاتجاه",
)  # fmt: skip
_ARABIC_INDIC = "٠١٢٣٤٥٦٧٨٩"
_XLSX_STAMP = datetime(2025, 1, 1)


@dataclass(frozen=True)
class TextFormat:
    """How a delimited text file is written: what the loader has to sniff or be told."""

    encoding: str
    delimiter: str
    header: tuple[str, ...] = COLUMNS
    decimal_comma: bool = False
    arabic_digits: bool = False
    crlf: bool = False
    bom: bool = False


TEXT_FORMATS: dict[str, TextFormat] = {
    "csv": TextFormat("utf-8", ","),
    "csv-bom": TextFormat("utf-8", ",", bom=True),
    "csv-fr": TextFormat("cp1252", ";", _FRENCH_A, decimal_comma=True, crlf=True),
    "csv-fr-b": TextFormat("cp1252", ";", _FRENCH_B, decimal_comma=True, crlf=True),
    "csv-ar-tab": TextFormat("cp1256", "\t", _ARABIC_A, crlf=True),
    "csv-ar-comma": TextFormat("cp1256", ",", _ARABIC_B, crlf=True),
    # Windows-1256 has no Arabic-Indic digits, so a file written with them is UTF-8.
    "csv-ar-digits": TextFormat("utf-8", ",", _ARABIC_A, arabic_digits=True),
}
# Which months are not plain UTF-8 CSV. Fixed (not drawn from the seed) so that documentation and
# tests can name them.
CALENDAR: dict[str, str] = {
    "2019-03": "csv-fr", "2019-06": "xlsx", "2019-09": "csv-bom",
    "2020-03": "parquet", "2020-07": "csv-fr-b", "2020-11": "csv-ar-tab",
    "2021-02": "csv-fr", "2021-08": "csv-ar-digits", "2021-12": "csv-bom",
    "2022-02": "csv-ar-comma", "2022-05": "csv-fr-b", "2022-09": "xlsx", "2022-12": "parquet",
    "2023-01": "csv-bom", "2023-04": "csv-ar-tab", "2023-10": "csv-fr",
    "2024-03": "xlsx", "2024-06": "csv-fr-b", "2024-09": "csv-ar-digits", "2024-10": "csv-ar-tab",
    "2024-12": "csv-bom", "2025-01": "csv-ar-comma", "2025-02": "parquet", "2025-04": "csv-fr",
}  # fmt: skip
_XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, less the header


def format_of(period: str, rows: int) -> str:
    """The format of a month's file; an Excel month too large for a sheet falls back to CSV."""
    kind = CALENDAR.get(period, "csv")
    return "csv" if kind == "xlsx" and rows > _XLSX_MAX_ROWS else kind


def write_month(table: pa.Table, folder: Path, period: str, kind: str) -> Path:
    """Write `table` (all-string columns in COLUMNS order, nulls for empty fields)."""
    if kind in TEXT_FORMATS:
        path = folder / f"declarations_{period}.csv"
        _write_text(table, path, TEXT_FORMATS[kind])
    else:
        path = folder / f"declarations_{period}.{kind}"
        _BINARY_WRITERS[kind](table, path, period)
    return path


def _write_text(table: pa.Table, path: Path, fmt: TextFormat) -> None:
    amount = table.column("amount")
    if fmt.decimal_comma:
        amount = pc.replace_substring(amount, ".", ",")
    if fmt.arabic_digits:
        for latin, arabic in enumerate(_ARABIC_INDIC):
            amount = pc.replace_substring(amount, str(latin), arabic)
    table = table.set_column(COLUMNS.index("amount"), "amount", amount)
    table = table.rename_columns(list(fmt.header))
    buffer = io.BytesIO()
    options = pacsv.WriteOptions(
        delimiter=fmt.delimiter, quoting_style="none", quoting_header="none"
    )
    pacsv.write_csv(table, buffer, write_options=options)
    data = buffer.getvalue()
    if fmt.crlf:
        data = data.replace(b"\n", b"\r\n")
    if fmt.encoding != "utf-8":
        data = data.decode("utf-8").encode(fmt.encoding)
    path.write_bytes((b"\xef\xbb\xbf" if fmt.bom else b"") + data)


def _write_xlsx(table: pa.Table, path: Path, period: str) -> None:
    """openpyxl writes the workbook (properties, styles, the header row); the data rows are then
    streamed into the sheet as the same XML openpyxl would write, about fifty times faster."""
    wb = Workbook(write_only=True)
    wb.properties.title = SYNTHETIC_NOTICE
    wb.properties.description = f"{SYNTHETIC_NOTICE}: demo declarations for {period}."
    wb.properties.creator = "digex demo generator"
    wb.properties.created = _XLSX_STAMP
    wb.create_sheet("declarations").append(list(COLUMNS))
    wb.save(path)
    with zipfile.ZipFile(path) as src:
        parts = [(info.filename, src.read(info)) for info in src.infolist()]
    stamp = _XLSX_STAMP.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in parts:
            # Fixed dates in the package, so the same seed gives the same bytes (a file's hash is
            # how a loader recognises a file it has already loaded).
            info = zipfile.ZipInfo(name, date_time=_XLSX_STAMP.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            if name == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp, data)
            if name != _SHEET_PART:
                dst.writestr(info, data)
                continue
            head, tail = data.split(b"</sheetData>")
            with dst.open(info, "w", force_zip64=table.num_rows > 1_000_000) as out:
                out.write(head)
                for start in range(0, table.num_rows, 50_000):
                    out.write(_sheet_rows(table.slice(start, 50_000), first_row=start + 2))
                out.write(b"</sheetData>" + tail)


def _write_parquet(table: pa.Table, path: Path, period: str) -> None:
    meta = {b"synthetic": SYNTHETIC_NOTICE.encode(), b"period": period.encode()}
    pq.write_table(table.replace_schema_metadata(meta), path)


_BINARY_WRITERS: dict[str, Callable[[pa.Table, Path, str], None]] = {
    "xlsx": _write_xlsx,
    "parquet": _write_parquet,
}
_SHEET_PART = "xl/worksheets/sheet1.xml"
_NUMBER = r"^-?[0-9]+(\.[0-9]+)?$"


def _xml_text(col: pa.ChunkedArray) -> pa.ChunkedArray:
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        col = pc.replace_substring(col, char, entity)
    return col


def _sheet_rows(table: pa.Table, first_row: int) -> bytes:
    """Rows of the sheet XML: text as inline strings, amounts that are numbers as numbers (as a
    spreadsheet user would type them), empty fields as absent cells."""
    row = pc.cast(pa.array(np.arange(first_row, first_row + table.num_rows)), pa.string())
    cells = []
    for letter, name in zip("ABCDEFGH", COLUMNS, strict=True):
        value = _xml_text(table.column(name))
        ref = f'<c r="{letter}'
        cell = pc.binary_join_element_wise(
            ref, row, '" t="inlineStr"><is><t>', value, "</t></is></c>", ""
        )
        if name == "amount":
            number = pc.binary_join_element_wise(ref, row, '" t="n"><v>', value, "</v></c>", "")
            is_number = pc.fill_null(pc.match_substring_regex(value, _NUMBER), False)
            cell = pc.if_else(is_number, number, cell)
        cells.append(pc.fill_null(cell, ""))
    xml = pc.binary_join_element_wise('<row r="', row, '">', *cells, "</row>", "")
    return "".join(xml.to_pylist()).encode("utf-8")


class SingleFileWriter:
    """All months in one UTF-8 CSV and one all-text Parquet file, appended month by month.

    The benchmark needs one large file per format; the monthly mixed-format files are for the
    demo. Nothing is held beyond the month being written, so 100 million rows stream through in
    the memory of one month.
    """

    def __init__(self, folder: Path) -> None:
        self.csv_path = folder / "declarations.csv"
        self.parquet_path = folder / "declarations.parquet"
        schema = pa.schema([(name, pa.string()) for name in COLUMNS])
        meta = {b"synthetic": SYNTHETIC_NOTICE.encode(), b"layout": b"single"}
        self._csv_file = self.csv_path.open("wb")
        options = pacsv.WriteOptions(quoting_style="none", quoting_header="none")
        self._csv = pacsv.CSVWriter(self._csv_file, schema, write_options=options)
        self._parquet = pq.ParquetWriter(self.parquet_path, schema.with_metadata(meta))

    def write(self, table: pa.Table) -> None:
        """Append one month (all-string columns in COLUMNS order, nulls for empty fields)."""
        self._csv.write_table(table)
        self._parquet.write_table(table)

    def close(self) -> None:
        self._csv.close()
        self._csv_file.close()
        self._parquet.close()

    def __enter__(self) -> SingleFileWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
