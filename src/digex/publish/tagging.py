"""Every number a publication states enters its text through a tag, and is checked back.

A template never writes a number itself: it calls `Tags.money(figure)`, `.percent(...)`,
`.growth(...)`, `.points(...)`, `.count(...)` for a figure, or `.year(...)`, `.date(...)`,
`.code(...)`, `.release()` for a number that is not a figure. Each call returns the text the
reader will see wrapped in invisible markers (Unicode private-use characters, which no
locale writes) that name what it is: the figure's key and how it is shown, or the literal's
kind and value. Once a text is rendered, `check` reads it back:

- every figure's span is parsed with `digex.publish.quantities` (as a reader would read it,
  Arabic-Indic digits and decimal commas included) and must give the figure's value rounded
  half up as shown, in its scale (billions), unit and currency, with its sign; a confidential
  figure's span must hold the mark and no digit;
- every literal's span must be what its value says (a year, a date written by Babel, a code
  from the list of standards the notes cite, the release's id);
- outside the spans there must be no digit at all, and no currency symbol or name (a `$`
  typed into a template, or a figure written by hand, stops the publication).

The same figures must be stated in every language (`same_figures`). A statistician's own
commentary has no tags: `check_free` matches each of its numbers to some figure of the
release instead.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from digex.errors import PublicationCheckFailed
from digex.publish import numbers
from digex.publish.figures import Figure, FigureKey, ReleaseFigures
from digex.publish.rounding import round_half_up

OPEN: Final = "\ue000"
"""Starts a figure's span: OPEN figure-id | form | scale | decimals MID text CLOSE."""
LITERAL: Final = "\ue001"
"""Starts a literal's span: LITERAL kind | value MID text CLOSE."""
MID: Final = "\ue002"
CLOSE: Final = "\ue003"
MARKERS: Final = (OPEN, LITERAL, MID, CLOSE)
_SPAN: Final = re.compile(f"([{OPEN}{LITERAL}])([^{MID}]*){MID}([^{CLOSE}]*){CLOSE}")

CONFIDENTIAL_MARK: Final = {"en": "C (confidential)", "fr": "C (confidentiel)", "ar": "C (سري)"}
"""What a text writes for a figure disclosure control withholds (never a number)."""
MISSING_MARK: Final = {"en": "not available", "fr": "non disponible", "ar": "غير متوفر"}
CODES: Final = frozenset({"BPM6", "EBOPS 2010", "M49", "ISO 4217", "ISO 3166", "SDMX", "CLDR"})
"""Names of standards a note may cite (the digits in them are not figures)."""
_CURRENCY: Final = re.compile(
    r"[$€£¥]|\b(?:US\$|USD|EUR|MAD|DH|MDH|dollars?|euros?|dirhams?)\b|دولار|يورو|درهم",
    re.IGNORECASE,
)

_CURRENCY_SIGN: Final = re.compile(r"US\$|[$€£¥]")
"""A currency written as a sign: in a commentary it must be the unit of one of its amounts."""

FORMS: Final = ("money", "number", "percent", "growth", "points", "count")
SIGNS: Final = ("+", "-", "\u2212")
LRM: Final = "\u200e"
"""The left-to-right mark that keeps a sign on the left of Latin digits in right-to-left text
(CLDR's plus and minus signs for Arabic with Latin digits: U+200E then + or -)."""


@dataclass(frozen=True)
class Stated:
    """A figure a text states, and how."""

    figure: str
    form: str
    text: str


@dataclass(frozen=True)
class Checked:
    text: str
    """The text with the markers removed: what the reader gets."""
    stated: tuple[Stated, ...]


