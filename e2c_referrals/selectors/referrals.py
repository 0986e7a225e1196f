"""Reads of referrals, scoped: the referrer's side sees its referrals, the E2C side those it receives."""

from __future__ import annotations

import dataclasses
import datetime
import uuid
from decimal import Decimal

from django.db.models import F, OuterRef, QuerySet, Subquery, Value
from django.http import Http404

from cej.models import CejContract, PaceaContract, Restriction, YoungPerson, duplicate_key, normalised_name
from cej.selectors.contracts import monthly_allowance, monthly_allowance_column
from cej.services.restrictions import open_restriction
from e2c_referrals.access import referrals_condition
from e2c_referrals.enums import HANDING_BACK_STATUSES, OPEN_STATUSES, ReferralStatus
from e2c_referrals.models import HandBack, PostExitNews, Referral, ReferralTransition
from partners.access import Actor, Capability
from partners.french import lower_first
from partners.models import Organisation, User
from partners.shown import ORGANISATION_SHOWN, PERSON_SHOWN, shown_only

# The annotation ``referral_for_actor(page=True)`` adds: when the file's open restriction started.
RESTRICTED_SINCE = "restricted_since"
# The annotation ``referral_contracts`` adds to the CEJ contracts it reads: their allowance today.
ALLOWANCE_TODAY = "allowance_today"


def referrals_for_actor(actor: Actor) -> QuerySet[Referral]:
    """Referrals sent by the actor's organisation (advisers, managers) or received by its sites
    (E2C staff, managers). Coordinators and the national committee see none (aggregates only)."""
    if not actor.can(Capability.VIEW_PERSONAL_DATA):
        return Referral.objects.none()
    return Referral.objects.filter(referrals_condition(actor))


def referral_for_actor(*, actor: Actor, public_id: uuid.UUID | str, page: bool = False) -> Referral:
    """One referral or 404. ``page``: for the referral's page, which names the referring adviser (the
    rest of their account row is not read)."""
    referrals = referrals_for_actor(actor).select_related(
        "young_person", "referring_organisation", "referring_adviser", "e2c_site", "cej_contract"
    )
    if page:
        referrals = referrals.defer(*shown_only("referring_adviser", User, PERSON_SHOWN)).annotate(
            # The page's restriction notice, read with the referral rather than by one more query.
            **{
                RESTRICTED_SINCE: Subquery(
                    Restriction.objects.filter(young_person_id=OuterRef("young_person_id"), lifted_at__isnull=True)
                    .order_by()
                    .values("started_at")[:1]
                )
            }
        )
    try:
        return referrals.get(public_id=public_id)
    except (Referral.DoesNotExist, ValueError, TypeError) as error:
        raise Http404("Orientation introuvable.") from error


def restricted_since(referral: Referral) -> datetime.datetime | None:
    """Since when the young person's file is restricted (RGPD article 18), None when it is not: read
    with the referral by ``referral_for_actor(page=True)``, else one probe of the open restriction."""
    if hasattr(referral, RESTRICTED_SINCE):
        since: datetime.datetime | None = getattr(referral, RESTRICTED_SINCE)
        return since
    restriction = open_restriction(referral.young_person_id)
    return restriction.started_at if restriction is not None else None


def transitions_of_referral(referral: Referral) -> list[ReferralTransition]:
    """The referral's history as its page shows it: who moved it, for which organisation."""
    return list(
        referral.transitions.select_related("actor", "actor_organisation").defer(
            *shown_only("actor", User, PERSON_SHOWN),
            *shown_only("actor_organisation", Organisation, ORGANISATION_SHOWN),
        )
    )


def hand_backs_of_referral(referral: Referral) -> list[HandBack]:
    """The tasks its moves handed back, oldest first; none (and no query) before a handing-back state."""
    if referral.status not in HANDING_BACK_STATUSES:
        return []
    return list(
        referral.hand_backs.select_related("organisation", "handled_by")
        .defer(
            *shown_only("organisation", Organisation, ORGANISATION_SHOWN), *shown_only("handled_by", User, PERSON_SHOWN)
        )
        .order_by("created_at", "id")
    )


