"""The demo's releases, made once per test session for the publication tests (read-only)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from tests.conftest import DemoStore

import digex
from digex.demo import run
from digex.publish.figures import ReleaseFigures, open_release


@dataclass(frozen=True)
class DemoReleases:
    store: Path
    """A copy of the test-size demo store holding the demo's three releases (read it only)."""
    ids: dict[str, str]
    """`2024` (the revised 2024.2), `2024-prelim` (2024.1) and `2025-H1` -> release id."""

    def open(self, which: str) -> ReleaseFigures:
        return open_release(self.store, self.ids[which])


@pytest.fixture(scope="session")
def demo_releases(demo_store: DemoStore, tmp_path_factory: pytest.TempPathFactory) -> DemoReleases:
    """`digex demo`'s releases (preliminary 2024, revised 2024, preliminary 2025-H1, each
    protected by disclosure control) on the test-size demo store."""
    folder = tmp_path_factory.mktemp("demo-releases")
    path = Path(shutil.copy(demo_store.path, folder / "demo.duckdb"))
    with digex.connect(path) as db:
        made = run.make_releases(db, folder).releases
    ids = [m.release_id for m in made]
    return DemoReleases(path, {"2024-prelim": ids[0], "2024": ids[1], "2025-H1": ids[2]})
