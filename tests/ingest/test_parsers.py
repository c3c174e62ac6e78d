"""Property tests for the field parsers, run through the loader's own SQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from digex.codelists import read_codelist
from digex.ingest.parsers import (
    MONTHS_WRITTEN,
    parse_amounts,
    parse_codes,
    parse_periods,
    period_value,
)
from digex.store import offline

AR_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")

amounts = st.decimals(
    min_value=Decimal("0.01"), max_value=Decimal("99999999999.99"), places=2, allow_nan=False
)


def grouped(d: Decimal, sep: str, dec: str) -> str:
    whole, frac = f"{d:.2f}".split(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return sep.join(groups) + dec + frac


# 30 lists of up to 20 amounts, each in six written forms: one DuckDB query per example
@settings(max_examples=30, deadline=None)
@given(st.lists(amounts, min_size=1, max_size=20))
def test_every_written_form_of_an_amount_parses_back_exactly(values: list[Decimal]) -> None:
    forms = {
        "plain": [f"{d:.2f}" for d in values],
        "comma": [f"{d:.2f}".replace(".", ",") for d in values],
        "english": [grouped(d, ",", ".") for d in values],
        "european": [grouped(d, ".", ",") for d in values],
        "french": [grouped(d, "\u202f", ",") for d in values],
        "arabic": [f"{d:.2f}".translate(AR_DIGITS).replace(".", "٫") for d in values],
    }
    # every form in one call (one DuckDB query per example): each value is parsed on its own
    parsed = parse_amounts([text for texts in forms.values() for text in texts])
    for i, name in enumerate(forms):
        assert parsed[i * len(values) : (i + 1) * len(values)] == values, name


@settings(max_examples=40, deadline=None)
@given(st.lists(amounts, min_size=1, max_size=10), st.sampled_from([".", ","]))
def test_an_explicit_decimal_mark_is_obeyed(values: list[Decimal], mark: str) -> None:
    other = "," if mark == "." else "."
    texts = [grouped(d, other, mark) for d in values]
    assert parse_amounts(texts, mark) == values  # type: ignore[arg-type]


def test_ambiguous_and_invalid_amounts_are_not_guessed() -> None:
    assert parse_amounts(["1,234", "12O0", "n/a", "", "1.23456", "1e5", "--3", None]) == [None] * 8
    assert parse_amounts(["1,234"], ",") == [Decimal("1.234")]
    assert parse_amounts(["1,234"], ".") == [Decimal("1234")]
    assert parse_amounts(["-12.5", "+7", "0"]) == [Decimal("-12.5"), Decimal("7"), Decimal(0)]


@settings(max_examples=60, deadline=None)
@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2999, 12, 31)))
def test_periods_in_every_accepted_form(day: dt.date) -> None:
    month = day.replace(day=1)
    forms = [
        f"{day:%Y-%m}",
        f"{day:%Y/%m}",
        f"{day:%Y%m}",
        f" {day:%Y-%m} ",
        f"{day:%Y-%m}".translate(AR_DIGITS),
    ]
    assert parse_periods(forms) == [month] * len(forms)


@given(st.integers(min_value=13, max_value=99), st.integers(min_value=1900, max_value=2999))
@settings(max_examples=30, deadline=None)
def test_months_outside_1_to_12_are_refused(month: int, year: int) -> None:
    assert parse_periods([f"{year}-{month:02d}", f"{year}-00", f"{year}-{month}-01"]) == [None] * 3


def test_period_garbage() -> None:
    assert (
        parse_periods(["2024-1", "24-01", "1899-12", "2024-01-15", "janvier", None]) == [None] * 6
    )


COUNTRIES = read_codelist("countries").column("code").to_pylist()


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.sampled_from(COUNTRIES), min_size=1, max_size=15),
    st.sampled_from([str.lower, str.upper, str.title]),
    st.sampled_from(["", " ", "  ", "\t"]),
)
def test_codes_normalise_whatever_the_case_and_padding(
    codes: list[str], case: Callable[[str], str], pad: str
) -> None:
    assert parse_codes([pad + case(c) + pad for c in codes]) == codes


def test_namibia_is_a_code_not_a_missing_value() -> None:
    assert parse_codes(["NA", "na", " Na "]) == ["NA", "NA", "NA"]
    assert "NA" in COUNTRIES


def test_the_months_looked_up_are_those_the_regular_expression_reads() -> None:
    """`MONTHS_WRITTEN` (the declarations' lookup) holds exactly the periods written `YYYY-MM`
    that the expression without it reads, each with the same month; forms around its edges
    (1899, 3000, month 00 and 13, one digit) fall through to the other forms as before."""
    con = offline.connect()
    try:
        con.execute(f"CREATE TABLE m AS {MONTHS_WRITTEN}")
        con.execute(
            """CREATE TABLE s AS SELECT written AS p FROM m UNION ALL
            SELECT strftime(DATE '1899-01-01' + INTERVAL (i) MONTH, '%Y-%m') FROM range(12) t(i)
            UNION ALL SELECT unnest(['3000-01', '2024-00', '2024-13', '2024-1', '24-01',
                                     '202401', '2024/01', ' 2024-01', '٢٠٢٤-٠١', NULL])"""
        )
        lookup = period_value("s.p", "m.month")
        plain = period_value("s.p")
        differ = con.execute(
            f"""SELECT s.p, {lookup}, {plain} FROM s LEFT JOIN m ON m.written = s.p
            WHERE {lookup} IS DISTINCT FROM {plain}"""
        ).fetchall()
        counts = con.execute("SELECT count(*), min(month), max(month) FROM m").fetchone()
    finally:
        con.close()
    assert differ == []
    assert counts == (13_200, dt.date(1900, 1, 1), dt.date(2999, 12, 1))
