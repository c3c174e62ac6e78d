"""A release is computed without the writer's lock: a load that commits while its figures
are computed is not refused a lock, and the release then is computed again (once) so that the
loads it records are those its figures come from, or refused if loads keep committing."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from tests.conftest import TODAY, write_csv
from tests.releases.test_create import BULK, LATE, MARCH, _level, _row, amount

import digex
from digex.api import Digex
from digex.errors import ReleaseRefused
from digex.releases import content
from digex.store import audit
from digex.store import releases as rel

Observations = Callable[..., object]


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Digex]:
    with digex.init(tmp_path / "s.duckdb") as store:
        store.load(write_csv(tmp_path / "bulk.csv", BULK + MARCH), today=TODAY)
        yield store


def _loading_meanwhile(monkeypatch: pytest.MonkeyPatch, db: Digex, files: list[Path]) -> list[bool]:
    """Make each computation of a release commit the next of `files` after computing: from
    another thread, which would give up on the writer's lock if the release held it."""
    original: Observations = content.observations
    calls: list[bool] = []

    def observations(*args: object, **kwargs: object) -> object:
        frame = original(*args, **kwargs)
        if files:
            path = files.pop(0)
            loader = threading.Thread(target=lambda: db.load(path, today=TODAY))
            loader.start()
            loader.join(timeout=30)
            assert not loader.is_alive()
        calls.append(True)
        return frame

    monkeypatch.setattr(content, "observations", observations)
    return calls


def test_a_load_committed_while_computing_is_in_the_release(
    db: Digex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    late = write_csv(tmp_path / "late.csv", LATE)
    calls = _loading_meanwhile(monkeypatch, db, [late])
    info = db.create_release("2024-03", "preliminary")
    assert len(calls) == 2  # computed, a load committed, computed again
    with db.store.reading() as con:
        level = _level(rel.observations(con, info.release_id), "2024-03")
        recorded = set(rel.loads(con, info.release_id)["load_id"].to_pylist())
        active = {int(r[0]) for r in con.execute("SELECT load_id FROM active_loads").fetchall()}
    assert level == amount(2024, 3) + Decimal("12.75")  # the late declaration counted
    assert recorded == active  # and its load recorded, with the others
    assert info.loads == len(active) == 2


def test_loads_that_keep_committing_refuse_the_release(
    db: Digex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    late = [_row(f"L{i}", 2024, 3, Decimal(i + 1), partner="US") for i in range(2)]
    files = [write_csv(tmp_path / f"late{i}.csv", [row]) for i, row in enumerate(late)]
    calls = _loading_meanwhile(monkeypatch, db, files)
    with pytest.raises(ReleaseRefused, match="committed while its figures were being computed"):
        db.create_release("2024-03", "preliminary")
    assert len(calls) == 2
    with db.store.reading() as con:
        assert rel.ids(con) == []
        assert audit.events(con, "release").num_rows == 0
        loads = con.execute("SELECT count(*) FROM loads").fetchone()
    assert loads == (3,)  # the loads themselves all committed
