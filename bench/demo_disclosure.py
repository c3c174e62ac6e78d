"""CPU of disclosure control in each of the demo's releases (not a test).

    .venv/bin/python bench/demo_disclosure.py                  # the tests' size: 10,000 rows
    .venv/bin/python bench/demo_disclosure.py --firms 50 --rows 200000

Generates the demo data, loads it (not timed), then makes the demo's three releases as
`digex demo` and the tests' `demo_releases` fixture do (`run.make_releases`). For each release,
one JSON line: the CPU seconds of its disclosure control (from "each firm's part of every cell"
to the step after the gate), how many times the gate ran (a first gate that fails on insiders
sends the suppression round again), the wall seconds of the suppression and the gate, the
cube's size and the gate's public summary. CPU, not wall: the machine is shared.

Side by side on 2026-12-04 (2 shared cores), CPU s of 2024.1 / 2024.2 / 2025-H1.1:
10,000 rows: before (main 8bddcae) 19.8 / 3.9 / 2.8, after 9.8 / 4.0 / 2.2 (two gate runs for
2024.1 both times, the same 87 cells suppressed); --firms 50 --rows 200000, suppression of
2024.1 (one gate run, 45 cells): 30.1 before, 24.1 after.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile
import time
from pathlib import Path

import digex
from digex.demo import generate, run

TODAY = dt.date(2025, 7, 15)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--firms", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="digex-demo-disclosure-") as tmp:
        folder = Path(tmp)
        files = generate(folder / "data", seed=args.seed, rows=args.rows, firms=args.firms)
        with digex.init(folder / "demo.duckdb") as db:
            db.load(list(files.declarations), rates=files.rates, jobs=files.jobs, today=TODAY)
            if files.series is not None:
                db.load([], series=[files.series], today=TODAY)
            db.store.set_meta("synthetic", "true")
            steps: list[tuple[str, float]] = []
            (folder / "releases").mkdir()
            made = run.make_releases(
                db,
                folder / "releases",
                stage=lambda what: steps.append((what, time.process_time())),
            )
    for info in made.releases:
        prefix = f"{info.period} ({info.status}): "
        mine = [(what[len(prefix) :], t) for what, t in steps if what.startswith(prefix)]
        marks = [i for i, (what, _) in enumerate(mine) if what.startswith("disclosure:")]
        start = mine[marks[0]][1]
        end = mine[marks[-1] + 1][1] if marks[-1] + 1 < len(mine) else time.process_time()
        print(
            json.dumps(
                {
                    "release": info.release_id,
                    "rows": args.rows,
                    "firms": args.firms,
                    "disclosure_cpu_s": round(end - start, 2),
                    "gate_runs": 1 + sum(1 for w, _ in mine if "the gate again" in w),
                    "suppress_wall_s": round(info.timings.get("suppress", 0.0), 2),
                    "gate_wall_s": round(info.timings.get("gate", 0.0), 2),
                    "gate": info.gate,
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
