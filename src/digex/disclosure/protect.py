"""Disclosure control of one release, from its observations to the pattern the gate passed.

The stages, each timed (`Protection.timings`): the cube of every cell the release's tables
publish (`cube.build_cube`), the primary rules on each cell's enterprise groups
(`rules.sensitivity`), the secondary suppression (`suppress.suppress`), the independent gate
(`audit.audit`), and the observations' statuses (`apply.observation_status` with the firm
rules), then the information loss by table.

Two inputs constrain the pattern beyond the rules:

- `earlier`, the labels of earlier releases with their CONF_STATUS: a cell ever suppressed is
  suppressed again with its code (a new release must never make an earlier suppression
  computable, and an unchanged pattern is the simplest proof), and a cell ever published stays
  published (it is public: never a complement). A cell published earlier that a revision made
  sensitive is suppressed all the same: the rules speak for the new value.

  Those are equations of the attacker whether or not the new release carries their periods
  (a published 2024 beside a new release's 2024-H1 gives a suppressed 2024-H2), so the cube
  also holds every earlier label of its years outside its own periods (`cube.carried_labels`):
  *carried* cells, published constants or suppressed unknowns exactly as the earlier releases
  left them. The new release publishes none of them (its observations are its own periods'),
  cannot change them (a carried cell published earlier stays so even if a revision made it
  sensitive: it is public already; an override names a cell of the release's own periods), and
  never picks one as a complement; the gate audits the carried suppressed cells with the rest.
  Cells of those periods that no release showed are not in the cube at all: the attacker
  knows nothing of them, and the cube has no cell that is neither published nor suppressed.
  The carried labels are stored with the pattern (origin ``carried``), so that the gate run
  again rebuilds the same system from the stored pattern alone.
- `overrides`, decisions taken after review: ``suppress`` forces a cell out (MANUAL, audited
  like a primary of no protection level), ``publish`` keeps it published even if a rule
  fired (its origin then says ``override``). An override wins over an earlier status.

And the profile's `headline` tables (the sector's total, its segments) never protect a cell of
a finer table (`headline_cells`): KPO by region finds its complements among the segment x
region cells, while a sensitive segment is still protected by the other segments.

A failed gate never raises here: the caller refuses the release with the report in hand.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from digex.disclosure import apply, audit, cube, firm_rules, loss, rules, suppress
from digex.disclosure.cube import pattern_from_cells
from digex.disclosure.problem import (
    FREE,
    LABEL_KEY,
    MANUAL,
    SECONDARY,
    BoolArray,
    Cube,
    Pattern,
    Sensitivity,
)
from digex.indicators.periods import Period
from digex.indicators.tables import DEFAULT_TABLES, PublishedTable
from digex.store import disclosure as disclosure_store

if TYPE_CHECKING:
    from digex.disclosure.audit import GateReport
    from digex.disclosure.parameters import Parameters
    from digex.indicators.engine import Engine
    from digex.indicators.registry import Registry
    from digex.profile import CountryProfile

KEY: Final = list(LABEL_KEY)
ACTIONS: Final = ("suppress", "publish")
"""What an override may ask for a cell."""
ORIGINS: Final = ("rule", "secondary", "earlier", "override", "free", "carried")
"""Why a label has its status; ``carried``: an earlier release's label outside the release's
periods, in its system only (`loss.information_loss` leaves it out)."""
CELL_COLUMNS: Final = disclosure_store.CELL_COLUMNS
"""The cells frame's columns: those of the store's `release_cells` (one definition)."""
STAGES: Final = ("cube", "rules", "suppress", "gate", "apply")

__all__ = ["Protection", "pattern_from_cells", "protect"]


@dataclass(frozen=True)
class Protection:
    """A release's protection: what the store writes (observations with their internal
    CONF_STATUS, the pattern per label, the gate's report) and what a reviewer reads (the
    information loss by table, the time of each stage)."""

    observations: pd.DataFrame
    cells: pd.DataFrame
    gate: GateReport
    loss: pd.DataFrame
    timings: Mapping[str, float]


def published_tables(profile: CountryProfile) -> tuple[PublishedTable, ...]:
    """The tables the profile declares (every single cut when it declares none)."""
    return profile.tables or DEFAULT_TABLES


_INSIDER_ROUNDS = 3
"""Passes of the suppression on the insiders a gate run names, before the release is refused."""


def protect(
    engine: Engine,
    profile: CountryProfile,
    period: str,
    observations: pd.DataFrame,
    *,
    parameters: Parameters,
    earlier: pd.DataFrame | None = None,
    overrides: pd.DataFrame | None = None,
    definitions: Registry | None = None,
    progress: Callable[[str], None] | None = None,
) -> Protection:
    """Protect the release of `period` whose rows are `observations` (see the module).
    `progress` is told each step as it starts (the suppression takes tens of seconds on a
    large release: a terminal that only spins looks hung)."""
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    tell = progress or (lambda _: None)
    tell("disclosure: each firm's part of every cell")

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = timings.get(stage, 0.0) + now - clock
        clock = now

    tables = published_tables(profile)
    periods = cube.cube_periods(period)
    c = cube.build_cube(
        engine.sources,
        tables,
        periods,
        groups=parameters.groups,
        carried=cube.carried_labels(earlier, periods),
    )
    contributions = rules.cell_contributions(c.membership, c.contributions)
    carried = carried_cells(c, periods)
    lap("cube")
    tell(f"disclosure: primary rules on {c.n_cells:,} cells")

    waived = np.isin(np.asarray(c.groups, dtype=object), list(parameters.waivers))
    constraints = _constraints(c, earlier, overrides, carried)
    sens = _decided_earlier(
        rules.sensitivity(contributions, parameters, waived), carried & constraints.keep
    )
    lap("rules")
    tell(f"disclosure: choosing complements for {int(sens.primary.sum()):,} sensitive cells")

    keep = constraints.keep & ~(sens.primary & ~constraints.published_by_override)
    headline = headline_cells(c, tables)
    # Outsiders first, then the insiders the gate names: a full insider pass in the search
    # tries every enterprise group against every primary (hundreds of groups on a release),
    # while the gate, with its certificates, finds the few whose knowledge matters.
    audit.silence_banner()
    pattern = suppress.suppress(
        c,
        sens,
        keep=keep,
        headline=headline,
        force=constraints.force,
        cost_lambda=parameters.cost_lambda,
        insiders=False,
    )
    lap("suppress")
    tell("disclosure: the release gate's LPs")
    gate = audit.audit(c, pattern)
    lap("gate")
    for _ in range(_INSIDER_ROUNDS):
        groups = {r.insider for r in gate.failures() if r.insider is not None}
        if gate.passed or not groups:
            break
        held = np.where(pattern.suppressed & (constraints.force == ""), pattern.code, "")
        # the cells the gate proved stay proved under more suppressions: only its failures
        # are searched again (the gate audits the new pattern whole)
        settled = pattern.suppressed.copy()
        settled[[r.cell for r in gate.failures()]] = False
        pattern = suppress.suppress(
            c,
            sens,
            keep=keep,
            headline=headline,
            force=np.where(constraints.force != "", constraints.force, held).astype(object),
            cost_lambda=parameters.cost_lambda,
            insider_groups=groups,
            settled=settled,
        )
        lap("suppress")
        tell("disclosure: the gate again, after insiders' complements")
        gate = audit.audit(c, pattern)
        lap("gate")

    firm_ok = firm_rules.firm_indicators_ok(contributions, parameters)
    status = apply.observation_status(
        observations,
        c,
        pattern,
        firm_ok,
        parameters,
        earlier,
        definitions,
        tables=tables,
        periods=periods,
        base_years={t.id: t.base_year for t in profile.targets},
    )
    rows = observations.copy()
    rows["conf_status"] = status.to_numpy()
    lap("apply")

    origin = _origins(pattern.code, sens.primary, constraints)
    cells = _cells_frame(c, sens, pattern, origin)
    # a carried label says so even on a cell of the release's own (a year beside its fourth
    # quarter's year to date): the release neither publishes nor hides it
    cells.loc[~own_labels(c, periods), "origin"] = loss.CARRIED
    return Protection(
        observations=rows,
        cells=cells,
        gate=gate,
        loss=loss.information_loss(cells),
        timings=timings,
    )


def headline_cells(c: Cube, tables: Sequence[PublishedTable]) -> BoolArray:
    """The cells of the profile's `headline` tables (any of a cell's labels in one): never
    complements of a finer table's cell, which is protected inside its own table."""
    cuts = [t.cut for t in tables if t.headline]
    mask = np.zeros(c.n_cells, dtype=bool)
    if cuts:
        labels = c.labels
        mask[labels.loc[labels["cut"].isin(cuts), "cell"].to_numpy(dtype=np.int64)] = True
    return mask


