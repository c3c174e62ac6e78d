"""The status of a figure: its SDMX observation status and digex's completeness, and how a
derived figure inherits them from its inputs.

Two attributes travel with every value, because they answer different questions:

- `obs_status`, the SDMX code list CL_OBS_STATUS: A normal, P provisional, F forecast,
  E estimated, B break in series. It says how final the *inputs* are. A figure takes the
  worst status of every observation it reads, in the order B > E > F > P > A: a break makes
  any comparison across it meaningless, so it outranks everything; an estimate or a forecast
  replaces data that does not exist (E before F, since the office publishes estimates, not
  forecasts, as figures); a provisional value is real data that may still be revised; A is
  the only status that claims nothing. Codes outside this list rank with B: an unknown
  status must not make a figure look better than it is.
- `completeness`, digex's own (SDMX has no code for it): `complete`, `incomplete_base`
  (the figure's own months all have data, but a period it is compared with does not), or
  `incomplete_period` (some month of the figure's own span has no data, e.g. a year with only
  January-June loaded). The figure's own span outranks its base: a level of half a year is
  wrong as a level, a growth on a half-year base is wrong only as a comparison.

Which periods a figure reads is stated once, per indicator, in the registry (`reads` in
`data/indicators.toml`, an `Inputs` here): growth on a year earlier reads its period and the
same period a year earlier; year-to-date growth reads every period of the year up to its own
and the same periods a year earlier; firm entries and exits read the previous period. Every
figure, whoever computes it (the suite, the headline table), takes its status from those spans
through `figure_completeness` and `worst_obs`. A growth whose completeness is not `complete`
is never shown as a plain number: tables print it with `mark()`, data carry the codes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, Literal, get_args


class ObsStatus(StrEnum):
    """SDMX CL_OBS_STATUS codes digex uses, declared from best to worst (their precedence)."""

    NORMAL = "A"
    PROVISIONAL = "P"
    FORECAST = "F"
    ESTIMATED = "E"
    BREAK = "B"


class Completeness(StrEnum):
    """digex's completeness codes, declared from best to worst."""

    COMPLETE = "complete"
    INCOMPLETE_BASE = "incomplete_base"
    INCOMPLETE_PERIOD = "incomplete_period"


NORMAL: Final = ObsStatus.NORMAL
OBS_PRECEDENCE: Final = tuple(ObsStatus)
"""Observation statuses from best to worst: a figure takes the last one of its inputs'."""
COMPLETE: Final = Completeness.COMPLETE
INCOMPLETE_BASE: Final = Completeness.INCOMPLETE_BASE
INCOMPLETE_PERIOD: Final = Completeness.INCOMPLETE_PERIOD
COMPLETENESS: Final = tuple(Completeness)
"""Completeness from best to worst."""
MARKS: Final[dict[str, str]] = {COMPLETE: "", INCOMPLETE_BASE: "†", INCOMPLETE_PERIOD: "*"}
"""How tables mark a figure that is not complete (explained in `NOTES`)."""
NOTES: Final[dict[str, dict[str, str]]] = {
    "en": {
        INCOMPLETE_PERIOD: "* incomplete period: some months have no data",
        INCOMPLETE_BASE: "† incomplete base: the period compared with has months without data",
    },
    "fr": {
        INCOMPLETE_PERIOD: "* période incomplète : des mois sont sans données",
        INCOMPLETE_BASE: "† base incomplète : la période de comparaison a des mois sans données",
    },
    "ar": {
        INCOMPLETE_PERIOD: "* فترة غير مكتملة: بعض الأشهر بدون بيانات",
        INCOMPLETE_BASE: "† أساس غير مكتمل: فترة المقارنة تتضمن أشهرا بدون بيانات",
    },
}

BREAK_MARK: Final = "‡"
"""How tables mark a figure with OBS_STATUS B (at or across a series break): never a plain
number, whatever its completeness (explained by `BREAK_NOTES`)."""
BREAK_NOTES: Final[dict[str, str]] = {
    "en": "‡ series break (B): the figure is the first of a new definition, or compares two",
    "fr": "‡ rupture de série (B) : premier chiffre d'une nouvelle définition, ou comparaison "
    "de deux définitions",
    "ar": "‡ انقطاع في السلسلة (B): أول رقم وفق تعريف جديد، أو مقارنة بين تعريفين",
}


def break_mark(obs_status: str) -> str:
    return BREAK_MARK if obs_status == ObsStatus.BREAK else ""


LABELS: Final[dict[str, dict[str, str]]] = {
    "en": {INCOMPLETE_PERIOD: "incomplete period", INCOMPLETE_BASE: "incomplete base"},
    "fr": {INCOMPLETE_PERIOD: "période incomplète", INCOMPLETE_BASE: "base incomplète"},
    "ar": {INCOMPLETE_PERIOD: "فترة غير مكتملة", INCOMPLETE_BASE: "أساس غير مكتمل"},
}
"""A completeness in a table's title, in the table's language."""

Span = Literal["own", "pop", "yoy", "ytd", "ytd_yoy"]
"""The periods a figure reads, relative to its own: the period itself, the previous period,
the same period a year earlier, the year up to and including the period, and that span a
year earlier."""


@dataclass(frozen=True)
class Inputs:
    """The spans a figure's value is made of (`own`) and compared with (`base`)."""

    own: tuple[Span, ...] = ("own",)
    base: tuple[Span, ...] = ()

    @property
    def all(self) -> tuple[Span, ...]:
        return (*self.own, *self.base)


SPANS: Final = get_args(Span)


def obs_rank(code: str) -> int:
    """The rank of an observation status (higher is worse; unknown codes rank with B)."""
    return OBS_PRECEDENCE.index(code) if code in OBS_PRECEDENCE else len(OBS_PRECEDENCE) - 1


def worst_obs(codes: Iterable[str]) -> ObsStatus:
    """The observation status of a figure made of observations with these statuses."""
    return OBS_PRECEDENCE[max((obs_rank(c) for c in codes), default=0)]


def completeness(own_complete: bool, base_complete: bool = True) -> Completeness:
    """The one rule: the figure's own span outranks the span it is compared with."""
    if not own_complete:
        return INCOMPLETE_PERIOD
    return COMPLETE if base_complete else INCOMPLETE_BASE


def figure_completeness(inputs: Inputs, complete: Mapping[Span, bool]) -> Completeness:
    """The completeness of a figure that reads `inputs`, given whether each span is complete."""
    own = all(complete[s] for s in inputs.own)
    return completeness(own, all(complete[s] for s in inputs.base))


def worst_completeness(codes: Iterable[str]) -> Completeness:
    return COMPLETENESS[max((COMPLETENESS.index(c) for c in codes), default=0)]


def mark(completeness_code: str) -> str:
    return MARKS.get(completeness_code, "?")


def cell(obs_status: str, completeness_code: str, *, words: bool = True) -> str:
    """The status cell of a table: the SDMX code, then the completeness unless complete (its
    mark, and its name unless `words` is false: a narrow table explains the marks beneath)."""
    if completeness_code == COMPLETE:
        return obs_status
    name = f"{completeness_code.replace('_', ' ')}" if words else ""
    return f"{obs_status} {mark(completeness_code)}{name}"
