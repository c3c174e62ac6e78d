"""Country profiles: everything that differs between countries, read from a TOML file.

digex ships ``digex/data/profiles/{CODE}.toml`` (Morocco: ``MA``); another country copies it
and is loaded by path. A store records the profile it was made with, content included
(`digex.store.country`), so that every command reads its data with the same profile.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import tomllib
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from digex import settings
from digex.codelists import currency_minor_units
from digex.errors import ProfileError
from digex.indicators.tables import DEFAULT_TABLES, PublishedTable, parse_tables
from digex.releases.calendar import Calendar, parse_calendar

if TYPE_CHECKING:
    from digex.indicators.auxiliary import AuxSeries
    from digex.releases.breaks import SeriesBreak
    from digex.timeseries.holidays import CalendarEffects

__all__ = ["CountryProfile", "Target", "load_profile", "normalise_header", "profile_from_text"]

_HINT = "digex/data/profiles/MA.toml is a complete example"


@dataclass(frozen=True)
class Target:
    """A national target, e.g. 40 bn MAD of sector exports by 2030."""

    id: str
    measure: str
    year: int
    value: int
    unit: str
    names: dict[str, str] = field(hash=False)
    source: str
    base_year: int | None = None
    """Year from which the growth achieved so far is measured (the strategy's baseline)."""


@dataclass(frozen=True)
class CountryProfile:
    """The settings of one country (codes, currency, languages, file headers, targets)."""

    code: str
    version: str
    names: dict[str, str] = field(hash=False)
    national_currency: str
    languages: tuple[str, ...]
    locales: dict[str, str] = field(hash=False)
    firm_id_name: str
    firm_id_pattern: str
    headers: dict[str, tuple[str, ...]] = field(hash=False)
    rates_headers: dict[str, tuple[str, ...]] = field(hash=False)
    targets: tuple[Target, ...]
    calendar: Calendar | None = field(default=None, kw_only=True, hash=False)
    """When each kind of release is due (the `[calendar]` table); None when the profile
    states none (a profile made before it could, as an older store records it)."""
    data_source: dict[str, str] = field(hash=False)
    firm_id_description: dict[str, str] = field(default_factory=dict, hash=False)
    jobs_headers: dict[str, tuple[str, ...]] = field(default_factory=dict, hash=False)
    """Column names accepted in jobs files (year, segment, jobs); optional in a profile, the
    canonical English names being always accepted."""
    encodings: tuple[str, ...] = ("utf-8",)
    """The text encodings the country's files come in, in order of preference: detection
    chooses only among them (a guess among every encoding in the world finds one that reads
    anything, wrongly). UTF-8 (with or without BOM) is always a candidate."""
    minor_units: int = field(kw_only=True)
    """Decimals of the national currency (2 for MAD, 3 for TND), from the currencies code
    list: converted values are stored in its minor units, and every part of digex that turns
    them back into money takes this number from here."""
    source: str = field(default="", kw_only=True, compare=False)
    """Where the profile comes from: a shipped profile's code (``MA``) or a file's absolute
    path; a store compares the profile it records with the one found there now."""
    text: str = field(default="", kw_only=True, compare=False, repr=False)
    """The file's content, as a store records it."""
    series: tuple[AuxSeries, ...] = field(default=(), kw_only=True)
    """Auxiliary aggregate series (`[[series]]`, e.g. an older series on another perimeter),
    loaded from their own files: see `digex.indicators.auxiliary`."""
    series_headers: dict[str, tuple[str, ...]] = field(
        default_factory=dict, kw_only=True, hash=False
    )
    """Column names accepted in series files (series, year, value), beside the English ones."""
    breaks: tuple[SeriesBreak, ...] = field(default=(), kw_only=True)
    """Changes of definition or perimeter (`[[break]]`): see `digex.releases.breaks`."""
    tables: tuple[PublishedTable, ...] = field(default=DEFAULT_TABLES, kw_only=True)
    """The tables a release publishes (`[[table]]`), and nothing else: see
    `digex.indicators.tables` (every single cut at every frequency when the profile has none)."""
    digits: dict[str, str] = field(default_factory=dict, kw_only=True, hash=False)
    """The digits each language's publications write (`digits = { ar = "arab" }`): `latn`
    (0-9, the default, as Morocco writes Arabic) or `arab` (Arabic-Indic, as the Middle East
    does)."""
    calendar_effects: CalendarEffects | None = field(default=None, kw_only=True, hash=False)
    """The working week and the moving holidays seasonal adjustment reads (`[calendar_effects]`:
    see `digex.timeseries.holidays`); None when the profile states none."""

    def digits_for(self, lang: str) -> str:
        return self.digits.get(lang, "latn")

    def locale_for(self, lang: str) -> str:
        """The Babel locale numbers are written with in `lang` (the language itself when the
        profile names none)."""
        return self.locales.get(lang, lang)

    @property
    def digest(self) -> str:
        """SHA-256 of the profile's text: any change to the file changes it, even one made
        without raising the version."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def label(self) -> str:
        """How messages name the profile: its code and version."""
        return f"{self.code} {self.version}"

    def is_valid_firm_id(self, firm_id: str) -> bool:
        """Whether ``firm_id`` has the format of the country's firm identifier."""
        return re.fullmatch(self.firm_id_pattern, firm_id) is not None

    def match_header(
        self, names: Sequence[str], fields: Sequence[str], kind: str = "declarations"
    ) -> tuple[dict[str, int], list[str]]:
        """Map each canonical field to the index of its column in a file's header.

        A column matches a field if its name is the field's canonical name or a profile alias,
        ignoring case, surrounding spaces, a leading BOM and Unicode normalisation. Returns the
        mapping and the fields found in no column (the caller decides if that is an error).
        """
        aliases = {
            "declarations": self.headers,
            "rates": self.rates_headers,
            "jobs": self.jobs_headers,
            "series": self.series_headers,
        }.get(kind, {})
        columns = [normalise_header(name) for name in names]
        mapping: dict[str, int] = {}
        missing: list[str] = []
        for wanted in fields:
            accepted = {normalise_header(a) for a in (wanted, *aliases.get(wanted, ()))}
            found = [i for i, c in enumerate(columns) if c in accepted]
            found = [i for i in found if i not in mapping.values()]
            if found:
                mapping[wanted] = found[0]
            else:
                missing.append(wanted)
        return mapping, missing


def normalise_header(name: str) -> str:
    """The form in which column names are compared: NFC, no BOM, trimmed, case-folded."""
    return unicodedata.normalize("NFC", name.lstrip("\ufeff").strip()).casefold()


class _Reader:  # typed access to a parsed profile; its errors name the file and the key
    def __init__(self, data: Mapping[str, Any], source: str) -> None:
        self.data = data
        self.source = source

    def fail(self, key: str, problem: str) -> ProfileError:
        return ProfileError(f"country profile {self.source}: {problem} {key!r}; fix it ({_HINT})")

    def get(
        self, key: str, kind: type, table: Mapping[str, Any] | None = None, at: str = ""
    ) -> Any:
        node: Any = self.data if table is None else table
        for part in key.split("."):
            if not isinstance(node, Mapping) or part not in node:
                raise self.fail(at + key, "missing key")
            node = node[part]
        if not isinstance(node, kind) or (kind is int and isinstance(node, bool)):
            raise self.fail(at + key, f"expected a {kind.__name__} for")
        return node

    def texts(
        self, key: str, table: Mapping[str, Any] | None = None, at: str = ""
    ) -> dict[str, str]:
        value: dict[str, Any] = self.get(key, dict, table, at)
        if not all(isinstance(v, str) for v in value.values()):
            raise self.fail(at + key, "expected text values in")
        return dict(value)

    def lists(self, key: str) -> dict[str, tuple[str, ...]]:
        value: dict[str, Any] = self.get(key, dict)
        if not all(
            isinstance(v, list) and all(isinstance(s, str) for s in v) for v in value.values()
        ):
            raise self.fail(key, "expected lists of column names in")
        return {k: tuple(v) for k, v in value.items()}

    def target(self, index: int, table: Mapping[str, Any]) -> Target:
        at = f"targets[{index}]."
        return Target(
            id=self.get("id", str, table, at),
            measure=self.get("measure", str, table, at),
            year=self.get("year", int, table, at),
            value=self.get("value", int, table, at),
            unit=self.get("unit", str, table, at),
            names=self.texts("name", table, at),
            source=self.get("source", str, table, at),
            base_year=int(table["base_year"]) if "base_year" in table else None,
        )


def _profile_file(code_or_path: str) -> tuple[Traversable, str]:
    """The file to read and its source: a shipped profile's code, or a file's absolute path
    (a shipped profile is named by its code, so that a store made with it finds it again
    after digex moves, e.g. into a new virtual environment)."""
    path = Path(code_or_path)
    if path.suffix.lower() == ".toml" or len(path.parts) > 1:
        if not path.is_file():
            raise ProfileError(f"country profile {path} not found; give the path of a .toml file")
        return path, str(path.resolve())
    if not re.fullmatch(r"[A-Za-z]{2}", code_or_path):
        raise ProfileError(
            f"{code_or_path!r} is neither a country code (ISO 3166-1 alpha-2) nor a .toml path"
        )
    packaged = files("digex") / "data" / "profiles" / f"{code_or_path.upper()}.toml"
    if not packaged.is_file():
        raise ProfileError(
            f"no country profile shipped for {code_or_path.upper()}; copy MA.toml, adapt it "
            "and pass its path"
        )
    return packaged, code_or_path.upper()


def load_profile(code_or_path: str | None = None) -> CountryProfile:
    """Load a shipped profile by country code (``"MA"``) or any profile file by path; without
    either, the one `$DIGEX_PROFILE` names, else Morocco's.

    A path is recognised by its ``.toml`` suffix or a folder in it; relative paths are read
    from the working directory. Raises ``ProfileError`` naming the file (and key) if it is
    missing, invalid or incomplete.
    """
    if code_or_path is None and settings.asked_profile() is not None:
        try:
            return load_profile(settings.profile())
        except ProfileError as error:  # say where the name came from: it is in no command
            raise ProfileError(
                f"{settings.PROFILE.name}={settings.profile()!r} (the profile of new stores): "
                f"{error}; set the variable to a profile's code or path, or unset it for MA"
            ) from None
    path, source = _profile_file(code_or_path or settings.profile())
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ProfileError(
            f"country profile {path} cannot be read: {error}; fix the file ({_HINT})"
        ) from None
    return profile_from_text(text, source=source, where=str(path))


def profile_from_text(text: str, *, source: str, where: str) -> CountryProfile:
    """Read a profile from its TOML text; `where` names it in error messages, `source` says
    where the file is (a code or a path), to compare with later."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ProfileError(
            f"country profile {where} cannot be read: {error}; fix the file ({_HINT})"
        ) from None
    r = _Reader(data, where)
    pattern: str = r.get("firm_id.pattern", str)
    try:
        re.compile(pattern)
    except re.error as error:
        raise r.fail("firm_id.pattern", f"invalid regular expression ({error}) in") from None
    targets = data.get("targets", [])
    if not isinstance(targets, list) or not all(isinstance(t, dict) for t in targets):
        raise r.fail("targets", "expected [[targets]] tables for")
    described = "description" in r.get("firm_id", dict)
    languages: list[Any] = r.get("languages", list)
    if not all(isinstance(lang, str) for lang in languages):
        raise r.fail("languages", "expected a list of language codes for")
    currency: str = r.get("national_currency", str)
    if currency not in currency_minor_units():
        raise r.fail("national_currency", f"{currency!r}, not in the currencies code list, in")
    from digex.indicators.auxiliary import parse_series
    from digex.releases.breaks import parse_breaks
    from digex.timeseries.holidays import parse_calendar_effects

    return CountryProfile(
        code=r.get("code", str),
        version=r.get("version", str),
        names=r.texts("name"),
        national_currency=currency,
        languages=tuple(languages),
        locales=r.texts("locales"),
        firm_id_name=r.get("firm_id.name", str),
        firm_id_pattern=pattern,
        headers=r.lists("headers"),
        rates_headers=r.lists("rates_headers"),
        targets=tuple(r.target(i, t) for i, t in enumerate(targets)),
        calendar=parse_calendar(data, f"country profile {where}") if "calendar" in data else None,
        data_source=r.texts("data_source"),
        firm_id_description=r.texts("firm_id.description") if described else {},
        jobs_headers=r.lists("jobs_headers") if "jobs_headers" in data else {},
        encodings=_encodings(r, data),
        minor_units=currency_minor_units()[currency],
        source=source,
        text=text,
        series=parse_series(data, currency, f"country profile {where}"),
        series_headers=r.lists("series_headers") if "series_headers" in data else {},
        breaks=parse_breaks(data, f"country profile {where}"),
        tables=parse_tables(data, f"country profile {where}"),
        digits=_digits(r, data),
        calendar_effects=parse_calendar_effects(data, f"country profile {where}"),
    )


DIGITS = ("latn", "arab")


def _digits(r: _Reader, data: Mapping[str, Any]) -> dict[str, str]:
    if "digits" not in data:
        return {}
    found = r.texts("digits")
    for lang, value in found.items():
        if value not in DIGITS:
            raise r.fail(f"digits.{lang}", f"{value!r}, not one of {', '.join(DIGITS)}, in")
    return found


def _encodings(r: _Reader, data: dict[str, Any]) -> tuple[str, ...]:
    """The profile's `encodings` (optional), each a codec Python knows, UTF-8 first."""
    if "encodings" not in data:
        return ("utf-8",)
    names: list[Any] = r.get("encodings", list)
    found: list[str] = ["utf-8"]
    for name in names:
        try:
            codec = codecs.lookup(str(name)).name
        except LookupError:
            raise r.fail("encodings", f"unknown encoding {name!r} in") from None
        if codec not in found:
            found.append(codec)
    return tuple(found)
