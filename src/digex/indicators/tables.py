"""The tables a release publishes, as the country profile declares them (`[[table]]`).

Disclosure control protects exactly the cells of these tables, and a release carries nothing
else: a table is one cut (a breakdown, possibly crossing two: ``segment_partner``) at some
frequencies, with or without year-to-date figures, and it may publish some of its members on a
coarser grid than the rest (the Handbook's table redesign: KPO by partner only yearly, where
monthly cells would hold one or two firms each). A profile that declares no table publishes
every single cut at every frequency with year to date (`DEFAULT_TABLES`), as releases did
before tables were declared.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import Final

FREQS: Final = ("A", "H", "Q", "M")


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

    def publishes(self, freq: str, member: str) -> bool:
        """Whether the table holds `member` at `freq` (its grid, after the coarser ones)."""
        if freq not in self.freqs:
            return False
        for rule in self.coarser:
            if any(fnmatch.fnmatchcase(member, pattern) for pattern in rule.members):
                return freq in rule.freqs
        return True


DEFAULT_TABLES: Final = tuple(
    PublishedTable(cut) for cut in ("total", "segment", "ebops", "partner", "region", "currency")
)
