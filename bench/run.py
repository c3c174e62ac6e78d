"""Run the benchmark: digex and the alternatives on the same files, side by side, in one run.

For each size (1M, 10M rows; 100M with --big) and format (CSV, Parquet), every implementation
runs as its own process, in turns, `--repeat` times; each process is timed (wall clock) and its
peak memory taken (the peak RSS of the process tree, polled, and the kernel's own maximum for the
process). The machine is shared, so what counts are the ratios between implementations measured
in the same run, not the absolute seconds.

    python bench/run.py --sizes 1M,10M            # what `make bench` runs
    python bench/run.py --sizes 1M --only digex,sql --formats csv --repeat 1
    python bench/run.py --big                     # adds 100M rows (about 6 GB of CSV)

Results go to bench/results/<run id>-<size>.json; bench/report.py then rewrites the table in
bench/README.md and prints the targets with PASS / MISS.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import duckdb
import psutil
from _common import default_firms

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PYTHON = sys.executable
DIGEX = str(Path(sys.executable).parent / "digex")
IMPLS = ("scan", "sql", "sqlplain", "digex", "polars", "pandas")
FORMATS = ("csv", "parquet")
SUITE = ["-p", "2024", "-p", "2025-H1", "--by", "all", "--flow", "X", "--flow", "M"]
QUERY = ["-p", "2025-H1", "--by", "segment", "--format", "csv"]
QUERY_RUNS = 3  # the indicator query is short: run it a few times per repeat
# The children run as a user's shell would run them: with Python's bytecode cache (a development
# shell may set PYTHONDONTWRITEBYTECODE, and every process then compiles its imports again).
ENV = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "DIGEX_DB")}
WARM_IMPORTS = (
    "import digex.cli, digex.api, digex.indicators.service, digex.ingest.load, ibis, duckdb, "
    "pandas, pyarrow.parquet, polars, psutil"
)
MEMORY_SHARE = 0.6
"""An alternative is not run at a size where its memory, extrapolated linearly from a smaller
size of the same run, would exceed this share of the RAM available: the machine is shared, and
pandas alone would need about 40 GiB for 100M rows. DuckDB is given it as its memory limit."""
PACKAGES = (
    "digex", "duckdb", "ibis-framework", "sqlglot", "pyarrow", "pandas", "polars", "numpy",
    "psutil",
)  # fmt: skip


def parse_size(text: str) -> int:
    text = text.strip().upper()
    factor = {"K": 1_000, "M": 1_000_000, "G": 1_000_000_000}.get(text[-1:], 1)
    number = text[:-1] if text[-1:] in "KMG" else text
    return int(float(number) * factor)


def size_label(rows: int) -> str:
    for factor, suffix in ((1_000_000_000, "G"), (1_000_000, "M"), (1_000, "K")):
        if rows % factor == 0:
            return f"{rows // factor}{suffix}"
    return str(rows)


# -- measuring one process ----------------------------------------------------------------------


@dataclass
class Measure:
    wall: float
    rss_peak: int  # bytes: the larger of the polled tree RSS and the kernel's ru_maxrss
    rss_polled: int
    rss_kernel: int
    cpu_user: float
    cpu_sys: float
    rc: int
    loadavg: tuple[float, float, float]
    stdout: str = field(repr=False, default="")
    error: str | None = None


def _tree_rss(proc: psutil.Process) -> int:
    total = 0
    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    for p in procs:
        with contextlib.suppress(psutil.Error):
            total += p.memory_info().rss
    return total


def measure(cmd: list[str], cwd: Path, log: Path, timeout: float) -> Measure:
    """Run `cmd` to completion; wall time, peak memory and CPU time of that process alone."""
    log.parent.mkdir(parents=True, exist_ok=True)
    loadavg = os.getloadavg()
    with log.with_suffix(".out").open("wb") as out, log.with_suffix(".err").open("wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            cmd, cwd=cwd, stdout=out, stderr=err, env=ENV, start_new_session=True
        )
        peak = [0]
        done = threading.Event()

        def poll() -> None:
            try:
                ps = psutil.Process(proc.pid)
            except psutil.Error:
                return
            while not done.wait(0.05):
                peak[0] = max(peak[0], _tree_rss(ps))

        def kill() -> None:
            # Only the process group this run started.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        timer = threading.Timer(timeout, kill)
        timer.start()
        # wait4 gives this child's own resource usage (ru_maxrss: its peak RSS, in KiB).
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        timer.cancel()
        done.set()
        poller.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
    stdout = log.with_suffix(".out").read_text(encoding="utf-8", errors="replace")
    error = None
    if proc.returncode != 0:
        tail = log.with_suffix(".err").read_text(encoding="utf-8", errors="replace")
        error = f"exit {proc.returncode}: " + " | ".join(tail.strip().splitlines()[-5:])
        if wall >= timeout:
            error = f"killed after the {timeout:.0f} s timeout"
    kernel = usage.ru_maxrss * 1024
    return Measure(
        wall=wall,
        rss_peak=max(kernel, peak[0]),
        rss_polled=peak[0],
        rss_kernel=kernel,
        cpu_user=usage.ru_utime,
        cpu_sys=usage.ru_stime,
        rc=proc.returncode,
        loadavg=loadavg,
        stdout=stdout,
        error=error,
    )


def last_json(text: str) -> dict[str, Any] | None:
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            try:
                value = json.loads(line)
            except json.JSONDecodeError:
                return None
            return value if isinstance(value, dict) else None
    return None


# -- the machine -----------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "nproc": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)),
        "ram_bytes": psutil.virtual_memory().total,
        "ram_available_bytes": psutil.virtual_memory().available,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "hostname": platform.node(),
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu_model"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return info


def versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


# -- data ----------------------------------------------------------------------------------------


def ensure_data(folder: Path, rows: int, seed: int, timeout: float) -> dict[str, Any]:
    """Generate the dataset unless the folder already has it (same rows, seed and firms)."""
    want = {"rows": rows, "seed": seed, "firms": default_firms(rows), "layout": "single"}
    marker = folder / "params.json"
    if marker.exists():
        have = json.loads(marker.read_text(encoding="utf-8"))
        if all(have.get(k) == v for k, v in want.items()):
            print(f"[data] reusing {folder} ({rows:,} rows)", flush=True)
            return dict(have)
    folder.mkdir(parents=True, exist_ok=True)
    print(f"[data] generating {rows:,} rows into {folder} ...", flush=True)
    cmd = [PYTHON, str(BENCH / "gen.py"), str(folder), "--rows", str(rows), "--seed", str(seed)]
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=ROOT, timeout=timeout, check=False)
    if result.returncode != 0 or not marker.exists():
        raise SystemExit(f"generating {folder} failed (exit {result.returncode})")
    print(f"[data] generated in {time.perf_counter() - start:.1f} s", flush=True)
    return dict(json.loads(marker.read_text(encoding="utf-8")))


def warm(path: Path) -> None:
    """Read the file once so that the first implementation does not pay the disk for the rest:
    every run then reads from the page cache."""
    with path.open("rb") as f:
        while f.read(1 << 24):
            pass


def forget_indicators(store: Path) -> None:
    """Delete the indicators a store keeps, so that the next query computes them."""
    con = duckdb.connect(str(store))
    try:
        con.execute("DELETE FROM indicator_cache")
        con.execute("DELETE FROM indicator_cache_requests")
    finally:
        con.close()


def _remove_store(path: Path) -> None:
    for p in (path, Path(f"{path}.wal")):
        p.unlink(missing_ok=True)


def source_fingerprint() -> dict[str, Any]:
    """A hash of digex's source (no git here): shows whether the code under test changed while
    the benchmark ran (the tree is shared with engineers editing it)."""
    digest = hashlib.sha256()
    files = sorted((ROOT / "src" / "digex").rglob("*.py"))
    for f in files:
        digest.update(str(f.relative_to(ROOT)).encode())
        with contextlib.suppress(OSError):
            digest.update(f.read_bytes())
    return {"sha256": digest.hexdigest()[:16], "files": len(files)}


# -- the runs ------------------------------------------------------------------------------------


@dataclass
class Run:
    format: str
    impl: str
    phase: str  # the implementation's own name, or digex's init/load/first/suite/query
    repeat: int
    wall: float
    rss_peak: int
    rss_polled: int
    rss_kernel: int
    cpu_user: float
    cpu_sys: float
    rc: int
    loadavg: tuple[float, float, float]
    error: str | None = None


class Bench:
    def __init__(self, args: argparse.Namespace, folder: Path, rows: int) -> None:
        self.args = args
        self.folder = folder
        self.rows = rows
        self.work = folder / "work"
        self.logs = self.work / "logs"
        self.runs: list[Run] = []
        self.summaries: dict[str, dict[str, list[dict[str, Any]]]] = {}
        self.today = dt.date.today().isoformat()

    def _record(self, fmt: str, impl: str, phase: str, rep: int, m: Measure) -> Run:
        run = Run(
            fmt, impl, phase, rep, m.wall, m.rss_peak, m.rss_polled, m.rss_kernel,
            m.cpu_user, m.cpu_sys, m.rc, m.loadavg, m.error,
        )  # fmt: skip
        self.runs.append(run)
        status = "ok" if m.rc == 0 else f"FAILED ({m.error})"
        print(
            f"  {fmt:7} {impl:6} {phase:6} #{rep + 1}: {m.wall:8.2f} s  "
            f"{self.rows / m.wall:>12,.0f} rows/s  peak RSS {m.rss_peak / 2**20:7.0f} MiB  "
            f"(load {m.loadavg[0]:.1f})  {status}",
            flush=True,
        )
        return run

    def _summary(self, fmt: str, impl: str, m: Measure) -> None:
        summary = last_json(m.stdout) if m.rc == 0 else None
        if m.rc == 0 and summary is None:
            print(f"  !! {impl} printed no summary", flush=True)
        if summary is not None:
            self.summaries.setdefault(fmt, {}).setdefault(impl, []).append(summary)

    def one(self, fmt: str, impl: str, rep: int) -> None:
        decl = self.folder / ("declarations.csv" if fmt == "csv" else "declarations.parquet")
        rates = self.folder / "rates.csv"
        log = self.logs / f"{fmt}-{impl}-{rep + 1}"
        timeout = self.args.timeout
        if impl != "digex":
            cmd = [PYTHON, str(BENCH / f"impl_{impl}.py"), str(decl), "--rates", str(rates)]
            cmd += ["--today", self.today]
            if impl in ("sql", "sqlplain", "scan"):
                limit = int(MEMORY_SHARE * psutil.virtual_memory().available / 2**20)
                cmd += ["--memory-limit", f"{limit}MB"]
            m = measure(cmd, self.work, log, timeout)
            self._record(fmt, impl, impl, rep, m)
            self._summary(fmt, impl, m)
            return
        store = self.work / f"digex-{fmt}.duckdb"
        first = self.work / f"digex-{fmt}-first-query.duckdb"
        suite_out = self.work / f"suite-{fmt}.parquet"
        for stale in (store, first, suite_out):
            _remove_store(stale)

        def step(phase: str, cmd: list[str], name: str | None = None) -> bool:
            m = measure(cmd, self.work, log.with_name(f"{log.name}-{name or phase}"), timeout)
            self._record(fmt, impl, phase, rep, m)
            return m.rc == 0

        if not step("init", [DIGEX, "init", "--db", str(store)]):
            return
        if not step("load", [DIGEX, "load", str(decl), "--rates", str(rates), "--db", str(store)]):
            return
        # The load computes the latest year and half-year ahead (digex's default): the first
        # query is measured on a copy of the store as the load left it, so that the suite below
        # starts from the same state.
        shutil.copyfile(store, first)
        step("first", [DIGEX, "indicators", *QUERY, "--db", str(first)], "first-query")
        # The suite as the engine computes it, whatever the load kept: on that copy with its
        # cached indicators deleted (it shows what a query on other periods costs).
        forget_indicators(first)
        suite = [DIGEX, "indicators", *SUITE, "--format", "parquet", "-o", str(suite_out)]
        step("computed", [*suite, "--db", str(first)], "suite-computed")
        _remove_store(first)
        if not step("suite", [*suite, "--db", str(store)]):
            return
        # The same query again, after the suite: what a user asking twice waits.
        for q in range(QUERY_RUNS):
            step("query", [DIGEX, "indicators", *QUERY, "--db", str(store)], f"query{q + 1}")
        cmd = [PYTHON, str(BENCH / "digex_summary.py"), str(suite_out), "--db", str(store)]
        m = measure(cmd, self.work, log.with_name(f"{log.name}-summary"), timeout)
        if m.rc != 0:
            print(f"  !! digex summary failed: {m.error}", flush=True)
        self._summary(fmt, impl, m)

    def run(self, formats: list[str], impls: list[str], repeat: int) -> None:
        self.work.mkdir(parents=True, exist_ok=True)
        # Fill the bytecode cache first, so that no measured process compiles its imports.
        subprocess.run([PYTHON, "-c", WARM_IMPORTS], cwd=self.work, env=ENV, check=False)
        for fmt in formats:
            warm(self.folder / ("declarations.csv" if fmt == "csv" else "declarations.parquet"))
            for rep in range(repeat):
                for impl in turns(impls, rep):
                    self.one(fmt, impl, rep)
        if not self.args.keep_stores:
            for fmt in formats:
                _remove_store(self.work / f"digex-{fmt}.duckdb")


def turns(impls: list[str], rep: int) -> list[str]:
    """The order of repeat `rep`: row `rep` of a balanced Latin square (Williams' design), so
    that no implementation always runs first, nor always right after the same one.

    A process run right after pandas' (5 GB, 19 s of system time) was measured 0.5-1 s slower
    at 10M rows (digex's load 16.3 against 15.7 s, the tuned SQL 18.5 against 17.5 s): the
    kernel still reclaiming its memory. A plain rotation keeps the cyclic order, so every repeat
    ran the same implementation after pandas (digex, in `--only sql,polars,pandas,digex`).
    """
    n = len(impls)
    first, low, high = [0], 1, n - 1
    while len(first) < n:  # 0, 1, n-1, 2, n-2, ...: each step a different distance
        first.append(low)
        low += 1
        if len(first) < n:
            first.append(high)
            high -= 1
    return [impls[(i + rep) % n] for i in first]


# -- summaries, ratios and the cross-check ---------------------------------------------------------


def stats(runs: list[Run], rows: int) -> dict[str, Any] | None:
    ok = [r for r in runs if r.rc == 0]
    if not ok:
        return None
    wall = statistics.median(r.wall for r in ok)
    return {
        "n": len(ok),
        "failed": len(runs) - len(ok),
        "wall_median": wall,
        "wall_min": min(r.wall for r in ok),
        "wall_max": max(r.wall for r in ok),
        "rows_per_s": rows / wall,
        "rss_peak_median": statistics.median(r.rss_peak for r in ok),
        "rss_peak_max": max(r.rss_peak for r in ok),
        "cpu_median": statistics.median(r.cpu_user + r.cpu_sys for r in ok),
    }


def digex_totals(runs: list[Run], fmt: str) -> list[Run]:
    """load + suite of the same repeat, as one measure (peak RSS: the larger of the two)."""
    out = []
    for rep in sorted({r.repeat for r in runs if r.format == fmt and r.impl == "digex"}):
        parts = {
            r.phase: r for r in runs if r.format == fmt and r.impl == "digex" and r.repeat == rep
        }
        if "load" not in parts or "suite" not in parts:
            continue
        load, suite = parts["load"], parts["suite"]
        out.append(
            Run(
                fmt,
                "digex",
                "total",
                rep,
                load.wall + suite.wall,
                max(load.rss_peak, suite.rss_peak),
                max(load.rss_polled, suite.rss_polled),
                max(load.rss_kernel, suite.rss_kernel),
                load.cpu_user + suite.cpu_user,
                load.cpu_sys + suite.cpu_sys,
                load.rc or suite.rc,
                load.loadavg,
            )
        )
    return out


def summarise(runs: list[Run], fmt: str, rows: int) -> dict[str, Any]:
    names: dict[str, list[Run]] = {}
    for r in runs:
        if r.format == fmt:
            key = r.impl if r.impl != "digex" else f"digex_{r.phase}"
            names.setdefault(key, []).append(r)
    names["digex_total"] = digex_totals(runs, fmt)
    return {k: s for k, v in names.items() if (s := stats(v, rows)) is not None}


def ratios(summary: dict[str, Any]) -> dict[str, float | None]:
    def wall(name: str) -> float | None:
        s = summary.get(name)
        return float(s["wall_median"]) if s else None

    def ratio(a: str, b: str) -> float | None:
        x, y = wall(a), wall(b)
        return x / y if x is not None and y else None

    return {
        "digex_over_sql": ratio("digex_total", "sql"),
        "digex_over_sqlplain": ratio("digex_total", "sqlplain"),
        "sqlplain_over_sql": ratio("sqlplain", "sql"),
        "pandas_over_digex": ratio("pandas", "digex_total"),
        "polars_over_sql": ratio("polars", "sql"),
        "pandas_over_sql": ratio("pandas", "sql"),
        "scan_over_sql": ratio("scan", "sql"),
        "digex_over_scan": ratio("digex_total", "scan"),
        "digex_load_over_sql": ratio("digex_load", "sql"),
    }


def _same(a: object, b: object, money: bool, exact: bool) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    if not isinstance(a, int | float) or not isinstance(b, int | float):
        return False
    if money and exact:
        return a == b
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1.0)


def crosscheck(found: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Every implementation's summary against digex's (or the SQL's when digex failed)."""
    ref_name = "digex" if found.get("digex") else "sql"
    if not found.get(ref_name):
        return {"reference": None, "results": {}}
    ref = found[ref_name][0]
    periods = ("2024", "2025-H1")

    def keys(s: dict[str, Any]) -> set[str]:
        return {k for k in s.get("values", {}) if k.split("|")[2] in periods}

    results: dict[str, Any] = {}
    for impl, summaries in sorted(found.items()):
        problems: list[str] = []
        for s in summaries:
            for count in ("rows_read", "rows_accepted", "rows_rejected"):
                if count in s and s[count] != ref.get(count):
                    problems.append(f"{count} {s[count]:,} vs {ref.get(count):,}")
            if impl == "scan":
                continue
            exact = bool(s.get("exact")) and bool(ref.get("exact"))
            mine, theirs = keys(s), keys(ref)
            if mine != theirs:
                problems.append(f"values missing: {sorted(mine ^ theirs)[:6]}")
            for k in sorted(mine & theirs):
                a, b = s["values"][k], ref["values"][k]
                money = k.startswith(("LEVEL", "TOPV"))
                if not _same(a, b, money, exact):
                    problems.append(f"{k}: {a} vs {b}")
        problems = list(dict.fromkeys(problems))  # once per problem, not per repeat
        results[impl] = {"ok": not problems, "problems": problems[:20]}
    return {"reference": ref_name, "results": results}


def headline(found: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    for name in ("digex", "sql"):
        if found.get(name):
            v = found[name][0]["values"]
            return {
                "from": name,
                "rows_accepted": found[name][0]["rows_accepted"],
                "rows_rejected": found[name][0]["rows_rejected"],
                "exports_2024_mad": v.get("LEVEL|X|2024|_T", 0) / 100,
                "exports_2025_h1_mad": v.get("LEVEL|X|2025-H1|_T", 0) / 100,
            }
    return {}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1M,10M", help="comma-separated row counts: 1M,10M")
    parser.add_argument("--big", action="store_true", help="also 100M rows (about 6 GB of CSV)")
    parser.add_argument(
        "--repeat", type=int, default=None, help="runs of each (default: 3 up to 10M rows, else 1)"
    )
    parser.add_argument("--formats", default="csv,parquet")
    parser.add_argument("--only", default=",".join(IMPLS), help=f"from {','.join(IMPLS)}")
    parser.add_argument("--data-dir", type=Path, default=BENCH / "data")
    parser.add_argument("--results-dir", type=Path, default=BENCH / "results")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds per process")
    parser.add_argument("--keep-stores", action="store_true", help="keep the digex stores")
    parser.add_argument("--no-report", action="store_true", help="do not rewrite bench/README.md")
    args = parser.parse_args()
    args.rss_per_row = {}
    args.size_list = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    if args.big and 100_000_000 not in args.size_list:
        args.size_list.append(100_000_000)
    args.format_list = [f.strip() for f in args.formats.split(",") if f.strip()]
    args.impl_list = [i.strip() for i in args.only.split(",") if i.strip()]
    for f in args.format_list:
        if f not in FORMATS:
            parser.error(f"--formats: {f!r} is not one of {', '.join(FORMATS)}")
    for i in args.impl_list:
        if i not in IMPLS:
            parser.error(f"--only: {i!r} is not one of {', '.join(IMPLS)}")
    if not Path(DIGEX).exists():
        parser.error(f"{DIGEX} not found: run from the project's virtual environment")
    return args


def evaluate(bench: Bench, formats: list[str], label: str) -> dict[str, Any]:
    per_format = {}
    for fmt in formats:
        summary = summarise(bench.runs, fmt, bench.rows)
        found = bench.summaries.get(fmt, {})
        check = crosscheck(found)
        per_format[fmt] = {
            "summary": summary,
            "ratios": ratios(summary),
            "crosscheck": check,
            "headline": headline(found),
        }
        for impl, res in check["results"].items():
            if not res["ok"]:
                ref = check["reference"]
                print(f"!! {label} {fmt}: {impl} DISAGREES with {ref}:", file=sys.stderr)
                for p in res["problems"]:
                    print(f"!!    {p}", file=sys.stderr)
        r = ", ".join(f"{k} {v:.2f}" for k, v in ratios(summary).items() if v is not None)
        print(f"[{label}] {fmt}: {r}", flush=True)
    return per_format


def memory_guard(impls: list[str], rows: int, rss_per_row: dict[str, float]) -> dict[str, str]:
    available = psutil.virtual_memory().available
    skipped = {}
    for impl in impls:
        if impl in ("digex", "scan", "sql", "sqlplain") or impl not in rss_per_row:
            # digex is what is measured; DuckDB keeps to its memory limit (spilling to disk)
            continue
        need = rss_per_row[impl] * rows
        if need > MEMORY_SHARE * available:
            skipped[impl] = (
                f"would need about {need / 2**30:.0f} GiB (linear from the smaller size), more "
                f"than {MEMORY_SHARE:.0%} of the {available / 2**30:.0f} GiB available"
            )
    return skipped


def run_size(args: argparse.Namespace, run_id: str, rows: int) -> Path:
    label = size_label(rows)
    repeat = args.repeat or (3 if rows <= 10_000_000 else 1)
    folder = args.data_dir / label
    data = ensure_data(folder, rows, args.seed, args.timeout)
    formats, impls = args.format_list, args.impl_list
    skipped = memory_guard(impls, rows, args.rss_per_row)
    for impl, reason in skipped.items():
        print(f"!! [{label}] {impl} skipped: {reason}", file=sys.stderr, flush=True)
    impls = [i for i in impls if i not in skipped]
    what = f"{repeat} run(s) of {', '.join(impls)} on {', '.join(formats)}"
    print(f"[{label}] {rows:,} rows, {what}", flush=True)
    bench = Bench(args, folder, rows)
    load_before = os.getloadavg()
    code_before = source_fingerprint()
    started = dt.datetime.now(dt.UTC)
    bench.run(formats, impls, repeat)
    load_after = os.getloadavg()
    code_after = source_fingerprint()
    if code_after != code_before:
        print(f"!! [{label}] digex's source changed during the run: results mix versions",
              file=sys.stderr)  # fmt: skip
    result = {
        "run_id": run_id,
        "started": started.isoformat(timespec="seconds"),
        "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "size": label,
        "rows": rows,
        "data": data,
        "repeat": repeat,
        "formats": formats,
        "impls": impls,
        "machine": machine(),
        "versions": versions(),
        "child_env": "as the shell's, less PYTHONDONTWRITEBYTECODE and DIGEX_DB; bytecode cache "
        "filled first; input file read once before the runs (page cache warm)",
        "digex_source": {
            "before": code_before,
            "after": code_after,
            "changed_during_run": code_after != code_before,
        },
        "load_before": load_before,
        "load_after": load_after,
        "commands": {
            "digex_suite": ["digex", "indicators", *SUITE, "--format", "parquet", "-o", "OUT"],
            "digex_query": ["digex", "indicators", *QUERY],
            "digex_first": "digex_query on a copy of the store as loaded, before the suite",
        },
        "skipped": skipped,
        "results": evaluate(bench, formats, label),
        "runs": [asdict(r) for r in bench.runs],
    }
    for fmt in formats:
        for name, st in result["results"][fmt]["summary"].items():
            impl = name.split("_")[0]
            per_row = st["rss_peak_max"] / rows
            args.rss_per_row[impl] = max(args.rss_per_row.get(impl, 0.0), per_row)
    path = Path(args.results_dir) / f"{run_id}-{label}.json"
    path.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"[{label}] results: {path}", flush=True)
    return path


def main() -> None:
    args = parse_args()
    run_id = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    args.results_dir.mkdir(parents=True, exist_ok=True)
    written = [run_size(args, run_id, rows) for rows in sorted(args.size_list)]
    if written:
        cmd = [PYTHON, str(BENCH / "report.py"), "--results-dir", str(args.results_dir)]
        if args.no_report:
            cmd.append("--no-write")
        subprocess.run(cmd, check=False)


if __name__ == "__main__":
    main()
