"""Text cells made safe to open in a spreadsheet (CSV or Excel files that digex writes).

A spreadsheet reads a cell that begins with `=`, `+`, `-` or `@` as a formula, and a leading tab
or carriage return can hide one; a rejected row holds whatever a declarant typed, so an export
opened in Excel could run `=HYPERLINK(...)` or `-2+3+cmd|...`. OWASP's rule is applied to every
*text* cell of a written file: such a cell is prefixed with a single quote, which spreadsheets
show as text. Numbers are typed cells and are never touched (a negative growth rate stays a
number), and nothing stored changes: only the written file does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    import pyarrow as pa

TRIGGERS: Final = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection)."""
_TRIGGER_PATTERN: Final = "^[=+\\-@\t\r]"


def neutralise(text: str) -> str:
    """`text` as a spreadsheet cell that is shown, never evaluated."""
    return "'" + text if text.startswith(TRIGGERS) else text


def neutralise_table(table: pa.Table) -> pa.Table:
    """Every text column of `table` with `neutralise` applied, computed by Arrow (no row loop);
    other columns unchanged."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for index, field in enumerate(table.schema):
        column = table.column(index)
        if pa.types.is_dictionary(field.type) and pa.types.is_string(field.type.value_type):
            field = field.with_type(pa.string())  # a stored ENUM: its codes as plain text
            column = column.cast(pa.string())
        if not (pa.types.is_string(field.type) or pa.types.is_large_string(field.type)):
            continue
        risky = pc.match_substring_regex(column, _TRIGGER_PATTERN)
        quoted = pc.binary_join_element_wise(pa.scalar("'", field.type), column, "")
        table = table.set_column(index, field, pc.if_else(risky, quoted, column))
    return table
