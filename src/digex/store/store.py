"""The one owner of the store file.

DuckDB allows one writing process at a time; every write in digex goes through `Store.write()`,
which opens a transaction that either commits whole or leaves the file as it was (also when the
process is killed: DuckDB replays only committed work from its write-ahead log).
"""

from __future__ import annotations

import gc
import os
import shutil
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from digex.errors import StoreBusy, StoreError, StoreLocked
from digex.settings import MEMORY_LIMIT
from digex.settings import default_path as default_path  # re-exported: digex.store
from digex.settings import memory_limit as memory_limit  # re-exported: ingest
from digex.sql import literal
from digex.store.migrations import MIGRATIONS, SCHEMA_VERSION
from digex.store.offline import connect

if TYPE_CHECKING:
    from digex.indicators.engine import Sources

MEMORY_ENV = MEMORY_LIMIT.name
DEFAULT_MEMORY_LIMIT = MEMORY_LIMIT.default

LOAD_MEMORY_PER_INPUT_BYTE = 0.75
"""Memory a load of large files is given per byte of input, unless DIGEX_MEMORY_LIMIT says: the
default limit fits a file of about 10 million rows (600 MB of CSV); a 100-million-row file
(6 GB) ran out of it, and loaded with the 4.2 GB this rule gives (8 minutes; 4.5 since the
codes are stored as ENUM types)."""
LOAD_MEMORY_SHARE = 0.5
"""The most of the machine's available memory a load takes by itself (it spills beyond)."""


def load_memory_limit(input_bytes: int) -> str:
    """The engine's memory limit for a load of `input_bytes` of files: DIGEX_MEMORY_LIMIT when
    set, else the default raised for large inputs, within half the memory available."""
    if MEMORY_LIMIT.given():
        return memory_limit()
    default_mb = int(DEFAULT_MEMORY_LIMIT.removesuffix("MB"))
    wanted_mb = int(input_bytes * LOAD_MEMORY_PER_INPUT_BYTE / 2**20)
    if wanted_mb <= default_mb:
        return DEFAULT_MEMORY_LIMIT
    try:
        available = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # not Linux: keep to the default
        return DEFAULT_MEMORY_LIMIT
    return f"{max(default_mb, min(wanted_mb, int(available * LOAD_MEMORY_SHARE / 2**20)))}MB"


LOCK_WAIT = 10.0
"""Seconds to wait for another process's write to finish before reporting the store busy."""
REOPEN_WAIT = 3 * LOCK_WAIT
"""Seconds a read-only store waits to get the file back after a write of its own (another
process's load may have taken it meanwhile); past it, the store reconnects when next read."""
OPTIONAL_WRITE_WAIT = 0.25
"""Seconds an optional write (keeping computed indicators) waits for another thread's write
in this process: enough for another cache write (milliseconds), not for a load (minutes), which
would otherwise delay every answer computed meanwhile."""


def _connect(path: Path, *, read_only: bool, wait: float = LOCK_WAIT) -> duckdb.DuckDBPyConnection:
    """Open the file, waiting while another process holds DuckDB's single write lock.

    Writes by queries (the indicator cache) last milliseconds; a load can last minutes, and
    then the message says so instead of waiting forever.
    """
    deadline = time.monotonic() + wait
    while True:
        try:
            return _connect_once(path, read_only=read_only)
        except StoreError as e:
            if "another process" not in str(e) or time.monotonic() >= deadline:
                raise
            time.sleep(0.05)


SQLITE_MAGIC = b"SQLite format 3\x00"


