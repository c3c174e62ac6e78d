"""The release calendar the country profile states, read with the store's releases:
`Digex.calendar` and `digex calendar` (its table, CSV, and the iCalendar file read back)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import icalendar
import pyarrow as pa
import pytest
from tests.inprocess import run_here

import digex
from digex.api import Digex
from digex.errors import ProfileError
from digex.indicators.periods import parse_period
from digex.profile import load_profile, profile_from_text
from digex.releases.calendar import read_calendar
from digex.store import releases as rel
from digex.store.country import record

UTC = dt.UTC
EMPTY = pa.table(
    {
        name: pa.array([], pa.float64() if name == "value" else pa.int32())
        if name in ("value", "unit_mult")
        else pa.array([], pa.string())
        for name in rel.OBSERVATION_COLUMNS.split(", ")
    }
)


def release(
    db: Digex, period: str, status: str, published: dt.datetime, created: dt.datetime
) -> str:
    """A release with no observations, written as `create` writes one (times in UTC)."""
    with db.store.write() as con:
        vintage = rel.next_vintage(con, period)
        rid = f"{period}.{vintage}"
        freq = "A" if len(period) == 4 else period[5]
        made = rel.Release(
            rid, period, freq, vintage, status, None, created.replace(tzinfo=None), "amina",
            published.replace(tzinfo=None), "1.0", "MA", db.profile.version, "ab" * 32, "1",
            None, None,
        )  # fmt: skip
        con.register("obs", EMPTY)
        rel.insert(con, made, {}, "obs")
        con.unregister("obs")
    return rid


def utc(y: int, m: int, d: int, h: int = 10) -> dt.datetime:
    return dt.datetime(y, m, d, h, tzinfo=UTC)


@pytest.fixture
def released(store: Digex) -> Digex:
    """A store holding a release on time, one late, a revision no rule schedules, and one
    created under embargo until 25 March 2026."""
    release(store, "2024", "preliminary", utc(2025, 3, 20), utc(2025, 3, 19))
    release(store, "2024", "revised", utc(2025, 6, 10), utc(2025, 6, 10))
    release(store, "2025-H1", "preliminary", utc(2025, 8, 20), utc(2025, 8, 20))
    release(store, "2025", "preliminary", utc(2026, 3, 25), utc(2025, 8, 30))
    return store


def states(db: Digex, today: dt.date | dt.datetime) -> list[tuple[str, str, str, str | None]]:
    table = db.calendar(today, until=dt.date(2026, 4, 30), output="arrow")
    rows = table.select(["period", "status", "state", "release"]).to_pylist()
    return [tuple(r.values()) for r in rows]


def test_the_profile_states_the_calendar() -> None:
    profile = load_profile("MA")
    assert profile.calendar == read_calendar()
    assert [r.kind for r in profile.calendar.rules] == [
        "half-year-preliminary",
        "annual-preliminary",
        "annual-final",
    ]
    tunisia = load_profile(str(Path(__file__).parents[1] / "fixtures/profiles/TN.toml"))
    assert tunisia.calendar is not None
    [quarterly] = tunisia.calendar.rules
    assert quarterly.due(parse_period("2025-Q1")) == dt.date(2025, 5, 15)  # 31 March + 45 days


def test_due_published_late_and_embargoed(released: Digex) -> None:
    # 1 September 2025: the 2024 final is due by the end of the year; the embargoed 2025
    # preliminary is not published yet, whatever the store holds
    assert states(released, dt.date(2025, 9, 1)) == [
        ("2024", "preliminary", "published", "2024.1"),  # due 31 March 2025
        ("2024", "revised", "published", "2024.2"),  # no rule: listed on its day
        ("2025-H1", "preliminary", "published-late", "2025-H1.1"),  # due 11 August
        ("2024", "final", "due", None),  # due 31 December 2025
        ("2025", "preliminary", "due", "2025.1"),  # embargoed until 25 March 2026
    ]
    # 5 January 2026: the 2024 final is late
    later = states(released, dt.date(2026, 1, 5))
    assert ("2024", "final", "late", None) in later
    # the embargo's day: published only from its time (10:00 UTC, 11:00 in Casablanca)
    assert ("2025", "preliminary", "due", "2025.1") in states(released, utc(2026, 3, 25, 9))
    assert ("2025", "preliminary", "published", "2025.1") in states(released, utc(2026, 3, 25, 11))
    frame = released.calendar(dt.date(2025, 9, 1), since=dt.date(2025, 8, 1))
    assert frame["due"].tolist()[0] == dt.date(2025, 8, 11)
    assert frame["published_at"].tolist()[0] == utc(2025, 8, 20)
    # twelve months ahead by default: to the 2026-H1 preliminary, due 11 August 2026
    assert frame["period"].tolist() == ["2025-H1", "2024", "2025", "2026-H1"]
    assert frame["release"].isna().tolist() == [False, True, False, True]


def test_a_store_recording_a_profile_without_calendar_still_opens(tmp_path: Path) -> None:
    """A store made with the previous profile version (no [calendar]) opens with a warning;
    the calendar asks for the installed profile to be recorded, which init does."""
    path = tmp_path / "old.duckdb"
    installed = load_profile("MA")
    text = re.sub(r"\n\[calendar\].*?(?=\n# National targets)", "\n", installed.text, flags=re.S)
    text = text.replace(f'version = "{installed.version}"', 'version = "2026.2"')
    with digex.init(path) as db:
        # what a store made with the shipped MA 2026.2 records
        record(db.store, profile_from_text(text, source="MA", where="MA 2026.2"))
    with pytest.warns(UserWarning, match=f"is version {installed.version}"):
        db = Digex.open(path)
    with db:
        assert db.profile.version == "2026.2"
        assert db.profile.calendar is None
        with pytest.raises(ProfileError, match=r"states no release calendar.*init"):
            db.calendar(dt.date(2025, 9, 1))
    with Digex.create(path, profile="MA") as db:
        assert db.calendar(dt.date(2025, 9, 1))["state"].tolist() == ["late"] * 2 + ["due"] * 3


def test_the_command_writes_a_table_csv_and_an_icalendar_file(
    released: Digex, tmp_path: Path
) -> None:
    path = released.path
    released.close()
    ics = tmp_path / "releases.ics"
    base = ("calendar", "--db", path, "--today", "2025-09-01", "--to", "2026-04-30")
    shown = run_here([*base, "--ics", ics, "--lang", "fr"], tmp_path).ok()
    assert "published-late" in shown.stdout
    assert "2025-H1.1" in shown.stdout
    assert f"5 releases written to {ics}" in shown.stderr
    parsed = icalendar.Calendar.from_ical(ics.read_bytes())
    events = parsed.walk("VEVENT")
    assert [str(e["UID"]) for e in events][:2] == [
        "2024.preliminary.ma@digex",
        "2024.revised.2024.2.ma@digex",
    ]
    assert [e.decoded("DTSTART") for e in events][-1] == dt.date(2026, 3, 25)
    assert (
        str(events[2]["DESCRIPTION"]) == "Publié le 2025-08-20, après la date prévue (2025-08-11)."
    )
    csv = run_here([*base, "--format", "csv", "--from", "2025-12-01"], tmp_path).ok()
    assert csv.stdout.splitlines() == [
        "period,status,kind,due,published_at,state,release",
        "2024,final,annual-final,2025-12-31,,due,",
        "2025,preliminary,annual-preliminary,2026-03-31,2026-03-25T10:00:00+00:00,due,2025.1",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--lang", "de"], "--lang 'de'"),
        (["--format", "xml"], "--format 'xml'"),
        (["--from", "2025-13-01"], "--from '2025-13-01'"),
        (["--from", "2025-06-01", "--to", "2025-01-01"], "--to 2025-01-01 is before"),
    ],
)
def test_usage_errors_before_any_work(tmp_path: Path, args: list[str], message: str) -> None:
    run = run_here(["calendar", "--db", tmp_path / "none.duckdb", *args], tmp_path)
    assert run.code == 2
    assert message in run.stderr
    assert not (tmp_path / "none.duckdb").exists()
