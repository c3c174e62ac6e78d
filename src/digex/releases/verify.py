"""Verifying a release: its rows are those it was made with, and they are what its inputs give.

Three checks, each reported whatever the others found:

1. **hash**: the sha256 of the release's rows as they are now equals the one recorded when it
   was made (`digex.store.releases.content_hash`). Any change to one of its rows made with SQL
   is seen here.
2. **recomputed**: every observation computed again from the frozen inputs is identical to
   the one released: the engine reads the store as the release saw it (its loads and
   conversions, `digex.store.vintage`: history is append-only, so later loads, replacements,
   withdrawals and rates corrections do not matter), with the profile frozen with the release,
   through the function that made its rows (`digex.releases.content.observations`, with the
   release's period and status). Identical means the same keys, the value exactly equal (or
   both missing), the same unit, unit multiplier, OBS_STATUS and completeness, and, for a
   release made under disclosure control, the same CONF_STATUS: protection is run again with
   the parameters and overrides frozen with it (`disclosure.json`, `overrides.json`) and the
   labels of the releases made before it, as they were. A release whose
   rows and hash were both rewritten passes the first check and fails this one. Every value
   is compared bit for bit, with no allowance: the engine computes each figure from exact
   integer (or DECIMAL) sums divided once, so the same rows give the same bits whatever the
   order the engine's threads add them in.
3. **snapshot**: the snapshot file beside the store, if there is one, gives the hash of the
   release's public view recorded when it was made (the snapshot holds only that view;
   `digex.store.releases.recorded_public_hash`: for a release made before disclosure
   control, its content hash) (skipped, not failed, when there is none: it can be written
   again from the store).

The recomputation reads the indicator registry and the code lists (the correspondences of
the EBOPS and region cuts) frozen with the release, not the installed ones: a later digex may
define an indicator otherwise, or move a country to another region, without a release made
before being any less what its inputs give. They are handed down the compute path
(`digex.indicators.service.compute`'s `definitions`, the engine sources' `mappings`); nothing
installed is swapped. A frozen copy that differs from the installed one is noted. A frozen
copy that cannot be read (written by a digex whose format this one does not know), or with
which this digex cannot compute, leaves the recomputation to the installed copy: a difference
may then come from the definitions rather than from a row, so a recomputation that found
differences is marked skipped, not failed (the hash still checks the rows). A release without
these copies (made before they were frozen) is recomputed with the installed ones.

A failure says what it means, check by check: the hash, that the rows changed since the
release was made; the recomputation, that its figures are not what its frozen inputs give;
the snapshot, that the file differs from the store (whose rows may well be intact).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

from digex.errors import ChecksFailed, ProfileError, RegistryError

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

    from digex.disclosure.parameters import Parameters
    from digex.indicators.cuts import Mappings
    from digex.indicators.engine import Sources
    from digex.indicators.registry import Registry
    from digex.profile import CountryProfile
    from digex.store import Store

SHOWN: Final = 20
"""Differences listed by default (all are counted)."""

KEY_FIELDS: Final = ("indicator", "freq", "period", "cut", "member", "flow")


@dataclass(frozen=True)
class Check:
    """One check's outcome: `passed` is None when it could not run (no snapshot file)."""

    name: str
    passed: bool | None
    detail: str


@dataclass(frozen=True)
class Difference:
    """An observation the recomputation does not give as released."""

    key: tuple[str, ...]
    """indicator, freq, period, cut, member, flow."""
    kind: str
    """The field that differs (value, unit, unit_mult, obs_status, completeness), or
    'only in the release' / 'only recomputed' for a key one side lacks."""
    released: str | None
    recomputed: str | None


