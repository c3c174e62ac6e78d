"""A release's figures as publication reads them: its snapshot file, never the live store.

Everything that leaves the system (notes, charts, workbooks, later SDMX and the dashboard) is
made from one release's *public* view: the snapshot file holds only that (a confidential cell
has no value and CONF_STATUS C). The store is opened once, read-only and briefly, to ask
whether the release's gate passed (a release whose gate failed or never ran is not
published); then only the snapshot is read.

Values are kept as the exact decimals they stand for (`rounding.exact` reads a stored double
back as its shortest decimal), so that a figure written in a text can be checked against the
value it was rounded from, with no float step in between.

The figures of progress toward the national targets are not rows of a release: they are
computed here, exactly, from the release's own annual levels and jobs and the copy of the
country profile frozen with it, so that a note and its check read the same numbers.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Final

from digex.errors import NotPublished, UsageError
from digex.indicators.cuts import TOTAL
from digex.indicators.periods import Period, parse_period
from digex.profile import CountryProfile, profile_from_text
from digex.publish.rounding import exact

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

    from digex.releases.snapshot import ReleaseSnapshot

CONFIDENTIAL: Final = "C"
"""CONF_STATUS of a cell the public view withholds (its value is absent)."""
TARGET_CUT: Final = "target"
TARGET_VALUE: Final = "TARGET_VALUE"
BOUNDS: Final = ("lower_80", "upper_80", "lower_95", "upper_95")


@dataclass(frozen=True, order=True)
class FigureKey:
    """Which figure: an indicator of one member of a cut, for a period and a flow."""

    indicator: str
    period: str
    cut: str = "total"
    member: str = TOTAL
    flow: str = "X"

    @property
    def id(self) -> str:
        """A stable text id (the tag a rendered text carries): `LEVEL/X/total/_T/2024`."""
        return f"{self.indicator}/{self.flow}/{self.cut}/{self.member}/{self.period}"

    @classmethod
    def parse(cls, text: str) -> FigureKey:
        indicator, flow, cut, member, period = text.split("/")
        return cls(indicator, period, cut, member, flow)


@dataclass(frozen=True)
class Figure:
    """One observation of the release's public view."""

    key: FigureKey
    value: Decimal | None
    """Exact, unscaled (MAD, not bn MAD; per cent as 40.3); None when confidential or not
    available."""
    unit: str
    """As stored: an ISO currency (MAD, USD, EUR), PC (per cent), PP (percentage points),
    JOBS, FIRMS, INDEX."""
    obs_status: str
    completeness: str
    conf_status: str

    @property
    def confidential(self) -> bool:
        return self.conf_status == CONFIDENTIAL

    @property
    def available(self) -> bool:
        return self.value is not None and not self.confidential


