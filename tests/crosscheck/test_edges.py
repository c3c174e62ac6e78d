"""Edge rows, one rule each, and a rates file written in every accepted form (periods as
`YYYYMM` and `YYYY/MM`, lower-case codes, blanks around values): digex and the reference agree."""

from __future__ import annotations

import csv
from pathlib import Path

from tests.crosscheck import generate as gen
from tests.crosscheck import reference as ref
from tests.crosscheck.compare import TODAY, Case, check_rows

import digex

FIRM = "001234567000089"
BASE = ["", "2024-03", FIRM, "ITO", "FR", "EUR", "100.5", "X"]
EDGES: list[tuple[int, str]] = [
    (1, "2024-3"),  # one-digit month: not YYYY-MM
    (1, "2024-1 "),
    (1, "2024-12"),
    (1, "202412"),
    (1, "2024/12"),
    (1, "2025-07"),  # the current month is not in the future
    (1, "2025/08"),
    (1, "1900-01"),
    (1, "1899-12"),  # years 1900-2999
    (1, "3000-01"),
    (1, "٢٠٢٤-٠٣"),  # Arabic-Indic digits in a period
    (1, "٢٠٢٤٠٣"),
    (6, "0012.50"),  # leading zeros
    (6, "-0"),
    (6, "1 234.5"),  # blanks are removed from amounts
    (6, "۱۲۳.۵"),  # Extended Arabic-Indic digits (U+06F0..)
    (6, "+0.0001"),
    (6, "0.0001"),  # 0.0001 EUR is 0.108... centimes: rounds to 0, accepted
    (6, "0.00001"),
    (6, "1.5e3"),
    (6, "1,234,567.891"),
    (6, "1,234,567.8912"),
    (6, "12,345,67.8"),
    (6, ",5"),
    (3, "sj35"),
    (3, " Si21 "),
    (3, "SI1"),
    (4, "na"),  # Namibia
    (4, "MA"),  # the country itself: an ISO code
    (5, "mad"),
    (5, "XXX"),  # an ISO 4217 code with no rate
    (7, "m"),
]


def write_rates(path: Path) -> None:
    """The rates of `gen.write_rates` rewritten in the other accepted forms."""
    gen.write_rates(path, seed=7)
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    forms = ("{y}{m}", "{y}/{m}", "{y}-{m}", " {y}-{m} ")
    for i, row in enumerate(rows[1:]):
        y, m = row[0].split("-")
        row[0] = forms[i % 4].format(y=y, m=m)
        row[1] = row[1].lower() if i % 3 == 0 else row[1]
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def check_edges(tmp_path: Path, edges: list[tuple[int, str]]) -> None:
    rates = tmp_path / "rates.csv"
    write_rates(rates)
    lines = []
    for n, (i, value) in enumerate(edges):
        fields = list(BASE)
        fields[0], fields[i] = f"E{n:03d}", value
        lines.append(gen.Line(f"{gen.FIELDS[i]} {value!r}", fields))
    path = tmp_path / "edges.csv"
    kinds = gen.write(path, lines)
    rules = ref.Rules.read()
    expected = ref.load_file(path, rules, ref.read_rates([rates], rules), TODAY)
    with digex.init(tmp_path / "store.duckdb") as db:
        results = db.load([path], rates=rates, today=TODAY)
        keys = {("edges.csv", line): kind for line, kind in kinds.items()}
        fields = {("edges.csv", i + 2): line.fields for i, line in enumerate(lines)}
        check_rows(Case(db, keys, fields, expected, results))


def test_edge_rows_and_rates_forms(tmp_path: Path) -> None:
    check_edges(tmp_path, EDGES)
