"""Writes to CEJ contracts (décret 2022-199): sign, extend, suspend and resume, record breaches, end.

The shared rules, locks and checks are in ``cej.services.contract_base``; the status changes go
through ``cej.workflow``.
"""

from __future__ import annotations

import dataclasses
import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cej.access import require_file_holder
from cej.enums import AllowanceCategory, ContractEndReason
from cej.models import CejContract, CejEvent, PaceaContract, YoungPerson
from cej.services.contract_base import (
    ADULT_AGE,
    CEJ_MAX_MONTHS,
    CEJ_MAX_TOTAL_MONTHS,
    CEJ_MAX_WEEKLY_HOURS,
    CEJ_MIN_MONTHS,
    CEJ_MIN_WEEKLY_HOURS,
    Errors,
    check_not_future,
    check_signature_dates,
    check_within,
    end_contract,
    lock_contract,
    lock_young_person,
    months_after,
    next_cej_possible_on,
    other_kind_overlap,
    period,
    referent_or_error,
    save_or_explain,
)
from cej.services.young_people import MAX_AGE, MAX_AGE_WITH_RQTH, MIN_AGE, record_event
from cej.workflow import ContractAction, cej_status_change, contract_end, next_status
from partners.access import Actor
from partners.models import User

BREACH_CONSEQUENCES: dict[int, str] = {
    1: "allocation du mois réduite de 25 %",
    2: "allocation d'un mois supprimée",
    3: "fin du contrat",
}
BREACH_ENDING_RANK = 3


@dataclasses.dataclass(frozen=True)
class CejData:
    signed_on: datetime.date | None
    starts_on: datetime.date | None
    planned_end_on: datetime.date | None
    weekly_hours: int | None
    allowance_category: str
    activity_plan: str = ""
    referent: User | None = None


def _check_cej(data: CejData, *, actor: Actor, young_person: YoungPerson) -> User | None:
    """Validate a new CEJ; returns its referent, or raises one ValidationError."""
    errors = Errors()
    referent = referent_or_error(errors, actor=actor, referent=data.referent, young_person=young_person)
    start_ok, end_ok = check_signature_dates(errors, data)
    if data.weekly_hours is None or not CEJ_MIN_WEEKLY_HOURS <= data.weekly_hours <= CEJ_MAX_WEEKLY_HOURS:
        errors.add("weekly_hours", "Un CEJ compte de 15 à 20 heures d'activité par semaine.")
    if data.allowance_category not in AllowanceCategory.values:
        errors.add("allowance_category", "Choisissez la catégorie d'allocation.")
    errors.text("activity_plan", data.activity_plan)
    if start_ok and data.starts_on is not None:
        starts_on = data.starts_on
        age = young_person.age_on(starts_on)
        limit = MAX_AGE_WITH_RQTH if young_person.has_rqth else MAX_AGE
        if age < MIN_AGE or age > limit:
            errors.add(
                "starts_on",
                f"Ce jeune aura {age} ans au début du contrat : le CEJ s'adresse aux jeunes de 16 à 25 ans révolus "
                "(29 ans avec une RQTH).",
            )
        is_minor = age < ADULT_AGE
        if data.allowance_category == AllowanceCategory.MINOR and not is_minor:
            errors.add(
                "allowance_category", "Ce jeune est majeur au début du contrat : choisissez une catégorie « Majeur »."
            )
        elif data.allowance_category in AllowanceCategory.values and is_minor and data.allowance_category != "minor":
            errors.add("allowance_category", "Ce jeune est mineur au début du contrat : la catégorie est « Mineur ».")
        if end_ok and data.planned_end_on is not None:
            shortest, longest = months_after(starts_on, CEJ_MIN_MONTHS), months_after(starts_on, CEJ_MAX_MONTHS)
            if not shortest <= data.planned_end_on <= longest:
                errors.add(
                    "planned_end_on",
                    f"Un CEJ dure de 6 à 12 mois : pour un début le {starts_on:%d/%m/%Y}, la fin prévue se situe "
                    f"entre le {shortest:%d/%m/%Y} et le {longest:%d/%m/%Y}.",
                )
            else:
                _check_cej_gap(errors, young_person=young_person, starts_on=starts_on, ends_on=data.planned_end_on)
                other_kind_overlap(
                    errors,
                    young_person=young_person,
                    other_model=PaceaContract,
                    starts_on=starts_on,
                    ends_on=data.planned_end_on,
                    field="starts_on",
                )
    errors.raise_if_any()
    return referent


