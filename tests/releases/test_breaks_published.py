"""The series break where figures are published: the headline table (`digex summary`) and
progress toward the targets (`digex targets`), on a tiny store of three whole years under
Morocco's break of 2023-01-01, with the targets' base year moved to 2022."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from tests.conftest import FIRM, write_csv
from tests.inprocess import run_here

import digex
from digex.api import Digex
from digex.indicators import status as st
from digex.profile import load_profile
from digex.publish import explanation
from digex.publish.headline import shape
from digex.publish.summary import headline
from digex.releases.breaks import SeriesBreak, mark_targets

MONTHS = [f"{y}-{m:02d}" for y in (2022, 2023, 2024) for m in range(1, 13)]
SERIES = [("EXPORTS_3SEG", "2022", "16500000000"), ("EXPORTS_3SEG", "2023", "17900000000")]
EXPLANATION = load_profile("MA").breaks[0].explanation


def plain(text: str, lang: str = "en") -> str:
    """The explanation as a table with no figures at hand writes it (each figure it names
    as its indicator, member and period)."""
    return explanation.plain(text, None, lang, lang)


@pytest.fixture(scope="module")
def path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("published")
    text = load_profile("MA").text.replace("base_year = 2023", "base_year = 2022")
    assert text.count("base_year = 2022") == 2
    (folder / "MA.toml").write_text(text, encoding="utf-8")
    rows = [
        (f"D{n}-{seg}", month, FIRM, seg, "FR", "MAD", str(100 + n + (seg == "ITO")), "X")
        for n, month in enumerate(MONTHS)
        for seg in ("ITO", "CRM")
    ]
    jobs = [(str(y), "_T", str(1000 + y - 2022)) for y in (2022, 2023, 2024)]
    with digex.init(folder / "p.duckdb", profile=str(folder / "MA.toml")) as db:
        db.load(
            write_csv(folder / "d.csv", rows),
            jobs=write_csv(folder / "j.csv", jobs, header=("year", "segment", "jobs")),
            series=write_csv(folder / "s.csv", SERIES, header=("series", "year", "value")),
            today=dt.date(2025, 7, 15),
        )
        # into the store's cache, every cut of each frequency at once: the tests then read
        db.indicators(
            ["2022", "2023", "2024", "2022-H2", "2023-H2", "2023-Q3", "2024-Q3"], by="all"
        )
    return folder / "p.duckdb"


@pytest.fixture(scope="module")
def db(path: Path) -> Iterator[Digex]:
    with digex.connect(path, read_only=True) as store:
        yield store


def test_the_headline_takes_a_growths_status_from_growth_yoy(db: Digex) -> None:
    """2023-H2 on 2022-H2 compares two definitions though neither half-year is at the break."""
    h = headline(db, "2023-H2")
    total = h.rows[-1]
    assert (total.previous_obs, total.level_obs, total.growth_obs) == ("A", "A", "B")
    assert total.growth is not None
    table = shape(h, "en", "en")
    previous, level, share, growth = table.lines[-1].cells
    assert growth.endswith("‡")
    assert growth.startswith("+")
    assert not any(c.endswith("‡") for c in (previous, level, share))
    assert table.title.endswith("[OBS_STATUS B]")
    assert table.notes[:2] == [st.BREAK_NOTES["en"], f"2023-01-01: {plain(EXPLANATION['en'])}"]


def test_a_level_at_the_break_is_marked_and_explained_in_the_tables_language(
    db: Digex,
) -> None:
    h = headline(db, "2023")
    assert [b.id for b in h.breaks] == ["five-segments"]
    table = shape(h, "fr", "fr")
    _, level, share, growth = table.lines[-1].cells
    assert all(c.endswith("‡") for c in (level, share, growth))
    assert st.BREAK_NOTES["fr"] in table.notes
    assert f"2023-01-01: {plain(EXPLANATION['fr'], lang='fr')}" in table.notes


def test_a_year_after_the_break_marks_only_the_year_before(db: Digex) -> None:
    """2024 on 2023: one definition; 2023 itself, the column beside it, is at the break."""
    table = shape(headline(db, "2024"), "en", "en")
    previous, level, share, growth = table.lines[-1].cells
    assert previous.endswith("‡")
    assert not any(c.endswith("‡") for c in (level, share, growth))
    assert "OBS_STATUS" not in table.title
    assert st.BREAK_NOTES["en"] in table.notes


def test_a_table_without_b_has_no_break_note(db: Digex) -> None:
    h = headline(db, "2024-Q3")  # on 2023-Q3: after the break both
    assert not h.has_break
    assert h.breaks == ()
    assert st.BREAK_NOTES["en"] not in shape(h, "en", "en").notes


def test_digex_summary_shows_the_mark_and_the_explanation(path: Path, tmp_path: Path) -> None:
    run = run_here(["summary", "2023-H2", "--db", path], tmp_path).ok()
    total = next(line for line in run.stdout.splitlines() if "Total" in line)
    assert "‡" in total
    assert "[OBS_STATUS B]" in run.stdout
    said = " ".join(run.stdout.split())
    assert "2023-01-01: From 2023 the sector's exports" in said
    # the figures the explanation names, written from the store: the older series' 17.9 bn
    assert "against MAD 17.9 billion on the older one" in said
    assert "{money:" not in said


def target_status(frame: pd.DataFrame) -> dict[tuple[str, str], str]:
    return {
        (str(i), str(m)): str(o)
        for i, m, o in zip(frame["indicator"], frame["member"], frame["obs_status"], strict=True)
    }


def test_targets_carry_b_where_the_growth_achieved_straddles_the_break(db: Digex) -> None:
    """Latest complete year 2024, base year 2022: the rate achieved compares 2024's
    definition with 2022's; the other figures read 2024 alone (or the years to come)."""
    found = target_status(db.targets())
    assert found[("CAGR_ACHIEVED", "EXPORTS_2030")] == "B"
    assert found[("TARGET_LEVEL", "EXPORTS_2030")] == "A"
    assert found[("CAGR_NEEDED", "EXPORTS_2030")] == "A"
    # the jobs target is progress of an auxiliary series, which the perimeter does not change
    assert {o for (_, m), o in found.items() if m == "JOBS_2030"} == {"A"}


