"""Which observations a pattern hides: every figure derived from a suppressed cell is
suppressed (share, growth either way, contribution, balance, coverage, year to date), firm
figures follow their own rules, and whatever the mapping does not know fails closed."""

from __future__ import annotations

import dataclasses
from types import MappingProxyType

import numpy as np
import pandas as pd
import pytest

from digex.disclosure.apply import observation_status
from digex.disclosure.cube import cube_from_firm_atoms
from digex.disclosure.firm_rules import firm_indicators_ok
from digex.disclosure.parameters import Parameters
from digex.disclosure.problem import FREE, Cube, Pattern
from digex.indicators.cuts import Mappings
from digex.indicators.periods import Period, parse_period
from digex.indicators.registry import Registry, registry
from digex.indicators.tables import PublishedTable

MAPPINGS = Mappings(ebops=(("ITO", "SI2"), ("KPO", "SJ1")), regions=(("FR", "150"),))
TABLES = (
    PublishedTable("total", ("A", "M")),
    PublishedTable("segment", ("A", "M")),
    PublishedTable("partner", ("A", "M")),
    PublishedTable("segment_partner", ("A",), ytd=False),
)
PERIODS = tuple(
    parse_period(p) for p in ("2023", "2024", "2023-01", "2023-02", "2024-01", "2024-02", "2023-12")
)
PARAMS = Parameters()

# (flow, year, month, segment, partner, firm, value in minor units)
ROWS = [
    *((f, y, m, "ITO", "FR", firm, v * 100)
      for y in (2023, 2024) for m in (1, 2)
      for f, firm, v in (("X", "a", 100), ("X", "b", 90), ("X", "c", 80), ("X", "d", 70),
                         ("M", "a", 10), ("M", "b", 10), ("M", "c", 10))),
    *(("X", y, m, "ITO", "US", firm, v * 100)
      for y in (2023, 2024) for m in (1, 2) for firm, v in (("a", 50), ("b", 40), ("c", 30))),
    ("X", 2024, 2, "KPO", "FR", "k", 2000),
]  # fmt: skip


def make_cube(rows: list[tuple[str, int, int, str, str, str, int]] = ROWS) -> Cube:
    frame = pd.DataFrame(
        rows, columns=["flow", "year", "month", "segment", "partner", "firm_id", "value_minor"]
    )
    frame.insert(5, "currency", "MAD")
    return cube_from_firm_atoms(frame, TABLES, PERIODS, MAPPINGS, 2)


def suppress(c: Cube, **where: str) -> Pattern:
    """A pattern suppressing (with code A) the cells of every label matching `where`."""
    mask = np.ones(len(c.labels), dtype=bool)
    for name, value in where.items():
        mask &= (c.labels[name] == value).to_numpy()
    code = np.full(c.n_cells, FREE, dtype=object)
    code[c.labels.loc[mask, "cell"].to_numpy()] = "A"
    return Pattern(code, np.zeros(c.n_cells), np.zeros(c.n_cells))


def observations(*rows: tuple[str, ...]) -> pd.DataFrame:
    """(indicator, freq, period, cut, member, flow[, value])."""
    frame = pd.DataFrame(
        [(*r[:6], float(r[6]) if len(r) > 6 else 1.0) for r in rows],
        columns=["indicator", "freq", "period", "cut", "member", "flow", "value"],
    )
    frame.index = frame.index + 100  # the result follows the caller's index
    return frame


def status(
    obs: pd.DataFrame,
    c: Cube,
    p: Pattern,
    *,
    firm_ok: pd.DataFrame | None = None,
    definitions: Registry | None = None,
    **kwargs: object,
) -> list[str]:
    ok = firm_ok if firm_ok is not None else firm_indicators_ok(c.cell_contributions(), PARAMS)
    out = observation_status(obs, c, p, ok, PARAMS, definitions=definitions, **kwargs)  # type: ignore[arg-type]
    assert out.index.equals(obs.index)
    return list(out)


def test_figures_derived_from_a_suppressed_cell_are_suppressed() -> None:
    c = make_cube()
    # ITO in the US in January 2024 suppressed (as if a primary)
    p = suppress(c, cut="partner", member="US", period="2024-01", measure="LEVEL")
    rows = [
        ("LEVEL", "M", "2024-01", "partner", "US", "X"),
        ("LEVEL_USD", "M", "2024-01", "partner", "US", "X"),
        ("SHARE", "M", "2024-01", "partner", "US", "X"),
        ("SHARE", "M", "2024-01", "partner", "FR", "X"),  # another member: published
        ("GROWTH_YOY", "M", "2024-01", "partner", "US", "X"),  # own suppressed
        ("GROWTH_POP", "M", "2024-01", "partner", "US", "X"),
        ("GROWTH_POP", "M", "2024-02", "partner", "US", "X"),  # previous suppressed
        ("GROWTH_YOY", "M", "2024-02", "partner", "US", "X"),  # neither: published
        ("CONTRIBUTION", "M", "2024-01", "partner", "US", "X"),
        ("YTD_LEVEL", "M", "2024-01", "partner", "US", "X"),  # January's YTD is January
        ("YTD_LEVEL", "M", "2024-02", "partner", "US", "X"),  # a different cell: published
        ("BALANCE", "M", "2024-01", "partner", "US", "N"),
        ("COVERAGE", "M", "2024-01", "partner", "US", "N"),
        ("BALANCE", "M", "2024-01", "partner", "FR", "N"),
    ]
    assert status(observations(*rows), c, p) == [
        "A", "A", "D", "F", "D", "D", "D", "F", "D", "A", "F", "D", "D", "F",
    ]  # fmt: skip


