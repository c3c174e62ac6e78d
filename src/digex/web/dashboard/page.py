"""The dashboard's page (`/`), its one-chart page for news sites (`/embed`), its static files
(`/static/...`) and the security headers of every answer.

The page is rendered whole on the server from the same data answer the script reads
(`/api/dashboard`): cards, filters, tables, links and notes are there without script (the
filters are a GET form), and the script only draws the charts and redraws the page when a
choice changes. Every text goes through Jinja2's autoescaping; the page runs no inline script
and no `eval` (Vega's expressions go through vega-interpreter), so that its
Content-Security-Policy can allow scripts from this origin only.

Static files are the page's script and style, the vendored Vega libraries
(`scripts/vendor-js.sh`) and the package's Noto fonts. They are read once, answered from
memory, and named in the page with a hash of their content (`?v=...`): such a request is cached
for a year (`immutable`), since another content gets another name.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlencode

from fastapi import APIRouter, Request  # noqa: TID251 (the web layer)
from fastapi.concurrency import run_in_threadpool  # noqa: TID251
from fastapi.responses import HTMLResponse, Response  # noqa: TID251

from digex.errors import DigexError, NotHeld, UsageError
from digex.web.api import ONE, _only
from digex.web.caching import LONG, SHORT, Answers, Ready, matches

if TYPE_CHECKING:
    import jinja2
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from digex.web.catalogue import Catalogue


LANGUAGES: Final = ("ar", "fr", "en")
"""The page's languages, in the order of its language switch."""
VIEW: Final = ("release", "lang", "period", "segment", "area", "flow", "unit")
"""The parameters of a view, shared by the page, the embed page and the data answer."""
CHARTS: Final = ("annual", "monthly", "segments", "partners", "concentration")

_SOURCES: Final = "'self'"
_POLICY: Final = (
    "default-src 'none'; "
    f"script-src {_SOURCES}; "
    f"style-src {_SOURCES}; "
    f"img-src {_SOURCES}; "
    f"font-src {_SOURCES}; "
    f"connect-src {_SOURCES}; "
    f"form-action {_SOURCES}; "
    "base-uri 'none'; object-src 'none'; "
)
PAGE_POLICY: Final = _POLICY + "frame-ancestors 'self'"
"""The page's Content-Security-Policy: its scripts, style, fonts and data from this origin only;
no inline script or style, no eval, no plugin, no <base>; framed by this origin only."""
EMBED_POLICY: Final = _POLICY + "frame-ancestors *"
"""The embed page's: the same, but any site may frame it (that is what it is for)."""
OTHER_POLICY: Final = "default-src 'none'; base-uri 'none'; frame-ancestors 'none'"
"""Every other answer's (JSON, SDMX, static files): nothing in it may run or load."""
HEADERS: Final = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}
"""Headers on every answer of the app."""
IMMUTABLE: Final = "public, max-age=31536000, immutable"
STATIC_UNNAMED: Final = "public, max-age=3600"
"""Cache-Control of a static file asked without its content's hash (a font named by the CSS)."""
HTML_CACHE: Final = "no-cache"
"""The page changes when a release is published: the browser asks again (cheap, an ETag)."""

TYPES: Final = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".ttf": "font/ttf",
    ".md": "text/plain; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
}

router = APIRouter(include_in_schema=False)


# -- static files ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Static:
    body: bytes
    media_type: str
    digest: str

    @functools.cached_property
    def gzipped(self) -> bytes:
        """The body gzipped, once (the fonts and Vega are 0.2 to 0.6 MB each)."""
        return gzip.compress(self.body, 6)


def _static_root() -> Path:
    return Path(str(resources.files("digex") / "web" / "static"))


def _fonts_root() -> Path:
    return Path(str(resources.files("digex") / "data" / "fonts"))


def _media_type(path: Path) -> str:
    if path.name.startswith("LICENSE"):
        return TYPES[".txt"]
    return TYPES.get(path.suffix, "application/octet-stream")


@functools.cache
def statics() -> dict[str, Static]:
    """Every file the app serves under /static/, by its path there: read once."""
    found: dict[str, Path] = {}
    root = _static_root()
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            found[path.relative_to(root).as_posix()] = path
    for path in sorted(_fonts_root().iterdir()):
        if path.suffix in (".ttf", ".txt"):
            found[f"fonts/{path.name}"] = path
    served: dict[str, Static] = {}
    for name, path in found.items():
        body = path.read_bytes()
        served[name] = Static(body, _media_type(path), hashlib.sha256(body).hexdigest()[:16])
    return served


