"""Information sessions: plan, change, cancel, register young people, record attendance.

Every write locks the session row first (then the referrals, through ``referral_transition``):
seats are counted under that lock, so concurrent registrations never exceed the capacity and the
waiting list fills freed seats in arrival order. The states of referrals, sessions and
registrations change through their declared tables (``e2c_referrals.workflow``): these services
call the workflow, never the reverse. Messages (``e2c_referrals.recipients``) are outbox
rows written in the same transaction: the partner correspondents hear of every published, changed
or cancelled session; each referring adviser gets one message listing their young people
(cancellation, attendance results).
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Mapping, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from cej.models import restricted
from cej.services.restrictions import require_not_restricted
from e2c_referrals.access import can_manage_session, can_register
from e2c_referrals.enums import (
    INVITABLE_STATUSES,
    Attendance,
    ReferralStatus,
    RegistrationStatus,
    SessionStatus,
    SessionVenue,
)
from e2c_referrals.models import InformationSession, Referral, SessionRegistration
from e2c_referrals.recipients import session_announced, session_told_to_advisers
from e2c_referrals.workflow import TransitionData, fill_waiting_seats, referral_transition
from e2c_referrals.workflow.seats import registered_count
from e2c_referrals.workflow.sessions import (
    SESSION,
    registration_change_state,
    registrations_withdraw,
    session_change_state,
)
from partners.access import Actor, Capability
from partners.enums import OrganisationKind, Role
from partners.french import lower_first
from partners.models import Organisation, User

S = ReferralStatus
R = RegistrationStatus
INVITABLE = INVITABLE_STATUSES
MAX_CAPACITY = 500
PLANNING_HORIZON = datetime.timedelta(days=400)
LONGEST_SESSION = datetime.timedelta(hours=12)


@dataclasses.dataclass(frozen=True)
class SessionData:
    kind: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    venue: str
    address: str
    capacity: int
    registration_deadline: datetime.date
    venue_organisation: Organisation | None = None
    co_hosts: Sequence[User] = ()


def partner_organisations(site: Organisation) -> QuerySet[Organisation]:
    """The MLs and France Travail agencies paired with the site (its correspondents)."""
    return Organisation.objects.filter(
        is_active=True,
        e2c_correspondents__e2c_site=site,
        kind__in=[OrganisationKind.MISSION_LOCALE, OrganisationKind.FRANCE_TRAVAIL],
    ).distinct()


def co_host_choices(site: Organisation) -> QuerySet[User]:
    """E2C staff of the site (or its school) and advisers of its partner organisations."""
    e2c_side = [site.pk] + ([site.parent_id] if site.parent_id else [])
    partners = list(partner_organisations(site).values_list("pk", flat=True))
    return (
        User.objects.filter(is_active=True, memberships__is_active=True)
        .filter(
            Q(memberships__organisation_id__in=e2c_side, memberships__role__in=[Role.E2C_STAFF, Role.MANAGER])
            | Q(memberships__organisation_id__in=partners, memberships__role__in=[Role.ADVISER, Role.MANAGER])
        )
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


# --- Planning -----------------------------------------------------------------------------------


def _check(site: Organisation, data: SessionData, *, registered: int = 0, creating: bool) -> None:
    errors: dict[str, list[str]] = {}
    now = timezone.now()
    if data.starts_at <= now:
        errors["starts_at"] = ["La séance ne peut pas commencer dans le passé."]
    elif data.starts_at - now > PLANNING_HORIZON:
        errors["starts_at"] = ["La séance est à plus d'un an : vérifiez la date."]
    if data.ends_at <= data.starts_at:
        errors["ends_at"] = ["L'heure de fin doit être après l'heure de début."]
    elif data.ends_at - data.starts_at > LONGEST_SESSION:
        errors["ends_at"] = ["Une séance dure au plus 12 heures : vérifiez les heures."]
    if not 1 <= data.capacity <= MAX_CAPACITY:
        errors["capacity"] = [f"Indiquez un nombre de places entre 1 et {MAX_CAPACITY}."]
    elif data.capacity < registered:
        errors["capacity"] = [
            f"{registered} jeunes sont déjà inscrits : la capacité ne peut pas descendre en dessous. "
            "Désinscrivez d'abord ceux qui ne viendront pas."
        ]
    day = timezone.localtime(data.starts_at).date() if "starts_at" not in errors else None
    if day is not None and data.registration_deadline > day:
        errors["registration_deadline"] = ["La date limite d'inscription doit être au plus tard le jour de la séance."]
    elif creating and data.registration_deadline < timezone.localdate():
        errors["registration_deadline"] = ["La date limite d'inscription est déjà passée."]
    if not data.address.strip():
        errors["address"] = ["Indiquez l'adresse de la séance."]
    if data.venue == SessionVenue.PARTNER:
        if data.venue_organisation is None:
            errors["venue_organisation"] = ["Choisissez le partenaire qui accueille la séance."]
        elif not partner_organisations(site).filter(pk=data.venue_organisation.pk).exists():
            errors["venue_organisation"] = ["Ce partenaire n'est pas relié à ce site E2C."]
    allowed = set(co_host_choices(site).filter(pk__in=[user.pk for user in data.co_hosts]).values_list("pk", flat=True))
    if any(user.pk not in allowed for user in data.co_hosts):
        errors["co_hosts"] = ["Les co-animateurs sont choisis dans l'équipe du site et chez ses partenaires."]
    if errors:
        raise ValidationError(errors)


def _apply(session: InformationSession, data: SessionData) -> None:
    session.kind = data.kind
    session.starts_at, session.ends_at = data.starts_at, data.ends_at
    session.venue = data.venue
    session.venue_organisation = data.venue_organisation if data.venue == SessionVenue.PARTNER else None
    session.address = data.address.strip()
    session.capacity = data.capacity
    session.registration_deadline = data.registration_deadline


@transaction.atomic
def session_create(*, actor: Actor, site: Organisation, data: SessionData) -> InformationSession:
    """Plan a session. Side effects: the site's partner correspondents are notified (outbox)."""
    if not (actor.can(Capability.PROCESS_REFERRALS) and site.pk in actor.family_ids):
        raise PermissionDenied("Seule l'équipe du site E2C programme ses séances.")
    if site.kind != OrganisationKind.E2C_SITE:
        raise ValidationError({"e2c_site": ["Choisissez un site E2C."]})
    _check(site, data, creating=True)
    session = InformationSession(e2c_site=site, created_by=actor.user)
    _apply(session, data)
    session.save()
    session.co_hosts.set(data.co_hosts)
    session_announced(session, event="published")
    return session


