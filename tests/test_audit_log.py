"""The audit log: each load, replacement and withdrawal adds one event, with who made it, when
and why, in the transaction of what it records; `Digex.log` and `digex log` read it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import FIRM, TODAY, write_csv
from tests.inprocess import run_here

import digex
import digex.ingest.load
from digex.api import Digex
from digex.errors import RatesWouldVanish, UsageError
from digex.store import Store
from digex.store.audit import Event, record
from digex.store.audit import events as read
from digex.store.migrations import MIGRATIONS

MARCH = [
    ("A1", "2024-03", FIRM, "ITO", "FR", "EUR", "1000", "X"),
    ("BAD", "2024-03", FIRM, "XYZ", "US", "MAD", "1", "X"),
]
RATES = ("period", "currency", "rate")
JOBS = ("year", "segment", "jobs")


def events(db: Digex, **query: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = db.log(output="arrow", **query).to_pylist()
    for row in rows:
        row["details"] = json.loads(row["details"]) if row["details"] else None
    return rows


def test_load_replace_and_withdraw_each_add_one_event(
    store: Digex, rates_file: Path, tmp_path: Path
) -> None:
    start = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    march = write_csv(tmp_path / "m.csv", MARCH)
    jobs = write_csv(tmp_path / "jobs.csv", [("2024", "_T", "100")], header=JOBS)
    store.load(march, rates=rates_file, jobs=jobs, today=TODAY, user="amina",
               reason="  March file  ")  # fmt: skip
    fixed = write_csv(tmp_path / "m2.csv", MARCH[:1])
    # the same rates file again is reused: it stores nothing and adds no event
    store.load(fixed, rates=rates_file, replace=3, today=TODAY, user="omar",
               reason="the bad row dropped")  # fmt: skip
    store.withdraw(4, reason="sent twice", user="amina")
    log = events(store)
    assert [(e["event_id"], e["action"], e["subject"], e["made_by"], e["reason"]) for e in log] == [
        (1, "load", "1", "amina", "March file"),  # rates, jobs, then the declarations
        (2, "load", "2", "amina", "March file"),
        (3, "load", "3", "amina", "March file"),
        (4, "replace", "4", "omar", "the bad row dropped"),
        (5, "withdraw", "4", "amina", "sent twice"),
    ]
    assert log[2]["details"] == {
        "kind": "declarations",
        "file_name": "m.csv",
        "content_hash": store.loads()["content_hash"].iloc[2],
        "replaces": None,
        "rows_read": 2,
        "rows_accepted": 1,
        "rows_rejected": 1,
    }
    assert [e["details"]["kind"] for e in log[:2]] == ["rates", "jobs"]
    assert log[3]["details"]["replaces"] == 3
    assert log[4]["details"] == {"kind": "declarations", "file_name": "m2.csv"}
    # the times are the load log's and the withdrawal's own, in UTC
    loads = store.loads()
    assert [e["made_at"] for e in log[:4]] == loads["loaded_at"].dt.to_pydatetime().tolist()
    assert log[4]["made_at"] == loads["withdrawn_at"].iloc[3].to_pydatetime()
    assert all(start <= e["made_at"] for e in log)


def test_a_rates_file_records_what_it_converted_again(
    store: Digex, rates_file: Path, tmp_path: Path
) -> None:
    store.load(write_csv(tmp_path / "m.csv", MARCH[:1]), rates=rates_file, today=TODAY)
    assert [e["reason"] for e in events(store)] == [None, None]  # none given
    corrected = write_csv(tmp_path / "fix.csv", [("2024-03", "EUR", "10.900000")], header=RATES)
    store.load(rates=corrected, today=TODAY, reason="EUR rate of March corrected")
    last = events(store)[-1]
    assert (last["action"], last["subject"], last["reason"]) == (
        "load",
        "3",
        "EUR rate of March corrected",
    )
    assert last["details"]["reconverted"] == {"rows": 1, "months": "2024-03 EUR"}
    # withdrawing it converts back: that withdrawal's event says so too
    store.withdraw(3, reason="the correction was wrong")
    assert events(store)[-1]["details"]["reconverted"] == {"rows": 1, "months": "2024-03 EUR"}


def test_what_fails_adds_no_event(
    store: Digex, rates_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash in the load's transaction after its events were written takes them back with
    the load; a refused withdrawal adds none either."""
    real = digex.ingest.load.record_events

    def then_crash(*args: Any, **kwargs: Any) -> None:
        real(*args, **kwargs)
        raise duckdb.IOException("disk full")

    with monkeypatch.context() as m:
        m.setattr(digex.ingest.load, "record_events", then_crash)
        with pytest.raises(duckdb.IOException, match="disk full"):
            store.load(write_csv(tmp_path / "m.csv", MARCH), rates=rates_file, today=TODAY)
    assert events(store) == []
    assert store.loads().empty
    store.load(write_csv(tmp_path / "m.csv", MARCH), rates=rates_file, today=TODAY)
    with pytest.raises(RatesWouldVanish):  # the EUR declaration would have no rate
        store.withdraw(1, reason="rates of another year")
    assert [e["action"] for e in events(store)] == ["load", "load"]


