"""The dashboard's page (`/`), its embed page and its static files, in this process
(Starlette's TestClient) on the tiny protected release of the leak tests (2024-03.1: KPO, a
one-firm cell holding the canary, and BPO suppressed): the HTML is well formed and
accessible in its structure, every text escaped, the security headers present, lang and dir
per language, the links keep the view, confidential cells shown with the mark and no
suppressed value on any page. The browser tests (test_dashboard_browser.py) run the script."""

from __future__ import annotations

import gzip
import re
import tomllib
from collections.abc import Iterator
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from starlette.requests import Request
from starlette.testclient import TestClient
from tests.disclosure.test_leak import PERIOD, RID, Released, leaks, released

from digex.web.app import create_app
from digex.web.caching import Answers
from digex.web.dashboard import page

__all__ = ["released"]  # the fixture, imported for this module

VOID = {"meta", "link", "input", "br", "img", "hr", "source", "col", "area", "base", "wbr"}
LANGS = ("ar", "fr", "en")


@pytest.fixture(scope="module")
def client(released: Released) -> Iterator[TestClient]:
    with TestClient(create_app(released.path, warm=False)) as c:
        yield c


class Tree(HTMLParser):
    """The page's elements, checked as they are read: every element closed in order (void
    ones aside), attributes kept for the checks below."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.problems: list[str] = []
        self.text: list[str] = []
        self.scripts_with_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))
        if tag not in VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.open[-1:] or 'nothing'}")
            return
        self.open.pop()

    def handle_data(self, data: str) -> None:
        if self.open and self.open[-1] == "script" and data.strip():
            self.scripts_with_text.append(data)
        self.text.append(data)

    def all(self, tag: str) -> list[dict[str, str]]:
        return [attrs for t, attrs in self.elements if t == tag]


def parsed(html: str) -> Tree:
    tree = Tree()
    tree.feed(html)
    tree.close()
    assert not tree.problems, tree.problems[:5]
    assert not tree.open, f"left open: {tree.open}"
    return tree


def _page(client: TestClient, path: str = "/", **params: str) -> str:
    r = client.get(path, params=params)
    assert r.status_code == 200, r.text[:500]
    assert r.headers["content-type"].startswith("text/html")
    return r.text


@pytest.fixture(scope="module")
def pages(client: TestClient) -> dict[str, str]:
    return {lang: _page(client, lang=lang) for lang in LANGS}


def test_the_page_is_well_formed_and_structured(pages: dict[str, str]) -> None:
    for lang, html in pages.items():
        assert html.startswith("<!doctype html>")
        tree = parsed(html)
        (root,) = tree.all("html")
        assert root == {"lang": lang, "dir": "rtl" if lang == "ar" else "ltr"}
        ids = [attrs["id"] for _, attrs in tree.elements if "id" in attrs]
        assert len(ids) == len(set(ids)), "duplicate ids"
        for name in ("header", "nav", "main", "footer"):
            assert tree.all(name), name
        assert len(tree.all("h1")) == 1
        skip = tree.all("a")[0]  # the first link skips to the figures
        assert skip["href"] == "#main"
        assert "main" in ids
        # every control is labelled, every table captioned, every header cell scoped
        labelled = {attrs["for"] for attrs in tree.all("label")}
        for control in tree.all("select") + tree.all("textarea"):
            assert control["id"] in labelled, control
        assert len(tree.all("table")) == len(tree.all("caption")) > 0
        assert all(th.get("scope") in ("col", "row") for th in tree.all("th"))
        # each section is named by a heading
        for section in tree.all("section"):
            assert section["aria-labelledby"] in ids
        # the charts' containers stay left to right inside the Arabic page (Vega's axes)
        assert all(d.get("dir") == "ltr" for d in tree.all("div") if "plot" in d.get("class", ""))


def test_the_page_runs_no_inline_script_or_style(pages: dict[str, str]) -> None:
    for html in pages.values():
        tree = parsed(html)
        scripts = tree.all("script")
        assert scripts
        assert all(s["src"].startswith("/static/") for s in scripts)
        assert not tree.scripts_with_text
        assert not tree.all("style")
        for tag, attrs in tree.elements:
            assert not [a for a in attrs if a.startswith("on") or a == "style"], (tag, attrs)
            for name in ("href", "src", "action"):
                assert not attrs.get(name, "").lower().startswith("javascript:"), attrs
        # nothing is loaded from elsewhere: the page works with no internet
        for tag in ("script", "link"):
            for attrs in tree.all(tag):
                target = attrs.get("src") or attrs.get("href", "")
                assert target.startswith("/"), target


def test_the_security_headers(client: TestClient) -> None:
    r = client.get("/")
    policy = dict(
        ([*d.split(" ", 1), ""])[:2] for d in r.headers["content-security-policy"].split("; ")
    )
    assert policy["script-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'none'"
    assert policy["default-src"] == "'none'"
    assert policy["frame-ancestors"] == "'self'"
    assert "unsafe" not in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "same-origin"
    chart = client.get("/api/dashboard").json()["charts"][0]["id"]
    embed = client.get("/embed", params={"chart": chart})
    assert embed.status_code == 200
    assert "frame-ancestors *" in embed.headers["content-security-policy"]
    assert "unsafe" not in embed.headers["content-security-policy"]
    # the static files, the API and its errors carry them too
    for path in (page.static_url("dashboard.js"), "/api/dashboard", "/api/nothing"):
        other = client.get(path)
        assert other.headers["x-content-type-options"] == "nosniff", path
        assert "default-src 'none'" in other.headers["content-security-policy"], path


def test_lang_and_dir_follow_the_language(pages: dict[str, str]) -> None:
    words = tomllib.loads(
        (resources.files("digex") / "data/templates/dashboard/words.toml").read_text("utf-8")
    )
    keys = set(words["en"])
    for lang in LANGS:
        assert set(words[lang]) == keys, lang
        assert words[lang]["title"] in pages[lang]
    assert 'dir="rtl"' in pages["ar"].split(">", 2)[1]
    assert "Exports" in pages["en"]
    assert "Exportations" in pages["fr"]


def _links(html: str, css_class: str) -> dict[str, dict[str, list[str]]]:
    """The language switch's links: language -> the query they carry."""
    nav = html.split(f'class="{css_class}"', 1)[1].split("</nav>", 1)[0]
    found = {}
    for href, lang in re.findall(r'href="([^"]+)" lang="(\w\w)"', nav):
        found[lang] = parse_qs(urlsplit(href.replace("&amp;", "&")).query)
    return found


