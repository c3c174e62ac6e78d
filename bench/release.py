"""Time to create a release on a store of N declaration rows, beside the load that fills the
store and a plain `digex indicators --by all` on it: each step one `digex` process, timed
whole (start-up and imports included), side by side in one run.

    .venv/bin/python bench/release.py                 # 1M rows
    .venv/bin/python bench/release.py --rows 10M      # 10M rows (generating them takes minutes)

The data are the benchmark's (`bench/gen.py`: the demo generator's single-file layout, 1 %
faulty rows), kept under --data-dir and reused when the size and seed are the same. The store is
made in a temporary folder (or --work) and removed at the end unless --keep.

Steps: the load (`--no-indicators`: validation, conversion, storage only); the indicator suite
for the year (`digex indicators -p 2024 --by all --flow X --flow M`), computed, not read from
a cache; the same for the half-year; then `release create 2024` (every indicator of every cut
for the year, its half-years, quarters and months and the same a year earlier: four
frequencies, 38 periods) and `release create 2025-H1` (three frequencies, 18 periods), each
written with its content hash and snapshot file.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _count(text: str) -> int:
    units = {"K": 1_000, "M": 1_000_000, "G": 1_000_000_000}
    text = text.strip().upper()
    return int(float(text[:-1]) * units[text[-1]]) if text[-1] in units else int(text)


def _data(folder: Path, rows: int, seed: int) -> Path:
    """The benchmark's files of `rows` rows, generated unless already there."""
    params = folder / "params.json"
    if params.exists():
        p = json.loads(params.read_text())
        if p.get("rows") == rows and p.get("seed") == seed:
            return folder
    folder.mkdir(parents=True, exist_ok=True)
    print(f"generating {rows:,} rows into {folder} ...", file=sys.stderr, flush=True)
    cmd = [sys.executable, str(ROOT / "bench" / "gen.py"), str(folder), "--rows", str(rows)]
    subprocess.run([*cmd, "--seed", str(seed)], check=True)
    return folder


def _digex(args: list[str], cwd: Path) -> float:
    """Seconds `digex ARGS` takes, as a process (its output kept out of the way)."""
    return _digex_run(args, cwd)[0]


def _digex_run(args: list[str], cwd: Path) -> tuple[float, str]:
    """Seconds `digex ARGS` takes, as a process, and what it printed."""
    env = {k: v for k, v in os.environ.items() if k != "DIGEX_DB"}
    env.setdefault("PYTHONPATH", str(ROOT / "src"))
    start = time.perf_counter()
    run = subprocess.run(
        [str(BIN / "digex"), *args], cwd=cwd, env=env, capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    if run.returncode != 0:
        raise SystemExit(f"digex {' '.join(args)} failed ({run.returncode}):\n{run.stderr}")
    return seconds, run.stdout


def _disclosure(printed: str) -> float:
    """Disclosure control's seconds, from `release create`'s `time:` line."""
    found = re.search(r"disclosure control ([\d.]+) s", " ".join(printed.split()))
    if found is None:
        raise SystemExit(f"no `time:` line in release create's output:\n{printed}")
    return float(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="1M", help="declaration rows (1M, 10M, ...)")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--data-dir", type=Path, default=ROOT / "bench" / "data")
    parser.add_argument("--work", type=Path, default=None, help="folder for the store")
    parser.add_argument("--keep", action="store_true", help="keep the store and its snapshots")
    args = parser.parse_args()
    rows = _count(args.rows)
    data = _data(args.data_dir / args.rows.upper(), rows, args.seed)
    work = args.work or Path(tempfile.mkdtemp(prefix="digex-release-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    db = work / "bench.duckdb"
    for stale in (db, Path(f"{db}.wal")):
        stale.unlink(missing_ok=True)
    shutil.rmtree(work / "bench.releases", ignore_errors=True)
    try:
        _digex(["init", "--db", str(db), "--profile", "MA"], work)
        files = [str(data / "declarations.csv"), "--rates", str(data / "rates.csv")]
        jobs = ["--jobs", str(data / "jobs.csv")] if (data / "jobs.csv").exists() else []
        steps: list[tuple[str, float]] = []
        load = ["load", *files, *jobs, "--no-indicators", "--db", str(db)]
        steps.append(("load (--no-indicators)", _digex(load, work)))
        suite = ["--by", "all", "--flow", "X", "--flow", "M", "--format", "parquet"]
        for period in ("2024", "2025-H1"):
            out = work / f"suite-{period}.parquet"
            seconds = _digex(
                ["indicators", "-p", period, *suite, "-o", str(out), "--db", str(db)], work
            )
            steps.append((f"indicators -p {period} --by all (computed)", seconds))
        for period in ("2024", "2025-H1"):
            create = ["release", "create", period, "--status", "preliminary", "--db", str(db)]
            seconds, printed = _digex_run(create, work)
            protecting = _disclosure(printed)
            steps.append((f"release create {period}", seconds))
            # the measure: the release before disclosure control, which is timed apart
            steps.append((f"  {period} before disclosure control", seconds - protecting))
            steps.append((f"  {period} disclosure control", protecting))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    base = dict(steps)
    print(f"\n{rows:,} declaration rows ({data})")
    print(f"{'step':<44} {'seconds':>8} {'x suite':>8}")
    for name, seconds in steps:
        period = "2025-H1" if "2025-H1" in name else "2024"
        ratio = seconds / base[f"indicators -p {period} --by all (computed)"]
        print(f"{name:<44} {seconds:8.1f} {ratio:8.2f}")
    print("x suite: the step's time over the indicator suite's for the same period")


if __name__ == "__main__":
    main()
