"""Every indicator checked against expectations computed by hand, in plain Python.

The fixture is 48 declarations: two years, four months, three segments, four partners, six
firms, exports and imports, in MAD and EUR. The expectations below never call the engine.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

import pandas as pd
import pytest
from tests.conftest import TODAY, write_csv

import digex
from digex.api import Digex

FIRMS = {f"F{i}": f"{i:015d}" for i in range(1, 7)}
EUR = {"2023-01": 10.0, "2023-07": 11.0, "2024-01": 10.5, "2024-07": 12.0}
USD = {"2023-01": 9.0, "2023-07": 9.5, "2024-01": 10.0, "2024-07": 8.0}
# (period, firm, segment, partner, currency, amount, flow)
ROWS = [
    ("2023-01", "F1", "ITO", "FR", "MAD", 100, "X"),
    ("2023-01", "F1", "ITO", "ES", "MAD", 50, "X"),
    ("2023-01", "F2", "CRM", "FR", "EUR", 10, "X"),
    ("2023-01", "F3", "CRM", "FR", "MAD", 40, "X"),
    ("2023-01", "F4", "BPO", "US", "MAD", 20, "X"),
    ("2023-01", "F1", "ITO", "FR", "MAD", 30, "M"),
    ("2023-07", "F1", "ITO", "FR", "MAD", 120, "X"),
    ("2023-07", "F2", "CRM", "ES", "MAD", 60, "X"),
    ("2023-07", "F3", "CRM", "FR", "MAD", 30, "X"),
    ("2023-07", "F4", "BPO", "DE", "MAD", 25, "X"),
    ("2023-07", "F5", "ITO", "US", "EUR", 5, "X"),
    ("2023-07", "F2", "CRM", "FR", "MAD", 10, "M"),
    ("2023-04", "F1", "ITO", "FR", "MAD", 70, "X"),
    ("2023-10", "F3", "CRM", "FR", "MAD", 35, "X"),
    ("2023-04", "F4", "BPO", "FR", "MAD", 15, "M"),
    ("2023-10", "F5", "ITO", "ES", "MAD", 45, "X"),
    ("2024-01", "F1", "ITO", "FR", "MAD", 130, "X"),
    ("2024-01", "F1", "ITO", "ES", "MAD", 40, "X"),
    ("2024-01", "F2", "CRM", "FR", "EUR", 8, "X"),
    ("2024-01", "F6", "CRM", "FR", "MAD", 55, "X"),
    ("2024-01", "F4", "BPO", "US", "MAD", 35, "X"),
    ("2024-01", "F1", "ITO", "FR", "MAD", 50, "M"),
    ("2024-07", "F1", "ITO", "FR", "MAD", 110, "X"),
    ("2024-07", "F2", "CRM", "ES", "MAD", 90, "X"),
    ("2024-07", "F6", "CRM", "FR", "MAD", 20, "X"),
    ("2024-07", "F4", "BPO", "FR", "MAD", 45, "X"),
    ("2024-07", "F5", "ITO", "US", "EUR", 6, "X"),
    ("2024-07", "F2", "CRM", "FR", "MAD", 5, "M"),
    ("2024-04", "F1", "ITO", "FR", "MAD", 80, "X"),
    ("2024-10", "F6", "CRM", "FR", "MAD", 25, "X"),
    ("2024-04", "F4", "BPO", "FR", "MAD", 20, "M"),
    ("2024-10", "F5", "ITO", "ES", "MAD", 50, "X"),
]
# one small declaration in every other month, so that both years are complete
ROWS += [
    (f"{y}-{m:02d}", "F1", "ITO", "FR", "MAD", 1, "X")
    for y in ("2023", "2024")
    for m in (2, 3, 5, 6, 8, 9, 11, 12)
]
SEGMENTS = ("ITO", "CRM", "BPO")


def mad(row: tuple[str, str, str, str, str, float, str]) -> float:
    period, _, _, _, cur, amount, _ = row
    return amount * (EUR[period] if cur == "EUR" else 1.0)


def year(row: tuple[str, ...]) -> str:
    return row[0][:4]


def half(row: tuple[str, ...]) -> str:
    return f"{row[0][:4]}-H{1 if int(row[0][5:]) <= 6 else 2}"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Digex]:
    folder = tmp_path_factory.mktemp("fixture")
    rows = [
        (f"R{i}", p, FIRMS[f], s, c, cur, f"{a}", fl)
        for i, (p, f, s, c, cur, a, fl) in enumerate(ROWS)
    ]
    decl = write_csv(folder / "d.csv", rows)
    rates = [(p, "EUR", f"{r}") for p, r in EUR.items()]
    rates += [(p, "USD", f"{r}") for p, r in USD.items()]
    # April and October rates exist too (same as the preceding month)
    for y in ("2023", "2024"):
        rates += [(f"{y}-04", "EUR", f"{EUR[y + '-01']}"), (f"{y}-10", "EUR", f"{EUR[y + '-07']}")]
        rates += [(f"{y}-04", "USD", f"{USD[y + '-01']}"), (f"{y}-10", "USD", f"{USD[y + '-07']}")]
    rates_file = write_csv(folder / "rates.csv", rates, header=("period", "currency", "rate"))
    jobs = write_csv(
        folder / "jobs.csv",
        [
            ("2023", "ITO", "10"),
            ("2023", "CRM", "20"),
            ("2024", "ITO", "12"),
            ("2024", "CRM", "18"),
        ],
        header=("year", "segment", "jobs"),
    )
    with digex.init(folder / "f.duckdb") as store:
        [*_, result] = store.load(decl, rates=rates_file, jobs=jobs, today=TODAY)
        assert result.rows_rejected == 0
    with digex.connect(folder / "f.duckdb", read_only=True) as store:
        yield store


def values(frame: pd.DataFrame, indicator: str, flow: str = "X") -> dict[tuple[str, str], float]:
    hit = frame[(frame["indicator"] == indicator) & (frame["flow"] == flow)]
    return {(r.period, r.member): float(r.value) for r in hit.itertuples()}


def sums(key: object, flow: str = "X", by: str = "segment") -> dict[tuple[str, str], float]:
    out: dict[tuple[str, str], float] = defaultdict(float)
    col = {"segment": 2, "partner": 3, "currency": 4}.get(by)
    for r in ROWS:
        if r[6] == flow:
            member = "_T" if col is None else str(r[col])
            out[(key(r), member)] += mad(r)  # type: ignore[operator]
    return dict(out)


def test_levels_growth_shares_contributions(db: Digex) -> None:
    frame = db.indicators(["2023", "2024"], by="segment", flow=["X", "M"])
    total = db.indicators(["2023", "2024"], by="total", flow=["X", "M"])
    lv = sums(year)
    tot = sums(year, by="total")
    assert values(frame, "LEVEL") == pytest.approx(lv)
    assert values(total, "LEVEL") == pytest.approx(tot)
    assert values(frame, "LEVEL", "M") == pytest.approx(sums(year, "M"))
    growth = {("2024", s): (lv["2024", s] / lv["2023", s] - 1) * 100 for s in SEGMENTS}
    assert values(frame, "GROWTH_YOY") == pytest.approx(growth)
    share = {(y, s): lv[y, s] / tot[y, "_T"] * 100 for y, s in lv}
    assert values(frame, "SHARE") == pytest.approx(share)
    contrib = {
        ("2024", s): (lv["2024", s] - lv["2023", s]) / tot["2023", "_T"] * 100 for s in SEGMENTS
    }
    assert values(frame, "CONTRIBUTION") == pytest.approx(contrib)
    t_growth = (tot["2024", "_T"] / tot["2023", "_T"] - 1) * 100
    assert values(total, "GROWTH_YOY") == pytest.approx({("2024", "_T"): t_growth})


def test_half_years_year_to_date_and_previous_period(db: Digex) -> None:
    frame = db.indicators(["2024-H1", "2024-H2"], by="total")
    h = sums(half, by="total")
    assert values(frame, "LEVEL") == pytest.approx({k: v for k, v in h.items() if k[0] >= "2024"})
    assert values(frame, "YTD_LEVEL") == pytest.approx(
        {
            ("2024-H1", "_T"): h["2024-H1", "_T"],
            ("2024-H2", "_T"): h["2024-H1", "_T"] + h["2024-H2", "_T"],
        }
    )
    ytd_growth = (h["2024-H1", "_T"] + h["2024-H2", "_T"]) / (
        h["2023-H1", "_T"] + h["2023-H2", "_T"]
    )
    assert values(frame, "YTD_GROWTH")["2024-H2", "_T"] == pytest.approx((ytd_growth - 1) * 100)
    pop = (h["2024-H1", "_T"] / h["2023-H2", "_T"] - 1) * 100
    assert values(frame, "GROWTH_POP")["2024-H1", "_T"] == pytest.approx(pop)


def test_foreign_currency_levels_use_the_period_average_rate(db: Digex) -> None:
    frame = db.indicators("2024", by="total", indicators=["LEVEL_USD", "LEVEL_EUR"])
    level = sums(year, by="total")["2024", "_T"]
    usd = sum(USD[p] for p in USD if p.startswith("2024")) * 2 / 4  # Jan, Apr, Jul, Oct
    eur = sum(EUR[p] for p in EUR if p.startswith("2024")) * 2 / 4
    got = {r.indicator: r.value for r in frame.itertuples()}
    assert got["LEVEL_USD"] == pytest.approx(level / usd)
    assert got["LEVEL_EUR"] == pytest.approx(level / eur)


def test_balance_and_coverage(db: Digex) -> None:
    frame = db.indicators("2024", by="segment")
    x, m = sums(year), sums(year, "M")
    expected = {k: x.get(k, 0) - m.get(k, 0) for k in set(x) | set(m) if k[0] == "2024"}
    assert values(frame, "BALANCE", "N") == pytest.approx(expected)
    coverage = {k: x[k] / m[k] * 100 for k in m if k[0] == "2024"}
    assert values(frame, "COVERAGE", "N") == pytest.approx(coverage)


def test_concentration(db: Digex) -> None:
    frame = db.indicators("2024", by="total")
    by_partner = sums(year, by="partner")
    tot = sum(v for (y, _), v in by_partner.items() if y == "2024")
    hhi_p = sum((v / tot) ** 2 for (y, _), v in by_partner.items() if y == "2024")
    firms: dict[str, float] = defaultdict(float)
    for r in ROWS:
        if r[6] == "X" and year(r) == "2024":
            firms[r[1]] += mad(r)
    shares = sorted((v / tot for v in firms.values()), reverse=True)
    got = {r.indicator: r.value for r in frame[frame["flow"] == "X"].itertuples()}
    assert got["HHI_PARTNERS"] == pytest.approx(hhi_p)
    assert got["HHI_FIRMS"] == pytest.approx(sum(s * s for s in shares))
    assert got["TOP5_FIRMS"] == pytest.approx(sum(shares[:5]) * 100)
    assert got["TOP10_FIRMS"] == pytest.approx(100)
    partners = db.indicators("2024", by="partner", indicators=["SHARE"])
    top = partners.sort_values("value", ascending=False)["member"].tolist()
    assert top[0] == "FR"


def test_firms_entries_exits_and_average(db: Digex) -> None:
    frame = db.indicators("2024", by="total")
    active = {y: {r[1] for r in ROWS if r[6] == "X" and year(r) == y} for y in ("2023", "2024")}
    got = {r.indicator: r.value for r in frame[frame["flow"] == "X"].itertuples()}
    assert got["FIRMS"] == len(active["2024"])
    assert got["FIRM_ENTRIES"] == len(active["2024"] - active["2023"]) == 1  # F6
    assert got["FIRM_EXITS"] == len(active["2023"] - active["2024"]) == 1  # F3
    assert got["AVG_PER_FIRM"] == pytest.approx(sums(year, by="total")["2024", "_T"] / 5)


def test_jobs_and_exports_per_job(db: Digex) -> None:
    frame = db.indicators("2024", by="segment", indicators=["JOBS", "EXPORTS_PER_JOB"])
    got = {(r.indicator, r.member): r.value for r in frame.itertuples()}
    assert got["JOBS", "ITO"] == 12
    assert got["EXPORTS_PER_JOB", "ITO"] == pytest.approx(sums(year)["2024", "ITO"] / 12)
    total = db.indicators("2024", by="total", indicators=["JOBS"])
    assert total["value"].tolist() == [30]  # the sum of the segments when no total is given


def test_jobs_for_some_years_are_those_years_of_the_whole_series(db: Digex) -> None:
    """The jobs indicators for the years asked read only those years (and the one before);
    the values are the same as in the series computed over every year."""
    from digex.indicators.targets import jobs_indicators

    every = jobs_indicators(db.engine(), db.profile)
    assert set(every["period"]) == {"2023", "2024"}
    some = jobs_indicators(db.engine(), db.profile, {2024})
    keys = ["indicator", "cut", "member"]
    expected = every[every["period"] == "2024"].sort_values(keys, ignore_index=True)
    pd.testing.assert_frame_equal(some.sort_values(keys, ignore_index=True), expected)
    assert jobs_indicators(db.engine(), db.profile, {2031}).empty


def test_targets(db: Digex) -> None:
    frame = db.targets()
    exports = frame[frame["member"] == "EXPORTS_2030"].set_index("indicator")["value"]
    level = sums(year, by="total")["2024", "_T"]
    base = sums(year, by="total")["2023", "_T"]
    assert exports["TARGET_LEVEL"] == pytest.approx(level)
    assert exports["TARGET_GAP"] == pytest.approx(40e9 - level)
    assert exports["TARGET_PROGRESS"] == pytest.approx(level / 40e9 * 100)
    assert exports["CAGR_NEEDED"] == pytest.approx(((40e9 / level) ** (1 / 6) - 1) * 100)
    assert exports["CAGR_ACHIEVED"] == pytest.approx((level / base - 1) * 100)
    jobs = frame[frame["member"] == "JOBS_2030"].set_index("indicator")["value"]
    assert jobs["TARGET_LEVEL"] == 30
    assert jobs["CAGR_NEEDED"] == pytest.approx(((270_000 / 30) ** (1 / 6) - 1) * 100)


def test_partner_that_stops_buying_still_counts_in_contributions(db: Digex) -> None:
    """DE bought in 2023 and not in 2024: its -100 % must be in the contributions."""
    frame = db.indicators("2024", by="partner", indicators=["LEVEL", "CONTRIBUTION", "GROWTH_YOY"])
    de = frame[frame["member"] == "DE"].set_index("indicator")["value"]
    assert de["LEVEL"] == 0
    assert de["GROWTH_YOY"] == -100
    total = db.indicators("2024", indicators=["GROWTH_YOY"])["value"].iloc[0]
    contributions = frame[frame["indicator"] == "CONTRIBUTION"]["value"].sum()
    assert contributions == pytest.approx(total)


def test_status_of_complete_periods(db: Digex) -> None:
    frame = db.indicators(["2024", "2024-Q4", "2024-10"], by="total", indicators=["LEVEL"])
    assert set(frame["obs_status"]) == {"A"}
    assert set(frame["completeness"]) == {"complete"}


def test_incomplete_year_is_flagged(demo_db: Digex) -> None:
    frame = demo_db.indicators(["2025", "2025-H1"], by="total", indicators=["LEVEL"])
    assert frame.set_index("period")["completeness"].to_dict() == {
        "2025": "incomplete_period",
        "2025-H1": "complete",
    }


def test_top_partners(db: Digex) -> None:
    frame = db.indicators("2024", by="partner", indicators=["SHARE"], top=2)
    by_partner = sums(year, by="partner")
    expected = sorted(
        ((k[1], v) for k, v in by_partner.items() if k[0] == "2024"), key=lambda kv: -kv[1]
    )[:2]
    assert frame["member"].tolist() == [m for m, _ in expected]
    total = sum(v for (y, _), v in by_partner.items() if y == "2024")
    assert frame["value"].tolist() == pytest.approx([v / total * 100 for _, v in expected])
