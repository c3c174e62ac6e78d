"""A release's data for one SDMX query, and the data message in each format a client asks.

`select` filters the release's keyed observations (`keys.keyed`, made once per release) with
column masks; `data_message` writes what it selected with pysdmx (SDMX-ML 2.1 generic and
structure-specific, with their time-series variants, SDMX-CSV 1.0 and 2.0) or with
`json_data` (SDMX-JSON 1.0 data, which pysdmx does not write). A confidential observation
stays a row with no value and CONF_STATUS C in every format: never 0, never left out.
"""

from __future__ import annotations

import datetime as dt
import weakref
from typing import TYPE_CHECKING, Any, Final, Literal

import numpy as np
import pandas as pd

from digex.errors import UsageError
from digex.sdmx import ids
from digex.sdmx.errors import NoResults, NotImplementedQuery
from digex.sdmx.keys import COLUMNS, END, START, keyed
from digex.sdmx.query import DataQuery

if TYPE_CHECKING:
    from digex.publish.figures import ReleaseFigures
    from digex.sdmx.structures import Structures

DataFormat = Literal[
    "generic",
    "structurespecific",
    "generictimeseries",
    "structurespecifictimeseries",
    "csv1",
    "csv2",
    "json",
]
DATA_TYPES: Final[dict[str, str]] = {
    "generic": "application/vnd.sdmx.genericdata+xml; version=2.1",
    "structurespecific": "application/vnd.sdmx.structurespecificdata+xml; version=2.1",
    "generictimeseries": "application/vnd.sdmx.generictimeseriesdata+xml; version=2.1",
    "structurespecifictimeseries": (
        "application/vnd.sdmx.structurespecifictimeseriesdata+xml; version=2.1"
    ),
    "csv1": "application/vnd.sdmx.data+csv; version=1.0.0",
    "csv2": "application/vnd.sdmx.data+csv; version=2.0.0",
    "json": "application/vnd.sdmx.data+json; version=1.0.0",
}
"""The Content-Type of each data format (how sdmx1 chooses its parser)."""

SERIES_ONLY: Final = ("serieskeysonly", "nodata")
"""Details that list series without observations (digex's attributes are all the
observations', so a series of `nodata` has none either: the two are the same message)."""
_ML: Final = ("generic", "structurespecific", "generictimeseries", "structurespecifictimeseries")

_KEYED: dict[int, pd.DataFrame] = {}


def observations(release: ReleaseFigures) -> pd.DataFrame:
    """The release's keyed observations (`keys.keyed`), made once while the release lives."""
    found = _KEYED.get(id(release))
    if found is None:
        found = keyed(release)
        _KEYED[id(release)] = found
        weakref.finalize(release, _KEYED.pop, id(release), None)
    return found


def flow_ref(found: Structures) -> str:
    return f"{found.agency},{ids.DATAFLOW},{ids.VERSION}"


def select(release: ReleaseFigures, found: Structures, query: DataQuery) -> pd.DataFrame:
    """The observations `query` asks for, as a frame of the DSD's columns (no attribute
    columns with detail=dataonly), in key then time order; `NoResults` for an unknown flow
    or when nothing matches."""
    flow = query.flow
    if (
        flow.id != ids.DATAFLOW
        or (flow.agency is not None and flow.agency != found.agency)
        or (flow.version is not None and flow.version != ids.VERSION)
    ):
        asked = ",".join(x or "*" for x in (flow.agency, flow.id, flow.version))
        raise NoResults(
            f"No results found: there is no dataflow {asked}; there is {flow_ref(found)}"
        )
    if query.updated_after is not None:
        published = release.published_at
        if published.tzinfo is None:
            published = published.replace(tzinfo=dt.UTC)
        if published <= query.updated_after:
            raise NoResults(
                f"No results found: release {release.release_id} was published at "
                f"{published.isoformat()}, not after updatedAfter"
            )
    frame = observations(release)
    mask = np.ones(len(frame), dtype=bool)
    for dimension, codes in query.filters().items():
        mask &= frame[dimension].isin(codes).to_numpy()
    if query.start is not None:
        mask &= (frame[START] >= query.start).to_numpy()
    if query.end is not None:
        mask &= (frame[END] <= query.end).to_numpy()
    chosen = _first_and_last(frame[mask], query)
    if query.detail in SERIES_ONLY:  # one row per series, its observations dropped when written
        chosen = chosen.drop_duplicates(list(ids.DIMENSIONS))
    if chosen.empty:
        raise NoResults(f"No results found in release {release.release_id} for this query")
    columns = [c for c in COLUMNS if query.detail == "full" or c not in ids.ATTRIBUTES]
    return chosen[columns].reset_index(drop=True)


