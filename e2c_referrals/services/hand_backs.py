"""Hand-backs: the referring organisation (or the nearest ML) takes the young person back.

They are created by a referral's move (``hand_backs_after_move``, called by the workflow in the
move's transaction) and handled by the organisation they went to (``hand_back_handle``).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cej.services.restrictions import hold_file, require_not_restricted
from cej.services.young_people import record_event
from cej.validators import validate_no_nir
from e2c_referrals.access import can_handle
from e2c_referrals.enums import POSITIVE_OUTCOMES, HandBackReason, ReferralStatus
from e2c_referrals.models import HandBack, Referral
from e2c_referrals.recipients import registration_handed_to
from e2c_referrals.selectors.hand_backs import in_cej_or_pacea, nearest_mission_locale
from partners.access import Actor
from partners.enums import OrganisationKind
from partners.french import de, lower_first

NOTE_MAX_LENGTH = 2000
S = ReferralStatus


@transaction.atomic
def hand_back_handle(*, actor: Actor, hand_back: HandBack, note: str) -> HandBack:
    """Mark a hand-back handled, with what was done (a second attempt is refused).

    Side effects: an event in the young person's file history.
    """
    if not can_handle(actor, hand_back):
        raise PermissionDenied("Ce retour concerne une autre structure.")
    hold_file(hand_back.referral.young_person_id)  # the file first, as erasure and anonymisation lock it
    locked = (
        HandBack.objects.select_for_update(of=("self",))
        .select_related("referral__young_person", "referral__e2c_site", "handled_by")
        .get(pk=hand_back.pk)
    )
    if locked.handled_at is not None:
        who = f" par {locked.handled_by.get_full_name()}" if locked.handled_by else ""
        raise ValidationError(f"Ce retour est déjà traité (le {timezone.localtime(locked.handled_at):%d/%m/%Y}{who}).")
    require_not_restricted(locked.referral.young_person_id)
    note = note.strip()
    errors: list[str] = []
    if not note:
        errors.append("Indiquez la suite donnée (rendez-vous proposé, inscription, nouvelle orientation…).")
    elif len(note) > NOTE_MAX_LENGTH:
        errors.append(f"La note dépasse {NOTE_MAX_LENGTH} caractères.")
    else:
        try:
            validate_no_nir(note)
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError({"follow_up_note": errors})
    locked.handled_at = timezone.now()
    locked.handled_by = actor.user
    locked.follow_up_note = note
    locked.save(update_fields=["handled_at", "handled_by", "follow_up_note", "updated_at"])
    record_event(
        young_person=locked.referral.young_person,
        actor=actor,
        action=f"Retour {de(locked.referral.e2c_site)} traité ({lower_first(locked.get_reason_display())})",
    )
    return locked


def hand_back_reason(*, origin: str, to: str, exit_outcome: str) -> str | None:
    """Why the move ``origin`` → ``to`` hands the young person back to the referring organisation,
    if it does (pure: the national dataset in ``bench/`` applies the same rule)."""
    if to == S.NOT_ADMITTED:
        return HandBackReason.NOT_ADMITTED
    if to == S.WITHDRAWN:
        return HandBackReason.DROP_OUT if origin == S.INTEGRATION else HandBackReason.WITHDRAWN
    if to == S.EXITED and exit_outcome not in POSITIVE_OUTCOMES:
        return HandBackReason.NON_POSITIVE_EXIT
    return None


def hand_backs_after_move(referral: Referral, *, origin: str, to: str) -> None:
    """The hand-back tasks the accord-cadre asks for after a referral's move (idempotent).

    Called by ``referral_transition`` with the referral locked. Side effects: the referring
    organisation's task (not admitted, withdrawn, drop-out, non-positive exit, assigned to the
    referring adviser); at exit, a young person in neither CEJ nor PACEA is registered with the
    nearest Mission Locale, whose team is told (outbox).
    """
    reason = hand_back_reason(origin=origin, to=to, exit_outcome=referral.exit_outcome)
    if reason is not None:
        HandBack.objects.get_or_create(
            referral=referral,
            organisation=referral.referring_organisation,
            reason=reason,
            defaults={"assignee": referral.referring_adviser},
        )
    # The accord: E2C trainees in neither CEJ nor PACEA are registered with the nearest ML at exit.
    if to == S.EXITED and referral.exited_on and not in_cej_or_pacea(referral, referral.exited_on):
        already_followed = referral.referring_organisation.kind == OrganisationKind.MISSION_LOCALE
        nearest = None if already_followed else nearest_mission_locale(referral)
        if nearest is not None:
            hand_back, created = HandBack.objects.get_or_create(
                referral=referral, organisation=nearest, reason=HandBackReason.REGISTRATION
            )
            if created:
                registration_handed_to(nearest, hand_back, referral=referral)
