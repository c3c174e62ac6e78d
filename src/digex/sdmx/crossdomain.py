"""The SDMX cross-domain code lists digex's structures use, written from the standard's code
values (never downloaded: the server and the export work offline), with names in ar, fr and en.

Only the codes are the standard's; the French and Arabic names are digex's translations of
the English ones. FREQ keeps every code of the standard (an SDMX client knows `H` as hourly, so
a half-year must be `S`); OBS_STATUS and CONF_STATUS keep those of the current versions of
CL_OBS_STATUS and CL_CONF_STATUS, of which digex uses A, P, F, E, B and F, C.
"""

from __future__ import annotations

from typing import Final

Names = dict[str, str]
"""A name by language (ar, fr, en)."""

FREQ: Final[dict[str, Names]] = {
    "A": {"en": "Annual", "fr": "Annuel", "ar": "سنوي"},
    "S": {"en": "Half-yearly, semester", "fr": "Semestriel", "ar": "نصف سنوي"},
    "Q": {"en": "Quarterly", "fr": "Trimestriel", "ar": "فصلي"},
    "M": {"en": "Monthly", "fr": "Mensuel", "ar": "شهري"},
    "W": {"en": "Weekly", "fr": "Hebdomadaire", "ar": "أسبوعي"},
    "D": {"en": "Daily", "fr": "Quotidien", "ar": "يومي"},
    "B": {
        "en": "Daily, business week",
        "fr": "Quotidien, jours ouvrables",
        "ar": "يومي، أيام العمل",
    },
    "H": {"en": "Hourly", "fr": "Horaire", "ar": "كل ساعة"},
    "N": {"en": "Minutely", "fr": "Chaque minute", "ar": "كل دقيقة"},
}

OBS_STATUS: Final[dict[str, Names]] = {
    "A": {"en": "Normal value", "fr": "Valeur normale", "ar": "قيمة عادية"},
    "B": {"en": "Time series break", "fr": "Rupture de série", "ar": "انقطاع في السلسلة"},
    "D": {"en": "Definition differs", "fr": "Définition différente", "ar": "تعريف مختلف"},
    "E": {"en": "Estimated value", "fr": "Valeur estimée", "ar": "قيمة مقدرة"},
    "F": {"en": "Forecast value", "fr": "Valeur prévue", "ar": "قيمة متوقعة"},
    "G": {"en": "Experimental value", "fr": "Valeur expérimentale", "ar": "قيمة تجريبية"},
    "I": {"en": "Imputed value", "fr": "Valeur imputée", "ar": "قيمة محتسبة"},
    "K": {
        "en": "Data included in another category",
        "fr": "Données incluses dans une autre catégorie",
        "ar": "بيانات مدرجة في فئة أخرى",
    },
    "L": {
        "en": "Missing value; data exist but were not collected",
        "fr": "Valeur manquante ; les données existent mais n'ont pas été collectées",
        "ar": "قيمة مفقودة؛ البيانات موجودة لكنها لم تجمع",
    },
    "M": {
        "en": "Missing value; data cannot exist",
        "fr": "Valeur manquante ; les données ne peuvent exister",
        "ar": "قيمة مفقودة؛ البيانات لا يمكن أن توجد",
    },
    "N": {"en": "Not significant", "fr": "Non significatif", "ar": "غير دال"},
    "O": {"en": "Missing value", "fr": "Valeur manquante", "ar": "قيمة مفقودة"},
    "P": {"en": "Provisional value", "fr": "Valeur provisoire", "ar": "قيمة مؤقتة"},
    "Q": {
        "en": "Missing value; suppressed",
        "fr": "Valeur manquante ; supprimée",
        "ar": "قيمة مفقودة؛ محجوبة",
    },
    "S": {
        "en": "Strike and other special events",
        "fr": "Grève et autres événements particuliers",
        "ar": "إضراب وأحداث خاصة أخرى",
    },
    "U": {"en": "Low reliability", "fr": "Fiabilité faible", "ar": "موثوقية ضعيفة"},
    "V": {"en": "Unvalidated value", "fr": "Valeur non validée", "ar": "قيمة غير مصادق عليها"},
}

