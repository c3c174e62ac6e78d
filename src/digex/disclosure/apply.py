"""Which observations a suppression pattern hides: every figure of a release reads magnitude
cells, and it is published only if every cell it reads is.

A figure's inputs follow from the indicator registry, not from a list of indicator names kept
here: its `family` and `column` say what kind of figure it is, its `reads` spans which periods
(`own`, the previous period `pop`, a year earlier `yoy`, the year to date `ytd` and that a
year earlier `ytd_yoy`). A share also reads the total of its period, a contribution the total
a year earlier, a balance or a coverage ratio both flows, the partners' concentration every
partner cell of its member. Firm-based figures read their cell too and pass the firm rules
(`digex.disclosure.firm_rules`): counts and averages only above a number of firms, top-N
shares only where the firms outside the top N are safe, entries and exits never of 1 or 2.

Failing closed is the rule throughout: a figure of a (family, column) this module does not
know is suppressed, so a new registry entry can never leak before someone says what it reads;
a cell the cube lacks is free only when it is empty (no declarations: its period is the
cube's and a table publishes it), else it takes its status in an earlier release, else it is
suppressed. Everything is a join of frames, never a loop over rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Final

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import sparse

from digex.disclosure.cube import period_after
from digex.disclosure.problem import FREE, LABEL_KEY, SECONDARY, Cube, Pattern
from digex.indicators.cuts import TOTAL
from digex.indicators.periods import PER_YEAR, Period, parse_period

if TYPE_CHECKING:
    from digex.disclosure.parameters import Parameters
    from digex.indicators.registry import Indicator, Registry
    from digex.indicators.tables import PublishedTable

KEY: Final = list(LABEL_KEY)
NEED_COLUMNS: Final = ["obs", *LABEL_KEY, "own", "check", "code"]
SPANS: Final[dict[str, tuple[str, str]]] = {
    "own": ("LEVEL", "own"),
    "ytd": ("YTD_LEVEL", "own"),
    "pop": ("LEVEL", "previous"),
    "yoy": ("LEVEL", "year"),
    "ytd_yoy": ("YTD_LEVEL", "year"),
}
"""The cell a registry span reads: its measure and its period relative to the figure's."""
OWN_CODE: Final = frozenset({("main", "level"), ("main", "ytd_level"), ("foreign", "value")})
"""Figures that *are* a magnitude (in another currency at most): a suppressed one carries its
cell's own code (A, O, T, M, D, C); every other suppressed figure is D."""
FIRM_CHECK: Final[dict[tuple[str, str], str]] = {
    ("main", "firms"): "counts_ok",
    ("main", "avg_per_firm"): "counts_ok",
    ("firm_concentration", "hhi"): "counts_ok",
    ("firm_concentration", "top5"): "top5_ok",
    ("firm_concentration", "top10"): "top10_ok",
}
SPAN_FIGURES: Final = frozenset(
    {
        ("main", "level"),
        ("main", "ytd_level"),
        ("main", "growth_yoy"),
        ("main", "growth_pop"),
        ("main", "ytd_growth"),
        ("main", "share"),
        ("main", "contribution"),
        ("foreign", "value"),
        ("balance", "balance"),
        ("balance", "coverage"),
        ("demography", "entries"),
        ("demography", "exits"),
        *FIRM_CHECK,
    }
)
"""Figures whose inputs are their registry spans (on their own flow; balance and coverage on
exports and imports), plus what the rest of this module adds per column."""
FREE_FAMILIES: Final = frozenset({"jobs", "series"})
"""Figures not made from the declarations (jobs, auxiliary series): nothing of a firm's."""
FREE_COLUMNS: Final = frozenset({("jobs", "jobs")})
TARGET_COLUMNS: Final = frozenset({"level", "gap", "progress", "cagr_needed", "cagr_achieved"})


