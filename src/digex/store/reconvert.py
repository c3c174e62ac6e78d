"""Corrected rates reach the figures: declarations converted again when the rates change.

A declaration is converted to the national currency when it is loaded, at the rate then in
force for its month and currency. A corrected rates file (or a rates load withdrawn) changes
that rate; the declarations already stored keep their values (history is append-only), so the
rows whose rate differs from the one now in force are converted again, exactly as the load
converts (`digex.ingest.convert`), into `reconversions`, and `current_declarations` reads the
newest value of each row. One row in `conversions` says when, why and which months changed.

Converting in the current view itself (a join of every declaration with the current rates on
each query) was measured against this: at 10 million rows it made the indicator suite about
half again as long, where re-converting costs one scan when the rates change and nothing on
queries while no row was re-converted (see docs/internals.md).
"""

from __future__ import annotations

import datetime as dt

import duckdb

from digex.errors import InvalidFile
from digex.ingest.convert import value_minor_sql


def reconvert(
    con: duckdb.DuckDBPyConnection, *, minor_units: int, cause: str, load_id: int, user: str
) -> tuple[int, list[str]]:
    """Convert again, at the rates now in force, every current declaration converted at
    another rate; to run inside the transaction that changed the rates. Returns the number of
    rows converted and the months (with currencies) they belong to."""
    row = con.execute("SELECT coalesce(max(conversion_id), 0) + 1 FROM conversions").fetchone()
    conversion = int(row[0]) if row else 1
    try:
        con.execute(
            f"""INSERT INTO reconversions
            SELECT {conversion:d}, d.load_id, d.line, r.rate,
                   {value_minor_sql("d.amount", "r.rate", minor_units)}
            FROM current_declarations d
            JOIN current_rates r ON r.period = d.period AND r.currency = d.currency
            WHERE r.rate <> d.rate"""
        )
    except duckdb.Error as e:  # a BIGINT overflow: nothing is kept, the transaction rolls back
        raise InvalidFile(
            "a rate now in force makes a stored declaration larger than the store keeps "
            f"(9.2e18 minor units); check the rates ({str(e).splitlines()[0]})"
        ) from e
    changed = con.execute(
        f"""SELECT d.period, CAST(d.currency AS VARCHAR), count(*)
        FROM reconversions c JOIN declarations d USING (load_id, line)
        WHERE c.conversion_id = {conversion:d} GROUP BY ALL ORDER BY ALL"""
    ).fetchall()
    if not changed:
        return 0, []
    months = [f"{period:%Y-%m} {currency}" for period, currency, _ in changed]
    count = sum(int(n) for _, _, n in changed)
    con.execute(
        "INSERT INTO conversions VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            conversion,
            dt.datetime.now(dt.UTC).replace(tzinfo=None),
            user,
            cause,
            load_id,
            count,
            ", ".join(months),
        ],
    )
    return count, months
