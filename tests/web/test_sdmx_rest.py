"""The SDMX REST API on the protected tiny release: structures and data in every format,
SDMX's statuses and error messages, ETags; then `digex serve` in its own process read by the
two Python SDMX clients, sdmx1 and pysdmx, with values equal to the release's."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.disclosure.test_leak import RID, Released, leaks, released

from digex.publish.figures import open_release
from digex.web.app import create_app

__all__ = ["released"]  # the fixture, imported for this module

BASE = "/sdmx/rest"
FLOW = "DF_DIGITAL_EXPORTS"
TOTAL_KEY = "M.MA.W1._T.C._T.LEVEL.MAD.N"
"""The sector's exports in March 2024: the total (world, all activities, credit)."""
CSV1 = "application/vnd.sdmx.data+csv;version=1.0.0"
CSV2 = "application/vnd.sdmx.data+csv;version=2.0.0"
FORMATS = {
    "generic": "application/vnd.sdmx.genericdata+xml;version=2.1",
    "structurespecific": "application/vnd.sdmx.structurespecificdata+xml;version=2.1",
    "csv1": CSV1,
    "csv2": CSV2,
    "json": "application/vnd.sdmx.data+json;version=1.0.0",
}


@pytest.fixture(scope="module")
def client(released: Released) -> Iterator[TestClient]:
    with TestClient(create_app(released.path, warm=False)) as c:
        yield c


def _total(released: Released) -> Decimal:
    value = open_release(released.path, RID).figure("LEVEL", "2024-03").value
    assert value is not None
    return value


def test_the_dataflow_and_its_structures(client: TestClient) -> None:
    listed = client.get(f"{BASE}/dataflow/all/all/latest")
    assert listed.status_code == 200
    assert listed.headers["content-type"].startswith("application/vnd.sdmx.structure+xml")
    assert listed.content.startswith(b"<?xml")
    assert FLOW.encode() in listed.content
    everything = client.get(f"{BASE}/dataflow/all/{FLOW}/latest/", params={"references": "all"})
    assert everything.status_code == 200
    for part in (b"DSD_DIGITAL_EXPORTS", b"CL_FREQ", b"CL_ACTIVITY", b"CS_DIGITAL_EXPORTS"):
        assert part in everything.content
    assert "صادرات".encode() in everything.content  # names in Arabic too
    encoded = client.get(f"{BASE}/codelist/all/CL_FREQ")  # pysdmx's form: no version
    assert encoded.status_code == 200


def test_data_in_every_format_holds_the_release_s_value(
    client: TestClient, released: Released
) -> None:
    total = _total(released)
    for name, accept in FORMATS.items():
        answer = client.get(f"{BASE}/data/{FLOW}/{TOTAL_KEY}", headers={"Accept": accept})
        assert answer.status_code == 200, (name, answer.text)
        assert answer.headers["content-type"].replace(" ", "") .startswith(
            accept.split(";")[0]
        )  # fmt: skip
        assert repr(float(total)).encode() in answer.content, name
    rows = list(csv.DictReader(io.StringIO(client.get(
        f"{BASE}/data/{FLOW}/{TOTAL_KEY}", params={"format": "csv"}).text)))  # fmt: skip
    assert [Decimal(r["OBS_VALUE"]) for r in rows] == [total]


