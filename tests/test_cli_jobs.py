"""`digex load --jobs`: the auxiliary jobs series through the command line."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pandas as pd
from tests.conftest import write_csv
from tests.inprocess import run_here


def run(*args: str | Path) -> str:
    return run_here(args, Path.cwd()).ok().stdout


def test_jobs_file_loads_and_feeds_the_jobs_indicators(tmp_path: Path) -> None:
    db = tmp_path / "j.duckdb"
    jobs = write_csv(
        tmp_path / "jobs.csv",
        [("2024", "ITO", "100"), ("2024", "CRM", "50"), ("2024", "KPO", "x")],
        header=("year", "segment", "jobs"),
    )
    decl = write_csv(
        tmp_path / "d.csv",
        [("D1", "2024-03", "001234567000089", "ITO", "FR", "MAD", "1500", "X")],
    )
    run("init", "--db", db)
    out = run("load", decl, "--jobs", jobs, "--db", db)
    assert "jobs.csv" in out
    frame = pd.read_csv(
        StringIO(run("indicators", "-p", "2024", "-i", "JOBS", "-f", "csv", "--db", db))
    )
    assert frame["value"].tolist() == [150]  # the bad KPO row was rejected, not counted
