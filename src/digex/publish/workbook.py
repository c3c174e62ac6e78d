"""A release's statistical annex as an Excel workbook, one per language.

The workbook is for an analyst who takes the figures further (a pivot, a chart, a lookup from
another workbook), not for reading alone, which decides its layout:

- a **cover sheet** says what the file is (release, period, status, vintage, dates, the
  release's note, source, definitions, rounding), explains every mark a cell can show, lists
  the sheets and defines each indicator the tables hold;
- **one sheet per published table** (`CountryProfile.tables`, plus one for the targets'
  progress when the release has it), laid out as *series by period*: a row is one series
  (an indicator of one member, for one flow), the columns are the table's periods, the
  coarsest frequency first (years, then half-years, quarters, months), oldest first. A series
  reads across its row as a time series, a period down its column as a cross-section, the
  main indicators (value, share, growth on a year earlier) come first and a member's total
  closes each indicator's block. One header row with an autofilter, label columns on the
  start side and the panes frozen on both, so a filter on the indicator or the member keeps
  the periods in view; the last column holds the series' key (`LEVEL/X/segment/ITO`, the
  tag a note's figures carry less its period) for lookups that must not depend on a
  translated name. A layout with one block per indicator would need a header per block
  (no filter, no frozen header that fits every block); a long table (one row per figure)
  hides the time dimension an analyst reads first.
- **cells** hold the value the release stores, unscaled and unrounded (MAD, not billions;
  per cents as 40.3) to the 15 significant digits a double holds exactly, as digex's CSV
  files do (a level with its cents is exact below 10^13): the number format shows it in the
  row's unit (billions through Excel's thousands-scaling commas, `#,##0.000,,,`) and rounds
  it, so a sum or a ratio computed in the workbook is as exact as the release. A figure at
  or across a series break, estimated, or incomplete carries its mark *in its number format*
  (`#,##0.000,,,"‡"`): the cell stays a number. A confidential cell holds the mark `C` as
  text, never 0 nor empty; a figure the release has no value for holds `—`; a blank cell is
  a period the series is not published at (jobs are yearly).

Every text cell goes through `digex.publish.spreadsheet.neutralise` and is typed as a string:
a member's name or a note that begins with `=` is shown, never evaluated. The Arabic workbook
has its sheets right to left. The file is the same bytes each time a release is written (zip
entries dated with the release's publication), so the publication's manifest can be checked
again later.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

from digex.errors import UsageError
from digex.publish.display import MISSING
from digex.publish.figures import CONFIDENTIAL, TARGET_CUT, TARGET_VALUE, ReleaseFigures
from digex.publish.rounding import ROUNDING_NOTE
from digex.publish.spreadsheet import neutralise
from digex.publish.tidy import SIGNIFICANT_DIGITS

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.worksheet import Worksheet

    from digex.indicators.registry import Registry

__all__ = ["CONFIDENTIAL_MARK", "NOT_AVAILABLE", "sheet_name", "write_workbook"]

CONFIDENTIAL_MARK: Final = CONFIDENTIAL
"""What a confidential cell shows (as text): the SDMX CONF_STATUS code it has."""
NOT_AVAILABLE: Final = MISSING
"""What a cell shows when the release has no value for a figure it holds."""
BREAK_MARK: Final = "‡"
"""A figure with OBS_STATUS B, as the terminal tables mark it."""
COMPLETENESS_MARKS: Final = {"incomplete_base": "†", "incomplete_period": "*"}
FREQ_ORDER: Final = ("A", "H", "Q", "M")
FLOW_ORDER: Final = ("X", "M", "N", "_Z")
MAIN: Final = ("LEVEL", "SHARE", "GROWTH_YOY")
TARGET_LEVEL: Final = "TARGET_LEVEL"
TARGET_VALUE_WORDS: Final = {
    "en": ("Target value", "The value the country profile sets for the target's year."),
    "fr": (
        "Valeur de l'objectif",
        "La valeur que le profil du pays fixe pour l'année de l'objectif.",
    ),
    "ar": ("القيمة المستهدفة", "القيمة التي يحددها ملف البلد لسنة الهدف."),
}
"""The name and definition of a target's own value (no indicator of the registry: the
profile's number, shown beside the progress measured against it)."""
"""The indicators each table sheet shows first, in this order (then the registry's)."""
TOTAL_MEMBER: Final = "_T"
SHEET_NAME_MAX: Final = 31
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
_SHEET_ENDS = re.compile(r"^[\s']+|[\s']+$")
MAX_WIDTH: Final = 60
"""Columns are sized to their content up to this many characters."""
LABEL_COLUMNS: Final = 4
"""Indicator, flow, member, unit: the columns before the periods."""
_SCALES: Final = {3: "thousand", 6: "million", 9: "billion", 12: "trillion"}

