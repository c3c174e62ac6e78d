"""Where a load's time goes: every engine statement of one real load, timed (wall and CPU).

Runs `digex init` and the load of a file (as `digex load --no-indicators` does: the store
given by path, checked in a database of the load's own) in this process, with the staging
connection wrapped so that each statement is timed: wall seconds and the process's CPU seconds
(every thread's: the engine's workers included). Statements are grouped by stage (reading,
checking, storing) and printed largest first, so that a change to the load can be measured
statement by statement, beside `bench/impl_sql.py`'s own statements (`--sql`).

    python bench/profile_load.py bench/data/1M/declarations.csv --rates bench/data/1M/rates.csv
    python bench/profile_load.py ... --sql      # the tuned hand-written SQL's statements too
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

BENCH = Path(__file__).resolve().parent


class Timed:
    """A DuckDB connection whose `execute` records (stage, statement, wall, cpu)."""

    explain: Path | None = None
    """A folder for the engine's profile of each long statement (`--explain`)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, log: list[tuple[str, str, float, float]]):
        self._con = con
        self._log = log
        self.stage = "reading"

    def execute(self, sql: str, *args: Any) -> Any:
        if self.explain and sql.lstrip().startswith(("CREATE", "INSERT")):
            n = len(self._log)
            out = self.explain / f"{n:03d}-{_label(sql).split()[-1]}.txt"
            self._con.execute("SET enable_profiling = 'query_tree'")
            self._con.execute(f"SET profiling_output = '{out}'")
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return self._con.execute(sql, *args)
        finally:
            self._log.append(
                (
                    self.stage,
                    _label(sql),
                    time.perf_counter() - wall,
                    time.process_time() - cpu,
                )
            )

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)


def _label(sql: str) -> str:
    text = " ".join(sql.split())
    m = re.match(
        r"(CREATE (?:OR REPLACE )?TEMP (?:TABLE|VIEW) \w+|INSERT INTO \w+|"
        r"ALTER TABLE \w+|DROP \w+ \w+|DELETE FROM \w+|SELECT|ATTACH|DETACH|COMMIT|"
        r"BEGIN TRANSACTION|SET|USE)",
        text,
    )
    head = m.group(1) if m else text[:40]
    if head == "SELECT":
        head = "SELECT " + text[7:60]
    return head


Log = list[tuple[str, str, float, float]]
"""(stage, statement, wall seconds, CPU seconds) of each statement."""


def profile_digex(declarations: Path, rates: Path, folder: Path) -> Log:
    from digex.api import Digex
    from digex.ingest import load as load_module
    from digex.ingest.load import LoadOptions, load_files
    from digex.profile import load_profile
    from digex.store import target as target_module

    db = folder / "p.duckdb"
    Digex.create(db).close()
    log: list[tuple[str, str, float, float]] = []
    original_staging = target_module.StoreFile.staging
    current: list[Timed] = []

    @contextmanager
    def staging(self: Any, basis: Any, limit: str) -> Iterator[Any]:
        with original_staging(self, basis, limit) as con:
            timed = Timed(con, log)
            current.append(timed)
            yield timed

    original_prepare = load_module.Loader._prepare
    original_final = target_module.StoreFile.final

    def prepare(self: Any, con: Any, *a: Any, **k: Any) -> Any:
        con.stage = "reading+checking"
        return original_prepare(self, con, *a, **k)

    def final(self: Any, con: Any, basis: Any) -> Any:
        con.stage = "storing"
        return original_final(self, con, basis)

    target_module.StoreFile.staging = staging  # type: ignore[method-assign]
    target_module.StoreFile.final = final  # type: ignore[method-assign]
    load_module.Loader._prepare = prepare  # type: ignore[method-assign]
    wall, cpu = time.perf_counter(), time.process_time()
    results = load_files(db, load_profile(None), LoadOptions(), [declarations], rates=[rates])
    total = (time.perf_counter() - wall, time.process_time() - cpu)
    log.append(("(total)", "load_files", *total))
    for r in results:
        print(
            f"  {r.kind}: read {r.rows_read:,}, accepted {r.rows_accepted:,}, "
            f"rejected {r.rows_rejected:,}",
            file=sys.stderr,
        )
    return log


def profile_sql(declarations: Path, rates: Path) -> list[tuple[str, str, float, float]]:
    """The tuned SQL's statements, timed the same way (its `main` run on a timed connection)."""
    sys.path.insert(0, str(BENCH))
    import impl_sql

    log: list[tuple[str, str, float, float]] = []
    real_connect = impl_sql.connect

    def connect(args: argparse.Namespace) -> Any:
        timed = Timed(real_connect(args), log)
        timed.stage = "sql"
        return timed

    impl_sql.connect = connect  # type: ignore[assignment]
    argv = sys.argv
    sys.argv = ["impl_sql.py", str(declarations), "--rates", str(rates)]
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        impl_sql.main()
    finally:
        sys.argv = argv
    log.append(("(total)", "impl_sql.main", time.perf_counter() - wall, time.process_time() - cpu))
    return log


def show(title: str, log: list[tuple[str, str, float, float]]) -> None:
    print(f"\n{title}")
    stages: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for stage, _, wall, cpu in log:
        stages[stage][0] += wall
        stages[stage][1] += cpu
    print(f"  {'stage':<20} {'wall s':>8} {'CPU s':>8}")
    for stage, (wall, cpu) in stages.items():
        print(f"  {stage:<20} {wall:8.2f} {cpu:8.2f}")
    print(f"\n  {'statement':<62} {'wall s':>8} {'CPU s':>8}")
    for stage, label, wall, cpu in sorted(log, key=lambda r: -r[3]):
        if cpu >= 0.02 and stage != "(total)":
            print(f"  {stage[:8]:<8} {label[:53]:<53} {wall:8.2f} {cpu:8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("declarations", type=Path)
    parser.add_argument("--rates", type=Path, required=True)
    parser.add_argument("--sql", action="store_true", help="time impl_sql.py's statements too")
    parser.add_argument(
        "--explain",
        type=Path,
        help="write the engine's profile of each CREATE and INSERT statement into this folder",
    )
    args = parser.parse_args()
    if args.explain:
        args.explain.mkdir(parents=True, exist_ok=True)
        Timed.explain = args.explain.resolve()
    with tempfile.TemporaryDirectory(prefix="digex-profile-") as tmp:
        show("digex load --no-indicators", profile_digex(args.declarations, args.rates, Path(tmp)))
    if args.sql:
        show("tuned hand-written SQL (impl_sql.py)", profile_sql(args.declarations, args.rates))


if __name__ == "__main__":
    main()
