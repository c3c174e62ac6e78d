"""The JSON API's routes (`/api/...`): parameters checked, answers kept ready, validators.

Every route is read-only (GET), answers JSON through the models of `digex.web.models` and
states its errors in the OpenAPI document. A parameter's text is checked against a pattern
(codes: letters, digits, `_`, `-`, `.`; lists separated by commas) before any work, and an
unknown parameter is refused, so that a misspelt filter does not silently answer everything.
An answer is computed off the event loop the first time and kept (`digex.web.caching`).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Annotated, Any, Final

from fastapi import APIRouter, Query, Request  # noqa: TID251 (the web layer)
from fastapi.concurrency import run_in_threadpool  # noqa: TID251
from fastapi.responses import Response  # noqa: TID251
from pydantic import BaseModel

from digex.errors import UsageError
from digex.web import answers, models
from digex.web.caching import LONG, SHORT, Answers, matches, raw_key
from digex.web.catalogue import Catalogue

CODE: Final = r"[A-Za-z0-9_.\-]{1,40}"
ONE: Final = rf"^{CODE}$"
LIST: Final = rf"^{CODE}(,{CODE}){{0,99}}$"
ERRORS: Final[dict[int | str, dict[str, Any]]] = {
    400: {"model": models.ErrorBody, "description": "A parameter malformed or unknown."},
    404: {"model": models.ErrorBody, "description": "No such release, or a value it lacks."},
}

Release = Annotated[
    str | None,
    Query(pattern=ONE, description="A release id (e.g. 2024.2); default the latest published."),
]


def _codes(what: str, example: str) -> Any:
    return Query(
        pattern=LIST, description=f"{what}; several separated by commas.", examples=[example]
    )


router = APIRouter(prefix="/api")


def _catalogue(request: Request) -> Catalogue:
    found: Catalogue = request.app.state.catalogue
    return found


def _only(request: Request, allowed: set[str]) -> None:
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise UsageError(
            f"{', '.join(unknown)}: unknown parameter(s) of {request.url.path}; it takes "
            f"{', '.join(sorted(allowed)) or 'none'}"
        )


def _split(value: str | None) -> list[str] | None:
    return None if value is None else value.split(",")


async def _answer(
    request: Request,
    key: Hashable,
    build: Callable[[], BaseModel],
    *,
    named: bool,
    remember: bool = True,
) -> Response:
    """The answer kept under `key`, built (in a worker thread) when there is none; a 304
    when the client's copy is current."""
    catalogue = _catalogue(request)
    kept: Answers = request.app.state.answers
    state = catalogue.state()
    full = (key, state)
    ready = kept.get(full)
    if ready is None:
        model = await run_in_threadpool(build)
        ready = kept.put(full, model.model_dump_json().encode(), LONG if named else SHORT)
    if remember:  # the same request text is answered before FastAPI parses it again
        kept.put_ready(raw_key(request.scope, state), ready)
    headers = {"ETag": ready.etag, "Cache-Control": ready.cache_control}
    if matches(request.headers.get("if-none-match"), ready.etag):
        return Response(status_code=304, headers=headers)
    return Response(ready.body, media_type="application/json", headers=headers)


@router.get(
    "/releases",
    response_model=models.Releases,
    responses=ERRORS,
    summary="The published releases",
)
async def releases(request: Request) -> Response:
    """Every published release (its gate passed, its publication time come), oldest first;
    `default` marks the one queries read when they name none."""
    _only(request, set())
    catalogue = _catalogue(request)
    return await _answer(request, ("releases",), lambda: answers.releases(catalogue), named=False)


