"""The verdict on a claim, reasoning with the rounding of the figure it quotes.

A figure written with d decimals stands for every value that rounds (half up) to it: 13.4
means [13.35, 13.45). A claim is consistent when the official, unrounded value is among them
(`accepts`); a bound ("over 40 %") or a range ("40-45 %") when the value is inside it; a round
figure ("about 13 billion") when it is within one unit of its last digit or 5 % of it.

A change recomputed from rounded levels is not the office's mistake: 13.4 / 12.9 - 1 gives
3.9 %, yet the pairs of values inside [13.35, 13.45) and [12.85, 12.95) give every change from
3.09 % to 4.67 % (`growth_range`), the published 3.5 % (from 13.38 and 12.93) among them. Such
a claim is inconsistent with the official change, and its cause is named: rounding.

When a claim is inconsistent, the checker looks for what it mixed up, in this order: another
currency (a `$` on dirhams), a power of ten, the older series' perimeter, a change recomputed
from rounded levels, a fall called a rise, another period, another base period, another
segment or market. A withheld (confidential) figure is never compared nor shown: its claim is
not checkable.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal, localcontext
from itertools import pairwise
from typing import Final

from digex.claims.match import Library, Official, alternatives, levels, official
from digex.claims.model import CONSISTENT, INCONSISTENT, NOT_CHECKABLE, Claim, Verdict
from digex.indicators.periods import Period
from digex.publish import numbers
from digex.publish.figures import ReleaseFigures
from digex.publish.quantities import Quantity

ABOUT: Decimal = Decimal("0.05")
"""How far a round figure ("about 13 billion") may be from the value, relative to it."""


def accepts(claim: Claim, value: Decimal) -> bool:
    """Whether the official, unrounded `value` (unscaled) is one the claim's figure stands
    for (see the module's head)."""
    r = claim.reading
    if r.multiple is not None:
        return _within(r.bound, r.multiple, value, Decimal("0.5"))
    q = r.quantity
    assert q is not None
    if claim.negative:
        q = replace(q, value=-q.value)
    if r.upper is not None:
        low = q.interval()[0]
        high = r.upper.interval()[1]
        return low <= value < high
    if r.bound == "=":
        return q.rounds_from(value)
    unit = Decimal(1).scaleb(q.scale - q.decimals)
    return _within(r.bound, q.exact(), value, unit) or (
        r.bound in (">=", "<=") and q.rounds_from(value)
    )


def _within(bound: str, written: Decimal, value: Decimal, unit: Decimal) -> bool:
    if bound == ">":
        return value > written
    if bound == "<":
        return value < written
    if bound == ">=":
        return value >= written
    if bound == "<=":
        return value <= written
    if bound == "~":
        return abs(value - written) <= max(unit, abs(written) * ABOUT)
    return written - unit / 2 <= value < written + unit / 2


def growth_range(level: Quantity, base: Quantity) -> tuple[Decimal, Decimal]:
    """The changes (per cent) that some pair of values inside the two levels' rounding
    intervals gives: from the lowest level over the highest base to the reverse (the upper
    ends are open: values as near them as one likes)."""
    low, high = level.interval()
    base_low, base_high = base.interval()
    with localcontext() as ctx:
        ctx.prec = 34
        return (low / base_high - 1) * 100, (high / base_low - 1) * 100


def recomputed(level: Quantity, base: Quantity) -> Decimal:
    """The change (per cent) a reader computes from the two rounded levels."""
    with localcontext() as ctx:
        ctx.prec = 34
        return (level.exact() / base.exact() - 1) * 100


def _rounded(value: Decimal, scale: int, decimals: int) -> Quantity:
    written = value.scaleb(-scale).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
    return Quantity(0, 0, "", written, decimals, scale, None, False)


def _stated_levels(claims: Sequence[Claim], claim: Claim, period: Period) -> list[Quantity]:
    """The levels of `period` the text states for the claim's subject, those of its own
    sentence first, then the nearest before it."""
    found = [
        c
        for c in claims
        if c.kind == "level" and c.period == period and c.subject == claim.subject
        and c.reading.quantity is not None and c.reading.bound == "=" and c.reading.upper is None
    ]  # fmt: skip
    found.sort(key=lambda c: (c.sentence != claim.sentence, abs(c.start - claim.start)))
    return [c.reading.quantity for c in found if c.reading.quantity is not None]


def _bare_pairs(claim: Claim, lang: str) -> list[tuple[Quantity, Quantity]]:
    """Pairs of bare decimals the claim's sentence states before it ("13.4 against 12.9"),
    read as levels in billions."""
    from digex.claims.reading import read

    bare = [
        replace(r.quantity, scale=9)
        for r in read(claim.sentence, lang)
        if r.quantity is not None and r.quantity.unit is None and r.quantity.decimals
        and not r.quantity.scale
    ]  # fmt: skip
    return list(pairwise(bare))


def _from_rounded(lib: Library, claim: Claim, claims: Sequence[Claim], lang: str) -> str | None:
    """How the claim's change comes from rounded levels, when it does."""
    if claim.period is None or claim.kind != "growth":
        return None
    base = claim.base or Period(claim.period.freq, claim.period.year - 1, claim.period.sub)
    level_claim = replace(claim, kind="level", currency=None)
    now, then = (
        levels(lib, level_claim, claim.subject, claim.period),
        levels(lib, level_claim, claim.subject, base),
    )
    if now is None or then is None or now.value is None or then.value is None:
        return None
    pairs = list(
        zip(
            _stated_levels(claims, claim, claim.period),
            _stated_levels(claims, claim, base),
            strict=False,
        )
    )
    pairs += _bare_pairs(claim, lang)
    pairs += [
        (_rounded(now.value, scale, decimals), _rounded(then.value, scale, decimals))
        for scale, decimals in ((9, 1), (9, 2), (9, 0), (6, 0), (9, 3))
    ]
    for a, b in pairs:
        if b.value == 0:
            continue
        if accepts(claim, recomputed(a, b)):
            low, high = growth_range(a, b)
            return (
                f"{_plain(recomputed(a, b))} % is the change recomputed from the rounded levels "
                f"{a.value} and {b.value} (10^{a.scale}); the official change is computed on "
                f"unrounded values, and the pairs of values that round to {a.value} and "
                f"{b.value} give any change from {_plain(low)} % to {_plain(high)} %: the "
                "official figure is consistent with the rounded levels"
            )
    return None


def _plain(value: Decimal, decimals: int = 2) -> str:
    return str(value.quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP))