def test_a_suppressed_base_hides_the_comparisons_that_read_it() -> None:
    c = make_cube()
    p = suppress(c, cut="segment", member="ITO", period="2023", measure="LEVEL")
    rows = [
        ("GROWTH_YOY", "A", "2024", "segment", "ITO", "X"),  # a year earlier suppressed
        ("CONTRIBUTION", "A", "2024", "segment", "ITO", "X"),
        # the total a year earlier is the suppressed cell too (ITO is all of 2023's exports)
        ("CONTRIBUTION", "A", "2024", "segment", "KPO", "X"),
        ("YTD_GROWTH", "M", "2024-12", "segment", "ITO", "X"),  # the cube lacks 2024-12
        ("LEVEL", "A", "2024", "segment", "ITO", "X"),
    ]
    assert status(observations(*rows), c, p) == ["D", "D", "D", "D", "F"]
    # year to date: the data stop in February, so 2023-02's year to date is the year 2023,
    # and a growth of 2024-02's year to date reads it
    rows = [
        ("YTD_GROWTH", "M", "2024-02", "total", "_T", "X"),
        ("YTD_LEVEL", "M", "2023-02", "segment", "ITO", "X"),
        ("YTD_LEVEL", "M", "2023-01", "segment", "ITO", "X"),
        ("YTD_GROWTH", "M", "2024-01", "total", "_T", "X"),
    ]
    assert status(observations(*rows), c, p) == ["D", "A", "F", "F"]


def test_a_cell_the_cube_lacks_is_free_when_empty_else_as_earlier_else_suppressed() -> None:
    c = make_cube()
    p = suppress(c, cut="segment", member="KPO")
    rows = [
        # KPO had nothing in January 2024: an empty cell of the cube's tables and periods
        ("LEVEL", "M", "2024-01", "segment", "KPO", "X"),
        # 2022 is outside the cube
        ("LEVEL", "A", "2022", "segment", "ITO", "X"),
        ("GROWTH_YOY", "A", "2023", "segment", "ITO", "X"),
        # a member of a cut no table publishes
        ("LEVEL", "A", "2024", "currency", "MAD", "X"),
    ]
    obs = observations(*rows)
    kwargs = {"tables": TABLES, "periods": PERIODS}
    assert status(obs, c, p, **kwargs) == ["F", "D", "D", "D"]
    earlier = pd.DataFrame(
        [
            ("X", "A", "2022", "segment", "ITO", "LEVEL", "F"),
            ("X", "A", "2022", "segment", "ITO", "LEVEL", "M"),  # the latest: suppressed
        ],
        columns=["flow", "freq", "period", "cut", "member", "measure", "conf_status"],
    )
    assert status(obs, c, p, earlier=earlier, **kwargs) == ["F", "M", "D", "D"]
    assert status(obs, c, p, earlier=earlier.iloc[[1, 0]], **kwargs) == ["F", "F", "F", "D"]
    # without the tables and periods, empty means: the cube holds the cut at that period
    assert status(obs, c, p, earlier=earlier.iloc[[1, 0]]) == ["F", "F", "F", "D"]


def test_a_coarser_grid_member_is_not_an_empty_cell() -> None:
    c = make_cube()
    p = suppress(c, cut="segment", member="KPO")
    # segment_partner is yearly only: KPO.FR in February is outside the tables, not empty
    obs = observations(("LEVEL", "M", "2024-02", "segment_partner", "KPO.FR", "X"))
    assert status(obs, c, p, tables=TABLES, periods=PERIODS) == ["D"]


def test_firm_figures_follow_the_firm_rules() -> None:
    c = make_cube()
    p = suppress(c, cut="segment", member="KPO")
    rows = [
        ("FIRMS", "M", "2024-01", "partner", "FR", "X"),  # four firms: under min_firms 5
        ("AVG_PER_FIRM", "M", "2024-01", "partner", "FR", "X"),
        ("HHI_FIRMS", "M", "2024-01", "partner", "FR", "X"),
        ("FIRMS", "M", "2024-02", "total", "_T", "X", 5),  # five firms with KPO's: published
        ("TOP5_FIRMS", "M", "2024-02", "total", "_T", "X"),  # nothing outside the top 5
        ("FIRM_ENTRIES", "M", "2024-02", "total", "_T", "X", 1),  # KPO's one firm came in
        ("FIRM_EXITS", "M", "2024-02", "total", "_T", "X", 0),
        ("FIRM_ENTRIES", "M", "2024-02", "segment", "KPO", "X", 0),  # reads KPO: suppressed
    ]
    assert status(observations(*rows), c, p) == ["D", "D", "D", "F", "D", "D", "F", "D"]


