"""The store as a release saw it: the engine's inputs rebuilt from the history give the
release's figures after any later load, replacement, withdrawal or rates correction."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from tests.conftest import FIRM, TODAY, write_csv
from tests.releases.freeze import freeze, hand_made

import digex
from digex.api import Digex
from digex.errors import UnknownRelease
from digex.indicators.engine import Engine
from digex.store import vintage

RATES = ("period", "currency", "rate")
MARCH = [
    ("D1", "2024-03", FIRM, "ITO", "FR", "EUR", "1000.25", "X"),
    ("D2", "2024-03", FIRM, "CRM", "US", "MAD", "500", "X"),
]
APRIL = [("D3", "2024-04", FIRM, "ITO", "FR", "EUR", "200.5", "X")]
APRIL_FIXED = [("D3", "2024-04", FIRM, "ITO", "FR", "EUR", "300", "X")]
LATE = [("D4", "2024-03", FIRM, "BPO", "MA", "MAD", "50", "X")]
WRONG = [("W1", "2024-03", FIRM, "ITO", "MA", "MAD", "999999", "X")]
NO_ROWS = hand_made([])
"""The figures a release holds do not matter here: only the state it records."""
JOBS = [("2024", "ITO", "40000"), ("2024", "_T", "110000")]


def mad(amount: str, rate: str = "1") -> Decimal:
    """A declaration's value in MAD as the load converts it (to the centime, half up)."""
    return (Decimal(amount) * Decimal(rate)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def levels(engine: Engine, db: Digex) -> dict[str, Decimal]:
    """The monthly exports of the total, exact (the engine's sums in centimes)."""
    t = engine.levels("M", "total")
    rows = t.filter(t.flow == "X").select("ordinal", "value_minor").to_pyarrow().to_pylist()
    return {
        f"{r['ordinal'] // 12}-{r['ordinal'] % 12 + 1:02d}": Decimal(r["value_minor"]) / 100
        for r in rows
    }


def as_released(db: Digex, rid: str) -> dict[str, Decimal]:
    with db.store.snapshot() as snap:
        sources = vintage.vintage_sources(snap.con, rid, db.profile.minor_units)
        return levels(Engine(sources), db)


def live(db: Digex) -> dict[str, Decimal]:
    with db.store.snapshot() as snap:
        return levels(Engine(snap.sources(db.profile.minor_units)), db)


@dataclass
class History:
    db: Digex
    first: str
    second: str


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[History]:
    """Two releases, each followed by changes of every kind the store knows."""
    d = tmp_path_factory.mktemp("vintage")
    with digex.init(d / "s.duckdb") as db:
        rates = [("2024-03", "EUR", "10.8"), ("2024-04", "EUR", "10.8")]
        *_, april = db.load(
            [write_csv(d / "march.csv", MARCH), write_csv(d / "april.csv", APRIL)],
            rates=write_csv(d / "r1.csv", rates, header=RATES),
            jobs=write_csv(d / "jobs.csv", JOBS, header=("year", "segment", "jobs")),
            today=TODAY,
        )
        first = freeze(db, "2024-03", NO_ROWS)
        # after the first release: a late file, a replaced month, a load withdrawn, new rates
        db.load(write_csv(d / "late.csv", LATE), today=TODAY)
        db.load(write_csv(d / "april2.csv", APRIL_FIXED), replace=april.load_id, today=TODAY)
        [wrong] = db.load(write_csv(d / "wrong.csv", WRONG), today=TODAY)
        db.withdraw(wrong.load_id, reason="another firm's file")
        fixed = [("2024-03", "EUR", "11.05")]
        [correction] = db.load(rates=write_csv(d / "r2.csv", fixed, header=RATES), today=TODAY)
        second = freeze(db, "2024-03", NO_ROWS)
        # after the second: the correction withdrawn (declarations converted back)
        db.withdraw(correction.load_id, reason="the correction was itself wrong")
        yield History(db, first, second)


FIRST = {
    "2024-03": mad("1000.25", "10.8") + mad("500"),
    "2024-04": mad("200.5", "10.8"),
}
SECOND = {
    "2024-03": mad("1000.25", "11.05") + mad("500") + mad("50"),
    "2024-04": mad("300", "10.8"),
}
NOW = {
    "2024-03": mad("1000.25", "10.8") + mad("500") + mad("50"),
    "2024-04": mad("300", "10.8"),
}


def test_each_release_sees_the_store_as_it_was_made_checked_by_hand(history: History) -> None:
    assert live(history.db) == NOW
    assert as_released(history.db, history.first) == FIRST
    # the second saw the rates correction (declarations converted again), since withdrawn
    assert as_released(history.db, history.second) == SECOND


def test_two_vintages_on_one_cursor_keep_apart(history: History) -> None:
    db = history.db
    with db.store.snapshot() as snap:
        units = db.profile.minor_units
        one = vintage.vintage_sources(snap.con, history.first, units)
        two = vintage.vintage_sources(snap.con, history.second, units)
        assert one.declarations != two.declarations
        assert levels(Engine(one), db) == FIRST
        assert levels(Engine(two), db) == SECOND


def _rows(con: duckdb.DuckDBPyConnection, name: str) -> tuple[list[Any], list[Any]]:
    found = con.execute(f"SELECT * FROM {name} ORDER BY ALL")
    return found.fetchall(), [d[:2] for d in found.description]


def test_the_vintage_views_equal_the_live_views_on_the_release_s_state(
    tmp_path: Path,
) -> None:
    """The same rows and columns as the live views, on a store whose state is the release's:
    a change to one definition without the other fails here."""
    with digex.init(tmp_path / "s.duckdb") as db:
        rates = [("2024-03", "EUR", "10.8"), ("2024-03", "USD", "9.9")]
        db.load(
            write_csv(tmp_path / "m.csv", MARCH),
            rates=write_csv(tmp_path / "r.csv", rates, header=RATES),
            jobs=write_csv(tmp_path / "j.csv", JOBS, header=("year", "segment", "jobs")),
            today=TODAY,
        )
        for converted in (False, True):
            if converted:
                fixed = [("2024-03", "EUR", "11.05")]
                db.load(rates=write_csv(tmp_path / "r2.csv", fixed, header=RATES), today=TODAY)
            rid = freeze(db, "2024-03", NO_ROWS)
            with db.store.snapshot() as snap:
                names = vintage.create_views(snap.con, rid)
                pairs = zip(
                    names.names(),
                    ("current_declarations_coded", "current_rates", "current_auxiliary"),
                    strict=True,
                )
                for mine, theirs in pairs:
                    got, got_columns = _rows(snap.con, mine)
                    want, want_columns = _rows(snap.con, theirs)
                    assert got == want, mine
                    assert got, mine
                    assert got_columns == want_columns, mine


def test_an_unknown_release_is_named(history: History) -> None:
    with (
        history.db.store.snapshot() as snap,
        pytest.raises(UnknownRelease, match=r"no release '2031\.7'.*release list"),
    ):
        vintage.vintage_sources(snap.con, "2031.7", 2)