WORDS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "cover": "About",
        "annex": "statistical tables",
        "title": "Exports of digital services and outsourcing",
        "release": "Release",
        "period": "Period",
        "status": "Status",
        "revises": "Revises release",
        "vintage": "Vintage",
        "created": "Created",
        "published": "Published",
        "note": "Note",
        "source": "Source",
        "methods": "Definitions and methods",
        "methods_text": "Exports and imports of digital services and outsourcing as declared to "
        "the {source}, in the definitions of the balance of payments (BPM6) and of the EBOPS "
        "2010 classification; amounts in foreign currency converted to {currency} at the "
        "month's average rate. Each indicator is defined at the end of this sheet.",
        "rounding": "Rounding",
        "cells": "Each cell holds the exact, unrounded value in units ({currency}, not "
        "billions; per cents as 40.3); its number format shows it in the unit of its row and "
        "rounds it, and a mark after a number is part of its format: the cell stays a number.",
        "legend": "Marks",
        "confidential": "confidential: withheld to protect the firms' data (statistical "
        "confidentiality); never a zero",
        "not_available": "not available: the release holds no value for this figure",
        "blank": "(empty cell) not published at this frequency",
        "unmarked": "a number without a mark",
        "break_detail": "Series break",
        "contents": "Sheets",
        "indicators": "Indicators",
        "indicator": "Indicator",
        "flow": "Flow",
        "unit": "Unit",
        "key": "Series key",
        "preliminary": "preliminary",
        "revised": "revised",
        "final": "final",
        "colon": ": ",
        "comma": ", ",
        "semicolon": "; ",
        "freq_A": "yearly",
        "freq_H": "half-yearly",
        "freq_Q": "quarterly",
        "freq_M": "monthly",
        "X": "Exports",
        "M": "Imports",
        "N": "Exports and imports",
        "_Z": "Not applicable",
        "total_member": "Total",
        "obs_A": "normal value",
        "obs_P": "provisional value: may be revised",
        "obs_E": "estimated value",
        "obs_F": "forecast",
        "obs_B": "series break: the figure is the first of a new definition, or compares two",
        "obs_other": "observation status {code}",
        "incomplete_base": "incomplete base: the period compared with has months without data",
        "incomplete_period": "incomplete period: some months have no data",
        "pp": "percentage points",
        "firms": "firms",
        "jobs": "jobs",
        "index": "index",
        "thousand": "thousand {unit}",
        "million": "million {unit}",
        "billion": "billion {unit}",
        "trillion": "trillion {unit}",
        "sheet_title": "{table}: release {release} ({status})",
    },
    "fr": {
        "cover": "Présentation",
        "annex": "tableaux statistiques",
        "title": "Exportations des services numériques et de l'offshoring",
        "release": "Publication",
        "period": "Période",
        "status": "Statut",
        "revises": "Révise la publication",
        "vintage": "Millésime",
        "created": "Créée le",
        "published": "Publiée le",
        "note": "Note",
        "source": "Source",
        "methods": "Définitions et méthodes",
        "methods_text": "Exportations et importations de services numériques et d'offshoring "
        "déclarées à l'{source}, selon les définitions de la balance des paiements (MBP6) et "
        "de la classification EBOPS 2010 ; montants en devises convertis en {currency} au "
        "cours moyen du mois. Chaque indicateur est défini à la fin de cette feuille.",
        "rounding": "Arrondis",
        "cells": "Chaque cellule contient la valeur exacte, non arrondie, en unités "
        "({currency}, et non en milliards ; les pourcentages comme 40,3) ; son format "
        "l'affiche dans l'unité de sa ligne et l'arrondit, et un signe après un nombre fait "
        "partie du format : la cellule reste un nombre.",
        "legend": "Signes",
        "confidential": "confidentiel : masqué pour protéger les données des entreprises "
        "(secret statistique) ; jamais un zéro",
        "not_available": "non disponible : la publication ne contient pas de valeur pour ce "
        "chiffre",
        "blank": "(cellule vide) non publié à cette fréquence",
        "unmarked": "un nombre sans signe",
        "break_detail": "Rupture de série",
        "contents": "Feuilles",
        "indicators": "Indicateurs",
        "indicator": "Indicateur",
        "flow": "Flux",
        "unit": "Unité",
        "key": "Clé de la série",
        "preliminary": "provisoire",
        "revised": "révisée",
        "final": "définitive",
        "colon": " : ",
        "comma": ", ",
        "semicolon": " ; ",
        "freq_A": "annuel",
        "freq_H": "semestriel",
        "freq_Q": "trimestriel",
        "freq_M": "mensuel",
        "X": "Exportations",
        "M": "Importations",
        "N": "Exportations et importations",
        "_Z": "Sans objet",
        "total_member": "Total",
        "obs_A": "valeur normale",
        "obs_P": "valeur provisoire : peut être révisée",
        "obs_E": "valeur estimée",
        "obs_F": "prévision",
        "obs_B": "rupture de série : premier chiffre d'une nouvelle définition, ou comparaison "
        "de deux définitions",
        "obs_other": "statut d'observation {code}",
        "incomplete_base": "base incomplète : la période de comparaison a des mois sans données",
        "incomplete_period": "période incomplète : des mois sont sans données",
        "pp": "points de pourcentage",
        "firms": "entreprises",
        "jobs": "emplois",
        "index": "indice",
        "thousand": "milliers de {unit}",
        "million": "millions de {unit}",
        "billion": "milliards de {unit}",
        "trillion": "billions de {unit}",
        "sheet_title": "{table} : publication {release} ({status})",
    },
    "ar": {
        "cover": "تقديم",
        "annex": "الجداول الإحصائية",
        "title": "صادرات الخدمات الرقمية وترحيل الخدمات",
        "release": "الإصدار",
        "period": "الفترة",
        "status": "الوضع",
        "revises": "يعدل الإصدار",
        "vintage": "رقم الإصدار",
        "created": "تاريخ الإعداد",
        "published": "تاريخ النشر",
        "note": "ملاحظة",
        "source": "المصدر",
        "methods": "التعاريف والمنهجية",
        "methods_text": "صادرات وواردات الخدمات الرقمية وترحيل الخدمات كما صرح بها لدى "
        "{source}، وفق تعاريف ميزان الأداءات (الدليل السادس BPM6) وتصنيف EBOPS 2010؛ تحول "
        "المبالغ بالعملات الأجنبية إلى {currency} بمتوسط سعر صرف الشهر. يرد تعريف كل مؤشر في "
        "آخر هذه الورقة.",
        "rounding": "التقريب",
        "cells": "تتضمن كل خلية القيمة الدقيقة غير المقربة بالوحدات ({currency} وليس "
        "بالمليار؛ والنسب المئوية مثل 40,3)؛ ويعرضها تنسيقها بوحدة سطرها مقربة، والعلامة "
        "بعد الرقم جزء من التنسيق: تبقى الخلية رقما.",
        "legend": "العلامات",
        "confidential": "سري: حجب لحماية معطيات المقاولات (السر الإحصائي)؛ وليس صفرا أبدا",
        "not_available": "غير متوفر: لا يتضمن الإصدار قيمة لهذا الرقم",
        "blank": "(خلية فارغة) غير منشور بهذا التواتر",
        "unmarked": "رقم بدون علامة",
        "break_detail": "انقطاع في السلسلة",
        "contents": "الأوراق",
        "indicators": "المؤشرات",
        "indicator": "المؤشر",
        "flow": "التدفق",
        "unit": "الوحدة",
        "key": "مفتاح السلسلة",
        "preliminary": "أولي",
        "revised": "منقح",
        "final": "نهائي",
        "colon": ": ",
        "comma": "، ",
        "semicolon": "؛ ",
        "freq_A": "سنوي",
        "freq_H": "نصف سنوي",
        "freq_Q": "فصلي",
        "freq_M": "شهري",
        "X": "الصادرات",
        "M": "الواردات",
        "N": "الصادرات والواردات",
        "_Z": "لا ينطبق",
        "total_member": "المجموع",
        "obs_A": "قيمة عادية",
        "obs_P": "قيمة مؤقتة: قابلة للتعديل",
        "obs_E": "قيمة تقديرية",
        "obs_F": "توقع",
        "obs_B": "انقطاع في السلسلة: أول رقم وفق تعريف جديد، أو مقارنة بين تعريفين",
        "obs_other": "وضع المشاهدة {code}",
        "incomplete_base": "أساس غير مكتمل: فترة المقارنة تتضمن أشهرا بدون بيانات",
        "incomplete_period": "فترة غير مكتملة: بعض الأشهر بدون بيانات",
        "pp": "نقاط مئوية",
        "firms": "مقاولات",
        "jobs": "مناصب شغل",
        "index": "مؤشر",
        "thousand": "ألف {unit}",
        "million": "مليون {unit}",
        "billion": "مليار {unit}",
        "trillion": "تريليون {unit}",
        "sheet_title": "{table}: الإصدار {release} ({status})",
    },
}
"""Every word the workbook writes that is not the release's own (names of indicators,
members, sources and breaks come from the release's frozen inputs)."""