@pytest.mark.parametrize(
    ("path", "accept", "status", "code"),
    [
        (f"/data/DF_NOPE/{TOTAL_KEY}", None, 404, "100"),
        (f"/data/{FLOW}/{TOTAL_KEY}?startPeriod=2030", None, 404, "100"),
        (f"/data/{FLOW}/M.MA.W1", None, 400, "140"),
        (f"/data/{FLOW}/{TOTAL_KEY}?firstNObservations=many", None, 400, "140"),
        (f"/data/{FLOW}/{TOTAL_KEY}", "text/html", 406, "406"),
        ("/categoryscheme/all/all/latest", None, 501, "501"),
        ("/dataflow/all/DF_NOPE/latest", None, 404, "100"),
        (f"/data/{FLOW}/{TOTAL_KEY}?release=1999.1", None, 404, "100"),
    ],
)
def test_errors_are_sdmx_error_messages(
    client: TestClient, path: str, accept: str | None, status: int, code: str
) -> None:
    answer = client.get(BASE + path, headers={"Accept": accept} if accept else {})
    assert answer.status_code == status, answer.text
    assert answer.content.startswith(b"<?xml")
    assert b"<mes:Error" in answer.content
    assert f'code="{code}"'.encode() in answer.content


def test_a_repeated_query_with_its_etag_is_a_304(client: TestClient) -> None:
    first = client.get(f"{BASE}/data/{FLOW}/{TOTAL_KEY}", headers={"Accept": CSV2})
    again = client.get(
        f"{BASE}/data/{FLOW}/{TOTAL_KEY}",
        headers={"Accept": CSV2, "If-None-Match": first.headers["etag"]},
    )
    assert again.status_code == 304
    other = client.get(f"{BASE}/data/{FLOW}/{TOTAL_KEY}", headers={"Accept": CSV1})
    assert other.headers["etag"] != first.headers["etag"]  # the format is in the key
    assert "Accept" in first.headers["vary"]


def test_no_sdmx_answer_shows_a_suppressed_value(client: TestClient, released: Released) -> None:
    shown = {}
    for name, accept in FORMATS.items():
        shown[name] = client.get(f"{BASE}/data/{FLOW}/all", headers={"Accept": accept}).text
    shown["structures"] = client.get(
        f"{BASE}/dataflow/all/{FLOW}/latest", params={"references": "all"}
    ).text
    found = {name: leaks(text, released.secrets) for name, text in shown.items()}
    assert not any(found.values()), found


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def served(released: Released) -> Iterator[str]:
    """`digex serve` in its own process on a free loopback port; yields the SDMX base URL."""
    import urllib.request

    port = _free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "digex"), "serve", "--db", str(released.path),
         "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/releases", timeout=20):
                    break
            except OSError:
                if server.poll() is not None or time.perf_counter() - started > 60:
                    said = server.stderr.read().decode() if server.stderr else ""
                    raise AssertionError(f"digex serve did not answer: {said}") from None
                time.sleep(0.05)
        yield base + BASE
    finally:
        server.terminate()
        server.wait(timeout=20)
        if server.stderr:
            server.stderr.close()


def test_sdmx1_reads_the_service(served: str, released: Released) -> None:
    import sdmx

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        sdmx.add_source(
            {"id": "MA1", "url": served, "name": "digex test", "supports": {"structure": True}},
            override=True,
        )
        client = sdmx.Client("MA1")
        flows = client.dataflow()
        assert FLOW in flows.dataflow
        structure = client.dataflow(FLOW, params={"references": "all"})
        dsd = structure.dataflow[FLOW].structure
        assert [d.id for d in dsd.dimensions.components][:2] == ["FREQ", "REF_AREA"]
        for codelist in structure.codelist.values():
            assert len(codelist) > 0
        message = client.data(FLOW, key=TOTAL_KEY, params={"startPeriod": "2024-01"})
        values = sdmx.to_pandas(message)
    (value,) = values.to_list()
    assert Decimal(repr(float(value))) == _total(released)


def test_pysdmx_reads_the_service(served: str, released: Released) -> None:
    from pysdmx.io import read_sdmx

    structures = read_sdmx(f"{served}/dataflow/all/{FLOW}/latest?references=all")
    assert structures.get_dataflows()
    data = read_sdmx(f"{served}/data/{FLOW}/{TOTAL_KEY}")
    (dataset,) = data.get_datasets()
    assert Decimal(str(dataset.data["OBS_VALUE"].iloc[0])) == _total(released)
