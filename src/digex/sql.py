"""Values and names written into DuckDB SQL text: the one place that quotes them.

Most statements bind their values as parameters, but some cannot or should not: a table
function's arguments and a `SET` value must be constants in the text, and DuckDB's Python
client imports pandas (close to a second) to bind the first parameter of a process, which a
quick cached query cannot afford. Everything written into SQL text goes through here, so the
quoting rule is stated and tested once (a path or a code with an apostrophe in it is then
never a syntax error, nor an injection).

DuckDB's rule: a string literal is enclosed in single quotes, a quote inside doubled;
backslashes mean nothing there. An identifier is enclosed in double quotes, a double quote
inside doubled. The NUL character cannot appear in SQL text at all: in a string it is spelt
`chr(0)`; a name cannot contain it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

Literal = str | int | float | dt.date | Sequence[str]
"""What `literal` writes: text, a number, a date or a timestamp, or a list of texts."""


def _text(value: str) -> str:
    quoted = "'" + value.replace("'", "''") + "'"
    if "\0" not in value:
        return quoted
    return "(" + quoted.replace("\0", "' || chr(0) || '") + ")"


def literal(value: Literal) -> str:
    """`value` as a DuckDB constant of its type.

    Floats go through their round-trip `repr` (so `nan` and `inf` too); a sequence of texts is
    a `VARCHAR[]` (typed, so an empty one is still a list of texts); a `datetime` is a
    TIMESTAMP (an aware one converted to UTC, as a TIMESTAMP keeps no offset), a `date` a
    DATE. Booleans are refused: nothing here needs them, and `True`
    written as `1` would hide a mistake.
    """
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, bool):
        raise TypeError(f"no SQL literal for a boolean ({value!r})")
    if isinstance(value, int):
        return f"{value:d}"
    if isinstance(value, float):
        return f"CAST('{value!r}' AS DOUBLE)"
    if isinstance(value, dt.datetime):
        if value.utcoffset() is not None:  # a TIMESTAMP has no zone: the same instant in UTC
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return f"TIMESTAMP '{value.isoformat(sep=' ')}'"
    if isinstance(value, dt.date):
        return f"DATE '{value.isoformat()}'"
    items = list(value)
    if not all(isinstance(v, str) for v in items):
        raise TypeError(f"a SQL list literal holds texts only, not {items!r}")
    return f"CAST([{', '.join(_text(v) for v in items)}] AS VARCHAR[])"


def identifier(name: str) -> str:
    """`name` as a DuckDB identifier (a column, table or type name), whatever it contains.

    DuckDB compares identifiers without regard to case even when quoted, so quoting keeps
    spaces, quotes and keywords but does not make `A` and `a` two columns.
    """
    if not name:
        raise ValueError("an SQL identifier cannot be empty")
    if "\0" in name:
        raise ValueError(f"an SQL identifier cannot contain the NUL character: {name!r}")
    return '"' + name.replace('"', '""') + '"'
