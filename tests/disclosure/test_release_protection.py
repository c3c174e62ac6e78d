"""Releases made under disclosure control, end to end on issue 15's tiny store: the pattern
and the gate are stored with the release, public reads never see a suppressed value, verify
recomputes the CONF_STATUS, and a release whose gate fails is refused with nothing written."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from tests.disclosure.fixtures import CANARY, tiny_store

import digex
from digex.api import Digex
from digex.errors import GateFailed
from digex.releases.snapshot import read_release
from digex.store import disclosure
from digex.store import releases as rel

PERIOD = "2024-03"
"""The fixture's one month: a monthly release keeps the cube (and the tests) small."""
MADE = dt.datetime(2025, 3, 1, 9, 0)
KPO = f"member = 'KPO' AND cut = 'segment' AND period = '{PERIOD}' AND flow = 'X'"


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of the tiny store with its March 2024 release made (copy it, never open it):
    disclosure control costs seconds, so the release is made once and each test that changes
    the store starts from a copy of it."""
    folder = tmp_path_factory.mktemp("protected")
    with tiny_store(folder) as db:
        db.create_release(PERIOD, "preliminary", now=MADE, user="amina")
    return folder


@contextmanager
def copy_of(made: Path, folder: Path) -> Iterator[Digex]:
    """The released tiny store copied into `folder` (its snapshot beside it), open."""
    shutil.copytree(made, folder, dirs_exist_ok=True)
    with digex.connect(folder / "tiny.duckdb") as db:
        yield db


@pytest.fixture(scope="module")
def released(made: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Digex]:
    """The tiny store with its March 2024 release made (read it only)."""
    with copy_of(made, tmp_path_factory.mktemp("released")) as db:
        yield db


def test_the_pattern_and_the_gate_are_stored_with_the_release(released: Digex) -> None:
    con = released.store.con
    (gate,) = disclosure.gates(con, "2024-03.1")
    assert gate.passed
    assert gate.audited_by == "amina"
    assert gate.suppressed >= 2  # KPO and at least one complement
    assert set(gate.summary) == {"cells", "suppressed", "audited", "failed", "lps"}
    cells = disclosure.cells(con, "2024-03.1").to_pandas()
    kpo = cells.query(f"cut == 'segment' and member == 'KPO' and period == '{PERIOD}'").iloc[0]
    assert kpo["conf_status"] in ("A", "O", "T", "M")
    assert kpo["contributors"] == 1
    assert kpo["value"] == float(CANARY)
    (code,) = con.execute(
        f"SELECT conf_status FROM release_observations WHERE {KPO} AND indicator = 'LEVEL'"
    ).fetchone() or ("",)
    assert code == kpo["conf_status"]
    assert set(rel.inputs(con, "2024-03.1")) >= {
        "disclosure.json",
        "overrides.json",
        "profile.toml",
    }
    logged = con.execute("SELECT details FROM audit_log WHERE action = 'release'").fetchone()
    assert logged is not None
    assert '"gate"' in logged[0]


def test_public_reads_show_the_mark_and_never_the_value(released: Digex) -> None:
    public = released.indicators(
        PERIOD, by="segment", release="2024-03.1", indicators=["LEVEL", "SHARE"]
    )
    kpo = public[public["member"] == "KPO"]
    assert set(kpo["conf_status"]) == {"C"}
    assert kpo["value"].isna().all()
    assert set(public["conf_status"]) <= {"C", "F"}
    assert not (public["value"] == float(CANARY)).any()
    as_of = released.indicators(PERIOD, by="segment", as_of="2026-01-01", indicators=["LEVEL"])
    assert as_of.loc[as_of["member"] == "KPO", "value"].isna().all()
    internal = released.indicators(
        PERIOD, by="segment", release="2024-03.1", indicators=["LEVEL"], confidential=True
    )
    assert internal.loc[internal["member"] == "KPO", "value"].tolist() == [float(CANARY)]
    # release show: the suppressed rows counted, the internal inputs left out
    shown = released.release("2024-03.1")
    assert "disclosure.json" not in set(shown.inputs["name"])
    assert shown.counts["suppressed"].sum() > 0
    assert "disclosure.json" in set(released.release("2024-03.1", confidential=True).inputs["name"])


def test_the_snapshot_holds_the_public_view(released: Digex) -> None:
    from digex.releases.snapshot import snapshot_path

    held = read_release(snapshot_path(released.path, "2024-03.1"))
    assert held.intact
    assert set(held.inputs) == {
        "profile.toml", "codelists.json", "registry.toml", "estimates.json",
    }  # fmt: skip
    values = held.observations["value"].to_pylist()
    assert float(CANARY) not in values
    assert released.verify_release("2024-03.1").identical


def test_verify_recomputes_the_conf_status(made: Path, tmp_path: Path) -> None:
    """A suppressed row made free with SQL, with the hash rewritten to match, passes the hash
    check and fails the recomputation on `conf_status`."""
    with copy_of(made, tmp_path) as db:
        con = db.store.con
        con.execute(
            f"UPDATE release_observations SET conf_status = 'F' WHERE {KPO} AND indicator = 'LEVEL'"
        )
        forged = rel.content_hash(con, "2024-03.1")
        con.execute(f"UPDATE releases SET content_hash = '{forged}'")
        found = db.verify_release("2024-03.1")
        checks = {c.name: c.passed for c in found.checks}
        assert checks["hash"] is True
        assert checks["recomputed"] is False
        assert found.counts == {"conf_status": 1}
        (difference,) = found.differences
        assert (difference.kind, difference.recomputed, difference.released) == (
            "conf_status",
            difference.recomputed,
            "F",
        )
        assert difference.recomputed in ("A", "O", "T", "M")


def test_a_failing_gate_refuses_the_release_and_writes_nothing(tmp_path: Path) -> None:
    """The total, ITO and BPO forced published by overrides make KPO (their difference) exact:
    no complement can protect it, the gate fails, and the refusal names the cell."""
    with tiny_store(tmp_path) as db:
        for member, cut in (("_T", "total"), ("ITO", "segment"), ("BPO", "segment")):
            db.add_override(
                period=PERIOD, cut=cut, member=member, action="publish", reason="reviewed"
            )
        with pytest.raises(GateFailed) as refused:
            db.create_release(PERIOD, "preliminary", now=MADE)
        message = str(refused.value)
        assert f"X/M/{PERIOD}/segment/KPO LEVEL" in message
        assert "override" in message
        assert refused.value.exit_code == 3
        con = db.store.con
        for table in ("releases", "release_observations", "release_cells", "release_gates"):
            assert con.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,)
        assert len(db.overrides()) == 3


def test_a_later_vintage_keeps_an_earlier_suppression(made: Path, tmp_path: Path) -> None:
    """KPO made safe by late declarations (three firms, no dominance) stays suppressed in the
    revised release: it was suppressed in the preliminary one (sticky, origin `earlier`)."""
    from tests.conftest import TODAY, write_csv

    with copy_of(made, tmp_path) as db:
        late = [
            (f"L{i}", PERIOD, f"{990 + i:015d}", "KPO", "FR", "MAD", amount, "X")
            for i, amount in ((1, "7000000"), (2, "6000000"))
        ]
        db.load(write_csv(tmp_path / "late.csv", late), today=TODAY)
        db.create_release(PERIOD, "revised", now=MADE + dt.timedelta(days=30))
        con = db.store.con
        kpo = (
            disclosure.cells(con, "2024-03.2")
            .to_pandas()
            .query("cut == 'segment' and member == 'KPO' and measure == 'LEVEL'")
            .iloc[0]
        )
        assert kpo["contributors"] == 3
        assert kpo["rule"] == ""  # safe on its own now
        assert kpo["origin"] == "earlier"
        assert kpo["conf_status"] != "F"
        public = db.indicators(PERIOD, by="segment", release="2024-03.2", indicators=["LEVEL"])
        assert public.loc[public["member"] == "KPO", "conf_status"].tolist() == ["C"]
        assert db.verify_release("2024-03.2").identical


def test_a_gate_run_again_that_fails_withdraws_the_release(made: Path, tmp_path: Path) -> None:
    """A stored pattern whose complement was made free (with SQL) no longer protects KPO: the
    gate run again fails (exit 3 on the command line), and the release is not served."""
    from tests.inprocess import run_here

    from digex.errors import NotPublished

    with copy_of(made, tmp_path) as db:
        db.store.con.execute(
            "UPDATE release_cells SET conf_status = 'F' WHERE conf_status = 'D' AND cut = 'segment'"
        )
        path = db.path
    r = run_here(["disclosure", "audit", "2024-03.1", "--public", "--db", path], tmp_path)
    assert r.code == 3, r.stderr
    assert "gate FAILED" in r.stdout
    assert "no longer served" in " ".join(r.stderr.split())
    listed = run_here(["release", "list", "--db", path], tmp_path)
    assert "2024-03.1†" in listed.stdout
    assert "† not served publicly" in " ".join(listed.stdout.split())
    as_csv = run_here(["release", "list", "-f", "csv", "--db", path], tmp_path)
    assert ",failed" in as_csv.stdout
    from digex.api import Digex

    with Digex.open(path, read_only=True) as db:
        with pytest.raises(NotPublished, match="failed its release gate"):
            db.indicators(PERIOD, release="2024-03.1")
        assert len(db.indicators(PERIOD, release="2024-03.1", confidential=True)) > 0
    # nothing leaves the system from it: no publication, no SDMX files (one line, exit 1,
    # nothing written)
    for args in (
        ["publish", "2024-03.1", "--out", str(tmp_path / "pub"), "--no-pdf"],
        ["sdmx", "export", "2024-03.1", "--format", "sdmx-csv", "--out", str(tmp_path / "sdmx")],
    ):
        refused = run_here([*args, "--db", path], tmp_path)
        assert refused.code == 1, refused.stderr
        assert "failed its release gate" in " ".join(refused.stderr.split())
        assert "Traceback" not in refused.stderr
    assert not (tmp_path / "pub").exists()
    assert not (tmp_path / "sdmx").exists() or not any((tmp_path / "sdmx").iterdir())
