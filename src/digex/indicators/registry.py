"""The indicator registry: `data/indicators.toml` read into typed, checked definitions.

An indicator used to be described in five places (its name in the data file, its value in the
engine, its wiring in the suite, its units twice, the periods its status reads in `status`);
a change to one could silently miss another. Everything that concerns an indicator is now read
from here: the suite loops over the registry's families, the targets and jobs tables take their
units, frequencies and cuts from it, the selection and the terminal tables know which units are
money from it, and the SDMX structures take their attributes from it.

The file is checked whole when first read, so a typo (an unknown key, family, unit, span or
cut, a missing language, a number written as text) is a `RegistryError` naming the indicator
and the key, at import or test time, not a silently missing figure or a bare KeyError. What
it hands out is immutable (read-only mappings, tuples): the registry is cached, and a caller
changing it would change it for every later caller. Nothing here imports Ibis or pandas: a
cached answer is narrowed and printed without them.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from types import MappingProxyType
from typing import Any, Final, Literal, TypeGuard, TypeVar, get_args

from digex.codelists import LANGUAGES
from digex.errors import RegistryError as RegistryError
from digex.errors import UnknownIndicator
from digex.indicators.cuts import ALL_CUTS
from digex.indicators.options import FREQS
from digex.indicators.status import SPANS, Inputs, Span

Kind = Literal["level", "ratio", "growth", "derived"]
"""A level is a sum or a count; a ratio one level over another; a growth a rate of change
over time; derived the rest (a difference, a contribution, a concentration index)."""
KINDS: Final = get_args(Kind)
FAMILIES: Final = (
    "main",
    "foreign",
    "balance",
    "firm_concentration",
    "partner_concentration",
    "demography",
    "target",
    "jobs",
    "series",
)
"""Which engine cells an indicator's value is a column of: `digex.indicators.suite.CELLS`
says how the suite computes each of its families, `digex.indicators.targets` computes the
targets and the jobs series, `digex.indicators.auxiliary` the auxiliary aggregate series (a
test checks that every family is computed by one of them)."""
NATIONAL_CURRENCY: Final = "NC"
"""The unit that stands for the profile's national currency."""
EXTRA_CUTS: Final = ("target",)
"""Cuts that are no breakdown of declarations: a target's rows have the target as member."""
FLOWS: Final = ("X", "M", "N", "_Z")
"""Exports, imports, net (exports minus imports) and none (a series without a flow)."""
UNIT_KEYS: Final = frozenset({"money", "label", "sdmx", "display_mult", "display_decimals"})
INDICATOR_KEYS: Final = frozenset(
    {
        "kind",
        "family",
        "column",
        "reads",
        "cuts",
        "freqs",
        "flows",
        "unit",
        "display_mult",
        "display_decimals",
        "name",
        "definition",
    }
)
"""Every key an entry may have; any other is a typo (`read` for `reads`) and refused."""
_OPTIONAL: Final = frozenset({"reads"})

T = TypeVar("T")


@dataclass(frozen=True)
class Unit:
    code: str
    money: bool
    """Rescaled by a unit multiplier (a currency), unlike counts, per cents and indices."""
    label: str
    """How a table writes the unit (`%`, `firms`); a currency keeps its ISO code."""
    sdmx: str
    """The SDMX UNIT_MEASURE code (empty for the national currency: its ISO code)."""
    display_mult: int
    """How a table shows a row in this unit that its indicator does not normally have (a
    target in jobs): in 10^display_mult units..."""
    display_decimals: int
    """... rounded half up to this many places (a count: none)."""


@dataclass(frozen=True)
class Indicator:
    """Everything digex says about one indicator (see the head of `data/indicators.toml`).

    `display_mult` and `display_decimals` are presentation only: a table shows the value in
    10^display_mult units rounded to display_decimals places. A tidy row (and every file and
    SDMX observation made from it) carries its own `unit_mult` (0: unscaled), never these.
    """

    id: str
    unit: str
    names: Mapping[str, str] = field(hash=False)
    definitions: Mapping[str, str] = field(hash=False)
    display_mult: int
    """Power of ten a table shows the value in (9: billions); files keep units."""
    display_decimals: int
    """Places a table rounds the shown value to (half up)."""
    kind: Kind
    family: str
    column: str
    """The engine cells' column that holds the value."""
    reads: Inputs
    """The spans its status is taken from."""
    cuts: tuple[str, ...]
    freqs: tuple[str, ...]
    flows: tuple[str, ...]
    money: bool
    """Its unit is a currency (a unit multiplier rescales it)."""
    sdmx_unit: str
    """Its unit's SDMX UNIT_MEASURE code (empty: the national currency's ISO code)."""

    def name(self, lang: str = "en") -> str:
        return self.names.get(lang) or self.names["en"]

    def unit_code(self, national_currency: str) -> str:
        """The unit a tidy row carries: the national currency's ISO code for NC."""
        return national_currency if self.unit == NATIONAL_CURRENCY else self.unit


