"""The tables a release publishes, as the country profile declares them (`[[table]]`).

Disclosure control protects exactly the cells of these tables, and a release carries nothing
else: a table is one cut (a breakdown, possibly crossing two: ``segment_partner``) at some
frequencies, with or without year-to-date figures, and it may publish some of its members on a
coarser grid than the rest (the Handbook's table redesign: KPO by partner only yearly, where
monthly cells would hold one or two firms each). A profile that declares no table publishes
every single cut at every frequency with year to date (`DEFAULT_TABLES`), as releases did
before tables were declared.

In the profile (`parse_tables`)::

    [[table]]
    cut = "segment_partner"        # a cut of `digex.indicators.cuts.ALL_CUTS`
    freqs = ["A", "H"]             # default: A, H, Q, M
    ytd = false                    # year-to-date figures too (default: true)
    flows = ["X"]                  # the flows it publishes (default: X and M; the balance
                                   # and coverage only where both are)
    coarser = [{ members = ["KPO.*"], freqs = ["A"] }]   # these members only at these freqs
    headline = false               # true: never hidden to protect a finer table's cell

A `headline` table's cells never protect a finer table's cell: the sector's total and its
segments are what the press quotes, so KPO by region must protect its small cells inside its
own table rather than by hiding a segment. A headline cell that is itself sensitive is still
suppressed, and protected by the other headline cells as before; when a finer table cannot be
protected inside itself, the release gate refuses the release and names the cell.

Every cut at most once, and a `total` table always: shares, contributions and the targets
read the total, so a release without it would publish ratios of a figure it hides.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from digex.errors import ProfileError
from digex.indicators.cuts import ALL_CUTS

FREQS: Final = ("A", "H", "Q", "M")
FLOWS: Final = ("X", "M")
"""The flows a table publishes; the balance and the coverage (flow N) are made of both."""
TABLE_KEYS: Final = ("cut", "freqs", "ytd", "coarser", "flows", "headline")
COARSER_KEYS: Final = ("members", "freqs")


@dataclass(frozen=True)
class Coarser:
    """Members (glob patterns on the member code, e.g. ``KPO.*``) published only at `freqs`."""

    members: tuple[str, ...]
    freqs: tuple[str, ...]


@dataclass(frozen=True)
class PublishedTable:
    """One table of a release: `cut` x time at `freqs`, year to date too when `ytd`."""

    cut: str
    freqs: tuple[str, ...] = FREQS
    ytd: bool = True
    coarser: tuple[Coarser, ...] = ()
    flows: tuple[str, ...] = FLOWS
    headline: bool = False
    """Never a complement of a finer table's cell (see the module)."""

    def publishes(self, freq: str, member: str, flow: str | None = None) -> bool:
        """Whether the table holds `member` at `freq` (its grid, after the coarser ones) and,
        when `flow` is given, for that flow (X, M, or N: the balance of both)."""
        if freq not in self.freqs:
            return False
        if flow is not None and not (
            flow in self.flows if flow in FLOWS else set(FLOWS) <= set(self.flows)
        ):
            return False
        for rule in self.coarser:
            if any(fnmatch.fnmatchcase(member, pattern) for pattern in rule.members):
                return freq in rule.freqs
        return True


DEFAULT_TABLES: Final = tuple(
    PublishedTable(cut) for cut in ("total", "segment", "ebops", "partner", "region", "currency")
)


def parse_tables(data: Mapping[str, Any], where: str) -> tuple[PublishedTable, ...]:
    """The `[[table]]` entries of a profile's TOML (`where` names the file in errors);
    `DEFAULT_TABLES` when it has none (a profile written before tables could be declared, as
    an older store records it). `ProfileError` names the table and the key at fault."""
    items = data.get("table")
    if items is None:
        return DEFAULT_TABLES
    if not isinstance(items, list) or not items or not all(isinstance(t, dict) for t in items):
        raise _error(f"{where}: `table` must be an array of tables ([[table]]), one per cut")
    tables = tuple(_table(item, n, where) for n, item in enumerate(items, 1))
    cuts = [t.cut for t in tables]
    twice = sorted({c for c in cuts if cuts.count(c) > 1})
    if twice:
        raise _error(f"{where}: [[table]] cut {twice[0]!r} appears twice; declare a cut once")
    if "total" not in cuts:
        raise _error(
            f'{where}: no [[table]] with cut = "total"; shares, contributions and targets '
            "read the total, so a release publishes it"
        )
    return tables


def _error(text: str) -> ProfileError:
    return ProfileError(text).naming()


def _table(item: Mapping[str, Any], n: int, where: str) -> PublishedTable:
    cut = item.get("cut")
    at = f"{where}: [[table]] {n}" + (f" ({cut})" if isinstance(cut, str) else "")
    _known_keys(item, TABLE_KEYS, at)
    if not isinstance(cut, str) or cut not in ALL_CUTS:
        raise _error(f"{at}: `cut` {cut!r} is not one of {', '.join(ALL_CUTS)}")
    freqs = _freqs(item.get("freqs", list(FREQS)), f"{at}: `freqs`")
    flows = item.get("flows", list(FLOWS))
    if (
        not isinstance(flows, list)
        or not flows
        or not all(f in FLOWS for f in flows)
        or len(set(flows)) < len(flows)
    ):
        raise _error(f"{at}: `flows` must be a non-empty list of {', '.join(FLOWS)}, not {flows!r}")
    ytd = item.get("ytd", True)
    if not isinstance(ytd, bool):
        raise _error(f"{at}: `ytd` must be true or false, not {ytd!r}")
    headline = item.get("headline", False)
    if not isinstance(headline, bool):
        raise _error(f"{at}: `headline` must be true or false, not {headline!r}")
    rules = item.get("coarser", [])
    if not isinstance(rules, list) or not all(isinstance(r, dict) for r in rules):
        raise _error(
            f"{at}: `coarser` must be a list of tables {{ members = [...], freqs = [...] }}"
        )
    coarser = []
    for k, rule in enumerate(rules, 1):
        here = f"{at}: `coarser` {k}"
        _known_keys(rule, COARSER_KEYS, here)
        members = rule.get("members")
        if (
            not isinstance(members, list)
            or not members
            or not all(isinstance(m, str) and m for m in members)
        ):
            raise _error(f"{here}: `members` must be a non-empty list of codes or patterns (KPO.*)")
        grid = _freqs(rule.get("freqs"), f"{here}: `freqs`")
        outside = [f for f in grid if f not in freqs]
        if outside:
            raise _error(
                f"{here}: `freqs` {', '.join(outside)} not among the table's {', '.join(freqs)}; "
                "a coarser grid publishes some of the table's frequencies"
            )
        coarser.append(Coarser(tuple(members), grid))
    return PublishedTable(
        cut, freqs, ytd, tuple(coarser), tuple(f for f in FLOWS if f in flows), headline
    )


def _known_keys(item: Mapping[str, Any], keys: tuple[str, ...], at: str) -> None:
    unknown = sorted(set(item) - set(keys))
    if unknown:
        raise _error(f"{at}: unknown key {unknown[0]!r}; the keys are {', '.join(keys)}")


def _freqs(value: object, at: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise _error(f"{at} must be a non-empty list of {', '.join(FREQS)}")
    for f in value:
        if f not in FREQS:
            raise _error(f"{at}: unknown frequency {f!r}; use {', '.join(FREQS)}")
    if len(set(value)) < len(value):
        raise _error(f"{at} names a frequency twice")
    return tuple(f for f in FREQS if f in value)
