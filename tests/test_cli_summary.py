"""Golden tests of `digex summary` in French and Arabic: every number of the printed table is
parsed back as the language writes it and compared with the indicators of the demo store,
rounded half up by hand as the office publishes them (levels in billions to 3 decimals, shares
and growth in per cent to 1 decimal).

The parsers accept only the language's own forms (fr: decimal comma, narrow no-break space
between thousands, no-break space before %; ar for Morocco: Latin digits, decimal comma, dot
between thousands, an optional left-to-right mark before the minus), so that a number written
in the wrong locale fails here instead of being read some other way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path

import pytest
from tests.conftest import DemoStore
from tests.inprocess import run_here

import digex
from digex.codelists import segments


@dataclass(frozen=True)
class Writing:
    """How a language writes a number in the summary table."""

    decimal: str
    group: str
    minus: str
    percent: str  # what follows the number in the share column
    total: str  # the name of the total row


WRITING = {
    "fr": Writing(",", "\u202f", "-", "\u00a0%", "Total"),
    "ar": Writing(",", ".", "\u200e?-", "\u00a0%", "المجموع"),
}
MARKS = "*†‡"  # a figure on incomplete months, or at or across a break, carries one


def parse(text: str, w: Writing, *, suffix: str = "", signed: bool = False) -> Decimal | None:
    """The number `text` writes in `w`'s language, or None for a dash (no value)."""
    text = text.rstrip(MARKS)
    if text == "—":
        return None
    sign = f"(?P<sign>\\+|{w.minus})" if signed else f"(?P<sign>{w.minus})?"
    group = re.escape(w.group)
    pattern = (
        f"{sign}(?P<int>\\d{{1,3}}(?:{group}\\d{{3}})*)"
        f"(?:{re.escape(w.decimal)}(?P<frac>\\d+))?{re.escape(suffix)}"
    )
    m = re.fullmatch(pattern, text)
    assert m is not None, (text, w)
    digits = m["int"].replace(w.group, "") + ("." + m["frac"] if m["frac"] else "")
    value = Decimal(digits)
    return -value if m["sign"] and m["sign"] != "+" else value


def rounded(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)


def exact(value: float) -> Decimal:
    """A stored amount as the decimal it is (a float of MAD with at most 2 decimals, or an
    unrounded ratio: its shortest repr is the value the engine computed)."""
    return Decimal(repr(value))


def table(stdout: str) -> tuple[list[str], list[list[str]]]:
    """The header cells and the body rows of the printed table."""
    rows = [[c.strip() for c in line.split("│")] for line in stdout.splitlines() if "│" in line]
    header, *body = rows
    return header, body


@dataclass(frozen=True)
class Expected:
    previous: Decimal | None
    level: Decimal | None
    share: Decimal | None
    growth: Decimal | None


@cache
def expected(store: Path, period: str, previous: str) -> dict[str, Expected]:
    """By member code (segments and _T): what the table must show, from the indicators of
    the store at `store` (asked once per period, for both languages)."""
    with digex.connect(store, read_only=True) as db:
        frames = [
            db.indicators([period, previous], by=by, indicators=["LEVEL", "SHARE", "GROWTH_YOY"])
            for by in ("segment", "total")
        ]
    values: dict[tuple[str, str, str], Decimal] = {}
    for frame in frames:
        for ind, per, member, v in zip(
            frame["indicator"], frame["period"], frame["member"], frame["value"], strict=True
        ):
            if v == v:  # not NaN
                values[str(ind), str(per), str(member)] = exact(float(v))

    def get(ind: str, per: str, member: str, scale: int, decimals: int) -> Decimal | None:
        v = values.get((ind, per, member))
        return None if v is None else rounded(v.scaleb(scale), decimals)

    members = [s.code for s in segments()] + ["_T"]
    return {
        m: Expected(
            previous=get("LEVEL", previous, m, -9, 3),
            level=get("LEVEL", period, m, -9, 3),
            share=Decimal("100.0") if m == "_T" else get("SHARE", period, m, 0, 1),
            growth=get("GROWTH_YOY", period, m, 0, 1),
        )
        for m in members
    }


@pytest.mark.parametrize("lang", ["fr", "ar"])
@pytest.mark.parametrize(("period", "previous"), [("2024", "2023"), ("2025-H1", "2024-H1")])
def test_summary_numbers_read_back_as_the_indicators_rounded(
    demo_store: DemoStore, lang: str, period: str, previous: str
) -> None:
    r = run_here(
        ["summary", period, "--lang", lang, "--db", demo_store.path], demo_store.path.parent
    )
    r.ok()
    w = WRITING[lang]
    header, body = table(r.stdout)
    assert header[1:] == [previous, period, "%", "Δ %"]
    names = {s.name(lang): s.code for s in segments()} | {w.total: "_T"}
    want = expected(demo_store.path, period, previous)
    assert [names[row[0]] for row in body] == list(want)  # every segment, then the total
    for row in body:
        code = names[row[0]]
        got = Expected(
            previous=parse(row[1], w),
            level=parse(row[2], w),
            share=parse(row[3], w, suffix=w.percent),
            growth=parse(row[4], w, signed=True),
        )
        assert got == want[code], (lang, period, row)
    # the published figures themselves, as DESIGN.md prints them
    total = next(row for row in body if row[0] == w.total)
    # 2023 is the first year of the five-segment perimeter (MA's series break): marked
    published = {"2024": ("26,170‡", "26,219", "+0,2"), "2025-H1": ("12,930", "13,380", "+3,5")}
    assert (total[1], total[2], total[4]) == published[period]