@dataclass(frozen=True)
class Verification:
    """What `verify` found. `identical` is the answer; the rest says why not."""

    release_id: str
    checks: tuple[Check, ...]
    differences: tuple[Difference, ...]
    """The first differences in key order (`counts` has them all)."""
    counts: Mapping[str, int]
    """Differences by kind."""
    notes: tuple[str, ...] = ()

    @property
    def identical(self) -> bool:
        return all(check.passed is not False for check in self.checks)

    def raise_if_failed(self) -> None:
        """`ChecksFailed` (exit code 3) naming the checks that failed, what each failure
        means and what to do about it."""
        if self.identical:
            return
        failed = [c.name for c in self.checks if c.passed is False]
        meanings = "; ".join(FAILURES.get(name, f"{name} failed") for name in failed)
        if set(failed) <= {"snapshot"}:
            advice = (
                f"the store's rows passed: set the snapshot file aside and write it again "
                f"with `digex release snapshot {self.release_id}`"
            )
        else:
            advice = "restore the store from a backup, and find who changed it outside digex"
        raise ChecksFailed(
            f"release {self.release_id} failed verification ({', '.join(failed)}): "
            f"{meanings}; {advice}"
        )


FAILURES: Final = {
    "hash": "its rows changed since it was made (they no longer give the sha256 recorded then)",
    "recomputed": (
        "its figures are not what its frozen inputs give (its rows, or the loads and "
        "declarations it was computed from, were changed)"
    ),
    "snapshot": "its snapshot file differs from the store (the store may be fine)",
}
"""What the failure of each check means, as `raise_if_failed` says it."""


def _frozen_profile(inputs: Mapping[str, str], release_id: str, units: int) -> CountryProfile:
    """The profile frozen with the release, read with the store's minor units (its values
    are integers in them)."""
    from digex.profile import profile_from_text

    profile = profile_from_text(
        inputs["profile.toml"], source="", where=f"frozen with release {release_id}"
    )
    return dataclasses.replace(profile, minor_units=units)


@dataclass(frozen=True)
class Definitions:
    """What the recomputation defines its figures with, from the release's frozen copies:
    `registry` and `mappings` None where the installed ones are used instead; `unreadable`
    the frozen copies (name, what they are, why) that could not be used."""

    registry: Registry | None = None
    mappings: Mappings | None = None
    unreadable: tuple[tuple[str, str, str], ...] = ()


_READ_ERRORS: Final = (RegistryError, KeyError, TypeError, ValueError, AttributeError)
"""What reading a frozen copy in a format this digex does not know can raise."""


def frozen_definitions(inputs: Mapping[str, str], release_id: str) -> Definitions:
    """The registry and code list correspondences frozen with release `release_id`."""
    from digex.indicators.cuts import mappings_from_codelists
    from digex.indicators.registry import registry_from_text
    from digex.releases.content import frozen_codelists

    found = Definitions()
    unreadable: list[tuple[str, str, str]] = []
    if "registry.toml" in inputs:
        where = f"the registry.toml frozen with release {release_id}"
        try:
            found = dataclasses.replace(
                found, registry=registry_from_text(inputs["registry.toml"], where)
            )
        except _READ_ERRORS as e:
            unreadable.append(("registry.toml", "indicator registry", _reason(e)))
    if "codelists.json" in inputs:
        try:
            lists = frozen_codelists(inputs["codelists.json"])
            found = dataclasses.replace(found, mappings=mappings_from_codelists(lists))
        except _READ_ERRORS as e:
            unreadable.append(("codelists.json", "code lists", _reason(e)))
    return dataclasses.replace(found, unreadable=tuple(unreadable))


def _reason(e: BaseException) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


def _notes(
    inputs: Mapping[str, str],
    profile: CountryProfile,
    version: object,
    unreadable: tuple[tuple[str, str, str], ...] = (),
) -> list[str]:
    """What differs between the inputs frozen and those installed, and which the
    recomputation used."""
    import digex
    from digex.releases import content

    installed = content.frozen_inputs(profile)
    cannot = {name: why for name, _, why in unreadable}
    notes = []
    for name, what in (("codelists.json", "code lists"), ("registry.toml", "indicator registry")):
        if name not in inputs or inputs[name] == installed[name]:
            continue
        if name in cannot:
            notes.append(
                f"the {what} frozen with the release ({name}) cannot be used ({cannot[name]}); "
                "the recomputation used the installed ones, so a difference may come from "
                "them rather than from a changed row"
            )
        else:
            notes.append(
                f"the {what} installed differ from those frozen with the release ({name}); "
                "the recomputation used the frozen ones"
            )
    if str(version) != digex.__version__:
        notes.append(
            f"the release was made by digex {version}, the recomputation by {digex.__version__}"
        )
    return notes


