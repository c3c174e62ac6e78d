"""The demo's releases, made once for the publication tests (read-only)."""

from __future__ import annotations

import fcntl
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from tests.conftest import DemoStore, _demo_home

import digex
from digex.demo import run
from digex.publish.figures import ReleaseFigures, open_release

STORE = "demo.duckdb"
IDS = "release-ids.json"


@dataclass(frozen=True)
class DemoReleases:
    store: Path
    """A copy of the test-size demo store holding the demo's three releases (read it only)."""
    ids: dict[str, str]
    """`2024` (the revised 2024.2), `2024-prelim` (2024.1) and `2025-H1` -> release id."""

    def open(self, which: str) -> ReleaseFigures:
        return open_release(self.store, self.ids[which])


def _build(demo_store: DemoStore, folder: Path) -> None:
    """The demo's releases on a copy of the demo store in `folder`; the ids file is written
    last, so that its presence says the folder is whole."""
    path = Path(shutil.copy(demo_store.pristine, folder / STORE))
    with digex.connect(path) as db:
        made = run.make_releases(db, folder).releases
    ids = [m.release_id for m in made]
    names = {"2024-prelim": ids[0], "2024": ids[1], "2025-H1": ids[2]}
    (folder / IDS).write_text(json.dumps(names), encoding="utf-8")


@pytest.fixture(scope="session")
def demo_releases(
    request: pytest.FixtureRequest,
    demo_store: DemoStore,
    tmp_path_factory: pytest.TempPathFactory,
) -> DemoReleases:
    """`digex demo`'s releases (preliminary 2024, revised 2024, preliminary 2025-H1, each
    protected by disclosure control) on the test-size demo store.

    Making them costs about 45 s (disclosure control on three releases), so they are kept
    between runs beside the demo store, under the same key of the code (`_demo_home`), and
    each run reads its own copy."""
    copy = tmp_path_factory.mktemp("demo-releases")
    home = _demo_home(request.config)
    if home is None:
        _build(demo_store, copy)
    else:
        kept = home.parent / f"{home.name}-releases"
        with (home.parent / f"{home.name}-releases.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not (kept / IDS).is_file():
                shutil.rmtree(kept, ignore_errors=True)
                kept.mkdir(parents=True)
                _build(demo_store, kept)
        shutil.copytree(kept, copy, dirs_exist_ok=True)
    ids = json.loads((copy / IDS).read_text(encoding="utf-8"))
    return DemoReleases(copy / STORE, ids)
