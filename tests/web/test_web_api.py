"""The JSON API in this process (Starlette's TestClient) on the tiny protected release of the
leak tests (2024-03.1: KPO, a one-firm cell holding the canary, and BPO suppressed): what it
answers, its validators and errors, the leak canaries on every endpoint, and a schemathesis
run against its OpenAPI document."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient
from tests.disclosure.fixtures import CANARY, ISSUE_AMOUNTS
from tests.disclosure.test_leak import PERIOD, RID, Released, leaks, released

from digex.web.app import create_app

__all__ = ["released"]  # the fixture, imported for this module

EXPORTS = [a for a in ISSUE_AMOUNTS if a[3] == "X"]


@pytest.fixture(scope="module")
def client(released: Released) -> Iterator[TestClient]:
    with TestClient(create_app(released.path)) as c:
        yield c


def _rows(client: TestClient, **params: str) -> list[dict[str, object]]:
    r = client.get("/api/indicators", params=params)
    assert r.status_code == 200, r.text
    rows: list[dict[str, object]] = r.json()["rows"]
    return rows


def test_releases_lists_the_published_release_as_default(client: TestClient) -> None:
    body = client.get("/api/releases").json()
    assert body["default"] == RID
    (only,) = body["releases"]
    assert only["release_id"] == RID
    assert only["period"] == PERIOD
    assert only["default"] is True
    assert only["status"] == "preliminary"
    assert only["vintage"] == 1
    assert len(only["content_hash"]) == 64


def test_indicator_values_are_the_declarations_sums(client: TestClient) -> None:
    """The exact sums of the fixture's exports (by hand, in Decimal) and ITO's share."""
    total = sum((a[4] for a in EXPORTS), Decimal(0))
    ito = sum((a[4] for a in EXPORTS if a[1] == "ITO"), Decimal(0))
    (row,) = _rows(client, indicator="LEVEL", cut="total", flow="X", period=PERIOD)
    assert Decimal(repr(row["value"])) == total == Decimal("67927777.77")
    assert row["unit"] == "MAD"
    assert row["unit_mult"] == 0
    assert row["conf_status"] == "F"
    (share,) = _rows(client, indicator="SHARE", cut="segment", member="ITO", period=PERIOD)
    assert abs(Fraction(repr(share["value"])) - Fraction(ito) / Fraction(total) * 100) < 1e-9


def test_confidential_cells_are_null_with_c(client: TestClient) -> None:
    rows = _rows(client, indicator="LEVEL", cut="segment", flow="X")
    by_member = {r["member"]: r for r in rows}
    assert by_member["KPO"]["value"] is None
    assert by_member["KPO"]["conf_status"] == "C"
    assert by_member["ITO"]["value"] == 49300000.0
    every = _rows(client)
    assert all(r["value"] is None for r in every if r["conf_status"] == "C")
    assert any(r["conf_status"] == "C" for r in every)


def test_lists_of_values_and_the_release_named(client: TestClient) -> None:
    rows = _rows(client, release=RID, indicator="LEVEL,SHARE", cut="segment", member="ITO,KPO")
    assert {(r["indicator"], r["member"]) for r in rows} >= {("LEVEL", "ITO"), ("SHARE", "KPO")}
    assert {r["indicator"] for r in rows} == {"LEVEL", "SHARE"}


def test_no_json_endpoint_shows_a_suppressed_value(client: TestClient, released: Released) -> None:
    texts = {
        "releases": client.get("/api/releases").text,
        "indicators": client.get("/api/indicators").text,
        "codelists": client.get("/api/codelists").text,
        "calendar": client.get("/api/calendar").text,
        "openapi": client.get("/openapi.json").text,
    }
    for cut in ("total", "segment", "partner"):
        texts[f"indicators {cut}"] = client.get("/api/indicators", params={"cut": cut}).text
    for member in ("KPO", "BPO", "ITO"):
        r = client.get(
            "/api/revisions",
            params={"indicator": "LEVEL", "period": PERIOD, "cut": "segment", "member": member},
        )
        assert r.status_code == 200, r.text
        texts[f"revisions {member}"] = r.text
    kpo = json.loads(texts["revisions KPO"])["rows"]
    assert [(r["value"], r["conf_status"]) for r in kpo] == [(None, "C")]
    found = {name: leaks(text, released.secrets) for name, text in texts.items()}
    assert not any(found.values()), found
    # the search can fail: the canary as JSON writes it is found
    assert leaks(json.dumps({"value": float(CANARY)}), released.secrets)


KEYS = ("indicator", "freq", "period", "cut", "member", "flow")


def test_a_filtered_answer_is_the_whole_answer_filtered(client: TestClient) -> None:
    """For any filters drawn from the values the release holds (one or several per key):
    the rows answered are exactly the unfiltered answer's rows that match, in its order."""
    every = client.get("/api/indicators").json()["rows"]
    held = {k: sorted({r[k] for r in every}) for k in KEYS}

    @given(
        chosen=st.fixed_dictionaries(
            {},
            optional={
                k: st.lists(st.sampled_from(held[k]), min_size=1, max_size=3, unique=True)
                for k in KEYS
            },
        )
    )
    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    def identity(chosen: dict[str, list[str]]) -> None:
        params = {k: ",".join(v) for k, v in chosen.items()}
        answered = client.get("/api/indicators", params=params).json()["rows"]
        expected = [r for r in every if all(r[k] in v for k, v in chosen.items())]
        assert answered == expected

    identity()


