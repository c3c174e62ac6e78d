"""Where the indicator engine reads from: the DuckDB store, PostgreSQL, or Parquet on Spark.

The engine (`digex.indicators.engine`) only needs an Ibis backend holding three tables with the
columns of the store's `current_declarations`, `current_rates` and `current_auxiliary` views.
This module builds that backend for each supported engine:

- ``duckdb:///path/store.duckdb``: a digex store, opened read-only (the default engine);
- ``postgresql://user:password@host:port/db``: the same views on a PostgreSQL server;
- ``spark:///path/to/parquet_dir``: Parquet files (written by `export_parquet`, or an office's
  own lake with the same columns) read by PySpark, locally or on a cluster.

PySpark and the Ibis PySpark backend are optional (``pip install 'digex[spark]'``) and are only
imported when a Spark source is asked for.
"""

from __future__ import annotations

import atexit
import importlib
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import parse_qsl, unquote, urlsplit

from digex.errors import (
    EngineUnavailable,
    EngineURLError,
    SourceNotFound,
    SparkUnavailable,
    first_line,
)
from digex.indicators.engine import Sources
from digex.sql import literal
from digex.store.tables import PORTABLE

if TYPE_CHECKING:
    from digex.api import Digex

TABLES: Final[dict[str, str]] = {
    PORTABLE.declarations: "declarations.parquet",
    PORTABLE.rates: "rates.parquet",
    PORTABLE.auxiliary: "auxiliary.parquet",
}
"""Table (view) the engine reads -> the Parquet file (or folder of files) that holds it."""

LOCAL_SETTINGS: Final[dict[str, str]] = {
    "spark.ui.enabled": "false",
    "spark.sql.shuffle.partitions": "2",
    "spark.ui.showConsoleProgress": "false",
}
"""Spark settings for local mode (a fresh warehouse directory is added per session)."""


# -- Spark ---------------------------------------------------------------------------------
def _pyspark_sql() -> Any:
    try:
        return importlib.import_module("pyspark.sql")
    except ImportError as e:
        raise SparkUnavailable(
            "the Spark engine needs PySpark: pip install 'digex[spark]' (and a Java 17 runtime)"
        ) from e


def new_spark_session(master: str = "local[2]", conf: Mapping[str, str] | None = None) -> Any:
    """A SparkSession for `master`, with the settings local mode needs on one machine.

    For a ``local[...]`` master: ``SPARK_LOCAL_IP=127.0.0.1`` unless already set, a fresh
    ``spark.sql.warehouse.dir`` in a temporary directory (removed at exit; otherwise a second
    run fails with LOCATION_ALREADY_EXISTS and ``spark-warehouse/`` appears in the working
    directory), no web UI nor console progress bar, 2 shuffle partitions and only ERROR logs.
    A cluster master (``spark://host:7077``, ``yarn``, ``k8s://...``) keeps the cluster's own
    defaults. `conf` is applied last.

    If a session is already running in this process, Spark returns it (``getOrCreate``) and
    static settings such as the master cannot change.
    """
    sql = _pyspark_sql()
    builder = sql.SparkSession.builder.master(master).appName("digex")
    if master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        warehouse = tempfile.mkdtemp(prefix="digex-spark-warehouse-")
        atexit.register(shutil.rmtree, warehouse, ignore_errors=True)
        builder = builder.config("spark.sql.warehouse.dir", warehouse)
        for key, value in LOCAL_SETTINGS.items():
            builder = builder.config(key, value)
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as e:  # py4j/JVM start-up errors have no common base class
        raise SparkUnavailable(f"cannot start Spark ({master}): {e}") from e
    if master.startswith("local"):
        session.sparkContext.setLogLevel("ERROR")  # no per-query WARN lines on the console
    return session


def _join(folder: Path | str, name: str) -> str:
    """`folder`/`name`, keeping a URI (hdfs://, s3a://, abfss://) as it is."""
    text = str(folder)
    if "://" in text:
        return f"{text.rstrip('/')}/{name}"
    return str(Path(text).absolute() / name)