class Tags:
    """The functions a template states numbers with, for one language of one release."""

    def __init__(
        self, release: ReleaseFigures, lang: str, book: Mapping[str, Figure] | None = None
    ) -> None:
        self.release = release
        self.lang = lang
        self.locale = release.profile.locale_for(lang)
        self.digits = release.profile.digits_for(lang)
        self.book = dict(book or {})
        """Figures beyond the release's own (the revised release's, prefixed `prev:`)."""
        from babel import Locale

        self.rtl = Locale.parse(self.locale).character_order == "right-to-left"
        """A right-to-left language: a sign before Latin digits takes a direction mark."""

    # -- figures --------------------------------------------------------------------------
    def _span(self, figure: Figure, form: str, scale: int, decimals: int, text: str) -> str:
        head = f"{figure_ref(self.release, figure)}|{form}|{scale}|{decimals}"
        if not figure.available:
            text = self.withheld(figure)
        elif self.rtl and self.digits != "arab" and text.startswith(SIGNS):
            # CLDR's own Arabic signs for Latin digits (Babel's ar_MA numbers carry none): in
            # right-to-left text `+0,2` is otherwise drawn `0,2+`, `-8,1` drawn `8,1-`
            text = LRM + text
        return f"{OPEN}{head}{MID}{text}{CLOSE}"

    def withheld(self, figure: Figure) -> str:
        marks = CONFIDENTIAL_MARK if figure.confidential else MISSING_MARK
        return marks.get(self.lang, marks["en"])

    def not_held(self, ref: str) -> str:
        """What a text writes for a figure `ref` (`FigureKey.id`) the release does not hold
        (one a profile's text names): the mark, never a number."""
        return self._literal("missing", ref, MISSING_MARK.get(self.lang, MISSING_MARK["en"]))

    def money(self, figure: Figure, scale: int = 9, decimals: int = 1) -> str:
        value = figure.value if figure.available else None
        text = (
            ""
            if value is None
            else numbers.money(
                value,
                figure.unit,
                self.lang,
                self.locale,
                scale=scale,
                decimals=decimals,
                digits=self.digits,
            )
        )
        return self._span(figure, "money", scale, decimals, text)

    def percent(self, figure: Figure, decimals: int = 1) -> str:
        value = figure.value if figure.available else None
        text = (
            ""
            if value is None
            else numbers.percent_text(
                value, self.lang, self.locale, decimals=decimals, digits=self.digits
            )
        )
        return self._span(figure, "percent", 0, decimals, text)

    def growth(self, figure: Figure, decimals: int = 1) -> str:
        value = figure.value if figure.available else None
        text = (
            ""
            if value is None
            else numbers.percent_text(
                value, self.lang, self.locale, decimals=decimals, sign=True, digits=self.digits
            )
        )
        return self._span(figure, "growth", 0, decimals, text)

    def points(self, figure: Figure, decimals: int = 1) -> str:
        value = figure.value if figure.available else None
        text = (
            ""
            if value is None
            else numbers.points_text(
                value, self.lang, self.locale, decimals=decimals, digits=self.digits
            )
        )
        return self._span(figure, "points", 0, decimals, text)

    def number(self, figure: Figure, scale: int = 9, decimals: int = 3) -> str:
        """An amount as a bare number, for a table whose header names the unit and scale
        (`5.237` under "billion MAD")."""
        value = figure.value if figure.available else None
        text = (
            ""
            if value is None
            else numbers.digits_of(
                numbers.number(value.scaleb(-scale), decimals, self.locale),
                self.digits,
                self.locale,
            )
        )
        return self._span(figure, "number", scale, decimals, text)

    def count(self, figure: Figure) -> str:
        value = figure.value if figure.available else None
        text = "" if value is None else numbers.count_text(value, self.locale, digits=self.digits)
        return self._span(figure, "count", 0, 0, text)

    # -- numbers that are not figures ------------------------------------------------------
    def _literal(self, kind: str, value: str, text: str) -> str:
        return f"{LITERAL}{kind}|{value}{MID}{text}{CLOSE}"

    def year(self, year: int | str) -> str:
        return self._literal("year", str(year), self._digits(str(year)))

    def date(self, day: dt.date | dt.datetime) -> str:
        day = day.date() if isinstance(day, dt.datetime) else day
        return self._literal("date", day.isoformat(), self._date_text(day))

    def unit(self, currency: str | None = None, scale: int = 9) -> str:
        """The unit of a table's amounts, in words (`billion MAD`, `milliards de dirhams`):
        the one place outside a figure where a currency is named."""
        currency = currency or self.release.profile.national_currency
        return self._literal("unit", f"{currency}|{scale}", self._unit_text(currency, scale))

    def _unit_text(self, currency: str, scale: int) -> str:
        words = numbers.SCALE_WORDS[scale][self.lang if self.lang in ("en", "fr", "ar") else "en"]
        if self.lang == "fr":
            return f"{words[1]} de {numbers.currency_word(currency, 'fr', self.locale)}"
        if self.lang == "ar":
            return f"{words[0]} {numbers.currency_word(currency, 'ar', self.locale)}"
        return f"{words[0]} {currency}"

    def code(self, code: str) -> str:
        return self._literal("code", code, code)

    def release_id(self, other: ReleaseFigures | None = None) -> str:
        """This release's id, or `other`'s (the release it revises)."""
        rid = (other or self.release).release_id
        return self._literal("release", rid, rid)

    def _digits(self, text: str) -> str:
        return numbers.digits_of(text, self.digits, self.locale) if text.isdigit() else text

    def _date_text(self, day: dt.date) -> str:
        from babel.dates import format_date

        text = str(format_date(day, format="long", locale=self.locale))
        return numbers.digits_of(text, self.digits, self.locale) if self.digits == "arab" else text


