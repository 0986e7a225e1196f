"""Writes to CEJ and PACEA contracts (décret 2022-199; Code du travail L5131-4 ss.).

Every write locks the young person's row first (``select_for_update``), so two advisers writing
contracts of the same young person at the same time are served one after the other and the
overlap and 6-month rules are checked on what is really stored; state changes then lock the
contract row. Each change writes a YoungPersonEvent (the file's history); CEJ changes also a
dated CejEvent (the contract's timeline). Refusals are one ValidationError with French messages
per field, and nothing is written.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cej.enums import AllowanceCategory, ContractEndReason, ContractStatus
from cej.models import CejContract, CejEvent, PaceaContract, PaceaPhase, StructuringStep, YoungPerson
from cej.services.restrictions import require_not_restricted
from cej.services.young_people import (
    MAX_AGE,
    MAX_AGE_WITH_RQTH,
    MIN_AGE,
    can_hold_files,
    record_event,
    require_file_holder,
)
from cej.validators import validate_no_nir
from partners.access import Actor
from partners.enums import OrganisationKind, Role
from partners.french import lower_first
from partners.models import Membership, Organisation, User
from texthygiene.text import clip

# --- Rules (durations set by décret 2022-199 and the PACEA texts; amounts live in AllowanceRate) ---

CEJ_MIN_MONTHS = 6
CEJ_MAX_MONTHS = 12
CEJ_MAX_TOTAL_MONTHS = 18  # with extensions
CEJ_MONTHS_BETWEEN = 6  # a new CEJ 6 months after the end of the previous one
CEJ_MIN_WEEKLY_HOURS, CEJ_MAX_WEEKLY_HOURS = 15, 20
PACEA_MAX_MONTHS = 24
ADULT_AGE = 18
E2C_EXTENSION_MONTHS = 2  # the CEJ runs to the last day of the 2nd month after the E2C programme

# Dates outside this window are typing mistakes; refusing them first also keeps the date
# arithmetic below (months added, ages) far from years 1 and 9999.
EARLIEST_DATE = datetime.date(1990, 1, 1)
LATEST_YEARS_AHEAD = 5

BREACH_CONSEQUENCES: dict[int, str] = {
    1: "allocation du mois réduite de 25 %",
    2: "allocation d'un mois supprimée",
    3: "fin du contrat",
}
BREACH_ENDING_RANK = 3

NO_OVERLAP = "un CEJ et un PACEA ne se chevauchent pas."


class ContractAction(enum.StrEnum):
    EXTEND = "extend"
    SUSPEND = "suspend"
    RESUME = "resume"
    RECORD_BREACH = "record_breach"
    END = "end"
    ADD_STRUCTURING_STEP = "add_structuring_step"
    ADD_PHASE = "add_phase"


ACTION_LABELS: dict[ContractAction, str] = {
    ContractAction.EXTEND: "de prolonger ce contrat",
    ContractAction.SUSPEND: "de suspendre ce contrat",
    ContractAction.RESUME: "de reprendre ce contrat",
    ContractAction.RECORD_BREACH: "d'enregistrer un manquement",
    ContractAction.END: "de mettre fin à ce contrat",
    ContractAction.ADD_STRUCTURING_STEP: "d'ajouter une solution structurante",
    ContractAction.ADD_PHASE: "d'ajouter une phase",
}

# The one table of what may happen to a contract in each status, and the status it leads to.
# A third breach leads to ENDED instead (see cej_record_breach). PACEA use END and ADD_PHASE only.
CONTRACT_TRANSITIONS: dict[str, dict[ContractAction, str]] = {
    ContractStatus.ACTIVE: {
        ContractAction.EXTEND: ContractStatus.ACTIVE,
        ContractAction.SUSPEND: ContractStatus.SUSPENDED,
        ContractAction.RECORD_BREACH: ContractStatus.ACTIVE,
        ContractAction.END: ContractStatus.ENDED,
        ContractAction.ADD_STRUCTURING_STEP: ContractStatus.ACTIVE,
        ContractAction.ADD_PHASE: ContractStatus.ACTIVE,
    },
    ContractStatus.SUSPENDED: {
        ContractAction.RESUME: ContractStatus.ACTIVE,
        ContractAction.EXTEND: ContractStatus.SUSPENDED,
        ContractAction.RECORD_BREACH: ContractStatus.SUSPENDED,
        ContractAction.END: ContractStatus.ENDED,
        ContractAction.ADD_STRUCTURING_STEP: ContractStatus.SUSPENDED,
    },
    ContractStatus.ENDED: {},
}


def can_apply(contract: CejContract | PaceaContract, action: ContractAction) -> bool:
    return action in CONTRACT_TRANSITIONS[contract.status]


def transition_refusal(contract: CejContract | PaceaContract, action: ContractAction) -> str | None:
    """The French reason why ``action`` is not possible in the contract's status, else None."""
    if can_apply(contract, action):
        return None
    return f"Impossible {ACTION_LABELS[action]} : le contrat est {lower_first(contract.get_status_display())}."


