"""The dashboard's data routes: `GET /api/dashboard` (one view's answer, JSON) and
`GET /api/dashboard/download` (one chart's table as CSV or xlsx).

Parameters are checked as every route of the API checks them (`digex.web.api`: a pattern
before any work, an unknown parameter refused with 400), then against the release (a value it
does not hold: 404 naming those it holds). The JSON answer is kept ready and validated as the
API's are (`api._answer`: ETag, 304, Cache-Control); a download is built from the same kept
view, its bytes given an ETag of their own.
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Query, Request  # noqa: TID251 (the web layer)
from fastapi.concurrency import run_in_threadpool  # noqa: TID251
from fastapi.responses import Response  # noqa: TID251

from digex.errors import NotHeld
from digex.web.api import ERRORS, ONE, _answer, _catalogue, _only
from digex.web.caching import LONG, SHORT, matches
from digex.web.dashboard import models
from digex.web.dashboard.view import View, resolve

PARAMETERS: Final = ("release", "lang", "period", "segment", "area", "flow", "unit")
PERIOD: Final = r"^\d{4}(-(H[12]|Q[1-4]|0[1-9]|1[0-2]))?$"

router = APIRouter(prefix="/api")

Release = Annotated[
    str | None, Query(pattern=ONE, description="A release id; default the latest published.")
]
Lang = Annotated[str | None, Query(pattern=r"^(ar|fr|en)$", description="ar, fr or en (en).")]
PeriodQ = Annotated[
    str | None,
    Query(pattern=PERIOD, description="2024, 2024-H2, 2024-Q3, 2024-09; default the release's."),
]
Segment = Annotated[
    str | None, Query(pattern=r"^[A-Z_]{2,10}$", description="_T or a segment code (ITO...).")
]
Area = Annotated[
    str | None,
    Query(pattern=r"^(_T|[A-Z]{2}|\d{3})$", description="_T, an M49 region or an ISO country."),
]
Flow = Annotated[str | None, Query(pattern=r"^[XMN]$", description="X, M or N (X).")]
Unit = Annotated[str | None, Query(pattern=r"^[A-Z]{3}$", description="MAD, USD or EUR.")]
Chart = Annotated[
    str,
    Query(
        pattern=r"^(annual|monthly|segments|partners|concentration)$",
        description="The chart whose table is asked.",
    ),
]
Format = Annotated[str, Query(pattern=r"^(csv|xlsx)$", description="csv or xlsx.")]


def _view(request: Request, values: dict[str, str | None]) -> View:
    return resolve(_catalogue(request), **values)


@router.get(
    "/dashboard",
    response_model=models.Dashboard,
    responses=ERRORS,
    summary="One view of the dashboard",
)
async def dashboard(
    request: Request,
    release: Release = None,
    lang: Lang = None,
    period: PeriodQ = None,
    segment: Segment = None,
    area: Area = None,
    flow: Flow = None,
    unit: Unit = None,
) -> Response:
    """Everything the dashboard page shows for one view of a release (the latest published
    by default), worded and number-formatted in `lang`: cards, charts (Vega-Lite specs with
    their data inline, tables, download and SDMX links), filters with the values the release
    holds, the releases, what changed since the previous release, the next release date."""
    _only(request, set(PARAMETERS))
    catalogue = _catalogue(request)
    values = dict(zip(PARAMETERS, (release, lang, period, segment, area, flow, unit), strict=True))

    def build() -> models.Dashboard:
        from digex.web.dashboard.answer import dashboard as answer

        return answer(catalogue, _view(request, values))

    key = ("dashboard", tuple(values.items()))
    return await _answer(request, key, build, named=release is not None)


@router.get(
    "/dashboard/download",
    responses={
        **ERRORS,
        200: {
            "content": {
                "text/csv": {},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
            },
            "description": "The chart's table as a file.",
        },
    },
    summary="One chart's table as CSV or xlsx",
)
async def download(
    request: Request,
    chart: Chart,
    format: Format,
    release: Release = None,
    lang: Lang = None,
    period: PeriodQ = None,
    segment: Segment = None,
    area: Area = None,
    flow: Flow = None,
    unit: Unit = None,
) -> Response:
    """Exactly the rows of the chart's table in that view (the dashboard's texts), as CSV
    (UTF-8 with a BOM) or an xlsx of one sheet, as an attachment."""
    _only(request, {*PARAMETERS, "chart", "format"})
    values = dict(zip(PARAMETERS, (release, lang, period, segment, area, flow, unit), strict=True))

    def build() -> tuple[bytes, str, str]:
        from digex.web.dashboard import download as files
        from digex.web.dashboard.answer import locale_of
        from digex.web.dashboard.charts import build as charts
        from digex.web.dashboard.text import Writer

        view = _view(request, values)
        found = charts(view, Writer(view.figures, view.lang), locale_of(view), only=chart)
        if not found:
            raise NotHeld(
                f"chart={chart}: this view of release {view.release_id} has no such chart "
                "(the dashboard's answer lists the charts it has)"
            ).naming(chart=chart)
        table = found[0].table
        if format == "csv":
            body = files.csv_bytes(table)
        else:
            body = files.xlsx_bytes(
                table, chart, when=view.figures.published_at, rtl=view.lang == "ar"
            )
        return body, files.filename(view.release_id, chart, format), files.etag(table, format)

    body, name, etag = await run_in_threadpool(build)
    from digex.web.dashboard.download import TYPES

    headers = {
        "ETag": etag,
        "Cache-Control": LONG if release else SHORT,
        "Content-Disposition": f'attachment; filename="{name}"',
    }
    if matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=TYPES[format], headers=headers)
