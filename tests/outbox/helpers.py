"""Given steps shared by the outbox tests: a world with one young person, referrals in a state."""

from __future__ import annotations

import datetime
import zoneinfo

from django.utils import timezone

from cej.enums import ConsentMethod, SharedData
from cej.models import Consent, YoungPerson
from e2c_referrals.enums import ReferralStatus
from e2c_referrals.models import Referral
from e2c_referrals.services.referrals import ReferralData, referral_create
from e2c_referrals.workflow import referral_transition
from partners.access import Actor
from partners.models import Organisation
from tests.cej.factories import YoungPersonFactory

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def actor(world, role):
    membership = world.memberships[role]
    return Actor(user=membership.user, membership=membership)


def young_person(world) -> YoungPerson:
    return YoungPersonFactory(organisation=world.ml_a, referent=world.user("adviser_ml"), first_name="Camille")


def consent(world, person: YoungPerson, site: Organisation | None = None) -> Consent:
    return Consent.objects.create(
        young_person=person,
        e2c_site=site or world.site,
        shared_data=[SharedData.IDENTITY],
        given_on=timezone.localdate(),
        method=ConsentMethod.ORAL,
        attestation="Notice expliquée, accord donné.",
        recorded_by=world.user("adviser_ml"),
    )


def draft(world, person: YoungPerson, site: Organisation | None = None) -> Referral:
    consent(world, person, site)
    return referral_create(
        actor=actor(world, "adviser_ml"),
        young_person=person,
        data=ReferralData(e2c_site=site or world.site, diagnostic="Sans diplôme.", motivation="Veut un métier."),
    )


def sent(world, person: YoungPerson | None = None, site: Organisation | None = None) -> Referral:
    referral = draft(world, person or young_person(world), site)
    referral_transition(actor=actor(world, "adviser_ml"), referral=referral, to=ReferralStatus.SENT)
    referral.refresh_from_db()
    return referral


def in_integration(world, *, planned_end_on: datetime.date) -> Referral:
    """A referral in its integration period. Set directly: the path there goes through an
    information session (another area's pages), which is not what these tests are about."""
    referral = sent(world)
    Referral.objects.filter(pk=referral.pk).update(
        status=ReferralStatus.INTEGRATION,
        integration_starts_on=planned_end_on - datetime.timedelta(weeks=4),
        integration_planned_end_on=planned_end_on,
    )
    referral.refresh_from_db()
    return referral


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=PARIS)
