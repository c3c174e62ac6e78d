"""Country profiles: the shipped Moroccan profile, header matching, broken files, and the
profile a store records."""

from __future__ import annotations

import hashlib
import re
import unicodedata
import warnings
from pathlib import Path

import pytest
from tests.conftest import write_csv

import digex
from digex.api import Digex
from digex.errors import DigexError, ProfileError, ProfileWarning, StoreError
from digex.profile import CountryProfile, load_profile
from digex.settings import SETTINGS, memory_limit

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


# --- minor units, settings ---------------------------------------------------------------------

TN = Path(__file__).parent / "fixtures" / "profiles" / "TN.toml"


def test_minor_units_come_from_the_currency_codelist(tmp_path: Path) -> None:
    assert load_profile("MA").minor_units == 2
    assert load_profile(str(TN)).minor_units == 3  # the millime
    path = tmp_path / "XX.toml"
    path.write_text(MINIMAL.replace('"EUR"', '"XYZ"'), encoding="utf-8")
    with pytest.raises(ProfileError, match=r"'XYZ', not in the currencies code list"):
        load_profile(str(path))


def test_every_setting_is_in_the_readme_as_declared() -> None:
    """The README's table of settings is the one `digex.settings` declares: a setting added,
    renamed or given another default fails here until its documentation follows."""
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    table = {line for line in readme.splitlines() if line.startswith("| `DIGEX_")}
    assert table == {f"| `{s.name}` | `{s.default}` | {s.help} |" for s in SETTINGS}


@pytest.mark.parametrize("value", ["1500MB", "4GB", "2.5GiB", "100MB", " 8 gb ", "1024TB"])
def test_a_memory_limit_duckdb_reads(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("DIGEX_MEMORY_LIMIT", value)
    assert memory_limit() == value.strip()


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("0", "is not a size"),
        ("1.2.3GB", "is not a size"),
        ("4G", "is not a size"),
        ("lots", "is not a size"),
        ("-1GB", "is not a size"),
        ("0MB", "is outside 1MB to 1024TB"),
        ("0.5MB", "is outside 1MB to 1024TB"),
        ("99999999TB", "is outside 1MB to 1024TB"),
    ],
)
def test_a_memory_limit_that_is_no_size_is_refused(
    monkeypatch: pytest.MonkeyPatch, value: str, problem: str
) -> None:
    monkeypatch.setenv("DIGEX_MEMORY_LIMIT", value)
    with pytest.raises(StoreError, match=f"DIGEX_MEMORY_LIMIT='{re.escape(value)}' {problem}"):
        memory_limit()


def test_digex_profile_is_the_profile_of_new_stores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    digex.init(tmp_path / "ma.duckdb").close()
    monkeypatch.setenv("DIGEX_PROFILE", str(TN))
    assert load_profile().code == "TN"
    with digex.init(tmp_path / "tn.duckdb") as db:
        assert db.profile.code == "TN"
    with digex.init(tmp_path / "ma.duckdb") as db:  # an existing store keeps its own
        assert db.profile.code == "MA"
    monkeypatch.setenv("DIGEX_PROFILE", "Tunisia")
    with pytest.raises(ProfileError, match=r"DIGEX_PROFILE='Tunisia' .*Tunisia"):
        digex.init(tmp_path / "new.duckdb")
    assert not (tmp_path / "new.duckdb").exists()  # refused before a file is made
    with digex.init(tmp_path / "tn.duckdb") as db:  # an existing store needs no default
        assert db.profile.code == "TN"


# --- the profile a store records ---------------------------------------------------------------


def _meta(db: Digex) -> dict[str, str]:
    rows = db.store.con.execute("SELECT key, value FROM meta").fetchall()
    return {str(k): str(v) for k, v in rows if str(k).startswith("profile.")}


