"""`--engine URL`: the same indicators computed by an engine named by a URL."""

from __future__ import annotations

import subprocess
import sys
from io import StringIO
from pathlib import Path

import pandas as pd
import pytest
from tests.conftest import DemoStore

from digex.api import Digex, indicators_on
from digex.backends import EngineURLError


def test_duckdb_url_gives_the_store_answer(demo_store: DemoStore, demo_db: Digex) -> None:
    url = f"duckdb://{demo_store.path.resolve()}"
    remote = indicators_on(url, "2024", by="segment", indicators=["LEVEL", "SHARE"])
    local = demo_db.indicators("2024", by="segment", indicators=["LEVEL", "SHARE"])
    pd.testing.assert_frame_equal(remote, local)


def test_cli_engine_option(demo_store: DemoStore) -> None:
    digex = Path(sys.executable).with_name("digex")
    url = f"duckdb://{demo_store.path.resolve()}"
    done = subprocess.run(
        [str(digex), "indicators", "-p", "2025-H1", "-i", "LEVEL", "-f", "csv", "--engine", url],
        capture_output=True,
        text=True,
        check=True,
    )
    frame = pd.read_csv(StringIO(done.stdout))
    assert round(frame["value"].iloc[0] / 1e9, 2) == 13.38


def test_unknown_engine_is_a_clear_error() -> None:
    with pytest.raises(EngineURLError, match="unknown engine 'foo'"):
        indicators_on("foo://x", "2024")
