"""The release calendar as an iCalendar file (RFC 5545), for any calendar application.

Written by hand, since no iCalendar package is in the lock, following the parts of RFC 5545
that such a file needs: lines end in CRLF (3.1); a content line longer than 75 octets is
folded, the continuation starting with one space, never inside a UTF-8 character (3.1);
TEXT values escape backslash, semicolon, comma and line breaks (3.3.11); every event has a
UID and a DTSTAMP (3.6.1). Each release is an all-day event (DTSTART;VALUE=DATE, DTEND the
next day, as 3.6.1 defines an anniversary-like day): the calendar states days, not hours, as
advance release calendars do. The UID is made from the country, period and status, so a
calendar exported again updates its events in place instead of adding copies (an unscheduled
release adds its id). An event whose
day is only a deadline is TENTATIVE; one with a publication time set or passed is CONFIRMED.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Final

from digex.errors import DigexError
from digex.releases.calendar import Calendar, Entry, shown_date

PRODID: Final = "-//digex//Release calendar//EN"
LIMIT: Final = 75
"""Octets in a content line, CRLF excluded (RFC 5545, 3.1)."""

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


def escape_text(value: str) -> str:
    """A TEXT value as RFC 5545 3.3.11 writes it (backslash first, so nothing is doubled)."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """The content line folded at 75 octets, each piece a whole number of UTF-8 characters."""
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for char in line:
        octets = len(char.encode("utf-8"))
        if size + octets > LIMIT:
            pieces.append("".join(current))
            current, size = [" "], 1
        current.append(char)
        size += octets
    pieces.append("".join(current))
    return "\r\n".join(pieces)


def _day(value: dt.date) -> str:
    return value.strftime("%Y%m%d")


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _description(entry: Entry, day: dt.date, lang: str) -> str:
    phrases = STATE_PHRASES[lang]
    if entry.state == "published":
        key = "published_late" if entry.on_time is False else "published"
    elif entry.state == "due" and entry.published is not None:
        key = "scheduled"
    else:
        key = entry.state
    due = entry.due.isoformat() if entry.due is not None else ""
    return phrases[key].format(day=day.isoformat(), due=due)


def _event(entry: Entry, calendar: Calendar, country: str, lang: str, stamp: str) -> list[str]:
    day = shown_date(entry, calendar.timezone)
    title = calendar.title.get(lang) or calendar.title.get("en", "")
    status = STATUS_NAMES[lang].get(entry.status, entry.status)
    summary = SUMMARY[lang].format(title=title, period=entry.period, status=status)
    uid = f"{entry.period}.{entry.status}.{country}@digex".lower()
    if entry.kind is None:  # unscheduled: several releases may share a period and status
        tag = entry.release or (_utc(entry.published) if entry.published else "")
        uid = f"{entry.period}.{entry.status}.{tag}.{country}@digex".lower()
    return [
        "BEGIN:VEVENT",
        f"UID:{escape_text(uid)}",
        f"DTSTAMP:{stamp}",
        f"DTSTART;VALUE=DATE:{_day(day)}",
        f"DTEND;VALUE=DATE:{_day(day + dt.timedelta(days=1))}",
        f"SUMMARY;LANGUAGE={lang}:{escape_text(summary)}",
        f"DESCRIPTION;LANGUAGE={lang}:{escape_text(_description(entry, day, lang))}",
        "STATUS:" + ("TENTATIVE" if entry.published is None else "CONFIRMED"),
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
    ]


def to_ical(
    entries: Iterable[Entry],
    calendar: Calendar,
    *,
    country: str,
    lang: str,
    stamp: dt.datetime,
) -> str:
    """The iCalendar text of `entries` in language `lang` (en, fr or ar); `stamp` (when the
    file is made, time-zone aware) is every event's DTSTAMP."""
    if lang not in SUMMARY:
        raise ValueError(f"no calendar wording for language {lang!r}")
    if stamp.tzinfo is None:
        raise ValueError("the stamp must carry its time zone")
    entries = list(entries)
    if not entries:  # RFC 5545 3.6: a calendar holds at least one component
        raise DigexError(
            "no release is published or scheduled in the chosen window, and an iCalendar file "
            "must hold at least one: look further ahead"
        )
    when = _utc(stamp)
    name = calendar.title.get(lang) or calendar.title.get("en", "digex")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for entry in entries:
        lines.extend(_event(entry, calendar, country, lang, when))
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
