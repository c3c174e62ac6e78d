"""What a release holds: its observations and the copies of the inputs frozen with it.

Both are functions of what they are given and nothing else, so that `release create` and
`release verify` (which recomputes a release from its frozen inputs) make the same rows.

The periods a release of period P carries (`release_periods`) are P and the periods it is
compared with: the months, quarters and half-years inside P (those of a shorter frequency
that fit whole inside it: a quarter holds months, a half-year quarters and months, a year all
three; a month holds none), and each of these a year earlier. Year-to-date figures need no
periods of their own: the registry's `ytd_*` indicators are columns of each month's,
quarter's and half-year's row, so they come with the periods above.

A release publishes the tables its country profile declares (`[[table]]`,
`digex.indicators.tables`), and nothing else: disclosure control protects exactly those cells.
At each frequency the suite computes, in one engine pass restricted to the years the periods
need, the cuts of the tables published at that frequency (a cross cut such as segment x
partner only where a table asks for it); of those rows a release keeps the cells a table
publishes (`published`): its frequencies, and for members under a coarser grid (KPO by
partner only yearly) only that grid's; year-to-date figures (YTD_LEVEL, YTD_GROWTH) only in
tables with `ytd = true`. The auxiliary rows (the jobs series and exports per job, the
profile's aggregate series) come with the total and segment cuts as before. A profile that
declares no table publishes every indicator of the six single cuts at every frequency
(`DEFAULT_TABLES`): exactly what `by="all"` computes, as releases held before tables.

OBS_STATUS of a released observation (`release_status`): the release's status sets the code
of an ordinary figure. A preliminary or revised release publishes provisional figures (P
where the engine says A: they may still change); a final release publishes normal ones (A
where the engine says P: nothing will revise them). A code that says more than "normal" or
"provisional" (E estimated, F forecast, B break in series, or any other) is kept as the engine
gives it: a final release does not make an estimate a measurement.

The inputs frozen with a release (`frozen_inputs`), by name, as text:

- ``profile.toml``: the country profile's TOML as the store records it (the store reads its
  data with that record, not with whatever profile is installed now);
- ``codelists.json``: the content of every code list digex reads declarations and indicators
  with (segments, ebops, flows, countries, regions, currencies) and their version;
- ``registry.toml``: the indicator registry (``data/indicators.toml``) the figures were
  defined by.

Later steps add ``suppression.json`` (the disclosure-control pattern) and ``seasonal.json``
(seasonal factors).
"""

from __future__ import annotations

import json
from importlib.resources import files
from typing import TYPE_CHECKING, Final

from digex.indicators.periods import MONTHS, PER_YEAR, Period, parse_period
from digex.indicators.tables import FREQS

if TYPE_CHECKING:
    from collections.abc import Sequence

    import pandas as pd

    from digex.indicators.engine import Engine
    from digex.indicators.registry import Registry
    from digex.indicators.tables import PublishedTable
    from digex.profile import CountryProfile

STATUSES: Final = ("preliminary", "revised", "final")
"""A release's status, in the order a period's releases take them."""

INPUT_NAMES: Final = ("codelists.json", "profile.toml", "registry.toml")
"""The inputs `frozen_inputs` copies (later steps attach more)."""

_ORDINARY: Final = frozenset({"A", "P"})
AUXILIARY: Final = frozenset({"target", "jobs", "series"})
"""Families whose rows are no cell of a published table: kept as the suite gives them."""


def release_status(status: str) -> str:
    """The OBS_STATUS an ordinary (A or P) figure takes in a release of `status`."""
    if status not in STATUSES:
        raise ValueError(f"a release's status is one of {', '.join(STATUSES)}, not {status!r}")
    return "A" if status == "final" else "P"


def released_codes(codes: pd.Series, status: str) -> pd.Series:
    """The OBS_STATUS codes the engine gave, as a release of `status` publishes them."""
    code = release_status(status)
    return codes.where(~codes.isin(_ORDINARY), code)


