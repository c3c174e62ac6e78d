"""What a figure is about: the sector's total, a segment, a partner market or a region.

Names come from the code lists (segments, countries, M49 regions, in the three languages),
from CLDR (the names the notes write, "United States" beside the list's "United States of
America"), from the segments' codes (ITO, CRM...) and from the words the press uses for them
("call centres", "offshoring" for the whole sector). The longest name wins ("Western Europe"
before "Europe"), so that a region is not read as another.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Final

from digex.claims.text import fold

TOTAL: Final = ("total", "_T")

SEGMENT_WORDS: Final = {
    "ITO": ("IT services", "IT outsourcing", "information technology", "software",
            "services informatiques", "informatique", "ITO", "تكنولوجيا المعلومات",
            "الخدمات المعلوماتية", "المعلوميات"),
    "CRM": ("call centres", "call centers", "call-centres", "contact centres", "customer relations",
            "centres d'appels", "centres d'appel", "relation client", "CRM", "مراكز النداء",
            "مراكز الاتصال", "العلاقه مع العملاء"),
    "ESO": ("engineering", "ingenierie", "ESO", "الخدمات الهندسيه", "الهندسه"),
    "BPO": ("business process", "back office", "back-office", "processus metier", "BPO",
            "عمليات الاعمال"),
    "KPO": ("knowledge process", "processus de connaissances", "KPO", "العمليات المعرفيه"),
}  # fmt: skip
"""Press words for a segment, beside its code-list names."""
ALIASES: Final = {
    "US": ("US", "U.S.", "USA", "Etats-Unis", "الولايات المتحده"),
    "GB": ("UK", "U.K.", "Britain", "Grande-Bretagne", "Royaume-Uni", "بريطانيا"),
}
"""Short names of the main partners."""


@dataclass(frozen=True)
class Subject:
    cut: str
    member: str

    @property
    def is_total(self) -> bool:
        return (self.cut, self.member) == TOTAL


TOTAL_SUBJECT: Final = Subject(*TOTAL)


@dataclass(frozen=True)
class Found:
    start: int
    end: int
    subject: Subject


def _codelist(name: str) -> list[dict[str, str]]:
    from importlib.resources import files

    text = (files("digex") / "data" / "codelists" / name).read_text(encoding="utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@cache
def _babel_names(code: str) -> tuple[str, ...]:
    from babel import Locale

    return tuple(str(Locale.parse(lang).territories.get(code, "")) for lang in ("en", "fr", "ar"))


def _names(partners: frozenset[str], regions: frozenset[str]) -> list[tuple[str, Subject]]:
    from digex.codelists import segments

    names: list[tuple[str, Subject]] = []
    for s in segments():
        subject = Subject("segment", s.code)
        names += [(n, subject) for n in s.names.values()]
        names += [(w, subject) for w in SEGMENT_WORDS.get(s.code, ())]
    for row in _codelist("countries.csv"):
        code = row["code"]
        if code not in partners:
            continue
        subject = Subject("partner", code)
        names += [(row[f"name_{lang}"], subject) for lang in ("en", "fr", "ar")]
        names += [(n, subject) for n in _babel_names(code) if n]
        names += [(n, subject) for n in ALIASES.get(code, ())]
    for row in _codelist("regions.csv"):
        if row["code"] in regions:
            names += [
                (row[f"name_{lang}"], Subject("region", row["code"])) for lang in ("en", "fr", "ar")
            ]
    return names


class Subjects:
    """The subjects a set of releases publishes, found in a sentence by name."""

    def __init__(self, partners: Iterable[str] = (), regions: Iterable[str] = ()) -> None:
        names = _names(frozenset(partners), frozenset(regions))
        by_form: dict[str, Subject] = {}
        for name, subject in names:
            form = fold(name).strip()
            if len(form) >= 2:
                by_form.setdefault(form, subject)
        self._subjects = by_form
        parts: list[str] = []
        for form in sorted(by_form, key=len, reverse=True):
            body = re.escape(form).replace(r"\ ", r"\s+")
            if re.search("[\u0600-\u06ff]", form):
                parts.append(rf"(?<![\u0600-\u06ff])(?:[وبلف]|لل)?(?P<x{len(parts)}>{body})")
            else:
                parts.append(rf"(?<![a-z])(?P<x{len(parts)}>{body})(?![a-z])")
        self._forms = sorted(by_form, key=len, reverse=True)
        self._pattern = re.compile("|".join(parts)) if parts else None
        self._case: dict[str, bool] = {f: f.upper() == f for f in self._forms}

    def find(self, sentence: str) -> list[Found]:
        """The subjects named in `sentence`, in order (a segment code such as ITO only in
        capitals, so that "eso" in a word is no segment)."""
        if self._pattern is None:
            return []
        folded = fold(sentence)
        found = []
        for m in self._pattern.finditer(folded):
            name = next(k for k, v in m.groupdict().items() if v is not None)
            form = self._forms[int(name[1:])]
            a, b = m.span(name)
            if len(form) <= 3 and form.isascii() and sentence[a:b] != sentence[a:b].upper():
                continue  # "us", "eso" as words are not codes
            found.append(Found(a, b, self._subjects[form]))
        return found
