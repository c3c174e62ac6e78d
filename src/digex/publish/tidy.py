"""Tidy rows written as CSV and JSON byte for byte as pandas writes them.

The CLI answers a cached indicator query without importing pandas (close to a second of
import on a small machine), yet its files must not change with the path that produced them:
a user diffs this month's `indicators.csv` against last month's. These writers therefore
follow pandas' `DataFrame.to_csv(index=False)` and `DataFrame.to_json(orient="records",
force_ascii=False, indent=1)` for the cell types an indicator table holds (text, integers,
floats, missing values); the tests compare them with pandas on awkward values.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

JSON_DECIMALS = 10
"""pandas' default `double_precision` for `to_json`: floats keep 10 decimals at most."""

_JSON_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "/": "\\/",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
}
_JSON_STRING = str.maketrans({**{chr(c): f"\\u{c:04x}" for c in range(0x20)}, **_JSON_ESCAPES})


@dataclass(frozen=True)
class Rows:
    """A result as column names and plain Python tuples, cheap to fetch and to print."""

    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]

    @classmethod
    def fetch(cls, con: Any) -> Rows:
        """The pending result of a DuckDB connection."""
        columns = tuple(d[0] for d in con.description)
        return cls(columns, con.fetchall())

    @classmethod
    def of_frame(cls, frame: pd.DataFrame) -> Rows:
        """A pandas table's rows (pandas yields Python scalars, NaN for a missing value)."""
        return cls(tuple(str(c) for c in frame.columns), list(frame.itertuples(False, None)))

    def __len__(self) -> int:
        return len(self.rows)

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def csv_text(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """The rows as pandas writes them: minimal quoting, `\\n` line ends, floats in their
    shortest round-trip form (`repr`, which is what NumPy prints too), missing values empty."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([_csv_cell(v) for v in row] for row in rows)
    return buffer.getvalue()


def _csv_cell(value: object) -> object:
    if _missing(value):
        return ""
    if isinstance(value, float):
        return repr(value)
    return value


def json_text(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """The rows as one JSON array of records, laid out as pandas' `indent=1` lays them out."""
    keys = [f'  "{_json_string(c)}":' for c in columns]
    records = [
        ",\n".join(f"{k}{_json_value(v)}" for k, v in zip(keys, row, strict=True)) for row in rows
    ]
    return "[\n" + ",\n".join(f" {{\n{r}\n }}" for r in records) + "\n]"


def _json_string(text: str) -> str:
    return text.translate(_JSON_STRING)


def _json_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return json_float(value)
    if value is None:
        return "null"
    if isinstance(value, dict | list):  # a nested object (an event's details), on one line
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return f'"{_json_string(str(value))}"'


def json_float(value: float) -> str:
    """A float as pandas' vendored ultrajson writes it (`Buffer_AppendDoubleUnchecked`).

    Not the shortest round-trip form: the fraction is rounded to `JSON_DECIMALS` places with the
    encoder's own half-way rule and trailing zeros are dropped (7653179.16 is written
    7653179.1600000001); beyond 1e16 - 1 or below 1e-15 it switches to C's `%.10g`.
    NaN and infinities become null, as pandas writes them.
    """
    if math.isnan(value) or math.isinf(value):
        return "null"
    neg = value < 0
    magnitude = -value if neg else value
    if magnitude > 1e16 - 1 or (magnitude != 0.0 and magnitude < 1e-15):
        return f"%.{JSON_DECIMALS}g" % value
    scale = float(10**JSON_DECIMALS)
    whole = int(magnitude)
    scaled = (magnitude - whole) * scale
    frac = int(scaled)
    diff = scaled - frac
    if diff > 0.5 or (diff == 0.5 and (frac == 0 or frac & 1)):
        frac += 1
    if frac >= scale:
        frac, whole = 0, whole + 1
    if frac:
        digits = str(frac).rjust(JSON_DECIMALS, "0").rstrip("0")
        text = f"{whole}.{digits}"
    else:
        text = f"{whole}.0"
    return "-" + text if neg else text


SIGNIFICANT_DIGITS = 15
"""Decimal digits a double holds exactly (C's DBL_DIG): what a written file keeps of a float."""


def csv_rows(rows: Rows) -> Rows:
    """`rows` as a CSV file that digex writes presents them.

    Floats keep 15 significant digits, so that a value that went through a division (a level in
    billions) is written 0.04800000094, not 0.048000000939999996; a money level with its cents
    stays exact up to 10^13 units. Text cells are made safe for spreadsheets
    (`digex.publish.spreadsheet`). `csv_text` itself stays pandas' writer, byte for byte.
    """
    from digex.publish.spreadsheet import neutralise

    def cell(value: object) -> object:
        if isinstance(value, float) and math.isfinite(value):
            return float(f"{value:.{SIGNIFICANT_DIGITS}g}")
        if isinstance(value, str):
            return neutralise(value)
        return value

    return Rows(rows.columns, [tuple(cell(v) for v in row) for row in rows.rows])
