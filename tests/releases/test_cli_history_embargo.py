"""A release under embargo is a staff-only view in `release show` and `release diff` as in
`indicators --release`: refused (exit code 1, naming --embargoed) unless asked for."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.inprocess import run_here
from tests.releases.history_store import build_pair, shared

from digex.api import Digex
from digex.errors import NotPublished


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return shared(build_pair, tmp_path_factory)  # 2025.1: under embargo until 2099-03-01


def test_the_api_refuses_an_embargoed_release_unless_asked(pair: Path) -> None:
    with Digex.open(pair, read_only=True) as db:
        with pytest.raises(NotPublished, match=r"2025\.1 is under embargo until 2099-03-01"):
            db.release("2025.1")
        for old, new in (("2024.2", "2025.1"), ("2025.1", "2024.1")):
            with pytest.raises(NotPublished, match=r"release 2025\.1 is under embargo"):
                db.release_diff(old, new)
        assert db.release("2025.1", embargoed=True).metadata["embargoed"] is True
        staff = db.release_diff("2024.2", "2025.1", embargoed=True)
        assert list(staff.rows["presence"]) == ["vanished"] * 6  # 2025.1 holds one of 7
        assert db.release("2024.2").metadata["embargoed"] is False  # published: no flag needed


@pytest.mark.parametrize(
    "command", [("release", "show", "2025.1"), ("release", "diff", "2024.2", "2025.1")]
)
def test_the_command_line_asks_for_embargoed(pair: Path, command: tuple[str, ...]) -> None:
    refused = run_here([*command, "--db", pair], pair.parent)
    said = " ".join(refused.stderr.split())
    assert refused.code == 1, said
    assert "under embargo until 2099-03-01 10:00 UTC" in said
    assert "--embargoed set" in said
    staff = run_here([*command, "--embargoed", "--db", pair], pair.parent)
    assert staff.code == 0, staff.stderr
    assert "2025.1" in staff.stdout
