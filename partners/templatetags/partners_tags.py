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


@register.filter
def phone_fr(e164: str) -> str:
    """'+33612345678' → '06 12 34 56 78'; overseas and foreign numbers stay as stored."""
    if e164.startswith("+33") and len(e164) == 12:
        digits = "0" + e164[3:]
        return " ".join(digits[i : i + 2] for i in range(0, 10, 2))
    return e164
