"""The audit log (`audit_log`): who did what to the store, when and why.

Each writer appends its event inside its own transaction, so that an event is recorded if and
only if what it describes was committed. Nothing updates or deletes an event.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from digex.errors import UsageError
from digex.sql import literal

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa


COLUMNS: Final = "event_id, made_at, made_by, action, subject, reason, details"
ACTIONS: Final = ("load", "replace", "withdraw", "release", "revision", "override", "audit")
"""What an event records: a load, a load replacing another, a withdrawal, a period's first
release, a later vintage of it (`digex.releases.create`)."""


def check_action(action: str) -> None:
    """A filter on an action no event can have is a mistake (a typo reads as an empty log)."""
    if action not in ACTIONS:
        raise UsageError(
            f"action={action!r} is no action of the log; use one of {', '.join(ACTIONS)}"
        )


@dataclass(frozen=True)
class Event:
    """One entry. `details` is stored as JSON (plain values only)."""

    action: str
    subject: str
    by: str
    at: dt.datetime
    reason: str | None = None
    details: dict[str, Any] | None = None


def record(con: duckdb.DuckDBPyConnection, event: Event) -> int:
    """Append `event` (call it inside the transaction that does what it records); returns its
    id. Values are written into the SQL text: see digex.store.queries on why."""
    details = (
        "NULL" if event.details is None else literal(json.dumps(event.details, sort_keys=True))
    )
    reason = "NULL" if event.reason is None else literal(event.reason)
    row = con.execute(
        "INSERT INTO audit_log "
        f"SELECT coalesce(max(event_id), 0) + 1, {literal(event.at)}, {literal(event.by)}, "
        f"{literal(event.action)}, {literal(event.subject)}, {reason}, {details} "
        "FROM audit_log RETURNING event_id"
    ).fetchone()
    assert row is not None
    return int(row[0])


def events(
    con: duckdb.DuckDBPyConnection,
    action: str | None = None,
    *,
    since: dt.date | None = None,
    limit: int | None = None,
) -> pa.Table:
    """Events oldest first, as a log reads: only those of `action` when given, made on or
    after the UTC day `since`, the last `limit` of them."""
    where = ["true"]
    if action is not None:
        check_action(action)
        where.append(f"action = {literal(action)}")
    if since is not None:
        where.append(f"made_at >= {literal(dt.datetime.combine(since, dt.time()))}")
    last = "" if limit is None else f" ORDER BY event_id DESC LIMIT {int(limit):d}"
    return con.execute(
        f"SELECT * FROM (SELECT {COLUMNS} FROM audit_log WHERE {' AND '.join(where)}{last}) "
        "ORDER BY event_id"
    ).to_arrow_table()