@dataclass(frozen=True)
class ReleaseFigures:
    """One release as publication sees it: its metadata, frozen inputs and public figures."""

    release_id: str
    metadata: dict[str, object] = field(repr=False)
    inputs: dict[str, str] = field(repr=False)
    observations: pd.DataFrame = field(repr=False)
    """The snapshot's rows (tidy columns and `conf_status`), plus the target rows computed
    here (cut `target`, member the target's id)."""
    snapshot: Path
    previous: ReleaseFigures | None = field(default=None, repr=False)
    """The release this one revises (the same period, the vintage before), when there is one."""
    synthetic: bool = False
    """Made from the demo's synthetic data: every output says so."""
    extras: tuple[Figure, ...] = field(default=(), repr=False)
    """Figures a text may state that are no indicator of the registry (each target's own
    value, TARGET_VALUE, from the frozen profile): found by `get`, never in `observations`."""
    estimates: pd.DataFrame = field(default_factory=lambda: _no_estimates(), repr=False)
    """The estimates frozen with the release (`digex.releases.estimates.ESTIMATE_COLUMNS`:
    seasonally adjusted series with OBS_STATUS E, the nowcast with F and its intervals),
    never mixed with `observations`; empty for a release made before them."""

    @property
    def period(self) -> Period:
        return parse_period(str(self.metadata["period"]))

    @property
    def status(self) -> str:
        """preliminary, revised or final."""
        return str(self.metadata["status"])

    @property
    def vintage(self) -> int:
        return int(str(self.metadata["vintage"]))

    @property
    def created_at(self) -> dt.datetime:
        value = self.metadata["created_at"]
        assert isinstance(value, dt.datetime)
        return value

    @property
    def published_at(self) -> dt.datetime:
        value = self.metadata["published_at"]
        assert isinstance(value, dt.datetime)
        return value

    @property
    def note(self) -> str | None:
        value = self.metadata.get("note")
        return None if value is None else str(value)

    @cached_property
    def profile(self) -> CountryProfile:
        """The country profile frozen with the release (not the one installed now)."""
        return profile_from_text(
            self.inputs["profile.toml"],
            source=str(self.metadata.get("profile", "")),
            where=f"release {self.release_id}",
        )

    @cached_property
    def _index(self) -> dict[FigureKey, Figure]:
        o = self.observations
        columns = zip(
            o["indicator"],
            o["period"],
            o["cut"],
            o["member"],
            o["flow"],
            o["value"],
            o["unit"],
            o["obs_status"],
            o["completeness"],
            o["conf_status"].fillna(""),
            strict=True,
        )
        found = {}
        for indicator, period, cut, member, flow, value, unit, obs, done, conf in columns:
            key = FigureKey(str(indicator), str(period), str(cut), str(member), str(flow))
            # a stored double as the shortest decimal that reads back as it (`rounding.exact`)
            number = None if value is None or value != value else Decimal(repr(float(value)))
            found[key] = Figure(key, number, str(unit), str(obs), str(done), str(conf))
        return found

    def figure(
        self,
        indicator: str,
        period: str,
        cut: str = "total",
        member: str = TOTAL,
        flow: str = "X",
    ) -> Figure:
        """The figure with that key; `UsageError` naming the key when the release has none."""
        key = FigureKey(indicator, period, cut, member, flow)
        found = self.get(key)
        if found is None:
            raise UsageError(
                f"release {self.release_id} has no figure {key.id} "
                "(indicator/flow/cut/member/period)"
            )
        return found

    @cached_property
    def _extras(self) -> dict[FigureKey, Figure]:
        return {f.key: f for f in self.extras}

    @cached_property
    def _estimated(self) -> dict[FigureKey, Figure]:
        """The frozen estimates as figures a text may state (never among the observations:
        their indicators are their own), each nowcast's bounds under the indicator with the
        bound's suffix (`NOWCAST_LEVEL_LOWER_80`)."""
        found: dict[FigureKey, Figure] = {}
        for row in self.estimates.to_dict("records"):
            parts = [(str(row["indicator"]), row["value"])]
            if str(row["indicator"]) == "NOWCAST_LEVEL":
                parts += [(f"NOWCAST_LEVEL_{b.upper()}", row[b]) for b in BOUNDS]
            for indicator, value in parts:
                key = FigureKey(
                    indicator, str(row["period"]), str(row["cut"]), str(row["member"]),
                    str(row["flow"]),
                )  # fmt: skip
                number = None if value is None or value != value else Decimal(repr(float(value)))
                status = str(row["obs_status"])
                found[key] = Figure(key, number, str(row["unit"]), status, "complete", "F")
        return found

    def get(self, key: FigureKey) -> Figure | None:
        """The figure with `key` among the observations, the extras and the frozen estimates
        (None if none)."""
        return self._index.get(key) or self._extras.get(key) or self._estimated.get(key)

    def members(self, indicator: str, period: str, cut: str, flow: str = "X") -> list[Figure]:
        """Every figure of `indicator` for the members of `cut` in `period`, in member order."""
        return sorted(
            (
                f
                for k, f in self._index.items()
                if (k.indicator, k.period, k.cut, k.flow) == (indicator, period, cut, flow)
            ),
            key=lambda f: f.key.member,
        )

    def __iter__(self) -> Iterator[Figure]:
        """The observations' figures (not the extras)."""
        return iter(self._index.values())


def _no_estimates() -> pd.DataFrame:
    from digex.releases.estimates import empty

    return empty()


def open_release(store_path: Path, release_id: str, *, previous: bool = True) -> ReleaseFigures:
    """The release `release_id` of the store at `store_path`, read from its snapshot file.

    Refuses (`NotPublished`) a release whose gate has not passed, and (`UsageError`) one the
    store does not hold or whose snapshot is missing or altered. With `previous`, the release
    it revises is read too (from its own snapshot)."""
    from digex.releases.snapshot import read_release, snapshot_path
    from digex.store import Store, releases
    from digex.store import disclosure as served

    with Store(store_path, read_only=True) as store, store.reading() as con:
        meta = releases.metadata(con, release_id)
        if meta is None:
            raise UsageError(
                f"the store {store_path} holds no release {release_id!r}; "
                "`digex release list` shows its releases"
            ).naming(release=release_id)
        served.require_served(con, release_id)
        earlier = _revised(con, meta) if previous else None
        synthetic = store.synthetic
    path = snapshot_path(store_path, release_id)
    if not path.is_file():
        raise UsageError(
            f"release {release_id} has no snapshot file at {path}; write it with "
            f"`digex release snapshot {release_id}`"
        )
    found = from_snapshot(read_release(path), path)
    before = open_release(store_path, earlier, previous=False) if earlier else None
    return dataclasses.replace(found, previous=before, synthetic=synthetic)


