"""The same rows give the same figures, bit for bit, however DuckDB's threads split the work.

HHI, the top-5/10 shares and the EUR/USD levels were sums of floating-point numbers whose order
the threads chose: on the demo store (test size) two computations of 2024 on two threads
differed in the last bits of about a hundred and twenty values (LEVEL_EUR, HHI_FIRMS), in every
trial; on one thread they never did. So the test-size store (10,000 declaration rows) is big
enough for the threads to split these sums. The figures are now exact integer or DECIMAL sums
divided once; this computes the same year twice on two threads.
"""

from __future__ import annotations

import gc

import numpy as np
import pandas as pd
from tests.conftest import DemoStore

import digex
from digex.indicators.engine import Engine
from digex.indicators.service import compute

PERIODS = ["2024"]
RUNS = 2
SUMMED = {"HHI_FIRMS", "HHI_PARTNERS", "TOP5_FIRMS", "TOP10_FIRMS", "LEVEL_USD", "LEVEL_EUR"}


def _computed(db: digex.Digex) -> pd.DataFrame:
    with db.store.snapshot() as snap:
        snap.con.execute("SET threads = 2")
        engine = Engine(snap.sources(db.profile.minor_units))
        frame = compute(engine, db.profile, period=PERIODS, by="all")
        del engine
        gc.collect()  # the engine's temporary tables dropped while the cursor is open
    return frame


def test_figures_are_identical_run_to_run(demo_store: DemoStore) -> None:
    with digex.connect(demo_store.path, read_only=True) as db:
        first, *again = (_computed(db) for _ in range(RUNS))
    assert set(first["indicator"]) >= SUMMED
    for frame in again:
        pd.testing.assert_frame_equal(frame.drop(columns="value"), first.drop(columns="value"))
        # bit for bit: the float64 values' bytes, not a tolerance (NaN equal to NaN)
        bits = frame["value"].to_numpy("float64").view(np.int64)
        same = bits == first["value"].to_numpy("float64").view(np.int64)
        assert same.all(), frame.loc[~same, "indicator"].value_counts().to_dict()