CUTS: Final[dict[str, dict[str, tuple[str, str]]]] = {
    # cut -> lang -> (the sheet's title, the member column's header)
    "total": {
        "en": ("Total", "Total"),
        "fr": ("Ensemble", "Ensemble"),
        "ar": ("المجموع", "المجموع"),
    },
    "segment": {
        "en": ("By segment", "Segment"),
        "fr": ("Par segment", "Segment"),
        "ar": ("حسب القطاع", "القطاع"),
    },
    "ebops": {
        "en": ("By EBOPS category", "EBOPS category"),
        "fr": ("Par catégorie EBOPS", "Catégorie EBOPS"),
        "ar": ("حسب فئة EBOPS", "فئة EBOPS"),
    },
    "partner": {
        "en": ("By partner country", "Partner country"),
        "fr": ("Par pays partenaire", "Pays partenaire"),
        "ar": ("حسب البلد الشريك", "البلد الشريك"),
    },
    "region": {
        "en": ("By region", "Region"),
        "fr": ("Par région", "Région"),
        "ar": ("حسب المنطقة", "المنطقة"),
    },
    "currency": {
        "en": ("By currency", "Currency"),
        "fr": ("Par devise", "Devise"),
        "ar": ("حسب العملة", "العملة"),
    },
    "segment_partner": {
        "en": ("By segment and partner", "Segment and partner country"),
        "fr": ("Par segment et partenaire", "Segment et pays partenaire"),
        "ar": ("حسب القطاع والبلد الشريك", "القطاع والبلد الشريك"),
    },
    "segment_region": {
        "en": ("By segment and region", "Segment and region"),
        "fr": ("Par segment et région", "Segment et région"),
        "ar": ("حسب القطاع والمنطقة", "القطاع والمنطقة"),
    },
    TARGET_CUT: {
        "en": ("Targets", "Target"),
        "fr": ("Objectifs", "Objectif"),
        "ar": ("الأهداف", "الهدف"),
    },
}
_CODELIST_OF_CUT: Final = {
    "segment": "segments",
    "ebops": "ebops",
    "partner": "countries",
    "region": "regions",
    "currency": "currencies",
}
_ORDERED_CODELISTS: Final = frozenset({"segments", "ebops"})
"""Code lists whose own order is the order a reader expects (the others sort by name)."""


