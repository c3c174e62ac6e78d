"""The JSON API's answers, built from the catalogue (no HTTP here: `digex.web.api` routes them).

Queries never reach SQL: a release's public view is read whole from its snapshot once
(`Catalogue.release`) and a query filters that frame in pandas, with the values given compared
as strings. A filter value the release does not hold is a 404 naming what it holds, so that a
typing error is not mistaken for an empty answer.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from digex.errors import AnswerTooLarge, NotHeld
from digex.web import models
from digex.web.catalogue import COLUMNS, Catalogue, Served
from digex.web.index import Entry

if TYPE_CHECKING:
    import pandas as pd

MAX_ROWS: Final = 10_000
"""The most rows one answer holds by default (`create_app(max_rows=...)`); a query matching
more is refused with 413, naming the filters that narrow it."""
SHOWN_VALUES: Final = 20
"""Values listed when a filter names one the release does not hold."""


def release_model(entry: Entry, default: Entry | None) -> models.Release:
    return models.Release(
        release_id=entry.release_id,
        period=entry.period,
        freq=entry.freq,
        vintage=entry.vintage,
        status=entry.status,
        created_at=entry.created_at,
        published_at=entry.published_at,
        content_hash=entry.content_hash,
        note=entry.note,
        default=default is not None and entry.release_id == default.release_id,
    )


def releases(catalogue: Catalogue) -> models.Releases:
    published = catalogue.published()
    default = published[-1] if published else None
    return models.Releases(
        synthetic=catalogue.index().synthetic,
        default=None if default is None else default.release_id,
        releases=[release_model(e, default) for e in published],
    )


def _select(
    served: Served, filters: Mapping[str, Sequence[str] | None], frame: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The rows of the release matching every filter given (each a list of allowed values)."""
    import numpy as np

    rows = served.frame if frame is None else frame
    mask = np.ones(len(rows), dtype=bool)
    for column, wanted in filters.items():
        if not wanted:
            continue
        unknown = sorted(set(wanted) - served.values[column])
        if unknown:
            held = sorted(served.values[column])
            shown = ", ".join(held[:SHOWN_VALUES]) + (" ..." if len(held) > SHOWN_VALUES else "")
            raise NotHeld(
                f"{column}={','.join(unknown)}: release {served.entry.release_id} holds no such "
                f"{column} (it holds: {shown})"
            ).naming(**{column: ",".join(unknown)})
        mask &= rows[column].isin(list(wanted)).to_numpy()
    selected: pd.DataFrame = rows[mask]
    return selected


def _records(frame: pd.DataFrame, columns: Sequence[str]) -> list[dict[str, Any]]:
    """Rows as plain dicts: a withheld value (NaN) as None."""
    import pandas as pd

    part = frame[list(columns)].astype(object)
    part = part.where(pd.notna(part), None)
    records = part.to_dict("records")
    return [{str(k): v for k, v in r.items()} for r in records]


def indicators(
    catalogue: Catalogue,
    release: str | None,
    filters: Mapping[str, Sequence[str] | None],
    max_rows: int,
) -> models.Indicators:
    served = catalogue.release(release)
    rows = _select(served, filters)
    if len(rows) > max_rows:
        raise AnswerTooLarge(
            f"this query matches {len(rows):,} rows; one answer holds at most {max_rows:,}: "
            "narrow it with indicator=, period=, cut=, member=, freq= or flow= (each takes "
            "values separated by commas)"
        )
    return models.Indicators(
        release=release_model(served.entry, catalogue.default()),
        synthetic=catalogue.index().synthetic,
        count=len(rows),
        max_rows=max_rows,
        rows=[models.Observation(**r) for r in _records(rows, COLUMNS)],
    )


