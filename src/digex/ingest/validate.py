"""Validation: from the staged text rows to typed rows, each with its reason codes.

One SQL statement computes every parsed value and every check for all rows of a file, so the
engine does the work in bulk; the result (`checked`) is split into accepted and rejected rows by
the loader. National-currency rows need no exchange rate (their rate is 1).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import duckdb

from digex.errors import MixedDecimalMarks as MixedDecimalMarks
from digex.errors import ProfileError
from digex.ingest.checks import (
    DECLARATION_CHECKS,
    JOB_CHECKS,
    MALFORMED,
    RATE_CHECKS,
    SERIES_CHECKS,
    reasons_sql,
)
from digex.ingest.convert import RATE_TYPE, VALUE_LIMIT, value_estimate_sql, value_exact_sql
from digex.ingest.parsers import (
    COMMA_EVIDENCE,
    DOT_EVIDENCE,
    DecimalMark,
    amount_ambiguous,
    amount_kind,
    amount_mark,
    amount_value,
    code_value,
    latin_digits,
    period_value,
    rate_normalised,
    strip,
)
from digex.sql import literal as _literal


def _finish(reasons: str, message: str) -> str:
    """The final SELECT over CTE `r`: messages are built only for rejected rows (they are
    string concatenations, the costliest part of validation on millions of valid rows)."""
    return (
        f", q AS (SELECT r.*, {reasons} AS reasons FROM r) "
        f"SELECT q.*, CASE WHEN reasons <> '' THEN {message} END AS message FROM q"
    )


@dataclass(frozen=True)
class Rules:
    """What validation needs to know about the country and the run."""

    national_currency: str
    firm_pattern: str
    firm_name: str
    today: dt.date
    decimal_mark: DecimalMark = "auto"
    minor_units: int = field(kw_only=True)
    """Decimals of the national currency: converted values are kept in its minor units."""
    code_types: Mapping[str, str] = field(default_factory=dict)
    """Coded column -> the SQL type it is stored in (see digex.store.codes); text if absent."""
    series: Mapping[str, int] = field(default_factory=dict)
    """The profile's auxiliary series (id -> the decimals its values may have and are stored
    at: the national currency's minor units for money, 0 for a count)."""
    profile: tuple[str, str] = ("", "")
    """The profile the rules come from: its label (MA 2026.2) and source (MA, or a path),
    for a message that says which profile to record instead."""

    @property
    def current_month(self) -> dt.date:
        return self.today.replace(day=1)


