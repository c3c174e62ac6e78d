"""No network, ever: DuckDB must not install or load an extension on its own."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from digex.api import Digex
from digex.errors import StoreError
from digex.store import Store
from digex.store.offline import connect

SRC = Path(__file__).resolve().parents[1] / "src" / "digex"


def _sqlite_file(path: Path) -> Path:
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE t (a INTEGER)")
    return path


def test_an_sqlite_file_is_refused_in_one_line_without_any_download(tmp_path: Path) -> None:
    path = _sqlite_file(tmp_path / "other.sqlite")
    with pytest.raises(StoreError) as error:
        Digex.open(path)
    message = str(error.value)
    assert "\n" not in message
    assert "SQLite" in message
    assert str(path) in message
    assert "download" not in message.lower()
    assert "http" not in message.lower()


def test_the_cli_refuses_an_sqlite_store_with_exit_code_1(tmp_path: Path) -> None:
    path = _sqlite_file(tmp_path / "other.db")
    done = subprocess.run(
        [str(Path(sys.executable).with_name("digex")), "loads", "--db", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert len(done.stderr.strip().splitlines()) == 1
    assert "SQLite" in done.stderr
    assert "download" not in done.stderr.lower()


def test_store_connections_have_extension_autoinstall_and_autoload_off(tmp_path: Path) -> None:
    with Store.create(tmp_path / "s.duckdb") as store:
        settings = store.con.execute(
            "SELECT current_setting('autoinstall_known_extensions'), "
            "current_setting('autoload_known_extensions')"
        ).fetchone()
    assert settings == (False, False)


def test_an_offline_connection_does_not_fetch_the_sqlite_extension(tmp_path: Path) -> None:
    """DuckDB itself, given an SQLite file, asks for its extension: with digex's settings it
    says the extension is not installed instead of downloading it."""
    path = _sqlite_file(tmp_path / "other.sqlite")
    with pytest.raises(duckdb.Error) as error:
        connect(str(path), config={"extension_directory": str(tmp_path / "ext")})
    assert "download" not in str(error.value).lower()
    assert not (tmp_path / "ext").exists() or not any((tmp_path / "ext").rglob("*sqlite*"))


def test_every_duckdb_connection_in_digex_goes_through_the_offline_helper() -> None:
    offenders = [
        f"{path.relative_to(SRC)}:{n}"
        for path in SRC.rglob("*.py")
        if path.name != "offline.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\bduckdb\.connect\(", line)
    ]
    assert offenders == []
