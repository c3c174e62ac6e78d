"""The store: an embedded DuckDB file holding every load, append-only."""

from digex.store.migrations import SCHEMA_VERSION
from digex.store.store import Store, default_path

__all__ = ["SCHEMA_VERSION", "Store", "default_path"]