def own_labels(c: Cube, periods: Sequence[Period]) -> BoolArray:
    """Per label: of one of `periods` (the release's), not carried from an earlier release."""
    own = pd.MultiIndex.from_frame(c.labels[["freq", "period"]]).isin(
        [(p.freq, p.label) for p in periods]
    )
    return np.asarray(own, dtype=bool)


def carried_cells(c: Cube, periods: Sequence[Period]) -> BoolArray:
    """The cells none of whose labels is of `periods`: carried from earlier releases
    (`cube.carried_labels`), in the attacker's system but not the release's to publish."""
    cells = c.labels.loc[own_labels(c, periods), "cell"].to_numpy(dtype=np.int64)
    mask = np.ones(c.n_cells, dtype=bool)
    mask[cells] = False
    return mask


def _decided_earlier(sens: Sensitivity, published: BoolArray) -> Sensitivity:
    """`sens` without the primaries among `published`: carried cells an earlier release
    published are public whatever the rules now say of them (a revision), so there is nothing
    left to protect there, and the suppression must not report them as kept primaries."""
    if not (sens.primary & published).any():
        return sens
    return dataclasses.replace(
        sens,
        code=np.where(published, FREE, sens.code).astype(object),
        upl=np.where(published, 0.0, sens.upl),
        lpl=np.where(published, 0.0, sens.lpl),
    )


