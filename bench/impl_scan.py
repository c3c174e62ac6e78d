"""The scan floor: DuckDB reads the whole file and computes count(*) and sum(amount), nothing else.

What no implementation of the job can beat on this machine: the cost of reading and parsing the
file. Amounts that are not numbers (the file's faulty rows) count as NULL.

    python bench/impl_scan.py declarations.csv --rates rates.csv
"""

from __future__ import annotations

import json
import sys

import _common as common
from impl_sql import connect


def main() -> None:
    args = common.arguments(__doc__.splitlines()[0])
    con = connect(args)
    path = "'" + str(args.declarations).replace("'", "''") + "'"
    if args.declarations.suffix == ".parquet":
        src = f"read_parquet({path})"
    else:
        src = f"read_csv({path}, header = true, delim = ',', all_varchar = true)"
    row = con.execute(f"SELECT count(*), sum(TRY_CAST(amount AS DOUBLE)) FROM {src}").fetchone()
    assert row is not None
    summary = {"impl": "scan", "rows_read": int(row[0]), "amount_sum": float(row[1] or 0.0)}
    sys.stdout.write(json.dumps(summary) + "\n")


if __name__ == "__main__":
    main()
