"""A chart's table as a file: exactly its rows, as the dashboard shows them.

CSV is UTF-8 with a byte-order mark (Excel then reads Arabic and accents right); the xlsx has
one sheet. Every cell is text made safe for a spreadsheet (`digex.publish.spreadsheet`: a
cell that would start a formula is prefixed with a quote), so a name or a label can never run
as a formula; the confidential mark stays the mark.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Final

from digex.publish.spreadsheet import neutralise
from digex.web.dashboard import models

TYPES: Final = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
SHEET_TITLE: Final = 31
"""Excel's longest sheet name."""


NUMBER: Final = re.compile(
    r"^[+\-\u2212]?[0-9\u0660-\u0669][0-9\u0660-\u0669.,\u066b\u066c\u00a0\u202f ]*$"
)
"""A signed number as the tables write it (`+0.2`, `-8,1`): read as a number, never as a
formula, so left as it is."""


def _safe(cell: str) -> str:
    return cell if NUMBER.match(cell) else neutralise(cell)


def _cells(table: models.Table) -> list[list[str]]:
    return [[_safe(c) for c in row] for row in [table.columns, *table.rows]]


def csv_bytes(table: models.Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(_cells(table))
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def xlsx_bytes(
    table: models.Table, title: str, *, when: dt.datetime | None = None, rtl: bool = False
) -> bytes:
    """The table in one sheet named `title`; `when` (the release's publication) is the
    file's creation time. (openpyxl stamps the save time too: the same table does not give
    the same bytes, so a download's ETag is its table's, `etag`.)"""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    if when is not None:
        stamp = when.astimezone(dt.UTC).replace(tzinfo=None)
        book.properties.created = stamp
    sheet = book.active
    assert sheet is not None
    sheet.title = "".join(c for c in title if c not in "[]:*?/\\")[:SHEET_TITLE] or "data"
    sheet.sheet_view.rightToLeft = rtl
    for row in _cells(table):
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, column in enumerate(table.columns, start=1):
        width = max([len(column), *(len(r[index - 1]) for r in table.rows if len(r) >= index)])
        sheet.column_dimensions[get_column_letter(index)].width = min(60, width + 2)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def etag(table: models.Table, fmt: str) -> str:
    """The validator of a download: its table's CSV and the format (equal tables, equal
    files to the reader)."""
    from digex.web.caching import etag_of

    return etag_of(fmt.encode() + b"\0" + csv_bytes(table))


def filename(release: str, chart: str, fmt: str) -> str:
    return f"digex-{release}-{chart}.{fmt}"
