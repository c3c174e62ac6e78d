"""Readers turn one input file into the staging table every later step works on.

A registry, not a switch: each reader says which files it `handles` (by magic bytes first, then
by extension) and the first that does stages the file. Staging gives every row its line number
in the source (as a person opening the file would count it, the header being line 1) and keeps
every field as text: typing happens in validation, where a bad cell becomes a reason, not a crash.
"""

from __future__ import annotations

import csv
import datetime as dt
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

import duckdb

from digex.errors import InvalidFile
from digex.ingest.parsers import BLANKS, DecimalMark, strip
from digex.ingest.records import record_spans
from digex.ingest.sniff import (
    CANDIDATES,
    cut,
    looks_binary,
    quote,
    read_layout,
    transcode_to_utf8,
)
from digex.sql import identifier
from digex.sql import literal as _sql_str

HeaderMatcher = Callable[[Sequence[str]], tuple[dict[str, int], list[str]]]
"""Maps a file's column names to field -> column index, and lists the fields not found."""


@dataclass(frozen=True)
class Staged:
    """What a reader tells the load log about the file it staged."""

    file_format: str
    encoding: str | None = None
    delimiter: str | None = None
    warnings: tuple[str, ...] = ()
    """What the user should know about the file (columns not used), one line each."""
    decimal_mark: DecimalMark | None = None
    """The decimal mark the file's amounts use when the format says it (a Parquet number)."""
    rows: int | None = None
    """The rows of `stage`, when the reader counted them as it read the file (from the lines
    themselves, not by splitting them again); None: the loader counts `stage`."""


@dataclass(frozen=True)
class ReadOptions:
    encoding: str | None = None
    delimiter: str | None = None
    encodings: tuple[str, ...] = CANDIDATES
    """The encodings detection chooses from (Morocco's: UTF-8, Windows-1252, Windows-1256)."""


class Reader(Protocol):
    """What validation reads after `stage`: TEMP `stage` (a table or a view; columns `line`,
    `raw` (the line, for a malformed one), `malformed` and one text column per field), and
    TEMP VIEW `stage_some`, the same rows restricted to the lines in TEMP TABLE
    `stage_wanted`, which validation fills with lines of `stage` to read the rejected rows
    again. `Staged.rows` counts the rows of `stage` when the reader could count them as it
    read the file."""

    file_format: str

    def handles(self, path: Path, head: bytes) -> bool: ...

    def stage(
        self,
        con: duckdb.DuckDBPyConnection,
        path: Path,
        fields: Sequence[str],
        match: HeaderMatcher,
        options: ReadOptions,
        workdir: Path,
    ) -> Staged: ...


def _mapping_or_fail(
    path: Path, names: Sequence[str], fields: Sequence[str], match: HeaderMatcher
) -> tuple[dict[str, int], tuple[str, ...]]:
    """Field -> column index, and the warnings about the header (columns not used).

    Refuses a header that lacks a field, or that has two columns for one field (`amount`
    twice, or `amount` and its alias `montant`): which of them holds the declared values is
    not ours to guess.
    """
    mapping, missing = match(names)
    if missing:
        shown = [cut(n, 40) for n in names if n]
        found = ", ".join(shown[:12]) + (f" and {len(shown) - 12} more" if len(shown) > 12 else "")
        raise InvalidFile(
            f"{path.name}: missing column(s) {', '.join(missing)} (header has: "
            f"{found or 'nothing'}); expected the columns {','.join(fields)} or their names "
            "in the country profile"
        )
    # the header once more without the columns taken: a field found again has two columns
    rest = ["" if i in mapping.values() else n for i, n in enumerate(names)]
    again, _ = match(rest)
    for field, i in again.items():
        first = mapping[field]
        raise InvalidFile(
            f"{path.name}: columns {first + 1} ({quote(names[first], 40)}) and {i + 1} "
            f"({quote(names[i], 40)}) both hold {field}; keep one of them"
        )
    unused = [
        quote(n, 40) if n else f"column {i + 1} (no name)"
        for i, n in enumerate(names)
        if i not in mapping.values()
    ]
    if not unused:
        return mapping, ()
    listed = ", ".join(unused[:12]) + (f" and {len(unused) - 12} more" if len(unused) > 12 else "")
    return mapping, (
        f"{path.name}: column(s) not used: {listed} (not {', '.join(fields)} nor their names "
        "in the country profile)",
    )


