"""The referral's life: ONE declared table of transitions, and the one service that applies them.

Every status change goes through ``referral_transition``: it locks the referral row, checks the
table (is this move allowed from the current state, by this side, with these fields), writes the
transition log, and has the consequences made in the same transaction: the hand-back tasks the
accord-cadre asks for (``e2c_referrals.services.hand_backs``), the information-session seat
(``e2c_referrals.workflow.seats``) and the outbox messages (``e2c_referrals.recipients``).
Two people making the same move at once: the second waits for the row lock, then finds the state
already changed and gets a clear refusal.
"""

from __future__ import annotations

import dataclasses
import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cej.selectors.consents import current_consent
from cej.services.restrictions import hold_file, require_not_restricted
from cej.services.structuring_steps import e2c_programme_report
from cej.services.young_people import record_event
from e2c_referrals.access import sides_of
from e2c_referrals.enums import ExitOutcome, NotAdmittedReason, ReferralStatus
from e2c_referrals.models import InformationSession, Referral, ReferralTransition, SessionRegistration
from e2c_referrals.recipients import referral_moved
from e2c_referrals.services.hand_backs import hand_backs_after_move
from e2c_referrals.workflow.seats import Invite, fill_from_waiting_list, held_seat_session_id, seat_settle
from e2c_referrals.workflow.table import STOPPING_MOVES, TRANSITIONS, Field, Move, Side
from partners.access import Actor
from partners.french import lower_first

S = ReferralStatus

INTEGRATION_MIN, INTEGRATION_MAX = datetime.timedelta(weeks=3), datetime.timedelta(weeks=6)


@dataclasses.dataclass(frozen=True)
class TransitionData:
    reason: str = ""
    not_admitted_reason: str = ""
    integration_starts_on: datetime.date | None = None
    integration_planned_end_on: datetime.date | None = None
    enrolled_on: datetime.date | None = None
    exited_on: datetime.date | None = None
    exit_outcome: str = ""
    skills_certificate_issued: bool = False
    session: InformationSession | None = None


def _check_fields(move_: Move, data: TransitionData, referral: Referral) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if Field.SESSION in move_.requires and (data.session is None or data.session.e2c_site_id != referral.e2c_site_id):
        errors["session"] = ["Choisissez une séance d'information collective de ce site."]
    if Field.REASON in move_.requires and not data.reason.strip():
        errors["reason"] = ["Indiquez le motif."]
    if Field.NOT_ADMITTED_REASON in move_.requires and data.not_admitted_reason not in NotAdmittedReason.values:
        errors["not_admitted_reason"] = ["Choisissez le motif de non-admission."]
    other_reason = Field.NOT_ADMITTED_REASON in move_.requires and data.not_admitted_reason == NotAdmittedReason.OTHER
    if other_reason and not data.reason.strip():
        errors["reason"] = ["Précisez le motif."]
    if Field.INTEGRATION in move_.requires:
        start, end = data.integration_starts_on, data.integration_planned_end_on
        if start is None or end is None:
            errors["integration_starts_on"] = ["Indiquez le début et la fin prévue de la période d'intégration."]
        elif abs((start - today).days) > 366:
            # Checked first: no date arithmetic on a start near year 9999 (OverflowError).
            errors["integration_starts_on"] = ["Cette date est à plus d'un an d'aujourd'hui."]
        elif not INTEGRATION_MIN <= end - start <= INTEGRATION_MAX:
            errors["integration_planned_end_on"] = [
                "La période d'intégration dure de 3 à 6 semaines : fin prévue entre le "
                f"{start + INTEGRATION_MIN:%d/%m/%Y} et le {start + INTEGRATION_MAX:%d/%m/%Y}."
            ]
    if Field.ENROLLED_ON in move_.requires:
        if data.enrolled_on is None:
            errors["enrolled_on"] = ["Indiquez la date d'entrée en parcours."]
        elif data.enrolled_on > today:
            errors["enrolled_on"] = ["L'entrée en parcours se confirme une fois faite : la date est dans le futur."]
        elif referral.integration_starts_on and data.enrolled_on < referral.integration_starts_on:
            errors["enrolled_on"] = ["L'entrée en parcours ne peut pas précéder la période d'intégration."]
    if Field.EXIT in move_.requires:
        if data.exit_outcome not in ExitOutcome.values:
            errors["exit_outcome"] = ["Choisissez la situation à la sortie."]
        if data.exited_on is None:
            errors["exited_on"] = ["Indiquez la date de sortie."]
        elif data.exited_on > today:
            errors["exited_on"] = ["La date de sortie est dans le futur."]
        elif referral.enrolled_on and data.exited_on < referral.enrolled_on:
            errors["exited_on"] = ["La sortie ne peut pas précéder l'entrée en parcours."]
    return errors


