"""Shared fixtures: stores and small declaration files built from code (no binary fixtures)."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import fcntl
import functools
import gc
import hashlib
import importlib.metadata
import json
import os
import pickle
import shutil
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings
from tests.terminal import in_terminal

import digex
from digex.api import Digex
from digex.demo import DemoFiles, generate
from digex.ingest.load import LoadResult
from digex.publish.figures import ReleaseFigures, open_release

# Let pytest keep the test modules as it rewrote their asserts (__pycache__, git-ignored), even
# where PYTHONDONTWRITEBYTECODE is set (as on the shared machine): otherwise each pytest
# process (each xdist worker) parses and rewrites every test module again, 6 of the 11 s of
# CPU a worker spends collecting the suite. A module imported later (a test module, or digex's
# own when changed since `make` compiled it) is written once and read after that.
sys.dont_write_bytecode = False

pytest_plugins = ["tests.pg_fixtures"]

# No time limit per example: the machine is shared and noisy, and a deadline is an absolute time
# asserted in a test (a property test failed once on it under load, with nothing wrong).
settings.register_profile("digex", deadline=None)
settings.load_profile("digex")


DURATIONS = Path(__file__).with_name("durations.json")
"""Seconds each test file took in a recent full run (`make test-durations` rewrites it): the
order in which `pytest -n` hands files to its workers, longest first. A stale or missing entry
only makes the two workers finish less evenly."""


def _weight(item: pytest.Item) -> int:
    """How early a test's file should start under `pytest -n` when `DURATIONS` does not know
    it (lower first): Spark's (a JVM to start), then files with slow or PostgreSQL tests or
    with fixtures built once per module, then the rest."""
    if item.get_closest_marker("spark") is not None:
        return 0
    if item.get_closest_marker("slow") or item.get_closest_marker("postgres"):
        return 1
    info = getattr(item, "_fixtureinfo", None)
    for defs in getattr(info, "name2fixturedefs", {}).values():
        if any(d.scope == "module" for d in defs):
            return 1
    return 2


UNKNOWN_SECONDS = {0: 120.0, 1: 10.0, 2: 1.0}
"""What a file `DURATIONS` does not list is taken to cost, by its `_weight`."""


@dataclass
class FileCost:
    """What the hand-out order knows of one test file."""

    seconds: float
    """Its recorded time (`DURATIONS`), else a guess by `_weight`."""
    spark: bool = False
    """One of its tests starts a Spark session (a JVM)."""
    releases: bool = False
    """One of its tests uses `demo_releases` (and so builds it if no worker has yet)."""


DEMO_RUN_SECONDS = 90.0
"""About how long the `demo_releases` build (`digex demo` in a terminal) keeps its worker busy:
the files handed to the other worker meanwhile should not need it."""


def hand_out_order(files: dict[str, FileCost]) -> list[str]:
    """The order in which the two xdist workers are handed the files (by their position: the
    first file goes to the first worker, the second to the other, then each file to the
    worker that is nearly done with what it holds).

    The session's demo fixtures are built once, by the first worker that asks, while any other
    that asks waits on their lock doing nothing. `demo_releases` (`digex demo` run in a
    terminal, some 70 s of CPU) needs no `demo_store`: so the first worker starts with the
    longest file that uses `demo_releases` (it runs the demo), and the other with the Spark
    file (its JVM; it builds `demo_store`), then every other file longest first, so that the
    two workers end together, except that a file using `demo_releases` waits until the other
    worker has been handed `DEMO_RUN_SECONDS` of files that do not. Without a file of some
    kind, its place is skipped."""

    def longest(paths: list[str]) -> list[str]:
        return sorted(paths, key=lambda p: (-files[p].seconds, p))

    order = longest([p for p, f in files.items() if f.releases])[:1]
    order += longest([p for p, f in files.items() if f.spark and p not in order])
    meanwhile = sum(files[p].seconds for p in order[1:])  # the other worker's, while it runs
    rest = longest([p for p in files if p not in order])
    while rest:
        ready = [p for p in rest if meanwhile >= DEMO_RUN_SECONDS or not files[p].releases]
        path = (ready or rest)[0]
        order.append(path)
        rest.remove(path)
        meanwhile += files[path].seconds
    return order


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """On a pytest-xdist worker (`make test` runs `pytest -n 2 --dist loadfile
    --no-loadscope-reorder`: a file's tests run on one worker, which builds the file's module
    fixtures once, and the files are handed out in collection order as workers free up):
    the files in `hand_out_order`. A file keeps its tests' order. Each worker collects alone
    and must find the same order, so it depends on the items and the committed file only.
    Without -n nothing changes."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        return
    known: dict[str, float] = json.loads(DURATIONS.read_text()) if DURATIONS.is_file() else {}
    files: dict[str, FileCost] = {}
    for item in items:
        path = item.nodeid.split("::")[0]
        used = set(getattr(item, "fixturenames", ()))
        cost = files.setdefault(path, FileCost(0.0))
        cost.seconds = max(cost.seconds, known.get(path, UNKNOWN_SECONDS[_weight(item)]))
        cost.spark |= item.get_closest_marker("spark") is not None
        cost.releases |= "demo_releases" in used
    rank = {path: i for i, path in enumerate(hand_out_order(files))}
    items.sort(key=lambda item: rank[item.nodeid.split("::")[0]])  # stable