def revisions(
    catalogue: Catalogue,
    indicator: str,
    period: str,
    cut: str,
    member: str,
    flow: str,
    freq: str | None,
) -> models.Revisions:
    """The figure in each published release that holds it, oldest first."""
    found: list[models.Revision] = []
    key = {"indicator": [indicator], "period": [period], "cut": [cut], "member": [member]}
    key["flow"] = [flow]
    if freq is not None:
        key["freq"] = [freq]
    for entry in catalogue.published():
        served = catalogue.release(entry.release_id)
        if any(v[0] not in served.values[c] for c, v in key.items()):
            continue
        rows = _select(served, key)
        for r in _records(rows, [c for c in COLUMNS if c in models.Revision.model_fields]):
            found.append(
                models.Revision(
                    release_id=entry.release_id,
                    status=entry.status,
                    vintage=entry.vintage,
                    published_at=entry.published_at,
                    **r,
                )
            )
    if not found:
        raise NotHeld(
            f"no published release holds the figure {indicator}/{flow}/{cut}/{member}/{period} "
            "(indicator/flow/cut/member/period); /api/indicators shows what a release holds"
        )
    return models.Revisions(
        indicator=indicator,
        period=period,
        cut=cut,
        member=member,
        flow=flow,
        synthetic=catalogue.index().synthetic,
        rows=found,
    )


def _packaged_codelists() -> dict[str, Any]:
    import csv
    import io
    from importlib.resources import files

    from digex.codelists import CODELIST_NAMES, codelists_version

    folder = files("digex") / "data" / "codelists"
    lists = {
        name: list(csv.DictReader(io.StringIO((folder / f"{name}.csv").read_text("utf-8-sig"))))
        for name in CODELIST_NAMES
    }
    return {"codelists": lists, "version": codelists_version()}


_CODE_COLUMNS: Final = ("code", "ebops_code")
_PARENT_COLUMNS: Final = ("parent",)


def _code(row: Mapping[str, Any]) -> models.Code:
    code = next(str(row[c]) for c in _CODE_COLUMNS if c in row)
    names = models.Names(ar=row["name_ar"], fr=row["name_fr"], en=row["name_en"])
    parent = row.get("parent") or None
    rest = {
        k: v
        for k, v in row.items()
        if k not in {*_CODE_COLUMNS, *_PARENT_COLUMNS, "name_ar", "name_fr", "name_en"}
        and isinstance(v, str | int | bool)
    }
    return models.Code(code=code, name=names, parent=parent, attributes=rest)


CODELISTS: Final = {
    "segments": "segments",
    "ebops": "ebops",
    "flows": "flows",
    "regions": "regions",
    "countries": "countries",
    "currencies": "currencies",
}


def codelists(catalogue: Catalogue, release: str | None) -> models.Codelists:
    """The code lists frozen with the release (the default one), or the packaged ones while
    no release is published and none is named."""
    rid: str | None = None
    if release is None and catalogue.default() is None:
        body = _packaged_codelists()
    else:
        served = catalogue.release(release)
        rid = served.entry.release_id
        body = json.loads(served.figures.inputs["codelists.json"])
    lists = body["codelists"]
    return models.Codelists(
        release=rid,
        version=str(body.get("version", "")),
        codelists={name: [_code(r) for r in lists.get(key, [])] for name, key in CODELISTS.items()},
    )


def calendar(catalogue: Catalogue) -> models.Calendar:
    """The release calendar of the profile frozen with the latest published release, with the
    published releases: the next due dates, and which came on time."""
    from digex.releases import calendar as cal

    served = catalogue.release(None)
    rules = served.figures.profile.calendar
    if rules is None:
        raise NotHeld(
            f"the country profile frozen with release {served.entry.release_id} states no "
            "release calendar"
        )
    made = [
        cal.Made(e.period, e.status, e.published_at, e.release_id) for e in catalogue.published()
    ]
    now = catalogue.now()
    entries = cal.window(rules, made, now)
    return models.Calendar(
        title=dict(rules.title),
        timezone=str(rules.timezone),
        release=served.entry.release_id,
        entries=[
            models.CalendarEntry(
                period=e.period,
                status=e.status,
                kind=e.kind,
                due=e.due,
                published_at=None if e.published is None else e.published.astimezone(dt.UTC),
                state=cal.shown_state(e),
                release=e.release,
            )
            for e in entries
        ],
    )