def spark_sources(
    parquet_dir: Path | str,
    *,
    master: str = "local[2]",
    session: Any | None = None,
    minor_units: int,
) -> Sources:
    """Engine sources reading ``declarations.parquet``, ``rates.parquet`` and
    ``auxiliary.parquet`` from `parquet_dir` with PySpark.

    Each may be one Parquet file or a folder of them (as Spark writes). They are registered as
    the temporary views ``current_declarations``, ``current_rates`` and ``current_auxiliary``
    of the session, with the columns of the store's views of the same names (see
    `export_parquet`). A session holds one data folder at a time: calling this again on the same
    session replaces the views.

    The session is `session` if given, else the one already running in this process (e.g.
    under ``spark-submit``), else a new one for `master` (see `new_spark_session`). Note that the
    Ibis backend sets the session's ``spark.sql.session.timeZone`` to UTC.
    `parquet_dir` may be a URI Spark can read (``hdfs://...``, ``s3a://...``); a plain path
    resolves on the driver's machine for a local master, on the cluster's default file system
    (``fs.defaultFS``) otherwise.
    """
    import ibis

    paths = {table: _join(parquet_dir, file_name) for table, file_name in TABLES.items()}
    for path in paths.values():  # checked before Spark starts, which takes seconds
        if "://" not in path and not Path(path).exists():
            raise SourceNotFound(
                f"{path} not found: a Spark source folder holds {', '.join(TABLES.values())} "
                "(write them from a store with `digex.backends.export_parquet`)"
            )
    if session is None:
        sql = _pyspark_sql()
        session = sql.SparkSession.getActiveSession() or new_spark_session(master)
    from pyspark.errors import PySparkException

    backend = ibis.pyspark.connect(session)
    for table, path in paths.items():
        try:
            backend.read_parquet(path, table_name=table)
        except PySparkException as e:  # a remote path that is missing, a file not Parquet
            raise SourceNotFound(f"Spark cannot read {path}: {first_line(e)}") from e
    return Sources(backend, minor_units=minor_units)


# -- moving a store's data to Parquet -------------------------------------------------------
def export_parquet(db: Digex, folder: Path) -> None:
    """Write the store's current declarations, rates and auxiliary series to Parquet.

    Creates ``declarations.parquet``, ``rates.parquet`` and ``auxiliary.parquet`` in `folder`
    (made if missing, files overwritten), each with the columns and types of the store view it
    comes from: this is how an office moves its data to a Spark cluster (`spark_sources`).
    Money stays exact: amounts and rates as DECIMAL, values in integer minor units. The three
    files are written from one state of the store.
    """
    from digex.store import queries

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with db.store.snapshot() as snap:
        queries.export_parquet(snap.con, {t: folder / f for t, f in TABLES.items()})


def copy_to(db: Digex, backend: Any) -> None:
    """Copy the store's current declarations, rates and auxiliary series into `backend` (an
    Ibis backend: PostgreSQL, or any other), as tables of the names the engine reads there
    (replaced if present): how a multi-user office holds its data on a PostgreSQL server,
    read with ``postgresql://`` engine URLs. The three come from one state of the store, with
    codes as text and money exact (DECIMAL amounts and rates, integer minor units)."""
    from digex.store import queries

    with db.store.snapshot() as snap:
        tables = queries.portable_tables(snap.con)
    for name, table in tables.items():
        backend.create_table(name, table, overwrite=True)


# -- one URL per engine ------------------------------------------------------------------
def _unreadable(error: ValueError) -> EngineURLError:
    # the URL itself is not repeated: it may hold a password, and messages are logged
    return EngineURLError(
        f"the engine URL cannot be read ({first_line(error)}); write it as "
        "postgresql://user:password@host:5432/database, duckdb:///path/store.duckdb or "
        "spark:///path/to/parquet_dir"
    )


def _path_of(url: str) -> str:
    parts = urlsplit(url)
    path = unquote(parts.netloc + parts.path)
    if not path:
        raise EngineURLError(f"{url!r} names no path; e.g. duckdb:///data/digex.duckdb")
    return path


def _options(url: str, allowed: tuple[str, ...], prefixes: tuple[str, ...] = ()) -> dict[str, str]:
    options = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
    for key in options:
        if key not in allowed and not key.startswith(prefixes):
            raise EngineURLError(
                f"unknown option {key!r} in {url!r}; known: {', '.join(allowed + prefixes)}"
            )
    return options


def _duckdb(url: str, minor_units: int) -> Sources:
    from digex.store import Store

    _options(url, ())
    return Store(_path_of(url), read_only=True).engine_sources(minor_units)


WORK_MEM: Final = "64MB"
"""The least memory a PostgreSQL session of the engine gives each sort and hash (see
`tune_postgres`); a server configured with more keeps its own."""


def tune_postgres(backend: Any) -> Any:
    """Keep PostgreSQL's planner off nested loops, and give sorts and hashes room, for this
    session; return the backend.

    The engine joins tables it has just materialised; PostgreSQL keeps no statistics for a new
    temporary table, estimates a handful of rows and joins them by nested loops, which are
    quadratic here. Measured on the demo store (200,000 rows), computing the suite with both
    flows: monthly by region 32.8 s -> 2.5 s, quarterly by partner 10.6 s -> 2.3 s, annual by
    segment 1.2 s -> 0.8 s. (Running ANALYZE on each materialised table instead sped one cut up
    and slowed another tenfold.) Every join of the engine is an equality join of large inputs,
    where hash and merge joins are the right plans anyway.

    With the server's default `work_mem` (4 MB) the monthly suites' plans sorted on disk
    (the concentration's ranking of 170,000 firm cells, an external merge of 8 MB) and split
    their hash aggregations into 21 batches written to disk (the demography's, 20 MB): the
    session takes `WORK_MEM` (bench/postgres.py; docs/internals.md, "Performance: fixed
    costs, PostgreSQL, the bench's new rows").
    """
    backend.raw_sql("SET enable_nestloop = off")
    raised = backend.raw_sql(
        f"SELECT set_config('work_mem', {literal(WORK_MEM)}, false) "
        f"WHERE pg_size_bytes(current_setting('work_mem')) < pg_size_bytes({literal(WORK_MEM)})"
    )
    raised.close()
    return backend


