"""A claim matched to the releases' figures: which figure it quotes, and its exact value.

The releases are read from their snapshots (`publish.figures`: the public view only). A claim
is checked against the release named, or else the latest release that holds the figure (the
2024 level is in the 2024 release and, as a comparison base, in the 2025-H1 one: the latest
wins, as it may have been revised). Some figures are computed from the release's own exact
values: a change against another base than a year before, a change of share in points, a
ratio of two levels. A figure computed from a withheld one is withheld too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Any, Final

from digex.claims.model import Claim
from digex.claims.subjects import Subject
from digex.indicators.periods import Period
from digex.publish.figures import Figure, FigureKey, ReleaseFigures


@dataclass(frozen=True)
class Official:
    """A value a claim is compared with."""

    value: Decimal | None
    """Exact, unscaled (MAD; per cent as 3.48); None when a figure it needs is withheld."""
    unit: str
    figure: str
    """The figure's id, or the formula of a computed value."""
    release: str
    inputs: tuple[Figure, ...]

    @property
    def withheld(self) -> bool:
        return self.value is None


def level_indicator(currency: str | None, national: str) -> str:
    if currency in (None, national):
        return "LEVEL"
    return f"LEVEL_{currency}"


class Library:
    """The releases a claim may be checked against, oldest first."""

    def __init__(self, releases: Sequence[ReleaseFigures], chosen: str | None = None) -> None:
        self.releases = sorted(releases, key=lambda r: (r.published_at, r.created_at, r.release_id))
        self.chosen = next((r for r in self.releases if r.release_id == chosen), None)
        national = {r.profile.national_currency for r in self.releases}
        self.national = national.pop() if len(national) == 1 else "MAD"

    @property
    def candidates(self) -> list[ReleaseFigures]:
        """The releases to look in, preferred first."""
        if self.chosen is not None:
            return [self.chosen]
        return list(reversed(self.releases))

    @property
    def latest(self) -> ReleaseFigures | None:
        return self.chosen or (self.releases[-1] if self.releases else None)

    def earlier(self, release: ReleaseFigures) -> list[ReleaseFigures]:
        """The other vintages of the figures a claim is checked against (revised releases)."""
        if self.chosen is not None:
            chain = []
            r = release.previous
            while r is not None:
                chain.append(r)
                r = r.previous
            return chain
        return [r for r in self.releases if r is not release]

    def get(self, key: FigureKey) -> tuple[ReleaseFigures, Figure] | None:
        for r in self.candidates:
            found = r.get(key)
            if found is not None:
                return r, found
        return None

    def partners(self) -> set[str]:
        return {
            str(m)
            for r in self.releases
            for m in r.observations.loc[r.observations["cut"] == "partner", "member"].unique()
        }

    def regions(self) -> set[str]:
        return {
            str(m)
            for r in self.releases
            for m in r.observations.loc[r.observations["cut"] == "region", "member"].unique()
        }


def _key(indicator: str, period: Period, subject: Subject, flow: str) -> FigureKey:
    return FigureKey(indicator, period.label, subject.cut, subject.member, flow)


def _official(r: ReleaseFigures, f: Figure) -> Official:
    value = f.value if f.available else None
    return Official(value, f.unit, f.key.id, r.release_id, (f,))


def _year_before(p: Period) -> Period:
    return Period(p.freq, p.year - 1, p.sub)


