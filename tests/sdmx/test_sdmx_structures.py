"""The structures: what sdmx1 and pysdmx read back from digex's structure messages."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pysdmx.io
import pytest
from sdmx.message import StructureMessage
from tests.sdmx.tiny import read_structures, tiny, tiny_structures

from digex.codelists import read_codelist
from digex.errors import UsageError
from digex.indicators.registry import registry
from digex.publish.figures import ReleaseFigures
from digex.sdmx import ids
from digex.sdmx.structures import Structures, structures, write_structures

LANGS = ("ar", "fr", "en")


def test_sdmx1_reads_the_dataflow_and_its_dsd(read_structures: StructureMessage) -> None:
    flow = read_structures.dataflow[ids.DATAFLOW]
    assert flow.maintainer.id == "MA1"
    assert flow.version == "1.0"
    dsd = read_structures.structure[ids.DSD]
    assert [d.id for d in dsd.dimensions] == [*ids.DIMENSIONS, ids.TIME]
    assert [a.id for a in dsd.attributes] == list(ids.ATTRIBUTES)
    assert [m.id for m in dsd.measures] == [ids.MEASURE]
    assert str(flow.name.localizations["fr"]) == "Exportations de services numériques"


def test_every_code_list_resolves_with_its_names_in_three_languages(
    read_structures: StructureMessage,
) -> None:
    dsd = read_structures.structure[ids.DSD]
    coded = [*dsd.dimensions, *dsd.attributes]
    seen = set()
    for component in coded:
        if component.id in (ids.TIME, "DECIMALS"):
            continue
        cl = component.local_representation.enumerated
        assert cl is not None, component.id
        listed = read_structures.codelist[cl.id]
        seen.add(cl.id)
        assert len(listed) > 0
        assert set(listed.name.localizations) == set(LANGS), cl.id
        for code in listed:
            assert set(code.name.localizations) == set(LANGS), (cl.id, code.id)
            assert all(code.name.localizations[lang] for lang in LANGS), (cl.id, code.id)
    assert len(seen) == len(read_structures.codelist) == 11
    concepts = read_structures.concept_scheme[ids.CONCEPTS]
    for concept in concepts:
        assert set(concept.name.localizations) == set(LANGS)


def test_the_activity_list_is_the_segments_and_ebops_in_one_tree(
    read_structures: StructureMessage,
) -> None:
    activity = read_structures.codelist["CL_ACTIVITY"]
    assert activity["SI21"].parent.id == "SI2"
    assert activity["SI2"].parent.id == "SI"
    assert activity["KPO"].parent.id == "_T"
    assert str(activity["ITO"].name.localizations["fr"]) == (
        "Externalisation des services informatiques"
    )
    ebops = {r["ebops_code"] for r in read_codelist("ebops").to_pylist()}
    assert ebops | {"_T", "ITO", "CRM", "ESO", "BPO", "KPO"} == {c.id for c in activity}
    area = read_structures.codelist["CL_AREA"]
    assert area["FR"].parent.id == "155"
    assert area["155"].parent.id == "150"
    assert {"W1", "_X", "MA", "002", "NA"} <= {c.id for c in area}
    assert str(area["NA"].name.localizations["en"]) == "Namibia"


def test_the_cross_domain_lists_use_the_standard_codes(read_structures: StructureMessage) -> None:
    freq = read_structures.codelist["CL_FREQ"]
    assert str(freq["S"].name.localizations["en"]) == "Half-yearly, semester"
    assert str(freq["H"].name.localizations["en"]) == "Hourly"
    assert {"A", "S", "Q", "M"} <= {c.id for c in freq}
    conf = read_structures.codelist["CL_CONF_STATUS"]
    assert str(conf["C"].name.localizations["en"]) == "Confidential statistical information"
    assert {"A", "B", "E", "F", "P"} <= {c.id for c in read_structures.codelist["CL_OBS_STATUS"]}
    assert str(read_structures.codelist["CL_UNIT_MULT"]["9"].name.localizations["fr"]) == (
        "Milliards"
    )
    entries = {c.id for c in read_structures.codelist["CL_ACCOUNTING_ENTRY"]}
    assert entries == {"C", "D", "B", "_Z"}
    assert {c.id for c in read_structures.codelist["CL_ADJUSTMENT"]} == {"N", "S"}


def test_the_indicators_are_the_registrys_but_the_targets(
    read_structures: StructureMessage,
) -> None:
    listed = {c.id for c in read_structures.codelist["CL_INDICATOR"]}
    every = set(registry().indicators)
    assert listed == every - {
        "TARGET_LEVEL", "TARGET_GAP", "TARGET_PROGRESS", "CAGR_NEEDED", "CAGR_ACHIEVED",
    }  # fmt: skip
    units = {c.id for c in read_structures.codelist["CL_UNIT"]}
    assert {"MAD", "USD", "EUR", "PC", "PP", "PURE_NUMB", "NR", "PS"} == units


def test_pysdmx_reads_the_xml_and_the_json(tiny_structures: Structures, tmp_path: Path) -> None:
    xml = tmp_path / "structure.xml"
    xml.write_bytes(write_structures(tiny_structures, "xml"))
    assert xml.read_bytes().startswith(b"<?xml")
    found = pysdmx.io.read_sdmx(xml)
    assert {c.id for c in found.get_codelists()} >= {"CL_AREA", "CL_ACTIVITY", "CL_FREQ"}
    assert found.get_dataflows()[0].id == ids.DATAFLOW
    body = write_structures(tiny_structures, "json")
    assert b'"groups": []' not in body
    assert b'"groups":[]' not in body
    doc = json.loads(body)
    codelists = {c["id"]: c for c in doc["data"]["codelists"]}
    code = next(c for c in codelists["CL_ACTIVITY"]["codes"] if c["id"] == "SI21")
    assert code["names"]["ar"] == "برمجيات الحاسوب"
    assert code["parent"] == "SI2"
    path = tmp_path / "structure.json"
    path.write_bytes(body)
    read = pysdmx.io.read_sdmx(path, validate=False)
    dsd = read.get_data_structure_definitions()[0]
    assert dsd.id == ids.DSD
    for dimension in ids.DIMENSIONS:
        assert dsd.components[dimension].enumeration is not None, dimension
    assert {c.id for c in dsd.components["ACTIVITY"].enumeration} >= {"_T", "ITO", "SI21"}


def test_the_agency_is_configured_in_one_place(
    tiny: ReleaseFigures, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ids.AGENCY_VARIABLE, raising=False)
    assert structures(tiny).agency == "MA1"
    monkeypatch.setenv(ids.AGENCY_VARIABLE, "BAM")
    found = structures(tiny)
    assert found.agency == "BAM"
    assert found.dataflow.urn == (
        "urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=BAM:DF_DIGITAL_EXPORTS(1.0)"
    )
    assert structures(tiny, "HCP").agency == "HCP"
    assert b'agencyID="HCP"' in write_structures(structures(tiny, "HCP"))
    with pytest.raises(UsageError, match="not an SDMX agency id"):
        structures(tiny, "1 bad")
    monkeypatch.setenv(ids.AGENCY_VARIABLE, "no way")
    with pytest.raises(UsageError, match=ids.AGENCY_VARIABLE):
        structures(tiny)


def test_a_release_is_described_with_its_own_frozen_code_lists(tiny: ReleaseFigures) -> None:
    """A code renamed after the release does not change the release's structures."""
    import dataclasses

    from digex.sdmx.codes import frozen_codelists

    lists = frozen_codelists({})
    lists["segments"] = [dict(r) for r in lists["segments"]]
    lists["segments"][0]["name_en"] = "Renamed before the release"
    inputs = {**tiny.inputs, "codelists.json": json.dumps({"codelists": lists, "version": "x"})}
    frozen = dataclasses.replace(tiny, inputs=inputs)
    found = structures(frozen, "MA1")
    ito = next(c for c in found.lists["ACTIVITY"].codes if c.id == "ITO")
    assert ito.names["en"] == "Renamed before the release"
    text = write_structures(found).decode()
    assert "Renamed before the release" in text
    assert io.BytesIO(text.encode()).read(5) == b"<?xml"


