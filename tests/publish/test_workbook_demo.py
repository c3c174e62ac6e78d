"""The demo's releases as workbooks: the reference figures where a reader looks for them, and
every cell of every sheet equal to the release."""

from __future__ import annotations

from decimal import Decimal

import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from tests.publish.conftest import DemoReleases
from tests.publish.test_workbook import cells_by_key

from digex.publish.figures import CONFIDENTIAL, FigureKey, ReleaseFigures
from digex.publish.rounding import round_half_up
from digex.publish.workbook import CONFIDENTIAL_MARK, write_workbook


@pytest.fixture(scope="module")
def demo(
    demo_releases: DemoReleases, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[ReleaseFigures, Workbook]]:
    folder = tmp_path_factory.mktemp("workbook-demo")
    found = {}
    for which, lang in (("2024", "en"), ("2025-H1", "ar")):
        release = demo_releases.open(which)
        path = write_workbook(release, lang, folder / f"{which}-{lang}.xlsx")
        found[which] = (release, load_workbook(path))
    return found


def shown(book: Workbook) -> dict[FigureKey, object]:
    cells: dict[FigureKey, object] = {}
    for sheet in book.worksheets[1:]:
        cells.update(cells_by_key(sheet))
    return cells


def value(cell: object) -> Decimal:
    number = cell.value  # type: ignore[attr-defined]
    assert isinstance(number, int | float), number
    return Decimal(repr(float(number)))


def test_2024_states_the_reference_figures(
    demo: dict[str, tuple[ReleaseFigures, Workbook]],
) -> None:
    _, book = demo["2024"]
    cells = shown(book)
    level = cells[FigureKey("LEVEL", "2024")]
    assert level.number_format == "#,##0.000,,,"  # type: ignore[attr-defined]
    assert round_half_up(value(level) / 10**9, 1) == Decimal("26.2")
    assert round_half_up(value(cells[FigureKey("GROWTH_YOY", "2024")]), 1) == Decimal("0.2")
    shares = {
        s: round_half_up(value(cells[FigureKey("SHARE", "2024", "segment", s)]), 1)
        for s in ("ITO", "CRM", "ESO", "BPO", "KPO")
    }
    assert shares == {
        "ITO": Decimal("40.3"),
        "CRM": Decimal("37.4"),
        "ESO": Decimal("13.2"),
        "BPO": Decimal("8.9"),
        "KPO": Decimal("0.2"),
    }
    # the segments in the code list's order, the total last, in the first block
    rows = [r[2].value for r in book["By segment"].iter_rows(min_row=3, max_row=8)]
    assert rows == [
        "IT outsourcing",
        "Customer relationship management",
        "Engineering services outsourcing",
        "Business process outsourcing",
        "Knowledge process outsourcing",
        "Total",
    ]


def test_2025_h1_compares_the_half_years_side_by_side(
    demo: dict[str, tuple[ReleaseFigures, Workbook]],
) -> None:
    _, book = demo["2025-H1"]
    assert all(s.sheet_view.rightToLeft for s in book.worksheets)
    cells = shown(book)
    now, before = (value(cells[FigureKey("LEVEL", p)]) for p in ("2025-H1", "2024-H1"))
    assert round_half_up(now / 10**9, 1) == Decimal("13.4")
    assert round_half_up(before / 10**9, 1) == Decimal("12.9")
    growth = value(cells[FigureKey("GROWTH_YOY", "2025-H1")])
    assert round_half_up(growth, 1) == Decimal("3.5")


def test_every_cell_is_the_release_s(demo: dict[str, tuple[ReleaseFigures, Workbook]]) -> None:
    for release, book in demo.values():
        cells = shown(book)
        tables = {t.cut for t in release.profile.tables} | {"target"}
        figures = [f for f in release if f.key.cut in tables]
        assert figures
        for figure in figures:
            cell = cells[figure.key]
            if figure.conf_status == CONFIDENTIAL:
                assert cell.value == CONFIDENTIAL_MARK  # type: ignore[attr-defined]
                assert cell.data_type == "s"  # type: ignore[attr-defined]
            else:
                assert figure.value is not None
                assert value(cell) == Decimal(f"{float(figure.value):.15g}"), figure.key
        # and nothing else: no cell shows a figure the release does not hold
        held = {f.key for f in (*release, *release.extras)}
        extra = [k for k, c in cells.items() if k not in held and c.value != "—"]  # type: ignore[attr-defined]
        assert not extra
        assert any(f.conf_status == CONFIDENTIAL for f in figures)


def test_one_sheet_per_published_table(
    demo: dict[str, tuple[ReleaseFigures, Workbook]],
) -> None:
    release, book = demo["2024"]
    # the cover, the seven tables of MA's profile, then the targets' progress
    assert [s.title for s in book.worksheets] == [
        "About",
        "Total",
        "By segment",
        "By EBOPS category",
        "By partner country",
        "By region",
        "By currency",
        "By segment and region",
        "Targets",
    ]
    assert [t.cut for t in release.profile.tables] == [
        "total",
        "segment",
        "ebops",
        "partner",
        "region",
        "currency",
        "segment_region",
    ]


def test_the_targets_sheet_states_each_target_s_value_with_its_unit(
    demo: dict[str, tuple[ReleaseFigures, Workbook]],
) -> None:
    """Beside the level reached and the gap, the Targets sheet gives each target's own value
    (the profile's, as the note states it: TARGET_VALUE) in its unit: a reader of the sheet
    alone learns what the progress is measured against."""
    release, book = demo["2024"]
    rows = {str(r[-1]): r for r in book["Targets"].iter_rows(min_row=3, values_only=True)}
    units = {"exports": ("X", "billion MAD"), "jobs": ("_Z", "jobs")}
    assert release.profile.targets
    for target in release.profile.targets:
        flow, unit = units[target.measure]
        row = rows[f"TARGET_VALUE/{flow}/target/{target.id}"]
        assert row[0] == "Target value"
        assert row[2] == target.names["en"]
        assert row[3] == unit
        assert Decimal(repr(row[4])) == Decimal(target.value)