def write_workbook(release: ReleaseFigures, lang: str, path: Path) -> Path:
    """Write the release's workbook in `lang` (ar, fr or en) to `path`; returns `path`.

    `UsageError` when the release's profile does not publish in `lang`."""
    from openpyxl import Workbook

    languages = release.profile.languages
    if lang not in languages or lang not in WORDS:
        known = [x for x in languages if x in WORDS]
        raise UsageError(
            f"release {release.release_id} is published in {', '.join(known)}; "
            f"no workbook in {lang!r}: choose one of them"
        ).naming(lang=lang)
    words = WORDS[lang]
    lists = _codelists(release)
    context = _Context(
        release, lang, _registry(release), lists, _member_names(release, lists, lang)
    )
    book = Workbook()
    cover = book.active
    assert cover is not None
    taken: set[str] = set()
    cover.title = sheet_name(words["cover"], taken)
    sheets: list[tuple[str, str]] = []
    cuts = [t.cut for t in release.profile.tables]
    held = set(release.observations["cut"])
    if TARGET_CUT in held:
        cuts.append(TARGET_CUT)
    for cut in cuts:
        grid = _grid(release, cut, context)
        if grid is None:
            continue
        title = _cut_words(cut, lang)[0]
        sheet = book.create_sheet(sheet_name(title, taken))
        _table_sheet(sheet, grid, context, title)
        sheets.append((sheet.title, _contents(grid, title, context)))
    _cover_sheet(cover, context, sheets)
    if lang == "ar":
        for sheet in book.worksheets:
            sheet.sheet_view.rightToLeft = True
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_workbook_bytes(book, release.published_at))
    return path


def sheet_name(text: str, taken: set[str]) -> str:
    """`text` as a sheet name Excel accepts (at most 31 characters, none of ``[]:*?/\\``, no
    leading or trailing apostrophe, unique in the workbook whatever the case); added to
    `taken`."""
    base = _trimmed(_trimmed(_SHEET_FORBIDDEN.sub(" ", text))[:SHEET_NAME_MAX]) or "Sheet"
    name = base
    folded = {t.casefold() for t in taken}
    n = 1
    while name.casefold() in folded or name.casefold() == "history":
        n += 1
        suffix = f" ({n})"
        name = _trimmed(base[: SHEET_NAME_MAX - len(suffix)]) + suffix
    taken.add(name)
    return name


def _trimmed(text: str) -> str:
    """Without spaces or apostrophes at either end (Excel refuses a name in apostrophes)."""
    return _SHEET_ENDS.sub("", text)


@dataclass(frozen=True)
class _Context:
    release: ReleaseFigures
    lang: str
    registry: Registry
    lists: Mapping[str, Sequence[Mapping[str, object]]]
    """The code lists frozen with the release."""
    member_name: Callable[[str, str], str]
    """(cut, member) -> the member's name in the language."""

    @property
    def words(self) -> dict[str, str]:
        return WORDS[self.lang]

    @property
    def ordinary(self) -> str:
        """The OBS_STATUS of an unmarked figure of this release (P, or A when final)."""
        from digex.releases.content import release_status

        return release_status(self.release.status)


def _registry(release: ReleaseFigures) -> Registry:
    """The indicator registry frozen with the release (the installed one for a release made
    before registries were frozen)."""
    from digex.indicators.registry import registry, registry_from_text

    text = release.inputs.get("registry.toml")
    if text is None:
        return registry()
    return registry_from_text(text, f"release {release.release_id}: registry.toml")


def _codelists(release: ReleaseFigures) -> Mapping[str, Sequence[Mapping[str, object]]]:
    """The code lists frozen with the release (the installed ones when it has none)."""
    from digex.codelists import CODELIST_NAMES, read_codelist
    from digex.releases.content import frozen_codelists

    text = release.inputs.get("codelists.json")
    if text is not None:
        try:
            return frozen_codelists(text)
        except ValueError as e:
            raise UsageError(
                f"release {release.release_id}: its frozen codelists.json cannot be read ({e}); "
                f"check it with `digex release verify {release.release_id}`"
            ) from e
    return {name: read_codelist(name).to_pylist() for name in CODELIST_NAMES}


