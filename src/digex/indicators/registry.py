"""The indicator registry: `data/indicators.toml` read into typed, checked definitions.

An indicator used to be described in five places (its name in the data file, its value in the
engine, its wiring in the suite, its units twice, the periods its status reads in `status`);
a change to one could silently miss another. Everything that concerns an indicator is now read
from here: the suite loops over the registry's families, the targets and jobs tables take their
units, frequencies and cuts from it, the selection and the terminal tables know which units are
money from it, and the SDMX structures take their attributes from it.

The file is checked whole when first read, so a typo (an unknown family, unit, span or cut, a
missing language) is an error at import or test time, not a silently missing figure. Nothing
here imports Ibis or pandas: a cached answer is narrowed and printed without them.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any, Final, Literal, cast, get_args

from digex.indicators.cuts import CUTS
from digex.indicators.options import FREQS
from digex.indicators.status import SPANS, Inputs, Span

Kind = Literal["level", "ratio", "growth", "derived"]
"""A level is a sum or a count; a ratio one level over another; a growth a rate of change
over time; derived the rest (a difference, a contribution, a concentration index)."""
Family = Literal[
    "main",
    "foreign",
    "balance",
    "firm_concentration",
    "partner_concentration",
    "demography",
    "target",
    "jobs",
]
"""Which engine cells an indicator's value is a column of: the suite computes the first six
(one query each), `digex.indicators.targets` the targets and the jobs series."""
KINDS: Final = get_args(Kind)
FAMILIES: Final = get_args(Family)
LANGUAGES: Final = ("ar", "fr", "en")
NATIONAL_CURRENCY: Final = "NC"
"""The unit that stands for the profile's national currency."""
EXTRA_CUTS: Final = ("target",)
"""Cuts that are no breakdown of declarations: a target's rows have the target as member."""
FLOWS: Final = ("X", "M", "N", "_Z")
"""Exports, imports, net (exports minus imports) and none (a series without a flow)."""


class RegistryError(ValueError):
    """The packaged indicator registry is inconsistent: a bug in digex, not a user error."""


@dataclass(frozen=True)
class Unit:
    code: str
    money: bool
    """Rescaled by a unit multiplier (a currency), unlike counts, per cents and indices."""
    label: str
    """How a table writes the unit (`%`, `firms`); a currency keeps its ISO code."""
    sdmx: str
    """The SDMX UNIT_MEASURE code (empty for the national currency: its ISO code)."""


@dataclass(frozen=True)
class Indicator:
    """Everything digex says about one indicator (see the head of `data/indicators.toml`)."""

    id: str
    unit: str
    names: dict[str, str]
    definitions: dict[str, str]
    unit_mult: int = 0
    """Power of ten a table shows the value in (9: billions); files keep units."""
    decimals: int = 1
    """Places a table rounds the shown value to (half up)."""
    kind: Kind = "level"
    family: Family = "main"
    column: str = ""
    """The engine cells' column that holds the value."""
    reads: Inputs = field(default_factory=Inputs)
    """The spans its status is taken from."""
    cuts: tuple[str, ...] = CUTS
    freqs: tuple[str, ...] = FREQS
    flows: tuple[str, ...] = ("X", "M")
    money: bool = False
    """Its unit is a currency (a unit multiplier rescales it)."""
    sdmx_unit: str = ""
    """Its unit's SDMX UNIT_MEASURE code (empty: the national currency's ISO code)."""

    def name(self, lang: str = "en") -> str:
        return self.names.get(lang) or self.names["en"]

    def unit_code(self, national_currency: str) -> str:
        """The unit a tidy row carries: the national currency's ISO code for NC."""
        return national_currency if self.unit == NATIONAL_CURRENCY else self.unit

    def sdmx(self, national_currency: str) -> dict[str, str]:
        """The SDMX attributes of the indicator's observations."""
        return {
            "UNIT_MEASURE": self.sdmx_unit or national_currency,
            "UNIT_MULT": str(self.unit_mult),
            "DECIMALS": str(self.decimals),
        }


@dataclass(frozen=True)
class Registry:
    version: str
    units: dict[str, Unit]
    indicators: dict[str, Indicator]

    def family(self, family: Family, freq: str | None = None) -> list[Indicator]:
        """The family's indicators in the registry's order (those of `freq` when given)."""
        return [
            i
            for i in self.indicators.values()
            if i.family == family and (freq is None or freq in i.freqs)
        ]

    def money_units(self, national_currency: str) -> tuple[str, ...]:
        """The unit codes a unit multiplier rescales, the national currency's first."""
        others = (u.code for u in self.units.values() if u.money and u.code != NATIONAL_CURRENCY)
        return (national_currency, *others)

    def is_money(self, code: str) -> bool:
        """Whether a tidy row's unit is money: a registry unit says so itself; any other code
        is money if it is a currency's ISO code (the national currency's), not if it is some
        other unit a profile names (a target in jobs)."""
        unit = self.units.get(code)
        return unit.money if unit is not None else code in currency_codes()

    def unit_label(self, code: str) -> str:
        unit = self.units.get(code)
        return unit.label if unit is not None and unit.label else code


