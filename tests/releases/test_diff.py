"""`release list`, `release show` and `release diff` on a hand-built pair of releases: a
preliminary 2024 release, then a late file, a replaced file and a withdrawn one, then a revised
2024 release. Every change is checked against a hand computation with Decimal."""

from __future__ import annotations

import math
from collections.abc import Iterator
from decimal import Decimal as D
from pathlib import Path

import pandas as pd
import pytest
from tests.releases.history_store import Obs, build_pair, put_release, shared, utc

import digex
from digex.api import Digex
from digex.errors import UnknownIndicator, UnknownRelease, UsageError
from digex.releases.diff import measure


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Digex]:
    with Digex.open(shared(build_pair, tmp_path_factory), read_only=True) as db:
        yield db


def test_list_counts_and_embargo(pair: Digex) -> None:
    listed = pair.releases()
    assert list(listed["release_id"]) == ["2024.1", "2024.2", "2025.1"]
    assert list(listed["observations"]) == [7, 7, 1]
    assert list(listed["loads"]) == [3, 3, 3]  # rates, d1, e / rates, f, d2 / the same
    assert list(listed["indicators"]) == [4, 4, 1]
    assert list(listed["embargoed"]) == [False, False, True]
    assert list(listed["vintage"]) == [1, 2, 1]


def test_show_one_release(pair: Digex) -> None:
    info = pair.release("2024.2")
    assert info.metadata["status"] == "revised"
    assert info.metadata["embargoed"] is False
    loads = info.loads
    assert list(loads["load_id"]) == [1, 4, 5]
    assert list(loads["file_name"]) == ["rates.csv", "f.csv", "d2.csv"]
    assert loads["replaces"].tolist()[2] == 2
    assert all(len(h) == 64 for h in loads["content_hash"])
    assert list(info.inputs["name"]) == ["codelists.json", "profile.toml", "seasonal.json"]
    assert list(info.inputs["bytes"]) == [2, 1, 1]
    counts = info.counts.set_index("indicator")
    assert counts.loc["LEVEL", "observations"] == 3
    assert counts.loc["LEVEL", "missing"] == 1
    assert counts.loc["LEVEL", "cuts"] == "segment,total"
    assert counts.loc["SHARE", "periods"] == 1
    with pytest.raises(UnknownRelease, match=r"'2024\.9'.*2024\.1, 2024\.2, 2025\.1"):
        pair.release("2024.9")


def _row(frame: pd.DataFrame, indicator: str, cut: str, member: str) -> pd.Series:
    hit = frame[
        (frame["indicator"] == indicator) & (frame["cut"] == cut) & (frame["member"] == member)
    ]
    assert len(hit) == 1, hit
    return hit.iloc[0]


def test_diff_by_hand(pair: Digex) -> None:
    d = pair.release_diff("2024.1", "2024.2")
    rows = d.rows
    # the unchanged LEVEL 2023 is left out; the six others changed, appeared or vanished
    assert len(rows) == 7
    assert "2023" not in set(rows["period"])
    level = _row(rows, "LEVEL", "total", "_T")
    assert level["measure"] == "level"
    assert D(repr(float(level["change"]))) == D("26204300000") - D("26200000000")
    pct = (D("26204300000") - D("26200000000")) / D("26200000000") * 100  # 0.01641...
    assert level["change_pct"] == pytest.approx(float(pct), rel=1e-12)
    share = _row(rows, "SHARE", "segment", "ITO")
    assert share["measure"] == "pp"
    assert D(repr(float(share["change"]))) == D("40.75") - D("40.5")
    assert math.isnan(share["change_pct"])  # a share moves by points, never by a %
    growth = _row(rows, "GROWTH_YOY", "total", "_T")
    assert (growth["measure"], growth["presence"]) == ("pp", "both")
    assert growth["change"] == pytest.approx(float(D("9.35") - D("9.2")), rel=1e-12)
    hhi = _row(rows, "HHI_PARTNERS", "total", "_T")
    assert hhi["measure"] == "points"
    assert hhi["change"] == pytest.approx(float(D("0.125") - D("0.1234")), rel=1e-12)
    assert math.isnan(hhi["change_pct"])
    missing = _row(rows, "LEVEL", "segment", "ITO")
    assert (missing["old_value"], missing["presence"]) == (10_611_000_000.0, "both")
    assert math.isnan(missing["new_value"])
    assert math.isnan(missing["change"])
    appeared = _row(rows, "SHARE", "segment", "KPO")
    assert appeared["presence"] == "appeared"
    assert math.isnan(appeared["old_value"])
    assert appeared["new_value"] == 3.1
    assert appeared["new_status"] == "A"
    assert pd.isna(appeared["old_status"])
    vanished = _row(rows, "SHARE", "segment", "BPO")
    assert (vanished["presence"], vanished["old_value"]) == ("vanished", 20.25)
    summary = d.summary().set_index(["indicator", "cut"])
    assert summary.loc[("SHARE", "segment")].tolist() == [1, 1, 1]
    assert summary.loc[("LEVEL", "segment")].tolist() == [1, 0, 0]  # a value became missing


