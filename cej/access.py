"""Who may see and do what on young people's files: one function per question.

Views and services ask here and never re-derive a rule. What a file's *state* allows (a restricted
file, a contract's status) is answered by ``cej.services.restrictions`` and ``cej.workflow``; these
functions answer for the actor.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from cej.models import YoungPerson
from partners.access import Actor, Capability
from partners.enums import OrganisationKind, Role
from partners.models import User

FILE_HOLDER_KINDS = (OrganisationKind.MISSION_LOCALE, OrganisationKind.FRANCE_TRAVAIL)

FILE_HOLDERS_ONLY = (
    "Seuls les conseillers et responsables d'une Mission Locale ou de France Travail tiennent des dossiers de jeunes."
)
PACEA_ML_ONLY = "Le PACEA est un contrat des Missions Locales : France Travail ne peut pas en signer."
LIFT_REFUSED = "Seuls les responsables de la structure référente, ou un administrateur, lèvent une limitation."
RESTRICT_REFUSED = (
    "Seuls les conseillers et responsables de la structure référente, ou un administrateur, "
    "limitent le traitement d'un dossier."
)
RESTRICTION_PAGE_REFUSED = "Votre rôle ne permet pas de limiter le traitement de ce dossier."


def can_hold_files(actor: Actor) -> bool:
    """Young people's files are opened by advisers and managers of a Mission Locale or France Travail agency."""
    return (
        actor.can(Capability.VIEW_PERSONAL_DATA)
        and actor.role in (Role.ADVISER, Role.MANAGER)
        and actor.organisation is not None
        and actor.organisation.kind in FILE_HOLDER_KINDS
    )


def require_file_holder(actor: Actor) -> None:
    if not can_hold_files(actor):
        raise PermissionDenied(FILE_HOLDERS_ONLY)


def can_edit_file(actor: Actor, *, restricted: bool) -> bool:
    """A file holder changes a file unless its processing is restricted (RGPD article 18): then the
    file is read, not changed, and its pages offer no action."""
    return can_hold_files(actor) and not restricted


def can_sign_pacea(actor: Actor) -> bool:
    """File holders of a Mission Locale (not France Travail) sign PACEA."""
    return (
        can_hold_files(actor)
        and actor.organisation is not None
        and actor.organisation.kind == OrganisationKind.MISSION_LOCALE
    )


def require_pacea_signer(actor: Actor) -> None:
    require_file_holder(actor)
    if not can_sign_pacea(actor):
        raise PermissionDenied(PACEA_ML_ONLY)


def can_restrict(actor: Actor, young_person: YoungPerson) -> bool:
    """The referent structure's advisers and managers (those who edit the file), and administrators
    (the DPO answers requests for any file)."""
    if actor.is_administrator:
        return True
    return can_hold_files(actor) and young_person.organisation_id in actor.family_ids


def can_lift(actor: Actor, young_person: YoungPerson) -> bool:
    """Lifting answers the person's request (and may follow a dispute over what an adviser wrote): the
    referent structure's managers and administrators, not its advisers."""
    if actor.is_administrator:
        return True
    return actor.role == Role.MANAGER and can_restrict(actor, young_person)


def require_can_restrict(actor: Actor, young_person: YoungPerson) -> None:
    if not can_restrict(actor, young_person):
        raise PermissionDenied(RESTRICT_REFUSED)


def require_can_lift(actor: Actor, young_person: YoungPerson) -> None:
    if not can_lift(actor, young_person):
        raise PermissionDenied(LIFT_REFUSED)


def require_restriction_page(actor: Actor, young_person: YoungPerson, *, lift: bool) -> None:
    """The restriction pages: those who may restrict the file, and for the lifting page those who may lift."""
    if lift:
        require_can_lift(actor, young_person)
    if not can_restrict(actor, young_person):
        raise PermissionDenied(RESTRICTION_PAGE_REFUSED)


def default_referent(actor: Actor, young_person: YoungPerson) -> User | None:
    """The referent a new contract proposes: the adviser signing it, else the file's referent."""
    return actor.user if actor.role == Role.ADVISER else young_person.referent
