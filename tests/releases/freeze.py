"""Releases for the verify and as-of tests, made on the store's state of the moment.

`freeze` writes a release with `digex.store.releases.insert` in the writer's transaction: the
loads and conversion recorded are those of the state it computed its observations on, as
`digex release create` records them. Its rows are all free (`conf_status` F) and a passing
gate run is recorded, so that it is served publicly like a protected release without
suppressions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd

from digex.api import Digex
from digex.indicators.engine import Engine
from digex.indicators.service import compute
from digex.store import disclosure
from digex.store import releases as rel
from digex.store.tables import engine_sources

T0 = dt.datetime(2025, 3, 1, 9, 0)
COLUMNS = [c.strip() for c in rel.OBSERVATION_COLUMNS.split(",")]


def observations(db: Digex, con: object, periods: Sequence[str]) -> pd.DataFrame:
    """Every indicator of the total for `periods`, computed on `con`'s state."""
    engine = Engine(engine_sources(con, db.profile.minor_units))  # type: ignore[arg-type]
    frame = compute(engine, db.profile, period=list(periods), by="total")
    return frame[COLUMNS]


def hand_made(rows: Sequence[tuple[str, str, float | None]]) -> pd.DataFrame:
    """Observations of the total's exports given as (indicator, period, value)."""
    return pd.DataFrame(
        [
            (i, "A" if len(p) == 4 else p[5], p, "total", "_T", "X", v, "MAD", 0, "A", "complete")
            for i, p, v in rows
        ],
        columns=COLUMNS,
    )


def freeze(
    db: Digex,
    period: str,
    periods: Sequence[str] | pd.DataFrame,
    *,
    published_at: dt.datetime = T0,
    status: str = "preliminary",
) -> str:
    """Make a release of `period` holding `periods`' observations computed now, or the
    observations given; returns its id."""
    with db.store.write() as con:
        vintage = rel.next_vintage(con, period)
        rid = f"{period}.{vintage}"
        row = con.execute("SELECT max(load_id) FROM loads").fetchone()
        conv = con.execute("SELECT max(conversion_id) FROM conversions").fetchone()
        given = isinstance(periods, pd.DataFrame)
        frame = periods if given else observations(db, con, periods)  # type: ignore[arg-type]
        release = rel.Release(
            rid, period, "A" if len(period) == 4 else period[5], vintage, status, None,
            published_at, "test", published_at, "0", db.profile.code, db.profile.version,
            db.profile.digest, "test", row[0] if row else None, conv[0] if conv else None,
        )  # fmt: skip
        con.register("frozen_obs", frame.assign(conf_status="F"))
        try:
            rel.insert(con, release, {"profile.toml": db.profile.text}, "frozen_obs")
        finally:
            con.unregister("frozen_obs")
        passed(con, rid, published_at)
    return rid


def passed(con: object, release_id: str, at: dt.datetime) -> None:
    """Record a passing gate run on a release that suppresses nothing."""
    disclosure.record_gate(
        con,  # type: ignore[arg-type]
        release_id,
        at=at,
        by="test",
        passed=True,
        summary={"cells": 0, "suppressed": 0, "audited": 0, "failed": 0, "lps": 0},
        report=[],
        lps=0,
        seconds=0.0,
    )
