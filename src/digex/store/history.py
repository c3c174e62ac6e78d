"""Reads across releases: the list, one release in full, two releases side by side, and the
vintages of one series. Every statement here only reads the release tables (and the load log,
to say what a load replaced); `digex.store.releases` writes them.

Publication, not creation, decides what a reader of history sees: a release created under
embargo is listed (marked) but is no vintage until its publication time has passed, since no
user could have seen its figures before then (as-of queries use the same clock).

Values are read through the public view (`digex.store.disclosure.observations_view`: a
suppressed row has no value) unless a caller asks for `confidential`; the inputs listed
leave out the internal ones (the disclosure parameters).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from digex.sql import literal
from digex.store import disclosure
from digex.store.releases import OBSERVATION_KEY

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

_KEY: Final = tuple(k.strip() for k in OBSERVATION_KEY.split(","))
_FREQ_RANK: Final = "CASE freq WHEN 'A' THEN 0 WHEN 'H' THEN 1 WHEN 'Q' THEN 2 ELSE 3 END"
"""Years first, then half-years, quarters and months (as tables of a release read)."""


def _utc(now: dt.datetime) -> str:
    """`now` as the naive UTC TIMESTAMP the release tables hold (an aware time converted)."""
    return literal(now)


@dataclass(frozen=True)
class Filters:
    """Which observations to read: each field a set of allowed values, empty for any."""

    indicators: Sequence[str] = ()
    cuts: Sequence[str] = ()
    freqs: Sequence[str] = ()
    periods: Sequence[str] = ()
    flows: Sequence[str] = ()
    members: Sequence[str] = ()

    def where(self, alias: str) -> str:
        """The condition on an observation table aliased `alias` ('true' for no filter)."""
        parts = [
            f"{alias}.{column} IN ({', '.join(literal(v) for v in values)})"
            for column, values in (
                ("indicator", self.indicators),
                ("cut", self.cuts),
                ("freq", self.freqs),
                ("period", self.periods),
                ("flow", self.flows),
                ("member", self.members),
            )
            if values
        ]
        return " AND ".join(parts) or "true"


def listing(con: duckdb.DuckDBPyConnection, now: dt.datetime) -> pa.Table:
    """Every release, oldest first (by creation), with its metadata, how many loads and
    indicators it holds, whether it is still under embargo at `now`, and its latest release
    gate run (`gate`: passed, failed, or none for a release made before disclosure control):
    only a passed one is served publicly."""
    return con.execute(
        "SELECT r.*, "
        "(SELECT count(*) FROM release_loads l WHERE l.release_id = r.release_id) AS loads, "
        "(SELECT count(DISTINCT o.indicator) FROM release_observations o "
        " WHERE o.release_id = r.release_id) AS indicators, "
        f"r.published_at > {_utc(now)} AS embargoed, "
        "coalesce((SELECT CASE WHEN g.passed THEN 'passed' ELSE 'failed' END "
        f"FROM {disclosure.LATEST_GATE} g WHERE g.release_id = r.release_id), 'none') AS gate "
        "FROM releases r ORDER BY r.created_at, r.release_id"
    ).to_arrow_table()


def metadata(
    con: duckdb.DuckDBPyConnection, release_id: str, now: dt.datetime
) -> dict[str, Any] | None:
    """One release's `releases` row (with `embargoed` at `now`), None when there is none."""
    rows = con.execute(
        f"SELECT *, published_at > {_utc(now)} AS embargoed FROM releases "
        f"WHERE release_id = {literal(release_id)}"
    ).to_arrow_table()
    return rows.to_pylist()[0] if rows.num_rows else None


def loads(con: duckdb.DuckDBPyConnection, release_id: str) -> pa.Table:
    """The loads a release used, as it recorded them, with what each replaced (the load log
    keeps every load, so a load's `replaces` is still there)."""
    return con.execute(
        "SELECT r.load_id, r.kind, r.file_name, r.content_hash, r.rows_accepted, "
        "r.rows_rejected, l.replaces, l.loaded_at "
        "FROM release_loads r LEFT JOIN loads l USING (load_id) "
        f"WHERE r.release_id = {literal(release_id)} ORDER BY r.load_id"
    ).to_arrow_table()


def inputs(
    con: duckdb.DuckDBPyConnection, release_id: str, *, confidential: bool = False
) -> pa.Table:
    """The names of the inputs a release froze, with their size and sha256 (not the text);
    the internal ones only when `confidential`."""
    source = "release_inputs" if confidential else disclosure.inputs_view()
    return con.execute(
        f"SELECT name, strlen(content) AS bytes, sha256(content) AS sha256 FROM {source} "
        f"WHERE release_id = {literal(release_id)} ORDER BY name"
    ).to_arrow_table()


