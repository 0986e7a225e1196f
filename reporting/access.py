"""Who sees the indicators and who closes a semester (the national committee and regional coordinators).

Everyone else is refused (403), even managers: their own figures are in their lists.
"""

from __future__ import annotations

from partners.access import Actor, Capability
from partners.enums import Role

REPORTING_ROLES = frozenset({Role.NATIONAL_COMMITTEE, Role.REGIONAL_COORDINATOR})


def can_view_reporting(actor: Actor) -> bool:
    return actor.can(Capability.VIEW_AGGREGATES) and actor.role in REPORTING_ROLES


def sees_the_nation(actor: Actor) -> bool:
    """The national committee sees every région (the others their own)."""
    return can_view_reporting(actor) and actor.role == Role.NATIONAL_COMMITTEE


def can_close_semesters(actor: Actor) -> bool:
    """Only the national committee freezes a semester's figures."""
    return sees_the_nation(actor)
