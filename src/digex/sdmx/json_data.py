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
from digex.sdmx.query import ALL_DIMENSIONS

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
    release: ReleaseFigures,
    found: Structures,
    frame: pd.DataFrame,
    *,
    dimension_at_observation: str = ids.TIME,
) -> bytes:
    """The SDMX-JSON 1.0 data message of `frame`: series keyed by every dimension but the
    one at the observation level (`dimension_at_observation`: the time by default, or any
    other dimension), observations by that one; with `AllDimensions`, observations keyed by
    every dimension and no series."""
    every = [*ids.DIMENSIONS, ids.TIME]
    flat = dimension_at_observation == ALL_DIMENSIONS
    at_observation = every if flat else [dimension_at_observation]
    attributes = [a for a in ids.ATTRIBUTES if a in frame.columns]
    codes_of: dict[str, np.ndarray[Any, Any]] = {}
    entries: dict[str, dict[str, Any]] = {}
    for position, d in enumerate(every):
        codes, uniques = pd.factorize(frame[d], sort=True)
        codes_of[d] = codes
        entries[d] = {
            "id": d,
            "name": _concept_name(found, d),
            "keyPosition": position,
            **({"role": "time"} if d == ids.TIME else {}),
            "values": _values(found, d, pd.Index(uniques)),
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

    def key_text(dimensions: list[str]) -> list[str]:
        """Each row's indices into the values of `dimensions`, joined by `:`."""
        text = pd.Series(codes_of[dimensions[0]].astype(str))
        for d in dimensions[1:]:
            text = text + ":" + codes_of[d].astype(str)
        return [str(k) for k in text.tolist()]

    raw = frame[ids.MEASURE].to_numpy(dtype=float)
    values: list[float | None] = [None if v != v else v for v in raw.tolist()]
    attribute_rows = (
        np.column_stack(attribute_codes).tolist() if attribute_codes else [[]] * len(frame)
    )
    data_set: dict[str, Any] = {"action": "Information", "annotations": []}
    observation_keys = key_text(at_observation)
    if flat:
        data_set["observations"] = {
            key: [value, *attrs]
            for key, value, attrs in zip(observation_keys, values, attribute_rows, strict=True)
        }
        levels = {"dataSet": [], "observation": [entries[d] for d in every]}
    else:
        in_series = [d for d in every if d not in at_observation]
        series: dict[str, dict[str, Any]] = {}
        for key, obs, value, attrs in zip(
            key_text(in_series), observation_keys, values, attribute_rows, strict=True
        ):
            entry = series.get(key)
            if entry is None:
                entry = series[key] = {"attributes": [], "observations": {}}
            entry["observations"][obs] = [value, *attrs]
        data_set["series"] = series
        levels = {
            "dataSet": [],
            "series": [entries[d] for d in in_series],
            "observation": [entries[d] for d in at_observation],
        }

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