def _unless_other_definitions(check: Check, unreadable: tuple[tuple[str, str, str], ...]) -> Check:
    """A failed recomputation marked skipped when it had to use installed definitions for
    frozen copies it could not use: its differences may come from them, so it says nothing
    about the rows."""
    if check.passed is not False or not unreadable:
        return check
    names = " and the ".join(f"{what} ({name})" for name, what, _ in unreadable)
    cannot = "cannot be used" if len(unreadable) == 1 else "cannot be used either"
    why = "; ".join(f"{name}: {reason}" for name, _, reason in unreadable)
    return Check(
        check.name,
        None,
        f"the frozen {names} {cannot} ({why}), so the recomputation used the installed "
        f"ones (with them: {check.detail}); verify with the digex version that made the release",
    )


def _hash_check(stored: str, actual: str) -> Check:
    if stored == actual:
        return Check("hash", True, f"the rows give the recorded sha256 {stored}")
    return Check(
        "hash", False, f"the rows give sha256 {actual}, the release recorded {stored}: changed"
    )


def _recomputed_check(counts: Mapping[str, int], total: int) -> Check:
    if not counts:
        return Check("recomputed", True, f"all {total:,} observations recomputed identically")
    shown = ", ".join(f"{n:,} {kind}" for kind, n in sorted(counts.items()))
    return Check("recomputed", False, f"the frozen inputs give other figures: {shown}")


def _snapshot_check(path: Path, release_id: str, stored: str) -> Check:
    """The snapshot file's hash against `stored`, the hash of the public view its rows must
    give."""
    import duckdb

    from digex.releases.snapshot import open_snapshot
    from digex.store import releases

    if not path.is_file():
        return Check(
            "snapshot", None, f"no snapshot file at {path} (`digex release snapshot` writes it)"
        )
    try:
        con = open_snapshot(path)
        try:
            actual = releases.content_hash(con, release_id)
        finally:
            con.close()
    except duckdb.Error as e:  # not a DuckDB file any more, or without the release tables
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        return Check("snapshot", False, f"{path} cannot be read as a snapshot ({first})")
    if actual == stored:
        return Check("snapshot", True, f"{path} gives the recorded sha256")
    return Check("snapshot", False, f"{path} gives sha256 {actual}, not the recorded one")