def static_url(name: str) -> str:
    """The URL of a static file, named by its content (cached for a year)."""
    return f"/static/{name}?v={statics()[name].digest}"


@router.get("/static/{name:path}")
async def static(request: Request, name: str) -> Response:
    found = statics().get(name)
    if found is None:
        return Response(
            b'{"error":"not found","detail":"no such static file"}',
            status_code=404,
            media_type="application/json",
        )
    named = request.query_params.get("v") == found.digest
    headers = {
        "ETag": f'"{found.digest}"',
        "Cache-Control": IMMUTABLE if named else STATIC_UNNAMED,
    }
    if matches(request.headers.get("if-none-match"), headers["ETag"]):
        return Response(status_code=304, headers=headers)
    headers["Vary"] = "Accept-Encoding"
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"  # the gzip middleware lets it pass as it is
        return Response(found.gzipped, media_type=found.media_type, headers=headers)
    return Response(found.body, media_type=found.media_type, headers=headers)


# -- words and templates ---------------------------------------------------------------------------
@functools.cache
def all_words() -> dict[str, dict[str, str]]:
    """The page's own words (data/templates/dashboard/words.toml), by language."""
    text = (resources.files("digex") / "data/templates/dashboard/words.toml").read_text("utf-8")
    loaded: dict[str, dict[str, str]] = tomllib.loads(text)
    return loaded


def words(lang: str) -> dict[str, str]:
    return all_words()[lang if lang in LANGUAGES else "en"]


SCRIPT_WORDS: Final = (
    "title", "table", "downloads", "csv", "xlsx", "png", "svg", "sdmx", "embed", "embed_code",
    "changes", "no_changes", "change_label", "change_before", "change_after", "change_change",
    "no_calendar", "loading", "failed", "published", "claims_checking", "claims_none",
    "claims_counts", "claims_sentence", "claims_claim", "claims_verdict", "claims_official",
    "claims_why", "claims_consistent", "claims_inconsistent", "claims_not_checkable",
)  # fmt: skip
"""The words the script needs when it rebuilds the page (it is given no others)."""


@functools.cache
def environment() -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("digex", "data/templates/dashboard"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,  # a misspelt name fails, never prints nothing
        trim_blocks=False,
    )


def _direction(lang: str) -> str:
    return "rtl" if lang == "ar" else "ltr"


# -- views -----------------------------------------------------------------------------------------
def given(request: Request, allowed: frozenset[str]) -> dict[str, str]:
    """The view's parameters as the request gives them (checked: known names, codes only)."""
    _only(request, set(allowed))
    found: dict[str, str] = {}
    for name in (*VIEW, "chart"):
        value = request.query_params.get(name)
        if value is None:
            continue
        if not re.fullmatch(ONE.strip("^$"), value):
            raise UsageError(
                f"{name}={value[:40]!r}: not a code (letters, digits, _ . - only, 1 to 40)"
            ).naming(**{name: value[:40]})
        found[name] = value
    return found


def _link(path: str, params: Mapping[str, str]) -> str:
    ordered = [(k, params[k]) for k in (*VIEW, "chart") if params.get(k)]
    return path + ("?" + urlencode(ordered) if ordered else "")


def embed_code(origin: str, chart: Mapping[str, Any], query: Mapping[str, str]) -> str:
    """The HTML a news site pastes to show one chart (the script writes the same)."""
    src = origin + _link("/embed", {**query, "chart": str(chart["id"])})
    return (
        f'<iframe src="{escape(src)}" title="{escape(str(chart["title"]))}" width="100%" '
        'height="480" style="border:0" loading="lazy"></iframe>'
    )


def kept_answer(catalogue: Catalogue, kept: Answers, params: Mapping[str, str]) -> Ready:
    """The data answer of a view as `/api/dashboard` sends it: taken from the answers kept
    ready, or built and kept there under the key that route uses, so that the script's
    request right after the page costs a lookup."""
    from digex.web.dashboard.answer import dashboard
    from digex.web.dashboard.routes import PARAMETERS
    from digex.web.dashboard.view import resolve

    values = {name: params.get(name) for name in PARAMETERS}
    full = (("dashboard", tuple(values.items())), catalogue.state())
    ready = kept.get(full)
    if ready is None:
        model = dashboard(catalogue, resolve(catalogue, **values))
        body = model.model_dump_json().encode()
        ready = kept.put(full, body, LONG if values["release"] else SHORT)
    return ready


