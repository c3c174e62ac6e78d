"""The command line in a real terminal: a pseudo-terminal, so that Rich draws its progress bars
and colours as it does for a person (in a pipe, as the other CLI tests run it, it draws none).

A progress bar that could not render crashed `digex demo` and every `digex load` in a terminal
while every piped test passed; these tests are the ones that would have caught it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb
import pytest
from tests.conftest import DEMO_ROWS, FIRM, DemoReleases, write_csv
from tests.inprocess import run_here
from tests.terminal import in_terminal

import digex


def test_load_in_a_terminal_draws_its_bar_and_stores(tmp_path: Path) -> None:
    rows = [(f"T{i}", "2024-03", FIRM, "ITO", "FR", "MAD", f"{100 + i}", "X") for i in range(50)]
    write_csv(tmp_path / "decl.csv", rows)
    db = tmp_path / "t.duckdb"
    digex.init(db).close()
    code, text = in_terminal(["load", "decl.csv", "--no-indicators", "--db", str(db)], cwd=tmp_path)
    assert code == 0, text
    assert "Traceback" not in text
    assert "file(s)" in text  # the bar was drawn at least once
    assert "\x1b[" in text  # as a terminal: control sequences, colours
    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute("SELECT count(*) FROM current_declarations").fetchone()
    assert row == (50,)


@pytest.mark.slow
def test_demo_in_a_terminal(demo_releases: DemoReleases) -> None:
    """`make demo` as a new user runs it: in a terminal, to its end, the store filled. The run
    is the session's `demo_releases` (`digex demo` at the tests' size on a pseudo-terminal,
    made once and shared by every test of the demo's releases): here, what it drew."""
    text = demo_releases.transcript
    assert "Traceback" not in text
    assert "SYNTHETIC DEMO DATA" in text
    assert "\x1b[" in text  # drawn as in a terminal: control sequences, colours
    # a release's steps are named as they run, each with its time (a spinner alone for the
    # tens of seconds of a release's disclosure control looked hung, and a session was killed)
    flat = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)
    assert "2024 (preliminary): disclosure: choosing complements for" in flat
    assert "2025-H1 (preliminary): seasonal adjustment and nowcast" in flat
    assert re.search(r"disclosure: the release gate's LPs +\d:\d\d:\d\d", flat)
    # it ends by publishing the 2024 and 2025-H1 releases, and says where
    for rid in ("2024.2", "2025-H1.1"):
        assert (demo_releases.folder / "publication" / rid / "manifest.json").is_file()
        assert f"publication/{rid}" in text
    with duckdb.connect(str(demo_releases.store), read_only=True) as con:
        row = con.execute(
            f"SELECT count(*) > {DEMO_ROWS * 3 // 4} FROM current_declarations"
        ).fetchone()
    assert row == (True,)


def test_load_in_a_pipe_says_each_stage(tmp_path: Path) -> None:
    """Where no bar can be drawn (a pipe, a log), a long load still says what it is doing.
    (Run in-process: stderr is then a plain text stream, as a pipe is.)"""
    rows = [(f"P{i}", "2024-03", FIRM, "ITO", "FR", "MAD", "100", "X") for i in range(20)]
    write_csv(tmp_path / "decl.csv", rows)
    env = {k: v for k, v in os.environ.items() if k != "DIGEX_DB"}
    digex.init(tmp_path / "p.duckdb").close()
    args = ["load", "decl.csv", "--no-indicators", "--db", tmp_path / "p.duckdb"]
    r = run_here(args, tmp_path, env)
    assert r.code == 0, r.stderr
    assert "decl.csv: reading" in r.stderr
    assert "done" in r.stderr
    assert "\x1b[" not in r.stderr
