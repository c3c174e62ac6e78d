"""Content negotiation: the format each Accept header (or format=) of SDMX.md's table gets."""

from __future__ import annotations

import pytest

from digex.errors import QueryError
from digex.sdmx.data import DATA_TYPES
from digex.sdmx.media import data_format, structure_format
from digex.sdmx.structures import STRUCTURE_TYPES


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        (None, "generic"),
        ("", "generic"),
        ("*/*", "generic"),
        ("application/xml", "generic"),
        ("text/xml", "generic"),
        ("application/vnd.sdmx.genericdata+xml;version=2.1", "generic"),
        ("application/vnd.sdmx.structurespecificdata+xml;version=2.1", "structurespecific"),
        ("application/vnd.sdmx.structurespecificdata+xml", "structurespecific"),
        (
            "application/vnd.sdmx.structurespecifictimeseriesdata+xml;version=2.1",
            "structurespecifictimeseries",
        ),
        ("application/vnd.sdmx.generictimeseriesdata+xml", "generictimeseries"),
        ("application/vnd.sdmx.data+csv;version=1.0.0", "csv1"),
        ("application/vnd.sdmx.data+csv", "csv1"),
        ("application/vnd.sdmx.data+csv; version=2.0.0", "csv2"),
        ("application/vnd.sdmx.data+json;version=1.0.0", "json"),
        ("application/vnd.sdmx.data+json;version=1.0.0, */*;q=0.1", "json"),
        ("text/html;q=0.9, application/vnd.sdmx.data+csv;version=2.0.0", "csv2"),
        (
            "application/vnd.sdmx.data+csv;version=2.0.0;q=0.5, application/vnd.sdmx.data+json",
            "json",
        ),
        ("application/vnd.sdmx.data+json;version=2.0.0", None),
        ("text/csv", None),
        ("application/json", None),
        ("text/html", None),
        ("application/vnd.sdmx.data+csv;version=2.0.0;q=0", None),
    ],
)
def test_data_accept(accept: str | None, fmt: str | None) -> None:
    assert data_format(accept) == fmt


def test_the_content_types_are_sdmx_md_s() -> None:
    assert DATA_TYPES["generic"] == "application/vnd.sdmx.genericdata+xml; version=2.1"
    assert DATA_TYPES["csv2"] == "application/vnd.sdmx.data+csv; version=2.0.0"
    assert DATA_TYPES["json"] == "application/vnd.sdmx.data+json; version=1.0.0"
    assert STRUCTURE_TYPES["xml"] == "application/vnd.sdmx.structure+xml; version=2.1"
    for fmt, content_type in DATA_TYPES.items():
        assert data_format(content_type) == fmt  # an answer's type, asked back, gives it


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        (None, "xml"),
        ("*/*", "xml"),
        ("application/xml", "xml"),
        ("application/vnd.sdmx.structure+xml;version=2.1", "xml"),
        ("application/vnd.sdmx.structure+json;version=2.0.0", "json"),
        ("application/vnd.sdmx.structure+json;version=1.0.0", None),
        ("application/json", None),
    ],
)
def test_structure_accept(accept: str | None, fmt: str | None) -> None:
    assert structure_format(accept) == fmt


def test_the_format_parameter_comes_before_accept() -> None:
    assert data_format("application/vnd.sdmx.data+json", "csvfile") == "csv1"
    assert data_format(None, "structurespecificdata") == "structurespecific"
    assert data_format(None, "JSONDATA") == "json"
    assert structure_format("text/html", "json") == "json"
    with pytest.raises(QueryError, match="format=xlsx is not one of"):
        data_format(None, "xlsx")


def test_sdmx1_has_a_parser_for_every_content_type() -> None:
    """The Content-Type is how sdmx1 chooses its parser: each of ours names one."""
    import requests
    from sdmx.reader import get_reader

    from digex.sdmx.errors import ERROR_TYPE

    expected = {"csv1": "csv", "csv2": "csv", "json": "json"}
    for fmt, content_type in DATA_TYPES.items():
        response = requests.Response()
        response.headers["content-type"] = content_type
        assert get_reader(response).__module__ == f"sdmx.reader.{expected.get(fmt, 'xml')}", fmt
    for content_type in (STRUCTURE_TYPES["xml"], ERROR_TYPE):
        response = requests.Response()
        response.headers["content-type"] = content_type
        assert get_reader(response).__module__ == "sdmx.reader.xml"
