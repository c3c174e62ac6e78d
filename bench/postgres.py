"""Time the indicator suite on PostgreSQL for every (frequency, cut), on the demo store.

    python bench/postgres.py [--rows 200000] [--baseline] [--url postgresql://...]

The demo store's current declarations, rates and jobs are copied to a fresh schema of the
server (the test fixture's Debian cluster unless --url names one), then each suite (both flows)
is computed by digex's engine as `digex indicators --engine postgresql://...` computes it.
With --baseline, each suite is also timed on a second connection left with PostgreSQL's default
planner settings (nested loops allowed), side by side in the same run, and the ratio printed.
The target (issue 19): every suite under 5 s on the demo store.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FREQS = ("A", "H", "Q", "M")
CUTS = ("total", "segment", "ebops", "partner", "region", "currency")
SCHEMA = "digex_bench"
TARGET_S = 5.0


def demo_store(rows: int, folder: Path) -> Path:
    import datetime as dt

    import digex
    from digex.demo import generate

    files = generate(folder / "data", seed=2025, rows=rows)
    path = folder / "demo.duckdb"
    with digex.init(path) as db:
        db.load(
            list(files.declarations), rates=files.rates, jobs=files.jobs, today=dt.date(2025, 7, 15)
        )
    return path


def copy_to_postgres(store: Path, url: str) -> None:
    import ibis
    import psycopg

    import digex
    from digex.backends import copy_to

    with psycopg.connect(url, autocommit=True) as con:
        con.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        con.execute(f"CREATE SCHEMA {SCHEMA}")
    backend = ibis.connect(url, schema=SCHEMA)
    with digex.connect(store, read_only=True) as db:
        copy_to(db, backend)  # the documented way: the engine's inputs, from one snapshot
    backend.disconnect()


def time_suite(backend: Any, freq: str, cut: str) -> float:
    from digex.indicators.engine import Engine, Sources
    from digex.indicators.suite import Suite

    started = time.perf_counter()
    Suite(Engine(Sources(backend, minor_units=2)), "MAD").run(freq, cut, flows=("X", "M"))
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000, help="demo rows (default 200000)")
    parser.add_argument("--url", help="PostgreSQL URL (default: the tests' local cluster)")
    parser.add_argument(
        "--baseline", action="store_true", help="also time with the default planner settings"
    )
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    import ibis

    from digex.backends import tune_postgres

    if args.url is None:
        from tests.pg import postgres_url

        args.url = postgres_url()
    with tempfile.TemporaryDirectory(prefix="digex-bench-pg-") as tmp:
        print(f"demo store of {args.rows:,} rows ...", flush=True)
        copy_to_postgres(demo_store(args.rows, Path(tmp)), args.url)
    tuned = tune_postgres(ibis.connect(args.url, schema=SCHEMA))
    plain = ibis.connect(args.url, schema=SCHEMA) if args.baseline else None
    worst = 0.0
    header = f"{'freq':<5}{'cut':<10}{'digex s':>9}"
    print(header + (f"{'default planner s':>19}{'ratio':>8}" if plain else ""))
    for freq in FREQS:
        for cut in CUTS:
            seconds = time_suite(tuned, freq, cut)
            worst = max(worst, seconds)
            line = f"{freq:<5}{cut:<10}{seconds:>9.1f}"
            if plain is not None:
                before = time_suite(plain, freq, cut)
                line += f"{before:>19.1f}{before / seconds:>7.1f}x"
            print(line, flush=True)
    verdict = "PASS" if worst < TARGET_S else "MISS"
    print(f"slowest suite {worst:.1f} s (target < {TARGET_S:.0f} s): {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
