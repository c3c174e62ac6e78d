"""Numbers read back from text: every form the notes and the press write, by example."""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal

import pytest
from babel.numbers import format_compact_decimal, format_currency, format_percent

from digex.errors import UsageError
from digex.publish.quantities import Quantity, find_digits, find_quantities

D = Decimal


def one(text: str, lang: str) -> Quantity:
    found = find_quantities(text, lang)
    assert len(found) == 1, (text, found)
    return found[0]


def read(text: str, lang: str) -> tuple[Decimal, int, int, str | None, bool]:
    q = one(text, lang)
    assert text[q.start : q.end] == q.text
    return q.value, q.decimals, q.scale, q.unit, q.signed


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        # the notes' own forms (issue 16): English, French, Arabic
        ("en", "MAD 26.2 billion", (D("26.2"), 1, 9, "MAD", False)),
        ("en", "40.3%", (D("40.3"), 1, 0, "PC", False)),
        ("en", "+0.2%", (D("0.2"), 1, 0, "PC", True)),
        ("en", "148,500", (D(148500), 0, 0, None, False)),
        ("en", "USD 2.6 billion", (D("2.6"), 1, 9, "USD", False)),
        ("en", "$2.6bn", (D("2.6"), 1, 9, "USD", False)),
        ("en", "0.5 percentage points", (D("0.5"), 1, 0, "PP", False)),
        ("en", "26.2 billion dirhams", (D("26.2"), 1, 9, "MAD", False)),
        ("en", "12.9 bn MAD", (D("12.9"), 1, 9, "MAD", False)),
        ("en", "1.2 per cent", (D("1.2"), 1, 0, "PC", False)),
        ("en", "3 points", (D(3), 0, 0, "PP", False)),
        ("en", "€1.5m", (D("1.5"), 1, 6, "EUR", False)),
        ("en", "270,000 jobs", (D(270000), 0, 0, None, False)),
        ("en", "12 thousand", (D(12), 0, 3, None, False)),
        ("en", "-8.1 %", (D("-8.1"), 1, 0, "PC", True)),
        ("en", "\u22128.1%", (D("-8.1"), 1, 0, "PC", True)),
        ("fr", "26,2 milliards de dirhams", (D("26.2"), 1, 9, "MAD", False)),
        ("fr", "40,3\u00a0%", (D("40.3"), 1, 0, "PC", False)),
        ("fr", "40,3 %", (D("40.3"), 1, 0, "PC", False)),
        ("fr", "+3,5\u202f%", (D("3.5"), 1, 0, "PC", True)),
        ("fr", "148\u202f500", (D(148500), 0, 0, None, False)),
        ("fr", "148\u00a0500", (D(148500), 0, 0, None, False)),
        ("fr", "148 500", (D(148500), 0, 0, None, False)),
        ("fr", "148.500 emplois", (D(148500), 0, 0, None, False)),
        ("fr", "26,2 MMDH", (D("26.2"), 1, 9, "MAD", False)),
        ("fr", "2 814 MDH", (D(2814), 0, 6, "MAD", False)),
        ("fr", "26,2 Mds DH", (D("26.2"), 1, 9, "MAD", False)),
        ("fr", "26,2 Md\u00a0DH", (D("26.2"), 1, 9, "MAD", False)),
        ("fr", "3 millions d\u2019euros", (D(3), 0, 6, "EUR", False)),
        ("fr", "3 millions d'euros", (D(3), 0, 6, "EUR", False)),
        ("fr", "2,6 milliards de dollars", (D("2.6"), 1, 9, "USD", False)),
        ("fr", "1,5 point de pourcentage", (D("1.5"), 1, 0, "PP", False)),
        ("fr", "0,4 points de pourcentage", (D("0.4"), 1, 0, "PP", False)),
        ("fr", "12 pour cent", (D(12), 0, 0, "PC", False)),
        ("fr", "40 dirhams", (D(40), 0, 0, "MAD", False)),
        ("fr", "2,5 billions", (D("2.5"), 1, 12, None, False)),  # a French billion is 10^12
        ("ar", "26,2 مليار درهم", (D("26.2"), 1, 9, "MAD", False)),
        ("ar", "26,2 ملايير درهم", (D("26.2"), 1, 9, "MAD", False)),
        ("ar", "40,3 في المائة", (D("40.3"), 1, 0, "PC", False)),
        ("ar", "40,3 في المئة", (D("40.3"), 1, 0, "PC", False)),
        ("ar", "3,5 بالمائة", (D("3.5"), 1, 0, "PC", False)),
        ("ar", "148.500 منصب شغل", (D(148500), 0, 0, None, False)),
        ("ar", "2,814 مليون درهم", (D("2.814"), 3, 6, "MAD", False)),
        ("ar", "3 ملايين درهم", (D(3), 0, 6, "MAD", False)),
        ("ar", "270 ألف", (D(270), 0, 3, None, False)),
        ("ar", "0,4 نقطة", (D("0.4"), 1, 0, "PP", False)),
        ("ar", "2 نقاط مئوية", (D(2), 0, 0, "PP", False)),
        ("ar", "5 دولار", (D(5), 0, 0, "USD", False)),
        ("ar", "5 يورو", (D(5), 0, 0, "EUR", False)),
        ("ar", "5 أورو", (D(5), 0, 0, "EUR", False)),
        ("ar", "26,2 مليار من الدراهم", (D("26.2"), 1, 9, "MAD", False)),
        ("ar", "2,6 مليار من الدولارات", (D("2.6"), 1, 9, "USD", False)),
        ("en", "26.2 billion of dirhams", (D("26.2"), 1, 9, "MAD", False)),
        ("ar", "100 درهمًا", (D(100), 0, 0, "MAD", False)),
        # Arabic-Indic and extended Arabic-Indic digits, with their own marks
        ("ar", "٢٦٫٢ مليار درهم", (D("26.2"), 1, 9, "MAD", False)),
        ("ar", "١٤٨٬٥٠٠", (D(148500), 0, 0, None, False)),
        ("ar", "٤٠٫٣٪\u061c", (D("40.3"), 1, 0, "PC", False)),
        ("ar", "۱۳٫۴ مليار", (D("13.4"), 1, 9, None, False)),
        ("fr", "٢٦٫٢ مليار درهم", (D("26.2"), 1, 9, "MAD", False)),
        # the other convention, where it cannot be a thousands mark
        ("ar", "26.2 مليار", (D("26.2"), 1, 9, None, False)),
        ("en", "1,5 %", (D("1.5"), 1, 0, "PC", False)),
        ("en", "1,234.5", (D("1234.5"), 1, 0, None, False)),
        ("fr", "2.814,5", (D("2814.5"), 1, 0, None, False)),
    ],
)
def test_forms(lang: str, text: str, expected: tuple[Decimal, int, int, str | None, bool]) -> None:
    got = read(text, lang)
    assert got == expected
    assert got[0].as_tuple().exponent == -expected[1]  # the value keeps its written decimals


