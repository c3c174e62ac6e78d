"""The release note: what the office tells the press, from one release, in each language.

`facts` picks the figures a note states (the headline level and growth, the half-year and
year-to-date comparison, the segments with their shares and growth, the main partner markets,
progress toward the national targets, jobs, what a revision changed, the series breaks), all
from the release's public view; the Jinja2 templates in `data/templates/note/` say how each
language tells them, and state every number through `digex.publish.tagging.Tags` so that
`render` can check the text before anything is written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, Final

from digex.codelists import segments
from digex.indicators.periods import Period
from digex.publish.figures import Figure, FigureKey, ReleaseFigures
from digex.publish.rounding import round_half_up
from digex.publish.tagging import CLOSE, LITERAL, MID, Checked, Tags, check, check_free

if TYPE_CHECKING:
    import jinja2

PARTNERS_SHOWN: Final = 5
"""The main partner markets a note names (by level, among those the release publishes)."""
ORDINAL: Final = {
    "en": ("first", "second", "third", "fourth"),
    "fr": ("premier", "deuxième", "troisième", "quatrième"),
    "ar": ("الأول", "الثاني", "الثالث", "الرابع"),
}
FREQ_WORDS: Final = {
    "H": {"en": "half of", "fr": "semestre", "ar": "النصف {} من"},
    "Q": {"en": "quarter of", "fr": "trimestre", "ar": "الربع {} من"},
}


@dataclass(frozen=True)
class Line:
    """One member of a breakdown: its name and figures (None where the release has none)."""

    code: str
    name: str
    level: Figure
    before: Figure | None
    share: Figure | None
    growth: Figure | None


@dataclass(frozen=True)
class Half:
    period: Period
    level: Figure
    before: Figure | None
    growth: Figure | None


@dataclass(frozen=True)
class TargetLine:
    id: str
    name: str
    year: int
    value: Figure
    level: Figure
    progress: Figure
    gap: Figure
    needed: Figure | None
    measure: str


@dataclass(frozen=True)
class Outlook:
    """What the first months say about the full year: the frozen nowcast of the year and its
    80 % and 95 % bounds, and the seasonally adjusted change of the last month (estimates,
    each stated as one: `digex.releases.estimates`)."""

    year: Period
    nowcast: Figure | None
    lower_80: Figure | None
    upper_80: Figure | None
    lower_95: Figure | None
    upper_95: Figure | None
    month: Period
    sa_growth: Figure | None


@dataclass(frozen=True)
class Facts:
    """The figures one note states (the same in every language: names aside)."""

    period: Period
    before: Period
    total: Figure
    total_before: Figure | None
    growth: Figure | None
    halves: list[Half]
    ytd: tuple[Period, Figure, Figure | None] | None
    segments: list[Line]
    partners: list[Line]
    partners_cut: str
    targets: list[TargetLine]
    jobs: Figure | None
    jobs_before: Figure | None
    revised: list[tuple[str, Figure, Figure]] = field(default_factory=list)
    """(what, as first published, as now) for the headline figures a revision changed."""
    breaks: list[str] = field(default_factory=list)
    """Ids of the profile's series breaks a stated figure carries (OBS_STATUS B)."""
    outlook: Outlook | None = None
    """The estimates frozen with the release that the note states (None: none to state)."""
    withheld: list[str] = field(default_factory=list)
    """Names of the partner markets (or regions) whose level disclosure control withholds in
    the period, alphabetical (never in an order of their values): the note says they are not
    ranked, so that its list of the main ones is not read as complete."""


def _year_before(p: Period) -> Period:
    return Period(p.freq, p.year - 1, p.sub)


def _get(r: ReleaseFigures, indicator: str, period: Period, cut: str = "total",
         member: str = "_T", flow: str = "X") -> Figure | None:  # fmt: skip
    return r.get(FigureKey(indicator, period.label, cut, member, flow))