def check_declarations(con: duckdb.DuckDBPyConnection, rules: Rules) -> DecimalMark:
    """Create TEMP TABLE `checked` (every row, typed, with its reasons but those of repeated
    ids) and TEMP TABLE `rejected` (the rejected rows as read, with all their reasons and messages);
    the accepted rows are those of `checked` not in `rejected`. Uses `ref_*` and `load_rates`
    (the rates in force once the call's own rates files are stored).

    Returns the file's decimal mark (`auto` when its amounts never show one). Raises
    `MixedDecimalMarks` when they show both and none was given.

    Parameters are written as literals, because a view cannot take them and because a regular
    expression given as a parameter is compiled again for every row (measured: 5x slower on 3
    million rows).
    """
    reasons, message = reasons_sql(DECLARATION_CHECKS)
    values = {
        "$firm_pattern": _literal(rules.firm_pattern),
        "$national_currency": _literal(rules.national_currency),
        "$current_month": _literal(rules.current_month),
        "$firm_name": _literal(rules.firm_name),
        "$value_estimate": value_estimate_sql("v_amount", "v_rate", rules.minor_units),
        "$value_limit_text": _literal(f"{VALUE_LIMIT / 10**rules.minor_units:,.0f}"),
        "$value_limit": repr(VALUE_LIMIT),
        "$exact_value": value_exact_sql("v_amount", "v_rate", rules.minor_units),
        "$exact_limit": str(int(VALUE_LIMIT)),
    }
    for name, literal in values.items():
        reasons = reasons.replace(name, literal)
        message = message.replace(name, literal)
    firm = strip(latin_digits("p.firm_id"))
    mark = f"CAST({amount_mark('p.amount', 'v_amount_kind')} AS UTINYINT)"

    def validation(source: str, duplicates: bool, dm: DecimalMark) -> str:
        """Every row of `source` typed and checked; repeated ids only with `duplicates`; the
        decimal mark each amount shows (`v_mark`) only while the file's is not known."""
        repeat = (
            "CASE WHEN s.malformed OR d.declaration_id IS NULL THEN NULL "
            "WHEN d.conflict THEN 'C' WHEN s.line <> d.first_line THEN 'D' END"
        )
        join = "LEFT JOIN repeated_ids d ON d.declaration_id = s.declaration_id"
        no_repeat = "CAST(NULL AS VARCHAR)"
        return f"""
        WITH p AS (
            SELECT s.*,
                {period_value("s.period", "rm.month")} AS v_period,
                {amount_kind("s.amount")} AS v_amount_kind,
                regexp_full_match(s.firm_id, {values["$firm_pattern"]}) AS v_firm_plain,
                rs.segment AS v_segment, rs.ebops AS v_ebops,
                rc.code AS v_partner,
                rc.code IS NOT NULL AS v_partner_ok,
                ru.code AS v_currency,
                ru.code IS NOT NULL AS v_currency_ok,
                CASE s.flow WHEN 'X' THEN 'X' WHEN 'M' THEN 'M'
                     ELSE {code_value("s.flow")} END AS v_flow,
                rs.stored_segment AS c_segment, rs.stored_ebops AS c_ebops,
                rc.stored AS c_partner, ru.stored AS c_currency,
                {repeat if duplicates else no_repeat} AS v_repeat,
                {"d.first_line" if duplicates else "NULL"} AS v_repeat_line,
                {"d.copies" if duplicates else "NULL"} AS v_repeat_count
            FROM {source} s
            {join if duplicates else ""}
            -- the codes as written, among every spelling of each (`code_spellings`)
            LEFT JOIN ref_segments rs ON rs.written = s.segment
            LEFT JOIN ref_countries rc ON rc.written = s.partner
            LEFT JOIN ref_currencies ru ON ru.written = s.currency
            LEFT JOIN ref_months rm ON rm.written = s.period
        ), r AS (
            -- one regular expression per field for the common, well-formed value; the slower
            -- normalisation (Arabic-Indic digits, blanks, separators) only for the others
            SELECT p.*, CASE WHEN p.v_currency = {values["$national_currency"]}
                             THEN CAST(1 AS {RATE_TYPE}) ELSE cr.rate END AS v_rate,
                CASE WHEN v_firm_plain THEN firm_id ELSE {firm} END AS v_firm_id,
                CASE WHEN v_firm_plain THEN true
                     ELSE coalesce(regexp_full_match({firm}, {values["$firm_pattern"]}), false)
                END AS v_firm_ok,
                {amount_value("p.amount", dm, "v_amount_kind")} AS v_amount,
                coalesce({amount_ambiguous("p.amount", dm, "v_amount_kind")}, false)
                    AS v_amount_ambiguous,
                {mark if dm == "auto" else "CAST(NULL AS UTINYINT)"} AS v_mark
            FROM p LEFT JOIN load_rates cr
              ON cr.period = p.v_period AND cr.currency = p.v_currency
        )
        {_finish(reasons, message)}"""

    # Every row is validated once into a narrow table: typed values and reason codes, except
    # the codes of repeated ids. Those ids are then found from that table (its ids are already
    # strings in memory; aggregating them from the staged view would split every line again),
    # and the rejected rows (a few percent) are validated again, alone, with the repeated ids,
    # for their messages and text: carrying those mostly empty columns for every row cost more.
    # The codes are written in the type they are stored in (a small integer is cheaper to
    # write here, and the insert of the accepted rows then converts nothing), taken from the
    # code lists' joins (`c_*`; converting each row's code cost 0.6 s per 10 million rows). A
    # code not in the lists gives NULL there, and its row is rejected anyway.
    flow = rules.code_types.get("flow")
    stored_flow = (
        f"CASE v_flow WHEN 'X' THEN CAST('X' AS {flow}) WHEN 'M' THEN CAST('M' AS {flow}) END"
        if flow
        else "v_flow"
    )

    def narrow(source: str, dm: DecimalMark) -> str:
        return f"""
        SELECT line, declaration_id, v_period, v_firm_id, c_segment AS v_segment,
               c_ebops AS v_ebops, c_partner AS v_partner, c_currency AS v_currency, v_amount,
               {stored_flow} AS v_flow, v_rate, reasons, v_mark
        FROM ({validation(source, False, dm)})"""

    con.execute(f"CREATE OR REPLACE TEMP TABLE checked AS {narrow('stage', rules.decimal_mark)}")
    dm, ambiguous = rules.decimal_mark, 0
    if dm == "auto":
        dm, ambiguous = _file_mark(con)
    if dm != "auto" and ambiguous:
        # The ambiguous amounts (`1.234`) were left unread in the first pass: now that the
        # file's mark is known, their rows (usually few or none) are validated again.
        con.execute(
            "INSERT INTO stage_wanted SELECT line FROM checked "
            "WHERE contains(reasons, 'AMOUNT_AMBIGUOUS')"
        )
        con.execute("DELETE FROM checked WHERE line IN (SELECT line FROM stage_wanted)")
        con.execute(f"INSERT INTO checked {narrow('stage_some', dm)}")
        con.execute("DELETE FROM stage_wanted")
    # The rows to read again, their text with them: the rejected ones and every copy of a
    # repeated id (one scan of the staged file for both). The ids are compared by their hash,
    # a fixed-size key (grouping the strings cost a quarter more: 0.89 against 0.67 CPU s on
    # 3 million rows): two ids of equal hash are read again too, and `_repeated_ids` then
    # compares the ids themselves, so such a pair is neither rejected nor counted as a copy.
    # The hashes seen twice are found by sorting them, each beside the next: grouping them
    # (nearly every hash its own group) cost half as much again (10 million rows: 1.7 against
    # 1.1 CPU s). A row that is not well formed is rejected, so it is read again anyway.
    well_formed = f"reasons <> {_literal(MALFORMED.code)} AND declaration_id IS NOT NULL"
    con.execute(
        f"""INSERT INTO stage_wanted
        SELECT line FROM checked
        WHERE reasons <> ''
           OR hash(declaration_id) IN (
               SELECT DISTINCT h FROM (
                   SELECT h, lead(h) OVER (ORDER BY h) AS next
                   FROM (SELECT hash(declaration_id) AS h FROM checked WHERE {well_formed}))
               WHERE h = next)"""
    )
    con.execute("CREATE OR REPLACE TEMP TABLE stage_picked AS SELECT * FROM stage_some")
    _repeated_ids(con, "stage_picked")
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE rejected AS
        SELECT line, reasons, message, declaration_id, period, firm_id, segment, partner,
               currency, amount, flow, raw
        FROM ({validation("stage_picked", True, dm)}) WHERE reasons <> ''"""
    )
    con.execute("DROP TABLE stage_picked")
    return dm


def _file_mark(con: duckdb.DuckDBPyConnection) -> tuple[DecimalMark, int]:
    """The decimal mark of the file in `checked`: the one its amounts show (`v_mark`), or
    `auto` when none shows one (its ambiguous amounts are then rejected as such); and the
    number of ambiguous amounts.

    One mark per file: a person writes every amount of a file the same way, so a value that
    cannot tell (`1.234`) is read as the others show, and a file whose values contradict each
    other is refused rather than read value by value. A malformed line's fields are not known
    to be where the header says, so it shows nothing.
    """
    row = con.execute(
        f"""SELECT min(line) FILTER (v_mark = {DOT_EVIDENCE}),
                   min(line) FILTER (v_mark = {COMMA_EVIDENCE}),
                   count(*) FILTER (contains(reasons, 'AMOUNT_AMBIGUOUS'))
        FROM checked WHERE reasons <> {_literal(MALFORMED.code)}"""
    ).fetchone()
    dot, comma, ambiguous = row if row else (None, None, 0)
    if dot is not None and comma is not None:
        raise MixedDecimalMarks(
            f"the amounts do not use one decimal mark: line {dot} has an amount written with "
            f"'.' as the decimal mark, line {comma} one written with ','; give decimal_mark=. "
            "or decimal_mark=, for the file (the other mark then only groups thousands)"
        )
    mark: DecimalMark = "." if dot is not None else "," if comma is not None else "auto"
    return mark, int(ambiguous)


def _repeated_ids(con: duckdb.DuckDBPyConnection, source: str) -> None:
    """TEMP TABLE `repeated_ids`: each declaration id on more than one well-formed row of
    `source` (staged rows that hold every copy of a repeated id), its first line, its number
    of copies and whether the copies differ (`conflict`).

    The copies are compared on their text as staged (surrounding blanks removed), field by
    field, so that the outcome does not depend on which copy comes first: identical copies
    are one declaration, copies that differ are a conflict no choice of ours should settle.
    """
    text = "(period, firm_id, segment, partner, currency, amount, flow)"
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE repeated_ids AS
        SELECT declaration_id, min(line) AS first_line, count(*) AS copies,
               count(DISTINCT {text}) > 1 AS conflict
        FROM {source} WHERE NOT malformed AND declaration_id IS NOT NULL
        GROUP BY declaration_id HAVING count(*) > 1"""
    )