def observation_status(
    observations: pd.DataFrame,
    cube: Cube,
    pattern: Pattern,
    firm_ok: pd.DataFrame,
    params: Parameters,
    earlier: pd.DataFrame | None = None,
    definitions: Registry | None = None,
    *,
    tables: Sequence[PublishedTable] | None = None,
    periods: Sequence[Period] | None = None,
    base_years: Mapping[str, int | None] | None = None,
) -> pd.Series:
    """The internal CONF_STATUS of every observation (index as `observations`): F, the own
    code of a suppressed magnitude, or D for a figure reading a suppressed cell, a cell the
    cube lacks and nothing vouches for, or failing a firm rule.

    `earlier`: labels of earlier releases (LABEL_KEY, conf_status), oldest first: a label
    outside the cube takes its latest status there. `tables` and `periods` (those the cube
    was built for) tell an empty cell (free) from one the cube does not protect; without them
    a label counts as empty when the cube holds its cut at its frequency and period. Targets
    read the annual total of their year and, for the growth achieved, of their base year
    (`base_years`, by target id: without it that growth is suppressed).
    """
    from digex.indicators.registry import registry

    reg = definitions or registry()
    obs = observations.reset_index(drop=True)
    n = len(obs)
    if n == 0:
        return pd.Series([], index=observations.index, dtype=object, name="conf_status")
    kinds = _kinds(obs, reg)
    status = _Status(cube, pattern, firm_ok, earlier, tables, periods)

    needs = [
        _span_needs(obs, kinds),
        _share_and_contribution_needs(obs, kinds),
        _target_needs(obs, kinds, base_years or {}),
        _exports_per_job_needs(obs, kinds),
    ]
    parts = [f for f in needs if not f.empty]
    need = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=NEED_COLUMNS)
    if not need.empty:
        need["code"] = status.of_labels(need)
        firm = (need["check"] != "").to_numpy()
        if firm.any():
            need.loc[firm, "code"] = status.firm_checks(need.loc[firm])

    bad = np.zeros(n, dtype=bool)
    own_code = np.full(n, "", dtype=object)
    if not need.empty:
        failed = (need["code"] != FREE).to_numpy()
        bad[need.loc[failed, "obs"].to_numpy(dtype=np.int64)] = True
        own = failed & need["own"].to_numpy(dtype=bool)
        own_code[need.loc[own, "obs"].to_numpy(dtype=np.int64)] = need.loc[own, "code"].to_numpy()

    # entries and exits of 1 .. min_frequency - 1 firms
    demo = (kinds["family"] == "demography").to_numpy()
    if demo.any():
        from digex.disclosure.firm_rules import small_count

        small = np.asarray(small_count(obs.loc[demo, "value"].to_numpy(dtype=float), params))
        bad[np.flatnonzero(demo)[small]] = True
    partner = (kinds["family"] == "partner_concentration").to_numpy()
    if partner.any():
        ok = status.partner_concentration(obs.loc[partner])
        bad[np.flatnonzero(partner)[~ok]] = True

    unknown = ~kinds["known"].to_numpy(dtype=bool)
    bad |= unknown
    free = kinds["free"].to_numpy(dtype=bool) & ~unknown
    mine = kinds["own_code"].to_numpy(dtype=bool) & (own_code != "")
    codes = np.where(free, FREE, np.where(bad, np.where(mine, own_code, SECONDARY), FREE))
    return pd.Series(codes, index=observations.index, dtype=object, name="conf_status")


# -- what each observation is ---------------------------------------------------------------
def _kinds(obs: pd.DataFrame, reg: Registry) -> pd.DataFrame:
    """Per observation: its family, column and spans (from the registry), whether this module
    knows what it reads, and whether it reads nothing of the declarations."""
    ids = pd.unique(obs["indicator"])
    rows: list[tuple[object, ...]] = []
    for ind in ids:  # per indicator of the registry (a few dozen), not per observation
        i: Indicator | None = reg.indicators.get(str(ind))
        if i is None:
            rows.append((ind, "", "", False, False, False, False, "", *(False for _ in SPANS)))
            continue
        fc = (i.family, i.column)
        known = (
            fc in SPAN_FIGURES
            or fc == ("partner_concentration", "hhi")
            or (i.family == "target" and i.column in TARGET_COLUMNS)
            or fc == ("jobs", "exports_per_job")
            or fc in FREE_COLUMNS
            or i.family == "series"
        )
        free = fc in FREE_COLUMNS or i.family == "series"
        spans = tuple(fc in SPAN_FIGURES and span in i.reads.all for span in SPANS)
        check = FIRM_CHECK.get(fc, "")
        rows.append(
            (
                ind,
                i.family,
                i.column,
                known,
                free,
                fc in OWN_CODE,
                fc in SPAN_FIGURES,
                check,
                *spans,
            )
        )
    columns = ["indicator", "family", "column", "known", "free", "own_code", "spanned", "check"]
    table = pd.DataFrame(rows, columns=[*columns, *(f"span_{s}" for s in SPANS)])
    out = obs[["indicator"]].merge(table, on="indicator", how="left")
    out.index = obs.index
    return out


