"""The settings digex reads from the environment, declared once.

Each is a `Setting` (its variable, its default, what it does): the CLI, the Python API and the
store read them through the functions here, and the README's table of them is checked against
`SETTINGS` by a test, so that a setting cannot be added, renamed or given another default
without its documentation following. An empty variable counts as unset (`DIGEX_DB= digex ...`
is the usual way to clear one for a single command).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from digex.errors import StoreError

__all__ = [
    "DB",
    "MEMORY_LIMIT",
    "PROFILE",
    "SDMX_AGENCY",
    "SETTINGS",
    "Setting",
    "asked_profile",
    "default_path",
    "memory_limit",
    "profile",
]


@dataclass(frozen=True)
class Setting:
    """One environment variable: its name, its value when unset, and what it is for."""

    name: str
    default: str
    help: str

    def given(self) -> str | None:
        """The variable's value, or None when it is unset or empty."""
        return os.environ.get(self.name) or None

    def value(self) -> str:
        """The variable's value, or the default."""
        return self.given() or self.default


DB = Setting("DIGEX_DB", "digex.duckdb", "the store used when a command names none (`--db`)")
MEMORY_LIMIT = Setting(
    "DIGEX_MEMORY_LIMIT",
    "1500MB",
    "the engine's memory limit (e.g. `4GB`); past it, work spills to `<store>.tmp/`",
)
PROFILE = Setting(
    "DIGEX_PROFILE",
    "MA",
    "the profile (a code or a .toml path) a new store records, and that `indicators --engine` "
    "uses for data other than a store (a store keeps its own)",
)
SDMX_AGENCY = Setting(
    "DIGEX_SDMX_AGENCY",
    "<country>1",
    "the agency id of the SDMX structures and messages (`--agency`); unset, the profile's "
    "country code and 1 (`MA1`)",
)
SETTINGS = (DB, MEMORY_LIMIT, PROFILE, SDMX_AGENCY)


def default_path() -> Path:
    """The store used when none is named: `$DIGEX_DB`, else `./digex.duckdb`."""
    return Path(DB.value())


_SIZE = re.compile(r"(?P<number>[0-9]+(?:\.[0-9]+)?)\s*(?P<unit>[KMGT]i?B)", re.IGNORECASE)
_UNITS = {
    f"{prefix}{infix}B": (1024 if infix else 1000) ** power
    for power, prefix in enumerate("KMGT", start=1)
    for infix in ("", "I")
}
MEMORY_RANGE = (10**6, 1024 * 10**12)
"""The limits a memory limit must lie within, in bytes: zero makes DuckDB fail every query
(a tiny limit is allowed: it fails a load cleanly, as the out-of-memory test relies on); past
1024 TB the value is a typo (and DuckDB's own counter overflows)."""


def memory_limit() -> str:
    """The engine's memory limit, checked to be a size DuckDB reads (1500MB, 4GB, 2.5GiB)
    within `MEMORY_RANGE`: DuckDB would take `0` (and then fail every query) or read
    `1.2.3GB` as something else, so such a value is refused where it is set."""
    value = MEMORY_LIMIT.value().strip()
    found = _SIZE.fullmatch(value)
    example = "give a size such as 1500MB, 4GB or 2.5GiB"
    if found is None:
        raise StoreError(f"{MEMORY_LIMIT.name}={value!r} is not a size; {example}")
    size = Decimal(found["number"]) * _UNITS[found["unit"].upper()]
    low, high = MEMORY_RANGE
    if not low <= size <= high:
        raise StoreError(f"{MEMORY_LIMIT.name}={value!r} is outside 1MB to 1024TB; {example}")
    return value


def asked_profile() -> str | None:
    """The profile `$DIGEX_PROFILE` asks for, if set (checked when it is loaded)."""
    return PROFILE.given()


def profile() -> str:
    """The profile of a new store or of a computation without a store: `$DIGEX_PROFILE`,
    else Morocco's."""
    return PROFILE.value()
