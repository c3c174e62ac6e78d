"""Content negotiation for SDMX answers: which data or structure format an Accept header (or
a `format=` query parameter, for browsers and spreadsheets) asks for.

The Content-Type of the answer is how sdmx1 picks its parser, so each format has exactly one
(`data.DATA_TYPES`, `structures.STRUCTURE_TYPES`). No Accept, `*/*` and plain XML get
generic data (self-describing: a client reads it without the DSD) and SDMX-ML structures. A
media type with a version digex does not write is not acceptable; None means 406.
"""

from __future__ import annotations

from typing import Final, cast

from digex.errors import QueryError
from digex.sdmx.data import DataFormat
from digex.sdmx.structures import StructureFormat

_SDMX: Final = "application/vnd.sdmx."
_DATA: Final[dict[tuple[str, str | None], str]] = {
    (f"{_SDMX}genericdata+xml", "2.1"): "generic",
    (f"{_SDMX}structurespecificdata+xml", "2.1"): "structurespecific",
    (f"{_SDMX}generictimeseriesdata+xml", "2.1"): "generictimeseries",
    (f"{_SDMX}structurespecifictimeseriesdata+xml", "2.1"): "structurespecifictimeseries",
    (f"{_SDMX}data+csv", "1.0.0"): "csv1",
    (f"{_SDMX}data+csv", "2.0.0"): "csv2",
    (f"{_SDMX}data+json", "1.0.0"): "json",
}
"""(media type, version) -> data format; a type given without a version is the first one."""
_STRUCTURE: Final[dict[tuple[str, str | None], str]] = {
    (f"{_SDMX}structure+xml", "2.1"): "xml",
    (f"{_SDMX}structure+json", "2.0.0"): "json",
}
_PLAIN: Final = ("*/*", "application/*", "application/xml", "text/xml", "text/*")

DATA_PARAMETER: Final[dict[str, str]] = {
    "genericdata": "generic",
    "structurespecificdata": "structurespecific",
    "generictimeseriesdata": "generictimeseries",
    "structurespecifictimeseriesdata": "structurespecifictimeseries",
    "csv": "csv1",
    "csvfile": "csv1",
    "csv2": "csv2",
    "jsondata": "json",
    "json": "json",
}
"""`format=` values for data (.Stat's names, and short ones)."""
STRUCTURE_PARAMETER: Final[dict[str, str]] = {"structure": "xml", "xml": "xml", "json": "json"}


def _ranges(accept: str) -> list[tuple[float, int, str, str | None]]:
    """The media ranges of an Accept header as (quality, position, type, version)."""
    found = []
    for position, part in enumerate(accept.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if not media:
            continue
        quality, version = 1.0, None
        for piece in pieces[1:]:
            name, _, value = piece.partition("=")
            name, value = name.strip().lower(), value.strip().strip('"')
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
            elif name == "version":
                version = value
        if quality > 0:
            found.append((quality, position, media, version))
    return sorted(found, key=lambda r: (-r[0], r[1]))


def _negotiate(
    accept: str | None, table: dict[tuple[str, str | None], str], plain: str
) -> str | None:
    if accept is None or not accept.strip():
        return plain
    for _, _, media, version in _ranges(accept):
        if media in _PLAIN:
            return plain
        for (known, known_version), fmt in table.items():
            if media == known and version in (None, known_version):
                return fmt
    return None


def _parameter(given: str, table: dict[str, str]) -> str:
    found = table.get(given.strip().lower())
    if found is None:
        raise QueryError(f"format={given} is not one of {', '.join(table)}").naming(format=given)
    return found


def data_format(accept: str | None, parameter: str | None = None) -> DataFormat | None:
    """The data format asked for (`format=` before Accept), None when none is acceptable."""
    if parameter:
        return cast(DataFormat, _parameter(parameter, DATA_PARAMETER))
    return cast(DataFormat | None, _negotiate(accept, _DATA, "generic"))


def structure_format(accept: str | None, parameter: str | None = None) -> StructureFormat | None:
    """The structure format asked for (`format=` before Accept), None when none is."""
    if parameter:
        return cast(StructureFormat, _parameter(parameter, STRUCTURE_PARAMETER))
    return cast(StructureFormat | None, _negotiate(accept, _STRUCTURE, "xml"))