def _revised(con: duckdb.DuckDBPyConnection, meta: dict[str, object]) -> str | None:
    """The id of the served release of the same period and the vintage before, if any."""
    from digex.store import disclosure as served
    from digex.store import releases

    vintage = int(str(meta["vintage"]))
    for rid in reversed(releases.ids(con)):
        other = releases.metadata(con, rid)
        if other is None or other["period"] != meta["period"]:
            continue
        if int(str(other["vintage"])) >= vintage:
            continue
        try:
            served.require_served(con, rid)
        except NotPublished:
            continue
        return rid
    return None


def from_snapshot(snap: ReleaseSnapshot, path: Path) -> ReleaseFigures:
    """A release read from its snapshot file alone (no store: the web service, which never
    opens one, checks the gate through its index instead); `UsageError` when the file no
    longer gives the content hash recorded with it."""
    if not snap.intact:
        raise UsageError(
            f"the snapshot {path} no longer gives the content hash recorded with release "
            f"{snap.release_id}: it was altered; check it with `digex release verify "
            f"{snap.release_id}`"
        )
    from digex.releases.snapshot import open_snapshot
    from digex.store.releases import stored_observations

    con = open_snapshot(path)
    try:  # with CONF_STATUS, which `read_release` leaves out
        frame = stored_observations(con, snap.release_id).to_pandas()
    finally:
        con.close()
    from digex.releases.estimates import empty

    estimates = snap.estimates.to_pandas() if snap.estimates is not None else empty()
    found = ReleaseFigures(
        snap.release_id, snap.metadata, snap.inputs, frame, path, estimates=estimates
    )
    return _with_targets(found)


def _with_targets(found: ReleaseFigures) -> ReleaseFigures:
    """The release with the target rows computed from its own annual levels and jobs."""
    import pandas as pd

    rows = list(_target_rows(found))
    if not rows:
        return found
    goals = [r for r in rows if r["indicator"] == TARGET_VALUE]
    extra = pd.DataFrame(
        [r for r in rows if r["indicator"] != TARGET_VALUE],
        columns=list(found.observations.columns),
    )
    both = pd.concat([found.observations, extra], ignore_index=True)
    values = tuple(
        Figure(
            FigureKey(TARGET_VALUE, str(r["period"]), TARGET_CUT, str(r["member"]), str(r["flow"])),
            Decimal(repr(r["value"])),
            str(r["unit"]),
            str(r["obs_status"]),
            "complete",
            str(r["conf_status"]),
        )
        for r in goals
    )
    return dataclasses.replace(found, observations=both, extras=values)


def _target_rows(found: ReleaseFigures) -> Iterator[dict[str, object]]:
    """TARGET_VALUE (the profile's target, so that a text states it as a figure), TARGET_LEVEL,
    TARGET_GAP, TARGET_PROGRESS, CAGR_NEEDED (and CAGR_ACHIEVED when the
    base year is in the release) of each profile target against the latest complete year the
    release holds; none when it holds no complete year."""
    o = found.observations
    profile = found.profile
    for target in profile.targets:
        if target.measure == "exports":
            indicator, flow, unit = "LEVEL", "X", profile.national_currency
        elif target.measure == "jobs":
            indicator, flow, unit = "JOBS", "_Z", "JOBS"
        else:
            continue
        years = o[
            (o["indicator"] == indicator)
            & (o["freq"] == "A")
            & (o["cut"] == "total")
            & (o["flow"] == flow)
            & (o["completeness"] == "complete")
            & o["value"].notna()
        ]
        if years.empty:
            continue
        series = {int(p): exact(v) for p, v in zip(years["period"], years["value"], strict=True)}
        latest = max(series)
        level = series[latest]
        goal = exact(Decimal(target.value))
        status = found.figure(indicator, str(latest), flow=flow)
        values: dict[str, Fraction | None] = {
            TARGET_VALUE: goal,
            "TARGET_LEVEL": level,
            "TARGET_GAP": goal - level,
            "TARGET_PROGRESS": level / goal * 100,
            "CAGR_NEEDED": _cagr(level, goal, target.year - latest),
        }
        if target.base_year is not None and target.base_year in series:
            values["CAGR_ACHIEVED"] = _cagr(
                series[target.base_year], level, latest - target.base_year
            )
        for name, value in values.items():
            if value is None:
                continue
            yield {
                "indicator": name,
                "freq": "A",
                "period": str(latest),
                "cut": TARGET_CUT,
                "member": target.id,
                "flow": flow,
                "value": float(value),
                "unit": "PC"
                if name in ("TARGET_PROGRESS", "CAGR_NEEDED", "CAGR_ACHIEVED")
                else unit,
                "unit_mult": 0,
                "obs_status": status.obs_status,
                "completeness": "complete",
                "conf_status": status.conf_status,
            }


def _cagr(start: Fraction, end: Fraction, years: int) -> Fraction | None:
    if years <= 0 or start <= 0 or end <= 0:
        return None
    return (Fraction(float(end / start) ** (1 / years)) - 1) * 100
