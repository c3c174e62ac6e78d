"""The server beside a live store: the served-release index kept up to date by the release
commands, new releases served without a restart, embargoes and gates, and `digex serve` in its
own process answering over HTTP while declarations are loaded and a release is made.

One tiny protected store for the module (tests.disclosure.fixtures, release 2024-03.1); the
tests change it in the order they are written (each makes the release it reasons about)."""

from __future__ import annotations

import datetime as dt
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from tests.conftest import TODAY, write_csv
from tests.disclosure.fixtures import ISSUE_AMOUNTS, rows, tiny_store
from tests.inprocess import run_here, user_env

from digex.api import Digex
from digex.releases.snapshot import folder, snapshot_path
from digex.store import disclosure
from digex.web.app import create_app
from digex.web.index import (
    IndexWarning,
    entries_of,
    index_path,
    read_index,
    rebuild_index,
    refresh,
    update_index,
)

RID = "2024-03.1"
SDMX_TOTAL = "/sdmx/rest/data/DF_DIGITAL_EXPORTS/M.MA.W1._T.C._T.LEVEL.MAD.N?startPeriod=2024"
"""The monthly total as SDMX-ML, from the default release."""


@dataclass
class Live:
    path: Path

    @property
    def index(self) -> Path:
        return index_path(self.path)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Live:
    with tiny_store(tmp_path_factory.mktemp("live") / "store") as db:
        db.create_release("2024-03", "preliminary")
        path = db.path
    return Live(path)


def test_release_create_writes_the_index(live: Live) -> None:
    index = read_index(live.index)
    (entry,) = index.entries
    assert entry.release_id == RID
    assert entry.served
    assert entry.period == "2024-03"
    with Digex.open(live.path, read_only=True) as db, db.store.reading() as con:
        assert list(index.entries) == entries_of(con)
    # the public hash its snapshot file gives, and no temporary file left behind
    from digex.releases.snapshot import read_release

    assert read_release(snapshot_path(live.path, RID)).metadata["content_hash"] == (
        entry.content_hash
    )
    assert not [p for p in folder(live.path).iterdir() if p.name.endswith(".partial")]


def test_rebuild_index_for_a_store_made_before_it(live: Live) -> None:
    before = read_index(live.index)
    live.index.unlink()
    with TestClient(create_app(live.path)) as client:
        assert client.get("/api/releases").json()["releases"] == []
        assert client.get("/api/indicators").status_code == 404
        rebuild_index(live.path)
        assert client.get("/api/releases").json()["default"] == RID
    assert read_index(live.index).entries == before.entries


def test_release_snapshot_writes_the_index(live: Live) -> None:
    """A snapshot written again (`digex release snapshot`) writes the index too: the release
    whose snapshot was missing is then served."""
    snapshot_path(live.path, RID).unlink()
    live.index.unlink()
    with Digex.open(live.path) as db:
        db.write_release_snapshot(RID)
    assert [e.release_id for e in read_index(live.index).entries] == [RID]
    with TestClient(create_app(live.path)) as client:
        assert client.get("/api/releases").json()["default"] == RID


def test_an_index_that_cannot_be_written_is_said_not_raised(live: Live) -> None:
    """The release commands' work stands (the store is the record): the failure is returned
    (a release's warning) or warned of, naming the way to write the index later."""
    kept = live.index.read_bytes()
    live.index.unlink()
    live.index.mkdir()  # a folder where the file goes: the rename fails
    try:
        with Digex.open(live.path, read_only=True) as db:
            said = refresh(db.store, warn=False)
            assert said is not None
            assert "digex serve --reindex" in said
            with pytest.warns(IndexWarning, match="could not be written"):
                refresh(db.store)
    finally:
        live.index.rmdir()
        live.index.write_bytes(kept)
    assert not [p for p in live.index.parent.iterdir() if p.name.endswith(".partial")]


def test_an_unreadable_index_is_a_503_saying_how_to_write_it(live: Live) -> None:
    kept = live.index.read_bytes()
    live.index.write_text('{"format": 1, "releases": [{"release_id": ')
    try:
        with TestClient(create_app(live.path, warm=False)) as client:
            for path in ("/api/releases", "/api/indicators"):
                r = client.get(path)
                assert r.status_code == 503
                assert "digex serve --reindex" in r.json()["detail"]
    finally:
        live.index.write_bytes(kept)


def test_a_bad_port_is_a_usage_error(live: Live) -> None:
    run = run_here(["serve", "--port", "70000", "--db", live.path], live.path.parent)
    assert run.code == 2
    assert "--port 70000" in run.stderr


