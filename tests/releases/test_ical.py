"""The iCalendar file, read back with `icalendar.Calendar.from_ical`, after a strict look at
its bytes (the parser is lenient about them): CRLF line ends and no bare CR or LF, physical
lines of at most 75 octets, folds between UTF-8 characters."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import icalendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from digex.errors import DigexError, UsageError
from digex.releases.calendar import Entry, Made, read_calendar, schedule
from digex.releases.ical import to_ical

UTC = dt.UTC


class Invalid(Exception):
    pass


def physical_lines(data: bytes) -> list[str]:
    """The file's physical lines, each checked against RFC 5545 3.1."""
    if not data.endswith(b"\r\n"):
        raise Invalid("the file does not end with CRLF")
    lines = []
    for raw in data[:-2].split(b"\r\n"):
        if b"\n" in raw or b"\r" in raw:
            raise Invalid(f"a bare line break in {raw!r}")
        if len(raw) > 75:
            raise Invalid(f"a line of {len(raw)} octets: {raw!r}")
        lines.append(raw.decode("utf-8"))  # each line alone: no character split by a fold
    if lines[0][:1] in (" ", "\t"):
        raise Invalid("the file starts with a continuation")
    return lines


def unescape(value: str) -> str:
    """A TEXT value back; a bare , or ; or an unknown escape is refused (RFC 5545 3.3.11)."""
    out, i = [], 0
    while i < len(value):
        if value[i] == "\\":
            if value[i + 1 : i + 2] not in ("\\", ";", ",", "n", "N"):
                raise Invalid(f"bad escape in {value!r}")
            out.append("\n" if value[i + 1] in "nN" else value[i + 1])
            i += 2
            continue
        if value[i] in ",;":
            raise Invalid(f"unescaped {value[i]!r} in TEXT {value!r}")
        out.append(value[i])
        i += 1
    return "".join(out)


def read(text: str) -> icalendar.Calendar:
    physical_lines(text.encode("utf-8"))
    cal = icalendar.Calendar.from_ical(text)
    assert isinstance(cal, icalendar.Calendar)
    assert (cal["VERSION"], cal["PRODID"]) == ("2.0", "-//digex//Release calendar//EN")
    return cal


def events(cal: icalendar.Calendar) -> list[Any]:
    found = list(cal.walk("VEVENT"))
    assert found, "a calendar holds at least one component"
    uids = [str(e["UID"]) for e in found]
    assert len(set(uids)) == len(uids), "two events share a UID"
    for event in found:
        for prop in ("DTSTART", "DTEND"):  # dates, not date-times
            value = event.decoded(prop)
            assert isinstance(value, dt.date)
            assert not isinstance(value, dt.datetime)
    return found


MADE = [
    Made("2024", "preliminary", dt.datetime(2025, 3, 20, 10, tzinfo=UTC), "r1"),
    Made("2024", "revised", dt.datetime(2025, 9, 30, 10, tzinfo=UTC), "r2"),
    Made("2024", "revised", dt.datetime(2025, 10, 30, 10, tzinfo=UTC), "r2b"),
    Made("2025-H1", "preliminary", dt.datetime(2025, 8, 11, 23, 30, tzinfo=UTC), "r3"),
]
NOW = dt.datetime(2026, 1, 10, 9, tzinfo=UTC)


def export(lang: str, made: list[Made] = MADE, now: dt.datetime = NOW) -> str:
    cal = read_calendar()
    return to_ical(schedule(cal, made, now), cal, country="MA", lang=lang, stamp=now)


def test_the_calendar_reads_back() -> None:
    text = export("en")
    got = events(read(text))
    assert [(e.decoded("DTSTART"), str(e["STATUS"])) for e in got] == [
        (dt.date(2025, 3, 20), "CONFIRMED"),
        (dt.date(2025, 8, 12), "CONFIRMED"),  # 00:30 in Casablanca on the 12th
        (dt.date(2025, 9, 30), "CONFIRMED"),
        (dt.date(2025, 10, 30), "CONFIRMED"),
        (dt.date(2025, 12, 31), "TENTATIVE"),  # the 2024 final, late: its deadline
        (dt.date(2026, 3, 31), "TENTATIVE"),
        (dt.date(2026, 8, 11), "TENTATIVE"),
        (dt.date(2026, 12, 31), "TENTATIVE"),
    ]
    assert "DTSTART;VALUE=DATE:20250320\r\n" in text
    assert "DTEND;VALUE=DATE:20250321\r\n" in text
    assert "DTSTAMP:20260110T090000Z\r\n" in text
    assert got[0].decoded("DTEND") == dt.date(2025, 3, 21)
    assert got[0]["UID"] == "2024.preliminary.ma@digex"
    assert got[2]["UID"] == "2024.revised.r2.ma@digex"
    assert got[0].decoded("DTSTAMP") == NOW
    assert got[0]["SUMMARY"] == "Exports of digital services and outsourcing: 2024, preliminary"
    assert got[0]["SUMMARY"].params["LANGUAGE"] == "en"
    assert got[1]["DESCRIPTION"] == "Published on 2025-08-12, after its deadline (2025-08-11)."
    assert got[4]["DESCRIPTION"] == "Late: due by 2025-12-31."
    assert got[5]["DESCRIPTION"] == "Due by 2026-03-31."


