"""The dashboard in headless Chromium (Debian's, driven by Playwright's sync API; never a
browser downloaded by Playwright) against the app serving the demo's releases on a loopback
port (uvicorn in a thread): the headline card in three languages, a filter that redraws the
charts and keeps the view in the URL, the downloads, no console error and no
Content-Security-Policy violation, axe-core's accessibility check, the phone's width, and the
time from navigation to the charts drawn. One browser and one server for the module.

Skips when Chromium is missing, except in CI ($CI set), where it fails. Screenshots of each
language go to $DIGEX_TEST_ARTEFACTS when it is set.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

pytestmark = pytest.mark.browser

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE = Path(__file__).with_name("vendor") / "axe.min.js"
HANG: float = 20.0
"""Seconds after which a page that has not drawn its charts is a failure (a hang guard: the
time itself is printed, and is well under a second on loopback with nothing else running)."""
WATCH = """
window.__problems = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__problems.push('CSP ' + e.violatedDirective + ' ' + e.blockedURI);
});
"""


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _chromium() -> str:
    found = shutil.which("chromium")
    if found is None:
        reason = "Debian's chromium is missing: run scripts/system-deps.sh as root"
        if _in_ci():
            pytest.fail(f"the browser tests must run in CI: {reason}", pytrace=False)
        pytest.skip(reason)
    return found


@pytest.fixture(scope="module", autouse=True)
def chromium() -> str:
    """Debian's Chromium, looked for before anything is built (autouse fixtures come first):
    a machine without it skips the module at once, rather than after making the releases."""
    return _chromium()


@pytest.fixture(scope="module")
def server(demo_releases: Any) -> Iterator[str]:
    """The app on a free loopback port, in a thread of this process."""
    import uvicorn

    from digex.web.app import create_app

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(demo_releases.store), log_level="warning", lifespan="on")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not running.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(30)
    sock.close()


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=chromium, args=ARGS)
        yield launched
        launched.close()


class Watched:
    """A page and what went wrong in it: console errors, uncaught exceptions, CSP
    violations (reported by the page's own securitypolicyviolation events)."""

    def __init__(self, browser: Any, width: int = 1280) -> None:
        self.context = browser.new_context(
            viewport={"width": width, "height": 900}, accept_downloads=True
        )
        self.context.add_init_script(WATCH)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on(
            "console",
            lambda m: self.errors.append(f"console: {m.text}") if m.type == "error" else None,
        )
        self.page.on("pageerror", lambda e: self.errors.append(f"exception: {e}"))

    def open(self, url: str) -> float:
        """Go to `url`; the milliseconds from navigation start to the charts drawn."""
        self.page.goto(url)
        self.page.wait_for_selector("body[data-drawn]", timeout=HANG * 1000)
        return float(self.page.evaluate("Number(document.body.dataset.drawn)"))

    def problems(self) -> list[str]:
        found: list[str] = self.page.evaluate("window.__problems")
        return self.errors + found

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def watched(browser: Any) -> Iterator[Watched]:
    w = Watched(browser)
    yield w
    w.close()


def _artefact(page: Any, name: str) -> None:
    if os.environ.get("DIGEX_TEST_ARTEFACTS"):
        folder = Path(os.environ["DIGEX_TEST_ARTEFACTS"])
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / name), full_page=True)


def _card(page: Any, card: str) -> tuple[str, str]:
    node = page.locator(f'[data-card="{card}"]')
    return node.locator(".card-value").inner_text(), node.locator(".change-text").inner_text()


