"""Cells published in an earlier release are frozen across releases (issue 15, point 3): a new
release never makes an earlier suppression computable, even through cells of periods it does
not carry itself.

Each scenario runs through `create_release` on a tiny store whose profile publishes a few
small tables, and is checked by an LP written here from the public views alone (each release
snapshot's published levels, as an attacker would collect them): it shares nothing with
`digex.disclosure`. The atoms of that LP are the months of each table member (the data have
one partner, one currency), so every published level is the sum of its months.

- an earlier release (2024-H2) publishes the first half-year of a region and suppresses its
  second quarter (one firm); the next quarter's release (2025-Q1) carries 2024-Q1 as its
  comparison: published, it would give Q2 = H1 - Q1;
- the issue's sequence, months released, then the quarter: KPO's February (one firm) is
  suppressed by the monthly releases, and the quarter's release (2024-Q1, which carries the
  months, or 2024-Q2, which carries Q1 only as the previous period) must not reveal it.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Sequence
from decimal import Decimal
from importlib.resources import files
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog
from tests.conftest import TODAY, write_csv
from tests.disclosure.fixtures import rows

import digex
from digex.api import Digex
from digex.releases.snapshot import read_release, snapshot_path
from digex.store import disclosure

MADE: Final = dt.datetime(2025, 7, 20, 9, 0)
"""After the loads (`TODAY`): each release is made a day after the previous one."""

REGION_TABLES: Final = """
[[table]]
cut = "total"
freqs = ["A"]
ytd = false
headline = true

[[table]]
cut = "region"
freqs = ["H", "Q"]
ytd = false
flows = ["X"]
"""
MONTHLY_TABLES: Final = """
[[table]]
cut = "total"
freqs = ["Q", "M"]
ytd = false
headline = true

