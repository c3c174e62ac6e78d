"""`digex claims`'s usage errors: exit 2 and one line, before any store is opened."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.inprocess import run_here


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("claims", "text.txt", "--format", "xml"), "--format xml: give table or json"),
        (("claims", "text.txt", "--lang", "de"), "--lang de: give auto, ar, fr or en"),
        (("claims", "missing.txt"), "cannot read the text file missing.txt"),
    ],
    ids=["format", "lang", "missing-file"],
)
def test_usage_errors_exit_2_before_any_store_is_read(
    args: tuple[str, ...], says: str, tmp_path: Path
) -> None:
    (tmp_path / "text.txt").write_text("Exports reached 26.2 billion dirhams in 2024.\n")
    got = run_here([*args, "--db", str(tmp_path / "none.duckdb")], cwd=tmp_path)
    assert got.code == 2, got.stderr
    assert says in got.stderr
    assert len(got.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "none.duckdb").exists()
