"""The dashboard's data answers on the tiny protected release of the leak tests (2024-03.1:
KPO, a one-firm cell holding the canary, and BPO suppressed), in this process: what a view
holds, the confidential mark, the downloads, the parameter checks, and the leak canaries on
every dashboard request (every view a filter offers, every chart's download, each language)."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient
from tests.disclosure.fixtures import ISSUE_AMOUNTS
from tests.disclosure.test_leak import PERIOD, RID, Released, leaks, released

from digex.web.app import create_app
from digex.web.catalogue import Catalogue
from digex.web.dashboard import download, models
from digex.web.dashboard.text import Writer

__all__ = ["released"]  # the fixture, imported for this module

EXPORTS = [a for a in ISSUE_AMOUNTS if a[3] == "X"]
NUMBER_RUN = r"[0-9\u0660-\u0669][0-9\u0660-\u0669.,\u066b\u066c\u00a0\u202f ]*"


def numbers_in(text: str) -> str:
    """The distinct runs of digits and separators of `text`, one a line: `leaks` finds in it
    exactly what it finds in `text` (a run starts and ends where a non-digit does), and
    searches a few kilobytes instead of megabytes."""
    runs = set(re.findall(NUMBER_RUN, text))
    return "\n".join(sorted(runs))


def dashboard_app(path: Any, **options: Any) -> FastAPI:
    """The web app (it serves the dashboard's data routes), without reading ahead."""
    return create_app(path, warm=False, **options)


@pytest.fixture(scope="module")
def client(released: Released) -> Iterator[TestClient]:
    with TestClient(dashboard_app(released.path)) as c:
        yield c


def _get(client: TestClient, **params: str) -> dict[str, Any]:
    r = client.get("/api/dashboard", params=params)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def _chart(body: dict[str, Any], chart_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in body["charts"] if c["id"] == chart_id)
    return found


def test_the_default_view_is_the_release_and_its_total(client: TestClient) -> None:
    body = _get(client)
    assert body["query"] == {
        "release": RID, "lang": "en", "period": PERIOD, "segment": "_T", "area": "_T",
        "flow": "X", "unit": "MAD",
    }  # fmt: skip
    assert body["dir"] == "ltr"
    assert body["release"]["id"] == RID
    assert body["release"]["status_label"] == "Preliminary"
    assert [r["selected"] for r in body["releases"]] == [True]
    (card,) = body["cards"]  # a month: the year to date (no year, no half-year, no target)
    total = sum((a[4] for a in EXPORTS), Decimal(0))
    assert Decimal(repr(card["value"])) == total
    assert card["id"] == "ytd"
    assert card["value_text"] == "MAD 0.1 billion"  # 0.0679... billion, half up
    assert card["confidential"] is False


def test_confidential_segments_are_the_mark_and_not_drawn(client: TestClient) -> None:
    chart = _chart(_get(client), "segments")
    rows = {r[0]: r[1:] for r in chart["table"]["rows"]}
    assert rows["Knowledge process outsourcing"] == ["C", "C"]
    assert rows["Business process outsourcing"] == ["C", "C"]
    ito = sum((a[4] for a in EXPORTS if a[1] == "ITO"), Decimal(0))
    total = sum((a[4] for a in EXPORTS), Decimal(0))
    share = (ito / total * 100).quantize(Decimal("0.1"))
    assert rows["IT outsourcing"] == [str(share), "0.049"]
    drawn = chart["spec"]["data"]["values"]
    assert [d["code"] for d in drawn] == ["ITO"]
    assert "Knowledge process outsourcing" in chart["description"]


def test_a_filter_changes_the_charts_data(client: TestClient) -> None:
    total = _chart(_get(client), "monthly")["spec"]["data"]["values"]
    ito = _chart(_get(client, segment="ITO"), "monthly")["spec"]["data"]["values"]
    assert total[0]["value"] == pytest.approx(0.06792777777)
    assert ito[0]["value"] == pytest.approx(0.0493)
    kpo = _chart(_get(client, segment="KPO"), "monthly")
    assert kpo["spec"]["data"]["values"] == []
    assert kpo["table"]["rows"] == [["March 2024", "C", "—"]]
    assert _get(client, segment="KPO")["cards"][0]["value_text"] == "C"
    assert _get(client, segment="KPO")["cards"][0]["value"] is None


def test_the_download_is_the_tables_rows(client: TestClient) -> None:
    body = _get(client, lang="fr")
    chart = _chart(body, "segments")
    r = client.get(chart["download"]["csv"])
    assert r.status_code == 200
    assert r.headers["content-disposition"] == f'attachment; filename="digex-{RID}-segments.csv"'
    assert r.content.startswith("\ufeff".encode())
    read = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert read == [chart["table"]["columns"], *chart["table"]["rows"]]
    x = client.get(chart["download"]["xlsx"])
    assert x.status_code == 200
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(x.content)).active
    assert sheet is not None
    cells = [[c or "" for c in row] for row in sheet.iter_rows(values_only=True)]
    assert cells == [chart["table"]["columns"], *chart["table"]["rows"]]


