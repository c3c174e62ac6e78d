"""digex against an independent plain-Python reading of the documented rules (issue 12, point 7).

About 50,000 generated rows with every kind of fault are loaded by digex and judged by
`reference.py`; every row's outcome (accepted with its value in minor units, or rejected with
its reasons), the counts by reason code and the totals by year, half-year, segment and partner
must agree to the centime.

The files are split by what they depend on. The "stable" store holds files whose rows mean the
same before and after issue 12's new rules for repeated ids and the decimal mark (identical
repeated ids only; no value whose reading changed). The "new rules" store holds conflicting
repeated ids, `1,234` in a file that uses `.` as its decimal mark, and a file with no evidence
for either mark: its tests need the ingest branch.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from tests.crosscheck import generate as gen
from tests.crosscheck import reference as ref
from tests.crosscheck.compare import TODAY, Case, Key, check_counts, check_rows

import digex
from digex.errors import InvalidFile


def load_case(
    tmp: Path,
    files: Sequence[tuple[str, list[gen.Line], dict[str, Any]]],
    rates: Path,
    decimal_mark: str | None = None,
) -> Case:
    rules = ref.Rules.read()
    ref_rates = ref.read_rates([rates], rules)
    kinds: dict[Key, str] = {}
    fields: dict[Key, list[str]] = {}
    expected: list[ref.Row] = []
    paths = []
    for name, lines, options in files:
        path = tmp / name
        for line, kind in gen.write(path, lines, **options).items():
            kinds[(name, line)] = kind
            fields[(name, line)] = lines[line - 2].fields
        expected += ref.load_file(path, rules, ref_rates, TODAY, decimal_mark)
        paths.append(path)
    db = digex.init(tmp / "store.duckdb")
    results = db.load(paths, rates=rates, today=TODAY, decimal_mark=decimal_mark or "auto")
    return Case(db, kinds, fields, expected, results)


@pytest.fixture(scope="module")
def rates(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("rates") / "rates.csv"
    gen.write_rates(path, seed=7)
    return path


@pytest.fixture(scope="module")
def stable(tmp_path_factory: pytest.TempPathFactory, rates: Path) -> Iterator[Case]:
    main = gen.Generator(seed=1, prefix="D", mark=".").rows(43_000)
    comma = gen.Generator(seed=2, prefix="C", mark=",").rows(3_000)
    french = {"header": gen.FRENCH, "delimiter": ";", "bom": True}
    case = load_case(
        tmp_path_factory.mktemp("stable"),
        [("declarations.csv", main, {}), ("virgule.csv", comma, french)],
        rates,
    )
    yield case
    case.db.close()


@pytest.fixture(scope="module")
def new_rules(tmp_path_factory: pytest.TempPathFactory, rates: Path) -> Iterator[Case]:
    dot = gen.Generator(seed=3, prefix="N", mark=".", stable=False).rows(3_000, conflicts=True)
    plain = gen.Generator(seed=4, prefix="P", mark=None).rows(1_000, conflicts=True)
    case = load_case(
        tmp_path_factory.mktemp("new"),
        [("repeated.csv", dot, {}), ("no_mark.csv", plain, {"delimiter": "\t"})],
        rates,
    )
    yield case
    case.db.close()


def digex_totals(case: Case) -> dict[tuple[str, str, str, str], int]:
    out = {}
    for freq in ("A", "H"):  # every cut at once: much faster than one call per cut
        frame = case.db.indicators(freq=freq, by="all", flow=["X", "M"], indicators=["LEVEL"])
        for rec in frame.itertuples():
            if rec.cut not in ("total", "segment", "partner"):
                continue
            centimes = Decimal(repr(rec.value)) * 100
            assert centimes == centimes.to_integral_value(), (rec, "not whole centimes")
            if centimes:  # a member with exports but no imports has a zero import level
                out[(rec.flow, rec.period, rec.cut, rec.member)] = int(centimes)
    return out


def check_totals(case: Case, *, from_indicators: bool = True) -> None:
    want = ref.totals(case.expected)
    got = digex_totals(case) if from_indicators else declared_totals(case)
    diff = {
        k: (got.get(k), want.get(k)) for k in want.keys() | got.keys() if got.get(k) != want.get(k)
    }
    assert not diff, diff


def declared_totals(case: Case) -> dict[tuple[str, str, str, str], int]:
    """The reference's totals made from digex's accepted rows (exact minor units): cheaper than
    the indicators, for the store whose rows are compared one by one anyway."""
    rows = []
    for rec in case.db.declarations().itertuples():
        row = ref.Row("", 0, (), period=(rec.period.year, rec.period.month))
        row.segment, row.partner, row.flow = rec.segment, rec.partner, rec.flow
        row.value_minor = int(rec.value_minor)
        rows.append(row)
    return ref.totals(rows)


def test_files_hold_every_kind_of_fault(stable: Case, new_rules: Case) -> None:
    """The generated files exercise every reason code of the table (and are about 50,000 rows)."""
    rows = stable.expected + new_rules.expected
    counts = ref.reason_counts(rows)
    every = set(gen.Generator(0, "x").faults()) - {"PERIOD_FUTURE_FOREIGN"}
    every |= {"ID_DUPLICATE", "ID_CONFLICT", "AMOUNT_AMBIGUOUS", "ROW_MALFORMED"}
    assert {c for c in every if counts.get(c, 0) < 5} == set()
    assert 48_000 <= len(rows) <= 52_000
    ties = [r for r in stable.expected if r.accepted and r.exact % 1 == Decimal("0.5")]
    assert len(ties) >= 100  # conversions that round half away from zero


def large_amounts(tmp: Path, rates: Path, steps: Sequence[Decimal]) -> Case:
    """Load a file of large amounts: per month and currency with a rate, two amounts of 13-14
    digits with 4 decimals (products beyond a double's 53 bits) and one ending in 5 (a tie in
    MAD); for gold (XAU), amounts `steps` away from the one converting to 9.2e18 minor units."""
    rules = ref.Rules.read()
    ref_rates = ref.read_rates([rates], rules)
    g = gen.Generator(seed=6, prefix="L")
    lines = []
    for (month, currency), rate in sorted(ref_rates.items()):
        label = f"{month[0]}-{month[1]:02d}"
        if currency == "XAU":
            edge = (Decimal(ref.MAX_MINOR) / (rate * 100)).quantize(Decimal("0.0001"))
            amounts = [edge + d for d in steps]
        else:
            amounts = [Decimal(g.rng.randrange(10**16, 10**18)) / 10**4 for _ in range(2)]
        amounts.append(Decimal(g.rng.randrange(10**16, 10**18)) / 10**4 + Decimal("0.0005"))
        for amount in amounts:
            fields = g.valid()
            fields[1], fields[5], fields[6] = label, currency, f"{amount:.4f}"
            lines.append(gen.Line("large", fields))
            mad = [*fields[:5], "MAD", f"{amount:.3f}"[:-1] + "5", fields[7]]
            lines.append(gen.Line("large tie", [g.next_id(), *mad[1:]]))
    path = tmp / "large.csv"
    gen.write(path, lines)
    expected = ref.load_file(path, rules, ref_rates, TODAY)
    db = digex.init(tmp / "store.duckdb")
    return Case(db, {}, {}, expected, db.load([path], rates=rates, today=TODAY))


def test_large_amounts_convert_exactly(tmp_path: Path, rates: Path) -> None:
    """Exact conversion of large amounts, ties half away from zero; gold amounts 0.01 below
    and above the limit are accepted and rejected (AMOUNT_TOO_LARGE)."""
    case = large_amounts(tmp_path, rates, (Decimal("-0.01"), Decimal("0.01")))
    with case.db:
        assert sum(r.reasons == {"AMOUNT_TOO_LARGE"} for r in case.expected) >= 19
        assert sum(r.exact % 1 == Decimal("0.5") for r in case.expected) >= 50
        check_rows(case)


def test_too_large_is_more_than_the_limit(tmp_path: Path, rates: Path) -> None:
    """AMOUNT_TOO_LARGE is a value *more than* 9.2e18 minor units (docs/internals.md): gold
    amounts 1 and 2 ten-thousandths below the limit's amount are accepted."""
    case = large_amounts(tmp_path, rates, (Decimal("-0.0002"), Decimal("-0.0001")))
    with case.db:
        near = [
            r.value_minor
            for r in case.expected
            if r.value_minor is not None and abs(r.value_minor - ref.MAX_MINOR) < 10**12
        ]
        assert near  # the gold amounts just below the limit
        assert all(v <= ref.MAX_MINOR for v in near)
        check_rows(case)