def figure_ref(release: ReleaseFigures, figure: Figure) -> str:
    """The tag of a figure: its key's id, prefixed `prev:` when it is the revised release's."""
    if release.get(figure.key) is figure:
        return figure.key.id
    return f"prev:{figure.key.id}"


def _lookup(release: ReleaseFigures, ref: str) -> Figure | None:
    if ref.startswith("prev:"):
        earlier = release.previous
        return None if earlier is None else earlier.get(FigureKey.parse(ref[5:]))
    return release.get(FigureKey.parse(ref))


def _line(text: str, at: int) -> int:
    return text.count("\n", 0, at) + 1


def _shown(text: str) -> str:
    """What the reader sees: each span replaced by its text."""
    return _SPAN.sub(lambda m: m.group(3), text)


def check(rendered: str, release: ReleaseFigures, lang: str, *, where: str) -> Checked:
    """The rendered text with its markers removed, once every number in it is checked (see
    the module's head); `PublicationCheckFailed` naming `where`, the line and the number
    otherwise."""
    problems: list[str] = []
    stated: list[Stated] = []
    outside: list[tuple[int, str]] = []  # (offset, text) between the spans
    last = 0
    for m in _SPAN.finditer(rendered):
        outside.append((last, rendered[last : m.start()]))
        last = m.end()
        kind, head, text = m.group(1), m.group(2), m.group(3)
        here = f"{where}, line {_line(rendered, m.start())}"
        if kind == OPEN:
            ref, form, scale, decimals = head.split("|")
            problem = _check_figure(release, lang, ref, form, int(scale), int(decimals), text)
            stated.append(Stated(ref, form, text))
        else:
            literal_kind, value = head.split("|", 1)
            problem = _check_literal(release, lang, literal_kind, value, text)
        if problem:
            problems.append(f"{here}: {text!r} {problem}")
    outside.append((last, rendered[last:]))
    for offset, plain in outside:
        for start, end in _numbers(plain, lang):
            problems.append(
                f"{where}, line {_line(rendered, offset + start)}: the number "
                f"{plain[start:end]!r} is not tagged: a figure enters a text only through a "
                "tag naming it (money, percent, growth, points, count), a year, date or code "
                "through year, date, code"
            )
        for c in _CURRENCY.finditer(plain):
            problems.append(
                f"{where}, line {_line(rendered, offset + c.start())}: the currency "
                f"{c.group(0)!r} is written outside a figure: an amount and its currency are "
                "written together by the money tag, from the figure's own unit"
            )
    if problems:
        raise PublicationCheckFailed(
            f"{len(problems)} number(s) of the text are not the release's; nothing was "
            "written:\n  " + "\n  ".join(problems[:20])
        )
    return Checked(_shown(rendered), tuple(stated))


