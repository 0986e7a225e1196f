"""Working days in France: weekends and the eleven national public holidays do not count."""

import datetime

import pytest

from e2c_referrals.calendar import (
    easter_sunday,
    is_working_day,
    latest_start_beyond,
    public_holidays,
    working_days_between,
)

D = datetime.date


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2000, D(2000, 4, 23)),
        (2019, D(2019, 4, 21)),
        (2024, D(2024, 3, 31)),
        (2025, D(2025, 4, 20)),
        (2026, D(2026, 4, 5)),
        (2027, D(2027, 3, 28)),
        (2038, D(2038, 4, 25)),  # the latest possible date
        (2285, D(2285, 3, 22)),  # the earliest possible date
    ],
)
def test_easter_sunday_follows_the_gregorian_computus(year, easter):
    assert easter_sunday(year) == easter


def test_the_eleven_public_holidays_of_2026():
    assert sorted(public_holidays(2026)) == [
        D(2026, 1, 1),
        D(2026, 4, 6),  # lundi de Pâques
        D(2026, 5, 1),
        D(2026, 5, 8),
        D(2026, 5, 14),  # Ascension
        D(2026, 5, 25),  # lundi de Pentecôte
        D(2026, 7, 14),
        D(2026, 8, 15),
        D(2026, 11, 1),
        D(2026, 11, 11),
        D(2026, 12, 25),
    ]


def test_the_movable_holidays_of_2025_follow_easter():
    holidays = public_holidays(2025)
    assert {D(2025, 4, 21), D(2025, 5, 29), D(2025, 6, 9)} <= holidays


def test_weekends_and_holidays_are_not_working_days():
    assert is_working_day(D(2026, 3, 2))  # a Monday
    assert not is_working_day(D(2026, 3, 7))  # a Saturday
    assert not is_working_day(D(2026, 4, 6))  # Easter Monday
    assert not is_working_day(D(2026, 7, 14))  # a Tuesday, national holiday


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (D(2026, 3, 2), D(2026, 3, 2), 0),  # same day
        (D(2026, 3, 9), D(2026, 3, 2), 0),  # end before start
        (D(2026, 3, 2), D(2026, 3, 9), 5),  # Monday to next Monday
        (D(2026, 3, 6), D(2026, 3, 9), 1),  # Friday to Monday: the weekend does not count
        (D(2026, 3, 7), D(2026, 3, 8), 0),  # Saturday to Sunday
        (D(2026, 4, 3), D(2026, 4, 7), 1),  # Good Friday to Tuesday: Easter Monday is off
        (D(2026, 5, 7), D(2026, 5, 15), 4),  # 8 May and Ascension Thursday are off
        (D(2026, 5, 22), D(2026, 5, 26), 1),  # Whit Monday is off
        (D(2026, 12, 24), D(2027, 1, 4), 5),  # Christmas and New Year's Day are off
        (D(2025, 12, 31), D(2026, 12, 31), 252),  # the year 2026: 261 weekdays, 9 holidays on weekdays
    ],
)
def test_working_days_between_two_dates(start, end, expected):
    assert working_days_between(start, end) == expected


def test_working_days_match_a_day_by_day_count_over_several_years():
    start = D(2025, 12, 20)
    for offset in range(0, 800, 7):
        end = start + datetime.timedelta(days=offset)
        day_by_day = sum(1 for n in range(1, offset + 1) if is_working_day(start + datetime.timedelta(days=n)))
        assert working_days_between(start, end) == day_by_day


def test_the_last_day_a_referral_can_be_sent_and_already_be_late():
    # Checked on Monday 9 March 2026: sent on Monday 2 March makes 5 working days (on time);
    # sent on Sunday 1 March (or before) makes 6 (late).
    assert latest_start_beyond(D(2026, 3, 9), 5) == D(2026, 3, 1)
    # Checked on Friday 15 May 2026, two holidays in the week: late only if sent by 5 May.
    assert latest_start_beyond(D(2026, 5, 15), 5) == D(2026, 5, 5)