@pytest.mark.parametrize(
    ("word", "scale", "unit"),
    [
        *[(w, 9, None) for w in ("milliard", "milliards", "Mds", "Md", "billion", "bn", "B")],
        *[(w, 9, None) for w in ("مليار", "ملايير", "مليارات")],
        *[(w, 6, None) for w in ("million", "millions", "M", "m", "mn", "مليون", "ملايين")],
        *[(w, 3, None) for w in ("thousand", "k", "K", "mille", "ألف", "آلاف")],
        *[(w, 0, "PC") for w in ("%", "per cent", "percent", "pour cent", "في المائة")],
        *[(w, 0, "PC") for w in ("بالمائة", "٪")],
        *[(w, 0, "PP") for w in ("points", "point", "percentage points", "pp")],
        *[(w, 0, "PP") for w in ("points de pourcentage", "نقطة", "نقاط")],
        *[(w, 0, "MAD") for w in ("MAD", "DH", "Dh", "dirham", "dirhams", "درهم", "دراهم")],
        *[(w, 0, "USD") for w in ("$", "US$", "USD", "dollar", "dollars", "دولار")],
        *[(w, 0, "EUR") for w in ("€", "EUR", "euro", "euros", "يورو")],
        ("MDH", 6, "MAD"),
        ("MMDH", 9, "MAD"),
        ("milliards de dirhams", 9, "MAD"),
        ("bn dollars", 9, "USD"),
        ("M€", 6, "EUR"),
    ],
)
@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_every_scale_and_unit_word_after_the_number(
    word: str, scale: int, unit: str | None, lang: str
) -> None:
    """Scale and unit words are read in all three languages (texts mix them); only the marks
    of the number follow `lang`."""
    number = "12.5" if lang == "en" else "12,5"
    if word == "billion" and lang == "fr":
        scale = 12  # the French billion is a million millions
    for space in ("", " ", "\u00a0"):
        assert read(f"{number}{space}{word}", lang) == (D("12.5"), 1, scale, unit, False)


