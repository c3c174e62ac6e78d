"""Quantitative claims found in a text: each number with what it is said to measure.

A text is read sentence by sentence, and a sentence clause by clause (`claims.text`): a number
takes the period named in its own clause, else the nearest named before it in the sentence,
else after it, else the period the paragraph speaks of (the first one it names, or the text's
first). The subject (total, segment, market) is the one named in its clause, else the nearest
before it in the sentence, else the total. What kind of figure it is comes from its unit and
the words around it (share, growth, fall, contribution, target). A number with no unit and no
scale word is no claim (a year, a release id, a rank), unless jobs or firms are counted.

Markdown tables (the office's own notes have them) are read by their header: the first cell
gives the unit and scale of the amounts, each other cell the period, or share, or growth of
its column, and the first cell of a row its subject.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Final

from digex.claims import lexicon
from digex.claims.model import Claim
from digex.claims.periods import Mention, mentions
from digex.claims.reading import Reading, read
from digex.claims.subjects import TOTAL_SUBJECT, Found, Subject, Subjects
from digex.claims.text import Sentence, clause_of, clauses, fold, sentences
from digex.indicators.periods import Period

_CURRENCY_IN_WORDS: Final = (
    ("USD", re.compile(r"\$|(?<![a-z])(?:usd|dollars?)(?![a-z])|دولار")),
    ("EUR", re.compile(r"€|(?<![a-z])(?:eur|euros?)(?![a-z])|يورو|اورو")),
    ("MAD", re.compile(r"(?<![a-z])(?:mad|dh|dhs|mdh|dirhams?)(?![a-z])|درهم|دراهم")),
)
_SCALE_IN_WORDS: Final = (
    (9, re.compile(r"(?<![a-z])(?:billions?|bn|milliards?|mds?)(?![a-z])|مليار")),
    (6, re.compile(r"(?<![a-z])(?:millions?|mn)(?![a-z])|مليون")),
)
_TOTAL_ROW: Final = re.compile(r"(?<![a-z])(?:total|ensemble)(?![a-z])|المجموع|الإجمالي|الاجمالي")


def _currency_of(folded: str) -> str | None:
    for code, pattern in _CURRENCY_IN_WORDS:
        if pattern.search(folded):
            return code
    return None


@dataclass
class _Context:
    main: Period | None
    """The period the text speaks of (the release's, or the first the text names)."""
    current: Period | None
    paragraph: int = -1


_LINK: Final = re.compile(
    r"(?:\s|in|during|for|over|the|of|en|au|aux|durant|pendant|de|du|la|le|l'|"
    r"\u0641\u064a|\u062e\u0644\u0627\u0644)*"
)
"""What may stand between a number and the period it is of ("13.4 bn in the first half")."""


def _near(
    items: Sequence[tuple[int, int]], at: tuple[int, int], clause: tuple[int, int],
    folded: str = "",
) -> int | None:  # fmt: skip
    """Index of the item in the clause nearest `at` (one right after it, across "in the",
    first; at equal distances the one after it: "from 0.078 bn in 2023 to 0.048 bn in
    2024"), else the nearest before it, else after."""
    inside = [i for i, (a, b) in enumerate(items) if clause[0] <= a < clause[1]]
    if inside:

        def distance(i: int) -> tuple[int, int]:
            a, b = items[i]
            if a >= at[1]:
                linked = folded and _LINK.fullmatch(folded, at[1], a)
                return (0 if linked else a - at[1], 0)
            return (abs(at[0] - b), 1)

        return min(inside, key=distance)
    before = [i for i, (a, b) in enumerate(items) if b <= at[0]]
    if before:
        return max(before, key=lambda i: items[i][1])
    after = [i for i, (a, b) in enumerate(items) if a >= at[1]]
    return min(after, key=lambda i: items[i][0]) if after else None


def _kind(r: Reading, folded_clause: str, folded_sentence: str) -> tuple[str, bool, bool]:
    """(kind, given as a fall, a contribution) of a reading with a unit or a multiple."""
    q = r.quantity
    if r.multiple is not None:
        return "ratio", False, False
    assert q is not None
    falls = lexicon.has("DECLINE", folded_clause) and not q.signed
    if q.unit == "PP":
        contribution = lexicon.has("CONTRIBUTION", folded_sentence)
        return "points", falls, contribution
    if q.unit == "PC":
        if lexicon.has("TARGET", folded_clause) or lexicon.has("TARGET", folded_sentence):
            if lexicon.has("PER_YEAR", folded_clause) or lexicon.has("GROWTH", folded_clause):
                return "rate_needed", False, False
            if lexicon.has("TARGET", folded_clause):
                return "progress", False, False
        if lexicon.has("SHARE", folded_clause) and not q.signed:
            return "share", False, False
        if q.signed or falls or lexicon.has("GROWTH", folded_clause):
            return "growth", falls, False
        if lexicon.has("SHARE", folded_sentence):
            return "share", False, False
        if lexicon.has("GROWTH", folded_sentence) or lexicon.has("DECLINE", folded_sentence):
            falls = lexicon.has("DECLINE", folded_sentence)
            return "growth", falls, False
        return "", False, False  # decided by the subject: see `_claims_of`
    return "level", False, False


def _period_for(
    kind: str, at: tuple[int, int], clause: tuple[int, int], found: list[Mention],
    context: Period | None, folded: str,
) -> tuple[Period | None, Period | None]:  # fmt: skip
    """(period, base) of a number at `at`."""
    main = [m for m in found if not m.base and not m.relative]
    own = _near([(m.start, m.end) for m in main], at, clause, folded)
    sentence_period = main[0].resolve(context) if main else context
    changes = kind in ("growth", "points", "ratio")
    if changes:
        period = main[own].resolve(context) if own is not None else context
        bases = [m for m in found if m.base or m.relative]
        b = _near([(m.start, m.end) for m in bases], at, clause)
        base = bases[b].resolve(period) if b is not None else None
        return period, base
    every = [(m.start, m.end) for m in found]
    i = _near(every, at, clause, folded)
    if i is None:
        return context, None
    m = found[i]
    return m.resolve(sentence_period if m.relative else (sentence_period or context)), None


def _subject(
    named: Sequence[Found], spans: list[tuple[int, int]], ci: int, at: tuple[int, int],
    earlier: Sequence[Claim], offset: int,
) -> Subject:  # fmt: skip
    """The subject named in the number's clause (the nearest); else one named in the clause
    just before and after the sentence's previous number ("ahead of Spain (10.8 %)"); else
    the previous number's ("France: 11.7 bn, 44.5 % of the total"); else the total (a list
    of segments three clauses back is not what a figure is of)."""
    a, b = spans[ci]
    inside = [f for f in named if a <= f.start < b]
    if inside:
        return min(inside, key=lambda f: min(abs(f.start - at[1]), abs(at[0] - f.end))).subject
    since = earlier[-1].end - offset if earlier else 0
    if ci > 0:
        before = [
            f for f in named if spans[ci - 1][0] <= f.start < spans[ci - 1][1] and f.start >= since
        ]
        if before:
            return before[-1].subject
    return earlier[-1].subject if earlier else TOTAL_SUBJECT


def _counted(r: Reading, folded: str) -> str | None:
    """JOBS or FIRMS when a bare whole number counts them (148,500 people), else None."""
    q = r.quantity
    if q is None or q.decimals or q.signed or q.value < 10:
        return None
    around = folded[: r.end + 40]
    if lexicon.has("JOBS", around):
        return "JOBS"
    return "FIRMS" if lexicon.has("FIRMS", around) else None


def _of_jobs(folded_clause: str, before: str) -> bool:
    """Whether a target's progress is said of jobs: its clause names them, or else the
    sentence did before it ("Jobs by 2030: 148,500 in 2024, 55.0 % of the target")."""
    if lexicon.has("JOBS", folded_clause):
        return True
    return lexicon.has("JOBS", before)


def _claims_of(
    s: Sentence, lang: str, subjects: Subjects, context: _Context, offset: int
) -> list[Claim]:
    text = s.text
    folded = fold(text)
    found = mentions(text)
    spans = clauses(text)
    named = subjects.find(text)
    claims: list[Claim] = []
    for r in read(text, lang):
        q = r.quantity
        bare = q is not None and q.unit is None and not q.scale and r.multiple is None
        if bare and any(m.start <= r.start < m.end or r.start <= m.start < r.end for m in found):
            continue  # a year or a period label
        ci = clause_of(spans, r.start)
        clause = spans[ci]
        folded_clause = folded[clause[0] : clause[1]]
        count_of = _counted(r, folded) if bare else None
        if bare and count_of is None:
            continue  # a bare number: a rank, an id, a day
        kind, negative, contribution = (
            ("count", False, False) if count_of else _kind(r, folded_clause, folded)
        )
        subject = _subject(named, spans, ci, (r.start, r.end), claims, offset)
        if not kind:
            kind = "growth" if subject.is_total else "share"
        other = None
        if kind == "ratio" and lexicon.has("GROWTH", folded_clause):
            continue  # "grew twice as fast": a ratio of changes, not of levels
        if kind == "ratio":  # "ITO's exports are twice BPO's": the one before over the one after
            before = [f for f in named if f.end <= r.start]
            after = [f for f in named if f.start >= r.end]
            subject = before[-1].subject if before else subject
            other = after[0].subject if after and after[0].subject != subject else None
        period, base = _period_for(kind, (r.start, r.end), clause, found, context.current, folded)
        currency = None
        if kind == "level":
            assert q is not None
            currency = q.unit if q.unit not in (None, "PC", "PP") else _currency_of(folded)
        if kind in ("progress", "rate_needed") and _of_jobs(folded_clause, folded[: r.start]):
            count_of = "JOBS"
        target = kind in ("level", "count") and lexicon.has("TARGET", folded)
        flow = "M" if lexicon.has("IMPORTS", folded[: r.end]) else "X"
        if count_of == "JOBS":
            flow = "_Z"
        claims.append(
            Claim(
                sentence=text,
                start=offset + r.start,
                end=offset + r.end,
                reading=r,
                kind=kind,
                subject=subject,
                period=period,
                base=base,
                currency=currency,
                other=other,
                flow=flow,
                older=lexicon.has("OLDER", folded_clause),
                negative=negative,
                count_of=count_of,
                contribution=contribution,
                target=target,
                gap=target and lexicon.has("GAP", folded_clause),
            )
        )
    main = [m for m in found if not m.base and not m.relative]
    if main:
        context.current = main[0].resolve(context.current) or context.current
    return claims


@dataclass
class _Table:
    columns: list[tuple[str, Period | None]]
    scale: int
    currency: str | None


def _cells(row: str) -> list[tuple[int, str]]:
    """(offset in the row, text) of each cell of a Markdown table row."""
    out = []
    at = row.index("|") + 1
    for part in row.strip().strip("|").split("|"):
        out.append((at, part))
        at += len(part) + 1
    return out


def _header(row: str, context: _Context) -> _Table:
    cells = _cells(row)
    first = fold(cells[0][1]) if cells else ""
    scale = next((s for s, p in _SCALE_IN_WORDS if p.search(first)), 0)
    columns: list[tuple[str, Period | None]] = [("subject", None)]
    for _, cell in cells[1:]:
        folded = fold(cell)
        found = [m for m in mentions(cell) if not m.relative]
        if found:
            columns.append(("level", found[0].resolve(context.current)))
        elif lexicon.has("SHARE", folded):
            columns.append(("share", None))
        elif lexicon.has("GROWTH", folded):
            columns.append(("growth", None))
        else:
            columns.append(("", None))
    return _Table(columns, scale, _currency_of(first))


def _table_claims(
    s: Sentence, table: _Table, lang: str, subjects: Subjects, context: _Context
) -> list[Claim]:
    cells = _cells(s.text)
    if not cells:
        return []
    names = subjects.find(cells[0][1])
    if names:
        subject = names[0].subject
    elif _TOTAL_ROW.search(fold(cells[0][1])):
        subject = TOTAL_SUBJECT
    else:
        return []
    periods = [p for _, p in table.columns if p is not None]
    latest = max(periods, key=lambda p: p.ordinal) if periods else context.current
    claims = []
    for (at, cell), (role, period) in zip(cells[1:], table.columns[1:], strict=False):
        for r in read(cell, lang):
            q = r.quantity
            if q is None or not role:
                continue
            if role == "level" and q.unit is None:
                r = replace(r, quantity=replace(q, scale=table.scale, unit=table.currency))
                kind, when = "level", period
            elif role in ("share", "growth") and q.unit == "PC":
                kind, when = role, latest
            else:
                continue
            start = s.start + at + r.start
            claims.append(
                Claim(
                    sentence=s.text,
                    start=start,
                    end=start + len(r.text),
                    reading=r,
                    kind=kind,
                    subject=subject,
                    period=when,
                    currency=table.currency if kind == "level" else None,
                )
            )
    return claims


def find_claims(
    text: str, lang: str, subjects: Subjects, main: Period | None = None
) -> list[Claim]:
    """Every quantitative claim of `text` (in `lang`: ar, fr or en), in order. `main`: the
    period the text speaks of when it does not say (the release's), else the first it names."""
    if main is None:
        first = next((m for m in mentions(text) if not m.relative and m.year), None)
        main = first.resolve(None) if first else None
    context = _Context(main, main)
    found: list[Claim] = []
    table: _Table | None = None
    for s in sentences(text):
        if s.paragraph != context.paragraph:
            context.paragraph = s.paragraph
            context.current = context.main
        if s.table_row:
            if table is None:
                table = _header(s.text, context)
                continue
            found += _table_claims(s, table, lang, subjects, context)
            continue
        table = None
        found += _claims_of(s, lang, subjects, context, s.start)
    return found
