"""`release verify`: a release passes while its rows are those it was made with, whatever the
store went through since, and fails when its rows (or the history it names) were changed
outside digex, even when the hash was rewritten with them."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from tests.conftest import FIRM, TODAY, write_csv
from tests.inprocess import run_here

import digex
from digex.api import Digex
from digex.errors import ChecksFailed, UnknownRelease
from digex.releases.snapshot import folder
from digex.releases.verify import Verification
from digex.store import releases

RATES = ("period", "currency", "rate")
MARCH = [
    ("A1", "2024-03", FIRM, "ITO", "FR", "EUR", "1000.25", "X"),
    ("A2", "2024-03", FIRM, "CRM", "US", "MAD", "500", "X"),
    ("A3", "2024-03", FIRM, "BPO", "FR", "MAD", "80", "M"),
]
A_YEAR_EARLIER = [("B1", "2023-03", FIRM, "ITO", "FR", "MAD", "900", "X")]
NOW = dt.datetime(2025, 4, 10, 9, 0)
RID = "2024-03.1"
KEY = "indicator = 'LEVEL' AND cut = 'total' AND period = '2024-03' AND flow = 'X'"


def passed(found: Verification) -> dict[str, bool | None]:
    return {c.name: c.passed for c in found.checks}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Verification]:
    """A release of 2024-03 verified at once, then the store changed in every way it can be
    (a late file, a replaced month, a withdrawal, a rates correction); the store's path and the
    first verification."""
    d = tmp_path_factory.mktemp("verify")
    with digex.init(d / "s.duckdb") as db:
        rates = [("2024-03", "EUR", "10.8")]
        *_, march = db.load(
            [write_csv(d / "old.csv", A_YEAR_EARLIER), write_csv(d / "march.csv", MARCH)],
            rates=write_csv(d / "r.csv", rates, header=RATES),
            today=TODAY,
        )
        info = db.create_release("2024-03", "preliminary", now=NOW)
        assert info.release_id == RID
        first = db.verify_release(RID)
        late = [("L1", "2024-03", FIRM, "ITO", "MA", "MAD", "50", "X")]
        db.load(write_csv(d / "late.csv", late), today=TODAY)
        fixed = [(*row[:6], "2000", row[7]) if row[0] == "A1" else row for row in MARCH]
        db.load(write_csv(d / "fixed.csv", fixed), replace=march.load_id, today=TODAY)
        [wrong] = db.load(write_csv(d / "wrong.csv", [("W", *late[0][1:])]), today=TODAY)
        db.withdraw(wrong.load_id, reason="not ours")
        new_rates = write_csv(d / "r2.csv", [("2024-03", "EUR", "11.2")], header=RATES)
        db.load(rates=new_rates, today=TODAY)
    return d / "s.duckdb", first


def test_an_untouched_release_passes_then_and_after_every_later_change(
    store: tuple[Path, Verification],
) -> None:
    path, first = store
    assert first.identical
    assert passed(first) == {"hash": True, "recomputed": True, "snapshot": True}
    assert first.counts == {}
    assert first.differences == ()
    first.raise_if_failed()  # nothing raised
    assert "observations recomputed identically" in first.checks[1].detail
    # after the changes, through the command line (which exits 0)
    r = run_here(["release", "verify", RID, "--db", path], path.parent)
    assert r.code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert [line.split()[:2] for line in lines[:3]] == [
        ["hash", "ok"], ["recomputed", "ok"], ["snapshot", "ok"]
    ]  # fmt: skip
    assert lines[-1] == f"release {RID} verified: identical"


def copy(store: tuple[Path, Verification], tmp_path: Path) -> Path:
    """The store and its snapshot files, copied to change them."""
    path, _ = store
    target = tmp_path / path.name
    shutil.copy(path, target)
    shutil.copytree(folder(path), folder(target))
    return target


def test_a_value_changed_with_sql_fails_the_hash_and_the_recomputation(
    store: tuple[Path, Verification], tmp_path: Path
) -> None:
    path = copy(store, tmp_path)
    with digex.connect(path) as db:
        with db.store.write() as con:
            con.execute(f"UPDATE release_observations SET value = 11302.71 WHERE {KEY}")
        found = db.verify_release(RID)
    assert passed(found) == {"hash": False, "recomputed": False, "snapshot": True}
    assert found.counts == {"value": 1}
    [diff] = found.differences
    assert diff.key == ("LEVEL", "M", "2024-03", "total", "_T", "X")
    assert (diff.kind, diff.released, diff.recomputed) == ("value", "11302.71", "11302.7")
    with pytest.raises(ChecksFailed, match=rf"release {RID} failed verification \(hash, rec"):
        found.raise_if_failed()


def test_rows_and_hash_rewritten_together_fail_the_recomputation(
    store: tuple[Path, Verification], tmp_path: Path
) -> None:
    path = copy(store, tmp_path)
    with digex.connect(path) as db:
        with db.store.write() as con:
            con.execute(f"UPDATE release_observations SET value = 99 WHERE {KEY}")
            con.execute("DELETE FROM release_observations WHERE indicator = 'FIRMS' AND freq = 'M'")
            forged = releases.content_hash(con, RID)
            con.execute(f"UPDATE releases SET content_hash = '{forged}' WHERE release_id = '{RID}'")
        found = db.verify_release(RID, shown=3)
    # the rows give the (rewritten) hash, the snapshot keeps the one the release was made with
    assert passed(found) == {"hash": True, "recomputed": False, "snapshot": False}
    assert found.counts["value"] == 1
    assert found.counts["only recomputed"] >= 2  # FIRMS of some cuts
    assert len(found.differences) == 3


def test_history_changed_under_a_release_fails_the_recomputation(
    store: tuple[Path, Verification], tmp_path: Path
) -> None:
    """The release's own rows untouched, a declaration it was computed from deleted."""
    path = copy(store, tmp_path)
    with digex.connect(path) as db:
        with db.store.write() as con:
            con.execute("DELETE FROM declarations WHERE declaration_id = 'A2'")
        found = db.verify_release(RID, shown=10_000)
    assert passed(found) == {"hash": True, "recomputed": False, "snapshot": True}
    [diff] = [
        d for d in found.differences if d.key[0] == "LEVEL" and d.key[3:] == ("total", "_T", "X")
    ]
    assert (diff.released, diff.recomputed) == ("11302.7", "10802.7")


