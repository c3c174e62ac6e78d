"""`release verify`: a release passes while its rows are those it was made with, whatever the
store went through since, and fails when its rows (or the history it names) were changed
outside digex, even when the hash was rewritten with them."""

from __future__ import annotations

import datetime as dt
import math
import shutil
from pathlib import Path

import duckdb
import pytest
from tests.conftest import FIRM, TODAY, write_csv
from tests.inprocess import run_here
from tests.releases.freeze import freeze, hand_made

import digex
from digex.api import Digex
from digex.errors import ChecksFailed, UnknownRelease
from digex.profile import load_profile
from digex.releases.content import frozen_inputs
from digex.releases.snapshot import folder
from digex.releases.verify import (
    Verification,
    _notes,
    _recomputed_check,
    _snapshot_check,
)
from digex.store import releases, vintage

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
    # the rows give the (rewritten) hash; the snapshot still gives the public view's hash
    # recorded when the release was made (the forger did not rewrite that one)
    assert passed(found) == {"hash": True, "recomputed": False, "snapshot": True}
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


def test_a_snapshot_that_cannot_be_read_fails_its_check(tmp_path: Path) -> None:
    missing = _snapshot_check(tmp_path / "none.duckdb", RID, "ab")
    assert (missing.passed, missing.detail.startswith("no snapshot file")) == (None, True)
    garbage = tmp_path / "garbage.duckdb"
    garbage.write_bytes(b"not a database" * 100)
    assert _snapshot_check(garbage, RID, "ab").passed is False
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    found = _snapshot_check(empty, RID, "ab")
    assert (found.passed, "cannot be read as a snapshot" in found.detail) == (False, True)


def test_inputs_that_differ_from_the_frozen_ones_are_noted() -> None:
    profile = load_profile("MA")
    frozen = frozen_inputs(profile)
    assert _notes(frozen, profile, digex.__version__) == []
    older = {**frozen, "codelists.json": '{"version": "0"}'}
    [codelists, version] = _notes(older, profile, "0.0.1")
    assert "code lists installed differ" in codelists
    assert "made by digex 0.0.1" in version


def test_one_ulp_is_a_difference_for_every_indicator(tmp_path: Path) -> None:
    """Compared by hand-made rows: an HHI, a top share or a EUR level one ulp away is a
    difference, as a level is (the engine's figures are exact sums: no allowance)."""
    hhi, level = 0.1 + 0.2, 26_170_000_000.0
    released = [("HHI_FIRMS", "2024", hhi), ("LEVEL", "2024", level), ("HHI_PARTNERS", "2024", 0.5)]
    released += [("LEVEL_EUR", "2024", 3.0), ("TOP5_FIRMS", "2024", 40.0)]
    recomputed = hand_made(
        [
            ("HHI_FIRMS", "2024", math.nextafter(hhi, 1)),
            ("LEVEL", "2024", math.nextafter(level, 0)),
            ("HHI_PARTNERS", "2024", 0.5),
            ("LEVEL_EUR", "2024", math.nextafter(3.0, 4)),
            ("TOP5_FIRMS", "2024", 40.0),
        ]
    )
    with digex.init(tmp_path / "s.duckdb") as db:
        rid = freeze(db, "2024", hand_made(released))
        with db.store.reading() as con:
            con.register("again", recomputed)
            found = vintage.compare(con, rid, "again", 10)
    counts, first = found.counts, found.first
    assert counts == {"value": 3}
    assert [(row[0], row[6]) for row in first] == [
        ("HHI_FIRMS", "value"), ("LEVEL", "value"), ("LEVEL_EUR", "value")
    ]  # fmt: skip
    assert _recomputed_check({}, 9).passed is True
    assert _recomputed_check(counts, 9).passed is False


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("DELETE FROM release_inputs WHERE name = 'profile.toml'", "no profile.toml"),
        (
            "UPDATE release_inputs SET content = 'code = ' WHERE name = 'profile.toml'",
            "Invalid value",
        ),
    ],
)
def test_a_frozen_profile_taken_away_fails_the_recomputation_without_a_traceback(
    store: tuple[Path, Verification], tmp_path: Path, change: str, reason: str
) -> None:
    path = copy(store, tmp_path)
    with digex.connect(path) as db:
        with db.store.write() as con:
            con.execute(change)
        found = db.verify_release(RID)
    assert passed(found) == {"hash": False, "recomputed": False, "snapshot": True}
    detail = found.checks[1].detail
    assert detail.startswith("the release's frozen profile cannot be read (")
    assert reason in detail