@pytest.mark.parametrize(
    ("word", "unit"),
    [
        *[(w, "MAD") for w in ("MAD", "DH", "Dh", "د.م.")],
        *[(w, "USD") for w in ("$", "US$", "$US", "USD")],
        *[(w, "EUR") for w in ("€", "EUR")],
    ],
)
@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_every_currency_before_the_number(word: str, unit: str, lang: str) -> None:
    number = "12.5" if lang == "en" else "12,5"
    for space in ("", " ", "\u00a0"):
        for scale, scale_word in ((0, ""), (9, " billion" if lang == "en" else " milliards")):
            text = f"{word}{space}{number}{scale_word}"
            assert read(text, lang) == (D("12.5"), 1, scale, unit, False), text
            assert read(f"{word}{space}-{number}", lang) == (D("-12.5"), 1, 0, unit, True)


@pytest.mark.parametrize(
    ("text", "lang", "unit", "scale"),
    [
        ("$26.2 billion", "en", "USD", 9),  # DESIGN.md: a dollar sign on dirhams, x10
        ("26.2 billion dollars", "en", "USD", 9),
        ("US$26.2bn", "en", "USD", 9),
        ("26,2 milliards de dollars", "fr", "USD", 9),
        ("26,2 milliards $", "fr", "USD", 9),
        ("26,2 مليار دولار", "ar", "USD", 9),
        ("26.2 billion", "en", None, 9),  # no currency named: the caller says so
    ],
)
def test_the_press_mistakes_are_read_as_written(
    text: str, lang: str, unit: str | None, scale: int
) -> None:
    q = one(text, lang)
    assert (q.value, q.unit, q.scale, q.text) == (D("26.2"), unit, scale, text)
    assert q.exact() == D(26_200_000_000)


