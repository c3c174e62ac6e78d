"""Rates files: every line rejected for the reasons the reference finds, the others stored
with their exact value (and the rejected ones then missing for the declarations)."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from tests.crosscheck import reference as ref
from tests.crosscheck.compare import TODAY

import digex

VALID = [("2024-01", "EUR", "10.8123"), ("202402", "eur", "10.7"), (" 2024/03 ", " USD ", "9.99")]
RATES = "SELECT period, currency, rate FROM current_rates"
FAULTY = [
    ("", "CHF", "11.2"),
    ("2024-13", "CHF", "11.2"),
    ("24-01", "CHF", "11.2"),
    ("2025-08", "CAD", ""),  # a rate for a future month is no fault (digex; docs unclear)
    ("2024-04", "", "7.3"),
    ("2024-04", "ABC", "7.3"),
    ("2024-04", "MAD", "1"),
    ("2024-05", "mad", "1"),
    ("2024-05", "CHF", ""),
    ("2024-06", "CHF", "abc"),
    ("2024-07", "CHF", "1e3"),
    ("2024-08", "CHF", "0"),
    ("2024-09", "CHF", "-1.5"),
    ("2024-10", "CHF", "0.00000000"),
    ("", "", ""),
]


def test_rates_files(tmp_path: Path) -> None:
    path = tmp_path / "rates.csv"
    lines = ["period,currency,rate", *(",".join(r) for r in VALID + FAULTY)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rules = ref.Rules.read()
    expected = ref.check_rates(path, rules)
    assert sum(bool(r[1]) for r in expected) == len(FAULTY)
    with digex.init(tmp_path / "store.duckdb") as db:
        (result,) = db.load([], rates=path, today=TODAY)
        con = db.store.con
        got_rejects = {
            int(line): set(re.findall(r"[A-Z][A-Z_]+", reasons))
            for line, reasons in con.execute("SELECT line, reasons FROM rate_rejects").fetchall()
        }
        got_rates = {
            ((p.year, p.month), c): Decimal(r) for p, c, r in con.execute(RATES).fetchall()
        }
    assert got_rejects == {line: reasons for line, reasons, *_ in expected if reasons}
    assert got_rates == ref.read_rates([path], rules)
    assert (result.rows_accepted, result.rows_rejected) == (len(VALID), len(FAULTY))
