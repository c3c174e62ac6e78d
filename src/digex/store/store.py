"""The one owner of the store file.

DuckDB allows one writing process at a time; every write in digex goes through `Store.write()`,
which opens a transaction that either commits whole or leaves the file as it was (also when the
process is killed: DuckDB replays only committed work from its write-ahead log).
"""

from __future__ import annotations

import gc
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from digex.errors import StoreError
from digex.sql import literal
from digex.store.migrations import MIGRATIONS, SCHEMA_VERSION
from digex.store.offline import connect

DEFAULT_PATH = "digex.duckdb"
ENV_VAR = "DIGEX_DB"


def default_path() -> Path:
    """The store used when none is named: `$DIGEX_DB`, else `./digex.duckdb`."""
    return Path(os.environ.get(ENV_VAR) or DEFAULT_PATH)


MEMORY_ENV = "DIGEX_MEMORY_LIMIT"
DEFAULT_MEMORY_LIMIT = "1500MB"


def memory_limit() -> str:
    value = os.environ.get(MEMORY_ENV) or DEFAULT_MEMORY_LIMIT
    if not value.replace(".", "").rstrip("KMGTBkmgtib").isdigit():
        raise StoreError(f"{MEMORY_ENV}={value!r} is not a size such as 1500MB or 4GB")
    return value


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
    if os.environ.get(MEMORY_ENV):
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
        con.execute("SET enable_progress_bar = true; SET enable_progress_bar_print = false")
        # Bounded memory: past the limit the engine spills to a folder beside the store, so
        # loading 100 million rows needs disk, not RAM (DIGEX_MEMORY_LIMIT, e.g. "4GB").
        con.execute(f"SET memory_limit = {literal(memory_limit())}")
        con.execute(f"SET temp_directory = {literal(str(path) + '.tmp')}")
        return con
    except duckdb.IOException as e:
        if "lock" in str(e).lower():
            raise StoreError(
                f"the store {path} is being written by another process; wait for it to finish "
                "(DuckDB allows one writer at a time)"
            ) from e
        raise StoreError(f"cannot open the store {path}: {_first_line(e)}") from e
    except duckdb.Error as e:
        raise StoreError(f"{path} is not a digex store (DuckDB says: {_first_line(e)})") from e


STORAGE_VERSION = "v1.5.0"
"""DuckDB storage format of new stores. The default (the oldest format still readable) lacks
the combined dictionary + FSST string compression of DuckDB 1.3+; with it, inserting 10 million
declarations took about a quarter less CPU (measured side by side), and the file is smaller."""


def _create_file(path: Path) -> None:
    try:
        connect(str(path), config={"storage_compatibility_version": STORAGE_VERSION}).close()
    except duckdb.Error as e:
        raise StoreError(f"cannot create the store {path}: {e}") from e


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
    """Let Ibis drop its temporary tables while the connection is still open.

    Ibis removes in-memory and cached tables from garbage-collection finalizers; if the
    connection closes first, each finalizer fails on a closed connection.
    """
    gc.collect()


class Store:
    """A digex store: one DuckDB file with a recorded schema version."""

    def __init__(self, path: Path | str | None = None, *, read_only: bool = False) -> None:
        self.path = Path(path) if path is not None else default_path()
        if not self.path.exists():
            raise StoreError(
                f"no store at {self.path}; create one with digex init (path={self.path})"
            )
        self.read_only = read_only
        self.con = _connect(self.path, read_only=read_only)
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
    def create(cls, path: Path | str | None = None, *, exist_ok: bool = True) -> Store:
        """Create the file and its schema (or migrate an existing store when `exist_ok`)."""
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
                _create_file(target)
            con = _connect(target, read_only=False)
            try:
                con.execute(
                    "CREATE TABLE IF NOT EXISTS schema_version "
                    "(version INTEGER NOT NULL, applied_at TIMESTAMP NOT NULL)"
                )
            finally:
                con.close()
            return cls(target)
        except BaseException:
            if fresh:  # a store that could not be made leaves nothing behind
                _remove_new(target, made)
            raise

    def schema_version(self) -> int:
        try:
            row = self.con.execute("SELECT max(version) FROM schema_version").fetchone()
        except duckdb.CatalogException as e:
            raise StoreError(
                f"{self.path} is a DuckDB file but not a digex store; "
                "create one with digex init (path=NEWFILE)"
            ) from e
        return int(row[0]) if row and row[0] is not None else 0

    def migrate(self) -> None:
        """Apply, in one transaction each, the migrations this store has not seen yet."""
        for version in range(self.schema_version(), SCHEMA_VERSION):
            with self.write() as con:
                con.execute(MIGRATIONS[version])
                # literals, not parameters: binding any parameter makes DuckDB's Python package
                # import pandas and NumPy (0.7 s, most of what `digex init` took)
                con.execute(
                    f"INSERT INTO schema_version VALUES ({version + 1:d}, "
                    f"TIMESTAMP '{datetime.now(UTC).replace(tzinfo=None).isoformat(sep=' ')}')"
                )

    @contextmanager
    def write(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A transaction: committed when the block ends, rolled back on any exception."""
        if self.read_only:
            raise StoreError(f"the store {self.path} was opened read-only")
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self.con
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    @contextmanager
    def scratch(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The writer's connection for work in temporary tables, outside any transaction.

        Temporary tables live in memory (spilling beside the store past the memory limit) and
        never reach the store file, so nothing done here needs a rollback; they vanish with
        the process. DuckDB runs statements on temporary tables made inside an explicit
        transaction on one thread, so a load prepares its files here, before `write()`.
        """
        if self.read_only:
            raise StoreError(f"the store {self.path} was opened read-only")
        yield self.con

    def write_briefly(self, work: Callable[[Store], None], *, wait: float = 2.0) -> bool:
        """Run `work` on this store opened for writing, from a read-only store.

        A read-only store cannot write, and DuckDB does not let one process hold a read-only
        and a writable connection to the same file: the connection is closed, reopened for
        writing for the time of `work`, then reopened read-only. Returns False (and does
        nothing) when another process keeps the store busy for more than `wait` seconds.
        """
        if not self.read_only:
            work(self)
            return True
        _collect_before_closing()
        self.con.close()
        try:
            try:
                con = _connect(self.path, read_only=False, wait=wait)
            except StoreError:
                return False
            self.con, self.read_only = con, False
            try:
                work(self)
            finally:
                self.con.close()
            return True
        finally:
            self.con = _connect(self.path, read_only=True)
            self.read_only = True

    def meta(self, key: str) -> str | None:
        # the key goes into the text, quoted: binding a first parameter makes DuckDB's client
        # import pandas (about 0.7 s), most of the time of a quick command such as a cached query
        row = self.con.execute(f"SELECT value FROM meta WHERE key = {literal(key)}").fetchone()
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
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
