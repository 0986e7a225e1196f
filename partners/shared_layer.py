"""What the accounts and directory app plugs into the shared layer (``common.actors``, ``audit``,
``history``): who acts, which organisation they may see, who may read the access log. Called from
``PartnersConfig.ready()``; the shared apps never import this app."""

from __future__ import annotations

import uuid

from django.http import Http404

from partners.access import Actor, Capability, actor_for, scope_organisations
from partners.models import Membership, Organisation


def actor_for_membership(membership_id: int) -> Actor | None:
    """The user acting through this membership, if it, its organisation and its user are still active."""
    membership = (
        Membership.objects.select_related("organisation", "user")
        .filter(pk=membership_id, is_active=True, organisation__is_active=True, user__is_active=True)
        .first()
    )
    return None if membership is None else Actor(user=membership.user, membership=membership)


def organisation_in_directory(actor: Actor, public_id: uuid.UUID | str) -> Organisation:
    """One organisation of the actor's directory (``scope_organisations``), or 404."""
    try:
        return scope_organisations(actor, Organisation.objects.all()).get(public_id=public_id)
    except (Organisation.DoesNotExist, ValueError, TypeError) as error:
        raise Http404("Organisation introuvable.") from error


def may_read_access_log(actor: Actor) -> bool:
    return actor.can(Capability.READ_ACCESS_LOG)


def register() -> None:
    from audit import access as audit_access
    from common import actors

    actors.register(request=actor_for, membership=actor_for_membership, organisation=organisation_in_directory)
    audit_access.register_reader_check(may_read_access_log)
