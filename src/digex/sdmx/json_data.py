"""SDMX-JSON 1.0 data messages (the `header` / `structure` / `dataSets` layout the ECB and
the OECD serve, and the one JSON data layout sdmx1 reads), written here: pysdmx writes none.

Every dimension and attribute lists the values the message uses; a series' key and an
observation's attributes are indices into those lists (what `pandas.factorize` gives, per
column, in one pass). A confidential observation is `[null, ...]` with its CONF_STATUS C.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from digex.sdmx import ids

if TYPE_CHECKING:
    from digex.publish.figures import ReleaseFigures
    from digex.sdmx.structures import Structures


def _values(found: Structures, component: str, codes: pd.Index) -> list[dict[str, str]]:
    """The values' entries of a component: id and English name (the code's, else the id)."""
    known = found.lists.get(component)
    names = {c.id: c.names["en"] for c in known.codes} if known is not None else {}
    return [{"id": str(c), "name": names.get(str(c), str(c))} for c in codes]


def _concept_name(found: Structures, component: str) -> str:
    for concept in found.concepts.items:
        if concept.id == component:
            return str(concept.name)
    return component


def json_message(
    release: ReleaseFigures, found: Structures, frame: pd.DataFrame, *, flat: bool = False
) -> bytes:
    """The SDMX-JSON 1.0 data message of `frame`: series keyed by every dimension but the
    time, observations by the time; with `flat` (dimensionAtObservation=AllDimensions),
    observations keyed by every dimension and no series."""
    series_dims = list(ids.DIMENSIONS)
    attributes = [a for a in ids.ATTRIBUTES if a in frame.columns]
    series_codes: list[np.ndarray[Any, Any]] = []
    dimensions = []
    for position, d in enumerate(series_dims):
        codes, uniques = pd.factorize(frame[d], sort=True)
        series_codes.append(codes)
        dimensions.append(
            {
                "id": d,
                "name": _concept_name(found, d),
                "keyPosition": position,
                "values": _values(found, d, pd.Index(uniques)),
            }
        )
    time_codes, times = pd.factorize(frame[ids.TIME], sort=True)
    time_dimension = {
        "id": ids.TIME,
        "name": _concept_name(found, ids.TIME),
        "keyPosition": len(series_dims),
        "role": "time",
        "values": [{"id": str(t), "name": str(t)} for t in times],
    }
    attribute_codes = []
    attribute_entries = []
    for a in attributes:
        codes, uniques = pd.factorize(frame[a], sort=True)
        attribute_codes.append(codes)
        attribute_entries.append(
            {
                "id": a,
                "name": _concept_name(found, a),
                "values": _values(found, a, pd.Index(uniques)),
            }
        )

    key_text = pd.Series(series_codes[0].astype(str))
    for codes in series_codes[1:]:
        key_text = key_text + ":" + codes.astype(str)
    raw = frame[ids.MEASURE].to_numpy(dtype=float)
    values: list[float | None] = [None if v != v else v for v in raw.tolist()]
    attribute_rows = (
        np.column_stack(attribute_codes).tolist() if attribute_codes else [[]] * len(frame)
    )
    series: dict[str, dict[str, Any]] = {}
    flat_observations: dict[str, list[Any]] = {}
    for key, t, value, attrs in zip(
        key_text.tolist(), time_codes.tolist(), values, attribute_rows, strict=True
    ):
        if flat:
            flat_observations[f"{key}:{t}"] = [value, *attrs]
            continue
        entry = series.get(key)
        if entry is None:
            entry = series[key] = {"attributes": [], "observations": {}}
        entry["observations"][str(t)] = [value, *attrs]
    data_set: dict[str, Any] = {"action": "Information", "annotations": []}
    if flat:
        data_set["observations"] = flat_observations
        levels = {"dataSet": [], "observation": [*dimensions, time_dimension]}
    else:
        data_set["series"] = series
        levels = {"dataSet": [], "series": dimensions, "observation": [time_dimension]}

    prepared = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    message = {
        "header": {
            "id": f"IREF{uuid.uuid4().hex[:12]}",
            "test": False,
            "prepared": prepared,
            "sender": {"id": found.agency},
        },
        "dataSets": [data_set],
        "structure": {
            "links": [{"rel": "dataflow", "urn": found.dataflow.urn}],
            "name": found.dataflow.name,
            "description": f"release {release.release_id}",
            "dimensions": levels,
            "attributes": {"dataSet": [], "series": [], "observation": attribute_entries},
        },
    }
    return json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