def check_rates(con: duckdb.DuckDBPyConnection, rules: Rules) -> None:
    """Create TEMP TABLE `checked` from a staged rates file (small: a table is simplest)."""
    reasons, message = (
        sql.replace("$national_currency", _literal(rules.national_currency))
        for sql in reasons_sql(RATE_CHECKS)
    )
    # `--decimal` speaks of the declarations' amounts; a rates file shows its own mark (a rate
    # is never grouped in thousands, so each value says which it is)
    norm = rate_normalised("s.rate")
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE checked AS
        WITH p AS (
            SELECT s.*,
                {period_value("s.period")} AS v_period,
                {code_value("s.currency")} AS v_currency,
                ru.code IS NOT NULL AS v_currency_ok,
                CASE WHEN regexp_full_match({norm}, '[+-]?\\d{{1,9}}(\\.\\d{{1,8}})?')
                     THEN CAST({norm} AS {RATE_TYPE}) END AS v_rate
            FROM stage s
            LEFT JOIN ref_currencies ru ON ru.written = {code_value("s.currency")}
        ), r AS (
            SELECT p.*, CASE WHEN NOT malformed AND v_period IS NOT NULL THEN
                row_number() OVER (PARTITION BY malformed, v_period, v_currency ORDER BY line)
                END AS v_dup_rank
            FROM p
        )
        {_finish(reasons, message)}"""
    )


def check_jobs(con: duckdb.DuckDBPyConnection, rules: Rules) -> None:
    """Create TEMP TABLE `checked` from a staged auxiliary file (year, segment, jobs)."""
    reasons, message = reasons_sql(JOB_CHECKS)
    year = strip(latin_digits("s.year"))
    jobs = f"regexp_replace({strip(latin_digits('s.jobs'))}, '[\\s\u00a0\u202f,]', '', 'g')"
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE checked AS
        WITH p AS (
            SELECT s.*,
                CASE WHEN regexp_full_match({year}, '(19|2\\d)\\d\\d')
                     THEN CAST({year} AS INTEGER) END AS v_year,
                CASE WHEN {code_value("s.segment")} IN ('_T', 'TOTAL') THEN '_T'
                     ELSE rs.segment END AS v_segment,
                CASE WHEN regexp_full_match({jobs}, '\\d{{1,12}}')
                     THEN CAST({jobs} AS BIGINT) END AS v_value
            FROM stage s
            LEFT JOIN ref_segments rs ON rs.written = {code_value("s.segment")}
                AND rs.ebops IS NULL
        ), r AS (
            SELECT p.*, CASE WHEN NOT malformed AND v_year IS NOT NULL THEN
                row_number() OVER (PARTITION BY malformed, v_year, v_segment ORDER BY line)
                END AS v_dup_rank
            FROM p
        )
        {_finish(reasons, message)}"""
    )


