"""A release's snapshot file: what publication and the web service read, never the live store.

One self-contained DuckDB file per release, beside the store:
``<store folder>/<store stem>.releases/<release id>.duckdb``. It holds the four release tables
(`digex.store.releases.TABLES`, created by the store's own DDL) with this release's rows only,
so that `digex.store.releases.content_hash` gives on it the hash the store recorded: a copy
can be checked without the store. The file is made read-only (mode 0444) once written.

A snapshot is written once: a file already there is never replaced (the release it holds is
immutable, and a different file under its name would be a different release). It is first
written under a temporary name in the same folder and then linked to its name, which fails if
the name exists, so that a reader never sees half a file and two writers cannot both win.
When it cannot be written (a full disk, no permission), the release stays in the store and
`write_snapshot` (`digex release snapshot ID`) writes it again from the store's rows later.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from digex.errors import ReleaseDataError, SnapshotExists, UsageError

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

    from digex.store import Store

SUFFIX = ".duckdb"
READ_ONLY = 0o444


def folder(store_path: Path) -> Path:
    """The folder of a store's snapshot files."""
    return store_path.parent / f"{store_path.stem}.releases"


def snapshot_path(store_path: Path, release_id: str) -> Path:
    """Where the snapshot of `release_id` of the store at `store_path` is written."""
    return folder(store_path) / f"{release_id}{SUFFIX}"


def write_snapshot(store: Store, release_id: str, *, index: bool = True) -> Path:
    """Write the snapshot of `release_id` from the store's rows (committed ones: call it after
    the release's transaction); returns its path. Refuses a release the store does not hold
    (`UsageError`) and a snapshot already written (`SnapshotExists`); a failure to write
    (`OSError`) leaves no file behind. With `index`, the served-release index
    (`digex.web.index`) is written afterwards (the web service then serves the release)."""
    from digex.store import releases
    from digex.store.offline import connect

    target = snapshot_path(store.path, release_id)
    with store.reading() as con:
        if releases.metadata(con, release_id) is None:
            raise UsageError(
                f"the store {store.path} holds no release {release_id!r}; "
                "`digex release list` shows its releases"
            )
        if target.exists():
            raise _exists(target, release_id)
        tables = releases.rows(con, release_id)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        partial.unlink(missing_ok=True)
        copy = connect(str(partial))
        try:
            releases.write_copy(copy, tables)
        finally:
            copy.close()
        partial.chmod(READ_ONLY)
        try:
            os.link(partial, target)  # fails if the name exists: never replaces a snapshot
        except FileExistsError:
            raise _exists(target, release_id) from None
    finally:
        partial.unlink(missing_ok=True)
        Path(f"{partial}.wal").unlink(missing_ok=True)
    if index:
        from digex.web.index import refresh

        refresh(store)
    return target


def _exists(target: Path, release_id: str) -> SnapshotExists:
    return SnapshotExists(
        f"the snapshot of release {release_id} is already at {target}; a snapshot is never "
        "replaced (read it, or check it with `digex release verify`)"
    )


def open_snapshot(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to a snapshot file (the caller closes it)."""
    from digex.store.offline import connect

    if not path.is_file():
        raise UsageError(f"no snapshot file at {path}")
    return connect(str(path), read_only=True)


@dataclass(frozen=True)
class ReleaseSnapshot:
    """What a snapshot file holds: the release's `releases` row, its frozen inputs, the loads
    it was computed from and its observations; `intact` says whether its rows still give the
    hash recorded with them."""

    release_id: str
    metadata: dict[str, Any]
    inputs: dict[str, str]
    loads: pa.Table
    observations: pa.Table
    intact: bool
    estimates: pa.Table | None = None
    """The estimates frozen with it (`digex.releases.estimates`): empty for a release made
    before them."""


def read_release(path: Path) -> ReleaseSnapshot:
    """Read the release a snapshot file holds (without ever opening the store)."""
    from digex.store import releases

    con = open_snapshot(path)
    try:
        found = releases.ids(con)
        if len(found) != 1:
            raise ReleaseDataError(
                f"{path} holds {len(found)} releases; a snapshot holds exactly one"
            )
        rid = found[0]
        meta = releases.metadata(con, rid)
        assert meta is not None
        return ReleaseSnapshot(
            release_id=rid,
            metadata=meta,
            inputs=releases.inputs(con, rid),
            loads=releases.loads(con, rid),
            observations=releases.observations(con, rid),
            intact=releases.content_hash(con, rid) == meta["content_hash"],
            estimates=releases.estimates(con, rid),
        )
    finally:
        con.close()
