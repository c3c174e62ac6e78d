"""Schema 7: a release stores its internal CONF_STATUS and pattern under its content hash, and
every public read (as-of, one release, the snapshot) sees only the public view of a release
whose latest gate run passed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

import digex
from digex.api import Digex
from digex.disclosure import problem
from digex.errors import NotPublished
from digex.releases.snapshot import read_release, snapshot_path, write_snapshot
from digex.store import disclosure
from digex.store import releases as rel
from digex.store.migrations import MIGRATIONS
from digex.store.published import Scope, as_of_rows, release_rows

T0 = dt.datetime(2025, 2, 20, 10, 0)
NOW = dt.datetime(2026, 1, 1)
SECRET = 7_777_777.77


def _release(rid: str, created: dt.datetime = T0) -> rel.Release:
    period = rid.split(".")[0]
    return rel.Release(
        rid, period, "A", int(rid.split(".")[1]), "preliminary", None, created, "amina",
        created, "1.0", "MA", "2026.2", "ab" * 32, "2026.1", None, None,
    )  # fmt: skip


OBS = pa.table(
    {
        "indicator": ["LEVEL", "LEVEL", "LEVEL", "SHARE"],
        "freq": ["A"] * 4,
        "period": ["2024"] * 4,
        "cut": ["total", "segment", "segment", "segment"],
        "member": ["_T", "ITO", "KPO", "KPO"],
        "flow": ["X"] * 4,
        "value": [67_927_777.77, 49_300_000.0, SECRET, 11.45],
        "unit": ["MAD", "MAD", "MAD", "PC"],
        "unit_mult": [0] * 4,
        "obs_status": ["P"] * 4,
        "completeness": ["complete"] * 4,
        "conf_status": ["F", "F", "A", "D"],
    }
)
CELLS = pa.table(
    {
        "flow": ["X", "X", "X"],
        "freq": ["A"] * 3,
        "period": ["2024"] * 3,
        "cut": ["total", "segment", "segment"],
        "member": ["_T", "ITO", "KPO"],
        "measure": ["LEVEL"] * 3,
        "cell": [0, 1, 2],
        "value": [67_927_777.77, 49_300_000.0, SECRET],
        "contributors": [10, 5, 1],
        "x1": [13e6, 13e6, SECRET],
        "x2": [11.5e6, 11.5e6, 0.0],
        "rule": ["", "", "threshold n=3"],
        "upl": [0.0, 0.0, 0.0],
        "lpl": [0.0, 0.0, 0.0],
        "conf_status": ["F", "F", "A"],
        "origin": ["free", "free", "rule"],
    }
)


def _put(db: Digex, rid: str, *, gate: bool | None, created: dt.datetime = T0) -> str:
    """Write release `rid` with `OBS` and `CELLS`, and a gate run that passed (True), failed
    (False), or none."""
    with db.store.write() as con:
        con.register("obs", OBS)
        con.register("cells", CELLS)
        digest = rel.insert(
            con,
            _release(rid, created),
            {"profile.toml": "x", "disclosure.json": "{}"},
            "obs",
            "cells",
        )
        con.unregister("obs")
        con.unregister("cells")
        if gate is not None:
            _gate(con, rid, gate, created)
    return digest


def _gate(con: duckdb.DuckDBPyConnection, rid: str, passed: bool, at: dt.datetime) -> None:
    disclosure.record_gate(
        con,
        rid,
        at=at,
        by="amina",
        passed=passed,
        summary={"cells": 3, "suppressed": 1, "audited": 1, "failed": 0 if passed else 1, "lps": 2},
        report=[] if passed else [{"cell": 2, "value": SECRET}],
        lps=2,
        seconds=0.01,
    )


def test_the_public_marks_are_the_contract_codes() -> None:
    assert (disclosure.FREE, disclosure.PUBLIC_MARK) == (problem.FREE, problem.PUBLIC_MARK)
    assert disclosure.LABEL_COLUMNS == problem.LABEL_KEY


def test_conf_status_and_the_pattern_are_under_the_hash_the_gate_is_not(tmp_path: Path) -> None:
    with digex.init(tmp_path / "s.duckdb") as db:
        digest = _put(db, "2024.1", gate=True)
        con = db.store.con
        assert rel.content_hash(con, "2024.1") == digest == rel.stored_hash(con, "2024.1")
        # a gate run again changes nothing the hash covers
        _gate(con, "2024.1", True, T0 + dt.timedelta(days=1))
        assert rel.content_hash(con, "2024.1") == digest
        # a suppressed row made free, or a cell of the pattern changed, is seen
        con.execute("UPDATE release_observations SET conf_status = 'F' WHERE member = 'KPO'")
        assert rel.content_hash(con, "2024.1") != digest
        con.execute(
            "UPDATE release_observations SET conf_status = 'A' "
            "WHERE indicator = 'LEVEL' AND member = 'KPO'"
        )
        con.execute("UPDATE release_observations SET conf_status = 'D' WHERE indicator = 'SHARE'")
        assert rel.content_hash(con, "2024.1") == digest
        con.execute("UPDATE release_cells SET upl = 1 WHERE member = 'KPO'")
        assert rel.content_hash(con, "2024.1") != digest


def test_the_public_view_blanks_every_suppressed_value(tmp_path: Path) -> None:
    with digex.init(tmp_path / "s.duckdb") as db:
        _put(db, "2024.1", gate=True)
        con = db.store.con
        source, _ = release_rows(con, "2024.1", Scope(None, "A", None), now=NOW)
        public = con.execute(
            f"SELECT member, indicator, value, conf_status FROM {source} ORDER BY 1, 2"
        ).fetchall()
        assert public == [
            ("ITO", "LEVEL", 49_300_000.0, "F"),
            ("KPO", "LEVEL", None, "C"),
            ("KPO", "SHARE", None, "C"),
            ("_T", "LEVEL", 67_927_777.77, "F"),
        ]
        source, _ = release_rows(con, "2024.1", Scope(None, "A", None), now=NOW, confidential=True)
        internal = con.execute(
            f"SELECT value, conf_status FROM {source} WHERE member = 'KPO' ORDER BY indicator"
        ).fetchall()
        assert internal == [(SECRET, "A"), (11.45, "D")]
        # the API: public by default, stored values only when asked
        frame = db.indicators("2024", by="segment", release="2024.1", indicators=["LEVEL"])
        kpo = frame.set_index("member").loc["KPO"]
        assert kpo["conf_status"] == "C"
        assert kpo["value"] != kpo["value"]
        frame = db.indicators(
            "2024", by="segment", release="2024.1", indicators=["LEVEL"], confidential=True
        )
        assert frame.set_index("member").loc["KPO", "value"] == SECRET


def test_a_release_is_served_only_while_its_latest_gate_passed(tmp_path: Path) -> None:
    with digex.init(tmp_path / "s.duckdb") as db:
        con = db.store.con
        _put(db, "2024.1", gate=None)
        scope = Scope(None, "A", None)
        with pytest.raises(NotPublished, match="before disclosure control"):
            release_rows(con, "2024.1", scope, now=NOW)
        with pytest.raises(NotPublished, match="no release has been published"):
            as_of_rows(con, NOW, scope, now=NOW)
        _gate(con, "2024.1", False, T0)
        with pytest.raises(NotPublished, match="failed its release gate"):
            release_rows(con, "2024.1", scope, now=NOW)
        _gate(con, "2024.1", True, T0 + dt.timedelta(hours=1))
        release_rows(con, "2024.1", scope, now=NOW)
        assert con.execute(
            f"SELECT count(*) FROM {as_of_rows(con, NOW, scope, now=NOW)}"
        ).fetchone() == (4,)
        # a later failed run (an audit after an override, say) withdraws it from the public
        _gate(con, "2024.1", False, T0 + dt.timedelta(hours=2))
        with pytest.raises(NotPublished, match="failed"):
            release_rows(con, "2024.1", scope, now=NOW)
        # staff still read it
        release_rows(con, "2024.1", scope, now=NOW, confidential=True)
        as_of_rows(con, NOW, scope, now=NOW, confidential=True)


def test_as_of_skips_a_release_not_served(tmp_path: Path) -> None:
    """A newer release whose gate failed is not what was published: the older one is."""
    with digex.init(tmp_path / "s.duckdb") as db:
        con = db.store.con
        _put(db, "2024.1", gate=True)
        _put(db, "2024.2", gate=False, created=T0 + dt.timedelta(days=30))
        source = as_of_rows(con, NOW, Scope(None, "A", None), now=NOW)
        assert con.execute(f"SELECT DISTINCT release_id FROM {source}").fetchall() == [("2024.1",)]
        source = as_of_rows(con, NOW, Scope(None, "A", None), now=NOW, confidential=True)
        assert con.execute(f"SELECT DISTINCT release_id FROM {source}").fetchall() == [("2024.2",)]


def test_the_snapshot_holds_the_public_view_only(tmp_path: Path) -> None:
    with digex.init(tmp_path / "s.duckdb") as db:
        digest = _put(db, "2024.1", gate=True)
        public = rel.public_hash(db.store.con, "2024.1")
        assert public != digest
        path = write_snapshot(db.store, "2024.1")
    held = read_release(path)
    assert held.intact
    assert held.metadata["content_hash"] == public
    assert set(held.inputs) == {"profile.toml"}  # no disclosure parameters
    with duckdb.connect(str(path), read_only=True) as con:
        tables = {t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        assert tables == set(rel.TABLES)  # no pattern, no gate
        rows = con.execute(
            "SELECT member, indicator, value, conf_status FROM release_observations "
            "WHERE member = 'KPO' ORDER BY indicator"
        ).fetchall()
        assert rows == [("KPO", "LEVEL", None, "C"), ("KPO", "SHARE", None, "C")]
        assert rel.content_hash(con, "2024.1") == public
    assert path == snapshot_path(tmp_path / "s.duckdb", "2024.1")


# the content hash as schema 6's digex computed it (digex.store.releases before schema 7)
V6_ROWS = """
SELECT concat_ws(chr(10),
  (SELECT concat_ws('|', release_id, period, freq, vintage, status, coalesce(note, '\\N'),
                    created_at, created_by, published_at, digex_version, profile,
                    profile_version, profile_sha256, codelists_version,
                    coalesce(CAST(last_load_id AS VARCHAR), '\\N'),
                    coalesce(CAST(last_conversion_id AS VARCHAR), '\\N'), observations)
   FROM releases WHERE release_id = '2024.1'),
  (SELECT coalesce(string_agg(concat_ws('|', load_id, kind, file_name, content_hash,
                                        rows_accepted, rows_rejected), chr(10)
                              ORDER BY load_id), '')
   FROM release_loads WHERE release_id = '2024.1'),
  (SELECT coalesce(string_agg(concat_ws('|', name, sha256(content)), chr(10) ORDER BY name), '')
   FROM release_inputs WHERE release_id = '2024.1'),
  (SELECT coalesce(string_agg(concat_ws('|', indicator, freq, period, cut, member, flow,
                                        coalesce(CAST(value AS VARCHAR), '\\N'), unit,
                                        unit_mult, obs_status, completeness), chr(10)
                              ORDER BY indicator, freq, period, cut, member, flow), '')
   FROM release_observations WHERE release_id = '2024.1'))
