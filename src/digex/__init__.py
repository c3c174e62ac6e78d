"""digex: measure, check and publish a country's digital-services exports."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from digex.api import Digex

__all__ = ["Digex", "__version__", "connect", "init"]


def connect(path: Any = None, *, read_only: bool = False, profile: str | None = None) -> Digex:
    """Open an existing store (`$DIGEX_DB` or ./digex.duckdb by default), read with the
    country profile it records (see `Digex.open`)."""
    from digex.api import Digex

    return Digex.open(path, read_only=read_only, profile=profile)


def init(path: Any = None, *, profile: str | None = None) -> Digex:
    """Create a store recording a country profile (`profile`, else `$DIGEX_PROFILE`, else MA),
    or migrate an existing one (recording `profile` if given: see `Digex.create`), and open it
    for writing."""
    from digex.api import Digex

    return Digex.create(path, profile=profile)
