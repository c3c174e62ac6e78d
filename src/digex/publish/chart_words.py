"""The words of the charts in Arabic, French and English: titles, axis titles, notes, labels.

A chart is read out of context (a newspaper reprints it alone), so its own text must carry
what the note around it would say: what is measured, in which unit with the currency named
(a bare `$` put on dirhams once made a tenfold error in the press), for which period, from
which release, and which values are withheld. Nothing here formats a number: numbers are
written by `digex.publish.numbers` (Babel) or by Vega's locale (`chart_locale`).
"""

from __future__ import annotations

from functools import cache
from typing import Final

from babel import Locale

from digex.codelists import segments
from digex.indicators.periods import Period, parse_period
from digex.publish.display import region_names

WORDS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "first_months": "its first {months} months",
        "first_month": "its first month",
        "nowcast": "Exports of {year} so far, and the forecast of the whole year",
        "forecast": "Forecast {year}: {value}",
        "so_far": "Exports cumulated from January, {year} (dark) and {before} (pale)",
        "fan": "Shaded: the forecast of the year from {first} ({method}), "
        "inside the darker band four times in five and the paler one nineteen times in twenty; "
        "an estimate, not an observed figure",
        "method_ratio": "the ratio of the whole year to these months in past years",
        "method_model": "a seasonal model of the monthly series",
        "annual": "Exports and growth on the previous year",
        "annual_sub": "Exports in each {part} and growth on the same period a year earlier",
        "segments": "Share of each segment in exports, {period}",
        "halfyear": "Exports by half-year, compared with a year earlier",
        "partners": "Main partner markets, {period}",
        "regions": "Exports by region, {period}",
        "target": "Progress toward the target: {target}",
        "money": "billion {currency}",
        "share": "% of total exports",
        "year": "Year",
        "period": "Period",
        "total": "Total",
        "reached": "{value} of the target reached",
        "needed": "growth needed: {value} a year",
        "level": "Exports",
        "path": "Path at the growth needed",
        "goal": "Target",
        "growth_note": "Above the bars: growth on the same period a year earlier (%)",
        "growth_beside": "Beside the latest bars: growth on the same period a year earlier (%)",
        "source": "Source: {source}, release {release} ({status})",
        "confidential": "{mark} confidential, not shown: {members}",
        "confidential_ranked": "{mark} confidential, left out of the ranking: {count} markets",
        "break": "{mark} series break: the figure is the first of a new definition, or "
        "compares two",
        "preliminary": "preliminary",
        "revised": "revised",
        "final": "final",
    },
    "fr": {
        "first_months": "ses {months} premiers mois",
        "first_month": "son premier mois",
        "nowcast": "Exportations de {year} à ce jour et prévision de l'année entière",
        "forecast": "Prévision {year} : {value}",
        "so_far": "Exportations cumulées depuis janvier, {year} (foncé) et {before} (clair)",
        "fan": "Zone ombrée : prévision de l'année d'après {first} ({method}), "
        "dans la bande foncée quatre fois sur cinq et dans la claire dix-neuf fois sur vingt ; "
        "une estimation, non un chiffre observé",
        "method_ratio": "rapport de l'année entière à ces mois les années passées",
        "method_model": "modèle saisonnier de la série mensuelle",
        "annual": "Exportations et variation sur un an",
        "annual_sub": "Exportations de chaque {part} et variation sur la même période "
        "de l'année précédente",
        "segments": "Part de chaque segment dans les exportations, {period}",
        "halfyear": "Exportations par semestre, comparées à l'année précédente",
        "partners": "Principaux marchés partenaires, {period}",
        "regions": "Exportations par région, {period}",
        "target": "Progression vers l'objectif : {target}",
        "money": "milliards de {currency}",
        "share": "% des exportations totales",
        "year": "Année",
        "period": "Période",
        "total": "Total",
        "reached": "{value} de l'objectif atteints",
        "needed": "croissance nécessaire : {value} par an",
        "level": "Exportations",
        "path": "Trajectoire à la croissance nécessaire",
        "goal": "Objectif",
        "growth_note": "Au-dessus des barres : variation sur la même période de l'année "
        "précédente (%)",
        "growth_beside": "À côté des barres les plus récentes : variation sur la même période "
        "de l'année précédente (%)",
        "source": "Source : {source}, publication {release} ({status})",
        "confidential": "{mark} confidentiel, non représenté : {members}",
        "confidential_ranked": "{mark} confidentiel, exclu du classement : {count} marchés",
        "break": "{mark} rupture de série : premier chiffre d'une nouvelle définition, ou "
        "comparaison de deux définitions",
        "preliminary": "provisoire",
        "revised": "révisée",
        "final": "définitive",
    },
    "ar": {
        "first_months": "أشهرها الأولى ({months})",
        "first_month": "شهرها الأول",
        "nowcast": "صادرات {year} حتى الآن وتوقع السنة كاملة",
        "forecast": "التوقع {year}: {value}",
        "so_far": "الصادرات المتراكمة منذ يناير، {year} (داكن) و{before} (فاتح)",
        "fan": "المنطقة المظللة: توقع السنة انطلاقا من {first} ({method})، داخل "
        "النطاق الداكن في أربع حالات من خمس وداخل الفاتح في تسع عشرة حالة من عشرين؛ تقدير وليس "
        "رقما ملاحظا",
        "method_ratio": "نسبة السنة كاملة إلى هذه الأشهر في السنوات الماضية",
        "method_model": "نموذج موسمي للسلسلة الشهرية",
        "annual": "الصادرات والتغير مقارنة بالسنة السابقة",
        "annual_sub": "الصادرات في كل {part} والتغير مقارنة بنفس الفترة من السنة السابقة",
        "segments": "حصة كل جزء من الصادرات، {period}",
        "halfyear": "الصادرات حسب نصف السنة، مقارنة بالسنة السابقة",
        "partners": "أهم الأسواق الشريكة، {period}",
        "regions": "الصادرات حسب المنطقة، {period}",
        "target": "التقدم نحو الهدف: {target}",
        "money": "مليار {currency}",
        "share": "% من مجموع الصادرات",
        "year": "السنة",
        "period": "الفترة",
        "total": "المجموع",
        "reached": "تحقق {value} من الهدف",
        "needed": "النمو السنوي المطلوب: {value}",
        "level": "الصادرات",
        "path": "المسار بالنمو المطلوب",
        "goal": "الهدف",
        "growth_note": "فوق الأعمدة: التغير مقارنة بنفس الفترة من السنة السابقة (%)",
        "growth_beside": "بجانب الأعمدة الأحدث: التغير مقارنة بنفس الفترة من السنة السابقة (%)",
        "source": "المصدر: {source}، الإصدار {release} ({status})",
        "confidential": "سري ({mark})، غير معروض: {members}",
        "confidential_ranked": "سري ({mark})، مستبعد من الترتيب: عدد الأسواق {count}",
        "break": "انقطاع في السلسلة {mark}: أول رقم وفق تعريف جديد، أو مقارنة بين تعريفين",
        "preliminary": "مؤقت",
        "revised": "منقح",
        "final": "نهائي",
    },
}
"""Every sentence a chart shows, by language; `{...}` are filled in by `charts`, and every
text of a right-to-left language goes through `directed`."""

