"""What `release verify` reports: a recomputation that had to use other code lists or another
registry than the frozen ones is skipped, not failed (an untouched release made by another
digex is not "tampered with"), and each failed check says what its failure means."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from tests.conftest import FIRM, TODAY, write_csv
from tests.releases.freeze import hand_made

import digex
from digex.errors import ChecksFailed
from digex.profile import load_profile
from digex.releases.content import frozen_inputs
from digex.releases.verify import Check, Verification, _unless_other_definitions
from digex.store import releases as rel

PUBLISHED = dt.datetime(2025, 3, 1, 9, 0)


def release_made_elsewhere(folder: Path) -> Path:
    """A store with one declaration and release 2024-03.1 as another digex would have made it:
    its figures (one level, by hand) and its frozen registry are not those installed here;
    nothing was changed after it was written."""
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
        "the frozen indicator registry (registry.toml) differs from the installed one, which "
        "the recomputation had to use (with it: the frozen inputs give other figures: "
    )
    assert found.counts["value"] == 1  # still counted and listed, for whoever looks
    assert found.identical
    found.raise_if_failed()  # nothing raised


def test_only_a_failed_recomputation_with_other_definitions_is_skipped() -> None:
    profile = load_profile("MA")
    same = frozen_inputs(profile)
    other = {**same, "codelists.json": "{}", "registry.toml": ""}
    failed = Check("recomputed", False, "the frozen inputs give other figures: 1 value")
    passed = Check("recomputed", True, "all 9 observations recomputed identically")
    assert _unless_other_definitions(failed, same, profile) == failed
    assert _unless_other_definitions(passed, other, profile) == passed
    assert _unless_other_definitions(failed, other, None) == failed  # no profile to compare
    skipped = _unless_other_definitions(failed, other, profile)
    assert skipped.passed is None
    assert skipped.detail.startswith(
        "the frozen code lists (codelists.json) and the indicator registry (registry.toml) "
        "differ from the installed ones"
    )


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
