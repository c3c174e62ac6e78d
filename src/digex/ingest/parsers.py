"""Field parsers as SQL expressions, so validation runs inside the engine over millions of rows.

Each builder returns a DuckDB SQL expression over a text column. The same expressions are used by
the loader and, through `parse_amounts` / `parse_periods`, by the property tests: what is tested
is what runs.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Final, Literal

from digex.store import offline

DecimalMark = Literal["auto", ".", ","]

# Arabic-Indic (U+0660..) and Extended Arabic-Indic (Persian, U+06F0..) digits, then the Arabic
# decimal separator (U+066B) read as '.', and the Arabic thousands separator (U+066C) dropped.
_ARABIC_FROM: Final = "٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٫٬"
_ARABIC_TO: Final = "01234567890123456789."

AMOUNT_SCALE: Final = 4
"""Decimals kept for a declared amount; more would be silently rounded, so they are refused."""
AMOUNT_TYPE: Final = f"DECIMAL(18, {AMOUNT_SCALE})"


BLANKS: Final = " \t\r\n\u00a0\u202f"
"""What surrounds a value by accident (spaces, tabs, no-break spaces) and is never part of it."""


def strip(col: str) -> str:
    """SQL removing surrounding blanks of every kind (DuckDB's `trim` alone removes spaces).

    `trim` with a list of characters is about six times slower than plain `trim` (measured on
    10 million rows: 17 s against 3 s), so it only runs on values that hold such a character.
    """
    rare = " OR ".join(f"contains({col}, '{c}')" for c in BLANKS[1:])
    return f"CASE WHEN {rare} THEN trim({col}, '{BLANKS}') ELSE trim({col}) END"


def latin_digits(col: str) -> str:
    """`col` with Arabic-Indic digits and separators made Latin (a Moroccan file may use them)."""
    return f"translate({col}, '{_ARABIC_FROM}', '{_ARABIC_TO}')"


def _clean_amount(col: str) -> str:
    # Spaces of every kind (incl. no-break and narrow no-break) only ever group thousands.
    return f"regexp_replace({latin_digits(col)}, '[\\s\u00a0\u202f\u2009]', '', 'g')"


DOT_EVIDENCE: Final = 1
"""`amount_mark` of a value that shows `.` as its decimal mark (`12.5`, `1,234.5`, `1,234,567`)."""
COMMA_EVIDENCE: Final = 2
"""`amount_mark` of a value that shows `,` as its decimal mark (`12,5`, `1.234,5`, `1.234.567`)."""

_AMOUNT_PLAIN: Final = f"[0-9]{{1,14}}(\\.[0-9]{{1,{AMOUNT_SCALE}}})?"
"""What nearly every machine-written amount looks like; such values skip the normalisation."""


def amount_plain(col: str) -> str:
    """SQL true for a plain `digits[.digits]` amount (the fast path of `amount_value`)."""
    return f"regexp_full_match({col}, '{_AMOUNT_PLAIN}')"


PLAIN_INTEGER: Final = 0
PLAIN_AMBIGUOUS: Final = 1
"""A plain `d{1,3}.ddd`: a decimal point, or a thousands separator?"""
OTHER: Final = 2
"""Not plain `digits[.digits]`: blanks, commas, Arabic-Indic digits, signs, or not a number."""
PLAIN_POINT: Final = 3
"""A plain value that shows `.` as its decimal mark."""


def amount_kind(col: str) -> str:
    """SQL classing an amount once per row (PLAIN_INTEGER, PLAIN_AMBIGUOUS, OTHER or
    PLAIN_POINT), so that `amount_value`, `amount_mark` and `amount_ambiguous` share one
    regular expression and nearly every value skips the normalisation."""
    return f"""CASE WHEN NOT coalesce({amount_plain(col)}, false) THEN {OTHER}
        WHEN NOT contains({col}, '.') THEN {PLAIN_INTEGER}
        WHEN {_plain_ambiguous(col)} THEN {PLAIN_AMBIGUOUS} ELSE {PLAIN_POINT} END"""


def _plain_ambiguous(col: str) -> str:
    # a plain value is `d{1,3}.ddd` exactly when its point is three from the end and it is
    # at most seven long: string arithmetic, no second regular expression per row
    return f"(length({col}) BETWEEN 5 AND 7 AND strpos({col}, '.') = length({col}) - 3)"


def _ambiguous(a: str) -> str:
    return f"regexp_full_match({a}, '[+-]?\\d{{1,3}}[.,]\\d{{3}}')"


def _with_mark(a: str, mark: str) -> str:
    """SQL reading the cleaned amount `a` with `mark` as the decimal mark: the other mark is a
    thousands separator only in proper groups of three; anything else is NULL."""
    other = "," if mark == "." else "."
    m, o = re_escape(mark), re_escape(other)
    return f"""CASE
        WHEN regexp_full_match({a}, '[+-]?\\d+({m}\\d+)?') THEN replace({a}, '{mark}', '.')
        WHEN regexp_full_match({a}, '[+-]?[1-9]\\d{{0,2}}({o}\\d{{3}})+({m}\\d+)?')
            THEN replace(replace({a}, '{other}', ''), '{mark}', '.')
        END"""


def re_escape(mark: str) -> str:
    return "\\." if mark == "." else mark


def amount_mark(col: str, kind: str | None = None) -> str:
    """SQL giving the decimal mark `col` shows: DOT_EVIDENCE, COMMA_EVIDENCE or NULL (no mark,
    or the ambiguous `d{1,3}.ddd` / `d{1,3},ddd`, or not a number at all).

    Evidence for `.`: both marks with `.` last; `,` more than once and no `.`; a single `.`
    between digits except `d{1,3}.ddd`. Evidence for `,` is the mirror image. `kind` names a
    column holding `amount_kind(col)`, computed once per row by the caller.
    """
    a = _clean_amount(col)
    k = kind or amount_kind(col)
    commas = f"(length({a}) - length(replace({a}, ',', '')))"
    points = f"(length({a}) - length(replace({a}, '.', '')))"
    # a value is evidence for a mark only if it reads as a number with it (`1.2,3` is a typo,
    # not evidence for a comma that would refuse a file whose other values show a point); the
    # rarer kinds only reach these branches, so repeating the expression costs little
    shown = _shown_mark(a, commas, points)
    return f"""CASE
        WHEN {k} = {PLAIN_POINT} THEN {DOT_EVIDENCE}
        WHEN {k} <> {OTHER} THEN NULL
        WHEN {shown} = {DOT_EVIDENCE} AND {_with_mark(a, ".")} IS NOT NULL THEN {DOT_EVIDENCE}
        WHEN {shown} = {COMMA_EVIDENCE} AND {_with_mark(a, ",")} IS NOT NULL
            THEN {COMMA_EVIDENCE}
        END"""


def _shown_mark(a: str, commas: str, points: str) -> str:
    """The mark a cleaned amount of the rarer kinds shows, before checking that it reads."""
    return f"""CASE
        WHEN NOT regexp_full_match({a}, '[+-]?[0-9]+([.,][0-9]+)*') THEN NULL
        WHEN contains({a}, '.') AND contains({a}, ',')
            THEN CASE WHEN regexp_matches({a}, '\\.[0-9]+$') THEN {DOT_EVIDENCE}
                      ELSE {COMMA_EVIDENCE} END
        WHEN {_ambiguous(a)} THEN NULL
        WHEN contains({a}, ',') THEN CASE WHEN {commas} > 1 THEN {DOT_EVIDENCE}
                                          ELSE {COMMA_EVIDENCE} END
        WHEN contains({a}, '.') THEN CASE WHEN {points} > 1 THEN {COMMA_EVIDENCE}
                                          ELSE {DOT_EVIDENCE} END
        END"""


def amount_normalised(col: str, decimal_mark: DecimalMark = "auto") -> str:
    """SQL giving `col` as a plain `[-]digits[.digits]` string, or NULL when it is not a number.

    With a mark, the other mark is a thousands separator only in groups of three. With `auto`
    (the file's mark not known), a value is read with the mark it shows itself (see
    `amount_mark`; the loader refuses a file whose values show both), and an ambiguous value
    (`1.234`, `1,234`) is NULL: `amount_ambiguous` flags it, so its row is read again once
    the file's mark is known, or rejected when the file never shows it.
    """
    a = _clean_amount(col)
    if decimal_mark in (".", ","):
        return _with_mark(a, decimal_mark)
    return f"""CASE WHEN {_ambiguous(a)} THEN NULL
        WHEN {amount_mark(col)} = {COMMA_EVIDENCE} THEN {_with_mark(a, ",")}
        ELSE {_with_mark(a, ".")} END"""


def rate_normalised(col: str, decimal_mark: DecimalMark = "auto") -> str:
    """SQL reading an exchange rate: with `auto`, `.` or `,` as the decimal mark, whichever
    the value holds (a rate is never grouped in thousands, so `10.123` is not ambiguous)."""
    a = _clean_amount(col)
    if decimal_mark in (".", ","):
        return _with_mark(a, decimal_mark)
    return f"replace({a}, ',', '.')"


def amount_ambiguous(col: str, decimal_mark: DecimalMark = "auto", kind: str | None = None) -> str:
    """SQL true when `col` is `d{1,3}.ddd` or `d{1,3},ddd` and the file's mark is not known."""
    if decimal_mark != "auto":
        return "false"
    k = kind or amount_kind(col)
    return (
        f"CASE {k} WHEN {PLAIN_AMBIGUOUS} THEN true WHEN {OTHER} "
        f"THEN {_ambiguous(_clean_amount(col))} ELSE false END"
    )


def amount_value(col: str, decimal_mark: DecimalMark = "auto", kind: str | None = None) -> str:
    """SQL giving the amount as an exact DECIMAL, or NULL (not a number, too many decimals,
    more than 14 integer digits, or ambiguous while the file's mark is not known).

    Most amounts are plain `digits[.digits]`: they take a fast path straight to the cast, and
    only the others go through the normalisation of separators and digits. `kind` names a
    column holding `amount_kind(col)`, when the caller has it.
    """
    n = amount_normalised(col, decimal_mark)
    k = kind or amount_kind(col)
    fast = {
        "auto": f"{k} IN ({PLAIN_INTEGER}, {PLAIN_POINT})",
        ".": f"{k} <> {OTHER}",
        ",": f"{k} = {PLAIN_INTEGER}",
    }[decimal_mark]
    return (
        f"CASE WHEN {fast} THEN CAST({col} AS {AMOUNT_TYPE}) "
        f"WHEN regexp_full_match({n}, '[+-]?\\d{{1,14}}(\\.\\d{{1,{AMOUNT_SCALE}}})?') "
        f"THEN CAST({n} AS {AMOUNT_TYPE}) END"
    )


MONTHS_WRITTEN: Final = """SELECT strftime(month, '%Y-%m') AS written, month
    FROM (SELECT CAST(unnest(generate_series(DATE '1900-01-01', DATE '2999-12-01',
                                             INTERVAL 1 MONTH)) AS DATE) AS month)"""
"""Every month `period_value` reads, written `YYYY-MM` (13,200 rows): a file's periods are
looked up in it as written (`period_value`'s `written`)."""


def period_value(col: str, written: str | None = None) -> str:
    """SQL giving the first day of the month for `YYYY-MM` (also `YYYY/MM`, `YYYYMM`), else NULL.

    Years outside 1900-2999 are refused: such a value is a typing error, not a reference month.
    `written`: the month `col` is in `MONTHS_WRITTEN`, looked up by the caller (a hash lookup
    costs a quarter of the regular expression and the cast it replaces: 0.14 against 0.49 CPU
    s per 5 million rows); without it, the common form is recognised by a regular expression.
    """
    month = "(19|2\\d)\\d\\d-?(0[1-9]|1[0-2])"
    p = f"replace({strip(latin_digits(col))}, '/', '-')"
    common = (
        f"{written} IS NOT NULL THEN {written}"
        if written
        else f"regexp_full_match({col}, '(19|2[0-9])[0-9][0-9]-(0[1-9]|1[0-2])') "
        f"THEN CAST({col} || '-01' AS DATE)"
    )
    return f"""CASE
        WHEN {common}
        WHEN regexp_full_match({p}, '{month}')
            THEN make_date(CAST(left({p}, 4) AS INTEGER), CAST(right({p}, 2) AS INTEGER), 1)
        END"""


def code_value(col: str) -> str:
    """SQL normalising a code (segment, country, currency, flow) to upper case; staging has
    already removed surrounding blanks from every field."""
    return f"upper({col})"


def code_spellings(code: str) -> list[str]:
    """Every way of writing a code that is read as it: each of its letters in either case
    (`itO` is ITO). The declarations' checks look a code up among these as written, rather
    than upper-casing every row's four codes (measured: 0.2 CPU s per column and 5 million
    rows, more than the lookup itself). Letters are ASCII's: a code with another letter that
    upper-cases to an ASCII one (the long s of `ſE`) is not read as a code, as no code list
    writes one so."""
    cases = [(c.upper(), c.lower()) if c.isascii() and c.isalpha() else (c,) for c in code]
    return sorted({"".join(chars) for chars in itertools.product(*cases)})


def _run(expr: str, values: list[str | None]) -> list[object]:
    con = offline.connect()
    try:
        con.execute("CREATE TABLE v (i INTEGER, s VARCHAR)")
        con.executemany("INSERT INTO v VALUES (?, ?)", list(enumerate(values)))
        rows = con.execute(f"SELECT {expr.replace('{col}', 's')} FROM v ORDER BY i").fetchall()
    finally:
        con.close()
    return [r[0] for r in rows]


def parse_amounts(values: list[str | None], decimal_mark: DecimalMark = "auto") -> list[Decimal]:
    """Parse amounts with the loader's own SQL (None where the loader would reject the value)."""
    return _run(amount_value("{col}", decimal_mark), values)  # type: ignore[return-value]


def amount_marks(values: list[str | None]) -> list[object]:
    """The decimal mark each value shows, with the loader's own SQL ('.', ',' or None)."""
    marks = {DOT_EVIDENCE: ".", COMMA_EVIDENCE: ","}
    return [marks.get(m) for m in _run(amount_mark("{col}"), values)]  # type: ignore[call-overload]


def parse_periods(values: list[str | None]) -> list[object]:
    """Parse periods with the loader's own SQL (a `datetime.date` or None)."""
    return _run(period_value("{col}"), values)


def parse_codes(values: list[str | None]) -> list[object]:
    """Normalise codes with the loader's own SQL (trimmed, upper case)."""
    return _run(code_value(f"nullif({strip('{col}')}, '')"), values)
