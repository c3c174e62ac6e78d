"""`digex release list|show|diff` and `digex revisions`, run in this process on the
hand-built stores of the history tests: what a user reads in the table, and what a program
reads in CSV and JSON."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from tests.inprocess import Run, run_here
from tests.releases.history_store import build_pair, build_vintages, shared

from digex import cli_history


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return shared(build_pair, tmp_path_factory), shared(build_vintages, tmp_path_factory)


def digex(db: Path, *args: str) -> Run:
    return run_here([*args, "--db", db], db.parent)


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_release_list(stores: tuple[Path, Path]) -> None:
    pair, _ = stores
    run = digex(pair, "release", "list").ok()
    lines = run.stdout.splitlines()
    row = next(line for line in lines if line.startswith("2025.1 "))
    assert "2099-03-01 10:00*" in row  # embargoed, marked
    assert "* embargoed" in run.stdout
    assert "2024.1: first figures" in run.stdout
    first = next(line for line in lines if line.startswith("2024.1 "))
    cells = [c.strip() for c in first.split("│")]
    assert cells[:4] == ["2024.1", "2024", "preliminary", "1"]
    assert cells[6:8] == ["amina", "7"]
    assert len(cells[8]) == 8  # the hash's first 8 digits
    rows = _csv(digex(pair, "release", "list", "-f", "csv").ok().stdout)
    assert [r["release_id"] for r in rows] == ["2024.1", "2024.2", "2025.1"]
    assert [r["embargoed"] for r in rows] == ["False", "False", "True"]
    assert len(rows[0]["content_hash"]) == 64


def test_release_show(stores: tuple[Path, Path]) -> None:
    pair, _ = stores
    out = digex(pair, "release", "show", "2024.2").ok().stdout
    assert "revised" in out
    for name in ("rates.csv", "f.csv", "d2.csv", "seasonal.json", "HHI_PARTNERS"):
        assert name in out
    d2 = next(line for line in out.splitlines() if "d2.csv" in line)
    assert [c.strip() for c in d2.split("│")][5] == "2"  # replaces load 2
    data = json.loads(digex(pair, "release", "show", "2024.2", "-f", "json").ok().stdout)
    assert data["release"]["status"] == "revised"
    assert [(r["load_id"], r["replaces"]) for r in data["loads"]] == [(1, None), (4, None), (5, 2)]
    names = [r["name"] for r in data["inputs"]]
    assert names == ["codelists.json", "profile.toml", "seasonal.json"]
    missing = digex(pair, "release", "show", "2024.9")
    assert missing.code == 1
    assert "no release '2024.9'" in missing.stderr
    assert "2024.1, 2024.2, 2025.1" in missing.stderr
    assert digex(pair, "release", "show", "2024.2", "-f", "csv").code == 2


def test_release_diff(stores: tuple[Path, Path]) -> None:
    pair, _ = stores
    out = digex(pair, "release", "diff", "2024.1", "2024.2").ok().stdout
    assert "7 observations changed, appeared or vanished" in out
    cells = {
        (c[0], c[2]): c
        for line in out.splitlines()
        if "│" in line
        for c in [[x.strip() for x in line.split("│")]]
    }
    # indicator, period, member, flow, old, new, unit, change, %
    assert cells[("LEVEL", "_T")][4:] == ["26.200", "26.204", "bn MAD", "+0.0043", "+0.02"]
    assert cells[("SHARE", "ITO")][4:8] == ["40.5", "40.8", "%", "+0.25 pp"]
    assert cells[("SHARE", "KPO")][4:6] == ["(new)", "3.1"]
    assert cells[("SHARE", "BPO")][4:6] == ["20.3", "(gone)"]
    assert cells[("HHI_PARTNERS", "_T")][7] == "+0.00160"
    for why in (
        "+ load 4 f.csv (declarations): a new file",
        "+ load 5 d2.csv (declarations): replaces load 2 (used by 2024.1)",
        "- load 2 d1.csv (declarations): replaced by load 5",
        "- load 3 e.csv (declarations): withdrawn",
        "input codelists.json: its frozen copies differ",
        "input seasonal.json: only in 2024.2",
        "status: preliminary → revised",
    ):
        assert why in out
    rows = _csv(digex(pair, "release", "diff", "2024.1", "2024.2", "-f", "csv").ok().stdout)
    assert len(rows) == 7
    level = next(r for r in rows if r["indicator"] == "LEVEL" and r["member"] == "_T")
    assert (level["change"], level["measure"]) == ("4300000.0", "level")
    every = digex(pair, "release", "diff", "2024.1", "2024.2", "--all", "-f", "json").ok()
    data = json.loads(every.stdout)
    assert len(data["rows"]) == 8
    assert data["settings"] == {"status": ["preliminary", "revised"]}
    assert [r["load_id"] for r in data["loads"]] == [4, 5, 2, 3]
    replaces = [(r["replaces"], r["replaced_by"]) for r in data["loads"]]
    assert replaces == [(None, None), (2, None), (None, 5), (None, None)]
    assert all(type(x) is int for ids in replaces for x in ids if x is not None)
    bad = digex(pair, "release", "diff", "2024.1", "2024.2", "--by", "firm")
    assert bad.code == 2
    assert "--by firm: use one of total, segment" in bad.stderr


def test_revisions(stores: tuple[Path, Path]) -> None:
    _, vintages = stores
    out = digex(vintages, "revisions", "LEVEL", "--freq", "H").ok().stdout
    rows = {
        c[0]: c
        for line in out.splitlines()
        if "│" in line
        for c in [[x.strip() for x in line.split("│")]]
    }
    assert rows["period"] == ["period", "2024.1", "2025-H1.1", "2025.1"]  # no embargoed one
    assert rows["2025-H1"] == ["2025-H1", "", "13.380", "13.450"]
    # MR 0.17 / 3 = 0.0567, MAR 0.23 / 3 = 0.0767 bn; RMAR 0.23 / 39.75 = 0.58 %; 2 of 3
    assert rows["_T"][1:6] == ["3", "0.057", "0.077", "0.6", "66.7"]
    assert "2025-H2 (1 published)" in out
    stats = _csv(digex(vintages, "revisions", "LEVEL", "--freq", "H", "-f", "csv").ok().stdout)
    assert [(r["member"], r["n"]) for r in stats] == [("_T", "3")]
    tri = _csv(
        digex(vintages, "revisions", "LEVEL", "--freq", "H", "--triangle", "-f", "csv").ok().stdout
    )
    assert [r["period"] for r in tri] == ["2024-H1", "2024-H2", "2025-H1", "2025-H2"]
    assert tri[0]["2025-H1.1"] == "12950000000.0"
    empty = digex(vintages, "revisions", "LEVEL", "--freq", "Q").ok().stdout
    assert "no published release carries LEVEL" in empty
    bad = digex(vintages, "revisions", "LEVEL", "--earlier", "0")
    assert bad.code == 2
    assert "--earlier 0" in bad.stderr
    assert digex(vintages, "revisions", "SHARE").code == 2


def test_a_long_diff_is_cut_and_counted(
    stores: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    pair, _ = stores
    monkeypatch.setattr(cli_history, "DIFF_ROWS", 3)
    out = digex(pair, "release", "diff", "2024.1", "2024.2").ok().stdout
    assert "… 4 more: --wide, or --format csv" in out
    counts = {
        (c[0], c[1]): c[2:]
        for line in out.split("By indicator and cut", 1)[1].splitlines()
        if "│" in line
        for c in [[x.strip() for x in line.split("│")]]
    }
    assert counts[("SHARE", "segment")] == ["1", "1", "1"]
    assert counts[("LEVEL", "total")] == ["1", "0", "0"]
    wide = digex(pair, "release", "diff", "2024.1", "2024.2", "--wide").ok().stdout
    assert "more:" not in wide


def test_a_store_without_releases(tmp_path: Path) -> None:
    import digex as package

    package.init(tmp_path / "s.duckdb").close()
    listed = digex(tmp_path / "s.duckdb", "release", "list").ok().stdout
    assert "0 releases" in listed
    assert "no release yet" in listed
    missing = digex(tmp_path / "s.duckdb", "release", "diff", "2024.1", "2024.2")
    assert missing.code == 1
    assert "no release '2024.1' in the store; it holds none yet" in missing.stderr
    empty = digex(tmp_path / "s.duckdb", "revisions", "LEVEL").ok().stdout
    assert "no published release carries LEVEL, total, flow X, frequency A" in empty
