"""The indicator cache answers exactly what the engine computes, and only for current data."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest
from tests.conftest import TODAY, DemoStore, write_csv
from tests.indicators.test_select import reference

import digex
from digex.api import Digex
from digex.indicators import cache
from digex.indicators.cache import COLUMNS
from digex.profile import load_profile
from digex.publish.tidy import Rows


@pytest.fixture
def writable_demo(demo_store: DemoStore, tmp_path: Path) -> Iterator[Digex]:
    path = tmp_path / "copy.duckdb"
    shutil.copy(demo_store.pristine, path)  # nothing kept yet, whatever ran before
    with digex.connect(path) as db:
        yield db


def test_cached_answers_equal_computed_ones(writable_demo: Digex, demo_db: Digex) -> None:
    first = writable_demo.indicators(["2024", "2025-H1"], by="all", flow=["X", "M"])
    assert (
        cache.read(
            writable_demo.store, writable_demo.profile, cache.requests("2025-H1", None, "partner")
        )
        is not None
    )
    # a narrower query is answered from what the wider one computed
    cached = writable_demo.indicators("2025-H1", by="partner", indicators=["SHARE"])
    computed = demo_db.indicators("2025-H1", by="partner", indicators=["SHARE"])  # read-only
    pd.testing.assert_frame_equal(cached, computed)
    again = writable_demo.indicators(["2024", "2025-H1"], by="all", flow=["X", "M"])
    pd.testing.assert_frame_equal(first, again)


def test_precompute_keeps_the_latest_year_and_half_year(
    writable_demo: Digex, demo_db: Digex
) -> None:
    """What a load computes ahead is what a query computes (the demo ends in 2025-06): the
    year and the half-year are computed in two threads, and the year's rows include the jobs
    series, which only annual results (by total and by segment) carry."""
    assert writable_demo.precompute() == ["2024", "2025-H1"]
    keys = cache.requests(["2024", "2025-H1"], None, "all")
    assert cache.lookup(writable_demo.store, writable_demo.profile, keys) is not None
    for period, query in (
        ("2025-H1", {"by": "region", "flow": ["X", "M"], "top": 3}),
        ("2024", {"by": "total", "flow": ["X", "M"]}),
    ):
        cached = writable_demo.indicators(period, **query)  # type: ignore[arg-type]
        computed = demo_db.indicators(period, **query)  # type: ignore[arg-type]
        pd.testing.assert_frame_equal(cached, computed)
    assert {"JOBS", "EXPORTS_PER_JOB"} <= set(cached["indicator"])
    assert writable_demo.precompute(["Q"]) == ["2025-Q2"]


def test_results_kept_with_one_profile_are_not_served_with_another(
    writable_demo: Digex, tmp_path: Path
) -> None:
    """A profile's currency and jobs series enter the values: results are kept per profile."""
    ma = files("digex.data").joinpath("profiles/MA.toml").read_text(encoding="utf-8")
    revised = tmp_path / "MA-revised.toml"
    revised.write_text(re.sub(r'(?m)^version = ".*"$', 'version = "2099.1"', ma), encoding="utf-8")
    other = load_profile(str(revised))
    writable_demo.indicators("2024", by="total")
    keys = cache.requests("2024", None, "total")
    assert cache.read(writable_demo.store, writable_demo.profile, keys) is not None
    assert cache.read(writable_demo.store, other, keys) is None


def test_a_period_without_declarations_gives_no_rows(writable_demo: Digex) -> None:
    """Not an error (it was a pandas traceback): the demo has no declarations in 2010."""
    frame = writable_demo.indicators(["2010", "2010-H2"], by="all")
    assert frame.empty
    assert list(frame.columns) == COLUMNS.split(", ")


def test_a_new_load_invalidates_the_cache(writable_demo: Digex, tmp_path: Path) -> None:
    before = writable_demo.indicators("2024", by="total", indicators=["LEVEL"])
    keys = cache.requests("2024", None, "total")
    assert cache.read(writable_demo.store, writable_demo.profile, keys) is not None
    extra = write_csv(
        tmp_path / "late.csv",
        [("LATE1", "2024-05", "001234567000089", "ITO", "FR", "MAD", "1000000", "X")],
    )
    writable_demo.load(extra, today=TODAY)
    assert cache.read(writable_demo.store, writable_demo.profile, keys) is None
    after = writable_demo.indicators("2024", by="total", indicators=["LEVEL"])
    assert after["value"].iloc[0] == pytest.approx(before["value"].iloc[0] + 1_000_000)


QUERIES = [
    {"period": "2025-H1", "by": "segment"},
    {"period": "2024", "by": "partner", "top": 5},
    {"period": "2024", "by": "partner", "indicators": ["SHARE", "LEVEL"], "unit_mult": 9},
    {"period": ["2024", "2023"], "by": "all", "flow": ["X", "M"], "top": 2, "unit_mult": 6},
]


@pytest.mark.parametrize("query", QUERIES, ids=[str(q) for q in QUERIES])
def test_every_option_is_answered_alike_from_the_cache(
    query: dict[str, Any], demo_store: DemoStore, tmp_path: Path
) -> None:
    """Computed (a miss) or cached (a hit), as a frame, an Arrow table or plain rows: the same
    rows in the same order, and what the former pandas narrowing gave."""
    path = Path(shutil.copy(demo_store.pristine, tmp_path / "s.duckdb"))  # nothing kept yet
    scope = {k: query[k] for k in ("period", "by")}
    narrowing = {k: v for k, v in query.items() if k not in scope}
    with digex.connect(path, read_only=True) as db:
        keys = cache.requests(scope["period"], None, scope["by"])
        assert cache.read(db.store, db.profile, keys) is None
        computed = db.indicators(**query)
        stored = cache.read(db.store, db.profile, keys)
        assert stored is not None
        cached = db.indicators(**query)
        arrow = db.indicators(**query, output="arrow")
        rows = db.indicator_rows(**query)
    assert len(computed) > 0
    pd.testing.assert_frame_equal(cached, computed)
    pd.testing.assert_frame_equal(cached, reference(stored, **narrowing))
    # Arrow straight from the engine: the same rows and types (text as `string` where pandas
    # would give `large_string`, and without pandas' metadata)
    expected = pa.Table.from_pandas(computed, preserve_index=False)
    numbers = [f.type for f in arrow.schema if not pa.types.is_string(f.type)]
    assert numbers == [f.type for f in expected.schema if not pa.types.is_large_string(f.type)]
    assert arrow.equals(expected.cast(arrow.schema))
    pd.testing.assert_frame_equal(arrow.to_pandas(), computed)
    assert rows == Rows.of_frame(cached)