def _numbers(text: str, lang: str) -> list[tuple[int, int]]:
    """The spans of the numbers in `text`: each quantity as a reader reads it (26.3 billion,
    not 26 and 3), then any digit no quantity covers."""
    from digex.publish.quantities import find_digits, find_quantities

    spans = [(q.start, q.end) for q in find_quantities(text, lang)]
    covered = [(a, b) for a, b in spans]
    spans += [
        (a, b)
        for a, b in find_digits(text)
        if not any(start <= a and b <= end for start, end in covered)
    ]
    return sorted(spans)


def _check_figure(
    release: ReleaseFigures,
    lang: str,
    ref: str,
    form: str,
    scale: int,
    decimals: int,
    text: str,
) -> str | None:
    from digex.publish.quantities import find_digits, find_quantities

    figure = _lookup(release, ref)
    if figure is None:
        return f"names {ref}, which the release does not hold"
    if form not in FORMS:
        return f"is tagged with an unknown form {form!r}"
    if not figure.available:
        if find_digits(text):
            return f"states a value for {ref}, which the release withholds"
        return None
    assert figure.value is not None
    bare = form in ("count", "number")
    found = [q for q in find_quantities(text, lang) if q.unit is not None or bare]
    if len(found) != 1:
        return f"should state one number for {ref}, and states {len(found)}"
    q = found[0]
    unit = {"money": figure.unit, "percent": "PC", "growth": "PC", "points": "PP"}.get(form)
    if q.unit != unit:
        return f"is in {q.unit or 'no unit'}, and {ref} is in {unit or 'no unit (a count)'}"
    written = 0 if form == "number" else scale  # a bare number's scale is in its header
    if q.scale != written:
        return f"is scaled by 10^{q.scale}, and the tag says 10^{written}"
    if q.decimals != decimals:
        return f"has {q.decimals} decimals, and the tag says {decimals}"
    expected = round_half_up(figure.value.scaleb(-scale), decimals)
    if expected == 0:
        expected = abs(expected)
    if q.value != expected:
        return f"is not {ref} ({figure.value}), which rounds to {expected}"
    if form in ("growth", "points") and expected != 0 and not q.signed:
        return "is a change written without its sign"
    return None


def _check_literal(
    release: ReleaseFigures, lang: str, kind: str, value: str, text: str
) -> str | None:
    from digex.publish.quantities import find_digits

    tags = Tags(release, lang)
    if kind == "year":
        if not (value.isdigit() and int(value) in known_years(release)):
            return (
                f"is tagged as a year and {value!r} is none of the years the release speaks "
                "of (its periods', its targets', its series breaks')"
            )
        return None if text == tags._digits(value) else "is not that year"
    if kind == "date":
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            return f"is tagged as a date and {value!r} is not one"
        return None if text == tags._date_text(day) else f"is not the date {value}"
    if kind == "code":
        if value not in CODES:
            return f"is tagged as a code and {value!r} is not one of {sorted(CODES)}"
        return None if text == value else f"is not the code {value}"
    if kind == "unit":
        currency, scale = value.split("|")
        units = {f.unit for f in release}
        if currency not in units or not scale.isdigit() or int(scale) not in numbers.SCALE_WORDS:
            return f"names a unit ({value}) that no figure of the release is in"
        return None if text == tags._unit_text(currency, int(scale)) else "is not that unit"
    if kind == "free":
        return None  # text from outside the templates: `check_free` reads its numbers
    if kind == "release":
        known = {release.release_id} | (
            {release.previous.release_id} if release.previous else set()
        )
        return (
            None
            if text == value and value in known
            else "is not the id of this release or of the one it revises"
        )
    if find_digits(text):
        return f"is tagged {kind!r}, which is not a kind of number a text may state"
    return None


