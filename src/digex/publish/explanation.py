"""A series break's explanation (the country profile's `[[break]] explanation`) as a text states it.

The explanation is the office's own prose, written once in the profile, but the figures it
quotes are a release's: the older series put 2023 at 17.9 bn, the new perimeter at 26.17 bn.
Written as digits in the profile, such a figure is only true of the data it was copied from:
on other data (a smaller demo, next year's revision) it is a number of no release, and where
disclosure control withholds the cell it quotes, it discloses it. So the profile names the
figure instead, and each output writes it from the release, as it writes its own figures:

- `{money:LEVEL/X/total/_T/2023:2}` is the figure of that key (`FigureKey.id`: indicator,
  flow, cut, member, period) as an amount in billions with 2 decimals (1 when the `:2` is
  left out); a withheld figure is written as its confidentiality mark, a figure the release
  does not hold as "not available", never a number;
- `{year:2023}` is a year.

In a note each becomes a tag (`tagging.Tags`), checked like the template's own figures, and
the prose between them is checked as free text (`tagging.check_free`). Every number (a
figure, a year, or one the prose still writes in digits) is written in the digits of the
language (`digits = { ar = "arab" }`); an identifier holding a digit (`EXPORTS_3SEG`) is
left as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Final

from digex.errors import PublicationCheckFailed
from digex.publish import numbers
from digex.publish.figures import FigureKey

if TYPE_CHECKING:
    from digex.publish.figures import Figure, ReleaseFigures
    from digex.publish.tagging import Tags

PLACEHOLDER: Final = re.compile(r"\{(money|year):([^{}:]+)(?::(\d))?\}")
_NUMBER: Final = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*(?![\w])", re.ASCII)
"""A number standing alone in prose: not part of an identifier (`EXPORTS_3SEG`, `M49`)."""


@dataclass(frozen=True)
class Named:
    """A number the explanation names: a figure (`money`) or a year."""

    kind: str
    value: str
    decimals: int

    @property
    def key(self) -> FigureKey:
        return FigureKey.parse(self.value)


def pieces(text: str, where: str = "a series break's explanation") -> list[str | Named]:
    """`text` as prose and the numbers it names, in order; `PublicationCheckFailed` naming
    the placeholder when it is not one (a figure key that is not five parts, a year that is
    not digits): the profile must be corrected."""
    found: list[str | Named] = []
    last = 0
    for m in PLACEHOLDER.finditer(text):
        found.append(text[last : m.start()])
        kind, value, decimals = m.group(1), m.group(2).strip(), m.group(3)
        if kind == "money" and value.count("/") != 4:
            raise PublicationCheckFailed(
                f"{where}: {m.group(0)!r} does not name a figure: write "
                "{money:INDICATOR/FLOW/CUT/MEMBER/PERIOD:DECIMALS}, e.g. "
                "{money:LEVEL/X/total/_T/2023:2}"
            )
        if kind == "year" and not value.isdigit():
            raise PublicationCheckFailed(
                f"{where}: {m.group(0)!r} is not a year: write {{year:2023}}"
            )
        found.append(Named(kind, value, 1 if decimals is None else int(decimals)))
        last = m.end()
    found.append(text[last:])
    return [p for p in found if p != ""]


def figures(text: str) -> list[FigureKey]:
    """The keys of the figures `text` names (to state the same in every language)."""
    return [p.key for p in pieces(text) if isinstance(p, Named) and p.kind == "money"]


def in_digits(prose: str, digits: str, locale: str) -> str:
    """The numbers standing alone in `prose` written in `digits` (identifiers untouched)."""
    if digits == "latn":
        return prose
    return _NUMBER.sub(lambda m: numbers.digits_of(m.group(0), digits, locale), prose)


def tagged(text: str, tags: Tags) -> str:
    """The explanation for a note: each named number a tag of `tags`' release, the prose
    between them free text (checked by `tagging.check_free`), all in the note's digits."""
    from digex.publish.note import free

    out = []
    for part in pieces(text):
        if isinstance(part, str):
            out.append(free(in_digits(part, tags.digits, tags.locale)))
        elif part.kind == "year":
            out.append(tags.year(part.value))
        else:
            figure = tags.release.get(part.key)
            out.append(
                tags.not_held(part.value)
                if figure is None
                else tags.money(figure, decimals=part.decimals)
            )
    return "".join(out)


Lookup = Callable[[FigureKey], "Figure | None"]


def plain(
    text: str,
    lookup: Lookup | None,
    lang: str,
    locale: str,
    *,
    digits: str = "latn",
    withheld: str = "C",
    missing: str = "—",
) -> str:
    """The explanation as plain text (a workbook's cover, a terminal's table, the
    dashboard): each figure found by `lookup` written as an amount, `withheld` where it is
    confidential, `missing` where there is none; with no `lookup` (a view that holds no
    figures), each named figure as its indicator, member and period in brackets."""
    out = []
    for part in pieces(text):
        if isinstance(part, str):
            out.append(in_digits(part, digits, locale))
        elif part.kind == "year":
            out.append(numbers.digits_of(part.value, digits, locale))
        else:
            if lookup is None:  # no figures at hand: name the figure for the reader
                key = part.key
                out.append(f"[{key.indicator} {key.member} {key.period}]")
                continue
            figure = lookup(part.key)
            if figure is None or (figure.value is None and not figure.confidential):
                out.append(missing)
            elif figure.confidential or figure.value is None:
                out.append(withheld)
            else:
                out.append(
                    numbers.money(
                        Decimal(figure.value),
                        figure.unit,
                        lang,
                        locale,
                        decimals=part.decimals,
                        digits=digits,
                    )
                )
    return "".join(out)


def of_release(text: str, release: ReleaseFigures, lang: str) -> str:
    """`plain` with the figures of `release`, in its profile's digits for `lang`."""
    from digex.publish.tagging import CONFIDENTIAL_MARK, MISSING_MARK

    profile = release.profile
    return plain(
        text,
        release.get,
        lang,
        profile.locale_for(lang),
        digits=profile.digits_for(lang),
        withheld=CONFIDENTIAL_MARK.get(lang, CONFIDENTIAL_MARK["en"]),
        missing=MISSING_MARK.get(lang, MISSING_MARK["en"]),
    )
