"""The iCalendar file, read back by a strict RFC 5545 reader written here (no iCalendar
package is in the lock): CRLF line ends, lines of at most 75 octets folded between UTF-8
characters, escaped TEXT, properly nested components, a UID and a DTSTAMP per event."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digex.errors import DigexError
from digex.releases.calendar import Made, read_calendar, schedule
from digex.releases.ical import escape_text, fold, to_ical

UTC = dt.UTC
_NAME = re.compile(r"^[A-Z][A-Z0-9-]*$")
_PARAM = re.compile(r'^([A-Z][A-Z0-9-]*)=("[^"]*"|[^";:,]*)$')
TEXT_PROPERTIES = {"SUMMARY", "DESCRIPTION", "X-WR-CALNAME", "UID"}


class Invalid(Exception):
    pass


@dataclass
class Component:
    name: str
    properties: list[tuple[str, dict[str, str], str]] = field(default_factory=list)
    children: list[Component] = field(default_factory=list)

    def one(self, name: str) -> tuple[dict[str, str], str]:
        found = [(p, v) for n, p, v in self.properties if n == name]
        if len(found) != 1:
            raise Invalid(f"{self.name} has {len(found)} {name}")
        return found[0]


def unescape(value: str) -> str:
    """A TEXT value back; a bare , or ; or an unknown escape is refused (RFC 5545 3.3.11)."""
    out, i = [], 0
    while i < len(value):
        c = value[i]
        if c == "\\":
            if i + 1 == len(value) or value[i + 1] not in "\\;,nN":
                raise Invalid(f"bad escape in {value!r}")
            out.append("\n" if value[i + 1] in "nN" else value[i + 1])
            i += 2
            continue
        if c in ",;":
            raise Invalid(f"unescaped {c!r} in TEXT {value!r}")
        out.append(c)
        i += 1
    return "".join(out)


def unfold(data: bytes) -> list[str]:
    if not data.endswith(b"\r\n"):
        raise Invalid("the file does not end with CRLF")
    physical = data[:-2].split(b"\r\n")
    lines: list[str] = []
    for raw in physical:
        if b"\n" in raw or b"\r" in raw:
            raise Invalid(f"a bare line break in {raw!r}")
        if len(raw) > 75:
            raise Invalid(f"a line of {len(raw)} octets: {raw!r}")
        text = raw.decode("utf-8")  # each physical line alone: no character split by a fold
        if text[:1] in (" ", "\t"):
            if not lines:
                raise Invalid("the file starts with a continuation")
            lines[-1] += text[1:]
        else:
            lines.append(text)
    return lines


def parse_line(line: str) -> tuple[str, dict[str, str], str]:
    head, sep, value = line.partition(":")
    if not sep:
        raise Invalid(f"no ':' in {line!r}")
    name, *params = head.split(";")
    if not _NAME.match(name):
        raise Invalid(f"bad property name {name!r}")
    parsed = {}
    for param in params:
        m = _PARAM.match(param)
        if not m:
            raise Invalid(f"bad parameter {param!r}")
        parsed[m.group(1)] = m.group(2)
    return name, parsed, unescape(value) if name in TEXT_PROPERTIES else value


def read(data: bytes) -> Component:
    stack: list[Component] = []
    root: Component | None = None
    for line in unfold(data):
        name, params, value = parse_line(line)
        if name == "BEGIN":
            component = Component(value)
            if stack:
                stack[-1].children.append(component)
            elif root is not None:
                raise Invalid("a second top-level component")
            else:
                root = component
            stack.append(component)
        elif name == "END":
            if not stack or stack.pop().name != value:
                raise Invalid(f"END:{value} closes nothing open")
        elif not stack:
            raise Invalid(f"{name} outside a component")
        else:
            stack[-1].properties.append((name, params, value))
    if root is None or stack:
        raise Invalid("unbalanced BEGIN/END")
    check(root)
    return root


def check(root: Component) -> None:
    """What RFC 5545 requires of the calendar and of each event."""
    if root.name != "VCALENDAR" or root.one("VERSION")[1] != "2.0":
        raise Invalid("not an iCalendar 2.0 object")
    root.one("PRODID")
    if not root.children:
        raise Invalid("a calendar holds at least one component")
    uids = []
    for event in root.children:
        if event.name != "VEVENT":
            raise Invalid(f"unexpected {event.name}")
        uids.append(event.one("UID")[1])
        if not re.fullmatch(r"\d{8}T\d{6}Z", event.one("DTSTAMP")[1]):
            raise Invalid("DTSTAMP is not a UTC date-time")
        for prop in ("DTSTART", "DTEND"):
            params, value = event.one(prop)
            if params.get("VALUE") != "DATE" or not re.fullmatch(r"\d{8}", value):
                raise Invalid(f"{prop} is not a DATE")
    if len(set(uids)) != len(uids):
        raise Invalid("two events share a UID")


MADE = [
    Made("2024", "preliminary", dt.datetime(2025, 3, 20, 10, tzinfo=UTC), "r1"),
    Made("2024", "revised", dt.datetime(2025, 9, 30, 10, tzinfo=UTC), "r2"),
    Made("2024", "revised", dt.datetime(2025, 10, 30, 10, tzinfo=UTC), "r2b"),
    Made("2025-H1", "preliminary", dt.datetime(2025, 8, 11, 23, 30, tzinfo=UTC), "r3"),
]
NOW = dt.datetime(2026, 1, 10, 9, tzinfo=UTC)


def events(lang: str, title: dict[str, str] | None = None) -> list[dict[str, str]]:
    cal = read_calendar()
    if title is not None:
        cal = replace(cal, title=title)
    text = to_ical(schedule(cal, MADE, NOW), cal, country="MA", lang=lang, stamp=NOW)
    root = read(text.encode("utf-8"))
    return [{n: v for n, _, v in e.properties} for e in root.children]


def test_the_calendar_reads_back() -> None:
    got = events("en")
    assert [(e["DTSTART"], e["STATUS"]) for e in got] == [
        ("20250320", "CONFIRMED"),
        ("20250812", "CONFIRMED"),  # 00:30 in Casablanca on the 12th
        ("20250930", "CONFIRMED"),
        ("20251030", "CONFIRMED"),
        ("20251231", "TENTATIVE"),  # the 2024 final, late: its deadline
        ("20260331", "TENTATIVE"),
        ("20260811", "TENTATIVE"),
        ("20261231", "TENTATIVE"),
    ]
    assert got[0]["DTEND"] == "20250321"
    assert got[0]["UID"] == "2024.preliminary.ma@digex"
    assert got[2]["UID"] == "2024.revised.r2.ma@digex"
    assert got[0]["DTSTAMP"] == "20260110T090000Z"
    assert got[0]["SUMMARY"] == "Exports of digital services and outsourcing: 2024, preliminary"
    assert got[1]["DESCRIPTION"] == "Published on 2025-08-12, after its deadline (2025-08-11)."
    assert got[4]["DESCRIPTION"] == "Late: due by 2025-12-31."
    assert got[5]["DESCRIPTION"] == "Due by 2026-03-31."


def test_french_and_arabic_fold_between_characters() -> None:
    fr = events("fr")
    assert fr[0]["SUMMARY"] == (
        "Exportations des services numériques et de l'offshoring : 2024, provisoire"
    )
    assert fr[4]["DESCRIPTION"] == "En retard : attendu au plus tard le 2025-12-31."
    cal = read_calendar()
    raw = to_ical(schedule(cal, MADE, NOW), cal, country="MA", lang="ar", stamp=NOW)
    assert "\r\n " in raw  # the Arabic summaries (2 octets a letter) are folded
    ar = events("ar")
    assert ar[0]["SUMMARY"] == "صادرات الخدمات الرقمية وترحيل الخدمات: 2024، أولية"
    assert ar[1]["DESCRIPTION"].startswith("نشر في 2025-08-12")


def test_escaped_text_survives() -> None:
    tricky = "a, b; c\\d\nsecond line " + "é" * 40 + "ش" * 40
    got = events("en", {"en": tricky})
    assert got[0]["SUMMARY"] == f"{tricky}: 2024, preliminary"


def test_the_reader_is_strict() -> None:
    event = b"BEGIN:VEVENT\r\nUID:u\r\nDTSTAMP:20260101T000000Z\r\n" + (
        b"DTSTART;VALUE=DATE:20260101\r\nDTEND;VALUE=DATE:20260102\r\nEND:VEVENT\r\n"
    )
    good = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n" + event + b"END:VCALENDAR\r\n"
    assert read(good).name == "VCALENDAR"
    for bad in (
        good.replace(event, b""),  # no component
        good.replace(b"UID:u\r\n", b""),  # an event without UID
        good.replace(b";VALUE=DATE:20260101", b":20260101T000000"),  # not a DATE
        good.replace(b"\r\n", b"\n"),  # LF only
        good.replace(b"PRODID:x", b"PRODID:" + b"x" * 80),  # unfolded
        good.replace(b"PRODID:x", b"X-WR-CALNAME:a,b\r\nPRODID:x"),  # bare comma in TEXT
        good.replace(b"END:VCALENDAR\r\n", b""),  # unbalanced
        good.replace(b"PRODID:x", "X-WR-CALNAME:é".encode()[:-1] + b"\r\n \xa9\r\nPRODID:x"),
    ):
        with pytest.raises((Invalid, UnicodeDecodeError)):
            read(bad)


def test_an_empty_window_is_refused() -> None:
    cal = read_calendar()
    with pytest.raises(DigexError, match="further ahead"):
        to_ical([], cal, country="MA", lang="en", stamp=NOW)
    with pytest.raises(ValueError, match="language"):
        to_ical(schedule(cal, MADE, NOW), cal, country="MA", lang="de", stamp=NOW)


@given(st.text())
def test_escape_reads_back(text: str) -> None:
    assert unescape(escape_text(text)) == text.replace("\r\n", "\n").replace("\r", "\n")


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=300))
def test_fold_reads_back(text: str) -> None:
    line = "X-TEST:" + text
    folded = fold(line).encode("utf-8") + b"\r\n"
    assert unfold(folded) == [line]
