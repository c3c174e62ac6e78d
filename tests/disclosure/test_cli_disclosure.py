"""`digex disclosure ...` and the `--confidential` flags on the command line, on issue 15's tiny
store with its March 2024 release."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.disclosure.fixtures import tiny_store
from tests.inprocess import run_here

from digex.api import Digex

PERIOD = "2024-03"
RID = "2024-03.1"


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny store, its release made with `digex release create` (the path of the store)."""
    folder = tmp_path_factory.mktemp("cli")
    with tiny_store(folder) as db:
        path = db.path
    created = run_here(
        ["release", "create", PERIOD, "--status", "preliminary", "--db", path], folder
    )
    assert created.code == 0, created.stderr
    assert "disclosure:" in created.stdout
    assert "gate passed" in created.stdout
    return path


def _run(made: Path, *args: str) -> tuple[int, str, str]:
    r = run_here([*args, "--db", made], made.parent)
    return r.code, r.stdout, " ".join(r.stderr.split())


def test_audit_prints_the_internal_report_and_the_public_summary(made: Path) -> None:
    code, out, said = _run(made, "disclosure", "audit", RID)
    assert code == 0, said
    assert "internal" in said
    assert "gate passed" in out
    assert "KPO" in out  # the per-cell report names the cells
    code, out, said = _run(made, "disclosure", "audit", RID, "--public")
    assert code == 0, said
    (line,) = [x for x in out.splitlines() if x.strip()]
    assert line.startswith(f"release {RID}: gate passed;")
    assert "KPO" not in out
    assert "7,777,777" not in out
    with Digex.open(made, read_only=True) as db:
        from digex.store import disclosure

        runs = disclosure.gates(db.store.con, RID)
    assert len(runs) >= 3  # at creation, then each audit


def test_overrides_need_a_reason_and_are_listed(made: Path) -> None:
    base = ("disclosure", "override", "add", "-p", PERIOD, "--cut", "partner", "--member", "US")
    code, _, said = _run(made, *base, "--suppress")
    assert code == 2
    assert "--reason" in said
    code, _, said = _run(made, *base, "--suppress", "--publish", "--reason", "x")
    assert code == 2
    code, out, said = _run(made, *base, "--suppress", "--reason", "the firm asked")
    assert code == 0, said
    assert "override 1" in out
    code, out, _ = _run(made, "disclosure", "override", "list", "-f", "json")
    (listed,) = json.loads(out)
    assert (listed["member"], listed["action"], listed["reason"]) == (
        "US",
        "suppress",
        "the firm asked",
    )
    code, out, _ = _run(made, "log", "--action", "override", "-f", "csv")
    assert "the firm asked" in out


def test_cells_and_loss_are_internal(made: Path) -> None:
    code, out, said = _run(made, "disclosure", "cells", RID, "--suppressed-only", "-f", "csv")
    assert code == 0, said
    assert "internal" in said
    header, *rows = out.splitlines()
    assert header.startswith("flow,freq,period,cut,member,measure,cell,value")
    assert rows
    assert all(",F," not in r for r in rows)
    assert any(",segment,KPO," in r for r in rows)
    code, out, said = _run(made, "disclosure", "loss", RID, "-f", "json")
    assert code == 0, said
    assert json.loads(out)


def test_confidential_prints_a_warning_and_the_stored_values(made: Path) -> None:
    args = ("indicators", "-p", PERIOD, "--by", "segment", "-i", "LEVEL", "-f", "csv")
    code, out, said = _run(made, *args, "--release", RID)
    assert code == 0, said
    kpo = [line for line in out.splitlines() if ",KPO," in line]
    assert kpo == [f"LEVEL,M,{PERIOD},segment,KPO,X,,MAD,0,P,complete,{RID},C"]
    assert "unprotected" not in said
    code, out, said = _run(made, *args, "--release", RID, "--confidential")
    assert code == 0, said
    assert said.startswith("warning: unprotected values: for internal use only, never publish")
    assert "7777777.77" in out
    code, _, said = _run(made, *args, "--confidential")
    assert code == 2
    code, _, said = _run(made, *args)
    assert "internal, not disclosure-protected" in said
    for command in (
        ("release", "show", RID),
        ("revisions", "LEVEL", "--by", "segment", "--freq", "M"),
    ):
        code, _, said = _run(made, *command, "--confidential")
        assert code == 0, said
        assert said.startswith("warning: unprotected values")


def test_the_table_shows_c_for_a_suppressed_value(made: Path) -> None:
    code, out, said = _run(
        made, "indicators", "-p", PERIOD, "--by", "segment", "-i", "LEVEL", "--release", RID
    )
    assert code == 0, said
    (kpo,) = [line for line in out.splitlines() if " KPO " in line]
    assert " C " in kpo
    assert "C: confidential" in out


def test_help_teaches(made: Path) -> None:
    r = run_here(["disclosure", "--help"], made.parent)
    code, out = r.code, r.stdout
    assert code == 0
    for word in ("release gate", "DIGEX_DISCLOSURE", "override", "--public"):
        assert word in " ".join(out.split())
