"""Working days in France: weekends and public holidays are not counted.

Deadlines between the two networks (an E2C takes a referral into account within 5 working days)
are counted in working days. Without a département, the eleven national public holidays; with
one, also the local ones: Good Friday and 26 December in Alsace-Moselle (Moselle, Bas-Rhin,
Haut-Rhin, Code du travail art. L3134-13) and the days of each overseas département (the abolition
of slavery, loi 83-550 and décret 83-1003, and in Guadeloupe and Martinique the other days their law
adds). The dates come from the ``holidays`` package, kept up to date when the law changes.
"""

from __future__ import annotations

import datetime
import functools

from dateutil.easter import EASTER_WESTERN, easter
from holidays import country_holidays

ONE_DAY = datetime.timedelta(days=1)

# Our département (INSEE code) → the subdivision of ``holidays.France`` that holds its local days.
# The package names Moselle « 57 » and Alsace (Bas-Rhin and Haut-Rhin together) « 6AE ».
SUBDIVISIONS: dict[str, str] = {
    "57": "57",  # Moselle
    "67": "6AE",  # Bas-Rhin
    "68": "6AE",  # Haut-Rhin
    "971": "971",  # Guadeloupe
    "972": "972",  # Martinique
    "973": "973",  # Guyane
    "974": "974",  # La Réunion
    "976": "976",  # Mayotte
}
# The départements whose calendar differs from the national one (the reminders count them apart).
LOCAL_CALENDARS = sorted(SUBDIVISIONS)


def easter_sunday(year: int) -> datetime.date:
    """Easter Sunday of ``year`` (Gregorian calendar), the date the movable holidays follow."""
    return easter(year, EASTER_WESTERN)


@functools.cache
def public_holidays(year: int, departement: str | None = None) -> frozenset[datetime.date]:
    """The French public holidays of ``year`` (Code du travail, art. L3133-1), with those proper
    to ``departement`` (an INSEE code) when given."""
    return frozenset(country_holidays("FR", subdiv=SUBDIVISIONS.get(departement or ""), years=year).keys())


def is_working_day(day: datetime.date, departement: str | None = None) -> bool:
    return day.weekday() < 5 and day not in public_holidays(day.year, departement)


@functools.lru_cache(maxsize=4096)  # a page of 50 rows asks for few distinct (sent, today) pairs
def working_days_between(start: datetime.date, end: datetime.date, departement: str | None = None) -> int:
    """Working days after ``start`` up to and including ``end`` (0 if ``end`` is not after ``start``).

    Sent on Monday 2 March 2026, checked on Monday 9 March: 5 working days have passed.
    """
    if end <= start:
        return 0
    full_weeks, rest = divmod((end - start).days, 7)
    # Each full week holds 5 weekdays; holidays falling on a weekday are removed afterwards.
    count = full_weeks * 5
    day = start + datetime.timedelta(weeks=full_weeks)
    for _ in range(rest):
        day += ONE_DAY
        count += day.weekday() < 5
    holidays = sum(
        1
        for year in range(start.year, end.year + 1)
        for holiday in public_holidays(year, departement)
        if start < holiday <= end and holiday.weekday() < 5
    )
    return count - holidays


def latest_start_beyond(end: datetime.date, working_days: int, departement: str | None = None) -> datetime.date:
    """The latest date ``start`` such that more than ``working_days`` working days separate it from ``end``.

    Anything sent on that day or before is late on ``end``: used to filter overdue rows in SQL.
    """
    start = end - ONE_DAY
    while working_days_between(start, end, departement) <= working_days:
        start -= ONE_DAY
    return start
