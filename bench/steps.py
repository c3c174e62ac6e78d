"""The steps after the load, on the demo store: a release, the disclosure gate, the publication
and a cached API query, each beside a reference measured in the same run.

    .venv/bin/python bench/steps.py [--db demo/digex-demo.duckdb] [--repeat 3]

Without --db the demo is built first in a temporary folder (`digex demo`, about a minute). The
store (and its snapshot folder) is copied before every step that writes, so that each run
starts from the demo's state. Each step is one `digex` process, timed whole (start-up and
imports included), `--repeat` times, the steps taking turns; medians are printed.

- `indicators -p 2025-H1 --by all --flow X --flow M`, computed (the kept results deleted from
  the copy): the reference the other steps are given as ratios of;
- `release create 2025-H1 --status revised`: every indicator of every cut of the half-year
  and the quarters and months in it, each a year earlier too, the disclosure control, the
  hash and the snapshot file;
- `disclosure audit 2025-H1.1`: the release gate run again on the stored pattern;
- `publish 2025-H1.1 --no-pdf` and `publish 2025-H1.1` (notes, charts, workbook, and the PDFs
  in three languages);
- a cached API query, `/api/indicators` and SDMX data, in requests per second beside a FastAPI
  hello endpoint served the same way (bench/serve.py; issue 19's target: the SDMX query at least
  half the hello endpoint's rate).

The figures are written to bench/results/steps/<run id>.json; `bench/report.py` puts the newest
in the targets table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from serve import measure

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results" / "steps"
PERIOD, RELEASE = "2025-H1", "2025-H1.1"
SERVE_TARGET = 0.5
"""Issue 19: a cached SDMX data query at least half the requests per second of a FastAPI hello
endpoint."""


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "DIGEX_DB")}
    env.setdefault("PYTHONPATH", str(ROOT / "src"))
    return env


def _timed(args: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, env=_env(), capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return seconds


def _copy(store: Path, to: Path, *, empty_cache: bool = False) -> Path:
    """The store and its snapshot folder, copied to `to` (which is emptied first)."""
    shutil.rmtree(to, ignore_errors=True)
    to.mkdir(parents=True)
    copy = to / store.name
    shutil.copy(store, copy)
    snapshots = store.with_suffix(".releases")
    if snapshots.is_dir():
        shutil.copytree(snapshots, copy.with_suffix(".releases"))
    if empty_cache:
        import duckdb

        with duckdb.connect(str(copy)) as con:
            con.execute("DELETE FROM indicator_cache; DELETE FROM indicator_cache_requests")
    return copy


def _demo(work: Path) -> Path:
    store = work / "demo" / "digex-demo.duckdb"
    print(f"building the demo store in {store.parent} ...", file=sys.stderr, flush=True)
    subprocess.run(
        [str(BIN / "digex"), "demo", "--out", str(work / "demo" / "data"), "--db", str(store)],
        check=True,
        stdout=subprocess.DEVNULL,
        env=_env(),
    )
    return store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="a store with the demo's releases")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0, help="per API measure")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="digex-steps-bench-"))
    digex = str(BIN / "digex")
    try:
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "src")], check=True)
        store = (args.db or _demo(work)).resolve()
        shared = _copy(store, work / "shared")  # the steps that only read the store
        steps = {
            "python -c pass": lambda: _timed([sys.executable, "-c", "pass"], work),
            "indicators, computed": lambda: _timed(
                [digex, "indicators", "-p", PERIOD, "--by", "all", "--flow", "X", "--flow", "M",
                 "--format", "parquet", "-o", str(work / "suite.parquet"),
                 "--db", str(_copy(store, work / "suite", empty_cache=True))], work,
            ),
            "release create": lambda: _timed(
                [digex, "release", "create", PERIOD, "--status", "revised",
                 "--db", str(_copy(store, work / "release"))], work,
            ),
            "disclosure gate": lambda: _timed(
                [digex, "disclosure", "audit", RELEASE, "--db", str(shared)], work,
            ),
            "publish, no PDF": lambda: _timed(
                [digex, "publish", RELEASE, "--no-pdf", "--out", _fresh(work / "pub"),
                 "--db", str(shared)], work,
            ),
            "publish, with PDF": lambda: _timed(
                [digex, "publish", RELEASE, "--out", _fresh(work / "pub"), "--db", str(shared)],
                work,
            ),
        }  # fmt: skip
        times: dict[str, list[float]] = {name: [] for name in steps}
        names = list(steps)
        for rep in range(args.repeat):
            for name in names[rep % len(names) :] + names[: rep % len(names)]:
                times[name].append(steps[name]())
                print(f"  {name}: {times[name][-1]:.2f} s", file=sys.stderr, flush=True)
        serving = measure(shared, 4, 20_000, args.seconds, args.repeat)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    medians = {name: statistics.median(runs) for name, runs in times.items()}
    suite = medians["indicators, computed"]
    print(f"\nthe demo store ({store}); medians of {args.repeat}")
    print(f"{'step (whole process)':<28} {'median':>8} {'x suite':>8}")
    for name, seconds in medians.items():
        print(f"{name:<28} {seconds:7.2f}s {seconds / suite:7.2f}x")
    print(f"{'endpoint (cached)':<28} {'req/s':>8} {'x hello':>8}")
    for name, found in serving["endpoints"].items():
        ratio = found["rps"] / serving["endpoints"]["hello"]["rps"]
        print(f"{name:<28} {found['rps']:8.0f} {ratio:7.2f}x")
    sdmx = serving["ratios"]["sdmx"]
    verdict = "PASS" if sdmx >= SERVE_TARGET else "MISS"
    print(f"cached SDMX data query: {sdmx:.2f}x the hello endpoint's req/s (>= 0.5): {verdict}")
    if not args.no_write:
        run_id = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        RESULTS.mkdir(parents=True, exist_ok=True)
        out = {
            "run_id": run_id,
            "store": str(store),
            "repeat": args.repeat,
            "load_average": os.getloadavg(),
            "steps": {n: {"median": medians[n], "runs": times[n]} for n in times},
            "serve": serving,
        }
        (RESULTS / f"{run_id}.json").write_text(json.dumps(out, indent=1) + "\n", "utf-8")


def _fresh(folder: Path) -> str:
    shutil.rmtree(folder, ignore_errors=True)
    return str(folder)


if __name__ == "__main__":
    main()
