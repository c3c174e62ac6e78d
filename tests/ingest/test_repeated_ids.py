"""Repeated declaration ids: the outcome does not depend on the order of the file's rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import FIRM, TODAY, write_csv

import digex
from digex.api import Digex

ROWS = [
    ("U1", "2024-01", FIRM, "ITO", "FR", "EUR", "100", "X"),
    # identical copies, the first of them invalid: the same reasons for both, plus a duplicate
    ("I1", "2024-02", FIRM, "XYZ", "FR", "EUR", "200", "X"),
    ("I1", "2024-02", FIRM, "XYZ", "FR", "EUR", "200", "X"),
    # identical copies of a valid row (blanks around a value do not make a copy differ)
    ("V1", "2024-03", FIRM, "CRM", "US", "USD", "300.5", "X"),
    ("V1", "2024-03", FIRM, "CRM", "US", "USD", "300.5", "X"),
    (" V1", "2024-03 ", FIRM, "CRM", "US", "USD", " 300.5", "X"),
    # copies that differ, one of them invalid: every copy is a conflict
    ("C1", "2024-04", FIRM, "ITO", "FR", "EUR", "400", "X"),
    ("C1", "2024-04", FIRM, "ITO", "FR", "EUR", "-400", "X"),
    # copies that differ only in how the amount is written: still a conflict
    ("C2", "2024-05", FIRM, "ITO", "FR", "EUR", "500", "X"),
    ("C2", "2024-05", FIRM, "ITO", "FR", "EUR", "500.00", "X"),
    ("U2", "2024-06", FIRM, "BPO", "DE", "MAD", "600", "M"),
]


def _outcome(db: Digex) -> tuple[list[tuple[object, ...]], list[tuple[str, str]]]:
    accepted = db.store.con.execute(
        "SELECT declaration_id, period, firm_id, segment, partner, currency, amount, flow, "
        "value_minor FROM declarations ORDER BY ALL"
    ).fetchall()
    rejected = db.store.con.execute(
        "SELECT declaration_id, reasons FROM rejects ORDER BY ALL"
    ).fetchall()
    return [tuple(str(v) for v in r) for r in accepted], [(str(a), str(b)) for a, b in rejected]


def _load(tmp: Path, rows: list[tuple[str, ...]], rates: Path) -> tuple[object, ...]:
    db = digex.init(tmp / "s.duckdb")
    try:
        [_, result] = db.load(write_csv(tmp / "d.csv", rows), rates=rates, today=TODAY)
        assert result.reconciles
        return _outcome(db)
    finally:
        db.close()


def test_repeated_ids_identical_copies_and_conflicts(
    store: Digex, rates_file: Path, tmp_path: Path
) -> None:
    [_, result] = store.load(write_csv(tmp_path / "d.csv", ROWS), rates=rates_file, today=TODAY)
    accepted, rejected = _outcome(store)
    assert sorted({r[0] for r in accepted}) == ["U1", "U2", "V1"]
    assert [r[0] for r in accepted].count("V1") == 1
    assert rejected == [
        ("C1", "ID_CONFLICT"),
        ("C1", "ID_CONFLICT;AMOUNT_NOT_POSITIVE"),
        ("C2", "ID_CONFLICT"),
        ("C2", "ID_CONFLICT"),
        ("I1", "ID_DUPLICATE;SEGMENT_UNKNOWN"),
        ("I1", "SEGMENT_UNKNOWN"),
        ("V1", "ID_DUPLICATE"),
        ("V1", "ID_DUPLICATE"),
    ]
    assert result.reasons["ID_CONFLICT"] == 4
    messages = store.rejects().set_index("line")["message"]
    assert "exact copy of line 5" in messages[6]  # V1 first appears on line 5
    assert "is on 2 lines with different values (first line 8)" in messages[9]


@pytest.fixture(scope="module")
def in_order(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, tuple[object, ...]]:
    """A rates file and the outcome of `ROWS` in their own order, loaded once for every
    shuffled example (it was loaded again for each)."""
    folder = tmp_path_factory.mktemp("in-order")
    rates = write_csv(
        folder / "rates.csv",
        [
            (f"2024-{m:02d}", c, r)
            for m in range(1, 13)
            for c, r in (("EUR", "10.8"), ("USD", "10"))
        ],
        header=("period", "currency", "rate"),
    )
    return rates, _load(folder, ROWS, rates)


@settings(max_examples=6, deadline=None)
@given(order=st.permutations(range(len(ROWS))))
def test_shuffled_rows_give_the_same_declarations_and_rejects(
    order: list[int],
    in_order: tuple[Path, tuple[object, ...]],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    rates, expected = in_order
    shuffled = _load(tmp_path_factory.mktemp("b"), [ROWS[i] for i in order], rates)
    assert shuffled == expected
