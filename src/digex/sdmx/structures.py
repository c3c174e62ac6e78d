"""digex's SDMX structures for one release: the dataflow DF_DIGITAL_EXPORTS, its DSD, the
concept scheme and the code lists, as pysdmx objects.

They are made from the release alone (its frozen registry and code lists, its profile's
country), so that the export and the server describe a release as it was cut. There is one
dataflow, not one per release: its data are those of the release asked for (the server's
`release=`, the export's RELEASE).

Key: FREQ, REF_AREA, COUNTERPART_AREA, ACTIVITY, ACCOUNTING_ENTRY, CURRENCY_DENOM, INDICATOR,
UNIT_MEASURE, ADJUSTMENT, then TIME_PERIOD; the cut of a row says which of COUNTERPART_AREA,
ACTIVITY and CURRENCY_DENOM is not its total (`keys`). UNIT_MEASURE is a dimension because
two indicators may share a name across units (LEVEL, LEVEL_USD); it never splits a key.

pysdmx names every artefact in English only and has no parent code: `write_structures` adds
the ar and fr names (and the parents of CL_ACTIVITY and CL_AREA) to what it writes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Final, Literal

import msgspec
from pysdmx.io import write_sdmx
from pysdmx.io.format import Format
from pysdmx.model import (
    Code,
    Codelist,
    Component,
    Components,
    Concept,
    ConceptScheme,
    DataStructureDefinition,
    DataType,
    Role,
    Schema,
)
from pysdmx.model.dataflow import Dataflow
from pysdmx.model.message import Header

from digex.errors import UsageError
from digex.sdmx import ids
from digex.sdmx.codes import CodeList, code_lists, frozen_codelists, frozen_registry
from digex.sdmx.crossdomain import Names

if TYPE_CHECKING:
    from pysdmx.model.__base import MaintainableArtefact

    from digex.publish.figures import ReleaseFigures

StructureFormat = Literal["xml", "json"]
STRUCTURE_TYPES: Final[dict[str, str]] = {
    "xml": "application/vnd.sdmx.structure+xml; version=2.1",
    "json": "application/vnd.sdmx.structure+json; version=2.0.0",
}

_CONCEPTS: Final[dict[str, Names]] = {
    "FREQ": {"en": "Frequency", "fr": "Fréquence", "ar": "التواتر"},
    "REF_AREA": {"en": "Reference area", "fr": "Zone de référence", "ar": "المنطقة المرجعية"},
    "COUNTERPART_AREA": {
        "en": "Counterpart area",
        "fr": "Zone partenaire",
        "ar": "المنطقة الشريكة",
    },
    "ACTIVITY": {
        "en": "Activity (segment or EBOPS 2010 service)",
        "fr": "Activité (segment ou service EBOPS 2010)",
        "ar": "النشاط (قطاع أو خدمة EBOPS 2010)",
    },
    "ACCOUNTING_ENTRY": {
        "en": "Accounting entry",
        "fr": "Écriture comptable",
        "ar": "القيد المحاسبي",
    },
    "CURRENCY_DENOM": {
        "en": "Currency of denomination",
        "fr": "Monnaie de libellé",
        "ar": "عملة التحرير",
    },
    "INDICATOR": {"en": "Indicator", "fr": "Indicateur", "ar": "المؤشر"},
    "UNIT_MEASURE": {"en": "Unit of measure", "fr": "Unité de mesure", "ar": "وحدة القياس"},
    "ADJUSTMENT": {"en": "Adjustment", "fr": "Correction", "ar": "التعديل"},
    "TIME_PERIOD": {"en": "Time period", "fr": "Période", "ar": "الفترة الزمنية"},
    "OBS_VALUE": {
        "en": "Observation value",
        "fr": "Valeur de l'observation",
        "ar": "قيمة المشاهدة",
    },
    "OBS_STATUS": {
        "en": "Observation status",
        "fr": "Statut de l'observation",
        "ar": "حالة المشاهدة",
    },
    "CONF_STATUS": {
        "en": "Confidentiality status",
        "fr": "Statut de confidentialité",
        "ar": "حالة السرية",
    },
    "UNIT_MULT": {"en": "Unit multiplier", "fr": "Multiplicateur d'unité", "ar": "مضاعف الوحدة"},
    "DECIMALS": {"en": "Decimals", "fr": "Décimales", "ar": "المنازل العشرية"},
}
_FLOW_NAMES: Final = {
    "en": "Exports of digital services",
    "fr": "Exportations de services numériques",
    "ar": "صادرات الخدمات الرقمية",
}
_SCHEME_NAMES: Final = {
    "en": "Concepts of the digital services exports",
    "fr": "Concepts des exportations de services numériques",
    "ar": "مفاهيم صادرات الخدمات الرقمية",
}


@dataclass(frozen=True)
class Structures:
    """The structures of one release, maintained by `agency`."""

    agency: str
    dataflow: Dataflow
    dsd: DataStructureDefinition
    concepts: ConceptScheme
    codelists: tuple[Codelist, ...]
    lists: Mapping[str, CodeList] = field(repr=False)
    """digex's own view of the code lists, by component id (REF_AREA and COUNTERPART_AREA
    share CL_AREA)."""
    names: Mapping[str, Names] = field(repr=False)
    """Every artefact's and item's names in ar, fr and en, by URN."""
    parents: Mapping[str, str] = field(repr=False)
    """The parent code's id of a code, by the code's URN."""

    @cached_property
    def schema(self) -> Schema:
        """What pysdmx's data writers take as a data set's structure. OBS_VALUE is text
        there (a double in the DSD): the writers then keep the value's shortest decimal as
        given (26221349995.51) instead of writing the float again (2.622134999551e+10)."""
        parts = [
            msgspec.structs.replace(c, local_dtype=DataType.STRING) if c.id == ids.MEASURE else c
            for c in self.dsd.components
        ]
        return Schema(
            "dataflow",
            self.agency,
            ids.DATAFLOW,
            Components(parts),
            ids.VERSION,
            name=self.dataflow.name,
        )

    def artefacts(self) -> list[MaintainableArtefact]:
        """Everything, in the order a structure message lists it."""
        return [self.dataflow, self.dsd, self.concepts, *self.codelists]

    def codelist(self, list_id: str) -> Codelist | None:
        return next((c for c in self.codelists if c.id == list_id), None)


def structures(release: ReleaseFigures, agency: str | None = None) -> Structures:
    """The structures of `release` (agency: `ids.agency_id` of its profile's country when
    None)."""
    profile = release.profile
    agency = ids.check_agency(agency) if agency else ids.agency_id(profile.code)
    reg = frozen_registry(release.inputs)
    lists = code_lists(frozen_codelists(release.inputs), reg, profile.national_currency)
    names: dict[str, Names] = {}
    parents: dict[str, str] = {}

    made: dict[str, Codelist] = {}
    for cl in lists.values():
        if cl.id in made:
            continue
        cl_urn = ids.urn("codelist.Codelist", agency, cl.id)
        names[cl_urn] = cl.names
        codes = []
        for c in cl.codes:
            code_urn = ids.urn("codelist.Code", agency, cl.id, c.id)
            names[code_urn] = c.names
            if c.parent:
                parents[code_urn] = c.parent
            codes.append(Code(id=c.id, name=c.names["en"], urn=code_urn))
        made[cl.id] = Codelist(
            id=cl.id,
            name=cl.names["en"],
            agency=agency,
            version=ids.VERSION,
            urn=cl_urn,
            items=codes,
            is_final=True,
        )

    concepts: dict[str, Concept] = {}
    for cid, cnames in _CONCEPTS.items():
        c_urn = ids.urn("conceptscheme.Concept", agency, ids.CONCEPTS, cid)
        names[c_urn] = cnames
        concepts[cid] = Concept(id=cid, name=cnames["en"], urn=c_urn)
    scheme_urn = ids.urn("conceptscheme.ConceptScheme", agency, ids.CONCEPTS)
    names[scheme_urn] = _SCHEME_NAMES
    scheme = ConceptScheme(
        id=ids.CONCEPTS,
        name=_SCHEME_NAMES["en"],
        agency=agency,
        version=ids.VERSION,
        urn=scheme_urn,
        items=list(concepts.values()),
        is_final=True,
    )

    def component(cid: str, role: Role, **more: object) -> Component:
        coded = lists.get(cid)
        return Component(
            id=cid,
            required=role != Role.ATTRIBUTE or cid == "CONF_STATUS",
            role=role,
            concept=concepts[cid],
            local_codes=made[coded.id] if coded is not None else None,
            local_enum_ref=made[coded.id].urn if coded is not None else None,
            **more,  # type: ignore[arg-type]
        )

    # a coded component has no data type of its own: given one, pysdmx's SDMX-JSON writer
    # writes it instead of the code list
    parts = [component(d, Role.DIMENSION) for d in ids.DIMENSIONS]
    parts.append(component(ids.TIME, Role.DIMENSION, local_dtype=DataType.PERIOD))
    parts.append(component(ids.MEASURE, Role.MEASURE, local_dtype=DataType.DOUBLE))
    for a in ids.ATTRIBUTES:
        typed = {"local_dtype": DataType.INTEGER} if a == "DECIMALS" else {}
        parts.append(component(a, Role.ATTRIBUTE, attachment_level="O", **typed))
    dsd_urn = ids.urn("datastructure.DataStructure", agency, ids.DSD)
    names[dsd_urn] = _FLOW_NAMES
    dsd = DataStructureDefinition(
        id=ids.DSD,
        name=_FLOW_NAMES["en"],
        agency=agency,
        version=ids.VERSION,
        urn=dsd_urn,
        components=Components(parts),
        is_final=True,
    )
    flow_urn = ids.urn("datastructure.Dataflow", agency, ids.DATAFLOW)
    names[flow_urn] = _FLOW_NAMES
    flow = Dataflow(
        id=ids.DATAFLOW,
        name=_FLOW_NAMES["en"],
        agency=agency,
        version=ids.VERSION,
        urn=flow_urn,
        structure=dsd,
        is_final=True,
    )
    return Structures(agency, flow, dsd, scheme, tuple(made.values()), lists, names, parents)


def header(agency: str) -> Header:
    """A message header sent by `agency` (pysdmx's default sender is ZZZ)."""
    from pysdmx.model import Organisation

    return Header(sender=Organisation(id=agency))


def write_structures(
    found: Structures,
    fmt: StructureFormat = "xml",
    artefacts: Iterable[MaintainableArtefact] | None = None,
) -> bytes:
    """A structure message (SDMX-ML 2.1, or SDMX-JSON 2.0) holding `artefacts` (every
    structure when None), with the names in the three languages and the codes' parents."""
    chosen = list(found.artefacts() if artefacts is None else artefacts)
    if fmt == "xml":
        text = write_sdmx(chosen, Format.STRUCTURE_SDMX_ML_2_1, header=header(found.agency))
        assert text is not None
        return _multilingual_xml(text, found)
    if fmt == "json":
        text = write_sdmx(chosen, Format.STRUCTURE_SDMX_JSON_2_0_0, header=header(found.agency))
        assert text is not None
        return _multilingual_json(text, found)
    raise UsageError(f"structure format {fmt!r} is not one of xml, json")


_COM: Final = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common"
_STR: Final = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure"
_XML_LANG: Final = "{http://www.w3.org/XML/1998/namespace}lang"
_OTHERS: Final = ("fr", "ar")


def _multilingual_xml(text: str, found: Structures) -> bytes:
    """pysdmx's SDMX-ML with a Name in fr and ar after each English one, and each code's
    Parent (after its names, where SDMX-ML 2.1 puts it)."""
    from lxml import etree  # type: ignore[import-untyped]

    root = etree.fromstring(text.encode("utf-8"))
    for element in root.iter():
        u = element.get("urn")
        if u is None:
            continue
        known = found.names.get(u)
        if known is not None:
            english = element.find(f"{{{_COM}}}Name")
            if english is not None:
                at = english
                for lang in _OTHERS:
                    name = etree.Element(f"{{{_COM}}}Name")
                    name.set(_XML_LANG, lang)
                    name.text = known[lang]
                    name.tail = english.tail
                    at.addnext(name)
                    at = name
        parent = found.parents.get(u)
        if parent is not None:
            ref = etree.SubElement(etree.SubElement(element, f"{{{_STR}}}Parent"), "Ref")
            ref.set("id", parent)
    body: bytes = etree.tostring(root, encoding="UTF-8", xml_declaration=True)
    return body.replace(
        b"<?xml version='1.0' encoding='UTF-8'?>", b'<?xml version="1.0" encoding="UTF-8"?>', 1
    )


_JSON_KINDS: Final = {
    "codelists": ("codelist.Codelist", "codes", "codelist.Code"),
    "conceptSchemes": ("conceptscheme.ConceptScheme", "concepts", "conceptscheme.Concept"),
    "dataflows": ("datastructure.Dataflow", None, None),
    "dataStructures": ("datastructure.DataStructure", None, None),
}


def _multilingual_json(text: str, found: Structures) -> bytes:
    """pysdmx's SDMX-JSON 2.0 with `names` in the three languages on each artefact and item
    and the codes' `parent`, without the empty `groups` its own reader refuses (pysdmx
    writes no URN there: each is made again from the agency and the ids)."""
    doc = json.loads(text)
    data = doc.get("data", {})
    for kind, (urn_kind, items, item_kind) in _JSON_KINDS.items():
        for artefact in data.get(kind, []):
            scheme = str(artefact["id"])
            agency = str(artefact.get("agencyID", found.agency))
            _name_json(artefact, found.names.get(ids.urn(urn_kind, agency, scheme)))
            components = artefact.get("dataStructureComponents", {})
            if components.get("groups") == []:
                del components["groups"]
            if items is None or item_kind is None:
                continue
            for item in artefact.get(items, []):
                item_urn = ids.urn(item_kind, agency, scheme, str(item["id"]))
                _name_json(item, found.names.get(item_urn))
                parent = found.parents.get(item_urn)
                if parent is not None:
                    item["parent"] = parent
    return json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8")


def _name_json(node: dict[str, object], names: Names | None) -> None:
    if names is not None and "name" in node:
        node["names"] = {lang: names[lang] for lang in ("en", "fr", "ar")}
