"""Counts on the retention page as French writes them: thousands grouped by a narrow no-break space, the
singular for 0 and 1."""

import pytest
from django.urls import reverse

from cej.models import YoungPerson
from retention.models import AnonymisedFile
from tests.cej.factories import YoungPersonFactory
from tests.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def test_the_retention_page_counts_1_000_dossiers_and_0_compte(client, world):
    people = YoungPerson.objects.bulk_create(YoungPersonFactory.build(organisation=world.ml_a) for _ in range(1000))
    AnonymisedFile.objects.bulk_create(AnonymisedFile(young_person=person) for person in people)
    client.force_login(world.user("administrator"))

    page = client.get(reverse("retention:overview")).content.decode()

    assert "1\u202f000 dossiers, 0 compte<" in page
    assert "1000 dossiers" not in page and "0 comptes" not in page