def verify(store: Store, units: int, release_id: str, *, shown: int = SHOWN) -> Verification:
    """Run the three checks on `release_id` of `store` (whose values are in `units` minor
    units); `UnknownRelease` when it holds no such release."""
    import pyarrow as pa

    from digex.releases.snapshot import snapshot_path
    from digex.store import disclosure, releases, vintage

    with store.snapshot() as snap:
        con = snap.con
        sources = vintage.vintage_sources(con, release_id, units)  # UnknownRelease if none
        meta = releases.metadata(con, release_id)
        assert meta is not None
        stored = str(meta["content_hash"])
        actual = releases.content_hash(con, release_id)
        public = releases.recorded_public_hash(con, release_id) or stored
        inputs = releases.inputs(con, release_id)
        created = meta["created_at"]
        assert isinstance(created, dt.datetime)
        protection = _protection_inputs(con, inputs, created)
        profile: CountryProfile | None = None
        definitions = Definitions()
        counts: dict[str, int] = {}
        first: list[tuple[str | None, ...]] = []
        try:
            frozen = _frozen_profile(inputs, release_id, units)
        except (KeyError, ProfileError) as e:  # its inputs were changed: nothing to compute with
            reason = "no profile.toml" if isinstance(e, KeyError) else str(e)
            recomputed = Check(
                "recomputed", False, f"the release's frozen profile cannot be read ({reason})"
            )
        else:
            profile = frozen
            definitions = frozen_definitions(inputs, release_id)
            period, status = str(meta["period"]), str(meta["status"])
            try:
                frame = _recompute(sources, frozen, period, status, definitions, protection)
            except _READ_ERRORS as e:  # frozen definitions this engine cannot compute with
                if definitions.registry is None and definitions.mappings is None:
                    raise
                definitions = _installed_instead(definitions, e)
                frame = _recompute(sources, frozen, period, status, definitions, protection)
            con.register("release_recomputed", pa.Table.from_pandas(frame, preserve_index=False))
            try:
                found = vintage.compare(con, release_id, "release_recomputed", shown)
                counts, first = dict(found.counts), list(found.first)
                if protection is not None:
                    n, differ = disclosure.status_differences(
                        con, release_id, "release_recomputed", shown
                    )
                    if n:
                        counts[disclosure.STATUS_DIFFERS] = n
                        first = sorted([*first, *differ], key=_order)[:shown]
            finally:
                con.unregister("release_recomputed")
            recomputed = _recomputed_check(counts, len(frame))
        # protection keeps the engine in reference cycles: its temporary tables are dropped
        # (by Ibis, when collected) here, while the snapshot's cursor is open
        gc.collect()
    checks = (
        _hash_check(stored, actual),
        _unless_other_definitions(recomputed, definitions.unreadable),
        _snapshot_check(snapshot_path(store.path, release_id), release_id, public),
    )
    differences = tuple(
        Difference(tuple(str(v) for v in row[:6]), str(row[6]), row[7], row[8]) for row in first
    )
    notes = (
        []
        if profile is None
        else _notes(inputs, profile, meta["digex_version"], definitions.unreadable)
    )
    return Verification(release_id, checks, differences, counts, tuple(notes))


@dataclass(frozen=True)
class _Protection:
    """What a release's protection is recomputed with: its frozen parameters and overrides,
    and the labels of the releases made before it."""

    parameters: Parameters
    earlier: pd.DataFrame
    overrides: pd.DataFrame


def _protection_inputs(
    con: duckdb.DuckDBPyConnection, inputs: Mapping[str, str], created_at: dt.datetime
) -> _Protection | None:
    """None for a release made before disclosure control (no frozen parameters)."""
    if "disclosure.json" not in inputs:
        return None
    from digex.disclosure.parameters import parameters_from_json
    from digex.releases.create import earlier_labels, overrides_from_json

    return _Protection(
        parameters_from_json(inputs["disclosure.json"]),
        earlier_labels(con, created_at),
        overrides_from_json(inputs.get("overrides.json", "[]")),
    )


def _order(row: tuple[str | None, ...]) -> tuple[str, ...]:
    return tuple(v or "" for v in row[:7])


def _recompute(
    sources: Sources,
    profile: CountryProfile,
    period: str,
    status: str,
    definitions: Definitions,
    protection: _Protection | None = None,
) -> pd.DataFrame:
    """The release's observations computed again with `definitions` (installed where None),
    and protected again as it was when `protection` is given."""
    from digex.indicators.engine import Engine
    from digex.releases import content

    engine = Engine(dataclasses.replace(sources, mappings=definitions.mappings))
    frame = content.observations(engine, profile, period, status, definitions.registry)
    if protection is None:
        return frame
    from digex.disclosure.protect import protect

    return protect(
        engine,
        profile,
        period,
        frame,
        parameters=protection.parameters,
        earlier=protection.earlier,
        overrides=protection.overrides,
        definitions=definitions.registry,
    ).observations


def _installed_instead(definitions: Definitions, error: BaseException) -> Definitions:
    """`definitions` without the frozen ones the engine failed with, which are then noted
    as unusable."""
    used = [
        ("registry.toml", "indicator registry") if definitions.registry is not None else None,
        ("codelists.json", "code lists") if definitions.mappings is not None else None,
    ]
    failed = tuple(
        (name, what, f"this digex cannot compute with it: {_reason(error)}")
        for name, what in (u for u in used if u is not None)
    )
    return Definitions(None, None, definitions.unreadable + failed)