def _first_and_last(chosen: pd.DataFrame, query: DataQuery) -> pd.DataFrame:
    """The first and last observations of each series `query` asks (firstNObservations,
    lastNObservations), all when it asks neither."""
    if query.first_n is None and query.last_n is None:
        return chosen
    series = chosen.groupby(list(ids.DIMENSIONS), sort=False, observed=True)
    keep = np.zeros(len(chosen), dtype=bool)
    if query.first_n is not None:
        keep |= (series.cumcount() < query.first_n).to_numpy()
    if query.last_n is not None:
        keep |= (series.cumcount(ascending=False) < query.last_n).to_numpy()
    return chosen[keep]


def data_message(
    release: ReleaseFigures,
    found: Structures,
    frame: pd.DataFrame,
    fmt: DataFormat,
    *,
    dimension_at_observation: str = ids.TIME,
    detail: str = "full",
) -> tuple[bytes, str]:
    """The data message of `frame` (from `select`) in `fmt`, and its Content-Type; with
    `detail` serieskeysonly or nodata, the series without observations (SDMX-ML only:
    `NotImplementedQuery` for another format)."""
    if fmt not in DATA_TYPES:
        raise UsageError(f"data format {fmt!r} is not one of {', '.join(DATA_TYPES)}")
    if detail in SERIES_ONLY:
        if fmt not in _ML:
            raise NotImplementedQuery(
                f"detail={detail} is served in SDMX-ML only (generic or structure-specific "
                "data), not in SDMX-CSV or SDMX-JSON"
            )
        body, kind = data_message(release, found, frame, fmt)
        return _without_observations(body), kind
    if fmt == "json":
        from digex.sdmx.json_data import json_message

        body = json_message(
            release, found, frame, dimension_at_observation=dimension_at_observation
        )
        return body, DATA_TYPES[fmt]
    from pysdmx.io import write_sdmx
    from pysdmx.io.format import Format
    from pysdmx.io.pd import PandasDataset

    from digex.sdmx.structures import header

    formats = {
        "generic": Format.DATA_SDMX_ML_2_1_GEN,
        "structurespecific": Format.DATA_SDMX_ML_2_1_STR,
        "generictimeseries": Format.DATA_SDMX_ML_2_1_GENTS,
        "structurespecifictimeseries": Format.DATA_SDMX_ML_2_1_STRTS,
        "csv1": Format.DATA_SDMX_CSV_1_0_0,
        "csv2": Format.DATA_SDMX_CSV_2_0_0,
    }
    data = _as_text(frame, missing="NaN" if fmt.startswith("csv") else "")
    dataset = PandasDataset(structure=found.schema, data=data)
    options: dict[str, Any] = {}
    if fmt in ("generic", "structurespecific", "generictimeseries", "structurespecifictimeseries"):
        at = ids.TIME if fmt.endswith("timeseries") else dimension_at_observation
        options["header"] = header(found.agency)
        options["dimension_at_observation"] = {dataset.short_urn: at}
    text = write_sdmx(dataset, formats[fmt], **options)
    assert text is not None
    return text.encode("utf-8"), DATA_TYPES[fmt]


def _as_text(frame: pd.DataFrame, missing: str) -> pd.DataFrame:
    """The frame with OBS_VALUE as the shortest decimal text of each double (repr: what reads
    back as the same double) and `missing` where there is no value: nothing in SDMX-ML (the
    observation has no OBS_VALUE), SDMX-CSV's `NaN` for a number intentionally missing (an
    empty cell is no number to sdmx1, and pysdmx would write `#N/A`, its text marker)."""
    out = frame.copy()
    values = out[ids.MEASURE].to_numpy(dtype=float)
    out[ids.MEASURE] = [repr(v) if v == v else missing for v in values.tolist()]
    return out


def _without_observations(body: bytes) -> bytes:
    """An SDMX-ML data message with its series' observations taken out (a series may have
    none: serieskeysonly and nodata), keeping the declaration as pysdmx writes it."""
    from lxml import etree  # type: ignore[import-untyped]

    root = etree.fromstring(body)
    for series in root.iter("{*}Series", "Series"):
        for obs in [c for c in series if etree.QName(c).localname == "Obs"]:
            series.remove(obs)
    declaration, _, _ = body.partition(b"\n")
    rest: bytes = etree.tostring(root, encoding="UTF-8")
    return declaration + b"\n" + rest
