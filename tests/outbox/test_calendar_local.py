"""Local public holidays in the working-day calendar: Alsace-Moselle and the overseas départements."""

import datetime

import pytest

from e2c_referrals.calendar import is_working_day, latest_start_beyond, public_holidays, working_days_between

D = datetime.date


@pytest.mark.parametrize("departement", ["57", "67", "68"])
def test_alsace_moselle_adds_good_friday_and_26_december(departement):
    holidays = public_holidays(2026, departement)
    assert D(2026, 4, 3) in holidays and D(2026, 12, 26) in holidays
    assert len(holidays) == 13
    assert D(2026, 4, 3) not in public_holidays(2026)  # not elsewhere
    assert not is_working_day(D(2026, 4, 3), departement) and is_working_day(D(2026, 4, 3))


@pytest.mark.parametrize(
    ("departement", "day"),
    [
        ("971", D(2027, 5, 27)),
        ("972", D(2027, 5, 22)),
        ("973", D(2027, 6, 10)),
        ("974", D(2027, 12, 20)),
        ("976", D(2027, 4, 27)),
    ],
)
def test_each_overseas_departement_has_its_abolition_day(departement, day):
    assert day in public_holidays(day.year, departement)
    assert day not in public_holidays(day.year)
    assert day not in public_holidays(day.year, "75")


def test_working_days_and_deadlines_follow_the_local_calendar():
    # Tuesday 31 March 2026 → Wednesday 8 April: 5 working days nationally, 4 in Strasbourg.
    assert working_days_between(D(2026, 3, 31), D(2026, 4, 8)) == 5
    assert working_days_between(D(2026, 3, 31), D(2026, 4, 8), "67") == 4
    # Late on 8 April: sent on 31 March or before nationally, on 30 March or before in Strasbourg.
    assert latest_start_beyond(D(2026, 4, 8), 4) == D(2026, 3, 31)
    assert latest_start_beyond(D(2026, 4, 8), 4, "67") == D(2026, 3, 30)
