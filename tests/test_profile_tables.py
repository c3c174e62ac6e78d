"""The tables a country profile declares (`[[table]]`): parsed, defaulted, and refused with
the table and key named."""

from __future__ import annotations

import pytest
from tests.test_profile import MINIMAL

from digex.errors import ProfileError
from digex.indicators.tables import DEFAULT_TABLES, PublishedTable
from digex.profile import load_profile, profile_from_text

TOTAL = '[[table]]\ncut = "total"\n'


def _tables(text: str) -> tuple[PublishedTable, ...]:
    return profile_from_text(MINIMAL + text, source="XX", where="xx.toml").tables


def test_morocco_declares_its_tables_with_the_redesign_for_kpo() -> None:
    ma = load_profile("MA")
    assert ma.version == "2026.6"
    by_cut = {t.cut: t for t in ma.tables}
    assert list(by_cut) == [
        "total", "segment", "ebops", "partner", "region", "currency", "segment_region",
    ]  # fmt: skip
    exports = ("X",)
    every = ("A", "H", "Q", "M")
    assert by_cut["total"] == PublishedTable("total", every, True, headline=True)
    assert by_cut["segment"] == PublishedTable("segment", every, True, (), exports, True)
    assert by_cut["ebops"] == PublishedTable("ebops", ("A", "Q"), False, (), exports)
    assert by_cut["partner"] == PublishedTable("partner", ("A",), False, (), exports)
    assert by_cut["region"] == PublishedTable("region", ("A", "H", "Q"), False, (), exports)
    assert by_cut["currency"] == PublishedTable("currency", ("A",), False, (), exports)
    # KPO by region, yearly, protected inside its own table
    assert by_cut["segment_region"] == PublishedTable("segment_region", ("A",), False, (), exports)
    assert [t.cut for t in ma.tables if t.headline] == ["total", "segment"]
    # imports as the sector's total only; a balance needs both flows
    segment = by_cut["segment"]
    assert [segment.publishes("M", "KPO", w) for w in ("X", "M", "N")] == [True, False, False]
    assert by_cut["total"].publishes("Q", "_T", "N")
    # the block sits just before the series breaks
    text = ma.text
    assert text.index("[[table]]") < text.index("[[break]]")
    assert text.rindex("[[table]]") < text.index("# Series breaks")


def test_a_profile_without_tables_publishes_the_default_ones() -> None:
    assert _tables("") == DEFAULT_TABLES
    assert [t.cut for t in DEFAULT_TABLES] == [
        "total", "segment", "ebops", "partner", "region", "currency",
    ]  # fmt: skip


def test_defaults_and_order_inside_a_table() -> None:
    text = TOTAL + '[[table]]\ncut = "region"\nfreqs = ["Q", "A"]\n'
    total, region = _tables(text)
    assert total == PublishedTable("total", ("A", "H", "Q", "M"), True, ())
    assert region.freqs == ("A", "Q")
    assert region.ytd is True
    assert not total.headline
    assert not region.headline


def test_a_headline_table_is_declared_with_a_boolean() -> None:
    (total,) = _tables('[[table]]\ncut = "total"\nheadline = true\n')
    assert total.headline is True


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[table]]\ncut = "segment"\n', r'no \[\[table\]\] with cut = "total"'),
        (TOTAL + '[[table]]\ncut = "colour"\n', r"\[\[table\]\] 2 \(colour\): `cut` 'colour'"),
        (TOTAL + '[[table]]\nfreqs = ["A"]\n', r"\[\[table\]\] 2: `cut` None"),
        (TOTAL + '[[table]]\ncut = "total"\n', "cut 'total' appears twice"),
        (
            TOTAL + '[[table]]\ncut = "partner"\nfreqs = ["A", "W"]\n',
            r"\[\[table\]\] 2 \(partner\): `freqs`: unknown frequency 'W'",
        ),
        (TOTAL + '[[table]]\ncut = "partner"\nfreqs = []\n', "`freqs` must be a non-empty"),
        (TOTAL + '[[table]]\ncut = "partner"\nytd = "no"\n', "`ytd` must be true or false"),
        (TOTAL + '[[table]]\ncut = "partner"\nyearly = true\n', "unknown key 'yearly'"),
        (TOTAL + '[[table]]\ncut = "segment"\nheadline = 1\n', "`headline` must be true or false"),
        (
            TOTAL
            + '[[table]]\ncut = "segment_partner"\nfreqs = ["A", "H"]\n'
            + 'coarser = [{ members = ["KPO.*"], freqs = ["Q"] }]\n',
            r"\(segment_partner\): `coarser` 1: `freqs` Q not among the table's A, H",
        ),
        (
            TOTAL + '[[table]]\ncut = "segment_partner"\ncoarser = [{ freqs = ["A"] }]\n',
            r"`coarser` 1: `members` must be a non-empty list",
        ),
        (
            TOTAL + '[[table]]\ncut = "partner"\ncoarser = [{ members = ["FR"], grid = 1 }]\n',
            r"`coarser` 1: unknown key 'grid'",
        ),
    ],
)
def test_a_mistaken_table_is_refused_naming_the_table_and_key(text: str, message: str) -> None:
    with pytest.raises(ProfileError, match=message) as raised:
        _tables(text)
    assert "xx.toml" in str(raised.value)


def test_a_table_that_is_no_array_of_tables_is_refused() -> None:
    with pytest.raises(ProfileError, match=r"xx\.toml: `table` must be an array of tables"):
        profile_from_text('table = "total"\n' + MINIMAL, source="XX", where="xx.toml")