def test_language_links_keep_the_view(client: TestClient) -> None:
    view = {"release": RID, "period": PERIOD, "segment": "ITO", "unit": "MAD", "lang": "fr"}
    links = _links(_page(client, **view), "languages")
    assert set(links) == set(LANGS)
    for lang, query in links.items():
        assert query == {**{k: [v] for k, v in view.items()}, "lang": [lang]}
    # the filters are a GET form on the page: submitted, it asks for the same view
    html = _page(client, **view)
    form = html.split('class="view-form"', 1)[1].split("</form>", 1)[0]
    assert 'method="get"' in html.split('class="view-form"', 1)[0][-60:] + form[:40]
    assert f'<input type="hidden" name="release" value="{RID}">' in form
    assert '<input type="hidden" name="lang" value="fr">' in form
    assert re.search(r'<option value="ITO" selected>', form)


def test_the_page_shows_what_the_data_answer_holds(client: TestClient) -> None:
    for lang in LANGS:
        html = _page(client, lang=lang)
        answer = client.get("/api/dashboard", params={"lang": lang}).json()
        assert answer["cards"], "the tiny release has a headline card"
        for card in answer["cards"]:
            assert f'<p class="card-value">{card["value_text"]}</p>' in html
        for chart in answer["charts"]:
            assert f'id="chart-{chart["id"]}"' in html
            assert chart["download"]["csv"].replace("&", "&amp;") in html
            for row in chart["table"]["rows"]:
                assert f'<th scope="row">{row[0]}</th>' in html
        # the script's first request is the page's own view, already kept by the page
        api = re.search(r'data-api="([^"]+)"', html)
        assert api is not None
        assert api.group(1).replace("&amp;", "&") == f"/api/dashboard?lang={lang}"