CONFIDENTIAL: Final = "C"
"""The mark of a confidential figure (its CONF_STATUS), which opens the note that says which
figures a chart leaves out."""
BREAK_MARKS: Final = {"ar": "(B)"}
"""How a period label marks a figure at or across a series break: ‡ as in the tables, but
(B), its OBS_STATUS, in Arabic: Noto Sans Arabic has no ‡, and vl-convert draws a text in the
one font named (no fallback), so ‡ would be an empty box there."""


def break_mark(lang: str) -> str:
    return BREAK_MARKS.get(lang, "‡")


CURRENCY_WORDS: Final[dict[str, dict[str, str]]] = {
    "MAD": {"en": "MAD", "fr": "dirhams", "ar": "درهم"},
}
"""How an axis title names a national currency after "billion": English keeps the ISO code
(as the press writes MAD 26.2 billion), French and Arabic the word."""

PARTS: Final[dict[str, dict[str, str]]] = {
    "en": {"A": "year", "H": "half-year", "Q": "quarter", "M": "month"},
    "fr": {"A": "année", "H": "semestre", "Q": "trimestre", "M": "mois"},
    "ar": {"A": "سنة", "H": "نصف سنة", "Q": "ربع سنة", "M": "شهر"},
}

_HALVES: Final = {
    "en": ("H1 {y}", "H2 {y}"),
    "fr": ("S1 {y}", "S2 {y}"),
    "ar": ("النصف الأول {y}", "النصف الثاني {y}"),
}
_QUARTERS: Final = {"en": "Q{q} {y}", "fr": "T{q} {y}", "ar": "الربع {q} {y}"}