def _server(url: str) -> str:
    """Where a PostgreSQL URL points, without its user and password (messages are logged)."""
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.hostname or 'localhost'}{port}{parts.path}"


def _postgres(url: str, minor_units: int) -> Sources:
    """Connect, and look up the three tables the engine reads: a server that is down, a wrong
    password or a schema without the store's views is reported here, in one line, instead of
    as psycopg's or Ibis's traceback at the first query."""
    import ibis
    import psycopg
    from ibis.common.exceptions import IbisError, TableNotFound

    try:
        backend = ibis.connect(url)
    except ValueError as e:  # what Ibis's own reading of the URL refuses
        raise _unreadable(e) from e
    except psycopg.Error as e:
        raise EngineUnavailable(
            f"cannot connect to PostgreSQL at {_server(url)}: {first_line(e)}; check that the "
            "server is running and the URL's host, port, user, password and database"
        ) from e
    missing = []
    for table in TABLES:
        try:
            backend.table(table)
        except (TableNotFound, IbisError, psycopg.Error):  # not a subclass in Ibis 12
            missing.append(table)
    if missing:
        backend.disconnect()
        raise SourceNotFound(
            f"PostgreSQL at {_server(url)} has no {', '.join(missing)}: the engine reads the "
            "store's tables there; copy them with digex.backends.copy_to (see "
            "docs/internals.md on the PostgreSQL path)"
        )
    return Sources(tune_postgres(backend), minor_units=minor_units)


def _spark(url: str, minor_units: int) -> Sources:
    netloc = urlsplit(url).netloc
    if ":" in netloc:
        raise EngineURLError(
            f"{url!r}: a spark URL names the Parquet folder, not the master; write "
            f"spark:///path/to/parquet_dir?master=spark://{netloc}"
        )
    options = _options(url, ("master",), ("spark.",))
    master = options.pop("master", "local[2]")
    session = new_spark_session(master, options) if options else None
    return spark_sources(_path_of(url), master=master, session=session, minor_units=minor_units)


SourceFactory = Callable[[str, int], Sources]
FACTORIES: Final[dict[str, SourceFactory]] = {
    "duckdb": _duckdb,
    "postgresql": _postgres,
    "postgres": _postgres,
    "spark": _spark,
}
"""URL scheme -> function(url, minor_units) building the engine's sources."""


def sources_from_url(url: str, *, minor_units: int) -> Sources:
    """The engine's sources for an engine URL, dispatched on its scheme (see `FACTORIES`).

    - ``duckdb:///abs/path.duckdb`` or ``duckdb://relative/path.duckdb``: a digex store opened
      read-only (so it works while another process writes); raises `StoreError` if missing.
    - ``postgresql://user:password@host:5432/database[/schema]`` (or ``postgres://``): passed
      unchanged to ``ibis.connect``; the schema (default: the search path) must hold the three
      ``current_*`` tables or views.
    - ``spark:///abs/parquet_dir`` (``spark://relative/dir``) with optional
      ``?master=local[4]|spark://host:7077|yarn`` (default ``local[2]``) and any
      ``spark.*=value`` settings: PySpark over the Parquet files of `spark_sources`. A session
      already running in the process (``spark-submit``, notebooks) is reused (given settings
      are then applied where Spark allows it at run time); the master cannot go in the URL's
      host (``spark://host:7077/dir`` is refused).

    Returns `Sources` with `minor_units` (the national currency's, e.g.
    ``profile.minor_units``); wrap it in
    ``Engine(sources)``. Raises `EngineURLError` (a `ValueError` and `DigexError`) for an
    unknown scheme or option, `SparkUnavailable` when PySpark or Java is missing,
    `EngineUnavailable` when a PostgreSQL server cannot be reached, and `SourceNotFound` (a
    `FileNotFoundError`) when the tables or Parquet files are not there. Connecting is eager:
    errors surface here, not at the first query.
    """
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - read for its check: a port out of range or not a number
    except ValueError as e:
        raise _unreadable(e) from e
    scheme = parts.scheme.lower()
    factory = FACTORIES.get(scheme)
    if factory is None:
        raise EngineURLError(
            f"unknown engine {scheme or url!r}; use one of "
            + ", ".join(f"{s}://" for s in FACTORIES)
            + " (e.g. duckdb:///data/digex.duckdb or spark:///data/parquet)"
        )
    return factory(url, minor_units)


__all__ = [
    "FACTORIES",
    "TABLES",
    "EngineURLError",
    "SparkUnavailable",
    "copy_to",
    "export_parquet",
    "new_spark_session",
    "sources_from_url",
    "spark_sources",
]
