"""The published figures of DESIGN.md, reproduced from the loaded demo store by queries.

Nothing here reads the generator's parameters: every value is computed by the indicator engine
from the declarations that passed validation, then rounded as it was published.
"""

from __future__ import annotations

import tomllib
from decimal import Decimal
from importlib.resources import files
from typing import Any

import pandas as pd
import pytest
from tests.conftest import DemoStore

import digex
from digex.api import Digex
from digex.publish.rounding import round_half_up

REFERENCE = tomllib.loads(
    (files("digex") / "data" / "reference" / "MA.toml").read_text(encoding="utf-8")
)
FIGURES = [f for f in REFERENCE["figure"] if f.get("computable", True)]
INDICATOR = {"level": "LEVEL", "growth": "GROWTH_YOY", "share": "SHARE"}


def query(figure: dict[str, Any]) -> tuple[str, str, int]:
    """The cut, indicator and unit multiplier a figure is read from."""
    if figure["measure"] == "jobs":
        return "total", "JOBS", 0
    by = "total" if figure["segment"] == "_T" else "segment"
    unit_mult = figure.get("unit_mult", 0) if figure["kind"] == "level" else 0
    return by, INDICATOR[figure["kind"]], unit_mult


@pytest.fixture(scope="module")
def computed(demo_store: DemoStore) -> dict[str, float]:
    """Every figure's value by id. The engine is asked once per cut and unit multiplier, for
    every period and indicator the figures of that group need, instead of once per figure."""
    groups: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for figure in FIGURES:
        by, _, unit_mult = query(figure)
        groups.setdefault((by, unit_mult), []).append(figure)
    values: dict[str, float] = {}
    with digex.connect(demo_store.path, read_only=True) as db:
        for (by, unit_mult), figures in groups.items():
            frame = db.indicators(
                sorted({f["period"] for f in figures}),
                by=by,
                indicators=sorted({query(f)[1] for f in figures}),
                unit_mult=unit_mult,
            )
            for f in figures:
                hit = frame[
                    (frame["indicator"] == query(f)[1])
                    & (frame["period"] == f["period"])
                    & (frame["member"] == f["segment"])
                ]
                assert len(hit) == 1, (f["id"], frame)
                values[f["id"]] = float(hit["value"].iloc[0])
    return values


@pytest.mark.parametrize("figure", FIGURES, ids=[f["id"] for f in FIGURES])
def test_published_figure_is_reproduced(computed: dict[str, float], figure: dict[str, Any]) -> None:
    if figure["kind"] == "growth":
        base = figure["base"]
        assert base[:4] == str(int(figure["period"][:4]) - 1)
        assert base[4:] == figure["period"][4:]
    value = computed[figure["id"]]
    published = Decimal(str(figure["value"]))
    assert round_half_up(value, figure["decimals"]) == published, value


def test_growth_is_computed_on_unrounded_levels(demo_db: Digex) -> None:
    """13.4 / 12.9 - 1 would be 3.9 %; the published 3.5 % comes from 13.38 and 12.93."""
    frame = demo_db.indicators(["2025-H1", "2024-H1"], indicators=["LEVEL", "GROWTH_YOY"])
    levels = frame[frame["indicator"] == "LEVEL"].set_index("period")["value"] / 1e9
    growth = frame[(frame["indicator"] == "GROWTH_YOY") & (frame["period"] == "2025-H1")]
    rounded_ratio = (round(levels["2025-H1"], 1) / round(levels["2024-H1"], 1) - 1) * 100
    assert round_half_up(rounded_ratio, 1) == Decimal("3.9")
    assert round_half_up(float(growth["value"].iloc[0]), 1) == Decimal("3.5")


def test_every_load_reconciles(demo_store: DemoStore) -> None:
    declarations = [r for r in demo_store.results if r.kind == "declarations"]
    assert len(declarations) == len(demo_store.files.declarations)
    for r in demo_store.results:
        assert r.reconciles, r.file
        if r.kind == "jobs":
            continue
        assert sum(t.rows_accepted for t in r.totals) == r.rows_accepted
        assert sum(t.rows_rejected for t in r.totals) == r.rows_rejected
    assert sum(r.rows_read for r in declarations) == demo_store.files.rows_written


def test_each_injected_fault_is_rejected_with_its_reason_and_nothing_else(
    demo_db: Digex, demo_store: DemoStore
) -> None:
    faults = pd.read_csv(demo_store.files.faults, dtype=str, keep_default_na=False)
    rejects = demo_db.rejects()
    assert len(rejects) == len(faults)  # nothing valid is rejected
    ids = rejects["declaration_id"].fillna("")
    lines = rejects["line"].astype(int)
    got = set(zip(rejects["file_name"], lines, ids, rejects["reasons"], strict=True))
    rows = faults["row"].astype(int) + 1  # the header is line 1 (Parquet: row numbers, no header)
    parquet = faults["file"].str.endswith(".parquet")
    rows[parquet] -= 1
    expected = set(
        zip(faults["file"], rows, faults["declaration_id"], faults["expected_reason"], strict=True)
    )
    assert got == expected
    kinds = set(faults["expected_reason"])
    assert {
        "SEGMENT_UNKNOWN",
        "PARTNER_UNKNOWN",
        "CURRENCY_UNKNOWN",
        "RATE_MISSING",
        "AMOUNT_NOT_POSITIVE",
        "AMOUNT_INVALID",
        "ID_DUPLICATE",
        "PERIOD_INVALID",
        "PERIOD_FUTURE",
        "FIRM_ID_INVALID",
        "FLOW_UNKNOWN",
    } <= kinds


def test_demo_mixes_formats_and_encodings(demo_store: DemoStore) -> None:
    seen = {(r.file_format, r.encoding) for r in demo_store.results if r.kind == "declarations"}
    assert {("csv", "utf-8"), ("csv", "utf-8-sig"), ("csv", "cp1256"), ("csv", "cp1252")} <= seen
    assert {fmt for fmt, _ in seen} == {"csv", "xlsx", "parquet"}
