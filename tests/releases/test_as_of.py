"""As-of queries: what had been published at a time, or in one release, through the same
options as live queries; the live store's figures labelled unreleased."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from tests.conftest import FIRM, TODAY, write_csv
from tests.inprocess import run_here
from tests.releases.freeze import freeze, hand_made

import digex
from digex.api import Digex, indicators_on
from digex.errors import NotPublished, UnknownRelease, UsageError
from digex.publish.summary import headline
from digex.store.published import parse_as_of


def row(i: str, period: str, amount: str) -> tuple[str, ...]:
    return (i, period, FIRM, "ITO", "FR", "MAD", amount, "X")


PUBLISHED = {
    "2024.1": dt.datetime(2025, 3, 1, 9, 0),
    "2024.2": dt.datetime(2025, 6, 1, 9, 0),
    "2025-H1.1": dt.datetime(2025, 8, 1, 9, 0),
    "2025-H1.2": dt.datetime(2099, 1, 1, 9, 0),  # under embargo
}


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four vintages: 2024 twice, then 2025-H1 (carrying 2024-H1) twice, the last embargoed.
    The store holds what the third was computed from (2024: 2,000 declared first, 100 and 10
    declared late); the others hold figures given by hand, as if computed before or after."""
    d = tmp_path_factory.mktemp("asof")
    with digex.init(d / "s.duckdb") as db:
        declared = [
            row("A", "2023-03", "1000"),
            row("B", "2024-03", "2000"),
            row("D", "2024-03", "100"),
            row("E", "2024-03", "10"),
            row("C", "2025-03", "3000"),
        ]
        db.load(write_csv(d / "declared.csv", declared), today=TODAY)
        for rid, values in (("2024.1", 2000), ("2024.2", 2100)):
            rows = [
                ("LEVEL", "2023", 1000),
                ("LEVEL", "2024", values),
                ("LEVEL", "2024-H1", values),
            ]
            made = freeze(db, "2024", hand_made(rows), published_at=PUBLISHED[rid])
            assert made == rid
        made = freeze(db, "2025-H1", ["2025-H1", "2024-H1"], published_at=PUBLISHED["2025-H1.1"])
        rows = [("LEVEL", "2025-H1", 3001), ("LEVEL", "2024-H1", 2110)]
        made = freeze(db, "2025-H1", hand_made(rows), published_at=PUBLISHED["2025-H1.2"])
        assert made == "2025-H1.2"
    return d / "s.duckdb"


@pytest.fixture(scope="module")
def db(made: Path) -> Iterator[Digex]:
    """The store read-only, as the CLI opens it (so that both can share it in this process)."""
    with digex.connect(made, read_only=True) as db:
        yield db


def levels(frame: pd.DataFrame) -> dict[str, tuple[Decimal, str]]:
    """Period -> (level, release) of the total's exports."""
    rows = frame[(frame["indicator"] == "LEVEL") & (frame["cut"] == "total")]
    return {
        str(p): (Decimal(repr(v)), str(r))
        for p, v, r in zip(rows["period"], rows["value"], rows["release_id"], strict=True)
    }


ALL = ["2023", "2024", "2024-H1", "2025-H1"]


def at(db: Digex, when: Any) -> dict[str, tuple[Decimal, str]]:
    return levels(db.indicators(ALL, as_of=when))


def test_before_the_first_publication_is_an_error_naming_it(db: Digex) -> None:
    with pytest.raises(NotPublished, match=r"at 2025-02-28 23:59:59 UTC.*2025-03-01 09:00:00"):
        at(db, "2025-02-28")
    with pytest.raises(NotPublished):
        at(db, dt.datetime(2025, 3, 1, 8, 59, 59))