def counts(
    con: duckdb.DuckDBPyConnection, release_id: str, *, confidential: bool = False
) -> pa.Table:
    """Per indicator: its observations in the release, the periods and cuts they cover, how
    many carry no value, and how many of those are suppressed (disclosure control)."""
    view = disclosure.observations_view(confidential=confidential)
    return con.execute(
        "SELECT indicator, count(*) AS observations, count(DISTINCT period) AS periods, "
        "string_agg(DISTINCT cut, ',' ORDER BY cut) AS cuts, "
        "count(*) FILTER (WHERE value IS NULL) AS missing, "
        "count(*) FILTER (WHERE coalesce(conf_status, 'F') <> 'F') AS suppressed "
        f"FROM {view} WHERE release_id = {literal(release_id)} "
        "GROUP BY indicator ORDER BY indicator"
    ).to_arrow_table()


def side_by_side(
    con: duckdb.DuckDBPyConnection,
    old: str,
    new: str,
    filters: Filters = Filters(),
    *,
    changed_only: bool = True,
    confidential: bool = False,
) -> pa.Table:
    """The observations of releases `old` and `new` joined on the observation key (a full
    outer join: a member present in one release only has no value on the other side), by
    indicator, cut, frequency (years first), period, member and flow. `presence` is 'both',
    'appeared' (only in `new`) or 'vanished' (only in `old`). With `changed_only`, only the
    rows whose value differs (a value that became missing, or the reverse, differs), appeared
    or vanished. `changed` says that a row present in both differs (IS DISTINCT FROM: two
    missing values are the same, which pandas' `ne` would count as a change).

    Values are compared at one power of ten: when the two sides carry different `unit_mult`,
    both are brought to units (10^0). Public values (a suppressed one missing) unless
    `confidential`."""
    key = ", ".join(_KEY)
    same = " AND ".join(f"o.{k} = n.{k}" for k in _KEY)
    scaled = "o.unit_mult = n.unit_mult OR o.unit_mult IS NULL OR n.unit_mult IS NULL"
    picked = (
        "SELECT {key}, value, unit, unit_mult, obs_status, completeness "
        "FROM {view} o WHERE o.release_id = {rid} AND {where}"
    )
    view = disclosure.observations_view(confidential=confidential)

    def side(release_id: str) -> str:
        return picked.format(key=key, view=view, rid=literal(release_id), where=filters.where("o"))

    changed = (
        "WHERE presence <> 'both' OR old_value IS DISTINCT FROM new_value" if changed_only else ""
    )
    return con.execute(
        f"WITH o AS ({side(old)}), n AS ({side(new)}), "
        "j AS ("
        f"SELECT {', '.join(f'coalesce(o.{k}, n.{k}) AS {k}' for k in _KEY)}, "
        f"CASE WHEN {scaled} THEN o.value ELSE o.value * pow(10, o.unit_mult) END AS old_value, "
        f"CASE WHEN {scaled} THEN n.value ELSE n.value * pow(10, n.unit_mult) END AS new_value, "
        "coalesce(n.unit, o.unit) AS unit, "
        f"CASE WHEN {scaled} THEN coalesce(n.unit_mult, o.unit_mult) ELSE 0 END AS unit_mult, "
        "o.obs_status AS old_status, n.obs_status AS new_status, "
        "o.completeness AS old_completeness, n.completeness AS new_completeness, "
        "CASE WHEN o.indicator IS NULL THEN 'appeared' "
        "     WHEN n.indicator IS NULL THEN 'vanished' ELSE 'both' END AS presence "
        f"FROM o FULL OUTER JOIN n ON {same}) "
        "SELECT *, presence = 'both' AND old_value IS DISTINCT FROM new_value AS changed "
        f"FROM j {changed} "
        f"ORDER BY indicator, cut, {_FREQ_RANK}, period, member, flow"
    ).to_arrow_table()


