"""The disclosure commands' core: the gate run again on a stored release, overrides, the
pattern and the information loss of a release (what `digex disclosure` renders).

The gate is run again on what the release froze, not on the live store: the cube is rebuilt
from the declarations the release was computed from (`digex.store.vintage`), with the profile
(its tables) and the disclosure parameters (its enterprise groups) frozen with it, and the
pattern is the stored one (`release_cells`), whose labels outside the release's periods are
the earlier releases' cells it was protected with (`digex.disclosure.protect`). A run is
recorded (`release_gates`) whatever it finds: the latest run decides whether the release may
be served.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from digex.errors import GateFailed, UsageError

if TYPE_CHECKING:
    import pandas as pd

    from digex.disclosure.audit import GateReport
    from digex.store import Store

AUDIT_ACTION: Final = "audit"
"""The audit log's action for a gate run again on a release."""
OVERRIDE_ACTION: Final = "override"


@dataclass(frozen=True)
class Audited:
    """A gate run again: the report (internal), its labels (the pattern's rows of each cell
    the report names) and the release."""

    release_id: str
    report: GateReport
    labels: pd.DataFrame

    def frame(self) -> pd.DataFrame:
        """INTERNAL: the gate's per-cell report with each cell's labels (a cell several
        labels name, such as a segment and the EBOPS code that is all of it, lists them
        all: "segment KPO = ebops SJ22")."""
        labels = self.labels.assign(
            label=lambda f: (
                f["flow"]
                + " "
                + f["period"]
                + " "
                + f["cut"]
                + " "
                + f["member"]
                + (" " + f["measure"]).where(f["measure"] != "LEVEL", "")
            )
        )
        named = labels.groupby("cell", sort=False)["label"].agg(" = ".join).reset_index()
        frame: pd.DataFrame = named.merge(self.report.frame(), on="cell", how="right")
        return frame

    def refusal(self) -> GateFailed:
        failed = self.report.summary()["failed"]
        return GateFailed(
            f"release {self.release_id} fails its release gate ({failed} cell(s) not "
            "protected): it is no longer served publicly; suppress a shielding cell "
            "(`digex disclosure override add`) and make a new release of its period"
        )


def _require_pattern(con: object, release_id: str) -> pd.DataFrame:
    from digex.store import disclosure

    cells: pd.DataFrame = disclosure.cells(con, release_id).to_pandas()  # type: ignore[arg-type]
    if cells.empty:
        raise UsageError(
            f"release {release_id} has no suppression pattern (it was made before disclosure "
            "control): there is nothing to audit; make a new release of its period"
        ).naming(release=release_id)
    return cells


def audit_release(
    store: Store,
    units: int,
    release_id: str,
    *,
    user: str | None = None,
    now: dt.datetime | None = None,
) -> Audited:
    """Run the release gate again on `release_id`'s stored pattern and record the run (and an
    audit event). Nothing is raised for a failing gate: `Audited.refusal` is."""
    import dataclasses

    from digex.disclosure.audit import audit
    from digex.disclosure.cube import build_cube, cube_periods, pattern_from_cells
    from digex.disclosure.parameters import parameters_from_json
    from digex.disclosure.protect import published_tables
    from digex.profile import profile_from_text
    from digex.store import audit as log
    from digex.store import disclosure, releases, vintage
    from digex.store.users import current_user

    with store.snapshot() as snap:
        con = snap.con
        sources = vintage.vintage_sources(con, release_id, units)  # UnknownRelease if none
        cells = _require_pattern(con, release_id)
        inputs = releases.inputs(con, release_id)
        meta = releases.metadata(con, release_id)
        assert meta is not None
        profile = dataclasses.replace(
            profile_from_text(
                inputs["profile.toml"], source="", where=f"frozen with release {release_id}"
            ),
            minor_units=units,
        )
        parameters = parameters_from_json(inputs["disclosure.json"])
        # the stored labels of other periods are the earlier releases' cells the pattern was
        # made with: the same system, from the stored pattern alone
        cube = build_cube(
            sources,
            published_tables(profile),
            cube_periods(str(meta["period"])),
            groups=parameters.groups,
            carried=cells,
        )
    pattern = pattern_from_cells(cube, cells)
    report = audit(cube, pattern)
    at = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(tzinfo=None)
    who = user or current_user()
    from digex.releases.create import failures_report

    with store.write() as con:
        summary = report.summary()
        disclosure.record_gate(
            con,
            release_id,
            at=at,
            by=who,
            passed=report.passed,
            summary=summary,
            report=failures_report(report),
            lps=report.lps,
            seconds=report.seconds,
        )
        log.record(
            con,
            log.Event(
                action=AUDIT_ACTION,
                subject=release_id,
                by=who,
                at=at,
                details={"passed": report.passed, "gate": summary},
            ),
        )
    from digex.web.index import refresh

    refresh(store)  # the latest run decides whether the web service serves the release
    return Audited(release_id, report, cells)


def add_override(
    store: Store,
    label: dict[str, str],
    action: str,
    reason: str,
    *,
    user: str | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Record an override of one label (`LABEL_KEY` fields) after review: `action` suppress
    (force it suppressed) or publish (a primary cell judged safe); `reason` is required.
    Every release made afterwards follows it; returns its id."""
    from digex.indicators.periods import parse_period
    from digex.indicators.tables import FREQS
    from digex.store import audit as log
    from digex.store import disclosure
    from digex.store.users import current_user

    if action not in disclosure.ACTIONS:
        raise UsageError(f"action={action}: an override is suppress or publish").naming(
            action=action
        )
    why = reason.strip()
    if not why:
        raise UsageError(
            "`reason` is required: say why the cell is suppressed or published (it is kept "
            "with the override and in the audit log)"
        ).naming("reason")
    freq, measure = label["freq"], label["measure"]
    if freq not in FREQS:
        raise UsageError(f"freq={freq}: use one of {', '.join(FREQS)}").naming(freq=freq)
    if measure not in ("LEVEL", "YTD_LEVEL"):
        raise UsageError(f"measure={measure}: use LEVEL or YTD_LEVEL").naming(measure=measure)
    if parse_period(label["period"]).freq != freq:
        raise UsageError(f"period={label['period']} is not a period of frequency {freq}").naming(
            period=label["period"]
        )
    at = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(tzinfo=None)
    who = user or current_user()
    override = disclosure.Override(
        flow=label["flow"],
        freq=freq,
        period=label["period"],
        cut=label["cut"],
        member=label["member"],
        measure=measure,
        action=action,
        reason=why,
    )
    with store.write() as con:
        number = disclosure.add_override(con, override, at=at, by=who)
        log.record(
            con,
            log.Event(
                action=OVERRIDE_ACTION,
                subject=str(number),
                by=who,
                at=at,
                reason=why,
                details={"action": action, **{k: label[k] for k in disclosure.LABEL_COLUMNS}},
            ),
        )
    return number


def loss(store: Store, release_id: str) -> pd.DataFrame:
    """The information-loss report of a release's stored pattern, by table (internal: it
    sums suppressed values)."""
    from digex.disclosure.loss import information_loss
    from digex.releases.diff import unknown_release
    from digex.store import releases

    with store.reading() as con:
        if releases.metadata(con, release_id) is None:
            raise unknown_release(con, release_id)
        cells = _require_pattern(con, release_id)
    return information_loss(cells)
