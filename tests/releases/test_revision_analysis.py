"""Revision analysis through the store: three published vintages of half-year exports (and one
under embargo, which no analysis may see), statistics checked by hand with Decimal and
Fraction. 2025-H1 first appears in the second vintage and is revised in the third; 2025-H2 is
published once and does not count."""

from __future__ import annotations

import math
from collections.abc import Iterator
from decimal import Decimal as D
from fractions import Fraction as F
from pathlib import Path

import pytest
from tests.releases.history_store import BN, build_vintages, half, put_release, shared, utc

import digex
from digex.api import Digex
from digex.errors import UnknownIndicator, UsageError
from digex.releases.analysis import position


@pytest.fixture(scope="module")
def vintages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Digex]:
    with Digex.open(shared(build_vintages, tmp_path_factory), read_only=True) as db:
        yield db


def test_statistics_by_hand(vintages: Digex) -> None:
    stats = vintages.revisions("LEVEL", freq="H").set_index("member")
    t = stats.loc["_T"]
    # first -> latest: 2024-H1 12.93 -> 12.90, 2024-H2 13.27 -> 13.40, 2025-H1 13.38 -> 13.45
    revs = [D("-0.03"), D("0.13"), D("0.07")]
    assert t["n"] == 3
    assert t["mean_revision"] == sum(revs) * BN / 3
    assert t["mean_absolute_revision"] == sum(abs(r) for r in revs) * BN / 3
    # RMAR = 0.23 / (12.90 + 13.40 + 13.45), over the later estimates
    assert t["relative_mean_absolute_revision"] == D("0.23") / D("39.75")
    assert (t["positive"], t["negative"], t["zero"]) == (2, 1, 0)
    assert t["share_same_sign_as_mean"] == D(2) / 3
    assert t["share_same_direction"] == 1
    # plain t: sum e^2 = sum R^2 - n MR^2 = 0.0227 - 0.0289 / 3 = 0.0392 / 3 (bn^2);
    # se^2 = sum e^2 / (n (n - 1)) = 0.0392 / 18
    r = [F(x) for x in ("-0.03", "0.13", "0.07")]
    mr = sum(r) / 3
    e = [x - mr for x in r]
    assert sum(x * x for x in e) == F("0.0392") / 3
    se = math.sqrt(F("0.0392") / 18) * BN
    assert t["se_plain"] == pytest.approx(se, rel=1e-12)
    assert t["t_plain"] == pytest.approx(float(mr) * BN / se, rel=1e-12)
    # Student's t with 2 df: P(|T| >= t) = 1 - t / sqrt(2 + t^2)
    tt = float(mr) * BN / se
    assert t["p_plain"] == pytest.approx(1 - tt / math.sqrt(2 + tt * tt), rel=1e-10)
    # HAC, two Bartlett lags (2/3, 1/3): the three periods are consecutive half-years
    lag1 = e[1] * e[0] + e[2] * e[1]
    lag2 = e[2] * e[0]
    variance = (sum(x * x for x in e) + 2 * F(2, 3) * lag1 + 2 * F(1, 3) * lag2) / 6
    assert t["hac_lags"] == 2
    assert t["se_hac"] == pytest.approx(math.sqrt(variance) * BN, rel=1e-12)


def test_a_row_per_member_and_periods_not_counted(vintages: Digex) -> None:
    stats = vintages.revisions("LEVEL", by="segment", freq="H").set_index("member")
    assert list(stats.index) == ["BPO", "ITO"]
    assert stats.loc["ITO", "n"] == 1
    assert stats.loc["ITO", "mean_revision"] == D("0.1") * BN
    assert stats.loc["ITO", "t_plain"] is None  # one revision: no t-test
    assert stats.loc["BPO", "n"] == 0  # published once
    assert stats.loc["BPO", "mean_revision"] is None
    only = vintages.revisions("LEVEL", by="segment", member="ITO", freq="H")
    assert list(only["member"]) == ["ITO"]
    analysis = vintages.revision_analysis("LEVEL", freq="H")
    assert analysis.series[0].not_counted() == {"2025-H2": 1}
    assert list(analysis.revisions_frame()["revision"]) == [D("-0.03") * BN, D("0.13") * BN,
                                                            D("0.07") * BN]  # fmt: skip