def test_babel_outputs_read_back() -> None:
    """What the notes are made with: Babel 2.18's currency, percent and compact forms, with
    the LRM/RLM and no-break spaces it writes."""
    cases = [
        (format_currency(D("26.2"), "MAD", locale="en"), "en", "MAD", 0),  # MAD26.20
        (format_currency(D("26.2"), "USD", locale="en"), "en", "USD", 0),  # $26.20
        (format_currency(D("26.2"), "MAD", locale="fr_MA"), "fr", "MAD", 0),
        (format_currency(D("26.2"), "USD", locale="fr_MA"), "fr", "USD", 0),  # 26,20 $US
        (format_currency(D("26.2"), "MAD", locale="ar_MA"), "ar", "MAD", 0),  # RLM 26,20 د.م. RLM
        (format_currency(D("26.2"), "USD", locale="ar_MA"), "ar", "USD", 0),  # US$ after
        (format_currency(D("26.2"), "EUR", locale="ar_MA"), "ar", "EUR", 0),
        (format_compact_decimal(26.2e9, locale="en", fraction_digits=1), "en", None, 9),
        (format_compact_decimal(26.2e9, locale="fr_MA", fraction_digits=1), "fr", None, 9),
        (format_compact_decimal(26.2e9, locale="ar_MA", fraction_digits=1), "ar", None, 9),
        (
            format_compact_decimal(26.2e9, locale="fr_MA", fraction_digits=1, format_type="long"),
            "fr",
            None,
            9,
        ),
        (
            format_compact_decimal(26.2e6, locale="ar_MA", fraction_digits=1, format_type="long"),
            "ar",
            None,
            6,
        ),
        (format_compact_decimal(26.2e3, locale="en", fraction_digits=1), "en", None, 3),
        (format_compact_decimal(26.2e3, locale="fr_MA", fraction_digits=1), "fr", None, 3),
    ]
    for text, lang, unit, scale in cases:
        q = one(text, lang)
        assert (q.value, q.unit, q.scale) == (D("26.2"), unit, scale), text
        assert q.text == text.strip("\u200e\u200f"), text
    for locale, lang in (("en", "en"), ("fr_MA", "fr"), ("ar_MA", "ar")):
        text = format_percent(D("-0.403"), "#,##0.0%", locale=locale)
        assert read(text, lang) == (D("-40.3"), 1, 0, "PC", True), text


def test_years_and_period_labels_are_numbers_without_unit() -> None:
    def values(text: str, lang: str = "en") -> list[tuple[Decimal, str | None, bool]]:
        return [(q.value, q.unit, q.signed) for q in find_quantities(text, lang)]

    assert values("2024") == [(D(2024), None, False)]
    assert values("2025-H1") == [(D(2025), None, False), (D(1), None, False)]
    assert values("S1 2025", "fr") == [(D(1), None, False), (D(2025), None, False)]
    assert values("T3", "fr") == [(D(3), None, False)]
    assert values("2024-Q3") == [(D(2024), None, False), (D(3), None, False)]
    # a range is two numbers, the second not negative
    assert values("2023-2024") == [(D(2023), None, False), (D(2024), None, False)]
    assert values("2023\u20132024") == [(D(2023), None, False), (D(2024), None, False)]
    assert values("BPM6 and COVID-19") == [(D(6), None, False), (D(19), None, False)]
    # a code glued to letters takes no thousands group: T3 500 is T3 and 500
    assert values("T3 500 firms", "fr") == [(D(3), None, False), (D(500), None, False)]


def test_a_thousands_group_needs_one_to_three_digits_before_it() -> None:
    assert [q.value for q in find_quantities("en 2024 148 500 emplois", "fr")] == [
        D(2024),
        D(148500),
    ]
    assert [q.value for q in find_quantities("le 1 234 567,5", "fr")] == [D("1234567.5")]
    assert [q.value for q in find_quantities("148,5000", "en")] == [D("148.5000")]
    # a grouped Arabic number after a four-digit year
    assert [q.value for q in find_quantities("2024.148", "ar")] == [D(2024), D(148)]


def test_a_sign_belongs_to_a_number_only_where_it_stands_alone() -> None:
    got = find_quantities("a -8,1 % et (+0,2 %), 2024-2025, x-3, - 4", "fr")
    assert [(q.value, q.signed) for q in got] == [
        (D("-8.1"), True),
        (D("0.2"), True),
        (D(2024), False),
        (D(2025), False),
        (D(3), False),
        (D(4), False),
    ]
    # Markdown: a bullet is no minus, emphasis no part of the number
    bullets = find_quantities("- 26.2 billion\n- **+0.2%**\n* _40.3%_", "en")
    assert [(q.text, q.value, q.signed) for q in bullets] == [
        ("26.2 billion", D("26.2"), False),
        ("+0.2%", D("0.2"), True),
        ("40.3%", D("40.3"), False),
    ]
    assert read("-$2.6bn", "en") == (D("-2.6"), 1, 9, "USD", True)
    assert read("$-2.6bn", "en") == (D("-2.6"), 1, 9, "USD", True)