RTL: Final = frozenset({"ar"})
RLI: Final = "\u2067"
LRI: Final = "\u2066"
PDI: Final = "\u2069"


def directed(text: str, lang: str) -> str:
    """A text of a right-to-left language isolated as right to left (RLI ... PDI).

    vl-convert lays every line out with a left-to-right base, whatever its first letter (an
    RLM or the SVG `direction` attribute does not change it): an Arabic line holding a Latin
    run (a mark such as (B), a release id such as 2025-H1.1) would come out with its Arabic
    parts in the wrong order, and a sign or per cent sign on the wrong side of its number.
    Isolated, the line is laid out right to left as a whole (measured on vl-convert 1.9's
    pixels; browsers read the same marks), and the isolates draw nothing."""
    return f"{RLI}{text}{PDI}" if lang in RTL else text


def code(text: str, lang: str) -> str:
    """A code written left to right (a release id such as 2025-H1.1) inside a right-to-left
    text: isolated (LRI ... PDI), or its year would be read as part of the Arabic run and
    drawn after the rest (H1.1-2025)."""
    return f"{LRI}{text}{PDI}" if lang in RTL else text


def words(lang: str) -> dict[str, str]:
    return WORDS.get(lang, WORDS["en"])


def money_title(currency: str, lang: str) -> str:
    """The axis title of a money scale in billions, the currency named (never a symbol)."""
    name = CURRENCY_WORDS.get(currency, {}).get(lang, currency)
    return directed(words(lang)["money"].format(currency=name), lang)


def period_label(period: str, lang: str, locale: str) -> str:
    """A period as a reader writes it: 2024, S1 2025 (fr), النصف الأول 2025, mars 2024."""
    p: Period = parse_period(period)
    if p.freq == "A":
        return str(p.year)
    if p.freq == "H":
        return _HALVES.get(lang, _HALVES["en"])[p.sub - 1].format(y=p.year)
    if p.freq == "Q":
        return _QUARTERS.get(lang, _QUARTERS["en"]).format(q=p.sub, y=p.year)
    month = Locale.parse(locale).months["stand-alone"]["wide"][p.sub]
    return f"{month} {p.year}"


def member_name(cut: str, member: str, lang: str, locale: str) -> str:
    """A member's name in the language: a segment's, a region's, a country's (CLDR), the
    total's; its code when no name is known."""
    if member == "_T":
        return words(lang)["total"]
    if cut == "segment":
        return _segment_names(lang).get(member, member)
    if cut == "region":
        return region_names(lang).get(member, member)
    if cut == "partner":
        return str(Locale.parse(locale).territories.get(member, member))
    return member


@cache
def _segment_names(lang: str) -> dict[str, str]:
    return {s.code: s.name(lang) for s in segments()}
