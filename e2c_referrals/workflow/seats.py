"""Seats of information sessions: what a referral's move does to the seat it held, and the waiting
list that fills a freed seat.

Called with the session locked (by the session services, or by ``referral_transition``, which
locks the session of the seat before the referral). This module never moves a referral itself:
the promoted referral's invitation is the ``invite`` function its caller passes in (the workflow's
``referral_transition``), so the workflow calls the seats and the seats do not call it back.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone

from cej.services.restrictions import is_restricted
from e2c_referrals.enums import INVITABLE_STATUSES, Attendance, ReferralStatus, RegistrationStatus, SessionStatus
from e2c_referrals.models import InformationSession, Referral, SessionRegistration
from e2c_referrals.workflow.sessions import registration_change_state, registrations_withdraw
from partners.access import Actor
from partners.french import lower_first
from texthygiene.text import clip

S = ReferralStatus
R = RegistrationStatus

# Invites ``referral`` to ``session`` (the referral's move to « invité(e) »), for a seat freed by
# someone else's action: a consequence of that action.
Invite = Callable[[Referral, InformationSession], object]


def held_seat_session_id(referral: Referral) -> int | None:
    """The session where the referral holds a seat not yet attended, if any."""
    return (
        SessionRegistration.objects.filter(referral_id=referral.pk, status=R.REGISTERED, attendance="")
        .values_list("session_id", flat=True)
        .first()
    )


def seat_settle(referral: Referral, *, origin: str, to: str, actor: Actor, invite: Invite) -> None:
    """A move made outside the session pages: note the attendance, or free the seat it held (the
    waiting list fills it).

    Waiting-list entries lapse once the referral is no longer waiting for an invitation.
    """
    if to not in (S.ACKNOWLEDGED, S.NO_SHOW):
        registrations_withdraw(
            SessionRegistration.objects.filter(referral_id=referral.pk, status=R.WAITING),
            actor=actor,
            reason="Orientation " + S(to).label,
        )
    if origin != S.INVITED:
        return
    seat = SessionRegistration.objects.filter(referral_id=referral.pk, status=R.REGISTERED, attendance="").first()
    if seat is None:
        return
    if to in (S.ATTENDED, S.NO_SHOW):
        seat.attendance = Attendance.PRESENT if to == S.ATTENDED else Attendance.ABSENT
        seat.save(update_fields=["attendance"])
        return
    registration_change_state(
        actor=actor,
        registration=seat,
        to=R.WITHDRAWN,
        reason=clip(f"Orientation : {lower_first(S(to).label)}", 300),
    )
    fill_from_waiting_list(actor=actor, session_id=seat.session_id, invite=invite)


def registered_count(session: InformationSession) -> int:
    """The seats taken (counted under the session's lock by every caller)."""
    return session.registrations.filter(status=R.REGISTERED).count()


def fill_from_waiting_list(*, actor: Actor, session_id: int, invite: Invite) -> list[SessionRegistration]:
    """Give the free seats of a planned session to the waiting list, first come first served.

    Called with the session locked (by the session services or ``referral_transition``). Entries
    whose referral moved on meanwhile lapse; those of a restricted file (RGPD article 18) are passed
    over and keep their place. Each promoted referral is invited through ``invite``, its move logged
    with the actor whose action freed the seat; its adviser hears of it through the referral's message.
    """
    session = InformationSession.objects.select_for_update().get(pk=session_id)
    if session.status != SessionStatus.PLANNED or session.starts_at <= timezone.now():
        return []
    promoted: list[SessionRegistration] = []
    free = session.capacity - registered_count(session)
    queue = session.registrations.filter(status=R.WAITING).select_related("referral").order_by("created_at", "id")
    for entry in queue:
        if free <= 0:
            break
        referral = Referral.objects.select_for_update().get(pk=entry.referral_id)
        if is_restricted(referral.young_person_id):
            continue
        busy = SessionRegistration.objects.filter(referral=referral, status=R.REGISTERED, attendance="").exists()
        if referral.status not in INVITABLE_STATUSES or busy:
            registration_change_state(
                actor=actor, registration=entry, to=R.WITHDRAWN, reason="L'orientation a évolué entre-temps"
            )
            continue
        registration_change_state(actor=actor, registration=entry, to=R.REGISTERED)
        invite(referral, session)
        promoted.append(entry)
        free -= 1
    return promoted
