"""Corrected rates reach the figures: declarations converted again when the rates change.

A declaration is converted to the national currency when it is loaded, at the rate then in
force for its month and currency. A corrected rates file (or a rates load withdrawn) changes
that rate; the declarations already stored keep their values (history is append-only), so the
rows whose rate differs from the one now in force are converted again, exactly as the load
converts (`digex.ingest.convert`), into `reconversions`, and `current_declarations` reads the
newest value of each row. One row in `conversions` says when, why and which months changed.

Measured at 10 million rows in one load (the indicator suite for 2024 and 2025-H1, every
cut; CPU seconds, medians of 3, side by side on a busy machine): with the declarations read as
stored, 6.8-7.2 s; converting with the current rates in the view itself, 10.4-11.0 s (half
again, on every query, whether or not a rate was ever corrected); the view below, with a month
of that load re-converted, 9.3 s. So the current view reads the stored values alone (no
join at all) until a first row is converted again, and only then takes `RECONVERTED_VIEW`;
converting when the rates change costs one pass over the current declarations at that moment
(0.8 s for a corrected month among 10 million declarations).
"""

from __future__ import annotations

import datetime as dt
from typing import Final

import duckdb

from digex.errors import InvalidFile, RatesWouldVanish
from digex.ingest.convert import value_estimate_sql, value_minor_sql
from digex.sql import literal

RECONVERTED_VIEW: Final = """
CREATE OR REPLACE VIEW current_declarations_coded AS
SELECT d.load_id, d.line, d.declaration_id, d.period, d.firm_id, d.segment, d.ebops, d.partner,
       d.currency, d.amount, d.flow, coalesce(c.rate, d.rate) AS rate,
       coalesce(c.value_minor, d.value_minor) AS value_minor
FROM declarations d JOIN active_loads a USING (load_id)
LEFT JOIN current_reconversions c ON c.load_id = d.load_id AND c.line = d.line
"""
"""The current declarations, each with its newest conversion: the view once a row has been
converted again (before, the stored values are read without this join)."""


def _months_without_rate(con: duckdb.DuckDBPyConnection, older: str) -> list[str]:
    """Months and currencies of current declarations (those matching SQL condition `older`)
    that were converted with a rate (their currency is one rates files give) and have none in
    force now."""
    rows = con.execute(
        f"""SELECT d.period, CAST(d.currency AS VARCHAR), count(*)
        FROM current_declarations d
        LEFT JOIN current_rates r ON r.period = d.period AND r.currency = d.currency
        WHERE {older} AND r.rate IS NULL
          AND CAST(d.currency AS VARCHAR) IN (SELECT currency FROM rates)
        GROUP BY ALL ORDER BY ALL"""
    ).fetchall()
    return [f"{period:%Y-%m} {currency} ({n:,} declarations)" for period, currency, n in rows]


def rates_in_force_are(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Whether the rates in force (`current_rates`, as the caller's transaction sees them) are
    exactly those of `table` (period, currency, rate): a load's `load_rates`, which its
    declarations were converted at."""
    row = con.execute(
        f"""SELECT count(*) FROM (
            (SELECT period, currency, rate FROM current_rates
             EXCEPT SELECT period, currency, rate FROM {table})
            UNION ALL
            (SELECT period, currency, rate FROM {table}
             EXCEPT SELECT period, currency, rate FROM current_rates))"""
    ).fetchone()
    return row is not None and int(row[0]) == 0


def reconvert(
    con: duckdb.DuckDBPyConnection,
    *,
    minor_units: int,
    cause: str,
    load_id: int,
    user: str,
    converted_from: int | None = None,
) -> tuple[int, list[str]]:
    """Convert again, at the rates now in force, every current declaration converted at
    another rate; to run inside the transaction that changed the rates. Returns the number of
    rows converted and the months (with currencies) they belong to. Refused (the transaction
    then rolls back) when a month's declarations would be left with no rate in force.

    `converted_from`: the first load id whose declarations are known to be converted at the
    rates now in force (a load's own, when `rates_in_force_are` its `load_rates`); only the
    earlier loads are read, so that a load of declarations with its rates file does not read
    every row it has just written twice more for nothing (0.3-0.6 CPU s per million rows)."""
    older = "true" if converted_from is None else f"d.load_id < {int(converted_from):d}"
    if missing := _months_without_rate(con, older):
        shown = ", ".join(missing[:6]) + (
            f" and {len(missing) - 6} more" if len(missing) > 6 else ""
        )
        raise RatesWouldVanish(
            f"after this change no rate would be in force for {shown}; load rates for those "
            "months first (or withdraw their declarations), then try again"
        )
    row = con.execute("SELECT coalesce(max(conversion_id), 0) + 1 FROM conversions").fetchone()
    conversion = int(row[0]) if row else 1
    try:
        inserted = con.execute(
            f"""INSERT INTO reconversions
            SELECT {conversion:d}, load_id, line, rate,
                   {value_minor_sql("amount", "rate", minor_units, estimate="estimate")}
            FROM (SELECT d.load_id, d.line, d.amount, r.rate,
                         {value_estimate_sql("d.amount", "r.rate", minor_units)} AS estimate
                  FROM current_declarations d
                  JOIN current_rates r ON r.period = d.period AND r.currency = d.currency
                  WHERE {older} AND r.rate <> d.rate)"""
        ).fetchone()
    except duckdb.Error as e:  # a BIGINT overflow: nothing is kept, the transaction rolls back
        raise InvalidFile(
            "a rate now in force makes a stored declaration larger than the store keeps "
            f"(9.2e18 minor units); check the rates ({str(e).splitlines()[0]})"
        ) from e
    if not inserted or not inserted[0]:  # nothing converted: no need to read them back
        return 0, []
    changed = con.execute(
        f"""SELECT d.period, CAST(d.currency AS VARCHAR), count(*)
        FROM reconversions c JOIN declarations d USING (load_id, line)
        WHERE c.conversion_id = {conversion:d} GROUP BY ALL ORDER BY ALL"""
    ).fetchall()
    if not changed:
        return 0, []
    con.execute(RECONVERTED_VIEW)
    months = [f"{period:%Y-%m} {currency}" for period, currency, _ in changed]
    count = sum(int(n) for _, _, n in changed)
    # constants, not bound parameters: binding makes DuckDB's client import pandas
    values: tuple[int | str | dt.datetime, ...] = (
        conversion,
        dt.datetime.now(dt.UTC).replace(tzinfo=None),
        user,
        cause,
        load_id,
        count,
        ", ".join(months),
    )
    con.execute(f"INSERT INTO conversions VALUES ({', '.join(map(literal, values))})")
    return count, months