@dataclass(frozen=True)
class Registry:
    version: str
    units: Mapping[str, Unit]
    indicators: Mapping[str, Indicator]

    def indicator(self, indicator: str) -> Indicator:
        """The entry of `indicator`; `UnknownIndicator` (a usage error) when there is none."""
        found = self.indicators.get(indicator)
        if found is None:
            raise UnknownIndicator(
                f"unknown indicator {indicator!r}; the registry has {', '.join(self.indicators)}"
            )
        return found

    def family(self, family: str, freq: str | None = None) -> tuple[Indicator, ...]:
        """The family's indicators in the registry's order (those of `freq` when given)."""
        return tuple(
            i
            for i in self.indicators.values()
            if i.family == family and (freq is None or freq in i.freqs)
        )

    def money_units(self, national_currency: str) -> tuple[str, ...]:
        """The unit codes a unit multiplier rescales, the national currency's first."""
        others = (u.code for u in self.units.values() if u.money and u.code != NATIONAL_CURRENCY)
        return (national_currency, *others)

    def presentation(self, indicator: str, unit: str) -> tuple[int, int]:
        """(display_mult, display_decimals) of a row of `indicator` in `unit`: the indicator's,
        unless the row carries a registry unit other than the indicator's own (a jobs target's
        level is in JOBS, not in the national currency): then that unit's."""
        i = self.indicator(indicator)
        other = self.units.get(unit) if unit != i.unit else None
        if other is not None and other.code != NATIONAL_CURRENCY:
            return other.display_mult, other.display_decimals
        return i.display_mult, i.display_decimals

    def sdmx(self, indicator: str, unit: str, unit_mult: int) -> dict[str, str]:
        """The SDMX attributes of an observation: a tidy row of `indicator` carrying `unit`
        (the national currency's ISO code, a registry unit such as USD or JOBS) and
        `unit_mult` (0 unless a unit multiplier was asked for).

        UNIT_MULT is the row's, the power of ten its value is in: an SDMX client multiplies by
        10^UNIT_MULT, so the presentation's power (9 for money) would make a value in units a
        billion times too large. DECIMALS is the presentation's precision at the row's power
        (3 decimals of billions are none of units; never below 0): how precisely the figure is
        published, never a scale.
        """
        mult, decimals = self.presentation(indicator, unit)
        known = self.units.get(unit)
        return {
            "UNIT_MEASURE": known.sdmx if known is not None and known.sdmx else unit,
            "UNIT_MULT": str(unit_mult),
            "DECIMALS": str(max(0, decimals - (mult - unit_mult))),
        }

    def unit_label(self, code: str) -> str:
        unit = self.units.get(code)
        return unit.label if unit is not None and unit.label else code


@cache
def registry() -> Registry:
    """The installed registry (the package's data/indicators.toml)."""
    text = (files("digex") / "data" / "indicators.toml").read_text(encoding="utf-8")
    return registry_from_text(text, "data/indicators.toml")


