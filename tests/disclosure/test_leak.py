"""Leak canaries: a canary firm alone in a cell that must be suppressed (KPO, 7,777,777.77 MAD),
a protected release, then every public output of it rendered and searched for the canary and
for every other suppressed value, in every rendering a publication could use (raw, rounded,
scaled to thousands, millions and billions, French and Arabic number forms). None appears;
the same outputs asked with `--confidential` do show the canary (the search can fail)."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from tests.disclosure.fixtures import CANARY, tiny_store
from tests.inprocess import run_here

from digex.api import Digex
from digex.releases.snapshot import snapshot_path

PERIOD = "2024-03"
RID = "2024-03.1"
ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
SIGNIFICANT = 4
"""Renderings with fewer significant digits (0.008 bn) could be any figure: not searched."""


def _significant(text: str) -> int:
    """Significant digits of a number as written (trailing zeros of the integer part
    included, as a reader cannot tell them)."""
    digits = re.sub(r"\D", "", text).lstrip("0")
    return len(digits)


def _distinctive(value: float) -> bool:
    """A value whose digits say something (7,777,777.77, 10,850,000), not 100 or 900,000:
    a share of 100 % or a round figure can be published legitimately elsewhere."""
    if not math.isfinite(value):
        return False
    digits = Decimal(repr(value)).normalize().as_tuple().digits
    return len(digits) >= SIGNIFICANT


def renderings(value: float) -> set[str]:
    """The ways a publication could write `value`: as stored, rounded to 0-4 decimals, with
    and without thousands separators, scaled by 10^3, 10^6 and 10^9, in French (space or
    no-break space, decimal comma) and with Arabic-Indic digits."""
    found = {repr(value), str(value), f"{value:.15g}"}
    for scale in (1, 1e3, 1e6, 1e9):
        scaled = value / scale
        for decimals in range(5):
            plain = f"{scaled:.{decimals}f}"
            grouped = f"{scaled:,.{decimals}f}"
            found |= {plain, grouped}
            for space in (" ", "\u00a0", "\u202f"):
                found.add(grouped.replace(",", space).replace(".", ","))
            found.add(plain.replace(".", ","))
            found.add(plain.translate(ARABIC).replace(".", "\u066b"))
            found.add(grouped.translate(ARABIC).replace(",", "\u066c").replace(".", "\u066b"))
    return {r for r in found if _significant(r) >= SIGNIFICANT}


def leaks(text: str, values: set[float]) -> list[str]:
    """Every rendering of `values` found in `text` as a whole number (not inside a longer
    one)."""
    found = []
    for value in values:
        shown = sorted(renderings(value), key=len, reverse=True)
        either = "|".join(re.escape(s) for s in shown)
        pattern = rf"(?<![0-9\u0660-\u0669])(?:{either})(?![0-9\u0660-\u0669])"
        found += [f"{value!r} as {m.group(0)!r}" for m in re.finditer(pattern, text)]
    return found


@dataclass(frozen=True)
class Released:
    path: Path
    secrets: set[float]
    """Every suppressed value of the release (observations and cells), from its stored rows."""


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Released:
    folder = tmp_path_factory.mktemp("leak")
    with tiny_store(folder) as db:
        db.create_release(PERIOD, "preliminary")
        con = db.store.con
        rows = con.execute(
            "SELECT value FROM release_observations WHERE conf_status <> 'F' AND value IS NOT NULL "
            "UNION SELECT value FROM release_cells WHERE conf_status <> 'F'"
        ).fetchall()
        path = db.path
    secrets = {float(v) for (v,) in rows if _distinctive(float(v))}
    assert float(CANARY) in secrets
    return Released(path, secrets)


def _cli(released: Released, *args: str | Path) -> str:
    r = run_here([*args, "--db", released.path], released.path.parent)
    assert r.code == 0, r.stderr
    return r.stdout + r.stderr


INDICATORS = ("indicators", "-p", PERIOD, "--by", "all", "--release", RID)


def test_the_renderings_find_the_canary() -> None:
    """The search itself: each form of the canary a publication could print is found."""
    shown = renderings(float(CANARY))
    for text in ("7777777.77", "7,777,777.77", "7 777 777,77", "7.778", "7,777.78", "٧٧٧٧٧٧٧٫٧٧"):
        assert text in shown
        assert leaks(f"x {text} y", {float(CANARY)})
    assert not leaks("17777777.77", {float(CANARY)})


def test_no_public_output_shows_a_suppressed_value(released: Released, tmp_path: Path) -> None:
    outputs = {}
    outputs["table"] = _cli(released, *INDICATORS)
    outputs["table in units"] = _cli(released, *INDICATORS, "--unit-mult", "0", "--wide")
    outputs["csv"] = _cli(released, *INDICATORS, "-f", "csv")
    outputs["json"] = _cli(released, *INDICATORS, "-f", "json")
    outputs["as-of"] = _cli(
        released, "indicators", "-p", PERIOD, "--by", "all", "--as-of", "2099-01-01", "-f", "csv"
    )
    parquet = tmp_path / "public.parquet"
    _cli(released, *INDICATORS, "-f", "parquet", "-o", parquet)
    outputs["parquet"] = pq.read_table(parquet).to_pandas().to_csv()
    outputs["show"] = _cli(released, "release", "show", RID, "-f", "json")
    outputs["summary"] = _cli(released, "summary", PERIOD, "--release", RID)
    outputs["revisions"] = _cli(
        released, "revisions", "LEVEL", "--by", "segment", "--freq", "M", "-f", "json"
    )
    with duckdb.connect(str(snapshot_path(released.path, RID)), read_only=True) as con:
        tables = [t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        outputs["snapshot"] = "\n".join(
            json.dumps(row, default=str)
            for t in tables
            for row in con.execute(f"SELECT * FROM {t}").fetchall()
        )
    with Digex.open(released.path, read_only=True) as db:
        frame = db.indicators(PERIOD, by="all", release=RID, flow=["X", "M"])
        outputs["api"] = frame.to_csv() + frame.to_string()
        assert set(frame["conf_status"]) == {"C", "F"}
    found = {name: leaks(text, released.secrets) for name, text in outputs.items()}
    assert not any(found.values()), found


def test_the_confidential_outputs_do_show_them(released: Released) -> None:
    text = _cli(released, *INDICATORS, "-f", "csv", "--confidential")
    assert "warning: unprotected values" in text
    assert f"{float(CANARY)!r} as '7777777.77'" in leaks(text, {float(CANARY)})
    with Digex.open(released.path, read_only=True) as db:
        frame = db.indicators(PERIOD, by="all", release=RID, confidential=True)
    assert leaks(frame.to_csv(), {float(CANARY)})
