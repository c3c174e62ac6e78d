"""The claim checker's one entry point: a text and releases in, a verdict per claim out.

Both edges (`digex claims`, `POST /api/claims`) call `check_text` and render its `Report`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from digex.claims.extract import find_claims
from digex.claims.match import Library
from digex.claims.model import CONSISTENT, INCONSISTENT, NOT_CHECKABLE, Verdict
from digex.claims.subjects import Subjects
from digex.errors import UsageError
from digex.publish.figures import ReleaseFigures

LANGS: Final = ("ar", "fr", "en")
_ARABIC: Final = re.compile("[\u0600-\u06ff]")
_FRENCH: Final = re.compile(
    r"(?<![a-z])(?:le|la|les|des|du|de|et|en|au|aux|une|milliards?|dirhams|soit|par|sur)(?![a-z])"
)
_ENGLISH: Final = re.compile(
    r"(?<![a-z])(?:the|of|and|in|on|a|an|billion|exports|by|with|was|were|to)(?![a-z])"
)


def detect_lang(text: str) -> str:
    """ar when Arabic letters outnumber Latin ones, else fr or en by their commonest words."""
    arabic = len(_ARABIC.findall(text))
    latin = len(re.findall("[A-Za-z]", text))
    if arabic > latin:
        return "ar"
    lower = text.lower()
    return "fr" if len(_FRENCH.findall(lower)) > len(_ENGLISH.findall(lower)) else "en"


@dataclass(frozen=True)
class Report:
    lang: str
    release: str | None
    """The release named, or None (each claim's latest release holding it)."""
    verdicts: tuple[Verdict, ...]

    @property
    def inconsistent(self) -> bool:
        return any(v.status == INCONSISTENT for v in self.verdicts)

    def counts(self) -> dict[str, int]:
        found = Counter(v.status for v in self.verdicts)
        return {s: found.get(s, 0) for s in (CONSISTENT, INCONSISTENT, NOT_CHECKABLE)}

    def as_json(self) -> dict[str, Any]:
        return {
            "lang": self.lang,
            "release": self.release,
            "counts": self.counts(),
            "claims": [
                {
                    "sentence": v.claim.sentence,
                    "text": v.claim.text,
                    "start": v.claim.start,
                    "end": v.claim.end,
                    "kind": v.claim.kind,
                    "subject": {"cut": v.claim.subject.cut, "member": v.claim.subject.member},
                    "period": v.claim.period.label if v.claim.period else None,
                    "base": v.claim.base.label if v.claim.base else None,
                    "verdict": v.status,
                    "official": v.official,
                    "release": v.release,
                    "figure": v.figure,
                    "cause": v.cause,
                    "explanation": v.explanation,
                }
                for v in self.verdicts
            ],
        }


def check_text(
    text: str,
    releases: Sequence[ReleaseFigures],
    *,
    release: str | None = None,
    lang: str = "auto",
) -> Report:
    """Every quantitative claim of `text`, checked against `releases` (the public view of
    each, read from its snapshot): against `release` when given, else each against the latest
    release that holds its figure. `lang`: ar, fr, en, or auto (detected)."""
    from digex.claims.verdict import judge

    if lang == "auto":
        lang = detect_lang(text)
    if lang not in LANGS:
        raise UsageError(
            f"lang={lang} is not a language the checker reads: give auto, {', '.join(LANGS)}"
        ).naming(lang=lang)
    if not releases:
        raise UsageError("no published release to check claims against: publish one first")
    if release is not None and release not in {r.release_id for r in releases}:
        known = ", ".join(r.release_id for r in releases)
        raise UsageError(
            f"release={release}: no such published release (they are: {known})"
        ).naming(release=release)
    lib = Library(releases, release)
    subjects = Subjects(lib.partners(), lib.regions())
    main = lib.chosen.period if lib.chosen is not None else None
    claims = find_claims(text, lang, subjects, main)
    verdicts = tuple(judge(lib, c, claims, lang) for c in claims)
    return Report(lang, release, verdicts)