def test_confidential_cells_are_the_mark_never_zero(client: TestClient) -> None:
    html = _page(client, segment="KPO")
    answer = client.get("/api/dashboard", params={"segment": "KPO"}).json()
    mark = answer["confidential_mark"]
    cards = [c for c in answer["cards"] if c["confidential"]]
    assert cards, "KPO's level is confidential in the tiny release"
    for card in cards:
        assert card["value"] is None
        assert f'<p class="card-value">{mark}</p>' in html
    values = re.findall(r'<p class="card-value">([^<]*)</p>', html)
    assert not [v for v in values if re.fullmatch(r"\D*0([.,]0+)?\D*", v)]


def test_no_page_shows_a_suppressed_value(client: TestClient, released: Released) -> None:
    """Every view a filter of the page offers, in each language, and each chart's embed page:
    no rendering of a suppressed value (the canary among them)."""
    first = client.get("/api/dashboard").json()
    views: list[dict[str, str]] = [{}]
    for f in first["filters"]:
        views += [{f["name"]: o["value"]} for o in f["options"]]
    seen = 0
    for lang in LANGS:
        for view in views:
            r = client.get("/", params={**view, "lang": lang})
            if r.status_code == 404:  # a value not held for that view: said, nothing shown
                continue
            assert r.status_code == 200, r.text[:300]
            assert leaks(r.text, released.secrets) == [], (lang, view)
            seen += 1
        for chart in first["charts"]:
            r = client.get("/embed", params={"chart": chart["id"], "lang": lang})
            assert r.status_code == 200
            assert leaks(r.text, released.secrets) == []
    assert seen >= 3 * 5


def test_every_text_is_escaped(client: TestClient, released: Released) -> None:
    """Texts of the answer that held markup come out as text: rendered through the real
    templates with hostile texts in every kind of place."""
    hostile = '<img src=x onerror="alert(1)">'
    data = client.get("/api/dashboard").json()
    data["release"]["status_label"] = hostile
    data["cards"][0]["title"] = hostile
    data["cards"][0]["lines"] = [hostile]
    data["charts"][0]["title"] = hostile + '"'
    data["charts"][0]["table"]["rows"][0][0] = "</textarea>" + hostile
    data["notes"] = [hostile]
    data["filters"][0]["options"][0]["label"] = hostile
    scope = {"type": "http", "headers": [], "server": ("testserver", 80), "scheme": "http"}
    context = page._context(Request({**scope, "path": "/", "query_string": b""}), {}, data)
    html = page.environment().get_template("page.html.j2").render(**context)
    assert "<img" not in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html
    assert "</textarea><" not in html
    parsed(html)  # still well formed
    # the embed code holds the title escaped once more (it is HTML to paste elsewhere)
    assert "title=&#34;&amp;lt;img" in html


def test_errors_are_pages_that_say_what_to_do(client: TestClient) -> None:
    r = client.get("/", params={"release": "<script>x</script>"})
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("text/html")
    assert "<script>x" not in r.text
    assert "&lt;script&gt;x" in r.text
    assert "unsafe" not in r.headers["content-security-policy"]
    r = client.get("/", params={"colour": "red"})
    assert r.status_code == 400
    assert "colour" in r.text
    r = client.get("/", params={"release": "1999.1", "lang": "fr"})
    assert r.status_code == 404
    assert 'lang="fr"' in r.text
    assert "1999.1" in r.text
    r = client.get("/embed", params={"chart": "pie"})
    assert r.status_code == 404
    assert "pie" in r.text
    parsed(r.text)


