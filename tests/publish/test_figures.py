"""A release as publication reads it: from its snapshot, with exact values and the targets'
progress computed from its own figures."""

from __future__ import annotations

from decimal import Decimal

from tests.publish.conftest import DemoReleases

from digex.publish.figures import FigureKey
from digex.publish.rounding import round_half_up


def test_the_demo_releases_state_the_reference_figures(demo_releases: DemoReleases) -> None:
    r = demo_releases.open("2024")
    assert r.status == "revised"
    assert r.previous is not None
    assert r.previous.release_id == demo_releases.ids["2024-prelim"]
    level = r.figure("LEVEL", "2024").value
    assert level is not None
    assert round_half_up(level / Decimal(10**9), 1) == Decimal("26.2")
    growth = r.figure("GROWTH_YOY", "2024").value
    assert growth is not None
    assert round_half_up(growth, 1) == Decimal("0.2")
    h1 = demo_releases.open("2025-H1")
    assert h1.previous is None
    now, before = (h1.figure("LEVEL", p).value for p in ("2025-H1", "2024-H1"))
    assert now is not None
    assert before is not None
    assert round_half_up(now / Decimal(10**9), 1) == Decimal("13.4")
    assert round_half_up(before / Decimal(10**9), 1) == Decimal("12.9")


def test_target_progress_is_computed_exactly_from_the_release(demo_releases: DemoReleases) -> None:
    r = demo_releases.open("2024")
    level = r.figure("LEVEL", "2024").value
    assert level is not None
    gap = r.figure("TARGET_GAP", "2024", "target", "EXPORTS_2030").value
    progress = r.figure("TARGET_PROGRESS", "2024", "target", "EXPORTS_2030").value
    assert gap == Decimal(40_000_000_000) - level
    assert progress is not None
    assert abs(progress - level / Decimal(400_000_000)) < Decimal("1e-9")
    assert FigureKey.parse(FigureKey("LEVEL", "2024").id) == FigureKey("LEVEL", "2024")
