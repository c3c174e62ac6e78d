"""Fixed costs: what a small job costs as a whole process, beside `python -c pass`.

    .venv/bin/python bench/fixed_costs.py [--repeat 10] [--store-rows 100000]

Each command runs `--repeat` times as its own process, the commands taking turns (the machine
is shared: a burst of other work then slows every command, not one), and the median and the
fastest run are printed with their ratio to the baseline, Python starting and doing nothing,
and the median CPU seconds (on a shared machine a process waits for a core: its CPU time is
what it would take on an idle one, I/O waits aside).
The bytecode cache is filled first, as a user's installation has it.

- `digex init` of a new store (target, issue 19: under 0.3 s);
- `digex load` of a 1,000-row declarations file and its rates into a new store, with the
  default computation of the latest complete year and half-year (target: under 1.5 s), and
  the same load with `--no-indicators`;
- monthly loads into a store of `--store-rows` generated rows (2019-01 to 2025-06), its
  latest year and half-year (2024, 2025-H1) computed and kept: a late file of 1,000 more
  declarations of 2025-06, which changes the half-year (computed again) and not the year
  (kept as it was: before issue 19 every load computed both again); and a file of 1,000
  declarations of 2025-07, which changes neither (nothing is computed).

The files are the benchmark's generator's (`digex.demo.generate`, single-file layout, 1 %
faulty rows), made in a temporary folder. The figures are written to
bench/results/fixed/<run id>.json (`bench/report.py` puts the newest in the targets table).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results" / "fixed"
TARGETS = {"init": 0.3, "load 1,000 rows": 1.5}
"""Issue 19's targets, seconds for the whole process (median of the runs)."""


def _env(src: Path | None = None) -> dict[str, str]:
    """The commands' environment: digex's code from `src` (this checkout's when None)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "DIGEX_DB")}
    if src is not None:
        env["PYTHONPATH"] = str(src)
    env.setdefault("PYTHONPATH", str(ROOT / "src"))
    return env


def _run(args: Sequence[str], cwd: Path, src: Path | None = None) -> tuple[float, float]:
    """Wall seconds of the process, and its CPU seconds (user and system, its threads and
    children included): on a shared machine the wall time waits for a core, the CPU time not."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(list(args), cwd=cwd, env=_env(src), capture_output=True, text=True)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return seconds, cpu


