"""`digex withdraw ID --reason TEXT`: the command line over `Digex.withdraw`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import FIRM, write_csv

DIGEX = Path(sys.executable).with_name("digex")
ROWS = [("A1", "2024-03", FIRM, "ITO", "FR", "MAD", "1000", "X")]


def digex(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DIGEX_DB"} | {"COLUMNS": "200"}
    return subprocess.run(
        [str(DIGEX), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env=env,
        check=False,
    )


def test_withdraw_from_the_command_line(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    assert digex("init", "--db", db, cwd=tmp_path).returncode == 0
    load = digex("load", write_csv(tmp_path / "d.csv", ROWS), "--db", db, cwd=tmp_path)
    assert load.returncode == 0, load.stderr

    done = digex("withdraw", "1", "--reason", "wrong month", "--db", db, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "load 1 (d.csv) withdrawn" in done.stdout

    from digex.api import Digex

    with Digex.open(db, read_only=True) as store:
        log = store.loads().iloc[0]
        assert (log["status"], log["withdraw_reason"]) == ("withdrawn", "wrong month")
        assert store.declarations().empty

    log_out = digex("loads", "--db", db, cwd=tmp_path)
    assert log_out.returncode == 0, log_out.stderr
    assert "withdrawn" in log_out.stdout.split("load 1 withdrawn")[0]  # the status cell
    assert ": wrong month" in log_out.stdout

    again = digex("withdraw", "1", "--reason", "twice", "--db", db, cwd=tmp_path)
    assert again.returncode == 1
    assert "already withdrawn" in again.stderr
    assert "Traceback" not in again.stderr
    unknown = digex("withdraw", "7", "--reason", "typo", "--db", db, cwd=tmp_path)
    assert unknown.returncode == 1
    assert "no load 7" in unknown.stderr
    no_reason = digex("withdraw", "1", "--db", db, cwd=tmp_path)
    assert no_reason.returncode == 2  # a usage error: --reason is required
    empty = digex("withdraw", "1", "--reason", " ", "--db", db, cwd=tmp_path)
    assert empty.returncode == 2