[[table]]
cut = "segment"
freqs = ["Q", "M"]
ytd = false
flows = ["X"]
"""

FIRMS: Final = {
    name: f"{700 + i:015d}"
    for i, name in enumerate(("A1", "A2", "A3", "A4", "I1", "I2", "I3", "I4", "B1", "B2", "B3"))
} | {f"K{i}": f"{800 + i:015d}" for i in range(1, 5)}

M: Final = Decimal(1_000_000)


def _profile(folder: Path, tables: str) -> Path:
    """The MA profile with `tables` in place of its own (the rest unchanged)."""
    text = (files("digex") / "data" / "profiles" / "MA.toml").read_text(encoding="utf-8")
    start, end = text.index("[[table]]"), text.index("# Series breaks")
    path = folder / "profile.toml"
    path.write_text(text[:start] + tables.lstrip() + "\n" + text[end:], encoding="utf-8")
    return path


def _store(folder: Path, tables: str, declarations: Sequence[tuple[str, ...]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "tiny.duckdb"
    with digex.init(path, profile=str(_profile(folder, tables))) as db:
        # each `rows` call numbers its declarations from 0: one numbering for the whole file
        unique = [(f"X{k:06d}", *row[1:]) for k, row in enumerate(declarations)]
        db.load(write_csv(folder / "declarations.csv", unique), today=TODAY)
    return path


def _months(period: str) -> list[int]:
    """The months of a period label (2024, 2024-H1, 2024-Q2, 2024-03): written here, not
    read from digex, so that the check is independent."""
    if len(period) == 4:
        return list(range(1, 13))
    tail = period[5:]
    if tail[0] in "HQ":
        size = 6 if tail[0] == "H" else 3
        first = (int(tail[1:]) - 1) * size + 1
        return list(range(first, first + size))
    return [int(tail)]


def _before(period: str, step: str) -> str:
    """The previous period (`pop`) or the same period a year earlier (`yoy`) of a label."""
    year, tail = int(period[:4]), period[5:]
    if step == "yoy" or not tail:
        return f"{year - 1}{period[4:]}"
    kind, sub = ("", tail) if tail[0].isdigit() else (tail[0], tail[1:])
    count = {"": 12, "H": 2, "Q": 4}[kind]
    if int(sub) > 1:
        return f"{year}-{kind}{int(sub) - 1:0{len(sub)}d}"
    return f"{year - 1}-{kind}{count:0{len(sub)}d}"


def published_levels(db: Digex, release_ids: Sequence[str], cut: str) -> pd.DataFrame:
    """Every level of `cut` (exports) the releases' public snapshots give: shown as a LEVEL,
    or revealed by a growth rate shown beside its period's level (the previous period's or
    the year-earlier level is level / (1 + rate / 100))."""
    frames = []
    for rid in release_ids:
        obs = read_release(snapshot_path(db.path, rid)).observations.to_pandas()
        obs = obs[(obs["cut"] == cut) & (obs["flow"] == "X") & obs["value"].notna()]
        obs = obs.assign(value=obs["value"].astype(float) * np.power(10.0, obs["unit_mult"]))
        level = obs[obs["indicator"] == "LEVEL"][["member", "period", "value"]]
        frames.append(level)
        for indicator, step in (("GROWTH_POP", "pop"), ("GROWTH_YOY", "yoy")):
            rate = obs[obs["indicator"] == indicator][["member", "period", "value"]]
            both = rate.merge(level, on=["member", "period"], suffixes=("_rate", ""))
            frames.append(
                pd.DataFrame(
                    {
                        "member": both["member"],
                        "period": [_before(p, step) for p in both["period"]],
                        "value": both["value"] / (1 + both["value_rate"] / 100),
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)


def attacker_interval(
    levels: pd.DataFrame, parts: dict[str, list[str]], target: tuple[str, str]
) -> tuple[float, float]:
    """min and max of the target (member, period) over the non-negative month atoms of each
    part that fit every published level; `parts` says which parts (segments, regions) a
    member adds up (a total: all of them)."""
    periods = {*levels["period"], target[1]}
    atoms = sorted(
        {
            (part, p[:4], m)
            for member in parts
            for part in parts[member]
            for p in periods
            for m in _months(p)
        }
    )
    index = {a: i for i, a in enumerate(atoms)}

    def row(member: str, period: str) -> np.ndarray:
        r = np.zeros(len(atoms))
        for part in parts[member]:
            for m in _months(period):
                r[index[(part, period[:4], m)]] = 1.0
        return r

    known = levels.drop_duplicates(["member", "period"])  # a level and a rate agree
    a_eq = np.array([row(m, p) for m, p in zip(known["member"], known["period"], strict=True)])
    b_eq = known["value"].to_numpy(dtype=float)
    goal = row(*target)
    low = linprog(goal, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    high = linprog(-goal, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    assert low.status == 0, low.message
    assert high.status in (0, 3), high.message  # 3: unbounded above
    return float(low.fun), (float("inf") if high.status == 3 else float(-high.fun))


# -- an earlier half-year, the next quarter's comparison -----------------------------------
REGION_DECLARATIONS: Final = [
    *rows([(f"A{i}", "ITO", "FR", "X", M) for i in range(1, 5)], months=(3,), firms=FIRMS),
    *rows([("A1", "ITO", "FR", "X", M / 2)], months=(6,), firms=FIRMS),  # Q2: one firm
    *rows([(f"A{i}", "ITO", "FR", "X", M) for i in range(1, 5)], months=(9,), firms=FIRMS),
    *rows([(f"A{i}", "ITO", "FR", "X", M) for i in range(1, 5)], months=(12,), firms=FIRMS),
    *rows(
        [(f"A{i}", "ITO", "FR", "X", M + 100_000) for i in range(1, 5)],
        year=2025,
        months=(3,),
        firms=FIRMS,
    ),
]
EUROPE: Final = "150"
"""France's M49 region."""


