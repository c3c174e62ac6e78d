"""The audit log's writer: events are numbered in order and kept only with their transaction."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from digex.store import Store
from digex.store.audit import Event, events, record

AT = dt.datetime(2025, 8, 15, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))


def test_events_are_numbered_kept_with_their_transaction_and_read_in_order(
    tmp_path: Path,
) -> None:
    with Store.create(tmp_path / "s.duckdb") as store:
        with store.write() as con:
            first = record(con, Event("release", "2024.1", "amina", AT, "first figures"))
        with pytest.raises(RuntimeError, match="failed"):
            _fail_after_recording(store)
        with store.write() as con:
            second = record(
                con, Event("load", "3", "omar", AT, None, {"file": "it's.csv", "rows": 2})
            )
        with store.reading() as con:
            table = events(con).to_pylist()
            loads = events(con, "load").to_pylist()
    assert (first, second) == (1, 2)
    assert [(e["event_id"], e["action"], e["subject"], e["reason"]) for e in table] == [
        (1, "release", "2024.1", "first figures"),
        (2, "load", "3", None),
    ]
    assert table[0]["made_at"] == dt.datetime(2025, 8, 15, 8, 30)  # kept in UTC
    assert loads[0]["details"] == '{"file": "it\'s.csv", "rows": 2}'


def _fail_after_recording(store: Store) -> None:
    with store.write() as con:
        record(con, Event("release", "2024.2", "amina", AT))
        raise RuntimeError("the release failed: its event goes too")
