"""Calendar regressors for seasonal adjustment: working days and Morocco's moving holidays.

A month's exports depend on how many working days it has and on whether Ramadan or an Eid falls
in it. The working week repeats every 28 years and stays in the seasonal pattern on average,
but which weekdays a given month holds does not; the Hijri holidays move about 11 days earlier
each Gregorian year, so no fixed seasonal factor can hold them. Both are given to the seasonal
model as regressors, each centred on its long-run mean for the calendar month, so that the
calendar component carries only the departures from an average month and the seasonal factors
keep the rest.

The dates come from the country profile's `[calendar_effects]` table (`CalendarEffects`): a
profile states them because they are announced, not computed, in Morocco.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from digex.errors import ProfileError

if TYPE_CHECKING:  # the profile reads this module: every command, pandas or not
    import numpy as np
    import pandas as pd

__all__ = ["REGRESSORS", "CalendarEffects", "calendar_regressors", "parse_calendar_effects"]

WEEKDAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
REGRESSORS: Final = ("working_days", "ramadan", "eid_al_fitr", "eid_al_adha")
"""The calendar regressors, in the order a model is given them."""

LUNAR_YEAR: Final = 354.36708
"""Mean length of a Hijri year in days: over the ~33 years in which a Hijri date visits every
Gregorian day, each day falls in a holiday of n days with probability n / LUNAR_YEAR."""
RAMADAN_DAYS: Final = 29.530589
"""Mean length of Ramadan (a mean lunar month), in days."""
CYCLE: Final = (2001, 2028)
"""A whole cycle of the Gregorian week (28 years, every weekday of every date equally often
between 1901 and 2099): the long-run mean working days of each calendar month."""


@dataclass(frozen=True)
class CalendarEffects:
    """A country's working week and moving holidays (the profile's `[calendar_effects]`)."""

    workdays: tuple[int, ...]
    """Working weekdays, 0 = Monday (Morocco: Monday to Friday)."""
    covers: tuple[int, int]
    """First and last Gregorian years for which every moving holiday is listed."""
    ramadan: tuple[dt.date, ...]
    """First day of Ramadan of each listed Hijri year."""
    eid_al_fitr: tuple[dt.date, ...]
    """1 Shawwal of each listed Hijri year: Ramadan ends the day before."""
    eid_al_adha: tuple[dt.date, ...]
    eid_al_fitr_days: int = 2
    eid_al_adha_days: int = 2
    source: str = ""

    def check_span(self, first: pd.Period, last: pd.Period) -> None:
        """Refuse periods outside the years the holidays are listed for: a month past the
        table would read as a month without Ramadan."""
        if first.year < self.covers[0] or last.year > self.covers[1]:
            raise ProfileError(
                f"the calendar effects of the country profile list moving holidays for "
                f"{self.covers[0]}-{self.covers[1]}, and seasonal adjustment needs {first.year}-"
                f"{last.year} (the series and a year of forecasts): add the missing years to "
                "its [calendar_effects] table"
            )


def _fail(where: str, key: str, problem: str) -> ProfileError:
    return ProfileError(f"{where}: calendar_effects.{key}: {problem}; fix the table")


def _moving(table: Mapping[str, Any], where: str) -> dict[str, tuple[dt.date, ...]]:
    """The moving holidays' dates, by holiday, each Ramadan checked to last 29 or 30 days."""
    moving = table.get("moving", [])
    if not isinstance(moving, list) or not moving:
        raise _fail(
            where, "moving", "expected a list of { hijri_year, ramadan, eid_al_fitr, eid_al_adha }"
        )
    dates: dict[str, list[dt.date]] = {"ramadan": [], "eid_al_fitr": [], "eid_al_adha": []}
    for i, row in enumerate(moving):
        for key, found in dates.items():
            value = row.get(key) if isinstance(row, Mapping) else None
            if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
                raise _fail(where, f"moving[{i}].{key}", "expected a date (YYYY-MM-DD)")
            found.append(value)
        start, end = dates["ramadan"][-1], dates["eid_al_fitr"][-1]
        if not 29 <= (end - start).days <= 30:
            days = (end - start).days
            problem = f"Ramadan from {start} to {end} is {days} days, not 29 or 30"
            raise _fail(where, f"moving[{i}]", problem)
    return {k: tuple(v) for k, v in dates.items()}