def pytest_collection_finish(session: pytest.Session) -> None:
    """Freeze what the collection imported (pandas, Ibis, PyArrow, Altair, the test modules:
    some 250,000 objects) out of the garbage collector's reach. The store calls `gc.collect()`
    whenever it closes (`digex.store.store._collect_before_closing`, for Ibis' finalizers),
    and a full collection walks every tracked object: about 0.2 s per close in a test process,
    thousands of times in a run. Objects made later (a test's engines, frames, connections)
    are collected as before; only what lives as long as the process anyway is skipped.
    DIGEX_TEST_NO_FREEZE=1 leaves the collector as it was (to measure the difference)."""
    if os.environ.get("DIGEX_TEST_NO_FREEZE"):
        return
    gc.collect()
    gc.freeze()


_SPENT: dict[str, float] = {}
_BUILDING = [0.0]
"""Seconds spent building (or waiting for) `SHARED` since the last test report."""

SHARED = frozenset({"demo_files", "demo_store", "demo_releases"})
"""The session fixtures whose build `DURATIONS` leaves out of a file's time: whichever file
asks first builds them (or waits for the other worker's build), a different one from run to
run, and counting them in its time would make it look long and hand it out too early."""


@contextmanager
def _building() -> Iterator[None]:
    """Time the building of a `SHARED` fixture (or the wait for another worker's), for
    `DURATIONS`. (A hook on fixture setup would not see them: a session fixture's hooks are
    the root folder's, not this conftest's.)"""
    began = time.perf_counter()
    try:
        yield
    finally:
        _BUILDING[0] += time.perf_counter() - began


BUILT = "digex_building_seconds"
"""The report property carrying `_BUILDING`'s seconds from the process that ran the test to
the one that records `DURATIONS` (under `pytest -n`, the controller: a worker's reports reach
it with their properties, not with the worker's `_BUILDING`)."""


@pytest.hookimpl(tryfirst=True)  # on a worker, before pytest-xdist sends the report on
def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Each file's time (setup, call and teardown of its tests, less `SHARED`'s building),
    for `DURATIONS`."""
    if os.environ.get("DIGEX_RECORD_DURATIONS"):
        if _BUILDING[0]:
            report.user_properties.append((BUILT, _BUILDING[0]))
            _BUILDING[0] = 0.0
        built = sum(float(v) for k, v in report.user_properties if k == BUILT)
        path = report.nodeid.split("::")[0]
        _SPENT[path] = _SPENT.get(path, 0.0) + max(0.0, report.duration - built)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """With DIGEX_RECORD_DURATIONS set, on the run's controller (not a worker): record in
    `DURATIONS` the time of each file this run ran, keeping the others' (so that one file can
    be timed again alone: `DIGEX_RECORD_DURATIONS=1 pytest -m "" tests/x.py`); a file that no
    longer exists is dropped."""
    if os.environ.get("DIGEX_RECORD_DURATIONS") and "PYTEST_XDIST_WORKER" not in os.environ:
        known = json.loads(DURATIONS.read_text()) if DURATIONS.is_file() else {}
        root = session.config.rootpath
        kept = {p: s for p, s in known.items() if p not in _SPENT and (root / p).is_file()}
        spent = kept | {path: round(s, 1) for path, s in _SPENT.items()}
        DURATIONS.write_text(json.dumps(dict(sorted(spent.items())), indent=0) + "\n", "utf-8")


HEADER = ("declaration_id", "period", "firm_id", "segment", "partner", "currency", "amount", "flow")
FIRM = "001234567000089"
TODAY = dt.date(2025, 7, 15)


def write_csv(
    path: Path,
    rows: Sequence[Sequence[str]],
    *,
    header: Sequence[str] = HEADER,
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> Path:
    lines = [delimiter.join(header), *(delimiter.join(r) for r in rows)]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


@pytest.fixture
def rates_file(tmp_path: Path) -> Path:
    rows = [
        (f"2024-{m:02d}", cur, rate)
        for m in range(1, 13)
        for cur, rate in (("EUR", "10.800000"), ("USD", "10.000000"), ("GBP", "12.500000"))
    ]
    return write_csv(tmp_path / "rates.csv", rows, header=("period", "currency", "rate"))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Digex]:
    db = digex.init(tmp_path / "test.duckdb")
    yield db
    db.close()


def counts(db: Digex) -> dict[str, int]:
    """Row counts of every stored table: a load that fails must leave them all unchanged."""
    tables = ("loads", "declarations", "rejects", "rates", "rate_rejects", "load_totals")
    return {
        t: int(db.store.con.execute(f"SELECT count(*) FROM {t}").fetchone()[0])  # type: ignore[index]
        for t in tables
    }


@dataclass(frozen=True)
class DemoStore:
    path: Path
    """This run's copy: queries made on it keep their answers in it."""
    files: DemoFiles
    results: list[LoadResult]
    pristine: Path
    """The store as loaded, never opened for a query (copy it; never open it): what a test
    that counts on no kept answers starts from, whichever tests ran before it in this process
    (under `pytest -n` the order of the files differs from a plain run)."""