def test_between_after_and_exactly_at_publication_times(db: Digex) -> None:
    first = {
        "2023": (Decimal(1000), "2024.1"),
        "2024": (Decimal(2000), "2024.1"),
        "2024-H1": (Decimal(2000), "2024.1"),
    }
    assert at(db, "2025-03-01") == first  # a date: the end of that day
    assert at(db, dt.datetime(2025, 3, 1, 9, 0)) == first  # exactly at publication
    assert at(db, "2025-06-01T08:59:59") == first
    second = {p: (v, "2024.2") for p, (v, _) in first.items()}
    second |= {"2024": (Decimal(2100), "2024.2"), "2024-H1": (Decimal(2100), "2024.2")}
    assert at(db, "2025-06-01T09:00") == second
    assert at(db, "2025-06-01T10:00+01:00") == second  # 09:00 UTC
    assert at(db, dt.date(2025, 7, 31)) == second
    # 2025-H1's release carries 2024-H1 as a comparison period: a later vintage of it
    third = {
        **second,
        "2024-H1": (Decimal(2110), "2025-H1.1"),
        "2025-H1": (Decimal(3000), "2025-H1.1"),
    }
    assert at(db, "2025-08-15") == third
    # the embargoed vintage is never seen, not even as of a time after its publication
    assert at(db, "2100-01-01") == third


def test_a_release_alone_and_an_embargoed_one(db: Digex) -> None:
    frame = db.indicators(["2024", "2024-S1"], release="2024.1")
    assert levels(frame) == {
        "2024": (Decimal(2000), "2024.1"),
        "2024-H1": (Decimal(2000), "2024.1"),
    }
    assert frame.attrs["source"] == "release"
    with pytest.raises(NotPublished, match=r"2025-H1\.2 is under embargo until 2099-01-01"):
        db.indicators("2025-H1", release="2025-H1.2")
    staff = db.indicators("2025-H1", release="2025-H1.2", embargoed=True)
    assert levels(staff) == {"2025-H1": (Decimal(3001), "2025-H1.2")}
    with pytest.raises(UnknownRelease, match=r"no release '2031\.1'"):
        db.indicators(release="2031.1")


def test_published_rows_are_narrowed_as_live_ones(db: Digex) -> None:
    live = db.indicators("2025-H1", indicators=["LEVEL"], unit_mult=3, output="arrow")
    published = db.indicators(
        "2025-H1", indicators=["LEVEL"], unit_mult=3, output="arrow", release="2025-H1.1"
    )
    assert live.schema.metadata[b"digex.source"] == b"live"
    assert published.schema.metadata[b"digex.source"] == b"release"
    assert published.column_names == [*live.column_names, "release_id", "conf_status"]
    assert published.drop_columns(["release_id", "conf_status"]).to_pylist() == live.to_pylist()
    assert set(published["conf_status"].to_pylist()) == {"F"}
    assert [(r["value"], r["unit_mult"]) for r in live.to_pylist()] == [(3.0, 3)]
    # a period not in the release, a cut it does not hold, imports only: nothing, no error
    assert db.indicators("2022", release="2024.1").empty
    assert db.indicators("2024", by="partner", release="2024.1").empty
    # without a period: every period at the frequency (annual by default)
    assert set(db.indicators(release="2024.1")["period"]) == {"2023", "2024"}
    assert set(db.indicators(freq="H", release="2024.1")["period"]) == {"2024-H1"}
    rows = db.indicator_rows("2024", release="2024.2", indicators=["LEVEL"])
    assert [(r["value"], r["release_id"]) for r in rows.records()] == [(2100, "2024.2")]


def test_live_figures_are_labelled_unreleased(db: Digex, made: Path) -> None:
    frame = db.indicators("2025-H1")  # computed and kept by the narrowing test
    assert frame.attrs["source"] == "live"
    assert "release_id" not in frame.columns
    elsewhere = indicators_on(f"duckdb:///{made}", "2025-H1", indicators=["LEVEL"])
    assert elsewhere.attrs["source"] == "live"


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"release": "2024.1", "as_of": "2025-08-15"}, "not both"),
        ({"as_of": "2025-08-15", "embargoed": True}, "give `release` too"),
        ({"embargoed": True}, "give `release` too"),
        ({"as_of": "15/08/2025"}, r"as_of=15/08/2025 is not a date"),
        ({"release": "2024.1", "freq": "W"}, "freq='W'"),
    ],
)
def test_contradictions_are_usage_errors(db: Digex, options: dict[str, Any], match: str) -> None:
    with pytest.raises(UsageError, match=match):
        db.indicators(**options)