def _sample(rows: list[list[str]], n: int) -> list[list[str]]:
    """`n` rows spread evenly over `rows` (every month keeps its share)."""
    if len(rows) <= n:
        return rows
    step = len(rows) / n
    return [rows[int(i * step)] for i in range(n)]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def _files(folder: Path, store_rows: int) -> dict[str, Path]:
    """The generated data, and the files each command loads."""
    sys.path.insert(0, str(ROOT / "src"))
    from digex.demo import generate

    made = generate(
        folder / "gen", seed=2025, rows=store_rows, fault_rate=0.01, layout="single",
        firms=max(1000, store_rows // 1000),
    )  # fmt: skip
    with made.declarations[0].open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = list(reader)
    at = header.index("period")
    june = [[f"L{r[0]}", *r[1:]] for r in rows if r[at] == "2025-06"]  # late declarations
    july = [[f"J{r[0]}", "2025-07", *r[2:]] for r in june]  # the same firms a month later
    return {
        "rates": made.rates,
        "small": _write(folder / "small.csv", header, _sample(rows, 1000)),
        "store": made.declarations[0],
        "june": _write(folder / "2025-06.csv", header, _sample(june, 1000)),
        "july": _write(folder / "2025-07.csv", header, _sample(july, 1000)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--store-rows", type=int, default=100_000)
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument(
        "--before",
        type=Path,
        help="another checkout's src folder (e.g. main's): each command also runs with its code, "
        "the two versions alternating, and both are printed side by side",
    )
    args = parser.parse_args()
    versions: dict[str, Path | None] = {"": None}
    if args.before is not None:
        versions = {"before: ": args.before.resolve(), "": None}
    work = Path(tempfile.mkdtemp(prefix="digex-fixed-costs-"))
    python, digex = sys.executable, str(BIN / "digex")
    try:
        for src in {ROOT / "src", *(v for v in versions.values() if v is not None)}:
            subprocess.run([python, "-m", "compileall", "-q", str(src)], check=True)
        files = _files(work, args.store_rows)
        rates = ["--rates", str(files["rates"])]
        # the monthly loads' store: every month to 2025-06, 2024 and 2025-H1 kept
        monthly = work / "monthly.duckdb"
        _run([digex, "init", "--db", str(monthly)], work)
        _run([digex, "load", str(files["store"]), *rates, "--db", str(monthly)], work)
        empty = work / "empty.duckdb"
        _run([digex, "init", "--db", str(empty)], work)

        def fresh(name: str, source: Path | None) -> str:
            path = work / f"{name}.duckdb"
            for old in (path, Path(f"{path}.wal")):
                old.unlink(missing_ok=True)
            if source is not None:
                shutil.copy(source, path)
            return str(path)

        small = [digex, "load", str(files["small"]), *rates]
        commands: dict[str, tuple[Path | None, list[str]]] = {
            "python -c pass": (None, [python, "-c", "pass"]),
            "import digex.cli": (None, [python, "-c", "import digex.cli"]),
            "init": (None, [digex, "init", "--db", "{db}"]),
            "load 1,000 rows": (empty, [*small, "--db", "{db}"]),
            "load 1,000 rows, --no-indicators": (
                empty, [*small, "--no-indicators", "--db", "{db}"],
            ),
            "late file of 2025-06 (1,000 rows)": (
                monthly, [digex, "load", str(files["june"]), "--db", "{db}"],
            ),
            "monthly file of 2025-07 (1,000 rows)": (
                monthly, [digex, "load", str(files["july"]), "--db", "{db}"],
            ),
        }  # fmt: skip
        runs = [
            (f"{label}{name}", name, src) for name in commands for label, src in versions.items()
        ]
        times: dict[str, list[float]] = {run: [] for run, _, _ in runs}
        cpus: dict[str, list[float]] = {run: [] for run, _, _ in runs}
        for rep in range(args.repeat):
            turn = runs[rep % len(runs) :] + runs[: rep % len(runs)]
            for run, name, src in turn:
                source, cmd = commands[name]
                db = fresh("run", source)
                wall, cpu = _run([a.replace("{db}", db) for a in cmd], work, src)
                times[run].append(wall)
                cpus[run].append(cpu)
            print(f"  repeat {rep + 1}/{args.repeat} done", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    base = statistics.median(times["python -c pass"])
    print(f"\n{args.repeat} runs each, taking turns; store of the monthly loads: "
          f"{args.store_rows:,} generated rows, 2019-01 to 2025-06")  # fmt: skip
    print(f"{'command (whole process)':<40} {'median':>8} {'fastest':>8} {'x pass':>8} "
          f"{'CPU':>7}  target")  # fmt: skip
    out = {}
    for name, runs in times.items():
        median, fastest = statistics.median(runs), min(runs)
        cpu = statistics.median(cpus[name])
        target = None if name.startswith("before: ") else TARGETS.get(name)
        verdict = "" if target is None else (
            f"< {target} s: {'PASS' if median < target else 'MISS'}"
        )  # fmt: skip
        print(
            f"{name:<40} {median:7.2f}s {fastest:7.2f}s {median / base:7.1f}x {cpu:6.2f}s  "
            f"{verdict}"
        )
        out[name] = {
            "median": median, "fastest": fastest, "runs": runs, "target": target,
            "cpu_median": cpu, "cpu_runs": cpus[name],
        }  # fmt: skip
    if not args.no_write:
        run_id = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        RESULTS.mkdir(parents=True, exist_ok=True)
        found = {"run_id": run_id, "repeat": args.repeat, "store_rows": args.store_rows,
                 "load_average": os.getloadavg(), "commands": out,
                 "before": None if args.before is None else str(args.before)}  # fmt: skip
        (RESULTS / f"{run_id}.json").write_text(json.dumps(found, indent=1) + "\n", "utf-8")


if __name__ == "__main__":
    main()