def test_top10_on_a_twelve_firm_segment_is_suppressed() -> None:
    rows = [("X", 2024, 1, "KPO", "FR", f"k{i}", 1000 - 10 * i) for i in range(12)]
    rows += [("X", 2024, 1, "ITO", "FR", f"i{i}", 5000 + i) for i in range(20)]
    c = make_cube(rows)
    p = suppress(c, cut="segment", member="none")
    obs = observations(
        ("TOP10_FIRMS", "A", "2024", "segment", "KPO", "X"),
        ("TOP5_FIRMS", "A", "2024", "segment", "KPO", "X"),  # seven outside the top 5: safe
        ("TOP10_FIRMS", "A", "2024", "segment", "ITO", "X"),  # ten outside: safe
        ("FIRMS", "A", "2024", "segment", "KPO", "X", 12),
    )
    assert status(obs, c, p) == ["D", "F", "F", "F"]


def test_the_partners_concentration_needs_every_partner_cell_published() -> None:
    c = make_cube()
    nothing = suppress(c, cut="none")
    rows = [
        ("HHI_PARTNERS", "A", "2024", "total", "_T", "X"),
        ("HHI_PARTNERS", "A", "2024", "segment", "ITO", "X"),  # ITO.FR and ITO.US cells
        ("HHI_PARTNERS", "M", "2024-01", "segment", "ITO", "X"),  # no monthly SEG.* cells
        ("HHI_PARTNERS", "A", "2024", "ebops", "SI2", "X"),  # no partner cells by EBOPS
        ("HHI_PARTNERS", "M", "2024-01", "total", "_T", "X"),
    ]
    obs = observations(*rows)
    assert status(obs, c, nothing) == ["F", "F", "D", "D", "F"]
    fr = suppress(c, cut="partner", member="FR", period="2024")
    # France's yearly cell (ITO and KPO) is no segment_partner cell: ITO's HHI stays
    assert status(obs, c, fr) == ["D", "F", "D", "D", "F"]
    us = suppress(c, cut="partner", member="US", period="2024")
    assert status(obs, c, us)[:2] == ["D", "D"]  # the US cell is ITO.US's as well


def test_targets_jobs_and_series() -> None:
    c = make_cube()
    rows = [
        ("TARGET_LEVEL", "A", "2024", "target", "EXPORTS_2030", "X"),
        ("TARGET_GAP", "A", "2024", "target", "EXPORTS_2030", "X"),
        ("CAGR_ACHIEVED", "A", "2024", "target", "EXPORTS_2030", "X"),
        ("TARGET_LEVEL", "A", "2024", "target", "JOBS_2030", "_Z"),
        ("JOBS", "A", "2024", "segment", "KPO", "_Z"),
        ("EXPORTS_PER_JOB", "A", "2024", "segment", "KPO", "X"),
        ("EXPORTS_PER_JOB", "A", "2024", "segment", "ITO", "X"),
        ("SERIES_LEVEL", "A", "2024", "total", "EXPORTS_3SEG", "X"),
    ]
    obs = observations(*rows)
    kpo = suppress(c, cut="segment", member="KPO")
    # without the base year the growth achieved fails closed
    assert status(obs, c, kpo) == ["F", "F", "D", "F", "F", "D", "F", "F"]
    base = {"EXPORTS_2030": 2023}
    assert status(obs, c, kpo, base_years=base)[2] == "F"
    total = suppress(c, cut="total", member="_T", period="2023")
    assert status(obs, c, total, base_years=base)[:3] == ["F", "F", "D"]


def test_an_indicator_the_mapping_does_not_know_is_suppressed() -> None:
    c = make_cube()
    nothing = suppress(c, cut="none")
    installed = registry()
    level = installed.indicator("LEVEL")
    extra = {
        "NEW_RATIO": dataclasses.replace(level, id="NEW_RATIO", column="new_ratio"),
        "LEVEL_AGAIN": dataclasses.replace(level, id="LEVEL_AGAIN"),
    }
    reg = dataclasses.replace(
        installed, indicators=MappingProxyType({**installed.indicators, **extra})
    )
    obs = observations(
        ("NOT_IN_THE_REGISTRY", "A", "2024", "total", "_T", "X"),
        ("NEW_RATIO", "A", "2024", "total", "_T", "X"),
        ("LEVEL_AGAIN", "A", "2024", "total", "_T", "X"),  # a known kind of figure
        ("LEVEL", "A", "2024", "total", "_T", "X"),
    )
    assert status(obs, c, nothing, definitions=reg) == ["D", "D", "F", "F"]


@pytest.mark.parametrize("empty", [True, False])
def test_no_observations_or_no_cells(empty: bool) -> None:
    c = make_cube()
    p = suppress(c, cut="none")
    obs = observations(("SERIES_LEVEL", "A", "2024", "total", "X3", "X"))
    if empty:
        obs = obs.iloc[:0]
    assert status(obs, c, p) == ([] if empty else ["F"])
    assert Period("A", 2024, 1) in PERIODS
