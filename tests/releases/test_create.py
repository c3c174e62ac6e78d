"""Creating releases: a preliminary release, then late and corrected data, then a revised one;
the first stays exactly as it was, in the store and in its snapshot file. And what creating a
release refuses before computing anything."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import FIRM, TODAY, write_csv
from tests.inprocess import run_here

import digex
from digex.api import Digex
from digex.cli_release import print_demo_releases
from digex.demo.run import Released
from digex.errors import InvalidPeriod, ReleaseRefused, SnapshotExists, UsageError
from digex.indicators.periods import parse_period
from digex.ingest.load import LoadResult
from digex.releases.create import ReleaseInfo, check_data, check_sequence
from digex.releases.snapshot import read_release, snapshot_path
from digex.store import audit
from digex.store import releases as rel

T1 = dt.datetime(2025, 3, 20, 9, 0)
T2 = dt.datetime(2025, 6, 30, 9, 0)


def amount(year: int, month: int) -> Decimal:
    return Decimal(1000 * month + (year - 2023) * 7) + Decimal("0.50")


def _row(did: str, year: int, month: int, value: Decimal, partner: str = "FR") -> tuple[str, ...]:
    return (did, f"{year}-{month:02d}", FIRM, "ITO", partner, "MAD", str(value), "X")


BULK = [
    _row(f"D{y}{m:02d}", y, m, amount(y, m))
    for y in (2023, 2024)
    for m in range(1, 13)
    if (y, m) != (2024, 3)
] + [_row("D202501", 2025, 1, amount(2025, 1))]
MARCH = [_row("D202403", 2024, 3, amount(2024, 3))]
MARCH_FIXED = [_row("D202403", 2024, 3, amount(2024, 3) + Decimal("40.25"))]
LATE = [_row("L202403", 2024, 3, Decimal("12.75"), partner="US")]


def _hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _level(observations: object, period: str) -> Decimal:
    rows = [
        r
        for r in observations.to_pylist()  # type: ignore[attr-defined]
        if (r["indicator"], r["cut"], r["flow"], r["period"]) == ("LEVEL", "total", "X", period)
    ]
    assert len(rows) == 1
    return Decimal(str(rows[0]["value"]))


@pytest.fixture
def loaded(tmp_path: Path) -> Iterator[tuple[Digex, int]]:
    with digex.init(tmp_path / "s.duckdb") as db:
        db.load(write_csv(tmp_path / "bulk.csv", BULK), today=TODAY, user="amina")
        (march,) = db.load(write_csv(tmp_path / "march.csv", MARCH), today=TODAY, user="amina")
        yield db, march.load_id


def test_a_revision_leaves_the_preliminary_release_as_it_was(
    loaded: tuple[Digex, int], tmp_path: Path
) -> None:
    db, march = loaded
    blocker = tmp_path / "s.releases"
    blocker.write_text("a file where the snapshots' folder goes")  # the snapshot cannot be made
    first = db.create_release("2024-03", "preliminary", note="first figures", user="amina", now=T1)
    assert (first.release_id, first.vintage, first.published_at) == ("2024-03.1", 1, T1)
    assert first.snapshot is None
    assert first.snapshot_error is not None
    assert "digex release snapshot 2024-03.1" in first.snapshot_error
    blocker.unlink()
    path = db.write_release_snapshot("2024-03.1")  # written later, from the store's rows
    assert (
        path == snapshot_path(db.path, "2024-03.1") == tmp_path / "s.releases" / "2024-03.1.duckdb"
    )
    assert path.stat().st_mode & 0o777 == 0o444
    with pytest.raises(SnapshotExists, match="never replaced"):
        db.write_release_snapshot("2024-03.1")
    with db.store.reading() as con:
        rows_before = rel.observations(con, "2024-03.1")
        hash_before = rel.stored_hash(con, "2024-03.1")
        assert rel.same_loads(con, "2024-03.1")
    assert hash_before == first.content_hash
    file_before = _hash(path)
    prelim = _level(rows_before, "2024-03")
    assert prelim == amount(2024, 3)
    assert set(rows_before["obs_status"].to_pylist()) == {"P"}

    # a late declaration and a corrected month
    db.load(write_csv(tmp_path / "late.csv", LATE), today=TODAY, user="amina")
    db.load(write_csv(tmp_path / "march2.csv", MARCH_FIXED), replace=march, today=TODAY)
    db.close()
    run = run_here(
        ["release", "create", "2024-03", "--status", "revised", "--note", "late file",
         "--publish-at", "2099-01-01T10:00+01:00", "--db", tmp_path / "s.duckdb"],
        tmp_path,
    ).ok()  # fmt: skip
    assert "release 2024-03.2 (revised, vintage 2 of 2024-03)" in run.stdout
    assert "embargoed until 2099-01-01 09:00 UTC" in run.stdout
    took = re.search(
        r"time: observations ([\d.]+) s, disclosure control ([\d.]+) s, estimates ([\d.]+) s, "
        r"storing and snapshot ([\d.]+) s",
        " ".join(run.stdout.split()),
    )
    assert took is not None, run.stdout
    assert all(float(x) >= 0 for x in took.groups())
    assert float(took.group(1)) > 0
    assert "s.releases/2024-03.2.duckdb" in run.stdout.replace("\n", "")

    with (
        digex.connect(tmp_path / "s.duckdb", read_only=True) as again,
        again.store.reading() as con,
    ):
        # the preliminary release: its rows and hash as they were, its snapshot byte for byte
        assert rel.observations(con, "2024-03.1").equals(rows_before)
        assert (
            rel.stored_hash(con, "2024-03.1") == hash_before == rel.content_hash(con, "2024-03.1")
        )
        assert not rel.same_loads(con, "2024-03.1")
        revised = rel.observations(con, "2024-03.2")
        meta = rel.metadata(con, "2024-03.2")
        events = audit.events(con).to_pylist()
        # a snapshot holds the public view (disclosure control): its own hash
        public = {rid: rel.public_hash(con, rid) for rid in ("2024-03.1", "2024-03.2")}
    assert _hash(path) == file_before
    assert _level(revised, "2024-03") == prelim + Decimal("12.75") + Decimal("40.25")
    assert _level(revised, "2023-03") == _level(rows_before, "2023-03")
    assert meta is not None
    assert (meta["status"], meta["vintage"], meta["note"]) == ("revised", 2, "late file")
    assert meta["published_at"] == dt.datetime(2099, 1, 1, 9, 0)
    assert meta["published_at"] > meta["created_at"]
    assert meta["last_load_id"] == 4
    printed = " ".join(run.stdout.split())
    assert f"{meta['observations']:,} observations from 3 loads" in printed
    assert f"sha256 {meta['content_hash']}" in printed
    # both readable from their snapshot files, without the store
    for rid in ("2024-03.1", "2024-03.2"):
        snap = read_release(snapshot_path(tmp_path / "s.duckdb", rid))
        assert snap.release_id == rid
        assert snap.intact
        assert snap.metadata["content_hash"] == public[rid]
    made = [
        (e["action"], e["subject"], e["reason"])
        for e in events
        if e["subject"].startswith("2024-03.")
    ]
    assert made == [
        ("release", "2024-03.1", "first figures"),
        ("revision", "2024-03.2", "late file"),
    ]
    details = json.loads(next(e["details"] for e in events if e["subject"] == "2024-03.1"))
    assert details.pop("gate")["failed"] == 0
    # the diff of the two vintages: March's level moved by the late file and the corrected
    # month (12.75 + 40.25), and why: which loads one used and the other did not. Internal
    # values: this store's few firms make March confidential, so the public diff shows none
    with digex.connect(tmp_path / "s.duckdb", read_only=True) as again:
        asked: dict[str, Any] = dict(
            indicators=["LEVEL"], by="total", period="2024-03", flow="X", embargoed=True
        )
        public_diff = again.release_diff("2024-03.1", "2024-03.2", **asked)
        diff = again.release_diff("2024-03.1", "2024-03.2", **asked, confidential=True)
    assert public_diff.rows.empty
    (row,) = diff.rows.to_dict("records")
    assert (row["old_value"], row["new_value"]) == (float(prelim), float(prelim + Decimal("53")))
    assert (row["change"], row["presence"], row["new_status"]) == (53.0, "both", "P")
    assert Decimal(repr(row["change_pct"])).quantize(Decimal("0.0001")) == (
        Decimal(53) / prelim * 100
    ).quantize(Decimal("0.0001"))
    why = {(r["side"], r["file_name"], r["replaces"], r["replaced_by"]) for r in
           diff.loads.to_dict("records")}  # fmt: skip
    assert why == {
        ("new", "late.csv", None, None),
        ("new", "march2.csv", 2, None),
        ("old", "march.csv", None, 4),
    }
    assert details == {
        "period": "2024-03", "vintage": 1, "status": "preliminary",
        "content_hash": hash_before, "published_at": "2025-03-20 09:00:00",
    }  # fmt: skip


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Digex]:
    folder = tmp_path_factory.mktemp("refusals")
    with digex.init(folder / "s.duckdb") as db:
        db.load(write_csv(folder / "bulk.csv", BULK), today=TODAY)
        yield db


@pytest.mark.parametrize(
    ("period", "status", "publish_at", "error", "words"),
    [
        ("2024-13", "preliminary", None, InvalidPeriod, "is not one of"),
        ("2024", "draft", None, UsageError, "status is one of preliminary, revised, final"),
        ("2024", "preliminary", dt.datetime(2025, 3, 1), UsageError, "before the release is made"),
        ("2023", "revised", None, UsageError, "has no release yet"),
        ("2030", "preliminary", None, ReleaseRefused, "2030 has no declarations"),
        ("2025", "preliminary", None, ReleaseRefused, "2025 is not complete"),
        ("2025-Q1", "final", None, ReleaseRefused, "newest month loaded is 2025-01"),
    ],
)
def test_refused_before_anything_is_computed(
    small: Digex,
    period: str,
    status: str,
    publish_at: dt.datetime | None,
    error: type[Exception],
    words: str,
) -> None:
    with pytest.raises(error, match=words):
        small.create_release(period, status, publish_at=publish_at, now=T1)
    with small.store.reading() as con:
        assert rel.ids(con) == []
        assert audit.events(con, "release").num_rows == 0


def test_a_period_s_statuses_only_move_forward() -> None:
    check_sequence("2024", "preliminary", [("2024.1", 1, "preliminary")])
    check_sequence("2024", "revised", [("2024.1", 1, "preliminary")])
    check_sequence("2024", "final", [("2024.1", 1, "preliminary"), ("2024.2", 2, "revised")])
    check_sequence("2024", "final", [])
    with pytest.raises(UsageError, match=r"final release \(2024.2\)"):
        check_sequence("2024", "final", [("2024.1", 1, "preliminary"), ("2024.2", 2, "final")])
    with pytest.raises(UsageError, match="is the last of its period"):
        check_sequence("2024", "revised", [("2024.1", 1, "final")])
    with pytest.raises(UsageError, match="not preliminary"):
        check_sequence(
            "2024", "preliminary", [("2024.1", 1, "preliminary"), ("2024.2", 2, "revised")]
        )


def test_the_command_line_refuses_in_its_own_words(tmp_path: Path) -> None:
    with digex.init(tmp_path / "c.duckdb") as db:
        db.load(write_csv(tmp_path / "bulk.csv", BULK), today=TODAY)
    store = ["--db", tmp_path / "c.duckdb"]
    cases = [
        (["release", "create", "2024", "--status", "draft"], 2,
         "--status draft: a release's status"),
        (["release", "create", "2024", "--status", "preliminary", "--publish-at", "soon"], 2,
         "--publish-at soon is not an ISO date-time"),
        (["release", "create", "2030", "--status", "preliminary"], 1, "2030 has no declarations"),
        (["release", "snapshot", "2024.1"], 2, "holds no release '2024.1'"),
    ]  # fmt: skip
    for args, code, words in cases:
        run = run_here([*args, *store], tmp_path)
        assert run.code == code, run.stderr
        assert words in " ".join(run.stderr.split()), run.stderr
        assert "Traceback" not in run.stderr
    with digex.connect(tmp_path / "c.duckdb", read_only=True) as db, db.store.reading() as con:
        assert rel.ids(con) == []
    assert not (tmp_path / "c.releases").exists()


def test_months_without_data_inside_a_complete_period_are_said_not_refused(small: Digex) -> None:
    # the small store's bulk file has every month of 2023-2024 but March 2024
    with small.store.reading() as con:
        assert check_data(con, parse_period("2023")) == []
        (warning,) = check_data(con, parse_period("2024-Q1"))
    assert warning.startswith("1 month(s) of 2024-Q1 have no declarations")
    assert "incomplete_period" in warning


def test_the_release_commands_import_first_or_second() -> None:
    """Another command module (or a test) may import digex.cli_release before digex.cli."""
    code = "import digex.cli_release, digex.cli; print(digex.cli_release.release_app.info.name)"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr


def test_the_demo_prints_its_releases_as_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    gate = {"cells": 900, "suppressed": 120, "audited": 120, "failed": 0, "lps": 300}
    info = ReleaseInfo(
        "2025-H1.1", "2025-H1", 1, "preliminary", dt.datetime(2025, 8, 4, 8, 30),
        dt.datetime(2025, 8, 8, 9, 0), 41489, 80, "ab" * 32, None,
        gate=gate, timings={"gate": 1.25},
    )  # fmt: skip
    late = LoadResult(81, "declarations", Path("late-2024-12.csv"), "csv", "utf-8", 5, 5, 0)
    print_demo_releases(Released([info], late, 1.5, {"2025-H1.1": []}))
    printed = capsys.readouterr().out
    assert "late file late-2024-12.csv: 5 declarations (load 81)" in printed
    assert "2025-H1.1 │ preliminary │ 2025-08-04 08:30 │ 2025-08-08 09:00 │       41,489" in printed
    assert (
        "gate of 2025-H1.1: passed in 1.25 s (cells 900, suppressed 120, audited 120, failed 0, "
        "lps 300)" in printed
    )
    assert "every release publishes the total and the five segments' levels and shares" in printed
