"""Properties of the number reader: whatever Babel writes in the three languages reads back to
the number, decimals, scale and unit it was written from, alone or among words."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise

from babel import Locale
from babel.numbers import format_currency, format_decimal, format_percent
from hypothesis import given
from hypothesis import strategies as st

from digex.publish.quantities import find_quantities

LOCALES = {"en": "en", "fr": "fr_MA", "ar": "ar_MA"}

# Each language's ways of writing a quantity around the number {n}: (form, scale, unit).
FORMS: dict[str, list[tuple[str, int, str | None]]] = {
    "en": [
        ("{n}", 0, None),
        ("{n}%", 0, "PC"),
        ("{n} %", 0, "PC"),
        ("{n} per cent", 0, "PC"),
        ("{n} percent", 0, "PC"),
        ("{n} percentage points", 0, "PP"),
        ("{n} percentage point", 0, "PP"),
        ("{n} points", 0, "PP"),
        ("{n} pp", 0, "PP"),
        ("MAD {n} billion", 9, "MAD"),
        ("MAD{n}bn", 9, "MAD"),
        ("{n} billion dirhams", 9, "MAD"),
        ("{n} bn MAD", 9, "MAD"),
        ("{n} billion Moroccan dirhams", 9, "MAD"),
        ("{n}bn", 9, None),
        ("{n}B", 9, None),
        ("{n} billion", 9, None),
        ("${n} billion", 9, "USD"),
        ("US${n}bn", 9, "USD"),
        ("USD {n} million", 6, "USD"),
        ("{n} million dollars", 6, "USD"),
        ("{n} US dollars", 0, "USD"),
        ("€{n}m", 6, "EUR"),
        ("EUR {n} million", 6, "EUR"),
        ("{n} euros", 0, "EUR"),
        ("{n} thousand", 3, None),
        ("{n}k", 3, None),
        ("{n}M", 6, None),
        ("{n} DH", 0, "MAD"),
        ("{n} trillion", 12, None),
    ],
    "fr": [
        ("{n}", 0, None),
        ("{n}\u00a0%", 0, "PC"),
        ("{n}\u202f%", 0, "PC"),
        ("{n} %", 0, "PC"),
        ("{n}%", 0, "PC"),
        ("{n} pour cent", 0, "PC"),
        ("{n} points de pourcentage", 0, "PP"),
        ("{n} point", 0, "PP"),
        ("{n} milliards de dirhams", 9, "MAD"),
        ("{n} milliard de dirhams", 9, "MAD"),
        ("{n}\u00a0milliards de DH", 9, "MAD"),
        ("{n} Mds DH", 9, "MAD"),
        ("{n} Md\u00a0MAD", 9, "MAD"),
        ("{n} MMDH", 9, "MAD"),
        ("{n} MDH", 6, "MAD"),
        ("{n} millions de dirhams", 6, "MAD"),
        ("{n} millions d\u2019euros", 6, "EUR"),
        ("{n} millions d'euros", 6, "EUR"),
        ("{n} milliards de dollars", 9, "USD"),
        ("{n}\u00a0$US", 0, "USD"),
        ("{n} $", 0, "USD"),
        ("{n} €", 0, "EUR"),
        ("{n} MAD", 0, "MAD"),
        ("{n} dirhams", 0, "MAD"),
        ("{n} mille", 3, None),
        ("{n} milliards", 9, None),
        ("{n}\u00a0Md", 9, None),
        ("{n} billions", 12, None),
    ],
    "ar": [
        ("{n}", 0, None),
        ("{n} في المائة", 0, "PC"),
        ("{n} في المئة", 0, "PC"),
        ("{n} بالمائة", 0, "PC"),
        ("{n}%", 0, "PC"),
        ("{n}\u200e%\u200e", 0, "PC"),
        ("{n}٪\u061c", 0, "PC"),
        ("{n} نقطة", 0, "PP"),
        ("{n} نقاط", 0, "PP"),
        ("{n} نقطة مئوية", 0, "PP"),
        ("{n} مليار درهم", 9, "MAD"),
        ("{n} ملايير درهم", 9, "MAD"),
        ("{n}\u00a0مليار", 9, None),
        ("{n} مليون درهم", 6, "MAD"),
        ("{n} ملايين درهم", 6, "MAD"),
        ("{n} ألف", 3, None),
        ("{n} آلاف", 3, None),
        ("{n} درهم", 0, "MAD"),
        ("{n} دراهم", 0, "MAD"),
        ("{n}\u00a0د.م.\u200f", 0, "MAD"),
        ("{n} دولار", 0, "USD"),
        ("{n} مليار دولار", 9, "USD"),
        ("{n} يورو", 0, "EUR"),
        ("{n} مليون يورو", 6, "EUR"),
        ("{n}\u00a0US$", 0, "USD"),
    ],
}
FILLERS = {
    "en": ["and", "against", "then, in", "while"],
    "fr": ["et", "contre", "puis, en", "soit"],
    "ar": ["و", "مقابل", "ثم", "أي"],
}
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


@dataclass(frozen=True)
class Written:
    text: str
    value: Decimal
    decimals: int
    scale: int
    unit: str | None
    signed: bool


def pattern(decimals: int, sign: str) -> str:
    body = "#,##0" + ("." + "0" * decimals if decimals else "")
    return f"+{body};-{body}" if sign == "+" else body


def babel_number(value: Decimal, decimals: int, sign: str, lang: str, digits: str) -> str:
    """`value` as Babel writes it for `lang`; in Arabic-Indic digits, Babel's `arab` marks
    (U+066B, U+066C) with the digits translated, as Babel leaves that to the caller."""
    system = "latn" if digits == "latn" else "arab"
    text = format_decimal(
        value, pattern(decimals, sign), locale=LOCALES[lang], numbering_system=system
    )
    table = {"latn": None, "arab": ARABIC_INDIC, "persian": PERSIAN}[digits]
    return str(text if table is None else text.translate(table))


@st.composite
def written(draw: st.DrawFn, lang: str) -> Written:
    decimals = draw(st.integers(0, 3))
    magnitude = draw(st.integers(0, 10**10))
    sign = draw(st.sampled_from(["", "+", "-"] if magnitude else ["", "+"]))
    value = Decimal(-magnitude if sign == "-" else magnitude).scaleb(-decimals)
    digits = draw(st.sampled_from(["latn", "arab", "persian"] if lang == "ar" else ["latn"]))
    number = babel_number(value, decimals, sign, lang, digits)
    form, scale, unit = draw(st.sampled_from(FORMS[lang]))
    return Written(form.format(n=number), value, decimals, scale, unit, sign != "")


@given(st.sampled_from(sorted(FORMS)).flatmap(lambda lang: st.tuples(st.just(lang), written(lang))))
def test_every_written_form_reads_back(case: tuple[str, Written]) -> None:
    lang, w = case
    found = find_quantities(w.text, lang)
    assert len(found) == 1, (w, found)
    q = found[0]
    assert (q.value, q.decimals, q.scale, q.unit, q.signed) == (
        w.value,
        w.decimals,
        w.scale,
        w.unit,
        w.signed,
    )
    assert q.value.as_tuple().exponent == -w.decimals
    assert w.text[q.start : q.end] == q.text
    low, high = q.interval()
    assert low <= q.exact() < high
    assert high - low == Decimal(1).scaleb(q.scale - q.decimals)


@st.composite
def currency_or_percent(draw: st.DrawFn) -> tuple[str, Written]:
    """Babel's own currency and percent formats (the locale's pattern at 0-3 decimals)."""
    lang = draw(st.sampled_from(sorted(LOCALES)))
    locale = Locale.parse(LOCALES[lang])
    decimals = draw(st.integers(0, 3))
    value = Decimal(draw(st.integers(-(10**9), 10**9))).scaleb(-decimals)
    body = "0." + "0" * decimals if decimals else "0"
    if draw(st.booleans()):
        currency = draw(st.sampled_from(["MAD", "USD", "EUR"]))
        form = str(locale.currency_formats["standard"].pattern).replace("0.00", body)
        text = format_currency(value, currency, format=form, locale=locale, currency_digits=False)
        unit = currency
    else:
        form = str(locale.percent_formats[None].pattern).replace("0", body, 1)
        text = format_percent(value.scaleb(-2), form, locale=locale)
        unit = "PC"
    return lang, Written(str(text), value, decimals, 0, unit, value < 0)


@given(currency_or_percent())
def test_babel_currency_and_percent_read_back(case: tuple[str, Written]) -> None:
    lang, w = case
    found = find_quantities(w.text, lang)
    assert len(found) == 1, (w, found)
    q = found[0]
    assert (q.value, q.decimals, q.unit, q.signed) == (w.value, w.decimals, w.unit, w.signed)


@st.composite
def bidi_sprinkled(draw: st.DrawFn) -> tuple[str, Written]:
    """A number with bidi marks put anywhere inside or around it."""
    lang = draw(st.sampled_from(sorted(FORMS)))
    w = draw(written(lang))
    marks = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    chars = list(w.text)
    number_end = max(i for i, c in enumerate(chars) if c.isdigit()) + 1
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, number_end))
        chars.insert(at, draw(st.sampled_from(marks)))
        number_end += 1
    return lang, Written("".join(chars), w.value, w.decimals, w.scale, w.unit, w.signed)


@given(bidi_sprinkled())
def test_bidi_marks_anywhere_in_a_number_are_ignored(case: tuple[str, Written]) -> None:
    lang, w = case
    found = find_quantities(w.text, lang)
    assert len(found) == 1, (w, found)
    q = found[0]
    assert (q.value, q.decimals, q.scale, q.unit) == (w.value, w.decimals, w.scale, w.unit)
    assert w.text[q.start : q.end] == q.text
    assert q.text[0] not in "\u200e\u200f\u061c"
    assert q.text[-1] not in "\u200e\u200f\u061c"


@st.composite
def paragraph(draw: st.DrawFn) -> tuple[str, str, list[Written]]:
    lang = draw(st.sampled_from(sorted(FORMS)))
    items = draw(st.lists(written(lang), min_size=1, max_size=6))
    words = [draw(st.sampled_from(FILLERS[lang])) for _ in range(len(items) + 1)]
    parts = [words[0]]
    for item, word in zip(items, words[1:], strict=True):
        parts += [item.text, word]
    return lang, " ".join(parts), items


@given(paragraph())
def test_several_quantities_among_words_all_read_back_in_order(
    case: tuple[str, str, list[Written]],
) -> None:
    lang, text, items = case
    found = find_quantities(text, lang)
    assert [(q.value, q.decimals, q.scale, q.unit, q.signed) for q in found] == [
        (w.value, w.decimals, w.scale, w.unit, w.signed) for w in items
    ]
    assert [q.text for q in found] == [w.text.strip("\u200e\u200f\u061c") for w in items]
    assert all(text[q.start : q.end] == q.text for q in found)
    assert all(a.end < b.start for a, b in pairwise(found))


@given(
    st.sampled_from(sorted(FORMS)).flatmap(lambda lang: st.tuples(st.just(lang), written(lang))),
    st.integers(-120, 120),
)
def test_rounds_from_agrees_with_the_interval(case: tuple[str, Written], offset: int) -> None:
    """A figure rounds to the written one exactly when it lies in its interval, with the end
    nearer zero (round half up: ties away from zero); offsets of +-50 hundredths of the last
    written digit are the ties."""
    lang, w = case
    q = find_quantities(w.text, lang)[0]
    low, high = q.interval()
    exact = q.exact() + Decimal(offset).scaleb(q.scale - q.decimals - 2)
    if q.value > 0:
        inside = low <= exact < high
    elif q.value < 0:
        inside = low < exact <= high
    else:
        inside = low < exact < high
    assert q.rounds_from(exact) == inside
