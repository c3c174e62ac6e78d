"""The revision triangle of one indicator and cut: each period's estimates, vintage by vintage.

A vintage is a release; its place in the triangle is its *publication* time, because that is
when users saw the figure (as-of queries use the same clock). A period's estimates are the
values the vintages that carry it gave, in publication order. A vintage that does not carry a
period (the period did not exist yet, or was not published in it) or that carries no value
for it (None, NaN: suppressed or not computable) is simply absent from that period's list: a
missing value is never read as zero, and it does not end a period's sequence, so "the second
estimate" of a period is the second value actually published for it.

Two vintages published at the same instant cannot be ordered. When they agree on a period
the value is kept once; when they differ the triangle is refused, since either order would
invent a revision that no user ever saw.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from digex.errors import DigexError, NotAValue, ReleaseDataError
from digex.indicators.periods import parse_period

if TYPE_CHECKING:
    import pandas as pd

Value = Decimal | int | float | None


@dataclass(frozen=True, order=True)
class Vintage:
    """A release as the triangle sees it: when it was published, and its id."""

    published: dt.datetime
    id: str


@dataclass(frozen=True)
class Estimate:
    vintage: Vintage
    value: Decimal


def as_decimal(value: object) -> Decimal | None:
    """The exact value of a cell, or None when it holds none.

    A float is read through its shortest repr (0.1 is Decimal('0.1'), the value a user sees),
    not its binary expansion: the triangle's arithmetic is then exact on what was published.
    """
    if value is None or type(value).__name__ in ("NAType", "NaTType"):  # pandas' missing
        return None
    if isinstance(value, Decimal):
        return None if value.is_nan() else value
    if isinstance(value, bool):
        raise NotAValue(f"{value!r}: a boolean is not an indicator value")
    if isinstance(value, numbers.Integral):  # numpy's integers too, never through a float
        return Decimal(int(value))
    if isinstance(value, numbers.Real):
        number = float(value)
        return None if math.isnan(number) else Decimal(repr(number))
    raise NotAValue(f"{value!r} is not an indicator value (give a number, or None)")


class Triangle:
    """Periods x vintages, kept as each period's estimates in publication order."""

    def __init__(self, cells: Iterable[tuple[str, Vintage, Value]]) -> None:
        by_period: dict[str, dict[dt.datetime, Estimate]] = {}
        vintages: set[Vintage] = set()
        for period, vintage, raw in cells:
            if vintage.published.tzinfo is None:
                raise ReleaseDataError(
                    f"release {vintage.id}: its publication time has no time zone"
                )
            vintages.add(vintage)
            value = as_decimal(raw)
            if value is None:
                continue
            seen = by_period.setdefault(period, {})
            other = seen.get(vintage.published)
            if other is None or (other.value == value and vintage.id < other.vintage.id):
                seen[vintage.published] = Estimate(vintage, value)  # a tie: the smaller id
            elif other.value != value:
                raise DigexError(
                    f"releases {other.vintage.id} and {vintage.id} were published at the same "
                    f"time ({vintage.published.isoformat()}) with different values for "
                    f"{period} ({other.value} and {value}): their order is unknown, so no "
                    "revision between them can be measured; give them distinct publication times"
                )
        ids = [v.id for v in vintages]
        if len(set(ids)) < len(ids):
            twice = sorted({i for i in ids if ids.count(i) > 1})
            raise ReleaseDataError(f"releases {twice} each appear with two publication times")
        ordinals = {p: parse_period(p) for p in by_period}
        if len({p.freq for p in ordinals.values()}) > 1:
            raise ReleaseDataError(
                f"a triangle holds periods of one frequency, not {sorted(ordinals)}"
            )
        self.periods: tuple[str, ...] = tuple(sorted(by_period, key=lambda p: ordinals[p]))
        self.vintages: tuple[Vintage, ...] = tuple(sorted(vintages))
        self._estimates: dict[str, tuple[Estimate, ...]] = {
            p: tuple(seen[t] for t in sorted(seen)) for p, seen in by_period.items()
        }

    def estimates(self, period: str) -> tuple[Estimate, ...]:
        """The period's published values, earliest first."""
        return self._estimates.get(period, ())

    @classmethod
    def from_frame(
        cls,
        frame: pd.DataFrame,
        *,
        period: str = "period",
        vintage: str = "release",
        published: str = "published",
        value: str = "value",
    ) -> Triangle:
        """A triangle from a long table, one row per (period, vintage) as the store returns
        them; the publication times must be time-zone aware."""
        cells = []
        for p, v, t, x in zip(
            frame[period], frame[vintage], frame[published], frame[value], strict=True
        ):
            when = t.to_pydatetime() if hasattr(t, "to_pydatetime") else t
            cells.append((str(p), Vintage(when, str(v)), x))
        return cls(cells)

    def to_frame(self) -> pd.DataFrame:
        """The triangle as users read it: a row per period, a column per vintage (by
        publication order), None where the vintage gave no value."""
        import pandas as pd

        columns = [v.id for v in self.vintages]
        rows: list[Mapping[str, Decimal | None]] = []
        for p in self.periods:
            row: dict[str, Decimal | None] = dict.fromkeys(columns)
            for e in self.estimates(p):
                row[e.vintage.id] = e.value
            rows.append(row)
        return pd.DataFrame(rows, index=pd.Index(self.periods, name="period"), columns=columns)
