"""Who may see and do what on referrals, sessions, hand-backs, immersions and feeds.

One function per question; views, templates (through their views), selectors and services ask here
and never re-derive a rule. The referral's sides come from ONE rule (``SIDE_ROLES`` and the
organisation on that side) used both by the scoped selector and by the transition service; the moves
a page offers come from the declared table (``e2c_referrals.workflow``), each refused one with why.
"""

from __future__ import annotations

import dataclasses
import enum

from django.db.models import Q
from django.utils import timezone

from cej.enums import SharedData
from cej.selectors.consents import consent_in_force
from e2c_referrals.enums import ReferralStatus, RegistrationStatus, SessionStatus
from e2c_referrals.models import HandBack, InformationSession, Referral, SessionRegistration
from e2c_referrals.selectors.consents import site_consents
from e2c_referrals.workflow.sessions import SESSION
from e2c_referrals.workflow.table import STOPPING_MOVES, TRANSITIONS, Field, Move, Side
from partners.access import Actor, Capability
from partners.enums import OrganisationKind, Role
from partners.french import lower_first

REFERRING_KINDS = (OrganisationKind.MISSION_LOCALE, OrganisationKind.FRANCE_TRAVAIL)
E2C_KINDS = (OrganisationKind.E2C_SITE, OrganisationKind.E2C_SCHOOL)
# Attachments are added before the information session (the service checks the same states).
OPEN_FOR_ATTACHMENTS = frozenset({ReferralStatus.DRAFT, ReferralStatus.SENT, ReferralStatus.ACKNOWLEDGED})


# --- The sides of a referral: the one rule ----------------------------------------------------------

# Which roles act for which side: advisers and managers of the referring organisation, staff and
# managers of the E2C site (or of its school). The organisation on each side is the referral's
# ``referring_organisation`` / ``e2c_site``, matched against the actor's family (their organisation
# and its sites).
SIDE_ROLES: dict[Side, frozenset[str]] = {
    Side.REFERRER: frozenset({Role.ADVISER, Role.MANAGER}),
    Side.E2C: frozenset({Role.E2C_STAFF, Role.MANAGER}),
}


def sides_of(actor: Actor, referral: Referral) -> set[Side]:
    """Which side(s) of this referral the actor stands on (none: the referral is not theirs)."""
    family = set(actor.family_ids)
    sides = set()
    if actor.role in SIDE_ROLES[Side.REFERRER] and referral.referring_organisation_id in family:
        sides.add(Side.REFERRER)
    if actor.role in SIDE_ROLES[Side.E2C] and referral.e2c_site_id in family:
        sides.add(Side.E2C)
    return sides


def on_referrer_side(actor: Actor, referral: Referral) -> bool:
    return Side.REFERRER in sides_of(actor, referral)


def on_e2c_side(actor: Actor, referral: Referral) -> bool:
    return Side.E2C in sides_of(actor, referral)


def referrals_condition(actor: Actor) -> Q:
    """The same rule as a filter: the referrals the actor stands on a side of (the E2C side never
    sees a draft: it has not been sent). Matches nothing for roles on neither side."""
    family = actor.family_ids
    condition = Q(pk__in=[])
    if actor.role in SIDE_ROLES[Side.REFERRER]:
        condition |= Q(referring_organisation_id__in=family)
    if actor.role in SIDE_ROLES[Side.E2C]:
        condition |= Q(e2c_site_id__in=family) & ~Q(status=ReferralStatus.DRAFT)
    return condition


# --- The moves offered on a referral ------------------------------------------------------------------


class Refusal(enum.Enum):
    SESSION_PAGE = "session_page"  # made on the session pages (seats are counted there)
    OTHER_SIDE = "other_side"  # only the other side of the referral makes it
    RESTRICTED = "restricted"  # the file is restricted (RGPD article 18): only the moves that stop processing


