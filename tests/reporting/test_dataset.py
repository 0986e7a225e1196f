from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from cej.models import CejContract, YoungPerson
from e2c_referrals.enums import POSITIVE_OUTCOMES, ReferralStatus
from e2c_referrals.models import HandBack, Referral, ReferralTransition
from partners.enums import OrganisationKind, Role
from partners.models import Membership, Organisation, Region
from tests.partners.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def generate(**options):
    call_command("generate_national_dataset", young_people=2000, referrals=400, seed=7, stdout=None, **options)


def test_small_national_dataset_has_the_networks_people_and_referrals_in_plausible_shares():
    # When
    generate()

    # Then: the networks of every région, E2C schools and sites in 12 régions
    kinds = Counter(Organisation.objects.values_list("kind", flat=True))
    assert kinds[OrganisationKind.MISSION_LOCALE] == 434
    assert kinds[OrganisationKind.E2C_SITE] == 150
    assert kinds[OrganisationKind.E2C_SCHOOL] == 55
    assert kinds[OrganisationKind.ARML] == Region.objects.count() == 18
    assert kinds[OrganisationKind.E2C_REGIONAL] == 12
    assert Organisation.objects.filter(kind=OrganisationKind.E2C_SITE).values("region").distinct().count() <= 12
    assert Membership.objects.filter(role=Role.NATIONAL_COMMITTEE).count() == 2
    # young people and referrals, one referral per young person
    assert YoungPerson.objects.count() == 2000
    assert Referral.objects.count() == 400
    assert Referral.objects.values("young_person").distinct().count() == 400
    # every referral starts with its sending, and its last transition is its status
    assert (
        ReferralTransition.objects.filter(from_status=ReferralStatus.DRAFT, to_status=ReferralStatus.SENT).count()
        == 400
    )
    last = {}
    for referral_id, to_status in ReferralTransition.objects.order_by("created_at", "id").values_list(
        "referral_id", "to_status"
    ):
        last[referral_id] = to_status
    assert last == dict(Referral.objects.values_list("id", "status"))
    # plausible distributions
    statuses = Counter(Referral.objects.values_list("status", flat=True))
    exits = Referral.objects.filter(status=ReferralStatus.EXITED)
    positive = exits.filter(exit_outcome__in=POSITIVE_OUTCOMES).count()
    assert 40 <= exits.count() <= 160, statuses
    assert 0.45 <= positive / exits.count() <= 0.75
    assert statuses[ReferralStatus.NOT_ADMITTED] + statuses[ReferralStatus.WITHDRAWN] > 0
    assert not exits.filter(enrolled_on__isnull=True).exists()
    assert not exits.filter(exited_on__lt=models_f("enrolled_on")).exists()
    # the hand-backs the workflow would have created, the CEJ of some
    handed_back = statuses[ReferralStatus.NOT_ADMITTED] + statuses[ReferralStatus.WITHDRAWN]
    assert HandBack.objects.count() == handed_back + exits.exclude(exit_outcome__in=POSITIVE_OUTCOMES).count()
    assert 0.2 <= CejContract.objects.count() / 400 <= 0.5
    assert not Referral.objects.values("young_person").annotate(n=Count("id")).filter(n__gt=1).exists()


def models_f(name):
    from django.db.models import F

    return F(name)


def test_refuses_a_database_that_is_not_empty_unless_forced():
    # Given
    OrganisationFactory(name="Mission Locale existante")

    # When / Then
    with pytest.raises(CommandError, match="--force"):
        generate()
    assert Referral.objects.count() == 0

    # When forced, the database is emptied first
    generate(force=True)
    assert not Organisation.objects.filter(name="Mission Locale existante").exists()
    assert Referral.objects.count() == 400
