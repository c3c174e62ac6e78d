"""Rates and jobs files are first-class: loaded alone, their rejected rows listed with reasons,
their headers in French and Arabic, and a year's jobs checked against its total."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import TODAY, write_csv

from digex.api import Digex
from digex.indicators.consistency import run_checks
from digex.indicators.targets import jobs_add_up

JOBS_HEADER = ("year", "segment", "jobs")
JOBS_2024 = [("2024", "ITO", "40000"), ("2024", "CRM", "70000"), ("2024", "_T", "110000")]


def test_a_rates_file_loads_alone_and_its_rejected_rows_are_listed(
    store: Digex, tmp_path: Path
) -> None:
    rows = [
        ("2024-03", "EUR", "10.8"),
        ("2024-13", "EUR", "10.8"),  # line 3: PERIOD_INVALID
        ("2024-04", "EUR", "-1"),  # line 4: RATE_NOT_POSITIVE
    ]
    rates = write_csv(tmp_path / "r.csv", rows, header=("period", "currency", "rate"))
    [result] = store.load(rates=rates, today=TODAY)
    assert (result.kind, result.rows_accepted, result.rows_rejected) == ("rates", 1, 2)
    rejected = store.rejects()
    assert rejected["kind"].tolist() == ["rates", "rates"]
    assert rejected["file_name"].tolist() == ["r.csv", "r.csv"]
    assert rejected["line"].tolist() == [3, 4]
    assert rejected["reasons"].tolist() == ["PERIOD_INVALID", "RATE_NOT_POSITIVE"]
    assert all(rejected["message"].str.len() > 0)
    assert rejected["period"].tolist() == ["2024-13", "2024-04"]
    assert rejected["rate"].tolist() == ["10.8", "-1"]
    assert store.rejects(load_id=result.load_id)["line"].tolist() == [3, 4]


def test_a_jobs_file_loads_alone_and_its_rejected_rows_are_listed(
    store: Digex, tmp_path: Path
) -> None:
    rows = [*JOBS_2024, ("2024", "XYZ", "5"), ("20x4", "ITO", "5")]
    [result] = store.load(jobs=write_csv(tmp_path / "j.csv", rows, header=JOBS_HEADER))
    assert (result.kind, result.rows_accepted, result.rows_rejected) == ("jobs", 3, 2)
    rejected = store.rejects()
    assert rejected["kind"].tolist() == ["jobs", "jobs"]
    assert rejected["line"].tolist() == [5, 6]
    assert [r.split(";")[0] for r in rejected["reasons"]] == ["SEGMENT_UNKNOWN", "YEAR_INVALID"]
    assert rejected["segment"].tolist() == ["XYZ", "ITO"]
    assert rejected["year"].tolist() == ["2024", "20x4"]
    assert rejected["jobs"].tolist() == ["5", "5"]


def test_declaration_rejects_keep_their_columns_and_say_their_kind(
    store: Digex, tmp_path: Path
) -> None:
    bad = [("X1", "2024-03", "12", "ITO", "FR", "MAD", "1", "X")]
    store.load(write_csv(tmp_path / "d.csv", bad), today=TODAY)
    rejected = store.rejects()
    assert rejected["kind"].tolist() == ["declarations"]
    assert rejected["declaration_id"].tolist() == ["X1"]
    assert list(rejected.columns[:5]) == ["load_id", "file_name", "line", "reasons", "message"]


def test_jobs_headers_in_french_and_arabic(store: Digex, tmp_path: Path) -> None:
    french = write_csv(
        tmp_path / "emplois.csv", JOBS_2024, header=("annee", "segment", "emplois"), delimiter=";"
    )
    arabic = write_csv(
        tmp_path / "arabic.csv",
        [("2023", "ITO", "35000"), ("2023", "_T", "35000")],
        header=("السنة", "القطاع", "مناصب_الشغل"),
        delimiter=";",
    )
    results = store.load(jobs=[french, arabic])
    assert [(r.rows_accepted, r.rows_rejected) for r in results] == [(3, 0), (2, 0)]
    held = store.store.con.execute(
        "SELECT year, segment, value FROM current_auxiliary ORDER BY ALL"
    ).fetchall()
    assert held == [
        (2023, "ITO", 35000),
        (2023, "_T", 35000),
        (2024, "CRM", 70000),
        (2024, "ITO", 40000),
        (2024, "_T", 110000),
    ]


def test_a_later_jobs_file_replaces_its_rows_and_check_reports_a_year_that_does_not_add_up(
    store: Digex, tmp_path: Path
) -> None:
    store.load(jobs=write_csv(tmp_path / "j1.csv", JOBS_2024, header=JOBS_HEADER))
    result = jobs_add_up(store.engine())
    assert result.ok
    assert "1 year(s) exact" in result.detail
    # a correction of one segment only: the other segment and the total stay as they were
    fix = [("2024", "CRM", "27000")]
    store.load(jobs=write_csv(tmp_path / "j2.csv", fix, header=JOBS_HEADER))
    held = dict(
        store.store.con.execute(
            "SELECT segment, value FROM current_auxiliary WHERE year = 2024"
        ).fetchall()
    )
    assert held == {"ITO": 40000, "CRM": 27000, "_T": 110000}
    failed = [r for r in run_checks(store.engine()) if not r.ok]
    assert [r.name for r in failed] == ["jobs by segment add up to the total"]
    assert "2024: segments 67,000, total 110,000" in failed[0].detail
    # the total corrected too: consistent again
    store.load(jobs=write_csv(tmp_path / "j3.csv", [("2024", "_T", "67000")], header=JOBS_HEADER))
    assert jobs_add_up(store.engine()).ok


def test_a_store_without_jobs_passes_the_jobs_check(store: Digex) -> None:
    assert jobs_add_up(store.engine()).detail == "no jobs loaded"
