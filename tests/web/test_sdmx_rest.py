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
DSD = "DSD_DIGITAL_EXPORTS"
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
        (f"/dataflow/all/{FLOW}/latest?detail=everything", None, 400, "140"),
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


def test_an_answer_over_the_cap_is_a_413(released: Released) -> None:
    with TestClient(create_app(released.path, max_rows=5, warm=False)) as small:
        over = small.get(f"{BASE}/data/{FLOW}/all")
        one = small.get(f"{BASE}/data/{FLOW}/{TOTAL_KEY}")
    assert over.status_code == 413
    assert b'code="413"' in over.content
    assert b"narrow the key" in over.content
    assert one.status_code == 200


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


def test_a_repeated_request_is_answered_from_its_text_in_its_format(client: TestClient) -> None:
    """Kept under its exact text (path, query, Accept), a repeated SDMX request is answered
    before FastAPI routes it (bench/serve.py's cached SDMX query), with its own Content-Type
    and Vary; another Accept on the same path is another answer."""
    kept = client.app.state.answers  # type: ignore[attr-defined]
    url = f"{BASE}/data/{FLOW}/{TOTAL_KEY}?startPeriod=2024-01"
    before = len(kept)
    first = client.get(url, headers={"Accept": CSV2})
    assert len(kept) == before + 1
    again = client.get(url, headers={"Accept": CSV2})
    assert len(kept) == before + 1
    assert (again.content, again.headers["content-type"]) == (
        first.content,
        first.headers["content-type"],
    )
    assert again.headers["content-type"].startswith("application/vnd.sdmx.data+csv")
    assert "Accept" in again.headers["vary"]
    other = client.get(url, headers={"Accept": FORMATS["json"]})
    assert other.headers["content-type"].startswith("application/vnd.sdmx.data+json")
    same = client.get(url, headers={"Accept": CSV2, "If-None-Match": first.headers["etag"]})
    assert same.status_code == 304
    assert "Accept" in same.headers["vary"]
    # the kept answer, as any other: Cache-Control, gzip, CORS for GET
    assert again.headers["cache-control"] == "public, max-age=60"  # the default release
    whole = f"{BASE}/data/{FLOW}/all"  # over the 500 bytes gzip starts from
    plain = client.get(whole, headers={"Accept": CSV2, "Accept-Encoding": "identity"})
    web = {"Accept": CSV2, "Accept-Encoding": "gzip", "Origin": "https://office.example"}
    for _ in range(2):  # made, then kept
        zipped = client.get(whole, headers=web)
        assert zipped.headers["content-encoding"] == "gzip"
        assert zipped.headers["access-control-allow-origin"] == "*"
        assert zipped.content == plain.content  # decoded by the client
    named = client.get(url + f"&release={RID}", headers={"Accept": CSV2})
    assert named.headers["cache-control"] == "public, max-age=86400"


def test_no_sdmx_answer_shows_a_suppressed_value(client: TestClient, released: Released) -> None:
    shown = {}
    for name, accept in FORMATS.items():
        shown[name] = client.get(f"{BASE}/data/{FLOW}/all", headers={"Accept": accept}).text
    # the time-series and flat layouts: tests/sdmx/test_sdmx_leak.py (the same bytes)
    for fmt in ("xml", "json"):
        shown[f"structures {fmt}"] = client.get(
            f"{BASE}/dataflow/all/{FLOW}/latest", params={"references": "all", "format": fmt}
        ).text
    assert all(text.strip() for text in shown.values())
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


QUERIES = [
    (TOTAL_KEY, {}),  # a full key
    ("M.MA.W1..C._T.LEVEL.MAD.N", {}),  # a wildcard: every activity
    ("M.MA.W1.ITO+KPO.C._T.LEVEL.MAD.N", {}),  # +: two segments (KPO confidential)
    ("M.MA.W1._T.C._T.LEVEL.MAD.N", {"startPeriod": "2024-03", "endPeriod": "2024-03"}),
]


def _expected(released: Released, key: str) -> dict[str, Decimal | None]:
    """The release's LEVEL of March 2024 for the activities a key names (None: withheld)."""
    figures = open_release(released.path, RID)
    activity = key.split(".")[3]
    chosen = {"": None, "_T": ["_T"]}.get(activity, activity.split("+"))
    found: dict[str, Decimal | None] = {}
    for f in figures:
        k = f.key
        if (k.indicator, k.period, k.flow) != ("LEVEL", "2024-03", "X"):
            continue
        code = "_T" if k.cut == "total" else k.member if k.cut in ("segment", "ebops") else None
        if code is None or (chosen is not None and code not in chosen):
            continue
        found[code] = f.value if f.available else None
    return found


