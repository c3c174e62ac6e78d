"""A new store gets its whole schema in one transaction (issue 19: `digex init` paid a
connection and a commit per migration): the same schema as a store migrated step by step."""

from __future__ import annotations

from pathlib import Path

import duckdb

from digex.store import SCHEMA_VERSION, Store

CATALOG = """
SELECT 'column' AS kind, table_name AS name, column_name || ' ' || data_type AS what
FROM information_schema.columns
UNION ALL SELECT 'view', view_name, '' FROM duckdb_views() WHERE NOT internal
UNION ALL SELECT 'type', type_name, logical_type FROM duckdb_types() WHERE NOT internal
ORDER BY ALL
"""


# a view's columns are compared (information_schema lists them), not its text: DuckDB spaces
# the text it keeps of a view made in a longer transaction differently


def catalog(path: Path) -> list[tuple[str, str, str]]:
    with duckdb.connect(str(path), read_only=True) as con:
        return [tuple(r) for r in con.execute(CATALOG).fetchall()]


def test_a_new_store_has_the_schema_of_one_migrated_step_by_step(tmp_path: Path) -> None:
    Store.create(tmp_path / "new.duckdb").close()
    old = tmp_path / "old.duckdb"
    duckdb.connect(str(old)).close()  # a file from before digex recorded schema versions
    Store.create(old).close()  # migrated one version at a time, a transaction each
    assert catalog(tmp_path / "new.duckdb") == catalog(old)
    with duckdb.connect(str(tmp_path / "new.duckdb"), read_only=True) as con:
        versions = con.execute("SELECT version FROM schema_version ORDER BY 1").fetchall()
    assert [v for (v,) in versions] == list(range(1, SCHEMA_VERSION + 1))
