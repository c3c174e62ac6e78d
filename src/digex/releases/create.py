"""Creating a release: checked, computed and written on one state of the store, then its
snapshot file.

The release is computed on a snapshot of the store (`Store.snapshot`: one consistent state,
no lock held), so loads are not kept waiting for the minute a large release may take. Then, in
the writer's transaction, the store's state is compared with the one computed on (the loads and
withdrawals, the newest load and conversion): the same, and the loads the release records
(`active_loads`, read by `digex.store.releases.insert` in that transaction) are exactly those
its figures were computed from; changed (a load committed meanwhile), the release is computed
again on the new state, once, and refused (`ReleaseRefused`) if the state moved again. The
audit event is written in the same transaction. The snapshot file is written after the commit,
from the committed rows; if it cannot be, the release stays (the store is the record) and
`digex release snapshot ID` writes the file later.

What is refused, and what is only said (`ReleaseInfo.warnings`):

- refused before any work (`UsageError`, exit 2): a period that is not a label, a status other
  than preliminary, revised or final, a publication time (embargo) before the creation time, a
  `revised` release of a period with no earlier release, a `preliminary` one after a revised
  or final release of the period (a period's statuses only move forward), and any release of a
  period that has a final one (final is the last word: `final` twice included);
- refused on the data (`ReleaseRefused`, exit 1): a period with no declarations at all, and a
  period not yet complete (its last month is after the newest month loaded: its levels would
  be partial sums);
- refused by disclosure control (`GateFailed`, exit 3): the release gate (the independent LP
  audit, `digex.disclosure.audit`) finds a cell that the suppression pattern does not
  protect; nothing is written, and the message (internal: it names cells and values, for the
  statistician's terminal) says which cells and what to do;
- said, not refused: months inside the period without data (the observations say
  `incomplete_period`, as the indicators do), and a release computed from exactly the loads of
  the period's previous release (its figures are the same; a re-release may still be wanted,
  e.g. to change the status).

Disclosure control runs on the computed observations (`digex.disclosure.protect.protect`),
with the parameters of `$DIGEX_DISCLOSURE` (or the file given, or the documented defaults),
every earlier release's pattern (published stays published, suppressed stays suppressed) and
the overrides recorded. The release stores the true values with each row's internal
CONF_STATUS, the pattern (`release_cells`), the gate's run (`release_gates`) and the
parameters (`disclosure.json`, an internal input); its snapshot file holds the public view.
"""

from __future__ import annotations

import datetime as dt
import gc
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Final

from digex.errors import DigexError, GateFailed, ReleaseRefused, UsageError
from digex.indicators.periods import MONTHS, Period, parse_period
from digex.releases.content import STATUSES

if TYPE_CHECKING:
    from collections.abc import Callable

    import duckdb
    import pandas as pd

    from digex.disclosure.audit import GateReport
    from digex.disclosure.parameters import Parameters
    from digex.disclosure.protect import Protection
    from digex.profile import CountryProfile
    from digex.releases.estimates import Estimates
    from digex.store import Store

RELEASE_ACTION = "release"
"""The audit log's action for a period's first release; later vintages are `REVISION_ACTION`."""
REVISION_ACTION = "revision"


