"""What CEJ and PACEA contracts share (décret 2022-199; Code du travail L5131-4 ss.): durations,
date rules, French errors collected per field, locks, the no-overlap checks, and the end of a contract.

Every write locks the young person's row first (``select_for_update``), so two advisers writing
contracts of the same young person at the same time are served one after the other and the
overlap and 6-month rules are checked on what is really stored; state changes then lock the
contract row. Each change writes a YoungPersonEvent (the file's history); CEJ changes also a
dated CejEvent (the contract's timeline). Refusals are one ValidationError with French messages
per field, and nothing is written. The kinds' own services live in ``cej_contracts``,
``pacea_contracts`` and ``structuring_steps``; status changes go through ``cej.workflow``.
"""

from __future__ import annotations

import datetime
from typing import Protocol, TypeVar

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cej.access import require_file_holder
from cej.enums import ContractEndReason
from cej.models import CejContract, PaceaContract, YoungPerson
from cej.services.restrictions import require_not_restricted
from cej.validators import validate_no_nir
from cej.workflow import ContractAction, contract_end, transition_refusal
from partners.access import Actor
from partners.enums import Role
from partners.models import Membership, User

AnyContract = TypeVar("AnyContract", CejContract, PaceaContract)

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

NO_OVERLAP = "un CEJ et un PACEA ne se chevauchent pas."


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


class Errors:
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


def period(contract: CejContract | PaceaContract) -> str:
    return f"du {contract.starts_on:%d/%m/%Y} au {contract.end_on:%d/%m/%Y}"


# --- Locks -------------------------------------------------------------------------------------


def lock_young_person(young_person: YoungPerson) -> YoungPerson:
    """Every contract write starts here: the file locked, then refused if restricted (RGPD art. 18)."""
    locked = YoungPerson.objects.select_for_update().get(pk=young_person.pk)
    require_not_restricted(locked)
    return locked


def lock_contract(contract: AnyContract) -> AnyContract:
    """Young person first, then the contract: always the same order, so no deadlock."""
    lock_young_person(contract.young_person)
    return type(contract).objects.select_for_update().select_related("young_person").get(pk=contract.pk)


def _constraint_name(error: IntegrityError) -> str | None:
    return getattr(getattr(error.__cause__, "diag", None), "constraint_name", None)


def save_or_explain(instance: CejContract | PaceaContract, *, update_fields: list[str] | None = None) -> None:
    """Save in a savepoint; the no-overlap exclusion constraints become a French message."""
    try:
        with transaction.atomic():
            instance.save(update_fields=update_fields)
    except IntegrityError as error:
        name = _constraint_name(error)
        if name not in ("cej_no_overlap", "pacea_no_overlap"):
            raise
        model = CejContract if name == "cej_no_overlap" else PaceaContract
        other = (
            model.objects.filter(
                young_person_id=instance.young_person_id,
                starts_on__lte=instance.planned_end_on,
                planned_end_on__gte=instance.starts_on,
            )
            .exclude(pk=instance.pk)
            .first()
        )
        when = f" {period(other)}" if other is not None else " sur cette période"
        raise ValidationError(
            {
                "planned_end_on" if instance.pk else "starts_on": (
                    f"Ce jeune a déjà un {model.KIND}{when} : deux {model.KIND} ne se chevauchent pas."
                )
            }
        ) from error


# --- Shared checks -----------------------------------------------------------------------------


def referent_or_error(errors: Errors, *, actor: Actor, referent: User | None, young_person: YoungPerson) -> User | None:
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


def other_kind_overlap(
    errors: Errors,
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
            errors.add(field, f"Ce jeune a un {other_model.KIND} en cours {period(other)} : {NO_OVERLAP}")
            return


class SignedPeriod(Protocol):
    @property
    def signed_on(self) -> datetime.date | None: ...
    @property
    def starts_on(self) -> datetime.date | None: ...
    @property
    def planned_end_on(self) -> datetime.date | None: ...


def check_signature_dates(errors: Errors, data: SignedPeriod) -> tuple[bool, bool]:
    """A new contract's signature, start and planned end: each in the window, signed by the start.

    Returns whether the start and the planned end may be used in date arithmetic."""
    signed_ok = errors.date("signed_on", data.signed_on, "La date de signature")
    start_ok = errors.date("starts_on", data.starts_on, "Le début")
    end_ok = errors.date("planned_end_on", data.planned_end_on, "La fin prévue")
    if signed_ok and data.signed_on is not None:
        check_not_future(errors, "signed_on", data.signed_on, "La date de signature")
        if start_ok and data.starts_on is not None and data.signed_on > data.starts_on:
            errors.add("signed_on", "La signature ne peut pas suivre le début du contrat.")
    return start_ok, end_ok


def check_within(
    errors: Errors, field: str, day: datetime.date, contract: CejContract | PaceaContract, what: str
) -> None:
    if day < contract.starts_on or day > contract.end_on:
        errors.add(field, f"{what} doit se situer pendant le contrat, {period(contract)}.")


def check_not_future(errors: Errors, field: str, day: datetime.date, what: str) -> None:
    if day > timezone.localdate():
        errors.add(field, f"{what} ne peut pas être dans le futur.")


def end_errors(
    contract: CejContract | PaceaContract, *, ended_on: datetime.date | None, end_reason: str, comment: str = ""
) -> dict[str, list[str]]:
    """Why the contract cannot end on that date for that reason (empty: it can). Writes nothing.

    The view asks before showing the confirmation page; the end services ask again under lock.
    """
    errors = Errors()
    refusal = transition_refusal(contract, ContractAction.END)
    if refusal:
        errors.add(None, refusal)
    if end_reason not in ContractEndReason.values:
        errors.add("end_reason", "Choisissez le motif de fin.")
    errors.text("comment", comment)
    if errors.date("ended_on", ended_on, "La date de fin") and ended_on is not None:
        check_not_future(errors, "ended_on", ended_on, "La date de fin")
        if ended_on <= contract.starts_on:
            errors.add("ended_on", f"La fin doit suivre le début du contrat, le {contract.starts_on:%d/%m/%Y}.")
        elif ended_on > contract.planned_end_on:
            errors.add(
                "ended_on", f"Le contrat finit au plus tard à sa fin prévue, le {contract.planned_end_on:%d/%m/%Y}."
            )
    return errors.by_field


@transaction.atomic
def end_contract(
    *, actor: Actor, contract: AnyContract, ended_on: datetime.date | None, end_reason: str, comment: str = ""
) -> None:
    """End a CEJ or a PACEA. Side effects: rows locked; status, end date and reason; for a CEJ a
    CejEvent END; a history event."""
    require_file_holder(actor)
    locked = lock_contract(contract)
    problems = end_errors(locked, ended_on=ended_on, end_reason=end_reason, comment=comment)
    if problems:
        raise ValidationError(problems)
    assert ended_on is not None  # noqa: S101 (checked)
    contract_end(actor=actor, contract=locked, ended_on=ended_on, end_reason=end_reason, comment=comment.strip())
