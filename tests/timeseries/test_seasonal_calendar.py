"""Morocco's calendar regressors (`digex.timeseries.holidays`), counted by hand for 2024 and
2030 (a Gregorian year with two Ramadans), and the profile table they come from."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digex.errors import ProfileError
from digex.profile import load_profile
from digex.timeseries.holidays import (
    CalendarEffects,
    calendar_regressors,
    monthly_counts,
    parse_calendar_effects,
)

MA = load_profile("MA")
EFFECTS = MA.calendar_effects


def _effects() -> CalendarEffects:
    assert EFFECTS is not None
    return EFFECTS


def test_morocco_lists_its_moving_holidays_for_2015_to_2035() -> None:
    effects = _effects()
    assert effects.covers == (2015, 2035)
    assert effects.workdays == (0, 1, 2, 3, 4)  # Monday to Friday
    assert "Umm al-Qura" in effects.source
    years = {d.year for d in effects.ramadan}
    assert years >= set(range(2015, 2036))
    # 1 Ramadan 1445 = 11 March 2024 and 1 Shawwal 1445 = 10 April 2024 (Umm al-Qura)
    assert dt.date(2024, 3, 11) in effects.ramadan
    assert dt.date(2024, 4, 10) in effects.eid_al_fitr
    assert dt.date(2024, 6, 16) in effects.eid_al_adha


def test_days_per_month_counted_by_hand() -> None:
    counts = monthly_counts(_effects(), pd.Period("2024-01", "M"), pd.Period("2024-12", "M"))
    ramadan = counts["ramadan"].tolist()
    # Ramadan 1445: 11-31 March (21 days), 1-9 April (9 days)
    assert ramadan == [0, 0, 21, 9, 0, 0, 0, 0, 0, 0, 0, 0]
    # January 2024 begins on a Monday: 4 weeks (20) + Mon 29, Tue 30, Wed 31;
    # February (29 days) begins on a Thursday: 20 + Thu 29
    assert counts["working_days"].tolist()[:2] == [23, 21]
    # Eid al-Fitr 10-11 April 2024 (Wed, Thu); Eid al-Adha 16-17 June (Sun, Mon): one
    assert counts["eid_al_fitr"].tolist()[3] == 2
    assert counts["eid_al_adha"].tolist()[5] == 1
    two = monthly_counts(_effects(), pd.Period("2030-01", "M"), pd.Period("2030-12", "M"))
    # Ramadan 1451 from 5 January 2030 (27 days) to 3 February (3); 1452 from 26 December (6)
    assert two["ramadan"].tolist() == [27, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 6]


def test_regressors_are_centred_on_the_long_run_month() -> None:
    months = calendar_regressors(_effects(), pd.Period("2024-01", "M"), pd.Period("2024-12", "M"))
    share = 29.530589 / 354.36708  # the share of days in Ramadan over a Hijri cycle
    assert months.loc[pd.Period("2024-03", "M"), "ramadan"] == pytest.approx(21 - 31 * share)
    assert months.loc[pd.Period("2024-01", "M"), "ramadan"] == pytest.approx(-31 * share)
    # the mean working days of January over a 28-year cycle of the week: 31 days hold 22.14
    # weekdays on average (23 in the 3 of 7 years that begin Mon-Wed, 22 otherwise: 155/7)
    assert months.loc[pd.Period("2024-01", "M"), "working_days"] == pytest.approx(23 - 155 / 7)


@settings(max_examples=20, deadline=None)
@given(st.integers(2015, 2034), st.integers(1, 4))
def test_a_quarter_is_the_sum_of_its_months(year: int, quarter: int) -> None:
    q = pd.Period(f"{year}Q{quarter}", "Q")
    quarterly = calendar_regressors(_effects(), q, q, "Q")
    monthly = calendar_regressors(_effects(), q.asfreq("M", how="start"), q.asfreq("M", how="end"))
    assert quarterly.iloc[0].to_numpy() == pytest.approx(monthly.sum().to_numpy())


def test_periods_past_the_table_and_bad_tables_are_refused() -> None:
    with pytest.raises(ProfileError, match="2036"):
        calendar_regressors(_effects(), pd.Period("2035-01", "M"), pd.Period("2036-06", "M"))
    table = {
        "covers": [2024, 2024],
        "moving": [
            {
                "hijri_year": 1445,
                "ramadan": dt.date(2024, 3, 11),
                "eid_al_fitr": dt.date(2024, 4, 12),
                "eid_al_adha": dt.date(2024, 6, 16),
            }
        ],
    }
    with pytest.raises(ProfileError, match=r"moving\[0\].*32"):
        parse_calendar_effects({"calendar_effects": table}, "xx.toml")
    with pytest.raises(ProfileError, match="workdays"):
        parse_calendar_effects({"calendar_effects": {**table, "workdays": ["Friday"]}}, "x")
    assert parse_calendar_effects({}, "xx.toml") is None