def _shift(periods: pd.Series, freqs: pd.Series, how: str) -> pd.Series:
    """The period labels `how` (own, previous, year) relative to each row's."""
    if how == "own":
        return periods
    frame = pd.DataFrame({"freq": freqs.to_numpy(), "period": periods.to_numpy()})
    pairs = frame.drop_duplicates()
    shifted = []
    for period in pairs["period"]:  # per distinct period (a few dozen), not per row
        p = parse_period(str(period))
        shifted.append(period_after(p, -1 if how == "previous" else -PER_YEAR[p.freq]).label)
    found = frame.merge(pairs.assign(shifted=shifted), on=["freq", "period"], how="left")
    return pd.Series(found["shifted"].to_numpy(), index=periods.index)


def _need_frame(
    obs: pd.DataFrame,
    rows: npt.NDArray[np.bool_],
    *,
    measure: str,
    how: str,
    own: bool,
    check: str = "",
    flow: str | None = None,
    cut: str | None = None,
    member: str | None = None,
) -> pd.DataFrame:
    sel = obs[rows]
    if sel.empty:
        return pd.DataFrame()
    return pd.DataFrame(
        {
            "obs": np.flatnonzero(rows),
            "flow": sel["flow"].to_numpy() if flow is None else flow,
            "freq": sel["freq"].to_numpy(),
            "period": _shift(sel["period"], sel["freq"], how).to_numpy(),
            "cut": sel["cut"].to_numpy() if cut is None else cut,
            "member": sel["member"].to_numpy() if member is None else member,
            "measure": measure,
            "own": own,
            "check": check,
        }
    )


def _span_needs(obs: pd.DataFrame, kinds: pd.DataFrame) -> pd.DataFrame:
    """The cells a figure's registry spans read, and its firm check on its own cell."""
    both_flows = kinds["family"].to_numpy() == "balance"
    parts = []
    for span, (measure, how) in SPANS.items():
        has = kinds[f"span_{span}"].to_numpy(dtype=bool)
        own = how == "own"
        for flow in ("X", "M"):
            parts.append(
                _need_frame(obs, has & both_flows, measure=measure, how=how, own=own, flow=flow)
            )
        parts.append(_need_frame(obs, has & ~both_flows, measure=measure, how=how, own=own))
    checks = kinds["check"].to_numpy(dtype=object)
    for check in set(FIRM_CHECK.values()):
        parts.append(
            _need_frame(obs, checks == check, measure="LEVEL", how="own", own=False, check=check)
        )
    return pd.concat([p for p in parts if not p.empty] or [pd.DataFrame()], ignore_index=True)


def _share_and_contribution_needs(obs: pd.DataFrame, kinds: pd.DataFrame) -> pd.DataFrame:
    main = kinds["family"].to_numpy() == "main"
    share = main & (kinds["column"].to_numpy() == "share")
    contribution = main & (kinds["column"].to_numpy() == "contribution")
    parts = [
        _need_frame(obs, share, measure="LEVEL", how="own", own=False, cut="total", member=TOTAL),
        _need_frame(
            obs, contribution, measure="LEVEL", how="year", own=False, cut="total", member=TOTAL
        ),
    ]
    return pd.concat([p for p in parts if not p.empty] or [pd.DataFrame()], ignore_index=True)


