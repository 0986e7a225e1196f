"""What a page shows of a person or an organisation it names, for the rows it joins (issue 21).

A page that names the adviser who moved a referral reads their name, not their password hash, last
login or staff flags; one that names an organisation reads its name (and kind: ``display_name``).
``shown_only`` turns that into the arguments of ``QuerySet.defer`` for a ``select_related`` row.
"""

from __future__ import annotations

from django.db import models

PERSON_SHOWN = ("first_name", "last_name")  # User.get_full_name
ORGANISATION_SHOWN = ("name", "kind")  # Organisation.display_name


def shown_only(relation: str, model: type[models.Model], shown: tuple[str, ...]) -> list[str]:
    """For ``QuerySet.defer``: every column of the row joined through ``relation`` but its key and ``shown``."""
    return [
        f"{relation}__{field.name}"
        for field in model._meta.concrete_fields
        if not field.primary_key and field.name not in shown
    ]
