"""The cube in leaf form: its periods, its cells against sums made by hand, the labels that
share a cell, the atoms no cell tells apart, and the members named as the engine names them."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tests.disclosure.fixtures import FIRMS, ISSUE_AMOUNTS, ISSUE_TABLES, engine_of, tiny_store

from digex.disclosure.cube import build_cube, cube_from_firm_atoms, cube_periods
from digex.disclosure.problem import LABEL_KEY, Cube
from digex.errors import UnknownCut
from digex.indicators.cuts import Mappings
from digex.indicators.periods import Period, parse_period
from digex.indicators.tables import Coarser, PublishedTable

MAPPINGS = Mappings(
    ebops=(("ITO", "SI2"), ("KPO", "SJ1")),
    regions=(("FR", "150"), ("ES", "150"), ("US", "019"), ("AQ", None)),
)


def firm_atoms(*rows: tuple[str, int, str, str, str, str, int]) -> pd.DataFrame:
    """(flow, month, segment, partner, currency, firm, value in minor units), all in 2024."""
    frame = pd.DataFrame(
        rows, columns=["flow", "month", "segment", "partner", "currency", "firm_id", "value_minor"]
    )
    frame.insert(1, "year", 2024)
    return frame


def cube(
    frame: pd.DataFrame,
    tables: tuple[PublishedTable, ...],
    periods: tuple[str, ...] = ("2024",),
    groups: dict[str, str] | None = None,
) -> Cube:
    wanted = [parse_period(p) for p in periods]
    return cube_from_firm_atoms(frame, tables, wanted, MAPPINGS, 2, groups)


def cell_of(c: Cube, **key: str) -> int:
    mask = np.ones(len(c.labels), dtype=bool)
    for name, value in key.items():
        mask &= (c.labels[name] == value).to_numpy()
    found = c.labels.loc[mask, "cell"].unique()
    assert len(found) == 1, key
    return int(found[0])


def value(c: Cube, **key: str) -> float:
    return float(c.cells.loc[cell_of(c, **key), "value"])


def test_the_periods_a_release_protects() -> None:
    labels = [p.label for p in cube_periods("2024-03")]
    assert labels == ["2022-03", "2023-02", "2023-03", "2024-02", "2024-03"]
    # a year's release reads all of the year before its comparison year (its growth rates)
    year = cube_periods(parse_period("2024"))
    assert {p.year for p in year} == {2022, 2023, 2024}
    assert len(year) == 3 * (1 + 2 + 4 + 12)
    quarters = [Period("Q", 2022, 1), Period("Q", 2022, 4), Period("Q", 2023, 1),
                Period("Q", 2023, 4), Period("Q", 2024, 1)]  # fmt: skip
    assert cube_periods("2024-Q1")[:5] == quarters


def test_the_issue_fixture_against_sums_by_hand(tmp_path: Path) -> None:
    with tiny_store(tmp_path / "s") as db, engine_of(db) as engine:
        c = build_cube(engine.sources, ISSUE_TABLES, [parse_period("2024")])

    def by_hand(flow: str, cut: str, member: str) -> Decimal:
        column = {"segment": 1, "partner": 2}
        return sum(
            (a for _, s, p, f, a in ISSUE_AMOUNTS
             if f == flow and (cut == "total" or (s, p)[column[cut] - 1] == member)),
            Decimal(0),
        )  # fmt: skip

    expected = {
        (flow, cut, member): by_hand(flow, cut, member)
        for flow in ("X", "M")
        for cut, members in (("total", ["_T"]), ("segment", ["ITO", "BPO", "KPO"]),
                             ("partner", ["FR", "US", "ES"]))
        for member in members
        if by_hand(flow, cut, member)
    }  # fmt: skip
    got = {
        (r.flow, r.cut, r.member): Decimal(str(c.cells.loc[r.cell, "value"]))
        for r in c.labels.itertuples()
    }
    assert got == expected
    assert set(c.labels["freq"]) == {"A"}
    assert set(c.labels["measure"]) == {"LEVEL"}
    # the identity every LP reads: a cell is the sum of its atoms
    np.testing.assert_allclose(c.membership @ c.atom_values, c.values())
    # imports: the total, ITO and FR are one cell (same three firms' atoms)
    assert len(c.labels[c.labels["flow"] == "M"]["cell"].unique()) == 1
    # atoms: six segment x partner pairs of exports, one of imports (the month, the currency
    # and the flows' cells tell no more apart)
    assert c.n_atoms == 7
    es = c.cell_contributions()[cell_of(c, flow="X", cut="partner", member="ES")].toarray()[0]
    by_group = {g: v for g, v in zip(c.groups, es, strict=True) if v}
    assert by_group == {FIRMS["I4"]: 2_000_000, FIRMS["I5"]: 1_800_000, FIRMS["B1"]: 50_000}


def test_cells_with_the_same_atoms_are_one_cell_with_several_labels() -> None:
    frame = firm_atoms(
        ("X", 3, "ITO", "FR", "MAD", "a", 100), ("X", 3, "KPO", "FR", "MAD", "b", 40)
    )
    tables = tuple(PublishedTable(cut) for cut in ("total", "segment", "ebops", "partner"))
    c = cube(frame, tables, tuple(p.label for p in cube_periods("2024")))
    ito = cell_of(c, cut="segment", member="ITO", freq="A", measure="LEVEL")
    # the EBOPS code ITO defaults to, March, Q1, H1 and their years to date are the same atoms
    same = c.labels[c.labels["cell"] == ito]
    assert set(zip(same["cut"], same["member"], strict=True)) == {("segment", "ITO"),
                                                                  ("ebops", "SI2")}  # fmt: skip
    assert set(same["period"]) == {"2024", "2024-H1", "2024-Q1", "2024-03", "2024-H2",
                                   "2024-Q2", "2024-Q3", "2024-Q4"} | {
        f"2024-{m:02d}" for m in range(4, 13)
    }  # fmt: skip
    # later periods' years to date only (their own levels are empty cells, not labels)
    later = same[same["period"].isin(["2024-H2", "2024-Q4", "2024-12"])]
    assert set(later["measure"]) == {"YTD_LEVEL"}
    # the total and France hold both segments: one more cell; three in all
    assert c.n_cells == 3
    assert value(c, cut="partner", member="FR", freq="M", period="2024-03") == 1.40
    # nothing outside the periods asked (2022 to 2024 here) and only months with data
    assert not (c.labels["period"] == "2024-02").any()


def test_year_to_date_is_january_to_the_periods_end() -> None:
    frame = firm_atoms(
        ("X", 1, "ITO", "FR", "MAD", "a", 1_00),
        ("X", 4, "ITO", "FR", "MAD", "a", 20_00),
        ("X", 8, "ITO", "FR", "MAD", "b", 300_00),
        ("X", 12, "ITO", "FR", "MAD", "c", 4000_00),
    )
    periods = (*(f"2024-Q{q}" for q in range(1, 5)), "2024")
    c = cube(frame, (PublishedTable("total", ("Q", "A")),), periods)
    levels = [value(c, period=f"2024-Q{q}", measure="LEVEL") for q in range(1, 5)]
    ytd = [value(c, period=f"2024-Q{q}", measure="YTD_LEVEL") for q in range(1, 5)]
    assert levels == [1, 20, 300, 4000]
    assert ytd == [1, 21, 321, 4321]
    # Q1's year to date is Q1, Q4's is the year: the same cells
    assert cell_of(c, period="2024-Q1", measure="YTD_LEVEL") == cell_of(
        c, period="2024-Q1", measure="LEVEL"
    )
    assert cell_of(c, period="2024-Q4", measure="YTD_LEVEL") == cell_of(c, period="2024")
    # without year to date: levels only
    plain = cube(frame, (PublishedTable("total", ("Q",), ytd=False),), periods)
    assert set(plain.labels["measure"]) == {"LEVEL"}


def test_atoms_no_cell_tells_apart_are_merged_with_their_values_and_contributions() -> None:
    frame = firm_atoms(
        ("X", 1, "ITO", "FR", "MAD", "a", 100),
        ("X", 2, "ITO", "FR", "EUR", "a", 50),
        ("X", 2, "ITO", "US", "MAD", "b", 70),
        ("X", 5, "ITO", "US", "USD", "b", 30),
    )
    yearly = cube(frame, (PublishedTable("partner", ("A",), ytd=False),))
    assert yearly.n_atoms == 2  # FR and US: months and currencies are never told apart
    assert sorted(yearly.atom_values) == [1.0, 1.5]
    assert yearly.contributions.toarray().tolist() in ([[1.5, 0], [0, 1.0]], [[0, 1.0], [1.5, 0]])
    monthly = cube(frame, (PublishedTable("partner", ("M",), ytd=False),), ("2024-01", "2024-02"))
    # January FR, February FR, February US; May is in no cell asked for: dropped
    assert monthly.n_atoms == 3
    assert sorted(monthly.atom_values) == [0.5, 0.7, 1.0]
    by_currency = cube(frame, (PublishedTable("currency", ("A",), ytd=False),))
    assert by_currency.n_atoms == 3
    assert sorted(by_currency.labels["member"]) == ["EUR", "MAD", "USD"]


def test_members_as_the_engine_names_them() -> None:
    frame = firm_atoms(
        ("X", 1, "ITO", "FR", "MAD", "a", 100),
        ("X", 1, "KPO", "AQ", "MAD", "b", 50),
        ("X", 1, "BPO", "US", "MAD", "c", 20),
    )
    cuts = ("total", "ebops", "region", "segment_partner", "segment_region")
    c = cube(frame, tuple(PublishedTable(cut, ("A",), ytd=False) for cut in cuts))
    members = {cut: sorted(set(c.labels.loc[c.labels["cut"] == cut, "member"])) for cut in cuts}
    assert members == {
        "total": ["_T"],
        "ebops": ["SI2", "SJ1"],  # BPO has no EBOPS code in these mappings: no member
        "region": ["019", "150", "_X"],
        "segment_partner": ["BPO.US", "ITO.FR", "KPO.AQ"],
        "segment_region": ["BPO.019", "ITO.150", "KPO._X"],
    }
    with pytest.raises(UnknownCut, match="sector"):
        cube(frame, (PublishedTable("sector"),))


def test_a_coarser_grid_applies_to_its_members_only() -> None:
    frame = firm_atoms(
        ("X", 1, "ITO", "FR", "MAD", "a", 100), ("X", 1, "KPO", "FR", "MAD", "b", 50)
    )
    table = PublishedTable("segment_partner", ("A", "Q"), coarser=(Coarser(("KPO.*",), ("A",)),))
    c = cube(frame, (table,), ("2024", "2024-Q1"))
    shown = set(zip(c.labels["member"], c.labels["freq"], strict=True))
    assert shown == {("ITO.FR", "A"), ("ITO.FR", "Q"), ("KPO.FR", "A")}


def test_contributors_are_enterprise_groups_and_a_zero_sum_still_counts() -> None:
    frame = firm_atoms(
        ("X", 1, "ITO", "FR", "MAD", "a", 100),
        ("X", 1, "ITO", "FR", "MAD", "b", 300),
        ("X", 1, "ITO", "FR", "MAD", "c", 0),  # a credit note cancelling a declaration
    )
    alone = cube(frame, (PublishedTable("total", ("A",), ytd=False),))
    assert alone.cell_contributions().toarray().tolist() == [[1.0, 3.0, 0.0]]
    assert alone.contributions.nnz == 3  # c's zero is an explicit entry: a contributor
    grouped = cube(frame, (PublishedTable("total", ("A",), ytd=False),), groups={"b": "a"})
    assert grouped.groups == ("a", "c")
    assert grouped.cell_contributions().toarray().tolist() == [[4.0, 0.0]]


def test_labels_are_sorted_and_named_by_the_label_key() -> None:
    frame = firm_atoms(("M", 1, "ITO", "FR", "MAD", "a", 1), ("X", 1, "KPO", "FR", "MAD", "b", 2))
    c = cube(frame, (PublishedTable("segment", ("A",), ytd=False),))
    assert list(c.labels.columns) == [*LABEL_KEY, "cell"]
    assert c.labels[list(LABEL_KEY)].equals(c.labels.sort_values(list(LABEL_KEY))[list(LABEL_KEY)])
    assert c.cells["flow"].tolist() == ["M", "X"]


def test_no_declarations_make_an_empty_cube() -> None:
    c = cube(firm_atoms(), (PublishedTable("total"),))
    assert (c.n_cells, c.n_atoms, len(c.labels), len(c.groups)) == (0, 0, 0, 0)
    assert list(c.labels.columns) == [*LABEL_KEY, "cell"]
