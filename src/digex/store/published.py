"""What had been published: a release's observations, or each period's as of a time.

Official figures are quoted from releases, never from the live store, and a user must be able
to say what was published at a given time. Two reads answer that, both over
`release_observations` with the tidy columns and the `release_id` each row comes from:

- one release, whole (`release_rows`): an embargoed one (its `published_at` still to come)
  only for the office's own staff, who ask for it explicitly;
- as of a time (`as_of_rows`): for each period, every row of the release published last at
  or before that time among those carrying the period. A release carries its period and
  the periods it is compared with (2025-H1 carries 2024-H1), so every period it carries is a
  vintage of that period: 2024-H1 as of a day after 2025-H1's preliminary release is what
  that release carries, even if the last release *of* 2024-H1 is older. The release is
  chosen per period, not per observation: a partner absent from the newer vintage (its
  declarations corrected to another partner) is absent from the answer, rather than its
  older value standing beside the newer ones (shares summing to more than 100). Releases
  under embargo at the time asked, or now, are never read: a time to come reads as now.

Both reads give the public view by default (`digex.store.disclosure`): a suppressed row's
value is NULL and its `conf_status` the one public mark "C" (free rows "F"), and only releases
whose latest release gate passed are read (one made before disclosure control, or whose gate
failed, never is: `NotPublished` says why). `confidential=True`, for the office's authorised
staff, reads the stored values and internal codes of any release.

The time asked is UTC: a date alone means the end of that day in UTC (kept simple, and the
same on every machine; the office's own time zone would shift the day's end by an hour or
so), a date and time is exact (one with an offset is converted to UTC, one without is UTC).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from digex.errors import NotPublished, UnknownRelease, UsageError
from digex.sql import literal
from digex.store import disclosure
from digex.store.releases import OBSERVATION_COLUMNS

if TYPE_CHECKING:
    import duckdb

CARRIED: Final = ("release_id", "conf_status")
"""The columns a published row carries beyond the tidy ones: which release it comes from, and
its CONF_STATUS (public: F or C; confidential: the internal code)."""


def now_utc() -> dt.datetime:
    """The current time as the release tables hold times (UTC, without a zone)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _read_as_of(text: str) -> dt.date | None:
    """A date in any of its ISO forms (2025-08-15, 20250815: the whole day, whatever the
    length of the text) or else a date and time; None for neither."""
    for parse in (dt.date.fromisoformat, dt.datetime.fromisoformat):
        try:
            return parse(text)
        except ValueError:
            continue
    return None


def parse_as_of(value: str | dt.date | dt.datetime) -> dt.datetime:
    """The UTC instant (without a zone, as stored) an `as_of` value names: a date is the end
    of that day in UTC, a date and time is exact (converted to UTC when it has an offset)."""
    if isinstance(value, str):
        text = value.strip()
        read = _read_as_of(text)
        if read is None:
            raise UsageError(
                f"as_of={text} is not a date or a date and time; give e.g. 2025-08-15 (the "
                "end of that day, UTC) or 2025-08-15T10:30 (UTC unless an offset is given)"
            ).naming(as_of=text)
        value = read
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value
    return dt.datetime.combine(value + dt.timedelta(days=1), dt.time()) - dt.timedelta(
        microseconds=1
    )


@dataclass(frozen=True)
class Scope:
    """Which observations a published read keeps, as the live query's options say:
    `periods` (labels) or else every period at `freq`; `cuts` (None for every cut)."""

    periods: tuple[str, ...] | None
    freq: str
    cuts: tuple[str, ...] | None

    def where(self) -> str:
        terms = [
            f"list_contains({literal(list(self.periods))}, period)"
            if self.periods is not None
            else f"freq = {literal(self.freq)}"
        ]
        if self.cuts is not None:
            terms.append(f"list_contains({literal(list(self.cuts))}, cut)")
        return " AND ".join(terms)


@dataclass(frozen=True)
class PublishedRelease:
    release_id: str
    status: str
    published_at: dt.datetime


def release(con: duckdb.DuckDBPyConnection, release_id: str) -> PublishedRelease:
    """A release's status and publication time; `UnknownRelease` when there is none."""
    row = con.execute(
        "SELECT release_id, status, published_at FROM releases "
        f"WHERE release_id = {literal(release_id)}"
    ).fetchone()
    if row is None:
        raise UnknownRelease(
            f"no release {release_id!r} in this store; `digex release list` shows the releases"
        ).naming(release=release_id)
    return PublishedRelease(str(row[0]), str(row[1]), row[2])


