"""Computed indicators kept in the store, so a repeated query costs a plain lookup.

Computing the suite needs Ibis (about a second to import and compile) and scans of every
declaration; reading a cached result needs neither. Results are kept per (frequency, cut,
period), so a query is answered from the cache whenever every period it asks for was computed
for its cut, whatever request computed it. An entry is valid only for the store's current
content: the key includes the newest load id and the software and codelist versions, so any new
load, replacement or upgrade makes older entries unused (they are purged on the next write),
except those `carry` files under the new state because the loads since changed no month they
read (what `Digex.precompute` does after a load).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from digex import __version__
from digex.codelists import codelists_version
from digex.indicators.cuts import CUTS, check_cut
from digex.store import SCHEMA_VERSION, Store
from digex.store import kept as kept_rows
from digex.store.queries import content

if TYPE_CHECKING:
    import pandas as pd

    from digex.profile import CountryProfile

COLUMNS = kept_rows.COLUMNS
ALL = kept_rows.ALL
FORMAT = "c3"
"""Version of the cache's own layout: changing how results are keyed or what a row holds
changes it (c3: `status` became `obs_status` and `completeness`), so results kept in an older
layout are never read as current."""
_PERIOD = re.compile(r"^(\d{4})(?:-(Q[1-4]|H[12]|S[12]|0[1-9]|1[0-2]))?$")
"""The labels `digex.indicators.periods.parse_period` accepts (kept equal by a test)."""


def state(store: Store, profile: CountryProfile) -> str:
    """What results are valid for: the store's content, the software, and the country profile
    they were computed with (its national currency enters the values; its code and version
    name the settings a user may change)."""
    with store.reading() as con:
        return state_of(content(con), profile)


def state_of(held: tuple[int, int], profile: CountryProfile) -> str:
    """The state for a store content (`digex.store.queries.content`) read with `profile`."""
    newest, count = held
    who = f"{profile.code}@{profile.version}/{profile.national_currency}"
    return f"{FORMAT}:{SCHEMA_VERSION}:{__version__}:{codelists_version()}:{who}:{newest}:{count}"


def requests(period: str | Sequence[str] | None, freq: str | None, by: str) -> list[str]:
    """The cache keys a query needs: one per cut and period ('*' = every period of a freq)."""
    labels = [] if period is None else [period] if isinstance(period, str) else list(period)
    periods = [_period(label) for label in labels]
    if by != "all":
        check_cut(by)
    cuts = CUTS if by == "all" else (by,)
    if period is None:
        return [f"{freq or 'A'}|{cut}|{ALL}" for cut in cuts]
    return [f"{p_freq}|{cut}|{label}" for p_freq, label in periods for cut in cuts]


def _period(text: str) -> tuple[str, str]:
    """The frequency and canonical label of a period, as `parse_period` gives them."""
    m = _PERIOD.match(text.strip().upper())
    if not m:  # let the engine's parser accept it or explain what is wrong
        from digex.indicators.periods import parse_period

        p = parse_period(text)
        return p.freq, p.label
    year, part = int(m.group(1)), m.group(2)
    if part is None:
        return "A", f"{year}"
    if part[0] in "QHS":
        freq = "Q" if part[0] == "Q" else "H"
        return freq, f"{year}-{freq}{part[1]}"
    return "M", f"{year}-{int(part):02d}"


def lookup(store: Store, profile: CountryProfile, keys: list[str]) -> str | None:
    """The cached rows for `keys` as a parenthesised SELECT to narrow, or None unless every key
    was computed for this state.

    The values are written into the SQL text rather than bound: binding a parameter makes
    DuckDB import pandas, which would cost a cached answer most of its time.
    """
    with store.reading() as con:
        return kept_rows.lookup(con, state_of(content(con), profile), keys)


def holds_current(store: Store, profile: CountryProfile) -> bool:
    """Whether some result is kept for the store's current state (a store kept up to date by
    loads that computed their indicators), read without pandas or Ibis."""
    with store.reading() as con:
        return bool(kept_rows.requests(con, state_of(content(con), profile)))


def read(store: Store, profile: CountryProfile, keys: list[str]) -> pd.DataFrame | None:
    """The cached rows for `keys` as they are stored (unordered), or None on a miss."""
    with store.snapshot() as snap:
        return kept_rows.read(snap.con, state_of(snap.content(), profile), keys)


def write(
    store: Store,
    profile: CountryProfile,
    keys: list[str],
    frame: pd.DataFrame | Sequence[pd.DataFrame],
    *,
    computed_on: tuple[int, int],
) -> bool:
    """Keep `frame` (computed for `keys` with `profile`; or the frames of its periods computed
    apart) for the store's state, in one write.

    `computed_on` is the store content the frame was computed from (`Snapshot.content`): when
    the store changed since (a load committed during the computation), nothing is kept, since
    the rows would be filed under a state they were not computed from. Required: a caller
    cannot know rows fit the state they are filed under without saying what they came from.
    Returns whether the rows were kept."""
    with store.write() as con:
        now = content(con)
        if now != computed_on:
            return False
        kept_rows.keep(con, state_of(now, profile), keys, frame)
    return True


def kept(store: Store, profile: CountryProfile) -> pd.DataFrame:
    """Every result kept for the store's current state: what later queries (and releases)
    are answered from, for `digex check` to verify as it verifies the engine's."""
    with store.snapshot() as snap:
        return kept_rows.every(snap.con, state_of(snap.content(), profile))


