"""Locale-correct numbers (CLDR rules through Babel) for ar, fr and en.

Arabic for Morocco uses Latin digits with a decimal comma (40,3); the percent sign is written
as the words "في المائة" in running text, as the office does, and as % in tables.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from babel.numbers import format_decimal

from digex.publish.rounding import round_half_up

PERCENT_WORDS = {"ar": "{} في المائة", "fr": "{} %", "en": "{}%"}


def number(value: float | Decimal, decimals: int, locale: str) -> str:
    """`value` rounded half up and written with the locale's separators."""
    rounded = round_half_up(value, decimals)
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return str(format_decimal(rounded, format=pattern, locale=locale))


def percent(value: float | Decimal, decimals: int, locale: str, *, words: bool = False) -> str:
    """A percentage (value already in per cent), e.g. 40,3 % (fr) or 40,3 في المائة (ar)."""
    text = number(value, decimals, locale)
    lang = locale.split("_")[0]
    if words:
        return PERCENT_WORDS.get(lang, "{}%").format(text)
    return PERCENT_WORDS["en" if lang == "en" else "fr"].format(text).replace(" ", "\u00a0")


def signed(value: float | Decimal, decimals: int, locale: str) -> str:
    """A change with an explicit sign (+0,2 / -8,1)."""
    text = number(value, decimals, locale)
    return text if text.startswith(("-", "\u2212", "\u200e-")) else "+" + text


# -- figures in running text ----------------------------------------------------------------
SCALE_WORDS: Final = {
    9: {"en": ("billion", "billion"), "fr": ("milliard", "milliards"), "ar": ("مليار", "مليار")},
    6: {"en": ("million", "million"), "fr": ("million", "millions"), "ar": ("مليون", "مليون")},
}
"""The word of a power of ten, singular and plural (French: plural from 2, "1,5 milliard")."""
CURRENCY_WORDS: Final = {
    "fr": {"MAD": "dirhams", "USD": "dollars des États-Unis", "EUR": "euros"},
    "ar": {"MAD": "درهم", "USD": "دولار أمريكي", "EUR": "يورو"},
}
"""How a currency is named after an amount, where the usage differs from CLDR's display name
(CLDR's French plural says "dirhams marocains", the press and the office write "dirhams")."""
POINTS_WORDS: Final = {
    "en": "{} percentage points",
    "fr": "{} points de pourcentage",
    "ar": "{} نقطة مئوية",
}
ARABIC_INDIC: Final = "٠١٢٣٤٥٦٧٨٩"
ARABIC_DECIMAL: Final = "\u066b"
ARABIC_GROUP: Final = "\u066c"


def digits_of(text: str, digits: str, locale: str) -> str:
    """A number written by `number` in the profile's digits: `latn` unchanged, `arab` with
    Arabic-Indic digits and the Arabic decimal and group marks (U+066B, U+066C) in place of
    the locale's."""
    if digits != "arab":
        return text
    from babel.numbers import get_decimal_symbol, get_group_symbol

    table: dict[str, str | int | None] = dict(zip("0123456789", ARABIC_INDIC, strict=True))
    table[get_decimal_symbol(locale)] = ARABIC_DECIMAL
    table[get_group_symbol(locale)] = ARABIC_GROUP
    return text.translate(str.maketrans(table))


def currency_word(currency: str, lang: str, locale: str) -> str:
    """The currency named in words after an amount (French, Arabic), CLDR's plural name
    where the table above has no usage of its own."""
    from babel.numbers import get_currency_name

    named = CURRENCY_WORDS.get(lang, {}).get(currency)
    return named if named is not None else str(get_currency_name(currency, 2, locale))


def money(
    value: Decimal,
    currency: str,
    lang: str,
    locale: str,
    *,
    scale: int = 9,
    decimals: int = 1,
    digits: str = "latn",
) -> str:
    """An amount in running text, its currency always named: `MAD 26.2 billion`,
    `26,2 milliards de dirhams`, `26,2 مليار درهم` (never a bare symbol such as `$`)."""
    scaled = value.scaleb(-scale)
    text = digits_of(number(scaled, decimals, locale), digits, locale)
    words = SCALE_WORDS.get(scale, {}).get(lang)
    if lang == "en":
        return f"{currency} {text}" + (f" {words[0]}" if words else "")
    named = currency_word(currency, lang, locale)
    if lang == "fr":
        if words is None:
            return f"{text} {named}"
        word = words[1] if abs(round_half_up(scaled, decimals)) >= 2 else words[0]
        return f"{text} {word} de {named}"
    return f"{text} {words[0]} {named}" if words else f"{text} {named}"


def percent_text(
    value: Decimal,
    lang: str,
    locale: str,
    *,
    decimals: int = 1,
    sign: bool = False,
    digits: str = "latn",
) -> str:
    """A per cent in running text: `40.3%`, `40,3 %` (no-break space), `40,3 في المائة`;
    with `sign`, an explicit + on a rise (`+0.2%`)."""
    text = signed(value, decimals, locale) if sign else number(value, decimals, locale)
    text = digits_of(text, digits, locale)
    if lang == "en":
        return f"{text}%"
    if lang == "fr":
        return f"{text}\u00a0%"
    return PERCENT_WORDS.get(lang, "{}%").format(text)


def points_text(
    value: Decimal, lang: str, locale: str, *, decimals: int = 1, digits: str = "latn"
) -> str:
    """A difference of two per cents: `1.2 percentage points`, `1,2 points de pourcentage`."""
    text = digits_of(signed(value, decimals, locale), digits, locale)
    return POINTS_WORDS.get(lang, POINTS_WORDS["en"]).format(text)


def count_text(value: Decimal, locale: str, *, digits: str = "latn") -> str:
    """A count (jobs, firms) with the locale's grouping: 148,500 / 148 500 / 148.500."""
    return digits_of(number(value, 0, locale), digits, locale)
