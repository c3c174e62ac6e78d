"""The engine streams large files: Python's own memory does not grow with the file."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import duckdb
import pytest

import digex


def big_csv(path: Path, rows: int) -> Path:
    duckdb.connect().execute(
        f"""COPY (SELECT 'D' || i AS declaration_id, '2024-0' || (1 + i % 9) AS period,
                  lpad(CAST(i % 997 AS VARCHAR), 15, '0') AS firm_id, 'ITO' AS segment,
                  'FR' AS partner, 'MAD' AS currency, (i % 1000) + 0.5 AS amount, 'X' AS flow
            FROM range({rows}) t(i)) TO '{path}' (HEADER)"""
    )
    return path


@pytest.mark.slow
def test_python_memory_does_not_grow_with_the_file(tmp_path: Path) -> None:
    peaks = {}
    for rows in (100_000, 1_000_000):
        db = digex.init(tmp_path / f"m{rows}.duckdb")
        f = big_csv(tmp_path / f"big{rows}.csv", rows)
        tracemalloc.start()
        [result] = db.load(f)
        _, peaks[rows] = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        db.close()
        assert result.rows_accepted == rows
    # ten times the rows, not ten times the Python memory (the rows live in the engine)
    assert peaks[1_000_000] < 2 * peaks[100_000] + 1_000_000, peaks
