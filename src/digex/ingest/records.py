"""Records that span lines: a quoted CSV field may hold a line break (RFC 4180).

The engine reads a delimited file as whole lines, which is fast and keeps every line's number;
a record whose quoted field holds a line break then arrives as several lines. Such lines are
rare, and they are the only ones with an odd number of quote characters, so the loader picks
those few lines out with one cheap test and this module, in plain Python, works out which
lines belong together.
"""

from __future__ import annotations

import re
from collections.abc import Iterable


def _opening(delimiter: str) -> re.Pattern[str]:
    """A line (read from a record's start) that ends inside a quoted field: whole fields, each
    quoted (spaces around the quotes allowed, as the field splitter does) or holding no quote,
    then a quote that the line never closes."""
    d = re.escape(delimiter)
    field = f'(?: *"(?:[^"]|"")*" *|[^"{d}]*)'
    return re.compile(f'(?:{field}{d})* *"(?:[^"]|"")*')


def record_spans(odd_lines: Iterable[tuple[int, str]], delimiter: str) -> list[tuple[int, int]]:
    """The first and last line of each record that spans lines, from the lines holding an odd
    number of quote characters (line number, text), in file order.

    A line with an odd number of quotes either opens a quoted field it does not close (it then
    starts a record that goes on to the next such line, where the field is closed; the lines
    between hold an even number of quotes and cannot change that), or has a stray quote inside
    an unquoted field (it is then a line on its own, as any malformed line). A field opened
    and never closed leaves its line on its own too, rather than swallowing the rest of the
    file into one field.
    """
    opening = _opening(delimiter)
    spans: list[tuple[int, int]] = []
    start: int | None = None
    for line, text in odd_lines:
        if start is not None:
            spans.append((start, line))
            start = None
        elif opening.fullmatch(text):
            start = line
    return spans