def test_as_of_values() -> None:
    assert parse_as_of("2025-08-15") == dt.datetime(2025, 8, 15, 23, 59, 59, 999999)
    assert parse_as_of(dt.date(2024, 12, 31)) == dt.datetime(2024, 12, 31, 23, 59, 59, 999999)
    assert parse_as_of("2025-08-15 10:30") == dt.datetime(2025, 8, 15, 10, 30)
    assert parse_as_of("2025-08-15T10:30:00Z") == dt.datetime(2025, 8, 15, 10, 30)
    aware = dt.datetime(2025, 8, 15, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert parse_as_of(aware) == dt.datetime(2025, 8, 15, 10, 0)


def test_the_command_line_reads_releases_and_says_where_figures_come_from(
    db: Digex, made: Path
) -> None:
    def run(*args: str) -> tuple[int, str, str]:
        r = run_here(["indicators", *args, "-i", "LEVEL", "-f", "csv", "--db", made], made.parent)
        return r.code, r.stdout, " ".join(r.stderr.split())

    code, out, said = run("-p", "2024", "--release", "2024.1")
    assert code == 0, said
    assert out.splitlines()[1].endswith(",2000.0,MAD,0,A,complete,2024.1,F")
    assert said == "note: figures from release 2024.1"
    code, out, said = run("-p", "2024-H1", "-p", "2024", "--as-of", "2025-08-15")
    assert [line.split(",")[-2] for line in out.splitlines()[1:]] == ["2024.2", "2025-H1.1"]
    assert said == (
        "note: figures as published at 2025-08-15 23:59:59 UTC, from release 2024.2, 2025-H1.1"
    )
    code, out, said = run("-p", "2025-H1", "--release", "2025-H1.2")
    assert code == 1
    assert "under embargo until 2099-01-01 09:00 UTC" in said
    assert "--embargoed set" in said
    assert run("-p", "2025-H1", "--release", "2025-H1.2", "--embargoed")[0] == 0
    code, _, said = run("--as-of", "2025-01-31")
    assert code == 1
    assert said.endswith("2025-03-01 09:00:00 UTC; give a later --as-of")
    code, _, said = run("--release", "2024.1", "--as-of", "2025-08-15")
    assert (code, said) == (
        2,
        "error: --release reads one release, --as-of what was published then: give one",
    )
    assert run("--as-of", "2025-08-15", "--embargoed")[0] == 2
    code, _, said = run("--as-of", "2025-08-15", "--engine", f"duckdb:///{made}")
    assert (code, said) == (2, "error: releases are read from the store: drop --engine")
    code, _, said = run("--as-of", "yesterday")
    assert (code, said) == (
        2,
        "error: --as-of yesterday is not a date or a date and time; give e.g. 2025-08-15 (the "
        "end of that day, UTC) or 2025-08-15T10:30 (UTC unless an offset is given)",
    )
    code, out, said = run("-p", "2025-H1")
    assert code == 0
    assert "release_id" not in out
    assert said.startswith("note: unreleased figures, computed from the live store: internal, not")


def test_the_headline_of_a_release_and_as_of_a_time(db: Digex, made: Path) -> None:
    [*_, total] = headline(db, "2024", release="2024.2").rows
    assert (total.previous, total.level) == (Fraction(1000, 10**9), Fraction(2100, 10**9))
    assert total.growth == 110
    [*_, total] = headline(db, "2024", as_of="2025-05-31").rows
    assert total.level == Fraction(2000, 10**9)
    r = run_here(["summary", "2024", "--as-of", "2025-05-31", "--db", made], made.parent)
    assert r.code == 0, r.stderr
    assert r.stderr.strip() == "note: figures as published at 2025-05-31 23:59:59 UTC"
    r = run_here(["summary", "2024", "--release", "2024.1", "--db", made], made.parent)
    assert r.stderr.strip() == "note: figures from release 2024.1"
    r = run_here(["summary", "2024", "--release", "2024.1", "--as-of", "2025-05-31"], made.parent)
    assert r.code == 2