def _split_sql(delimiter: str) -> str:
    """SQL splitting `raw` into fields; quoted fields (RFC 4180) take the slower regex path.

    A quoted field may have spaces around its quotes. A line that is not a sequence of such
    fields (a quote inside an unquoted field, a quote never closed) gives no field at all, so
    it is malformed, rather than having its stray quote skipped.
    """
    d = _sql_str(delimiter)
    cls = "\\t" if delimiter == "\t" else ("\\" + delimiter if delimiter in "|\\^]-" else delimiter)
    field = f' *"(?:[^"]|"")*" *|[^{cls}"]*'
    pattern = _sql_str(f"({field}){cls}")
    whole = _sql_str(f"(?:(?:{field}){cls})*")
    unquote = (
        "CASE WHEN starts_with(trim(x), '\"') THEN replace(trim(x)[2:-2], '\"\"', '\"') ELSE x END"
    )
    quoted = f"list_transform(regexp_extract_all(raw || {d}, {pattern}, 1), x -> {unquote})"
    checked = f"CASE WHEN regexp_full_match(raw || {d}, {whole}) THEN {quoted} ELSE [] END"
    return f"CASE WHEN contains(raw, '\"') THEN {checked} ELSE string_split(raw, {d}) END"


def stage_delimited(
    con: duckdb.DuckDBPyConnection,
    utf8_path: Path,
    delimiter: str,
    fields: Sequence[str],
    mapping: Mapping[str, int],
    ncols: int,
    line_break: str | None = None,
) -> int | None:
    """Stage a UTF-8 delimited file: one engine scan of whole lines into TEMP TABLE
    `stage_lines`, and TEMP VIEWs `stage` and `stage_some` splitting them into fields.
    Returns the rows of `stage`, or None when records span lines (the loader then counts
    `stage` itself: such files are rare, and their records are joined in the view).

    `line_break`: a character that stands for a line break inside a field (a file written by
    digex itself, one row per line, so that its line numbers are its rows)."""
    # the line number is the row id, so the rows must be stored in the file's order
    row = con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()
    ordered = bool(row[0]) if row else True
    try:
        con.execute("SET preserve_insertion_order = true")
        con.execute(
            "CREATE OR REPLACE TEMP TABLE stage_lines AS SELECT raw FROM read_csv("
            f"{_sql_str(str(utf8_path))}, header = false, columns = {{'raw': 'VARCHAR'}}, "
            "delim = '\x1f', quote = '', escape = '', auto_detect = false, strict_mode = false)"
        )
    except duckdb.OutOfMemoryException:
        raise  # not the file's fault: the loader says what to do
    except duckdb.Error as e:
        raise InvalidFile(f"{utf8_path.name}: cannot be read as delimited text ({e})") from e
    finally:
        con.execute(f"SET preserve_insertion_order = {str(ordered).lower()}")
    # temporary tables number their rows from an offset: line 1 is the smallest rowid
    # (a literal, because a subquery in the view would make every scan single-threaded)
    # the engine does not cut an AND short: the quotes are counted only where there is one
    odd = (
        "CASE WHEN contains(raw, '\"') "
        "THEN (length(raw) - length(replace(raw, '\"', ''))) % 2 = 1 ELSE false END"
    )
    # The same scan counts the rows `stage` will have (the lines that are not blank, but the
    # header), for the reconciliation: from the lines as read, independently of the checks,
    # and without splitting them again (counting the view cost 0.65 CPU s per 10 million
    # lines, this 0.15 s)
    row = con.execute(
        f"SELECT coalesce(min(rowid), 0), count(*) FILTER ({odd}), "
        f"count(*) FILTER ({_NOT_BLANK}), coalesce(arg_min({_NOT_BLANK}, rowid), false) "
        "FROM stage_lines"
    ).fetchone()
    first_rowid, odd_lines, staged_rows = (
        (int(row[0]), int(row[1]), int(row[2]) - bool(row[3])) if row else (0, 0, 0)
    )
    number = f"rowid - {first_rowid} + 1"
    spans = _join_records(con, number, odd, delimiter) if odd_lines else False
    # A line with no quote and no blank of any kind (nearly every line of a machine-written
    # file) is split as it is; only the others take the quote-aware split and have each field
    # stripped (measured on 10 million lines: 3.7 s against 7.6 s when every field is trimmed).
    rare = [c for c in '"' + BLANKS + (line_break or "") if c != delimiter]
    plain = " OR ".join(f"contains(raw, {_sql_str(c)})" for c in rare)
    value = f"replace(x, {_sql_str(line_break)}, chr(10))" if line_break else "x"
    fields_sql = (
        f"CASE WHEN plain THEN string_split(raw, {_sql_str(delimiter)}) "
        f"ELSE list_transform({_split_sql(delimiter)}, x -> {strip(value)}) END"
    )
    cols = ", ".join(f"nullif(f[{mapping[name] + 1}], '') AS {name}" for name in fields)

    # Views, not a table: the split is cheap (about 1 s per 10 million lines) next to writing
    # its eight text columns into a table (about 3.5 s more), and each later step reads the
    # fields once; only the lines themselves are materialised.
    def split(picked: bool) -> str:
        wanted = "IN (SELECT line FROM stage_wanted)"
        lines = f"SELECT {number} AS line, raw FROM stage_lines"
        if picked:  # the lines are picked before they are split (or every line is split)
            lines += f" WHERE rowid IN (SELECT line + {first_rowid - 1} FROM stage_wanted)"
        if spans:
            records = "SELECT line, raw FROM stage_records" + (f" WHERE line {wanted}" * picked)
            lines = (
                f"SELECT * FROM ({lines}) WHERE line NOT IN (SELECT line FROM stage_spanned) "
                f"UNION ALL {records}"
            )
        # the lines picked are lines of `stage` (validation takes them from its rows), so
        # they are not tested again: the engine would test every line of the file before
        # picking (0.15 CPU s per 10 million lines; the pick itself costs 0.2 s)
        rows = "" if picked else f"WHERE line > 1 AND {_NOT_BLANK}"
        return f"""
        WITH l AS ({lines}),
        n AS (SELECT line, raw, NOT ({plain}) AS plain FROM l),
        s AS (SELECT line, raw, {fields_sql} AS f FROM n {rows})
        SELECT line, CASE WHEN len(f) <> {ncols} THEN raw END AS raw,
               len(f) <> {ncols} AS malformed, {cols}
        FROM s"""

    con.execute(f"CREATE OR REPLACE TEMP VIEW stage AS {split(False)}")
    _wanted(con, f"CREATE OR REPLACE TEMP VIEW stage_some AS {split(True)}")
    return None if spans else staged_rows


