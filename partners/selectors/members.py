"""Reads for the management of a team: its members, its pending invitations, its account history.

Access, decided here once for the area's views:
- the team of an organisation: outside the actor's directory → 404; a role that does not manage
  members, or a manager of another organisation → 403. The organisation itself is public in the
  directory, so refusing with 403 reveals nothing and tells the manager why;
- one membership or one invitation: a role that does not manage members → 403 whatever the record;
  a record outside the organisations the actor manages → 404 (deactivated memberships and
  invitations appear on no public page: their existence is not revealed).
"""

from __future__ import annotations

import hashlib
import uuid

from django.core.exceptions import PermissionDenied
from django.db.models import F, QuerySet
from django.db.models.functions import Lower
from django.http import Http404
from django.utils import timezone

from pagination.keyset import KeysetPage, paginate
from partners.access import Actor, Capability, can_manage_members_of, scope_organisations
from partners.models import AccountEvent, Invitation, Membership, Organisation, User

TEAM_PAGE_SIZE = 50
HISTORY_PAGE_SIZE = 50
# Pending invitations expire after 7 days, so an organisation has few; the cap only guards the page.
PENDING_INVITATIONS_SHOWN = 100
# The ``detail`` of the ACCOUNT_DEACTIVATED event written when a person's last active membership is
# deactivated: it tells such a closing from one by an administrator (see account_closed_with_last_membership).
ACCOUNT_CLOSED_WITH_LAST_MEMBERSHIP = "dernier rattachement désactivé"


def _manageable_organisations(actor: Actor) -> QuerySet[Organisation]:
    organisations = scope_organisations(actor, Organisation.objects.all())
    if actor.is_administrator:
        return organisations
    return organisations.filter(pk__in=actor.family_ids)


def organisation_for_team(*, actor: Actor, public_id: uuid.UUID | str) -> Organisation:
    """The organisation whose team ``actor`` manages: 404 outside the directory, 403 if not theirs."""
    try:
        organisation = scope_organisations(actor, Organisation.objects.select_related("parent")).get(
            public_id=public_id
        )
    except (Organisation.DoesNotExist, ValueError, TypeError) as error:
        raise Http404("Organisation introuvable.") from error
    actor.require(Capability.MANAGE_MEMBERS)
    if not can_manage_members_of(actor, organisation):
        raise PermissionDenied("Vous ne gérez pas l'équipe de cette organisation.")
    return organisation


def team_members(
    *, organisation: Organisation, after: str | None = None, before: str | None = None
) -> KeysetPage[Membership]:
    """Active and deactivated members, by last name then first name (case ignored)."""
    queryset = (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .annotate(sort_last_name=Lower(F("user__last_name")), sort_first_name=Lower(F("user__first_name")))
    )
    return paginate(
        queryset, keys=("sort_last_name", "sort_first_name", "id"), after=after, before=before, size=TEAM_PAGE_SIZE
    )


def pending_invitations(*, organisation: Organisation) -> list[Invitation]:
    """Invitations neither accepted, revoked nor expired, newest first."""
    return list(
        Invitation.objects.filter(
            organisation=organisation,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .select_related("invited_by")
        .order_by("-created_at", "-id")[:PENDING_INVITATIONS_SHOWN]
    )


def team_history(
    *, organisation: Organisation, after: str | None = None, before: str | None = None
) -> KeysetPage[AccountEvent]:
    """The organisation's account events, newest first.

    The keyset paginator seeks ascending keys only; ids grow with time, so the negated id orders the
    events newest first and is unique.
    """
    queryset = (
        AccountEvent.objects.filter(organisation=organisation)
        .select_related("actor", "actor_organisation", "user")
        .annotate(newest_first=-F("id"))
    )
    return paginate(queryset, keys=("newest_first",), after=after, before=before, size=HISTORY_PAGE_SIZE)


def membership_for_manager(*, actor: Actor, public_id: uuid.UUID | str) -> Membership:
    """One membership ``actor`` manages: 403 for a role that manages no one, 404 outside their organisations."""
    actor.require(Capability.MANAGE_MEMBERS)
    try:
        return (
            Membership.objects.filter(organisation__in=_manageable_organisations(actor))
            .select_related("user", "organisation")
            .get(public_id=public_id)
        )
    except (Membership.DoesNotExist, ValueError, TypeError) as error:
        raise Http404("Rattachement introuvable.") from error


def invitation_for_manager(*, actor: Actor, public_id: uuid.UUID | str) -> Invitation:
    """One invitation ``actor`` manages: 403 for a role that manages no one, 404 outside their organisations."""
    actor.require(Capability.MANAGE_MEMBERS)
    try:
        return (
            Invitation.objects.filter(organisation__in=_manageable_organisations(actor))
            .select_related("organisation", "invited_by")
            .get(public_id=public_id)
        )
    except (Invitation.DoesNotExist, ValueError, TypeError) as error:
        raise Http404("Invitation introuvable.") from error


def hash_token(token: str) -> str:
    """What is stored of an invitation's token: its SHA-256, so a database leak gives no usable link."""
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_for_token(*, token: str) -> Invitation | None:
    """The invitation of a link, whatever its state (the service decides whether it may be used)."""
    return invitation_for_token_hash(token_hash=hash_token(token))


def invitation_for_token_hash(*, token_hash: str) -> Invitation | None:
    """The invitation whose token hashes to ``token_hash`` (what the session keeps once the link is opened)."""
    return Invitation.objects.filter(token_hash=token_hash).select_related("organisation", "invited_by").first()


def account_for_email(*, email: str) -> User | None:
    return User.objects.filter(email=email.strip().lower()).first()


def account_closed_with_last_membership(*, user: User) -> bool:
    """Whether ``user``'s account was last closed because their last active membership was deactivated.

    True when the latest opening or closing of the account in its history is the closing written by the
    membership deactivation (``detail`` is ACCOUNT_CLOSED_WITH_LAST_MEMBERSHIP). An account closed any other
    way (an administrator in the Django admin writes no event; a closing logged without the marker) is False.
    """
    latest = (
        AccountEvent.objects.filter(
            user=user,
            action__in=(AccountEvent.Action.ACCOUNT_DEACTIVATED, AccountEvent.Action.ACCOUNT_REACTIVATED),
        )
        .order_by("-created_at", "-id")
        .values_list("action", "detail")
        .first()
    )
    return latest == (AccountEvent.Action.ACCOUNT_DEACTIVATED, ACCOUNT_CLOSED_WITH_LAST_MEMBERSHIP)


def account_reopenable_by(*, actor: Actor, user: User) -> bool:
    """Whether reactivating one of ``user``'s memberships may reopen their account, if it is closed.

    An account closed with its last membership reopens with a membership; one closed by an administrator
    only by an administrator.
    """
    return user.is_active or actor.is_administrator or account_closed_with_last_membership(user=user)