@cache
def currency_codes() -> frozenset[str]:
    """The ISO 4217 codes of the packaged currency codelist, read with the csv module (PyArrow,
    which `read_codelist` uses, would cost a cached answer half a second)."""
    text = (files("digex") / "data" / "codelists" / "currencies.csv").read_text(encoding="utf-8")
    return frozenset(row["code"] for row in csv.DictReader(io.StringIO(text)))


@cache
def registry() -> Registry:
    text = (files("digex") / "data" / "indicators.toml").read_text(encoding="utf-8")
    return parse(tomllib.loads(text))


def parse(data: Mapping[str, Any]) -> Registry:
    """The registry from the data file's tables, checked whole (`RegistryError` names the
    indicator and the key at fault)."""
    units = {code: _unit(code, u) for code, u in dict(data.get("units", {})).items()}
    if NATIONAL_CURRENCY not in units:
        raise RegistryError(f"the registry's [units] lack {NATIONAL_CURRENCY}")
    indicators = {
        key: _indicator(key, v, units)
        for key, v in data.items()
        if isinstance(v, dict) and key != "units"
    }
    for i in indicators.values():
        # the suite tells a foreign-currency indicator's rows apart by its unit
        if i.family == "foreign" and (not i.money or i.unit == NATIONAL_CURRENCY):
            raise RegistryError(f"{i.id}: a foreign family's unit is a foreign currency")
    return Registry(str(data.get("version", "")), units, indicators)


def _unit(code: str, u: Mapping[str, Any]) -> Unit:
    return Unit(code, bool(u["money"]), str(u.get("label", "")), str(u.get("sdmx", "")))


def _choice(key: str, name: str, value: object, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise RegistryError(f"{key}: {name} {value!r} is not one of {', '.join(allowed)}")
    return str(value)


def _choices(key: str, name: str, values: object, allowed: tuple[str, ...]) -> tuple[str, ...]:
    if not isinstance(values, list) or not values:
        raise RegistryError(f"{key}: {name} must be a non-empty list")
    return tuple(_choice(key, name, v, allowed) for v in values)


def _indicator(key: str, v: Mapping[str, Any], units: Mapping[str, Unit]) -> Indicator:
    if not re.fullmatch(r"[A-Z][A-Z0-9_]*", key):
        raise RegistryError(f"{key!r}: an indicator id is upper-case letters, digits and _")
    unit = _choice(key, "unit", v.get("unit"), tuple(units))
    for text in ("name", "definition"):
        missing = [lang for lang in LANGUAGES if not dict(v.get(text, {})).get(lang)]
        if missing:
            raise RegistryError(f"{key}: no {text} in {', '.join(missing)}")
    column = v.get("column")
    if not isinstance(column, str) or not column:
        raise RegistryError(f"{key}: no engine column")
    reads = dict(v.get("reads", {}))
    spans = cast(tuple[str, ...], SPANS)
    own = _choices(key, "reads.own", reads.get("own", ["own"]), spans)
    base = tuple(_choice(key, "reads.base", s, spans) for s in reads.get("base", []))
    return Indicator(
        id=key,
        unit=unit,
        names=dict(v["name"]),
        definitions=dict(v["definition"]),
        unit_mult=int(v["unit_mult"]),
        decimals=int(v["decimals"]),
        kind=cast(Kind, _choice(key, "kind", v.get("kind"), KINDS)),
        family=cast(Family, _choice(key, "family", v.get("family"), FAMILIES)),
        column=column,
        reads=Inputs(cast(tuple[Span, ...], own), cast(tuple[Span, ...], base)),
        cuts=_choices(key, "cuts", v.get("cuts"), (*CUTS, *EXTRA_CUTS)),
        freqs=_choices(key, "freqs", v.get("freqs"), FREQS),
        flows=_choices(key, "flows", v.get("flows"), FLOWS),
        money=units[unit].money,
        sdmx_unit=units[unit].sdmx,
    )


def definitions() -> dict[str, Indicator]:
    """Every indicator by id, in the registry's order."""
    return registry().indicators


def unit_of(indicator: str, national_currency: str) -> str:
    return registry().indicators[indicator].unit_code(national_currency)
