"""The headline table as text: every cell already written for its language, ready to render.

`digex.publish.summary` computes the exact figures; this module decides how they read (three
decimals for billions, one for per cents, a sign on growth, the mark of an incomplete figure,
the notes those marks need, the rounding rule). A terminal, a web page or a spreadsheet then
only lays the strings out, and all of them show the same text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from digex.errors import UsageError
from digex.indicators import status as st
from digex.publish.numbers import number, percent, signed
from digex.publish.rounding import ROUNDING_NOTE, round_exact

if TYPE_CHECKING:
    from digex.api import Digex
    from digex.publish.explanation import Lookup
    from digex.publish.figures import FigureKey
    from digex.publish.summary import Headline
    from digex.releases.breaks import SeriesBreak

LEVEL_DECIMALS = 3
"""Billions to the million, as the office publishes them."""
PERCENT_DECIMALS = 1
MISSING = "—"
"""A figure that cannot be computed (no level, or none a year earlier)."""
CONFIDENTIAL = "C"
"""A figure disclosure control withholds (SDMX CONF_STATUS C)."""
CONFIDENTIAL_NOTE = {
    "en": "C: confidential (withheld so that no firm's figures can be derived).",
    "fr": "C : confidentiel (non diffusé pour qu'aucune donnée d'entreprise ne puisse être "
    "déduite).",
    "ar": "C: سري (محجوب حتى لا يمكن استنتاج بيانات أي مقاولة).",
}
SYNTHETIC = " — SYNTHETIC DEMO DATA"


@dataclass(frozen=True)
class HeadlineLine:
    """One row: the member's name, then previous level, level, share and growth as text."""

    name: str
    cells: tuple[str, str, str, str]
    total: bool
    """The total's line (shown in bold)."""


@dataclass(frozen=True)
class HeadlineTable:
    title: str
    """Plain text (a renderer that reads markup must escape it: it holds [brackets])."""
    columns: tuple[str, ...]
    """The header: an empty first column, the two periods, the share and the growth."""
    lines: list[HeadlineLine]
    notes: list[str]
    """What each mark used in the cells means, then the rounding rule."""


def check_lang(lang: str, languages: tuple[str, ...]) -> None:
    if lang not in languages:
        raise UsageError(f"lang={lang!r}: use one of {', '.join(languages)}")


Write = Callable[[Decimal, int, str], str]


def _cell(
    value: Fraction | None,
    write: Write,
    decimals: int,
    locale: str,
    done: str,
    obs: str,
    *,
    withheld: bool = False,
) -> str:
    """`value` rounded half up and written; a figure on incomplete months, or at or across a
    series break, is never a plain number: the mark of its completeness, then the break's,
    follow it. A figure disclosure control withholds is shown as C (never as missing)."""
    if withheld:
        return CONFIDENTIAL
    if value is None:
        return MISSING
    return (
        write(round_exact(value, decimals), decimals, locale) + st.mark(done) + st.break_mark(obs)
    )


def break_notes(
    breaks: Sequence[SeriesBreak],
    lang: str,
    *,
    lookup: Lookup | None = None,
    locale: str = "en",
) -> list[str]:
    """What B means, then each break the table touches: its first day and its explanation in
    the table's language (English where the profile gives none in it), the figures it names
    found by `lookup` (`digex.publish.explanation`)."""
    from digex.publish.explanation import plain

    return [st.BREAK_NOTES.get(lang, st.BREAK_NOTES["en"])] + [
        f"{b.day.isoformat()}: "
        + plain(b.explanation.get(lang) or b.explanation["en"], lookup, lang, locale)
        for b in breaks
    ]


def store_lookup(db: Digex, *, release: str | None = None, as_of: str | None = None) -> Lookup:
    """The figures an explanation names, from the store `db` as the table reads it (live, a
    release's, or as published at a time): None for one it cannot compute."""
    from digex.errors import DigexError
    from digex.publish.figures import Figure

    def lookup(key: FigureKey) -> Figure | None:
        try:
            rows = db.indicators(
                key.period, by=key.cut, flow=key.flow, indicators=[key.indicator],
                release=release, as_of=as_of,
            )  # fmt: skip
        except DigexError:
            return None
        rows = rows[rows["member"] == key.member]
        if rows.empty:
            return None
        row = rows.iloc[0]
        conf = str(row["conf_status"]) if "conf_status" in rows.columns else "F"
        value = None if row["value"] != row["value"] else Decimal(repr(float(row["value"])))
        return Figure(key, value, str(row["unit"]), str(row["obs_status"]),
                      str(row["completeness"]), conf)  # fmt: skip

    return lookup


def shape(
    h: Headline,
    lang: str,
    locale: str,
    *,
    synthetic: bool = False,
    lookup: Lookup | None = None,
) -> HeadlineTable:
    """The text of headline `h` in `lang`, numbers written for `locale`; `lookup` finds the
    figures a series break's explanation names."""
    title = h.title + (SYNTHETIC if synthetic else "")
    if h.completeness != st.COMPLETE:
        labels = st.LABELS.get(lang, st.LABELS["en"])
        title += f" [{labels.get(h.completeness, h.completeness)}]"
    if h.obs_status != st.NORMAL:
        title += f" [OBS_STATUS {h.obs_status}]"
    notes = [st.NOTES.get(lang, st.NOTES["en"])[c] for c in h.marks]
    if h.has_break:
        notes += break_notes(h.breaks, lang, lookup=lookup, locale=locale)
    lines = []
    for r in h.rows:
        w = r.withheld
        cells = (
            _cell(r.previous, number, LEVEL_DECIMALS, locale, r.previous_completeness,
                  r.previous_obs, withheld="previous" in w),
            _cell(r.level, number, LEVEL_DECIMALS, locale, r.level_completeness, r.level_obs,
                  withheld="level" in w),
            _cell(r.share, percent, PERCENT_DECIMALS, locale, r.level_completeness, r.level_obs,
                  withheld="share" in w),
            _cell(r.growth, signed, PERCENT_DECIMALS, locale, r.growth_completeness,
                  r.growth_obs, withheld="growth" in w),
        )  # fmt: skip
        lines.append(HeadlineLine(r.name, cells, total=r.code == "_T"))
    if any(r.withheld for r in h.rows):
        notes.append(CONFIDENTIAL_NOTE.get(lang, CONFIDENTIAL_NOTE["en"]))
    return HeadlineTable(
        title=title,
        columns=("", h.previous_period, h.period, "%", "Δ %"),
        lines=lines,
        notes=[*notes, ROUNDING_NOTE[lang]],
    )


def headline_table(
    db: Digex,
    period: str,
    lang: str = "en",
    *,
    release: str | None = None,
    as_of: str | None = None,
) -> HeadlineTable:
    """The headline table of `period` in `lang`, from the store `db` (refused before any
    computing when the profile does not publish in `lang`): live figures, or those of a
    release, or as published at a time (`Digex.indicators`)."""
    from digex.publish.summary import headline

    check_lang(lang, db.profile.languages)
    locale = db.profile.locale_for(lang)
    found = headline(db, period, lang, release=release, as_of=as_of)
    lookup = store_lookup(db, release=release, as_of=as_of)
    return shape(found, lang, locale, synthetic=db.store.synthetic, lookup=lookup)