def _check_cej_gap(
    errors: Errors, *, young_person: YoungPerson, starts_on: datetime.date, ends_on: datetime.date
) -> None:
    """6 months between two CEJ. An overlap with a later CEJ is left to the database constraint."""
    for other in young_person.cej_contracts.all():
        if other.starts_on <= starts_on:
            possible_on = next_cej_possible_on(other.end_on)
            if starts_on < possible_on:
                errors.add(
                    "starts_on",
                    f"Un nouveau CEJ est possible à partir du {possible_on:%d/%m/%Y}, "
                    "6 mois après la fin du précédent.",
                )
                return
        elif other.starts_on > ends_on and other.starts_on < next_cej_possible_on(ends_on):
            errors.add(
                "planned_end_on",
                f"Ce jeune a un CEJ qui commence le {other.starts_on:%d/%m/%Y} : celui-ci doit finir 6 mois avant.",
            )
            return


@transaction.atomic
def cej_create(*, actor: Actor, young_person: YoungPerson, data: CejData) -> CejContract:
    """Sign a CEJ for ``young_person`` in the actor's organisation (ML or France Travail).

    Side effects: the young person's row is locked; the contract, a history event.
    """
    require_file_holder(actor)
    locked = lock_young_person(young_person)
    referent = _check_cej(data, actor=actor, young_person=locked)
    assert data.signed_on and data.starts_on and data.planned_end_on and data.weekly_hours  # noqa: S101 (checked)
    contract = CejContract(
        young_person=locked,
        organisation=actor.organisation,
        referent=referent,
        signed_on=data.signed_on,
        starts_on=data.starts_on,
        planned_end_on=data.planned_end_on,
        weekly_hours=data.weekly_hours,
        allowance_category=data.allowance_category,
        activity_plan=data.activity_plan.strip(),
        created_by=actor.user,
    )
    save_or_explain(contract)
    record_event(young_person=locked, actor=actor, action=f"CEJ signé, {period(contract)}")
    return contract


def cej_max_end(contract: CejContract) -> datetime.date:
    """The latest planned end reachable by extensions: 18 months in all."""
    return months_after(contract.starts_on, CEJ_MAX_TOTAL_MONTHS)


@transaction.atomic
def cej_extend(*, actor: Actor, contract: CejContract, new_end_on: datetime.date | None, reason: str = "") -> CejEvent:
    """Move the planned end later, 18 months in all at most.

    Side effects: rows locked; the planned end; a CejEvent EXTENSION; a history event.
    """
    require_file_holder(actor)
    locked = lock_contract(contract)
    next_status(locked, ContractAction.EXTEND)
    errors = Errors()
    errors.text("reason", reason)
    if errors.date("new_end_on", new_end_on, "La nouvelle fin prévue") and new_end_on is not None:
        latest = cej_max_end(locked)
        if new_end_on <= locked.planned_end_on:
            errors.add(
                "new_end_on",
                f"La nouvelle fin doit suivre la fin prévue actuelle, le {locked.planned_end_on:%d/%m/%Y}.",
            )
        elif new_end_on > latest:
            errors.add(
                "new_end_on",
                f"Un CEJ dure au plus 18 mois au total : la fin prévue ne peut pas dépasser le {latest:%d/%m/%Y}.",
            )
    errors.raise_if_any()
    assert new_end_on is not None  # noqa: S101 (checked)
    return apply_extension(actor=actor, contract=locked, new_end_on=new_end_on, reason=reason.strip())


def apply_extension(*, actor: Actor, contract: CejContract, new_end_on: datetime.date, reason: str) -> CejEvent:
    """Move a locked CEJ's planned end; never over a PACEA nor (database constraint) another CEJ."""
    errors = Errors()
    other_kind_overlap(
        errors,
        young_person=contract.young_person,
        other_model=PaceaContract,
        starts_on=contract.starts_on,
        ends_on=new_end_on,
        field="new_end_on",
    )
    errors.raise_if_any()
    previous = contract.planned_end_on
    contract.planned_end_on = new_end_on
    try:
        save_or_explain(contract, update_fields=["planned_end_on", "updated_at"])
    except ValidationError as error:
        raise ValidationError({"new_end_on": error.messages}) from error
    event = CejEvent.objects.create(
        contract=contract,
        kind=CejEvent.Kind.EXTENSION,
        occurred_on=timezone.localdate(),
        new_end_on=new_end_on,
        reason=reason,
        consequence=f"fin prévue reportée du {previous:%d/%m/%Y} au {new_end_on:%d/%m/%Y}",
        actor=actor.user,
    )
    record_event(
        young_person=contract.young_person,
        actor=actor,
        action=f"CEJ prolongé jusqu'au {new_end_on:%d/%m/%Y}",
        fields=["planned_end_on"],
    )
    return event


@transaction.atomic
def cej_suspend(*, actor: Actor, contract: CejContract, occurred_on: datetime.date | None, reason: str) -> CejEvent:
    """Suspend a running CEJ. Side effects: rows locked; status; a CejEvent SUSPENSION; a history event."""
    require_file_holder(actor)
    locked = lock_contract(contract)
    status = next_status(locked, ContractAction.SUSPEND)
    errors = Errors()
    if errors.date("occurred_on", occurred_on, "La date de suspension") and occurred_on is not None:
        check_within(errors, "occurred_on", occurred_on, locked, "La suspension")
    if not reason.strip():
        errors.add("reason", "Indiquez le motif de la suspension.")
    errors.text("reason", reason)
    errors.raise_if_any()
    assert occurred_on is not None  # noqa: S101 (checked)
    return cej_status_change(
        actor=actor,
        contract=locked,
        status=status,
        kind=CejEvent.Kind.SUSPENSION,
        occurred_on=occurred_on,
        reason=reason.strip(),
        action=f"CEJ suspendu le {occurred_on:%d/%m/%Y}",
    )


