"""The SDMX REST API (the 2.1-era paths today's clients use) over the served releases.

Paths under `/sdmx/rest`: `/{dataflow|datastructure|codelist|conceptscheme}[/{agency}[/{id}
[/{version}]]]` (`references=`) and `/data/{flowRef}[/{key}[/{provider}]]` with the data
query's parameters (`digex.sdmx.query`). Everything a message holds is made by `digex.sdmx`
from one served release's public view (the default release, or `release=`); this module only
routes, negotiates the format (Accept, or `format=` for browsers and spreadsheets) and maps
errors to SDMX's: 404 with code 100 for an unknown artefact or an empty result, 400 with 140
for a malformed key, period or parameter, 406 for a format no client of SDMX can be given,
501 for a standard resource or feature not implemented. Never an HTML or JSON body here.

Paths are taken as sent, with a trailing slash ignored and `%2C`/`%2B` decoded (pysdmx
encodes them). Answers are kept (`caching.Answers`), keyed by the release, the resource, the
parameters and the format, since an SDMX-ML data message of a whole release takes a second or
two to write; the ETag is the body's hash, so a repeated query is a 304. An answer is also kept
under its request's exact text (`caching.KeptAnswers`), which answers a repeated request before
FastAPI routes it, with its Content-Type and `Vary: Accept`.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final
from urllib.parse import unquote

from fastapi import Request, Response  # noqa: TID251 (the web layer)
from fastapi.concurrency import run_in_threadpool  # noqa: TID251

from digex.errors import DigexError, NoResults, NotHeld, NotImplementedQuery, NotPublished
from digex.errors import QueryError as SdmxQueryError
from digex.web import reserved
from digex.web.answers import MAX_ROWS
from digex.web.caching import LONG, SHORT, Answers, Ready, etag_of, matches, raw_key

if TYPE_CHECKING:
    from fastapi import FastAPI  # noqa: TID251

    from digex.sdmx.structures import Structures
    from digex.web.catalogue import Catalogue, Served

STRUCTURES: Final = ("dataflow", "datastructure", "codelist", "conceptscheme")
NOT_SERVED: Final = frozenset(
    {
        "actualconstraint", "agencyscheme", "allowedconstraint", "attachmentconstraint",
        "availableconstraint", "categorisation", "categoryscheme", "contentconstraint",
        "dataconsumerscheme", "dataproviderscheme", "hierarchicalcodelist", "metadata",
        "metadataflow", "metadatastructure", "organisationunitscheme", "process",
        "provisionagreement", "reportingtaxonomy", "schema", "structure", "structureset",
    }
)  # fmt: skip
"""Standard SDMX REST resources digex does not serve: 501, as the standard says."""
OWN: Final = ("release", "format")
"""Query parameters of digex's own (not SDMX's): the release asked and the format."""
STRUCTURE_PARAMETERS: Final = ("references", "detail")
KEPT: Final = 256
"""SDMX answers kept ready (the oldest used dropped first)."""


class _Refusal(Exception):
    def __init__(self, status: int, code: int, text: str) -> None:
        super().__init__(text)
        self.status, self.code, self.text = status, code, text


def _structures(served: Served) -> Structures:
    """The release's structures, built once per served release (a few milliseconds, but
    every request needs them)."""
    from digex.sdmx.structures import structures

    cached = served.__dict__.get("_sdmx_structures")
    if cached is None:
        cached = structures(served.figures)
        served.__dict__["_sdmx_structures"] = cached
    return cached


def _parts(path: str) -> list[str]:
    return [unquote(p) for p in path.strip("/").split("/")] if path.strip("/") else []


def answer(
    catalogue: Catalogue,
    path: str,
    params: dict[str, str],
    accept: str | None,
    max_rows: int = MAX_ROWS,
) -> tuple[bytes, str, str]:
    """The body, Content-Type and Cache-Control of an SDMX REST request (`path` after the
    prefix); `_Refusal` with the SDMX status and code otherwise (413 for data of more than
    `max_rows` observations, the cap the JSON API has too)."""
    from digex.sdmx import media

    parts = _parts(path)
    if not parts:
        raise _Refusal(404, 100, "name a resource: /dataflow, /datastructure, /codelist, "
                       "/conceptscheme or /data/{flow}")  # fmt: skip
    resource = parts[0]
    if resource in NOT_SERVED:
        raise _Refusal(501, 501, f"the resource {resource!r} is not implemented by this service")
    if resource != "data" and resource not in STRUCTURES:
        raise _Refusal(404, 100, f"no resource {resource!r}; this service serves "
                       f"{', '.join(STRUCTURES)} and data")  # fmt: skip
    release_id = params.get("release")
    served = catalogue.release(release_id)
    found = _structures(served)
    control = LONG if release_id else SHORT
    if resource == "data":
        fmt = media.data_format(accept, params.get("format"))
        if fmt is None:
            raise _Refusal(406, 406, f"no data format for Accept {accept!r}; see SDMX.md")
        body, kind = _data(served, found, parts, params, fmt, max_rows)
        return body, kind, control
    structure_fmt = media.structure_format(accept, params.get("format"))
    if structure_fmt is None:
        raise _Refusal(406, 406, f"no structure format for Accept {accept!r}")
    return _structure(found, parts, params, structure_fmt), _structure_type(structure_fmt), control


def _structure_type(fmt: str) -> str:
    from digex.sdmx.structures import STRUCTURE_TYPES

    return STRUCTURE_TYPES[fmt]


def _structure(found: Structures, parts: list[str], params: dict[str, str], fmt: str) -> bytes:
    from digex.sdmx.artefacts import artefacts
    from digex.sdmx.structures import write_structures

    if len(parts) > 4:
        raise SdmxQueryError(f"a structure path has at most resource/agency/id/version: {parts}")
    unknown = sorted(set(params) - set(STRUCTURE_PARAMETERS) - set(OWN))
    if unknown:
        raise SdmxQueryError(f"unknown query parameter {unknown[0]!r} for a structure query")
    defaults = ["all", "all", "latest"]  # agency, id, version when the path stops early
    agency, rid, version = [*parts[1:], *defaults[len(parts) - 1 :]]
    chosen = artefacts(
        found,
        parts[0],
        agency,
        rid,
        version,
        params.get("references", "none"),
        params.get("detail", "full"),
    )
    return write_structures(found, fmt, chosen)  # type: ignore[arg-type]


def _data(
    served: Served,
    found: Structures,
    parts: list[str],
    params: dict[str, str],
    fmt: str,
    max_rows: int,
) -> tuple[bytes, str]:
    from digex.sdmx.data import data_message, select
    from digex.sdmx.query import parse_query

    if not 2 <= len(parts) <= 4:
        raise SdmxQueryError("a data path is /data/{flowRef}[/{key}[/{provider}]]")
    if len(parts) == 4 and parts[3] not in ("all", found.agency, ""):
        raise NoResults(f"no data provider {parts[3]!r}: the data come from {found.agency}")
    query = parse_query(parts[1], parts[2] if len(parts) > 2 else None, params, ignore=OWN)
    frame = select(served.figures, found, query)
    if len(frame) > max_rows:
        raise _Refusal(
            413,
            413,
            f"the query matches {len(frame):,} observations and one answer holds at most "
            f"{max_rows:,}: narrow the key (e.g. one FREQ or INDICATOR) or the periods "
            "(startPeriod, endPeriod)",
        )
    return data_message(
        served.figures,
        found,
        frame,
        fmt,  # type: ignore[arg-type]
        dimension_at_observation=query.dimension_at_observation,
        detail=query.detail,
    )


def _refusal_of(error: Exception) -> _Refusal:
    if isinstance(error, _Refusal):
        return error
    if isinstance(error, NotImplementedQuery):
        return _Refusal(501, 501, str(error))
    if isinstance(error, NoResults | NotHeld | NotPublished):
        return _Refusal(404, 100, str(error) or "No results found")
    if isinstance(error, SdmxQueryError):
        return _Refusal(400, 140, str(error))
    if isinstance(error, DigexError):  # a release not served is as unknown as a flow
        return (
            _Refusal(404, 100, str(error))
            if error.status == 404
            else _Refusal(400, 140, str(error))
        )
    raise error


@dataclass(frozen=True)
class _Ready:
    body: bytes
    kind: str
    etag: str
    cache_control: str


class _Kept:
    """The SDMX answers kept ready (a bounded LRU, thread-safe): their bytes, Content-Type
    and ETag."""

    def __init__(self, entries: int = KEPT) -> None:
        self._kept: OrderedDict[Hashable, _Ready] = OrderedDict()
        self._entries = entries
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> _Ready | None:
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
            return found

    def put(self, key: Hashable, ready: _Ready) -> None:
        with self._lock:
            self._kept[key] = ready
            while len(self._kept) > self._entries:
                self._kept.popitem(last=False)


def add_routes(app: FastAPI, catalogue: Catalogue, max_rows: int = MAX_ROWS) -> None:
    """Route `/sdmx/rest/...` to `answer` (kept answers, ETag, 304, SDMX-ML errors)."""

    kept = _Kept()

    async def sdmx(request: Request, rest: str = "") -> Response:
        params = dict(request.query_params)
        accept = request.headers.get("accept")
        state = catalogue.state()
        key = (rest.strip("/"), tuple(sorted(params.items())), accept, state)
        ready = kept.get(key)
        if ready is None:
            try:
                # a whole release in SDMX-ML takes a second or two: not on the event loop
                body, kind, control = await run_in_threadpool(
                    answer, catalogue, rest, params, accept, max_rows
                )
            except Exception as e:
                refused = _refusal_of(e)
                return Response(
                    reserved.error_xml(refused.code, refused.text),
                    status_code=refused.status,
                    media_type="application/xml",
                    headers={"Vary": "Accept"},
                )
            ready = _Ready(body, kind, etag_of(body), control)
            kept.put(key, ready)
        # the same request text is then answered before FastAPI routes it (caching.KeptAnswers)
        answers: Answers = request.app.state.answers
        answers.put_ready(
            raw_key(request.scope, state),
            Ready(ready.body, ready.etag, ready.cache_control, ready.kind, "Accept"),
        )
        headers = {"ETag": ready.etag, "Cache-Control": ready.cache_control, "Vary": "Accept"}
        if matches(request.headers.get("if-none-match"), ready.etag):
            return Response(status_code=304, headers=headers)
        return Response(ready.body, media_type=ready.kind, headers=headers)

    for path in (reserved.PREFIX, reserved.PREFIX + "/{rest:path}"):
        app.add_api_route(path, sdmx, methods=["GET"], include_in_schema=False)