def _member_names(
    release: ReleaseFigures, lists: Mapping[str, Sequence[Mapping[str, object]]], lang: str
) -> Callable[[str, str], str]:
    """(cut, member) -> name: from the frozen code lists, the profile's targets and
    auxiliary series; a cross cut's member (`KPO.FR`) as both names; an unknown code as
    itself."""
    names: dict[str, dict[str, str]] = {}
    for cut, listed in _CODELIST_OF_CUT.items():
        rows = lists.get(listed, ())
        names[cut] = {
            str(r.get("code", r.get("ebops_code", ""))): str(r.get(f"name_{lang}") or "")
            for r in rows
        }
    profile = release.profile
    names[TARGET_CUT] = {t.id: t.names.get(lang, t.id) for t in profile.targets}
    names["total"] = {
        TOTAL_MEMBER: WORDS[lang]["total_member"],
        **{s.id: s.names.get(lang, s.id) for s in profile.series},
    }

    def name(cut: str, member: str) -> str:
        if member == TOTAL_MEMBER:
            return WORDS[lang]["total_member"]
        if "_" in cut and "." in member and cut not in names:
            first, second = cut.split("_", 1)
            a, b = member.split(".", 1)
            return f"{name(first, a)} — {name(second, b)}"
        return names.get(cut, {}).get(member) or member

    return name


def _member_rank(lists: Mapping[str, Sequence[Mapping[str, object]]], cut: str) -> dict[str, int]:
    """Position of a code in its code list, for the lists whose order is meaningful."""
    listed = _CODELIST_OF_CUT.get(cut.split("_", 1)[0])
    if listed not in _ORDERED_CODELISTS:
        return {}
    rows = lists.get(listed or "", ())
    return {str(r.get("code", r.get("ebops_code", ""))): n for n, r in enumerate(rows)}


def _cut_words(cut: str, lang: str) -> tuple[str, str]:
    known = CUTS.get(cut)
    return known[lang] if known is not None else (cut, cut)


@dataclass(frozen=True)
class _Series:
    """One row of a table sheet."""

    key: str
    """`LEVEL/X/segment/ITO`: a figure's tag (`FigureKey.id`) without its period."""
    indicator: str
    flow: str
    cut: str
    member: str
    unit: str
    unit_mult: int


@dataclass(frozen=True)
class _Grid:
    """One table as series by period: what each cell shows, ready to be written."""

    cut: str
    series: list[_Series]
    """The rows, in display order."""
    periods: list[str]
    freqs: list[str]
    """The frequency of each period."""
    shown: np.ndarray
    """series x periods: a float (the value), CONFIDENTIAL_MARK, NOT_AVAILABLE, or None
    (not published at that frequency)."""
    marks: np.ndarray
    """series x periods: the mark a number's format appends ('' for none)."""


def _grid(release: ReleaseFigures, cut: str, context: _Context) -> _Grid | None:
    """The release's figures of `cut` as series by period, the total's series of the same
    indicators and flows closing each block (None when the release holds nothing of it)."""
    import numpy as np
    import pandas as pd

    o = release.observations
    own = o[o["cut"] == cut]
    if own.empty:
        return None
    if cut == TARGET_CUT:
        own = pd.concat([_target_values(release, list(own.columns)), own], ignore_index=True)
    if cut not in ("total", TARGET_CUT):
        pairs = own[["indicator", "flow", "freq"]].drop_duplicates()
        total = o[(o["cut"] == "total") & (o["member"] == TOTAL_MEMBER)]
        total = total.merge(pairs, on=["indicator", "flow", "freq"])
        own = pd.concat([own, total[list(own.columns)]], ignore_index=True)
    rows = own.reset_index(drop=True)
    keys = rows["indicator"] + "/" + rows["flow"] + "/" + rows["cut"] + "/" + rows["member"]
    rows = rows.assign(key=keys)

    periods = _period_order(rows[["freq", "period"]].drop_duplicates())
    period_freq = rows.drop_duplicates("period").set_index("period")["freq"]

    series = rows.drop_duplicates("key")[["key", "indicator", "flow", "cut", "member", "unit"]]
    series = series.assign(
        unit_mult=rows.groupby("key")["unit_mult"].first().reindex(series["key"]).to_numpy()
    )
    series = _series_order(series, cut, context)

    confidential = rows["conf_status"].fillna("") == CONFIDENTIAL
    absent = rows["value"].isna() & ~confidential
    shown = rows["value"].astype(object)
    shown = shown.where(~confidential, CONFIDENTIAL_MARK).where(~absent, NOT_AVAILABLE)
    marks = _marks(rows, context.ordinary).where(~(confidential | absent), "")
    cells = rows.assign(shown=shown, mark=marks)

    def grid(values: str) -> pd.DataFrame:
        wide = cells.pivot(index="key", columns="period", values=values)
        return wide.reindex(index=series["key"], columns=periods)

    shown_grid = grid("shown").to_numpy(dtype=object)
    marks_grid = grid("mark").fillna("").to_numpy(dtype=object)

    # a figure the series has at that frequency but not that period: not available; a
    # frequency the series has no figure at: not published there (left blank)
    held = pd.MultiIndex.from_arrays([rows["key"], rows["freq"]]).unique()
    column_freqs = period_freq.reindex(periods).to_numpy()
    cells_at = pd.MultiIndex.from_arrays(
        [
            np.repeat(series["key"].to_numpy(), len(periods)),
            np.tile(column_freqs, len(series)),
        ]
    )
    at = cells_at.isin(held).reshape(len(series), len(periods))
    empty = pd.isna(pd.DataFrame(shown_grid)).to_numpy()
    blank = np.full(shown_grid.shape, None, dtype=object)
    shown_grid = np.where(empty, np.where(at, NOT_AVAILABLE, blank), shown_grid)
    listed = [
        _Series(str(k), str(i), str(f), str(c), str(m), str(u), int(x))
        for k, i, f, c, m, u, x in zip(
            series["key"],
            series["indicator"],
            series["flow"],
            series["cut"],
            series["member"],
            series["unit"],
            series["unit_mult"],
            strict=True,
        )
    ]
    freqs = [str(period_freq[p]) for p in periods]
    return _Grid(cut, listed, periods, freqs, shown_grid, marks_grid)


