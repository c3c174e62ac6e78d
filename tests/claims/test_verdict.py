"""The verdict's reasoning with rounding intervals, computed by hand (Decimal, Fraction) on a
tiny release built in code: 13.4 against 12.9 gives 3.9 %, yet 3.5 % is consistent with them."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction

import pytest
from tests.claims import tiny

from digex.claims.check import check_text
from digex.claims.verdict import growth_range, recomputed
from digex.publish.figures import ReleaseFigures
from digex.publish.quantities import Quantity


@pytest.fixture(scope="module")
def h1() -> ReleaseFigures:
    return tiny.release()


def bn(value: str) -> Quantity:
    d = Decimal(value)
    return Quantity(0, 0, value, d, -int(d.as_tuple().exponent), 9, "MAD", False)


def verdicts(text: str, release: ReleaseFigures) -> list[tuple[str, str, str | None]]:
    report = check_text(text, [release], lang="en")
    return [(v.claim.text, v.status, v.cause) for v in report.verdicts]


def test_a_level_stands_for_the_values_that_round_to_it() -> None:
    q = bn("13.4")
    assert q.interval() == (Decimal("13.35e9"), Decimal("13.45e9"))
    assert q.rounds_from(Decimal("13350000000"))
    assert not q.rounds_from(Decimal("13450000000"))


def test_growth_from_rounded_levels_by_hand() -> None:
    """13.4 / 12.9 - 1 = 3.876 %, which rounds to 3.9; the levels' intervals [13.35, 13.45)
    and [12.85, 12.95) allow any change from 13.35/12.95 - 1 = 3.089 % to 13.45/12.85 - 1 =
    4.669 %; the unrounded 13.38 / 12.93 - 1 = 3.480 % is inside, and is what 3.5 % says."""
    level, base = bn("13.4"), bn("12.9")
    got = recomputed(level, base)
    assert Fraction(got).limit_denominator(10**6) == Fraction(134, 129) * 100 - 100
    assert round(got, 1) == Decimal("3.9")
    low, high = growth_range(level, base)
    assert Fraction(low).limit_denominator(10**6) == Fraction(1335, 1295) * 100 - 100
    assert Fraction(high).limit_denominator(10**6) == Fraction(1345, 1285) * 100 - 100
    assert (round(low, 3), round(high, 3)) == (Decimal("3.089"), Decimal("4.669"))
    official = Decimal(1338) / Decimal(1293) * 100 - 100
    assert low < official < high
    assert round(official, 1) == Decimal("3.5")


def test_the_published_growth_is_consistent_and_the_recomputed_one_is_rounding(
    h1: ReleaseFigures,
) -> None:
    text = (
        "Exports reached 13.4 billion dirhams in the first half of 2025, against 12.9 billion "
        "a year earlier, a rise of 3.5%. Yet 13.4 against 12.9 is a rise of 3.9%: the office "
        "got it wrong."
    )
    report = check_text(text, [h1], lang="en")
    got = [(v.claim.text, v.status, v.cause) for v in report.verdicts]
    assert got == [
        ("13.4 billion dirhams", "consistent", None),
        ("12.9 billion", "consistent", None),
        ("3.5%", "consistent", None),
        ("3.9%", "inconsistent", "rounding"),
    ]
    why = report.verdicts[-1].explanation
    assert "from 3.09 % to 4.67 %" in why
    assert "consistent with the rounded levels" in why
    assert report.verdicts[-1].official == "+3.5%"


def test_the_causes_of_a_dollar_sign_a_wrong_half_and_a_wrong_segment(
    h1: ReleaseFigures,
) -> None:
    text = (
        "Exports were $13.4 billion in the first half of 2025. "
        "In the first half of 2024 exports were 13.4 billion dirhams. "
        "IT outsourcing took 34.6% of the total in the first half of 2025. "
        "Exports were 13.4 million dirhams in the first half of 2025."
    )
    assert verdicts(text, h1) == [
        ("$13.4 billion", "inconsistent", "currency"),
        ("13.4 billion dirhams", "inconsistent", "period"),
        ("34.6%", "inconsistent", "segment"),
        ("13.4 million dirhams", "inconsistent", "magnitude"),
    ]


def test_bounds_ranges_round_figures_and_multiples(h1: ReleaseFigures) -> None:
    """ITO's share is 41.48 %, the total 13.38 bn, ITO 5.55 bn against BPO's 2.7 bn (2.06
    times) and CRM's 4.63 bn (1.2 times)."""
    text = (
        "In the first half of 2025 IT outsourcing took over 40% of the total. "
        "IT outsourcing took more than 45% of the total. "
        "IT outsourcing took between 40 and 42% of the total. "
        "Exports reached about 13 billion dirhams. "
        "IT outsourcing exports were twice those of business process outsourcing. "
        "IT outsourcing exports were twice those of customer relationship management."
    )
    assert [s for _, s, _ in verdicts(text, h1)] == [
        "consistent",
        "inconsistent",
        "consistent",
        "consistent",
        "consistent",
        "inconsistent",
    ]


def test_words_that_choose_the_figure(h1: ReleaseFigures) -> None:
    """ "contributed ... points" is a contribution, "imports" the flow M, and "from X in 2024
    to Y in 2025" gives each number the period after it."""
    text = (
        "IT outsourcing contributed 2.4 percentage points to growth in the first half of 2025. "
        "Imports reached MAD 0.5 billion in the first half of 2025. "
        "Exports rose from 12.9 billion dirhams in the first half of 2024 to 13.4 billion in "
        "the first half of 2025."
    )
    report = check_text(text, [h1], lang="en")
    got = [(v.claim.text, v.figure, v.status) for v in report.verdicts]
    assert got == [
        ("2.4 percentage points", "CONTRIBUTION/X/segment/ITO/2025-H1", "consistent"),
        ("MAD 0.5 billion", "LEVEL/M/total/_T/2025-H1", "consistent"),
        ("12.9 billion dirhams", "LEVEL/X/total/_T/2024-H1", "consistent"),
        ("13.4 billion", "LEVEL/X/total/_T/2025-H1", "consistent"),
    ]


def test_the_official_value_is_written_as_the_claim_writes_it(h1: ReleaseFigures) -> None:
    """Arabic-Indic digits and the Arabic decimal mark when the claim has them."""
    text = "بلغت الصادرات ١٣٫٣ مليار درهم في النصف الأول من 2025، و13,3 مليار درهم."
    report = check_text(text, [h1], lang="ar")
    assert [(v.status, v.official) for v in report.verdicts] == [
        ("inconsistent", "١٣٫٤ مليار درهم"),
        ("inconsistent", "13,4 مليار درهم"),
    ]


def test_a_confidential_figure_is_not_checkable_and_never_shown(h1: ReleaseFigures) -> None:
    text = "Knowledge process outsourcing exported 30 million dirhams in the first half of 2025."
    report = check_text(text, [h1], lang="en")
    (v,) = report.verdicts
    assert (v.status, v.official, v.cause) == ("not checkable", None, None)
    assert "confidential" in v.explanation
    shown = json.dumps(report.as_json(), ensure_ascii=False)
    assert [s for s in ("26123456", "26.1", "26,1", "0.026", "0.03") if s in shown] == []
