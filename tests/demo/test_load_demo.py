import pytest
from django.core.management import CommandError, call_command

from demo.services import DEMO_ACCOUNTS, DEMO_PASSWORD
from partners.enums import Role
from partners.models import Membership, User

pytestmark = pytest.mark.django_db


def test_the_demo_loads_into_an_empty_database_with_one_account_per_role(capsys):
    call_command("load_demo", "--allow-without-debug")

    output = capsys.readouterr().out
    assert "Données de démonstration chargées." in output
    assert DEMO_PASSWORD in output
    for account in DEMO_ACCOUNTS:
        assert account.email in output
        user = User.objects.get(email=account.email)
        assert user.check_password(DEMO_PASSWORD)
        assert user.first_name == account.first_name
    assert {m.role for m in Membership.objects.all()} >= {
        Role.ADVISER,
        Role.E2C_STAFF,
        Role.MANAGER,
        Role.REGIONAL_COORDINATOR,
        Role.NATIONAL_COMMITTEE,
        Role.ADMINISTRATOR,
    }
    assert User.objects.filter(first_name="Chloé", last_name="N'Diaye").exists()


def test_the_demo_is_not_loaded_twice(capsys):
    call_command("load_demo", "--allow-without-debug")
    call_command("load_demo", "--allow-without-debug")

    assert "rien n'est chargé" in capsys.readouterr().out
    assert User.objects.count() == len(DEMO_ACCOUNTS)


def test_the_demo_refuses_to_load_outside_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="qu'en local"):
        call_command("load_demo")
    assert not User.objects.exists()


def test_the_demo_is_a_small_network_in_two_regions():
    call_command("load_demo", "--allow-without-debug")

    from partners.enums import OrganisationKind
    from partners.models import Correspondent, Organisation

    by_kind = {kind: Organisation.objects.filter(kind=kind).count() for kind in OrganisationKind.values}
    assert by_kind[OrganisationKind.MISSION_LOCALE] >= 4
    assert by_kind[OrganisationKind.FRANCE_TRAVAIL] >= 2
    assert by_kind[OrganisationKind.E2C_SITE] >= 4
    regions = set(Organisation.objects.exclude(kind=OrganisationKind.NATIONAL).values_list("region_id", flat=True))
    assert regions == {"84", "32"}
    assert all(o.region_id for o in Organisation.objects.all())
    assert Organisation.objects.get(name="E2C Lyon Métropole — site de Vénissieux").parent.kind == "e2c_school"
    helene = User.objects.get(email="helene.garcon@e2c-lyon.exemple.fr")
    assert helene.memberships.count() == 2
    assert Correspondent.objects.count() >= 3


def test_the_demo_carries_the_founding_agreements_and_diagnostics():
    call_command("load_demo", "--allow-without-debug")

    from partners.models import Agreement, TerritorialDiagnostic

    accord = Agreement.objects.get(title__startswith="Accord-cadre de partenariat UNML")
    assert accord.signed_on.isoformat() == "2022-06-29"
    assert accord.current_end.isoformat() == "2028-06-28"  # extended by its amendment
    assert accord.versions.count() == 2
    assert set(Agreement.objects.values_list("level", flat=True)) == {"national", "regional", "local"}
    assert TerritorialDiagnostic.objects.count() == 2


def test_the_demo_adviser_has_young_people_a_consent_and_an_overdue_review():
    call_command("load_demo", "--allow-without-debug")

    from cej.models import Consent, YoungPerson
    from cej.selectors.follow_ups import overdue_follow_ups

    amelie = User.objects.get(email="amelie.lefevre@ml-lyon.exemple.fr")
    assert YoungPerson.objects.filter(referent=amelie).count() == 5 + 13  # 13 with a referral each
    assert YoungPerson.objects.get(imilo_number="4521789").last_name == "N'Diaye"
    assert (
        Consent.objects.get(young_person__imilo_number="4521789").e2c_site.name
        == "E2C Lyon Métropole — site de Vénissieux"
    )
    assert overdue_follow_ups(referent=amelie).count() == 1


def test_the_demo_adviser_has_a_cej_ending_within_the_month():
    call_command("load_demo", "--allow-without-debug")

    from cej.selectors.follow_ups import cej_ending_soon

    amelie = User.objects.get(email="amelie.lefevre@ml-lyon.exemple.fr")
    assert [c.young_person.last_name for c in cej_ending_soon(referent=amelie)] == ["Da Silva"]


def test_the_demo_has_a_referral_in_every_state():
    call_command("load_demo", "--allow-without-debug")

    from e2c_referrals.enums import ReferralStatus
    from e2c_referrals.models import HandBack, Referral

    assert set(Referral.objects.values_list("status", flat=True)) == set(ReferralStatus.values)
    assert HandBack.objects.filter(reason__in=["not_admitted", "withdrawn"]).count() == 2
