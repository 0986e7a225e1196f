"""What the outbox's messages say about a young person (registered in ``cej.apps``)."""

from __future__ import annotations

from typing import Any

from outbox.rendering import person_of


def short_name(young_person: Any) -> str:
    """First name and initial ("Camille D."): enough for the recipient, little if the e-mail strays."""
    if young_person is None:
        return "un jeune"
    return f"{young_person.first_name} {young_person.last_name[:1]}.".strip()


def young_person_short(message: Any, objects: dict[str, Any]) -> str:
    """The ``young_person_short`` of every e-mail: the young person the message is about, shortened."""
    return short_name(person_of(objects))