def _next_status(contract: CejContract | PaceaContract, action: ContractAction) -> str:
    refusal = transition_refusal(contract, action)
    if refusal is not None:
        raise ValidationError(refusal)
    return CONTRACT_TRANSITIONS[contract.status][action]


# --- Pure date rules ----------------------------------------------------------------------------


def months_after(start: datetime.date, months: int) -> datetime.date:
    """The last day of a period of ``months`` months starting on ``start`` (1 Jan + 6 → 30 June)."""
    return start + relativedelta(months=months) - datetime.timedelta(days=1)


def cej_end_after_e2c(programme_end: datetime.date) -> datetime.date:
    """The CEJ runs to the last day of the 2nd month after the E2C programme ends.

    A programme ending on 15/03/2026 carries the CEJ to 31/05/2026.
    """
    return programme_end + relativedelta(months=E2C_EXTENSION_MONTHS, day=31)


def next_cej_possible_on(previous_end: datetime.date) -> datetime.date:
    return previous_end + relativedelta(months=CEJ_MONTHS_BETWEEN)


def _date_error(value: datetime.date | None, what: str) -> str | None:
    if value is None:
        return f"{what} est obligatoire."
    if value < EARLIEST_DATE:
        return f"{what} ne peut pas précéder le {EARLIEST_DATE:%d/%m/%Y}."
    latest = timezone.localdate() + relativedelta(years=LATEST_YEARS_AHEAD)
    if value > latest:
        return f"{what} ne peut pas dépasser le {latest:%d/%m/%Y}."
    return None


