"""Numbers read back out of a text, as people write them in Arabic, French and English.

The publisher renders each note and then reads every number back to check it against the figure
it was tagged with; the claim checker reads a press text the same way. Both need more than the
digits: 26,2 milliards de dirhams is 26.2 x 10^9 MAD, and "$26.2 billion" is the press mistake
of putting dollars on dirhams (ten times too much). So a `Quantity` keeps what the writer wrote
(the number, its sign, how many decimals, the scale word, the unit) and leaves the judging to
the caller: `exact()` is the value meant, `interval()` the values that round to it.

Conventions are the ones Babel 2.18 (CLDR) writes for ar_MA, fr_MA and en, and Babel's output
always reads back:
- en: point decimal, comma thousands (26.2, 148,500);
- fr: comma decimal, thousands by a space, U+00A0 or U+202F (26,2, 148 500);
- ar (ar_MA): comma decimal, point thousands (26,2, 148.500); with Arabic-Indic digits (U+0660-
  U+0669, or the extended U+06F0-U+06F9) the marks are U+066B decimal and U+066C thousands,
  in any language.
A thousands mark is one only between groups of exactly three digits after a first group of one
to three ("2024 148 500" is two numbers); a language's own thousands mark that cannot be one
("26.2" in Arabic, "1,5" in English, where writers borrow the other convention) is read as a
decimal mark. French also reads "148.500", a common press spelling.

Bidirectional marks (LRM, RLM, ALM, the embeddings and isolates), which Babel puts around Arabic
signs and which editors leave around numbers, are skipped; a quantity's span is still in the
original text. A sign counts only before a number not glued to a word or number ("2023-2024" is
two years, "COVID-19" no negative number); digits glued after a Latin letter are a code or a
period label ("H1", "T3", "BPM6") and stand alone. Years and period labels are quantities like
any other, with no unit and no scale: the caller knows which spans are years.

Scale words are read in every language, since a French text quotes "bn" as readily as an
English one; "billion" is 10^9 except in French, where it is 10^12 (a milliard is 10^9).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Final

from digex.errors import UsageError

LANGS: Final = ("ar", "fr", "en")

_DIGIT: Final = "0-9\u0660-\u0669\u06f0-\u06f9"
_TO_ASCII: Final = str.maketrans(
    {chr(zero + i): str(i) for zero in (0x0660, 0x06F0) for i in range(10)}
)
"""Arabic-Indic and extended Arabic-Indic digits to ASCII."""

_INVISIBLE: Final = re.compile("[\u200b\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069\ufeff]")
"""Bidi marks, plus the zero-width space and BOM that editors also leave around numbers."""

_ANY_DIGITS: Final = re.compile(r"\d+")

# Per language: thousands marks, decimal marks, and the thousands marks read as decimals when
# they cannot separate thousands. The Arabic marks U+066C/U+066B hold in every language.
_MARKS: Final = {
    "en": (",\u066c", ".\u066b", ","),
    "fr": (" \u00a0\u202f\u2009.\u066c", ",\u066b", "."),
    "ar": (".\u066c", ",\u066b", "."),
}

_MARK_CHARS: Final = "".join(sorted(set("".join("".join(marks) for marks in _MARKS.values()))))

_SP: Final = "[ \u00a0\u202f\u2009]?"
_WS: Final = "[ \u00a0\u202f]"
_SIGN: Final = "[-+\u2212]"
_LATIN_END: Final = r"(?![^\W\d_])"
"""The end of a Latin word: no letter follows."""
_AR_END: Final = r"(?:[\u064b-\u0652]*\u0627)?[\u064b-\u0652]*(?![^\W\d_])"
"""The end of an Arabic word: its case ending (tanwin, final alif: درهمًا) and no letter after."""


def _words(*forms: str) -> str:
    """An alternation of word forms (regex syntax; spaces match a space or a no-break space),
    each ending at a word boundary: a form in Arabic script may take its case ending."""
    out = []
    for form in forms:
        pattern = form.replace(" ", _WS)
        if re.search("[\u0600-\u06ff]", form):
            pattern += _AR_END
        elif re.search("[A-Za-z]", form) and not form.endswith("\\$"):
            pattern += _LATIN_END
        out.append(pattern)
    return "|".join(out)


_CURRENCY_SYMBOLS: Final = {
    "USD": (r"US\$", r"\$US", r"\$", "USD"),
    "EUR": ("\u20ac", "EUR"),
    "MAD": ("MAD", "DHS?", "Dhs?", "\u062f\\.\u0645\\."),
}
"""Codes and symbols, written before or after the number (US$2.6bn, 26,20 $US, MAD 26.2)."""

_CURRENCY_WORDS: Final = {
    "USD": (
        "(?i:(?:US |U\\.S\\. )?dollars?)",
        "\u0627\u0644\u062f\u0648\u0644\u0627\u0631\u0627\u062a",  # الدولارات
        "\u062f\u0648\u0644\u0627\u0631\u0627\u062a",  # دولارات
        "\u062f\u0648\u0644\u0627\u0631",  # دولار
    ),
    "EUR": (
        "(?i:euros?)",
        "\u064a\u0648\u0631\u0648",  # يورو
        "\u0623\u0648\u0631\u0648",  # أورو, as Moroccan texts write it
    ),
    "MAD": (
        "(?i:(?:Moroccan )?dirhams?)",
        "dhs?",
        "\u0627\u0644\u062f\u0631\u0627\u0647\u0645",  # الدراهم (مليار من الدراهم)
        "\u062f\u0631\u0627\u0647\u0645",  # دراهم
        "\u062f\u0631\u0647\u0645",  # درهم
    ),
}
"""Currency names, written after the number (and its scale word)."""

_PERCENT: Final = (
    "%",
    "\u066a",  # ٪
    "(?i:per ?cent|pour ?cent)",
    "\u0641\u064a \u0627\u0644\u0645\u0627\u0626\u0629",  # في المائة
    "\u0641\u064a \u0627\u0644\u0645\u0626\u0629",  # في المئة
    "\u0628\u0627\u0644\u0645\u0627\u0626\u0629",  # بالمائة
    "\u0628\u0627\u0644\u0645\u0626\u0629",  # بالمئة
)
_POINTS: Final = (
    "(?i:percentage(?:-| )points?|points? de pourcentage)",
    "(?i:points?|pts?)",
    "pp",
    r"p\.p\.",
    "\u0646\u0642\u0637\u0629 \u0645\u0626\u0648\u064a\u0629",  # نقطة مئوية
    "\u0646\u0642\u0627\u0637 \u0645\u0626\u0648\u064a\u0629",  # نقاط مئوية
    "\u0646\u0642\u0637\u062a\u064a\u0646",  # نقطتين
    "\u0646\u0642\u0637\u062a\u0627\u0646",  # نقطتان
    "\u0646\u0642\u0627\u0637",  # نقاط
    "\u0646\u0642\u0637\u0629",  # نقطة
)

_SCALE_WORDS: Final = {
    "s12": ("(?i:trillions?)", "tn", "\u062a\u0631\u064a\u0644\u064a\u0648\u0646"),  # تريليون
    "s9": (
        "(?i:milliards?)",
        "Mds",
        "Md",
        "Mrds?",
        "mds",
        "bn",
        "Bn",
        "B",
        "\u0645\u0644\u064a\u0627\u0631\u0627\u062a",  # مليارات
        "\u0645\u0644\u0627\u064a\u064a\u0631",  # ملايير
        "\u0645\u0644\u064a\u0627\u0631",  # مليار
        "\u0628\u0644\u064a\u0648\u0646",  # بليون
    ),
    "billion": ("(?i:billions?)",),
    "s6": (
        "(?i:millions?)",
        "mn",
        "Mn",
        "M",
        "m",
        "\u0645\u0644\u0627\u064a\u064a\u0646",  # ملايين
        "\u0645\u0644\u064a\u0648\u0646",  # مليون
    ),
    "s3": (
        "(?i:thousands?|milliers?|mille)",
        "k",
        "K",
        "\u0622\u0644\u0627\u0641",  # آلاف
        "\u0623\u0644\u0641",  # ألف
        "\u0627\u0644\u0641",  # الف
    ),
}
"""Scale words by power of ten ("billion" is 10^9 or, in French, 10^12)."""

_COMBINED: Final = {"c9": ("MMDHS?", "MMDhs?"), "c6": ("MDHS?", "MDhs?"), "c3": ("KDHS?",)}
"""Scale and currency in one abbreviation: MMDH (milliards de dirhams), MDH (millions)."""


def _group(name: str, forms: tuple[str, ...]) -> str:
    return f"(?P<{name}>{_words(*forms)})"


def _alternatives(prefix: str, table: dict[str, tuple[str, ...]]) -> str:
    return "|".join(_group(prefix + key, forms) for key, forms in table.items())


def _number(lang: str) -> str:
    """The number itself: digits, thousands groups, a decimal part, as `lang` writes them."""
    group, decimal, loose = (re.escape(marks) for marks in _MARKS[lang])
    d = f"[{_DIGIT}]"
    three = f"{d}{{3}}(?!{d})"
    whole = f"(?P<int>{d}{{1,3}}(?:[{group}]{three})+|{d}+)"
    fraction = f"(?:(?:[{decimal}]|[{loose}](?!{three}))(?P<frac>{d}+))?"
    return whole + fraction


@cache
def _pattern(lang: str) -> re.Pattern[str]:
    """One compiled expression per language (they differ only in the number's marks)."""
    prefix = _alternatives("p_", _CURRENCY_SYMBOLS)
    unit = "|".join(
        (
            _alternatives("u_", _CURRENCY_SYMBOLS),
            _alternatives("w_", _CURRENCY_WORDS),
            _group("u_PC", _PERCENT),
            _group("u_PP", _POINTS),
        )
    )
    scale = _alternatives("", _SCALE_WORDS)
    combined = _alternatives("", _COMBINED)
    # "milliards de dirhams", "millions d'euros", "billion of dirhams", "مليار من الدراهم"
    linked = r"(?(scale)(?:(?i:de|of)[ \u00a0]|(?i:d)['\u2019]|\u0645\u0646[ \u00a0])?)"
    after = (
        f"(?:{_SP}(?:{combined})"
        f"|(?:{_SP}(?P<scale>{scale}))?"
        f"(?(pre)|(?:{_SP}{linked}(?P<unit>{unit}))?))"
    )
    glued_before = f"(?<![{_DIGIT}A-Za-z])"
    quantity = (
        f"(?P<sign1>(?<!\\w){_SIGN})?"
        f"(?:(?<![^\\W\\d_])(?P<pre>{prefix}){_SP}(?P<sign2>{_SIGN})?)?"
        f"(?(pre)|(?(sign1)|{glued_before}))"
        f"{_number(lang)}{after}"
    )
    code = f"(?<=[A-Za-z])(?P<code>[{_DIGIT}]+)"
    # What a quantity can start with, tested first: most positions in a text are not numbers.
    first = {form.lstrip("\\")[0] for forms in _CURRENCY_SYMBOLS.values() for form in forms}
    starts = f"(?=[-+\u2212{_DIGIT}{re.escape(''.join(sorted(first)))}])"
    return re.compile(f"{starts}(?:{quantity}|{code})")


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number as written in a text, with its sign, scale word and unit."""

    start: int
    """Span in the text: the number with its sign, currency, scale word and unit."""
    end: int
    text: str
    value: Decimal
    """The number as written, sign applied, not scaled (26.2 for "26,2 milliards")."""
    decimals: int
    """Digits written after the decimal mark (26,2 -> 1; 148 500 -> 0)."""
    scale: int
    """Power of ten of the scale word (9 for milliards, bn, مليار), 0 without one."""
    unit: str | None
    """"PC" (per cent), "PP" (percentage points), an ISO 4217 code, or None."""
    signed: bool
    """Written with an explicit + or - (a change rather than a level)."""

    def exact(self) -> Decimal:
        """The value meant: the number times its scale (26.2 bn -> 26200000000)."""
        return self.value.scaleb(self.scale)

    def interval(self) -> tuple[Decimal, Decimal]:
        """The bounds of the values that round (half up) to the written figure, scaled. Ties go
        away from zero, so the end nearer zero is the closed one: 13.4 comes from [13.35,
        13.45), -8.1 from (-8.15, -8.05], 0.0 from the open (-0.05, 0.05)."""
        half = Decimal(5).scaleb(-self.decimals - 1)
        return (self.value - half).scaleb(self.scale), (self.value + half).scaleb(self.scale)

    def rounds_from(self, exact: Decimal) -> bool:
        """Whether `exact` (unscaled: MAD, not bn MAD) is written so: in this scale, rounded
        half up to these decimals, it gives this value (26,2 milliards from 26,174,000,000)."""
        step = Decimal(1).scaleb(-self.decimals)
        return exact.scaleb(-self.scale).quantize(step, ROUND_HALF_UP) == self.value


def _language(lang: str) -> str:
    base = lang.split("_")[0].split("-")[0].lower()
    if base not in _MARKS:
        raise UsageError(
            f"numbers cannot be read with lang={lang}: give one of {', '.join(LANGS)} "
            "(or a locale of one, such as fr_MA)"
        ).naming(lang=lang)
    return base


def _positions(text: str) -> tuple[str, list[int]]:
    """`text` without its invisible marks, and where each mark's successor sits in it."""
    marks = [m.start() for m in _INVISIBLE.finditer(text)]
    if not marks:
        return text, []
    return _INVISIBLE.sub("", text), [p - k for k, p in enumerate(marks)]


_PREFIX_UNITS: Final = tuple(f"p_{code}" for code in _CURRENCY_SYMBOLS)
_SUFFIX_UNITS: Final = (
    *(f"u_{code}" for code in _CURRENCY_SYMBOLS),
    *(f"w_{code}" for code in _CURRENCY_WORDS),
    "u_PC",
    "u_PP",
)
_SCALES: Final = ("s12", "s9", "s6", "s3", "c9", "c6", "c3", "billion")


def _unit(m: re.Match[str]) -> str | None:
    if m["pre"] is not None:
        names = _PREFIX_UNITS
    elif m["unit"] is not None:
        names = _SUFFIX_UNITS
    else:
        return "MAD" if m["c9"] or m["c6"] or m["c3"] else None
    return next(name[2:] for name, value in zip(names, m.group(*names), strict=True) if value)


def _scale(m: re.Match[str], lang: str) -> int:
    if m["scale"] is None and m["c9"] is None and m["c6"] is None and m["c3"] is None:
        return 0
    name = next(name for name, value in zip(_SCALES, m.group(*_SCALES), strict=True) if value)
    if name == "billion":
        return 12 if lang == "fr" else 9
    return int(name[1:])


_DIGITS_ONLY: Final = str.maketrans({**_TO_ASCII, **dict.fromkeys(map(ord, _MARK_CHARS))})


def _digits(written: str) -> str:
    return written.translate(_DIGITS_ONLY)


def find_quantities(text: str, lang: str) -> list[Quantity]:
    """Every number in `text`, in order, read with `lang`'s marks (ar, fr or en, or a locale
    such as fr_MA): years, period labels and codes included, with no unit."""
    lang = _language(lang)
    clean, shifted = _positions(text)
    found: list[Quantity] = []
    for m in _pattern(lang).finditer(clean):
        start, end = m.span()
        if shifted:
            start += bisect_right(shifted, start)
            end = end - 1 + bisect_right(shifted, end - 1) + 1
        if m["code"] is not None:
            value, decimals, scale, unit, signed = Decimal(_digits(m["code"])), 0, 0, None, False
        else:
            sign = m["sign1"] or m["sign2"]
            frac = _digits(m["frac"] or "")
            number = _digits(m["int"]) + ("." + frac if frac else "")
            negative = sign is not None and sign != "+"
            value = Decimal(("-" if negative else "") + number)
            decimals, scale, unit, signed = len(frac), _scale(m, lang), _unit(m), sign is not None
        found.append(Quantity(start, end, text[start:end], value, decimals, scale, unit, signed))
    return found


def find_digits(text: str) -> list[tuple[int, int]]:
    """Spans of every run of digits, in any script: what the publisher checks is inside a
    tagged span, so that no number reaches a reader unchecked."""
    return [m.span() for m in _ANY_DIGITS.finditer(text)]