def test_the_command_line_says_each_check_and_exits_3_on_a_failure_1_when_unknown(
    store: tuple[Path, Verification], tmp_path: Path
) -> None:
    path, _ = store
    changed = copy(store, tmp_path)
    shutil.rmtree(folder(changed))
    with digex.connect(changed) as db, db.store.write() as con:
        con.execute(f"UPDATE release_observations SET value = NULL WHERE {KEY}")
    r = run_here(["release", "verify", RID, "--db", changed], tmp_path)
    assert r.code == 3
    out = " ".join(r.stdout.split())
    assert "hash FAILED" in out
    assert "recomputed FAILED the frozen inputs give other figures: 1 value" in out
    assert "snapshot skipped no snapshot file" in out
    assert "LEVEL │ M │ 2024-03 │ total │ _T │ X │ value │ - │ 11302.7" in out
    assert " ".join(r.stderr.split()).startswith(f"error: release {RID} failed verification")
    r = run_here(["release", "verify", "2031.1", "--db", path], tmp_path)
    assert r.code == 1
    assert "no release '2031.1'" in r.stderr


def test_an_unknown_release_is_an_error(store: tuple[Path, Verification]) -> None:
    with digex.connect(store[0], read_only=True) as db, pytest.raises(UnknownRelease):
        db.verify_release("2024-03.9")


def test_digex_offers_no_way_to_change_a_release(store: tuple[Path, Verification]) -> None:
    """The API has readers and creators of releases, nothing that changes one."""
    names = [n for n in dir(Digex) if "release" in n]
    assert not [n for n in names if n.split("_")[0] in {"update", "edit", "delete", "set"}]