@dataclasses.dataclass(frozen=True)
class MoveOffer:
    """One move of the table from the referral's current state, as this actor is offered it."""

    to: str
    move: Move
    refusal: Refusal | None = None

    @property
    def offered(self) -> bool:
        return self.refusal is None

    @property
    def on_registration_page(self) -> bool:
        """The invitation is made by choosing a session (the referral's registration page)."""
        return Field.SESSION in self.move.requires

    @property
    def reason(self) -> str:
        """Why it is refused, in the words shown to the user ("" when offered)."""
        if self.refusal is Refusal.SESSION_PAGE:
            return "Ce changement se fait depuis la page de la séance."
        if self.refusal is Refusal.OTHER_SIDE:
            who = "l'équipe de l'E2C" if self.move.side is Side.E2C else "le conseiller prescripteur"
            return f"Seul {who} peut faire ce changement."
        if self.refusal is Refusal.RESTRICTED:
            return "Ce dossier est en traitement limité (RGPD, article 18) : ce changement attend la levée."
        return ""


def referral_moves(actor: Actor, referral: Referral, *, restricted: bool = False) -> dict[str, MoveOffer]:
    """Every move the table has from the referral's current state, offered or refused (and why).

    A move absent from the answer is not in the table from this state (someone may have moved the
    referral meanwhile). Session moves are made on the session pages, except the invitation, offered
    through the referral's registration page; while the file is restricted (``restricted``), only the
    moves that stop processing are offered.
    """
    sides = sides_of(actor, referral)
    offers = {}
    for (origin, to), found in TRANSITIONS.items():
        if origin != referral.status:
            continue
        on_side = bool(sides) if found.side is Side.EITHER else found.side in sides
        refusal = None
        if Field.SESSION in found.requires and not (to == ReferralStatus.INVITED and on_side):
            refusal = Refusal.SESSION_PAGE
        elif not on_side:
            refusal = Refusal.OTHER_SIDE
        elif restricted and (origin, to) not in STOPPING_MOVES:
            refusal = Refusal.RESTRICTED
        offers[to] = MoveOffer(to=to, move=found, refusal=refusal)
    return offers


# --- Referrals, attachments, news, hand-backs ---------------------------------------------------------


def can_use_inbox(actor: Actor) -> bool:
    """E2C staff and managers of an E2C school or site."""
    return (
        actor.can(Capability.PROCESS_REFERRALS)
        and actor.role in (Role.E2C_STAFF, Role.MANAGER)
        and actor.organisation is not None
        and actor.organisation.is_e2c
    )


def can_refer(actor: Actor) -> bool:
    """Advisers and managers of a Mission Locale or a France Travail agency (they hold the files)."""
    return (
        actor.can(Capability.REFER)
        and actor.role in (Role.ADVISER, Role.MANAGER)
        and actor.organisation is not None
        and actor.organisation.kind in REFERRING_KINDS
    )


def is_referrer_of(actor: Actor, referral: Referral) -> bool:
    """The actor refers for this referral's organisation: they hold the file (consents, attachments)."""
    return can_refer(actor) and on_referrer_side(actor, referral)


def can_add_attachments(actor: Actor, referral: Referral) -> bool:
    return is_referrer_of(actor, referral) and referral.status in OPEN_FOR_ATTACHMENTS


def can_see_attachments(actor: Actor, referral: Referral) -> bool:
    """The referrer always; the E2C side only while a valid consent covers the diagnostic.

    Documents (CV, reports) go with the adviser's diagnostic: the young person who did not agree
    to share the diagnostic with this site did not agree to share the documents either.
    """
    if on_referrer_side(actor, referral):
        return True
    if not on_e2c_side(actor, referral):
        return False
    consent = consent_in_force(site_consents(referral))
    return consent is not None and SharedData.DIAGNOSTIC in consent.shared_data


