"""Declarations converted again at a corrected rate equal Decimal arithmetic, and only the
rows of the corrected month and currency change."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from digex.store import Store
from digex.store.codes import follow_codelists
from digex.store.reconvert import reconvert

amounts = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("999999999.9999"), places=4)
rates = st.decimals(min_value=Decimal("0.00000001"), max_value=Decimal("9999.99999999"), places=8)
LOAD = "INSERT INTO loads VALUES ({id}, '{kind}', 'f', 'f', 'h{id}', 1, 'csv', NULL, NULL, NULL, now(), 'u', 0, 0, 0, NULL, 'MA', 'x', 'x')"  # noqa: E501


def minor(amount: Decimal, rate: Decimal) -> int:
    return int((amount * rate * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    path: Path = tmp_path_factory.mktemp("reconvert") / "s.duckdb"
    with Store.create(path) as s:
        with s.write() as con:
            follow_codelists(con)
        yield s


@settings(max_examples=60, deadline=None)
@given(st.lists(amounts, min_size=1, max_size=20), rates, rates, st.lists(amounts, max_size=5))
@example([Decimal("0.5")], Decimal("10.8"), Decimal("10.95"), [])  # 547.5 centimes: a tie
def test_converting_again_equals_decimal_arithmetic(
    store: Store, march: list[Decimal], first: Decimal, corrected: Decimal, april: list[Decimal]
) -> None:
    con = store.con
    con.execute("BEGIN TRANSACTION")  # every example leaves the store as it was
    try:
        for load_id, kind in ((1, "rates"), (2, "declarations"), (3, "rates")):
            con.execute(LOAD.format(id=load_id, kind=kind))
        con.execute(
            "INSERT INTO rates VALUES (1, 2, DATE '2024-03-01', 'EUR', ?), "
            "(1, 3, DATE '2024-04-01', 'EUR', ?), (3, 2, DATE '2024-03-01', 'EUR', ?)",
            [first, first, corrected],
        )
        rows = [("2024-03-01", a) for a in march] + [("2024-04-01", a) for a in april]
        con.executemany(
            "INSERT INTO declarations VALUES (2, ?, ?, CAST(? AS DATE), '000000000000001', "
            "'ITO', NULL, 'FR', 'EUR', ?, 'X', ?, ?)",
            [
                (line, f"D{line}", period, a, first, minor(a, first))
                for line, (period, a) in enumerate(rows, start=2)
            ],
        )
        count, months = reconvert(con, minor_units=2, cause="rates", load_id=3, user="u")
        held = con.execute("SELECT line, value_minor, rate FROM current_declarations")
        got = {int(line): (int(value), rate) for line, value, rate in held.fetchall()}
        want = {
            line: (minor(a, corrected), corrected)
            if period == "2024-03-01"
            else (minor(a, first), first)
            for line, (period, a) in enumerate(rows, start=2)
        }
        assert got == want
        assert count == (len(march) if corrected != first else 0)
        assert months == (["2024-03 EUR"] if count else [])
    finally:
        con.execute("ROLLBACK")