def _target_needs(
    obs: pd.DataFrame, kinds: pd.DataFrame, base_years: Mapping[str, int | None]
) -> pd.DataFrame:
    """A target on exports reads the year's total exports; its growth achieved also the base
    year's. A target on anything else (jobs) reads no declarations."""
    target = (kinds["family"].to_numpy() == "target") & (obs["flow"].to_numpy() == "X")
    own = _need_frame(obs, target, measure="LEVEL", how="own", own=False, cut="total", member=TOTAL)
    if not own.empty:
        own["freq"] = "A"
    achieved = target & (kinds["column"].to_numpy() == "cagr_achieved")
    base = _need_frame(
        obs, achieved, measure="LEVEL", how="own", own=False, cut="total", member=TOTAL
    )
    if not base.empty:
        base["freq"] = "A"
        years = obs.loc[achieved, "member"].map(dict(base_years))
        # no base year known: a cell no release has, which fails closed
        base["period"] = [
            str(int(y)) if pd.notna(y) else "unknown base year" for y in years.to_numpy()
        ]
    parts = [p for p in (own, base) if not p.empty]
    return pd.concat(parts or [pd.DataFrame()], ignore_index=True)


def _exports_per_job_needs(obs: pd.DataFrame, kinds: pd.DataFrame) -> pd.DataFrame:
    rows = (kinds["family"].to_numpy() == "jobs") & (
        kinds["column"].to_numpy() == "exports_per_job"
    )
    return _need_frame(obs, rows, measure="LEVEL", how="own", own=False, flow="X")