def facts(r: ReleaseFigures, lang: str) -> Facts:
    """The figures of `r`'s note (names in `lang`); `UsageError` when the release does not
    hold its own period's total."""
    p = r.period
    before = _year_before(p)
    total = r.figure("LEVEL", p.label)
    halves = []
    if p.freq == "A":
        halves = [Period("H", p.year, 1), Period("H", p.year, 2)]
    elif p.freq == "H":
        halves = [p]
    found_halves = [
        Half(h, level, _get(r, "LEVEL", _year_before(h)), _get(r, "GROWTH_YOY", h))
        for h in halves
        if (level := _get(r, "LEVEL", h)) is not None
    ]
    lines = [
        Line(
            s.code,
            s.name(lang),
            level,
            _get(r, "LEVEL", before, "segment", s.code),
            _get(r, "SHARE", p, "segment", s.code),
            _get(r, "GROWTH_YOY", p, "segment", s.code),
        )
        for s in segments()
        if (level := _get(r, "LEVEL", p, "segment", s.code)) is not None
    ]
    cut = "partner" if r.members("LEVEL", p.label, "partner") else "region"
    held = r.members("LEVEL", p.label, cut)
    markets = [f for f in held if f.available]
    locale = r.profile.locale_for(lang)
    withheld = sorted(
        (market_name(cut, f.key.member, locale, lang) for f in held if f.confidential),
        key=_collation_key,
    )
    markets.sort(key=lambda f: (-(f.value or 0), f.key.member))
    partners = [
        Line(
            f.key.member,
            market_name(cut, f.key.member, r.profile.locale_for(lang), lang),
            f,
            _get(r, "LEVEL", before, cut, f.key.member),
            _get(r, "SHARE", p, cut, f.key.member),
            _get(r, "GROWTH_YOY", p, cut, f.key.member),
        )
        for f in markets[:PARTNERS_SHOWN]
    ]
    found = Facts(
        period=p,
        before=before,
        total=total,
        total_before=_get(r, "LEVEL", before),
        growth=_get(r, "GROWTH_YOY", p),
        halves=found_halves,
        ytd=_ytd(r, p),
        segments=lines,
        partners=partners,
        partners_cut=cut,
        targets=_targets(r, lang),
        jobs=_get(r, "JOBS", p, flow="_Z"),
        jobs_before=_get(r, "JOBS", before, flow="_Z"),
        revised=_revised(r, lang),
        outlook=_outlook(r, p),
        withheld=withheld,
    )
    return Facts(**{**found.__dict__, "breaks": _breaks(r, found)})


def _outlook(r: ReleaseFigures, p: Period) -> Outlook | None:
    """The nowcast of the period's year (a release of part of a year) and the seasonally
    adjusted change of the total in the period's last month, where the release froze them
    (a series with a suppressed cell has neither)."""
    year = Period("A", p.year, 1)
    month = Period("M", p.year, p.last_month)
    bounds = [
        _get(r, f"NOWCAST_LEVEL_{b}", year)
        for b in ("LOWER_80", "UPPER_80", "LOWER_95", "UPPER_95")
    ]
    low80, high80, low95, high95 = bounds
    now = _get(r, "NOWCAST_LEVEL", year) if p.freq != "A" else None
    growth = _get(r, "GROWTH_POP_SA", month)
    found = Outlook(year, now, low80, high80, low95, high95, month, growth)
    if found.nowcast is None and found.sa_growth is None:
        return None
    return found


def _ytd(r: ReleaseFigures, p: Period) -> tuple[Period, Figure, Figure | None] | None:
    """Year to date at the release's last month, when that is not the whole year (which the
    headline states) nor the half-year the note states already."""
    if p.freq in ("A", "H"):
        return None
    month = Period("M", p.year, {"Q": 3 * p.sub, "M": p.sub}.get(p.freq, 12))
    level = _get(r, "YTD_LEVEL", month)
    return None if level is None else (month, level, _get(r, "YTD_GROWTH", month))