def test_bidi_marks_are_skipped_and_spans_stay_in_the_original_text() -> None:
    text = "\u200fبلغت \u200e-0,3\u200e%\u200e و \u2067١٤٨\u200e٬٥٠٠\u2069 منصب"
    got = find_quantities(text, "ar")
    assert [(q.value, q.unit, q.signed) for q in got] == [
        (D("-0.3"), "PC", True),
        (D(148500), None, False),
    ]
    assert [q.text for q in got] == ["-0,3\u200e%", "١٤٨\u200e٬٥٠٠"]
    assert all(text[q.start : q.end] == q.text for q in got)


def test_scale_and_unit_words_end_at_a_word_boundary() -> None:
    assert read("5 km", "en") == (D(5), 0, 0, None, False)
    assert read("3 Madrid", "en") == (D(3), 0, 0, None, False)
    assert read("4 pointes", "fr") == (D(4), 0, 0, None, False)
    assert read("2 billionaires", "en") == (D(2), 0, 0, None, False)
    assert read("2030 ألفية", "ar") == (D(2030), 0, 0, None, False)
    assert read("2 bn", "en") == (D(2), 0, 9, None, False)


def test_a_currency_before_the_number_is_its_unit() -> None:
    q = one("MAD 13.4 billion dirhams", "en")  # a second currency after it is left as a word
    assert (q.text, q.unit, q.scale) == ("MAD 13.4 billion", "MAD", 9)
    assert one("NOMAD 3", "en").text == "3"


def test_exact_and_interval() -> None:
    q = one("13,4 milliards de dirhams", "fr")
    assert q.exact() == D(13_400_000_000)
    assert q.interval() == (D(13_350_000_000), D(13_450_000_000))
    assert one("13.4", "en").interval() == (D("13.35"), D("13.45"))
    assert one("-8.1%", "en").interval() == (D("-8.15"), D("-8.05"))
    assert one("148,500", "en").interval() == (D("148499.5"), D("148500.5"))
    assert one("0.250", "en").interval() == (D("0.2495"), D("0.2505"))
    # 13.38 and 12.93 give the published +3.5 % although 13.4 / 12.9 gives 3.9 %
    low, high = one("13.4", "en").interval()
    assert low <= D("13.38") < high


def test_rounds_from_rounds_half_up_at_the_written_scale() -> None:
    q = one("26,2 milliards de dirhams", "fr")
    assert q.rounds_from(D("26174000000"))
    assert q.rounds_from(D("26150000000"))  # a tie rounds up
    assert not q.rounds_from(D("26149999999.99"))
    assert not q.rounds_from(D("26250000000"))
    negative = one("-8,1 %", "fr")
    assert negative.rounds_from(D("-8.05"))  # a tie rounds away from zero
    assert not negative.rounds_from(D("-8.15"))
    assert one("148 500", "fr").rounds_from(D("148500.4"))


def test_find_digits_finds_every_digit_run_in_any_script() -> None:
    text = "T3 2025: ٢٦٫٢ et ۱۳ puis १२"
    spans = find_digits(text)
    assert [text[a:b] for a, b in spans] == ["3", "2025", "٢٦", "٢", "۱۳", "१२"]


def test_an_unknown_language_is_refused() -> None:
    assert find_quantities("26,2 %", "fr_MA")[0].value == D("26.2")
    with pytest.raises(UsageError, match="lang=de: give one of ar, fr, en") as refused:
        find_quantities("26,2 %", "de")
    assert refused.value.parameters == {"lang": "de"}


