"""The estimates a release froze, on the dashboard (the demo's releases, `demo_releases`): the
seasonally adjusted level drawn beside the observed monthly series as rows of its own, equal
to the frozen LEVEL_SA, in a column of the table and of the download named in each language;
the forecast of the year of a release of part of a year as a card, its numbers the frozen
NOWCAST_LEVEL and 80 % bounds rounded by hand; no estimate in a view the release does not
estimate (imports, a foreign unit, a market) nor a forecast in an annual release."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd
import pytest
from starlette.testclient import TestClient
from tests.conftest import DemoReleases
from tests.web.test_dashboard_data import _get, dashboard_app

from digex.publish.figures import ReleaseFigures

SA_COLUMN = {
    "en": "Seasonally adjusted, an estimate (MAD billion)",
    "fr": "Corrigées des variations saisonnières, une estimation (milliards de MAD)",
    "ar": "القيم المصححة من التغيرات الموسمية، تقدير (مليار MAD)",
}
SA_NAME = {
    "en": "seasonally adjusted (estimate)",
    "fr": "valeurs corrigées des variations saisonnières (estimation)",
    "ar": "القيم المصححة من التغيرات الموسمية (تقدير)",
}


@pytest.fixture(scope="module")
def client(demo_releases: DemoReleases) -> Iterator[TestClient]:
    with TestClient(dashboard_app(demo_releases.store)) as c:
        yield c


def _chart(body: dict[str, Any], chart_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in body["charts"] if c["id"] == chart_id)
    return found


def _frozen(r: ReleaseFigures, indicator: str, member: str = "_T") -> dict[str, Decimal]:
    """period -> the frozen estimate's exact value, read from the snapshot's estimates."""
    e = r.estimates
    rows = e[(e["indicator"] == indicator) & (e["member"] == member) & (e["flow"] == "X")]
    return {
        str(p): Decimal(repr(float(v))) for p, v in zip(rows["period"], rows["value"], strict=True)
    }


def _bounds(r: ReleaseFigures, member: str) -> pd.Series:
    e = r.estimates
    row = e[(e["indicator"] == "NOWCAST_LEVEL") & (e["member"] == member) & (e["flow"] == "X")]
    assert len(row) == 1
    return row.iloc[0]


def _billions(value: Decimal, places: str, lang: str) -> str:
    """`value` in billions rounded half up to `places`, as the language writes a number."""
    text = str(value.scaleb(-9).quantize(Decimal(places), rounding=ROUND_HALF_UP))
    return text if lang == "en" else text.replace(".", ",")


def test_the_monthly_chart_draws_the_frozen_adjusted_level_beside_the_observed_one(
    demo_releases: DemoReleases, client: TestClient
) -> None:
    r = demo_releases.open("2025-H1")
    sa = _frozen(r, "LEVEL_SA")
    for lang in ("en", "fr", "ar"):
        chart = _chart(_get(client, release=r.release_id, lang=lang), "monthly")
        rows = chart["spec"]["data"]["values"]
        observed = [x for x in rows if x["series"] == "level"]
        adjusted = [x for x in rows if x["series"] == "sa"]
        assert len(observed) + len(adjusted) == len(rows)  # two series, nothing merged
        assert observed
        assert [x["period"] for x in adjusted] == [x["period"] for x in observed]
        for x in observed:
            level = r.figure("LEVEL", x["period"]).value
            assert level is not None
            assert x["value"] == float(level.scaleb(-9))
            assert "name" not in x
        for x in adjusted:
            assert x["value"] == float(sa[x["period"]].scaleb(-9)), x["period"]
            assert x["name"] == SA_NAME[lang]
        assert any(a["value"] != o["value"] for a, o in zip(adjusted, observed, strict=True))
        layers = chart["spec"]["layer"]
        assert [layer["encoding"]["strokeDash"]["datum"] for layer in layers][1] == SA_NAME[lang]
        assert layers[1]["encoding"]["strokeDash"]["scale"]["range"][1] == [6, 4]  # dashed
        table = chart["table"]
        assert table["columns"][-1] == SA_COLUMN[lang]
        assert len(table["rows"]) == len(observed)
        for line, x in zip(table["rows"], adjusted, strict=True):
            assert line[-1] == _billions(sa[x["period"]], "0.001", lang), (lang, x["period"])
            assert line[1] != line[-1] or sa[x["period"]] == r.figure("LEVEL", x["period"]).value
    en = _chart(_get(client, release=r.release_id), "monthly")
    last = en["spec"]["data"]["values"][-1]
    assert en["description"].endswith(
        " A dashed line shows the seasonally adjusted level, an estimate and not an observed "
        f"figure; {last['label']}: MAD {_billions(sa[last['period']], '0.1', 'en')} billion."
    )


def test_a_segments_chart_draws_its_own_adjusted_level(
    demo_releases: DemoReleases, client: TestClient
) -> None:
    r = demo_releases.open("2025-H1")
    sa = _frozen(r, "LEVEL_SA", "ITO")
    rows = _chart(_get(client, release=r.release_id, segment="ITO"), "monthly")["spec"]["data"]
    adjusted = [x for x in rows["values"] if x["series"] == "sa"]
    assert adjusted
    assert all(x["value"] == float(sa[x["period"]].scaleb(-9)) for x in adjusted)


def test_the_download_carries_the_adjusted_column(
    demo_releases: DemoReleases, client: TestClient
) -> None:
    rid = demo_releases.ids["2025-H1"]
    for lang in ("en", "ar"):
        table = _chart(_get(client, release=rid, lang=lang), "monthly")["table"]
        params = {"release": rid, "lang": lang, "chart": "monthly", "format": "csv"}
        r = client.get("/api/dashboard/download", params=params)
        assert r.status_code == 200
        found = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
        assert found == [table["columns"], *table["rows"]]
        assert found[0][-1] == SA_COLUMN[lang]


def test_the_forecast_card_states_the_frozen_nowcast(
    demo_releases: DemoReleases, client: TestClient
) -> None:
    r = demo_releases.open("2025-H1")
    for member, segment in (("_T", "_T"), ("ITO", "ITO")):
        row = _bounds(r, member)
        assert row["obs_status"] == "F"
        point, low, high = (Decimal(repr(float(row[c]))) for c in ("value", "lower_80", "upper_80"))
        assert low < point < high
        p, lo, hi = (
            {lang: _billions(v, "0.1", lang) for lang in ("en", "fr", "ar")}
            for v in (point, low, high)
        )
        expected = {
            "en": (f"MAD {p['en']} billion",
                   f"Between MAD {lo['en']} billion and MAD {hi['en']} billion four times in five",
                   "A forecast from the months up to June 2025, not an observed figure: the "
                   "year's observed figure will replace it"),
            "fr": (f"{p['fr']} milliards de dirhams",
                   f"Entre {lo['fr']} milliards de dirhams et {hi['fr']} milliards de dirhams "
                   "quatre fois sur cinq",
                   "Une prévision d'après les mois jusqu'à juin 2025, non un chiffre observé : le "
                   "chiffre observé de l'année la remplacera"),
            "ar": (f"{p['ar']} مليار درهم",
                   f"بين {lo['ar']} مليار درهم و {hi['ar']} مليار درهم في أربع حالات من خمس",
                   "توقع انطلاقا من الأشهر حتى يونيو 2025، وليس رقما ملاحظا: سيحل محله رقم السنة "
                   "الملاحظ"),
        }  # fmt: skip
        for lang, (value_text, interval, note) in expected.items():
            body = _get(client, release=r.release_id, lang=lang, segment=segment)
            card = next(c for c in body["cards"] if c["id"] == "nowcast")
            assert card["value_text"] == value_text, (member, lang)
            assert card["lines"] == [interval, note], (member, lang)
            assert Decimal(repr(card["value"])) == point
            assert (card["period"], card["status"], card["change_text"]) == ("2025", "F", None)
        title = next(c for c in _get(client, segment=segment)["cards"] if c["id"] == "nowcast")
        named = {"_T": "Exports", "ITO": "Exports: IT outsourcing"}[member]
        assert title["title"] == f"{named}, forecast of 2025"


def test_an_annual_release_and_an_earlier_year_have_no_forecast(
    demo_releases: DemoReleases, client: TestClient
) -> None:
    annual = _get(client, release=demo_releases.ids["2024"])
    assert "nowcast" not in [c["id"] for c in annual["cards"]]
    assert demo_releases.open("2024").estimates["indicator"].eq("LEVEL_SA").any()
    assert _chart(annual, "monthly")["table"]["columns"][-1] == SA_COLUMN["en"]
    earlier = client.get(
        "/api/dashboard", params={"release": demo_releases.ids["2025-H1"], "period": "2024-H1"}
    )
    assert earlier.status_code == 200
    assert "nowcast" not in [c["id"] for c in earlier.json()["cards"]]


@pytest.mark.parametrize(
    "params", [{"flow": "M"}, {"unit": "USD"}, {"unit": "EUR"}, {"area": "150"}]
)
def test_a_view_the_release_does_not_estimate_has_no_estimate(
    demo_releases: DemoReleases, client: TestClient, params: dict[str, str]
) -> None:
    body = _get(client, release=demo_releases.ids["2025-H1"], **params)
    assert "nowcast" not in [c["id"] for c in body["cards"]]
    for chart in body["charts"]:
        rows = chart["spec"]["data"]["values"]
        assert not [x for x in rows if x.get("series") == "sa"], chart["id"]
        assert SA_COLUMN["en"].split(" (")[0] not in " ".join(chart["table"]["columns"])
        assert "estimate" not in chart["description"]
