"""Reads of CEJ and PACEA contracts and of the CEJ allowance.

A contract is always reached through its young person, itself fetched with
``young_person_for_actor`` (404 outside the actor's scope): a contract of another file is not found.
"""

from __future__ import annotations

import dataclasses
import datetime
import uuid
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404

from cej.enums import AllowanceCategory
from cej.models import AllowanceRate, CejContract, CejEvent, Contract, StructuringStep, YoungPerson
from partners.access import Actor
from partners.enums import OrganisationKind, Role
from partners.models import Organisation, User

# A minor's household tax status is not recorded: from the month of their 18th birthday the
# allowance follows the adult non-taxable rate (the common case); the adviser checks the
# household's status with the young person at that point.
ADULT_CATEGORY_AFTER_MINOR = AllowanceCategory.ADULT_NON_TAXABLE
ADULT_AGE = 18
# Consequences of a breach on the allowance of the month it happened in.
BREACH_ALLOWANCE_FACTOR: dict[int, Decimal] = {1: Decimal("0.75"), 2: Decimal("0")}
CENT = Decimal("0.01")


NOT_FOUND = (ValueError, TypeError, ValidationError)
AnyContract = TypeVar("AnyContract", bound=Contract)


def contract_of(model: type[AnyContract], *, young_person: YoungPerson, public_id: uuid.UUID | str) -> AnyContract:
    """One CEJ or PACEA (``model``, the type returned) of this file, or 404."""
    try:
        contract = (
            model._default_manager.filter(young_person=young_person)
            .select_related("organisation", "referent", "created_by")
            .get(public_id=public_id)
        )
    except (model.DoesNotExist, *NOT_FOUND) as error:
        raise Http404("Contrat introuvable.") from error
    contract.young_person = young_person  # type: ignore[attr-defined]  # each kind declares its own
    return contract


def structuring_step_of(*, contract: CejContract, public_id: uuid.UUID | str) -> StructuringStep:
    """One structuring step of this CEJ, or 404."""
    try:
        step = contract.structuring_steps.select_related("e2c_site").get(public_id=public_id)
    except (StructuringStep.DoesNotExist, *NOT_FOUND) as error:
        raise Http404("Solution structurante introuvable.") from error
    step.contract = contract
    return step


def cej_timeline(contract: CejContract) -> list[CejEvent]:
    return list(contract.events.select_related("actor"))


def referent_candidates(actor: Actor) -> list[User]:
    """Active advisers and managers of the actor's organisation: who may be a contract's referent."""
    return list(
        User.objects.filter(
            memberships__organisation=actor.organisation,
            memberships__is_active=True,
            memberships__role__in=[Role.ADVISER, Role.MANAGER],
            is_active=True,
        )
        .distinct()
        .order_by("last_name", "first_name", "id")
    )


def e2c_sites() -> QuerySet[Organisation]:
    """Active E2C sites of the directory (not personal data), for a structuring step."""
    return Organisation.objects.filter(kind=OrganisationKind.E2C_SITE, is_active=True).order_by("name", "id")


# --- Allowance ------------------------------------------------------------------------------------

Rates = dict[str, list[tuple[datetime.date, Decimal]]]


def allowance_rates() -> Rates:
    """Every dated amount, by category, latest first (one query; a few dozen rows)."""
    rates: Rates = {}
    for rate in AllowanceRate.objects.order_by("category", "-valid_from"):
        rates.setdefault(rate.category, []).append((rate.valid_from, rate.monthly_amount))
    return rates


def rate_on(rates: Rates, category: str, day: datetime.date) -> Decimal | None:
    """The amount in force on ``day``: the one with the latest start on or before it."""
    return next((amount for valid_from, amount in rates.get(category, []) if valid_from <= day), None)


def monthly_allowance_column(on_date: datetime.date) -> Subquery:
    """``monthly_allowance`` as a column of a CEJ contracts query (its category's rate on ``on_date``)."""
    return Subquery(
        AllowanceRate.objects.filter(category=OuterRef("allowance_category"), valid_from__lte=on_date)
        .order_by("-valid_from")
        .values("monthly_amount")[:1]
    )


def monthly_allowance(category: str, on_date: datetime.date) -> Decimal | None:
    """The CEJ monthly allowance of ``category`` in force on ``on_date`` (None before any rate)."""
    rate = (
        AllowanceRate.objects.filter(category=category, valid_from__lte=on_date)
        .order_by("-valid_from")
        .values_list("monthly_amount", flat=True)
        .first()
    )
    return rate


def category_for_month(contract: CejContract, birth_date: datetime.date, month: datetime.date) -> str:
    """The contract's category for the month starting on ``month``.

    A minor's CEJ moves to the adult rate from the month of the 18th birthday on (that whole
    month is paid at the adult rate); adult categories do not change.
    """
    if contract.allowance_category != AllowanceCategory.MINOR:
        return contract.allowance_category
    birthday = birth_date + relativedelta(years=ADULT_AGE)
    if (month.year, month.month) >= (birthday.year, birthday.month):
        return ADULT_CATEGORY_AFTER_MINOR
    return AllowanceCategory.MINOR


@dataclasses.dataclass(frozen=True)
class AllowanceMonth:
    month: datetime.date  # first day of the month
    category: str
    base: Decimal | None
    amount: Decimal | None  # after breaches
    breach_rank: int | None

    @property
    def category_label(self) -> str:
        return AllowanceCategory(self.category).label

    @property
    def reduced(self) -> bool:
        return self.base is not None and self.amount != self.base


def allowance_schedule(
    contract: CejContract, *, birth_date: datetime.date, events: list[CejEvent], rates: Rates
) -> list[AllowanceMonth]:
    """Month by month from the start to the (planned or actual) end: the amount due.

    The rate of a month is the one in force on its first day (rates change on the 1st). A 1st
    breach reduces its month by 25 %, a 2nd withdraws its month. Not modelled: prorating of
    partial months, and the deduction of an E2C training remuneration (paid by the région).
    """
    breaches: dict[tuple[int, int], int] = {}
    for event in events:
        if event.kind == CejEvent.Kind.BREACH and event.breach_rank in BREACH_ALLOWANCE_FACTOR:
            key = (event.occurred_on.year, event.occurred_on.month)
            breaches[key] = max(breaches.get(key, 0), event.breach_rank)
    months = []
    month = contract.starts_on.replace(day=1)
    while month <= contract.end_on:
        category = category_for_month(contract, birth_date, month)
        base = rate_on(rates, category, month)
        rank = breaches.get((month.year, month.month))
        amount = base
        if base is not None and rank is not None:
            amount = (base * BREACH_ALLOWANCE_FACTOR[rank]).quantize(CENT, rounding=ROUND_HALF_UP)
        months.append(AllowanceMonth(month=month, category=category, base=base, amount=amount, breach_rank=rank))
        month += relativedelta(months=1)
    return months


def current_allowance(schedule: list[AllowanceMonth], today: datetime.date) -> AllowanceMonth | None:
    """This month's line of the schedule (None outside the contract's months)."""
    return next((line for line in schedule if (line.month.year, line.month.month) == (today.year, today.month)), None)
