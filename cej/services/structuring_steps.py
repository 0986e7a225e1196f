"""Structuring steps of a CEJ (intensive programmes, among them an E2C programme): add, end, and
the E2C programme reported by the referral workflow. The end of an E2C programme extends the CEJ to
the last day of the 2nd month after it (décret 2022-199).
"""

from __future__ import annotations

import dataclasses
import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from cej.access import require_file_holder
from cej.models import CejContract, CejEvent, StructuringStep
from cej.services.cej_contracts import apply_extension
from cej.services.contract_base import Errors, cej_end_after_e2c, check_within, lock_contract
from cej.services.young_people import record_event
from cej.workflow import ContractAction, can_apply, next_status
from partners.access import Actor
from partners.enums import OrganisationKind
from partners.models import Organisation
from texthygiene.text import clip

CONSEQUENCE_MAX_LENGTH = CejEvent._meta.get_field("consequence").max_length or 250


@dataclasses.dataclass(frozen=True)
class StructuringStepData:
    label: str
    starts_on: datetime.date | None
    ends_on: datetime.date | None = None
    is_e2c: bool = False
    e2c_site: Organisation | None = None


@transaction.atomic
def structuring_step_add(*, actor: Actor, contract: CejContract, data: StructuringStepData) -> StructuringStep:
    """Add an intensive programme to a CEJ; an E2C programme with a known end extends the CEJ.

    Side effects: rows locked; the step; a CejEvent STRUCTURING_STEP; when an E2C programme's end
    is known, the planned end moved to the last day of the 2nd month after it (CejEvent EXTENSION);
    history events.
    """
    require_file_holder(actor)
    locked = lock_contract(contract)
    next_status(locked, ContractAction.ADD_STRUCTURING_STEP)
    errors = Errors()
    label = data.label.strip()
    if not label:
        errors.add("label", "L'intitulé est obligatoire.")
    errors.text("label", label)
    if data.is_e2c:
        site = data.e2c_site
        if site is None:
            errors.add("e2c_site", "Choisissez le site E2C du parcours.")
        elif site.kind != OrganisationKind.E2C_SITE or not site.is_active:
            errors.add("e2c_site", "Choisissez un site E2C actif de l'annuaire.")
    elif data.e2c_site is not None:
        errors.add("e2c_site", "Un site E2C ne s'indique que pour un parcours E2C : cochez « parcours E2C ».")
    start_ok = errors.date("starts_on", data.starts_on, "Le début")
    if start_ok and data.starts_on is not None:
        check_within(errors, "starts_on", data.starts_on, locked, "Le début")
    if (
        data.ends_on is not None
        and errors.date("ends_on", data.ends_on, "La fin")
        and start_ok
        and data.starts_on is not None
        and data.ends_on < data.starts_on
    ):
        errors.add("ends_on", "La fin ne peut pas précéder le début.")
    errors.raise_if_any()
    assert data.starts_on is not None  # noqa: S101 (checked)
    step = StructuringStep.objects.create(
        contract=locked,
        label=label,
        is_e2c=data.is_e2c,
        e2c_site=data.e2c_site if data.is_e2c else None,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
    )
    _step_event(
        actor=actor,
        contract=locked,
        occurred_on=data.starts_on,
        consequence=f"« {label} »" + (f" à {data.e2c_site}" if data.is_e2c and data.e2c_site else ""),
    )
    record_event(
        young_person=locked.young_person,
        actor=actor,
        action=f"Solution structurante « {label} » ajoutée au CEJ",
    )
    _extend_after_e2c(actor=actor, contract=locked, step=step)
    return step


