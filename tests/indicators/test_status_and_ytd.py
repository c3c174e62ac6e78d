"""Status of derived figures, year to date of members that vanish, and the summary of a
partial year, checked against plain-Python (Decimal) computations on `partial_years`."""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console
from tests.indicators import partial_years as data

import digex
from digex.api import Digex
from digex.cli import headline_table
from digex.indicators import cache
from digex.indicators import status as st
from digex.indicators.consistency import _cut_checks, check_kept
from digex.indicators.periods import MONTHS, PER_YEAR
from digex.releases.breaks import flag_frame
from digex.store import kept

FREQS = ("A", "H", "Q", "M")


@pytest.fixture(scope="module")
def path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return data.build(tmp_path_factory.mktemp("partial"))


@pytest.fixture(scope="module")
def db(path: Path) -> Iterator[Digex]:
    with digex.connect(path, read_only=True) as store:
        yield store


def period_of(month: str, freq: str) -> tuple[int, int]:
    year, m = int(month[:4]), int(month[5:7])
    return year, (m - 1) // MONTHS[freq] + 1


def months_of(year: int, sub: int, freq: str) -> list[str]:
    first = (sub - 1) * MONTHS[freq] + 1
    return [f"{year}-{m:02d}" for m in range(first, first + MONTHS[freq])]


def label(year: int, sub: int, freq: str) -> str:
    return {
        "A": f"{year}",
        "H": f"{year}-H{sub}",
        "Q": f"{year}-Q{sub}",
        "M": f"{year}-{sub:02d}",
    }[freq]


def parse(text: str, freq: str) -> tuple[int, int]:
    year = int(text[:4])
    return year, 1 if freq == "A" else int(text[-1] if freq in "HQ" else text[5:])


def complete(months: list[str]) -> bool:
    return all(m in data.MONTHS for m in months)