__all__ = ["read_structures", "tiny", "tiny_structures"]  # fixtures, shared with the other modules


def _ids(found: list[object]) -> list[str]:
    return [str(getattr(a, "id", "")) for a in found]


def test_structure_queries_and_their_references(tiny_structures: Structures) -> None:
    from digex.errors import NoResults, QueryError
    from digex.sdmx.artefacts import artefacts

    every = _ids(tiny_structures.artefacts())
    assert every[:3] == [ids.DATAFLOW, ids.DSD, ids.CONCEPTS]
    assert _ids(artefacts(tiny_structures, "dataflow", "MA1", ids.DATAFLOW, "latest", "all")) == (
        every
    )
    assert _ids(artefacts(tiny_structures, "dataflow")) == [ids.DATAFLOW]
    assert _ids(artefacts(tiny_structures, "dataflow", references="children")) == [
        ids.DATAFLOW,
        ids.DSD,
    ]
    assert _ids(artefacts(tiny_structures, "datastructure", "all", ids.DSD, "1.0", "all")) == every
    assert _ids(artefacts(tiny_structures, "datastructure", references="parents")) == [
        ids.DATAFLOW,
        ids.DSD,
    ]
    assert _ids(artefacts(tiny_structures, "codelist", "MA1", "CL_AREA")) == ["CL_AREA"]
    assert len(artefacts(tiny_structures, "codelist")) == 11
    with_parent = _ids(
        artefacts(tiny_structures, "codelist", "MA1", "CL_FREQ", "latest", "parents")
    )
    assert with_parent == [ids.DSD, "CL_FREQ"]
    assert _ids(artefacts(tiny_structures, "codelist", "MA1", "CL_FREQ", "1.0", "all")) == every
    assert _ids(artefacts(tiny_structures, "conceptscheme", "all", "all", "all")) == [ids.CONCEPTS]
    for asked in (
        ("codelist", "ECB", "CL_AREA"),
        ("codelist", "MA1", "CL_NOPE"),
        ("dataflow", "MA1", ids.DATAFLOW, "2.0"),
    ):
        with pytest.raises(NoResults):
            artefacts(tiny_structures, *asked)
    with pytest.raises(QueryError):
        artefacts(tiny_structures, "hierarchicalcodelist")
    with pytest.raises(QueryError):
        artefacts(tiny_structures, "dataflow", references="cousins")
    partial = artefacts(tiny_structures, "dataflow", references="all", detail="referencepartial")
    assert _ids(partial) == every  # .Stat's way of asking: answered in full
    with pytest.raises(QueryError, match="detail=everything"):  # was served, unchecked
        artefacts(tiny_structures, "dataflow", detail="everything")
    body = write_structures(
        tiny_structures, "xml", artefacts(tiny_structures, "codelist", "MA1", "CL_ACTIVITY")
    )
    assert b'id="CL_ACTIVITY"' in body
    assert b'id="CL_AREA"' not in body
    assert b'xml:lang="ar"' in body
