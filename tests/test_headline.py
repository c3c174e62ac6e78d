"""digex.publish.headline: the headline table's text, cell by cell, without a renderer."""

from __future__ import annotations

from fractions import Fraction

import pytest

from digex.errors import UsageError
from digex.indicators import status as st
from digex.publish.headline import check_lang, shape
from digex.publish.rounding import ROUNDING_NOTE
from digex.publish.summary import Headline, HeadlineRow

ROWS = [
    HeadlineRow(
        "ITO",
        "IT outsourcing",
        previous=Fraction(102005, 10000),  # 10.2005: a tie, rounded up to 10.201
        level=Fraction(10578, 1000),
        growth=Fraction(-81, 10),
        share=Fraction(4025, 100),  # 40.25 -> 40.3
        level_completeness=st.INCOMPLETE_PERIOD,
        growth_completeness=st.INCOMPLETE_BASE,
    ),
    HeadlineRow(
        "KPO",
        "Knowledge process",
        previous=None,
        level=Fraction(48, 1000),
        growth=None,
        share=Fraction(2, 10),
        growth_completeness=st.INCOMPLETE_BASE,
    ),
    HeadlineRow(
        "_T", "Total", Fraction(26170, 1000), Fraction(26219, 1000), Fraction(2, 10), Fraction(100)
    ),
]
HEADLINE = Headline("2025-H1", "2024-H1", "Exports, 2025-H1", ROWS, "P", st.INCOMPLETE_PERIOD)


def test_cells_are_rounded_half_up_written_for_the_locale_and_marked() -> None:
    en = shape(HEADLINE, "en", "en", synthetic=True)
    assert en.title == "Exports, 2025-H1 — SYNTHETIC DEMO DATA [incomplete period] [OBS_STATUS P]"
    assert en.columns == ("", "2024-H1", "2025-H1", "%", "Δ %")
    assert [line.cells for line in en.lines] == [
        ("10.201", "10.578*", "40.3%*", "-8.1†"),
        ("—", "0.048", "0.2%", "—"),  # what cannot be computed carries no mark
        ("26.170", "26.219", "100.0%", "+0.2"),
    ]
    assert [line.total for line in en.lines] == [False, False, True]
    assert en.notes == [
        st.NOTES["en"][st.INCOMPLETE_BASE],
        st.NOTES["en"][st.INCOMPLETE_PERIOD],
        ROUNDING_NOTE["en"],
    ]
    fr = shape(HEADLINE, "fr", "fr")
    assert fr.title == "Exports, 2025-H1 [période incomplète] [OBS_STATUS P]"
    assert fr.lines[0].cells == ("10,201", "10,578*", "40,3\u00a0%*", "-8,1†")
    assert fr.notes[-1] == ROUNDING_NOTE["fr"]


def test_a_language_the_profile_does_not_publish_names_the_parameter() -> None:
    check_lang("fr", ("ar", "fr", "en"))
    with pytest.raises(UsageError, match=r"^lang='de': use one of ar, fr, en$"):
        check_lang("de", ("ar", "fr", "en"))
