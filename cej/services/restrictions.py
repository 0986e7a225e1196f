"""Restriction of processing (RGPD article 18): a file is kept but no longer processed.

While a file is restricted, every write service calls ``require_not_restricted`` and refuses with
one French message (a ValidationError: the views already show those on the form or as a message).
What stays possible: reading the file, the right-of-access export, lifting the restriction, and the
gestures that stop processing (cancelling or withdrawing a referral, leaving an information
session, withdrawing a consent, cancelling a planned follow-up). Reminders skip restricted files and
the retention job keeps them (the data may be needed for a legal claim).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cej.access import require_can_lift, require_can_restrict
from cej.models import Restriction, YoungPerson
from cej.services.young_people import record_event
from cej.validators import validate_no_nir
from partners.access import Actor
from partners.french import lower_first

TEXT_MAX_LENGTH = 500


def open_restriction(young_person: YoungPerson | int) -> Restriction | None:
    """The file's restriction in force, if any (one probe of the partial unique index)."""
    young_person_id = young_person if isinstance(young_person, int) else young_person.pk
    return (
        Restriction.objects.filter(young_person_id=young_person_id, lifted_at__isnull=True)
        .select_related("started_by")
        .first()
    )


def is_restricted(young_person_id: int) -> bool:
    return Restriction.objects.filter(young_person_id=young_person_id, lifted_at__isnull=True).exists()


def restricted_message(restriction: Restriction) -> str:
    return (
        "Ce dossier est en traitement limité (RGPD, article 18) depuis le "
        f"{timezone.localtime(restriction.started_at):%d/%m/%Y} : il ne peut pas être modifié."
    )


def hold_file(young_person_id: int) -> None:
    """Inside a transaction, a share lock on the young person's row until it commits (no-op outside one).

    The write services on a file's referrals, hand-backs and attachments take it **before** their own
    row locks: erasure and anonymisation lock the young person's row first, then those rows, so both
    take them in the same order and cannot deadlock.
    """
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {YoungPerson._meta.db_table} WHERE id = %s FOR SHARE", [young_person_id])  # noqa: S608


def require_not_restricted(young_person: YoungPerson | int) -> None:
    """The one guard of the write services: refuse any change to a restricted file.

    Inside a transaction it also takes a share lock on the young person's row until the caller commits
    (services that lock it for update already hold more): ``restriction_start`` locks that row for
    update, so a restriction waits for a write in progress, and a write arriving during a restriction
    waits for it and then sees it. A restriction and a write on the same file never cross.
    """
    young_person_id = young_person if isinstance(young_person, int) else young_person.pk
    hold_file(young_person_id)
    restriction = open_restriction(young_person_id)
    if restriction is not None:
        raise ValidationError(restricted_message(restriction), code="restricted")


def _check_text(value: str, field: str, errors: dict[str, list[str]]) -> str:
    value = value.strip()
    if len(value) > TEXT_MAX_LENGTH:
        errors.setdefault(field, []).append(f"Ce texte dépasse {TEXT_MAX_LENGTH} caractères.")
    try:
        validate_no_nir(value)
    except ValidationError as error:
        errors.setdefault(field, []).extend(error.messages)
    return value


@transaction.atomic
def restriction_start(*, actor: Actor, young_person: YoungPerson, ground: str, note: str = "") -> Restriction:
    """Restrict the processing of a file, the young person's row locked.

    Refused if the file is already restricted. Side effects: a Restriction row (its change history
    kept by ``history``), an event in the file's history.
    """
    require_can_restrict(actor, young_person)
    locked = YoungPerson.objects.select_for_update().get(pk=young_person.pk)
    current = open_restriction(locked)
    if current is not None:
        raise ValidationError(
            f"Ce dossier est déjà en traitement limité depuis le {timezone.localtime(current.started_at):%d/%m/%Y}."
        )
    errors: dict[str, list[str]] = {}
    if ground not in Restriction.Ground.values:
        errors["ground"] = ["Choisissez le motif de la limitation."]
    note = _check_text(note, "note", errors)
    if errors:
        raise ValidationError(errors)
    restriction = Restriction.objects.create(
        young_person=locked, started_by=actor.user, ground=ground, note=note, started_at=timezone.now()
    )
    record_event(
        young_person=locked,
        actor=actor,
        action=f"Traitement limité (RGPD, article 18) : {lower_first(Restriction.Ground(ground).label)}",
    )
    return restriction


@transaction.atomic
def restriction_lift(
    *, actor: Actor, young_person: YoungPerson, reason: str, person_informed_on: datetime.date | None
) -> Restriction:
    """Lift the restriction in force, once the person has been told (article 18(3)).

    ``person_informed_on`` is required, not in the future, not before the restriction began.
    Side effects: the Restriction row closed (kept), an event in the file's history.
    """
    require_can_lift(actor, young_person)
    locked = YoungPerson.objects.select_for_update().get(pk=young_person.pk)
    restriction = Restriction.objects.select_for_update().filter(young_person=locked, lifted_at__isnull=True).first()
    if restriction is None:
        raise ValidationError("Ce dossier n'est pas en traitement limité : il n'y a rien à lever.")
    errors: dict[str, list[str]] = {}
    reason = _check_text(reason, "lift_reason", errors)
    if not reason:
        errors.setdefault("lift_reason", []).insert(0, "Indiquez le motif de la levée.")
    today = timezone.localdate()
    started_on = timezone.localdate(restriction.started_at)
    if person_informed_on is None:
        errors["person_informed_on"] = [
            "Indiquez la date à laquelle la personne a été informée de la levée : elle doit l'être avant "
            "(RGPD, article 18, paragraphe 3)."
        ]
    elif person_informed_on > today:
        errors["person_informed_on"] = [
            "La date d'information est dans le futur : la personne doit être informée avant la levée."
        ]
    elif person_informed_on < started_on:
        errors["person_informed_on"] = [
            f"La date d'information précède le début de la limitation ({started_on:%d/%m/%Y})."
        ]
    if errors:
        raise ValidationError(errors)
    restriction.lifted_at = timezone.now()
    restriction.lifted_by = actor.user
    restriction.lift_reason = reason
    restriction.person_informed_on = person_informed_on
    restriction.save(update_fields=["lifted_at", "lifted_by", "lift_reason", "person_informed_on", "updated_at"])
    record_event(young_person=locked, actor=actor, action="Limitation du traitement levée")
    return restriction
