"""The export job's states go through their declared table (``exports.workflow``): each move is
logged, made under the row's lock, and a late result of an attempt taken over is dropped."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from exports import services
from exports.models import ExportJob
from exports.workflow import EXPORT_JOB, export_claim, export_done, export_fail
from states.models import StateChange
from states.services import change_state
from states.tables import InvalidMove
from tests.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def queued_job(world, **parameters):
    return ExportJob.objects.create(
        kind="referral_files",
        requested_by=world.user("manager_e2c"),
        membership=world.memberships["manager_e2c"],
        organisation=world.school,
        parameters=parameters
        or {"organisation": str(world.site.public_id), "start": "2026-01-01", "end": "2026-01-31"},
    )


def claim(job_id):
    return export_claim(
        job_id, stale_after=services.STALE_AFTER, max_attempts=services.MAX_ATTEMPTS, gave_up_message="abandon"
    )


def moves_of(job):
    rows = StateChange.objects.filter(table=EXPORT_JOB.name, object_id=str(job.pk)).order_by("id")
    return list(rows.values_list("from_state", "to_state"))


def test_a_claimed_job_runs_then_fails_and_each_move_is_logged(world):
    job = queued_job(world)

    running = claim(job.pk)
    assert (running.status, running.attempts) == (ExportJob.Status.RUNNING, 1)
    assert claim(job.pk) is None  # a duplicate delivery while the first worker makes progress

    export_fail(running, "Le fichier n'a pas pu être écrit.")

    job.refresh_from_db()
    assert (job.status, job.error_message) == (ExportJob.Status.FAILED, "Le fichier n'a pas pu être écrit.")
    assert moves_of(job) == [("queued", "running"), ("running", "failed")]


def test_the_late_result_of_an_attempt_taken_over_is_dropped(world):
    job = queued_job(world)
    first = claim(job.pk)
    ExportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - services.STALE_AFTER - datetime.timedelta(1))
    second = claim(job.pk)  # the first worker looked dead: taken over
    assert second.attempts == 2

    export_done(first, output=io.BytesIO(b"late"), filename="export.zip", keep_for=services.KEEP_FOR)
    export_fail(first, "trop tard")

    job.refresh_from_db()
    assert (job.status, job.attempts, job.file.name) == (ExportJob.Status.RUNNING, 2, "")
    export_done(second, output=io.BytesIO(b"PK"), filename="export.zip", keep_for=services.KEEP_FOR)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.expires_at == job.finished_at + services.KEEP_FOR
    assert moves_of(job) == [("queued", "running"), ("running", "running"), ("running", "done")]


def test_a_finished_job_cannot_move_again(world):
    job = queued_job(world)
    export_fail(claim(job.pk), "échec")
    with pytest.raises(InvalidMove):
        change_state(EXPORT_JOB, ExportJob.objects.get(pk=job.pk), ExportJob.Status.RUNNING)


def test_the_job_page_names_only_an_organisation_the_requester_may_see(client, world):
    world.site.is_active = False  # out of the requester's directory now
    world.site.save(update_fields=["is_active"])
    job = queued_job(world)
    client.force_login(world.user("manager_e2c"))

    response = client.get(reverse("exports:job_detail", kwargs={"public_id": job.public_id}))

    assert response.status_code == 404


def test_the_shared_apps_ask_the_registered_resolver_for_the_actor(rf, world):
    from common.actors import actor_for, actor_for_membership

    request = rf.get("/")
    request.user = world.user("manager_e2c")
    request.session = {}
    assert actor_for(request).user == world.user("manager_e2c")
    membership = world.memberships["manager_e2c"]
    assert actor_for_membership(membership.pk).membership == membership
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    assert actor_for_membership(membership.pk) is None
    anonymous = rf.get("/")
    from django.contrib.auth.models import AnonymousUser

    anonymous.user = AnonymousUser()
    with pytest.raises(PermissionDenied):
        actor_for(anonymous)