def known_years(release: ReleaseFigures) -> frozenset[int]:
    """The years a note of `release` may name: those of its periods, of its profile's targets
    (year and base year) and of its series breaks."""
    years = {int(str(p)[:4]) for p in release.observations["period"].unique()}
    for t in release.profile.targets:
        years |= {t.year} | ({t.base_year} if t.base_year is not None else set())
    years |= {b.day.year for b in release.profile.breaks}
    return frozenset(years)


def same_figures(checked: Mapping[str, Checked]) -> None:
    """Every language states the same figures, each as often: `PublicationCheckFailed`
    naming the difference otherwise."""
    counts = {lang: Counter((s.figure, s.form) for s in c.stated) for lang, c in checked.items()}
    langs = list(counts)
    for lang in langs[1:]:
        missing = counts[langs[0]] - counts[lang]
        extra = counts[lang] - counts[langs[0]]
        if missing or extra:
            raise PublicationCheckFailed(
                f"the {lang} note does not state the same figures as the {langs[0]} note: "
                f"missing {sorted(missing)}, extra {sorted(extra)}"
            )


def check_free(
    text: str, release: ReleaseFigures, lang: str, *, where: str, figures: Iterable[Figure] = ()
) -> None:
    """A statistician's commentary (no tags): each number must be one of the release's
    figures as some shown form of it would write it (its unit, scale and rounding), a year,
    or an ISO date; `PublicationCheckFailed` naming the line and the number otherwise."""
    from digex.publish.quantities import find_quantities

    pool = [f for f in (*release, *release.extras, *figures) if f.available]
    problems = []
    found = find_quantities(text, lang)
    for sign in _CURRENCY_SIGN.finditer(text):
        if not any(q.start <= sign.start() < q.end for q in found):
            problems.append(
                f"{where}, line {_line(text, sign.start())}: the currency sign "
                f"{sign.group(0)!r} stands apart from any amount: name a currency with the "
                "amount it is the unit of (a `$` beside dirhams is the press' tenfold error)"
            )
    for q in found:
        if q.unit is None and q.scale == 0 and q.decimals == 0 and 1900 <= q.value <= 2200:
            continue  # a year
        if not any(_could_be(q, f) for f in pool):
            problems.append(
                f"{where}, line {_line(text, q.start)}: {q.text!r} is none of release "
                f"{release.release_id}'s figures (in its unit, scale and rounding)"
            )
    if problems:
        raise PublicationCheckFailed(
            f"{len(problems)} number(s) of a text from outside the templates (a commentary, "
            "a series break's explanation) are not the release's; nothing was written:\n  "
            + "\n  ".join(problems[:20])
        )


_PER_CENT: Final = frozenset({"PC", "PP"})
COUNTS: Final = frozenset({"JOBS", "FIRMS"})


def _could_be(q: object, figure: Figure) -> bool:
    from digex.publish.quantities import Quantity

    assert isinstance(q, Quantity)
    assert figure.value is not None
    if q.unit in _PER_CENT or figure.unit in _PER_CENT:
        if q.unit != figure.unit and not (q.unit == "PC" and figure.unit == "PP"):
            return False
    elif q.unit is None:
        # a bare count (jobs, firms), or an amount whose currency the sentence already gave
        # ("26.17 bn MAD, against 17.9 bn")
        if figure.unit not in COUNTS and not (q.scale > 0 and figure.unit not in _PER_CENT):
            return False
    elif q.unit != figure.unit:
        return False
    value = round_half_up(figure.value.scaleb(-q.scale), q.decimals)
    return abs(q.value) == abs(value) and (not q.signed or (q.value < 0) == (value < 0))