def test_init_records_the_profile_and_every_opening_reads_it(tmp_path: Path) -> None:
    path = tmp_path / "tn.duckdb"
    with digex.init(path, profile=str(TN)) as db:
        meta = _meta(db)
    profile = load_profile(str(TN))
    assert meta["profile.code"] == "TN"
    assert meta["profile.version"] == "test.1"
    assert meta["profile.sha256"] == hashlib.sha256(TN.read_bytes()).hexdigest()
    assert meta["profile.source"] == str(TN.resolve())
    assert meta["profile.toml"] == TN.read_text(encoding="utf-8")
    for read_only in (True, False):
        with digex.connect(path, read_only=read_only) as db:
            assert db.profile == profile
            assert (db.profile.minor_units, db.profile_change) == (3, None)
        with digex.connect(path, read_only=read_only, profile=str(TN)) as db:
            assert db.profile == profile


def _edited(tmp_path: Path, old: str, new: str) -> Path:
    path = tmp_path / "TN.toml"
    path.write_text(TN.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    return path


def test_a_changed_profile_is_reported_and_recorded_only_by_init(tmp_path: Path) -> None:
    profile_file = _edited(tmp_path, "", "")
    store = tmp_path / "tn.duckdb"
    digex.init(store, profile=str(profile_file)).close()
    _edited(tmp_path, 'version = "test.1"', 'version = "test.2"')
    for read_only in (True, False):
        with pytest.warns(ProfileWarning, match="records country profile TN test.1") as seen:
            db = digex.connect(store, read_only=read_only)
        with db:
            assert db.profile.version == "test.1"  # still read with the recorded one
            assert db.profile_change == str(seen[0].message)
            assert "installed TN profile is version test.2" in db.profile_change
            # core wording names the parameter, not the command line's flag
            assert f"(profile={profile_file.resolve()})" in db.profile_change
            assert "digex init" not in db.profile_change
            assert _meta(db)["profile.version"] == "test.1"
    with pytest.warns(ProfileWarning):  # init without a profile keeps the store's
        digex.init(store).close()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with digex.init(store, profile=str(profile_file)) as db:
            assert db.profile_note is not None
            assert "now records TN test.2 in place of TN test.1" in db.profile_note
        with digex.connect(store, read_only=True) as db:
            assert (db.profile.version, db.profile_change) == ("test.2", None)
    # the same version edited is a change too
    edited = profile_file.read_text(encoding="utf-8").replace('name = "MF"', 'name = "MFX"')
    profile_file.write_text(edited, encoding="utf-8")
    with pytest.warns(ProfileWarning, match="same version but other content"):
        digex.connect(store, read_only=True).close()


def test_a_store_holds_one_countrys_data(tmp_path: Path, rates_file: Path) -> None:
    store = tmp_path / "ma.duckdb"
    digex.init(store).close()
    with digex.init(store, profile=str(TN)) as db:  # an empty store may change country
        assert db.profile.code == "TN"
    with digex.init(store, profile="MA") as db:
        db.load(rates=rates_file)
    for opening in (
        lambda: digex.connect(store, read_only=True, profile=str(TN)),
        lambda: digex.connect(store, profile=str(TN)),
        lambda: digex.init(store, profile=str(TN)),
    ):
        with pytest.raises(ProfileError, match=r"holds data of country profile MA \d{4}\.\d+"):
            opening()
    with digex.connect(store, read_only=True) as db:
        assert _meta(db)["profile.code"] == "MA"


def _forget_profile(store: Path) -> None:
    """Make the store look like one made before stores recorded their profile."""
    with digex.connect(store) as db, db.store.write() as con:
        con.execute("DELETE FROM meta WHERE starts_with(key, 'profile.')")


def test_a_store_made_before_profiles_were_recorded(tmp_path: Path, rates_file: Path) -> None:
    store = tmp_path / "old.duckdb"
    with digex.init(store) as db:
        db.load(rates=rates_file)
    _forget_profile(store)
    with digex.connect(store, read_only=True) as db:  # read as MA, nothing written
        assert (db.profile.code, _meta(db)) == ("MA", {})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the data are read as before: a note, not a warning
        with digex.connect(store) as db:  # a writable opening writes no record either
            assert (db.profile.code, db.profile_note, _meta(db)) == ("MA", None, {})
        with pytest.raises(DigexError), digex.connect(store) as db:  # refused: no record
            db.withdraw(99, reason="a load that is not there")
        with digex.connect(store, read_only=True) as db:
            assert _meta(db) == {}
        with digex.init(store) as db:  # init records it, and says so
            assert db.profile_note is not None
            assert "recorded no country profile" in db.profile_note
            assert f"now records MA {load_profile('MA').version}" in db.profile_note
            assert _meta(db)["profile.code"] == "MA"
        with digex.init(store) as db:
            assert db.profile_note is None  # said once


def test_an_old_store_loaded_with_another_profile(tmp_path: Path) -> None:
    """A store loaded with `--profile PATH` before profiles were recorded: its loads say
    which country, digex does not ship it, so it must be named once."""
    store = tmp_path / "old.duckdb"
    rates = [(f"2024-{m:02d}", "EUR", "3.400000") for m in range(1, 13)]
    rates_file = write_csv(tmp_path / "r.csv", rates, header=("period", "currency", "rate"))
    with digex.init(store, profile=str(TN)) as db:
        db.load(rates=rates_file)
    _forget_profile(store)
    with pytest.raises(ProfileError, match=r"loads were made with TN, which digex does not ship"):
        digex.connect(store, read_only=True)
    with pytest.raises(ProfileError, match="loads were made with TN, not MA"):
        digex.init(store, profile="MA")
    with digex.init(store, profile=str(TN)) as db:
        assert db.profile.code == "TN"
        assert db.profile_note is not None
        assert "now records TN test.1" in db.profile_note
    with digex.connect(store, read_only=True) as db:
        assert db.profile.code == "TN"


def test_the_command_line_says_which_profile_and_warns_of_a_change(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from digex.cli import app

    profile_file = _edited(tmp_path, "", "")
    store = tmp_path / "s.duckdb"
    runner = CliRunner()
    done = runner.invoke(app, ["init", "--db", str(store), "--profile", str(profile_file)])
    assert done.exit_code == 0, done.output
    assert "country profile TN test.1 (Tunisia" in " ".join(done.stdout.split())
    _edited(tmp_path, 'version = "test.1"', 'version = "test.2"')
    done = runner.invoke(app, ["loads", "--db", str(store)])
    assert done.exit_code == 0, done.output
    [line] = [x for x in done.stderr.splitlines() if x.startswith("warning:")]
    assert "records country profile TN test.1" in line
    assert f"(--profile {profile_file.resolve()})" in " ".join(done.stderr.split())
    rates = [(f"2024-{m:02d}", "EUR", "3.400000") for m in range(1, 13)]
    rates_file = write_csv(tmp_path / "r.csv", rates, header=("period", "currency", "rate"))
    done = runner.invoke(app, ["load", "--rates", str(rates_file), "--db", str(store)])
    assert done.exit_code == 0, done.output
    warned = [x for x in done.stderr.splitlines() if x.startswith("warning:")]
    assert len(warned) == 1, done.stderr  # once per command, though the load opens it twice
    assert "test.2" in line
    done = runner.invoke(app, ["init", "--db", str(store), "--profile", str(profile_file)])
    assert "now records TN test.2 in place of TN test.1" in " ".join(done.stdout.split())
    assert done.stderr == ""


@pytest.mark.parametrize(("old", "new"), [('"TND"', '"EUR"'), ('"TND"', '"BHD"')])
def test_a_loaded_store_keeps_its_currency(tmp_path: Path, old: str, new: str) -> None:
    """Stored values are integers in the currency's minor units: another currency would
    read them wrongly, so a loaded store refuses it (even one with as many decimals), while
    an empty one takes it."""
    rates = [(f"2024-{m:02d}", "EUR", "3.400000") for m in range(1, 13)]
    rates_file = write_csv(tmp_path / "r.csv", rates, header=("period", "currency", "rate"))
    empty, loaded = tmp_path / "empty.duckdb", tmp_path / "loaded.duckdb"
    digex.init(empty, profile=str(TN)).close()
    with digex.init(loaded, profile=str(TN)) as db:
        db.load(rates=rates_file)
    other = _edited(tmp_path, f"national_currency = {old}", f"national_currency = {new}")
    with pytest.raises(ProfileError, match=r"holds values in TND \(3 decimals\)"):
        digex.init(loaded, profile=str(other))
    with digex.connect(loaded, read_only=True) as db:
        assert (db.profile.national_currency, db.profile.minor_units) == ("TND", 3)
    with digex.init(empty, profile=str(other)) as db:
        assert db.profile.national_currency == new.strip('"')


def test_an_empty_store_of_another_country_says_to_record_the_profile(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An empty store holds no country's data: the refusal says how to record the profile
    (not that the store holds MA data), with the path shell-quoted on the command line."""
    import shlex
    import sys

    from digex.cli import main

    folder = tmp_path / "my profiles"
    folder.mkdir()
    profile_file = folder / "TN.toml"
    profile_file.write_text(TN.read_text(encoding="utf-8"), encoding="utf-8")
    store = tmp_path / "ma.duckdb"
    digex.init(store).close()
    with pytest.raises(ProfileError) as refused:
        digex.connect(store, profile=str(profile_file))
    message = str(refused.value)
    assert "holds data" not in message
    assert "holds no load yet" in message
    assert f"with init first (profile={profile_file.resolve()})" in message
    args = ["indicators", "-p", "2024", "--db", str(store), "--profile", str(profile_file)]
    monkeypatch.setattr(sys, "argv", ["digex", *args])
    with pytest.raises(SystemExit) as exit_:
        main()
    assert exit_.value.code == 1
    said = " ".join(capsys.readouterr().err.split())
    assert f"(--profile {shlex.quote(str(profile_file.resolve()))})" in said


def test_a_record_that_no_longer_parses_is_replaced_by_init(tmp_path: Path) -> None:
    store = tmp_path / "tn.duckdb"
    rates = [(f"2024-{m:02d}", "EUR", "3.400000") for m in range(1, 13)]
    rates_file = write_csv(tmp_path / "r.csv", rates, header=("period", "currency", "rate"))
    with digex.init(store, profile=str(TN)) as db:
        db.load(rates=rates_file)
    with digex.connect(store) as db, db.store.write() as con:  # e.g. a key made compulsory
        con.execute("UPDATE meta SET value = 'code = [' WHERE key = 'profile.toml'")
    with pytest.raises(ProfileError, match=r"no longer parses: record a profile with init"):
        digex.connect(store, read_only=True)
    with pytest.raises(ProfileError, match="cannot take its place"):
        digex.init(store, profile="MA")  # another country's, on a loaded store
    with digex.init(store, profile=str(TN)) as db:
        assert db.profile_note is not None
        assert "whose recorded text no longer parsed" in db.profile_note
    with digex.connect(store, read_only=True) as db:
        assert (db.profile.code, db.profile.minor_units, db.profile_change) == ("TN", 3, None)


def test_the_recorded_minor_units_are_kept_when_the_code_list_changes(tmp_path: Path) -> None:
    """A store records the minor units its values are stored in; a code list that now gives
    the currency other ones does not change how they are read, and each opening says so."""
    store = tmp_path / "tn.duckdb"
    with digex.init(store, profile=str(TN)) as db:
        assert _meta(db)["profile.minor_units"] == "3"
    # as if TND had 2 decimals in the code list when the store was made
    with digex.connect(store) as db, db.store.write() as con:
        con.execute("UPDATE meta SET value = '2' WHERE key = 'profile.minor_units'")
    with pytest.warns(ProfileWarning, match="records TND with 2 decimals, .* code list gives 3"):
        db = digex.connect(store, read_only=True)
    with db:
        assert db.profile.minor_units == 2
