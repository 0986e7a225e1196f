"""Post-exit follow-up: dated news of the young person during the 12 months after the exit."""

from __future__ import annotations

import datetime

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cej.services.restrictions import hold_file, require_not_restricted
from cej.services.young_people import record_event
from cej.validators import validate_no_nir
from e2c_referrals.access import sides_of
from e2c_referrals.enums import ExitOutcome, ReferralStatus
from e2c_referrals.models import PostExitNews, Referral
from partners.access import Actor
from partners.french import lower_first

FOLLOW_UP_MONTHS = 12
NOTE_MAX_LENGTH = 500


def follow_up_ends_on(referral: Referral) -> datetime.date | None:
    """The last day news may be dated (12 months after the exit), None before the exit."""
    if referral.exited_on is None:
        return None
    return referral.exited_on + relativedelta(months=FOLLOW_UP_MONTHS)


@transaction.atomic
def post_exit_news_add(
    *, actor: Actor, referral: Referral, news_on: datetime.date | None, situation: str, note: str = ""
) -> PostExitNews:
    """Record the young person's situation on ``news_on`` (after the exit, within 12 months, not ahead).

    Side effects: an event in the young person's file history.
    """
    hold_file(referral.young_person_id)  # the file first, as erasure and anonymisation lock it
    locked = Referral.objects.select_for_update(of=("self",)).select_related("young_person").get(pk=referral.pk)
    if not sides_of(actor, locked):
        raise PermissionDenied("Cette orientation ne concerne pas votre organisation.")
    ends_on = follow_up_ends_on(locked)
    if locked.status != ReferralStatus.EXITED or locked.exited_on is None or ends_on is None:
        raise ValidationError("Les nouvelles se notent après la sortie du parcours.")
    require_not_restricted(locked.young_person_id)
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if news_on is None:
        errors["news_on"] = ["Indiquez la date des nouvelles."]
    elif news_on > today:
        errors["news_on"] = ["La date des nouvelles est dans le futur."]
    elif news_on < locked.exited_on:
        errors["news_on"] = [f"La date précède la sortie du parcours ({locked.exited_on:%d/%m/%Y})."]
    elif news_on > ends_on:
        errors["news_on"] = [f"Le suivi après la sortie dure 12 mois : jusqu'au {ends_on:%d/%m/%Y}."]
    if situation not in ExitOutcome.values:
        errors["situation"] = ["Choisissez la situation du jeune."]
    note = note.strip()
    if len(note) > NOTE_MAX_LENGTH:
        errors["note"] = [f"Les précisions dépassent {NOTE_MAX_LENGTH} caractères."]
    else:
        try:
            validate_no_nir(note)
        except ValidationError as error:
            errors["note"] = error.messages
    if errors:
        raise ValidationError(errors)
    assert news_on is not None  # noqa: S101 (checked above)
    news = PostExitNews.objects.create(
        referral=locked, news_on=news_on, situation=situation, note=note, recorded_by=actor.user
    )
    record_event(
        young_person=locked.young_person,
        actor=actor,
        action=f"Nouvelles après la sortie de l'E2C : {lower_first(ExitOutcome(situation).label)}",
    )
    return news