def reads_months(key: str) -> tuple[dt.date, dt.date] | None:
    """The first and last month a kept result for `key` can depend on, or None for a request
    of every period of a frequency (it reads everything).

    A result for a period is computed from the declarations, rates and auxiliary series of
    its year and the year before (`Suite.run` narrows the engine to them), and of these only
    from the months up to the period's last: every comparison looks back (growth on the
    previous period or a year earlier, year to date, firm entries and exits), none forward.
    A June file then leaves the first half-year's results and every earlier year's as they
    were, and only them."""
    _freq, _cut, label = key.split("|")
    if label == ALL:
        return None
    freq, label = _period(label)
    year = int(label[:4])
    if freq == "A":
        month = 12
    elif freq == "M":
        month = int(label[5:7])
    else:  # the half-year's or quarter's number times its months
        month = int(label[-1]) * (6 if freq == "H" else 3)
    return dt.date(year - 1, 1, 1), dt.date(year, month, 1)


def untouched(key: str, months: frozenset[dt.date]) -> bool:
    """Whether a result kept for `key` is still right after changes to `months` (first days)."""
    span = reads_months(key)
    if span is None:
        return not months
    first, last = span
    return not any(first <= m <= last for m in months)


def carry(
    store: Store,
    profile: CountryProfile,
    keys: list[str] | None = None,
    *,
    computed_on: tuple[int, int],
) -> list[str]:
    """Keep for the store's current state the results of `keys` (every result kept for an
    earlier state when None) that the loads and withdrawals made since did not change
    (`digex.store.changes`), in one write; returns the keys now kept for the current state
    (none when the store changed after `computed_on`, the content the caller looked at).

    A monthly load then leaves the results of the periods it does not reach as they were:
    loading June recomputes the half-year, not the year before, and a query's results for
    other periods (2023 by partner) stay answered from the store."""
    from digex.store.changes import months_changed

    with store.write() as con:
        now = content(con)
        if now != computed_on:
            return []
        current = state_of(now, profile)
        held = kept_rows.requests(con, current)
        wanted = None if keys is None else set(keys)
        prefix = current.rsplit(":", 2)[0]
        for old in kept_rows.states(con):
            before = _content_of(old, prefix)
            if before is None or old == current:
                continue
            months = months_changed(con, before)
            if months is None:
                continue
            there = kept_rows.requests(con, old)
            if wanted is not None:
                there &= wanted
            moved = sorted(k for k in there - held if untouched(k, months))
            kept_rows.carry(con, old, current, moved)
            held.update(moved)
    if keys is None:
        return sorted(held)
    return [k for k in keys if k in held]


def _content_of(state: str, prefix: str) -> tuple[int, int] | None:
    """The store content a state was computed on, when it was computed with the same
    software, code lists and profile as `prefix` names (else None)."""
    head, newest, count = [*state.rsplit(":", 2), "", ""][:3]
    if head != prefix or not (newest.isdigit() and count.isdigit()):
        return None
    return int(newest), int(count)
