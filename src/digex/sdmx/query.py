"""An SDMX REST data query, parsed and checked before any data is read.

`parse_query(flow, key, params)` takes the path's flowRef and key and the query's standard
parameters as text (what a URL holds) and returns a `DataQuery`, or raises `QueryError`
(HTTP 400, SDMX code 140) naming the part at fault, or `NotImplementedQuery` (501) for a
standard value digex does not serve. Whether the flow exists and whether anything matches is
the data's business (`data.select`: `NoResults`).

Periods are SDMX's: `2025`, `2025-S1` (digex's `2025-H1` is accepted too), `2025-Q1`,
`2025-01`, and a date `2025-01-31`; a time filter keeps an observation whose whole period lies
within [startPeriod, endPeriod] (a year 2024 is kept by startPeriod=2024-01, not by 2024-02).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from digex.sdmx import ids
from digex.sdmx.errors import NotImplementedQuery, QueryError

PARAMETERS: Final = (
    "startPeriod",
    "endPeriod",
    "firstNObservations",
    "lastNObservations",
    "dimensionAtObservation",
    "detail",
    "updatedAfter",
    "includeHistory",
)
DETAILS: Final = ("full", "dataonly", "serieskeysonly", "nodata")
"""What `detail` digex serves (serieskeysonly and nodata in SDMX-ML only: `data.SERIES_ONLY`)."""
ALL_DIMENSIONS: Final = "AllDimensions"

_CODE: Final = re.compile(r"^[A-Za-z0-9_@$\-]+$")
_PERIOD: Final = re.compile(
    r"^(\d{4})(?:-(?:(?P<half>[SH][12])|(?P<quarter>Q[1-4])|(?P<month>0[1-9]|1[0-2])"
    r"(?:-(?P<day>\d{2}))?))?$"
)


@dataclass(frozen=True)
class FlowRef:
    agency: str | None
    """None: any (`all` or not given)."""
    id: str
    version: str | None
    """None: latest (`latest`, `all` or not given)."""


@dataclass(frozen=True)
class DataQuery:
    flow: FlowRef
    key: tuple[frozenset[str] | None, ...]
    """One entry per dimension of `ids.DIMENSIONS`: the codes asked for, None for any."""
    start: int | None = None
    """Months since year 0 of the first month an observation may start in."""
    end: int | None = None
    """... and of the last month it may end in."""
    first_n: int | None = None
    last_n: int | None = None
    dimension_at_observation: str = ids.TIME
    detail: str = "full"
    updated_after: dt.datetime | None = None

    def filters(self) -> dict[str, frozenset[str]]:
        """The dimensions the key restricts, with their codes."""
        return {d: codes for d, codes in zip(ids.DIMENSIONS, self.key, strict=True) if codes}


def parse_flow(text: str) -> FlowRef:
    """`DF`, `AG,DF`, `AG,DF,1.0`, `AG,DF,latest` (`all` for any agency or version)."""
    parts = [p.strip() for p in text.strip().split(",")]
    if not 1 <= len(parts) <= 3 or not all(parts):
        raise QueryError(
            f"flowRef {text!r} is not DF, AGENCY,DF or AGENCY,DF,VERSION "
            f"(e.g. {ids.DATAFLOW} or MA1,{ids.DATAFLOW},1.0)"
        )
    if len(parts) == 1:
        parts = ["all", parts[0], "latest"]
    elif len(parts) == 2:
        parts.append("latest")
    agency, flow, version = parts
    for what, value in (("agency", agency), ("dataflow id", flow)):
        if not _CODE.match(value):
            raise QueryError(f"flowRef {text!r}: the {what} {value!r} is not an SDMX id")
    if version not in ("latest", "all") and not re.match(r"^\d+(\.\d+){0,2}$", version):
        raise QueryError(f"flowRef {text!r}: the version {version!r} is not latest, all or 1.0")
    return FlowRef(
        None if agency == "all" else agency,
        flow,
        None if version in ("latest", "all") else version,
    )


def parse_key(text: str | None) -> tuple[frozenset[str] | None, ...]:
    """A key: `all` (or nothing), or one part per dimension joined by `.`, each empty (any
    code) or codes joined by `+`."""
    n = len(ids.DIMENSIONS)
    if text is None or text.strip() in ("", "all"):
        return (None,) * n
    parts = text.strip().split(".")
    if len(parts) != n:
        raise QueryError(
            f"key {text!r} has {len(parts)} part(s); the dataflow's key has {n}, "
            f"{'.'.join(ids.DIMENSIONS)} (an empty part means any code; `all` the whole flow)"
        )
    key: list[frozenset[str] | None] = []
    for dimension, part in zip(ids.DIMENSIONS, parts, strict=True):
        if part == "":
            key.append(None)
            continue
        codes = part.split("+")
        bad = [c for c in codes if not _CODE.match(c)]
        if bad:
            raise QueryError(f"key {text!r}: {bad[0]!r} is not a code of {dimension}")
        key.append(frozenset(codes))
    return tuple(key)


def period_months(text: str, *, end: bool) -> int:
    """The first (or, with `end`, the last) month of an SDMX period, as months since year 0."""
    m = _PERIOD.match(text.strip())
    if not m:
        raise QueryError(
            f"{'endPeriod' if end else 'startPeriod'} {text!r} is not an SDMX period "
            "(2025, 2025-S1, 2025-Q1, 2025-01 or 2025-01-31)"
        )
    base = int(m.group(1)) * 12
    if m.group("half"):
        first, size = (int(m.group("half")[1]) - 1) * 6, 6
    elif m.group("quarter"):
        first, size = (int(m.group("quarter")[1]) - 1) * 3, 3
    elif m.group("month"):
        first, size = int(m.group("month")) - 1, 1
    else:
        first, size = 0, 12
    if m.group("day"):
        return _day(text, base + first, int(m.group("day")), end=end)
    return base + first + (size - 1 if end else 0)


def _day(text: str, month: int, day: int, *, end: bool) -> int:
    """A date's month bound: a period starting on or after it (start) begins the month after
    unless the date is the 1st; one ending on or before it (end) ends the month before unless
    the date is the month's last day."""
    year, index = divmod(month, 12)
    try:
        date = dt.date(year, index + 1, day)
    except ValueError:
        raise QueryError(f"period {text!r} is not a date of the calendar") from None
    if end:  # the month's length, not the next day: 9999-12-31 has none
        last = date.day == calendar.monthrange(date.year, date.month)[1]
        return month if last else month - 1
    return month if day == 1 else month + 1


