"""Revision analysis of one indicator, cut, flow and frequency over every published release:
a revision triangle per member of the cut (`digex.releases.triangle`) and its summary
statistics (`digex.releases.revisions`).

The values come from the releases themselves (`digex.store.history.vintages`), never from the
live store: a revision is a difference between two figures that users saw, each as it was
published. Every release that carries a period is a vintage of it, the comparison periods
included (2024-H1 inside the 2025-H1 release is a later estimate of 2024-H1).

Which estimates are compared is chosen by position in each period's own list of published
values: `first` (the default earlier one), `latest` (the default later one), or N, the N-th
published value (1 the first). A period with fewer published values than the positions need
(most often: published once) has no revision; it does not count, and the analysis names it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from digex.errors import UsageError
from digex.indicators.periods import parse_period
from digex.releases.revisions import (
    FIRST,
    LATEST,
    LagRule,
    Revision,
    RevisionStats,
    revisions,
    stats_row,
    summarise,
)
from digex.releases.triangle import Estimate, Triangle, Vintage, as_decimal

if TYPE_CHECKING:
    import pandas as pd


def position(text: str | int, *, name: str) -> int:
    """A position as users give it (`first`, `latest`, or N >= 1, the N-th published value)
    as the Python index `revisions` takes."""
    word = str(text).strip().lower()
    if word == "first":
        return FIRST
    if word == "latest":
        return LATEST
    try:
        n = int(word)
    except ValueError:
        n = 0
    if n < 1:
        raise UsageError(
            f"{name}={text}: give first, latest or a number N >= 1 (the N-th published value)"
        ).naming(**{name: text})
    return n - 1


def check_series(indicator: str, *, by: str, freq: str, flow: str) -> None:
    """Refuse a series the registry says does not exist (an unknown indicator, or a cut,
    frequency or flow it is not published at) before any read: a usage error naming what
    exists, rather than an empty analysis."""
    from digex.indicators.registry import registry

    known = registry().indicator(indicator)  # an unknown id: a usage error naming them all
    for name, value, allowed in (
        ("by", by, known.cuts),
        ("freq", freq, known.freqs),
        ("flow", flow, known.flows),
    ):
        if value not in allowed:
            raise UsageError(
                f"{indicator} is not published with {name}={value}; use one of {', '.join(allowed)}"
            ).naming(**{name: value})


def positions(earlier: str | int, later: str | int) -> tuple[int, int]:
    """Both positions (see `position`), refused when the later can never be published after
    the earlier (the message in the user's words: 1 the first published value)."""
    first, last = position(earlier, name="earlier"), position(later, name="later")
    try:
        revisions(Triangle([]), first, last)
    except UsageError:
        raise UsageError(
            f"later={later} is never published after earlier={earlier}: give a later position, "
            "e.g. earlier=first, later=latest (or earlier=1, later=2)"
        ).naming(earlier=earlier, later=later) from None
    return first, last


@dataclass(frozen=True)
class SeriesAnalysis:
    """One member's triangle, its revisions and their statistics."""

    member: str
    triangle: Triangle
    revisions: tuple[Revision, ...]
    stats: RevisionStats
    published: Mapping[str, Mapping[str, Decimal | None]] = field(default_factory=dict)
    """What each release carried, by period then release id (None: no value). The triangle
    keeps a value published twice at the same instant once (it is one estimate); what a
    user reads in a release is shown from here, under each release that carried it."""
    gone: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """By period, the releases that carried it without this member (see `analyse`)."""

    def periods(self) -> tuple[str, ...]:
        """Every period a release carried, in time order (one with no value included)."""
        return tuple(sorted(self.published, key=lambda p: parse_period(p).ordinal))

    def not_counted(self) -> dict[str, int]:
        """The periods without a revision, with how many values were published for each."""
        revised = {r.period for r in self.revisions}
        return {
            p: len(self.triangle.estimates(p)) for p in self.triangle.periods if p not in revised
        }


@dataclass(frozen=True)
class Analysis:
    indicator: str
    cut: str
    flow: str
    freq: str
    earlier: int
    later: int
    series: tuple[SeriesAnalysis, ...]
    unit: str = ""
    """The unit the releases give the values in (MAD, %, ...), empty when none was read."""

    def stats_frame(self) -> pd.DataFrame:
        """A row per member: the series it belongs to and its statistics (`stats_row`)."""
        import pandas as pd

        head = {"indicator": self.indicator, "cut": self.cut, "flow": self.flow}
        rows = [
            {**head, "freq": self.freq, "member": s.member, **stats_row(s.stats)}
            for s in self.series
        ]
        columns = [*head, "freq", "member", *stats_row(summarise([]))]
        return pd.DataFrame(rows, columns=columns)

    def triangle_frame(self) -> pd.DataFrame:
        """Every member's triangle: a row per (member, period), a column per release in
        publication order, the value each release published (None where it gave none)."""
        import pandas as pd

        order: dict[Vintage, None] = {}
        for s in self.series:
            order.update(dict.fromkeys(s.triangle.vintages))
        columns = [v.id for v in sorted(order)]
        if not self.series:
            index = pd.MultiIndex.from_arrays([[], []], names=["member", "period"])
            return pd.DataFrame(index=index, columns=columns)
        frames = [
            pd.DataFrame(
                [[s.published[p].get(c) for c in columns] for p in s.periods()],
                index=pd.Index(s.periods(), name="period"),
                columns=columns,
                dtype=object,
            )
            for s in self.series
        ]
        frame = pd.concat(frames, keys=[s.member for s in self.series], names=["member"])
        return frame.where(frame.notna(), None)

    def revisions_frame(self) -> pd.DataFrame:
        """Every revision counted: member, period, the two releases, the two values."""
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "member": s.member,
                    "period": r.period,
                    "earlier_release": r.earlier_release,
                    "later_release": r.later_release,
                    "earlier": r.earlier,
                    "later": r.later,
                    "revision": r.revision,
                }
                for s in self.series
                for r in s.revisions
            ],
            columns=[
                "member",
                "period",
                "earlier_release",
                "later_release",
                "earlier",
                "later",
                "revision",
            ],
        )


