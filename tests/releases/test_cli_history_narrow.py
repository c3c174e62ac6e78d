"""`release list` in a narrow terminal: a number is never cut; columns are left out (and
named) until the table fits, the release id, status, publication time and size staying."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.inprocess import run_here, user_env
from tests.releases.history_store import Obs, put_release, utc

import digex


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two releases of 12,345 and 1,204 observations, by users with long names."""
    path = tmp_path_factory.mktemp("narrow") / "s.duckdb"
    big: list[Obs] = [
        ("LEVEL", "M", "2024-03", "partner", f"P{i}", float(i)) for i in range(12_345)
    ]
    with digex.init(path) as db:
        put_release(db, "2024-H1.1", utc(2025, 3, 2), big, by="amina.benali", note="first")
        put_release(db, "2024-H1.2", utc(2099, 6, 2), big[:1_204], by="youssef.elidrissi")
    return path


@pytest.mark.parametrize("columns", [60, 80, 100, 200])
def test_release_list_never_cuts_a_number(store: Path, columns: int) -> None:
    run = run_here(["release", "list", "--db", store], store.parent, user_env(COLUMNS=str(columns)))
    assert run.code == 0, run.stderr
    lines = run.stdout.splitlines()
    assert max(len(line) for line in lines) <= columns
    rows = {line.split()[0]: line for line in lines if line.startswith("2024-H1.")}
    assert "12,345" in rows["2024-H1.1"].split()
    assert "1,204" in rows["2024-H1.2"].split()
    assert "preliminary" in rows["2024-H1.1"]
    assert "2099-06-02 10:00*" in rows["2024-H1.2"]
    if columns == 200:
        assert "youssef.elidrissi" in rows["2024-H1.2"]
        assert "left out" not in run.stdout
    else:
        assert "left out at this width" in run.stdout
