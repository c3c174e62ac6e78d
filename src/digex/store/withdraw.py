"""Withdrawing a load: out of the current view, kept in the store.

A load that should never have been made (the wrong month's file, a test file) could only be
replaced by another file. Withdrawing it appends a row to `withdrawals` (who, when, why): every
current view then skips the load, its rows stay where they are, so a release made before keeps
its figures and the load log shows what happened.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os

from digex.errors import DigexError, UnknownLoad, UsageError
from digex.store.store import Store


class AlreadyWithdrawn(DigexError):
    """The load was withdrawn before; a load is withdrawn once."""

    status = 409


def current_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER", "unknown")


def withdraw(
    store: Store, load_id: int, *, reason: str, minor_units: int, user: str | None = None
) -> int:
    """Record the withdrawal of `load_id` in one transaction (which also changes the state the
    indicator cache is keyed on, so cached results made with the load are no longer used).

    Withdrawing a rates load changes the rates in force: the declarations converted at its
    rates are converted again at the rates now in force (in `minor_units` of the national
    currency), in the same transaction. Returns the number of declarations converted again."""
    why = reason.strip()
    if not why:
        raise UsageError("--reason is empty; say why the load is withdrawn (kept in the load log)")
    with store.write() as con:
        row = con.execute(
            "SELECT l.file_name, w.withdrawn_at, w.withdrawn_by, w.reason, l.kind "
            "FROM loads l LEFT JOIN withdrawals w USING (load_id) WHERE l.load_id = ?",
            [load_id],
        ).fetchone()
        if row is None:
            raise UnknownLoad(f"there is no load {load_id}; see `digex loads`")
        if row[1] is not None:
            raise AlreadyWithdrawn(
                f"load {load_id} ({row[0]}) was already withdrawn on {row[1]:%Y-%m-%d %H:%M} "
                f"by {row[2]} ({row[3]}); see `digex loads`"
            )
        who = user or current_user()
        con.execute(
            "INSERT INTO withdrawals VALUES (?, ?, ?, ?)",
            [load_id, dt.datetime.now(dt.UTC).replace(tzinfo=None), who, why],
        )
        if row[4] != "rates":
            return 0
        from digex.store.reconvert import reconvert

        count, _ = reconvert(
            con, minor_units=minor_units, cause="withdrawal", load_id=load_id, user=who
        )
        return count