def test_uids_stay_when_exported_again() -> None:
    """A later export (another stamp, one more release published) keeps each release's UID,
    so a calendar application updates the events instead of adding copies."""
    first = {str(e["UID"]): e for e in events(read(export("en")))}
    later = dt.datetime(2026, 3, 2, 8, tzinfo=UTC)
    made = [*MADE, Made("2025", "preliminary", dt.datetime(2026, 3, 1, 9, tzinfo=UTC), "r4")]
    second = {str(e["UID"]): e for e in events(read(export("en", made, later)))}
    assert "2025.preliminary.ma@digex" in first
    assert set(first) <= set(second)
    moved = second["2025.preliminary.ma@digex"]  # was due 2026-03-31, now published
    assert (moved.decoded("DTSTART"), str(moved["STATUS"])) == (dt.date(2026, 3, 1), "CONFIRMED")
    assert second["2024.revised.r2.ma@digex"].decoded("DTSTAMP") == later


def test_french_and_arabic_fold_between_characters() -> None:
    fr = events(read(export("fr")))
    assert fr[0]["SUMMARY"] == (
        "Exportations des services numériques et de l'offshoring : 2024, provisoire"
    )
    assert fr[0]["DESCRIPTION"].params["LANGUAGE"] == "fr"
    assert fr[4]["DESCRIPTION"] == "En retard : attendu au plus tard le 2025-12-31."
    raw = export("ar")
    assert "\r\n " in raw  # the Arabic summaries (2 octets a letter) are folded
    ar = events(read(raw))
    assert ar[0]["SUMMARY"] == "صادرات الخدمات الرقمية وترحيل الخدمات: 2024، أولية"
    assert ar[1]["DESCRIPTION"].startswith("نشر في 2025-08-12")


ONE = Entry("2024", "final", "annual-final", dt.date(2025, 12, 31), None, "due")


def summary_of(title: str) -> str:
    cal = replace(read_calendar(), title={"en": title})
    text = to_ical([ONE], cal, country="MA", lang="en", stamp=NOW)
    back = read(text)
    (event,) = events(back)
    # the parser keeps an X- property raw (it knows no type for it): unescaped here
    return f"{unescape(back['X-WR-CALNAME'].to_ical().decode())} | {event['SUMMARY']}"


def test_escaped_text_survives() -> None:
    tricky = "a, b; c\\d \\n\\, C:\\next\nsecond line " + "é" * 40 + "ش" * 40
    assert summary_of(tricky) == f"{tricky} | {tricky}: 2024, final"


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200))
def test_any_title_reads_back(title: str) -> None:
    """Any text, long enough to be folded: line breaks come back as LF (a literal
    backslash-N too: icalendar's writer takes it for an escaped line break)."""
    expected = title.replace("\\N", "\n").replace("\r\n", "\n").replace("\r", "\n")
    assert summary_of(title) == f"{expected} | {expected}: 2024, final"


def test_the_byte_checks_are_strict() -> None:
    good = export("ar").encode("utf-8")
    assert physical_lines(good)
    # a fold whose line ends inside a letter once its last octet moves to the next line
    folded = next(i for i in range(len(good)) if good.startswith(b"\r\n ", i) and good[i - 1] > 127)
    for bad in (
        good.replace(b"\r\n", b"\n"),  # LF only
        good[:-2],  # no final CRLF
        good.replace(b"PRODID:", b"PRODID:" + b"x" * 80),  # an unfolded long line
        good[: folded - 1] + b"\r\n " + good[folded - 1 : folded] + good[folded + 3 :],
    ):
        with pytest.raises((Invalid, UnicodeDecodeError)):
            physical_lines(bad)
    assert unescape("a\\, b\\; c\\\\n\\N") == "a, b; c\\n\n"
    for bad_text in ("a, b", "a; b", "a\\t", "a\\"):
        with pytest.raises(Invalid):
            unescape(bad_text)


def test_an_empty_window_is_refused() -> None:
    cal = read_calendar()
    with pytest.raises(DigexError, match="further ahead"):
        to_ical([], cal, country="MA", lang="en", stamp=NOW)
    with pytest.raises(UsageError, match="lang='de'"):
        to_ical([ONE], cal, country="MA", lang="de", stamp=NOW)
    with pytest.raises(UsageError, match="time zone"):
        to_ical([ONE], cal, country="MA", lang="en", stamp=NOW.replace(tzinfo=None))
