"""Another process reads the store while `digex load` checks a large file.

The load holds the store for writing only at its start (reading what the checks need) and for
its final transaction; while it checks the file, a query from another process answers at once,
with the store as it was before the load, and the load then commits.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from tests.conftest import FIRM, write_csv

import digex
from digex.store.store import LOCK_WAIT

pytestmark = pytest.mark.slow

DIGEX = Path(sys.executable).with_name("digex")
N_ROWS = 800_000
"""About 45 MB of CSV: checking it takes a few seconds (2 vCPUs)."""
DEADLINE = 120.0
SMALL = [("S1", "2024-01", FIRM, "ITO", "FR", "MAD", "1000.50", "X")]


def _big_csv(path: Path) -> Path:
    with duckdb.connect() as con:
        con.execute(
            f"""COPY (SELECT 'D' || i AS declaration_id, '2024-02' AS period,
                        '{FIRM}' AS firm_id, 'ITO' AS segment, 'FR' AS partner,
                        'MAD' AS currency, CAST(i % 997 + 1 AS VARCHAR) || '.25' AS amount,
                        'X' AS flow
                 FROM range({N_ROWS}) t(i)) TO '{path}' (HEADER, DELIMITER ',')"""
        )
    return path


def test_a_query_made_while_a_load_checks_its_file_answers_at_once(tmp_path: Path) -> None:
    """Asked while the loading process reads and checks the file (its longest phase)."""
    db_path = tmp_path / "store.duckdb"
    with digex.init(db_path) as db:
        db.load(write_csv(tmp_path / "small.csv", SMALL))
    big = _big_csv(tmp_path / "big.csv")
    env = {k: v for k, v in os.environ.items() if k != "DIGEX_DB"}
    env["NO_COLOR"] = "1"
    proc = subprocess.Popen(
        [str(DIGEX), "load", str(big), "--db", str(db_path), "--no-indicators"],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert proc.stderr is not None
        start = time.monotonic()
        seen = []
        # in a pipe the load prints a line as a stage begins (one a second at most): wait for
        # it to read or check the file (the store was read before, and is written after)
        while not (seen and seen[-1].endswith((b": reading\n", b": checking\n"))):
            line = proc.stderr.readline()
            assert line, f"the load ended before checking: {b''.join(seen)!r}"
            seen.append(line)
            assert time.monotonic() - start < DEADLINE
        asked = time.monotonic()
        with digex.connect(db_path, read_only=True) as db:
            loads = db.loads(output="arrow").to_pylist()
            # timed: opening the store and the query (not importing pandas, below)
            answered = time.monotonic() - asked
            held = len(db.declarations())
        during = proc.poll() is None
        stdout, stderr = proc.communicate(timeout=DEADLINE)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, stderr
    assert during, "the load had ended before the query was answered: make N_ROWS larger"
    # at once (the store was not held), well under the wait for a busy store (LOCK_WAIT)
    assert answered < LOCK_WAIT / 2, answered
    assert [r["file_name"] for r in loads] == ["small.csv"]  # the store before the load
    assert held == 1
    with digex.connect(db_path, read_only=True) as db:
        after = db.loads(output="arrow").to_pylist()
        assert [(r["file_name"], r["rows_accepted"]) for r in after] == [
            ("small.csv", 1),
            ("big.csv", N_ROWS),
        ]
        assert len(db.declarations()) == N_ROWS + 1
    assert b"loaded in" in stdout