@dataclass(frozen=True)
class ReleaseInfo:
    """What creating a release made."""

    release_id: str
    period: str
    vintage: int
    status: str
    created_at: dt.datetime
    published_at: dt.datetime
    observations: int
    loads: int
    content_hash: str
    snapshot: Path | None
    """The snapshot file, or None when it could not be written (`snapshot_error` says why)."""
    snapshot_error: str | None = None
    warnings: tuple[str, ...] = field(default=())
    gate: dict[str, int] = field(default_factory=dict)
    """The release gate's public summary (counts only: cells, suppressed, audited, failed,
    lps)."""
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds spent computing the observations (`observations`, before disclosure control),
    by disclosure control's steps (`DISCLOSURE_STEPS`), by the estimates (`estimates`:
    seasonal adjustment and nowcast) and storing the release with its snapshot (`write`)."""
    estimates: int = 0
    """Rows of estimates frozen with it (`digex.releases.estimates`)."""

    @property
    def embargoed(self) -> bool:
        return self.published_at > self.created_at


def utc(moment: dt.datetime) -> dt.datetime:
    """A time as the store keeps it: naive, in UTC (a naive time is taken to be UTC)."""
    if moment.utcoffset() is None:
        return moment.replace(tzinfo=None)
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def check_request(
    period: str, status: str, publish_at: dt.datetime | None, now: dt.datetime
) -> Period:
    """The refusals that need no store: returns the period parsed."""
    parsed = parse_period(period)
    if status not in STATUSES:
        raise UsageError(
            f"status={status}: a release's status is one of {', '.join(STATUSES)} "
            "(preliminary first, revised after late or corrected data, final once nothing "
            "will change)"
        ).naming(status=status)
    if publish_at is not None and utc(publish_at) < utc(now):
        raise UsageError(
            f"publish_at={publish_at.isoformat()}: the publication time is before the release "
            f"is made ({utc(now).isoformat(timespec='seconds')} UTC); give a later time for an "
            "embargo, or none to publish at once"
        ).naming(publish_at=publish_at.isoformat())
    return parsed


def check_sequence(period: str, status: str, earlier: list[tuple[str, int, str]]) -> None:
    """The refusals by the period's earlier releases (id, vintage, status, oldest first)."""
    statuses = [s for _, _, s in earlier]
    if "final" in statuses:
        final = next(rid for rid, _, s in earlier if s == "final")
        raise UsageError(
            f"period {period} has a final release ({final}): a final release is the last of "
            "its period; record a change of its figures as a series break or a new period"
        )
    if status == "revised" and not earlier:
        raise UsageError(
            f"period {period} has no release yet: its first release is preliminary "
            "(or final); revised is for a later vintage"
        )
    if status == "preliminary" and "revised" in statuses:
        raise UsageError(
            f"period {period} already has a revised release ({earlier[-1][0]}): a later "
            "vintage is revised or final, not preliminary"
        )


def check_data(con: duckdb.DuckDBPyConnection, period: Period) -> list[str]:
    """Refuse a period without data or not yet complete; the warnings on its data."""
    from digex.store import queries, releases

    span = queries.period_range(con)
    first = dt.date(period.year, period.first_month, 1)
    last = dt.date(period.year, period.last_month, 1)
    if span is None or span[0] > last or span[1] < first:
        held = (
            "no declarations"
            if span is None
            else f"declarations of {span[0]:%Y-%m} to {span[1]:%Y-%m}"
        )
        raise ReleaseRefused(
            f"period {period.label} has no declarations (the store holds {held}); load its "
            "files first"
        )
    if span[1] < last:
        raise ReleaseRefused(
            f"period {period.label} is not complete: the newest month loaded is "
            f"{span[1]:%Y-%m}, the period ends in {last:%Y-%m}; load its last months first"
        )
    months = releases.months_with_data(con, first, last)
    missing = MONTHS[period.freq] - months
    if missing:
        return [
            f"{missing} month(s) of {period.label} have no declarations: its observations are "
            "marked incomplete_period"
        ]
    return []


ATTEMPTS: Final = 2
"""Computations of a release before giving up on loads that keep committing meanwhile."""


@dataclass(frozen=True)
class _Computed:
    """A release's protected observations and the warnings on its data, the overrides its
    pattern followed, and the store state (see `_state`) they were computed on."""

    state: tuple[object, ...]
    protection: Protection
    warnings: tuple[str, ...]
    overrides: pd.DataFrame
    estimates: Estimates
    seconds: float = 0.0
    """Computing the observations (before disclosure control)."""

    @property
    def frame(self) -> pd.DataFrame:
        return self.protection.observations


def _state(con: duckdb.DuckDBPyConnection) -> tuple[object, ...]:
    """What a release's figures, recorded loads and pattern depend on: the loads and
    withdrawals (`queries.content`), the newest load and conversion (a rates correction),
    and the releases and overrides a pattern must keep to."""
    from digex.store import disclosure, queries, releases

    return (*queries.content(con), *releases.state(con), *disclosure.pattern_state(con))


