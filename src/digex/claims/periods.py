"""The periods a sentence names: years, halves, quarters, months, and "a year earlier".

Read on the folded text with its digits made ASCII (same length, so spans hold in the
original). A half or quarter named without its year ("the first half") takes the year of the
sentence or of the paragraph; a mention right after a word such as "on", "par rapport à",
"مقارنة مع" is the *base* of a change, not the period a figure is of.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Final

from digex.claims.lexicon import BASE, RELATIVE_YEAR, words_re
from digex.claims.text import fold
from digex.indicators.periods import Period

_DIGITS: Final = str.maketrans({chr(z + i): str(i) for z in (0x0660, 0x06F0) for i in range(10)})

YEAR: Final = r"(?<![\d.,])(?P<year>(?:19|20)\d{2})(?![\d]|[.,]\d)"
_OPT_YEAR: Final = rf"(?:\s*(?:of|de|d'|du|من|من\s+سنه|من\s+عام|سنه|عام)?\s*{YEAR})?"

_ORDINALS: Final = {
    1: ("first", "1st", "premier", "1er", "1ere", "premiere", "الاول", "الاولي"),
    2: ("second", "2nd", "deuxieme", "2e", "2eme", "seconde", "الثاني", "الثانيه"),
    3: ("third", "3rd", "troisieme", "3e", "3eme", "الثالث"),
    4: ("fourth", "4th", "quatrieme", "4e", "4eme", "الرابع"),
}
_MONTHS: Final = (
    ("january", "janvier", "يناير", "كانون الثاني", "جانفي"),
    ("february", "fevrier", "فبراير", "شباط", "فيفري"),
    ("march", "mars", "مارس", "اذار"),
    ("april", "avril", "ابريل", "نيسان", "افريل"),
    ("may", "mai", "ماي", "مايو", "ايار"),
    ("june", "juin", "يونيو", "حزيران", "جوان"),
    ("july", "juillet", "يوليوز", "يوليو", "تموز", "جويليه"),
    ("august", "aout", "غشت", "اغسطس", "اب", "اوت"),
    ("september", "septembre", "شتنبر", "سبتمبر", "ايلول"),
    ("october", "octobre", "اكتوبر", "تشرين الاول"),
    ("november", "novembre", "نونبر", "نوفمبر", "تشرين الثاني"),
    ("december", "decembre", "دجنبر", "ديسمبر", "كانون الاول"),
)


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    freq: str
    sub: int
    year: int | None
    """None: the year is the context's ("the first half")."""
    relative: bool = False
    """A year before the context's period ("a year earlier")."""
    base: bool = False
    """Named as the base of a change ("on 2023", "par rapport au premier semestre 2024")."""

    def resolve(self, context: Period | None) -> Period | None:
        """The period meant, given the period the sentence speaks of."""
        if self.relative:
            if context is None:
                return None
            return Period(context.freq, context.year - 1, context.sub)
        year = self.year if self.year is not None else (context.year if context else None)
        return None if year is None else Period(self.freq, year, self.sub)


def _words(forms: tuple[str, ...]) -> str:
    return "|".join(
        re.escape(f).replace(r"\ ", r"\s+") for f in sorted(forms, key=len, reverse=True)
    )


@cache
def _patterns() -> list[tuple[str, int | None, re.Pattern[str]]]:
    """(freq, sub or None when a group holds it, pattern) in the order they are tried."""
    found: list[tuple[str, int | None, re.Pattern[str]]] = []
    for sub, words in _ORDINALS.items():
        w = _words(words)
        if sub <= 2:
            half = (
                rf"(?:(?<![a-z])(?:{w})\s+(?:half|semestre)(?:\s+of\s+the\s+year)?"
                rf"|(?:النصف|الاسدس|الشطر)\s+(?:{w}))"
            )
            found.append(("H", sub, re.compile(half + _OPT_YEAR)))
        quarter = (
            rf"(?:(?<![a-z])(?:{w})\s+(?:quarter|trimestre)"
            rf"|(?:الربع|الفصل|الثلاثي)\s+(?:{w}))"
        )
        found.append(("Q", sub, re.compile(quarter + _OPT_YEAR)))
    found.append(("H", None, re.compile(rf"(?<![a-z\d])[hs](?P<sub>[12])[\s-]*{YEAR}")))
    found.append(("H", None, re.compile(rf"{YEAR}[\s-]*[hs](?P<sub>[12])(?![a-z\d])")))
    found.append(("Q", None, re.compile(rf"(?<![a-z\d])[qt](?P<sub>[1-4])[\s-]*{YEAR}")))
    found.append(("Q", None, re.compile(rf"{YEAR}[\s-]*[qt](?P<sub>[1-4])(?![a-z\d])")))
    for month, names in enumerate(_MONTHS, start=1):
        w = _words(tuple(fold(n) for n in names))
        pattern = rf"(?<![a-z\u0600-\u06ff])(?:{w})(?![a-z])\s*(?:de\s+|d'|من\s+)?{YEAR}"
        found.append(("M", month, re.compile(pattern)))
    found.append(("M", None, re.compile(rf"{YEAR}-(?P<sub>0[1-9]|1[0-2])(?!\d)")))
    found.append(("A", 1, re.compile(YEAR)))
    return found


_BASE_BEFORE: Final = re.compile(
    rf"(?:{words_re('BASE').pattern})\s*(?:the\s+|le\s+|la\s+|l'|les\s+|au\s+|ال)?$"
)


def mentions(sentence: str) -> list[Mention]:
    """The periods `sentence` names, in order, none overlapping another."""
    folded = fold(sentence).translate(_DIGITS)
    taken: list[tuple[int, int]] = []
    found: list[Mention] = []

    def free(a: int, b: int) -> bool:
        return all(b <= x or a >= y for x, y in taken)

    for freq, sub, pattern in _patterns():
        for m in pattern.finditer(folded):
            a, b = m.span()
            if not free(a, b):
                continue
            number = sub if sub is not None else int(m.group("sub"))
            year = m.group("year")
            base = _BASE_BEFORE.search(folded[max(0, a - 30) : a]) is not None
            taken.append((a, b))
            found.append(Mention(a, b, freq, number, int(year) if year else None, base=base))
    for m in words_re("RELATIVE_YEAR").finditer(folded):
        if free(*m.span()):
            taken.append(m.span())
            found.append(Mention(m.start(), m.end(), "A", 1, None, relative=True))
    return sorted(found, key=lambda x: x.start)


__all__ = ["BASE", "RELATIVE_YEAR", "Mention", "mentions"]