PAGES: dict[str, str] = {
    "en": "In 2024 exports of the sector reached MAD 26.2 billion, +0.2% on 2023. "
    "ITO 40.3%, CRM 37.4%, ESO 13.2%, BPO 8.9% and KPO 0.2% of the total. The office "
    "measures these exports from the foreign-exchange declarations of the firms. ",
    "fr": "En 2024, les exportations ont atteint 26,2 milliards de dirhams, +0,2\u00a0% "
    "par rapport à 2023 ; 148\u202f500 emplois fin 2024 pour un objectif de 270\u202f000 "
    "en 2030. Les chiffres sont arrondis et calculés sur les valeurs non arrondies. ",
    "ar": "بلغت الصادرات سنة 2024 ما قدره 26,2 مليار درهم، بزيادة \u200e+0,2 في المائة "
    "مقارنة بسنة 2023؛ ويبلغ عدد مناصب الشغل 148.500 منصب في نهاية السنة. ",
}
SHORT, LONG = 2, 16
"""Pages of the short and the long text: a linear reader takes about 8 times as long on the
long one, a quadratic one about 64 times."""
LINEAR_BOUND = 20
"""The long text must take less than this many times the short one's CPU time: 2.5 times
the linear ratio (room for a noisy, shared machine), far below a quadratic reader's 64 (or
45 for one that reads again from the start at every page, as
`test_the_linear_time_test_fails_a_quadratic_reader` checks)."""

Reader = Callable[[str, str], object]


def _page(lang: str) -> str:
    text = PAGES[lang]
    return text * (3_000 // len(text))  # about a page


def _cpu(read: Reader, text: str, lang: str, repeats: int) -> float:
    """The least CPU time (this process', so other processes on the machine do not count)
    of `repeats` readings of `text`."""
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        read(text, lang)
        best = min(best, time.process_time() - start)
    return best


def _ratio(read: Reader, lang: str, repeats: int = 9) -> tuple[float, float]:
    """(long text's CPU time / short text's, long text's CPU time)."""
    page = _page(lang)
    short = _cpu(read, page * SHORT, lang, repeats)
    long = _cpu(read, page * LONG, lang, repeats)
    return long / max(short, 1e-6), long


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_a_long_note_reads_in_linear_time(lang: str) -> None:
    """Reading scales with the text, not its square (a regular expression that backtracks
    over a long run would): sixteen pages take well under `LINEAR_BOUND` times two pages,
    each the least CPU time of nine readings (wall time on a shared machine under a load of
    5-8 is not a measure). No absolute time is asserted beyond a hang guard."""
    ratio, long = _ratio(find_quantities, lang)
    assert ratio < LINEAR_BOUND, (lang, ratio)
    assert long < 1.0, (lang, long)


def test_the_linear_time_test_fails_a_quadratic_reader() -> None:
    """The bound is not too loose to catch what it is for: a reader that reads the text
    again from its start at every page (quadratic) is refused by the same measure."""
    page = _page("en")

    def again_and_again(text: str, lang: str) -> object:
        return [
            find_quantities(text[:end], lang) for end in range(len(page), len(text) + 1, len(page))
        ]

    ratio, _ = _ratio(again_and_again, "en", repeats=3)
    assert ratio > LINEAR_BOUND, ratio


def _timed(text: str, lang: str) -> float:
    start = time.perf_counter()
    find_quantities(text, lang)
    return time.perf_counter() - start


@pytest.mark.parametrize(
    "text",
    ["1" * 8_000, "123 " * 2_000, "1," * 4_000, "1.2.3." * 1_500, "-+" * 4_000, "MAD " * 2_000],
    ids=["digits", "groups", "commas", "dots", "signs", "prefixes"],
)
def test_long_runs_read_in_linear_time(text: str) -> None:
    """No backtracking blow-up (the claim checker reads pasted texts): 8,000 characters of
    digits, marks or signs in well under half a second in every language (about 15 ms)."""
    for lang in ("en", "fr", "ar"):
        assert _timed(text, lang) < 0.5