CONF_STATUS: Final[dict[str, Names]] = {
    "F": {"en": "Free", "fr": "Libre", "ar": "متاحة للنشر"},
    "N": {
        "en": "Not for publication, restricted for internal use only",
        "fr": "Non publiable, réservé à un usage interne",
        "ar": "غير قابلة للنشر، للاستعمال الداخلي فقط",
    },
    "C": {
        "en": "Confidential statistical information",
        "fr": "Information statistique confidentielle",
        "ar": "معلومة إحصائية سرية",
    },
    "D": {
        "en": "Secondary confidentiality set by the sender, not for publication",
        "fr": "Confidentialité secondaire fixée par l'émetteur, non publiable",
        "ar": "سرية ثانوية حددها المرسل، غير قابلة للنشر",
    },
    "S": {
        "en": "Secondary confidentiality set and managed by the receiver, not for publication",
        "fr": "Confidentialité secondaire fixée et gérée par le destinataire, non publiable",
        "ar": "سرية ثانوية يحددها ويديرها المتلقي، غير قابلة للنشر",
    },
    "A": {
        "en": "Primary confidentiality due to small counts",
        "fr": "Confidentialité primaire due à de petits effectifs",
        "ar": "سرية أولية بسبب قلة العدد",
    },
    "O": {
        "en": "Primary confidentiality due to dominance by one unit",
        "fr": "Confidentialité primaire due à la dominance d'une unité",
        "ar": "سرية أولية بسبب هيمنة وحدة واحدة",
    },
    "T": {
        "en": "Primary confidentiality due to dominance by two units",
        "fr": "Confidentialité primaire due à la dominance de deux unités",
        "ar": "سرية أولية بسبب هيمنة وحدتين",
    },
    "G": {
        "en": "Primary confidentiality due to dominance by one, two or more units",
        "fr": "Confidentialité primaire due à la dominance d'une, deux unités ou plus",
        "ar": "سرية أولية بسبب هيمنة وحدة أو وحدتين أو أكثر",
    },
    "M": {
        "en": "Primary confidentiality due to data declared confidential based on other "
        "measures of concentration",
        "fr": "Confidentialité primaire de données déclarées confidentielles selon d'autres "
        "mesures de concentration",
        "ar": "سرية أولية لبيانات أعلنت سرية بناء على مقاييس تركز أخرى",
    },
}

_POWERS: Final = (
    ("Units", "Unités", "وحدات"),
    ("Tens", "Dizaines", "عشرات"),
    ("Hundreds", "Centaines", "مئات"),
    ("Thousands", "Milliers", "آلاف"),
    ("Tens of thousands", "Dizaines de milliers", "عشرات الآلاف"),
    ("Hundreds of thousands", "Centaines de milliers", "مئات الآلاف"),
    ("Millions", "Millions", "ملايين"),
    ("Tens of millions", "Dizaines de millions", "عشرات الملايين"),
    ("Hundreds of millions", "Centaines de millions", "مئات الملايين"),
    ("Billions", "Milliards", "مليارات"),
    ("Tens of billions", "Dizaines de milliards", "عشرات المليارات"),
    ("Hundreds of billions", "Centaines de milliards", "مئات المليارات"),
    ("Trillions", "Billions", "تريليونات"),
)
UNIT_MULT: Final[dict[str, Names]] = {
    str(power): {"en": en, "fr": fr, "ar": ar} for power, (en, fr, ar) in enumerate(_POWERS)
}
"""The power of ten an observation's value is in (digex writes 0: values are unscaled)."""

ADJUSTMENT: Final[dict[str, Names]] = {
    "N": {
        "en": "Neither seasonally adjusted nor calendar adjusted",
        "fr": "Ni désaisonnalisé ni corrigé des effets de calendrier",
        "ar": "غير معدلة موسميا ولا حسب أيام التقويم",
    },
    "S": {
        "en": "Seasonally adjusted, not calendar adjusted",
        "fr": "Désaisonnalisé, non corrigé des effets de calendrier",
        "ar": "معدلة موسميا، غير معدلة حسب أيام التقويم",
    },
}
"""Observed series are raw (N); the seasonally adjusted levels a release freezes are S."""
