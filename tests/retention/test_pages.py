"""The administrators' retention page: durations, dry-run counts, changes logged with who and when."""

import datetime

import pytest
from django.urls import reverse

from retention.enums import RetentionCategory
from retention.models import RetentionNotice, RetentionPolicy, RetentionPolicyChange
from tests.cej.factories import YoungPersonFactory
from tests.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def test_the_administrator_sees_durations_and_counts_without_names(client, world):
    YoungPersonFactory(organisation=world.ml_a, birth_date=datetime.date(1990, 1, 1), first_name="Anatole")
    client.force_login(world.user("administrator"))

    page = client.get(reverse("retention:overview")).content.decode()

    assert "après ses 25 ans" in page and "2 ans" in page and "12 mois" in page
    assert "Anatole" not in page
    assert not RetentionNotice.objects.exists()  # the page simulates, it writes nothing


def test_a_changed_duration_is_saved_and_logged(client, world):
    admin = world.user("administrator")
    client.force_login(admin)
    url = reverse("retention:policy_edit", kwargs={"category": RetentionCategory.ACCOUNT})

    response = client.post(url, {"duration": "18", "unit": "months"})

    assert response.status_code == 302
    policy = RetentionPolicy.objects.get(category=RetentionCategory.ACCOUNT)
    assert (policy.duration, policy.unit, policy.updated_by) == (18, "months", admin)
    change = RetentionPolicyChange.objects.get()
    assert (change.changed_by, change.old_duration, change.new_duration) == (admin, 12, 18)
    assert "18 mois" in client.get(reverse("retention:overview")).content.decode()


def test_a_zero_duration_is_refused(client, world):
    client.force_login(world.user("administrator"))
    url = reverse("retention:policy_edit", kwargs={"category": RetentionCategory.ACCOUNT})
    assert client.post(url, {"duration": "0", "unit": "months"}).status_code == 200
    assert RetentionPolicy.objects.get(category=RetentionCategory.ACCOUNT).duration == 12
    assert not RetentionPolicyChange.objects.exists()


@pytest.mark.parametrize("role", ["manager_ml", "national_committee", "adviser_ml"])
def test_other_roles_may_not_change_a_duration(client, world, role):
    client.force_login(world.user(role))
    url = reverse("retention:policy_edit", kwargs={"category": RetentionCategory.ACCOUNT})
    assert client.post(url, {"duration": "1", "unit": "months"}).status_code == 403
    assert RetentionPolicy.objects.get(category=RetentionCategory.ACCOUNT).duration == 12


def test_an_unknown_category_is_not_found(client, world):
    client.force_login(world.user("administrator"))
    assert client.get(reverse("retention:policy_edit", kwargs={"category": "inconnue"})).status_code == 404
