"""Shared fixtures: stores and small declaration files built from code (no binary fixtures)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

import digex
from digex.api import Digex
from digex.demo import DemoFiles, generate
from digex.ingest.load import LoadResult

pytest_plugins = ["tests.pg_fixtures"]

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
    files: DemoFiles
    results: list[LoadResult]


DEMO_ROWS = 10_000
"""Rows of the demo data the tests share (faulty ones included). The load's time hardly depends
on it (it is spent per file: 78 monthly files whatever the size), but the generator's own
checks read every row back in Python. 10,000 keeps every published figure and every injected
fault as the loader should see it; at 5,000 a FLOW_MISSING fault falls on the last cell of an
Excel row, which the loader reads as ROW_MALFORMED."""


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> DemoFiles:
    """The demo data at the test size, written once for the session (read-only afterwards)."""
    return generate(tmp_path_factory.mktemp("demo") / "data", seed=2025, rows=DEMO_ROWS)


@pytest.fixture(scope="session")
def demo_store(demo_files: DemoFiles, tmp_path_factory: pytest.TempPathFactory) -> DemoStore:
    """`demo_files` loaded once for the session (read-only afterwards: copy it to write)."""
    folder = tmp_path_factory.mktemp("demo-store")
    with digex.init(folder / "demo.duckdb") as db:
        results = db.load(
            list(demo_files.declarations), rates=demo_files.rates, jobs=demo_files.jobs, today=TODAY
        )
    return DemoStore(folder / "demo.duckdb", demo_files, results)


@pytest.fixture
def demo_db(demo_store: DemoStore) -> Iterator[Digex]:
    with digex.connect(demo_store.path, read_only=True) as db:
        yield db