def can_add_news(actor: Actor, referral: Referral) -> bool:
    """Either side of an exited referral (the news may be noted late, dated within the 12 months)."""
    return (
        referral.status == ReferralStatus.EXITED and referral.exited_on is not None and bool(sides_of(actor, referral))
    )


def can_handle(actor: Actor, hand_back: HandBack) -> bool:
    """Advisers and managers of the organisation the young person comes back to."""
    return (
        actor.can(Capability.VIEW_PERSONAL_DATA)
        and actor.role in (Role.ADVISER, Role.MANAGER)
        and hand_back.organisation_id in actor.family_ids
    )


# --- Information sessions, immersions, calendar feeds -----------------------------------------------


def can_see_session_pages(actor: Actor) -> bool:
    """Sessions concern the advisers and managers of MLs / agencies and the E2C teams."""
    return actor.can(Capability.VIEW_PERSONAL_DATA) and actor.organisation is not None


def can_plan_sessions(actor: Actor) -> bool:
    return actor.can(Capability.PROCESS_REFERRALS) and bool(actor.organisation and actor.organisation.is_e2c)


def can_manage_session(actor: Actor, session: InformationSession) -> bool:
    """E2C staff and managers of the session's site or of its school."""
    return actor.can(Capability.PROCESS_REFERRALS) and session.e2c_site_id in actor.family_ids


def session_is_planned(session: InformationSession) -> bool:
    """Still ahead in its table (planned): changed, cancelled, registered to, its attendance taken."""
    return bool(SESSION.moves_from(session.status))


def session_edit_refusal(session: InformationSession) -> str | None:
    """Why the session can no longer be changed, or None."""
    if session_is_planned(session):
        return None
    return f"Cette séance est « {lower_first(session.get_status_display())} » : elle ne se modifie plus."


def session_cancel_refusal(session: InformationSession) -> str | None:
    """Why the session cannot be cancelled (the table has no such move from its state), or None."""
    if SESSION.allows(session.status, SessionStatus.CANCELLED):
        return None
    return f"Cette séance est déjà « {lower_first(session.get_status_display())} »."


def attendance_already_settled(session: InformationSession) -> bool:
    """The attendance was taken (the session is held) or the session is cancelled: no move to « held »."""
    return not SESSION.allows(session.status, SessionStatus.HELD)


def is_open_to_registration(session: InformationSession) -> bool:
    """Planned, not started, and its registration deadline not passed."""
    return (
        session_is_planned(session)
        and session.starts_at > timezone.now()
        and session.registration_deadline >= timezone.localdate()
    )


def can_record_attendance(actor: Actor, session: InformationSession) -> bool:
    """The site's team, once the planned session has started."""
    return (
        can_manage_session(actor, session)
        and session.status == SessionStatus.PLANNED
        and session.starts_at <= timezone.now()
    )


def can_withdraw(actor: Actor, registration: SessionRegistration, session: InformationSession) -> bool:
    """A seat or a waiting-list place not yet marked, of a planned session, by those who register."""
    return (
        registration.status != RegistrationStatus.WITHDRAWN
        and not registration.attendance
        and session.status == SessionStatus.PLANNED
        and can_register(actor, registration.referral)
    )


def can_register(actor: Actor, referral: Referral) -> bool:
    sides = sides_of(actor, referral)
    return (Side.REFERRER in sides and actor.can(Capability.REFER)) or (
        Side.E2C in sides and actor.can(Capability.PROCESS_REFERRALS)
    )


def can_record_immersions(actor: Actor) -> bool:
    organisation = actor.organisation
    return (
        organisation is not None
        and organisation.kind in (*REFERRING_KINDS, *E2C_KINDS)
        and (actor.can(Capability.REFER) or actor.can(Capability.PROCESS_REFERRALS))
    )


def can_regenerate_feed(actor: Actor) -> bool:
    return actor.can(Capability.MANAGE_MEMBERS) and actor.organisation is not None and not actor.is_administrator
