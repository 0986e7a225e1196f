"""``date_fr``: Django's ``date`` filter with the French ordinal of the first day of a month.

French writes « le 1er décembre », never « le 1 décembre ». Loaded as a template builtin
(``config/settings/base.py``), so every template, e-mails included, writes ``{{ day|date_fr }}`` or
``{{ moment|date_fr:"l j F Y à H:i" }}`` with the same format letters as ``date``.
"""

from __future__ import annotations

from django import template

from common.french_dates import date_fr

register = template.Library()

register.filter("date_fr", date_fr, expects_localtime=True, is_safe=False)

__all__ = ["date_fr", "register"]
