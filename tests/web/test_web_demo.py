"""The JSON API on the demo's three releases (the session's `demo_releases`): the index the
demo's release commands wrote, the reference figures (DESIGN.md), every row of a release
exactly as publication reads it, and `digex serve`'s start on them."""

from __future__ import annotations

import math
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from tests.conftest import DemoReleases
from tests.inprocess import user_env

from digex.web.app import create_app
from digex.web.index import index_path, read_index


@pytest.fixture(scope="module")
def client(demo_releases: DemoReleases) -> Iterator[TestClient]:
    with TestClient(create_app(demo_releases.store)) as c:
        yield c


def _value(client: TestClient, **params: str) -> float:
    r = client.get("/api/indicators", params=params)
    assert r.status_code == 200, r.text
    (row,) = r.json()["rows"]
    value: float = row["value"]
    return value


def test_the_demo_releases_are_indexed_and_served(
    demo_releases: DemoReleases, client: TestClient
) -> None:
    index = read_index(index_path(demo_releases.store))
    ids = [demo_releases.ids[k] for k in ("2024-prelim", "2024", "2025-H1")]
    assert [e.release_id for e in index.entries] == ids
    assert all(e.served for e in index.entries)
    assert index.synthetic
    body = client.get("/api/releases").json()
    assert [r["release_id"] for r in body["releases"]] == ids
    assert body["default"] == demo_releases.ids["2025-H1"]
    assert body["synthetic"] is True


def test_the_reference_figures(demo_releases: DemoReleases, client: TestClient) -> None:
    annual = {"release": demo_releases.ids["2024"], "period": "2024", "flow": "X"}
    level = _value(client, indicator="LEVEL", cut="total", **annual)
    assert round(level / 1e9, 1) == 26.2
    assert round(_value(client, indicator="GROWTH_YOY", cut="total", **annual), 1) == 0.2
    shares = {"ITO": 40.3, "CRM": 37.4, "ESO": 13.2, "BPO": 8.9, "KPO": 0.2}
    for member, share in shares.items():
        found = _value(client, indicator="SHARE", cut="segment", member=member, **annual)
        assert round(found, 1) == share, member
    half = {"release": demo_releases.ids["2025-H1"], "cut": "total", "flow": "X"}
    assert round(_value(client, indicator="LEVEL", period="2025-H1", **half) / 1e9, 1) == 13.4
    assert round(_value(client, indicator="LEVEL", period="2024-H1", **half) / 1e9, 1) == 12.9
    assert round(_value(client, indicator="GROWTH_YOY", period="2025-H1", **half), 1) == 3.5


def test_every_row_is_the_releases_own(demo_releases: DemoReleases, client: TestClient) -> None:
    """All of release 2024.2 in one answer, row for row as `open_release` reads it."""
    release = demo_releases.open("2024")
    r = client.get("/api/indicators", params={"release": release.release_id})
    assert r.status_code == 200
    rows = r.json()["rows"]
    assert len(rows) == len(release.observations)
    for row in rows:
        figure = release.figure(
            row["indicator"], row["period"], row["cut"], row["member"], row["flow"]
        )
        if row["value"] is None:
            assert figure.value is None
        else:
            assert Decimal(repr(row["value"])) == figure.value
        assert row["conf_status"] == figure.conf_status
        assert (row["unit"], row["obs_status"]) == (figure.unit, figure.obs_status)


def test_revisions_of_the_2024_level(demo_releases: DemoReleases, client: TestClient) -> None:
    r = client.get("/api/revisions", params={"indicator": "LEVEL", "period": "2024"})
    rows = r.json()["rows"]
    assert [x["release_id"] for x in rows] == [
        demo_releases.ids["2024-prelim"],
        demo_releases.ids["2024"],
    ]
    assert [x["status"] for x in rows] == ["preliminary", "revised"]
    for x, which in zip(rows, ("2024-prelim", "2024"), strict=True):
        expected = demo_releases.open(which).figure("LEVEL", "2024").value
        assert expected is not None
        assert Decimal(repr(x["value"])) == expected
    assert not math.isclose(rows[0]["value"], rows[1]["value"])


def _cpu_seconds(pid: int) -> float:
    """The user and system CPU seconds process `pid` has used so far (Linux's /proc)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_digex_serve_starts_in_under_2_s_on_the_demo_releases(demo_releases: DemoReleases) -> None:
    """Issue 17: `digex serve` starts in under 2 s on the demo's releases. Counted as the
    server's CPU seconds from its start to its first answer: its wall time on this shared
    machine is the other processes' too (printed beside it; bench/serve.py times it alone)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    started = time.perf_counter()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "digex"), "serve", "--db", str(demo_releases.store),
         "--port", str(port)],
        env=user_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/releases", timeout=20):
                    break
            except OSError:
                assert server.poll() is None, "digex serve stopped"
                assert time.perf_counter() - started < 60, "digex serve did not answer"
                time.sleep(0.01)
        wall, cpu = time.perf_counter() - started, _cpu_seconds(server.pid)
    finally:  # killed: a clean stop waits for its reading ahead of the default release
        server.kill()
        server.wait(timeout=20)
    print(f"digex serve answered after {wall:.2f} s, {cpu:.2f} CPU seconds")
    assert cpu < 2.0
