"""The release calendar: deadlines from the rules, and each release's state on a given day."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from digex.errors import ProfileError, UsageError
from digex.indicators.periods import parse_period
from digex.releases.calendar import (
    Entry,
    Made,
    Rule,
    State,
    parse_calendar,
    read_calendar,
    schedule,
)

UTC = dt.UTC


def utc(y: int, m: int, d: int, h: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, minute, tzinfo=UTC)


def table(**changes: Any) -> dict[str, Any]:
    """A small calendar table; `changes` replace keys of its first rule (None removes one)."""
    rule: dict[str, Any] = {
        "kind": "h",
        "frequency": "H",
        "status": "preliminary",
        "within": "6 weeks",
    }
    for key, value in changes.items():
        if value is None:
            rule.pop(key, None)
        else:
            rule[key] = value
    return {
        "calendar": {
            "since": dt.date(2025, 1, 1),
            "timezone": "Africa/Casablanca",
            "title": {"en": "Exports"},
            "release": [rule],
        }
    }


def test_the_shipped_calendar_for_morocco() -> None:
    cal = read_calendar()
    assert cal.since == dt.date(2025, 1, 1)
    assert str(cal.timezone) == "Africa/Casablanca"
    assert set(cal.title) == {"ar", "fr", "en"}
    due = {(r.kind, p): r.due(parse_period(p)) for r in cal.rules for p in ("2024", "2025-H1")}
    # 30 June 2025 + 6 weeks (42 days) = 11 August 2025
    assert due["half-year-preliminary", "2025-H1"] == dt.date(2025, 8, 11)
    # 31 December 2024 + 3 months = 31 March 2025; + 12 months = 31 December 2025
    assert due["annual-preliminary", "2024"] == dt.date(2025, 3, 31)
    assert due["annual-final", "2024"] == dt.date(2025, 12, 31)


@pytest.mark.parametrize(
    ("period", "amount", "unit", "due"),
    [
        ("2025-Q1", 2, "month", dt.date(2025, 5, 31)),  # 31 March + 2 months: a month's end
        ("2024-01", 1, "month", dt.date(2024, 2, 29)),  # 31 January + 1 month, a leap year
        ("2025-H2", 14, "month", dt.date(2027, 2, 28)),  # across a year boundary
        ("2024-12", 10, "day", dt.date(2025, 1, 10)),
        ("2024-H1", 1, "week", dt.date(2024, 7, 7)),
    ],
)
def test_deadlines(period: str, amount: int, unit: str, due: dt.date) -> None:
    rule = Rule("k", parse_period(period).freq, "preliminary", amount, unit)  # type: ignore[arg-type]
    assert rule.due(parse_period(period)) == due


def states(entries: list[Entry]) -> list[tuple[str, str, str, bool | None]]:
    return [(e.period, e.status, e.state, e.on_time) for e in entries]


def test_states_on_a_day() -> None:
    cal = read_calendar()
    made = [
        Made("2024", "preliminary", utc(2025, 3, 20), "r1"),  # on time (due 31 March)
        Made("2024", "revised", utc(2025, 9, 30), "r2"),  # no rule schedules a revision
        Made("2025-H1", "preliminary", utc(2025, 8, 11, 23, 30), "r3"),  # 00:30 on the 12th
        Made("2025", "preliminary", utc(2026, 3, 25), "r4"),  # created under embargo
        Made("2025", "revised", None, "r5"),  # created, no publication time: not listed
    ]
    entries = schedule(cal, made, utc(2026, 1, 10))
    assert states(entries) == [
        ("2024", "preliminary", "published", True),
        # Casablanca is UTC+1 in August: published on 12 August, the day after its deadline
        ("2025-H1", "preliminary", "published", False),
        ("2024", "revised", "published", None),
        ("2024", "final", "late", None),  # due 31 December 2025, nothing published
        ("2025", "preliminary", "due", None),  # embargoed until 25 March 2026: still due
        ("2026-H1", "preliminary", "due", None),  # due 11 August 2026, within 12 months
        ("2025", "final", "due", None),  # due 31 December 2026: the horizon's last month
    ]
    # the states are codes, not free strings (they compare equal to their text)
    assert {type(e.state) for e in entries} == {State}
    assert [e.state for e in entries][3] is State.LATE
    with pytest.raises(UsageError, match="state='sent'"):
        Entry("2024", "final", None, None, None, "sent")  # type: ignore[arg-type]
    assert [e.kind for e in entries][:3] == [
        "annual-preliminary",
        "half-year-preliminary",
        None,
    ]
    embargoed = entries[4]
    assert (embargoed.release, embargoed.published, embargoed.due) == (
        "r4",
        utc(2026, 3, 25),
        dt.date(2026, 3, 31),
    )
    # once its time has come, the embargoed release is published, on time
    later = schedule(cal, made, utc(2026, 3, 25, 10))
    assert ("2025", "preliminary", "published", True) in states(later)


def test_the_deadline_day_is_still_due() -> None:
    cal = read_calendar()
    # 11 August 2025, 23:59 in Casablanca (22:59 UTC): the last minute on time
    on_the_day = schedule(cal, [], utc(2025, 8, 11, 22, 59), ahead_months=0)
    assert ("2025-H1", "preliminary", "due", None) in states(on_the_day)
    after = schedule(cal, [], utc(2025, 8, 11, 23, 1), ahead_months=0)
    assert ("2025-H1", "preliminary", "late", None) in states(after)


def test_horizon_and_start() -> None:
    cal = read_calendar()
    # 2024-H1 was due on 11 August 2024, before the calendar's first day: never listed
    # on 1 February 2025, looking ahead to the end of the month: nothing is due by then
    assert schedule(cal, [], utc(2025, 2, 1), ahead_months=0) == []
    # to the end of April: the 2024 preliminary (31 March); to September: 2025-H1 too
    entries = schedule(cal, [], utc(2025, 2, 1), ahead_months=2)
    assert [(e.period, e.status) for e in entries] == [("2024", "preliminary")]
    assert len(schedule(cal, [], utc(2025, 2, 1), ahead_months=7)) == 2
    # a release published ahead of the horizon is listed with its deadline
    early = schedule(cal, [Made("2025", "final", utc(2025, 12, 1), "f")], utc(2026, 1, 1), 0)
    assert ("2025", "final", "published", True) in states(early)
    with pytest.raises(UsageError):
        schedule(cal, [], utc(2025, 2, 1), ahead_months=-1)
    with pytest.raises(UsageError, match="time zone"):
        schedule(cal, [], dt.datetime(2025, 2, 1))


def test_only_some_sub_periods() -> None:
    cal = parse_calendar(table(only=["H1"]))
    periods = [e.period for e in schedule(cal, [], utc(2025, 1, 1), ahead_months=24)]
    assert periods == ["2025-H1", "2026-H1"]
    every = parse_calendar(table())
    periods = [e.period for e in schedule(every, [], utc(2025, 1, 1), ahead_months=12)]
    # to the end of January 2026: 2024-H2 (due 11 February 2025) and 2025-H1, not 2025-H2
    # (due 11 February 2026)
    assert periods == ["2024-H2", "2025-H1"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"frequency": "W"}, "frequency"),
        ({"frequency": ["H"]}, "frequency"),
        ({"status": "draft"}, "status"),
        ({"within": "soon"}, "within"),
        ({"within": "0 days"}, "within"),
        ({"only": ["H3"]}, "only"),
        ({"kind": None}, "kind"),
        ({"when": "later"}, "unknown keys"),
    ],
)
def test_rule_errors_name_the_key(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ProfileError, match=message):
        parse_calendar(table(**changes), "MA.toml")


def test_calendar_errors() -> None:
    data = table()
    data["calendar"]["since"] = "2025"
    with pytest.raises(ProfileError, match=r"MA.toml: calendar.since"):
        parse_calendar(data, "MA.toml")
    data = table()
    data["calendar"]["timezone"] = "Mars/Olympus"
    with pytest.raises(ProfileError, match="time zone"):
        parse_calendar(data)
    data = table()
    data["calendar"]["release"].append(dict(data["calendar"]["release"][0], kind="h2"))
    with pytest.raises(ProfileError, match="same period and status"):
        parse_calendar(data)
    with pytest.raises(ProfileError, match=r"\[calendar\]"):
        parse_calendar({})


def test_read_a_file(tmp_path: Path) -> None:
    path = tmp_path / "XX.toml"
    path.write_text(
        '[calendar]\nsince = 2026-01-01\n[[calendar.release]]\nkind = "q"\nfrequency = "Q"\n'
        'status = "preliminary"\nwithin = "45 days"\n',
        encoding="utf-8",
    )
    cal = read_calendar(path)
    assert str(cal.timezone) == "UTC"
    assert cal.rules[0].due(parse_period("2025-Q4")) == dt.date(2026, 2, 14)
    path.write_text("[calendar\n", encoding="utf-8")
    with pytest.raises(ProfileError, match=r"XX\.toml"):
        read_calendar(path)
