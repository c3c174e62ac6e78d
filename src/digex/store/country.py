"""The country profile a store records, and how a store is read with it.

A store's figures are only right with the profile its files were loaded with (the national
currency and its minor units, the firm-id rule, the targets), so the store records it in its
`meta` table, text included, and every command reads the data with that record rather than
with whatever profile is installed now. When the installed one differs (a new version, or the
same version edited), each opening says so, and only init records it: nothing changes
silently. A store holds one country's data: it takes another country's profile only while it
holds no load.

Stores made before the profile was recorded hold `loads.profile`, the code each load was made
with (always MA, unless `--profile` named another); such a store is read with that profile
without writing anything, and init records it (a note says so: the data are read as they
were, so it is not a warning). No other command writes the record, so none fails half-way
having changed it (a refused `withdraw` changed nothing else).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from digex.codelists import currency_minor_units
from digex.errors import ProfileError
from digex.profile import CountryProfile, load_profile, profile_from_text
from digex.sql import literal
from digex.store.store import Store

if TYPE_CHECKING:
    import duckdb

__all__ = ["StoreProfile", "adopt_profile", "read_profile", "record", "recorded"]

PREFIX = "profile."
"""The `meta` keys: profile.code, .version, .sha256 (of the text), .source, .toml and
.minor_units (the national currency's, as the code list gave them when recorded)."""
BEFORE = "MA"
"""The profile every command used before stores recorded theirs (an empty older store's)."""


@dataclass(frozen=True)
class StoreProfile:
    """The profile a store's data are read with, and what the caller should be told."""

    profile: CountryProfile
    change: str | None = None
    """The installed profile differs from the recorded one: what differs and what to do."""
    note: str | None = None
    """What this call recorded (a first record, or another profile in place of the old)."""


def _text(value: str) -> str:
    # a literal, not a bound parameter: binding one makes DuckDB's client import pandas
    return literal(value)


def _values(store: Store) -> dict[str, str]:
    rows = store.con.execute(
        f"SELECT key, value FROM meta WHERE starts_with(key, {_text(PREFIX)})"
    ).fetchall()
    return {str(key).removeprefix(PREFIX): str(value) for key, value in rows}


def recorded(store: Store) -> CountryProfile | None:
    """The profile the store records, or None for a store made before profiles were.

    Its minor units are the recorded ones (the store's values are integers in them), even if
    the installed currencies code list now says otherwise (`units_change` says so)."""
    values = _values(store)
    if "toml" not in values:
        return None
    where = f"recorded in the store {store.path}"
    profile = profile_from_text(values["toml"], source=values.get("source", ""), where=where)
    units = values.get("minor_units")
    if units is not None and int(units) != profile.minor_units:
        return replace(profile, minor_units=int(units))
    return profile


def units_change(store: Store, profile: CountryProfile) -> str | None:
    """What differs when the installed code list gives the national currency other minor
    units than the store recorded (its values keep being read with the recorded ones)."""
    listed = currency_minor_units().get(profile.national_currency)
    if listed is None or listed == profile.minor_units:
        return None
    return (
        f"the store {store.path} records {profile.national_currency} with "
        f"{profile.minor_units} decimals, the installed currencies code list gives {listed}: "
        f"its values are still read with {profile.minor_units}; a store keeps the minor units "
        "its values were stored in (load them into a new store to change them)"
    )


def record(store: Store, profile: CountryProfile) -> None:
    """Record `profile` as the store's (in one transaction, replacing any earlier record)."""
    with store.write() as con:
        record_on(con, profile)


def record_on(con: duckdb.DuckDBPyConnection, profile: CountryProfile) -> None:
    """Record `profile` inside the caller's transaction `con` (a new store's creation:
    `Store.create(first=...)`, so that `init` commits once)."""
    values = {
        "code": profile.code,
        "version": profile.version,
        "sha256": profile.digest,
        "source": profile.source,
        "toml": profile.text,
        "minor_units": str(profile.minor_units),
    }
    con.execute(
        "INSERT OR REPLACE INTO meta VALUES "
        + ", ".join(f"({_text(PREFIX + key)}, {_text(value)})" for key, value in values.items())
    )


def _loaded_with(store: Store) -> list[str]:
    """The profile codes the store's loads were made with (none for an empty store)."""
    rows = store.con.execute("SELECT DISTINCT profile FROM loads ORDER BY profile").fetchall()
    return [str(code) for (code,) in rows]


def _installed(current: CountryProfile, asked: CountryProfile | None) -> CountryProfile | None:
    """The profile to compare the record with: the one asked for, else the one found where
    the recorded one came from (None if it is gone: the record still serves)."""
    if asked is not None:
        return asked
    try:
        return load_profile(current.source) if current.source else None
    except ProfileError:
        return None


def _other_country(store: Store, current: CountryProfile, other: CountryProfile) -> ProfileError:
    if not _loaded_with(store):  # nothing is read wrongly yet: init may record the other
        return ProfileError(
            f"the store {store.path} records country profile {current.label}, not "
            f"{other.code} ({other.source}); it holds no load yet: record {other.code}'s "
            f"with init first (profile={other.source}), or create another store for it"
        ).naming(profile=other.source)
    return ProfileError(
        f"the store {store.path} holds data of country profile {current.label}, not "
        f"{other.code} ({other.source}); a store holds one country's data: create another "
        f"store for {other.code}"
    )


def _money(profile: CountryProfile) -> tuple[str, int]:
    """What stored values mean: their currency and its minor units (a value is an integer)."""
    return profile.national_currency, profile.minor_units


def _other_money(store: Store, current: CountryProfile, other: CountryProfile) -> ProfileError:
    was, now = _money(current), _money(other)
    return ProfileError(
        f"the store {store.path} holds values in {was[0]} ({was[1]} decimals), recorded with "
        f"profile {current.label}; {other.label} ({other.source}) counts in {now[0]} "
        f"({now[1]} decimals), which would misread every stored value: create another store "
        "for it"
    )


def _change(store: Store, current: CountryProfile, installed: CountryProfile) -> str | None:
    if installed.digest == current.digest:
        return None
    if installed.version == current.version:
        differs = f"the installed {installed.code} profile has the same version but other content"
    else:
        differs = f"the installed {installed.code} profile is version {installed.version}"
    return (
        f"the store {store.path} records country profile {current.label}; {differs}: its "
        f"data are still read with the recorded one until init records the installed one "
        f"(profile={installed.source})"
    )


def _legacy(store: Store, asked: CountryProfile | None) -> CountryProfile:
    """The profile of a store that records none: the one its loads were made with (MA for
    every store loaded without `--profile`, and for an empty one), or the one asked for if it
    agrees with them."""
    codes = _loaded_with(store)
    fix = "record the right one with init (profile=CODE_OR_PATH)"
    try:
        profile = asked or load_profile(codes[0] if len(codes) == 1 else BEFORE)
    except ProfileError as e:
        raise ProfileError(
            f"the store {store.path} records no country profile and its loads were made with "
            f"{codes[0]}, which digex does not ship; {fix}"
        ) from e
    if codes and codes != [profile.code]:
        raise ProfileError(
            f"the store {store.path} records no country profile and its loads were made with "
            f"{', '.join(codes)}, not {profile.code}; {fix}"
        )
    return profile


def read_profile(store: Store, asked: CountryProfile | None = None) -> StoreProfile:
    """The profile to read the store with: the one it records. `asked` must be of the same
    country; it is then what the record is compared with."""
    try:
        current = recorded(store)
    except ProfileError as error:
        raise ProfileError(
            f"{error}; the store's record no longer parses: record a profile with init "
            "(profile=CODE_OR_PATH), of the same country and currency while it holds loads"
        ) from None
    if current is None:  # read as its loads say; only init records it (and says so)
        return StoreProfile(_legacy(store, asked))
    units = units_change(store, current)
    installed = _installed(current, asked)
    if installed is None:
        return StoreProfile(current, change=units)
    if installed.code != current.code:
        raise _other_country(store, current, installed)
    return StoreProfile(current, change=units or _change(store, current, installed))


def _first_record(store: Store, profile: CountryProfile) -> str:
    return (
        f"the store {store.path} recorded no country profile (it was made before digex "
        f"recorded it); it now records {profile.label} ({profile.source}), which its data "
        "were read with"
    )


def adopt_profile(
    store: Store, asked: CountryProfile | None, default: CountryProfile | None
) -> StoreProfile:
    """What init does: a new store records `asked`, else `default` (`$DIGEX_PROFILE`'s, else
    MA's; None for a store that existed, which is not given the default: one that records
    nothing is read as its loads say); an existing one keeps its record unless a profile is
    asked for, which replaces it if it is of the same country (a new version), or of another
    while the store holds no load."""
    try:
        current = recorded(store)
    except ProfileError:
        if asked is None:
            raise
        return _replace_broken(store, asked)
    if current is None:
        loaded = bool(_loaded_with(store))
        new = asked is None and default is not None and not loaded
        profile = default if new and default is not None else _legacy(store, asked)
        record(store, profile)
        note = _first_record(store, profile) if loaded else None
        return StoreProfile(profile, note=note)
    if asked is None:
        return read_profile(store)
    if asked.digest == current.digest:
        return StoreProfile(current)
    if asked.code != current.code and _loaded_with(store):
        raise _other_country(store, current, asked)
    if _money(asked) != _money(current) and _loaded_with(store):
        raise _other_money(store, current, asked)
    record(store, asked)
    return StoreProfile(
        asked,
        note=f"the store {store.path} now records {asked.label} in place of {current.label}",
    )


def _replace_broken(store: Store, asked: CountryProfile) -> StoreProfile:
    """Record `asked` in place of a recorded profile that no longer parses (a digex update
    made a key compulsory, say): what it was is read from the record's plain keys, its code
    and minor units, so that a store still takes only its own country's money."""
    values = _values(store)
    code, units = values.get("code"), values.get("minor_units")
    if _loaded_with(store) and (code != asked.code or units not in (None, str(asked.minor_units))):
        raise ProfileError(
            f"the store {store.path} records country profile {code} (its text no longer "
            f"parses) with values in {units or 'unknown'} decimals, and holds loads: "
            f"{asked.label} ({asked.source}) cannot take its place; create another store for it"
        )
    record(store, asked)
    return StoreProfile(
        asked,
        note=f"the store {store.path} now records {asked.label} in place of its {code} profile, "
        "whose recorded text no longer parsed",
    )
