"""Every number of a note is tagged and read back: a number typed by hand, a wrong value, a
wrong unit or currency, or a figure disclosure control withholds stops the publication."""

from __future__ import annotations

import pytest
from tests.publish.tiny import tiny_release

from digex.publish.figures import ReleaseFigures
from digex.publish.tagging import (
    PublicationCheckFailed,
    Tags,
    check,
    check_free,
    same_figures,
)

R = tiny_release()


def _ok(text: str, lang: str = "en", release: ReleaseFigures = R) -> str:
    return check(text, release, lang, where="test").text


def _fails(text: str, lang: str = "en", match: str = "") -> None:
    with pytest.raises(PublicationCheckFailed, match=match):
        check(text, R, lang, where="test")


def test_figures_are_written_in_each_language_s_conventions() -> None:
    total, growth = R.figure("LEVEL", "2024"), R.figure("GROWTH_YOY", "2024")
    share = R.figure("SHARE", "2024", "segment", "ITO")
    jobs = R.figure("JOBS", "2024", flow="_Z")
    shown = {}
    for lang in ("en", "fr", "ar"):
        t = Tags(R, lang)
        text = f"{t.money(total)} | {t.growth(growth)} | {t.percent(share)} | {t.count(jobs)}"
        shown[lang] = _ok(text, lang)
    assert shown["en"] == "MAD 26.2 billion | +0.2% | 40.3% | 148,500"
    assert shown["fr"] == "26,2 milliards de dirhams | +0,2\u00a0% | 40,3\u00a0% | 148\u202f500"
    # a sign before Latin digits in Arabic takes CLDR's left-to-right mark (drawn `+0,2`)
    assert shown["ar"] == "26,2 مليار درهم | \u200e+0,2 في المائة | 40,3 في المائة | 148.500"


def test_arabic_indic_digits_when_the_profile_chooses_them() -> None:
    text = R.profile.text.replace('digits = { ar = "latn"', 'digits = { ar = "arab"')
    arab = tiny_release(profile_text=text)
    t = Tags(arab, "ar")
    shown = _ok(f"{t.money(arab.figure('LEVEL', '2024'))} {t.year(2024)}", "ar", arab)
    assert shown == "٢٦٫٢ مليار درهم ٢٠٢٤"


def test_a_number_typed_into_the_text_stops_it() -> None:
    t = Tags(R, "en")
    _fails(f"Exports reached {t.money(R.figure('LEVEL', '2024'))}, 26.3 in all", match=r"26\.3")
    _fails("in 2024", match="not tagged")
    _fails(f"exports of $ {t.money(R.figure('LEVEL', '2024'))}", match="currency")


def test_a_tag_whose_text_was_altered_stops_it() -> None:
    t = Tags(R, "en")
    good = t.money(R.figure("LEVEL", "2024"))
    _fails(good.replace("26.2", "26.3"), match=r"rounds to 26\.2")
    _fails(good.replace("MAD", "USD"), match="USD")
    _fails(good.replace("MAD 26.2 billion", "$26.2 billion"), match="USD")
    _fails(good.replace("billion", "million"), match="10\\^6")
    _fails(t.growth(R.figure("GROWTH_YOY", "2024")).replace("+", ""), match="sign")
    _fails(t.year(2024).replace("\ue0022024", "\ue0022025"), match="not that year")
    _fails(t.year(2024).replace("2024", "2019"), match="none of the years")


def test_a_withheld_figure_shows_its_mark_and_never_a_number() -> None:
    kpo = R.figure("LEVEL", "2024", "segment", "KPO")
    for lang, mark in (("en", "confidential"), ("fr", "confidentiel"), ("ar", "سري")):
        shown = _ok(Tags(R, lang).money(kpo), lang)
        assert mark in shown
        assert not any(c.isdigit() for c in shown)
    forced = Tags(R, "en").money(kpo).replace("C (confidential)", "MAD 0.1 billion")
    _fails(forced, match="withholds")


def test_every_language_states_the_same_figures() -> None:
    level, growth = R.figure("LEVEL", "2024"), R.figure("GROWTH_YOY", "2024")
    en = check(Tags(R, "en").money(level) + Tags(R, "en").growth(growth), R, "en", where="en")
    fr = check(Tags(R, "fr").money(level), R, "fr", where="fr")
    same_figures({"en": en, "fr": check(Tags(R, "fr").money(level) + Tags(R, "fr").growth(
        growth), R, "fr", where="fr")})  # fmt: skip
    with pytest.raises(PublicationCheckFailed, match="GROWTH_YOY"):
        same_figures({"en": en, "fr": fr})


def test_a_commentary_s_numbers_must_be_the_release_s() -> None:
    check_free("Exports grew by 0.2% to 26.2 billion dirhams in 2024.", R, "en", where="c")
    check_free("Les exportations ont atteint 26,2 milliards de dirhams (+0,2 %).", R, "fr",
               where="c")  # fmt: skip
    with pytest.raises(PublicationCheckFailed, match=r"26\.4"):
        check_free("Exports reached 26.4 billion dirhams.", R, "en", where="c")
    with pytest.raises(PublicationCheckFailed, match="line 2"):
        check_free("Exports grew.\nIT outsourcing took 41.3% of them.", R, "en", where="c")
    # a currency sign is the unit of an amount, never a word beside one
    with pytest.raises(PublicationCheckFailed, match="currency sign '\\$' stands apart"):
        check_free("Exports reached 26.2 billion, in $.", R, "en", where="c")
    with pytest.raises(PublicationCheckFailed, match=r"\$26\.2 billion"):
        check_free("Exports reached $26.2 billion.", R, "en", where="c")
