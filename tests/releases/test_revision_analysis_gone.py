"""A member gone from a later vintage (its declarations corrected to another partner) is gone
in that vintage: its latest estimate is that absence, never the older release's value."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal as D

import pytest
from tests.inprocess import run_here
from tests.releases.history_store import Obs, put_release, utc

import digex
from digex.api import Digex


def level(member: str, value: float, period: str = "2024") -> Obs:
    return ("LEVEL", "A", period, "partner", member, value)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Digex]:
    """DE 500 then 520 then gone (its file corrected to ES); FR 1000, 1000, 1010. 2023 is
    carried by the first release only; DE of 2023 is therefore never gone."""
    path = tmp_path_factory.mktemp("gone") / "s.duckdb"
    with digex.init(path) as made:
        put_release(made, "2024.1", utc(2025, 3, 2), [
            level("DE", 500.0), level("FR", 1000.0), level("DE", 400.0, "2023"),
        ])  # fmt: skip
        put_release(made, "2024.2", utc(2025, 6, 2), [level("DE", 520.0), level("FR", 1000.0)])
        put_release(made, "2024.3", utc(2025, 9, 2), [level("ES", 520.0), level("FR", 1010.0)])
    with digex.connect(path, read_only=True) as opened:
        yield opened


def test_the_latest_estimate_of_a_gone_member_is_its_absence(db: Digex) -> None:
    stats, triangle = db.revisions("LEVEL", by="partner", triangle=True)
    n = dict(zip(stats["member"], stats["n"], strict=True))
    assert n == {"DE": 0, "ES": 0, "FR": 1}  # DE: first 500, latest gone; not 500 -> 520
    assert stats.set_index("member").loc["FR", "mean_revision"] == D(10)
    assert triangle.loc[("DE", "2024")].to_dict() == {
        "2024.1": D(500),
        "2024.2": D(520),
        "2024.3": None,
    }
    # DE had no 2023 value in a release carrying 2023 after it: nothing is gone there
    assert triangle.loc[("DE", "2023")].to_dict() == {
        "2024.1": D(400),
        "2024.2": None,
        "2024.3": None,
    }


def test_positions_before_the_absence_still_revise(db: Digex) -> None:
    second = db.revisions("LEVEL", by="partner", member="DE", earlier="1", later="2")
    assert list(second["n"]) == [1]
    assert list(second["mean_revision"]) == [D(20)]
    assert list(db.revisions("LEVEL", by="partner", member="DE")["n"]) == [0]


def test_the_command_line_says_where_the_member_is_gone(db: Digex) -> None:
    run = run_here(["revisions", "LEVEL", "--by", "partner", "--db", db.path], db.path.parent)
    assert run.code == 0, run.stderr
    said = " ".join(run.stdout.split())
    assert (
        "DE: not counted, too few published values for the estimates compared (or the member "
        "gone from the release compared): 2023 (1 published), 2024 (2 published, gone in 2024.3)"
    ) in said
    assert "ES: not counted, too few published values for the estimates compared: 2024 (1 " in said
