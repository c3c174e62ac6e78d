"""The dashboard's data answers on the demo's three releases (the session's `demo_releases`):
the headline cards in English, French and Arabic against the release's exact figures rounded
by hand, filters that change what a chart draws, the SDMX link of every chart answering, what
changed since 2024.1, an upper bound on every answer's size, the leak canaries on every view
a filter offers, and the time an answer takes (printed, not asserted)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import duckdb
import pytest
from starlette.testclient import TestClient
from tests.conftest import DemoReleases
from tests.disclosure.test_leak import _distinctive, _significant, leaks
from tests.web.test_dashboard_data import _get, dashboard_app, numbers_in

from digex.web.dashboard.charts import CHARTS

MAX_BYTES = 48_000
"""An answer holds only what its view draws: about 25-31 KB on the demo."""
NBSP = "\u00a0"
EXACT = 6
"""Significant digits of a rendering the demo's leak search counts. The demo's releases
withhold some 400 values and publish thousands: a rounded rendering of four or five digits
(a withheld share 2.1126 as 2.113) meets a published figure (a level of 2.113 billion) by
chance, so the search keeps the renderings precise enough to be the value itself (the raw
values of the answers, the amounts to the unit); the tiny release's search
(test_dashboard_data) keeps every rendering from four digits."""


def _half_up(value: Decimal, places: str = "0.1") -> Decimal:
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


@pytest.fixture(scope="module")
def client(demo_releases: DemoReleases) -> Iterator[TestClient]:
    with TestClient(dashboard_app(demo_releases.store)) as c:
        yield c


def _card(body: dict[str, Any], card_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in body["cards"] if c["id"] == card_id)
    return found


def _chart(body: dict[str, Any], chart_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in body["charts"] if c["id"] == chart_id)
    return found


def test_the_2024_card_says_what_the_note_says_in_each_language(
    demo_releases: DemoReleases, client: TestClient
) -> None:
    r = demo_releases.open("2024")
    level = r.figure("LEVEL", "2024").value
    growth = r.figure("GROWTH_YOY", "2024").value
    assert level is not None
    assert growth is not None
    billions = _half_up(level.scaleb(-9))
    rate = _half_up(growth)
    assert (billions, rate) == (Decimal("26.2"), Decimal("0.2"))  # DESIGN.md's reference
    comma = str(billions).replace(".", ",")
    rate_comma = str(rate).replace(".", ",")
    expected = {
        "en": (f"MAD {billions} billion", f"+{rate}%", "on 2023", "ltr"),
        "fr": (f"{comma} milliards de dirhams", f"+{rate_comma}{NBSP}%", "par rapport à 2023",
               "ltr"),
        "ar": (f"{comma} مليار درهم", f"+{rate_comma} في المائة", "مقارنة مع 2023", "rtl"),
    }  # fmt: skip
    for lang, (value_text, change_text, change_label, direction) in expected.items():
        body = _get(client, release=r.release_id, lang=lang)
        card = _card(body, "annual")
        assert card["value_text"] == value_text, lang
        assert card["change_text"] == change_text, lang
        assert card["change_label"] == change_label, lang
        assert Decimal(repr(card["value"])) == level
        assert card["status_label"] == {"en": "Revised", "fr": "Révisée", "ar": "منقح"}[lang]
        assert body["dir"] == direction
        assert body["release"]["status"] == "revised"
    spec = _chart(_get(client, release=r.release_id, lang="ar"), "annual")["spec"]
    assert spec["layer"][0]["encoding"]["x"]["scale"] == {"reverse": True}


def test_the_half_year_card_of_the_default_release(
    demo_releases: DemoReleases, client: TestClient
) -> None:
    r = demo_releases.open("2025-H1")
    body = _get(client)
    assert body["query"]["release"] == r.release_id
    assert body["query"]["period"] == "2025-H1"
    # no year in a half-year release; the forecast of its year (test_dashboard_estimates)
    assert [c["id"] for c in body["cards"]] == ["half_year", "nowcast"]
    card = body["cards"][0]
    level = r.figure("LEVEL", "2025-H1").value
    growth = r.figure("GROWTH_YOY", "2025-H1").value
    assert level is not None
    assert growth is not None
    assert card["value_text"] == f"MAD {_half_up(level.scaleb(-9))} billion" == "MAD 13.4 billion"
    assert card["change_text"] == f"+{_half_up(growth)}%" == "+3.5%"
    assert card["change_label"] == "on H1 2024"


def test_targets_and_segments_of_2024(demo_releases: DemoReleases, client: TestClient) -> None:
    r = demo_releases.open("2024")
    body = _get(client, release=r.release_id)
    exports = _card(body, "target_exports")
    gap = r.figure("TARGET_GAP", "2024", "target", "EXPORTS_2030").value
    needed = r.figure("CAGR_NEEDED", "2024", "target", "EXPORTS_2030").value
    assert gap is not None
    assert needed is not None
    assert exports["lines"][1] == f"Gap to the 2030 target: MAD {_half_up(gap.scaleb(-9))} billion"
    assert exports["lines"][2] == f"Growth needed per year: {_half_up(needed)}%"
    jobs = _card(body, "target_jobs")
    assert jobs["value_text"] == "148,500 jobs"
    shares = {row[0]: row[1] for row in _chart(body, "segments")["table"]["rows"]}
    assert shares == {
        "IT outsourcing": "40.3", "Customer relationship management": "37.4",
        "Engineering services outsourcing": "13.2", "Business process outsourcing": "8.9",
        "Knowledge process outsourcing": "0.2",
    }  # fmt: skip


def test_filters_change_what_the_charts_draw(
    demo_releases: DemoReleases, client: TestClient
) -> None:
    r = demo_releases.open("2024")
    rid = r.release_id
    mad = _chart(_get(client, release=rid), "annual")["spec"]["data"]["values"]
    usd = _chart(_get(client, release=rid, unit="USD"), "annual")["spec"]["data"]["values"]
    for row in usd:
        value = r.figure("LEVEL_USD", row["period"]).value
        assert value is not None
        assert row["value"] == float(value.scaleb(-9))
    assert [x["value"] for x in usd] != [x["value"] for x in mad if x["series"] == "level"]
    assert all(x["series"] == "level" for x in usd)  # the target's path is in dirhams only
    half = _chart(_get(client, release=rid, period="2024-H1"), "segments")
    found = {x["code"]: Decimal(repr(x["value"])) for x in half["spec"]["data"]["values"]}
    assert found == {
        f.key.member: f.value for f in r.members("SHARE", "2024-H1", "segment") if f.available
    }
    france = _get(client, release=rid, area="FR")
    assert [c["id"] for c in france["charts"]] == ["annual", "partners"]
    top = _chart(france, "partners")["spec"]["data"]["values"][0]
    assert (top["code"], top["selected"]) == ("FR", True)
    assert next(f for f in france["filters"] if f["name"] == "segment")["options"] == [
        {"value": "_T", "label": "All segments"}
    ]
    r404 = client.get("/api/dashboard", params={"segment": "ITO", "area": "150"})
    assert r404.status_code == 404


def test_every_charts_sdmx_link_answers(client: TestClient, demo_releases: DemoReleases) -> None:
    rid = demo_releases.ids["2024"]
    for params in ({"release": rid}, {"release": rid, "segment": "ITO", "unit": "EUR"}):
        for chart in _get(client, **params)["charts"]:
            link = chart["sdmx"]
            assert link is not None
            r = client.get(link)
            assert r.status_code == 200, (link, r.text)
            lines = r.text.strip().splitlines()
            assert len(lines) > 1
            # the target's path and the estimates (seasonally adjusted) are no observations:
            # the SDMX API serves the observed figures only
            assert len(lines) - 1 >= len(chart["spec"]["data"]["values"]) - sum(
                1 for v in chart["spec"]["data"]["values"] if v.get("series") in ("path", "sa")
            )


def test_what_changed_since_the_preliminary_release(
    demo_releases: DemoReleases, client: TestClient
) -> None:
    before = demo_releases.open("2024-prelim")
    body = _get(client, release=demo_releases.ids["2024"])
    assert body["changes"]["previous"] == before.release_id
    assert body["changes"]["title"] == f"What changed since release {before.release_id}"
    level = before.figure("LEVEL", "2024").value
    assert level is not None
    first = body["changes"]["rows"][0]
    assert first["label"] == "Exports, 2024"
    assert first["before"] == f"MAD {_half_up(level.scaleb(-9))} billion"
    assert _get(client, release=before.release_id)["changes"]["previous"] is None


def _secrets(store: Any) -> set[float]:
    with duckdb.connect(str(store), read_only=True) as con:
        rows = con.execute(
            "SELECT value FROM release_observations WHERE conf_status <> 'F' AND value IS NOT "
            "NULL UNION SELECT value FROM release_cells WHERE conf_status <> 'F'"
        ).fetchall()
    return {float(v) for (v,) in rows if v is not None and _distinctive(float(v))}


def test_every_view_is_small_and_leaks_nothing(
    demo_releases: DemoReleases, client: TestClient
) -> None:
    secrets = _secrets(demo_releases.store)
    assert secrets
    texts = []
    for rid in (demo_releases.ids["2024"],):  # the tiny release's search covers every view
        views: list[dict[str, str]] = [{"release": rid, "lang": lang} for lang in ("fr", "ar")]
        for f in _get(client, release=rid)["filters"]:
            views += [{"release": rid, f["name"]: o["value"]} for o in f["options"]]
        for params in views:
            r = client.get("/api/dashboard", params=params)
            assert r.status_code == 200, (params, r.text)
            assert len(r.content) < MAX_BYTES, (params, len(r.content))
            texts.append(r.text)
    assert len(texts) > 60
    found = leaks(numbers_in("\n".join(texts)), secrets)
    assert not [f for f in found if _significant(f.split(" as ")[1]) >= EXACT]
    level = demo_releases.open("2024").figure("LEVEL", "2024").value
    assert level is not None  # a published figure: the same search finds it
    assert leaks(numbers_in("\n".join(texts)), {float(level)})


def test_numbers_in_keeps_what_leaks_finds() -> None:
    text = 'x "7 777 777,77" y 26.2 z ٧٧٧٧٧٧٧٫٧٧ 17777777.77'
    assert leaks(numbers_in(text), {7777777.77}) == leaks(text, {7777777.77})
    assert len(leaks(text, {7777777.77})) == 2


def test_answer_times(demo_releases: DemoReleases) -> None:
    """Cold (the snapshot read, then the first answer) and warm times, printed."""
    with TestClient(dashboard_app(demo_releases.store)) as fresh:
        rid = demo_releases.ids["2024"]
        start = time.perf_counter()
        fresh.app.state.catalogue.release(rid)  # type: ignore[attr-defined]
        read = time.perf_counter() - start
        timings = []
        for params in ({"release": rid}, {"release": rid, "lang": "fr"}, {"release": rid}):
            start = time.perf_counter()
            assert fresh.get("/api/dashboard", params=params).status_code == 200
            timings.append(time.perf_counter() - start)
    print(
        f"\ndashboard on {rid}: snapshot read {read:.3f} s, first answer {timings[0]:.3f} s, "
        f"another view {timings[1]:.3f} s, kept {timings[2]:.4f} s"
    )


def test_every_spec_compiles_with_its_locale(
    demo_releases: DemoReleases, client: TestClient
) -> None:
    """Vega-Lite 6 (vl-convert's, the version the page vendors) draws every chart of the 2024
    release in English and Arabic; the labels it draws are the answer's own texts."""
    import vl_convert

    for lang, charts in (("en", CHARTS), ("ar", ("annual", "partners"))):  # ar: mirrored
        body = _get(client, release=demo_releases.ids["2024"], lang=lang)
        for chart in (c for c in body["charts"] if c["id"] in charts):
            svg = vl_convert.vegalite_to_svg(
                chart["spec"],
                vl_version="6.4",
                format_locale=body["locale"]["number"],
                time_format_locale=body["locale"]["time"],
            )
            if chart["id"] not in ("annual", "segments", "partners"):
                continue  # lines carry their texts in tooltips only
            labelled = [r for r in chart["spec"]["data"]["values"] if r.get("series") != "path"]
            for row in labelled[:3]:
                assert f">{row['text']}<" in svg, (lang, chart["id"], row["text"])
