"""What `release verify` reports: a recomputation that had to use the installed code lists or
registry for frozen copies it could not read is skipped, not failed (an untouched release made
by another digex is not "tampered with"), and each failed check says what its failure means."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from tests.conftest import FIRM, TODAY, write_csv
from tests.inprocess import run_here
from tests.releases.freeze import hand_made

import digex
from digex.errors import ChecksFailed
from digex.releases.content import frozen_inputs
from digex.releases.verify import (
    Check,
    Verification,
    _unless_other_definitions,
    frozen_definitions,
)
from digex.store import releases as rel

PUBLISHED = dt.datetime(2025, 3, 1, 9, 0)


def release_made_elsewhere(folder: Path) -> Path:
    """A store with one declaration and release 2024-03.1 as another digex would have made it:
    its figures (one level, by hand) are not those installed here, and its frozen registry is
    in a format this digex cannot read; nothing was changed after it was written."""
    row = ("A", "2024-03", FIRM, "ITO", "FR", "MAD", "2000", "X")
    with digex.init(folder / "s.duckdb") as db:
        db.load(write_csv(folder / "d.csv", [row]), today=TODAY)
        inputs = {**frozen_inputs(db.profile), "registry.toml": "# the registry of digex 0.9\n"}
        release = rel.Release(
            "2024-03.1", "2024-03", "M", 1, "preliminary", None, PUBLISHED, "test", PUBLISHED,
            "0.9", db.profile.code, db.profile.version, db.profile.digest, "test", 1, None,
        )  # fmt: skip
        rows = hand_made([("LEVEL", "2024-03", 1999.0)]).assign(freq="M")
        with db.store.write() as con:
            con.register("obs", rows)
            try:
                rel.insert(con, release, inputs, "obs")
            finally:
                con.unregister("obs")
        return db.path


def test_a_release_frozen_with_another_registry_is_not_failed(tmp_path: Path) -> None:
    path = release_made_elsewhere(tmp_path)
    with digex.connect(path, read_only=True) as db:
        found = db.verify_release("2024-03.1")
    assert {c.name: c.passed for c in found.checks} == {
        "hash": True,
        "recomputed": None,
        "snapshot": None,
    }
    detail = found.checks[1].detail
    assert detail.startswith(
        "the frozen indicator registry (registry.toml) cannot be used (registry.toml: the "
        "registry needs a `version` string"
    )
    assert "so the recomputation used the installed ones (with them: the frozen inputs " in detail
    assert detail.endswith("; verify with the digex version that made the release")
    assert found.counts["value"] == 1  # still counted and listed, for whoever looks
    assert found.identical
    found.raise_if_failed()  # nothing raised
    # the command's last line claims no more than was checked
    r = run_here(["release", "verify", "2024-03.1", "--db", path], tmp_path)
    assert r.code == 0, r.stderr
    last = r.stdout.strip().splitlines()[-1]
    assert last == (
        "release 2024-03.1: no check failed, but not verified whole (recomputed skipped: see above)"
    )


def test_only_a_failed_recomputation_with_unreadable_definitions_is_skipped() -> None:
    unreadable = (
        ("codelists.json", "code lists", "no table of code lists by name"),
        ("registry.toml", "indicator registry", "not valid TOML"),
    )
    failed = Check("recomputed", False, "the frozen inputs give other figures: 1 value")
    passed = Check("recomputed", True, "all 9 observations recomputed identically")
    assert _unless_other_definitions(failed, ()) == failed  # the frozen copies were used
    assert _unless_other_definitions(passed, unreadable) == passed
    skipped = _unless_other_definitions(failed, unreadable)
    assert skipped.passed is None
    assert skipped.detail.startswith(
        "the frozen code lists (codelists.json) and the indicator registry (registry.toml) "
        "cannot be used either (codelists.json: no table of code lists by name; "
        "registry.toml: not valid TOML)"
    )


@pytest.mark.parametrize(
    ("copies", "cannot"),
    [
        ({}, []),  # a release made before the copies were frozen: the installed ones
        ({"codelists.json": "{}"}, ["codelists.json"]),
        ({"codelists.json": '{"codelists": {"ebops": []}}'}, ["codelists.json"]),
        ({"registry.toml": "version = "}, ["registry.toml"]),
        ({"registry.toml": 'version = "1"'}, ["registry.toml"]),
    ],
)
def test_frozen_copies_that_cannot_be_read_are_named(
    copies: dict[str, str], cannot: list[str]
) -> None:
    found = frozen_definitions({"profile.toml": "", **copies}, "2024.1")
    assert [name for name, _, _ in found.unreadable] == cannot
    assert found.registry is None
    assert found.mappings is None


def verification(**passed: bool | None) -> Verification:
    checks = tuple(Check(name, ok, "") for name, ok in passed.items())
    return Verification("2024.1", checks, (), {})


@pytest.mark.parametrize(
    ("passed", "said", "not_said"),
    [
        (
            {"hash": False, "recomputed": True, "snapshot": True},
            r"\(hash\): its rows changed since it was made .*; restore the store from a backup",
            "figures",
        ),
        (
            {"hash": True, "recomputed": False, "snapshot": None},
            r"\(recomputed\): its figures are not what its frozen inputs give",
            "changed since it was made",
        ),
        (
            {"hash": True, "recomputed": True, "snapshot": False},
            r"\(snapshot\): its snapshot file differs from the store \(the store may be fine\); "
            r"the store's rows passed: .*`digex release snapshot 2024\.1`",
            "restore the store",
        ),
        (
            {"hash": False, "recomputed": False, "snapshot": False},
            r"\(hash, recomputed, snapshot\): its rows changed.*; its figures.*; its snapshot "
            r"file.*; restore the store from a backup",
            "digex release snapshot",
        ),
    ],
)
def test_the_failure_says_what_failed(
    passed: dict[str, bool | None], said: str, not_said: str
) -> None:
    with pytest.raises(ChecksFailed, match=r"^release 2024\.1 failed verification " + said) as e:
        verification(**passed).raise_if_failed()
    assert not_said not in str(e.value)
