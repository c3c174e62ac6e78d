"""A press text cut into what a claim is read within: sentences, and clauses inside them.

Words are looked up in a *folded* copy of the text of the same length (lower case, accents and
Arabic hamza forms dropped, letter by letter), so that a match found there is a span of the
original: "Etats-Unis" finds "États-Unis", "اسبانيا" finds "إسبانيا".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from typing import Final

_ARABIC_FOLD: Final = str.maketrans(
    {"\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627", "\u0671": "\u0627",
     "\u0649": "\u064a", "\u0629": "\u0647", "\u2019": "'", "\u2013": "-", "\u2014": "-"}
)  # fmt: skip


@cache
def _fold_char(c: str) -> str:
    if c.isascii():
        return c.lower()
    base = unicodedata.normalize("NFD", c)[0].lower()
    folded = base.translate(_ARABIC_FOLD)
    return folded if len(folded) == 1 else c


def fold(text: str) -> str:
    """`text` in lower case without accents or hamza forms, letter for letter (same length)."""
    return "".join(_fold_char(c) for c in text)


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str
    paragraph: int
    """Which paragraph (blank lines and Markdown headings start one): a period stated earlier
    in a paragraph carries over to its later sentences, not past it."""
    table_row: bool = False


_SENTENCE_END: Final = re.compile(r"(?<=[.!?؟])\s+(?=\S)|\n")
_HEADING: Final = re.compile(r"^\s*#")
_TABLE_RULE: Final = re.compile(r"^\s*\|?\s*:?-{2,}")


def sentences(text: str) -> list[Sentence]:
    """The sentences of `text` in order: a line break ends one (a list item, a table row, a
    heading), and so does a full stop, question or exclamation mark before a space (never a
    decimal point: "26.2" has none after it)."""
    found: list[Sentence] = []
    paragraph = 0
    start = 0
    cuts = [m for m in _SENTENCE_END.finditer(text)]
    spans = []
    for m in cuts:
        spans.append((start, m.start(), m.group(0)))
        start = m.end()
    spans.append((start, len(text), ""))
    for a, b, sep in spans:
        piece = text[a:b]
        stripped = piece.strip()
        if not stripped:
            if "\n" in sep or not sep:
                paragraph += 1
            continue
        if _HEADING.match(piece):
            paragraph += 1
        if _TABLE_RULE.match(piece):
            continue
        row = stripped.startswith("|") and stripped.endswith("|")
        lead = len(piece) - len(piece.lstrip())
        found.append(Sentence(a + lead, a + lead + len(stripped), stripped, paragraph, row))
        if _HEADING.match(piece):
            paragraph += 1
    return found


CLAUSE_BREAK: Final = re.compile(
    r"[,;:()\u060c\u061b]|\s(?:against|versus|vs\.?|compared with|compared to|while|whereas|"
    r"contre|alors que|tandis que|"
    r"\u0645\u0642\u0627\u0628\u0644|\u0628\u064a\u0646\u0645\u0627)\s",
)
"""Where a clause ends inside a sentence: a comma (Latin or Arabic), a semicolon, a colon,
a bracket, and the words that set one figure against another (against, contre, مقابل)."""


def clauses(sentence: str) -> list[tuple[int, int]]:
    """Spans of the clauses of a sentence (relative to it). A comma between two digits is a
    decimal or thousands mark, not a clause's end."""
    cuts = [0]
    for m in CLAUSE_BREAK.finditer(sentence):
        a = m.start()
        inside_number = 0 < a < len(sentence) - 1 and sentence[a - 1].isdigit()
        if m.group(0) == "," and inside_number and sentence[a + 1].isdigit():
            continue
        cuts.append(a)
    cuts.append(len(sentence))
    return [(a, b) for a, b in pairwise(cuts) if b > a]


def clause_of(spans: list[tuple[int, int]], at: int) -> int:
    for i, (a, b) in enumerate(spans):
        if a <= at < b:
            return i
    return len(spans) - 1