def _count(name: str, text: str) -> int:
    if not re.match(r"^\d+$", text.strip()) or int(text) < 1:
        raise QueryError(f"{name} {text!r} is not a whole number of at least 1")
    return int(text)


def _instant(text: str) -> dt.datetime:
    try:
        when = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise QueryError(
            f"updatedAfter {text!r} is not an ISO 8601 date and time (e.g. 2025-03-28T09:00:00Z)"
        ) from None
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


def parse_query(
    flow: str,
    key: str | None = None,
    params: Mapping[str, str] | None = None,
    *,
    ignore: tuple[str, ...] = (),
) -> DataQuery:
    """The query of a `/data/{flow}/{key}` request; `params` the query's parameters (those in
    `ignore`, a caller's own such as `format` or `release`, are left to it; any other
    unknown one is a `QueryError`)."""
    given = dict(params or {})
    unknown = sorted(set(given) - set(PARAMETERS) - set(ignore))
    if unknown:
        raise QueryError(
            f"unknown query parameter {unknown[0]!r}; a data query takes {', '.join(PARAMETERS)}"
        )
    start = given.get("startPeriod")
    end = given.get("endPeriod")
    first, last = given.get("firstNObservations"), given.get("lastNObservations")
    at = given.get("dimensionAtObservation") or ids.TIME
    if at not in (ids.TIME, ALL_DIMENSIONS, *ids.DIMENSIONS):
        raise QueryError(
            f"dimensionAtObservation {at!r} is not {ids.TIME}, {ALL_DIMENSIONS} or a dimension "
            f"({', '.join(ids.DIMENSIONS)})"
        )
    detail = given.get("detail") or "full"
    if detail not in DETAILS:
        raise QueryError(f"detail {detail!r} is not full, dataonly, serieskeysonly or nodata")
    history = (given.get("includeHistory") or "false").lower()
    if history not in ("true", "false"):
        raise QueryError(f"includeHistory {history!r} is not true or false")
    if history == "true":
        raise NotImplementedQuery(
            "includeHistory=true is not served; past releases are asked with release="
        )
    updated = given.get("updatedAfter")
    query = DataQuery(
        flow=parse_flow(flow),
        key=parse_key(key),
        start=period_months(start, end=False) if start else None,
        end=period_months(end, end=True) if end else None,
        first_n=_count("firstNObservations", first) if first else None,
        last_n=_count("lastNObservations", last) if last else None,
        dimension_at_observation=at,
        detail=detail,
        updated_after=_instant(updated) if updated else None,
    )
    if query.detail in ("serieskeysonly", "nodata") and at != ids.TIME:
        raise QueryError(f"detail={detail} lists series: dimensionAtObservation is {ids.TIME}")
    if query.start is not None and query.end is not None and query.start > query.end:
        raise QueryError(f"startPeriod {start!r} is after endPeriod {end!r}")
    return query