@transaction.atomic
def structuring_step_end(*, actor: Actor, step: StructuringStep, ends_on: datetime.date | None) -> StructuringStep:
    """Record the end of a structuring step (an E2C programme's end extends the CEJ).

    Side effects: rows locked; the step's end; for an E2C programme, the CEJ extension; history events.
    """
    require_file_holder(actor)
    locked = lock_contract(step.contract)
    next_status(locked, ContractAction.ADD_STRUCTURING_STEP)
    step = StructuringStep.objects.select_for_update().get(pk=step.pk)
    errors = Errors()
    if errors.date("ends_on", ends_on, "La fin") and ends_on is not None and ends_on < step.starts_on:
        errors.add("ends_on", f"La fin ne peut pas précéder le début, le {step.starts_on:%d/%m/%Y}.")
    errors.raise_if_any()
    assert ends_on is not None  # noqa: S101 (checked)
    step.ends_on = ends_on
    step.save(update_fields=["ends_on", "updated_at"])
    record_event(
        young_person=locked.young_person,
        actor=actor,
        action=f"Fin de la solution structurante « {step.label} » le {ends_on:%d/%m/%Y}",
    )
    _extend_after_e2c(actor=actor, contract=locked, step=step)
    return step


def _step_event(*, actor: Actor, contract: CejContract, occurred_on: datetime.date, consequence: str) -> None:
    """The step's line in the CEJ's timeline."""
    CejEvent.objects.create(
        contract=contract,
        kind=CejEvent.Kind.STRUCTURING_STEP,
        occurred_on=occurred_on,
        consequence=clip(consequence, CONSEQUENCE_MAX_LENGTH),
        actor=actor.user,
    )


def _extend_after_e2c(*, actor: Actor, contract: CejContract, step: StructuringStep) -> None:
    if not step.is_e2c or step.ends_on is None:
        return
    new_end_on = cej_end_after_e2c(step.ends_on)
    if new_end_on <= contract.planned_end_on:
        return
    # The legal extension for an E2C programme (décret 2022-199): it applies even beyond the
    # 18 months that bound ordinary extensions, so cej_max_end is deliberately not checked here.
    apply_extension(
        actor=actor,
        contract=contract,
        new_end_on=new_end_on,
        reason=(
            f"Parcours E2C terminé le {step.ends_on:%d/%m/%Y} : le CEJ court jusqu'au dernier jour du 2e mois suivant."
        ),
    )


@transaction.atomic
def e2c_programme_report(
    *, actor: Actor, contract: CejContract, e2c_site: Organisation, on: datetime.date, ended: bool
) -> StructuringStep | None:
    """The E2C programme of a referral, reported by the referral workflow as a CEJ structuring step.

    At enrolment (``ended`` False) the step starts; at the exit (``ended`` True) it ends and the CEJ
    is extended to the last day of the 2nd month after. The E2C staff making the referral move are
    not the file's holders: the referral workflow has already checked they may make it. A CEJ that is
    already over is left untouched (None). Side effects: the step, CejEvents, history events.
    """
    locked = lock_contract(contract)
    if not can_apply(locked, ContractAction.ADD_STRUCTURING_STEP):
        return None
    step = (
        StructuringStep.objects.select_for_update()
        .filter(contract=locked, is_e2c=True, e2c_site=e2c_site, ends_on__isnull=True)
        .order_by("-starts_on", "-id")
        .first()
    )
    if step is None:
        label = clip(f"Parcours E2C — {e2c_site}", StructuringStep._meta.get_field("label").max_length or 200)
        step = StructuringStep.objects.create(
            contract=locked, label=label, is_e2c=True, e2c_site=e2c_site, starts_on=on
        )
        _step_event(actor=actor, contract=locked, occurred_on=on, consequence=f"« {step.label} »")
    if ended and step.ends_on is None:
        step.ends_on = max(on, step.starts_on)
        step.save(update_fields=["ends_on", "updated_at"])
        try:
            with transaction.atomic():
                _extend_after_e2c(actor=actor, contract=locked, step=step)
        except ValidationError as error:
            # The exit stands; the adviser sees why the CEJ could not be extended (e.g. a PACEA follows).
            record_event(
                young_person=locked.young_person,
                actor=actor,
                action="Prolongation du CEJ après l'E2C impossible : " + " ".join(error.messages),
            )
    return step
