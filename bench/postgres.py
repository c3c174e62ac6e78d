"""Time the indicator suite on PostgreSQL for every (frequency, cut), on the demo store.

    python bench/postgres.py [--rows 200000] [--before] [--baseline] [--url postgresql://...]

The demo store's current declarations, rates and jobs are copied to a fresh schema of the
server (the test fixture's Debian cluster unless --url names one), then each suite (both flows)
is computed by digex's engine as `digex indicators --engine postgresql://...` computes it.
With --before, each suite is also timed on a connection tuned as before issue 19's round
(nested loops off, the server's work_mem); with --baseline, on one left with PostgreSQL's
defaults (nested loops allowed: the monthly suites then take minutes). The connections take
turns on each suite, in one run; the ratio to digex's is printed. Beside each wall time, the
CPU seconds of the server's backend process (when the server runs on this machine) and of the
client (this process: Ibis and pandas): the machine is shared, and a busy neighbour stretches
the wall time, not the CPU times, whose sum is what a suite takes on an idle machine.
The target (issue 19): every suite under 5 s on the demo store. The figures are written to
bench/results/postgres/<run id>.json (`bench/report.py` puts the newest in the targets table).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FREQS = ("A", "H", "Q", "M")
CUTS = ("total", "segment", "ebops", "partner", "region", "currency")
SCHEMA = "digex_bench"
RESULTS = ROOT / "bench" / "results" / "postgres"
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


def time_suite(backend: Any, freq: str, cut: str) -> tuple[float, float | None, float]:
    """Wall seconds of one suite, the CPU seconds of the server's backend meanwhile, and this
    process's (the client: Ibis building and compiling the queries, pandas shaping)."""
    from digex.indicators.engine import Engine, Sources
    from digex.indicators.suite import Suite

    process = _backend_process(backend)
    cpu = _cpu(process)
    client = time.process_time()
    started = time.perf_counter()
    Suite(Engine(Sources(backend, minor_units=2)), "MAD").run(freq, cut, flows=("X", "M"))
    wall = time.perf_counter() - started
    client = time.process_time() - client
    after = _cpu(process)
    return wall, None if cpu is None or after is None else after - cpu, client


def _backend_process(backend: Any) -> Any:
    try:
        import psutil

        with backend.raw_sql("SELECT pg_backend_pid()") as cursor:
            return psutil.Process(int(cursor.fetchone()[0]))
    except Exception:  # a remote server, or no psutil: wall time only
        return None


def _cpu(process: Any) -> float | None:
    if process is None:
        return None
    try:
        times = process.cpu_times()
        return float(times.user + times.system)
    except Exception:
        return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000, help="demo rows (default 200000)")
    parser.add_argument("--url", help="PostgreSQL URL (default: the tests' local cluster)")
    parser.add_argument(
        "--before", action="store_true", help="also time with the tuning before issue 19's round"
    )
    parser.add_argument(
        "--baseline", action="store_true", help="also time with the default planner settings"
    )
    parser.add_argument("--freqs", default=",".join(FREQS), help="e.g. M (default: A,H,Q,M)")
    parser.add_argument("--no-write", action="store_true", help="print only")
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
    connections = {"digex": tune_postgres(ibis.connect(args.url, schema=SCHEMA))}
    if args.before:
        before = ibis.connect(args.url, schema=SCHEMA)
        before.raw_sql("SET enable_nestloop = off").close()
        connections["before"] = before
    if args.baseline:
        connections["default planner"] = ibis.connect(args.url, schema=SCHEMA)
    worst = 0.0
    print("wall seconds (server CPU + client CPU seconds)")
    print(f"{'freq':<5}{'cut':<10}" + "".join(f"{name:>28}" for name in connections))
    turn = 0
    results: list[dict[str, Any]] = []
    for freq in args.freqs.split(","):
        for cut in CUTS:
            names = list(connections)
            order = names[turn % len(names) :] + names[: turn % len(names)]
            turn += 1
            timed = {name: time_suite(connections[name], freq, cut) for name in order}
            results.append({"freq": freq, "cut": cut, **{n: list(t) for n, t in timed.items()}})
            worst = max(worst, timed["digex"][0])
            line = f"{freq:<5}{cut:<10}"
            for name in names:
                wall, cpu, client = timed[name]
                ratio = "" if name == "digex" else f" {wall / timed['digex'][0]:.1f}x"
                server = "?" if cpu is None else f"{cpu:.1f}"
                line += f"{f'{wall:.1f} ({server} + {client:.1f}){ratio}':>28}"
            print(line, flush=True)
    verdict = "PASS" if worst < TARGET_S else "MISS"
    print(f"slowest suite {worst:.1f} s (target < {TARGET_S:.0f} s): {verdict}")
    if not args.no_write:
        run_id = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        RESULTS.mkdir(parents=True, exist_ok=True)
        found = {"run_id": run_id, "rows": args.rows, "load_average": os.getloadavg(),
                 "slowest": worst, "suites": results}  # fmt: skip
        (RESULTS / f"{run_id}.json").write_text(json.dumps(found, indent=1) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
