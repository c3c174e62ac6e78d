"""A wall-clock timeline of one command: each stage's start, end, CPU seconds and cores busy.

Runs a `digex` command (or `bench/impl_sql.py`) in this process, with its main functions
wrapped so that each call records when it started and ended (seconds since the process
started, Python's start-up included) and the process's CPU seconds meanwhile (every thread's:
the engine's workers too). CPU / wall is how many cores a stage kept busy: a stage near 1.0 on
a 2-core machine is serial, one near 2.0 uses both. A side thread also samples the process's
CPU every 50 ms, printed as a strip of cores busy, so that gaps between the wrapped stages
show too, and each thread's (the scheduler's count), from which `idle` estimates what each
stage would take on idle cores whatever the neighbours took meanwhile (see `Sampler`): on a
shared machine, compare that column, and the CPU, rather than the wall times.

    python bench/timeline.py -- load bench/data/1M/declarations.csv \
        --rates bench/data/1M/rates.csv --db /tmp/t.duckdb       # after `digex init --db ...`
    python bench/timeline.py --sql bench/data/1M/declarations.csv --rates bench/data/1M/rates.csv
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent

_TICKS = os.sysconf("SC_CLK_TCK")


def _since_start() -> float:
    """Seconds since this process started (the kernel's start time, 10 ms resolution)."""
    start = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19]) / _TICKS
    uptime = float(Path("/proc/uptime").read_text().split()[0])
    return uptime - start


T0 = time.perf_counter() - _since_start()
"""perf_counter() at the process's start."""

Event = tuple[int, str, float, float, float, float]
"""(depth, name, start, end, cpu at start, cpu at end)."""
EVENTS: list[Event] = []
THREADS: dict[int, list[float]] = {}
"""Event index -> the CPU seconds of each thread that worked during it, largest first."""


