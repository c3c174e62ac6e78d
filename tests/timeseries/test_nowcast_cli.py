"""`digex nowcast`'s refusals, before any store is read (none exists here)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.inprocess import run_here


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--format", "xml"], "--format xml: give table or json"),
        (["--method", "arima"], "--method arima: give one of ratio, model, best, all"),
        (["--months", "12"], "--months 12: a nowcast is made after 1 to 11 months"),
    ],
)
def test_a_request_no_store_could_answer_is_refused_first(
    tmp_path: Path, args: list[str], said: str
) -> None:
    run = run_here(["nowcast", "2025", *args, "--db", tmp_path / "none.duckdb"], tmp_path)
    assert run.code == 2
    assert "Traceback" not in run.stderr
    assert said in run.stderr
    assert not (tmp_path / "none.duckdb").exists()
