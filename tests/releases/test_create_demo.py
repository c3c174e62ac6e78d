"""The demo's releases: preliminary 2024, a late file, revised 2024, preliminary 2025-H1; every
published figure of DESIGN.md read from the releases' own rows, in each vintage."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import DemoStore
from tests.test_reference_figures import FIGURES, query

import digex
from digex.demo import run
from digex.publish.rounding import round_half_up
from digex.releases.snapshot import read_release

Key = tuple[str, str, str, str, str]


def _index(rows: list[dict[str, Any]]) -> dict[Key, float]:
    """A release's exports by (indicator, cut, member, period, flow)."""
    return {
        (r["indicator"], r["cut"], r["member"], r["period"], r["flow"]): r["value"]
        for r in rows
        if r["flow"] == "X"
    }


def _published(values: dict[Key, float], figure: dict[str, Any]) -> Decimal | None:
    """The figure as published from a release's rows (None when the release lacks it)."""
    by, indicator, unit_mult = query(figure)
    value = values.get((indicator, by, figure["segment"], figure["period"], "X"))
    if value is None:
        return None
    return round_half_up(value / 10**unit_mult, figure["decimals"])


@pytest.fixture(scope="module")
def released(
    demo_store: DemoStore, tmp_path_factory: pytest.TempPathFactory
) -> tuple[run.Released, Path]:
    folder = tmp_path_factory.mktemp("demo-releases")
    path = Path(shutil.copy(demo_store.path, folder / "demo.duckdb"))
    with digex.connect(path) as db:
        return run.make_releases(db, folder), path


def test_the_demo_makes_three_releases_at_their_calendar_times(
    released: tuple[run.Released, Path],
) -> None:
    made, _ = released
    ids = [(r.release_id, r.status) for r in made.releases]
    assert ids == [("2024.1", "preliminary"), ("2024.2", "revised"), ("2025-H1.1", "preliminary")]
    assert made.late.rows_accepted == len(run.LATE_AMOUNTS) == 3
    for info in made.releases:
        assert info.created_at < info.published_at  # embargoed a few days
        assert info.snapshot is not None
    # the calendar's due dates (data/calendar/MA.toml): 2024 within 3 months, H1 within 6 weeks
    assert made.releases[0].published_at < dt.datetime(2025, 4, 1)
    assert made.releases[2].published_at < dt.datetime(2025, 8, 12)


def test_the_revision_is_the_late_file_and_every_published_figure_stays_true(
    released: tuple[run.Released, Path],
) -> None:
    made, _ = released
    assert made.releases[0].snapshot is not None
    assert made.releases[1].snapshot is not None
    assert made.releases[2].snapshot is not None
    first, second, half = (
        _index(read_release(r.snapshot).observations.to_pylist())  # type: ignore[arg-type]
        for r in made.releases
    )

    def level(values: dict[Key, float], cut: str, member: str) -> Decimal:
        return Decimal(str(values["LEVEL", cut, member, "2024", "X"]))

    late = sum(Decimal(a) for a in run.LATE_AMOUNTS)
    assert level(second, "total", "_T") - level(first, "total", "_T") == late
    segment = run.LATE_SEGMENT
    assert level(second, "segment", segment) - level(first, "segment", segment) == late
    changed = set()
    for figure in FIGURES:
        published = Decimal(str(figure["value"]))
        in_2024 = [_published(rows, figure) for rows in (first, second)]
        if figure["period"] in ("2025-H1", "2024-H1"):
            assert _published(half, figure) == published, figure["id"]
            continue
        if in_2024[0] is None:  # a series the release does not carry (jobs by year)
            continue
        assert in_2024[0] == published, figure["id"]
        if in_2024[1] != published:
            changed.add(figure["id"])
    # the public table's figures (26.2, +0.2 %, the shares) hold in both vintages; only BPO's
    # level to three decimals shows the revision
    assert changed == {"EXP_2024_BPO"}