def post_exit_news_of_referral(referral: Referral) -> list[PostExitNews]:
    return list(
        referral.post_exit_news.select_related("recorded_by").defer(*shown_only("recorded_by", User, PERSON_SHOWN))
    )


@dataclasses.dataclass(frozen=True)
class ReferralContracts:
    """The young person's CEJ and PACEA contracts as a referral shows them (its page and its file)."""

    cej_contracts: list[CejContract]
    pacea_contracts: list[PaceaContract]
    cej: CejContract | None  # the one attached to the referral, else the latest
    cej_allowance: Decimal | None  # its monthly allowance today


def referral_contracts(referral: Referral, *, today: datetime.date) -> ReferralContracts:
    """Reads the prefetched contracts when the caller prefetched them (the batch of files), else two
    queries (newest first, the models' ordering; the CEJ ones with their allowance today, which the
    attached or latest one shows). Only for an actor shown the "contracts" category."""
    young_person = referral.young_person
    if "cej_contracts" in getattr(young_person, "_prefetched_objects_cache", {}):
        cej_contracts = list(young_person.cej_contracts.all())
    else:
        cej_contracts = list(young_person.cej_contracts.annotate(**{ALLOWANCE_TODAY: monthly_allowance_column(today)}))
    cej = referral.cej_contract or next(iter(cej_contracts), None)
    listed = next((contract for contract in cej_contracts if cej is not None and contract.pk == cej.pk), None)
    allowance: Decimal | None = None
    if listed is not None and hasattr(listed, ALLOWANCE_TODAY):
        allowance = getattr(listed, ALLOWANCE_TODAY)
    elif cej is not None:
        allowance = monthly_allowance(cej.allowance_category, today)
    return ReferralContracts(
        cej_contracts=cej_contracts,
        pacea_contracts=list(young_person.pacea_contracts.all()),
        cej=cej,
        cej_allowance=allowance,
    )


def other_network_referrals(*, young_person: YoungPerson, include_drafts: bool = False) -> list[Referral]:
    """Open referrals of the same person (same normalised name and birth date) by ANOTHER organisation.

    Drafts are left out of what pages show (not yet sent, they are the other structure's business);
    ``include_drafts`` keeps them for the creation guard, which must not silently double a referral.
    """
    statuses = OPEN_STATUSES if include_drafts else OPEN_STATUSES - {ReferralStatus.DRAFT}
    same_person = (
        Referral.objects.alias(name_key=duplicate_key(F("young_person__search_name")))
        .filter(
            name_key=duplicate_key(Value(young_person.search_name)),
            young_person__birth_date=young_person.birth_date,
        )
        .exclude(referring_organisation_id=young_person.organisation_id)
        .select_related("referring_organisation", "referring_adviser", "e2c_site")
        # What the warning names (e2c_referrals/_other_network.html), nothing more.
        .only(
            "status",
            "status_changed_at",
            *(f"referring_organisation__{field}" for field in ORGANISATION_SHOWN),
            *(f"e2c_site__{field}" for field in ORGANISATION_SHOWN),
            *(f"referring_adviser__{field}" for field in PERSON_SHOWN),
        )
    )
    # The states are kept here, not in SQL: the same person has a handful of referrals at most, and a
    # `status IN (...)` there doubles the query's planning (PostgreSQL tries to prove each partial index
    # of the table from it), the larger part of this query's time on every referrer's page (issue 21).
    return [referral for referral in same_person if referral.status in statuses]


def open_referrals_elsewhere(
    last_name: str, first_name: str, birth_date: datetime.date, organisation_id: int
) -> list[str]:
    """For a new file: is this person (name and birth date) already referred by another structure?"""
    referrals = (
        Referral.objects.alias(name_key=duplicate_key(F("young_person__search_name")))
        .filter(
            status__in=sorted(OPEN_STATUSES),
            name_key=duplicate_key(normalised_name(Value(f"{last_name} {first_name}"))),
            young_person__birth_date=birth_date,
        )
        .exclude(referring_organisation_id=organisation_id)
        .select_related("referring_organisation", "e2c_site")
        .order_by("created_at")
    )
    return [
        f"Orientation en cours vers {referral.e2c_site} par {referral.referring_organisation} "
        f"(« {lower_first(referral.get_status_display())} »)."
        for referral in referrals
    ]
