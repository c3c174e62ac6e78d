"""The advance release calendar: when each kind of release is due, and whether it came.

The IMF's data standards (SDDS, e-GDDS) ask a statistics office to announce when it will
publish, and to publish as announced. Here the announcement is a set of rules, one per kind of
release, each saying how soon after the end of its reference period a release is due:

    [calendar]
    since = 2025-01-01                      # releases due from this day on are listed
    timezone = "Africa/Casablanca"          # the office's clock (UTC if absent): what "today"
                                            # and the day of a publication are
    title = { en = "...", fr = "...", ar = "..." }

    [[calendar.release]]
    kind = "half-year-preliminary"          # an id, unique in the calendar
    frequency = "H"                         # of the reference period: M, Q, H or A
    only = ["H1"]                           # optional: the sub-periods it covers (default all)
    status = "preliminary"                  # preliminary, revised or final
    within = "6 weeks"                      # N days, weeks or months after the period's end

The country profile carries this table (`digex.profile.CountryProfile.calendar`):
`data/profiles/MA.toml` holds Morocco's. A lag in months counts calendar months from the
period's last day to the last day of the month N months on (a year ending 31 December, within
3 months: 31 March). A lag in days or weeks is added to the last day.

A calendar lists the scheduled releases due from its `since` day on (the day the office began
to announce them: releases due before it were never promised).
Each scheduled release of a period is then `published` (a release of that period and status
was published: the first one counts), `due` (not yet published, its deadline today or later;
a release created under embargo with a publication time still ahead stays `due` and shows that
time), or `late` (not published and the deadline passed). Releases no rule schedules (a
revision after a late file) are listed as published on the day they were, without a deadline.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from importlib.resources import files
from pathlib import Path
from typing import Any, Final, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from digex.errors import ProfileError, ReleaseDataError, UsageError
from digex.indicators.periods import MONTHS, PER_YEAR, Period, parse_period
from digex.releases.dates import month_end, period_end

STATUSES: Final = ("preliminary", "revised", "final")


class State(StrEnum):
    """Where a scheduled release stands on a given day (a code, like the statuses of
    `digex.indicators.status`; it compares equal to its text)."""

    PUBLISHED = "published"
    DUE = "due"
    """Not published yet, its deadline not passed (or published with a later date)."""
    LATE = "late"
    """Not published, its deadline passed."""


_LAG = re.compile(r"^\s*(\d+)\s*(day|week|month)s?\s*$")
_UNITS: Final[dict[str, Literal["day", "week", "month"]]] = {
    "day": "day",
    "week": "week",
    "month": "month",
}
_SUB = {"Q": "Q{}", "H": "H{}", "M": "{:02d}"}


@dataclass(frozen=True)
class Rule:
    """One kind of release and its deadline."""

    kind: str
    freq: str
    status: str
    amount: int
    unit: Literal["day", "week", "month"]
    only: frozenset[int] | None = None
    """Sub-periods covered (1 for H1), None for all."""

    def covers(self, period: Period) -> bool:
        return period.freq == self.freq and (self.only is None or period.sub in self.only)

    def due(self, period: Period) -> dt.date:
        """The last day on which a release of `period` is on time."""
        end = period_end(period)
        if self.unit == "month":
            return month_end(end.year, end.month + self.amount)
        days = self.amount * (7 if self.unit == "week" else 1)
        return end + dt.timedelta(days=days)


@dataclass(frozen=True)
class Calendar:
    since: dt.date
    timezone: ZoneInfo
    rules: tuple[Rule, ...]
    title: Mapping[str, str] = field(hash=False)


@dataclass(frozen=True)
class Made:
    """A release as the calendar needs it; `published` is None while no time is set."""

    period: str
    status: str
    published: dt.datetime | None
    id: str | None = None


@dataclass(frozen=True)
class Entry:
    period: str
    status: str
    kind: str | None
    """The rule that schedules it; None for a release no rule schedules."""
    due: dt.date | None
    published: dt.datetime | None
    """When it was published, or is to be (a release under embargo)."""
    state: State
    release: str | None = None
    on_time: bool | None = None
    """Whether a published scheduled release came by its deadline (in the office's time
    zone); None for what is not yet published or has no deadline."""

    def __post_init__(self) -> None:
        # an entry built by hand with the state's text gets the code (a typo is refused)
        try:
            object.__setattr__(self, "state", State(self.state))
        except ValueError:
            states = ", ".join(State)
            raise UsageError(f"state={self.state!r}: choose one of {states}") from None


def _problem(source: str, where: str, text: str) -> ProfileError:
    # the keys it names (`status`, `kind`) are the file's, not parameters to rename
    return ProfileError(
        f"{source}: {where}: {text} (digex/data/profiles/MA.toml has an example)"
    ).naming()


def _rule(item: Any, n: int, source: str) -> Rule:
    where = f"calendar.release #{n}"
    if not isinstance(item, Mapping):
        raise _problem(source, where, "each [[calendar.release]] must be a table")
    kind = item.get("kind")
    if not isinstance(kind, str) or not kind.strip():
        raise _problem(source, where, "a `kind` (a name such as half-year-preliminary) is required")
    where = f"calendar.release {kind!r}"
    freq = item.get("frequency")
    if not isinstance(freq, str) or freq not in PER_YEAR:
        raise _problem(source, where, f"`frequency` is {freq!r}; choose one of M, Q, H, A")
    status = item.get("status")
    if status not in STATUSES:
        raise _problem(
            source, where, f"`status` is {status!r}; choose one of {', '.join(STATUSES)}"
        )
    lag = _LAG.match(str(item.get("within", "")))
    if not lag or int(lag.group(1)) == 0:
        raise _problem(
            source, where, f"`within` is {item.get('within')!r}; write e.g. '6 weeks', '3 months'"
        )
    only = item.get("only")
    subs = None
    if only is not None:
        names = (
            {_SUB[freq].format(k): k for k in range(1, PER_YEAR[freq] + 1)} if freq != "A" else {}
        )
        if (
            not isinstance(only, list)
            or not only
            or any(not isinstance(x, str) or x not in names for x in only)
        ):
            raise _problem(
                source, where, f"`only` is {only!r}; list sub-periods among {sorted(names)}"
            )
        subs = frozenset(names[x] for x in only)
    unknown = set(item) - {"kind", "frequency", "status", "within", "only"}
    if unknown:
        raise _problem(source, where, f"unknown keys {sorted(unknown)}")
    return Rule(kind.strip(), freq, status, int(lag.group(1)), _UNITS[lag.group(2)], subs)


def parse_calendar(table: Mapping[str, Any], source: str = "calendar") -> Calendar:
    """The calendar of a `[calendar]` table (as in a profile); `source` names it in errors."""
    data = table.get("calendar")
    if not isinstance(data, Mapping):
        raise _problem(source, "calendar", "a [calendar] table is required")
    since = data.get("since")
    if not isinstance(since, dt.date) or isinstance(since, dt.datetime):
        raise _problem(
            source, "calendar.since", f"{since!r} is not a date; write e.g. since = 2025-01-01"
        )
    try:
        zone = ZoneInfo(str(data.get("timezone", "UTC")))
    except (ZoneInfoNotFoundError, ValueError):
        raise _problem(
            source, "calendar.timezone", f"{data.get('timezone')!r} is not an IANA time zone"
        ) from None
    title = data.get("title", {})
    if not isinstance(title, Mapping) or not all(isinstance(v, str) for v in title.values()):
        raise _problem(source, "calendar.title", "a table of titles by language is expected")
    items = data.get("release", [])
    if not isinstance(items, list) or not items:
        raise _problem(source, "calendar", "at least one [[calendar.release]] is required")
    rules = tuple(_rule(item, n, source) for n, item in enumerate(items, 1))
    kinds = [r.kind for r in rules]
    if len(set(kinds)) < len(kinds):
        raise _problem(source, "calendar", f"each kind appears once, not {kinds}")
    slots = [
        (r.freq, r.status, s) for r in rules for s in (r.only or range(1, PER_YEAR[r.freq] + 1))
    ]
    if len(set(slots)) < len(slots):
        raise _problem(source, "calendar", "two rules schedule the same period and status")
    return Calendar(since, zone, rules, dict(title))


def read_calendar(path: Path | None = None, country: str = "MA") -> Calendar:
    """The calendar of a TOML file holding a `[calendar]` table (a profile, say), or of the
    profile digex ships for `country`."""
    if path is None:
        resource = files("digex") / "data" / "profiles" / f"{country}.toml"
        source, read = f"country profile {country}", resource.read_text
    else:
        source, read = str(path), path.read_text
    try:
        return parse_calendar(tomllib.loads(read(encoding="utf-8")), source)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ProfileError(f"{source}: cannot be read as TOML ({error})") from None


def _periods(rule: Rule, since: dt.date, until: dt.date) -> Iterable[Period]:
    """The periods the rule covers whose deadline falls between `since` and `until`."""
    # a period due on `since` ended at most the lag before it: start one period earlier still
    back = since - dt.timedelta(days=rule.amount * {"day": 1, "week": 7, "month": 31}[rule.unit])
    n = PER_YEAR[rule.freq]
    ordinal = (back.year * 12 + back.month - 1) // MONTHS[rule.freq] - 1
    while True:
        period = Period(rule.freq, ordinal // n, ordinal % n + 1)
        due = rule.due(period)
        if due > until:
            return
        if due >= since and rule.covers(period):
            yield period
        ordinal += 1


def _by_slot(releases: Iterable[Made]) -> dict[tuple[str, str], list[Made]]:
    """Releases by (period label, status), the earliest published first, those without a
    publication time last."""
    made: dict[tuple[str, str], list[Made]] = {}
    for r in releases:
        if r.published is not None and r.published.tzinfo is None:
            raise ReleaseDataError(
                f"release {r.id or r.period}: its publication time has no time zone"
            )
        made.setdefault((parse_period(r.period).label, r.status), []).append(r)
    for found in made.values():
        found.sort(key=lambda r: (r.published is None, r.published or dt.datetime.min))
    return made


def schedule(
    calendar: Calendar,
    releases: Iterable[Made],
    now: dt.datetime,
    ahead_months: int = 12,
) -> list[Entry]:
    """Past and upcoming releases, by date: every scheduled release due from the calendar's
    `since` day to `ahead_months` after `now` (to the end of that month), and every release
    made that has a publication time."""
    if now.tzinfo is None:
        raise UsageError("`now` must carry its time zone")
    if ahead_months < 0:
        raise UsageError(f"the calendar looks ahead 0 months or more, not {ahead_months}")
    today = now.astimezone(calendar.timezone).date()
    until = month_end(today.year, today.month + ahead_months)
    made = _by_slot(releases)
    entries: list[Entry] = []
    slots: set[tuple[str, str]] = set()
    for rule in calendar.rules:
        wanted = set(_periods(rule, calendar.since, until))
        for label, status in made:  # a release made ahead of the horizon is listed too
            period = parse_period(label)
            if status == rule.status and rule.covers(period) and rule.due(period) >= calendar.since:
                wanted.add(period)
        for period in sorted(wanted):
            slots.add((period.label, rule.status))
            first = next(iter(made.get((period.label, rule.status), [])), None)
            entries.append(_scheduled(rule, period, first, now, calendar.timezone))
    for (label, status), found in made.items():
        for r in found[1:] if (label, status) in slots else found:
            if r.published is not None:
                state = State.PUBLISHED if r.published <= now else State.DUE
                entries.append(Entry(label, status, None, None, r.published, state, r.id))
    return sorted(entries, key=lambda e: (shown_date(e, calendar.timezone), e.period, e.status))


def _scheduled(
    rule: Rule, period: Period, first: Made | None, now: dt.datetime, zone: ZoneInfo
) -> Entry:
    due = rule.due(period)
    when = first.published if first is not None else None
    release = first.id if first is not None else None
    if when is not None and when <= now:
        on_time = when.astimezone(zone).date() <= due
        return Entry(
            period.label, rule.status, rule.kind, due, when, State.PUBLISHED, release, on_time
        )
    state = State.LATE if now.astimezone(zone).date() > due else State.DUE
    return Entry(period.label, rule.status, rule.kind, due, when, state, release)


def shown_date(entry: Entry, zone: ZoneInfo) -> dt.date:
    """The day a calendar shows: the publication day when one is set, else the deadline."""
    if entry.published is not None:
        return entry.published.astimezone(zone).date()
    assert entry.due is not None
    return entry.due


PUBLISHED_LATE: Final = "published-late"
"""How a table shows a scheduled release published after its deadline (`State.PUBLISHED`
with `on_time` false): the calendar's promise was kept late, which a reader must see."""
COLUMNS: Final = ("period", "status", "kind", "due", "published_at", "state", "release")
"""The columns of a calendar table (`table_rows`)."""


