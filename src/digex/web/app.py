"""The web service: one FastAPI app serving the JSON API, the SDMX REST API and the dashboard
(its page at `/`, `digex.web.dashboard`) from release snapshots, never from the live store
(`digex.web.catalogue`).

Around the routes: gzip for answers over 500 bytes, CORS for GET from any origin (the figures
are public; no credentials), and errors always as a JSON body `{"error", "detail"}` with the
status (400 malformed or unknown parameter, 404 nothing such, 405, 413 too large), never an HTML
page or a traceback; under `/sdmx/rest` as an SDMX-ML Error message. The interactive docs pages
are off (they load scripts from a CDN); the OpenAPI document is at `/openapi.json`. Every
answer carries nosniff, a Referrer-Policy and a Content-Security-Policy (the pages' allows
their own scripts only; every other answer's, nothing): `digex.web.dashboard.page`.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from http import HTTPStatus
from pathlib import Path
from typing import Any, Final

from fastapi import FastAPI, Request  # noqa: TID251 (the web layer)
from fastapi.concurrency import run_in_threadpool  # noqa: TID251
from fastapi.exceptions import RequestValidationError  # noqa: TID251
from fastapi.middleware.cors import CORSMiddleware  # noqa: TID251
from fastapi.middleware.gzip import GZipMiddleware  # noqa: TID251
from fastapi.responses import JSONResponse, Response  # noqa: TID251
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException

from digex.errors import DigexError, UsageError
from digex.web import reserved, sdmx_rest
from digex.web.answers import MAX_ROWS
from digex.web.caching import Answers, KeptAnswers
from digex.web.catalogue import Catalogue

log = logging.getLogger("digex.web")
ANSWERED: Final = frozenset({400, 404, 405, 406, 409, 413, 503})
"""The statuses an error of digex keeps; any other is a 400 (a usage error) or a 503."""
GZIP_FROM: Final = 500
"""Answers of this many bytes or more are gzipped when the client accepts it."""


class _Cors(CORSMiddleware):
    """CORS for GET from any origin, whose refusals of a preflight request are JSON errors
    like every other (Starlette's are plain text)."""

    def preflight_response(self, request_headers: Headers) -> Response:
        answer = super().preflight_response(request_headers)
        if answer.status_code == 400:
            refused = bytes(answer.body).decode().removeprefix("Disallowed CORS ")
            return JSONResponse(
                {
                    "error": "bad request",
                    "detail": f"cross-origin request refused ({refused}): the service answers "
                    "GET from any origin, with no headers but If-None-Match",
                },
                status_code=400,
                headers={
                    k: v for k, v in answer.headers.items() if k.lower().startswith("access-")
                },
            )
        return answer


def _error(status: int, detail: str, path: str) -> Response:
    phrase = HTTPStatus(status).phrase.lower()
    if path == reserved.PREFIX or path.startswith(reserved.PREFIX + "/"):
        return Response(
            reserved.error_xml(status, detail),
            status_code=status,
            media_type=reserved.ERROR_TYPE,
        )
    return JSONResponse({"error": phrase, "detail": detail}, status_code=status)


def _validation_detail(error: RequestValidationError) -> str:
    parts = []
    for item in error.errors()[:5]:
        where = ".".join(str(p) for p in item.get("loc", ()) if p != "query")
        parts.append(f"{where}: {item.get('msg', 'invalid')}")
    return "; ".join(parts) + " (see /openapi.json for each parameter's form)"


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        detail = str(error.detail)
        if error.status_code == 404:
            detail = f"no such path {request.url.path}; the API is under /api (see /openapi.json)"
        elif error.status_code == 405:
            detail = (
                f"{request.method} is not allowed here: the service is read-only (GET), "
                "but for POST /api/claims"
            )
        return _error(error.status_code, detail, request.url.path)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> Response:
        return _error(400, _validation_detail(error), request.url.path)

    @app.exception_handler(DigexError)
    async def digex_error(request: Request, error: DigexError) -> Response:
        status = error.status
        if status not in ANSWERED:
            status = 400 if isinstance(error, UsageError) else 503
        return _error(status, str(error), request.url.path)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> Response:
        log.exception("unexpected error answering %s", request.url.path)
        return _error(
            500, "the server could not answer this request; its log says why", request.url.path
        )


def _without_422(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """The OpenAPI document without FastAPI's 422 answers: a malformed parameter is a 400
    here (`ErrorBody`), which every route states."""
    base = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = base()
            for path in document.get("paths", {}).values():
                for operation in path.values():
                    operation.get("responses", {}).pop("422", None)
            schemas = document.get("components", {}).get("schemas", {})
            for name in ("HTTPValidationError", "ValidationError"):
                schemas.pop(name, None)
            app.openapi_schema = document
        return app.openapi_schema

    return openapi


def _warm(catalogue: Catalogue, answers: Answers) -> None:
    """Read the default release (and import what reading it needs) and make the
    dashboard's default view before anyone asks."""
    from digex.web.dashboard import page

    try:
        catalogue.release(None)
        page.prepare(catalogue, answers)
    except Exception:  # nothing published yet, or a snapshot refused: said when asked
        log.debug("no release read ahead", exc_info=True)


def create_app(
    store_path: Path,
    *,
    max_rows: int = MAX_ROWS,
    clock: Callable[[], dt.datetime] | None = None,
    warm: bool = True,
) -> FastAPI:
    """The app serving the published releases of the store at `store_path` (read from its
    snapshot files and served-release index; the store itself is never opened). `max_rows`
    caps one answer; `clock` stands for the time (tests of embargoes); with `warm`, the
    default release is read in the background once the server has started (the start does
    not wait for it)."""
    import digex
    from digex.web.api import router
    from digex.web.claims_api import router as claims_router
    from digex.web.dashboard import page
    from digex.web.dashboard.routes import router as dashboard_router

    catalogue = Catalogue(Path(store_path), clock=clock)
    answers = Answers()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        reader = threading.Thread(target=_warm, args=(catalogue, answers), daemon=True)
        if warm:
            reader.start()
        yield
        if warm:  # never left reading at exit (DuckDB aborts the process when it is)
            await run_in_threadpool(reader.join, 60)

    app = FastAPI(
        lifespan=lifespan,
        title="digex",
        version=digex.__version__,
        summary="Published figures of exports of digital services (JSON API).",
        description=(
            "Read-only. Only published releases (their disclosure gate passed, their "
            "publication time come), only their public view: a confidential cell has value "
            f"null and conf_status C. One answer holds at most {max_rows:,} rows (413 beyond: "
            "narrow the query). Answers carry an ETag (send If-None-Match for a 304) and "
            "Cache-Control. Errors are JSON: {error, detail}. POST /api/claims checks the "
            "figures a pasted text quotes. /sdmx/rest/ serves the SDMX "
            "REST API (structures and data in SDMX-ML, SDMX-CSV and SDMX-JSON; errors as "
            "SDMX-ML Error messages)."
        ),
        docs_url=None,
        redoc_url=None,
    )
    app.state.catalogue = catalogue
    app.state.answers = answers
    app.state.max_rows = max_rows
    app.include_router(router)
    app.include_router(dashboard_router)  # the dashboard's data: /api/dashboard...
    app.include_router(page.router)  # the dashboard: /, /embed, /static/...
    app.include_router(claims_router)  # POST /api/claims: the one route that reads a body
    sdmx_rest.add_routes(app, catalogue, max_rows)
    _handlers(app)
    app.add_middleware(KeptAnswers, answers=app.state.answers, state=app.state.catalogue.state)
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_FROM)
    app.add_middleware(
        _Cors,
        allow_origins=["*"],
        allow_methods=["GET"],
        allow_headers=["If-None-Match"],
        expose_headers=["ETag"],
        max_age=3600,
    )
    app.add_middleware(page.SecurityHeaders)  # outermost: on every answer, kept ones too
    app.openapi = _without_422(app)  # type: ignore[method-assign]
    return app
