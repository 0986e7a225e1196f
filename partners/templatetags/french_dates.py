"""``date_fr``: Django's ``date`` filter with the French ordinal of the first day of a month.

French writes « le 1er décembre », never « le 1 décembre ». Loaded as a template builtin
(``config/settings/base.py``), so every template, e-mails included, writes ``{{ day|date_fr }}`` or
``{{ moment|date_fr:"l j F Y à H:i" }}`` with the same format letters as ``date``.
"""

from __future__ import annotations

import datetime

from django import template
from django.template.defaultfilters import date as django_date
from django.utils import timezone

register = template.Library()


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


@register.filter(expects_localtime=True, is_safe=False)
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