def _locked(session: InformationSession) -> InformationSession:
    return InformationSession.objects.select_for_update(of=("self",)).select_related("e2c_site").get(pk=session.pk)


@transaction.atomic
def session_update(*, actor: Actor, session: InformationSession, data: SessionData) -> InformationSession:
    """Change a planned session. Side effects: ``sequence`` bumped (calendars update), freed
    capacity filled from the waiting list, correspondents and co-hosts notified, and the advisers
    of the registered young people (one message each, listing them) (outbox)."""
    locked = _locked(session)
    if not can_manage_session(actor, locked):
        raise PermissionDenied("Seule l'équipe du site E2C modifie ses séances.")
    if locked.status != SessionStatus.PLANNED:
        raise ValidationError(
            f"Cette séance est « {lower_first(locked.get_status_display())} » : elle ne se modifie plus."
        )
    _check(locked.e2c_site, data, registered=registered_count(locked), creating=False)
    _apply(locked, data)
    locked.sequence += 1
    locked.save()
    locked.co_hosts.set(data.co_hosts)
    fill_waiting_seats(actor=actor, session_id=locked.pk)
    session_announced(locked, event="changed")
    seated = locked.registrations.filter(status=R.REGISTERED).select_related("referral")
    session_told_to_advisers(locked, [seat.referral for seat in seated], event="changed")
    return locked


