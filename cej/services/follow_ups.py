"""Follow-up reviews (points de suivi) between the young person, the ML referent and E2C staff."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cej.access import require_file_holder
from cej.enums import FollowUpStatus
from cej.models import FollowUp, YoungPerson
from cej.selectors.follow_ups import possible_participants
from cej.services.restrictions import require_not_restricted
from cej.services.young_people import record_event
from cej.validators import validate_no_nir
from cej.workflow import follow_up_move, require_follow_up_move
from partners.access import Actor
from partners.models import User

HORIZON = datetime.timedelta(days=2 * 365)


def _check_future(day: datetime.date, field: str, errors: dict[str, list[str]]) -> None:
    today = timezone.localdate()
    if day < today - datetime.timedelta(days=31):
        errors[field] = ["Cette date est passée depuis plus d'un mois : pour un point déjà tenu, enregistrez-le."]
    elif day > today + HORIZON:
        errors[field] = ["Cette date est à plus de deux ans."]


@transaction.atomic
def follow_up_schedule(
    *, actor: Actor, young_person: YoungPerson, scheduled_on: datetime.date, participants: Sequence[User] = ()
) -> FollowUp:
    """Plan a review. Side effects: a history event (reminders come with the jobs issue)."""
    require_file_holder(actor)
    YoungPerson.objects.select_for_update().filter(pk=young_person.pk).first()
    require_not_restricted(young_person)
    errors: dict[str, list[str]] = {}
    _check_future(scheduled_on, "scheduled_on", errors)
    # Read under the file's lock: E2C staff take part only while a consent with their site is in force
    # (a form shown before a withdrawal cannot bring them back).
    allowed = {user.pk for user in possible_participants(young_person)}
    if any(user.pk not in allowed for user in participants):
        errors["participants"] = [
            "Une personne choisie ne peut plus participer : son site n'a plus d'accord de partage en vigueur, "
            "ou elle n'est plus dans l'équipe. Rechargez la page."
        ]
    if errors:
        raise ValidationError(errors)
    follow_up = FollowUp.objects.create(young_person=young_person, scheduled_on=scheduled_on, created_by=actor.user)
    follow_up.participants.set(participants or [actor.user])
    record_event(young_person=young_person, actor=actor, action=f"Point de suivi prévu le {scheduled_on:%d/%m/%Y}")
    return follow_up


@transaction.atomic
def follow_up_record(
    *,
    actor: Actor,
    follow_up: FollowUp,
    held_on: datetime.date,
    notes: str,
    participants: Sequence[User],
    next_review_on: datetime.date | None = None,
) -> FollowUp:
    """Record a review that took place; plan the next one if a date is given.

    Side effects: a history event, and the next FollowUp row.
    """
    require_file_holder(actor)
    YoungPerson.objects.select_for_update().filter(pk=follow_up.young_person_id).first()
    require_not_restricted(follow_up.young_person_id)
    locked = FollowUp.objects.select_for_update().select_related("young_person").get(pk=follow_up.pk)
    require_follow_up_move(locked, FollowUpStatus.HELD)
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if held_on > today:
        errors["held_on"] = ["Ce point n'a pas encore eu lieu : sa date est dans le futur."]
    elif held_on < today - HORIZON:
        errors["held_on"] = ["Cette date est trop ancienne."]
    if next_review_on is not None and next_review_on <= held_on:
        errors["next_review_on"] = ["Le prochain point doit suivre celui-ci."]
    elif next_review_on is not None and next_review_on > today + HORIZON:
        errors["next_review_on"] = ["Cette date est à plus de deux ans."]
    try:
        validate_no_nir(notes)
    except ValidationError as error:
        errors["notes"] = error.messages
    if errors:
        raise ValidationError(errors)
    follow_up_move(
        locked,
        FollowUpStatus.HELD,
        fields={"held_on": held_on, "notes": notes.strip(), "next_review_on": next_review_on},
    )
    locked.participants.set(participants or [actor.user])
    record_event(young_person=locked.young_person, actor=actor, action=f"Point de suivi du {held_on:%d/%m/%Y} tenu")
    if next_review_on is not None:
        following = FollowUp.objects.create(
            young_person=locked.young_person, scheduled_on=next_review_on, created_by=actor.user
        )
        following.participants.set(participants or [actor.user])
    return locked


@transaction.atomic
def follow_up_cancel(*, actor: Actor, follow_up: FollowUp) -> FollowUp:
    """Cancel a planned review; possible while the file is restricted (it stops a processing)."""
    require_file_holder(actor)
    locked = FollowUp.objects.select_for_update().select_related("young_person").get(pk=follow_up.pk)
    follow_up_move(locked, FollowUpStatus.CANCELLED)
    record_event(
        young_person=locked.young_person, actor=actor, action=f"Point de suivi du {locked.scheduled_on:%d/%m/%Y} annulé"
    )
    return locked
