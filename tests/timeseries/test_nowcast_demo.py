"""`digex nowcast` on the demo data (the test-size store of `demo_releases`: declarations
2019-01 to 2025-06): the backtest's table, its interval coverage, the recommendation, the
target's probability, and estimates kept apart from observations in both formats.

The ratio estimator's backtest is recomputed here with fractions from the store's monthly
series; the model's rows are pinned as measured (seeded simulation)."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from tests.conftest import DemoReleases
from tests.inprocess import run_here

from digex.timeseries.series import series

MEASURED = {  # (method, months) -> (MAPE %, coverage of the 80 % interval, of the 95 % one)
    ("model", 3): (2.7403, 75, 100),
    ("model", 6): (1.2256, 75, 75),
    ("model", 9): (1.0074, 75, 75),
    ("ratio", 3): (0.7906, 50, 75),
    ("ratio", 6): (0.4258, 75, 100),
    ("ratio", 9): (0.8671, 75, 75),
}
"""The ratio's MAPE is also recomputed by hand below; its coverage, and the model's rows, are
as measured on 2026-12-03 (4 years, 2021 to 2024)."""


@pytest.fixture(scope="module")
def monthly(demo_releases: DemoReleases) -> pd.Series:
    return series(demo_releases.store)["_T"]


@pytest.fixture(scope="module")
def answer(demo_releases: DemoReleases, tmp_path_factory: pytest.TempPathFactory) -> Any:
    cwd = tmp_path_factory.mktemp("nowcast")
    run = run_here(["nowcast", "2025", "--db", demo_releases.store, "--format", "json"], cwd)
    return json.loads(run.ok().stdout)


def by_hand(monthly: pd.Series, year: int, k: int) -> Fraction:
    """The ratio estimator's absolute percentage error for `year` after `k` months."""
    values = {p: Fraction(v) for p, v in zip(monthly.index, monthly, strict=True)}

    def ytd(y: int, months: int) -> Fraction:
        return sum(
            (values[pd.Period(f"{y}-{m:02d}", "M")] for m in range(1, months + 1)), Fraction(0)
        )

    past = [ytd(y, 12) / ytd(y, k) for y in range(2019, year)]
    point = ytd(year, k) * sum(past, Fraction(0)) / len(past)
    actual = ytd(year, 12)
    return abs(point - actual) / actual * 100


def test_the_backtest_table_on_the_demo_data(answer: Any, monthly: pd.Series) -> None:
    table = {(r["method"], r["months"]): r for r in answer["estimates"]["backtest"]["_T"]["table"]}
    assert set(table) == {(m, k) for m in ("ratio", "model") for k in (3, 6, 9)}
    for k in (3, 6, 9):
        ratio = table[("ratio", k)]
        assert ratio["years"] == 4  # 2021 to 2024: 2019 and 2020 lack two earlier years
        errors = [by_hand(monthly, y, k) for y in range(2021, 2025)]
        assert ratio["mape"] == pytest.approx(float(sum(errors, Fraction(0)) / 4), rel=1e-9)
        assert table[("model", k)]["years"] == 4
    for key, row in table.items():  # coverage is reported, in steps of one year in four
        assert (row["mape"], row["cover_80"], row["cover_95"]) == pytest.approx(
            MEASURED[key], abs=0.0001
        )


def test_recommendation_and_target(answer: Any) -> None:
    rec = answer["estimates"]["backtest"]["_T"]["recommendation"]
    assert rec["method"] == min(rec["mape"], key=rec["mape"].get)
    target = answer["estimates"]["target"]
    assert target["method"] == rec["method"]
    assert target["base_year"] == 2023
    assert 0 <= target["probability"] < 0.001  # 2024 grew 0.2 %: the path (+6.2 % a year) is far


def test_estimates_and_observations_never_share_a_row_or_a_status(answer: Any) -> None:
    nowcasts = answer["estimates"]["nowcasts"]
    assert {(n["method"], n["obs_status"], n["indicator"]) for n in nowcasts} == {
        ("ratio", "F", "NOWCAST_LEVEL"),
        ("model", "F", "NOWCAST_LEVEL"),
    }
    observed = answer["observed"]
    assert [o["indicator"] for o in observed] == ["YTD_LEVEL"]
    assert all(o["obs_status"] != "F" for o in observed)
    assert not {o["value"] for o in observed} & {n["value"] for n in nowcasts}
    assert all(set(n) == set(nowcasts[0]) for n in nowcasts)
    assert "value" not in answer["estimates"]  # estimates only under their own key


def test_the_table_says_which_figures_are_estimates(
    demo_releases: DemoReleases, tmp_path: Path
) -> None:
    run = run_here(
        ["nowcast", "2025", "--months", "3", "--method", "best", "--db", demo_releases.store],
        tmp_path,
    ).ok()
    observed, rest = run.stdout.split("Nowcast of 2025 from 3 months", 1)
    estimates, backtest = rest.split("Backtest", 1)
    assert "Observed" in observed
    assert "(not estimates)" in observed
    assert "ESTIMATES (status F, forecast)" in estimates
    estimate_rows = [line for line in estimates.splitlines() if line.startswith("total")]
    observed_rows = [line for line in observed.splitlines() if line.startswith("total")]
    assert len(estimate_rows) == 1
    assert estimate_rows[0].split()[-1] == "F"
    assert "ratio" in estimate_rows[0]  # the recommended method
    assert len(observed_rows) == 1
    assert observed_rows[0].split()[-1] != "F"
    assert "recommended for _T: ratio" in backtest
    assert "probability that the year reaches it" in backtest
    assert "not disclosure-protected" in run.stderr  # the live store's figures: internal


def test_a_complete_year_is_observed_not_nowcast(
    demo_releases: DemoReleases, tmp_path: Path
) -> None:
    run = run_here(["nowcast", "2024", "--db", demo_releases.store], tmp_path)
    assert run.code == 2
    assert "2024 is complete in the store" in run.stderr
    assert "--months K" in run.stderr
    assert run.stdout == ""