def _previous(p: Period) -> Period:
    per = {"A": 1, "H": 2, "Q": 4, "M": 12}[p.freq]
    n = p.year * per + p.sub - 2
    return Period(p.freq, n // per, n % per + 1)


def _ratio(a: Official, b: Official, *, change: bool, formula: str) -> Official:
    if a.value is None or b.value is None or b.value == 0:
        value = None
    else:
        with localcontext() as ctx:
            ctx.prec = 34
            value = a.value / b.value
            value = (value - 1) * 100 if change else value
    return Official(value, "PC" if change else "", formula, a.release, a.inputs + b.inputs)


def levels(lib: Library, claim: Claim, subject: Subject, period: Period) -> Official | None:
    """The level of `subject` in `period`, in the claim's currency."""
    indicator = level_indicator(claim.currency, lib.national)
    found = lib.get(_key(indicator, period, subject, claim.flow))
    if found is None and indicator == "LEVEL" and FORECAST.search(claim.sentence):
        found = _nowcast(lib, claim, subject, period)
    return None if found is None else _official(*found)


def _nowcast(
    lib: Library, claim: Claim, subject: Subject, period: Period
) -> tuple[ReleaseFigures, Figure] | None:
    """A year not observed yet: the nowcast frozen with the release (status F), or the bound
    of its 80 % or 95 % interval the quoted figure rounds from (a note states the range)."""
    point = lib.get(_key("NOWCAST_LEVEL", period, subject, claim.flow))
    quantity = claim.reading.quantity
    if point is None or quantity is None:
        return point
    for bound in ("LOWER_80", "UPPER_80", "LOWER_95", "UPPER_95"):
        found = lib.get(_key(f"NOWCAST_LEVEL_{bound}", period, subject, claim.flow))
        if (
            found is not None
            and found[1].value is not None
            and quantity.rounds_from(found[1].value)
            and not quantity.rounds_from(point[1].value or found[1].value)
        ):
            return found
    return point


FORECAST: Final = re.compile(
    r"estimat|forecast|nowcast|estim[ée]|prévision|prévu|تقدير|تقدر|يقدر|مقدر|توقع", re.IGNORECASE
)
"""Words that say a level is an estimate of a period not yet observed (the nowcast)."""


def older_series(lib: Library, period: Period, indicator: str) -> Official | None:
    """The older series' figure (SERIES_LEVEL / SERIES_GROWTH) of `period`, if a release
    holds one."""
    for r in lib.candidates:
        o = r.observations
        rows = o[(o["indicator"] == indicator) & (o["period"] == period.label)]
        for member, flow in zip(rows["member"], rows["flow"], strict=True):
            f = r.get(FigureKey(indicator, period.label, "total", str(member), str(flow)))
            if f is not None:
                return _official(r, f)
    return None


@dataclass(frozen=True)
class _Ask:
    """What is asked of the releases: the claim, and the period, subject and base it is
    asked for (its own, or another's when looking for what it mixed up)."""

    claim: Claim
    period: Period
    subject: Subject
    base: Period | None

    def get(self, lib: Library, indicator: str, period: Period | None = None) -> Official | None:
        key = _key(indicator, period or self.period, self.subject, self.claim.flow)
        found = lib.get(key)
        return None if found is None else _official(*found)


def _level(lib: Library, ask: _Ask) -> Official | None:
    return levels(lib, ask.claim, ask.subject, ask.period)


def _count(lib: Library, ask: _Ask) -> Official | None:
    return ask.get(lib, ask.claim.count_of or "JOBS")


def _share(lib: Library, ask: _Ask) -> Official | None:
    return ask.get(lib, "SHARE")


ADJUSTED: Final = re.compile(
    r"seasonally adjusted|seasonal adjustment|variations saisonni|désaisonnalis|\bcvs\b"
    r"|التغيرات الموسمية|معدلة? موسميا",
    re.IGNORECASE,
)
"""Words that say a change is of the seasonally adjusted series (an estimate frozen with the
release: GROWTH_POP_SA, month on month)."""


def _growth(lib: Library, ask: _Ask) -> Official | None:
    period, base = ask.period, ask.base
    if ADJUSTED.search(ask.claim.sentence) and base in (None, _previous(period)):
        found = ask.get(lib, "GROWTH_POP_SA")
        if found is not None:
            return found
    if base is None or base == _year_before(period):
        found = ask.get(lib, "GROWTH_YOY")
        if found is not None:
            return found
    if base is not None and base == _previous(period):
        found = ask.get(lib, "GROWTH_POP")
        if found is not None:
            return found
    now = levels(lib, ask.claim, ask.subject, period)
    then = levels(lib, ask.claim, ask.subject, base or _year_before(period))
    if now is None or then is None:
        return None
    return _ratio(now, then, change=True, formula=f"{now.figure} / {then.figure} - 1")


def _points(lib: Library, ask: _Ask) -> Official | None:
    """A contribution to growth, or a change of share (points between two periods)."""
    if ask.claim.contribution:
        return ask.get(lib, "CONTRIBUTION")
    now = ask.get(lib, "SHARE")
    then = ask.get(lib, "SHARE", ask.base or _year_before(ask.period))
    if now is None or then is None:
        return None
    value = None if now.value is None or then.value is None else now.value - then.value
    return Official(
        value, "PP", f"{now.figure} - {then.figure}", now.release, now.inputs + then.inputs
    )


def _multiple(lib: Library, ask: _Ask) -> Official | None:
    """A ratio of two subjects' levels ("twice BPO's"), or of two periods' ("doubled since")."""
    claim = ask.claim
    a = levels(lib, claim, ask.subject, ask.period)
    if claim.other is not None:
        b = levels(lib, claim, claim.other, ask.period)
    elif ask.base is not None:
        b = levels(lib, claim, ask.subject, ask.base)
    else:
        return None
    if a is None or b is None:
        return None
    return _ratio(a, b, change=False, formula=f"{a.figure} / {b.figure}")


def _target(indicator: str) -> Callable[[Library, _Ask], Official | None]:
    def find(lib: Library, ask: _Ask) -> Official | None:
        measure = "jobs" if ask.claim.count_of == "JOBS" else "exports"
        for r in lib.candidates:
            for t in r.profile.targets:
                hits = [f for f in r if f.key.indicator == indicator and f.key.member == t.id]
                if t.measure == measure and hits:
                    return _official(r, max(hits, key=lambda f: f.key.period))
        return None

    return find


def _goal(lib: Library, claim: Claim) -> Official | None:
    """A national target's own value (TARGET_VALUE, from the profile frozen with the release),
    in the measure the claim counts: jobs for a count, exports for an amount."""
    measure = "jobs" if claim.kind == "count" else "exports"
    for r in lib.candidates:
        ids = {t.id for t in r.profile.targets if t.measure == measure}
        for f in r.extras:
            if f.key.indicator == "TARGET_VALUE" and f.key.member in ids:
                return _official(r, f)
    return None


def _target_years(lib: Library) -> set[int]:
    return {t.year for r in lib.candidates for t in r.profile.targets}


FIGURES: Final[dict[str, Callable[[Library, _Ask], Official | None]]] = {
    "level": _level,
    "count": _count,
    "share": _share,
    "growth": _growth,
    "points": _points,
    "ratio": _multiple,
    "progress": _target("TARGET_PROGRESS"),
    "rate_needed": _target("CAGR_NEEDED"),
}
"""How each kind of claim finds its official value."""


def official(
    lib: Library,
    claim: Claim,
    period: Period | None = None,
    subject: Subject | None = None,
    base: Period | None = None,
) -> Official | None:
    """The official value `claim` quotes (or the one it would quote of another period,
    subject or base, when looking for what it mixed up); None when no release holds it."""
    period = period or claim.period
    subject = subject or claim.subject
    if period is None:
        return None
    if claim.gap:
        return _target("TARGET_GAP")(lib, _Ask(claim, period, subject, base))
    if claim.target and period.year in _target_years(lib):
        return _goal(lib, claim)
    if claim.older and subject.is_total and claim.kind in ("level", "growth"):
        indicator = "SERIES_LEVEL" if claim.kind == "level" else "SERIES_GROWTH"
        return older_series(lib, period, indicator)
    ask = _Ask(claim, period, subject, base if base is not None else claim.base)
    return FIGURES[claim.kind](lib, ask)


def _periods(lib: Library) -> list[Period]:
    from digex.indicators.periods import parse_period

    labels: set[str] = set()
    for r in lib.candidates:
        labels |= {str(p) for p in r.observations["period"].unique()}
    return sorted((parse_period(label) for label in labels), key=lambda p: (p.freq, p.ordinal))


def _subjects(lib: Library, period: Period) -> list[Subject]:
    found: dict[Subject, None] = {}
    for r in lib.candidates:
        o = r.observations
        rows = o[(o["period"] == period.label)][["cut", "member"]].drop_duplicates()
        for cut, member in zip(rows["cut"], rows["member"], strict=True):
            if cut in ("segment", "partner", "region") or (cut, member) == ("total", "_T"):
                found.setdefault(Subject(str(cut), str(member)))
    return list(found)


def alternatives(lib: Library, claim: Claim) -> Iterator[tuple[str, Official, str]]:
    """Figures the claim may have mixed its own up with, likeliest first: (cause, figure,
    which): other periods of its frequency, other bases of a change, other members (segments,
    markets) in its period, then periods of other frequencies."""
    when = claim.period
    if when is None:
        return
    periods = _periods(lib)
    asked: list[tuple[str, dict[str, Any], str]] = [
        ("period", {"period": p}, p.label) for p in periods if p.freq == when.freq and p != when
    ]
    if claim.kind in ("growth", "points", "ratio") and claim.other is None:
        usual = claim.base or _year_before(when)
        asked += [
            ("base period", {"base": b}, f"a change on {b.label}")
            for b in periods
            if b != usual and b.ordinal < when.ordinal and b.freq == when.freq
        ]
    asked += [
        ("segment", {"subject": s}, "the total" if s.is_total else f"{s.cut} {s.member}")
        for s in _subjects(lib, when)
        if s != claim.subject
    ]
    asked += [("period", {"period": p}, p.label) for p in periods if p.freq != when.freq]
    for cause, change, which in asked:
        found = official(lib, claim, **change)
        if found is not None:
            yield cause, found, which
