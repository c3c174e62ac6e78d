"""Requests per second and latency (p50, p99) of a cached `/api/indicators` query and a cached
SDMX data query of `digex serve`, beside a FastAPI "hello" endpoint served the same way on the
same machine, as ratios (the target: at least half the hello endpoint's requests per second).
Not part of `make test`.

    .venv/bin/python bench/serve.py                          # builds the demo store first (~1 min)
    .venv/bin/python bench/serve.py --db demo/digex-demo.duckdb --seconds 5 --clients 4

Each server is one uvicorn process (`digex serve` itself; the hello app with the same uvicorn
settings); the load generator is a third process (this script with `--load`): `--clients`
threads, each on one keep-alive HTTP/1.1 connection, asking the same URL again and again until
`--requests` answers or `--seconds` have passed, loopback only. The query is asked once before
the timing (so it is answered from the server's kept answers, as a repeated query is). The two
are measured alternately, `--rounds` times, and the medians are printed. Also printed: how long
`digex serve` takes from its start to its first answer, and to its first figures.
"""

from __future__ import annotations

import argparse
import http.client
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent
QUERY = "/api/indicators?indicator=LEVEL,SHARE&cut=segment&period=2024&release=2024.2"
SDMX_QUERY = "/sdmx/rest/data/DF_DIGITAL_EXPORTS/A.MA.W1..C._T.LEVEL.MAD.N?release=2024.2"
"""The segments' and the total's annual exports, SDMX-ML generic data (no Accept header)."""
HELLO = "/hello"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait(url: str, proc: subprocess.Popen[bytes], limit: float = 60.0) -> float:
    """Seconds until `url` answers (the process must stay alive meanwhile)."""
    start = time.perf_counter()
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as answer:
                answer.read()
            return time.perf_counter() - start
        except (urllib.error.URLError, OSError):
            if proc.poll() is not None or time.perf_counter() - start > limit:
                raise SystemExit(f"the server behind {url} did not answer") from None
            time.sleep(0.01)


def hello_server(port: int) -> None:
    """A FastAPI app with one JSON endpoint, under uvicorn as `digex serve` runs it."""
    import uvicorn
    from fastapi import FastAPI  # noqa: TID251 (the hello app measured against)

    app = FastAPI()

    @app.get(HELLO)
    async def hello() -> dict[str, str]:
        return {"hello": "world"}

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", server_header=False)