def parse_calendar_effects(data: Mapping[str, Any], where: str) -> CalendarEffects | None:
    """The profile's `[calendar_effects]` table, or None when it has none."""
    table = data.get("calendar_effects")
    if table is None:
        return None
    if not isinstance(table, Mapping):
        raise _fail(where, "", "expected a table")
    days = table.get("workdays", list(WEEKDAYS[:5]))
    if not isinstance(days, list) or not days or any(d not in WEEKDAYS for d in days):
        raise _fail(where, "workdays", f"expected a list of {', '.join(WEEKDAYS)}")
    covers = table.get("covers")
    if (
        not isinstance(covers, list)
        or len(covers) != 2
        or not all(isinstance(y, int) for y in covers)
        or covers[0] > covers[1]
    ):
        raise _fail(where, "covers", "expected [first year, last year]")
    lengths = {}
    for key in ("eid_al_fitr_days", "eid_al_adha_days"):
        value = table.get(key, 2)
        if not isinstance(value, int) or not 1 <= value <= 7:
            raise _fail(where, key, "expected a number of days from 1 to 7")
        lengths[key] = value
    dates = _moving(table, where)
    return CalendarEffects(
        workdays=tuple(WEEKDAYS.index(d) for d in days),
        covers=(covers[0], covers[1]),
        ramadan=dates["ramadan"],
        eid_al_fitr=dates["eid_al_fitr"],
        eid_al_adha=dates["eid_al_adha"],
        source=str(table.get("source", "")),
        **lengths,
    )


def _daily_flags(days: pd.DatetimeIndex, starts: tuple[dt.date, ...], lengths: np.ndarray) -> Any:
    """Whether each day falls in one of the spans starting at `starts` (vectorised: each day
    is compared with the last span that started on or before it)."""
    import numpy as np
    import pandas as pd

    first = pd.DatetimeIndex(pd.to_datetime(list(starts))).values
    order = np.argsort(first)
    first, spans = first[order], lengths[order]
    at = np.searchsorted(first, days.values, side="right") - 1
    inside = at >= 0
    offset = (days.values - first[np.clip(at, 0, None)]) / np.timedelta64(1, "D")
    return inside & (offset < spans[np.clip(at, 0, None)])


def monthly_counts(effects: CalendarEffects, first: pd.Period, last: pd.Period) -> pd.DataFrame:
    """Days of each month from `first` to `last` (monthly periods): working days, days of
    Ramadan, and Eid holidays that fall on a working day, uncentred."""
    import numpy as np
    import pandas as pd

    days = pd.date_range(first.start_time, last.end_time.normalize(), freq="D")
    working = np.isin(days.dayofweek, effects.workdays)
    ramadan = _daily_flags(
        days,
        effects.ramadan,
        np.array([(e - s).days for s, e in zip(effects.ramadan, effects.eid_al_fitr, strict=True)]),
    )
    fitr = _daily_flags(
        days, effects.eid_al_fitr, np.full(len(effects.eid_al_fitr), effects.eid_al_fitr_days)
    )
    adha = _daily_flags(
        days, effects.eid_al_adha, np.full(len(effects.eid_al_adha), effects.eid_al_adha_days)
    )
    frame = pd.DataFrame(
        {
            "days": 1,
            "working_days": working.astype(int),
            "ramadan": ramadan.astype(int),
            "eid_al_fitr": (fitr & working).astype(int),
            "eid_al_adha": (adha & working).astype(int),
        },
        index=days.to_period("M"),
    )
    return frame.groupby(level=0).sum()


def _mean_working_days(workdays: tuple[int, ...]) -> pd.Series:
    """Long-run mean working days of each calendar month (1-12), over a 28-year cycle."""
    import numpy as np
    import pandas as pd

    days = pd.date_range(f"{CYCLE[0]}-01-01", f"{CYCLE[1]}-12-31", freq="D")
    working = pd.Series(np.isin(days.dayofweek, workdays), index=days)
    per_month = working.groupby(days.to_period("M")).sum()
    months = pd.PeriodIndex(per_month.index).month
    by_calendar_month: pd.Series = per_month.groupby(months).mean()
    return by_calendar_month


def calendar_regressors(
    effects: CalendarEffects, first: pd.Period, last: pd.Period, freq: str = "M"
) -> pd.DataFrame:
    """The centred regressors `REGRESSORS` for every period from `first` to `last` (monthly or
    quarterly): each month's count less its long-run mean for that calendar month (working
    days: over a 28-year cycle of the week; Ramadan and Eid days: the month's length times
    the holiday's share of a Hijri year, scaled by the working week for the Eids); a quarter's
    is the sum of its months'."""
    import pandas as pd

    months_first = first.asfreq("M", how="start")
    months_last = last.asfreq("M", how="end")
    effects.check_span(months_first, months_last)
    counts = monthly_counts(effects, months_first, months_last)
    month = pd.PeriodIndex(counts.index).month
    length = counts["days"].to_numpy(dtype=float)
    week_share = len(effects.workdays) / 7
    centred = pd.DataFrame(
        {
            "working_days": counts["working_days"]
            - _mean_working_days(effects.workdays).reindex(month).to_numpy(),
            "ramadan": counts["ramadan"] - length * RAMADAN_DAYS / LUNAR_YEAR,
            "eid_al_fitr": counts["eid_al_fitr"]
            - length * week_share * effects.eid_al_fitr_days / LUNAR_YEAR,
            "eid_al_adha": counts["eid_al_adha"]
            - length * week_share * effects.eid_al_adha_days / LUNAR_YEAR,
        },
        index=counts.index,
    )
    if freq == "Q":
        centred = centred.groupby(pd.PeriodIndex(centred.index).asfreq("Q")).sum()
    out: pd.DataFrame = centred.astype(float)[list(REGRESSORS)]
    return out
