"""The access log: append-only in the database, purged after its retention, read and exported by
administrators only."""

import datetime

import pytest
from django.db import IntegrityError, InternalError, ProgrammingError, transaction
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLog
from audit.services import access_logs_purge, log_access
from partners.access import Actor
from tests.cej.factories import YoungPersonFactory
from tests.world import build_world

pytestmark = pytest.mark.django_db
REFUSED = (InternalError, ProgrammingError, IntegrityError)


@pytest.fixture
def world():
    return build_world()


def read(world, role, record):
    membership = world.memberships[role]
    log_access(actor=Actor(user=membership.user, membership=membership), record=record, purpose="view_file")
    return AccessLog.objects.latest("id")


def insert_old(world, record, days_ago):
    return AccessLog.objects.create(
        user=world.user("adviser_ml"),
        organisation=world.ml_a,
        object_type="YoungPerson",
        object_id=record.public_id,
        purpose="view_file",
        created_at=timezone.now() - datetime.timedelta(days=days_ago),
    )


def test_the_database_refuses_to_change_or_delete_a_recent_access_row(world):
    young_person = YoungPersonFactory(organisation=world.ml_a)
    row = read(world, "adviser_ml", young_person)

    with pytest.raises(REFUSED), transaction.atomic():
        AccessLog.objects.filter(pk=row.pk).update(purpose="export")
    with pytest.raises(REFUSED), transaction.atomic():
        AccessLog.objects.filter(pk=row.pk).delete()
    with pytest.raises(REFUSED), transaction.atomic():
        AccessLog.objects.all().delete()

    assert AccessLog.objects.get(pk=row.pk).purpose == "view_file"


def test_the_purge_removes_only_rows_past_the_retention_and_a_dry_run_only_counts(world, settings):
    young_person = YoungPersonFactory(organisation=world.ml_a)
    old = insert_old(world, young_person, 400)
    older_than_the_floor = insert_old(world, young_person, 300)
    recent = insert_old(world, young_person, 100)

    assert access_logs_purge(dry_run=True) == 1
    assert AccessLog.objects.filter(pk=old.pk).exists()
    assert access_logs_purge() == 1  # 12 months by default
    assert not AccessLog.objects.filter(pk=old.pk).exists()

    settings.ACCESS_LOG_RETENTION_DAYS = 30  # below the 6-month floor: the floor wins
    assert access_logs_purge() == 1
    assert list(AccessLog.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not AccessLog.objects.filter(pk=older_than_the_floor.pk).exists()


def test_an_administrator_finds_who_read_a_file_and_exports_it_and_the_export_is_logged(client, world):
    young_person = YoungPersonFactory(organisation=world.ml_a)
    read(world, "adviser_ml", young_person)
    read(world, "e2c_staff", young_person)
    read(world, "adviser_ml", YoungPersonFactory(organisation=world.ml_a))
    client.force_login(world.user("administrator"))

    response = client.get(reverse("audit:access_log"), {"object_id": str(young_person.public_id)})
    rows = response.context["page"].items
    assert [row.user for row in rows] == [world.user("e2c_staff"), world.user("adviser_ml")]  # newest first

    export = client.get(reverse("audit:access_log_export"), {"object_id": str(young_person.public_id)})
    body = b"".join(export.streaming_content).decode("utf-8")
    assert body.startswith("\ufeffDate;Utilisateur;Structure;Objet;Identifiant;Motif")
    # The two reads, and the export itself (logged before the file is written).
    assert body.count(str(young_person.public_id)) == 3 and "AccessLogExport" in body
    assert young_person.last_name not in body
    assert AccessLog.objects.filter(object_type="AccessLogExport", user=world.user("administrator")).count() == 1


def test_a_malformed_identifier_gets_a_french_message_not_an_error(client, world):
    client.force_login(world.user("administrator"))
    response = client.get(reverse("audit:access_log"), {"object_id": "<script>alert(1)</script>"})
    assert response.status_code == 200
    assert "Saisissez un identifiant" in response.content.decode()
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_an_export_asked_without_a_filter_goes_back_to_the_page_with_a_french_message(client, world):
    client.force_login(world.user("administrator"))

    response = client.get(reverse("audit:access_log_export"), follow=True)

    assert response.redirect_chain == [(reverse("audit:access_log"), 302)]
    assert "Choisissez un jeune, un document ou un utilisateur avant d&#x27;exporter." in response.content.decode()
    assert not AccessLog.objects.filter(object_type="AccessLogExport").exists()
