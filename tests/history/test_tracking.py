"""Every change of the tracked tables is recorded by the database itself, with who, where and from which page."""

import pytest
from django.db import connection
from django.urls import reverse

from cej.models import YoungPerson
from history.models import MembershipChange, UserChange, YoungPersonChange
from scheduling.registry import JOBS, Job, JobCounts
from scheduling.runs import run_job
from tests.cej.factories import YoungPersonFactory
from tests.partners.factories import MembershipFactory, UserFactory
from tests.world import build_world

pytestmark = pytest.mark.django_db


def test_a_raw_sql_update_bypassing_the_orm_is_recorded_with_its_old_and_new_values():
    young_person = YoungPersonFactory(commune="Lyon")

    with connection.cursor() as cursor:
        cursor.execute("UPDATE cej_youngperson SET commune = 'Vénissieux' WHERE id = %s", [young_person.pk])

    insert, update = YoungPersonChange.objects.filter(pgh_obj_id=young_person.pk).order_by("pgh_id")
    assert (insert.pgh_label, insert.commune) == ("insert", "Lyon")
    assert (update.pgh_label, update.commune) == ("update", "Vénissieux")
    assert update.pgh_context_id is None  # no request, no job: nothing pretends to know who did it


def test_a_save_that_changes_only_noise_columns_records_nothing():
    young_person = YoungPersonFactory()

    young_person.save(update_fields=["updated_at"])

    assert list(YoungPersonChange.objects.filter(pgh_obj_id=young_person.pk).values_list("pgh_label", flat=True)) == [
        "insert"
    ]


def test_a_delete_keeps_the_last_snapshot():
    membership = MembershipFactory()
    pk = membership.pk

    membership.delete()

    labels = list(MembershipChange.objects.filter(pgh_obj_id=pk).order_by("pgh_id").values_list("pgh_label", flat=True))
    assert labels == ["insert", "delete"]


def test_the_user_history_never_holds_the_password_hash_nor_the_last_sign_in():
    user = UserFactory(first_name="Anaïs")
    user.set_password("Un-autre-mot-de-passe-42")
    user.save()
    user.first_name = "Anaïs-Marie"
    user.save()

    columns = {field.name for field in UserChange._meta.get_fields()}
    assert "password" not in columns
    assert "last_login" not in columns
    with connection.cursor() as cursor:
        cursor.execute("SELECT row_to_json(c)::text FROM history_userchange c WHERE pgh_obj_id = %s", [user.pk])
        rows = [row[0] for row in cursor.fetchall()]
    assert len(rows) == 2  # created, renamed: the password change alone is not an event
    assert not any("pbkdf2" in row or "argon2" in row or user.password in row for row in rows)


def test_a_change_through_the_application_records_the_user_the_organisation_and_the_path_without_query(client):
    world = build_world()
    adviser = world.user("adviser_ml")
    young_person = YoungPersonFactory(organisation=world.ml_a, referent=adviser, commune="Lyon")
    client.force_login(adviser)
    url = reverse("cej:young_person_update", kwargs={"public_id": young_person.public_id})
    data = {
        "last_name": young_person.last_name,
        "first_name": young_person.first_name,
        "birth_date": young_person.birth_date.isoformat(),
        "qualification_level": young_person.qualification_level,
        "departement": "69",
        "postcode": "69200",
        "commune": "Vénissieux",
    }

    response = client.post(url + "?q=Lefèvre", data)

    assert response.status_code == 302, response.content.decode()
    update = YoungPersonChange.objects.select_related("pgh_context").get(pgh_obj_id=young_person.pk, pgh_label="update")
    assert update.commune == "Vénissieux"
    membership = adviser.memberships.get(organisation=world.ml_a)
    assert update.pgh_context.metadata == {
        "user": adviser.pk,
        "membership": membership.pk,
        "organisation": world.ml_a.pk,
        "url": url,
    }


def move_to_bron(today):
    """A job whose change is a plain UPDATE, as a reminder's would be."""
    YoungPerson.objects.filter(commune="Lyon").update(commune="Bron")
    return JobCounts(examined=1)


def test_a_scheduled_job_records_its_name(monkeypatch):
    young_person = YoungPersonFactory(commune="Lyon")
    monkeypatch.setitem(JOBS, "history_test_job", Job("Test", f"{__name__}.move_to_bron"))

    run_job("history_test_job")

    update = YoungPersonChange.objects.select_related("pgh_context").get(pgh_obj_id=young_person.pk, pgh_label="update")
    assert update.commune == "Bron"
    assert update.pgh_context.metadata == {"job": "history_test_job"}


def test_event_tables_index_only_the_columns_the_history_reads_by():
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT a.attname FROM pg_index i
            JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
            WHERE i.indrelid = 'history_referralchange'::regclass
            """
        )
        indexed = {row[0] for row in cursor.fetchall()}

    # Not referring_organisation_id, referring_adviser_id, e2c_site_id…: an index write per change for no query.
    assert indexed == {"pgh_id", "pgh_obj_id", "pgh_context_id", "young_person_id"}