def test_reading_the_log(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    digex.init(path).close()
    data = write_csv(tmp_path / "m.csv", [(*MARCH[0][:5], "MAD", "250", "X"), MARCH[1]])
    args = ["load", data, "--db", path, "--no-indicators", "--reason", "late file [bank]"]
    run_here(args, tmp_path).ok()
    with Digex.open(path) as store:
        store.withdraw(1, reason="wrong month")
        assert [e["reason"] for e in events(store)] == ["late file [bank]", "wrong month"]
        assert [e["event_id"] for e in events(store, limit=1)] == [2]  # the last one
        assert [e["event_id"] for e in events(store, action="load")] == [1]
        today = dt.datetime.now(dt.UTC).date()
        assert len(events(store, since=today)) == 2
        assert events(store, since=today + dt.timedelta(days=1)) == []
        assert store.log().columns.tolist() == [
            "event_id", "made_at", "made_by", "action", "subject", "reason", "details",
        ]  # fmt: skip
    shown = run_here(["log", "--db", path], tmp_path).ok().stdout
    assert "wrong month" in shown
    assert "late file [bank]" in shown  # text, not markup
    assert "m.csv; 1 accepted, 1 rejected" in shown
    csv = run_here(["log", "--db", path, "-f", "csv", "--action", "withdraw"], tmp_path).ok()
    header, row = csv.stdout.splitlines()
    assert header == "event,at,by,action,subject,reason,details"
    assert row.split(",")[3:6] == ["withdraw", "1", "wrong month"]
    assert run_here(["log", "--db", path, "--limit", "-1"], tmp_path).code == 2
    assert run_here(["log", "--db", path, "--since", "yesterday"], tmp_path).code == 2


def test_a_store_migrated_from_schema_5_shows_its_history(tmp_path: Path) -> None:
    """The loads and withdrawals made before the audit log existed are in it, in order, and
    what follows is numbered after them."""
    path = tmp_path / "v5.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE schema_version (version INTEGER, applied_at TIMESTAMP)")
        for version, sql in enumerate(MIGRATIONS[:5], start=1):
            con.execute(sql)
            con.execute(f"INSERT INTO schema_version VALUES ({version}, now())")
        for n, at in ((1, "2025-01-10 09:00"), (2, "2025-02-10 09:00")):
            con.execute(
                f"INSERT INTO loads VALUES ({n}, 'declarations', 'f{n}.csv', '/f.csv', 'h{n}', 1, "
                f"'csv', NULL, NULL, NULL, TIMESTAMP '{at}', 'amina', 0, 0, 0, "
                f"{'NULL' if n == 1 else 1}, 'MA', '2026.1', '0')"
            )
        con.execute("INSERT INTO withdrawals VALUES (2, TIMESTAMP '2025-03-01', 'omar', 'bad')")
    with digex.connect(path) as db:
        log = events(db)
        assert [(e["action"], e["subject"], e["made_by"], e["reason"]) for e in log] == [
            ("load", "1", "amina", None),
            ("replace", "2", "amina", None),
            ("withdraw", "2", "omar", "bad"),
        ]
        assert log[1]["details"]["file_name"] == "f2.csv"
        db.load(write_csv(tmp_path / "n.csv", MARCH[1:]), today=TODAY, reason="new")
        assert [(e["event_id"], e["reason"]) for e in events(db)][3:] == [(4, "new")]


def test_filters_are_the_last_of_the_matching_events(tmp_path: Path) -> None:
    """Any action, day and limit: the events read are the last `limit` of those that match,
    oldest first, whatever order they were recorded in time."""
    actions = ("load", "replace", "withdraw", "release")
    made = [
        (actions[i % 4], dt.datetime(2025, 1, 1) + dt.timedelta(hours=37 * ((i * 7) % 20)))
        for i in range(20)
    ]
    with Store.create(tmp_path / "s.duckdb") as store:
        with store.write() as con:
            for i, (action, at) in enumerate(made):
                record(con, Event(action, str(i), "amina", at))

        @settings(max_examples=30)  # each reads the store: 20 ms
        @given(
            st.sampled_from((None, *actions)),
            st.none() | st.dates(dt.date(2024, 12, 30), dt.date(2025, 2, 5)),
            st.none() | st.integers(0, 25),
        )
        def check(action: str | None, since: dt.date | None, limit: int | None) -> None:
            wanted = [
                i + 1
                for i, (a, at) in enumerate(made)
                if (action is None or a == action) and (since is None or at.date() >= since)
            ]
            if limit is not None:
                wanted = wanted[max(0, len(wanted) - limit) :]
            with store.reading() as con:
                got = read(con, action, since=since, limit=limit)["event_id"].to_pylist()
            assert got == wanted

        check()


def test_an_action_no_event_can_have_is_refused(tmp_path: Path) -> None:
    """A typo would read as an empty log: refused, naming the actions there are."""
    path = tmp_path / "s.duckdb"
    digex.init(path).close()
    run = run_here(["log", "--db", path, "--action", "bogus"], tmp_path)
    assert run.code == 2
    assert "--action 'bogus': use one of load, replace, withdraw, release, revision" in " ".join(
        run.stderr.split()
    )
    with digex.connect(path) as db, pytest.raises(UsageError, match="action='loads'"):
        db.log(action="loads")
    assert run_here(["log", "--db", path, "--action", "revision"], tmp_path).ok()


def test_json_details_are_an_object(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    digex.init(path).close()
    data = write_csv(tmp_path / "m.csv", [(*MARCH[0][:5], "MAD", "250", "X"), MARCH[1]])
    run_here(["load", data, "--db", path, "--no-indicators"], tmp_path).ok()
    with Digex.open(path) as store:
        store.withdraw(1, reason="wrong month")
    out = run_here(["log", "--db", path, "-f", "json"], tmp_path).ok().stdout
    load, withdrawal = json.loads(out)
    assert load["details"]["file_name"] == "m.csv"
    assert (load["details"]["rows_accepted"], load["details"]["rows_rejected"]) == (1, 1)
    assert load["details"]["replaces"] is None
    assert isinstance(withdrawal["details"], dict)
    csv = run_here(["log", "--db", path, "-f", "csv"], tmp_path).ok().stdout
    assert '"{""content_hash"": ' in csv  # CSV keeps the text the store holds
