"""Country profiles: the shipped Moroccan profile, header matching, and broken files."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from digex.errors import DigexError, ProfileError
from digex.profile import CountryProfile, load_profile

FIELDS = ("declaration_id", "period", "firm_id", "segment", "partner", "currency", "amount", "flow")

MINIMAL = """\
version = "1"
code = "XX"
name = { ar = "س", fr = "X", en = "X" }
national_currency = "EUR"
languages = ["fr", "en"]
locales = { fr = "fr", en = "en" }
data_source = { fr = "Source", en = "Source" }

[firm_id]
name = "ID"
pattern = "^[0-9]{9}$"

[headers]
period = ["periode"]

[rates_headers]
rate = ["taux"]
"""


@pytest.fixture(scope="module")
def morocco() -> CountryProfile:
    return load_profile("MA")


def test_morocco_profile(morocco: CountryProfile) -> None:
    assert morocco.code == "MA"
    assert morocco.national_currency == "MAD"
    assert morocco.languages == ("ar", "fr", "en")
    assert morocco.names["fr"] == "Maroc"
    assert morocco.firm_id_name == "ICE"
    assert morocco.version
    assert set(morocco.locales) == {"ar", "fr", "en"}
    assert morocco.data_source["fr"] == "Office des changes"
    assert set(FIELDS) <= set(morocco.headers)
    assert {"period", "currency", "rate"} <= set(morocco.rates_headers)
    assert all(isinstance(a, tuple) for a in morocco.headers.values())
    assert load_profile() == morocco
    assert load_profile("ma") == morocco


def test_morocco_targets(morocco: CountryProfile) -> None:
    targets = {t.id: t for t in morocco.targets}
    exports = targets["EXPORTS_2030"]
    assert (exports.measure, exports.year, exports.value, exports.unit) == (
        "exports",
        2030,
        40_000_000_000,
        "MAD",
    )
    assert targets["JOBS_2030"].value == 270_000
    assert all(t.names["ar"] and t.source for t in morocco.targets)


def test_firm_id_pattern(morocco: CountryProfile) -> None:
    assert morocco.is_valid_firm_id("001234567000089")
    assert not morocco.is_valid_firm_id("12345")
    assert not morocco.is_valid_firm_id("00123456700008X")
    assert not morocco.is_valid_firm_id("0012345670000891")


def test_match_french_header(morocco: CountryProfile) -> None:
    line = "\ufeffN_Declaration;Période;ICE;Activité;Pays;Devise;Montant;Sens"
    header = line.split(";")  # as a French export file's first line, BOM included
    mapping, missing = morocco.match_header(header, FIELDS)
    assert missing == []
    assert mapping == {field: i for i, field in enumerate(FIELDS)}


def test_match_header_ignores_normalisation_case_and_spaces(morocco: CountryProfile) -> None:
    decomposed = unicodedata.normalize("NFD", "Période")
    assert decomposed != "Période"
    header = [" MONTANT ", decomposed, "ice"]
    mapping, missing = morocco.match_header(header, ("period", "firm_id", "amount"))
    assert mapping == {"period": 1, "firm_id": 2, "amount": 0}
    assert missing == []


def test_match_arabic_header(morocco: CountryProfile) -> None:
    header = [
        "رقم_التصريح",
        "الفترة",
        "المعرف_الموحد",
        "النشاط",
        "البلد",
        "العملة",
        "المبلغ",
        "الاتجاه",
    ]
    mapping, missing = morocco.match_header(header, FIELDS)
    assert missing == []
    assert mapping == {field: i for i, field in enumerate(FIELDS)}


def test_match_canonical_header_and_reports_missing(morocco: CountryProfile) -> None:
    mapping, missing = morocco.match_header(["period", "Firm_ID", "amount"], FIELDS)
    assert mapping == {"period": 0, "firm_id": 1, "amount": 2}
    assert missing == ["declaration_id", "segment", "partner", "currency", "flow"]


def test_match_rates_header(morocco: CountryProfile) -> None:
    mapping, missing = morocco.match_header(
        ["Mois", "Devise", "Cours"], ("period", "currency", "rate"), kind="rates"
    )
    assert mapping == {"period": 0, "currency": 1, "rate": 2}
    assert missing == []
    # a kind with no aliases in the profile (e.g. auxiliary jobs files) uses canonical names
    assert morocco.match_header(["Year", "jobs"], ("year", "jobs"), kind="jobs") == (
        {"year": 0, "jobs": 1},
        [],
    )


def test_one_column_is_not_used_for_two_fields(morocco: CountryProfile) -> None:
    mapping, missing = morocco.match_header(["période", "montant"], ("amount", "period", "period"))
    assert mapping == {"amount": 1, "period": 0}
    assert missing == ["period"]


def test_profile_from_path(tmp_path: Path) -> None:
    path = tmp_path / "XX.toml"
    path.write_text(MINIMAL, encoding="utf-8")
    profile = load_profile(str(path))
    assert profile.code == "XX"
    assert profile.targets == ()
    assert profile.firm_id_description == {}
    assert profile.match_header(["PERIODE"], ["period"]) == ({"period": 0}, [])


@pytest.mark.parametrize(
    ("remove", "key"),
    [
        ('national_currency = "EUR"\n', "national_currency"),
        ('pattern = "^[0-9]{9}$"\n', "firm_id.pattern"),
        ('[rates_headers]\nrate = ["taux"]\n', "rates_headers"),
    ],
)
def test_missing_key_names_file_and_key(tmp_path: Path, remove: str, key: str) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(MINIMAL.replace(remove, ""), encoding="utf-8")
    with pytest.raises(ProfileError) as info:
        load_profile(str(path))
    message = str(info.value)
    assert str(path) in message
    assert repr(key) in message
    assert isinstance(info.value, DigexError)
    assert isinstance(info.value, ValueError)


def test_wrong_type_and_bad_target(tmp_path: Path) -> None:
    path = tmp_path / "typed.toml"
    path.write_text(MINIMAL.replace('"EUR"', "978"), encoding="utf-8")
    with pytest.raises(ProfileError, match="national_currency"):
        load_profile(str(path))
    target = '\n[[targets]]\nid = "T"\nmeasure = "exports"\nyear = "2030"\n'
    path.write_text(MINIMAL + target, encoding="utf-8")
    with pytest.raises(ProfileError, match=r"targets\[0\]\.year"):
        load_profile(str(path))


def test_invalid_toml_and_regex(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("version = \n", encoding="utf-8")
    with pytest.raises(ProfileError, match=r"bad\.toml"):
        load_profile(str(path))
    path.write_text(MINIMAL.replace("^[0-9]{9}$", "[0-9"), encoding="utf-8")
    with pytest.raises(ProfileError, match=r"firm_id\.pattern"):
        load_profile(str(path))


def test_missing_profile(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match=r"nowhere\.toml"):
        load_profile(str(tmp_path / "nowhere.toml"))
    with pytest.raises(ProfileError, match="ZZ"):
        load_profile("ZZ")
    with pytest.raises(ProfileError, match="neither"):
        load_profile("Morocco")


def test_profile_encodings(tmp_path: Path) -> None:
    assert load_profile("MA").encodings == ("utf-8", "cp1252", "cp1256")
    path = tmp_path / "XX.toml"
    path.write_text(MINIMAL, encoding="utf-8")
    assert load_profile(str(path)).encodings == ("utf-8",)  # optional: UTF-8 alone
    path.write_text('encodings = ["windows-1256", "klingon"]\n' + MINIMAL, encoding="utf-8")
    with pytest.raises(ProfileError, match="unknown encoding 'klingon'"):
        load_profile(str(path))