def _axe(page: Any) -> list[str]:
    """axe-core run in the page (WCAG 2 A and AA rules): its serious and critical findings."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    found: list[dict[str, Any]] = page.evaluate(
        """async () => (await axe.run(document, {runOnly: {type: 'tag',
             values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})).violations"""
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


def test_the_headline_in_three_languages(
    server: str, browser: Any, watched: Watched, demo_releases: Any
) -> None:
    """26.2 and +0.2 % for 2024 in English; the same numbers in French and Arabic after
    following the language switch; the Arabic page right to left; no console error and no
    CSP violation; axe-core finds nothing serious; the time to the charts printed."""
    page = watched.page
    release = demo_releases.ids["2024"]
    url = f"{server}/?release={release}"
    first = watched.open(url)  # the server reads the release and builds the view's answer
    again = Watched(browser)  # a browser with nothing cached, the server's answers kept
    try:
        drawn = again.open(url)
        assert again.problems() == []
    finally:
        again.close()
    print(
        f"\ndashboard (en, 2024): navigation start -> charts drawn in {drawn:.0f} ms "
        f"({first:.0f} ms for the release's first view, read and built by the server)"
    )
    assert drawn < HANG * 1000
    assert page.locator("html").get_attribute("lang") == "en"
    value, change = _card(page, "annual")
    assert value == "MAD 26.2 billion"
    assert change == "+0.2%"
    assert page.locator(".plot svg").count() == len(page.locator(".chart").all()) >= 4
    assert _axe(page) == []
    _artefact(page, "dashboard.en.png")

    page.click('.languages a[data-lang="fr"]')
    page.wait_for_selector("html[lang=fr] body[data-drawn]")
    value, change = _card(page, "annual")
    assert value.startswith("26,2\u00a0") or value.startswith("26,2 "), value
    assert "milliards" in value
    assert re.fullmatch(r"\+0,2\s?%", change), change
    assert parse_qs(urlsplit(page.url).query)["release"] == [release]
    assert _axe(page) == []
    _artefact(page, "dashboard.fr.png")

    page.click('.languages a[data-lang="ar"]')
    page.wait_for_selector("html[lang=ar] body[data-drawn]")
    assert page.locator("html").get_attribute("dir") == "rtl"
    value, change = _card(page, "annual")
    assert "26,2" in value  # ar_MA: Latin digits, a decimal comma
    assert "0,2" in change
    assert "+" in change
    assert page.locator(".plot").first.get_attribute("dir") == "ltr"
    assert _axe(page) == []
    _artefact(page, "dashboard.ar.png")
    assert watched.problems() == []


def test_a_filter_redraws_the_charts_and_keeps_the_view_in_the_url(
    server: str, watched: Watched, demo_releases: Any
) -> None:
    page = watched.page
    release = demo_releases.ids["2024"]
    watched.open(f"{server}/?release={release}")
    before_table = page.locator("#chart-annual table").text_content()
    before_plot = page.locator("#chart-annual .plot svg").inner_html()
    before_card = _card(page, "annual")[0]
    page.select_option("#f-segment", "ITO")
    page.wait_for_selector("body[data-shown=view]")  # (no wait_for_function: CSP, no eval)
    query = parse_qs(urlsplit(page.url).query)
    assert query["segment"] == ["ITO"]
    assert query["release"] == [release]
    assert page.locator("#chart-annual table").text_content() != before_table
    assert page.locator("#chart-annual .plot svg").inner_html() != before_plot
    assert _card(page, "annual")[0] != before_card
    # a tooltip under the CSP: vega-tooltip's own <style> is off, the page's CSS styles it
    page.hover("#chart-annual .mark-rect path")
    page.wait_for_selector("#vg-tooltip-element.visible")
    # the language links now carry the new view
    href = page.locator('.languages a[data-lang="fr"]').get_attribute("href") or ""
    assert parse_qs(urlsplit(href).query)["segment"] == ["ITO"]
    # the download is exactly the table of the chart in that view
    rows = [
        [cell.text_content() for cell in row.locator("th, td").all()]
        for row in page.locator("#chart-annual table tr").all()
    ]
    link = page.locator("#chart-annual a", has_text="CSV").get_attribute("href") or ""
    assert "segment=ITO" in link
    answer = page.request.get(server + link)
    assert answer.ok
    text = answer.body().decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text))) == rows
    # the chart as an image, made in the page
    with page.expect_download() as made:
        page.locator("#chart-annual button[data-image=svg]").click()
    svg = Path(made.value.path()).read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<svg")
    with page.expect_download() as made:
        page.locator("#chart-annual button[data-image=png]").click()
    assert Path(made.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert made.value.suggested_filename == f"digex-{release}-annual.png"
    # another release: its own view (the filters start again from its defaults)
    later = demo_releases.ids["2025-H1"]
    page.select_option("#f-release", later)
    page.wait_for_selector("body[data-shown=release]")
    query = parse_qs(urlsplit(page.url).query)
    assert query["release"] == [later]
    assert query["period"] == ["2025-H1"]
    assert query["segment"] == ["_T"]
    assert _card(page, "half_year") == ("MAD 13.4 billion", "+3.5%")
    assert page.locator("#f-period").input_value() == "2025-H1"
    assert watched.problems() == []


def test_the_phone_layout_and_the_embed_page(server: str, browser: Any, demo_releases: Any) -> None:
    release = demo_releases.ids["2025-H1"]
    phone = Watched(browser, width=375)
    try:
        for lang in ("en", "ar"):
            phone.open(f"{server}/?release={release}&lang={lang}")
            wide = phone.page.evaluate("document.documentElement.scrollWidth")
            assert wide <= 375, f"{lang}: the page is {wide} px wide at 375 px"
            _artefact(phone.page, f"dashboard.{lang}.375px.png")
        value, change = _card(phone.page, "half_year")
        assert "13,4" in value
        assert "3,5" in change
        # focus is visible: the first tab stop is the skip link, outlined
        phone.page.keyboard.press("Tab")
        outline = phone.page.evaluate(
            "getComputedStyle(document.activeElement).outlineStyle + ' ' + "
            "document.activeElement.getAttribute('href')"
        )
        assert outline == "solid #main"
        # the embed page, at a phone's width too
        phone.open(f"{server}/embed?release={release}&chart=segments&lang=fr")
        assert phone.page.locator(".chart").count() == 1
        assert phone.page.locator("#chart-segments .plot svg").count() == 1
        assert phone.problems() == []
    finally:
        phone.close()


def test_without_script_the_page_still_holds_the_figures(
    server: str, browser: Any, demo_releases: Any
) -> None:
    """With JavaScript off: the cards, the tables and a filter form that asks the server."""
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{server}/?release={demo_releases.ids['2024']}")
        assert _card(page, "annual") == ("MAD 26.2 billion", "+0.2%")
        assert page.locator("#chart-segments table tbody tr").count() == 5
        page.select_option("#f-segment", "ITO")
        page.locator(".view-form button[type=submit]").click()
        page.wait_for_url(re.compile(r".*segment=ITO.*"))
        assert page.locator("#f-segment").input_value() == "ITO"
        assert _card(page, "annual")[0] != "MAD 26.2 billion"
    finally:
        context.close()


def test_a_journalist_checks_a_pasted_paragraph(watched: Watched, server: str) -> None:
    """The claim checker's box (issue 21): a paragraph with a dollar sign on dirhams and a
    correct growth, checked through POST /api/claims, the verdicts drawn as a table."""
    watched.open(f"{server}/?lang=en")
    text = (
        "Exports of the sector reached $26.2 billion in 2024. "
        "They grew by 0.2% on 2023, to 26.2 billion dirhams."
    )
    watched.page.fill("#claims-text", text)
    watched.page.click(".claims-form button[type=submit]")
    watched.page.wait_for_selector("body[data-claims]", timeout=HANG * 1000)
    rows = watched.page.locator(".claims-table tbody tr")
    verdicts = [rows.nth(i).locator("td").nth(2).inner_text() for i in range(rows.count())]
    table = watched.page.locator(".claims-table").inner_text()
    assert "inconsistent" in verdicts, table
    assert "consistent" in verdicts, table
    bad = watched.page.locator(".claims-table tr.claim-inconsistent").first.inner_text()
    assert "$26.2" in bad
    _artefact(watched.page, "dashboard-claims-en.png")
    assert watched.problems() == []
