"""Working days in France: weekends and public holidays are not counted.

Deadlines between the two networks (an E2C takes a referral into account within 5 working days)
are counted in working days. Without a département, the eleven national public holidays; with
one, also the local ones: Good Friday and 26 December in Alsace-Moselle (Moselle, Bas-Rhin,
Haut-Rhin, Code du travail art. L3134-13) and the day of the abolition of slavery in each
overseas département (loi 83-550, décret 83-1003).
"""

from __future__ import annotations

import datetime
import functools

ONE_DAY = datetime.timedelta(days=1)


def easter_sunday(year: int) -> datetime.date:
    """Easter Sunday of ``year`` (Gregorian calendar), by the anonymous Gregorian algorithm
    (Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return datetime.date(year, month, day + 1)


ALSACE_MOSELLE = frozenset({"57", "67", "68"})
# Abolition of slavery, by overseas département (month, day).
ABOLITION_DAYS: dict[str, tuple[int, int]] = {
    "971": (5, 27),  # Guadeloupe
    "972": (5, 22),  # Martinique
    "973": (6, 10),  # Guyane
    "974": (12, 20),  # La Réunion
    "976": (4, 27),  # Mayotte
}


@functools.cache
def public_holidays(year: int, departement: str | None = None) -> frozenset[datetime.date]:
    """The French public holidays of ``year`` (Code du travail, art. L3133-1), with those proper
    to ``departement`` (an INSEE code) when given."""
    easter = easter_sunday(year)
    fixed = [(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)]
    movable = [
        easter + datetime.timedelta(days=1),  # lundi de Pâques
        easter + datetime.timedelta(days=39),  # jeudi de l'Ascension
        easter + datetime.timedelta(days=50),  # lundi de Pentecôte
    ]
    if departement in ALSACE_MOSELLE:
        fixed.append((12, 26))  # Saint-Étienne
        movable.append(easter - datetime.timedelta(days=2))  # Vendredi saint
    if departement in ABOLITION_DAYS:
        fixed.append(ABOLITION_DAYS[departement])
    return frozenset([datetime.date(year, month, day) for month, day in fixed] + movable)


def is_working_day(day: datetime.date, departement: str | None = None) -> bool:
    return day.weekday() < 5 and day not in public_holidays(day.year, departement)


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