_NOT_BLANK = (
    "CASE WHEN raw IS NULL THEN false "
    f"WHEN ascii(raw) NOT IN (0, {', '.join(str(ord(c)) for c in BLANKS)}) THEN true "
    f"ELSE {strip('raw')} <> '' END"
)
"""SQL: the line `raw` holds more than blanks (a blank line is no row). Its first character
decides for nearly every line; only a line starting with a blank (or empty) is stripped.
Evaluated on every line, in the views' filter and in the count of the rows: stripping each
line, or testing it for every kind of blank, cost 0.5 CPU s more per 10 million lines."""


def _join_records(con: duckdb.DuckDBPyConnection, number: str, odd: str, delimiter: str) -> bool:
    """TEMP TABLEs `stage_records` (line, raw: the records that span lines, joined, numbered
    by their first line) and `stage_spanned` (every line they cover), from the lines with an
    odd number of quotes (SQL condition `odd`). False when no record spans lines."""
    rows = con.execute(
        f"SELECT {number} AS line, raw FROM stage_lines WHERE {odd} AND {number} > 1 ORDER BY line"
    ).fetchall()
    spans = record_spans(((int(n), str(t)) for n, t in rows), delimiter)
    if not spans:
        return False
    con.execute("CREATE OR REPLACE TEMP TABLE stage_spans (first_line BIGINT, last_line BIGINT)")
    con.executemany("INSERT INTO stage_spans VALUES (?, ?)", spans)
    # every line of those records with its record's first line (a few rows), so that the
    # lines are picked by an equality join rather than a range join over the whole file
    con.execute(
        "CREATE OR REPLACE TEMP TABLE stage_spanned AS SELECT first_line, "
        "unnest(range(first_line, last_line + 1)) AS line FROM stage_spans"
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE stage_records AS
        SELECT s.first_line AS line, string_agg(coalesce(l.raw, ''), chr(10) ORDER BY l.line)
               AS raw
        FROM stage_spanned s JOIN (SELECT {number} AS line, raw FROM stage_lines) l
          ON l.line = s.line
        GROUP BY s.first_line"""
    )
    con.execute("DROP TABLE stage_spans")
    return True


def _wanted(con: duckdb.DuckDBPyConnection, view: str) -> None:
    """TEMP VIEW `stage_some`: the staged rows whose lines are in TEMP TABLE `stage_wanted`,
    which the caller fills (to read a few rows again without going through all of them)."""
    con.execute("CREATE OR REPLACE TEMP TABLE stage_wanted (line BIGINT)")
    con.execute(view)


class CsvReader:
    file_format = "csv"

    def handles(self, path: Path, head: bytes) -> bool:
        return not looks_binary(head)

    def stage(
        self,
        con: duckdb.DuckDBPyConnection,
        path: Path,
        fields: Sequence[str],
        match: HeaderMatcher,
        options: ReadOptions,
        workdir: Path,
    ) -> Staged:
        try:
            layout = read_layout(path, options.encoding, options.delimiter, options.encodings)
        except ValueError as e:
            raise InvalidFile(f"{path.name}: {e}") from e
        mapping, warnings = _mapping_or_fail(path, layout.header, fields, match)
        source = path
        if layout.encoding not in ("utf-8", "utf-8-sig"):
            source = workdir / (path.stem + ".utf8.csv")
            try:
                transcode_to_utf8(path, source, layout.encoding)
            except UnicodeDecodeError as e:
                raise InvalidFile(
                    f"{path.name}: not valid {layout.encoding} text at byte {e.start}; "
                    f"give the right `encoding` ({', '.join(options.encodings)})"
                ) from e
        rows = stage_delimited(con, source, layout.delimiter, fields, mapping, len(layout.header))
        return Staged("csv", layout.encoding, layout.delimiter, warnings, rows=rows)


def _cell_text(value: Any) -> str:
    """Excel cells as the text a person sees; a date cell in a month column means that month."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return f"{value.year:04d}-{value.month:02d}" if value.day == 1 else value.isoformat()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(Decimal(repr(value)), "f")
    return str(value)


_LINE_BREAK = "\ue000"
"""Stands for a line break in a cell in the CSV written from a workbook (a private-use
character no workbook of declarations holds), so that each row is one line, numbered as the
workbook's row."""


def _one_line(text: str) -> str:
    return text.replace("\r\n", _LINE_BREAK).replace("\n", _LINE_BREAK).replace("\r", _LINE_BREAK)


class ExcelReader:
    file_format = "xlsx"

    def handles(self, path: Path, head: bytes) -> bool:
        return head.startswith(b"PK\x03\x04") or path.suffix.lower() in (".xlsx", ".xlsm")

    def stage(
        self,
        con: duckdb.DuckDBPyConnection,
        path: Path,
        fields: Sequence[str],
        match: HeaderMatcher,
        options: ReadOptions,
        workdir: Path,
    ) -> Staged:
        import openpyxl

        text = workdir / (path.stem + ".xlsx.csv")
        try:
            # our own handle, closed whatever happens: openpyxl's read-only reader can leave
            # the zip file open until garbage collection otherwise
            with path.open("rb") as handle:
                book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
                rows = book.worksheets[0].iter_rows(values_only=True)
                try:
                    header = [_cell_text(v).strip() for v in next(rows, ())]
                    mapping, warnings = _mapping_or_fail(path, header, fields, match)
                    amount = mapping.get("amount")
                    numbers = marked_text = False
                    with text.open("w", encoding="utf-8", newline="") as out:
                        writer = csv.writer(out)
                        writer.writerow(header)
                        for row in rows:
                            writer.writerow([_one_line(_cell_text(v)) for v in row[: len(header)]])
                            if amount is not None and amount < len(row):
                                cell = row[amount]
                                if isinstance(cell, int | float) and not isinstance(cell, bool):
                                    numbers = True
                                elif isinstance(cell, str) and ("." in cell or "," in cell):
                                    marked_text = True
                finally:
                    rows.close()
                    book.close()
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError) as e:
            if isinstance(e, InvalidFile):
                raise
            raise InvalidFile(
                f"{path.name}: not a readable .xlsx workbook (truncated or corrupt: {e}); "
                "save it again from Excel or export it as CSV"
            ) from e
        staged_rows = stage_delimited(con, text, ",", fields, mapping, len(header), _LINE_BREAK)
        # amounts typed as numbers are written with a point: unless some amounts are text
        # showing a mark of their own (then the file's values decide), the point is the mark
        mark: DecimalMark | None = "." if numbers and not marked_text else None
        return Staged("xlsx", warnings=warnings, decimal_mark=mark, rows=staged_rows)


