"""Figures written for the dashboard in one language, the way the release's note writes them.

Every number goes through `digex.publish.numbers` with the locale and digits of the country
profile frozen with the release, from the figure's exact decimal (rounded half up), so that a
card reads "MAD 26.2 billion" and "+0.2%" exactly where the note does, "26,2 milliards de
dirhams" and "+0,2 %" in French. A confidential figure is written as the mark, never as a
number; a figure the release does not hold as a dash.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property, lru_cache
from typing import Any, Final

from digex.publish import numbers
from digex.publish.figures import Figure, ReleaseFigures

MARK: Final = "C"
"""The confidential mark (the SDMX CONF_STATUS of a withheld figure)."""
MISSING: Final = "—"
BILLION: Final = 9
MONEY_DECIMALS: Final = 1
"""Cards and chart labels: billions to one decimal, as the note's sentences."""
TABLE_DECIMALS: Final = 3
"""Tables: billions to the million, as the note's tables."""
PERCENT_DECIMALS: Final = 1
INDEX_DECIMALS: Final = 4


@dataclass(frozen=True)
class Writer:
    """Numbers, periods and dates of one release in one language."""

    release: ReleaseFigures
    lang: str

    @cached_property
    def locale(self) -> str:
        return self.release.profile.locale_for(self.lang)

    @cached_property
    def digits(self) -> str:
        return self.release.profile.digits_for(self.lang)

    def _digits(self, text: str) -> str:
        return numbers.digits_of(text, self.digits, self.locale)

    # -- figures ---------------------------------------------------------------------------
    def money(self, value: Decimal, currency: str) -> str:
        """`MAD 26.2 billion`, `26,2 milliards de dirhams`, `26,2 مليار درهم`."""
        return numbers.money(
            value, currency, self.lang, self.locale, scale=BILLION,
            decimals=MONEY_DECIMALS, digits=self.digits,
        )  # fmt: skip

    def growth(self, value: Decimal) -> str:
        return numbers.percent_text(
            value, self.lang, self.locale, decimals=PERCENT_DECIMALS, sign=True, digits=self.digits
        )

    def percent(self, value: Decimal) -> str:
        return numbers.percent_text(
            value, self.lang, self.locale, decimals=PERCENT_DECIMALS, digits=self.digits
        )

    def points(self, value: Decimal) -> str:
        return numbers.points_text(
            value, self.lang, self.locale, decimals=PERCENT_DECIMALS, digits=self.digits
        )

    def count(self, value: Decimal) -> str:
        return numbers.count_text(value, self.locale, digits=self.digits)

    def number(self, value: Decimal, decimals: int, *, sign: bool = False) -> str:
        """A bare number for a table cell or a chart label (the header names the unit)."""
        return _bare(value, decimals, self.locale, self.digits, sign)

    def billions(self, value: Decimal, decimals: int = TABLE_DECIMALS) -> str:
        return self.number(value.scaleb(-BILLION), decimals)

    def change_of_money(self, value: Decimal) -> str:
        """A difference of two amounts in billions, signed: `+0.1 billion`."""
        from digex.publish.numbers import SCALE_WORDS

        text = self.number(value.scaleb(-BILLION), MONEY_DECIMALS, sign=True)
        singular, plural = SCALE_WORDS[BILLION].get(self.lang, SCALE_WORDS[BILLION]["en"])
        big = abs(value.scaleb(-BILLION)) >= 2
        return f"{text} {plural if big and self.lang == 'fr' else singular}"

    def cell(self, figure: Figure | None, kind: str) -> str:
        """A table cell of `figure`: `billions`, `percent`, `growth`, `index` or `count`; the
        mark when it is confidential, a dash when the release has no value for it."""
        if figure is not None and figure.confidential:
            return MARK
        if figure is None or figure.value is None:
            return MISSING
        value = figure.value
        if kind == "billions":
            return self.billions(value)
        if kind == "growth":
            return self.number(value, PERCENT_DECIMALS, sign=True)
        if kind == "index":
            return self.number(value, INDEX_DECIMALS)
        if kind == "count":
            return self.count(value)
        return self.number(value, PERCENT_DECIMALS)

    # -- words ------------------------------------------------------------------------------
    def period(self, label: str) -> str:
        """`2024`, `H1 2024` / `S1 2024` / `النصف الأول 2024`, `September 2024`."""
        return _period(label, self.lang, self.locale, self.digits)

    def date(self, when: dt.date | dt.datetime) -> str:
        from babel.dates import format_date

        day = when.date() if isinstance(when, dt.datetime) else when
        return self._digits_in(str(format_date(day, format="long", locale=self.locale)))

    def _digits_in(self, text: str) -> str:
        return _digits_in(text, self.digits, self.locale)

    def member(self, cut: str, member: str) -> str:
        return _member(cut, member, self.lang, self.locale)


def _digits_in(text: str, digits: str, locale: str) -> str:
    """The digits of a text (a period, a date) in the profile's digits, nothing else."""
    if digits != "arab":
        return text
    return "".join(numbers.digits_of(c, "arab", locale) if c.isdigit() else c for c in text)


@lru_cache(maxsize=4096)
def _period(label: str, lang: str, locale: str, digits: str) -> str:
    from digex.publish.chart_words import period_label

    return _digits_in(period_label(label, lang, locale), digits, locale)


@lru_cache(maxsize=4096)
def _member(cut: str, member: str, lang: str, locale: str) -> str:
    """A member's name (CLDR's for a country: Babel parses the locale on every call)."""
    from digex.publish.chart_words import member_name

    return member_name(cut, member, lang, locale)


@lru_cache(maxsize=1 << 16)
def _bare(value: Decimal, decimals: int, locale: str, digits: str, sign: bool) -> str:
    """`Writer.number`, kept: Babel parses the locale on every call (about 0.2 ms a number,
    some 200 numbers a view), and the views of a release share most of their numbers."""
    write = numbers.signed if sign else numbers.number
    text = write(value, decimals, locale)
    if text.lstrip("+-\u2212") == numbers.number(0, decimals, locale):
        text = text.lstrip("+-\u2212")  # no "-0.0" nor "+0.0"
    return numbers.digits_of(text, digits, locale)


def d3_number(locale: str, currency: str) -> dict[str, Any]:
    """A d3-format locale with the CLDR separators of `locale` (the note's), and the currency
    named after an amount, never as a bare symbol."""
    from babel.numbers import get_decimal_symbol, get_group_symbol

    return {
        "decimal": str(get_decimal_symbol(locale)),
        "thousands": str(get_group_symbol(locale)),
        "grouping": [3],
        "currency": ["", f"\u00a0{currency}"],
        "minus": "\u2212",
    }


def d3_time(locale: str) -> dict[str, Any]:
    """A d3-time-format locale from CLDR (Babel has the Moroccan month names d3 lacks)."""
    from babel import Locale

    found = Locale.parse(locale)
    months = found.months["stand-alone"]
    days = found.days["stand-alone"]
    sunday_first = (6, 0, 1, 2, 3, 4, 5)  # CLDR counts from Monday, d3 from Sunday
    return {
        "dateTime": "%x %X",
        "date": "%d/%m/%Y",
        "time": "%H:%M:%S",
        "periods": [str(found.periods.get("am", "AM")), str(found.periods.get("pm", "PM"))],
        "days": [str(days["wide"][d]) for d in sunday_first],
        "shortDays": [str(days["abbreviated"][d]) for d in sunday_first],
        "months": [str(months["wide"][m]) for m in range(1, 13)],
        "shortMonths": [str(months["abbreviated"][m]) for m in range(1, 13)],
    }