def _targets(r: ReleaseFigures, lang: str) -> list[TargetLine]:
    """Each profile target the release measures, with its own value (TARGET_VALUE: one of the
    release's `extras`, which iterating the release leaves out) and its progress rows."""
    found = []
    for t in r.profile.targets:
        members = {
            f.key.indicator: f
            for f in (*r, *r.extras)
            if f.key.cut == "target" and f.key.member == t.id
        }
        if not {"TARGET_VALUE", "TARGET_LEVEL", "TARGET_PROGRESS", "TARGET_GAP"} <= set(members):
            continue
        found.append(
            TargetLine(
                t.id,
                free(t.names.get(lang, t.id)),  # its name may hold its year
                t.year,
                members["TARGET_VALUE"],
                members["TARGET_LEVEL"],
                members["TARGET_PROGRESS"],
                members["TARGET_GAP"],
                members.get("CAGR_NEEDED"),
                t.measure,
            )
        )
    return found


REVISED_NAMES: Final = {
    "LEVEL": {"en": "Total exports", "fr": "Total des exportations", "ar": "مجموع الصادرات"},
    "GROWTH_YOY": {"en": "Growth of the total", "fr": "Croissance du total", "ar": "نمو المجموع"},
}


def _revised(r: ReleaseFigures, lang: str) -> list[tuple[str, Figure, Figure]]:
    """The headline figures (the total's level and growth, each segment's level) whose value
    as the note shows it (billions to three decimals, per cents to one) the revision changed,
    as first published and as now."""
    earlier = r.previous
    if earlier is None:
        return []
    keys = [FigureKey("LEVEL", r.period.label), FigureKey("GROWTH_YOY", r.period.label)]
    keys += [FigureKey("LEVEL", r.period.label, "segment", s.code) for s in segments()]
    changed = []
    for key in keys:
        now, then = r.get(key), earlier.get(key)
        if now is None or then is None or not (now.available and then.available):
            continue
        assert now.value is not None
        assert then.value is not None
        scale, decimals = (0, 1) if now.unit == "PC" else (9, 3)  # as the note shows them
        if round_half_up(now.value.scaleb(-scale), decimals) != round_half_up(
            then.value.scaleb(-scale), decimals
        ):
            names = {s.code: s.name(lang) for s in segments()}
            what = names[key.member] if key.cut == "segment" else REVISED_NAMES[key.indicator][lang]
            changed.append((what, then, now))
    return changed


def _breaks(r: ReleaseFigures, f: Facts) -> list[str]:
    """The profile's series breaks that a figure the note states is at or straddles."""
    from digex.releases.breaks import flags

    stated = [f.total, f.total_before, f.growth, *(x for line in f.segments for x in (
        line.level, line.before, line.growth))]  # fmt: skip
    found: set[str] = set()
    for figure in stated:
        if figure is None or figure.obs_status != "B":
            continue
        k = figure.key
        hit = flags(k.indicator, k.cut, k.member, k.period, r.profile.breaks)
        found.update(hit.at + hit.across)
    return [b.id for b in r.profile.breaks if b.id in found]


def _collation_key(name: str) -> str:
    """A name as an alphabetical list sorts it: case and accents aside."""
    import unicodedata

    parts = unicodedata.normalize("NFD", name.casefold())
    return "".join(c for c in parts if not unicodedata.combining(c))


def market_name(cut: str, code: str, locale: str, lang: str) -> str:
    """A partner country's name in the language (CLDR), or a region's (the M49 code list)."""
    if cut == "region":
        from digex.publish.display import region_names

        return region_names(lang).get(code, code)
    from babel import Locale

    return str(Locale.parse(locale).territories.get(code, code))


def period_words(t: Tags, p: Period) -> str:
    """A period as running text, its year tagged: `2024`, `first half of 2025`,
    `premier semestre 2025`, `النصف الأول من 2025`, a month by its CLDR name."""
    lang = t.lang
    year = t.year(p.year)
    if p.freq == "A":
        return year
    if p.freq in FREQ_WORDS:
        nth = ORDINAL[lang][p.sub - 1]
        if lang == "en":
            return f"{nth} {FREQ_WORDS[p.freq]['en']} {year}"
        if lang == "fr":
            return f"{nth} {FREQ_WORDS[p.freq]['fr']} {year}"
        return f"{FREQ_WORDS[p.freq]['ar'].format(nth)} {year}"
    from babel.dates import get_month_names

    return f"{get_month_names('wide', locale=t.locale)[p.sub]} {year}"


