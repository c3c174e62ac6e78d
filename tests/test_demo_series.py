"""`make demo` (digex.demo.run.make_store) loads the older series with the rest: checked on a
few rows of each file, not on the demo's 78 files (the session's demo store is loaded by
tests/conftest.py on its own)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from tests.conftest import FIRM, write_csv

from digex.demo.generator import OLDER_SERIES, DemoFiles, older_series
from digex.demo.run import make_store


def test_the_demo_store_holds_the_older_series(tmp_path: Path) -> None:
    months = [("D1", "2024-01", FIRM, "ITO", "FR", "EUR", "1000", "X")]
    rates = [("2024-01", "EUR", "10.800000")]
    drawn = older_series(np.random.default_rng(7))
    series = [(OLDER_SERIES, str(y), f"{c // 100}.{c % 100:02d}") for y, c in drawn.items()]
    files = DemoFiles(
        folder=tmp_path,
        declarations=(write_csv(tmp_path / "d.csv", months),),
        rates=write_csv(tmp_path / "r.csv", rates, header=("period", "currency", "rate")),
        jobs=write_csv(
            tmp_path / "j.csv", [("2024", "_T", "1")], header=("year", "segment", "jobs")
        ),
        faults=tmp_path / "faults.csv",
        rows_written=1,
        series=write_csv(tmp_path / "s.csv", series, header=("series", "year", "value")),
    )
    loaded = make_store(tmp_path / "demo.duckdb", files)
    with loaded.store as db:
        assert sorted(r.kind for r in loaded.results) == ["declarations", "jobs", "rates", "series"]
        [older] = [r for r in loaded.results if r.kind == "series"]
        assert (older.rows_accepted, older.rows_rejected) == (len(drawn), 0)
        kept = db.store.con.execute(
            "SELECT year, value FROM current_auxiliary WHERE series = ? ORDER BY year",
            [OLDER_SERIES],
        ).fetchall()
    assert kept == sorted(drawn.items())
