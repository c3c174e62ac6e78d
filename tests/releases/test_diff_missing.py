"""A value missing on both sides of a diff has not changed: the summary counts the rows the
SQL's IS DISTINCT FROM says differ, not those pandas' `ne` sets apart (NaN != NaN)."""

from __future__ import annotations

from pathlib import Path

from tests.releases.history_store import Obs, put_release, utc

import digex


def test_both_missing_is_not_a_change(tmp_path: Path) -> None:
    old: list[Obs] = [
        ("SHARE", "A", "2024", "segment", "ITO", None),  # missing in both
        ("SHARE", "A", "2024", "segment", "BPO", 20.0),  # unchanged
        ("SHARE", "A", "2024", "segment", "KPO", 3.0),  # changed
        ("SHARE", "A", "2024", "segment", "ESO", 1.0),  # became missing
    ]
    new: list[Obs] = [(*r[:5], {"KPO": 3.5, "ESO": None}.get(r[4], r[5])) for r in old]
    with digex.init(tmp_path / "s.duckdb") as db:
        put_release(db, "2024.1", utc(2025, 3, 15), old)
        put_release(db, "2024.2", utc(2025, 9, 30), new)
        every = db.release_diff("2024.1", "2024.2", changed_only=False)
        changed = db.release_diff("2024.1", "2024.2")
    flags = dict(zip(every.rows["member"], every.rows["changed"], strict=True))
    assert flags == {"BPO": False, "ESO": True, "ITO": False, "KPO": True}
    for d in (every, changed):
        summary = d.summary().set_index(["indicator", "cut"]).loc[("SHARE", "segment")]
        assert summary.to_dict() == {"changed": 2, "appeared": 0, "vanished": 0}
