"""A release protected end to end on the issue's tiny store: the one-firm cell, the dominated
cell and the cells derivable by subtraction are protected and the gate passes (and fails
when any complement is published), earlier releases and overrides constrain the pattern, and
a stored pattern can be audited again."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tests.disclosure.fixtures import (
    CANARY,
    ISSUE_ROWS,
    TWELVE_ROWS,
    Row,
    engine_of,
    tiny_store,
)

from digex.disclosure import audit
from digex.disclosure.cube import build_cube, cube_periods, pattern_from_cells
from digex.disclosure.parameters import Parameters
from digex.disclosure.problem import FREE, LABEL_KEY, MANUAL, SECONDARY, Pattern
from digex.disclosure.protect import Protection, protect, published_tables
from digex.indicators.cuts import CUTS
from digex.indicators.engine import Engine
from digex.profile import CountryProfile

KEY = list(LABEL_KEY)
YEAR = ("A", "2024")


@dataclasses.dataclass
class Tiny:
    engine: Engine
    profile: CountryProfile

    def protect(self, observations: pd.DataFrame | None = None, **kwargs: object) -> Protection:
        obs = observations if observations is not None else observations_of()
        return protect(
            self.engine,
            self.profile,
            "2024",
            obs,
            parameters=Parameters(),
            **kwargs,  # type: ignore[arg-type]
        )


def _tiny(folder: Path, rows: list[Row]) -> Iterator[Tiny]:
    """The MA profile's single-cut tables, which the expected patterns here were worked out
    for (its segment x region table adds relations, and so other complements)."""
    with tiny_store(folder, rows) as db, engine_of(db) as engine:
        single = tuple(t for t in db.profile.tables if t.cut in CUTS)
        yield Tiny(engine, dataclasses.replace(db.profile, tables=single))


@pytest.fixture(scope="module")
def issue(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tiny]:
    yield from _tiny(tmp_path_factory.mktemp("issue"), ISSUE_ROWS)


def observations_of(*rows: tuple[str, str, str, str]) -> pd.DataFrame:
    """Yearly 2024 rows (indicator, cut, member, flow)."""
    wanted = rows or (("LEVEL", "total", "_T", "X"),)
    return pd.DataFrame(
        [(i, *YEAR, cut, m, flow, 1.0) for i, cut, m, flow in wanted],
        columns=["indicator", "freq", "period", "cut", "member", "flow", "value"],
    )


def label(cells: pd.DataFrame, cut: str, member: str, flow: str = "X") -> pd.Series:
    row = cells[
        (cells["freq"] == "A")
        & (cells["period"] == "2024")
        & (cells["cut"] == cut)
        & (cells["member"] == member)
        & (cells["flow"] == flow)
        & (cells["measure"] == "LEVEL")
    ]
    assert len(row) == 1
    return row.iloc[0]


def test_the_issue_fixture_is_protected_and_the_gate_passes(issue: Tiny) -> None:
    p = issue.protect()
    assert p.gate.passed
    assert set(p.timings) == {"cube", "rules", "suppress", "gate", "apply"}
    kpo = label(p.cells, "segment", "KPO")
    assert (kpo["conf_status"], kpo["origin"], kpo["contributors"]) == ("A", "rule", 1)
    es = label(p.cells, "partner", "ES")
    assert (es["conf_status"], es["rule"], es["origin"]) == ("M", "p%", "rule")
    # p % rule, p = 10: 10 % of 2,000,000 less the remainder 50,000
    assert es["upl"] == pytest.approx(150_000)
    # each primary is derivable by subtraction from the published total: complements
    assert (p.cells["origin"] == "secondary").any()
    assert label(p.cells, "total", "_T")["conf_status"] == FREE
    # the canary never stands in a published cell, whatever its label
    published = p.cells[p.cells["conf_status"] == FREE]
    assert not np.isclose(published["value"].to_numpy(), float(CANARY)).any()
    # every label of a cell shares its status
    assert (p.cells.groupby("cell")["conf_status"].nunique() == 1).all()


def test_publishing_any_complement_fails_the_gate(issue: Tiny) -> None:
    p = issue.protect()
    c = build_cube(issue.engine.sources, published_tables(issue.profile), cube_periods("2024"))
    pattern = pattern_from_cells(c, p.cells)
    assert pattern.notes == ()
    assert audit.audit(c, pattern).passed
    secondaries = np.flatnonzero(pattern.code == SECONDARY)
    assert secondaries.size
    for cell in secondaries:
        code = pattern.code.copy()
        code[cell] = FREE
        weaker = Pattern(code, pattern.upl, pattern.lpl)
        assert not audit.audit(c, weaker).passed, cell


def test_derived_figures_and_unknown_indicators_follow_their_cells(issue: Tiny) -> None:
    obs = observations_of(
        ("LEVEL", "segment", "KPO", "X"),
        ("LEVEL_USD", "segment", "KPO", "X"),
        ("SHARE", "segment", "KPO", "X"),
        ("BALANCE", "segment", "KPO", "N"),
        ("SHARE", "partner", "US", "X"),  # a safe cell the pattern does not need
        ("LEVEL", "total", "_T", "X"),
        ("A_NEW_INDICATOR", "total", "_T", "X"),
    )
    p = issue.protect(obs)
    assert list(p.observations["conf_status"]) == ["A", "A", "D", "D", "F", "F", "D"]
    assert list(p.observations.columns) == [*obs.columns, "conf_status"]


def test_earlier_releases_are_sticky(issue: Tiny) -> None:
    first = issue.protect()
    assert label(first.cells, "partner", "FR")["origin"] == "secondary"
    assert label(first.cells, "region", "150")["conf_status"] == FREE
    # an earlier release published France and suppressed Europe (oldest first: the latest
    # status of Europe is its suppression)
    earlier = pd.concat(
        [
            first.cells.loc[first.cells["member"] == "FR", KEY].assign(conf_status=FREE),
            first.cells.loc[first.cells["member"] == "150", KEY].assign(conf_status=FREE),
            first.cells.loc[first.cells["member"] == "150", KEY].assign(conf_status=SECONDARY),
        ]
    )
    p = issue.protect(earlier=earlier)
    assert p.gate.passed
    fr = label(p.cells, "partner", "FR")
    assert (fr["conf_status"], fr["origin"]) == (FREE, "free")  # never a complement again
    europe = label(p.cells, "region", "150")
    assert (europe["conf_status"], europe["origin"]) == (SECONDARY, "earlier")
    # the primaries stay what the rules say
    assert label(p.cells, "segment", "KPO")["conf_status"] == "A"


def test_overrides_after_review(issue: Tiny) -> None:
    cells = issue.protect().cells
    kpo = cells[(cells["cut"] == "segment") & (cells["member"] == "KPO")][KEY]
    us = cells[(cells["cut"] == "partner") & (cells["member"] == "US")][KEY]
    overrides = pd.concat(
        [
            kpo.assign(action="publish", reason="the firm agreed in writing"),
            us.assign(action="suppress", reason="a firm's request, under review"),
        ]
    )
    p = issue.protect(overrides=overrides)
    assert p.gate.passed
    kpo_row = label(p.cells, "segment", "KPO")
    assert (kpo_row["conf_status"], kpo_row["origin"]) == (FREE, "override")
    assert kpo_row["rule"].startswith("threshold")  # what fired stays on record
    us_row = label(p.cells, "partner", "US")
    assert (us_row["conf_status"], us_row["origin"]) == (MANUAL, "override")
    with pytest.raises(ValueError, match="hide"):
        issue.protect(overrides=us.assign(action="hide", reason=""))


def test_top10_on_a_twelve_firm_segment_is_suppressed(tmp_path: Path) -> None:
    for tiny in _tiny(tmp_path / "twelve", TWELVE_ROWS):
        obs = observations_of(
            ("TOP10_FIRMS", "segment", "KPO", "X"),
            ("TOP5_FIRMS", "segment", "KPO", "X"),
            ("LEVEL", "segment", "KPO", "X"),
        )
        p = tiny.protect(obs)
        assert list(p.observations["conf_status"]) == ["D", "F", "F"]


def test_a_stored_pattern_on_a_cube_it_does_not_cover_fails_closed(issue: Tiny) -> None:
    p = issue.protect()
    c = build_cube(issue.engine.sources, published_tables(issue.profile), cube_periods("2024"))
    total = (p.cells["cut"] == "total") & (p.cells["flow"] == "X")
    partial = pattern_from_cells(c, p.cells[~total.to_numpy()])
    lost = p.cells.loc[total, "cell"].unique()
    # every cell of the exports' total had only total labels? then it is taken as suppressed
    named = set(p.cells.loc[~total, "cell"])
    for cell in lost:
        assert (partial.code[cell] == SECONDARY) == (cell not in named)
    assert any("no stored status" in n for n in partial.notes) == bool(set(lost) - named)
    extra = pd.concat([p.cells, p.cells.iloc[:1].assign(period="1999")])
    assert "1 stored label(s)" in pattern_from_cells(c, extra).notes[0]