def test_the_command_line_explains_the_targets_break(path: Path, tmp_path: Path) -> None:
    run = run_here(["targets", "--db", path], tmp_path).ok()
    assert "‡" in run.stdout
    said = " ".join(run.stdout.split())
    assert "2023-01-01: From 2023 the sector's exports" in said
    # the figures the explanation names, written from the store the table reads (the older
    # series' 17.9 bn), never a placeholder nor the figure's name
    assert "against MAD 17.9 billion on the older one" in said
    assert "{money:" not in said
    assert "[SERIES_LEVEL" not in said


def test_the_indicator_table_explains_its_breaks_and_names_the_series(
    path: Path, tmp_path: Path
) -> None:
    args = ["indicators", "--period", "2023", "-i", "LEVEL", "-i", "SERIES_LEVEL", "--db", path]
    narrow = run_here(args, tmp_path).ok().stdout
    assert "2023-01-01: From 2023 the sector's exports" in " ".join(narrow.split())
    assert "against MAD 17.9 billion on the older one" in " ".join(narrow.split())
    assert "[SERIES_LEVEL" not in narrow
    assert "older three-segment" not in narrow
    wide = run_here([*args, "--wide"], tmp_path).ok().stdout
    older = next(line for line in wide.splitlines() if line.startswith("SERIES_LEVEL"))
    assert "EXPORTS_3SEG Exports of the sector, older three-segment series" in older


def test_a_table_without_b_explains_no_break(path: Path, tmp_path: Path) -> None:
    run = run_here(["indicators", "--period", "2024", "-i", "LEVEL", "--db", path], tmp_path)
    assert "‡" not in run.ok().stdout
    assert "2023-01-01" not in run.stdout


def progress(indicator: str, period: str, member: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator": [indicator],
            "period": [period],
            "cut": ["target"],
            "member": [member],
            "obs_status": ["A"],
        }
    )


@pytest.mark.parametrize(
    ("base", "period", "day", "expected"),
    [
        (2022, "2024", dt.date(2023, 1, 1), "B"),
        (2023, "2024", dt.date(2023, 1, 1), "A"),  # MA's own base: the first new year
        (2023, "2024", dt.date(2024, 7, 1), "B"),  # within the latest year
        (2022, "2024", dt.date(2025, 1, 1), "A"),  # after every year it reads
    ],
)
def test_the_growth_achieved_reads_from_the_base_year(
    base: int, period: str, day: dt.date, expected: str
) -> None:
    targets = [replace(t, base_year=base) for t in load_profile("MA").targets]
    brk = SeriesBreak("b", day, EXPLANATION)
    for member, want in (("EXPORTS_2030", expected), ("JOBS_2030", "A")):
        marked = mark_targets(progress("CAGR_ACHIEVED", period, member), [brk], targets)
        assert marked["obs_status"].tolist() == [want], member
    named = SeriesBreak("jobs", day, EXPLANATION, frozenset({"CAGR_ACHIEVED"}))
    marked = mark_targets(progress("CAGR_ACHIEVED", period, "JOBS_2030"), [named], targets)
    assert marked["obs_status"].tolist() == [expected]