def earlier_labels(
    con: duckdb.DuckDBPyConnection, before: dt.datetime | None = None
) -> pd.DataFrame:
    """Every label of the releases made before `before` (all for None) with its
    CONF_STATUS: published stays published, suppressed stays suppressed."""
    from digex.store import disclosure

    earlier: pd.DataFrame = disclosure.earlier_labels(con, before).to_pandas()
    kept: pd.DataFrame = earlier[[*disclosure.LABEL_COLUMNS, "conf_status"]]
    return kept.reset_index(drop=True)


def earlier_and_overrides(con: duckdb.DuckDBPyConnection) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What a new pattern must keep to: every earlier release's labels (`earlier_labels`),
    and the overrides in force (the latest per label)."""
    from digex.store import disclosure

    made = disclosure.overrides(con).to_pandas()
    latest = made.drop_duplicates(list(disclosure.LABEL_COLUMNS), keep="last")
    overrides = latest[[*disclosure.LABEL_COLUMNS, "action", "reason"]].reset_index(drop=True)
    return earlier_labels(con), overrides


def overrides_json(overrides: pd.DataFrame) -> str:
    """The overrides a pattern followed, frozen with the release (`overrides.json`) so that
    `release verify` protects the recomputation with the same ones."""
    import json

    records = [{str(k): str(v) for k, v in row.items()} for row in overrides.to_dict("records")]
    return json.dumps(records, ensure_ascii=False, indent=1, sort_keys=True)


def overrides_from_json(text: str) -> pd.DataFrame:
    import json

    import pandas as pd

    from digex.store import disclosure

    columns = [*disclosure.LABEL_COLUMNS, "action", "reason"]
    frame = pd.DataFrame(json.loads(text), columns=columns)
    return frame


def _compute(
    store: Store,
    profile: CountryProfile,
    period: Period,
    status: str,
    parameters: Parameters,
    tell: Callable[[str], None],
) -> _Computed:
    """The release's observations, computed and protected on a snapshot of the store: no
    lock is held, so loads go on meanwhile (the caller checks that none committed before
    writing)."""
    from digex.disclosure.protect import protect
    from digex.indicators.engine import Engine
    from digex.releases import content
    from digex.releases.estimates import estimate
    from digex.store import releases

    with store.snapshot() as snap:
        con = snap.con
        # refused early on what the snapshot shows (checked again when writing)
        check_sequence(period.label, status, releases.of_period(con, period.label))
        warnings = check_data(con, period)
        state = _state(con)
        earlier, overrides = earlier_and_overrides(con)
        engine = Engine(snap.sources(profile.minor_units))
        began = time.perf_counter()
        tell("computing every indicator")
        frame = content.observations(engine, profile, period.label, status)
        seconds = time.perf_counter() - began
        protection = protect(
            engine,
            profile,
            period.label,
            frame,
            parameters=parameters,
            earlier=earlier,
            overrides=overrides,
            progress=tell,
        )
        tell("seasonal adjustment and nowcast")
        # on the same state, of the series the protected release publishes (see
        # `digex.releases.estimates`), with the specs fixed for the year
        estimates = estimate(
            engine,
            profile,
            period,
            protection.observations,
            earlier,
            releases.seasonal_specs(con, period.year),
        )
        # the engine's temporary tables are dropped by Ibis when their expressions are
        # collected: here, while the snapshot's cursor is open, not later from any thread
        del engine
        gc.collect()
    return _Computed(state, protection, tuple(warnings), overrides, estimates, seconds)


def refusal(period: str, protection: Protection) -> GateFailed:
    """The refusal of a release whose pattern the gate does not prove: which cells (their
    labels, values and the interval an attacker can prove), and what to do. Internal: it is
    printed on the statistician's terminal only."""
    cells = protection.cells
    failures = protection.gate.failures()
    named = []
    for audit in failures[:SHOWN_FAILURES]:
        labels = cells.loc[cells["cell"] == audit.cell]
        names = [
            "/".join(str(row[k]) for k in ("flow", "freq", "period", "cut", "member"))
            + f" {row['measure']}"
            for row in labels.to_dict("records")
        ]
        label = " = ".join(names) if names else f"cell {audit.cell}"
        why = audit.problem or "interval too narrow"
        named.append(
            f"{label} ({audit.role}, value {audit.value:,.2f}: provable "
            f"[{audit.low:,.2f}, {audit.high:,.2f}], needed [{audit.needed_low:,.2f}, "
            f"{audit.needed_high:,.2f}]; {why})"
        )
    more = len(failures) - len(named)
    return GateFailed(
        f"release of {period} not made: the release gate found {len(failures)} cell(s) the "
        f"suppression pattern does not protect: {'; '.join(named)}"
        + (f"; and {more} more" if more > 0 else "")
        + ". Nothing was written. Suppress a cell that shields them "
        "(`digex disclosure override add ... --suppress --reason ...`), or publish the "
        "table on a coarser grid (the profile's [[table]] `coarser`), then create the "
        "release again"
    )