def _period_order(frame: pd.DataFrame) -> list[str]:
    from digex.indicators.periods import parse_period

    found = [(str(f), str(p)) for f, p in zip(frame["freq"], frame["period"], strict=True)]
    rank = {f: n for n, f in enumerate(FREQ_ORDER)}
    return [
        p
        for _, p in sorted(
            found, key=lambda fp: (rank.get(fp[0], len(rank)), parse_period(fp[1]).ordinal)
        )
    ]


def _target_values(release: ReleaseFigures, columns: list[str]) -> pd.DataFrame:
    """Each target's own value (TARGET_VALUE, one of the release's `extras`: the profile's,
    as the note states it) as rows of the Targets sheet, at the year its progress is
    measured in."""
    import pandas as pd

    rows = [
        {
            "indicator": f.key.indicator,
            "freq": "A",
            "period": f.key.period,
            "cut": f.key.cut,
            "member": f.key.member,
            "flow": f.key.flow,
            "value": None if f.value is None else float(f.value),
            "unit": f.unit,
            "unit_mult": 0,
            "obs_status": f.obs_status,
            "completeness": f.completeness,
            "conf_status": f.conf_status,
        }
        for f in release.extras
        if f.key.cut == TARGET_CUT and f.key.indicator == TARGET_VALUE
    ]
    return pd.DataFrame(rows, columns=columns)


def _indicator_name(context: _Context, indicator: str) -> str:
    if indicator == TARGET_VALUE:
        return TARGET_VALUE_WORDS[context.lang][0]
    return context.registry.indicator(indicator).name(context.lang)


def _series_order(series: pd.DataFrame, cut: str, context: _Context) -> pd.DataFrame:
    """Main indicators first, then the registry's order; flows X, M, N; members in their code
    list's order (segments, EBOPS) or by name, the total last."""
    listed = list(context.registry.indicators)
    first = [TARGET_VALUE, *MAIN]  # what a target's progress is measured against, first
    indicator_rank = {i: n for n, i in enumerate([*first, *(i for i in listed if i not in MAIN)])}
    flow_rank = {f: n for n, f in enumerate(FLOW_ORDER)}
    member_rank = _member_rank(context.lists, cut)
    names = [
        context.member_name(c, m) for c, m in zip(series["cut"], series["member"], strict=True)
    ]
    ordered = series.assign(
        _i=series["indicator"].map(lambda i: indicator_rank.get(i, len(indicator_rank))),
        _f=series["flow"].map(lambda f: flow_rank.get(f, len(flow_rank))),
        _t=(series["member"] == TOTAL_MEMBER).astype(int),
        _m=series["member"].map(lambda m: member_rank.get(m.split(".", 1)[0], len(member_rank))),
        _n=[_collation_key(n) for n in names],
    )
    ordered = ordered.sort_values(["_i", "_f", "_t", "_m", "_n", "member"], kind="stable")
    return ordered.drop(columns=["_i", "_f", "_t", "_m", "_n"])


def _collation_key(name: str) -> str:
    """A name as an alphabetical list sorts it: case and accents aside (Émirats among the E,
    not after Zambie)."""
    parts = unicodedata.normalize("NFD", name.casefold())
    return "".join(c for c in parts if not unicodedata.combining(c))


def _marks(rows: pd.DataFrame, ordinary: str) -> pd.Series:
    """The mark each figure's number format appends: ‡ for a break, the code for any other
    status but the release's ordinary one (P or A), then its completeness mark."""
    obs = rows["obs_status"].fillna("").astype(str)
    status = obs.where(obs != "B", BREAK_MARK).where(~obs.isin(["", ordinary]), "")
    done = rows["completeness"].fillna("").astype(str).map(COMPLETENESS_MARKS).fillna("")
    return status + done


