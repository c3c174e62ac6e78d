"""Where a load checks its files and how it reaches the store.

A load holds the store as briefly as it can: DuckDB lets one process write a file at a time,
and a process holding it for writing keeps every other process out, readers included. So a
load reads its `Basis` in one short transaction, checks its files in a connection of its own
(temporary tables, in memory, spilling to a folder of their own past the memory limit), and
holds the store for writing again only for the final transaction.

Two targets: `StoreFile`, a store this process does not hold open (`digex load`), checked in a
separate in-memory database to which the store file is attached for the final write (measured
at 1 million declarations: 1.9-2.6 s for the insert, the same as from temporary tables of the
store's own connection, 2.2-2.5 s; reading the staged rows into the store's connection through
Arrow instead took 2.4-6.8 s); and `OpenStore`, a `Store` this process holds (the Python API),
checked in a cursor of its own connection, as the process holds the file anyway.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Protocol

import duckdb

from digex.sql import literal
from digex.store.append import Basis, attached, read_basis
from digex.store.offline import connect
from digex.store.store import Store, memory_limit


class LoadTarget(Protocol):
    """What a load needs of the store it writes to."""

    def basis(self, *, declarations: bool, replaces: Sequence[int]) -> Basis:
        """What the checks read, in a short transaction of its own."""
        ...

    def staging(
        self, basis: Basis, limit: str
    ) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
        """A connection for the load's temporary tables, with the engine's memory `limit`,
        knowing `basis`'s code-list types."""
        ...

    def final(
        self, con: duckdb.DuckDBPyConnection, basis: Basis
    ) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
        """The final transaction, on the staging connection `con` (its temporary tables stay
        visible), with the store's tables as the default ones, in the store `basis` was read
        from."""
        ...


def _settings(con: duckdb.DuckDBPyConnection, limit: str) -> None:
    # A load needs no row order (rows carry their line number; a reader that takes it from
    # the scan order asks for order itself), and without it the engine needs far less
    # memory: a 100-million-row file did not fit in 1.5 GB with it. On a cursor of an open
    # store (`OpenStore`) both settings apply to the whole database while the load runs: every
    # public read orders its rows itself (`queries.ORDER`, `kept.KEY`), and the load's memory
    # limit is never below the default one (`load_memory_limit`); both are restored after.
    con.execute("SET preserve_insertion_order = false")
    con.execute(f"SET memory_limit = {literal(limit)}")


class StoreFile:
    """A store this process does not hold: held for a moment to read the basis, then only for
    the final write."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def basis(self, *, declarations: bool, replaces: Sequence[int]) -> Basis:
        # opening it checks (and brings forward) the schema version, as any command does
        with Store(self.path) as store, store.write() as con:
            return read_basis(con, declarations=declarations, replaces=replaces, file=self.path)

    @contextmanager
    def staging(self, basis: Basis, limit: str) -> Iterator[duckdb.DuckDBPyConnection]:
        # spilled blocks go beside the store (where there is room for the store), in a folder
        # of this load's own: a process opening the store uses `<store>.tmp`
        spill = Path(tempfile.mkdtemp(prefix=f"{self.path.name}.load-", dir=self.path.parent))
        con = connect()
        try:
            con.execute("SET enable_progress_bar = true; SET enable_progress_bar_print = false")
            con.execute(f"SET temp_directory = {literal(str(spill))}")
            _settings(con, limit)
            for code_type in basis.code_types:
                con.execute(code_type.create_sql())
            yield con
        finally:
            con.close()
            shutil.rmtree(spill, ignore_errors=True)

    def final(
        self, con: duckdb.DuckDBPyConnection, basis: Basis
    ) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
        return attached(con, self.path, identity=basis.file)


class OpenStore:
    """A store this process holds open: it keeps the file anyway, so the files are checked in
    a cursor of its connection (the code-list types are there) and stored from it."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @property
    def path(self) -> Path:
        return self.store.path

    def basis(self, *, declarations: bool, replaces: Sequence[int]) -> Basis:
        with self.store.write() as con:
            return read_basis(con, declarations=declarations, replaces=replaces)

    @contextmanager
    def staging(self, basis: Basis, limit: str) -> Iterator[duckdb.DuckDBPyConnection]:
        with self.store.scratch() as shared:
            con = shared.cursor()
            try:
                _settings(con, limit)
                yield con
            finally:
                con.execute("RESET preserve_insertion_order")
                con.execute(f"SET memory_limit = {literal(memory_limit())}")
                con.close()

    @contextmanager
    def final(
        self, con: duckdb.DuckDBPyConnection, basis: Basis
    ) -> Iterator[duckdb.DuckDBPyConnection]:
        con.execute("BEGIN TRANSACTION")
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")


def load_target(target: Store | Path) -> LoadTarget:
    """The target of a load into `target`: a path is a store this process does not hold."""
    return OpenStore(target) if isinstance(target, Store) else StoreFile(Path(target))
