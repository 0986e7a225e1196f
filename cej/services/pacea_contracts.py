"""Writes to PACEA contracts (parcours contractualisé d'accompagnement vers l'emploi et l'autonomie):
sign, add phases, end. A PACEA is a Mission Locale contract: France Travail agencies sign CEJ only.

The shared rules, locks and checks are in ``cej.services.contract_base``; the status changes go
through ``cej.workflow``.
"""

from __future__ import annotations

import dataclasses
import datetime

from django.db import transaction

from cej.access import require_file_holder, require_pacea_signer
from cej.models import CejContract, PaceaContract, PaceaPhase, YoungPerson
from cej.services.contract_base import (
    PACEA_MAX_MONTHS,
    Errors,
    check_signature_dates,
    check_within,
    end_contract,
    lock_contract,
    lock_young_person,
    months_after,
    other_kind_overlap,
    period,
    referent_or_error,
    save_or_explain,
)
from cej.services.young_people import record_event
from cej.workflow import ContractAction, next_status
from partners.access import Actor
from partners.models import User


@dataclasses.dataclass(frozen=True)
class PaceaData:
    signed_on: datetime.date | None
    starts_on: datetime.date | None
    planned_end_on: datetime.date | None
    referent: User | None = None


@transaction.atomic
def pacea_create(*, actor: Actor, young_person: YoungPerson, data: PaceaData) -> PaceaContract:
    """Sign a PACEA (24 consecutive months at most, never over a CEJ nor another PACEA).

    A PACEA is a Mission Locale contract: France Travail agencies sign CEJ only.
    Side effects: the young person's row is locked; the contract; a history event.
    """
    require_pacea_signer(actor)
    locked = lock_young_person(young_person)
    errors = Errors()
    referent = referent_or_error(errors, actor=actor, referent=data.referent, young_person=locked)
    start_ok, end_ok = check_signature_dates(errors, data)
    if start_ok and end_ok and data.starts_on is not None and data.planned_end_on is not None:
        longest = months_after(data.starts_on, PACEA_MAX_MONTHS)
        if data.planned_end_on <= data.starts_on:
            errors.add("planned_end_on", "La fin prévue doit suivre le début.")
        elif data.planned_end_on > longest:
            errors.add(
                "planned_end_on",
                "Un PACEA dure au plus 24 mois consécutifs : "
                f"la fin prévue ne peut pas dépasser le {longest:%d/%m/%Y}.",
            )
        else:
            other_kind_overlap(
                errors,
                young_person=locked,
                other_model=CejContract,
                starts_on=data.starts_on,
                ends_on=data.planned_end_on,
                field="starts_on",
            )
    errors.raise_if_any()
    assert data.signed_on and data.starts_on and data.planned_end_on  # noqa: S101 (checked)
    contract = PaceaContract(
        young_person=locked,
        organisation=actor.organisation,
        referent=referent,
        signed_on=data.signed_on,
        starts_on=data.starts_on,
        planned_end_on=data.planned_end_on,
        created_by=actor.user,
    )
    save_or_explain(contract)
    record_event(young_person=locked, actor=actor, action=f"PACEA signé, {period(contract)}")
    return contract


@dataclasses.dataclass(frozen=True)
class PaceaPhaseData:
    label: str
    starts_on: datetime.date | None
    ends_on: datetime.date | None = None
    objectives: str = ""


@transaction.atomic
def pacea_phase_add(*, actor: Actor, contract: PaceaContract, data: PaceaPhaseData) -> PaceaPhase:
    """Add a phase inside the PACEA's period, not overlapping another phase.

    Side effects: rows locked; the phase; a history event.
    """
    require_file_holder(actor)
    locked = lock_contract(contract)
    next_status(locked, ContractAction.ADD_PHASE)
    errors = Errors()
    label = data.label.strip()
    if not label:
        errors.add("label", "L'intitulé de la phase est obligatoire.")
    errors.text("label", label)
    errors.text("objectives", data.objectives)
    start_ok = errors.date("starts_on", data.starts_on, "Le début")
    if start_ok and data.starts_on is not None:
        check_within(errors, "starts_on", data.starts_on, locked, "Le début")
    end_ok = data.ends_on is None or errors.date("ends_on", data.ends_on, "La fin")
    if data.ends_on is not None and end_ok:
        check_within(errors, "ends_on", data.ends_on, locked, "La fin")
        if start_ok and data.starts_on is not None and data.ends_on < data.starts_on:
            errors.add("ends_on", "La fin ne peut pas précéder le début.")
    if start_ok and end_ok and data.starts_on is not None and "ends_on" not in errors.by_field:
        ends_on = data.ends_on or locked.end_on
        for phase in locked.phases.all():
            if phase.starts_on <= ends_on and (phase.ends_on or locked.end_on) >= data.starts_on:
                errors.add(
                    "starts_on",
                    f"Cette phase chevauche la phase « {phase.label} » (du {phase.starts_on:%d/%m/%Y}"
                    + (f" au {phase.ends_on:%d/%m/%Y})." if phase.ends_on else ", sans fin indiquée)."),
                )
                break
    errors.raise_if_any()
    assert data.starts_on is not None  # noqa: S101 (checked)
    phase = PaceaPhase.objects.create(
        contract=locked,
        label=label,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        objectives=data.objectives.strip(),
    )
    record_event(young_person=locked.young_person, actor=actor, action=f"Phase « {label} » ajoutée au PACEA")
    return phase


def pacea_end(
    *, actor: Actor, contract: PaceaContract, ended_on: datetime.date | None, end_reason: str, comment: str = ""
) -> None:
    """End a PACEA. Side effects: rows locked; status, end date and reason; a history event."""
    end_contract(actor=actor, contract=contract, ended_on=ended_on, end_reason=end_reason, comment=comment)
