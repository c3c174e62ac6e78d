"""Auxiliary aggregate series: a figure by year that is not a sum of the declarations.

A country may publish a series on another definition than the declarations measure, e.g.
Morocco's older series on three segments, which put 2023 at 17.9 bn MAD where the five-segment
perimeter gives 26.17 bn. It is not a sum of today's segments (the perimeters differ), so it
cannot be derived: it enters as a small file by year (`digex load --series FILE`, columns
series, year, value), like the jobs file, and stays queryable beside the main series as the
registry's `series` family: SERIES_LEVEL and SERIES_GROWTH, annual, in the total cut, with
the series' id as the member, so that a table always says which series a figure is of.

The profile declares each series (`[[series]]`: id, flow, unit, names and perimeter in every
language): a file may only hold declared series, whose unit says how their values are stored
(money in the national currency's minor units, exactly; a count as a whole number). Growth
is computed within one series only, between two years it holds: never from a year of one
series to a year of another, and never into a year the series does not cover.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from digex.codelists import LANGUAGES
from digex.errors import ProfileError

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pandas as pd

    from digex.indicators.engine import Engine
    from digex.indicators.registry import Registry
    from digex.profile import CountryProfile

RESERVED: Final = frozenset({"JOBS"})
"""Series ids the auxiliary table already uses for another file (the jobs file's)."""
FLOWS: Final = ("X", "M", "_Z")
KEYS: Final = frozenset({"id", "flow", "unit", "name", "perimeter"})
COUNTS: Final = ("FIRMS", "JOBS")
"""The registry's units a series may be in beside the national currency: counts, whole and
never negative, as a series file's values are read. Another currency, a per cent or an index
would need decimals and a sign of their own, which series files do not carry."""


def _profile_error(text: str) -> ProfileError:
    """A profile's mistake: its message names the file's keys (`flow`, `indicators`), which
    are no parameters for an edge to rename (the command line's --flow, --indicator)."""
    return ProfileError(text).naming()


@dataclass(frozen=True)
class AuxSeries:
    """One auxiliary aggregate series, as the country profile declares it."""

    id: str
    flow: str
    unit: str
    """The national currency's ISO code (money) or a count of the registry (`COUNTS`)."""
    names: Mapping[str, str] = field(hash=False)
    perimeter: Mapping[str, str] = field(hash=False)
    """What the series covers, in every language: the difference with the main series."""

    def name(self, lang: str = "en") -> str:
        return self.names.get(lang) or self.names["en"]


def parse_series(
    table: Mapping[str, Any], national_currency: str, source: str
) -> tuple[AuxSeries, ...]:
    """The `[[series]]` entries of a profile (none is fine), checked whole."""
    items = table.get("series", [])
    if not isinstance(items, list):
        raise _profile_error(f"{source}: `series` must be an array of tables ([[series]])")
    units = (national_currency, *COUNTS)
    found = []
    for n, item in enumerate(items, 1):
        where = f"{source}: series #{n}"
        if not isinstance(item, Mapping):
            raise _profile_error(f"{where}: each [[series]] is a table")
        ident = item.get("id")
        if not isinstance(ident, str) or not re.fullmatch(r"[A-Z][A-Z0-9_]{0,39}", ident):
            raise _profile_error(
                f"{where}: `id` must be upper-case letters, digits and _ (e.g. EXPORTS_3SEG)"
            )
        where = f"{source}: series {ident!r}"
        if ident in RESERVED:
            raise _profile_error(f"{where}: the id is reserved ({', '.join(sorted(RESERVED))})")
        unknown = sorted(set(item) - KEYS)
        if unknown:
            raise _profile_error(f"{where}: unknown keys {unknown}; use {sorted(KEYS)}")
        flow = item.get("flow", "X")
        if flow not in FLOWS:
            raise _profile_error(f"{where}: `flow` must be one of {', '.join(FLOWS)}, not {flow!r}")
        unit = item.get("unit", national_currency)
        if unit not in units:
            raise _profile_error(
                f"{where}: `unit` {unit!r} is not one a series can be in; use "
                f"{', '.join(units)} (the national currency, or a count)"
            )
        names, perimeter = _texts(item, "name", where), _texts(item, "perimeter", where)
        found.append(AuxSeries(ident, flow, unit, names, perimeter))
    ids = [s.id for s in found]
    if len(set(ids)) < len(ids):
        raise _profile_error(f"{source}: each series id appears once, not {ids}")
    return tuple(found)


def _texts(item: Mapping[str, Any], key: str, where: str) -> dict[str, str]:
    text = item.get(key)
    missing = [
        lang
        for lang in LANGUAGES
        if not isinstance(text, Mapping) or not str(text.get(lang, "")).strip()
    ]
    if missing:
        raise _profile_error(f"{where}: `{key}` needs a text in {', '.join(missing)}")
    assert isinstance(text, Mapping)
    return {str(lang): str(t) for lang, t in text.items()}


def decimals(series: AuxSeries, national_currency: str, minor_units: int) -> int:
    """Decimals a value of the series may have, and the power of ten it is stored at: the
    national currency's minor units for money in it, none for a count."""
    return minor_units if series.unit == national_currency else 0


def series_rows(engine: Engine, ids: Collection[str]) -> pd.DataFrame:
    """The stored values (series, year, value in stored units) of the series `ids`."""
    import pandas as pd

    table = engine.sources.auxiliary
    # a store always has the view; another backend's tables may lack it
    if not ids or (engine.sources.connection is None and table not in engine.backend.list_tables()):
        return pd.DataFrame(columns=pd.Index(["series", "year", "value"]))
    chosen = list(ids)
    described = {"series": json.dumps(chosen)}
    return engine.frame("series_rows", series_query(chosen), described=described)


def series_query(ids: list[str]) -> Callable[[Engine], ir.Table]:
    """The query of `series_rows` for the series `ids` (compiled once on DuckDB)."""

    def build(engine: Engine) -> ir.Table:
        aux = engine.table(engine.sources.auxiliary)
        return aux.filter(aux.series.isin(ids) & (aux.segment == "_T")).select(
            "series", "year", "value"
        )

    return build


def series_indicators(
    engine: Engine,
    profile: CountryProfile,
    years: Collection[int] | None = None,
    definitions: Registry | None = None,
) -> pd.DataFrame:
    """SERIES_LEVEL of each declared series for each year it holds, and SERIES_GROWTH where
    it also holds the year before; only for `years` when given, the family as the registry
    `definitions` says (the installed one if None)."""
    import pandas as pd

    from digex.indicators.suite import COLUMNS
    from digex.indicators.targets import tidy_rows

    declared = {s.id: s for s in profile.series}
    frame = series_rows(engine, declared)
    if frame.empty:
        return pd.DataFrame(columns=COLUMNS)
    nc = profile.national_currency
    frame = frame.sort_values(["series", "year"], ignore_index=True)
    scale = frame["series"].map(
        {k: 10 ** decimals(s, nc, profile.minor_units) for k, s in declared.items()}
    )
    level = frame["value"].astype("float64") / scale.astype("float64")
    year = frame["year"].astype("int64")
    before = frame.assign(year=year + 1, previous=level)[["series", "year", "previous"]]
    previous = frame.assign(year=year)[["series", "year"]].merge(
        before, on=["series", "year"], how="left"
    )["previous"]
    growth = (level / previous - 1) * 100
    cells = pd.DataFrame(
        {
            "period": year.astype(str),
            "cut": "total",
            "member": frame["series"].astype(str),
            "flow": frame["series"].map({k: s.flow for k, s in declared.items()}),
            "level": level,
            "growth": growth.where(previous.notna() & (previous != 0)),
        }
    )
    if years is not None:
        cells = cells[year.isin(set(years))]
    rows = tidy_rows("series", cells, nc, definitions=definitions)
    units = {k: s.unit for k, s in declared.items()}
    level_rows = rows["indicator"] == "SERIES_LEVEL"
    rows.loc[level_rows, "unit"] = rows.loc[level_rows, "member"].map(units)
    return rows