MAX_DECIMALS = 4
"""The most decimals any currency has (ISO 4217): a value of an undeclared series is read
with them, so that only the series is reported wrong."""


def series_number(text: str, mark: DecimalMark) -> str:
    """SQL: a series value (digits, blanks removed) with `.` as its decimal mark, or NULL
    when it is no number written with `mark`.

    `auto` reads one `.` or `,` as the decimal mark (a series file is too short to tell its
    mark from its amounts); a mark given (`--decimal`) is the only one, and the other then
    groups thousands only (1,234,567.50 with `.`; 1.234.567,50 with `,`), as in declarations.
    """
    if mark == "auto":
        return (
            f"CASE WHEN regexp_full_match({text}, '\\d{{1,14}}([.,]\\d+)?') "
            f"THEN replace({text}, ',', '.') END"
        )
    other = "," if mark == "." else "."
    m, o = re.escape(mark), re.escape(other)
    return (
        f"CASE WHEN regexp_full_match({text}, '\\d{{1,14}}({m}\\d+)?') "
        f"OR regexp_full_match({text}, '\\d{{1,3}}({o}\\d{{3}})+({m}\\d+)?') "
        f"THEN replace(replace({text}, {_literal(other)}, ''), {_literal(mark)}, '.') END"
    )


def check_series(con: duckdb.DuckDBPyConnection, rules: Rules) -> None:
    """Create TEMP TABLE `checked` from a staged auxiliary series file (series, year, value).

    A value is exact: its decimals may not exceed the series' (a money value in the national
    currency's minor units, a count none), and it is stored as an integer of those units, so
    that 17,900,000,000.00 MAD is kept to the centime, never through a float. Blanks group
    thousands; one `.` or `,` is the decimal mark (a comma cannot group thousands here: a
    value written 1,234 would be read as 1.234 and refused for its three decimals when the
    currency has two, not silently read as a thousand).
    """
    declared = sorted(rules.series.items())
    if not declared:  # every row would be refused as an unknown series: say why, once
        label, source = rules.profile
        raise ProfileError(
            f"the store records country profile {label}, which declares no auxiliary series "
            "([[series]]), so a series file cannot be loaded into it; record the installed "
            f"profile with init first (profile={source}), or a profile declaring the series"
        ).naming(profile=source)
    listed = ", ".join(code for code, _ in declared)
    reasons, message = (
        sql.replace("$declared", _literal(f" (declared: {listed})")).replace(
            "$max_decimals", str(MAX_DECIMALS)
        )
        for sql in reasons_sql(SERIES_CHECKS)
    )
    # a first row that matches nothing, so that a profile without series still joins
    rows = ["(CAST(NULL AS VARCHAR), CAST(NULL AS INTEGER))"]
    rows += [f"({_literal(code)}, {int(d):d})" for code, d in declared]
    known = f"(VALUES {', '.join(rows)}) AS d(code, decimals)"
    year = strip(latin_digits("s.year"))
    text = f"regexp_replace({latin_digits('s.value')}, '[\\s\u00a0\u202f\u2009]', '', 'g')"
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE checked AS
        WITH p AS (
            SELECT s.*,
                CASE WHEN regexp_full_match({year}, '(19|2\\d)\\d\\d')
                     THEN CAST({year} AS INTEGER) END AS v_year,
                d.code AS v_series, d.decimals AS v_decimals,
                {text} AS v_text
            FROM stage s LEFT JOIN {known} ON d.code = {code_value("s.series")}
        ), v AS (
            SELECT p.*,
                CASE WHEN v_number IS NOT NULL
                      AND length(regexp_extract(v_number, '\\.(\\d+)$', 1))
                          <= coalesce(v_decimals, {MAX_DECIMALS})
                THEN TRY_CAST(CAST(v_number AS DECIMAL(38, {MAX_DECIMALS}))
                          * CAST(pow(10, coalesce(v_decimals, {MAX_DECIMALS})) AS BIGINT)
                          AS BIGINT)
                END AS v_value
            FROM (SELECT p.*, {series_number("v_text", rules.decimal_mark)} AS v_number FROM p) p
        ), r AS (
            SELECT v.*, CASE WHEN NOT malformed AND v_year IS NOT NULL
                              AND v_series IS NOT NULL THEN
                row_number() OVER (PARTITION BY malformed, v_series, v_year ORDER BY line)
                END AS v_dup_rank
            FROM v
        )
        {_finish(reasons, message)}"""
    )
