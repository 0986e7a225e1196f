"""Template filters of the partners pages."""

from __future__ import annotations

import datetime

from django import template

from partners.models import Organisation

register = template.Library()


@register.filter
def name_on(organisation: Organisation, on: datetime.date | None) -> str:
    """The organisation's name in force on a date: ``{{ party|name_on:agreement.signed_on }}``.

    A France Travail agency that signed before 2024 signed as Pôle emploi.
    """
    return organisation.display_name(on)