@transaction.atomic
def cej_resume(*, actor: Actor, contract: CejContract, occurred_on: datetime.date | None, reason: str = "") -> CejEvent:
    """Resume a suspended CEJ. Side effects: rows locked; status; a CejEvent RESUMPTION; a history event."""
    require_file_holder(actor)
    locked = lock_contract(contract)
    status = next_status(locked, ContractAction.RESUME)
    errors = Errors()
    errors.text("reason", reason)
    if errors.date("occurred_on", occurred_on, "La date de reprise") and occurred_on is not None:
        check_within(errors, "occurred_on", occurred_on, locked, "La reprise")
        suspension = locked.events.filter(kind=CejEvent.Kind.SUSPENSION).order_by("-occurred_on", "-id").first()
        if suspension is not None and occurred_on < suspension.occurred_on:
            errors.add(
                "occurred_on", f"La reprise ne peut pas précéder la suspension du {suspension.occurred_on:%d/%m/%Y}."
            )
    errors.raise_if_any()
    assert occurred_on is not None  # noqa: S101 (checked)
    return cej_status_change(
        actor=actor,
        contract=locked,
        status=status,
        kind=CejEvent.Kind.RESUMPTION,
        occurred_on=occurred_on,
        reason=reason.strip(),
        action=f"CEJ repris le {occurred_on:%d/%m/%Y}",
    )


BREACH_RANK_CHANGED = "Un autre manquement vient d'être enregistré : vérifiez avant de continuer."


def next_breach_rank(contract: CejContract) -> int:
    return contract.events.filter(kind=CejEvent.Kind.BREACH).count() + 1


@transaction.atomic
def cej_record_breach(
    *,
    actor: Actor,
    contract: CejContract,
    occurred_on: datetime.date | None,
    reason: str,
    expected_rank: int | None = None,
) -> CejEvent:
    """Record a breach of the contract's commitments; its rank and consequence follow automatically.

    1st: the month's allowance −25 %; 2nd: one month's allowance withdrawn; 3rd: the CEJ ends on
    that date (reason « manquements répétés »). ``expected_rank``: the rank the adviser was shown;
    refused if another breach was recorded meanwhile. Side effects: rows locked; a CejEvent BREACH (and
    END for the 3rd, with status, end date and reason); a history event.
    """
    require_file_holder(actor)
    locked = lock_contract(contract)
    next_status(locked, ContractAction.RECORD_BREACH)
    rank = next_breach_rank(locked)
    if expected_rank is not None and rank != expected_rank:
        # The adviser was shown another rank (and its consequence): a breach was recorded meanwhile.
        raise ValidationError(BREACH_RANK_CHANGED)
    errors = Errors()
    if errors.date("occurred_on", occurred_on, "La date du manquement") and occurred_on is not None:
        check_within(errors, "occurred_on", occurred_on, locked, "Le manquement")
        check_not_future(errors, "occurred_on", occurred_on, "Un manquement")
        if rank == BREACH_ENDING_RANK and occurred_on <= locked.starts_on:
            errors.add("occurred_on", "Le contrat ne peut pas prendre fin le jour de son début.")
    if not reason.strip():
        errors.add("reason", "Décrivez le manquement.")
    errors.text("reason", reason)
    errors.raise_if_any()
    assert occurred_on is not None  # noqa: S101 (checked)
    event = CejEvent.objects.create(
        contract=locked,
        kind=CejEvent.Kind.BREACH,
        occurred_on=occurred_on,
        breach_rank=rank,
        consequence=BREACH_CONSEQUENCES[rank],
        reason=reason.strip(),
        actor=actor.user,
    )
    record_event(
        young_person=locked.young_person,
        actor=actor,
        action=f"Manquement n° {rank} au CEJ le {occurred_on:%d/%m/%Y} : {BREACH_CONSEQUENCES[rank]}",
    )
    if rank >= BREACH_ENDING_RANK:
        contract_end(
            actor=actor,
            contract=locked,
            ended_on=occurred_on,
            end_reason=ContractEndReason.BREACH,
            comment=f"{rank}e manquement",
        )
    return event


def cej_end(
    *, actor: Actor, contract: CejContract, ended_on: datetime.date | None, end_reason: str, comment: str = ""
) -> None:
    """End a CEJ. Side effects: rows locked; status, end date and reason; a CejEvent END; a history event."""
    end_contract(actor=actor, contract=contract, ended_on=ended_on, end_reason=end_reason, comment=comment)