class _Errors:
    """French messages collected per form field, raised together."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = {}

    def add(self, field: str | None, message: str) -> None:
        self.by_field.setdefault(field or "__all__", []).append(message)

    def date(self, field: str, value: datetime.date | None, what: str) -> bool:
        """Check the window; True when the date may be used in arithmetic."""
        message = _date_error(value, what)
        if message:
            self.add(field, message)
        return message is None

    def text(self, field: str, value: str) -> None:
        try:
            validate_no_nir(value)
        except ValidationError as error:
            self.add(field, error.messages[0])

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)


def _period(contract: CejContract | PaceaContract) -> str:
    return f"du {contract.starts_on:%d/%m/%Y} au {contract.end_on:%d/%m/%Y}"


# --- Locks -------------------------------------------------------------------------------------


def _lock_young_person(young_person: YoungPerson) -> YoungPerson:
    """Every contract write starts here: the file locked, then refused if restricted (RGPD art. 18)."""
    locked = YoungPerson.objects.select_for_update().get(pk=young_person.pk)
    require_not_restricted(locked)
    return locked


def _lock_cej(contract: CejContract) -> CejContract:
    """Young person first, then the contract: always the same order, so no deadlock."""
    _lock_young_person(contract.young_person)
    return CejContract.objects.select_for_update().select_related("young_person").get(pk=contract.pk)


def _lock_pacea(contract: PaceaContract) -> PaceaContract:
    _lock_young_person(contract.young_person)
    return PaceaContract.objects.select_for_update().select_related("young_person").get(pk=contract.pk)


def _constraint_name(error: IntegrityError) -> str | None:
    return getattr(getattr(error.__cause__, "diag", None), "constraint_name", None)


def _save_or_explain(instance: CejContract | PaceaContract, *, update_fields: list[str] | None = None) -> None:
    """Save in a savepoint; the no-overlap exclusion constraints become a French message."""
    try:
        with transaction.atomic():
            instance.save(update_fields=update_fields)
    except IntegrityError as error:
        name = _constraint_name(error)
        if name not in ("cej_no_overlap", "pacea_no_overlap"):
            raise
        model = CejContract if name == "cej_no_overlap" else PaceaContract
        label = "CEJ" if model is CejContract else "PACEA"
        other = (
            model.objects.filter(
                young_person_id=instance.young_person_id,
                starts_on__lte=instance.planned_end_on,
                planned_end_on__gte=instance.starts_on,
            )
            .exclude(pk=instance.pk)
            .first()
        )
        period = f" {_period(other)}" if other is not None else " sur cette période"
        raise ValidationError(
            {
                "planned_end_on" if instance.pk else "starts_on": (
                    f"Ce jeune a déjà un {label}{period} : deux {label} ne se chevauchent pas."
                )
            }
        ) from error


# --- Shared checks -----------------------------------------------------------------------------


def _referent_or_error(
    errors: _Errors, *, actor: Actor, referent: User | None, young_person: YoungPerson
) -> User | None:
    """The contract's referent: given, else the actor if adviser, else the file's referent."""
    if referent is None:
        referent = actor.user if actor.role == Role.ADVISER else young_person.referent
    if referent is None:
        errors.add("referent", "Choisissez le conseiller référent du contrat.")
        return None
    if not Membership.objects.filter(
        user=referent, organisation=actor.organisation, is_active=True, role__in=[Role.ADVISER, Role.MANAGER]
    ).exists():
        errors.add(
            "referent", "Le conseiller référent doit être un conseiller ou un responsable de votre organisation."
        )
        return None
    return referent


def _other_kind_overlap(
    errors: _Errors,
    *,
    young_person: YoungPerson,
    other_model: type[CejContract] | type[PaceaContract],
    starts_on: datetime.date,
    ends_on: datetime.date,
    field: str,
) -> None:
    """A CEJ and a PACEA of the same young person never overlap (effective periods)."""
    for other in other_model.objects.filter(young_person=young_person, starts_on__lte=ends_on):
        if other.end_on >= starts_on:
            label = "PACEA" if other_model is PaceaContract else "CEJ"
            errors.add(field, f"Ce jeune a un {label} en cours {_period(other)} : {NO_OVERLAP}")
            return


def _check_within(
    errors: _Errors, field: str, day: datetime.date, contract: CejContract | PaceaContract, what: str
) -> None:
    if day < contract.starts_on or day > contract.end_on:
        errors.add(field, f"{what} doit se situer pendant le contrat, {_period(contract)}.")


def _check_not_future(errors: _Errors, field: str, day: datetime.date, what: str) -> None:
    if day > timezone.localdate():
        errors.add(field, f"{what} ne peut pas être dans le futur.")


# --- CEJ -----------------------------------------------------------------------------------------


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
    errors = _Errors()
    referent = _referent_or_error(errors, actor=actor, referent=data.referent, young_person=young_person)
    signed_ok = errors.date("signed_on", data.signed_on, "La date de signature")
    start_ok = errors.date("starts_on", data.starts_on, "Le début")
    end_ok = errors.date("planned_end_on", data.planned_end_on, "La fin prévue")
    if signed_ok and data.signed_on is not None:
        _check_not_future(errors, "signed_on", data.signed_on, "La date de signature")
        if start_ok and data.starts_on is not None and data.signed_on > data.starts_on:
            errors.add("signed_on", "La signature ne peut pas suivre le début du contrat.")
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
                _other_kind_overlap(
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
    errors: _Errors, *, young_person: YoungPerson, starts_on: datetime.date, ends_on: datetime.date
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
    locked = _lock_young_person(young_person)
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
    _save_or_explain(contract)
    record_event(young_person=locked, actor=actor, action=f"CEJ signé, {_period(contract)}")
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
    locked = _lock_cej(contract)
    _next_status(locked, ContractAction.EXTEND)
    errors = _Errors()
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
    return _apply_extension(actor=actor, contract=locked, new_end_on=new_end_on, reason=reason.strip())


def _apply_extension(*, actor: Actor, contract: CejContract, new_end_on: datetime.date, reason: str) -> CejEvent:
    """Move a locked CEJ's planned end; never over a PACEA nor (database constraint) another CEJ."""
    errors = _Errors()
    _other_kind_overlap(
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
        _save_or_explain(contract, update_fields=["planned_end_on", "updated_at"])
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
    locked = _lock_cej(contract)
    status = _next_status(locked, ContractAction.SUSPEND)
    errors = _Errors()
    if errors.date("occurred_on", occurred_on, "La date de suspension") and occurred_on is not None:
        _check_within(errors, "occurred_on", occurred_on, locked, "La suspension")
    if not reason.strip():
        errors.add("reason", "Indiquez le motif de la suspension.")
    errors.text("reason", reason)
    errors.raise_if_any()
    assert occurred_on is not None  # noqa: S101 (checked)
    return _change_status(
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
    locked = _lock_cej(contract)
    status = _next_status(locked, ContractAction.RESUME)
    errors = _Errors()
    errors.text("reason", reason)
    if errors.date("occurred_on", occurred_on, "La date de reprise") and occurred_on is not None:
        _check_within(errors, "occurred_on", occurred_on, locked, "La reprise")
        suspension = locked.events.filter(kind=CejEvent.Kind.SUSPENSION).order_by("-occurred_on", "-id").first()
        if suspension is not None and occurred_on < suspension.occurred_on:
            errors.add(
                "occurred_on", f"La reprise ne peut pas précéder la suspension du {suspension.occurred_on:%d/%m/%Y}."
            )
    errors.raise_if_any()
    assert occurred_on is not None  # noqa: S101 (checked)
    return _change_status(
        actor=actor,
        contract=locked,
        status=status,
        kind=CejEvent.Kind.RESUMPTION,
        occurred_on=occurred_on,
        reason=reason.strip(),
        action=f"CEJ repris le {occurred_on:%d/%m/%Y}",
    )


def _change_status(
    *,
    actor: Actor,
    contract: CejContract,
    status: str,
    kind: str,
    occurred_on: datetime.date,
    reason: str,
    action: str,
    consequence: str = "",
) -> CejEvent:
    contract.status = status
    contract.save(update_fields=["status", "updated_at"])
    event = CejEvent.objects.create(
        contract=contract, kind=kind, occurred_on=occurred_on, reason=reason, consequence=consequence, actor=actor.user
    )
    record_event(young_person=contract.young_person, actor=actor, action=action, fields=["status"])
    return event


BREACH_RANK_CHANGED = "Un autre manquement vient d'être enregistré : vérifiez avant de continuer."
CONSEQUENCE_MAX_LENGTH = CejEvent._meta.get_field("consequence").max_length or 250


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
    locked = _lock_cej(contract)
    _next_status(locked, ContractAction.RECORD_BREACH)
    rank = next_breach_rank(locked)
    if expected_rank is not None and rank != expected_rank:
        # The adviser was shown another rank (and its consequence): a breach was recorded meanwhile.
        raise ValidationError(BREACH_RANK_CHANGED)
    errors = _Errors()
    if errors.date("occurred_on", occurred_on, "La date du manquement") and occurred_on is not None:
        _check_within(errors, "occurred_on", occurred_on, locked, "Le manquement")
        _check_not_future(errors, "occurred_on", occurred_on, "Un manquement")
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
        _end(
            actor=actor,
            contract=locked,
            ended_on=occurred_on,
            end_reason=ContractEndReason.BREACH,
            comment=f"{rank}e manquement",
        )
    return event


def end_errors(
    contract: CejContract | PaceaContract, *, ended_on: datetime.date | None, end_reason: str, comment: str = ""
) -> dict[str, list[str]]:
    """Why the contract cannot end on that date for that reason (empty: it can). Writes nothing.

    The view asks before showing the confirmation page; the end services ask again under lock.
    """
    errors = _Errors()
    refusal = transition_refusal(contract, ContractAction.END)
    if refusal:
        errors.add(None, refusal)
    if end_reason not in ContractEndReason.values:
        errors.add("end_reason", "Choisissez le motif de fin.")
    errors.text("comment", comment)
    if errors.date("ended_on", ended_on, "La date de fin") and ended_on is not None:
        _check_not_future(errors, "ended_on", ended_on, "La date de fin")
        if ended_on <= contract.starts_on:
            errors.add("ended_on", f"La fin doit suivre le début du contrat, le {contract.starts_on:%d/%m/%Y}.")
        elif ended_on > contract.planned_end_on:
            errors.add(
                "ended_on", f"Le contrat finit au plus tard à sa fin prévue, le {contract.planned_end_on:%d/%m/%Y}."
            )
    return errors.by_field


def _end(
    *,
    actor: Actor,
    contract: CejContract | PaceaContract,
    ended_on: datetime.date,
    end_reason: str,
    comment: str,
) -> None:
    """End a locked contract. The planned end becomes the real one: the no-overlap constraints
    then see the period actually covered, so a new contract may follow an early end."""
    planned = contract.planned_end_on
    contract.status = ContractStatus.ENDED
    contract.ended_on = ended_on
    contract.planned_end_on = ended_on
    contract.end_reason = end_reason
    contract.save(update_fields=["status", "ended_on", "planned_end_on", "end_reason", "updated_at"])
    label = ContractEndReason(end_reason).label
    kind = "CEJ" if isinstance(contract, CejContract) else "PACEA"
    if isinstance(contract, CejContract):
        CejEvent.objects.create(
            contract=contract,
            kind=CejEvent.Kind.END,
            occurred_on=ended_on,
            new_end_on=ended_on,
            consequence=f"{label} (fin prévue jusque-là : {planned:%d/%m/%Y})",
            reason=comment,
            actor=actor.user,
        )
    record_event(
        young_person=contract.young_person,
        actor=actor,
        action=f"{kind} terminé le {ended_on:%d/%m/%Y} : {label}",
        fields=["status", "ended_on", "end_reason"],
    )


@transaction.atomic
def cej_end(
    *, actor: Actor, contract: CejContract, ended_on: datetime.date | None, end_reason: str, comment: str = ""
) -> None:
    """End a CEJ. Side effects: rows locked; status, end date and reason; a CejEvent END; a history event."""
    require_file_holder(actor)
    locked = _lock_cej(contract)
    problems = end_errors(locked, ended_on=ended_on, end_reason=end_reason, comment=comment)
    if problems:
        raise ValidationError(problems)
    assert ended_on is not None  # noqa: S101 (checked)
    _end(actor=actor, contract=locked, ended_on=ended_on, end_reason=end_reason, comment=comment.strip())


# --- Structuring steps --------------------------------------------------------------------------


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
    locked = _lock_cej(contract)
    _next_status(locked, ContractAction.ADD_STRUCTURING_STEP)
    errors = _Errors()
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
        _check_within(errors, "starts_on", data.starts_on, locked, "Le début")
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
    CejEvent.objects.create(
        contract=locked,
        kind=CejEvent.Kind.STRUCTURING_STEP,
        occurred_on=data.starts_on,
        consequence=clip(
            f"« {label} »" + (f" à {data.e2c_site}" if data.is_e2c and data.e2c_site else ""), CONSEQUENCE_MAX_LENGTH
        ),
        actor=actor.user,
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
    locked = _lock_cej(step.contract)
    _next_status(locked, ContractAction.ADD_STRUCTURING_STEP)
    step = StructuringStep.objects.select_for_update().get(pk=step.pk)
    errors = _Errors()
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


def _extend_after_e2c(*, actor: Actor, contract: CejContract, step: StructuringStep) -> None:
    if not step.is_e2c or step.ends_on is None:
        return
    new_end_on = cej_end_after_e2c(step.ends_on)
    if new_end_on <= contract.planned_end_on:
        return
    # The legal extension for an E2C programme (décret 2022-199): it applies even beyond the
    # 18 months that bound ordinary extensions, so cej_max_end is deliberately not checked here.
    _apply_extension(
        actor=actor,
        contract=contract,
        new_end_on=new_end_on,
        reason=(
            f"Parcours E2C terminé le {step.ends_on:%d/%m/%Y} : le CEJ court jusqu'au dernier jour du 2e mois suivant."
        ),
    )


# --- PACEA ---------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class PaceaData:
    signed_on: datetime.date | None
    starts_on: datetime.date | None
    planned_end_on: datetime.date | None
    referent: User | None = None


PACEA_ML_ONLY = "Le PACEA est un contrat des Missions Locales : France Travail ne peut pas en signer."


def can_sign_pacea(actor: Actor) -> bool:
    """File holders of a Mission Locale (not France Travail) sign PACEA."""
    return (
        can_hold_files(actor)
        and actor.organisation is not None
        and actor.organisation.kind == OrganisationKind.MISSION_LOCALE
    )


@transaction.atomic
def pacea_create(*, actor: Actor, young_person: YoungPerson, data: PaceaData) -> PaceaContract:
    """Sign a PACEA (24 consecutive months at most, never over a CEJ nor another PACEA).

    A PACEA is a Mission Locale contract: France Travail agencies sign CEJ only.
    Side effects: the young person's row is locked; the contract; a history event.
    """
    require_file_holder(actor)
    if not can_sign_pacea(actor):
        raise PermissionDenied(PACEA_ML_ONLY)
    locked = _lock_young_person(young_person)
    errors = _Errors()
    referent = _referent_or_error(errors, actor=actor, referent=data.referent, young_person=locked)
    signed_ok = errors.date("signed_on", data.signed_on, "La date de signature")
    start_ok = errors.date("starts_on", data.starts_on, "Le début")
    end_ok = errors.date("planned_end_on", data.planned_end_on, "La fin prévue")
    if signed_ok and data.signed_on is not None:
        _check_not_future(errors, "signed_on", data.signed_on, "La date de signature")
        if start_ok and data.starts_on is not None and data.signed_on > data.starts_on:
            errors.add("signed_on", "La signature ne peut pas suivre le début du contrat.")
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
            _other_kind_overlap(
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
    _save_or_explain(contract)
    record_event(young_person=locked, actor=actor, action=f"PACEA signé, {_period(contract)}")
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
    locked = _lock_pacea(contract)
    _next_status(locked, ContractAction.ADD_PHASE)
    errors = _Errors()
    label = data.label.strip()
    if not label:
        errors.add("label", "L'intitulé de la phase est obligatoire.")
    errors.text("label", label)
    errors.text("objectives", data.objectives)
    start_ok = errors.date("starts_on", data.starts_on, "Le début")
    if start_ok and data.starts_on is not None:
        _check_within(errors, "starts_on", data.starts_on, locked, "Le début")
    end_ok = data.ends_on is None or errors.date("ends_on", data.ends_on, "La fin")
    if data.ends_on is not None and end_ok:
        _check_within(errors, "ends_on", data.ends_on, locked, "La fin")
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


@transaction.atomic
def pacea_end(
    *, actor: Actor, contract: PaceaContract, ended_on: datetime.date | None, end_reason: str, comment: str = ""
) -> None:
    """End a PACEA. Side effects: rows locked; status, end date and reason; a history event."""
    require_file_holder(actor)
    locked = _lock_pacea(contract)
    problems = end_errors(locked, ended_on=ended_on, end_reason=end_reason, comment=comment)
    if problems:
        raise ValidationError(problems)
    assert ended_on is not None  # noqa: S101 (checked)
    _end(actor=actor, contract=locked, ended_on=ended_on, end_reason=end_reason, comment=comment.strip())


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
    locked = _lock_cej(contract)
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
        CejEvent.objects.create(
            contract=locked,
            kind=CejEvent.Kind.STRUCTURING_STEP,
            occurred_on=on,
            consequence=clip(f"« {step.label} »", CONSEQUENCE_MAX_LENGTH),
            actor=actor.user,
        )
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
