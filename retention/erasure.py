"""The right to erasure (RGPD article 17): erase one file on request, or record a refusal.

Erasing a file is anonymising it now rather than at the end of its retention period: the same
``retention.services.young_person_anonymise``, called inside this module's transaction so that the
anonymisation and the ErasureRequest that proves it are one unit (a file the anonymisation leaves
untouched leaves no « done » record). Who: the referent structure's managers, and administrators (the
DPO) for any file; advisers may not (403). A restricted file (article 18) is not erased: the
restriction wins until it is lifted. A refusal is recorded with its reason (the structure answers
within a month and keeps the proof). Neither record holds a name.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from cej.enums import ContractStatus
from cej.models import CejContract, PaceaContract, YoungPerson
from cej.services.restrictions import open_restriction
from cej.services.young_people import record_event
from cej.validators import validate_no_nir
from e2c_referrals.enums import OPEN_STATUSES
from e2c_referrals.models import Referral
from partners.access import Actor
from retention.access import can_erase, can_manage_retention
from retention.models import AnonymisedFile, ErasureRequest
from retention.services import young_person_anonymise

REASON_MAX_LENGTH = 500
RUNNING_CONTRACTS = [ContractStatus.ACTIVE, ContractStatus.SUSPENDED]


# --- Who -------------------------------------------------------------------------------------------


def _require_can_erase(actor: Actor, young_person: YoungPerson) -> None:
    if not can_erase(actor, young_person):
        raise PermissionDenied(
            "Seuls les responsables de la structure référente, ou un administrateur, répondent à une "
            "demande d'effacement."
        )


# --- Reads -----------------------------------------------------------------------------------------


def is_anonymised(young_person: YoungPerson | int) -> bool:
    young_person_id = young_person if isinstance(young_person, int) else young_person.pk
    return AnonymisedFile.objects.filter(young_person_id=young_person_id).exists()


def ongoing_of(young_person: YoungPerson) -> dict[str, list[models.Model]]:
    """What is still running on the file (shown as a warning before erasing: it goes on, anonymised)."""
    return {
        "referrals": list(
            Referral.objects.filter(young_person=young_person, status__in=sorted(OPEN_STATUSES))
            .select_related("e2c_site")
            .order_by("created_at", "pk")
        ),
        "cej_contracts": list(
            CejContract.objects.filter(young_person=young_person, status__in=RUNNING_CONTRACTS).order_by("pk")
        ),
        "pacea_contracts": list(
            PaceaContract.objects.filter(young_person=young_person, status__in=RUNNING_CONTRACTS).order_by("pk")
        ),
    }


def erasure_requests_of(young_person: YoungPerson) -> list[ErasureRequest]:
    return list(young_person.erasure_requests.select_related("decided_by"))


def last_erasure_requests(actor: Actor, *, limit: int = 20) -> list[ErasureRequest]:
    """The last answers, for administrators: dates, ground, outcome, organisation — never a name."""
    if not can_manage_retention(actor):
        return []
    return list(
        ErasureRequest.objects.select_related("young_person__organisation").only(
            "requested_on",
            "decided_at",
            "ground",
            "outcome",
            "young_person__organisation__name",
        )[:limit]
    )


# --- Checks ----------------------------------------------------------------------------------------


def _check_request(
    young_person: YoungPerson, requested_on: datetime.date | None, ground: str, errors: dict[str, list[str]]
) -> None:
    if ground not in ErasureRequest.Ground.values:
        errors["ground"] = ["Choisissez le motif de la demande d'effacement."]
    created_on = timezone.localdate(young_person.created_at)
    if requested_on is None:
        errors["requested_on"] = ["Indiquez la date à laquelle la demande a été reçue."]
    elif requested_on > timezone.localdate():
        errors["requested_on"] = ["La date de la demande est dans le futur."]
    elif requested_on < created_on:
        errors["requested_on"] = [f"La date de la demande précède la création du dossier ({created_on:%d/%m/%Y})."]


def _require_erasable(young_person: YoungPerson) -> None:
    if is_anonymised(young_person):
        raise ValidationError("Ce dossier est déjà anonymisé : il n'y a plus rien à effacer.", code="anonymised")
    restriction = open_restriction(young_person)
    if restriction is not None:
        raise ValidationError(
            "Ce dossier est en traitement limité (RGPD, article 18) depuis le "
            f"{timezone.localtime(restriction.started_at):%d/%m/%Y} : il ne peut pas être effacé tant que la "
            "limitation dure. Levez d'abord la limitation, après en avoir informé la personne.",
            code="restricted",
        )


# --- Writes ----------------------------------------------------------------------------------------


@transaction.atomic
def young_person_erase(
    *, actor: Actor, young_person: YoungPerson, requested_on: datetime.date | None, ground: str
) -> ErasureRequest:
    """Erase the file now (its anonymisation), the young person's row locked, and record the request.

    Refused (ValidationError, nothing written) when the file is restricted (article 18 wins), already
    anonymised, or the request's date is missing, in the future or before the file was created.
    Side effects: everything ``young_person_anonymise`` does; an ErasureRequest « done » (who, when,
    ground); an event « Dossier effacé à la demande de la personne » in the file's history. The
    anonymisation runs in a savepoint of this transaction: if it leaves the file untouched, the whole
    unit is rolled back and no « done » record remains.
    """
    _require_can_erase(actor, young_person)
    locked = YoungPerson.objects.select_for_update().get(pk=young_person.pk)
    _require_erasable(locked)
    errors: dict[str, list[str]] = {}
    _check_request(locked, requested_on, ground, errors)
    if errors or requested_on is None:
        raise ValidationError(errors)
    if not young_person_anonymise(young_person_id=locked.pk, due_by=None, event=None):
        raise ValidationError("Le dossier n'a pas pu être effacé : rien n'a été modifié.", code="not_erased")
    request = ErasureRequest.objects.create(
        young_person=locked,
        requested_on=requested_on,
        ground=ground,
        decided_by=actor.user,
        decided_at=timezone.now(),
        outcome=ErasureRequest.Outcome.DONE,
    )
    record_event(
        young_person=locked, actor=actor, action="Dossier effacé à la demande de la personne (RGPD, article 17)"
    )
    return request


@transaction.atomic
def erasure_refuse(
    *, actor: Actor, young_person: YoungPerson, requested_on: datetime.date | None, ground: str, reason: str
) -> ErasureRequest:
    """Record a refused erasure request and its reason; the file is not changed.

    Refused (ValidationError) without a reason, with a reason that looks like a NIR or is too long, or
    with a wrong date, or on a file already anonymised. A restricted file may be answered (nothing of
    it changes). Side effects: an ErasureRequest « refused »; an event in the file's history (without
    the reason).
    """
    _require_can_erase(actor, young_person)
    locked = YoungPerson.objects.select_for_update().get(pk=young_person.pk)
    if is_anonymised(locked):
        raise ValidationError("Ce dossier est déjà anonymisé : il n'y a plus rien à effacer.", code="anonymised")
    errors: dict[str, list[str]] = {}
    _check_request(locked, requested_on, ground, errors)
    reason = (reason or "").strip()
    if not reason:
        errors["refusal_reason"] = ["Indiquez le motif du refus, donné à la personne."]
    elif len(reason) > REASON_MAX_LENGTH:
        errors["refusal_reason"] = [f"Ce texte dépasse {REASON_MAX_LENGTH} caractères."]
    else:
        try:
            validate_no_nir(reason)
        except ValidationError as error:
            errors["refusal_reason"] = list(error.messages)
    if errors or requested_on is None:
        raise ValidationError(errors)
    request = ErasureRequest.objects.create(
        young_person=locked,
        requested_on=requested_on,
        ground=ground,
        decided_by=actor.user,
        decided_at=timezone.now(),
        outcome=ErasureRequest.Outcome.REFUSED,
        refusal_reason=reason,
    )
    record_event(young_person=locked, actor=actor, action="Demande d'effacement refusée (RGPD, article 17)")
    return request