DISCLOSURE_STEPS: Final = ("cube", "rules", "suppress", "gate", "apply")
"""Disclosure control's steps in `ReleaseInfo.timings`."""
SHOWN_FAILURES: Final = 10
"""Failing cells a refusal names (all are counted)."""


def create(
    store: Store,
    profile: CountryProfile,
    period: str,
    status: str,
    *,
    note: str | None = None,
    publish_at: dt.datetime | None = None,
    user: str | None = None,
    now: dt.datetime | None = None,
    disclosure: str | Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> ReleaseInfo:
    """Create a release of `period` with `status` (see the module's docstring). `disclosure`
    names the disclosure parameters' file (default `$DIGEX_DISCLOSURE`, else the documented
    defaults); `progress` is told each step as it starts."""
    tell = progress or (lambda _: None)
    from digex.disclosure.parameters import load_parameters
    from digex.releases.snapshot import write_snapshot
    from digex.store.users import current_user
    from digex.web.index import refresh as refresh_index

    made_at = utc(now or dt.datetime.now(dt.UTC))
    parsed = check_request(period, status, publish_at, made_at)
    parameters = load_parameters(disclosure)
    published = made_at if publish_at is None else utc(publish_at)
    who = user or current_user()
    written: tuple[str, int, int, str] | None = None
    for _ in range(ATTEMPTS):
        computed = _compute(store, profile, parsed, status, parameters, tell)
        if not computed.protection.gate.passed:
            raise refusal(parsed.label, computed.protection)
        warnings = list(computed.warnings)
        began = time.perf_counter()
        tell("storing it and its snapshot")
        with store.write() as con:
            if _state(con) == computed.state:
                written = _write(
                    con,
                    profile,
                    parsed,
                    status,
                    computed.protection,
                    computed.estimates,
                    parameters,
                    computed.overrides,
                    warnings,
                    note,
                    made_at,
                    published,
                    who,
                )
        if written is not None:
            break
    if written is None:
        raise ReleaseRefused(
            f"release of {parsed.label} not made: loads, withdrawals or rates corrections were "
            f"committed while its figures were being computed ({ATTEMPTS} times); create it "
            "again when the loads are done"
        )
    rid, vintage, loads, digest = written
    path: Path | None
    error: str | None = None
    try:
        path = write_snapshot(store, rid, index=False)
    except (OSError, DigexError) as e:
        path, error = None, f"{e}; write it with `digex release snapshot {rid}`"
    problem = refresh_index(store, warn=False)  # what the web service may serve
    if problem is not None:
        warnings.append(problem)
    stored = time.perf_counter() - began
    return ReleaseInfo(
        release_id=rid,
        period=parsed.label,
        vintage=vintage,
        status=status,
        created_at=made_at,
        published_at=published,
        observations=len(computed.frame),
        loads=loads,
        content_hash=digest,
        snapshot=path,
        snapshot_error=error,
        warnings=tuple(warnings),
        gate=dict(computed.protection.gate.summary()),
        timings={
            "observations": computed.seconds,
            **computed.protection.timings,
            "estimates": computed.estimates.seconds,
            "write": stored,
        },
        estimates=len(computed.estimates.frame),
    )


def _write(
    con: duckdb.DuckDBPyConnection,
    profile: CountryProfile,
    parsed: Period,
    status: str,
    protection: Protection,
    estimates: Estimates,
    parameters: Parameters,
    overrides: pd.DataFrame,
    warnings: list[str],
    note: str | None,
    made_at: dt.datetime,
    published: dt.datetime,
    who: str,
) -> tuple[str, int, int, str]:
    """Write the release computed on the store's present state, in the writer's transaction
    `con`, with its pattern, its gate run and its audit event: (release id, vintage, loads
    recorded, content hash)."""
    import pyarrow as pa

    import digex
    from digex.codelists import codelists_version
    from digex.disclosure.parameters import parameters_json
    from digex.releases import content
    from digex.releases.estimates import INPUT_NAME
    from digex.store import audit, disclosure, releases

    label = parsed.label
    earlier = releases.of_period(con, label)
    check_sequence(label, status, earlier)  # a release of the period made meanwhile
    if earlier and releases.same_loads(con, earlier[-1][0]):
        warnings.append(
            f"no load changed since {earlier[-1][0]}: this release's figures are the same"
        )
    vintage = releases.next_vintage(con, label)
    rid = f"{label}.{vintage}"
    last_load, last_conversion = releases.state(con)
    release = releases.Release(
        release_id=rid,
        period=label,
        freq=parsed.freq,
        vintage=vintage,
        status=status,
        note=note,
        created_at=made_at,
        created_by=who,
        published_at=published,
        digex_version=digex.__version__,
        profile=profile.code,
        profile_version=profile.version,
        profile_sha256=profile.digest,
        codelists_version=codelists_version(),
        last_load_id=last_load,
        last_conversion_id=last_conversion,
    )
    inputs = {
        **content.frozen_inputs(profile),
        "disclosure.json": parameters_json(parameters),
        "overrides.json": overrides_json(overrides),
        INPUT_NAME: estimates.to_json(),
    }
    cells = protection.cells[list(disclosure.CELL_COLUMNS)]
    con.register(
        "release_new_rows", pa.Table.from_pandas(protection.observations, preserve_index=False)
    )
    con.register("release_new_cells", pa.Table.from_pandas(cells, preserve_index=False))
    con.register(
        "release_new_estimates", pa.Table.from_pandas(estimates.frame, preserve_index=False)
    )
    try:
        digest = releases.insert(
            con,
            release,
            inputs,
            "release_new_rows",
            "release_new_cells",
            "release_new_estimates",
        )
    finally:
        con.unregister("release_new_rows")
        con.unregister("release_new_cells")
        con.unregister("release_new_estimates")
    releases.insert_seasonal_specs(con, parsed.year, rid, estimates.chosen)
    gate = protection.gate
    summary = dict(gate.summary())
    disclosure.record_gate(
        con,
        rid,
        at=made_at,
        by=who,
        passed=gate.passed,
        summary=summary,
        report=failures_report(gate),
        lps=gate.lps,
        seconds=gate.seconds,
    )
    loads = releases.loads(con, rid).num_rows
    audit.record(
        con,
        audit.Event(
            action=RELEASE_ACTION if vintage == 1 else REVISION_ACTION,
            subject=rid,
            by=who,
            at=made_at,
            reason=note,
            details={
                "period": label,
                "vintage": vintage,
                "status": status,
                "content_hash": digest,
                "published_at": published.isoformat(sep=" "),
                "gate": summary,
            },
        ),
    )
    return rid, vintage, loads, digest


def failures_report(gate: GateReport) -> list[dict[str, object]]:
    """The gate's failing cells as the internal report stores them (JSON records)."""
    import dataclasses

    return [dataclasses.asdict(failure) for failure in gate.failures()]
