"""Withdrawing a load: out of the current view, kept in the store.

A load that should never have been made (the wrong month's file, a test file) could only be
replaced by another file. Withdrawing it appends a row to `withdrawals` (who, when, why) and its
event to the audit log, in one transaction: every current view then skips the load, its rows
stay where they are, so a release made before keeps its figures and the load log shows what
happened.
"""

from __future__ import annotations

import datetime as dt

from digex.errors import AlreadyWithdrawn, UnknownLoad, UsageError
from digex.store.audit import Event, record
from digex.store.store import Store
from digex.store.users import current_user


def withdraw(
    store: Store, load_id: int, *, reason: str, minor_units: int, user: str | None = None
) -> int:
    """Record the withdrawal of `load_id` in one transaction (which also changes the state the
    indicator cache is keyed on, so cached results made with the load are no longer used).

    Withdrawing a load may change the rates in force (a rates load) or bring back the load it
    had replaced: the current declarations converted at another rate than the one in force are
    converted again (in `minor_units` of the national currency), in the same transaction.
    Returns the number of declarations converted again. A load that another replaced is not
    current and is not withdrawn (its replacement is)."""
    why = reason.strip()
    if not why:
        raise UsageError("`reason` is empty; say why the load is withdrawn (kept in the load log)")
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
        replacer = con.execute(
            "SELECT min(load_id) FROM loads WHERE replaces = ? "
            "AND load_id NOT IN (SELECT load_id FROM withdrawals)",
            [load_id],
        ).fetchone()
        if replacer is not None and replacer[0] is not None:
            # withdrawing it would change nothing current, and would let the view bring back
            # the load it had itself replaced
            raise UsageError(
                f"load {load_id} ({row[0]}) is not current: load {replacer[0]} replaced it; "
                f"withdraw load {replacer[0]} instead if its content should not count"
            )
        who = user or current_user()
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        con.execute("INSERT INTO withdrawals VALUES (?, ?, ?, ?)", [load_id, now, who, why])
        # a withdrawal may also bring back a load it had replaced, converted at rates that have
        # changed since: every withdrawal converts again what differs (nothing, most often)
        from digex.store.reconvert import reconvert

        count, months = reconvert(
            con, minor_units=minor_units, cause="withdrawal", load_id=load_id, user=who
        )
        details: dict[str, object] = {"kind": row[4], "file_name": row[0]}
        if count:
            details["reconverted"] = {"rows": count, "months": ", ".join(months)}
        record(con, Event("withdraw", str(load_id), who, now, why, details))
        return count