def test_diff_why(pair: Digex) -> None:
    d = pair.release_diff("2024.1", "2024.2")
    loads = d.loads.set_index("load_id")
    assert list(loads.index) == [4, 5, 2, 3]  # new side first, then old
    assert loads.loc[4, "side"] == "new"
    assert loads.loc[4, "file_name"] == "f.csv"
    assert not loads.loc[4, "replaces_old"]  # a late file, no replacement
    assert (loads.loc[5, "file_name"], loads.loc[5, "replaces"]) == ("d2.csv", 2)
    assert loads.loc[5, "replaces_old"]
    assert (loads.loc[2, "side"], loads.loc[2, "replaced_by"]) == ("old", 5)
    assert not loads.loc[2, "withdrawn"]
    assert loads.loc[3, "withdrawn"]  # e.csv: withdrawn, replaced by nothing
    assert pd.isna(loads.loc[3, "replaced_by"])
    inputs = d.inputs.set_index("name")
    assert list(inputs["same"]) == [False, True, False]  # codelists, profile, seasonal
    assert pd.isna(inputs.loc["seasonal.json", "old_sha256"])
    assert d.settings == {"status": ("preliminary", "revised")}


def test_diff_filters_and_all_rows(pair: Digex) -> None:
    every = pair.release_diff("2024.1", "2024.2", changed_only=False)
    assert len(every.rows) == 8  # the unchanged 2023 level too
    only = pair.release_diff("2024.1", "2024.2", indicators=["SHARE"], by="segment")
    assert sorted(only.rows["member"]) == ["BPO", "ITO", "KPO"]
    assert pair.release_diff("2024.1", "2024.2", period="2023").rows.empty
    assert len(pair.release_diff("2024.1", "2024.2", period="2023", changed_only=False).rows) == 1
    assert pair.release_diff("2024.1", "2024.2", flow="M").rows.empty
    assert pair.release_diff("2024.1", "2024.1").rows.empty  # a release equals itself
    with pytest.raises(UnknownRelease, match="'nope'"):
        pair.release_diff("2024.1", "nope")
    with pytest.raises(UsageError, match="freq=W"):
        pair.release_diff("2024.1", "2024.2", freq="W")
    with pytest.raises(UsageError, match="by=firm"):
        pair.release_diff("2024.1", "2024.2", by="firm")
    with pytest.raises(UnknownIndicator):
        pair.release_diff("2024.1", "2024.2", indicators=["LEVL"])


def test_measures_follow_the_registry() -> None:
    assert [measure(i) for i in ("LEVEL", "AVG_PER_FIRM", "FIRMS", "JOBS")] == ["level"] * 4
    assert [measure(i) for i in ("SHARE", "GROWTH_YOY", "COVERAGE", "CONTRIBUTION")] == ["pp"] * 4
    assert [measure(i) for i in ("HHI_FIRMS", "BALANCE", "NOT_IN_REGISTRY")] == ["points"] * 3


def test_a_diff_read_backwards_is_its_mirror(pair: Digex) -> None:
    forward = pair.release_diff("2024.1", "2024.2").rows
    backward = pair.release_diff("2024.2", "2024.1").rows
    key = ["indicator", "freq", "period", "cut", "member", "flow"]
    assert forward[key].equals(backward[key])
    assert forward["old_value"].equals(backward["new_value"])
    assert (forward["change"] + backward["change"]).fillna(0).eq(0).all()
    swap = {"appeared": "vanished", "vanished": "appeared", "both": "both"}
    assert list(forward["presence"].map(swap)) == list(backward["presence"])


def test_longer_periods_first(tmp_path: Path) -> None:
    rows: list[Obs] = [
        ("LEVEL", freq, period, "total", "_T", 1.0)
        for freq, period in (("M", "2024-03"), ("Q", "2024-Q1"), ("H", "2024-H1"), ("A", "2024"))
    ]
    with digex.init(tmp_path / "s.duckdb") as db:
        put_release(db, "2024.1", utc(2025, 3, 15), rows)
        put_release(db, "2024.2", utc(2025, 9, 30), rows)
        d = db.release_diff("2024.1", "2024.2", changed_only=False)
    assert list(d.rows["freq"]) == ["A", "H", "Q", "M"]
