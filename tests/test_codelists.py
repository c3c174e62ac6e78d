"""The shipped codelists: complete, consistent, and read without mangling codes."""

from __future__ import annotations

import pyarrow as pa
import pytest

from digex.codelists import (
    CODELIST_NAMES,
    Segment,
    codelist_rows,
    codelists_version,
    read_codelist,
    segments,
)
from digex.errors import CodelistNotFound, DigexError

LANGS = ("ar", "fr", "en")
SEGMENT_CODES = ("ITO", "CRM", "ESO", "BPO", "KPO")


def rows(name: str) -> list[dict[str, object]]:
    table: pa.Table = read_codelist(name)
    return table.to_pylist()


def by_code(name: str, key: str = "code") -> dict[str, dict[str, object]]:
    return {str(row[key]): row for row in rows(name)}


@pytest.mark.parametrize("name", CODELIST_NAMES)
def test_every_codelist_reads_with_unique_non_empty_codes(name: str) -> None:
    table = read_codelist(name)
    assert table.num_rows > 0
    key = "ebops_code" if name == "ebops" else "code"
    codes = table.column(key).to_pylist()
    assert all(isinstance(code, str) and code for code in codes)
    assert len(set(codes)) == len(codes)
    for lang in LANGS:
        names = table.column(f"name_{lang}").to_pylist()
        assert all(isinstance(n, str) and n.strip() for n in names), (name, lang)


def test_unknown_codelist_raises_codelist_not_found() -> None:
    with pytest.raises(CodelistNotFound, match="segments") as info:
        read_codelist("sectors")
    assert isinstance(info.value, KeyError)
    assert isinstance(info.value, DigexError)
    with pytest.raises(CodelistNotFound):
        read_codelist("../profiles/MA")


def test_five_segments_in_order_with_names_in_three_languages() -> None:
    segs = segments()
    assert tuple(s.code for s in segs) == SEGMENT_CODES
    for seg in segs:
        assert isinstance(seg, Segment)
        for lang in LANGS:
            assert seg.names[lang].strip()
            assert seg.descriptions[lang].strip()
        assert seg.name("fr") == seg.names["fr"]
    assert hash(segs[0]) == hash(segments()[0])
    assert any("\u0600" <= ch <= "\u06ff" for ch in segs[0].names["ar"])


def test_every_segment_has_exactly_one_default_ebops_code() -> None:
    ebops = rows("ebops")
    for code in SEGMENT_CODES:
        defaults = [r for r in ebops if r["segment"] == code and r["default_for_segment"] is True]
        assert len(defaults) == 1, code
    assert all(r["segment"] for r in ebops if r["default_for_segment"])


def test_ebops_segments_and_parents_are_known() -> None:
    ebops = by_code("ebops", "ebops_code")
    for row in ebops.values():
        assert row["segment"] in {*SEGMENT_CODES, ""}
        assert row["parent"] == "" or row["parent"] in ebops
        assert isinstance(row["default_for_segment"], bool)
    for aggregate in ("SI", "SJ", "SJ2", "SJ3", "SI1"):
        assert ebops[aggregate]["segment"] == ""
    assert ebops["SI2"]["segment"] == "ITO"
    assert ebops["SJ35"]["segment"] == "CRM"
    assert ebops["SJ31"]["segment"] == "ESO"


def test_flows() -> None:
    flows = by_code("flows")
    assert set(flows) == {"X", "M"}
    assert flows["X"]["bpm6"] == "C"
    assert flows["M"]["bpm6"] == "D"


def test_partner_countries_present_with_regions() -> None:
    countries = by_code("countries")
    regions = by_code("regions")
    assert len(countries) >= 249
    for code in ("NA", "MA", "FR", "ES", "US", "GB", "BE", "DE", "CA", "CH"):
        row = countries[code]
        assert row["region"] in regions, code
        assert row["subregion"] in regions, code
        assert regions[str(row["subregion"])]["parent"] == row["region"]
    assert countries["FR"]["region"] == "150"
    assert countries["MA"]["region"] == "002"
    assert countries["MA"]["subregion"] == "015"
    assert countries["US"]["subregion"] == "021"
    assert countries["NA"]["name_en"] == "Namibia"
    assert countries["NA"]["alpha3"] == "NAM"
    assert countries["MA"]["name_ar"] == "المغرب"
    assert countries["MA"]["name_fr"] == "Maroc"
    assert countries["AD"]["numeric"] == "020"  # leading zeros kept


def test_every_country_region_is_in_the_regions_codelist() -> None:
    regions = by_code("regions")
    for row in rows("countries"):
        assert row["region"] in regions
        assert row["subregion"] == "" or row["subregion"] in regions
    for row in regions.values():
        assert row["parent"] == "" or row["parent"] in regions


def test_namibia_is_not_read_as_missing() -> None:
    codes = read_codelist("countries").column("code")
    assert codes.null_count == 0
    assert "NA" in codes.to_pylist()


def test_currencies() -> None:
    table = read_codelist("currencies")
    assert table.schema.field("minor_units").type == pa.int32()
    currencies = by_code("currencies")
    assert currencies["MAD"]["minor_units"] == 2
    assert currencies["JPY"]["minor_units"] == 0
    assert currencies["EUR"]["name_en"] == "Euro"
    for code in ("USD", "GBP", "CHF", "CAD"):
        assert currencies[code]["minor_units"] == 2
    assert currencies["MAD"]["numeric"] == "504"


def test_codelists_version() -> None:
    version = codelists_version()
    assert isinstance(version, str)
    assert version.strip()


@pytest.mark.parametrize("name", CODELIST_NAMES)
def test_the_rows_a_load_reads_are_the_codelist_as_text(name: str) -> None:
    """`codelist_rows` (the load's reader, without PyArrow) gives every cell as its text, as
    `read_codelist` gives the text columns."""
    schema = read_codelist(name).schema
    text = {field.name for field in schema if pa.types.is_string(field.type)}
    assert [{k: r[k] for k in text} for r in codelist_rows(name)] == [
        {k: r[k] for k in text} for r in rows(name)
    ]
    with pytest.raises(CodelistNotFound):
        codelist_rows("nope")