def test_stable_rows(stable: Case) -> None:
    check_rows(stable)


def test_stable_counts_by_reason(stable: Case) -> None:
    check_counts(stable)


def test_stable_totals(stable: Case) -> None:
    check_totals(stable)


def test_new_rules_rows(new_rules: Case) -> None:
    check_rows(new_rules)


def test_new_rules_counts_by_reason(new_rules: Case) -> None:
    check_counts(new_rules)


def test_new_rules_totals(new_rules: Case) -> None:
    check_totals(new_rules, from_indicators=False)


def both_marks(path: Path) -> list[gen.Line]:
    """A small file whose amounts show `.` as the decimal mark on some lines and `,` on
    others (the first evidence for each on lines 4 and 6)."""
    g = gen.Generator(seed=5, prefix="B")
    lines = [gen.Line("ok", g.valid()) for _ in range(8)]
    for i, amount in enumerate(("1500", "1.234", "12.5", "1,234", "12,5", "1,234,567", "7")):
        lines[i].fields[6] = amount
    gen.write(path, lines)
    return lines


def load_with_mark(tmp: Path, rates: Path, mark: str, name: str, *, rates_apart: bool) -> Case:
    """Load `name` (made in `tmp`) with the decimal mark given, the rates either in an earlier
    call (read with no mark given) or in the same call."""
    rules = ref.Rules.read()
    expected = ref.load_file(tmp / name, rules, ref.read_rates([rates], rules), TODAY, mark)
    db = digex.init(tmp / f"{name}.duckdb")
    if rates_apart:
        db.load([], rates=rates, today=TODAY)
    options: dict[str, Any] = {} if rates_apart else {"rates": rates}
    results = db.load([tmp / name], today=TODAY, decimal_mark=mark, **options)  # type: ignore[arg-type]
    return Case(db, {}, {}, expected, results)


