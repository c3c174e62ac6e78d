"""The reference implementation against the examples written in the rules themselves, and the
generator's amounts read back by it: a cross-check is only as good as its reference."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.crosscheck import generate as gen
from tests.crosscheck import reference as ref


@pytest.mark.parametrize(
    ("text", "mark"),
    [
        ("1,234.5", "."),
        ("1,234,567", "."),
        ("12.5", "."),
        ("0.1234", "."),
        ("1234.567", "."),
        ("1.234,5", ","),
        ("1.234.567", ","),
        ("12,5", ","),
        ("1234,567", ","),
        ("1500", None),
        ("1.234", None),
        ("1,234", None),
        ("-1,234.5", "."),
        ("١٢,٥", ","),
        (" 12.5 ", "."),
    ],
)
def test_evidence_of_the_rules_examples(text: str, mark: str | None) -> None:
    assert ref.evidence(text) == mark


@pytest.mark.parametrize(
    ("text", "mark", "value"),
    [
        ("1,234,567.5", ".", "1234567.5"),
        ("1.234.567,5", ",", "1234567.5"),
        ("1.234", ".", "1.234"),
        ("1,234", ".", "1234"),
        ("1.234", ",", "1234"),
        ("1.234", None, "AMOUNT_AMBIGUOUS"),
        ("1,234", None, "AMOUNT_AMBIGUOUS"),
        ("1500", None, "1500"),
        ("١٥٠٠", None, "1500"),
        ("+12.5", ".", "12.5"),
        ("-12.5", ".", "-12.5"),
        ("1,23.4", ".", "AMOUNT_INVALID"),
        ("12,3456.7", ".", "AMOUNT_INVALID"),
        ("1234,567.5", ".", "AMOUNT_INVALID"),
        ("12.34567", ".", "AMOUNT_INVALID"),
        ("12.3456", ".", "12.3456"),
        ("99999999999999.9999", ".", "99999999999999.9999"),
        ("123456789012345", ".", "AMOUNT_INVALID"),
        ("1e5", ".", "AMOUNT_INVALID"),
        ("12.5.1", ".", "AMOUNT_INVALID"),
    ],
)
def test_amounts_of_the_rules_examples(text: str, mark: str | None, value: str) -> None:
    got = ref.parse_amount(text, mark)
    assert (got if isinstance(got, str) else Decimal(value)) == (
        value if isinstance(got, str) else got
    )


def test_one_mark_per_file() -> None:
    assert ref.file_mark([(2, "1500"), (3, "1.234"), (4, "12.5")]) == (".", None)
    assert ref.file_mark([(2, "1,234"), (3, "1.234")]) == (None, None)
    assert ref.file_mark([(2, "1.234"), (3, "12,5"), (4, "12.5"), (5, "1,5")]) == (None, (4, 3))


@pytest.mark.parametrize(
    ("amount", "rate", "minor"),
    [
        ("0.005", "1", 1),  # 0.5 -> 1
        ("0.0049", "1", 0),
        ("0.01", "10.5", 11),  # 10.5 -> 11
        ("0.03", "10.5", 32),  # 31.5 -> 32
        ("100.005", "10.8", 108005),  # 108005.4
        ("99999999999999.9999", "92", 919999999999999999),  # .08
        ("99999999999999.9999", "28500.12345678", 285001234567799999715),  # 31 digits,
    ],
)
def test_minor_units_round_half_away_from_zero(amount: str, rate: str, minor: int) -> None:
    assert ref.to_minor(Decimal(amount), Decimal(rate)) == minor


def test_periods() -> None:
    assert ref.parse_period("2024-05") == ref.parse_period("202405") == (2024, 5)
    assert ref.parse_period("2024/05") == ref.parse_period("٢٠٢٤-٠٥") == (2024, 5)
    for bad in ("2024-13", "2024-00", "2024.05", "24-05", "2024-5", "1899-12", "3000-01"):
        assert ref.parse_period(bad) is None, bad


def _rows(tmp_path: Path, lines: list[list[str]]) -> list[ref.Row]:
    path = tmp_path / "d.csv"
    gen.write(path, [gen.Line("", f) for f in lines])
    return ref.load_file(path, ref.Rules.read(), {}, dt.date(2025, 7, 15))


def test_repeated_ids(tmp_path: Path) -> None:
    """Identical copies (trimmed): the lowest line kept; differing copies: all ID_CONFLICT,
    each with its own reasons too."""
    ok = ["A", "2024-01", "001234567000089", "ITO", "FR", "MAD", "10", "X"]
    bad = ["B", "2024-13", "001234567000089", "ITO", "FR", "MAD", "10", "X"]
    other = ["B", "2024-01", "001234567000089", "ITO", "FR", "MAD", "10", "X"]
    padded = [f" {f} " for f in ok]
    rows = _rows(tmp_path, [bad, ok, padded, ok, other])
    assert [sorted(r.reasons) for r in rows] == [
        ["ID_CONFLICT", "PERIOD_INVALID"],
        [],
        ["ID_DUPLICATE"],
        ["ID_DUPLICATE"],
        ["ID_CONFLICT"],
    ]


def test_codes_case_insensitive_and_ebops_mapped(tmp_path: Path) -> None:
    row = ["A", "2024/01", "001234567000089", "sj35", "fr", "mad", "10", "x"]
    (got,) = _rows(tmp_path, [row])
    assert (got.reasons, got.segment, got.partner, got.flow, got.value_minor) == (
        set(),
        "CRM",
        "FR",
        "X",
        1000,
    )
    for segment in ("SI", "SI1", "SJ2", "SJ3"):  # aggregates and telecoms: no segment
        (got,) = _rows(tmp_path, [[*row[:3], segment, *row[4:]]])
        assert got.reasons == {"SEGMENT_UNKNOWN"}


@given(
    value=st.decimals(
        min_value=Decimal("0.0001"), max_value=Decimal("99999999999998.9999"), places=4
    ),
    decimals=st.integers(0, 4),
    mark=st.sampled_from([".", ","]),
    stable=st.booleans(),
    seed=st.integers(0, 2**32),
)
def test_generated_amounts_read_back(
    value: Decimal, decimals: int, mark: str, stable: bool, seed: int
) -> None:
    """Whatever form the generator writes a value in (grouped, Arabic-Indic digits, a sign),
    the reference reads it back with the file's mark."""
    value = value.quantize(Decimal(1).scaleb(-decimals))
    text = gen.Generator(seed, "x", mark, stable=stable).amount(value, decimals)
    assert ref.parse_amount(text, mark) == value
    assert ref.evidence(text) in (mark, None)


def test_reference_does_not_depend_on_row_order(tmp_path: Path) -> None:
    """The rules' consequence: shuffled rows give the same accepted declarations and the same
    rejected ids with the same reasons (line numbers aside)."""
    lines = gen.Generator(seed=3, prefix="N", stable=False).rows(3_000, conflicts=True)
    rules = ref.Rules.read()
    outcomes = []
    for seed in (0, 1):
        random.Random(seed).shuffle(lines)
        path = tmp_path / f"shuffled{seed}.csv"
        gen.write(path, lines)
        rows = ref.load_file(path, rules, {}, dt.date(2025, 7, 15))
        accepted = sorted((r.fields, r.value_minor) for r in rows if r.accepted)
        rejected = sorted((r.fields, sorted(r.reasons)) for r in rows if r.fields and r.reasons)
        outcomes.append((accepted, rejected))
    assert outcomes[0] == outcomes[1]
    assert any("ID_CONFLICT" in reasons for _, reasons in outcomes[0][1])