DEMO_ROWS = 10_000
"""Rows of the demo data the tests share (faulty ones included). The load's time hardly depends
on it (it is spent per file: 78 monthly files whatever the size), but the generator's own
checks read every row back in Python. 10,000 keeps every published figure and every injected
fault as the loader should see it; at 5,000 a FLOW_MISSING fault falls on the last cell of an
Excel row, which the loader reads as ROW_MALFORMED."""


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> DemoFiles:
    """The demo data at the test size, written once for the session (read-only afterwards)."""
    with _building():
        return generate(tmp_path_factory.mktemp("demo") / "data", seed=2025, rows=DEMO_ROWS)


def _demo_home(config: pytest.Config) -> Path | None:
    """Where the demo store built by exactly this code is kept from one run to the next (in
    pytest's cache folder), or None when the cache is off (`-p no:cacheprovider`).

    The key hashes every file of the digex package (generator, loader, schema, code lists,
    profiles), this file and `tests/terminal.py`, the Python version and the versions of the
    libraries that write or read the files, draw the terminal (`demo_releases` keeps what
    `digex demo` drew) or make the releases and publication, so that any change to what could
    make a different store, transcript or publication makes a new one.
    """
    cache = getattr(config, "cache", None)
    if cache is None:
        return None
    key = hashlib.sha256()
    package = Path(digex.__file__).resolve().parent
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            key.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    key.update(Path(__file__).read_bytes())
    key.update(Path(__file__).with_name("terminal.py").read_bytes())  # how the demo is run
    key.update(sys.version.encode())
    for dist in (
        *("duckdb", "pyarrow", "pandas", "numpy", "openpyxl", "ibis-framework"),
        *("rich", "typer", "weasyprint", "altair", "vl-convert-python", "highspy", "scipy"),
        "statsmodels",
    ):
        key.update(f"{dist}={importlib.metadata.version(dist)}".encode())
    return Path(cache.mkdir("digex-demo-store")) / key.hexdigest()[:20]


def _build_demo(folder: Path) -> DemoStore:
    files = generate(folder / "data", seed=2025, rows=DEMO_ROWS)
    with digex.init(folder / "demo.duckdb") as db:
        results = db.load(list(files.declarations), rates=files.rates, jobs=files.jobs, today=TODAY)
    return DemoStore(folder / "demo.duckdb", files, results, folder / "demo.duckdb")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="session")
def demo_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> DemoStore:
    """The demo data at the test size, loaded once (read-only afterwards: copy it to write;
    queries on it still keep their answers in its indicator cache).

    A pristine store is kept between runs under a key of the code that built it (see
    `_demo_home`) and each run works on its own copy, so that a run on unchanged code skips the
    ~20 s CPU of loading 78 files and still starts from an empty indicator cache. The kept
    store's digest is checked before it is copied. A fresh clone (CI) builds it, as does
    `-p no:cacheprovider`.
    """
    with _building():
        return _demo_store(request, tmp_path_factory)


def _demo_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> DemoStore:
    """`demo_store`'s work: a copy of the kept store, built first if need be."""
    home = _demo_home(request.config)
    if home is None:
        demo = _build_demo(tmp_path_factory.mktemp("demo-store"))
        copy = Path(shutil.copy(demo.path, tmp_path_factory.mktemp("demo-store") / "demo.duckdb"))
        return dataclasses.replace(demo, path=copy)
    home.parent.mkdir(parents=True, exist_ok=True)
    kept = home / "demo.pickle"
    with (home.parent / (home.name + ".lock")).open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another run building the same store: wait for it
        demo, digest = pickle.loads(kept.read_bytes()) if kept.exists() else (None, "")
        if not isinstance(demo, DemoStore) or _digest(demo.path) != digest:
            shutil.rmtree(home, ignore_errors=True)  # a run stopped midway, or a changed store
            demo = _build_demo(home)
            kept.write_bytes(pickle.dumps((demo, _digest(demo.path))))
        copy = Path(shutil.copy(demo.path, tmp_path_factory.mktemp("demo-store") / "demo.duckdb"))
    return dataclasses.replace(demo, path=copy)