@transaction.atomic
def referral_transition(
    *,
    actor: Actor,
    referral: Referral,
    to: str,
    data: TransitionData | None = None,
    notify: bool = True,
    consequence: bool = False,
) -> ReferralTransition:
    """Move ``referral`` to ``to`` if the table allows it for this actor, with the required fields.

    Side effects (same transaction): the transition log row, the file's history, hand-back tasks
    (not admitted, withdrawn, drop-out, non-positive exit, registration with the nearest ML),
    the information-session seat it held (attendance noted, or the seat freed for the waiting
    list) and outbox messages to the other side (unless ``notify`` is False: the session services
    send one grouped message per adviser instead).

    ``consequence``: the move follows from another person's action on the session (a seat freed
    by someone else fills from the waiting list): the actor is logged, the side check is skipped.
    """
    data = data or TransitionData()
    hold_file(referral.young_person_id)  # the file first, as erasure and anonymisation lock it
    # Seats are counted under the session's lock, taken before the referral's (the order of the
    # session services), so that freeing a seat here never deadlocks with a registration.
    held = held_seat_session_id(referral) if data.session is None else None
    if held is not None:
        InformationSession.objects.select_for_update().filter(pk=held).first()
    locked = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("young_person", "cej_contract", "e2c_site", "referring_organisation", "referring_adviser")
        .get(pk=referral.pk)
    )
    sides = {Side.REFERRER, Side.E2C} if consequence else sides_of(actor, locked)
    if not sides:
        raise PermissionDenied("Cette orientation ne concerne pas votre organisation.")
    found = TRANSITIONS.get((locked.status, to))
    if found is None:
        raise ValidationError(
            f"Impossible : l'orientation est « {locked.get_status_display()} », elle ne peut pas passer à "
            f"« {ReferralStatus(to).label if to in ReferralStatus.values else to} ». Rechargez la page : "
            "quelqu'un l'a peut-être déjà fait évoluer."
        )
    if not (found.side is Side.EITHER or found.side in sides):
        who = "l'équipe de l'E2C" if found.side is Side.E2C else "le conseiller prescripteur"
        raise PermissionDenied(f"Seul {who} peut faire ce changement.")
    if (locked.status, to) not in STOPPING_MOVES:
        require_not_restricted(locked.young_person_id)
    errors = _check_fields(found, data, locked)
    if to == S.SENT:
        consent = current_consent(young_person=locked.young_person, e2c_site=locked.e2c_site)
        if consent is None:
            errors["consent"] = [
                f"Aucun accord de partage valable avec {locked.e2c_site} : enregistrez l'accord du jeune avant l'envoi."
            ]
        else:
            locked.consent = consent
    if errors:
        raise ValidationError(errors)

    origin = locked.status
    now = timezone.now()
    changed = ["status", "status_changed_at", "updated_at"]
    locked.status, locked.status_changed_at = to, now
    if to == S.SENT:
        locked.sent_at = now
        changed += ["sent_at", "consent"]
    if Field.NOT_ADMITTED_REASON in found.requires:
        locked.not_admitted_reason = data.not_admitted_reason
        changed.append("not_admitted_reason")
    if Field.INTEGRATION in found.requires:
        locked.integration_starts_on = data.integration_starts_on
        locked.integration_planned_end_on = data.integration_planned_end_on
        changed += ["integration_starts_on", "integration_planned_end_on"]
    if Field.ENROLLED_ON in found.requires:
        locked.enrolled_on = data.enrolled_on
        changed.append("enrolled_on")
    if Field.EXIT in found.requires:
        locked.exited_on, locked.exit_outcome = data.exited_on, data.exit_outcome
        locked.skills_certificate_issued = data.skills_certificate_issued
        changed += ["exited_on", "exit_outcome", "skills_certificate_issued"]
    locked.save(update_fields=changed)
    if actor.organisation is None:
        raise PermissionDenied("Choisissez l'organisation pour laquelle vous agissez.")
    transition = ReferralTransition.objects.create(
        referral=locked,
        from_status=origin,
        to_status=to,
        actor=actor.user,
        actor_organisation=actor.organisation,
        reason=data.reason.strip(),
        created_at=now,
    )
    # A long site name is clipped to the history column by ``record_event``.
    record_event(
        young_person=locked.young_person,
        actor=actor,
        action=f"Orientation vers {locked.e2c_site} : {lower_first(ReferralStatus(to).label)}",
    )
    programme_day = locked.enrolled_on if to == S.ENROLLED else locked.exited_on if to == S.EXITED else None
    if locked.cej_contract is not None and programme_day is not None:
        # The E2C programme is a structuring step of the CEJ; its end extends the CEJ.
        e2c_programme_report(
            actor=actor, contract=locked.cej_contract, e2c_site=locked.e2c_site, on=programme_day, ended=to == S.EXITED
        )
    hand_backs_after_move(locked, origin=origin, to=to)
    if data.session is None:
        seat_settle(locked, origin=origin, to=to, actor=actor, invite=_inviter(actor))
    if notify:
        referral_moved(locked, transition, actor=actor)
    return transition


def _inviter(actor: Actor) -> Invite:
    """How a seat freed by ``actor``'s action goes to the first of the waiting list: the referral's
    move to « invité(e) », a consequence of that action (logged with ``actor``)."""

    def invite(referral: Referral, session: InformationSession) -> ReferralTransition:
        return referral_transition(
            actor=actor,
            referral=referral,
            to=S.INVITED,
            data=TransitionData(session=session, reason="Place libérée : inscrit(e) depuis la liste d'attente."),
            consequence=True,
        )

    return invite


def fill_waiting_seats(*, actor: Actor, session_id: int) -> list[SessionRegistration]:
    """The free seats of the (locked) session go to its waiting list, each promoted referral invited
    (``e2c_referrals.workflow.seats.fill_from_waiting_list``)."""
    return fill_from_waiting_list(actor=actor, session_id=session_id, invite=_inviter(actor))
