"""An export's progress as French writes it: thousands grouped by a narrow no-break space, the
singular for 0 and 1."""

import pytest
from django.urls import reverse

from exports.models import ExportJob
from tests.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def test_an_export_counts_its_elements_grouped_by_thousands(client, world):
    membership = world.memberships["manager_e2c"]
    job = ExportJob.objects.create(
        kind="referral_files",
        requested_by=membership.user,
        membership=membership,
        organisation=membership.organisation,
        status=ExportJob.Status.RUNNING,
        progress_done=1,
        progress_total=1500,
    )
    client.force_login(membership.user)

    page = client.get(reverse("exports:job_detail", kwargs={"public_id": job.public_id})).content.decode()

    assert "1 sur 1\u202f500 éléments produit." in page