@dataclass(frozen=True)
class _Constraints:
    """Per cell: kept published, forced suppressed (its code, or ""), and which override or
    earlier release decided it."""

    keep: BoolArray
    force: npt.NDArray[np.object_]
    forced_by_earlier: BoolArray
    override: BoolArray
    published_by_override: BoolArray


def _cells_of(c: Cube, frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with the cube cell of each of its labels (rows of labels the cube lacks
    dropped: there is nothing of theirs to keep or force)."""
    found = frame.merge(c.labels[[*KEY, "cell"]], on=KEY, how="inner", sort=False)
    return found.astype({"cell": np.int64})


def _constraints(
    c: Cube,
    earlier: pd.DataFrame | None,
    overrides: pd.DataFrame | None,
    carried: BoolArray | None = None,
) -> _Constraints:
    n = c.n_cells
    keep = np.zeros(n, dtype=bool)
    force = np.full(n, "", dtype=object)
    by_earlier = np.zeros(n, dtype=bool)
    if earlier is not None and not earlier.empty:
        rows = _cells_of(c, earlier[[*KEY, "conf_status"]].reset_index(drop=True))
        hidden = rows[rows["conf_status"].astype(str) != FREE]
        # the latest suppression of each cell gives its code (rows are oldest first)
        last = hidden.drop_duplicates("cell", keep="last")
        force[last["cell"].to_numpy()] = last["conf_status"].astype(str).to_numpy()
        by_earlier = force != ""
        shown = rows.loc[rows["conf_status"].astype(str) == FREE, "cell"].to_numpy()
        keep[shown] = True
        keep &= ~by_earlier
    touched = np.zeros(n, dtype=bool)
    published = np.zeros(n, dtype=bool)
    if overrides is not None and not overrides.empty:
        unknown = sorted(set(overrides["action"].astype(str)) - set(ACTIONS))
        if unknown:
            raise ValueError(
                f"an override's action is {' or '.join(ACTIONS)}, not {', '.join(unknown)}"
            )
        rows = _cells_of(c, overrides[[*KEY, "action"]].reset_index(drop=True))
        if carried is not None:  # an earlier release's cell is as it left it
            rows = rows[~carried[rows["cell"].to_numpy()]]
        out = rows.loc[rows["action"] == "suppress", "cell"].to_numpy()
        kept = rows.loc[rows["action"] == "publish", "cell"].to_numpy()
        published[kept] = True
        force[kept] = ""
        keep[kept] = True
        # a cell asked both ways is suppressed (fail closed)
        force[out] = MANUAL
        keep[out] = False
        published[out] = False
        touched[out] = True
        touched[kept] = True
        by_earlier &= ~touched
    return _Constraints(keep, force, by_earlier, touched, published)


def _origins(
    code: npt.NDArray[np.object_], primary: BoolArray, k: _Constraints
) -> npt.NDArray[np.object_]:
    suppressed = code != FREE
    return np.select(
        [
            k.override,
            suppressed & k.forced_by_earlier & ~primary,
            suppressed & (code == SECONDARY) & ~k.forced_by_earlier,
            suppressed & primary,
            suppressed,
        ],
        ["override", "earlier", "secondary", "rule", "earlier"],
        default="free",
    ).astype(object)


def _cells_frame(
    c: Cube,
    sens: Sensitivity,
    pattern: Pattern,
    origin: npt.NDArray[np.object_],
) -> pd.DataFrame:
    """One row per label: the cell's rule record, the pattern's verdict and why."""
    cell = c.labels["cell"].to_numpy(dtype=np.int64)
    frame = c.labels[KEY].copy()
    frame["cell"] = cell
    frame["value"] = c.values()[cell]
    frame["contributors"] = np.asarray(sens.contributors)[cell]
    frame["x1"] = np.asarray(sens.x1)[cell]
    frame["x2"] = np.asarray(sens.x2)[cell]
    frame["rule"] = np.asarray(sens.rule, dtype=object)[cell]
    frame["upl"] = np.asarray(pattern.upl)[cell]
    frame["lpl"] = np.asarray(pattern.lpl)[cell]
    frame["conf_status"] = np.asarray(pattern.code, dtype=object)[cell]
    frame["origin"] = origin[cell]
    return frame.reset_index(drop=True).loc[:, list(CELL_COLUMNS)]