class ParquetReader:
    file_format = "parquet"

    def handles(self, path: Path, head: bytes) -> bool:
        return head.startswith(b"PAR1") or path.suffix.lower() == ".parquet"

    def stage(
        self,
        con: duckdb.DuckDBPyConnection,
        path: Path,
        fields: Sequence[str],
        match: HeaderMatcher,
        options: ReadOptions,
        workdir: Path,
    ) -> Staged:
        src = f"read_parquet({_sql_str(str(path))}, file_row_number = true)"
        try:
            schema = con.execute(f"DESCRIBE SELECT * FROM {src}").fetchall()
        except duckdb.OutOfMemoryException:
            raise  # not the file's fault: the loader says what to do
        except duckdb.Error as e:
            raise InvalidFile(f"{path.name}: not a readable Parquet file ({e})") from e
        names = [str(r[0]) for r in schema if r[0] != "file_row_number"]
        types = {str(r[0]): str(r[1]) for r in schema}
        mapping, warnings = _mapping_or_fail(path, names, fields, match)

        def text(name: str) -> str:
            col = identifier(names[mapping[name]])
            if types[names[mapping[name]]].startswith(("DATE", "TIMESTAMP")):
                return f"strftime({col}, '%Y-%m')"
            return f"CAST({col} AS VARCHAR)"

        cols = ", ".join(f"nullif({strip(text(n))}, '') AS {n}" for n in fields)

        def view(name: str, where: str) -> str:
            return (
                f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT file_row_number + 1 AS line, "
                f"CAST(NULL AS VARCHAR) AS raw, false AS malformed, {cols} "
                f"FROM (SELECT * FROM {src} {where})"
            )

        # Views: decoding the file again is cheaper than writing its text into a table (a page
        # that cannot be decoded stops the load when validation reads it); the rows picked
        # are picked before their text is trimmed.
        con.execute(view("stage", ""))
        _wanted(
            con,
            view("stage_some", "WHERE file_row_number + 1 IN (SELECT line FROM stage_wanted)"),
        )
        # numbers stored as numbers are written with a point when read as text
        numeric = ("DOUBLE", "FLOAT", "DECIMAL", "INTEGER", "BIGINT", "SMALLINT", "HUGEINT")
        amount = types[names[mapping["amount"]]] if "amount" in mapping else ""
        mark: DecimalMark | None = "." if amount.startswith(numeric) else None
        return Staged("parquet", warnings=warnings, decimal_mark=mark)


READERS: tuple[Reader, ...] = (ParquetReader(), ExcelReader(), CsvReader())


def reader_for(path: Path) -> Reader:
    try:
        with path.open("rb") as f:
            head = f.read(8192)
    except FileNotFoundError as e:
        raise InvalidFile(f"{path}: no such file") from e
    except OSError as e:
        raise InvalidFile(f"{path}: cannot be read ({e.strerror})") from e
    if not head:
        raise InvalidFile(f"{path.name}: the file is empty")
    for reader in READERS:
        if reader.handles(path, head):
            return reader
    raise InvalidFile(
        f"{path.name}: not a CSV, Excel (.xlsx) or Parquet file (it looks binary); "
        "export the declarations in one of those formats"
    )
