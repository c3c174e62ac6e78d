"""The words a claim is read by, in English, French and Arabic (folded: see `claims.text.fold`).

Each list is data: a word the press uses and the checker misses is one line here. Arabic words
may carry a clitic before them (و and, ب with, ل for, ف so), which the patterns allow.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Final

from digex.claims.text import fold

GROWTH: Final = (
    "growth", "grew", "grow*", "increas*", "rise", "rising", "rose", "risen", "up ", "gain*",
    "change", "changed", "expand*", "advanc*", "climb*", "jump*", "soar*", "year on year",
    "croissance", "hausse", "progress*", "augment*", "variation", "evolution", "accroissement",
    "bond*", "grimp*", "en plus",
    "نمو", "ارتفاع", "ارتفعت", "ارتفع", "زياده", "تغير", "بتغير", "تطور", "تزايد", "نموا",
)  # fmt: skip
"""Words of a change (a word ending in * is a stem: "progress*" reads "progressé")."""
DECLINE: Final = (
    "fell", "fall*", "declin*", "decreas*", "drop*", "down ", "contract*", "shrank", "slump*",
    "lost",
    "baiss*", "recul*", "repli*", "diminu*", "chut*", "en moins",
    "انخفاض", "انخفضت", "انخفض", "تراجع", "تراجعت", "تقلص", "هبوط", "نقص",
)  # fmt: skip
SHARE: Final = (
    "share", "of the total", "of total", "of exports", "of the sector", "accounted for",
    "accounting for", "account for", "represent", "of all",
    "part", "du total", "des exportations", "du secteur", "represent*", "pese*", "pes*",
    "حصه", "من المجموع", "من اجمالي", "من الصادرات", "تمثل", "يمثل", "من مجموع",
)  # fmt: skip
CONTRIBUTION: Final = ("contribut*", "ساهم", "ساهمت", "مساهمه", "اسهم", "اسهمت")
TARGET: Final = (
    "target*", "aim*", "ambition*", "objectif*", "cible*", "vise*", "horizon",
    "الهدف", "هدف", "يهدف", "تهدف", "افق", "تطمح", "يطمح",
)  # fmt: skip
GAP: Final = (
    "gap", "short of", "shortfall", "still to", "ecart", "reste a", "manque", "الفارق", "الفجوه",
    "فارق",
)  # fmt: skip
"""Words that make an amount the distance left to a national target ("the gap is 13.8 bn")."""
PER_YEAR: Final = ("a year", "per year", "annual average", "par an", "annuel moyen", "سنويا")
JOBS: Final = (
    "jobs", "people", "employees", "workers", "employed", "employ", "emplois", "personnes",
    "salaries", "effectif", "مناصب الشغل", "منصب شغل", "شخص", "اجير", "عامل", "مناصب", "الشغل",
)  # fmt: skip
FIRMS: Final = ("firms", "companies", "exporters", "entreprises", "societes", "مقاوله", "شركه")
IMPORTS: Final = ("import*", "الواردات", "واردات")
OLDER: Final = (
    "older", "old series", "previous series", "former", "three segments", "three-segment",
    "ancien", "ancienne", "trois segments", "القديم", "القديمه", "الاجزاء الثلاثه",
    "ثلاثه اجزاء",
)  # fmt: skip
BASE: Final = (
    "on", "over", "from", "compared with", "compared to", "relative to", "versus", "since",
    "par rapport a", "par rapport au", "par rapport aux", "sur", "depuis", "vis-a-vis de",
    "مقارنه مع", "مقارنه ب", "مقارنه", "منذ", "عن",
)  # fmt: skip
"""Words that introduce the period a change is measured on ("+3.5 % on 2024")."""
RELATIVE_YEAR: Final = (
    "a year earlier", "a year before", "the year before", "the previous year", "last year",
    "one year earlier", "un an plus tot", "un an auparavant", "l'annee precedente",
    "l'an dernier", "l'annee derniere", "قبل سنه", "السنه السابقه", "العام الماضي",
    "السنه الماضيه", "قبل عام",
)  # fmt: skip
"""A year before the period a sentence speaks of."""

QUALIFIERS: Final = {
    ">": ("over", "more than", "above", "exceeding", "in excess of", "plus de", "au-dela de",
          "depassant", "superieur a", "superieure a", "اكثر من", "ما يزيد عن", "ما يزيد على",
          "يفوق", "تفوق"),
    "<": ("under", "less than", "below", "moins de", "inferieur a", "inferieure a", "اقل من",
          "ما يقل عن", "دون"),
    ">=": ("at least", "au moins", "على الاقل"),
    "<=": ("at most", "up to", "no more than", "au plus", "jusqu'a", "على الاكثر"),
    "~": ("about", "around", "nearly", "almost", "roughly", "some", "close to", "approximately",
          "environ", "pres de", "presque", "quelque", "autour de", "quasiment", "approximativement",
          "حوالي", "نحو", "قرابه", "ما يقارب", "زهاء", "تقريبا", "ما يناهز"),
}  # fmt: skip
"""Words before a number that say it is a bound or a round figure ("over 40 %")."""

NUMBER_WORDS: Final = {
    "en": {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
           "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
           "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
           "seventy": 70, "eighty": 80, "ninety": 90, "a hundred": 100},
    "fr": {"zero": 0, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5,
           "six": 6, "sept": 7, "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12,
           "quinze": 15, "vingt": 20, "trente": 30, "quarante": 40, "cinquante": 50,
           "soixante": 60},
    "ar": {"واحد": 1, "اثنان": 2, "اثنين": 2, "ثلاثه": 3, "ثلاث": 3, "اربعه": 4, "اربع": 4,
           "خمسه": 5, "خمس": 5, "سته": 6, "ست": 6, "سبعه": 7, "سبع": 7, "ثمانيه": 8,
           "ثماني": 8, "تسعه": 9, "تسع": 9, "عشره": 10, "عشر": 10, "عشرين": 20, "عشرون": 20,
           "ثلاثين": 30, "ثلاثون": 30, "اربعين": 40, "اربعون": 40, "خمسين": 50, "خمسون": 50},
}  # fmt: skip
"""Small numbers written out, read when a scale or unit follows ("three per cent")."""

MULTIPLIERS: Final = {
    "twice": 2,
    "doubled": 2,
    "double": 2,
    "two times": 2,
    "two-fold": 2,
    "twofold": 2,
    "three times": 3,
    "tripled": 3,
    "triple": 3,
    "threefold": 3,
    "four times": 4,
    "quadrupled": 4,
    "five times": 5,
    "ten times": 10,
    "deux fois": 2,
    "le double": 2,
    "a double": 2,
    "doublé": 2,
    "trois fois": 3,
    "le triple": 3,
    "triplé": 3,
    "quatre fois": 4,
    "cinq fois": 5,
    "dix fois": 10,
    "الضعف": 2,
    "ضعف": 2,
    "ضعفي": 2,
    "تضاعف": 2,
    "تضاعفت": 2,
    "مرتين": 2,
    "ثلاثه اضعاف": 3,
    "ثلاث مرات": 3,
    "اربعه اضعاف": 4,
    "اربع مرات": 4,
    "عشر مرات": 10,
}
"""Written-out multiples: a ratio of two levels ("twice", "الضعف", "trois fois")."""


def _alternation(words: tuple[str, ...] | list[str], *, arabic_clitic: bool = True) -> str:
    parts = []
    for w in sorted({fold(w) for w in words}, key=len, reverse=True):
        body = re.escape(w).replace(r"\ ", r"\s+")
        if re.search("[\u0600-\u06ff]", w):
            lead = (
                r"(?<![\u0600-\u06ff])(?:[وبلف]?(?:ال)?)"
                if arabic_clitic and not w.startswith("ال")
                else r"(?<![\u0600-\u06ff])(?:[وبلف]?)"
            )
            parts.append(lead + body)
        else:
            tail = "" if w.endswith((" ", "*")) else r"(?![a-z])"
            parts.append(r"(?<![a-z])" + body.rstrip().removesuffix(r"\*") + tail)
    return "|".join(parts)


@cache
def words_re(name: str) -> re.Pattern[str]:
    """One of the lists above as a pattern over folded text."""
    words = globals()[name]
    return re.compile(f"(?:{_alternation(tuple(words))})")


def has(name: str, folded: str) -> bool:
    return words_re(name).search(folded) is not None


@cache
def words_re_for(bound: str) -> re.Pattern[str]:
    """The qualifiers of `bound`, as the last words before a number."""
    return re.compile(f"(?:{_alternation(QUALIFIERS[bound])})\\s*$")
