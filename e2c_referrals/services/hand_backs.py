"""Hand-backs: the referring organisation (or the nearest ML) takes the young person back."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cej.services.restrictions import hold_file, require_not_restricted
from cej.services.young_people import record_event
from cej.validators import validate_no_nir
from e2c_referrals.access import can_handle
from e2c_referrals.models import HandBack
from partners.access import Actor
from partners.french import de, lower_first

NOTE_MAX_LENGTH = 2000


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