def test_decimal_mark_given(tmp_path: Path, rates: Path) -> None:
    """`--decimal` decides the mark: the file with evidence for both marks loads with `.`,
    and the file with no evidence reads `1.234` and `1,234` by the mark given."""
    both_marks(tmp_path / "both.csv")
    plain = gen.Generator(seed=4, prefix="P", mark=None).rows(1_000)
    gen.write(tmp_path / "no_mark.csv", plain, delimiter="\t")
    for mark, name in ((".", "both.csv"), (",", "no_mark.csv")):
        case = load_with_mark(tmp_path, rates, mark, name, rates_apart=True)
        with case.db:
            check_rows(case)
            check_counts(case)


def test_decimal_mark_given_leaves_rates_files_alone(tmp_path: Path, rates: Path) -> None:
    """`--decimal ,` for a declarations file does not change how the rates file loaded in the
    same call is read (its rates, e.g. `10.816`, show `.` as their mark)."""
    plain = gen.Generator(seed=4, prefix="P", mark=None).rows(1_000)
    gen.write(tmp_path / "no_mark.csv", plain, delimiter="\t")
    case = load_with_mark(tmp_path, rates, ",", "no_mark.csv", rates_apart=False)
    with case.db:
        check_rows(case)


def test_evidence_for_both_marks_refuses_the_file(tmp_path: Path, rates: Path) -> None:
    """A file whose values point to both marks is refused as a whole, naming the file, two
    lines that disagree and `decimal_mark`; nothing is stored."""
    path = tmp_path / "both.csv"
    both_marks(path)
    rules = ref.Rules.read()
    with pytest.raises(ref.InvalidFileError, match="lines 4 and 6"):
        ref.load_file(path, rules, ref.read_rates([rates], rules), TODAY)
    with digex.init(tmp_path / "store.duckdb") as db:
        with pytest.raises(InvalidFile) as caught:
            db.load([path], rates=rates, today=TODAY)
        message = str(caught.value)
        assert "both.csv" in message
        assert "decimal_mark=" in message
        assert re.search(r"\b4\b.*\b6\b|\b6\b.*\b4\b", message), message
        assert len(db.loads()) == 0
        assert len(db.declarations()) == 0
