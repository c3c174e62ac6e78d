"""The header: columns refused, columns not used, a file with no rows; messages stay short."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import FIRM, HEADER, TODAY, write_csv

from digex.api import Digex
from digex.errors import InvalidFile

ROW = ("D1", "2024-01", FIRM, "ITO", "FR", "EUR", "100", "X")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("amount", 'columns 7 ("amount") and 9 ("amount") both hold amount'),
        ("Montant", 'columns 7 ("amount") and 9 ("Montant") both hold amount'),
    ],
)
def test_two_columns_for_one_field_are_refused(
    store: Digex, rates_file: Path, tmp_path: Path, extra: str, message: str
) -> None:
    f = write_csv(tmp_path / "d.csv", [(*ROW, "200")], header=(*HEADER, extra))
    with pytest.raises(InvalidFile, match=message.replace("(", r"\(").replace(")", r"\)")):
        store.load(f, rates=rates_file, today=TODAY)
    assert store.loads().empty


def test_columns_not_used_are_a_warning(store: Digex, rates_file: Path, tmp_path: Path) -> None:
    f = write_csv(tmp_path / "d.csv", [(*ROW, "n", "")], header=(*HEADER, "note", ""))
    [_, result] = store.load(f, rates=rates_file, today=TODAY)
    assert result.rows_accepted == 1
    assert result.warnings == (
        'd.csv: column(s) not used: "note", column 10 (no name) (not declaration_id, period, '
        "firm_id, segment, partner, currency, amount, flow nor their names in the country "
        "profile)",
    )


def test_a_header_only_file_loads_empty_with_a_warning(
    store: Digex, rates_file: Path, tmp_path: Path
) -> None:
    f = write_csv(tmp_path / "d.csv", [])
    [_, result] = store.load(f, rates=rates_file, today=TODAY)
    assert (result.rows_read, result.rows_accepted, result.rows_rejected) == (0, 0, 0)
    assert result.warnings == (
        "d.csv: the file has a header and no rows; the load is recorded, empty",
    )
    assert len(store.loads()) == 2


def test_long_values_are_cut_in_messages_and_kept_whole(
    store: Digex, rates_file: Path, tmp_path: Path
) -> None:
    long = "Z" * 5000
    f = write_csv(tmp_path / "d.csv", [("D1", "2024-01", FIRM, long, "FR", "EUR", "1", "X")])
    store.load(f, rates=rates_file, today=TODAY)
    reject = store.rejects().iloc[0]
    assert reject["segment"] == long
    assert reject["message"].startswith('segment "' + "Z" * 80 + '…" is neither')
    assert len(reject["message"]) < 200


def test_a_long_header_is_not_reprinted_in_full(store: Digex, tmp_path: Path) -> None:
    f = write_csv(tmp_path / "d.csv", [], header=["x" * 5000, *(f"c{i}" for i in range(30))])
    with pytest.raises(InvalidFile) as e:
        store.load(f, today=TODAY)
    assert len(str(e.value)) < 600
    assert "header has: " + "x" * 40 + "…, c0, c1" in str(e.value)
    assert "and 19 more" in str(e.value)