def _read(values: object) -> dict[str, Decimal | None]:
    import pandas as pd

    assert isinstance(values, pd.Series)
    frame = values.reset_index()
    return {
        str(a): (None if v != v else Decimal(repr(float(v))))
        for a, v in zip(frame["ACTIVITY"], frame["value"], strict=True)
    }


def test_sdmx1_reads_the_service(served: str, released: Released) -> None:
    """The dataflow listed; the DSD and every code list resolved; full-key, wildcard, `+` and
    time-filtered queries in SDMX-ML (through sdmx1's Client: generic, and structure-specific
    when given the DSD), SDMX-CSV 2.0 and SDMX-JSON (fetched, then read by sdmx1), each equal
    to the release's values."""
    import urllib.request

    import sdmx

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        sdmx.add_source(
            {"id": "MA1", "url": served, "name": "digex test", "supports": {"structure": True}},
            override=True,
        )
        client = sdmx.Client("MA1")
        assert FLOW in client.dataflow().dataflow
        structure = client.dataflow(FLOW, params={"references": "all"})
        flow = structure.dataflow[FLOW]
        assert [d.id for d in flow.structure.dimensions.components][:2] == ["FREQ", "REF_AREA"]
        described = client.datastructure(DSD, params={"references": "children"})
        dsd = described.structure[DSD]
        coded = [*dsd.dimensions.components, *dsd.attributes.components]
        lists = {c.id: c.local_representation.enumerated for c in coded}
        assert {c for c, cl in lists.items() if cl is None} == {"TIME_PERIOD", "DECIMALS"}
        for component, cl in lists.items():  # each resolved with its codes, none a stub
            if cl is not None:
                assert len(described.codelist[cl.id]) > 0, component
        assert len(described.codelist) == 11
        # preview_data and series_keys ask detail=serieskeysonly (once a 501)
        keys = {".".join(map(str, k.get_values())) for k in client.series_keys(FLOW)}
        assert TOTAL_KEY in keys
        for key, params in QUERIES:
            expected = _expected(released, key)
            via_client = sdmx.to_pandas(client.data(FLOW, key=key, params=params))
            available = {a: v for a, v in expected.items() if v is not None}
            assert _read(via_client) == expected, key  # a withheld value: there, with none
            # given the DSD, sdmx1 asks structure-specific data (and reads it with the DSD)
            specific = client.data(FLOW, key=_as_dict(key), params=params, dsd=dsd)
            assert "structurespecificdata" in specific.response.headers["content-type"]
            assert _read(sdmx.to_pandas(specific)) == expected, key
            query = "&".join(f"{k}={v}" for k, v in params.items())
            for accept, hint in ((CSV2, "csv"), (FORMATS["json"], "JSON")):
                request = urllib.request.Request(
                    f"{served}/data/{FLOW}/{key}?{query}", headers={"Accept": accept}
                )
                with urllib.request.urlopen(request, timeout=30) as answer:
                    body = answer.read()
                options = {"format": hint}
                if hint == "csv":
                    options["structure"] = flow  # type: ignore[assignment]
                read = _read(sdmx.to_pandas(sdmx.read_sdmx(io.BytesIO(body), **options)))
                assert {a: v for a, v in read.items() if v is not None} == available, (key, hint)


def _as_dict(key: str) -> dict[str, list[str]]:
    """A key as sdmx1 takes it as a dict (the dimensions a key restricts, with their codes)."""
    from digex.sdmx.ids import DIMENSIONS

    return {d: part.split("+") for d, part in zip(DIMENSIONS, key.split("."), strict=True) if part}


def _read_pysdmx(dataset: object) -> dict[str, Decimal | None]:
    """The values of a data set pysdmx read, by ACTIVITY (None: withheld)."""
    frame = dataset.data  # type: ignore[attr-defined]
    return {
        str(a): None if str(v) in ("", "NaN", "nan", "<NA>", "None") else Decimal(str(v))
        for a, v in zip(frame["ACTIVITY"], frame["OBS_VALUE"], strict=True)
    }


