"""Reads behind the hand-backs a referral's move creates (``e2c_referrals.services.hand_backs``)."""

from __future__ import annotations

import datetime

from cej.enums import ContractStatus
from cej.models import CejContract, PaceaContract
from e2c_referrals.models import Referral
from partners.enums import OrganisationKind
from partners.models import Organisation


def nearest_mission_locale(referral: Referral) -> Organisation | None:
    """The ML of the young person's département (else the E2C site's), first by name."""
    for departement_id in (referral.young_person.departement_id, referral.e2c_site.departement_id):
        if departement_id:
            found = (
                Organisation.objects.filter(
                    kind=OrganisationKind.MISSION_LOCALE, is_active=True, departement_id=departement_id
                )
                .order_by("sort_name", "id")
                .first()
            )
            if found is not None:
                return found
    return None


def in_cej_or_pacea(referral: Referral, on: datetime.date) -> bool:
    """Whether the young person has a CEJ or a PACEA running (active or suspended) on ``on``."""
    running = {"young_person": referral.young_person, "starts_on__lte": on, "planned_end_on__gte": on}
    open_states = [ContractStatus.ACTIVE, ContractStatus.SUSPENDED]
    return (
        CejContract.objects.filter(status__in=open_states, **running).exists()
        or PaceaContract.objects.filter(status__in=open_states, **running).exists()
    )
