"""One store shared by threads (a web server answering while a load runs): every answer is the
store before the load or after it, never a mix and never an error.

Eight threads ask for the load log, the rejected rows, the declarations and indicators (kept
ones, and one computed while the load commits) through one `Digex`, while another thread loads
a file through the same object. The answers expected before and after are computed alone
beforehand, on copies of the store.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from tests.conftest import FIRM, TODAY, write_csv

import digex
from digex.api import Digex
from digex.store import Store
from digex.store.queries import load_log

RUNS = int(os.environ.get("DIGEX_CONCURRENCY_RUNS", "5"))
"""Runs in a row: the issue's 20 (`DIGEX_CONCURRENCY_RUNS=20`, about 2-4 minutes here) were run
when the model was made; `make test` runs 5 to stay within its time budget."""
READERS = 8
FIRST = [
    (f"A{m}{s}", f"2024-{m:02d}", FIRM, s, p, "MAD", f"{1000 * m + len(s)}.25", "X")
    for m in range(1, 13)
    for s, p in (("ITO", "FR"), ("BPO", "US"))
] + [("BAD1", "2024-01", FIRM, "XYZ", "FR", "MAD", "5", "X")]
LATER = [
    (f"B{m}", f"2024-{m:02d}", FIRM, "KPO", "ES", "MAD", f"{700 + m}", "X") for m in range(1, 13)
] + [("BAD2", "2024-02", FIRM, "ITO", "ZZ", "MAD", "9", "X")]
LOG_COLUMNS = ["load_id", "kind", "file_name", "rows_read", "rows_accepted", "status"]
KEPT = {"period": "2024", "by": "segment", "flow": ["X", "M"]}
COMPUTED = {"period": "2024-H1", "by": "partner", "indicators": ["LEVEL", "SHARE"]}


def questions(db: Digex) -> dict[str, Callable[[], pa.Table]]:
    """What the threads ask, each as the Arrow table it answers."""
    return {
        "loads": lambda: db.loads(output="arrow").select(LOG_COLUMNS),
        "rejects": lambda: db.rejects(output="arrow"),
        "declarations": lambda: db.declarations(output="arrow").sort_by("declaration_id"),
        "kept": lambda: db.indicators(**KEPT, output="arrow"),  # type: ignore[arg-type]
    }


def answers(path: Path) -> dict[str, pa.Table]:
    with digex.connect(path) as db:
        found = {name: ask() for name, ask in questions(db).items()}
        found["computed"] = db.indicators(**COMPUTED, output="arrow")  # type: ignore[arg-type]
    return found


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, Any]]:
    """A store with one load and the kept answer of both states, the later file, and the
    answers before and after loading it."""
    folder = tmp_path_factory.mktemp("shared")
    later = write_csv(folder / "later.csv", LATER)
    base = folder / "base.duckdb"
    with digex.init(base) as db:
        db.load(write_csv(folder / "first.csv", FIRST), today=TODAY)
    after = Path(shutil.copy(base, folder / "after.duckdb"))
    with digex.connect(after) as db:
        db.load(later, today=TODAY)
    expected = {"before": answers(base), "after": answers(after)}
    # the kept answer of the later state is in the store before the load, as a load followed
    # by `precompute` leaves it: both states are then answered from the cache
    with digex.connect(base) as db:
        con = db.store.con
        con.execute(f"ATTACH '{after}' AS later (READ_ONLY)")
        con.execute("INSERT INTO indicator_cache SELECT * FROM later.indicator_cache")
        con.execute(
            "INSERT INTO indicator_cache_requests SELECT * FROM later.indicator_cache_requests"
        )
        # only the kept answer: the computed one is computed in each run
        con.execute("DELETE FROM indicator_cache WHERE cut <> 'segment'")
        con.execute("DELETE FROM indicator_cache_requests WHERE request NOT LIKE '%|segment|%'")
        con.execute("DETACH later")
    return base, later, expected


def run_once(
    db: Digex, later: Path, expected: dict[str, Any], *, compute: bool
) -> dict[str, set[str]]:
    """Eight readers and a load on `db` at once (one reader computing indicators, if
    `compute`); the states each question was answered in."""
    errors: list[BaseException] = []
    seen: dict[str, set[str]] = {}
    loaded = threading.Event()
    start = threading.Barrier(READERS + 1)

    def check(name: str, table: pa.Table) -> None:
        states = [s for s in ("before", "after") if table.equals(expected[s][name])]
        assert states, f"{name} is neither the store before the load nor after it"
        seen.setdefault(name, set()).update(states)

    def read(index: int) -> None:
        try:
            asked = questions(db)
            start.wait()
            if index == 0 and compute:  # one computation, while the load goes on
                check("computed", db.indicators(**COMPUTED, output="arrow"))  # type: ignore[arg-type]
            rounds = 0
            while not loaded.is_set() or rounds < 2:
                rounds += loaded.is_set()
                for name, ask in asked.items():
                    check(name, ask())
        except BaseException as e:
            errors.append(e)

    def load() -> None:
        try:
            start.wait()
            db.load(later, today=TODAY)
        except BaseException as e:
            errors.append(e)
        finally:
            loaded.set()

    threads = [threading.Thread(target=read, args=(i,)) for i in range(READERS)]
    threads.append(threading.Thread(target=load))
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert all(not t.is_alive() for t in threads)
    if errors:
        raise errors[0]
    return seen


@pytest.mark.slow
def test_eight_threads_read_while_a_load_commits(
    prepared: tuple[Path, Path, dict[str, Any]], tmp_path: Path
) -> None:
    """Runs in a row (a load of a few rows takes 1.5-1.9 s and a computation 5 s on the
    shared 2-core test machine, hence `slow`); every other run computes indicators."""
    base, later, expected = prepared
    for run in range(RUNS):
        path = Path(shutil.copy(base, tmp_path / f"run{run}.duckdb"))
        with digex.connect(path) as db:
            seen = run_once(db, later, expected, compute=run % 2 == 0)
        # every reader asked every question again after the commit
        assert all("after" in seen[name] for name in questions(db)), (run, seen)


def test_threads_read_while_writes_commit(tmp_path: Path) -> None:
    """The connection model alone, quickly: eight threads read the store through one `Store`
    while another commits twenty writes; each read sees a whole commit (a counter and its
    double, written in one transaction), in order, and none fails."""
    with Store.create(tmp_path / "s.duckdb") as store:
        store.set_meta("n", "0")
        store.set_meta("twice", "0")
        errors: list[BaseException] = []
        done = threading.Event()
        start = threading.Barrier(READERS + 1)

        def read() -> None:
            try:
                start.wait()
                last = 0
                while not done.is_set():
                    rows = dict(store.con.execute("SELECT key, value FROM meta").fetchall())
                    n, twice = int(rows["n"]), int(rows["twice"])
                    assert twice == 2 * n, rows  # never half a transaction
                    assert n >= last  # never an older state after a newer one
                    last = n
                    assert load_log(store.con).num_rows == 0  # this thread's own cursor
            except BaseException as e:
                errors.append(e)

        def write() -> None:
            try:
                start.wait()
                for n in range(1, 21):
                    with store.write() as con:
                        con.execute(f"UPDATE meta SET value = '{n}' WHERE key = 'n'")
                        con.execute(f"UPDATE meta SET value = '{2 * n}' WHERE key = 'twice'")
            except BaseException as e:
                errors.append(e)
            finally:
                done.set()

        threads = [threading.Thread(target=read) for _ in range(READERS)]
        threads.append(threading.Thread(target=write))
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert not errors, errors[0]
        assert store.meta("n") == "20"


def test_a_snapshot_keeps_its_state_while_another_thread_commits(tmp_path: Path) -> None:
    """What an indicator computation reads: every statement of a snapshot sees the store as it
    was when the snapshot began, whatever commits meanwhile; the next snapshot sees the commit."""
    with Store.create(tmp_path / "s.duckdb") as store:
        store.set_meta("n", "1")
        with store.snapshot() as snap:
            assert snap.content() == (0, 0)
            committed = threading.Thread(target=lambda: store.set_meta("n", "2"))
            committed.start()
            committed.join()
            assert store.meta("n") == "2"  # a plain read sees the commit at once
            assert snap.con.execute("SELECT value FROM meta").fetchall() == [("1",)]
        with store.snapshot() as snap:
            assert snap.con.execute("SELECT value FROM meta").fetchall() == [("2",)]