"""


def test_a_schema_6_store_is_migrated_and_its_releases_keep_their_hashes(tmp_path: Path) -> None:
    """A store written at schema 6 (its migrations, a release hashed as schema 6's digex
    hashed it) opens at schema 7: the release's hash is unchanged, its rows have no
    CONF_STATUS, and it is never served publicly (it was made before disclosure control)."""
    path = tmp_path / "v6.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE schema_version (version INTEGER, applied_at TIMESTAMP)")
        for version, sql in enumerate(MIGRATIONS[:6], start=1):
            con.execute(sql)
            con.execute(f"INSERT INTO schema_version VALUES ({version}, now())")
        con.execute("INSERT INTO meta VALUES ('profile', 'MA')")
        con.execute("INSERT INTO release_inputs VALUES ('2024.1', 'profile.toml', 'x')")
        con.execute(
            "INSERT INTO release_observations VALUES "
            "('2024.1', 'LEVEL', 'A', '2024', 'total', '_T', 'X', 26.2e9, 'MAD', 0, 'P', "
            "'complete'), ('2024.1', 'LEVEL', 'A', '2023', 'total', '_T', 'X', NULL, 'MAD', 0, "
            "'A', 'complete')"
        )
        con.execute(
            "INSERT INTO releases VALUES ('2024.1', '2024', 'A', 1, 'preliminary', NULL, "
            "TIMESTAMP '2025-02-20 10:00', 'amina', TIMESTAMP '2025-02-20 10:00', '1.0', 'MA', "
            "'2026.2', 'abab', '2026.1', NULL, NULL, 2, 'pending')"
        )
        (old,) = con.execute(f"SELECT sha256(({V6_ROWS}))").fetchone() or ("",)
        con.execute(f"UPDATE releases SET content_hash = '{old}'")
    with digex.connect(path) as db:
        assert db.store.schema_version() == len(MIGRATIONS) == 8
        con = db.store.con
        assert rel.content_hash(con, "2024.1") == old == rel.stored_hash(con, "2024.1")
        assert rel.public_hash(con, "2024.1") == old  # nothing to hide in it
        assert con.execute("SELECT count(conf_status) FROM release_observations").fetchone() == (0,)
        with pytest.raises(NotPublished, match="before disclosure control"):
            db.indicators("2024", release="2024.1")
        frame = db.indicators("2024", release="2024.1", confidential=True)
        assert frame["value"].tolist() == [26.2e9]


def test_overrides_and_earlier_labels_are_read_back(tmp_path: Path) -> None:
    with digex.init(tmp_path / "s.duckdb") as db:
        _put(db, "2024.1", gate=True)
        with db.store.write() as con:
            label = ("X", "A", "2024", "segment", "ITO", "LEVEL")
            first = disclosure.add_override(
                con, disclosure.Override(*label, "suppress", "asked by the firm"), at=T0, by="amina"
            )
            second = disclosure.add_override(
                con, disclosure.Override(*label, "publish", "reviewed"), at=T0, by="omar"
            )
        assert (first, second) == (1, 2)
        con = db.store.con
        made = disclosure.overrides(con).to_pylist()
        assert [(m["action"], m["made_by"]) for m in made] == [
            ("suppress", "amina"),
            ("publish", "omar"),
        ]
        earlier = disclosure.earlier_labels(con).to_pylist()
        assert {(e["member"], e["conf_status"]) for e in earlier} == {
            ("_T", "F"),
            ("ITO", "F"),
            ("KPO", "A"),
        }
        assert disclosure.earlier_labels(con, before=T0).num_rows == 0
        with pytest.raises(duckdb.ConstraintException):
            con.execute(
                "INSERT INTO disclosure_overrides VALUES (9, now(), 'x', 'X', 'A', '2024', "
                "'total', '_T', 'LEVEL', 'hide', 'no')"
            )