IN_PERIOD: Final = {
    "en": {"A": "in {}", "H": "in the {}", "Q": "in the {}", "M": "in {}"},
    "fr": {"A": "en {}", "H": "au {}", "Q": "au {}", "M": "en {}"},
    "ar": {"A": "في {}", "H": "في {}", "Q": "في {}", "M": "في {}"},
}
"""How a sentence places an event in a period (French: "en 2024", "au premier semestre")."""
SINCE_PERIOD: Final = {
    "en": {"A": "on {}", "H": "on the {}", "Q": "on the {}", "M": "on {}"},
    "fr": {"A": "par rapport à {}", "H": "par rapport au {}", "Q": "par rapport au {}",
           "M": "par rapport à {}"},
    "ar": {"A": "مقارنة مع {}", "H": "مقارنة مع {}", "Q": "مقارنة مع {}", "M": "مقارنة مع {}"},
}  # fmt: skip
"""How a sentence names the period a change is measured on."""


STATUS: Final = {
    "preliminary": {"en": "Preliminary figures", "fr": "Chiffres provisoires", "ar": "أرقام أولية"},
    "revised": {"en": "Revised figures", "fr": "Chiffres révisés", "ar": "أرقام معدلة"},
    "final": {"en": "Final figures", "fr": "Chiffres définitifs", "ar": "أرقام نهائية"},
}


@cache
def _environment() -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("digex", "data/templates/note"),
        autoescape=False,  # Markdown, escaped when it becomes HTML
        undefined=jinja2.StrictUndefined,  # a misspelt name fails, never prints nothing
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def free(text: str) -> str:
    """Text from outside the templates (a break's explanation, a commentary): its numbers are
    checked against the release's figures (`tagging.check_free`) instead of tags."""
    return f"{LITERAL}free|{MID}{text}{CLOSE}"


def render(
    r: ReleaseFigures,
    lang: str,
    *,
    commentary: str | None = None,
    charts: Mapping[str, str] | None = None,
    template: str | None = None,
) -> Checked:
    """The note of `r` in `lang` as checked Markdown (`tagging.check`: every number is the
    release's, or nothing is written). `commentary`: the statistician's paragraph in this
    language; `charts`: chart name -> image file name, shown in the note; `template`: a
    template's text instead of the packaged one (tests, an office's own wording)."""
    env = _environment()
    tags = Tags(r, lang)
    context: dict[str, Any] = {
        "t": tags,
        "r": r,
        "f": facts(r, lang),
        "status": STATUS.get(r.status, STATUS["preliminary"]).get(lang, r.status),
        "period": lambda p: period_words(tags, p),
        "in_period": lambda p: IN_PERIOD[lang][p.freq].format(period_words(tags, p)),
        "since": lambda p: SINCE_PERIOD[lang][p.freq].format(period_words(tags, p)),
        "country": r.profile.names.get(lang, r.profile.code),
        "source": r.profile.data_source.get(lang, ""),
        "breaks": [_explanation(tags, b) for b in facts(r, lang).breaks],
        "commentary": free(commentary.strip()) if commentary else None,
        "charts": dict(charts or {}),
    }
    source = env.from_string(template) if template else env.get_template(f"{lang}.md.j2")
    text = source.render(context)
    where = f"the {lang} note" + (" (commentary included)" if commentary else "")
    checked = check(text, r, lang, where=where)
    for block in _free_blocks(text):
        check_free(block, r, lang, where=where)
    return checked


def _free_blocks(text: str) -> Sequence[str]:
    import re

    return re.findall(f"{LITERAL}free\\|{MID}([^{CLOSE}]*){CLOSE}", text)


def _explanation(tags: Tags, break_id: str) -> str:
    """The break's explanation with the figures it names tagged (`explanation.tagged`): a
    figure of the release, written and checked like the template's, never one copied into
    the profile."""
    from digex.publish.explanation import tagged

    found = next(b for b in tags.release.profile.breaks if b.id == break_id)
    return tagged(found.explanation.get(tags.lang) or found.explanation.get("en", ""), tags)
