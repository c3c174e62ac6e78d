"""`release verify` recomputes with the indicator registry and the code lists frozen with the
release, not the installed ones: a release made by a digex that defined another indicator and
put France in the Americas still passes, and a frozen copy rewritten afterwards (its rows and
hash with it) fails the recomputation."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from tests.conftest import FIRM, TODAY, write_csv

import digex
from digex.api import Digex
from digex.disclosure.parameters import parameters_from_json
from digex.disclosure.protect import protect
from digex.errors import ChecksFailed
from digex.indicators.cuts import installed_mappings, mappings_from_codelists
from digex.indicators.engine import Engine
from digex.indicators.registry import registry, registry_from_text
from digex.indicators.targets import tidy_rows
from digex.releases.content import frozen_codelists, observations, registry_text
from digex.releases.snapshot import folder
from digex.releases.verify import Verification, frozen_definitions
from digex.sql import literal
from digex.store import releases
from digex.store.tables import engine_sources

RID = "2024-Q1.1"
"""A quarter: MA publishes regions quarterly, not monthly (its [[table]])."""
ROWS = [
    ("A1", "2024-03", FIRM, "ITO", "FR", "MAD", "1000", "X"),
    ("A2", "2024-03", FIRM, "CRM", "US", "MAD", "500", "X"),
]


def passed(found: Verification) -> dict[str, bool | None]:
    return {c.name: c.passed for c in found.checks}


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding release 2024-Q1.1, made by `release create` with the installed
    definitions (its snapshot file set aside: the tests rewrite the release)."""
    d = tmp_path_factory.mktemp("frozen")
    with digex.init(d / "s.duckdb") as db:
        db.load(write_csv(d / "d.csv", ROWS), today=TODAY)
        db.create_release("2024-Q1", "preliminary", now=dt.datetime(2025, 4, 10, 9, 0))
    shutil.rmtree(folder(d / "s.duckdb"), ignore_errors=True)
    return d / "s.duckdb"


def copied(made: Path, tmp_path: Path) -> Path:
    target = tmp_path / made.name
    shutil.copy(made, target)
    return target


def other_copies(inputs: dict[str, str]) -> dict[str, str]:
    """The registry and code lists another digex would have frozen: France in the Americas
    (the region of the United States, 019) and one more indicator, LEVEL_AGAIN, defined as
    LEVEL is."""
    lists = json.loads(inputs["codelists.json"])
    for row in lists["codelists"]["countries"]:
        if row["code"] == "FR":
            row["region"] = "019"
    text = inputs["registry.toml"]
    start = text.index("[LEVEL]\n")
    entry = text[start : text.index("\n[", start)].replace("[LEVEL]", "[LEVEL_AGAIN]", 1)
    return {
        "codelists.json": json.dumps(lists, ensure_ascii=False, sort_keys=True),
        "registry.toml": f"{text}\n{entry}\n",
    }


def rewrite(db: Digex, copies: dict[str, str], rows: pd.DataFrame | None) -> None:
    """Rewrite the release's frozen copies (and its rows when given), then its count and hash,
    as someone with SQL access to the file could."""
    rid = literal(RID)
    with db.store.write() as con:
        for name, text in copies.items():
            con.execute(
                f"UPDATE release_inputs SET content = {literal(text)} "
                f"WHERE release_id = {rid} AND name = {literal(name)}"
            )
        if rows is not None:
            con.execute(f"DELETE FROM release_observations WHERE release_id = {rid}")
            con.register("again", rows)
            try:
                con.execute(
                    f"INSERT INTO release_observations BY NAME SELECT {rid} AS release_id, "
                    "* FROM again"
                )
            finally:
                con.unregister("again")
            con.execute(
                "UPDATE releases SET observations = (SELECT count(*) FROM release_observations "
                f"WHERE release_id = {rid}) WHERE release_id = {rid}"
            )
        forged = releases.content_hash(con, RID)
        con.execute(f"UPDATE releases SET content_hash = '{forged}' WHERE release_id = {rid}")


def level(rows: pd.DataFrame, indicator: str, cut: str, member: str) -> float:
    chosen = rows[
        (rows["indicator"] == indicator)
        & (rows["cut"] == cut)
        & (rows["member"] == member)
        & (rows["period"] == "2024-Q1")
        & (rows["flow"] == "X")
    ]
    [value] = chosen["value"].tolist()
    return float(value)


