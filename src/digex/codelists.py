"""The codelists digex ships: segments, EBOPS categories, flows, countries, regions, currencies.

They are versioned data files (``digex/data/codelists/*.csv`` and ``manifest.toml``), not code,
so a statistician can edit them. Every column is read as text, so that codes such as Namibia's
``NA`` are never taken for a missing value and empty cells stay empty strings; the only typed
columns are ``minor_units`` (int) and ``default_for_segment`` (bool).
"""

from __future__ import annotations

import csv
import io
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import TYPE_CHECKING

from digex.errors import CodelistNotFound

if TYPE_CHECKING:
    import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]

__all__ = [
    "CODELIST_NAMES",
    "LANGUAGES",
    "Segment",
    "codelist_rows",
    "codelists_version",
    "currency_minor_units",
    "read_codelist",
    "segments",
]

CODELIST_NAMES = ("segments", "ebops", "flows", "countries", "regions", "currencies")
LANGUAGES = ("ar", "fr", "en")

_INT_COLUMNS = frozenset({"minor_units"})
_BOOL_COLUMNS = frozenset({"default_for_segment"})
_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no", ""})


def _folder() -> Traversable:
    return files("digex") / "data" / "codelists"


def _typed(table: pa.Table, name: str) -> pa.Table:
    """Convert the few non-text columns, failing clearly on a hand-edit that broke them."""
    import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
    import pyarrow.compute as pc  # type: ignore[import-untyped, unused-ignore]

    for index, column in enumerate(table.column_names):
        values = table.column(index)
        if column in _INT_COLUMNS:
            values = values.cast(pa.int32())
        elif column in _BOOL_COLUMNS:
            lowered = {str(v).strip().lower() for v in values.to_pylist()}
            unknown = lowered - _TRUE - _FALSE
            if unknown:
                raise ValueError(
                    f"codelist {name!r}: column {column!r} must hold true or false, "
                    f"found {sorted(unknown)}; fix {name}.csv"
                )
            values = pc.is_in(pc.utf8_lower(pc.utf8_trim_whitespace(values)), pa.array(_TRUE))
        else:
            continue
        table = table.set_column(index, column, values)
    return table


@cache
def read_codelist(name: str) -> pa.Table:
    """Read one packaged codelist (see ``CODELIST_NAMES``) as a pyarrow Table of strings.

    Raises ``CodelistNotFound`` for a name digex does not ship. PyArrow is imported here, not
    with the module: reading the codelists' version (the indicator cache's key) must not cost
    PyArrow's half a second of import.
    """
    import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
    import pyarrow.csv as pacsv  # type: ignore[import-untyped, unused-ignore]

    if name not in CODELIST_NAMES:
        raise CodelistNotFound(
            f"unknown codelist {name!r}; the codelists are: {', '.join(CODELIST_NAMES)}"
        )
    data = (_folder() / f"{name}.csv").read_bytes()
    header = next(csv.reader(io.StringIO(data.decode("utf-8-sig").split("\n", 1)[0])))
    table = pacsv.read_csv(
        pa.BufferReader(data),
        read_options=pacsv.ReadOptions(encoding="utf8"),
        convert_options=pacsv.ConvertOptions(
            column_types={column: pa.string() for column in header},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    return _typed(table, name)


@cache
def codelist_rows(name: str) -> tuple[dict[str, str], ...]:
    """One packaged codelist's rows as text (column -> value, empty cells ""), read with the
    standard library: a load needs only a few codes of four lists, and reading them with
    PyArrow cost it the import of PyArrow and, once handed to DuckDB, of pandas (0.6 CPU s of
    a `digex load --no-indicators`)."""
    if name not in CODELIST_NAMES:
        raise CodelistNotFound(
            f"unknown codelist {name!r}; the codelists are: {', '.join(CODELIST_NAMES)}"
        )
    text = (_folder() / f"{name}.csv").read_text(encoding="utf-8-sig")
    return tuple(dict(row) for row in csv.DictReader(io.StringIO(text)))


@cache
def codelists_version() -> str:
    """The version of the shipped codelists, from ``manifest.toml`` (e.g. ``"2026.1"``)."""
    manifest = tomllib.loads((_folder() / "manifest.toml").read_text(encoding="utf-8"))
    version = manifest.get("version")
    if not isinstance(version, str) or not version:
        raise ValueError("codelists manifest.toml has no 'version' string; add version = \"...\"")
    return version


@cache
def currency_minor_units() -> dict[str, int]:
    """Each currency's minor units (its decimals: 2 for MAD, 3 for TND), read with the standard
    library: every command needs its national currency's, most need nothing else from the
    codelists, and PyArrow would add half a second to them."""
    text = (_folder() / "currencies.csv").read_text(encoding="utf-8-sig")
    return {row["code"]: int(row["minor_units"]) for row in csv.DictReader(io.StringIO(text))}


@dataclass(frozen=True)
class Segment:
    """One activity segment of the sector, with its names and descriptions by language."""

    code: str
    names: dict[str, str] = field(hash=False)
    descriptions: dict[str, str] = field(hash=False)

    def name(self, lang: str = "en") -> str:
        """The segment's name in ``lang`` (``ar``, ``fr`` or ``en``)."""
        return self.names[lang]


def segments() -> tuple[Segment, ...]:
    """The sector's segments in the codelist's order (ITO, CRM, ESO, BPO, KPO)."""
    return tuple(
        Segment(
            code=row["code"],
            names={lang: row[f"name_{lang}"] for lang in LANGUAGES},
            descriptions={lang: row[f"description_{lang}"] for lang in LANGUAGES},
        )
        for row in read_codelist("segments").to_pylist()
    )
