"""What changed between two releases, observation by observation, and why.

A change is told in the unit users read the indicator in, which the registry gives: a level
(a sum, a count, a ratio of two levels such as exports per firm) changes by an amount of its
unit and by a percentage of its old value; an indicator published in per cent (a growth
rate, a share, a ratio of two levels in %) or in percentage points (a contribution) changes
by percentage points: a share going from 10 % to 11 % moved by 1 point, which "+10 %" would
misstate. An index (a concentration index) and the remaining derived series (a balance, a
gap) change by an amount only: a percentage of a difference that may cross zero says
nothing.

Why: the loads the two releases were computed from (a load in the new release only, and
whether it replaced a load of the old one; a load of the old one only, and what became of
it: replaced, withdrawn), the frozen inputs (profile, code lists) whose copies differ, and the
settings the releases record (profile and code-list versions, the digex version, the rate
conversions applied).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal

from digex.errors import UnknownRelease, UsageError
from digex.indicators.registry import registry
from digex.store import disclosure, history, releases
from digex.store.published import under_embargo

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

Measure = Literal["level", "pp", "points"]
"""How a change is expressed: `level` an amount of the unit and a % of the old value, `pp`
percentage points, `points` an amount of the unit only."""
POINT_UNITS: Final = frozenset({"PC", "PP"})
"""Registry units whose changes are percentage points."""
SETTINGS: Final = (
    "status",
    "profile",
    "profile_version",
    "profile_sha256",
    "codelists_version",
    "digex_version",
    "last_load_id",
    "last_conversion_id",
)
"""The recorded settings of a release compared between two (a different rate conversion
means the declarations were converted again at corrected rates)."""


def filters(
    *,
    indicators: Sequence[str] | None = None,
    by: str | None = None,
    freq: str | None = None,
    period: str | Sequence[str] | None = None,
    flow: str | Sequence[str] | None = None,
) -> history.Filters:
    """The observations to compare, each option checked before any read (a usage error names
    the allowed values); None (or `by="all"`) for any."""
    from digex.indicators.cuts import ALL_CUTS
    from digex.indicators.options import FREQS
    from digex.indicators.periods import parse_period
    from digex.indicators.registry import EXTRA_CUTS, FLOWS

    known = registry()
    for i in indicators or ():
        known.indicator(i)  # an unknown id is a usage error naming the known ones
    cuts = (*ALL_CUTS, *EXTRA_CUTS)
    if by is not None and by != "all" and by not in cuts:
        raise UsageError(f"by={by}: use one of {', '.join(cuts)} or all").naming(by=by)
    if freq is not None and freq not in FREQS:
        raise UsageError(f"freq={freq}: use one of {', '.join(FREQS)}").naming(freq=freq)
    flows = [flow] if isinstance(flow, str) else list(flow or ())
    for f in flows:
        if f not in FLOWS:
            raise UsageError(f"flow={f}: use one of {', '.join(FLOWS)}").naming(flow=f)
    periods = [period] if isinstance(period, str) else list(period or ())
    return history.Filters(
        indicators=tuple(indicators or ()),
        cuts=() if by in (None, "all") else (str(by),),
        freqs=() if freq is None else (freq,),
        periods=tuple(parse_period(p).label for p in periods),
        flows=tuple(flows),
    )


def measure(indicator: str) -> Measure:
    """How the change of `indicator` is told (see the module); an id the registry does not
    know (a series from a newer digex) changes by an amount only."""
    known = registry().indicators.get(indicator)
    if known is None:
        return "points"
    if known.unit in POINT_UNITS:
        return "pp"
    if known.kind in ("level", "ratio") and known.unit != "INDEX":
        return "level"
    return "points"


@dataclass(frozen=True)
class ReleaseDiff:
    """Two releases compared: `rows` the observations (see `changes`), `loads` and
    `inputs` the reasons, `settings` the recorded settings that differ (name -> old, new)."""

    old: str
    new: str
    rows: pd.DataFrame
    loads: pd.DataFrame
    inputs: pd.DataFrame
    settings: dict[str, tuple[Any, Any]]

    def summary(self) -> pd.DataFrame:
        """Per indicator and cut: how many observations changed value, appeared and vanished."""
        import pandas as pd

        frame = self.rows
        if frame.empty:
            return pd.DataFrame(columns=["indicator", "cut", "changed", "appeared", "vanished"])
        moved = frame["changed"].astype(bool)  # the SQL's IS DISTINCT FROM (None = None)
        flags = pd.DataFrame(
            {
                "indicator": frame["indicator"],
                "cut": frame["cut"],
                "changed": moved.astype(int),
                "appeared": (frame["presence"] == "appeared").astype(int),
                "vanished": (frame["presence"] == "vanished").astype(int),
            }
        )
        return flags.groupby(["indicator", "cut"], sort=True, as_index=False).sum()


def changes(side_by_side: pd.DataFrame) -> pd.DataFrame:
    """The joined observations with the change told in each indicator's measure: `change`
    (new - old, in the unit, which for a per-cent unit is percentage points) and, for a level,
    `change_pct` (the change over the old value's size, in %; missing when the old value is
    0 or missing)."""
    import numpy as np

    frame = side_by_side.copy()
    kinds = {i: measure(i) for i in frame["indicator"].unique()}
    frame["measure"] = frame["indicator"].map(kinds).astype(object)
    old = frame["old_value"].astype(float)
    new = frame["new_value"].astype(float)
    frame["change"] = new - old
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = (new - old) / old.abs() * 100
    levels = (frame["measure"] == "level") & old.ne(0)
    frame["change_pct"] = pct.where(levels)
    columns = [c for c in frame.columns if c not in ("change", "change_pct", "measure")]
    at = columns.index("new_value") + 1
    ordered = [*columns[:at], "measure", "change", "change_pct", *columns[at:]]
    return frame[ordered]


def diff(
    con: duckdb.DuckDBPyConnection,
    old: str,
    new: str,
    chosen: history.Filters | None = None,
    *,
    changed_only: bool = True,
    now: dt.datetime | None = None,
    embargoed: bool = False,
    confidential: bool = False,
) -> ReleaseDiff:
    """Compare release `old` with release `new` (only the observations `chosen`, see
    `filters`). A release under embargo at `now` is compared only with `embargoed` (staff),
    as its rows are read (`NotPublished` otherwise). The public values (a suppressed one is
    missing), of releases whose gate passed, unless `confidential`."""
    when = now or dt.datetime.now(dt.UTC)
    before = history.metadata(con, old, when)
    if before is None:
        raise unknown_release(con, old)
    after = history.metadata(con, new, when)
    if after is None:
        raise unknown_release(con, new)
    for meta in (before, after):
        if meta["embargoed"] and not embargoed:
            raise under_embargo(str(meta["release_id"]), meta["published_at"])
        if not confidential:
            disclosure.require_served(con, str(meta["release_id"]))
    joined = history.side_by_side(
        con,
        old,
        new,
        chosen or history.Filters(),
        changed_only=changed_only,
        confidential=confidential,
    )
    settings = {
        name: (before[name], after[name]) for name in SETTINGS if before[name] != after[name]
    }
    return ReleaseDiff(
        old,
        new,
        changes(joined.to_pandas()),
        int_ids(history.load_changes(con, old, new).to_pandas(), "replaces", "replaced_by"),
        history.input_changes(con, old, new, confidential=confidential).to_pandas(),
        settings,
    )


def int_ids(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """Load ids that may be missing kept as integers (pandas would make them floats)."""
    for column in columns:
        frame[column] = frame[column].astype("Int64")
    return frame


def unknown_release(con: duckdb.DuckDBPyConnection, release_id: str) -> UnknownRelease:
    """The error for a release id the store does not hold, naming those it holds."""
    ids = releases.ids(con)
    known = f"it holds {', '.join(ids)}" if ids else "it holds none yet: create one first"
    return UnknownRelease(f"no release {release_id!r} in the store; {known}")