def test_the_frozen_copies_are_read_back_as_the_installed_ones(made: Path) -> None:
    with digex.connect(made, read_only=True) as db, db.store.reading() as con:
        inputs = releases.inputs(con, RID)
    found = frozen_definitions(inputs, RID)
    assert found.unreadable == ()
    assert found.mappings == installed_mappings()
    assert found.registry == registry()


def test_a_release_made_with_other_definitions_is_recomputed_with_them(
    made: Path, tmp_path: Path
) -> None:
    path = copied(made, tmp_path)
    with digex.connect(path) as db:
        with db.store.reading() as con:
            copies = other_copies(releases.inputs(con, RID))
            mappings = mappings_from_codelists(frozen_codelists(copies["codelists.json"]))
            sources = dataclasses.replace(
                engine_sources(con, db.profile.minor_units), mappings=mappings
            )
            defined = registry_from_text(copies["registry.toml"], "the test's copy")
            engine = Engine(sources)
            rows = observations(engine, db.profile, "2024-Q1", "preliminary", defined)
            installed = releases.observations(con, RID).to_pandas()
            # protected as the release was (its frozen parameters), with those definitions
            parameters = parameters_from_json(releases.inputs(con, RID)["disclosure.json"])
            protected = protect(
                engine, db.profile, "2024-Q1", rows, parameters=parameters, definitions=defined
            ).observations
            del engine  # its temporary tables are dropped while the cursor is open
            gc.collect()
        # what the other definitions give, by hand: France's 1000 counted in the Americas
        # with the United States' 500, and LEVEL_AGAIN wherever LEVEL is
        assert level(rows, "LEVEL", "region", "019") == 1500.0
        assert level(installed, "LEVEL", "region", "019") == 500.0
        assert "150" not in set(rows.loc[rows["cut"] == "region", "member"])
        again = rows[rows["indicator"] == "LEVEL_AGAIN"].drop(columns="indicator")
        same = rows[rows["indicator"] == "LEVEL"].drop(columns="indicator")
        assert len(again) > 0
        pd.testing.assert_frame_equal(again.reset_index(drop=True), same.reset_index(drop=True))
        rewrite(db, copies, protected)
        found = db.verify_release(RID)
    assert passed(found) == {"hash": True, "recomputed": True, "snapshot": None}
    assert found.identical
    assert [n for n in found.notes if "used the frozen ones" in n] == [
        "the code lists installed differ from those frozen with the release (codelists.json); "
        "the recomputation used the frozen ones",
        "the indicator registry installed differ from those frozen with the release "
        "(registry.toml); the recomputation used the frozen ones",
    ]


@pytest.mark.parametrize("name", ["codelists.json", "registry.toml"])
def test_a_frozen_copy_rewritten_with_the_hash_fails_the_recomputation(
    made: Path, tmp_path: Path, name: str
) -> None:
    path = copied(made, tmp_path)
    with digex.connect(path) as db:
        with db.store.reading() as con:
            copies = other_copies(releases.inputs(con, RID))
        rewrite(db, {name: copies[name]}, None)
        found = db.verify_release(RID)
        assert passed(found) == {"hash": True, "recomputed": False, "snapshot": None}
        kinds = set(found.counts)
        if name == "codelists.json":  # France's figures recomputed in the Americas
            assert "value" in kinds
            assert "only in the release" in kinds  # the European region's rows
        else:  # LEVEL_AGAIN, not in the release, recomputed
            assert kinds == {"only recomputed"}
            assert {d.key[0] for d in found.differences} == {"LEVEL_AGAIN"}
        with pytest.raises(ChecksFailed, match=r"\(recomputed\): its figures are not what"):
            found.raise_if_failed()


def test_the_families_outside_the_suite_are_read_from_the_registry_given() -> None:
    """The jobs family (computed apart from the suite) follows the registry handed down:
    one more entry there, one more indicator in the rows."""
    text = registry_text()
    start = text.index("[JOBS]\n")
    entry = text[start : text.index("\n[", start)].replace("[JOBS]", "[JOBS_AGAIN]", 1)
    defined = registry_from_text(f"{text}\n{entry}\n", "the test's copy")
    cells = pd.DataFrame(
        {
            "period": ["2024"],
            "cut": ["total"],
            "member": ["_T"],
            "jobs": [1200.0],
            "exports_per_job": [None],
        }
    )
    installed = tidy_rows("jobs", cells, "MAD")
    given = tidy_rows("jobs", cells, "MAD", definitions=defined)
    assert installed["indicator"].tolist() == ["JOBS"]
    found = given[["indicator", "value"]].to_numpy().tolist()
    assert found == [["JOBS", 1200.0], ["JOBS_AGAIN", 1200.0]]