def _inside(period: Period) -> list[Period]:
    """`period` and the periods of a shorter frequency that fit whole inside it."""
    out = [period]
    for freq in ("H", "Q", "M"):
        size = MONTHS[freq]
        if size >= MONTHS[period.freq]:
            continue
        subs = range((period.first_month - 1) // size + 1, period.last_month // size + 1)
        out += [Period(freq, period.year, sub) for sub in subs]
    return out


def release_periods(period: str | Period) -> list[Period]:
    """The periods a release of `period` carries (see the module's docstring), in order."""
    p = parse_period(period) if isinstance(period, str) else period
    inside = _inside(p)
    earlier = [Period(q.freq, q.year - 1, q.sub) for q in inside]
    return sorted(inside + earlier, key=lambda q: (PER_YEAR[q.freq], q.ordinal))


def observations(
    engine: Engine,
    profile: CountryProfile,
    period: str,
    status: str,
    definitions: Registry | None = None,
) -> pd.DataFrame:
    """Every observation of a release of `period` with `status`, in key order, with the
    columns of `digex.store.releases.OBSERVATION_COLUMNS` (money in units), as the indicator
    registry `definitions` defines them (the installed one when None): the cells of the
    profile's tables (see the module's docstring)."""
    import pandas as pd

    from digex.indicators.registry import registry
    from digex.indicators.service import compute
    from digex.indicators.suite import COLUMNS

    known = definitions or registry()
    periods = release_periods(period)
    frames = []
    for freq in FREQS:
        labels = [p.label for p in periods if p.freq == freq]
        cuts = [t.cut for t in profile.tables if freq in t.freqs]
        if labels and cuts:
            frames.append(compute(engine, profile, period=labels, by=cuts, definitions=known))
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)
    frame = published(frame, profile.tables, known)
    columns = [c.strip() for c in _columns()]
    frame = frame[columns].copy()
    frame["obs_status"] = released_codes(frame["obs_status"], status)
    frame["unit_mult"] = frame["unit_mult"].astype("int32")
    frame["value"] = frame["value"].astype("float64")
    key = [c.strip() for c in _key()]
    return frame.sort_values(key, ignore_index=True)


def published(
    frame: pd.DataFrame, tables: Sequence[PublishedTable], known: Registry
) -> pd.DataFrame:
    """The rows of a computed tidy table that `tables` publish (see the module's docstring):
    a row of a table's cut at a frequency and member its grid holds, a year-to-date figure
    only where the table has `ytd`; the auxiliary families' rows (jobs, series, targets) as
    they come."""
    import pandas as pd

    if frame.empty:
        return frame
    by_cut = {t.cut: t for t in tables}
    on = ["cut", "freq", "member", "flow"]
    cells = frame[on].drop_duplicates()
    held = [
        (c, f, m, w)
        for c, f, m, w in cells.itertuples(index=False)
        if c in by_cut and by_cut[c].publishes(str(f), str(m), str(w))
    ]
    key = pd.MultiIndex.from_frame(frame[on])
    keep = key.isin(held)
    ytd = {i.id for i in known.indicators.values() if "ytd" in i.reads.own}
    no_ytd = [c for c, t in by_cut.items() if not t.ytd]
    keep &= ~(frame["indicator"].isin(ytd) & frame["cut"].isin(no_ytd)).to_numpy()
    auxiliary = {i.id for i in known.indicators.values() if i.family in AUXILIARY}
    keep |= frame["indicator"].isin(auxiliary).to_numpy()
    return frame[keep].reset_index(drop=True)


def _columns() -> list[str]:
    from digex.store.releases import OBSERVATION_COLUMNS

    return OBSERVATION_COLUMNS.split(",")


def _key() -> list[str]:
    from digex.store.releases import OBSERVATION_KEY

    return OBSERVATION_KEY.split(",")


def _codelists() -> str:
    from digex.codelists import CODELIST_NAMES, codelists_version, read_codelist

    lists = {name: read_codelist(name).to_pylist() for name in CODELIST_NAMES}
    return json.dumps(
        {"version": codelists_version(), "codelists": lists}, ensure_ascii=False, sort_keys=True
    )


def frozen_codelists(text: str) -> dict[str, list[dict[str, object]]]:
    """The code lists' rows by name, from the text `frozen_inputs` wrote as
    ``codelists.json``; a ValueError when it is not that."""
    data = json.loads(text)
    lists = data.get("codelists") if isinstance(data, dict) else None
    if not isinstance(lists, dict) or not all(isinstance(v, list) for v in lists.values()):
        raise ValueError("no table of code lists by name")
    return lists


def registry_text() -> str:
    """The indicator registry's TOML, as packaged."""
    return (files("digex") / "data" / "indicators.toml").read_text(encoding="utf-8")


def frozen_inputs(profile: CountryProfile) -> dict[str, str]:
    """The copies of the inputs a release is made with, by name (see the module's docstring).
    `profile` is the one the store records (`Digex.profile`): its text is the recorded one."""
    return {
        "codelists.json": _codelists(),
        "profile.toml": profile.text,
        "registry.toml": registry_text(),
    }