@router.get(
    "/indicators",
    response_model=models.Indicators,
    responses={
        **ERRORS,
        413: {"model": models.ErrorBody, "description": "More rows than one answer holds."},
    },
    summary="Figures of one release",
)
async def indicators(
    request: Request,
    release: Release = None,
    indicator: Annotated[str | None, _codes("Indicator ids (LEVEL, SHARE...)", "LEVEL")] = None,
    cut: Annotated[str | None, _codes("Cuts (total, segment, ebops, region...)", "segment")] = None,
    member: Annotated[str | None, _codes("Members of the cut (_T, ITO, 150...)", "ITO")] = None,
    period: Annotated[
        str | None, _codes("Periods (2024, 2025-H1, 2025-Q1, 2025-03)", "2024")
    ] = None,
    freq: Annotated[str | None, _codes("Frequencies (A, H, Q, M)", "A")] = None,
    flow: Annotated[str | None, _codes("Flows (X exports, M imports, N net)", "X")] = None,
) -> Response:
    """Tidy rows of a release's public view (the latest published by default), filtered.
    A confidential cell has `value` null and `conf_status` C. One answer holds at most
    `max_rows` rows (10,000 by default); a query matching more is refused with 413."""
    allowed = {"release", "indicator", "cut", "member", "period", "freq", "flow"}
    _only(request, allowed)
    catalogue = _catalogue(request)
    filters = {
        "indicator": _split(indicator),
        "freq": _split(freq),
        "period": _split(period),
        "cut": _split(cut),
        "member": _split(member),
        "flow": _split(flow),
    }
    cap: int = request.app.state.max_rows
    key = ("indicators", release, tuple(sorted((k, tuple(v or ())) for k, v in filters.items())))
    return await _answer(
        request,
        key,
        lambda: answers.indicators(catalogue, release, filters, cap),
        named=release is not None,
    )


@router.get(
    "/revisions",
    response_model=models.Revisions,
    responses=ERRORS,
    summary="One figure in each release",
)
async def revisions(
    request: Request,
    indicator: Annotated[str, Query(pattern=ONE, description="The indicator id, e.g. LEVEL.")],
    period: Annotated[str, Query(pattern=ONE, description="The period, e.g. 2024.")],
    cut: Annotated[str, Query(pattern=ONE, description="The cut.")] = "total",
    member: Annotated[str, Query(pattern=ONE, description="The member of the cut.")] = "_T",
    flow: Annotated[str, Query(pattern=ONE, description="The flow.")] = "X",
    freq: Annotated[str | None, Query(pattern=ONE, description="The frequency.")] = None,
) -> Response:
    """The value of one figure in each published release that holds it, oldest first: how it
    was revised."""
    _only(request, {"indicator", "period", "cut", "member", "flow", "freq"})
    catalogue = _catalogue(request)
    key = ("revisions", indicator, period, cut, member, flow, freq)
    return await _answer(
        request,
        key,
        lambda: answers.revisions(catalogue, indicator, period, cut, member, flow, freq),
        named=False,
    )


@router.get(
    "/codelists",
    response_model=models.Codelists,
    responses=ERRORS,
    summary="Code lists with names in ar, fr, en",
)
async def codelists(request: Request, release: Release = None) -> Response:
    """Segments, EBOPS codes, flows, regions, partner countries and currencies, with their
    names in Arabic, French and English, as frozen with the release (default the latest)."""
    _only(request, {"release"})
    catalogue = _catalogue(request)
    return await _answer(
        request,
        ("codelists", release),
        lambda: answers.codelists(catalogue, release),
        named=release is not None,
    )


@router.get(
    "/calendar",
    response_model=models.Calendar,
    responses=ERRORS,
    summary="The advance release calendar",
)
async def calendar(request: Request) -> Response:
    """The release calendar (the country profile's rules, as frozen with the latest published
    release): each scheduled release's deadline and state, the next ones due included."""
    _only(request, set())
    catalogue = _catalogue(request)
    hour = catalogue.now().replace(minute=0, second=0, microsecond=0)  # states change by day
    return await _answer(
        request,
        ("calendar", hour),
        lambda: answers.calendar(catalogue),
        named=False,
        remember=False,  # its states change with the time, not with the releases
    )
