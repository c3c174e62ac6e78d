"""Reference periods at four frequencies, as (year, sub-period) with a running ordinal.

The ordinal (year x periods-per-year + sub - 1) makes "the previous period" ordinal - 1 and
"the same period a year earlier" ordinal - n at every frequency, so growth is a join on
ordinals rather than a window that would silently skip a missing period.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal

from digex.errors import InvalidPeriod

if TYPE_CHECKING:  # Ibis takes a second to load: only the expression builders below need it
    import ibis.expr.types as ir

Freq = Literal["M", "Q", "H", "A"]
PER_YEAR: Final[dict[str, int]] = {"M": 12, "Q": 4, "H": 2, "A": 1}
MONTHS: Final[dict[str, int]] = {"M": 1, "Q": 3, "H": 6, "A": 12}


@dataclass(frozen=True, order=True)
class Period:
    freq: str
    year: int
    sub: int

    @property
    def ordinal(self) -> int:
        return self.year * PER_YEAR[self.freq] + self.sub - 1

    @property
    def label(self) -> str:
        return label(self.freq, self.year, self.sub)

    @property
    def first_month(self) -> int:
        return (self.sub - 1) * MONTHS[self.freq] + 1

    @property
    def last_month(self) -> int:
        return self.sub * MONTHS[self.freq]


_LABEL = re.compile(r"^(\d{4})(?:-(Q[1-4]|H[12]|S[12]|0[1-9]|1[0-2]))?$")


def parse_period(text: str) -> Period:
    """`2024` (year), `2024-Q3`, `2025-H1` (also `S1`, semester), `2024-03`."""
    m = _LABEL.match(text.strip().upper())
    if not m:
        raise InvalidPeriod(
            f"period {text!r} is not one of YYYY, YYYY-Qn, YYYY-Hn or YYYY-MM (e.g. 2025-H1)"
        )
    year, part = int(m.group(1)), m.group(2)
    if part is None:
        return Period("A", year, 1)
    if part[0] == "Q":
        return Period("Q", year, int(part[1]))
    if part[0] in "HS":
        return Period("H", year, int(part[1]))
    return Period("M", year, int(part))


def latest_complete(freq: str, newest: dt.date) -> Period:
    """The latest period at `freq` whose every month is at or before the month `newest`."""
    # months counted from year 0 up to and including `newest`: the periods (aligned on the
    # year) wholly inside them, less one, is the index of the latest complete one
    index = (newest.year * 12 + newest.month) // MONTHS[freq] - 1
    return Period(freq, index // PER_YEAR[freq], index % PER_YEAR[freq] + 1)


def label(freq: str, year: int, sub: int) -> str:
    if freq == "A":
        return f"{year}"
    if freq == "M":
        return f"{year}-{sub:02d}"
    return f"{year}-{freq}{sub}"


def sub_period(month: ir.IntegerValue, freq: str) -> ir.IntegerValue:
    """The sub-period number of a month (1-based) at `freq`, without integer division."""
    import ibis

    if freq == "M":
        return month
    if freq == "A":
        return ibis.literal(1)
    size = MONTHS[freq]
    n = PER_YEAR[freq]
    cases = [(month <= size * k, k) for k in range(1, n)]
    return ibis.cases(*cases, else_=n)


def label_expr(freq: str, year: ir.IntegerValue, sub: ir.IntegerValue) -> ir.StringValue:
    y = year.cast("string")
    if freq == "A":
        return y
    if freq == "M":
        return y + "-" + sub.cast("string").lpad(2, "0")
    return y + f"-{freq}" + sub.cast("string")
