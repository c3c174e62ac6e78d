"""Locale-correct numbers (CLDR rules through Babel) for ar, fr and en.

Arabic for Morocco uses Latin digits with a decimal comma (40,3); the percent sign is written
as the words "في المائة" in running text, as the office does, and as % in tables.
"""

from __future__ import annotations

from decimal import Decimal

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
