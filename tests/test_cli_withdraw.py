"""`digex withdraw ID --reason TEXT`: the command line over `Digex.withdraw`."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import FIRM, write_csv
from tests.inprocess import Run, run_here

ROWS = [("A1", "2024-03", FIRM, "ITO", "FR", "MAD", "1000", "X")]


def digex(*args: str | Path, cwd: Path) -> Run:
    return run_here(args, cwd)


def test_withdraw_from_the_command_line(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    assert digex("init", "--db", db, cwd=tmp_path).code == 0
    load = digex("load", write_csv(tmp_path / "d.csv", ROWS), "--db", db, cwd=tmp_path)
    assert load.code == 0, load.stderr

    done = digex("withdraw", "1", "--reason", "wrong month", "--db", db, cwd=tmp_path)
    assert done.code == 0, done.stderr
    assert "load 1 (d.csv) withdrawn" in done.stdout

    from digex.api import Digex

    with Digex.open(db, read_only=True) as store:
        log = store.loads().iloc[0]
        assert (log["status"], log["withdraw_reason"]) == ("withdrawn", "wrong month")
        assert store.declarations().empty

    log_out = digex("loads", "--db", db, cwd=tmp_path)
    assert log_out.code == 0, log_out.stderr
    assert "withdrawn" in log_out.stdout.split("load 1 withdrawn")[0]  # the status cell
    assert ": wrong month" in log_out.stdout

    again = digex("withdraw", "1", "--reason", "twice", "--db", db, cwd=tmp_path)
    assert again.code == 1
    assert "already withdrawn" in again.stderr
    assert "Traceback" not in again.stderr
    unknown = digex("withdraw", "7", "--reason", "typo", "--db", db, cwd=tmp_path)
    assert unknown.code == 1
    assert "no load 7" in unknown.stderr
    no_reason = digex("withdraw", "1", "--db", db, cwd=tmp_path)
    assert no_reason.code == 2  # a usage error: --reason is required
    empty = digex("withdraw", "1", "--reason", " ", "--db", db, cwd=tmp_path)
    assert empty.code == 2
