"""Numbers as the press writes them, on top of the publisher's reader (`publish.quantities`).

`publish.quantities` reads a number with its sign, scale word and unit, in Latin or
Arabic-Indic digits, with either decimal mark. A press text also writes:
- small numbers in words before a scale or unit ("three per cent", "deux milliards de
  dirhams", "ثلاثة في المائة"): each word is put back as its digits, right-aligned in the
  same span, and the text read again;
- ranges ("40-45 %", "between 40 and 45 %", "de 40 à 45 %", "بين 40 و45 في المائة"): the
  first number takes the second's unit and scale;
- bounds and round figures ("over 40 %", "près de 13 milliards", "أكثر من 40 في المائة");
- multiples in words ("twice", "le double", "الضعف", "three times"): a ratio of two levels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Final

from digex.claims import lexicon
from digex.claims.text import fold
from digex.publish.quantities import Quantity, find_quantities

BOUNDS: Final = ("=", ">", "<", ">=", "<=", "~")


@dataclass(frozen=True)
class Reading:
    """A number as a claim states it."""

    start: int
    end: int
    text: str
    quantity: Quantity | None
    """The number (the lower end of a range); None for a multiple in words."""
    bound: str = "="
    """= (a rounded figure), > < >= <= (over, under, at least, at most), ~ (about)."""
    upper: Quantity | None = None
    """The upper end of a range."""
    multiple: Decimal | None = None
    """A ratio written in words ("twice": 2)."""


_JOIN: Final = re.compile(r"^\s*(?:-|\u2013|\u2014|to|a|and|et|و|الى|حتى)\s*$")
_BETWEEN: Final = re.compile(r"(?:between|entre|from|de|بين|من)\s*$")
_NUMBER_WORD: Final = {
    lang: re.compile(
        "|".join(
            (
                rf"(?<![a-z])(?:{re.escape(w)})(?=\s)"
                if w.isascii()
                else rf"(?<![\u0600-\u06ff])(?:{re.escape(w)})(?=\s)"
            )
            for w in sorted(words, key=len, reverse=True)
        )
    )
    for lang, words in lexicon.NUMBER_WORDS.items()
}
_LESS: Final = re.compile(r"\s*(?:moins|less|smaller|fewer|اقل)")
_ODDS: Final = re.compile(r"\s+(?:in|out of|sur|من)\s+\w")
_DUAL: Final = re.compile(r"(?<![\u0600-\u06ff])ملياري|(?<![\u0600-\u06ff])مليارا(?=\s)")


def _in_words(text: str, lang: str) -> list[Quantity]:
    """The quantities written with a number word (or the Arabic dual, ملياري = 2 billion)."""
    folded = fold(text)
    shadow = list(text)
    spans: list[tuple[int, int]] = []
    words = lexicon.NUMBER_WORDS.get(lang, {})
    for m in _NUMBER_WORD.get(lang, _NUMBER_WORD["en"]).finditer(folded):
        digits = str(words[m.group(0)])
        a, b = m.span()
        if len(digits) > b - a:
            continue
        shadow[a:b] = list(" " * (b - a - len(digits)) + digits)
        spans.append((a, b))
    for m in _DUAL.finditer(folded):
        a, b = m.span()
        shadow[a:b] = list("2" + "مليار" + " " * (b - a - 6))
        spans.append((a, b))
    if not spans:
        return []
    found = []
    for q in find_quantities("".join(shadow), lang):
        for a, b in spans:
            if a <= q.start < b and (q.unit is not None or q.scale):
                found.append(replace(q, start=a, text=text[a : q.end]))
    return found


def _bound(folded: str, at: int) -> tuple[str, int]:
    """The bound a qualifier just before `at` gives, and where the qualifier starts (the
    longest qualifier wins: "no more than" is no "more than")."""
    before = folded[max(0, at - 30) : at]
    found = [
        (m.start(), bound)
        for bound in lexicon.QUALIFIERS
        if (m := lexicon.words_re_for(bound).search(before)) is not None
    ]
    if not found:
        return "=", at
    start, bound = min(found)
    return bound, at - len(before) + start


def read(text: str, lang: str) -> list[Reading]:
    """Every number of `text` (a sentence) as a claim states it, in order."""
    quantities = sorted(
        find_quantities(text, lang) + _in_words(text, lang), key=lambda q: (q.start, -q.end)
    )
    kept: list[Quantity] = []
    for q in quantities:  # a number word's quantity covers the bare digits inside none
        if kept and q.start < kept[-1].end:
            continue
        kept.append(q)
    folded = fold(text)
    readings: list[Reading] = []
    i = 0
    while i < len(kept):
        q = kept[i]
        nxt = kept[i + 1] if i + 1 < len(kept) else None
        year = q.unit is None and not q.decimals and 1900 <= q.value <= 2100
        if nxt is not None and (nxt.unit is not None or nxt.scale) and q.unit is None and not year:
            between = folded[q.end : nxt.start]
            joined = _JOIN.match(between)
            word = between.strip() in ("and", "et", "و")
            if joined and (not word or _BETWEEN.search(folded[: q.start])) and not q.signed:
                low = replace(q, unit=nxt.unit, scale=q.scale or nxt.scale)
                start = q.start
                m = _BETWEEN.search(folded[: q.start])
                if m:
                    start = m.start()
                readings.append(Reading(start, nxt.end, text[start : nxt.end], low, upper=nxt))
                i += 2
                continue
        bound, start = _bound(folded, q.start)
        readings.append(Reading(start, q.end, text[start : q.end], q, bound=bound))
        i += 1
    for m in lexicon.words_re("MULTIPLIERS").finditer(folded):
        key = _multiplier(m.group(0))
        if key is None or _LESS.match(folded, m.end()):
            continue  # "deux fois moins": a fraction, which the press rarely means exactly
        if _ODDS.match(folded, m.end()):
            continue  # "four times in five": how often, not how much
        bound, start = _bound(folded, m.start())
        readings.append(
            Reading(start, m.end(), text[start : m.end()], None, bound=bound, multiple=key)
        )
    return sorted(readings, key=lambda r: r.start)


def _multiplier(matched: str) -> Decimal | None:
    form = re.sub(r"\s+", " ", matched.strip())
    for word, value in lexicon.MULTIPLIERS.items():
        folded = fold(word)
        if form == folded or form.endswith(folded):
            return Decimal(str(value))
    return None