def test_an_embargoed_release_is_served_from_its_publication_time(live: Live) -> None:
    """Made while the app runs, under embargo: not served (not listed, 404 by name) until
    the clock passes its publication time; then it is the default, with no restart."""
    now = dt.datetime.now(dt.UTC)
    clock = [now]
    with TestClient(create_app(live.path, clock=lambda: clock[0])) as client:
        first = client.get("/api/indicators", params={"cut": "total"})
        etag = first.headers["etag"]
        with Digex.open(live.path) as db:
            made = db.create_release(
                "2024-Q1", "preliminary", publish_at=now + dt.timedelta(hours=2)
            )
        rid = made.release_id
        assert [e.release_id for e in read_index(live.index).entries] == [RID, rid]
        listed = client.get("/api/releases").json()
        assert [r["release_id"] for r in listed["releases"]] == [RID]
        hidden = client.get("/api/indicators", params={"release": rid})
        assert hidden.status_code == 404
        assert RID in hidden.json()["detail"]
        clock[0] = now + dt.timedelta(hours=3)
        listed = client.get("/api/releases").json()
        assert [r["release_id"] for r in listed["releases"]] == [RID, rid]
        assert listed["default"] == rid
        after = client.get(
            "/api/indicators", params={"cut": "total"}, headers={"If-None-Match": etag}
        )
        assert after.status_code == 200
        assert after.json()["release"]["release_id"] == rid


def test_a_snapshot_not_giving_the_indexed_hash_is_not_served(live: Live) -> None:
    text = live.index.read_text()
    entry = json.loads(text)["releases"][0]
    live.index.write_text(text.replace(entry["content_hash"], "0" * 64))
    try:
        with TestClient(create_app(live.path)) as client:
            r = client.get("/api/indicators", params={"release": RID})
            assert r.status_code == 404
            assert "does not give the public hash" in r.json()["detail"]
    finally:
        with Digex.open(live.path, read_only=True) as db:
            update_index(db.store)
    assert read_index(live.index).entries[0].content_hash == entry["content_hash"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=20) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture
def served(live: Live) -> Iterator[str]:
    """`digex serve` in its own process on a free loopback port (its index removed first:
    the command writes it again from the store); yields the base URL."""
    live.index.unlink()
    port = _free_port()
    script = Path(sys.executable).parent / "digex"
    env = user_env()
    started = time.perf_counter()
    server = subprocess.Popen(
        [str(script), "serve", "--db", str(live.path), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        while True:
            try:
                status, _ = _get(f"{base}/api/releases")
                break
            except OSError:
                if server.poll() is not None or time.perf_counter() - started > 60:
                    said = server.stderr.read().decode() if server.stderr else ""
                    raise AssertionError(f"digex serve did not answer: {said}") from None
                time.sleep(0.02)
        print(f"digex serve answered {time.perf_counter() - started:.2f} s after it started")
        assert status == 200
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)
        if server.stderr:
            server.stderr.close()


def test_digex_serve_answers_while_a_load_and_a_release_run(live: Live, served: str) -> None:
    """Requests in a loop from another thread (the JSON API and SDMX) while this process loads
    a month and makes its release: no request fails, the load and the release succeed, and the
    new release is served afterwards by the same server."""
    status, body = _get(f"{served}/api/releases")
    assert status == 200
    assert json.loads(body)["releases"][0]["release_id"] == RID
    failures: list[str] = []
    answered = [0]
    stop = threading.Event()

    def ask() -> None:
        while not stop.is_set():
            for path in ("/api/releases", "/api/indicators?cut=total&indicator=LEVEL", SDMX_TOTAL):
                try:
                    code, text = _get(served + path)
                except OSError as error:
                    failures.append(f"{path}: {error}")
                    continue
                if code != 200:
                    failures.append(f"{path}: {code} {text[:200]!r}")
                answered[0] += 1

    asking = threading.Thread(target=ask)
    asking.start()
    try:
        april = write_csv(live.path.parent / "april.csv", rows(ISSUE_AMOUNTS, months=(4,)))
        with Digex.open(live.path) as db:
            loaded = db.load(april, today=TODAY)
            made = db.create_release("2024-04", "preliminary")
        assert [r.rows_accepted for r in loaded] == [len(ISSUE_AMOUNTS)]
    finally:
        stop.set()
        asking.join(timeout=60)
    assert not failures, failures[:5]
    assert answered[0] > 2
    print(f"{answered[0]} requests answered during the load and the release, none failed")
    status, body = _get(f"{served}/api/releases")
    listing = json.loads(body)
    assert listing["default"] == made.release_id
    status, body = _get(f"{served}/api/indicators?release={made.release_id}&cut=total")
    assert status == 200
    assert json.loads(body)["rows"][0]["period"].startswith("2024")
    status, body = _get(f"{served}{SDMX_TOTAL}&lastNObservations=1")  # SDMX: the new one too
    assert status == 200
    assert b'<gen:ObsDimension value="2024-04"/>' in body


def test_a_release_whose_gate_fails_again_is_withdrawn(live: Live) -> None:
    """`disclosure audit` writes the index (its run decides); a failing latest run takes the
    release out of the service."""
    live.index.unlink()
    with Digex.open(live.path) as db:
        assert db.audit_release(RID).report.passed
        assert read_index(live.index).entries[0].served
        with db.store.write() as con:
            disclosure.record_gate(
                con,
                RID,
                at=dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(seconds=1),
                by="test",
                passed=False,
                summary={"cells": 1, "failed": 1},
                report=[],
                lps=0,
                seconds=0.0,
            )
        update_index(db.store)
    assert not read_index(live.index).entries[0].served
    with TestClient(create_app(live.path)) as client:
        ids = [r["release_id"] for r in client.get("/api/releases").json()["releases"]]
        assert RID not in ids
        assert ids
        assert client.get("/api/indicators", params={"release": RID}).status_code == 404
