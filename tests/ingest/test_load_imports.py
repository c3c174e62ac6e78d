"""A load imports neither PyArrow nor pandas: handing DuckDB a Python table (the code lists,
the rates in force) or binding a parameter made its client import both, 0.6 CPU s on a load
whose checks take less (issue 19, a monthly file's fixed costs)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import FIRM, write_csv

from digex.store import Store

SCRIPT = """
import sys
from pathlib import Path
from digex.ingest.load import LoadOptions, load_files
from digex.profile import load_profile
import datetime as dt
[rates, result] = load_files(Path(sys.argv[1]), load_profile(None),
                             LoadOptions(today=dt.date(2025, 7, 15)),
                             [Path(sys.argv[2])], rates=[Path(sys.argv[3])])
assert (result.rows_accepted, result.rows_rejected) == (1, 1), result
print(sorted(m for m in ("pandas", "pyarrow", "numpy") if m in sys.modules))
"""


def test_a_load_imports_neither_pyarrow_nor_pandas(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    Store.create(db).close()
    rates = write_csv(
        tmp_path / "rates.csv", [("2024-03", "EUR", "10.8")], header=("period", "currency", "rate")
    )
    rows = [
        ("A1", "2024-03", FIRM, "ITO", "FR", "EUR", "10", "X"),
        ("A2", "2024-03", FIRM, "ITO", "FR", "USD", "10", "X"),
    ]  # no USD rate: rejected
    declarations = write_csv(tmp_path / "d.csv", rows)
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(db), str(declarations), str(rates)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "[]"
