"""Who is acting, for which organisation, and what they may see and do.

Every selector of every app narrows its querysets through this module, and every view that
changes something asks it first. Two rules, tested for each role in ``tests/test_url_matrix.py``:
- a record outside the actor's scope is *not found* (404: its existence is not revealed);
- an action the actor's role does not allow is *forbidden* (403).
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
from dataclasses import dataclass, field
from typing import TypeVar

from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import OuterRef, Value
from django.db.models.functions import Cast
from django.http import HttpRequest

from common import versioned_cache
from partners.enums import AgreementLevel, OrganisationKind, Role
from partners.models import Agreement, Membership, Organisation, User

ACTING_MEMBERSHIP_SESSION_KEY = "acting_membership"

ModelT = TypeVar("ModelT", bound=models.Model)


class Capability(enum.StrEnum):
    VIEW_DIRECTORY = "view_directory"
    MANAGE_DIRECTORY = "manage_directory"  # create and edit organisations, import the directory
    MANAGE_MEMBERS = "manage_members"  # invite colleagues, change roles, deactivate accounts
    EDIT_CORRESPONDENTS = "edit_correspondents"
    MANAGE_AGREEMENTS = "manage_agreements"  # agreements, amendments, territorial diagnostics
    VIEW_PERSONAL_DATA = "view_personal_data"  # young people's names and files
    REFER = "refer"  # refer a young person to an E2C site
    PROCESS_REFERRALS = "process_referrals"  # acknowledge, invite, enrol (E2C side)
    VIEW_AGGREGATES = "view_aggregates"  # indicators, never a name
    EXPORT_PERSONAL_DATA = "export_personal_data"  # right of access: everything held on one young person
    MONITOR_JOBS = "monitor_jobs"  # outbox and scheduled jobs: states, last runs, retry a failed delivery
    READ_ACCESS_LOG = "read_access_log"  # who read which file (the data protection officer's questions)
    READ_HISTORY = "read_history"  # a file's change history: who changed what, old → new
    MANAGE_RETENTION = "manage_retention"  # retention durations and the anonymisation report


# The one declared table of what each role may do.
ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.ADVISER: frozenset(
        {
            Capability.VIEW_DIRECTORY,
            Capability.VIEW_PERSONAL_DATA,
            Capability.REFER,
            Capability.EXPORT_PERSONAL_DATA,
            Capability.READ_HISTORY,
        }
    ),
    Role.E2C_STAFF: frozenset(
        {
            Capability.VIEW_DIRECTORY,
            Capability.VIEW_PERSONAL_DATA,
            Capability.PROCESS_REFERRALS,
            Capability.EDIT_CORRESPONDENTS,
        }
    ),
    Role.MANAGER: frozenset(
        {
            Capability.VIEW_DIRECTORY,
            Capability.VIEW_PERSONAL_DATA,
            Capability.MANAGE_MEMBERS,
            Capability.EDIT_CORRESPONDENTS,
            Capability.MANAGE_AGREEMENTS,
            Capability.VIEW_AGGREGATES,
            Capability.REFER,
            Capability.PROCESS_REFERRALS,
            Capability.EXPORT_PERSONAL_DATA,
            Capability.READ_HISTORY,
        }
    ),
    Role.REGIONAL_COORDINATOR: frozenset(
        {Capability.VIEW_DIRECTORY, Capability.MANAGE_AGREEMENTS, Capability.VIEW_AGGREGATES}
    ),
    Role.NATIONAL_COMMITTEE: frozenset(
        {Capability.VIEW_DIRECTORY, Capability.MANAGE_AGREEMENTS, Capability.VIEW_AGGREGATES}
    ),
    Role.ADMINISTRATOR: frozenset(
        {
            Capability.VIEW_DIRECTORY,
            Capability.MANAGE_DIRECTORY,
            Capability.MANAGE_MEMBERS,
            Capability.EDIT_CORRESPONDENTS,
            Capability.MANAGE_AGREEMENTS,
            Capability.EXPORT_PERSONAL_DATA,  # the DPO answers right-of-access requests
            Capability.MONITOR_JOBS,
            Capability.READ_ACCESS_LOG,
            Capability.MANAGE_RETENTION,
        }
    ),
}


@dataclass(frozen=True)
class Actor:
    """A signed-in user acting for one of their organisations (or none yet)."""

    user: User
    membership: Membership | None
    _family: list[int] = field(default_factory=list, compare=False, repr=False)

    @property
    def organisation(self) -> Organisation | None:
        return self.membership.organisation if self.membership else None

    @property
    def role(self) -> str | None:
        return self.membership.role if self.membership else None

    def can(self, capability: Capability) -> bool:
        return self.role is not None and capability in ROLE_CAPABILITIES[self.role]

    def require(self, capability: Capability) -> None:
        """403 unless the acting role has ``capability``."""
        if not self.can(capability):
            raise PermissionDenied("Votre rôle ne permet pas cette action.")

    @property
    def family_ids(self) -> list[int]:
        """The acting organisation and the ones under it (an E2C school's sites): a manager's reach."""
        if self.organisation is None:
            return []
        if not self._family:
            children = Organisation.objects.filter(parent_id=self.organisation.pk).values_list("pk", flat=True)
            self._family.extend([self.organisation.pk, *children])
        return self._family

    @property
    def acts_alone(self) -> bool:
        """No organisation under the acting one (a site's team, a Mission Locale): a query of the
        family's organisations would answer with ``self.organisation`` alone, already read with the
        memberships (selectors use it to skip that query)."""
        return self.organisation is not None and self.family_ids == [self.organisation.pk]

    @property
    def is_administrator(self) -> bool:
        return self.role == Role.ADMINISTRATOR


def memberships_of(user: User) -> list[Membership]:
    """Active memberships of ``user`` in active organisations, oldest first (``membership.user`` is
    ``user`` itself: the header's role labels read how to address them without a query each).

    Each carries ``family``: its organisation's id, then its sites' (``Actor.family_ids``), read in the
    same query."""
    memberships = _memberships_read(user)
    for membership in memberships:
        membership.user = user
    return memberships


def _memberships_read(user: User) -> list[Membership]:
    children = Organisation.objects.filter(parent_id=OuterRef("organisation_id")).order_by("sort_name", "pk")
    memberships: list[Membership] = list(
        Membership.objects.filter(user=user, is_active=True, organisation__is_active=True)
        .select_related("organisation")
        .annotate(children=ArraySubquery(children.values("pk")))
        .order_by("created_at", "pk")
    )
    for membership in memberships:
        membership.family = [membership.organisation_id, *membership.__dict__.pop("children")]  # type: ignore[attr-defined]
    return memberships


def _session_cache_key(user: User, session_key: str) -> str:
    # The session key is a bearer secret: only its digest names the cached value.
    return f"actor:{user.pk}:{hashlib.sha256(session_key.encode()).hexdigest()[:32]}"


def memberships_of_session(request: HttpRequest, user: User) -> list[Membership]:
    """``memberships_of(user)``, kept in the cache for this user and session between requests
    (``common.versioned_cache``: any membership's or organisation's change reads them again)."""
    session_key = getattr(request, "session", None) and request.session.session_key
    if not session_key:
        return memberships_of(user)
    memberships = versioned_cache.cached(
        _session_cache_key(user, session_key),
        versions=(versioned_cache.GLOBAL, versioned_cache.user_version(user.pk)),
        compute=lambda: _memberships_read(user),
    )
    for membership in memberships:
        membership.user = user
    return memberships


def prime_session_memberships(sender: object, request: HttpRequest, user: User, **kwargs: object) -> None:
    """At sign-in (``user_logged_in``): the first page finds the memberships already cached."""
    if isinstance(user, User) and getattr(request, "session", None) is not None:
        memberships_of_session(request, user)


def forget_session_memberships(sender: object, request: HttpRequest, user: User | None, **kwargs: object) -> None:
    """At sign-out (``user_logged_out``, before the session is flushed): its cached memberships go."""
    session_key = getattr(request, "session", None) and request.session.session_key
    if isinstance(user, User) and session_key:
        versioned_cache.forget(_session_cache_key(user, session_key))


def actor_for(request: HttpRequest) -> Actor:
    """The actor of this request (cached on it): the membership chosen in the session, else the oldest."""
    cached = getattr(request, "_actor", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise PermissionDenied
    memberships = memberships_of_session(request, user)
    chosen = request.session.get(ACTING_MEMBERSHIP_SESSION_KEY)
    membership = next((m for m in memberships if str(m.public_id) == chosen), None)
    if membership is None and memberships:
        membership = memberships[0]
    family = list(membership.family) if membership is not None else []  # type: ignore[attr-defined]
    actor = Actor(user=user, membership=membership, _family=family)
    request._actor = actor  # type: ignore[attr-defined]
    request._memberships = memberships  # type: ignore[attr-defined]
    return actor


def choose_membership(request: HttpRequest, membership_public_id: str) -> Membership | None:
    """Switch the organisation the user acts for; None if that membership is not theirs and active."""
    user = request.user
    if not isinstance(user, User):
        return None
    membership = next((m for m in memberships_of(user) if str(m.public_id) == membership_public_id), None)
    if membership is not None:
        request.session[ACTING_MEMBERSHIP_SESSION_KEY] = str(membership.public_id)
        for cached in ("_actor", "_memberships"):
            if hasattr(request, cached):
                delattr(request, cached)
    return membership


# --- Scopes -----------------------------------------------------------------------------------


def scope_organisations(actor: Actor, queryset: models.QuerySet[Organisation]) -> models.QuerySet[Organisation]:
    """The directory: every active organisation for any member; inactive ones for administrators."""
    if not actor.can(Capability.VIEW_DIRECTORY):
        return queryset.none()
    if actor.is_administrator:
        return queryset
    return queryset.filter(is_active=True)


def scope_personal_records(
    actor: Actor, queryset: models.QuerySet[ModelT], *, organisation_field: str
) -> models.QuerySet[ModelT]:
    """Records holding personal data, owned by an organisation through ``organisation_field``.

    Advisers and E2C staff see their organisation's records, managers their organisation's and
    its sites'; coordinators, the national committee and administrators see none (aggregates only).
    Later apps call it, e.g. ``scope_personal_records(actor, YoungPerson.objects, organisation_field="organisation")``.
    """
    if not actor.can(Capability.VIEW_PERSONAL_DATA) or actor.organisation is None:
        return queryset.none()
    # Ids typed bigint, like the column: Django writes 140 (an int4), which btree indexes compare
    # with a bigint but btree_gin's (cej's name search index) cannot, before PostgreSQL 19.
    if actor.role == Role.MANAGER:
        return queryset.filter(**{f"{organisation_field}__pk__in": [_bigint(pk) for pk in actor.family_ids]})
    return queryset.filter(**{f"{organisation_field}__pk": _bigint(actor.organisation.pk)})


def _bigint(pk: int) -> Cast:
    return Cast(Value(pk), models.BigIntegerField())


def can_manage_members_of(actor: Actor, organisation: Organisation) -> bool:
    """Managers manage their organisation and its sites; administrators any organisation."""
    if not actor.can(Capability.MANAGE_MEMBERS):
        return False
    return actor.is_administrator or organisation.pk in actor.family_ids


def can_edit_correspondents_of(actor: Actor, organisation: Organisation) -> bool:
    """The pairs of an E2C site are edited by its staff and managers, or by the partner's manager."""
    if not actor.can(Capability.EDIT_CORRESPONDENTS):
        return False
    if actor.is_administrator:
        return True
    if organisation.kind == OrganisationKind.E2C_SITE:
        return organisation.pk in actor.family_ids
    return actor.role == Role.MANAGER and organisation.pk in actor.family_ids


def can_export_referral_files(actor: Actor) -> bool:
    """Managers export their organisation's (or their school's sites') referral files: a bulk export
    of personal data is the organisation's decision, not each adviser's."""
    return actor.role == Role.MANAGER and actor.can(Capability.VIEW_PERSONAL_DATA)


# --- Agreements and territorial diagnostics ----------------------------------------------------


@dataclasses.dataclass(frozen=True)
class AgreementReach:
    """What decides who may edit an agreement: its level, its région and its parties."""

    level: str
    region_id: str | None
    party_ids: frozenset[int]

    @classmethod
    def of(cls, agreement: Agreement) -> AgreementReach:
        return cls(
            level=agreement.level,
            region_id=agreement.region_id,
            party_ids=frozenset(party.pk for party in agreement.parties.all()),
        )


def can_create_agreements(actor: Actor) -> bool:
    """Whether the actor may record some agreement (which ones: :func:`can_edit_agreement`)."""
    return actor.can(Capability.MANAGE_AGREEMENTS)


def can_edit_agreement(actor: Actor, target: Agreement | AgreementReach) -> bool:
    """Who may create or edit an agreement (and add amendments to it).

    - administrators and the national committee: any agreement;
    - regional coordinators: regional and local agreements of their organisation's région;
    - managers (ML, France Travail agency, E2C school or site): local agreements signed by their
      organisation or one of its sites. France Travail agency managers are included: the
      E2C × France Travail partnership has local versions signed by agencies.
    """
    if not actor.can(Capability.MANAGE_AGREEMENTS):
        return False
    if actor.is_administrator or actor.role == Role.NATIONAL_COMMITTEE:
        return True
    reach = target if isinstance(target, AgreementReach) else AgreementReach.of(target)
    if actor.role == Role.REGIONAL_COORDINATOR:
        region_id = actor.organisation.region_id if actor.organisation else None
        return reach.level != AgreementLevel.NATIONAL and region_id is not None and reach.region_id == region_id
    if actor.role == Role.MANAGER:
        return reach.level == AgreementLevel.LOCAL and bool(reach.party_ids & set(actor.family_ids))
    return False


def editable_levels(actor: Actor) -> list[str]:
    """The agreement levels the actor may record at all, for the form's choices."""
    if not can_create_agreements(actor):
        return []
    if actor.is_administrator or actor.role == Role.NATIONAL_COMMITTEE:
        return list(AgreementLevel.values)
    if actor.role == Role.REGIONAL_COORDINATOR:
        return [AgreementLevel.REGIONAL, AgreementLevel.LOCAL]
    return [AgreementLevel.LOCAL]


_DIAGNOSTIC_MANAGER_KINDS = (OrganisationKind.MISSION_LOCALE, OrganisationKind.E2C_SCHOOL, OrganisationKind.E2C_SITE)


def can_create_diagnostics(actor: Actor) -> bool:
    """Whether the actor may record some territorial diagnostic (which ones: :func:`can_edit_diagnostic`)."""
    if not actor.can(Capability.MANAGE_AGREEMENTS):
        return False
    if actor.role == Role.MANAGER:
        return actor.organisation is not None and actor.organisation.kind in _DIAGNOSTIC_MANAGER_KINDS
    return True


def can_edit_diagnostic(actor: Actor, *, mission_locale: Organisation, e2c_site: Organisation) -> bool:
    """Who may record or edit the diagnostic of one ML × E2C site pair.

    Managers of the ML or of the site (an E2C school's manager for its sites), regional
    coordinators of the ML's or the site's région, the national committee, administrators.
    """
    if not actor.can(Capability.MANAGE_AGREEMENTS):
        return False
    if actor.is_administrator or actor.role == Role.NATIONAL_COMMITTEE:
        return True
    if actor.role == Role.REGIONAL_COORDINATOR:
        region_id = actor.organisation.region_id if actor.organisation else None
        return region_id is not None and region_id in (mission_locale.region_id, e2c_site.region_id)
    if actor.role == Role.MANAGER:
        return mission_locale.pk in actor.family_ids or e2c_site.pk in actor.family_ids
    return False


def records_own_region_only(actor: Actor) -> bool:
    """Regional coordinators and managers record agreements of their own région only (the form's choices)."""
    return actor.role in (Role.REGIONAL_COORDINATOR, Role.MANAGER)


def signs_for_own_organisation(actor: Actor) -> bool:
    """A manager's agreement is signed by their organisation: it is a party by default."""
    return actor.role == Role.MANAGER and actor.organisation is not None