def load(url: str, clients: int, requests: int, seconds: float) -> dict[str, float]:
    """The load generator: `clients` threads, keep-alive connections, bounded in count and
    time; returns requests per second, p50 and p99 latency (ms) and failures."""
    parsed = urllib.request.urlparse(url)
    path = parsed.path + (f"?{parsed.query}" if parsed.query else "")
    latencies: list[list[float]] = [[] for _ in range(clients)]
    failures = [0] * clients
    per_client = max(1, requests // clients)
    deadline = time.perf_counter() + seconds

    def run(k: int) -> None:
        con = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
        mine = latencies[k]
        for _ in range(per_client):
            if time.perf_counter() > deadline:
                break
            t0 = time.perf_counter()
            con.request("GET", path)
            answer = con.getresponse()
            answer.read()
            mine.append(time.perf_counter() - t0)
            if answer.status != 200:
                failures[k] += 1
        con.close()

    start = time.perf_counter()
    threads = [threading.Thread(target=run, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    every = sorted(x for mine in latencies for x in mine)
    return {
        "requests": len(every),
        "rps": len(every) / elapsed,
        "p50_ms": 1000 * every[len(every) // 2],
        "p99_ms": 1000 * every[min(len(every) - 1, int(len(every) * 0.99))],
        "failures": sum(failures),
    }


def _measure(url: str, args: argparse.Namespace) -> dict[str, float]:
    """One run of the load generator in its own process."""
    done = subprocess.run(
        [
            sys.executable,
            __file__,
            "--load",
            url,
            "--clients",
            str(args.clients),
            "--requests",
            str(args.requests),
            "--seconds",
            str(args.seconds),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=args.seconds * 4 + 60,
    )
    result: dict[str, float] = json.loads(done.stdout)
    return result


def _demo(work: Path) -> Path:
    store = work / "digex-demo.duckdb"
    if not store.exists():
        print(f"building the demo store in {work} ...", file=sys.stderr, flush=True)
        subprocess.run(
            [str(BIN / "digex"), "demo", "--out", str(work / "data"), "--db", str(store)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, help="A store with releases (default: the demo's).")
    parser.add_argument("--work", type=Path, help="Where the demo store is built (kept).")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--requests", type=int, default=20_000, help="At most, per measure.")
    parser.add_argument("--seconds", type=float, default=5.0, help="At most, per measure.")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--load", help=argparse.SUPPRESS)
    parser.add_argument("--hello-server", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.hello_server:
        hello_server(args.hello_server)
        return
    if args.load:
        print(json.dumps(load(args.load, args.clients, args.requests, args.seconds)))
        return
    work = args.work or Path(tempfile.mkdtemp(prefix="digex-serve-bench-"))
    store = args.db or _demo(work)
    found = measure(store, args.clients, args.requests, args.seconds, args.rounds)
    print(
        f"digex serve: first answer {found['first_answer_s']:.2f} s after start, first figures "
        f"{found['first_figures_s']:.2f} s"
    )
    print(f"{'endpoint':<12} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'failed':>7}")
    for name, med in found["endpoints"].items():
        print(
            f"{name:<12} {med['rps']:>8.0f} {med['p50_ms']:>8.2f} {med['p99_ms']:>8.2f} "
            f"{int(med['failures']):>7}"
        )
    for name, what in (("indicators", "/api/indicators"), ("sdmx", "SDMX data")):
        print(
            f"cached {what}: {found['ratios'][name]:.2f} x the hello endpoint's req/s "
            "(target >= 0.5)"
        )


def measure(
    store: Path, clients: int, requests: int, seconds: float, rounds: int
) -> dict[str, Any]:
    """`digex serve` on `store` and the hello app, measured alternately `rounds` times: the
    medians per endpoint, each cached query's req/s over the hello endpoint's, and the server's
    time to its first answer and first figures (bench/steps.py reports them too)."""
    options = argparse.Namespace(clients=clients, requests=requests, seconds=seconds)
    ports = _port(), _port()
    digex = subprocess.Popen(
        [str(BIN / "digex"), "serve", "--db", str(store), "--port", str(ports[0])],
        stderr=subprocess.DEVNULL,
    )
    hello: subprocess.Popen[bytes] | None = None
    try:
        first = _wait(f"http://127.0.0.1:{ports[0]}/api/releases", digex)
        figures = _wait(f"http://127.0.0.1:{ports[0]}{QUERY}", digex) + first
        hello = subprocess.Popen(
            [sys.executable, __file__, "--hello-server", str(ports[1])], stderr=subprocess.DEVNULL
        )
        _wait(f"http://127.0.0.1:{ports[1]}{HELLO}", hello)
        _wait(f"http://127.0.0.1:{ports[0]}{SDMX_QUERY}", digex)  # made once, then kept
        urls = {
            "hello": f"http://127.0.0.1:{ports[1]}{HELLO}",
            "indicators": f"http://127.0.0.1:{ports[0]}{QUERY}",
            "sdmx": f"http://127.0.0.1:{ports[0]}{SDMX_QUERY}",
        }
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in urls}
        for _ in range(rounds):
            for name, url in urls.items():
                runs[name].append(_measure(url, options))
    finally:
        for proc in (digex, hello):
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=20)
    medians = {}
    for name, found in runs.items():
        medians[name] = {k: statistics.median(r[k] for r in found) for k in found[0]}
        medians[name]["failures"] = sum(r["failures"] for r in found)
    hello_rps = medians["hello"]["rps"]
    return {
        "first_answer_s": first,
        "first_figures_s": figures,
        "endpoints": medians,
        "ratios": {n: medians[n]["rps"] / hello_rps for n in ("indicators", "sdmx")},
    }


if __name__ == "__main__":
    main()