_ARABIC_INDIC: Final = re.compile("[\u0660-\u0669\u06f0-\u06f9]")


def shown(claim: Claim, value: Decimal, lang: str, locale: str, unit: str) -> str:
    """The official value as the claim would write it (its scale, at least its decimals, its
    digits: Arabic-Indic when the claim's are)."""
    q = claim.reading.quantity
    decimals = max(q.decimals if q else 1, 1)
    digits = "arab" if _ARABIC_INDIC.search(claim.text) else "latn"
    if claim.kind == "level":
        scale = q.scale if q is not None and q.scale in (6, 9) else 9
        return numbers.money(
            value, unit, lang, locale, scale=scale, decimals=decimals, digits=digits
        )
    if claim.kind == "count":
        return numbers.count_text(value, locale, digits=digits)
    if claim.kind == "points":
        return numbers.points_text(value, lang, locale, decimals=decimals, digits=digits)
    if claim.kind == "ratio":
        return numbers.digits_of(numbers.number(value, 2, locale), digits, locale)
    growth = claim.kind == "growth"
    return numbers.percent_text(value, lang, locale, decimals=decimals, sign=growth, digits=digits)


def _what(claim: Claim) -> str:
    who = "the total" if claim.subject.is_total else f"{claim.subject.cut} {claim.subject.member}"
    when = claim.period.label if claim.period else "no period"
    base = f" on {claim.base.label}" if claim.base else ""
    return f"{claim.kind} of {who}, {when}{base}"