# -- the status of the cells read -----------------------------------------------------------
class _Status:
    """Each label's status: the pattern's for a cell of the cube, F for an empty cell, the
    latest earlier status otherwise, else suppressed."""

    def __init__(
        self,
        cube: Cube,
        pattern: Pattern,
        firm_ok: pd.DataFrame,
        earlier: pd.DataFrame | None,
        tables: Sequence[PublishedTable] | None,
        periods: Sequence[Period] | None,
    ) -> None:
        self.cube = cube
        self.pattern = pattern
        self.firm_ok = firm_ok
        self.labels = cube.labels[[*KEY, "cell"]]
        self.tables = tables
        self.periods = None if periods is None else {(p.freq, p.label) for p in periods}
        if earlier is not None and not earlier.empty:
            last = earlier.drop_duplicates(KEY, keep="last")
            self.earlier = last[[*KEY, "conf_status"]]
        else:
            self.earlier = pd.DataFrame(columns=[*KEY, "conf_status"])

    def of_labels(self, need: pd.DataFrame) -> npt.NDArray[np.object_]:
        found = need[KEY].merge(self.labels, on=KEY, how="left")
        cell = found["cell"].to_numpy()
        code = np.full(len(need), SECONDARY, dtype=object)
        present = pd.notna(cell)
        code[present] = self.pattern.code[cell[present].astype(np.int64)]
        absent = ~present
        if absent.any():
            lacking = need.loc[absent, KEY].reset_index(drop=True)
            code[absent] = self._absent(lacking)
        return code

    def _absent(self, lacking: pd.DataFrame) -> npt.NDArray[np.object_]:
        empty = self._inside(lacking)
        before = lacking.merge(self.earlier, on=KEY, how="left")["conf_status"].to_numpy()
        return np.where(empty, FREE, np.where(pd.isna(before), SECONDARY, before))

    def _inside(self, lacking: pd.DataFrame) -> npt.NDArray[np.bool_]:
        """Whether each label would be a cell of the cube had it any declarations."""
        if self.tables is None or self.periods is None:
            covered = self.labels[["freq", "period", "cut", "measure"]].drop_duplicates()
            covered = covered.assign(inside=True)
            hit = lacking.merge(covered, on=["freq", "period", "cut", "measure"], how="left")
            return np.asarray(hit["inside"].fillna(False).to_numpy(dtype=bool))
        on = ["flow", "freq", "cut", "member", "measure"]
        distinct = lacking[on].drop_duplicates()
        published = [
            any(
                t.cut == c and t.publishes(f, str(m), str(w)) and (t.ytd or ms == "LEVEL")
                for t in self.tables
            )
            for w, f, c, m, ms in distinct.itertuples(index=False)
        ]  # per distinct (cut, member) and frequency lacking, not per observation
        hit = lacking[on].merge(distinct.assign(published=published), on=on, how="left")
        periods = pd.DataFrame(sorted(self.periods), columns=["freq", "period"])
        in_cube = lacking[["freq", "period"]].merge(
            periods.assign(in_cube=True), on=["freq", "period"], how="left"
        )
        return np.asarray(
            hit["published"].to_numpy(dtype=bool)
            & in_cube["in_cube"].fillna(False).to_numpy(dtype=bool)
        )

    def firm_checks(self, need: pd.DataFrame) -> npt.NDArray[np.object_]:
        """F where the firm rule `check` holds on the label's cell (an empty cell: no firms,
        nothing to disclose), else D; a label neither in the cube nor empty fails."""
        found = need[KEY].merge(self.labels, on=KEY, how="left")
        cell = found["cell"].to_numpy()
        ok = np.zeros(len(need), dtype=bool)
        present = pd.notna(cell)
        checks = need["check"].to_numpy()
        for check in pd.unique(checks):
            rows = present & (checks == check)
            cells = cell[rows].astype(np.int64)
            ok[rows] = self.firm_ok[check].reindex(cells).fillna(False).to_numpy(dtype=bool)
        absent = ~present
        if absent.any():
            ok[absent] = self._inside(need.loc[absent, KEY].reset_index(drop=True))
        return np.where(ok, FREE, SECONDARY)

    def partner_concentration(self, obs: pd.DataFrame) -> npt.NDArray[np.bool_]:
        """Whether the partners' HHI of each row may be published: its member's partner cells
        (the partner table for the total, ``SEG.*`` cells for a segment) are all in the cube,
        together exactly its member's cell, and all published."""
        labels = self.labels
        level = labels[labels["measure"] == "LEVEL"]
        partners = level[level["cut"].isin(["partner", "segment_partner"])].copy()
        partners["parent_cut"] = np.where(partners["cut"] == "partner", "total", "segment")
        partners["parent"] = np.where(
            partners["cut"] == "partner",
            TOTAL,
            partners["member"].str.split(".", n=1).str[0],
        )
        group_key = ["flow", "freq", "period", "parent_cut", "parent"]
        parents = level.rename(columns={"cut": "parent_cut", "member": "parent", "cell": "whole"})
        groups = (
            partners[group_key]
            .drop_duplicates()
            .merge(parents[[*group_key, "whole"]], on=group_key, how="left")
        )
        groups = groups.dropna(subset=["whole"]).reset_index(drop=True)
        ok_group = np.zeros(len(groups), dtype=bool)
        if len(groups):
            gid = partners.merge(groups.reset_index(names="g"), on=group_key)
            m = self.cube.membership
            g = sparse.csr_matrix(
                (np.ones(len(gid)), (gid["g"].to_numpy(), gid["cell"].to_numpy())),
                shape=(len(groups), m.shape[0]),
            )
            sums = sparse.csr_matrix(g @ m)
            whole = m[groups["whole"].to_numpy(dtype=np.int64)]
            diff = sparse.csr_matrix(sums - whole)
            diff.eliminate_zeros()
            differs = np.diff(diff.indptr) > 0
            suppressed = self.pattern.suppressed[gid["cell"].to_numpy(dtype=np.int64)]
            hidden = np.zeros(len(groups), dtype=bool)
            np.logical_or.at(hidden, gid["g"].to_numpy(), suppressed)
            ok_group = ~differs & ~hidden
        groups["ok"] = ok_group
        rows = obs.assign(
            parent_cut=np.where(obs["cut"] == "total", "total", obs["cut"]),
            parent=obs["member"],
        )
        hit = rows[["flow", "freq", "period", "parent_cut", "parent"]].merge(
            groups[[*group_key, "ok"]], on=group_key, how="left"
        )
        # other cuts (EBOPS, currency) have no partner cells in the cube: suppressed
        known = (rows["cut"].isin(["total", "segment"])).to_numpy()
        return np.asarray(hit["ok"].fillna(False).to_numpy(dtype=bool) & known)
