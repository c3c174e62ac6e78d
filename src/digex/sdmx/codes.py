"""The code lists of digex's DSD, made from the code lists and the registry frozen with a
release (so that a past release is described as it was cut), each code with its names in ar,
fr and en and, where the list is a hierarchy, its parent.

One list per dimension: CL_AREA (the reference and counterpart areas: ISO 3166 countries, the
UN M49 regions, `W1` the world, `_X` a partner without a region), CL_ACTIVITY (the segments
and the EBOPS 2010 categories in one tree under `_T`), CL_ACCOUNTING_ENTRY (BPM6's C credit,
D debit, B balance, and `_Z`), CL_CURRENCY (ISO 4217 and `_T` every currency), CL_UNIT (the
registry's UNIT_MEASURE codes), CL_INDICATOR (the registry's indicators that are SDMX data),
and the cross-domain lists of `crossdomain`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from digex.codelists import read_codelist
from digex.indicators.cuts import TOTAL
from digex.indicators.registry import Registry, registry, registry_from_text
from digex.sdmx import crossdomain
from digex.sdmx.crossdomain import Names
from digex.sdmx.ids import NOT_APPLICABLE, UNALLOCATED, WORLD

FLOW_ENTRY: Final = {"X": "C", "M": "D", "N": "B", "_Z": NOT_APPLICABLE}
"""digex's flow -> BPM6 ACCOUNTING_ENTRY: exports are credits, imports debits, the net
balance (exports minus imports) BPM6's B, credit minus debit (N is BPM6's net of assets and
liabilities, a financial account notion); a flow-less figure (jobs) `_Z`."""

NOT_DATA: Final = frozenset({"target"})
"""Cuts whose rows are not SDMX data: the progress toward a national target is a figure of a
policy goal computed from the release, not a statistic of the flows."""

_UNITS: Final[dict[str, Names]] = {
    "PC": {"en": "Per cent", "fr": "Pourcentage", "ar": "نسبة مئوية"},
    "PP": {"en": "Percentage points", "fr": "Points de pourcentage", "ar": "نقاط مئوية"},
    "PURE_NUMB": {"en": "Pure number", "fr": "Nombre pur", "ar": "عدد مجرد"},
    "NR": {"en": "Number", "fr": "Nombre", "ar": "عدد"},
    "PS": {"en": "Persons", "fr": "Personnes", "ar": "أشخاص"},
}
_TOTAL_ACTIVITY: Final = {
    "en": "All activities",
    "fr": "Ensemble des activités",
    "ar": "جميع الأنشطة",
}
_ALL_CURRENCIES: Final = {
    "en": "All currencies",
    "fr": "Toutes monnaies confondues",
    "ar": "جميع العملات",
}
_WORLD: Final = {"en": "World", "fr": "Monde", "ar": "العالم"}
_UNALLOCATED: Final = {
    "en": "Not allocated to a region",
    "fr": "Non ventilé par région",
    "ar": "غير موزع حسب المنطقة",
}
_ENTRIES: Final[dict[str, Names]] = {
    "B": {
        "en": "Balance (credit minus debit)",
        "fr": "Solde (crédit moins débit)",
        "ar": "الرصيد (الدائن ناقص المدين)",
    },
    NOT_APPLICABLE: {"en": "Not applicable", "fr": "Sans objet", "ar": "لا ينطبق"},
}


@dataclass(frozen=True)
class CodeEntry:
    id: str
    names: Names
    parent: str | None = None


@dataclass(frozen=True)
class CodeList:
    """One code list: its id, its names and its codes in order."""

    id: str
    names: Names
    codes: tuple[CodeEntry, ...]

    def ids(self) -> frozenset[str]:
        return frozenset(c.id for c in self.codes)


def frozen_registry(inputs: Mapping[str, str]) -> Registry:
    """The registry frozen with a release, or the installed one for a release made without."""
    text = inputs.get("registry.toml")
    return registry_from_text(text, "registry.toml") if text else registry()


def frozen_codelists(inputs: Mapping[str, str]) -> dict[str, list[dict[str, Any]]]:
    """The code lists frozen with a release (rows by list name), or the installed ones."""
    text = inputs.get("codelists.json")
    if text:
        lists: dict[str, list[dict[str, Any]]] = json.loads(text)["codelists"]
        return lists
    names = ("segments", "ebops", "flows", "countries", "regions", "currencies")
    return {name: read_codelist(name).to_pylist() for name in names}


def _parents_first(codes: Sequence[CodeEntry]) -> tuple[CodeEntry, ...]:
    """The codes with each parent before its children (stable otherwise): a reader that
    resolves a parent as it meets it (sdmx1) otherwise takes a later parent for a code list
    of its own."""
    parent = {c.id: c.parent for c in codes}

    def depth(code: str | None) -> int:
        seen = 0
        while code is not None and code in parent and seen <= len(parent):
            code = parent[code]
            seen += 1
        return seen

    return tuple(sorted(codes, key=lambda c: depth(c.parent)))


def _names(row: Mapping[str, Any]) -> Names:
    return {lang: str(row[f"name_{lang}"]) for lang in ("ar", "fr", "en")}


def _listed(list_id: str, names: Names, table: Mapping[str, Names]) -> CodeList:
    return CodeList(list_id, names, tuple(CodeEntry(k, v) for k, v in table.items()))


def code_lists(
    lists: Mapping[str, Sequence[Mapping[str, Any]]],
    reg: Registry,
    national_currency: str,
) -> dict[str, CodeList]:
    """Every code list of the DSD, by dimension or attribute id."""
    regions = [
        CodeEntry(str(r["code"]), _names(r), str(r["parent"]) or None) for r in lists["regions"]
    ]
    countries = [
        CodeEntry(
            str(r["code"]), _names(r), str(r.get("subregion") or r.get("region") or "") or None
        )
        for r in lists["countries"]
    ]
    area = CodeList(
        "CL_AREA",
        {"en": "Areas", "fr": "Zones", "ar": "المناطق"},
        _parents_first(
            [CodeEntry(WORLD, _WORLD), *regions, *countries, CodeEntry(UNALLOCATED, _UNALLOCATED)]
        ),
    )
    segments = [CodeEntry(str(r["code"]), _names(r), TOTAL) for r in lists["segments"]]
    ebops = [
        CodeEntry(str(r["ebops_code"]), _names(r), str(r["parent"]) or None) for r in lists["ebops"]
    ]
    activity = CodeList(
        "CL_ACTIVITY",
        {
            "en": "Activities: segments and EBOPS 2010 services",
            "fr": "Activités : segments et services EBOPS 2010",
            "ar": "الأنشطة: القطاعات وخدمات EBOPS 2010",
        },
        _parents_first([CodeEntry(TOTAL, _TOTAL_ACTIVITY), *segments, *ebops]),
    )
    flows = {str(r["bpm6"]): _names(r) for r in lists["flows"]}
    entry = _listed(
        "CL_ACCOUNTING_ENTRY",
        {
            "en": "Accounting entries (BPM6)",
            "fr": "Écritures comptables (MBP6)",
            "ar": "القيود المحاسبية",
        },
        {**flows, **_ENTRIES},
    )
    currencies = {str(r["code"]): _names(r) for r in lists["currencies"]}
    currency = _listed(
        "CL_CURRENCY",
        {"en": "Currencies", "fr": "Monnaies", "ar": "العملات"},
        {TOTAL: _ALL_CURRENCIES, **currencies},
    )
    units: dict[str, Names] = {}
    for u in reg.units.values():
        code = u.sdmx or national_currency
        units[code] = (
            currencies.get(code) or _UNITS.get(code) or {lang: code for lang in ("ar", "fr", "en")}
        )
    unit = _listed(
        "CL_UNIT", {"en": "Units of measure", "fr": "Unités de mesure", "ar": "وحدات القياس"}, units
    )
    indicator = _listed(
        "CL_INDICATOR",
        {"en": "Indicators", "fr": "Indicateurs", "ar": "المؤشرات"},
        {
            i.id: {lang: i.name(lang) for lang in ("ar", "fr", "en")}
            for i in reg.indicators.values()
            if not set(i.cuts) <= NOT_DATA
        },
    )
    return {
        "FREQ": _listed(
            "CL_FREQ", {"en": "Frequency", "fr": "Fréquence", "ar": "التواتر"}, crossdomain.FREQ
        ),
        "REF_AREA": area,
        "COUNTERPART_AREA": area,
        "ACTIVITY": activity,
        "ACCOUNTING_ENTRY": entry,
        "CURRENCY_DENOM": currency,
        "INDICATOR": indicator,
        "UNIT_MEASURE": unit,
        "ADJUSTMENT": _listed(
            "CL_ADJUSTMENT",
            {"en": "Adjustment", "fr": "Correction", "ar": "التعديل"},
            crossdomain.ADJUSTMENT,
        ),
        "OBS_STATUS": _listed(
            "CL_OBS_STATUS",
            {"en": "Observation status", "fr": "Statut de l'observation", "ar": "حالة المشاهدة"},
            crossdomain.OBS_STATUS,
        ),
        "CONF_STATUS": _listed(
            "CL_CONF_STATUS",
            {
                "en": "Confidentiality status",
                "fr": "Statut de confidentialité",
                "ar": "حالة السرية",
            },
            crossdomain.CONF_STATUS,
        ),
        "UNIT_MULT": _listed(
            "CL_UNIT_MULT",
            {"en": "Unit multiplier", "fr": "Multiplicateur d'unité", "ar": "مضاعف الوحدة"},
            crossdomain.UNIT_MULT,
        ),
    }
