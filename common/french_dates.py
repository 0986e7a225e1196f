"""``date_fr``: Django's ``date`` format with the French ordinal of the first day of a month.

French writes « le 1er décembre », never « le 1 décembre ». The template filter of the same name
(``partners.templatetags.french_dates``, a builtin) is this function; code of any layer calls it.
"""

from __future__ import annotations

import datetime

from django.template.defaultfilters import date as django_date
from django.utils import timezone


def _day_position(format_string: str) -> int:
    """Index of the unescaped ``j`` (day of the month without leading zero), or -1."""
    escaped = False
    for index, letter in enumerate(format_string):
        if escaped:
            escaped = False
        elif letter == "\\":
            escaped = True
        elif letter == "j":
            return index
    return -1


def date_fr(value: datetime.date | datetime.datetime | None, format_string: str = "j F Y") -> str:
    text = django_date(value, format_string)
    if not text or not isinstance(value, datetime.date):
        return text
    day = value.day
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        day = timezone.localtime(value).day
    position = _day_position(format_string)
    if day != 1 or position < 0:
        return text
    before, after = format_string[:position], format_string[position + 1 :]
    return (django_date(value, before) if before else "") + "1er" + (django_date(value, after) if after else "")
