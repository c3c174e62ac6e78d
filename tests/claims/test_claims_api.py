"""`POST /api/claims` in this process (Starlette's TestClient) on the tiny protected release of
the leak tests (2024-03.1: the total 67,927,777.77 MAD, KPO a one-firm cell holding the
canary): its answers and errors, that a confidential figure is never shown, that a POST is
never answered from the kept GET answers, and its OpenAPI description."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient
from tests.disclosure.test_leak import RID, Released, leaks, released

from digex.web.app import create_app
from digex.web.claims_api import MAX_BYTES

__all__ = ["released"]  # the fixture, imported for this module

TEXT = (
    "In March 2024 the sector exported 67.9 million dirhams. "
    "Knowledge process outsourcing exported 8 million dirhams in March 2024."
)


@pytest.fixture(scope="module")
def app(released: Released) -> FastAPI:
    return create_app(released.path, warm=False)  # the app serves POST /api/claims itself


@pytest.fixture(scope="module")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


def test_the_verdicts_as_json_and_no_confidential_value(
    client: TestClient, released: Released
) -> None:
    r = client.post("/api/claims", json={"text": TEXT, "release": RID, "lang": "en"})
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    body = r.json()
    assert body["counts"] == {"consistent": 1, "inconsistent": 0, "not_checkable": 1}
    total, kpo = body["claims"]
    assert (total["verdict"], total["official"], total["release"]) == (
        "consistent",
        "MAD 67.9 million",
        RID,
    )
    assert (kpo["verdict"], kpo["official"], kpo["subject"]) == (
        "not checkable",
        None,
        {"cut": "segment", "member": "KPO"},
    )
    assert leaks(r.text, released.secrets) == []


def test_a_post_is_never_answered_from_the_kept_answers(client: TestClient, app: FastAPI) -> None:
    """The middleware that answers a repeated GET from its kept bytes must let every POST
    through: two texts on the same path get two answers, and nothing is kept for them."""
    assert client.get("/api/releases").status_code == 200
    kept = len(app.state.answers)
    first = client.post(
        "/api/claims", json={"text": "In March 2024 exports were 67.9 million dirhams."}
    )
    second = client.post(
        "/api/claims", json={"text": "In March 2024 exports were 99 million dirhams."}
    )
    assert first.json()["claims"][0]["verdict"] == "consistent"
    assert second.json()["claims"][0]["verdict"] == "inconsistent"
    assert len(app.state.answers) == kept
    assert "etag" not in second.headers


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ({"text": "x" * MAX_BYTES}, 413, "65,536 bytes"),
        ({"text": "x", "unknown": 1}, 400, "body.unknown"),
        ({"text": ""}, 400, "body.text"),
        ({"text": "x", "lang": "de"}, 400, "body.lang"),
        ({"text": "x", "release": "1999.1"}, 404, "no such published release"),
    ],
    ids=["too-large", "unknown-field", "empty-text", "unknown-lang", "unknown-release"],
)
def test_errors_are_the_app_s_json_errors(
    client: TestClient, body: dict[str, object], status: int, says: str
) -> None:
    r = client.post("/api/claims", json=body)
    assert r.status_code == status, r.text
    assert says in r.json()["detail"]


def test_a_body_without_its_length_is_counted_as_it_comes(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"text": "'
        for _ in range(MAX_BYTES // 1024 + 1):
            yield b"y" * 1024
        yield b'"}'

    r = client.post("/api/claims", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert r.json()["error"] == "request entity too large"


def test_the_openapi_document_states_the_body_and_the_answer(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    post = doc["paths"]["/api/claims"]["post"]
    schema = post["requestBody"]["content"]["application/json"]["schema"]
    assert schema["required"] == ["text"]
    assert set(schema["properties"]) == {"text", "release", "lang"}
    assert set(post["responses"]) == {"200", "400", "404", "413"}
    answer = doc["components"]["schemas"]["ClaimsAnswer"]
    assert set(answer["properties"]) == {"lang", "release", "counts", "claims"}
    assert json.dumps(doc).count("ClaimVerdict") >= 2