def shown_state(entry: Entry) -> str:
    """The state a table shows: its code, or `published-late`."""
    return PUBLISHED_LATE if entry.on_time is False else entry.state.value


def made_of(rows: Iterable[Mapping[str, Any]]) -> list[Made]:
    """The releases of the store's listing (`digex.store.releases.listing` rows, whose
    `published_at` is UTC without a zone) as the calendar takes them."""
    return [
        Made(
            str(r["period"]),
            str(r["status"]),
            None if r["published_at"] is None else r["published_at"].replace(tzinfo=dt.UTC),
            str(r["release_id"]),
        )
        for r in rows
    ]


def moment(today: dt.date | dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """The instant a calendar is drawn up for: a datetime with its zone as it is, a date as
    the end of that day in the office's time zone (what was published that day counts)."""
    if isinstance(today, dt.datetime):
        if today.tzinfo is None:
            raise UsageError(f"today={today.isoformat()!r} must carry its time zone")
        return today
    return dt.datetime.combine(today, dt.time.max, tzinfo=zone)


def window(
    calendar: Calendar,
    releases: Iterable[Made],
    now: dt.datetime,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> list[Entry]:
    """The entries whose shown day (`shown_date`) falls from `since` to `until` (both
    included; default: the calendar's first day, and twelve months ahead of `now`)."""
    if since is not None and until is not None and until < since:
        raise UsageError(f"until={until.isoformat()} is before since={since.isoformat()}")
    today = now.astimezone(calendar.timezone).date()
    ahead = 12
    if until is not None:
        ahead = max(0, (until.year - today.year) * 12 + until.month - today.month)
    entries = schedule(calendar, releases, now, ahead_months=ahead)
    return [
        e
        for e in entries
        if (since is None or shown_date(e, calendar.timezone) >= since)
        and (until is None or shown_date(e, calendar.timezone) <= until)
    ]


def table_rows(entries: Iterable[Entry]) -> list[tuple[Any, ...]]:
    """One row per entry in the order of `COLUMNS` (a date, a UTC datetime or None)."""
    return [
        (
            e.period,
            e.status,
            e.kind,
            e.due,
            None if e.published is None else e.published.astimezone(dt.UTC),
            shown_state(e),
            e.release,
        )
        for e in entries
    ]
