"""The links a chart carries: its table's download, and the same figures in SDMX.

The SDMX link is a data query of the SDMX REST API this service serves (`/sdmx/rest`), keyed
as `digex.sdmx.keys` keys the release's rows (`FREQ.REF_AREA.COUNTERPART_AREA.ACTIVITY.
ACCOUNTING_ENTRY.CURRENCY_DENOM.INDICATOR.UNIT_MEASURE.ADJUSTMENT`, several codes joined by
`+`, an empty part for any), with the release named and the chart's periods as startPeriod and
endPeriod, in SDMX-CSV so that a browser or a spreadsheet opens it.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode

from digex.web.dashboard.view import TOTAL, View, period_order


def download(view: View, chart: str, fmt: str) -> str:
    return "/api/dashboard/download?" + urlencode({**view.params(), "chart": chart, "format": fmt})


def sdmx(
    view: View,
    freq: str,
    indicators: Sequence[str],
    periods: Sequence[str],
    *,
    cut: str | None = None,
    members: Sequence[str] = (),
) -> str | None:
    """The SDMX data query of `indicators` at `freq` over `periods` for the view's member (or
    `members` of `cut`); None when there is no period (nothing to ask)."""
    from digex.sdmx import ids
    from digex.sdmx.codes import FLOW_ENTRY
    from digex.sdmx.keys import sdmx_freq, sdmx_period

    if not periods or not indicators:
        return None
    cut = cut or view.cut
    chosen = list(members) or [view.member]
    area, activity = ids.WORLD, TOTAL
    if cut in ("region", "partner"):
        area = "+".join(chosen)
    elif cut in ("segment", "ebops"):
        activity = "+".join(chosen)
    key = ".".join(
        (
            sdmx_freq(freq),
            view.figures.profile.code,
            area,
            activity,
            FLOW_ENTRY.get(view.flow, view.flow),
            TOTAL,
            "+".join(indicators),
            "",
            ids.UNADJUSTED,
        )
    )
    first = sdmx_period(min(periods, key=period_order))  # the periods share one frequency
    last = sdmx_period(max(periods, key=period_order))
    query = {"release": view.release_id, "startPeriod": first, "endPeriod": last, "format": "csv"}
    return f"/sdmx/rest/data/{ids.DATAFLOW}/{key}?{urlencode(query)}"
