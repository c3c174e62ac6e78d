"""Compiled suite passes (`digex.indicators.plans`): what they return is exactly what Ibis
computes, they are found only for the inputs they were compiled for, and the shipped ones are
what Ibis compiles now."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from tests.conftest import DemoStore

import digex
from digex.api import Digex
from digex.indicators import plans
from digex.indicators.cuts import ALL_CUTS, installed_mappings
from digex.indicators.engine import Engine, Sources
from digex.indicators.periods import parse_period
from digex.indicators.suite import Suite
from digex.store.store import Snapshot


@pytest.fixture(scope="module")
def demo(demo_store: DemoStore) -> Iterator[Digex]:
    with digex.connect(demo_store.path, read_only=True) as db:
        yield db


@pytest.fixture
def snap(demo: Digex) -> Iterator[Snapshot]:
    with demo.store.snapshot() as s:
        yield s


def _sources(snap: Snapshot, demo: Digex) -> Sources:
    return snap.sources(demo.profile.minor_units)


def _both(suite_of: Suite, freq: str, periods: list[str] | None) -> tuple[pd.DataFrame, ...]:
    """The pass through Ibis, then compiled (recorded, or found), then found."""
    chosen = None if periods is None else [parse_period(p) for p in periods]

    def run(compiled: bool) -> pd.DataFrame:
        suite = Suite(Engine(suite_of.engine.sources), suite_of.nc, compiled=compiled)
        return suite.run(freq, list(ALL_CUTS), flows=("X", "M"), periods=chosen)

    return run(False), run(True), run(True)


@pytest.mark.parametrize(
    ("freq", "periods"),
    [("A", None), ("H", ["2024-H2", "2025-H1"]), ("Q", ["2025-Q2"]), ("M", ["2025-06"])],
)
def test_a_compiled_pass_gives_exactly_what_ibis_computes(
    snap: Snapshot, demo: Digex, freq: str, periods: list[str] | None
) -> None:
    """Every family, every cut (the cross cuts too), both flows, every column bit for bit."""
    suite = Suite(Engine(_sources(snap, demo)), demo.profile.national_currency)
    ibis_rows, compiled, again = _both(suite, freq, periods)
    assert len(ibis_rows) > 1000
    assert set(ibis_rows["cut"]) == set(ALL_CUTS)
    pd.testing.assert_frame_equal(compiled, ibis_rows, check_exact=True)
    pd.testing.assert_frame_equal(again, ibis_rows, check_exact=True)


def _inputs(snap: Snapshot, demo: Digex, **changed: object) -> plans.Inputs:
    suite = Suite(Engine(_sources(snap, demo)), demo.profile.national_currency)
    inputs = suite.inputs("A", suite.families("A", ALL_CUTS), 1)
    return dataclasses.replace(inputs, **changed)


def test_the_key_changes_with_every_input_and_version(
    snap: Snapshot, demo: Digex, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = _inputs(snap, demo)
    other_mappings = dataclasses.replace(installed_mappings(), ebops=(("ITO", "9.9"),))
    changed = [
        _inputs(snap, demo, freq="H"),
        _inputs(snap, demo, periods=2),
        _inputs(snap, demo, periods=None),
        _inputs(snap, demo, minor_units=3),
        _inputs(snap, demo, currencies=("USD",)),
        _inputs(snap, demo, tables=("vintage_declarations", "current_rates", "current_auxiliary")),
        _inputs(snap, demo, mappings=plans.mappings_digest(other_mappings)),
        _inputs(snap, demo, families=base.families[:1]),
    ]
    keys = {base.key(), *(i.key() for i in changed)}
    assert len(keys) == len(changed) + 1
    for name in ("digex", "ibis", "sqlglot", "duckdb", "schema", "code"):
        real = plans.software()
        monkeypatch.setattr(plans, "software", lambda real=real, name=name: {**real, name: "x"})
        assert base.key() not in keys, f"{name} is not part of the key"
        monkeypatch.undo()
    assert base.key() in keys


def test_other_code_lists_are_a_new_plan_with_their_figures(snap: Snapshot, demo: Digex) -> None:
    """A release's frozen code lists (here every country in one region) are compiled into their
    own plan, which cuts as they say: never a plan compiled for the installed ones."""
    mine = installed_mappings()
    regions = tuple((code, "150") for code, _ in mine.regions)
    sources = dataclasses.replace(
        _sources(snap, demo), mappings=dataclasses.replace(mine, regions=regions)
    )
    suite = Suite(Engine(sources), demo.profile.national_currency)
    ibis_rows, compiled, again = _both(suite, "A", ["2024"])
    pd.testing.assert_frame_equal(compiled, ibis_rows, check_exact=True)
    pd.testing.assert_frame_equal(again, ibis_rows, check_exact=True)
    assert set(compiled.loc[compiled["cut"] == "region", "member"]) == {"150"}


def test_the_shipped_plans_are_what_ibis_compiles_now(snap: Snapshot, demo: Digex) -> None:
    """Every standard pass of the MA profile is shipped under its current key (else run
    scripts/build_plans.py), and one of them is recompiled here: the same statements."""
    suite = Suite(Engine(_sources(snap, demo)), demo.profile.national_currency)
    shipped = json.loads(plans.SHIPPED.read_text(encoding="utf-8"))
    by_key = {p["key"]: p for p in shipped["plans"]}
    standard = [suite.inputs(f, suite.families(f, cuts), n) for f, cuts, n in plans.STANDARD]
    reads = [
        r for r, _, _ in plans.standard_reads(suite.engine, [s.id for s in demo.profile.series])
    ]
    missing = [dataclasses.asdict(i) for i in [*standard, *reads] if i.key() not in by_key]
    assert not missing, "stale shipped plans: run python scripts/build_plans.py"
    inputs = standard[0]
    recorded = suite.record(inputs, inputs.key())
    assert recorded is not None
    assert recorded.as_json() == plans.Plan.from_json(by_key[inputs.key()]).as_json()
    assert plans.find(inputs.key()) is not None


def test_filling_gives_the_sql_ibis_compiles_for_the_real_periods(
    snap: Snapshot, demo: Digex
) -> None:
    """The placeholders stand exactly where Ibis writes the years and the ordinals."""
    from digex.indicators.suite import CELLS

    suite = Suite(Engine(_sources(snap, demo)), demo.profile.national_currency)
    inputs = suite.inputs("Q", suite.families("Q", ("total", "partner")), 2)
    plan = suite.record(inputs, inputs.key())
    assert plan is not None
    ordinals = sorted(parse_period(p).ordinal for p in ("2024-Q4", "2025-Q1"))
    roles = [r for _, r in plan.statements]
    filled = dict(zip(roles, plan.filled((2023, 2025), ordinals), strict=True))
    engine = Engine(_sources(snap, demo)).within(2023, 2025)
    real = Suite(engine, suite.nc)
    family = "firm_concentration"
    assert family in CELLS
    expected = engine.backend.compile(real.cells(family, "Q", ("total", "partner"), ordinals))
    # the temporary tables are named by the plan, Ibis's cached ones by Ibis: compare the rest
    assert _unnamed(filled[family]) == _unnamed(expected)


def _unnamed(sql: str) -> str:
    """Without the names of temporary tables, and with the columns a drop leaves out in one
    order (a plan sorts them; Ibis writes them in a set's order)."""
    import re

    sql = plans._EXCLUDE.sub(plans._sorted_names, sql)
    return re.sub(r'(?:"temp"\."main"\.)?"(ibis_cached_\w+|digex_plan_t\d+)"', '"t"', sql)


def test_a_computation_with_known_plans_imports_no_ibis(
    demo_store: DemoStore, tmp_path: Path
) -> None:
    """The latest year and half-year by every cut (what a load computes), with the jobs and
    the auxiliary series, in a new process: the shipped plans answer, Ibis is not imported,
    and the rows are exactly those of the same computation through Ibis."""
    from digex.indicators.service import compute

    out = tmp_path / "rows.pickle"
    code = f"""
import sys
import digex

with digex.connect({str(demo_store.path)!r}, read_only=True) as db:
    with db.store.snapshot() as snap:
        rows = db._compute(snap, period=["2024", "2025-H1"], by="all")
assert "ibis" not in sys.modules, "a computation from known plans imported Ibis"
rows.to_pickle({str(out)!r})
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    rows = pd.read_pickle(out)
    assert set(rows["indicator"]) >= {"LEVEL", "JOBS", "EXPORTS_PER_JOB", "HHI_FIRMS"}
    with digex.connect(demo_store.path, read_only=True) as db, db.store.snapshot() as snap:
        # without the connection, every query runs through Ibis
        sources = dataclasses.replace(snap.sources(db.profile.minor_units), connection=None)
        through_ibis = compute(Engine(sources), db.profile, period=["2024", "2025-H1"], by="all")
    pd.testing.assert_frame_equal(rows, through_ibis, check_exact=True)