def test_the_embed_page_shows_one_chart(client: TestClient) -> None:
    answer = client.get("/api/dashboard", params={"lang": "ar"}).json()
    for chart in answer["charts"]:
        html = _page(client, "/embed", chart=chart["id"], lang="ar")
        tree = parsed(html)
        assert tree.all("html")[0]["dir"] == "rtl"
        shown = [s for s in tree.all("section") if "data-chart" in s]
        assert [s["data-chart"] for s in shown] == [chart["id"]]
    # the page's embed code points at it, with the view
    first = answer["charts"][0]["id"]
    html = _page(client, segment="ITO")
    code = re.search(rf'<textarea id="embed-{first}"[^>]*>([^<]*)</textarea>', html)
    assert code is not None
    src = re.search(r"src=&#34;([^&]+)&amp;amp;", code.group(1))
    assert src is not None
    assert src.group(1).startswith("http://testserver/embed?release=")
    assert "segment=ITO" in code.group(1)
    assert f"chart={first}" in code.group(1)


def test_static_files_are_named_by_content_and_cached(client: TestClient) -> None:
    url = page.static_url("dashboard.js")
    r = client.get(url)
    assert r.status_code == 200
    assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert r.headers["content-type"].startswith("text/javascript")
    assert r.headers["content-encoding"] == "gzip"
    source = Path(str(resources.files("digex") / "web/static/dashboard.js")).read_bytes()
    assert r.content == source  # httpx undid the gzip
    again = client.get(url, headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304
    plain = client.get("/static/dashboard.js", headers={"Accept-Encoding": "identity"})
    assert plain.headers["cache-control"] == "public, max-age=3600"
    assert "content-encoding" not in plain.headers
    assert plain.content == source
    raw = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert gzip.decompress(gzip.compress(raw.content)) == source
    font = client.get("/static/fonts/NotoSansArabic-Regular.ttf")
    assert font.status_code == 200
    assert font.headers["content-type"] == "font/ttf"
    for missing in ("/static/nothing.js", "/static/../app.py", "/static/vendor"):
        assert client.get(missing).status_code == 404, missing
    # every static file the page names exists, vendored Vega included
    html = _page(client)
    named = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert any("vega-interpreter" in n for n in named)
    for name in named:
        assert client.get(name.replace("&amp;", "&")).status_code == 200, name


def test_the_vendored_scripts_are_pinned_and_licensed() -> None:
    folder = Path(str(resources.files("digex") / "web/static/vendor"))
    readme = (folder / "README.md").read_text("utf-8")
    for name, version in (
        ("vega", "6.4.0"),
        ("vega-lite", "6.4.3"),
        ("vega-embed", "7.3.0"),
        ("vega-interpreter", "2.3.2"),
    ):
        assert f"{name} {version}" in readme
        assert (folder / f"LICENSE.{name}").is_file()
    interpreter = (folder / "vega-interpreter.js").read_text("utf-8")
    assert "vega.expressionInterpreter = expression;" in interpreter
    assert not re.search(r"^(import|export) ", interpreter, re.M)
    tests = Path(__file__).with_name("vendor")
    assert (tests / "axe.min.js").is_file()
    assert (tests / "LICENSE.axe-core").is_file()
    assert not list(folder.glob("axe*"))  # axe-core stays out of the page


def test_the_default_view_is_made_as_the_server_starts(released: Released) -> None:
    """The app builds the default view's answer once it has started (in the background), so
    that the first visitor of / and the script's request after it find it ready."""
    app = create_app(released.path)
    with TestClient(app):
        pass  # leaving waits for the background reader
    kept: Answers = app.state.answers
    assert len(kept) == 1
    made = page.kept_answer(app.state.catalogue, kept, {})
    assert len(kept) == 1  # found, not built again
    with TestClient(app) as c:
        first = c.get("/api/dashboard")
    assert first.status_code == 200
    assert len(kept) == 2  # and under the request's text: the route found it by its key
    assert first.headers["etag"] == made.etag
    assert first.content == made.body