def _refuse_foreign(path: Path) -> None:
    """Refuse a file DuckDB would open through an extension (an SQLite database): digex opens
    its own DuckDB stores only, and never installs or loads an extension to read a file."""
    try:
        with path.open("rb") as f:
            head = f.read(len(SQLITE_MAGIC))
    except OSError:
        return  # a missing or unreadable file: DuckDB's own message says which
    if head == SQLITE_MAGIC:
        raise StoreError(
            f"{path} is an SQLite database, not a digex store; give the path of a store made "
            "by `digex init` (a DuckDB file)"
        )


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def _connect_once(path: Path, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    _refuse_foreign(path)
    # The engine tracks progress (digex shows it in its own bar) but must not print its own.
    try:
        con = connect(str(path), read_only=read_only)
        _configure(con, path)
        return con
    except duckdb.IOException as e:
        if "lock" in str(e).lower():
            raise StoreLocked(
                f"the store {path} is being written by another process; wait for it to finish "
                "(DuckDB allows one writer at a time)"
            ) from e
        raise StoreError(f"cannot open the store {path}: {_first_line(e)}") from e
    except duckdb.Error as e:
        raise StoreError(f"{path} is not a digex store (DuckDB says: {_first_line(e)})") from e


def refuse_if_written(path: Path) -> None:
    """`StoreLocked` when another process holds the write lock of the store at `path`: before
    a caller removes or replaces the file (`digex demo` re-creates its store), since removing
    it would not stop that process, which would go on writing a file no one can open again
    while both runs' other files mix. Anything else about the file (none, not a store) is the
    caller's to handle."""
    if not path.is_file():
        return
    try:
        _connect_once(path, read_only=False).close()
    except StoreLocked:
        raise
    except StoreError:
        return


def _configure(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """The settings of every connection to a store file."""
    # The engine tracks progress (digex shows it in its own bar) but must not print its own.
    # Bounded memory: past the limit the engine spills to a folder beside the store, so
    # loading 100 million rows needs disk, not RAM (DIGEX_MEMORY_LIMIT, e.g. "4GB").
    con.execute(
        "SET enable_progress_bar = true; SET enable_progress_bar_print = false; "
        f"SET memory_limit = {literal(memory_limit())}; "
        f"SET temp_directory = {literal(str(path) + '.tmp')}"
    )


STORAGE_VERSION = "v1.5.0"
"""DuckDB storage format of new stores. The default (the oldest format still readable) lacks
the combined dictionary + FSST string compression of DuckDB 1.3+; with it, inserting 10 million
declarations took about a quarter less CPU (measured side by side), and the file is smaller."""


SCHEMA_TABLE = (
    "CREATE TABLE IF NOT EXISTS schema_version "
    "(version INTEGER NOT NULL, applied_at TIMESTAMP NOT NULL)"
)


def _apply(con: duckdb.DuckDBPyConnection, version: int) -> None:
    """Migration `version` (0-based) and its `schema_version` row, in the caller's transaction."""
    con.execute(MIGRATIONS[version])
    # literals, not parameters: binding any parameter makes DuckDB's Python package
    # import pandas and NumPy (0.7 s, most of what `digex init` took)
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
    con.execute(f"INSERT INTO schema_version VALUES ({version + 1:d}, TIMESTAMP {literal(now)})")


def _create_file(
    path: Path, first: Callable[[duckdb.DuckDBPyConnection], None] | None = None
) -> duckdb.DuckDBPyConnection:
    """The file with its whole schema, in one transaction on one connection, which is returned
    open for the store to use: `digex init` paid a connection and a commit per migration
    (about a third of its time, issue 19), then closing the file (a checkpoint written to
    disk) and opening it again."""
    try:
        con = connect(str(path), config={"storage_compatibility_version": STORAGE_VERSION})
    except duckdb.Error as e:
        raise StoreError(f"cannot create the store {path}: {e}") from e
    try:
        con.execute("BEGIN TRANSACTION")
        con.execute(SCHEMA_TABLE)
        for version in range(SCHEMA_VERSION):
            _apply(con, version)
        if first is not None:
            first(con)
        con.execute("COMMIT")
        _configure(con, path)
    except BaseException as e:
        con.close()
        if isinstance(e, duckdb.Error):
            raise StoreError(f"cannot create the store {path}: {e}") from e
        raise
    return con


def _remove_new(target: Path, folders: list[Path]) -> None:
    """Remove the file a failed creation made, its companions and the folders made for it."""
    for suffix in ("", ".wal", ".tmp"):
        companion = Path(str(target) + suffix)
        try:
            if companion.is_dir():
                shutil.rmtree(companion, ignore_errors=True)
            else:
                companion.unlink(missing_ok=True)
        except OSError:  # its folder is not one (the creation failed for that reason)
            continue
    for folder in folders:  # deepest first
        try:
            folder.rmdir()
        except OSError:
            break


def _collect_before_closing() -> None:
    """Let Ibis drop its temporary tables while their connection is still open.

    Ibis removes in-memory and cached tables from garbage-collection finalizers; if the
    connection closes first, each finalizer fails on a closed connection. Only needed where
    the store itself closes (`close`, and a read-only store reopened for a write when idle),
    and only once Ibis has been used on a store: a full collection walks every object the
    imports made (0.05-0.1 s each time in a `digex` process, three times in a load).
    """
    from digex.store.tables import ibis_on_a_store

    if ibis_on_a_store():
        gc.collect()


class Snapshot:
    """Reads of one consistent state of the store: a cursor of its own inside one transaction.

    Every statement run through it (an Ibis engine's many queries included) sees the store as
    it was when the snapshot began, whatever commits meanwhile; DuckDB keeps the versions a
    running transaction can see. Made by `Store.snapshot()`.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def content(self) -> tuple[int, int]:
        """What the store holds, as far as computed results depend on it: the newest load id and
        the number of loads plus withdrawals (any load, replacement or withdrawal changes it)."""
        from digex.store.queries import content

        return content(self.con)

    def sources(self, minor_units: int, *, deferred: bool = False) -> Sources:
        """The indicator engine's inputs read from this snapshot (Ibis on its cursor; made
        when first needed if `deferred`)."""
        from digex.store.tables import engine_sources

        return engine_sources(self.con, minor_units, deferred=deferred)


class Store:
    """A digex store: one DuckDB file with a recorded schema version.

    Connections: the store opens the file once (`_root`). Writes go through that connection
    only, one at a time (`write`, `scratch`: a lock serialises them across threads). Reads go
    through cursors of it (`con` is this thread's, `snapshot()` a new one in a transaction):
    DuckDB connections are not thread-safe, cursors of one database are independent and see
    each commit whole, so any number of threads may read while a write commits. The store never
    closes a connection in use: a read-only store reopens for a write (`write_briefly`) only
    while no read and no engine of it is alive.
    """

    def __init__(
        self,
        path: Path | str | None = None,
        *,
        read_only: bool = False,
        wait: float = LOCK_WAIT,
        _opened: duckdb.DuckDBPyConnection | None = None,
    ) -> None:
        """`_opened` is the writable connection that just created the file (`create`)."""
        self.path = Path(path) if path is not None else default_path()
        if _opened is None and not self.path.exists():
            raise StoreError(
                f"no store at {self.path}; create one with digex init (path={self.path})"
            )
        self.read_only = read_only
        self._root_con: duckdb.DuckDBPyConnection | None = _opened or _connect(
            self.path, read_only=read_only, wait=wait
        )
        self._lock = threading.RLock()
        self._writer: int | None = None  # the thread inside write() or scratch()
        self._readers = threading.Condition()
        self._active = 0  # reads and snapshots under way
        self._reopening = False
        self._generation = 0  # bumped when the root connection is replaced
        self._local = threading.local()
        self._engines: list[weakref.ref[duckdb.DuckDBPyConnection]] = []
        version = self.schema_version()
        if version > SCHEMA_VERSION:
            self.close()
            raise StoreError(
                f"the store {self.path} has schema version {version}, newer than this digex "
                f"({SCHEMA_VERSION}); upgrade digex"
            )
        if version < SCHEMA_VERSION:
            if read_only:
                self.close()
                raise StoreError(
                    f"the store {self.path} has schema version {version}; open it once for "
                    "writing (e.g. `digex init`) to migrate it"
                )
            self.migrate()

    @classmethod
    def create(
        cls,
        path: Path | str | None = None,
        *,
        exist_ok: bool = True,
        first: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
    ) -> Store:
        """Create the file and its schema (or migrate an existing store when `exist_ok`).

        `first` writes a new file's first rows (its country profile) in the transaction that
        makes the schema: one commit for `digex init`. It is not called for a file that
        exists."""
        target = Path(path) if path is not None else default_path()
        if target.exists() and not exist_ok:
            raise StoreError(f"{target} already exists; remove it or choose another `path`")
        made = [d for d in (target.parent, *target.parent.parents) if not d.exists()]
        fresh = not target.exists()
        try:
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
            except (FileExistsError, NotADirectoryError) as e:
                raise StoreError(
                    f"cannot create the store {target}: a file stands where its folder would be"
                ) from e
            except OSError as e:  # no permission, a read-only file system
                raise StoreError(f"cannot create the store {target}: {e.strerror or e}") from e
            if fresh:
                return cls(target, _opened=_create_file(target, first))
            else:  # a store from before schema versions were recorded has no such table
                con = _connect(target, read_only=False)
                try:
                    con.execute(SCHEMA_TABLE)
                finally:
                    con.close()
            return cls(target)
        except BaseException:
            if fresh:  # a store that could not be made leaves nothing behind
                _remove_new(target, made)
            raise

    # -- reading ---------------------------------------------------------------------------
    @property
    def _root(self) -> duckdb.DuckDBPyConnection:
        """The store's connection, opened again if a reopening could not get the file back
        (another process held it then): a store never keeps a closed connection."""
        if self._root_con is None:
            self._root_con = _connect(self.path, read_only=self.read_only)
        return self._root_con

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """This thread's connection: inside `write()` or `scratch()` the writer's (so a write
        reads what it has written), else the thread's own read cursor."""
        if self._writer == threading.get_ident():
            return self._root
        held: tuple[int, duckdb.DuckDBPyConnection] | None = getattr(self._local, "cursor", None)
        if held is None or held[0] != self._generation:
            with self._readers:  # never a cursor of the connection a reopening replaces
                while self._reopening:
                    self._readers.wait()
                held = (self._generation, self._cursor())
            self._local.cursor = held
        return held[1]

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        cursor = self._root.cursor()
        cursor.execute("SET enable_progress_bar = true; SET enable_progress_bar_print = false")
        return cursor

    @contextmanager
    def reading(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """This thread's read cursor, kept open for the block (a read-only store's reopening
        for a write waits until no block is running)."""
        if self._writer == threading.get_ident():  # reads inside the thread's own write
            yield self._root
            return
        with self._readers:
            while self._reopening:
                self._readers.wait()
            self._active += 1
        try:
            yield self.con
        finally:
            with self._readers:
                self._active -= 1
                self._readers.notify_all()

    @contextmanager
    def snapshot(self) -> Iterator[Snapshot]:
        """One consistent state of the store for the block, on a cursor of its own (see
        `Snapshot`): what an indicator computation reads, so that a load committing meanwhile
        can never give it half of its rows."""
        with self.reading():
            cursor = self._cursor()
            cursor.execute("BEGIN TRANSACTION")
            try:
                yield Snapshot(cursor)
            finally:
                # temporary tables an engine made stay (Ibis drops them itself), the read ends
                cursor.execute("COMMIT")

    def engine_sources(self, minor_units: int) -> Sources:
        """The indicator engine's inputs on a cursor of their own, each query seeing the latest
        commit (for a consistent state use `snapshot().sources`). The store stays open for
        writes by this process only while no such engine is alive."""
        from digex.store.tables import engine_sources

        with self._readers:  # made and registered where a reopening cannot slip in between
            while self._reopening and self._writer != threading.get_ident():
                self._readers.wait()
            cursor = self._cursor()
            self._engines = [ref for ref in self._engines if ref() is not None]
            self._engines.append(weakref.ref(cursor))
        return engine_sources(cursor, minor_units)

    def schema_version(self) -> int:
        try:
            with self.reading() as con:
                row = con.execute("SELECT max(version) FROM schema_version").fetchone()
        except duckdb.OutOfMemoryException as e:  # the first read of every opening
            raise self._too_little_memory() from e
        except duckdb.CatalogException as e:
            raise StoreError(
                f"{self.path} is a DuckDB file but not a digex store; "
                "create one with digex init (path=NEWFILE)"
            ) from e
        return int(row[0]) if row and row[0] is not None else 0

    def _too_little_memory(self) -> StoreError:
        return StoreError(
            f"{MEMORY_ENV}={memory_limit()} is too little memory to open the store {self.path}; "
            f"raise it (e.g. {MEMORY_ENV}=1GB) or unset it (default {DEFAULT_MEMORY_LIMIT})"
        )

    def migrate(self) -> None:
        """Apply, in one transaction each, the migrations this store has not seen yet."""
        try:
            self._migrate()
        except duckdb.OutOfMemoryException as e:  # DIGEX_MEMORY_LIMIT=5b, say
            raise self._too_little_memory() from e

    def _migrate(self) -> None:
        for version in range(self.schema_version(), SCHEMA_VERSION):
            with self.write() as con:
                _apply(con, version)

    # -- writing ---------------------------------------------------------------------------
    @contextmanager
    def _writing(self, wait: float | None = None) -> Iterator[bool]:
        """Hold the writer's lock for the block (yields False when `wait` seconds passed)."""
        if not self._lock.acquire(timeout=-1 if wait is None else wait):
            yield False
            return
        outer = self._writer
        self._writer = threading.get_ident()
        try:
            yield True
        finally:
            self._writer = outer
            self._lock.release()

    @contextmanager
    def write(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A transaction: committed when the block ends, rolled back on any exception.

        Writes of all threads are serialised (DuckDB would refuse two transactions changing the
        same table at once); reads of other threads go on meanwhile and see the commit whole."""
        with self._writing():
            # checked with the lock held: a reopening (`writer`) changes it under the lock
            if self.read_only:
                raise StoreError(f"the store {self.path} was opened read-only")
            self._root.execute("BEGIN TRANSACTION")
            try:
                yield self._root
            except BaseException:
                self._root.execute("ROLLBACK")
                raise
            self._root.execute("COMMIT")

    @contextmanager
    def scratch(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The writer's connection for work in temporary tables, outside any transaction.

        Temporary tables live in memory (spilling beside the store past the memory limit) and
        never reach the store file, so nothing done here needs a rollback; they vanish with
        the process. DuckDB runs statements on temporary tables made inside an explicit
        transaction on one thread, so a load prepares its files here, before `write()`. The
        writer's lock is held for the block: the temporary tables are the writer's own.
        """
        with self._writing():
            if self.read_only:
                raise StoreError(f"the store {self.path} was opened read-only")
            yield self._root

    @contextmanager
    def writer(
        self, *, wait: float = LOCK_WAIT, local_wait: float | None = None
    ) -> Iterator[Store]:
        """This store, writable for the block, whether it was opened read-only or not.

        A writable store is simply given (its writes serialised by `write()`). A read-only
        store cannot write, and DuckDB does not let one process hold a read-only and a writable
        connection to one file: the file is reopened for writing for the block, then read-only
        again, which needs the store idle in this process (no read under way, no engine of it
        alive: their connections are never closed under them) and the file free of other
        processes' writes within `wait` seconds (and of this process's other writers within
        `local_wait`, by default `wait`). Raises `StoreBusy` otherwise.
        """
        if not self.read_only:
            with self._writing():
                yield self
            return
        with self._writing(wait if local_wait is None else local_wait) as held:
            if not held:
                raise StoreBusy(f"the store {self.path} is being written in this process")
            _collect_before_closing()  # engines nobody holds any more release their cursors
            with self._readers:
                if self._active or any(ref() is not None for ref in self._engines):
                    raise StoreBusy(f"the store {self.path} is being read in this process")
                self._reopening = True
            try:
                if self._root_con is not None:
                    self._root_con.close()
                try:
                    self._root_con = _connect(self.path, read_only=False, wait=wait)
                except StoreError as e:
                    self._reopen_read_only()
                    raise StoreBusy(str(e)) from e
                self.read_only = False
                try:
                    yield self
                finally:
                    _collect_before_closing()
                    self._root.close()
                    self.read_only = True
                    self._reopen_read_only()
            finally:
                with self._readers:
                    self._generation += 1
                    self._reopening = False
                    self._readers.notify_all()

    def _reopen_read_only(self) -> None:
        """Open the file read-only again after a reopening closed it; when another process took
        it meanwhile and keeps it past `REOPEN_WAIT`, leave it to the next read to reconnect."""
        self._root_con = None
        with suppress(StoreError):
            self._root_con = _connect(self.path, read_only=True, wait=REOPEN_WAIT)

    def write_briefly(self, work: Callable[[Store], object], *, wait: float = 2.0) -> bool:
        """Run `work` with this store writable (see `writer`), or return False (having done
        nothing) when that would wait more than `wait` seconds for another writer, in this
        process or another, or needs to close connections in use: for optional writes such
        as keeping computed indicators, which a busy store simply skips."""
        if not self.read_only:
            with self._writing(min(wait, OPTIONAL_WRITE_WAIT)) as held:
                if held:
                    work(self)
                return held
        try:
            with self.writer(wait=wait, local_wait=OPTIONAL_WRITE_WAIT) as store:
                work(store)
        except StoreError:  # busy, or the file could not be had back: the write is skipped
            return False
        return True

    # -- facts about the store -------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        # the key goes into the text, quoted: binding a first parameter makes DuckDB's client
        # import pandas (about 0.7 s), most of the time of a quick command such as a cached query
        with self.reading() as con:
            row = con.execute(f"SELECT value FROM meta WHERE key = {literal(key)}").fetchone()
        return str(row[0]) if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.write() as con:
            con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])

    @property
    def synthetic(self) -> bool:
        """Whether the store holds generated demo data (every output then says so)."""
        return self.meta("synthetic") == "true"

    def close(self) -> None:
        _collect_before_closing()
        if self._root_con is not None:
            self._root_con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