def judge(lib: Library, claim: Claim, claims: Sequence[Claim] = (), lang: str = "en") -> Verdict:
    """The verdict on one claim (`claims`: the text's other claims, whose levels a change may
    have been recomputed from)."""
    latest = lib.latest
    locale = latest.profile.locale_for(lang) if latest is not None else lang
    if claim.period is None:
        return Verdict(claim, NOT_CHECKABLE, explanation="the text names no period for it")
    found = official(lib, claim)
    if found is None:
        return Verdict(
            claim,
            NOT_CHECKABLE,
            explanation=f"no release holds the {_what(claim)}",
        )
    if found.withheld:
        return Verdict(
            claim,
            NOT_CHECKABLE,
            release=found.release,
            figure=found.figure,
            explanation="the figure is confidential (withheld by disclosure control)",
        )
    assert found.value is not None
    unit = found.unit if claim.kind == "level" else ""

    def verdict(status: str, cause: str | None, explanation: str, value: Decimal) -> Verdict:
        return Verdict(
            claim,
            status,
            release=found.release,
            figure=found.figure,
            official=shown(claim, value, lang, locale, unit),
            cause=cause,
            explanation=explanation,
        )

    if accepts(claim, found.value):
        notes = ["on the older series' perimeter"] if claim.older else []
        if any(f.obs_status == "B" for f in found.inputs):
            notes.append(
                "the figure is flagged as a series break (OBS_STATUS B): it is the first of a "
                "new definition, or compares two"
            )
        return verdict(CONSISTENT, None, "; ".join(notes), found.value)
    for r in lib.earlier(lib_release(lib, found)):
        earlier = official(Library([r], r.release_id), claim)
        if earlier is not None and earlier.value is not None and accepts(claim, earlier.value):
            return verdict(
                CONSISTENT,
                None,
                f"as published in release {r.release_id}, revised since in {found.release}",
                found.value,
            )
    cause, why = _cause(lib, claim, found, claims, lang, locale)
    return verdict(INCONSISTENT, cause, why, found.value)


def lib_release(lib: Library, found: Official) -> ReleaseFigures:
    return next(r for r in lib.releases if r.release_id == found.release)


def _currency(
    lib: Library, claim: Claim, found: Official, lang: str, locale: str
) -> tuple[str, str] | None:
    if claim.kind != "level" or found.value is None:
        return None
    said = claim.currency or lib.national
    for currency in (lib.national, "USD", "EUR"):
        if currency == said:
            continue
        other = official(lib, replace(claim, currency=currency))
        if other is not None and other.value is not None and accepts(claim, other.value):
            in_said = shown(claim, found.value, lang, locale, found.unit)
            return "currency", (
                f"the figure is in {currency}, quoted as {said}: in {said} it is {in_said}"
            )
    return None


def _magnitude(claim: Claim, found: Official) -> tuple[str, str] | None:
    for k in (1, -1, 3, -3, 6, -6, 9, -9):
        if found.value is not None and accepts(claim, found.value.scaleb(k)):
            return "magnitude", f"the figure is quoted 10^{k} times the official one"
    return None


def _perimeter(lib: Library, claim: Claim) -> tuple[str, str] | None:
    if not (claim.subject.is_total and claim.kind in ("level", "growth")):
        return None
    other = official(lib, replace(claim, older=not claim.older))
    if other is not None and other.value is not None and accepts(claim, other.value):
        series = "the five-segment series" if claim.older else "the older series"
        return "perimeter", f"the figure is that of {series}, on another perimeter"
    return None


def _direction(claim: Claim, found: Official) -> tuple[str, str] | None:
    turned = replace(claim, negative=not claim.negative)
    if (
        claim.kind in ("growth", "points")
        and found.value is not None
        and accepts(turned, found.value)
    ):
        return "direction", "the official change has the other sign (a fall, or a rise)"
    return None


def _cause(
    lib: Library, claim: Claim, found: Official, claims: Sequence[Claim], lang: str, locale: str
) -> tuple[str, str]:
    """The likeliest cause of an inconsistency (see the module's head for the order)."""
    for named in (
        _currency(lib, claim, found, lang, locale),
        _magnitude(claim, found),
        _perimeter(lib, claim),
    ):
        if named is not None:
            return named
    rounded = _from_rounded(lib, claim, claims, lang)
    if rounded:
        return "rounding", rounded
    turned = _direction(claim, found)
    if turned is not None:
        return turned
    for cause, other, which in alternatives(lib, claim):
        if other.value is not None and accepts(claim, other.value):
            return cause, f"the figure is that of {which}"
    return "value", "no published figure near it explains the difference"