@pytest.fixture
def demo_db(demo_store: DemoStore) -> Iterator[Digex]:
    with digex.connect(demo_store.path, read_only=True) as db:
        yield db


RELEASES_STORE = "demo.duckdb"
IDS = "release-ids.json"
TRANSCRIPT = "terminal.txt"
NAMES = {
    ("2024", "preliminary"): "2024-prelim",
    ("2024", "revised"): "2024",
    ("2025-H1", "preliminary"): "2025-H1",
}
"""The demo's releases (`digex.demo.run.DEMO_RELEASES`) by the names the tests give them."""


@dataclass(frozen=True)
class DemoReleases:
    folder: Path
    """Where `digex demo` ran: its store, `data/` (the generated files and the late file) and
    `publication/<release id>/` (the 2024 and 2025-H1 releases published)."""
    store: Path
    """The demo store holding the demo's three releases (read it only)."""
    ids: dict[str, str]
    """`2024` (the revised 2024.2), `2024-prelim` (2024.1) and `2025-H1` -> release id."""
    transcript: str
    """All `digex demo` wrote to its terminal, control sequences included."""

    def open(self, which: str) -> ReleaseFigures:
        """The release `which` as `open_release` reads it: read once per process (some 0.5 s
        of CPU each, asked for some 40 times in a run) and handed out as a copy, so that a
        test that alters what it is given alters nothing another test reads."""
        return copy.deepcopy(_opened(self.store, self.ids[which]))


@functools.cache
def _opened(store: Path, release_id: str) -> ReleaseFigures:
    return open_release(store, release_id)


def _build(folder: Path) -> None:
    """`make demo` as a person runs it: `digex demo` at the tests' size on a pseudo-terminal,
    writing its store, files and publication into `folder`, and its transcript beside them
    (`tests/test_cli_terminal.py` checks what it drew). The ids file is written last, and only
    after a run that succeeded, so that its presence says the folder is whole."""
    code, text = in_terminal(
        # the tests' calibrated size (DEMO_ROWS): every published figure and injected fault
        # as at full size, for half the generating and loading of 20,000
        ["demo", "--db", str(folder / RELEASES_STORE), "--out", str(folder / "data"),
         "--rows", str(DEMO_ROWS)],
        cwd=folder,
    )  # fmt: skip
    (folder / TRANSCRIPT).write_text(text, encoding="utf-8")
    if code != 0:
        pytest.fail(f"`digex demo` in a terminal exited {code}:\n{text[-3000:]}", pytrace=False)
    with digex.connect(folder / RELEASES_STORE, read_only=True) as db:
        listing = db.releases()
    names = {NAMES[(r.period, r.status)]: r.release_id for r in listing.itertuples()}
    (folder / IDS).write_text(json.dumps(names), encoding="utf-8")


@pytest.fixture(scope="session")
def demo_releases(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> DemoReleases:
    """`digex demo`'s releases (preliminary 2024, revised 2024, preliminary 2025-H1, each
    protected by disclosure control), made by running `digex demo` at the test size in a
    pseudo-terminal: what `make demo` makes for a user, made the way it makes it.

    The run costs about 70 s of CPU (generating, loading, disclosure control on three
    releases, publishing two), so it is kept between runs beside the demo store, under the
    same key of the code (`_demo_home`), and each run reads its own copy. It needs no
    `demo_store`: the worker running it does not wait for the other's build of the store."""
    with _building():
        copy = tmp_path_factory.mktemp("demo-releases")
        home = _demo_home(request.config)
        if home is None:
            _build(copy)
        else:
            kept = home.parent / f"{home.name}-releases"
            with (home.parent / f"{home.name}-releases.lock").open("w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                if not (kept / IDS).is_file():
                    shutil.rmtree(kept, ignore_errors=True)
                    kept.mkdir(parents=True)
                    _build(kept)
            shutil.copytree(kept, copy, dirs_exist_ok=True)
    ids = json.loads((copy / IDS).read_text(encoding="utf-8"))
    transcript = (copy / TRANSCRIPT).read_text(encoding="utf-8")
    return DemoReleases(copy, copy / RELEASES_STORE, ids, transcript)
