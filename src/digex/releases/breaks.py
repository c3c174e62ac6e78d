"""Series breaks: a change of definition or perimeter, and the figures it touches.

A break is not a revision: the figures before it measured something else (Morocco's older
three-segment series put 2023 at 17.9 bn MAD, the five-segment perimeter at 26.17 bn), so a
comparison across it compares two definitions. A break is recorded in the country profile
with the first day the new definition applies, the series it concerns (indicators, cuts and
cut members; an empty list means all) and an explanation in Arabic, French and English:

    [[break]]
    id = "five-segments"
    date = 2023-01-01
    indicators = []                 # every indicator computed from the declarations
    cuts = ["total"]                # only the sector total
    members = []
    explanation = { en = "...", fr = "...", ar = "..." }

`indicators = []` means every indicator computed from the declarations (exports per job and
progress toward a target included): an auxiliary series (the jobs file, an older aggregate
series declared in the profile) has a definition of its own, which a change of the
declarations' perimeter does not change; a break in one of them names its indicators.

Two rules follow, after SDMX's OBS_STATUS B ("break in series"):

- an observation is *at* a break when its own period contains the break's day: it is the first
  of the new definition (or, for a break inside its period, a mix of both), and carries B. At
  every frequency that is the first period of the new definition: for a break on 2023-01-01,
  the year 2023, 2023-H1, 2023-Q1 and 2023-01 (each frequency is a series of its own, and
  each has one first observation after the break);
- a figure *straddles* a break when the days it reads lie on both sides of the break's day,
  some before it and some on or after it. What a figure reads is its own span and the spans
  it is compared with (`indicators.status.Inputs`): growth on a year earlier reads its period
  and the same period a year earlier; year-to-date growth reads January to its period in two
  years. A growth that straddles a break is flagged and never shown as a plain number; a level
  that straddles one (a break inside its period) mixes two definitions and is flagged too.

`mark_breaks` applies both to a tidy indicator table (B in `obs_status`); the indicator
service runs it on everything it computes, so the cache, the API, the CLI and the releases
made from them all carry it.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from digex.codelists import LANGUAGES
from digex.errors import ProfileError, UsageError
from digex.indicators.cuts import ALL_CUTS, CROSS_CUTS, SEPARATOR
from digex.indicators.periods import PER_YEAR, Period, parse_period
from digex.indicators.registry import Registry, registry
from digex.indicators.status import SPANS, Inputs, ObsStatus, Span
from digex.releases.dates import period_end, period_start, shifted

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from digex.profile import Target


AUXILIARY_FAMILIES: Final = frozenset({"series"})
AUXILIARY_INDICATORS: Final = frozenset({"JOBS"})
"""Indicators whose values are auxiliary data alone (the profile's aggregate series, the jobs
file): a break that names no indicator leaves them alone (see the module's head). Those that
divide the declarations by them (exports per job) or compare them with a target are touched
like the declarations' own."""


def _profile_error(text: str) -> ProfileError:
    """A profile's mistake: its message names the file's keys (`flow`, `indicators`), which
    are no parameters for an edge to rename (the command line's --flow, --indicator)."""
    return ProfileError(text).naming()


@dataclass(frozen=True)
class SeriesBreak:
    id: str
    day: dt.date
    """The first day of the new definition."""
    explanation: Mapping[str, str] = field(hash=False)
    indicators: frozenset[str] = frozenset()
    cuts: frozenset[str] = frozenset()
    members: frozenset[str] = frozenset()

    def concerns(self, indicator: str, cut: str, member: str) -> bool:
        """Whether the series of `indicator` by `cut`, member `member`, is broken here; a
        cross cut's series (`segment_partner`, member `KPO.FR`) is when the break concerns
        either of the single series it crosses (segment KPO, partner FR)."""
        if not self.concerns_indicator(indicator):
            return False
        series = ((cut, member), *cross_parts(cut, member))
        return any(self._concerns_series(c, m) for c, m in series)

    def _concerns_series(self, cut: str, member: str) -> bool:
        return all(
            not chosen or value in chosen
            for chosen, value in ((self.cuts, cut), (self.members, member))
        )

    def concerns_indicator(self, indicator: str, definitions: Registry | None = None) -> bool:
        """Named, or (none named) computed from the declarations: see the module's head
        (`definitions` says which family an indicator is of: the installed registry if None)."""
        if self.indicators:
            return indicator in self.indicators
        family = (definitions or registry()).indicator(indicator).family
        return family not in AUXILIARY_FAMILIES and indicator not in AUXILIARY_INDICATORS


@dataclass(frozen=True)
class BreakFlags:
    """The breaks an observation is at, and those the figure straddles (by id)."""

    at: tuple[str, ...] = ()
    across: tuple[str, ...] = ()

    @property
    def obs_status(self) -> ObsStatus | None:
        """B (SDMX's break in series) when any break touches the figure, None when none does."""
        return ObsStatus.BREAK if self.at or self.across else None


def span_days(period: Period, span: Span) -> tuple[dt.date, dt.date]:
    """The first and last day of what a figure of `period` reads for `span`."""
    year_back = -PER_YEAR[period.freq]
    if span == "own":
        return period_start(period), period_end(period)
    if span == "pop":
        before = shifted(period, -1)
        return period_start(before), period_end(before)
    if span == "yoy":
        before = shifted(period, year_back)
        return period_start(before), period_end(before)
    if span == "ytd":
        return dt.date(period.year, 1, 1), period_end(period)
    if span == "ytd_yoy":
        return dt.date(period.year - 1, 1, 1), period_end(shifted(period, year_back))
    raise UsageError(f"span={span!r}: choose one of {', '.join(SPANS)}")


def is_at(period: Period, brk: SeriesBreak) -> bool:
    return period_start(period) <= brk.day <= period_end(period)


def straddles(period: Period, inputs: Inputs, brk: SeriesBreak) -> bool:
    """Whether a figure of `period` reading `inputs` reads days on both sides of the break."""
    days = [span_days(period, span) for span in inputs.all]
    return min(first for first, _ in days) < brk.day <= max(last for _, last in days)


def flags(
    indicator: str,
    cut: str,
    member: str,
    period: str | Period,
    breaks: Iterable[SeriesBreak],
    inputs: Inputs | None = None,
) -> BreakFlags:
    """The breaks touching one figure; `inputs` defaults to the indicator's own."""
    p = parse_period(period) if isinstance(period, str) else period
    reads = registry().indicator(indicator).reads if inputs is None else inputs
    mine = [b for b in breaks if b.concerns(indicator, cut, member)]
    return BreakFlags(
        at=tuple(b.id for b in mine if is_at(p, b)),
        across=tuple(b.id for b in mine if straddles(p, reads, b)),
    )


def _names(item: Mapping[str, Any], key: str, where: str) -> frozenset[str]:
    value = item.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _profile_error(f"{where}: `{key}` must be a list of names ([] for all)")
    return frozenset(value)


def _break(item: Any, n: int, source: str) -> SeriesBreak:
    where = f"{source}: break #{n}"
    if not isinstance(item, Mapping) or not isinstance(item.get("id"), str) or not item["id"]:
        raise _profile_error(f"{where}: each [[break]] is a table with an `id`")
    where = f"{source}: break {item['id']!r}"
    day = item.get("date")
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        raise _profile_error(f"{where}: `date` must be a day such as 2024-01-01, not {day!r}")
    text = item.get("explanation")
    missing = [
        lang
        for lang in LANGUAGES
        if not isinstance(text, Mapping) or not str(text.get(lang, "")).strip()
    ]
    if missing:
        raise _profile_error(f"{where}: `explanation` needs a text in {', '.join(missing)}")
    assert isinstance(text, Mapping)
    cuts = _names(item, "cuts", where)
    if not cuts <= set(ALL_CUTS):
        raise _profile_error(
            f"{where}: unknown cuts {sorted(cuts - set(ALL_CUTS))}; use {list(ALL_CUTS)} (a "
            "break of a single cut also marks the cross cuts built on it)"
        )
    indicators = _names(item, "indicators", where)
    known = registry().indicators
    if not indicators <= set(known):
        raise _profile_error(
            f"{where}: unknown indicators {sorted(indicators - set(known))}; use ids of the "
            "indicator registry (data/indicators.toml), e.g. LEVEL, GROWTH_YOY"
        )
    unknown = set(item) - {"id", "date", "explanation", "indicators", "cuts", "members"}
    if unknown:
        raise _profile_error(f"{where}: unknown keys {sorted(unknown)}")
    return SeriesBreak(
        item["id"],
        day,
        {lang: str(text[lang]) for lang in text},
        indicators,
        cuts,
        _names(item, "members", where),
    )


def parse_breaks(table: Mapping[str, Any], source: str = "breaks") -> tuple[SeriesBreak, ...]:
    """The `[[break]]` entries of a TOML table (none is fine: most series never break)."""
    items = table.get("break", [])
    if not isinstance(items, list):
        raise _profile_error(f"{source}: `break` must be an array of tables ([[break]])")
    found = tuple(_break(item, n, source) for n, item in enumerate(items, 1))
    ids = [b.id for b in found]
    if len(set(ids)) < len(ids):
        raise _profile_error(f"{source}: each break id appears once, not {ids}")
    return found


def read_breaks(path: Path) -> tuple[SeriesBreak, ...]:
    try:
        return parse_breaks(tomllib.loads(path.read_text(encoding="utf-8")), str(path))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise _profile_error(f"{path}: cannot be read as TOML ({error})") from None


def flag_frame(frame: pd.DataFrame, breaks: Sequence[SeriesBreak]) -> pd.DataFrame:
    """A tidy indicator table (indicator, period, cut, member, ...) with the ids of the breaks
    each figure is at and straddles, as `break_at` and `break_across` (empty when none);
    each distinct figure is decided once, then joined back."""
    import pandas as pd

    keys = ["indicator", "cut", "member", "period"]
    figures = frame[keys].drop_duplicates()
    decided = [
        flags(str(i), str(c), str(m), str(p), breaks)
        for i, c, m, p in zip(*(figures[k] for k in keys), strict=True)
    ]
    figures = figures.assign(
        break_at=[",".join(f.at) for f in decided],
        break_across=[",".join(f.across) for f in decided],
    )
    return pd.DataFrame(frame.merge(figures, on=keys, how="left", validate="many_to_one"))


def mark_breaks(
    frame: pd.DataFrame, breaks: Sequence[SeriesBreak], definitions: Registry | None = None
) -> pd.DataFrame:
    """A tidy indicator table with OBS_STATUS B on every figure at or across a break, the
    spans each figure reads as the registry `definitions` says (the installed one if None).

    Whether a figure is touched depends on its indicator (the spans it reads) and its period
    only, then on whether the break concerns its cut and member: the first is decided once per
    (indicator, period) pair (a few thousand at most), the second with vectorised tests on the
    columns, so that a table of every cut and month costs no loop over its rows.
    """
    import numpy as np
    import pandas as pd

    if not breaks or frame.empty:
        return frame
    pairs = frame[["indicator", "period"]].astype(str).drop_duplicates()
    indicators, labels = pairs["indicator"].tolist(), pairs["period"].tolist()
    periods = {p: parse_period(p) for p in set(labels)}
    known = definitions or registry()
    reads = {i: known.indicator(i).reads for i in set(indicators)}
    keys = pd.MultiIndex.from_frame(frame[["indicator", "period"]].astype(str))
    hit = np.zeros(len(frame), dtype=bool)
    for brk in breaks:
        touched = [
            (i, p)
            for i, p in zip(indicators, labels, strict=True)
            if brk.concerns_indicator(i, known)
            and (is_at(periods[p], brk) or straddles(periods[p], reads[i], brk))
        ]
        if not touched:
            continue
        hit |= keys.isin(touched) & _series_hit(frame, brk)
    if not hit.any():
        return frame
    out = frame.copy()
    out.loc[hit, "obs_status"] = ObsStatus.BREAK.value
    return out


def cross_parts(cut: str, member: str) -> tuple[tuple[str, str], ...]:
    """The single series a cross cut's member crosses: (`segment`, KPO) and (`partner`, FR)
    for `segment_partner` KPO.FR; none for a single cut."""
    if cut not in CROSS_CUTS or SEPARATOR not in member:
        return ()
    segment, other = member.split(SEPARATOR, 1)
    return (("segment", segment), (cut.split("_", 1)[1], other))


def _series_hit(frame: pd.DataFrame, brk: SeriesBreak) -> np.ndarray:
    """Which rows' series (cut, member) the break concerns, cross cuts through their parts,
    as vectorised tests on the columns."""
    import numpy as np
    import pandas as pd

    cut = frame["cut"].astype(str)
    member = frame["member"].astype(str)

    def series(cuts: pd.Series, members: pd.Series) -> np.ndarray:
        rows = np.ones(len(frame), dtype=bool)
        if brk.cuts:
            rows &= cuts.isin(list(brk.cuts)).to_numpy()
        if brk.members:
            rows &= members.isin(list(brk.members)).to_numpy()
        return rows

    hit = series(cut, member)
    cross = cut.isin(list(CROSS_CUTS)) & member.str.contains(SEPARATOR, regex=False)
    if cross.any():
        parts = member.str.split(SEPARATOR, n=1, expand=True)
        segment, other = parts[0].fillna(""), parts[1].fillna("")
        kind = cut.str.split("_", n=1).str[-1]
        in_cross = cross.to_numpy()
        hit |= in_cross & series(pd.Series("segment", index=frame.index), segment)
        hit |= in_cross & series(kind, other)
    return hit


ACHIEVED: Final = "CAGR_ACHIEVED"
"""The target indicator that reads from the target's base year to its period (a span the
registry's `reads` cannot say: its length is the target's)."""


def mark_targets(
    frame: pd.DataFrame, breaks: Sequence[SeriesBreak], targets: Sequence[Target]
) -> pd.DataFrame:
    """The progress-toward-target table (cut `target`, the target's id as member) with
    OBS_STATUS B where a break touches a figure, as `mark_breaks` decides it, and on the
    growth achieved since the base year when the break's day lies after that year's start
    and within the figure's period or before it (the rate compares two definitions).

    A jobs target is progress of an auxiliary series, as JOBS is: only a break that names
    its indicators touches it (see the module's head)."""
    import numpy as np

    if not breaks or frame.empty:
        return frame
    jobs = {t.id for t in targets if t.measure == "jobs"}
    auxiliary = frame["member"].isin(list(jobs)).to_numpy()
    named = [b for b in breaks if b.indicators]
    out = frame.copy()
    for rows, chosen in ((~auxiliary, breaks), (auxiliary, named)):
        if rows.any() and chosen:
            part = mark_breaks(frame[rows], chosen)
            out.loc[rows, "obs_status"] = part["obs_status"].to_numpy()
    base = {t.id: t.base_year for t in targets if t.base_year is not None}
    hit = np.zeros(len(frame), dtype=bool)
    for n, (indicator, period, cut, member) in enumerate(
        zip(frame["indicator"], frame["period"], frame["cut"], frame["member"], strict=True)
    ):
        year = base.get(str(member))
        if indicator != ACHIEVED or year is None:
            continue
        end = period_end(parse_period(str(period)))
        chosen = named if auxiliary[n] else breaks
        hit[n] = any(
            b.concerns(ACHIEVED, str(cut), str(member)) and dt.date(year, 1, 1) < b.day <= end
            for b in chosen
        )
    if hit.any():
        out.loc[hit, "obs_status"] = ObsStatus.BREAK.value
    return out


def touching(
    figures: Iterable[tuple[str, str, str, str]], breaks: Sequence[SeriesBreak]
) -> tuple[SeriesBreak, ...]:
    """The breaks that figures carrying B (indicator, cut, member, period) are at or across,
    in the profile's order: what a table showing them explains. A figure whose own spans
    touch none (the growth achieved since a target's base year) is explained by the breaks
    that concern it up to its period's end."""
    found: set[str] = set()
    for indicator, cut, member, period in set(figures):
        p = parse_period(period)
        f = flags(indicator, cut, member, p, breaks)
        found.update(
            f.at + f.across
            or tuple(
                b.id
                for b in breaks
                if b.day <= period_end(p) and b.concerns(indicator, cut, member)
            )
        )
    return tuple(b for b in breaks if b.id in found)
