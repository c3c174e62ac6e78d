"""A read-only store reopened for an optional write (keeping computed indicators): another
process taking the file meanwhile makes the write skipped, never the store unusable, and no
thread gets a connection that the reopening closes under it."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from tests.conftest import FIRM, TODAY, write_csv

import digex
from digex.errors import StoreError
from digex.store import store as store_module
from digex.store.store import Store

HOLD = """
import sys, time, duckdb
sys.stdin.readline()
while True:
    try:
        con = duckdb.connect(sys.argv[1])
        break
    except duckdb.IOException:
        time.sleep(0.01)
print("held", flush=True)
sys.stdin.readline()
"""
"""Another process: on a first line, takes the store for writing (as a load's final write
does) as soon as it is free; lets go on a second line."""


@pytest.fixture
def path(tmp_path: Path) -> Path:
    path = tmp_path / "small.duckdb"
    rows = [("D1", "2024-03", FIRM, "ITO", "FR", "MAD", "1000", "X")]
    with digex.init(path) as db:
        db.load(write_csv(tmp_path / "d.csv", rows), today=TODAY)
    return path


@pytest.fixture
def holder(path: Path) -> Iterator[subprocess.Popen[str]]:
    with subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as process:
        yield process
        if process.poll() is None:
            process.communicate("\n\n", timeout=30)


def _take_file_at(
    monkeypatch: pytest.MonkeyPatch, holder: subprocess.Popen[str], *, read_only: bool
) -> None:
    """Let the other process take the file just before this process next opens it with
    `read_only` (the file is closed then), and keep every wait short."""
    real = store_module._connect
    armed = [True]

    def connect(path: Path, *, read_only: bool, wait: float = 10.0) -> duckdb.DuckDBPyConnection:
        if armed and read_only is wanted:
            armed.clear()
            assert holder.stdin is not None
            assert holder.stdout is not None
            holder.stdin.write("go\n")
            holder.stdin.flush()
            assert holder.stdout.readline() == "held\n"
        return real(path, read_only=read_only, wait=min(wait, 0.3))

    wanted = read_only
    monkeypatch.setattr(store_module, "_connect", connect)
    monkeypatch.setattr(store_module, "REOPEN_WAIT", 0.3, raising=False)


def _release(holder: subprocess.Popen[str]) -> None:
    holder.communicate("\n", timeout=30)


def test_the_file_taken_before_the_write_skips_it_and_reads_reconnect(
    path: Path, holder: subprocess.Popen[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process's load takes the file once the store closed it to reopen it for
    writing: the write is skipped (it used to raise StoreError out of `write_briefly` after
    the answer was computed), and once the other process is done the store reads again (it
    used to keep a closed connection: "Connection already closed")."""
    with Store(path, read_only=True) as store:
        _take_file_at(monkeypatch, holder, read_only=False)
        assert not store.write_briefly(lambda s: s.set_meta("seen", "yes"))
        _release(holder)
        assert store.meta("seen") is None
        assert store.read_only
        with store.reading() as con:
            assert con.execute("SELECT count(*) FROM declarations").fetchone() == (1,)


def test_the_file_taken_after_the_write_leaves_it_made_and_reads_reconnect(
    path: Path, holder: subprocess.Popen[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with Store(path, read_only=True) as store:
        _take_file_at(monkeypatch, holder, read_only=True)
        assert store.write_briefly(lambda s: s.set_meta("seen", "yes"))
        _release(holder)
        assert store.meta("seen") == "yes"
        assert store.read_only
        with pytest.raises(StoreError, match="read-only"):
            store.set_meta("again", "no")


def test_nothing_made_during_a_reopening_uses_its_temporary_connection(path: Path) -> None:
    """While a read-only store is open for writing, another thread's engine waits for the
    reopening to end (it used to get a cursor of the temporary writable connection, closed
    under it), and another thread's write is refused as the store is again read-only (it used
    to pass the check during the window and fail in DuckDB afterwards)."""
    results: dict[str, object] = {}
    started = threading.Event()

    with digex.connect(path, read_only=True) as db:

        def engine() -> None:
            started.set()
            results["sources"] = db.store.engine_sources(2)

        def write() -> None:
            try:
                db.store.set_meta("other", "x")
            except Exception as e:
                results["write"] = e

        def work(store: Store) -> None:
            threads = [threading.Thread(target=engine), threading.Thread(target=write)]
            for thread in threads:
                thread.start()
            started.wait(5)
            threads[1].join(0.3)  # the write thread is past its check, or waiting on the lock
            results["threads"] = threads
            store.set_meta("seen", "yes")

        assert db.store.write_briefly(work)
        for thread in results["threads"]:  # type: ignore[attr-defined]
            thread.join(30)
        sources = results["sources"]
        table = sources.backend.table(sources.declarations)  # type: ignore[attr-defined]
        assert table.count().execute() == 1
        assert isinstance(results["write"], StoreError)
        assert "read-only" in str(results["write"])
        assert db.store.meta("seen") == "yes"