def registry_from_text(text: str, where: str) -> Registry:
    """The registry a TOML text defines (the installed file's, or the copy frozen with a
    release, which `where` names in a `RegistryError`)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise RegistryError(f"{where} is not valid TOML ({error})") from None
    return parse(data)


def parse(data: Mapping[str, Any]) -> Registry:
    """The registry from the data file's tables, checked whole (`RegistryError` names the
    indicator and the key at fault)."""
    version = data.get("version")
    if not isinstance(version, str) or not version.strip():
        raise RegistryError('the registry needs a `version` string (e.g. version = "2026.1")')
    raw_units = data.get("units")
    if not isinstance(raw_units, Mapping):
        raise RegistryError("the registry needs a [units] table")
    units = {code: _unit(code, u) for code, u in raw_units.items()}
    if NATIONAL_CURRENCY not in units:
        raise RegistryError(f"the registry's [units] lack {NATIONAL_CURRENCY}")
    indicators = {}
    for key, v in data.items():
        if key in ("version", "units"):
            continue
        if not isinstance(v, Mapping):
            raise RegistryError(f"{key}: unknown top-level key (an indicator is a [table])")
        indicators[key] = _indicator(key, v, units)
    for i in indicators.values():
        # the suite tells a foreign-currency indicator's rows apart by its unit
        if i.family == "foreign" and (not i.money or i.unit == NATIONAL_CURRENCY):
            raise RegistryError(f"{i.id}: a foreign family's unit is a foreign currency")
    return Registry(version, MappingProxyType(units), MappingProxyType(indicators))


def _keys(
    where: str, table: Mapping[str, Any], allowed: frozenset[str], optional: frozenset[str]
) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise RegistryError(
            f"{where}: unknown key {', '.join(unknown)}; the keys are {', '.join(sorted(allowed))}"
        )
    missing = sorted(allowed - optional - set(table))
    if missing:
        raise RegistryError(f"{where}: no {', '.join(missing)}")


def _typed(where: str, name: str, value: object, kind: type[T], what: str) -> T:
    """`value` if it is a `kind` (a bool is no int), else a RegistryError naming the key."""
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise RegistryError(f"{where}: {name} must be {what}, not {value!r}")
    return value


def _power(where: str, name: str, value: object) -> int:
    number = _typed(where, name, value, int, "a whole number")
    if number < 0:
        raise RegistryError(f"{where}: {name} must be 0 or more, not {number}")
    return number


def _unit(code: str, u: object) -> Unit:
    where = f"units.{code}"
    table = _typed(where, "the entry", u, dict, "a table")
    _keys(where, table, UNIT_KEYS, frozenset())
    return Unit(
        code,
        _typed(where, "money", table["money"], bool, "true or false"),
        _typed(where, "label", table["label"], str, "a text"),
        _typed(where, "sdmx", table["sdmx"], str, "a text"),
        _power(where, "display_mult", table["display_mult"]),
        _power(where, "display_decimals", table["display_decimals"]),
    )


def _is_kind(value: object) -> TypeGuard[Kind]:
    return value in KINDS


def _is_span(value: object) -> TypeGuard[Span]:
    return value in SPANS


def _choice(key: str, name: str, value: object, allowed: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise RegistryError(f"{key}: {name} {value!r} is not one of {', '.join(allowed)}")
    return value


def _choices(key: str, name: str, values: object, allowed: tuple[str, ...]) -> tuple[str, ...]:
    if not isinstance(values, list) or not values:
        raise RegistryError(f"{key}: {name} must be a non-empty list")
    return tuple(_choice(key, name, v, allowed) for v in values)


def _spans(key: str, name: str, values: object, *, empty: bool) -> tuple[Span, ...]:
    if not isinstance(values, list) or (not values and not empty):
        raise RegistryError(f"{key}: {name} must be a {'' if empty else 'non-empty '}list")
    spans = []
    for v in values:
        if not _is_span(v):
            raise RegistryError(f"{key}: {name} {v!r} is not one of {', '.join(SPANS)}")
        spans.append(v)
    return tuple(spans)


def _texts(key: str, name: str, value: object) -> Mapping[str, str]:
    table = _typed(key, name, value, dict, "a table of texts by language")
    missing = [lang for lang in LANGUAGES if not table.get(lang)]
    if missing:
        raise RegistryError(f"{key}: no {name} in {', '.join(missing)}")
    return MappingProxyType(
        {lang: _typed(key, f"{name}.{lang}", t, str, "a text") for lang, t in table.items()}
    )


def _indicator(key: str, v: Mapping[str, Any], units: Mapping[str, Unit]) -> Indicator:
    if not re.fullmatch(r"[A-Z][A-Z0-9_]*", key):
        raise RegistryError(f"{key!r}: an indicator id is upper-case letters, digits and _")
    _keys(key, v, INDICATOR_KEYS, _OPTIONAL)
    unit = _choice(key, "unit", v["unit"], tuple(units))
    column = v["column"]
    if not isinstance(column, str) or not column:
        raise RegistryError(f"{key}: no engine column")
    reads = _typed(key, "reads", v.get("reads", {}), dict, "a table")
    unknown = sorted(set(reads) - {"own", "base"})
    if unknown:
        raise RegistryError(f"{key}: unknown key reads.{', reads.'.join(unknown)}; use own, base")
    kind = v["kind"]
    if not _is_kind(kind):
        raise RegistryError(f"{key}: kind {kind!r} is not one of {', '.join(KINDS)}")
    return Indicator(
        id=key,
        unit=unit,
        names=_texts(key, "name", v["name"]),
        definitions=_texts(key, "definition", v["definition"]),
        display_mult=_power(key, "display_mult", v["display_mult"]),
        display_decimals=_power(key, "display_decimals", v["display_decimals"]),
        kind=kind,
        family=_choice(key, "family", v["family"], FAMILIES),
        column=column,
        reads=Inputs(
            _spans(key, "reads.own", reads.get("own", ["own"]), empty=False),
            _spans(key, "reads.base", reads.get("base", []), empty=True),
        ),
        cuts=_choices(key, "cuts", v["cuts"], (*ALL_CUTS, *EXTRA_CUTS)),
        freqs=_choices(key, "freqs", v["freqs"], FREQS),
        flows=_choices(key, "flows", v["flows"], FLOWS),
        money=units[unit].money,
        sdmx_unit=units[unit].sdmx,
    )


def definitions() -> Mapping[str, Indicator]:
    """Every indicator by id, in the registry's order (read-only: the registry is shared)."""
    return registry().indicators


def unit_of(indicator: str, national_currency: str) -> str:
    return registry().indicator(indicator).unit_code(national_currency)