def _number_format(decimals: int, shift: int, mark: str) -> str:
    """`#,##0.000,,,` for 3 decimals shown in billions of the cell's unit (`shift` 9), then
    the mark as a literal (the cell stays a number)."""
    fraction = "." + "0" * decimals if decimals > 0 else ""
    text = "#,##0" + fraction + "," * (shift // 3)
    return text + ('"' + mark.replace('"', "") + '"' if mark else "")


def _presentation(context: _Context, indicator: str, unit: str, unit_mult: int) -> tuple[int, int]:
    """(shift, decimals): the powers of ten a number format divides the cell by (a multiple
    of 3: Excel scales by thousands only) and the decimals it shows."""
    shown_as = TARGET_LEVEL if indicator == TARGET_VALUE else indicator  # same unit, same look
    mult, decimals = context.registry.presentation(shown_as, unit)
    shift = mult - unit_mult
    if shift < 0 or shift % 3:
        return 0, max(0, decimals - shift)
    return shift, decimals


def _unit_label(context: _Context, unit: str, shift: int, unit_mult: int) -> str:
    words = context.words
    found = context.registry.units.get(unit)
    own = {"PP": "pp", "FIRMS": "firms", "JOBS": "jobs", "INDEX": "index"}.get(unit)
    if own is not None:
        return words[own]
    if found is not None and not found.money:
        return found.label or unit
    scale = _SCALES.get(shift + unit_mult)
    return words[scale].format(unit=unit) if scale else unit


def _table_sheet(sheet: Worksheet, grid: _Grid, context: _Context, title: str) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    words = context.words
    release = context.release
    status = words[release.status]
    _text(
        sheet,
        1,
        1,
        words["sheet_title"].format(table=title, release=release.release_id, status=status),
    ).font = Font(bold=True, size=12)
    header = [
        words["indicator"],
        words["flow"],
        _cut_words(grid.cut, context.lang)[1],
        words["unit"],
        *grid.periods,
        words["key"],
    ]
    bold = Font(bold=True)
    for column, text in enumerate(header, 1):
        _text(sheet, 2, column, text).font = bold
    widths = [len(t) for t in header]
    end = Alignment(horizontal="right")
    first = LABEL_COLUMNS + 1
    for n, s in enumerate(grid.series):
        row = n + 3
        shift, decimals = _presentation(context, s.indicator, s.unit, s.unit_mult)
        labels = (
            _indicator_name(context, s.indicator),
            words.get(s.flow, s.flow),
            context.member_name(s.cut, s.member),
            _unit_label(context, s.unit, shift, s.unit_mult),
        )
        for column, text in enumerate(labels, 1):
            _text(sheet, row, column, text)
            widths[column - 1] = max(widths[column - 1], len(text))
        for k, (value, mark) in enumerate(zip(grid.shown[n], grid.marks[n], strict=True)):
            if value is None:
                continue
            column = first + k
            if isinstance(value, str):
                _text(sheet, row, column, value).alignment = end
                shown = len(value)
            else:
                # what a written file keeps of a double (openpyxl writes 16 digits, which
                # would turn 0.30000000000000004 into 0.3 and 1/3 into another double)
                number = float(f"{float(value):.{SIGNIFICANT_DIGITS}g}")
                cell = sheet.cell(row, column, number)
                cell.number_format = _number_format(decimals, shift, str(mark))
                shown = len(f"{number / 10**shift:,.{decimals}f}{mark}")
            widths[column - 1] = max(widths[column - 1], shown)
        _text(sheet, row, first + len(grid.periods), s.key)
        widths[-1] = max(widths[-1], len(s.key))
    for column, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(column)].width = min(width + 2, MAX_WIDTH)
    last = get_column_letter(len(header))
    sheet.auto_filter.ref = f"A2:{last}{len(grid.series) + 2}"
    sheet.freeze_panes = f"{get_column_letter(first)}3"


def _contents(grid: _Grid, title: str, context: _Context) -> str:
    """What a sheet holds, for the cover: `By segment: yearly, monthly; Exports`."""
    words = context.words
    freqs = sorted(set(grid.freqs), key=FREQ_ORDER.index)
    flows = sorted({s.flow for s in grid.series if s.flow in ("X", "M")}, key=FLOW_ORDER.index)
    comma, semicolon = words["comma"], words["semicolon"]
    what = comma.join(words[f"freq_{f}"] for f in freqs)
    if flows:
        what += semicolon + comma.join(words[f] for f in flows)
    return f"{title}{words['colon']}{what}"