def test_answers_and_downloads_are_validated(client: TestClient) -> None:
    first = client.get("/api/dashboard", params={"lang": "fr"})
    again = client.get(
        "/api/dashboard", params={"lang": "fr"}, headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304
    link = _chart(first.json(), "segments")["download"]["xlsx"]
    file = client.get(link)
    assert file.headers["cache-control"] == "public, max-age=86400"  # a named release
    assert client.get(link, headers={"If-None-Match": file.headers["etag"]}).status_code == 304


def test_a_download_never_holds_a_formula() -> None:
    table = models.Table(
        columns=["Market", "Growth (%)"],
        rows=[["=HYPERLINK(\"http://x\")", "+0.2"], ["-2+3+cmd|' /C calc'!A0", "-8,1"],
              ["@SUM(A1)", "C"]],
    )  # fmt: skip
    read = list(csv.reader(io.StringIO(download.csv_bytes(table).decode("utf-8-sig"))))
    assert read[1:] == [
        ["'=HYPERLINK(\"http://x\")", "+0.2"], ["'-2+3+cmd|' /C calc'!A0", "-8,1"],
        ["'@SUM(A1)", "C"],
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("params", "status", "names"),
    [
        ({"colour": "red"}, 400, "colour"),
        ({"period": "2024-13"}, 400, "period"),
        ({"lang": "de"}, 400, "lang"),
        ({"flow": "Z"}, 400, "flow"),
        ({"area": "<b>"}, 400, "area"),
        ({"release": "1999.1"}, 404, "1999.1"),
        ({"period": "2023"}, 404, "period=2023"),
        ({"segment": "ESO"}, 404, "segment=ESO"),
        ({"unit": "USD"}, 404, "unit=USD"),
        ({"flow": "N"}, 404, "flow=N"),
        ({"area": "FR"}, 404, "area=FR"),
    ],
)
def test_bad_parameters_are_refused(
    client: TestClient, params: dict[str, str], status: int, names: str
) -> None:
    r = client.get("/api/dashboard", params=params)
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error", "detail"}
    assert names in body["detail"]


def test_a_download_of_an_unknown_chart_is_refused(client: TestClient) -> None:
    assert client.get("/api/dashboard/download", params={"chart": "map"}).status_code == 400
    r = client.get("/api/dashboard/download", params={"chart": "partners", "format": "csv"})
    assert r.status_code == 404  # a month has no partner rows in this release
    assert "chart=partners" in r.json()["detail"]


def _views(client: TestClient) -> list[dict[str, str]]:
    """Every view one filter of the default answer offers, in each language."""
    body = _get(client)
    views = [{"lang": lang} for lang in ("en", "fr", "ar")]
    for f in body["filters"]:
        views += [{f["name"]: o["value"], "lang": "en"} for o in f["options"]]
    return views


def _xlsx_text(body: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        return "\n".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))


def test_no_dashboard_request_shows_a_suppressed_value(
    client: TestClient, released: Released
) -> None:
    texts: dict[str, str] = {}
    for params in _views(client):
        r = client.get("/api/dashboard", params=params)
        assert r.status_code == 200, (params, r.text)
        texts[f"answer {params}"] = r.text
        for chart in r.json()["charts"]:
            csv_file = client.get(chart["download"]["csv"])
            xlsx_file = client.get(chart["download"]["xlsx"])
            assert csv_file.status_code == xlsx_file.status_code == 200
            texts[f"csv {chart['id']} {params}"] = csv_file.content.decode("utf-8-sig")
            texts[f"xlsx {chart['id']} {params}"] = _xlsx_text(xlsx_file.content)
    assert len(texts) > 20
    found = leaks(numbers_in("\n".join(texts.values())), released.secrets)
    if found:  # say which request
        named = {k: leaks(v, released.secrets) for k, v in texts.items()}
        raise AssertionError({k: v for k, v in named.items() if v})
    total = float(sum((a[4] for a in EXPORTS), Decimal(0)))  # published: the search finds it
    assert leaks(client.get("/api/dashboard").text, {total})


def test_arabic_indic_digits_when_the_profile_asks_for_them(released: Released) -> None:
    """A profile writing Arabic with Arabic-Indic digits (`digits = { ar = "arab" }`) gets
    them in every number and period of the Arabic answers."""
    figures = Catalogue(released.path).release(RID).figures
    arab = dataclasses.replace(figures.profile, digits={"ar": "arab"})
    figures.__dict__["profile"] = arab  # the profile frozen with the release, as if so set
    t = Writer(figures, "ar")
    assert t.money(Decimal("26221350000"), "MAD") == "٢٦٫٢ مليار درهم"
    assert t.growth(Decimal("0.1959")) == "+٠٫٢ في المائة"
    assert t.period("2024-03") == "مارس ٢٠٢٤"
    assert t.number(Decimal("-0.04"), 1, sign=True) == "٠٫٠"  # never "-0.0"
    assert Writer(figures, "fr").number(Decimal("1234.56"), 1) == "1\u202f234,6"
