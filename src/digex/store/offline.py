"""DuckDB connections that never reach the network.

DuckDB installs and loads a "known" extension on its own when a statement or a file needs one:
opening an SQLite file as a store made it download `sqlite_scanner` from the internet. digex
runs in statistics offices whose machines are often offline or audited, and needs no extension
it does not ask for by name, so every connection it opens goes through `connect`, with both
automatic installation and automatic loading turned off.
"""

from __future__ import annotations

from typing import Final

import duckdb

OFFLINE: Final[dict[str, str | bool | int | float]] = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}
"""DuckDB settings of every connection digex opens."""


def connect(
    database: str = ":memory:",
    *,
    read_only: bool = False,
    config: dict[str, str | bool | int | float] | None = None,
) -> duckdb.DuckDBPyConnection:
    """`duckdb.connect` with extension auto-install and auto-load off (plus `config`)."""
    return duckdb.connect(database, read_only=read_only, config={**OFFLINE, **(config or {})})