def _published(value: dt.datetime) -> dt.datetime:
    """A stored publication time (naive UTC) as the aware time the triangle asks for."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _revisions(
    triangle: Triangle, gone: Mapping[str, Sequence[Vintage]], earlier: int, later: int
) -> list[Revision]:
    """`revisions`, where a vintage in which the member is gone (`digex.store.history.
    vintages`) takes its place in a period's list as an estimate without a value: when the
    position chosen falls on it (most often `latest`, the member gone from the newest
    release), the period has no revision, rather than one to a stale value."""
    if not gone:
        return revisions(triangle, earlier, later)
    result = []
    for period in triangle.periods:
        estimates = triangle.estimates(period)
        seen = {e.vintage.published for e in estimates}
        absent = {v.published: v for v in gone.get(period, ()) if v.published not in seen}
        listed: list[tuple[Vintage, Estimate | None]] = sorted(
            [(e.vintage, e) for e in estimates] + [(v, None) for v in absent.values()],
            key=lambda pair: pair[0],
        )
        n = len(listed)
        i, j = (at if at >= 0 else n + at for at in (earlier, later))
        if not (0 <= i < j < n):
            continue
        p, q = listed[i][1], listed[j][1]
        if p is not None and q is not None:
            result.append(Revision(period, p.vintage.id, q.vintage.id, p.value, q.value))
    return result


def analyse(
    vintages: Iterable[Mapping[str, Any]],
    *,
    indicator: str,
    cut: str,
    flow: str,
    freq: str,
    earlier: int = FIRST,
    later: int = LATEST,
    lags: int | None = None,
    rule: LagRule = "oecd",
) -> Analysis:
    """The analysis of the rows `digex.store.history.vintages` returns (member, period,
    release_id, published_at, value, and `gone` when the member is absent from that release),
    a triangle per member in member order."""
    revisions(Triangle([]), earlier, later)  # positions that can never be revised: refused
    cells: dict[str, list[tuple[str, Vintage, Any]]] = {}
    gone: dict[str, dict[str, list[Vintage]]] = {}
    published: dict[str, dict[str, dict[str, Decimal | None]]] = {}
    unit = ""
    for row in vintages:
        unit = unit or str(row.get("unit") or "")
        vintage = Vintage(_published(row["published_at"]), str(row["release_id"]))
        member, period = str(row["member"]), str(row["period"])
        if row.get("gone"):
            gone.setdefault(member, {}).setdefault(period, []).append(vintage)
        else:
            cells.setdefault(member, []).append((period, vintage, row["value"]))
        by_period = published.setdefault(member, {}).setdefault(period, {})
        by_period[vintage.id] = None if row.get("gone") else as_decimal(row["value"])
    series = []
    for member in sorted(cells):
        triangle = Triangle(cells[member])
        revs = tuple(_revisions(triangle, gone.get(member, {}), earlier, later))
        stats = summarise(revs, lags, rule)
        absent = {p: tuple(v.id for v in vs) for p, vs in gone.get(member, {}).items()}
        series.append(SeriesAnalysis(member, triangle, revs, stats, published[member], absent))
    return Analysis(indicator, cut, flow, freq, earlier, later, tuple(series), unit)
