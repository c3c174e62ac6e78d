"""Generate one benchmark dataset: the demo generator's single-file layout (one UTF-8 CSV and one
all-text Parquet file with every row, plus rates), streaming, so 100M rows fit in memory.

Writes `params.json` last: a folder without it (an interrupted run) is generated again.

    python bench/gen.py bench/data/10M --rows 10000000
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from _common import default_firms

from digex.demo import generate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--firms", type=int, default=None)
    args = parser.parse_args()
    firms = args.firms or default_firms(args.rows)
    p: dict[str, object] = {
        "rows": args.rows,
        "seed": args.seed,
        "firms": firms,
        "layout": "single",
        "fault_rate": 0.01,
    }
    (args.folder / "params.json").unlink(missing_ok=True)
    start = time.perf_counter()
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.perf_counter()
        if now - last[0] > 10 or done == total:
            last[0] = now
            print(f"  generated {done:,} / {total:,} rows", file=sys.stderr, flush=True)

    files = generate(
        args.folder,
        seed=args.seed,
        firms=firms,
        rows=args.rows,
        fault_rate=0.01,
        layout="single",
        progress=progress,
    )
    p["rows_written"] = files.rows_written
    p["seconds"] = round(time.perf_counter() - start, 1)
    p["csv_bytes"] = files.declarations[0].stat().st_size
    p["parquet_bytes"] = files.parquet.stat().st_size if files.parquet else None
    (args.folder / "params.json").write_text(json.dumps(p, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(p))


if __name__ == "__main__":
    main()