@transaction.atomic
def session_cancel(*, actor: Actor, session: InformationSession, reason: str) -> InformationSession:
    """Cancel a planned session.

    Side effects: every registered young person's referral goes back to « prise en compte » (free
    to be invited to another session), waiting-list entries lapse, each referring adviser gets one
    message listing their young people, the partner correspondents and co-hosts are notified.
    """
    locked = _locked(session)
    if not can_manage_session(actor, locked):
        raise PermissionDenied("Seule l'équipe du site E2C annule ses séances.")
    if not reason.strip():
        raise ValidationError({"reason": ["Indiquez le motif de l'annulation : il est transmis aux partenaires."]})
    if not SESSION.allows(locked.status, SessionStatus.CANCELLED):
        raise ValidationError(f"Cette séance est déjà « {lower_first(locked.get_status_display())} ».")
    reason = reason.strip()[:500]
    seats = list(locked.registrations.filter(status=R.REGISTERED).select_related("referral").order_by("referral_id"))
    for seat in seats:
        referral_transition(
            actor=actor,
            referral=seat.referral,
            to=S.ACKNOWLEDGED,
            data=TransitionData(session=locked, reason=f"Séance annulée : {reason}"[:500]),
            notify=False,
        )
    registrations_withdraw(locked.registrations.all(), actor=actor, reason="Séance annulée")
    session_change_state(
        actor=actor,
        session=locked,
        to=SessionStatus.CANCELLED,
        reason=reason,
        fields={"cancellation_reason": reason, "sequence": locked.sequence + 1},
    )
    session_told_to_advisers(locked, [seat.referral for seat in seats], event="cancelled")
    session_announced(locked, event="cancelled")
    return locked


# --- Registrations ------------------------------------------------------------------------------


@transaction.atomic
def registration_create(*, actor: Actor, session: InformationSession, referral: Referral) -> SessionRegistration:
    """Register a referred young person: a seat if one is left (the referral becomes « invité(e) »),
    else a place on the waiting list, in arrival order.

    Side effects: the referral's transition (and its outbox message to the other side).
    """
    locked = _locked(session)
    # Locked before the checks: the same young person registered to two sessions at once waits here.
    referral = Referral.objects.select_for_update(of=("self",)).select_related("e2c_site").get(pk=referral.pk)
    if referral.e2c_site_id != locked.e2c_site_id:
        raise ValidationError(
            {"referral": [f"Ce jeune n'a pas d'orientation vers {locked.e2c_site} : orientez-le d'abord vers ce site."]}
        )
    if not can_register(actor, referral):
        raise PermissionDenied("Seuls le prescripteur et l'équipe du site E2C inscrivent ce jeune.")
    require_not_restricted(referral.young_person_id)
    if locked.status != SessionStatus.PLANNED:
        raise ValidationError(
            f"Cette séance est « {lower_first(locked.get_status_display())} » : inscription impossible."
        )
    if locked.starts_at <= timezone.now():
        raise ValidationError("Cette séance a déjà commencé : inscription impossible.")
    if locked.registration_deadline < timezone.localdate():
        raise ValidationError(
            f"Les inscriptions sont closes depuis le {locked.registration_deadline:%d/%m/%Y}. "
            "Contactez l'E2C ou choisissez une autre séance."
        )
    if locked.registrations.filter(referral=referral, status__in=[R.REGISTERED, R.WAITING]).exists():
        raise ValidationError({"referral": ["Ce jeune est déjà inscrit à cette séance (ou sur sa liste d'attente)."]})
    if referral.status not in INVITABLE:
        raise ValidationError(
            {
                "referral": [
                    f"L'orientation est « {lower_first(referral.get_status_display())} » : seule une orientation prise "
                    "en compte par l'E2C (ou après une absence) s'inscrit à une séance."
                ]
            }
        )
    if registered_count(locked) < locked.capacity:
        registration = SessionRegistration.objects.create(
            session=locked, referral=referral, status=R.REGISTERED, registered_by=actor.user
        )
        referral_transition(actor=actor, referral=referral, to=S.INVITED, data=TransitionData(session=locked))
        return registration
    return SessionRegistration.objects.create(
        session=locked, referral=referral, status=R.WAITING, registered_by=actor.user
    )


