"""The release calendar as an iCalendar file (RFC 5545), for any calendar application.

The `icalendar` package writes the file: CRLF line ends, lines folded at 75 octets between
UTF-8 characters, escaped TEXT values. One normalisation is its own: a line break in a text
becomes \\n whatever its form (CRLF, CR, or a literal backslash-N). What is decided here: each
release is an all-day event (DTSTART;VALUE=DATE, DTEND the next day, as RFC 5545 3.6.1
describes an anniversary-like day), since an advance release calendar states days, not hours.
The UID is made from the country, period and status, so a calendar exported again updates its
events in place instead of adding copies (an unscheduled release adds its id). An event whose
day is only a deadline is TENTATIVE; one with a publication time set or passed is CONFIRMED.
Title and description are in one language (en, fr or ar), tagged with LANGUAGE.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Final

import icalendar

from digex.errors import DigexError, UsageError
from digex.releases.calendar import Calendar, Entry, State, shown_date

PRODID: Final = "-//digex//Release calendar//EN"

STATUS_NAMES: Final = {
    "en": {"preliminary": "preliminary", "revised": "revised", "final": "final"},
    "fr": {"preliminary": "provisoire", "revised": "révisé", "final": "définitif"},
    "ar": {"preliminary": "أولية", "revised": "مراجعة", "final": "نهائية"},
}
SUMMARY: Final = {
    "en": "{title}: {period}, {status}",
    "fr": "{title} : {period}, {status}",
    "ar": "{title}: {period}، {status}",
}
STATE_PHRASES: Final = {
    "en": {
        "published": "Published on {day}.",
        "published_late": "Published on {day}, after its deadline ({due}).",
        "due": "Due by {due}.",
        "late": "Late: due by {due}.",
        "scheduled": "To be published on {day}.",
    },
    "fr": {
        "published": "Publié le {day}.",
        "published_late": "Publié le {day}, après la date prévue ({due}).",
        "due": "À publier au plus tard le {due}.",
        "late": "En retard : attendu au plus tard le {due}.",
        "scheduled": "Publication prévue le {day}.",
    },
    "ar": {
        "published": "نشر في {day}.",
        "published_late": "نشر في {day}، بعد الموعد المقرر ({due}).",
        "due": "موعد النشر في أجل أقصاه {due}.",
        "late": "متأخر: كان موعده في أجل أقصاه {due}.",
        "scheduled": "النشر مقرر في {day}.",
    },
}


def _description(entry: Entry, day: dt.date, lang: str) -> str:
    phrases = STATE_PHRASES[lang]
    if entry.state is State.PUBLISHED:
        key = "published_late" if entry.on_time is False else "published"
    elif entry.state is State.DUE and entry.published is not None:
        key = "scheduled"
    else:
        key = entry.state.value
    due = entry.due.isoformat() if entry.due is not None else ""
    return phrases[key].format(day=day.isoformat(), due=due)


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _uid(entry: Entry, country: str) -> str:
    if entry.kind is None:  # unscheduled: several releases may share a period and status
        tag = entry.release or (_utc(entry.published) if entry.published else "")
        return f"{entry.period}.{entry.status}.{tag}.{country}@digex".lower()
    return f"{entry.period}.{entry.status}.{country}@digex".lower()


def _event(
    entry: Entry, calendar: Calendar, country: str, lang: str, stamp: dt.datetime
) -> icalendar.Event:
    day = shown_date(entry, calendar.timezone)
    title = calendar.title.get(lang) or calendar.title.get("en", "")
    status = STATUS_NAMES[lang].get(entry.status, entry.status)
    language = {"LANGUAGE": lang}
    event = icalendar.Event()
    event.add("uid", _uid(entry, country))
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", day + dt.timedelta(days=1))
    summary = SUMMARY[lang].format(title=title, period=entry.period, status=status)
    event.add("summary", summary, parameters=language)
    event.add("description", _description(entry, day, lang), parameters=language)
    event.add("status", "TENTATIVE" if entry.published is None else "CONFIRMED")
    event.add("transp", "TRANSPARENT")
    return event


def to_ical(
    entries: Iterable[Entry],
    calendar: Calendar,
    *,
    country: str,
    lang: str,
    stamp: dt.datetime,
) -> str:
    """The iCalendar text of `entries` in language `lang` (en, fr or ar); `stamp` (when the
    file is made, time-zone aware) is every event's DTSTAMP, written in UTC as RFC 5545 asks."""
    if lang not in SUMMARY:
        raise UsageError(
            f"lang={lang!r}: no calendar wording in it; choose one of {', '.join(SUMMARY)}"
        )
    if stamp.tzinfo is None:
        raise UsageError("`stamp` must carry its time zone")
    entries = list(entries)
    if not entries:  # RFC 5545 3.6: a calendar holds at least one component
        raise DigexError(
            "no release is published or scheduled in the chosen window, and an iCalendar file "
            "must hold at least one: look further ahead"
        )
    when = stamp.astimezone(dt.UTC)
    result = icalendar.Calendar()
    result.add("version", "2.0")
    result.add("prodid", PRODID)
    result.add("calscale", "GREGORIAN")
    result.add("method", "PUBLISH")
    # given as vText: icalendar writes an X- property it has no type for unescaped (its
    # calendar_name setter too), so a title with a comma or a line break would break the file
    name = calendar.title.get(lang) or calendar.title.get("en", "digex")
    result.add("x-wr-calname", icalendar.vText(name))
    for entry in entries:
        result.add_component(_event(entry, calendar, country, lang, when))
    data: bytes = result.to_ical()
    return data.decode("utf-8")