def prepare(catalogue: Catalogue, kept: Answers) -> None:
    """Build the default view's answer ahead (the app does it once it has started): the
    first visitor of `/` then waits for neither the imports nor the release's indexes."""
    kept_answer(catalogue, kept, {})


def _data(request: Request, params: Mapping[str, str]) -> dict[str, Any]:
    ready = kept_answer(request.app.state.catalogue, request.app.state.answers, params)
    found: dict[str, Any] = json.loads(ready.body)
    return found


def _context(request: Request, params: Mapping[str, str], data: dict[str, Any]) -> dict[str, Any]:
    lang = str(data["lang"])
    view = {k: v for k, v in params.items() if k in VIEW}
    origin = str(request.base_url).rstrip("/")
    return {
        "lang": lang,
        "dir": _direction(lang),
        "w": words(lang),
        "d": data,
        "static": static_url,
        "script_words": {k: words(lang)[k] for k in SCRIPT_WORDS},
        "api_url": _link("/api/dashboard", view),
        "languages": [
            {
                "lang": code,
                "name": words(code)["language"],
                "href": _link("/", {**view, "lang": code}),
                "current": code == lang,
            }
            for code in LANGUAGES
        ],
        "embeds": {c["id"]: embed_code(origin, c, data["query"]) for c in data["charts"]},
        "changes_table": {
            "columns": [
                words(lang)[k]
                for k in ("change_label", "change_before", "change_after", "change_change")
            ],
            "rows": [
                [r["label"], r["before"], r["after"], r["change"]] for r in data["changes"]["rows"]
            ],
        },
    }


def _html(text: str, policy: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        text,
        status_code=status,
        headers={"Content-Security-Policy": policy, "Cache-Control": HTML_CACHE},
    )


def _failed(error: DigexError, lang: str) -> HTMLResponse:
    status = error.status if error.status in (400, 404, 503) else 400
    text = (
        environment()
        .get_template("error.html.j2")
        .render(
            lang=lang if lang in LANGUAGES else "en",
            dir=_direction(lang),
            w=words(lang),
            static=static_url,
            detail=str(error),
            back=_link("/", {"lang": lang} if lang in LANGUAGES else {}),
        )
    )
    return _html(text, PAGE_POLICY, status)


@router.get("/", response_class=HTMLResponse)
async def page(request: Request) -> Response:
    """The dashboard of one view (the latest release's, in English, by default)."""
    lang = request.query_params.get("lang", "en")
    try:
        params = given(request, frozenset(VIEW))
        data = await run_in_threadpool(_data, request, params)
    except DigexError as error:
        return _failed(error, lang)
    context = _context(request, params, data)
    text = environment().get_template("page.html.j2").render(**context)
    return _html(text, PAGE_POLICY)


@router.get("/embed", response_class=HTMLResponse)
async def embed(request: Request) -> Response:
    """One chart of a view, to be framed by another site (`chart`: annual, monthly...)."""
    lang = request.query_params.get("lang", "en")
    try:
        params = given(request, frozenset((*VIEW, "chart")))
        chart = params.pop("chart", "annual")
        data = await run_in_threadpool(_data, request, params)
        shown = [c for c in data["charts"] if c["id"] == chart]
        if not shown:
            held = ", ".join(c["id"] for c in data["charts"])
            raise NotHeld(f"chart={chart}: this view has no such chart (it has {held})").naming(
                chart=chart
            )
    except DigexError as error:
        return _failed(error, lang)
    context = _context(request, params, data)
    context["c"] = shown[0]
    context["full_url"] = _link("/", {k: v for k, v in params.items() if k in VIEW})
    text = environment().get_template("embed.html.j2").render(**context)
    return _html(text, EMBED_POLICY)


# -- headers ---------------------------------------------------------------------------------------
class SecurityHeaders:
    """ASGI middleware adding `HEADERS` to every answer, and `OTHER_POLICY` to those that set
    no Content-Security-Policy of their own (all but the pages)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                for name, value in HEADERS.items():
                    if name.encode() not in names:
                        headers.append((name.encode(), value.encode()))
                if b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", OTHER_POLICY.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, sending)