@transaction.atomic
def registration_withdraw(*, actor: Actor, registration: SessionRegistration, reason: str = "") -> SessionRegistration:
    """Take a young person off a session (or its waiting list). The referral goes back to « prise en
    compte »; the freed seat goes to the first of the waiting list (whose adviser is told)."""
    locked_session = _locked(registration.session)
    seat = SessionRegistration.objects.select_related("referral").get(pk=registration.pk)
    if not can_register(actor, seat.referral):
        raise PermissionDenied("Seuls le prescripteur et l'équipe du site E2C désinscrivent ce jeune.")
    if seat.status == R.WITHDRAWN or seat.attendance:
        raise ValidationError("Cette inscription n'est plus en cours : rien à annuler.")
    if locked_session.status != SessionStatus.PLANNED:
        raise ValidationError("La séance n'est plus prévue : l'inscription ne se modifie plus.")
    was_seated = seat.status == R.REGISTERED
    registration_change_state(
        actor=actor, registration=seat, to=R.WITHDRAWN, reason=(reason.strip() or "Désinscription")[:300]
    )
    if was_seated:
        referral_transition(
            actor=actor,
            referral=seat.referral,
            to=S.ACKNOWLEDGED,
            data=TransitionData(session=locked_session, reason=seat.withdrawn_reason),
        )
        fill_waiting_seats(actor=actor, session_id=locked_session.pk)
    return seat


# --- Attendance ---------------------------------------------------------------------------------


@transaction.atomic
def attendance_record(*, actor: Actor, session: InformationSession, marks: Mapping[str, str]) -> InformationSession:
    """Record present / absent / excused for every registered young person, once, after the start.

    ``marks`` maps registration public ids to an ``Attendance`` value. Side effects: referrals move
    to « présent(e) » or « absent(e) », the session becomes « tenue », the waiting list lapses, and
    each referring adviser gets ONE message listing their young people's attendance.
    """
    locked = _locked(session)
    if not can_manage_session(actor, locked):
        raise PermissionDenied("Seule l'équipe du site E2C enregistre les présences.")
    if not SESSION.allows(locked.status, SessionStatus.HELD):
        raise ValidationError(
            f"Cette séance est « {lower_first(locked.get_status_display())} » : les présences ne se saisissent plus."
        )
    if locked.starts_at > timezone.now():
        raise ValidationError("Les présences se saisissent une fois la séance commencée.")
    # A restricted file (RGPD article 18) is left out: its seat stays without attendance, which the
    # site records from the referral's page once the restriction is lifted.
    seats = list(
        locked.registrations.filter(status=R.REGISTERED, attendance="")
        .exclude(restricted("referral__young_person_id"))
        .select_related("referral")
        .order_by("id")
    )
    missing = [seat for seat in seats if marks.get(str(seat.public_id)) not in Attendance.values]
    if missing:
        raise ValidationError(f"Indiquez la présence de chaque jeune inscrit ({len(missing)} sans réponse).")
    for seat in seats:
        mark = marks[str(seat.public_id)]
        seat.attendance = mark
        seat.save(update_fields=["attendance"])
        referral_transition(
            actor=actor,
            referral=seat.referral,
            to=S.ATTENDED if mark == Attendance.PRESENT else S.NO_SHOW,
            data=TransitionData(session=locked, reason="Absence excusée" if mark == Attendance.EXCUSED else ""),
            notify=False,
        )
    registrations_withdraw(
        locked.registrations.filter(status=R.WAITING), actor=actor, reason="Séance tenue sans place libérée"
    )
    session_change_state(actor=actor, session=locked, to=SessionStatus.HELD)
    attended = list(locked.registrations.filter(status=R.REGISTERED).exclude(attendance="").select_related("referral"))
    session_told_to_advisers(locked, [seat.referral for seat in attended], event="results", seats=attended)
    return locked
