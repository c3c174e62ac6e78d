"""What the checker finds in a text (a `Claim`) and what it says of it (a `Verdict`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from digex.claims.reading import Reading
from digex.claims.subjects import Subject
from digex.indicators.periods import Period

KINDS: Final = ("level", "growth", "share", "points", "count", "ratio", "progress", "rate_needed")
"""level (an amount), growth (a change in per cent), share (of the total), points (a
difference of per cents: a contribution, a change of share), count (jobs, firms), ratio (a
multiple: "twice"), progress (per cent of a national target), rate_needed (the average yearly
growth a target takes)."""

CONSISTENT: Final = "consistent"
INCONSISTENT: Final = "inconsistent"
NOT_CHECKABLE: Final = "not checkable"

CAUSES: Final = (
    "currency", "magnitude", "period", "base period", "rounding", "segment", "perimeter",
    "direction", "value",
)  # fmt: skip
"""Likely causes of an inconsistency, in the order they are looked for: a currency or unit
put on the wrong figure ($ on dirhams), a power of ten, another period, another base period
of a change, a change recomputed from rounded levels, another segment or market, the older
series' perimeter, a rise called a fall, and otherwise the value itself."""


@dataclass(frozen=True)
class Claim:
    """A quantitative claim: one number of a sentence, with what it is said to measure."""

    sentence: str
    start: int
    """Span of the number (with its qualifier and unit) in the whole text."""
    end: int
    reading: Reading
    kind: str
    subject: Subject
    period: Period | None
    base: Period | None = None
    """The period a change is measured on, when the text names it."""
    currency: str | None = None
    """The currency the text gives an amount in (None: not said; read as the national one)."""
    other: Subject | None = None
    """The second subject of a ratio ("twice BPO's")."""
    flow: str = "X"
    older: bool = False
    """Said of the older series' perimeter ("on the older three-segment perimeter")."""
    negative: bool = False
    """A change given as a fall in words ("fell 8.1 %"): its number is minus the written one."""
    count_of: str | None = None
    """JOBS or FIRMS, for a count; JOBS also for a target's progress or the growth it takes,
    when the text says it of jobs."""
    contribution: bool = False
    target: bool = False
    """An amount or a count in a sentence about a national target: the target's own value
    when its period is a target's year ("40 billion by 2030"), the level reached when it is
    another ("26.2 billion in 2024, 65.6 % of the target")."""
    gap: bool = False
    """An amount or a count said of the distance left to a national target ("the gap is
    13.8 billion")."""

    @property
    def text(self) -> str:
        return self.reading.text


@dataclass(frozen=True)
class Verdict:
    claim: Claim
    status: str
    """consistent, inconsistent or not checkable."""
    release: str | None = None
    """The release the claim was checked against."""
    figure: str | None = None
    """The figure's id (`LEVEL/X/total/_T/2024`), or how it was computed from figures."""
    official: str | None = None
    """The official value as the claim would write it (its scale, decimals, unit); None when
    not checkable (a confidential figure is never shown)."""
    cause: str | None = None
    """For an inconsistent claim, one of `CAUSES`."""
    explanation: str = ""
