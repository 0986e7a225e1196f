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