@pytest.fixture(scope="module")
def half_then_quarter(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("half-then-quarter")
    path = _store(folder, REGION_TABLES, REGION_DECLARATIONS)
    with digex.connect(path) as db:
        db.create_release("2024-H2", "preliminary", now=MADE)
        db.create_release("2025-Q1", "preliminary", now=MADE + dt.timedelta(days=1))
    return path


def test_an_earlier_suppressed_quarter_stays_protected_by_the_next_quarters_release(
    half_then_quarter: Path,
) -> None:
    parts = {EUROPE: [EUROPE]}
    q2 = (EUROPE, "2024-Q2")
    with digex.connect(half_then_quarter, read_only=True) as db:
        earlier = published_levels(db, ["2024-H2.1"], "region")
        both = published_levels(db, ["2024-H2.1", "2025-Q1.1"], "region")
        assert disclosure.gates(db.store.con, "2025-Q1.1")[-1].passed
    # the earlier release gave H1 (its growth rate beside H2) and hid Q2 (one firm, 500,000)
    assert earlier.loc[earlier["period"] == "2024-H1", "value"].tolist() == [
        pytest.approx(4_500_000)
    ]
    assert "2024-Q2" not in set(both["period"])
    # the leak the new release must not open: 2024-Q1 published beside them gives Q2 = H1 - Q1
    with_q1 = pd.concat(
        [
            earlier,
            pd.DataFrame([[EUROPE, "2024-Q1", 4_000_000.0]], columns=["member", "period", "value"]),
        ]
    )
    assert attacker_interval(with_q1, parts, q2) == (
        pytest.approx(500_000),
        pytest.approx(500_000),
    )
    # and it does not: 2024-Q1 is hidden (its level and the growth over a year that reads it),
    # the new quarter itself is published, and Q2 is anything from 0 to all of H1
    assert "2024-Q1" not in set(both["period"])
    assert "2025-Q1" in set(both["period"])
    low, high = attacker_interval(both, parts, q2)
    assert low <= 1.0
    assert high >= 4_500_000 - 1.0


def test_the_gate_run_again_sees_the_earlier_cells(half_then_quarter: Path, tmp_path: Path) -> None:
    """The gate run again on the stored release rebuilds the same extended system: it audits
    the earlier suppressed quarter, and passes; verify recomputes the same release."""
    path = Path(shutil.copy(half_then_quarter, tmp_path / "tiny.duckdb"))
    with digex.connect(path) as db:
        audited = db.audit_release("2025-Q1.1")
        assert audited.report.passed
        # and verify, protecting the recomputation with the releases made before it, agrees
        assert db.verify_release("2025-Q1.1").identical
        named = audited.frame()
        assert named["label"].str.contains("2024-Q2 region 150").any()
        cells = db.release_cells("2025-Q1.1")
        q2 = cells[(cells["period"] == "2024-Q2") & (cells["member"] == EUROPE)]
        assert list(q2["conf_status"]) == ["A"]  # the earlier primary, carried as it was
        assert list(q2["origin"]) == ["carried"]
        h1 = cells[(cells["period"] == "2024-H1") & (cells["member"] == EUROPE)]
        assert list(zip(h1["conf_status"], h1["origin"], strict=True)) == [("F", "carried")]
        # in the system, not in the release: its information loss counts its own cells only
        own = cells[cells["period"].isin(["2025-Q1", "2024-Q1", "2024-Q4", "2023-Q4"])]
        assert int(db.information_loss("2025-Q1.1")["cells"].sum()) == len(own)
        assert set(cells.loc[~cells.index.isin(own.index), "origin"]) == {"carried"}


# -- months released, then the quarter ---------------------------------------------------
MONTHLY_DECLARATIONS: Final = [  # `rows` splits an amount over its months: per month, 2M, 1M, 1M
    *rows(
        [(f"I{i}", "ITO", "FR", "X", 12 * M) for i in range(1, 5)], months=range(1, 7), firms=FIRMS
    ),
    *rows(
        [(f"B{i}", "BPO", "FR", "X", 6 * M) for i in range(1, 4)], months=range(1, 7), firms=FIRMS
    ),
    *rows(
        [(f"K{i}", "KPO", "FR", "X", 5 * M) for i in range(1, 5)],
        months=(1, 3, 4, 5, 6),
        firms=FIRMS,
    ),
    *rows([("K1", "KPO", "FR", "X", M / 2)], months=(2,), firms=FIRMS),  # February: one firm
]
SEGMENTS: Final = ("BPO", "ITO", "KPO")


@pytest.fixture(scope="module")
def months_released(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with January, February and March 2024 released, month by month (copy it)."""
    folder = tmp_path_factory.mktemp("months")
    path = _store(folder, MONTHLY_TABLES, MONTHLY_DECLARATIONS)
    with digex.connect(path) as db:
        for day, month in enumerate(("2024-01", "2024-02", "2024-03")):
            db.create_release(month, "preliminary", now=MADE + dt.timedelta(days=day))
    return folder


@pytest.mark.parametrize("quarter", ["2024-Q1", "2024-Q2"])
def test_months_then_the_quarter_never_reveal_an_earlier_suppressed_month(
    months_released: Path, tmp_path: Path, quarter: str
) -> None:
    shutil.copytree(months_released, tmp_path, dirs_exist_ok=True)
    with digex.connect(tmp_path / "tiny.duckdb") as db:
        db.create_release(quarter, "preliminary", now=MADE + dt.timedelta(days=10))
        ids = ["2024-01.1", "2024-02.1", "2024-03.1", f"{quarter}.1"]
        levels = pd.concat(
            [published_levels(db, ids, "segment"), published_levels(db, ids, "total")]
        )
        parts = {s: [s] for s in SEGMENTS} | {"_T": list(SEGMENTS)}
        assert "2024-02" not in set(levels.loc[levels["member"] == "KPO", "period"])
        assert "2024-01" in set(levels.loc[levels["member"] == "KPO", "period"])
        low, high = attacker_interval(levels, parts, ("KPO", "2024-02"))
        assert high - low >= 500_000  # far from exact: at least the cell's own size
        # the quarter's own headline is published
        assert quarter in set(levels.loc[levels["member"] == "_T", "period"])
        assert disclosure.gates(db.store.con, f"{quarter}.1")[-1].passed


def test_the_checks_see_a_leak_when_there_is_one(months_released: Path) -> None:
    """The independent LP is not vacuous: with KPO's first quarter published beside the
    months (what the quarter's release would do without the earlier months in its system),
    February is exact."""
    with digex.connect(months_released / "tiny.duckdb", read_only=True) as db:
        ids = ["2024-01.1", "2024-02.1", "2024-03.1"]
        levels = pd.concat(
            [published_levels(db, ids, "segment"), published_levels(db, ids, "total")]
        )
    kpo_q1 = pd.DataFrame(
        [{"member": "KPO", "period": "2024-Q1", "value": 8_500_000.0, "cut": "segment"}]
    )
    parts = {s: [s] for s in SEGMENTS} | {"_T": list(SEGMENTS)}
    low, high = attacker_interval(levels, parts, ("KPO", "2024-02"))
    assert high - low >= 500_000
    low, high = attacker_interval(pd.concat([levels, kpo_q1]), parts, ("KPO", "2024-02"))
    assert low == pytest.approx(500_000)
    assert high == pytest.approx(500_000)


def test_cells_no_release_showed_are_left_out(half_then_quarter: Path) -> None:
    """Of a carried period only the labels an earlier release carried are cells: the others
    are unknown to the attacker, neither published nor to protect, so not in the system (and
    the months they would split stay one atom)."""
    from digex.disclosure.cube import build_cube, carried_labels, cube_periods
    from digex.indicators.engine import Engine

    periods = cube_periods("2025-Q1")
    h1 = pd.DataFrame(
        [["X", "H", "2024-H1", "region", EUROPE, "LEVEL", "F"]],
        columns=["flow", "freq", "period", "cut", "member", "measure", "conf_status"],
    )
    with digex.connect(half_then_quarter, read_only=True) as db, db.store.snapshot() as snap:
        engine = Engine(snap.sources(db.profile.minor_units))
        tables = db.profile.tables
        plain = build_cube(engine.sources, tables, periods)
        carried = carried_labels(h1, periods)
        cube = build_cube(engine.sources, tables, periods, carried=carried)
    assert carried["period"].tolist() == ["2024-H1"]
    added = set(cube.labels["period"]) - set(plain.labels["period"])
    assert added == {"2024-H1"}  # not its quarter Q2, not the year's total, not H2
    assert cube.n_cells == plain.n_cells + 1
    # H1 = Q1 + the months of Q2 (one atom: nothing splits them)
    assert cube.n_atoms == plain.n_atoms + 1
    # an earlier label of the cube's own periods, or of another year, is not carried
    own = h1.assign(freq="Q", period="2024-Q1")
    other = h1.assign(period="2022-H1")
    assert carried_labels(pd.concat([own, other]), periods).empty
