"""Withdrawing a load: out of every current view, nothing deleted, the log says who and why."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from tests.conftest import FIRM, TODAY, counts, write_csv

import digex
from digex.api import Digex
from digex.errors import UnknownLoad, UsageError
from digex.ingest.load import Loader
from digex.store import SCHEMA_VERSION, Store
from digex.store.withdraw import AlreadyWithdrawn

MARCH = [
    ("A1", "2024-03", FIRM, "ITO", "FR", "EUR", "1000", "X"),
    ("A2", "2024-03", FIRM, "CRM", "US", "MAD", "250.50", "X"),
    ("BAD", "2024-03", FIRM, "XYZ", "US", "MAD", "1", "X"),
]
APRIL = [("B1", "2024-04", FIRM, "ITO", "FR", "MAD", "777", "X")]
JOBS_HEADER = ("year", "segment", "jobs")


def _current(db: Digex, view: str) -> int:
    row = db.store.con.execute(f"SELECT count(*) FROM {view}").fetchone()
    return int(row[0]) if row else 0


def _views(db: Digex) -> dict[str, int]:
    return {
        view: _current(db, view)
        for view in (
            "current_declarations",
            "current_declarations_coded",
            "current_all_rejects",
            "current_rates",
            "current_auxiliary",
            "current_load_totals",
        )
    }


def test_a_withdrawn_load_leaves_every_current_view_and_stays_stored(
    store: Digex, rates_file: Path, tmp_path: Path
) -> None:
    jobs = write_csv(tmp_path / "jobs.csv", [("2024", "_T", "100")], header=JOBS_HEADER)
    store.load(write_csv(tmp_path / "m.csv", MARCH), rates=rates_file, jobs=jobs, today=TODAY)
    store.load(write_csv(tmp_path / "a.csv", APRIL), today=TODAY)
    before, stored = _views(store), counts(store)
    log = store.loads().set_index("file_name")
    march, rates, jobs_id = (int(log.loc[f, "load_id"]) for f in ("m.csv", "rates.csv", "jobs.csv"))

    store.withdraw(march, reason="the wrong month's file", user="amina")
    after = _views(store)
    assert after["current_declarations"] == before["current_declarations"] - 2
    assert after["current_declarations_coded"] == after["current_declarations"]
    assert after["current_all_rejects"] == before["current_all_rejects"] - 1
    assert after["current_load_totals"] < before["current_load_totals"]
    assert set(store.declarations()["declaration_id"]) == {"B1"}
    assert counts(store) == stored  # nothing deleted: history is append-only

    store.withdraw(rates, reason="rates sent by mistake")
    store.withdraw(jobs_id, reason="jobs of another sector")
    assert _current(store, "current_rates") == 0
    assert _current(store, "current_auxiliary") == 0

    log = store.loads().set_index("load_id")
    assert log.loc[march, "status"] == "withdrawn"
    assert not log.loc[march, "current"]
    assert log.loc[march, "withdrawn_by"] == "amina"
    assert log.loc[march, "withdraw_reason"] == "the wrong month's file"
    assert log.loc[march, "withdrawn_at"] is not None
    april = int(store.loads().set_index("file_name").loc["a.csv", "load_id"])
    assert log.loc[april, "status"] == "current"
    assert pd.isna(log.loc[april, "withdrawn_by"])


def test_withdrawing_a_replacement_makes_the_replaced_load_current_again(
    store: Digex, tmp_path: Path
) -> None:
    [first] = store.load(write_csv(tmp_path / "a.csv", APRIL), today=TODAY)
    fixed = [("B1", "2024-04", FIRM, "ITO", "FR", "MAD", "778", "X")]
    [second] = store.load(write_csv(tmp_path / "a2.csv", fixed), replace=first.load_id, today=TODAY)
    assert store.declarations()["amount"].tolist() == [778]
    store.withdraw(second.load_id, reason="the correction was wrong")
    assert store.declarations()["amount"].tolist() == [777]
    statuses = store.loads().set_index("load_id")["status"].to_dict()
    assert statuses == {first.load_id: "current", second.load_id: "withdrawn"}
    # the same file can be loaded again once its load is withdrawn
    [again] = store.load(tmp_path / "a2.csv", replace=first.load_id, today=TODAY)
    assert store.declarations()["amount"].tolist() == [778]
    assert again.load_id > second.load_id


def test_unknown_already_withdrawn_and_reasonless_withdrawals_are_clear_errors(
    store: Digex, tmp_path: Path
) -> None:
    [load] = store.load(write_csv(tmp_path / "a.csv", APRIL), today=TODAY)
    with pytest.raises(UnknownLoad, match="no load 99"):
        store.withdraw(99, reason="typo")
    with pytest.raises(UsageError, match="`reason` is empty"):
        store.withdraw(load.load_id, reason="  ")
    store.withdraw(load.load_id, reason="test file", user="omar")
    with pytest.raises(AlreadyWithdrawn, match=r"already withdrawn .* by omar \(test file\)"):
        store.withdraw(load.load_id, reason="again")
    assert len(store.store.con.execute("SELECT * FROM withdrawals").fetchall()) == 1


def test_a_withdrawal_makes_cached_indicators_stale(store: Digex, tmp_path: Path) -> None:
    store.load(write_csv(tmp_path / "a.csv", APRIL), today=TODAY)
    [march] = store.load(
        write_csv(tmp_path / "m.csv", [("C1", "2024-03", FIRM, "ITO", "FR", "MAD", "100", "X")]),
        today=TODAY,
    )

    def exports() -> float:
        frame = store.indicators("2024", indicators=["LEVEL"])
        return float(frame["value"].iloc[0])

    assert exports() == 877.0  # computed, then cached
    assert exports() == 877.0
    store.withdraw(march.load_id, reason="wrong month")
    assert exports() == 777.0


def test_a_version_4_store_made_by_the_previous_code_is_migrated(
    tmp_path: Path, rates_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store the previous digex wrote (schema 4: its migrations and its loader) opens with
    this one, gains schemas 5 and 6 and keeps every row; its loads can then be withdrawn."""
    path = tmp_path / "old.duckdb"
    with monkeypatch.context() as m:
        m.setattr("digex.store.store.SCHEMA_VERSION", 4)
        # the previous loader converted declarations once, when they were loaded
        m.setattr(Loader, "_reconvert", lambda self, con, results: results)
        m.setattr("digex.ingest.load.record_events", lambda con, ids, reason: None)  # nor logged
        with digex.init(path) as old:
            assert old.store.schema_version() == 4
            old.load(write_csv(tmp_path / "m.csv", MARCH), rates=rates_file, today=TODAY)
            tables = {
                name
                for (name,) in old.store.con.execute(
                    "SELECT table_name FROM duckdb_tables() "
                    "UNION SELECT view_name FROM duckdb_views()"
                ).fetchall()
            }
            assert "withdrawals" not in tables
            stored = counts(old)
    with Store(path) as raw:
        assert raw.schema_version() == SCHEMA_VERSION == 8
        # the audit log starts with the history the load log already held
        logged = raw.con.execute("SELECT event_id, action, subject FROM audit_log").fetchall()
        assert logged == [(1, "load", "1"), (2, "load", "2")]
    with Digex.open(path) as db:
        assert counts(db) == stored
        assert set(db.loads()["status"]) == {"current"}
        assert set(db.declarations()["declaration_id"]) == {"A1", "A2"}
        assert db.rejects()["kind"].tolist() == ["declarations"]
        db.withdraw(2, reason="wrong month")
        assert db.declarations().empty


def test_a_replaced_load_is_not_withdrawn(store: Digex, tmp_path: Path) -> None:
    """Withdrawing a load that another replaced would bring back the one it had replaced
    itself, and count two files for one month: refused, naming the replacement."""
    [first] = store.load(write_csv(tmp_path / "a.csv", APRIL), today=TODAY)
    fixed = [("B1", "2024-04", FIRM, "ITO", "FR", "MAD", "778", "X")]
    [second] = store.load(write_csv(tmp_path / "b.csv", fixed), replace=first.load_id, today=TODAY)
    fixed_again = [("B1", "2024-04", FIRM, "ITO", "FR", "MAD", "779", "X")]
    store.load(write_csv(tmp_path / "c.csv", fixed_again), replace=second.load_id, today=TODAY)
    with pytest.raises(UsageError, match=f"load {second.load_id} .* is not current"):
        store.withdraw(second.load_id, reason="wrong")
    assert store.declarations()["amount"].tolist() == [779]
