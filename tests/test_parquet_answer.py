"""`digex indicators --format parquet` of live figures: the engine writes the file.

A cached answer asked as Parquet imported PyArrow (0.1-0.2 s of a half-second process) only to
write a table the engine can write itself. The file must stay the one PyArrow wrote: the same
columns, types, rows and `digex.source` metadata, read back by pandas as the API's frame.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from tests.conftest import FIRM, write_csv
from tests.inprocess import run_here, user_env

import digex

QUERY = ("-p", "2024", "--by", "partner", "--flow", "X", "--flow", "M")
QUERY += ("-i", "LEVEL", "-i", "SHARE")
API = {"by": "partner", "flow": ["X", "M"], "indicators": ["LEVEL", "SHARE"]}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with a year of declarations (two partners, both flows), its answer cached."""
    here = tmp_path_factory.mktemp("parquet")
    rows = [
        (f"Q{m}{p}{f}", f"2024-{m:02d}", FIRM, "ITO", p, "MAD", f"{100 * m + 7}.25", f)
        for m in range(1, 13)
        for p in ("FR", "ES")
        for f in ("X", "M")
    ]
    write_csv(here / "d.csv", rows)
    with digex.init(here / "s.duckdb") as db:
        db.load([here / "d.csv"])
        db.indicators("2024", **API)  # type: ignore[arg-type]  # computed and kept
    return here


def test_the_file_is_the_one_pyarrow_wrote(folder: Path) -> None:
    out = folder / "engine.parquet"
    r = run_here(["indicators", *QUERY, "-f", "parquet", "-o", out, "--db", "s.duckdb"], folder)
    assert r.code == 0, r.stderr
    with digex.connect(folder / "s.duckdb", read_only=True) as db:
        table = db.indicators("2024", **API, output="arrow")  # type: ignore[arg-type]
        frame = db.indicators("2024", **API)  # type: ignore[arg-type]
    assert f"{table.num_rows:,} rows written to" in r.stdout
    assert "unreleased figures" in r.stderr
    pq.write_table(table, folder / "arrow.parquet")
    written, expected = pq.read_table(out), pq.read_table(folder / "arrow.parquet")
    assert written.schema.equals(expected.schema, check_metadata=True)
    assert written.schema.metadata[b"digex.source"] == b"live"
    assert written.equals(expected)
    pd.testing.assert_frame_equal(pd.read_parquet(out), frame)


def test_a_cached_answer_as_parquet_imports_no_pyarrow(folder: Path) -> None:
    code = (
        "import sys\nfrom digex.cli import main\n"
        f"sys.argv = ['digex', 'indicators', *{list(QUERY)!r}, '-f', 'parquet', "
        "'-o', 'again.parquet', '--db', 's.duckdb']\n"
        "try:\n    main()\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pyarrow', 'pandas', 'ibis'}))"
    )
    r = subprocess.run(
        [sys.executable, "-c", code],
        cwd=folder,
        env=user_env(),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().splitlines()[-1] == "[]"
    assert pq.read_table(folder / "again.parquet").num_rows > 0


def test_a_missing_folder_is_one_line_and_no_file(folder: Path) -> None:
    out = folder / "nowhere" / "x.parquet"
    r = run_here(["indicators", *QUERY, "-f", "parquet", "-o", out, "--db", "s.duckdb"], folder)
    assert r.code == 1
    assert "Traceback" not in r.stderr
    assert "cannot write" in r.stderr
    assert "x.parquet" in r.stderr
    assert not out.parent.exists()