def under_embargo(release_id: str, published_at: dt.datetime) -> NotPublished:
    """The refusal of a release not yet published to a reader who did not say they are
    staff: every staff-only view of a release (its rows, `release show`, `release diff`)
    asks for the same `embargoed` flag."""
    return NotPublished(
        f"release {release_id} is under embargo until {published_at:%Y-%m-%d %H:%M} "
        "UTC; the office's own staff read it with `embargoed` set"
    ).naming("embargoed", release=release_id)


def release_rows(
    con: duckdb.DuckDBPyConnection,
    release_id: str,
    scope: Scope,
    *,
    embargoed: bool = False,
    now: dt.datetime | None = None,
    confidential: bool = False,
) -> tuple[str, PublishedRelease]:
    """The release's observations in `scope` as a parenthesised SELECT (tidy columns,
    `release_id` and `conf_status`), and the release. One under embargo is refused unless
    `embargoed`; one whose gate has not passed unless `confidential` (`NotPublished`)."""
    found = release(con, release_id)
    when = now or now_utc()
    if found.published_at > when and not embargoed:
        raise under_embargo(release_id, found.published_at)
    if not confidential:
        disclosure.require_served(con, release_id)
    view = disclosure.observations_view(confidential=confidential)
    source = (
        f"(SELECT {OBSERVATION_COLUMNS}, release_id, conf_status FROM {view} "
        f"WHERE release_id = {literal(release_id)} AND {scope.where()})"
    )
    return source, found


def first_publication(
    con: duckdb.DuckDBPyConnection, until: dt.datetime, *, confidential: bool = False
) -> dt.datetime | None:
    """When the first release was published, among those published by `until` (and served
    publicly, unless `confidential`)."""
    served = "" if confidential else f" AND release_id IN {disclosure.SERVED}"
    row = con.execute(
        f"SELECT min(published_at) FROM releases WHERE published_at <= {literal(until)}{served}"
    ).fetchone()
    return None if row is None or row[0] is None else row[0]


def as_of_rows(
    con: duckdb.DuckDBPyConnection,
    at: dt.datetime,
    scope: Scope,
    *,
    now: dt.datetime | None = None,
    confidential: bool = False,
) -> str:
    """The observations in `scope` as published at `at` (UTC, without a zone; a time to come
    reads as `now`): each period's rows from the release published last by then that
    carries the period (whatever cuts `scope` keeps), as a parenthesised SELECT (tidy
    columns, `release_id` and `conf_status`). Only releases whose gate passed are read,
    in their public view, unless `confidential`. `NotPublished` when nothing had been
    published by then."""
    when = now or now_utc()
    until = min(at, when)
    if first_publication(con, until, confidential=confidential) is None:
        first = first_publication(con, when, confidential=confidential)
        if first is None:
            raise NotPublished(
                "no release has been published yet (`digex release list` shows those made, "
                "with their publication times; a release made before disclosure control, or "
                "whose release gate failed, is never served)"
            )
        raise NotPublished(
            f"nothing had been published at {at:%Y-%m-%d %H:%M:%S} UTC: the first release was "
            f"published at {first:%Y-%m-%d %H:%M:%S} UTC; give a later `as_of`"
        ).naming("as_of")
    carriers = Scope(scope.periods, scope.freq, None).where()
    view = disclosure.observations_view(confidential=confidential)
    served = "" if confidential else f" AND release_id IN {disclosure.SERVED}"
    return f"""(SELECT {OBSERVATION_COLUMNS}, release_id, conf_status
        FROM (SELECT * FROM {view} WHERE {scope.where()}) o
        JOIN (
            SELECT c.release_id, c.freq, c.period FROM (
                SELECT DISTINCT release_id, freq, period FROM release_observations
                WHERE {carriers}
            ) c
            JOIN (SELECT release_id, published_at, created_at FROM releases
                  WHERE published_at <= {literal(until)}{served}) r USING (release_id)
            QUALIFY rank() OVER (
                PARTITION BY c.freq, c.period
                ORDER BY r.published_at DESC, r.created_at DESC, c.release_id DESC
            ) = 1
        ) v USING (release_id, freq, period))"""
