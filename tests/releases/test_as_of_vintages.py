"""As of a time, each period comes whole from one release: the latest published that carries
it. A member the newer vintage no longer holds (its declarations corrected to another
partner) is gone, not read from the older vintage beside the newer one's members."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from tests.releases.history_store import Obs, put_release, utc

import digex
from digex.api import Digex
from digex.store.published import parse_as_of


def partner(indicator: str, period: str, member: str, value: float) -> Obs:
    return (indicator, "A" if len(period) == 4 else period[5], period, "partner", member, value)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Digex]:
    """2024.1: FR 1000, DE 500 (and 2023: FR 900); 2024.2, after DE's file was corrected to
    ES: FR 1000, ES 500 (2023 unchanged); 2025-H1.1 carries 2024-H1 with FR alone."""
    path = tmp_path_factory.mktemp("vintages") / "s.duckdb"
    with digex.init(path) as made:
        put_release(made, "2024.1", utc(2025, 3, 2), [
            partner("LEVEL", "2024", "FR", 1000.0), partner("LEVEL", "2024", "DE", 500.0),
            partner("SHARE", "2024", "FR", 200 / 3), partner("SHARE", "2024", "DE", 100 / 3),
            partner("LEVEL", "2023", "FR", 900.0),
            partner("LEVEL", "2024-H1", "FR", 600.0), partner("LEVEL", "2024-H1", "DE", 50.0),
        ])  # fmt: skip
        put_release(made, "2024.2", utc(2025, 6, 2), [
            partner("LEVEL", "2024", "FR", 1000.0), partner("LEVEL", "2024", "ES", 500.0),
            partner("SHARE", "2024", "FR", 200 / 3), partner("SHARE", "2024", "ES", 100 / 3),
            partner("LEVEL", "2023", "FR", 900.0),
        ])  # fmt: skip
        put_release(made, "2025-H1.1", utc(2025, 8, 2), [
            partner("LEVEL", "2025-H1", "FR", 700.0), partner("LEVEL", "2024-H1", "FR", 610.0),
        ])  # fmt: skip
    with digex.connect(path, read_only=True) as opened:
        yield opened


def members(db: Digex, period: str, as_of: object) -> dict[tuple[str, str], tuple[Decimal, str]]:
    frame = db.indicators(period, by="partner", indicators=["LEVEL", "SHARE"], as_of=as_of)
    return {
        (str(i), str(m)): (Decimal(repr(v)).quantize(Decimal("0.01")), str(r))
        for i, m, v, r in zip(
            frame["indicator"], frame["member"], frame["value"], frame["release_id"], strict=True
        )
    }


def test_a_member_gone_from_the_newer_vintage_is_not_read_from_the_older(db: Digex) -> None:
    new = members(db, "2024", "2025-07-01")
    assert new == {
        ("LEVEL", "ES"): (Decimal("500.00"), "2024.2"),
        ("LEVEL", "FR"): (Decimal("1000.00"), "2024.2"),
        ("SHARE", "ES"): (Decimal("33.33"), "2024.2"),
        ("SHARE", "FR"): (Decimal("66.67"), "2024.2"),
    }
    assert sum(v for (i, _), (v, _) in new.items() if i == "SHARE") == Decimal("100.00")
    old = members(db, "2024", "2025-05-01")
    assert {m for _, m in old} == {"DE", "FR"}
    assert {r for _, r in old.values()} == {"2024.1"}


def test_a_comparison_period_comes_whole_from_the_release_carrying_it(db: Digex) -> None:
    # 2025-H1.1 carries 2024-H1 (FR only): DE of 2024-H1 is gone as of then
    assert members(db, "2024-H1", dt.date(2025, 8, 3)) == {
        ("LEVEL", "FR"): (Decimal("610.00"), "2025-H1.1")
    }
    assert members(db, "2024-H1", dt.date(2025, 8, 1)) == {
        ("LEVEL", "DE"): (Decimal("50.00"), "2024.1"),
        ("LEVEL", "FR"): (Decimal("600.00"), "2024.1"),
    }
    # a period the newest release does not carry keeps its own latest vintage
    assert members(db, "2023", dt.date(2025, 8, 3)) == {
        ("LEVEL", "FR"): (Decimal("900.00"), "2024.2")
    }


@pytest.mark.parametrize("text", ["2025-08-15", "20250815", "2025-W33-5", " 2025-08-15 "])
def test_a_date_in_any_iso_form_is_the_end_of_that_day(text: str) -> None:
    assert parse_as_of(text) == dt.datetime(2025, 8, 15, 23, 59, 59, 999999)


def test_a_date_and_time_in_a_short_form_is_exact() -> None:
    assert parse_as_of("20250815T1030") == dt.datetime(2025, 8, 15, 10, 30)
    assert parse_as_of("2025-08-15T10:30+02:00") == dt.datetime(2025, 8, 15, 8, 30)
