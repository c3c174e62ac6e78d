"""The releases a store holds, and one release in full, as the API returns them.

A release under embargo (published later than now) is listed like any other, marked: its
makers must know it exists. Its content (`describe`, and a diff) is a staff-only view, given
only to a caller who says so (`embargoed`), as its rows are; the revision analysis leaves it
out. The content shown is the public view (counts of suppressed rows, no internal input), of
a release whose release gate passed, unless the caller asks for `confidential` (staff).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from digex.releases.diff import int_ids, unknown_release
from digex.store import disclosure, history
from digex.store.published import under_embargo

if TYPE_CHECKING:
    import duckdb
    import pandas as pd


@dataclass(frozen=True)
class ReleaseDetails:
    """One release: its `releases` row (with `embargoed`), the loads it used (file, hash,
    rows, what each replaced), the inputs it froze (name, size, sha256) and its observations
    counted by indicator."""

    metadata: dict[str, Any]
    loads: pd.DataFrame
    inputs: pd.DataFrame
    counts: pd.DataFrame

    @property
    def release_id(self) -> str:
        return str(self.metadata["release_id"])


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def listing(con: duckdb.DuckDBPyConnection, now: dt.datetime | None = None) -> pd.DataFrame:
    """Every release, oldest first, with its counts and embargo mark."""
    frame: pd.DataFrame = history.listing(con, now or now_utc()).to_pandas()
    return frame


def describe(
    con: duckdb.DuckDBPyConnection,
    release_id: str,
    now: dt.datetime | None = None,
    *,
    embargoed: bool = False,
    confidential: bool = False,
) -> ReleaseDetails:
    """One release in full; one under embargo at `now` only with `embargoed` (staff), as
    its rows are read, and one whose gate has not passed only with `confidential`
    (`NotPublished` otherwise)."""
    meta = history.metadata(con, release_id, now or now_utc())
    if meta is None:
        raise unknown_release(con, release_id)
    if meta["embargoed"] and not embargoed:
        raise under_embargo(release_id, meta["published_at"])
    if not confidential:
        disclosure.require_served(con, release_id)
    return ReleaseDetails(
        meta,
        int_ids(history.loads(con, release_id).to_pandas(), "replaces"),
        history.inputs(con, release_id, confidential=confidential).to_pandas(),
        history.counts(con, release_id, confidential=confidential).to_pandas(),
    )