def test_pysdmx_reads_the_service(served: str, released: Released) -> None:
    """The dataflow listed, the DSD and every code list resolved (`RestService`); each query
    of QUERIES in SDMX-ML (structure-specific: through `RestService`, or `read_sdmx(url)` for
    a time filter, which pysdmx's SDMX-REST 1.5 queries cannot state) and SDMX-CSV 2.0
    (`read_sdmx(url)`) equal to the release's values. pysdmx reads no SDMX-JSON data; its
    reading of generic SDMX-ML and SDMX-CSV 1.0 is tests/sdmx/test_sdmx_data.py's."""
    from pysdmx.api.qb import (
        ApiVersion,
        DataQuery,
        RestService,
        StructureQuery,
        StructureReference,
        StructureType,
    )
    from pysdmx.io import read_sdmx
    from pysdmx.io.format import DataFormat, StructureFormat

    service = RestService(
        served,
        ApiVersion.V1_5_0,
        data_format=DataFormat.SDMX_ML_2_1_STR,
        structure_format=StructureFormat.SDMX_ML_2_1,
    )
    asked = StructureQuery(StructureType.DATAFLOW, "MA1", FLOW, references=StructureReference.ALL)
    # not validated again: tests/sdmx/test_sdmx_data.py holds the structures to the schemas
    structures = read_sdmx(service.structure(asked).decode(), validate=False)
    assert [f.id for f in structures.get_dataflows()] == [FLOW]
    (dsd,) = structures.get_data_structure_definitions()
    unlisted = {c.id for c in dsd.components if c.enumeration is None}
    assert unlisted == {"TIME_PERIOD", "OBS_VALUE", "DECIMALS"}
    assert all(len(c.enumeration) > 0 for c in dsd.components if c.enumeration is not None)
    for n, (key, params) in enumerate(QUERIES):
        expected = _expected(released, key)
        query = "".join(f"&{k}={v}" for k, v in params.items())
        first = n == 0  # validated against the schemas once (0.2 s a message)
        for fmt in ("structurespecificdata", "csv2") if first else ("csv2",):
            read = read_sdmx(f"{served}/data/{FLOW}/{key}?format={fmt}{query}", validate=first)
            (dataset,) = read.get_datasets()
            assert _read_pysdmx(dataset) == expected, (key, fmt)
        if not params:  # RestService writes `,` and `+` as %2C and %2B, with a trailing /
            body = service.data(DataQuery(agency_id="MA1", resource_id=FLOW, key=key))
            (dataset,) = read_sdmx(body.decode(), validate=False).get_datasets()
        else:  # pysdmx's SDMX-REST 1.5 queries have no time filter
            url = f"{served}/data/{FLOW}/{key}?format=structurespecificdata{query}"
            (dataset,) = read_sdmx(url, validate=False).get_datasets()
        assert _read_pysdmx(dataset) == expected, key


def test_the_readme_s_sdmx1_example_runs(served: str, released: Released) -> None:
    """The README's sdmx1 example, on this service and release (it once passed `release=` to
    `Client.data`, which sdmx1 refuses)."""
    import re

    import sdmx

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    part = readme[readme.index("**SDMX REST**") :]
    code = re.search(r"```python\n(.*?)```", part, re.DOTALL)
    assert code is not None
    text = code.group(1).replace("http://127.0.0.1:8000/sdmx/rest", served)
    text = text.replace('"2024.2"', repr(RID)).replace("A.MA.W1._T.C._T.LEVEL.MAD.N", TOTAL_KEY)
    sdmx.source.sources.pop("MA1", None)  # the example adds it as a new source
    names: dict[str, object] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        exec(compile(text, "README.md", "exec"), names)  # the README's code, as a user runs it
    for found in (names["latest"], names["past"]):
        assert _read(found) == {"_T": _total(released)}


def test_an_unexpected_error_under_sdmx_is_an_sdmx_error_message(released: Released) -> None:
    """A fault of the server itself (a route that raises) is still an SDMX-ML Error message
    under /sdmx/rest, not the JSON body of the other paths."""
    from fastapi.routing import APIRoute

    app = create_app(released.path, warm=False)

    async def broken() -> None:
        raise RuntimeError("a fault of the server")

    app.router.routes.insert(0, APIRoute(f"{BASE}/broken", broken))
    with TestClient(app, raise_server_exceptions=False) as faulty:
        answer = faulty.get(f"{BASE}/broken")
        elsewhere = faulty.get(
            f"{BASE}/data/{FLOW}/{TOTAL_KEY}", params={"endPeriod": "9999-12-31"}
        )
    assert answer.status_code == 500
    assert answer.content.startswith(b"<?xml")
    assert b'<mes:ErrorMessage code="500">' in answer.content
    assert b"a fault of the server" not in answer.content
    assert elsewhere.status_code == 200  # the date with no day after it (once a 500)