def span(year: int, sub: int, freq: str, kind: str) -> list[str]:
    """The months a figure of kind `kind` reads, by the rule of `digex.indicators.status`."""
    n = PER_YEAR[freq]
    if kind == "own":
        return months_of(year, sub, freq)
    if kind == "pop":
        o = year * n + sub - 2
        return months_of(o // n, o % n + 1, freq)
    if kind == "yoy":
        return months_of(year - 1, sub, freq)
    if kind == "ytd":
        return [m for s in range(1, sub + 1) for m in months_of(year, s, freq)]
    return [m for s in range(1, sub + 1) for m in months_of(year - 1, s, freq)]


@pytest.mark.parametrize("freq", FREQS)
def test_every_figure_takes_the_completeness_of_every_period_it_reads(db: Digex, freq: str) -> None:
    frame = db.indicators(freq=freq, by="segment", flow=["X"])
    frame = pd.concat([frame, db.indicators(freq=freq, by="total", flow=["X"])])
    # A, but at and across the profile's series break of 2023 (B: tests/releases/test_breaks*)
    broken = flag_frame(frame, db.profile.breaks)
    touched = ((broken["break_at"] + broken["break_across"]) != "").to_numpy()
    assert set(frame["obs_status"][~touched]) == {"A"}
    assert set(frame["obs_status"][touched]) <= {"B"}
    own_kind = {"YTD_LEVEL": "ytd", "YTD_GROWTH": "ytd"}
    base_kind = {
        "GROWTH_YOY": "yoy",
        "CONTRIBUTION": "yoy",
        "GROWTH_POP": "pop",
        "FIRM_ENTRIES": "pop",
        "FIRM_EXITS": "pop",
        "YTD_GROWTH": "ytd_yoy",
    }
    checked = defaultdict(int)
    for r in frame.itertuples():
        year, sub = parse(str(r.period), freq)
        own = complete(span(year, sub, freq, own_kind.get(str(r.indicator), "own")))
        kind = base_kind.get(str(r.indicator))
        base = kind is None or complete(span(year, sub, freq, kind))
        expected = "complete" if own and base else "incomplete_period" if not own else ""
        expected = expected or "incomplete_base"
        assert r.completeness == expected, (r.indicator, r.period, r.member)
        checked[expected] += 1
    # the data hold every case
    assert checked["incomplete_base"]
    assert checked["incomplete_period"]
    assert checked["complete"]


def test_growth_on_a_december_only_year_is_marked(db: Digex) -> None:
    """2021 holds December only: 2022's growth on it is on an incomplete base."""
    frame = db.indicators("2022", indicators=["LEVEL", "GROWTH_YOY", "CONTRIBUTION"], by="segment")
    growth = frame[frame["indicator"] != "LEVEL"]
    assert set(growth["completeness"]) == {"incomplete_base"}
    assert set(frame.loc[frame["indicator"] == "LEVEL", "completeness"]) == {"complete"}


def hand_ytd(cut: int, freq: str) -> dict[tuple[str, str], Decimal]:
    """Year to date per member (column `cut` of a row) and period with data, for every member
    with declarations earlier in the year."""
    covered = {period_of(m, freq) for m in data.MONTHS}
    out: dict[tuple[str, str], Decimal] = {}
    for year, sub in covered:
        sums: dict[str, Decimal] = defaultdict(Decimal)
        for r in data.ROWS:
            y, s = period_of(r[0], freq)
            if y == year and s <= sub:
                sums[r[cut]] += data.amount(r)
        for member, value in sums.items():
            out[(label(year, sub, freq), member)] = value
    return out


@pytest.mark.parametrize("freq", FREQS)
@pytest.mark.parametrize(("by", "column"), [("partner", 3), ("segment", 2)])
def test_year_to_date_never_loses_a_member(db: Digex, freq: str, by: str, column: int) -> None:
    frame = db.indicators(freq=freq, by=by, indicators=["YTD_LEVEL", "YTD_GROWTH"])
    ytd = frame[frame["indicator"] == "YTD_LEVEL"]
    got = {(str(r.period), str(r.member)): Decimal(repr(r.value)) for r in ytd.itertuples()}
    expected = hand_ytd(column, freq)
    assert {k: v for k, v in got.items() if k in expected} == expected
    # a member with no declarations so far this year (but some a year earlier) is at zero
    assert all(v == 0 for k, v in got.items() if k not in expected)
    totals = db.indicators(freq=freq, indicators=["YTD_LEVEL"])
    for period, total in zip(totals["period"], totals["value"], strict=True):
        members = sum(v for (p, _), v in got.items() if p == period)
        assert members == Decimal(repr(total))
    # the comparison year's year to date too
    growth = frame[frame["indicator"] == "YTD_GROWTH"]
    found = {(str(r.period), str(r.member)): float(r.value) for r in growth.itertuples()}
    for (period, member), value in expected.items():
        year, sub = parse(period, freq)
        before = expected.get((label(year - 1, sub, freq), member))
        if before:
            hand = (value / before - 1) * 100
            assert found[(period, member)] == pytest.approx(float(hand), rel=1e-12, abs=1e-12)


def test_spanish_year_to_date_carries_on_after_january(db: Digex) -> None:
    frame = db.indicators(
        ["2023-Q3", "2024-Q2"], by="partner", indicators=["YTD_LEVEL", "YTD_GROWTH"]
    )
    es = frame[frame["member"] == "ES"].set_index(["period", "indicator"])["value"]
    assert es["2023-Q3", "YTD_LEVEL"] == 81.80
    assert es["2024-Q2", "YTD_LEVEL"] == 30.00
    # 2024-Q2 against 2023-Q2, where ES had no declaration of its own
    assert es["2024-Q2", "YTD_GROWTH"] == pytest.approx((30 / 81.8 - 1) * 100, rel=1e-12)


def render(db: Digex, period: str, lang: str = "en") -> str:
    console = Console(file=io.StringIO(), width=200, color_system=None)
    console.print(headline_table(db, period, lang))
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert isinstance(text, str)
    return text


def line(text: str, name: str) -> list[str]:
    [row] = [r for r in text.splitlines() if r.strip("│ ").startswith(name)]
    return [c.strip() for c in row.strip("│").split("│")]


def test_summary_marks_growth_on_an_incomplete_base(db: Digex) -> None:
    text = render(db, "2022")
    # 420.00 against 10.00 (December 2021 alone): +4,100.0 %, never shown as a plain number
    assert line(text, "Total")[-1] == "+4,100.0†"
    assert "† incomplete base" in text


def test_summary_of_a_half_loaded_year_is_marked_everywhere(db: Digex) -> None:
    text = render(db, "2024", "fr")
    title = "\n".join(text.split("│")[0].splitlines()[:-1])  # the lines above the table
    assert "[période incomplète]" in " ".join(title.split())
    total = line(text, "Total")
    # 2023 is complete (at MA's series break: ‡); 2024's level, share and growth (150 against
    # 400) are marked
    assert total[1] == "0,000‡"
    assert total[2] == "0,000*"
    assert total[4] == "-62,5*"
    assert "* période incomplète" in text


def test_summary_rounds_exact_ties_half_up(db: Digex) -> None:
    text = render(db, "2023")
    # CRM: 80.00 -> 81.80 is exactly +2.25 %; BPO: 115 of 400 is exactly 28.75 % (2023 is
    # at MA's series break, 2022 before it: ‡)
    assert line(text, "Customer relationship")[-1] == "+2.3‡"
    assert line(text, "Business process")[3] == "28.8%‡"
    assert line(text, "Total")[-1] == "-4.8‡"
    assert "incomplete" not in text


def test_check_fails_when_a_kept_year_to_date_is_removed(path: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(path.read_bytes())
    with digex.connect(copy) as store:
        store.precompute(("A", "H", "Q"))
        # the kept rows pass as kept (the rows `check` reads; the whole check below then
        # fails on these two alone, so every other check passes too: one whole check, ~4 s)
        with store.store.snapshot() as snap:
            held = kept.every(snap.con, cache.state_of(snap.content(), store.profile))
        assert len(held) > 0
        assert all(r.ok for r in check_kept(held, store.profile.minor_units))
        # a release would publish the kept rows: lose one member's year to date there
        store.store.con.execute(
            "DELETE FROM indicator_cache WHERE indicator = 'YTD_LEVEL' AND cut = 'partner' "
            "AND member = 'ES' AND period = '2024-H1'"
        )
        failed = [r.name for r in store.check() if not r.ok]
    assert failed == [
        "kept results: every member with a level has a year-to-date level",
        "kept results: year-to-date levels sum to the total's",
    ]


def test_status_model_precedence() -> None:
    assert st.worst_obs(["A", "P"]) == "P"
    assert st.worst_obs(["P", "E", "F"]) == "E"
    assert st.worst_obs(["E", "B", "A"]) == "B"
    assert st.worst_obs(["A", "Z"]) == "B"  # an unknown status never looks better
    assert st.worst_obs([]) == "A"
    assert st.worst_completeness(["complete", "incomplete_base"]) == "incomplete_base"
    assert st.worst_completeness(["incomplete_period", "incomplete_base"]) == "incomplete_period"
    assert st.cell("A", "incomplete_base") == "A †incomplete base"


def test_tidy_shares_and_growth_are_the_doubles_nearest_the_exact_values(db: Digex) -> None:
    frame = db.indicators("2023", by="segment", indicators=["SHARE", "GROWTH_YOY"])
    values = frame.set_index(["member", "indicator"])["value"]
    # 81.80 / 80.00 is exactly +2.25 %, 115 of 400 exactly 28.75 %, 203.20 of 400 50.8 %
    assert values["CRM", "GROWTH_YOY"] == 2.25
    assert values["BPO", "SHARE"] == 28.75
    assert values["ITO", "SHARE"] == 50.8
    assert values["BPO", "GROWTH_YOY"] == 15.0


def test_check_fails_when_the_engine_loses_a_member_year_to_date(db: Digex) -> None:
    """The identity itself: the engine's figures pass; without ES's 2023-Q2 row (the row the
    engine did not make before, ES having no declaration that quarter) they fail."""
    main = db.engine().main_cells("Q", ("partner",)).execute()
    parts, total = main[main["cut"] == "partner"], main[main["cut"] == "total"]
    name = "partner year-to-date levels sum to the total's (Q)"

    def ytd_check(rows: pd.DataFrame) -> bool:
        [result] = [r for r in _cut_checks(rows, total, "Q", "partner") if r.name == name]
        return result.ok

    assert ytd_check(parts)
    es_q2 = (parts["member"] == "ES") & (parts["ordinal"] == 2023 * 4 + 1)
    assert es_q2.sum() == 1
    assert not ytd_check(parts[~es_q2])