def thread_cpu() -> dict[str, float]:
    """CPU seconds of each thread of this process (10 ms resolution)."""
    seconds = {}
    for tid in os.listdir("/proc/self/task"):
        try:
            fields = Path(f"/proc/self/task/{tid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        seconds[tid] = (int(fields[11]) + int(fields[12])) / _TICKS
    return seconds


_depth = threading.local()


def now() -> float:
    return time.perf_counter() - T0


def wrap(owner: Any, attr: str, name: str | None = None) -> None:
    """Record every call of `owner.attr` (a function or a context manager function)."""
    original = getattr(owner, attr)
    label = name or f"{getattr(owner, '__name__', owner)}.{attr}"

    @functools.wraps(original)
    def timed(*args: Any, **kwargs: Any) -> Any:
        depth = getattr(_depth, "n", 0)
        _depth.n = depth + 1
        start, cpu = now(), time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            _depth.n = depth
            EVENTS.append((depth, label, start, now(), cpu, time.process_time()))

    setattr(owner, attr, timed)


def run_times() -> dict[str, int]:
    """Nanoseconds each thread of this process has spent on a CPU (the scheduler's own count,
    /proc/<pid>/task/<tid>/schedstat)."""
    spent = {}
    for tid in os.listdir("/proc/self/task"):
        try:
            spent[tid] = int(Path(f"/proc/self/task/{tid}/schedstat").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            continue
    return spent


class Sampler:
    """The process's CPU seconds every `step` seconds, and each thread's, from a daemon thread.

    The threads' times give an estimate of the wall time on an idle machine of `cores` cores,
    whatever the neighbours took meanwhile: in each interval, the larger of the busiest
    thread's CPU time (a thread runs on one core at a time) and the threads' total divided by
    the cores (`idle_estimate`). It assumes that what ran in an interval could have run side
    by side on idle cores, so it is a lower bound when threads waited for each other."""

    def __init__(self, step: float = 0.05) -> None:
        self.step = step
        self.samples: list[tuple[float, float]] = []
        self.threads: list[dict[str, int]] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.me = ""

    def run(self) -> None:
        self.me = str(threading.get_native_id())
        while not self.stop.wait(self.step):
            self.samples.append((now(), time.process_time()))
            self.threads.append(run_times())

    def intervals(self, cores: int) -> list[tuple[float, float, float]]:
        """(start, end, seconds on idle cores) of each sampled interval (see the class)."""
        out = []
        for i in range(1, len(self.threads)):
            last, spent = self.threads[i - 1], self.threads[i]
            deltas = [(ns - last.get(tid, 0)) / 1e9 for tid, ns in spent.items() if tid != self.me]
            idle = max(max(deltas, default=0.0), sum(deltas) / cores)
            out.append((self.samples[i - 1][0], self.samples[i][0], idle))
        return out

    def idle_estimate(
        self, start: float = 0.0, end: float = float("inf"), cores: int = os.cpu_count() or 1
    ) -> float:
        """Seconds the sampled run between `start` and `end` would take on `cores` idle cores
        (see the class); the time before the first sample is counted as it was."""
        first = self.samples[0][0] if self.samples else 0.0
        total = max(0.0, min(end, first) - start)
        for a, b, idle in self.intervals(cores):
            if start <= (a + b) / 2 < end:
                total += idle
        return total

    def strip(self, width: float = 0.1) -> str:
        """Cores busy per `width` seconds, one character each: . under 0.5, 1 under 1.5, 2."""
        out, last = [], (0.0, 0.0)
        bucket_end = width
        chars = []
        for t, cpu in self.samples:
            if t >= bucket_end:
                busy = (cpu - last[1]) / max(t - last[0], 1e-9)
                chars.append("." if busy < 0.5 else "1" if busy < 1.5 else "2")
                last = (t, cpu)
                while bucket_end <= t:
                    bucket_end += width
        for i in range(0, len(chars), 50):
            out.append(f"{i * width:6.1f}s {''.join(chars[i : i + 50])}")
        return "\n".join(out)


class TimedConnection:
    """A DuckDB connection whose statements are recorded as events (their first words)."""

    def __init__(self, con: Any) -> None:
        self._con = con

    def execute(self, sql: str, *args: Any) -> Any:
        depth = getattr(_depth, "n", 0)
        before = thread_cpu()
        start, cpu = now(), time.process_time()
        try:
            return self._con.execute(sql, *args)
        finally:
            label = "sql: " + " ".join(sql.split())[: int(os.environ.get("TIMELINE_SQL", "40"))]
            EVENTS.append((depth, label, start, now(), cpu, time.process_time()))
            after = thread_cpu()
            spent = [after[t] - before.get(t, 0.0) for t in after]
            THREADS[len(EVENTS) - 1] = sorted((x for x in spent if x > 0), reverse=True)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)


class _Timed:
    """A context manager timed as two stages at `depth`: its entering and its leaving (the
    connection it gives wrapped by `wrap_con`, when given)."""

    def __init__(
        self,
        cm: Any,
        depth: int,
        entering: str,
        leaving: str,
        wrap_con: Callable[[Any], Any] | None = None,
    ) -> None:
        self.cm, self.depth, self.entering, self.leaving = cm, depth, entering, leaving
        self.wrap_con = wrap_con

    def __enter__(self) -> Any:
        start, cpu = now(), time.process_time()
        con = self.cm.__enter__()
        if self.wrap_con is not None:
            con = self.wrap_con(con)
        EVENTS.append((self.depth, self.entering, start, now(), cpu, time.process_time()))
        return con

    def __exit__(self, *exc: Any) -> Any:
        start, cpu = now(), time.process_time()
        try:
            return self.cm.__exit__(*exc)
        finally:
            EVENTS.append((self.depth, self.leaving, start, now(), cpu, time.process_time()))


def wrap_digex() -> None:
    """The stages of `digex load` and `digex indicators`, and the load's statements."""
    import duckdb

    import digex.api as api
    import digex.cli as cli
    import digex.ingest.load as load
    import digex.ingest.validate as validate
    import digex.store.target as target

    wrap(duckdb, "connect", "duckdb.connect")
    wrap(api.Digex, "open", "Digex.open")
    wrap(api.Digex, "precompute", "Digex.precompute")
    wrap(cli, "_kept_up_to_date")
    wrap(target.StoreFile, "basis", "basis (store read)")
    original_staging = target.StoreFile.staging

    def staging(self: Any, basis: Any, limit: str) -> Any:
        return _Timed(
            original_staging(self, basis, limit),
            1,
            "staging connect",
            "staging close",
            TimedConnection,
        )

    target.StoreFile.staging = staging  # type: ignore[method-assign]
    wrap(load, "_register_codelists")
    wrap(load, "_load_rates")
    wrap(load.Loader, "_prepare", "prepare file")
    wrap(load.Loader, "_stage", "read (stage)")
    wrap(load, "file_hash")
    for name in ("check_declarations", "check_rates"):
        wrap(validate, name, f"check ({name})")
    load.CHECKS["declarations"] = validate.check_declarations
    load.CHECKS["rates"] = validate.check_rates
    wrap(load, "check_unchanged")
    wrap(load, "append_rows")
    wrap(load, "record_load")
    wrap(load, "record_events")
    wrap(load.Loader, "_reconvert")
    wrap(cli, "_print_results")
    wrap(cli, "_precompute")
    wrap(api.Digex, "_compute", "Digex._compute")
    wrap(api.Digex, "_keep", "Digex._keep")
    import digex.store.store as store

    wrap(store.Store, "write_briefly", "Store.write_briefly")
    wrap(store.Store, "close", "Store.close")
    wrap(api.Digex, "indicators", "Digex.indicators")
    original_attached = vars(target)["attached"]

    def attached(*a: Any, **k: Any) -> Any:
        return _Timed(original_attached(*a, **k), 2, "attach+begin", "commit+detach")

    vars(target)["attached"] = attached


def report(sampler: Sampler, total: tuple[float, float]) -> None:
    print(
        f"\n{'stage':<48} {'start':>6} {'end':>6} {'wall':>6} {'CPU':>6} {'cores':>5}"
        "  CPU s of each thread (statements)"
    )
    order = sorted(range(len(EVENTS)), key=lambda i: (EVENTS[i][2], EVENTS[i][0]))
    for i in order:
        depth, name, start, end, c0, c1 = EVENTS[i]
        wall = end - start
        if wall < 0.005:
            continue
        cores = (c1 - c0) / wall if wall else 0.0
        label = ("  " * depth + name)[:48]
        threads = " ".join(f"{x:.2f}" for x in THREADS.get(i, [])[:4])
        idle = sampler.idle_estimate(start, end)
        figures = f"{start:6.2f} {end:6.2f} {wall:6.2f} {c1 - c0:6.2f} {cores:5.2f} {idle:5.2f}"
        print(f"{label:<48} {figures}  {threads}")
    wall, cpu = total
    print(f"{'(process: start to exit)':<48} {0:6.2f} {wall:6.2f} {wall:6.2f} {cpu:6.2f}")
    print(
        f"estimated wall time on {os.cpu_count()} idle cores: {sampler.idle_estimate():.2f} s "
        f"(load average now {os.getloadavg()[0]:.1f})"
    )
    print("\ncores busy per 0.1 s (. <0.5, 1, 2):")
    print(sampler.strip())


def main() -> None:
    args = sys.argv[1:]
    sampler = Sampler()
    sampler.thread.start()
    start = now()
    EVENTS.append((0, "(python start-up, before this script)", 0.0, start, 0.0, 0.0))
    if args and args[0] == "--sql":
        sys.path.insert(0, str(BENCH))
        cpu = time.process_time()
        impl_sql = importlib.import_module("impl_sql")
        EVENTS.append((0, "import impl_sql", start, now(), cpu, time.process_time()))
        real_connect = impl_sql.connect
        impl_sql.connect = lambda a: TimedConnection(real_connect(a))
        sys.argv = ["impl_sql.py", *args[1:]]
        main_fn: Callable[[], None] = impl_sql.main
        name = "impl_sql.main"
    else:
        if args and args[0] == "--":
            args = args[1:]
        cpu = time.process_time()
        import digex.cli as cli

        EVENTS.append((0, "import digex.cli", start, now(), cpu, time.process_time()))
        wrap_digex()
        sys.argv = ["digex", *args]
        main_fn = cli.main
        name = "digex " + (args[0] if args else "")
    s, c = now(), time.process_time()
    try:
        main_fn()
    except SystemExit:
        pass
    finally:
        EVENTS.append((0, name, s, now(), c, time.process_time()))
        sampler.stop.set()
        sys.stdout = sys.__stdout__
        report(sampler, (now(), time.process_time()))


if __name__ == "__main__":
    main()