def test_a_repeated_query_with_its_etag_is_a_304(client: TestClient) -> None:
    params = {"indicator": "LEVEL", "cut": "segment"}
    first = client.get("/api/indicators", params=params)
    etag = first.headers["etag"]
    assert first.headers["cache-control"].startswith("public, max-age=")
    again = client.get("/api/indicators", params=params, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    other = client.get("/api/indicators", params=params, headers={"If-None-Match": 'W/"x"'})
    assert other.status_code == 200
    assert other.content == first.content
    named = client.get("/api/indicators", params={**params, "release": RID})
    assert named.headers["cache-control"] == "public, max-age=86400"
    assert client.get("/api/indicators", params={"cut": "total"}).headers["etag"] != etag


def test_large_answers_are_gzipped(client: TestClient) -> None:
    r = client.get("/api/codelists", headers={"Accept-Encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in r.headers["vary"]
    raw = client.get("/api/codelists", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in raw.headers
    assert len(gzip.compress(raw.content)) < len(raw.content) / 3
    assert raw.json()["codelists"]["segments"][0]["name"]["ar"]


def test_cors_for_get_only(client: TestClient) -> None:
    origin = {"Origin": "https://dashboard.example"}
    r = client.get("/api/releases", headers=origin)
    assert r.headers["access-control-allow-origin"] == "*"
    assert "etag" in r.headers["access-control-expose-headers"].lower()
    ok = client.options(
        "/api/indicators", headers={**origin, "Access-Control-Request-Method": "GET"}
    )
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-methods"] == "GET"
    refused = client.options(
        "/api/indicators", headers={**origin, "Access-Control-Request-Method": "DELETE"}
    )
    assert refused.status_code == 400
    assert "method" in refused.json()["detail"]


def test_an_answer_over_the_cap_is_a_413_saying_how_to_narrow(released: Released) -> None:
    with TestClient(create_app(released.path, max_rows=3)) as small:
        r = small.get("/api/indicators", params={"indicator": "LEVEL"})
        assert r.status_code == 413
        body = r.json()
        assert set(body) == {"error", "detail"}
        assert "at most 3" in body["detail"]
        assert "indicator=" in body["detail"]
        fits = small.get("/api/indicators", params={"indicator": "LEVEL", "cut": "total"})
        assert fits.status_code == 200
        assert fits.json()["max_rows"] == 3


@pytest.mark.parametrize(
    ("path", "params", "status", "says"),
    [
        ("/api/indicators", {"period": "2024-03' OR 1=1 --"}, 400, "period"),
        ("/api/indicators", {"indicator": "x" * 41}, 400, "indicator"),
        ("/api/indicators", {"peroid": "2024"}, 400, "peroid"),
        ("/api/indicators", {"release": "2099.1"}, 404, RID),
        ("/api/indicators", {"indicator": "NOPE"}, 404, "LEVEL"),
        ("/api/revisions", {"indicator": "LEVEL"}, 400, "period"),
        ("/api/revisions", {"indicator": "LEVEL", "period": "1999"}, 404, "LEVEL/X/total/_T/1999"),
        ("/api/codelists", {"release": "a;b"}, 400, "release"),
        ("/nowhere", {}, 404, "/api"),
    ],
)
def test_errors_are_json_with_a_detail(
    client: TestClient, path: str, params: dict[str, str], status: int, says: str
) -> None:
    r = client.get(path, params=params)
    assert r.status_code == status
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    assert set(body) == {"error", "detail"}
    assert says in body["detail"]
    assert "Traceback" not in r.text


def test_the_service_is_read_only(client: TestClient) -> None:
    r = client.post("/api/indicators", json={})
    assert r.status_code == 405
    assert "read-only" in r.json()["detail"]


@pytest.mark.parametrize(
    ("path", "status"),
    [("/sdmx/rest", 404), ("/sdmx/rest/categoryscheme", 501), ("/sdmx/rest/data/DF/A..?x=1", 400)],
)
def test_sdmx_paths_answer_sdmx_errors(client: TestClient, path: str, status: int) -> None:
    """Under /sdmx/rest an error is an SDMX-ML Error message (tests/web/test_sdmx_rest.py
    has the API itself), a POST too."""
    r = client.get(path)
    assert r.status_code == status
    assert r.text.startswith("<?xml")
    assert "<mes:ErrorMessage code=" in r.text
    posted = client.post(path)
    assert posted.status_code == 405
    assert posted.text.startswith("<?xml")


def test_the_openapi_document_states_400_not_422(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert set(document["paths"]) == {
        "/api/releases",
        "/api/indicators",
        "/api/revisions",
        "/api/codelists",
        "/api/calendar",
        "/api/dashboard",  # the dashboard's data (digex.web.dashboard.routes)
        "/api/dashboard/download",
        "/api/claims",  # POST: the claim checker (digex.web.claims_api)
    }
    for operation in (op for path in document["paths"].values() for op in path.values()):
        assert "400" in operation["responses"]
        assert "422" not in operation["responses"]


def test_the_api_keeps_to_its_openapi_document(released: Released) -> None:
    """Schemathesis draws requests of every operation from the OpenAPI document (a bounded
    number each): no server error, every answer as the document states it (status, media
    type, body schema, headers)."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(released.path))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 8
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
        def keeps_to_it(case: schemathesis.Case) -> None:
            case.call_and_validate()

        keeps_to_it()