def _cover_sheet(sheet: Worksheet, context: _Context, sheets: Iterable[tuple[str, str]]) -> None:
    from openpyxl.styles import Alignment, Font

    release = context.release
    profile = release.profile
    words = context.words
    lang = context.lang
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    calendar = profile.calendar
    title = calendar.title.get(lang) if calendar is not None else None
    heading = f"{title or words['title']}{words['colon']}{words['annex']}"
    _text(sheet, 1, 1, heading).font = Font(bold=True, size=14)
    row = 3
    source = profile.data_source.get(lang, "")
    currency = profile.national_currency

    def line(label: str, value: str | int | dt.datetime | None) -> None:
        nonlocal row
        _text(sheet, row, 1, label).font = bold
        if isinstance(value, str):
            _text(sheet, row, 2, value).alignment = wrap
        elif isinstance(value, dt.datetime):
            sheet.cell(row, 2, value).number_format = "yyyy-mm-dd hh:mm"
        elif value is not None:
            sheet.cell(row, 2, value)
        row += 1

    line(words["release"], release.release_id)
    line(words["period"], release.period.label)
    line(words["status"], words[release.status])
    if release.previous is not None:
        line(words["revises"], release.previous.release_id)
    line(words["vintage"], release.vintage)
    line(words["created"], release.created_at)
    line(words["published"], release.published_at)
    line(words["note"], release.note or NOT_AVAILABLE)
    line(words["source"], source)
    line(words["methods"], words["methods_text"].format(source=source, currency=currency))
    line(words["rounding"], f"{ROUNDING_NOTE[lang]} {words['cells'].format(currency=currency)}")
    row += 1
    _text(sheet, row, 1, words["legend"]).font = bold
    row += 1
    for mark, meaning in _legend(context):
        line(mark, meaning)
    for item in _breaks(context):
        line(words["break_detail"], item)
    row += 1
    _text(sheet, row, 1, words["contents"]).font = bold
    row += 1
    for name, table_title in sheets:
        line(name, table_title)
    row += 1
    _text(sheet, row, 1, words["indicators"]).font = bold
    row += 1
    held = set(release.observations["indicator"])
    if any(f.key.indicator == TARGET_VALUE for f in release.extras):
        line(*TARGET_VALUE_WORDS[lang])
    for indicator in context.registry.indicators.values():
        if indicator.id in held:
            line(indicator.name(lang), indicator.definitions.get(lang, ""))
    sheet.column_dimensions["A"].width = 34
    sheet.column_dimensions["B"].width = 100


def _legend(context: _Context) -> list[tuple[str, str]]:
    """(mark, meaning) of every mark a cell of this release can show: confidential, not
    available, blank, the observation statuses the release uses (the ordinary one unmarked)
    and the completeness marks."""
    words = context.words
    found = [
        (CONFIDENTIAL_MARK, words["confidential"]),
        (NOT_AVAILABLE, words["not_available"]),
        ("", words["blank"]),
    ]
    o = context.release.observations
    public = o[o["conf_status"].fillna("") != CONFIDENTIAL]
    used = sorted(set(public["obs_status"].dropna().astype(str)))
    ordinary = context.ordinary
    if ordinary in used:
        found.append((words["unmarked"], f"{ordinary}{words['colon']}{words['obs_' + ordinary]}"))
    for code in (c for c in used if c != ordinary):
        meaning = words.get(f"obs_{code}") or words["obs_other"].format(code=code)
        shown = BREAK_MARK if code == "B" else code
        found.append((shown, f"{code}{words['colon']}{meaning}"))
    for code, mark in COMPLETENESS_MARKS.items():
        found.append((mark, words[code]))
    return found


def _breaks(context: _Context) -> list[str]:
    """The explanation of each series break of the profile, when the release marks a
    break."""
    o = context.release.observations
    if not (o["obs_status"] == "B").any():
        return []
    from digex.publish.explanation import of_release

    return [
        f"{b.day.isoformat()}{context.words['colon']}"
        + of_release(b.explanation.get(context.lang, ""), context.release, context.lang)
        for b in context.release.profile.breaks
    ]


def _text(sheet: Worksheet, row: int, column: int, text: str) -> Cell:
    """A text cell: neutralised (a leading = + - @ is shown, never evaluated) and typed as a
    string whatever it looks like."""
    from openpyxl.cell.cell import MergedCell

    cell = sheet.cell(row, column)
    assert not isinstance(cell, MergedCell)  # the workbook merges no cell
    cell.value = neutralise(text)
    cell.data_type = "s"
    return cell


def _workbook_bytes(book: object, when: dt.datetime) -> bytes:
    """The workbook's file, the same bytes for the same content: openpyxl dates the document
    and each zip entry with the clock, so the document is dated with `when` and the archive is
    written again with every entry dated so."""
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.writer.excel import ExcelWriter

    assert isinstance(book, Workbook)
    stamp = when.replace(tzinfo=None, microsecond=0)
    book.properties.creator = "digex"
    book.properties.created = stamp
    book.properties.modified = stamp
    raw = io.BytesIO()
    ExcelWriter(book, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED)).save()
    fixed = io.BytesIO()
    date_time = (max(stamp.year, 1980), stamp.month, stamp.day, stamp.hour, stamp.minute, 0)
    with (
        zipfile.ZipFile(io.BytesIO(raw.getvalue())) as source,
        zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            entry = zipfile.ZipInfo(item.filename, date_time=date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = item.external_attr
            target.writestr(entry, source.read(item))
    return fixed.getvalue()