def test_the_triangle(vintages: Digex) -> None:
    _, tri = vintages.revisions("LEVEL", freq="H", triangle=True)
    # the embargoed release is no vintage; columns in publication order
    assert list(tri.columns) == ["2024.1", "2025-H1.1", "2025.1"]
    total = tri.loc["_T"]
    assert list(total.index) == ["2024-H1", "2024-H2", "2025-H1", "2025-H2"]
    assert total.loc["2025-H1"].tolist() == [None, D("13.38") * BN, D("13.45") * BN]
    assert total.loc["2024-H2", "2025-H1.1"] is None  # the H1 release does not carry H2


def test_chosen_estimates(vintages: Digex) -> None:
    # second -> latest: only 2024-H1 has a value after its second (12.95 -> 12.90)
    second = vintages.revisions("LEVEL", freq="H", earlier=2).set_index("member")
    assert second.loc["_T", "n"] == 1
    assert second.loc["_T", "mean_revision"] == D("-0.05") * BN
    # first -> second: 2024-H1 12.93 -> 12.95, 2024-H2 13.27 -> 13.40, 2025-H1 13.38 -> 13.45
    early = vintages.revisions("LEVEL", freq="H", later=2).set_index("member")
    assert early.loc["_T", "mean_revision"] == D("0.22") * BN / 3
    annual = vintages.revisions("LEVEL").set_index("member")  # 2024 is published once
    assert annual.loc["_T", "n"] == 0


def test_refused_before_any_read(vintages: Digex) -> None:
    assert (position("first", name="earlier"), position("latest", name="later")) == (0, -1)
    assert position(" 3", name="later") == 2
    for bad in ("0", "-1", "last", "1.5"):
        with pytest.raises(UsageError, match=f"earlier={bad}"):
            vintages.revisions("LEVEL", earlier=bad)
    with pytest.raises(UsageError, match=r"later=1 is never published after earlier=first"):
        vintages.revisions("LEVEL", later=1)  # the first can never revise the first
    with pytest.raises(UsageError, match="SHARE is not published with by=total"):
        vintages.revisions("SHARE")
    with pytest.raises(UsageError, match="freq=W"):
        vintages.revisions("LEVEL", freq="W")
    with pytest.raises(UnknownIndicator):
        vintages.revisions("LEVL")


def test_releases_published_together_each_show_what_they_carried(tmp_path: Path) -> None:
    # a revised 2024 release and the first 2025-H1 release published at the same instant,
    # both carrying 2024-H1 at 12.93: one estimate for the statistics, shown under both
    with digex.init(tmp_path / "s.duckdb") as db:
        put_release(db, "2024.1", utc(2025, 3, 15), [half("2024-H1", "_T", "12.90")])
        put_release(db, "2024.2", utc(2025, 8, 8), [half("2024-H1", "_T", "12.93")])
        put_release(db, "2025-H1.1", utc(2025, 8, 8), [
            half("2024-H1", "_T", "12.93"), half("2025-H1", "_T", "13.38"),
        ])  # fmt: skip
        stats, tri = db.revisions("LEVEL", freq="H", triangle=True)
    assert tri.loc[("_T", "2024-H1")].tolist() == [D("12.90") * BN, D("12.93") * BN,
                                                   D("12.93") * BN]  # fmt: skip
    assert tri.loc[("_T", "2025-H1")].tolist() == [None, None, D("13.38") * BN]
    assert stats.loc[0, "n"] == 1
    assert stats.loc[0, "mean_revision"] == D("0.03") * BN
