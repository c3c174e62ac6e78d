"""Numbers as people write them (issue 21, point 2): every form the issue lists, read in the
three languages, and properties of the reader over ranges, bounds, numbers in words and
Arabic-Indic digits, and of the rounding interval a written figure stands for."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from babel.numbers import format_decimal, get_decimal_symbol, get_group_symbol
from hypothesis import given
from hypothesis import strategies as st

from digex.claims import lexicon
from digex.claims.model import Claim
from digex.claims.reading import Reading, read
from digex.claims.subjects import TOTAL_SUBJECT
from digex.claims.verdict import accepts
from digex.indicators.periods import Period

LOCALES = {"en": "en", "fr": "fr_MA", "ar": "ar_MA"}
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def one(text: str, lang: str) -> Reading:
    found = [
        r
        for r in read(text, lang)
        if r.quantity is None or r.quantity.unit is not None or r.quantity.scale
    ]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("lang", "text", "value", "scale", "unit", "bound"),
    [
        ("fr", "26,2 milliards de dirhams", "26.2", 9, "MAD", "="),
        ("ar", "26,2 مليار درهم", "26.2", 9, "MAD", "="),
        ("ar", "٢٦٫٢ مليار درهم", "26.2", 9, "MAD", "="),
        ("en", "26.2 billion dirhams", "26.2", 9, "MAD", "="),
        ("en", "26.2bn MAD", "26.2", 9, "MAD", "="),
        ("fr", "26 200 MDH", "26200", 6, "MAD", "="),
        ("fr", "148 500 DH", "148500", 0, "MAD", "="),
        ("en", "$26.2 billion", "26.2", 9, "USD", "="),
        ("en", "40.3%", "40.3", 0, "PC", "="),
        ("ar", "40,3 في المائة", "40.3", 0, "PC", "="),
        ("ar", "٤٠٫٣ في المائة", "40.3", 0, "PC", "="),
        ("fr", "1,5 point", "1.5", 0, "PP", "="),
        ("en", "over 40 %", "40", 0, "PC", ">"),
        ("fr", "plus de 40 %", "40", 0, "PC", ">"),
        ("ar", "أكثر من 40 في المائة", "40", 0, "PC", ">"),
        ("en", "nearly 13 billion dirhams", "13", 9, "MAD", "~"),
        ("fr", "moins de 1 %", "1", 0, "PC", "<"),
        ("en", "three per cent", "3", 0, "PC", "="),
        ("fr", "deux milliards de dirhams", "2", 9, "MAD", "="),
        ("ar", "ثلاثة في المائة", "3", 0, "PC", "="),
        ("ar", "ملياري درهم", "2", 9, "MAD", "="),
    ],
)
def test_the_issue_s_forms(
    lang: str, text: str, value: str, scale: int, unit: str, bound: str
) -> None:
    r = one(f"… {text} …", lang)
    assert r.quantity is not None
    assert (r.quantity.value, r.quantity.scale, r.quantity.unit, r.bound) == (
        Decimal(value),
        scale,
        unit,
        bound,
    )


@pytest.mark.parametrize(
    ("lang", "text", "low", "high"),
    [
        ("en", "40-45 %", "40", "45"),
        ("en", "between 40 and 45 per cent", "40", "45"),
        ("fr", "de 40 à 45 %", "40", "45"),
        ("fr", "entre 12,5 et 13 milliards de dirhams", "12.5", "13"),
        ("ar", "بين 40 و45 في المائة", "40", "45"),
        ("ar", "بين ٤٠ و٤٥ في المائة", "40", "45"),
    ],
)
def test_ranges(lang: str, text: str, low: str, high: str) -> None:
    r = one(text, lang)
    assert r.quantity is not None
    assert r.upper is not None
    assert (r.quantity.value, r.upper.value) == (Decimal(low), Decimal(high))
    assert r.quantity.unit == r.upper.unit
    assert r.quantity.scale == r.upper.scale


@pytest.mark.parametrize(
    ("lang", "text", "multiple", "bound"),
    [
        ("en", "ITO is twice BPO", 2, "="),
        ("en", "almost three times as much", 3, "~"),
        ("fr", "le double de 2019", 2, "="),
        ("fr", "trois fois plus", 3, "="),
        ("ar", "الضعف مقارنة مع 2019", 2, "="),
        ("ar", "أكثر من الضعف", 2, ">"),
    ],
)
def test_multiples_in_words(lang: str, text: str, multiple: int, bound: str) -> None:
    r = one(text, lang)
    assert (r.multiple, r.bound, r.quantity) == (Decimal(multiple), bound, None)


def test_a_multiple_of_less_is_not_read() -> None:
    """ "Deux fois moins" (half as much) is read as no multiple rather than a wrong one."""
    assert read("soit deux fois moins que le BPO", "fr") == []
    assert read("three times smaller", "en") == []


def test_years_ranks_and_ids_are_numbers_not_claims() -> None:
    """ "2023-2024" stays two years (no range: neither has a unit)."""
    found = read("From 2023-2024 and release 2024.2 on", "en")
    assert [r.upper for r in found] == [None] * len(found)


def written(value: Decimal, decimals: int, lang: str, arabic_digits: bool) -> str:
    """`value` as the language's locale writes it, or with Arabic-Indic digits and the Arabic
    decimal and thousands marks (U+066B, U+066C) in their places."""
    locale = LOCALES[lang]
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    text = str(format_decimal(value, format=pattern, locale=locale))
    if not arabic_digits:
        return text
    marks = {get_decimal_symbol(locale): "\u066b", get_group_symbol(locale): "\u066c"}
    return "".join(marks.get(c, c) for c in text).translate(ARABIC_INDIC)


values = st.decimals(min_value=Decimal("0.1"), max_value=Decimal(999), places=1)


@given(
    st.sampled_from(["en", "fr", "ar"]),
    values,
    values,
    st.booleans(),
    st.sampled_from(["{a}-{b} %", "{a} \u2013 {b} %", "between {a} and {b} %"]),
)
def test_a_range_reads_as_its_two_ends(
    lang: str, a: Decimal, b: Decimal, arabic: bool, form: str
) -> None:
    words = {"fr": ("entre", "et"), "ar": ("بين", "و")}.get(lang, ("between", "and"))
    form = form.replace("between", words[0]).replace(" and ", f" {words[1]} ")
    low, high = sorted((a, b))
    text = form.format(a=written(low, 1, lang, arabic), b=written(high, 1, lang, arabic))
    r = one(text, lang)
    assert r.quantity is not None
    assert r.upper is not None
    assert (r.quantity.value, r.upper.value, r.upper.unit) == (low, high, "PC")


@given(
    st.sampled_from(["en", "fr", "ar"]),
    st.sampled_from(sorted(lexicon.QUALIFIERS)),
    st.data(),
    values,
    st.booleans(),
)
def test_a_qualifier_gives_its_bound_and_leaves_the_number(
    lang: str, bound: str, data: st.DataObject, value: Decimal, arabic: bool
) -> None:
    script = "ar" if lang == "ar" else "latin"
    words = [
        w
        for w in lexicon.QUALIFIERS[bound]
        if (script == "ar") == any("\u0600" <= c <= "\u06ff" for c in w)
    ]
    word = data.draw(st.sampled_from(words))
    unit = {"en": "%", "fr": "%", "ar": "في المائة"}[lang]
    r = one(f"{word} {written(value, 1, lang, arabic)} {unit}", lang)
    assert r.quantity is not None
    assert (r.bound, r.quantity.value, r.quantity.unit) == (bound, value, "PC")


@given(st.sampled_from(["en", "fr", "ar"]), st.data())
def test_a_small_number_in_words_reads_as_its_value(lang: str, data: st.DataObject) -> None:
    word, value = data.draw(st.sampled_from(sorted(lexicon.NUMBER_WORDS[lang].items())))
    unit = {"en": "per cent", "fr": "pour cent", "ar": "في المائة"}[lang]
    r = one(f"— {word} {unit} —", lang)
    assert r.quantity is not None
    assert (r.quantity.value, r.quantity.unit) == (Decimal(value), "PC")


def _claim(r: Reading) -> Claim:
    return Claim("", 0, 0, r, "share", TOTAL_SUBJECT, Period("A", 2024, 1))


@given(
    st.decimals(min_value=Decimal(0), max_value=Decimal(100), places=6),
    st.integers(0, 3),
    st.sampled_from(["en", "fr", "ar"]),
    st.booleans(),
)
def test_a_figure_written_from_a_value_is_consistent_with_it_and_only_near_it(
    exact: Decimal, decimals: int, lang: str, arabic: bool
) -> None:
    """Round a value half up, write it as a locale would, read it back: the claim accepts the
    value, and rejects the values one step beyond either end of its rounding interval."""
    shown = exact.quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
    unit = {"en": "%", "fr": "%", "ar": "في المائة"}[lang]
    claim = _claim(one(f"{written(shown, decimals, lang, arabic)} {unit}", lang))
    assert accepts(claim, exact)
    step = Decimal(1).scaleb(-decimals)
    assert not accepts(claim, shown + step)
    assert not accepts(claim, shown - step)