def load_changes(con: duckdb.DuckDBPyConnection, old: str, new: str) -> pa.Table:
    """The loads one of two releases used and the other did not: `side` 'new' (in `new`
    only) or 'old' (in `old` only), with the file, its hash, the load it replaced
    (`replaces`, and `replaces_old` when that load was one of `old`'s) and, for an old load,
    the load of `new` that replaced it and whether it was withdrawn."""
    o, n = literal(old), literal(new)
    return con.execute(
        "WITH a AS (SELECT * FROM release_loads WHERE release_id = " + o + "), "
        "b AS (SELECT * FROM release_loads WHERE release_id = " + n + ") "
        "SELECT 'new' AS side, b.load_id, b.kind, b.file_name, b.content_hash, "
        "b.rows_accepted, l.replaces, l.replaces IN (SELECT load_id FROM a) AS replaces_old, "
        "CAST(NULL AS INTEGER) AS replaced_by, false AS withdrawn "
        "FROM b LEFT JOIN loads l USING (load_id) "
        "WHERE b.load_id NOT IN (SELECT load_id FROM a) "
        "UNION ALL "
        "SELECT 'old', a.load_id, a.kind, a.file_name, a.content_hash, a.rows_accepted, "
        "l.replaces, NULL, "
        "(SELECT min(r.load_id) FROM loads r JOIN b ON b.load_id = r.load_id "
        " WHERE r.replaces = a.load_id), "
        "a.load_id IN (SELECT load_id FROM withdrawals) "
        "FROM a LEFT JOIN loads l USING (load_id) "
        "WHERE a.load_id NOT IN (SELECT load_id FROM b) "
        "ORDER BY side, load_id"
    ).to_arrow_table()


def input_changes(
    con: duckdb.DuckDBPyConnection, old: str, new: str, *, confidential: bool = False
) -> pa.Table:
    """Each input name either release froze, with its sha256 on each side (NULL where the
    release has no such input) and whether the copies are the same (the internal inputs
    only when `confidential`)."""
    source = "release_inputs" if confidential else disclosure.inputs_view()
    return con.execute(
        f"WITH a AS (SELECT name, sha256(content) AS h FROM {source} "
        f"WHERE release_id = {literal(old)}), "
        f"b AS (SELECT name, sha256(content) AS h FROM {source} "
        f"WHERE release_id = {literal(new)}) "
        "SELECT coalesce(a.name, b.name) AS name, a.h AS old_sha256, b.h AS new_sha256, "
        "a.h IS NOT DISTINCT FROM b.h AS same "
        "FROM a FULL OUTER JOIN b ON a.name = b.name ORDER BY name"
    ).to_arrow_table()


def vintages(
    con: duckdb.DuckDBPyConnection,
    indicator: str,
    *,
    cut: str,
    flow: str,
    freq: str,
    now: dt.datetime,
    member: str | None = None,
    confidential: bool = False,
) -> pa.Table:
    """Every published value of one series (indicator, cut, flow, frequency; one member or
    all): a row per release that carries a period of it, comparison periods included, by
    publication time (then release id), member and period. Releases published after `now`
    (under embargo) are left out.

    A release that carries a period of the series but not a member published for it before
    is a vintage in which that member is gone (its declarations corrected to another
    partner, say): it gets a row with no value and `gone` true, so that the member's latest
    estimate is that absence, not the older release's stale value. A member is not gone from
    releases published before (or with) its first value for the period.

    Publicly (without `confidential`) only releases whose latest gate passed are vintages,
    and a suppressed value is missing (the triangle skips it)."""
    series = Filters(indicators=(indicator,), cuts=(cut,), flows=(flow,), freqs=(freq,))
    wanted = "true" if member is None else f"member = {literal(member)}"
    view = disclosure.observations_view(confidential=confidential)
    served = "" if confidential else f" AND release_id IN {disclosure.SERVED}"
    return con.execute(
        "WITH s AS (SELECT o.*, r.published_at, r.status "
        f"FROM {view} o JOIN releases r USING (release_id) "
        f"WHERE r.published_at <= {_utc(now)} AND {series.where('o')}{served}), "
        "c AS (SELECT DISTINCT release_id, period, published_at, status FROM s), "
        "m AS (SELECT member, period, min(published_at) AS first FROM s "
        f"WHERE {wanted} GROUP BY member, period) "
        "SELECT m.member, c.period, c.release_id, c.published_at, c.status, s.value, s.unit, "
        "s.unit_mult, s.obs_status, s.member IS NULL AS gone "
        "FROM c JOIN m ON m.period = c.period "
        "LEFT JOIN s ON s.release_id = c.release_id AND s.period = c.period "
        "AND s.member = m.member "
        "WHERE s.member IS NOT NULL OR c.published_at > m.first "
        "ORDER BY c.published_at, c.release_id, m.member, c.period"
    ).to_arrow_table()
