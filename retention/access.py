"""Who sets the retention durations and reads the runs, and who answers an erasure request."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from cej.access import can_lift
from cej.models import YoungPerson
from partners.access import Actor, Capability


def can_manage_retention(actor: Actor) -> bool:
    """Administrators: the durations, the anonymisation report, past runs and erasure answers."""
    return actor.can(Capability.MANAGE_RETENTION)


def require_retention_manager(actor: Actor) -> None:
    if not can_manage_retention(actor):
        raise PermissionDenied("Les durées de conservation sont réservées aux administrateurs.")


def can_erase(actor: Actor | None, young_person: YoungPerson) -> bool:
    """Those who lift a restriction (``can_lift``): the referent structure's managers (and its sites'
    for a school: the family), and administrators (the DPO answers requests for any file). Advisers
    may not."""
    return actor is not None and can_lift(actor, young_person)
