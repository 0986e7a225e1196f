"""A manager exports a period's referral files: the job is queued on commit, built by the task
(idempotent), followed on its page, downloaded by its requester only (logged), refused once
expired, and its file deleted by the cleanup."""

import datetime
import io
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from audit.models import AccessLog
from exports import services
from exports.models import ExportJob
from exports.tasks import build_export, delete_expired_exports
from tests.e2c_referrals.test_documents import referral_with_history
from tests.world import build_world

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def world():
    world = build_world()
    world.referrals = [referral_with_history(world) for _ in range(3)]
    return world


def request_export(client, world, role="manager_e2c", organisation=None, start=None, end=None):
    client.force_login(world.user(role))
    organisation = organisation or world.site
    return client.post(
        reverse("exports:referral_files"),
        {
            "organisation": str(organisation.public_id),
            "start": (start or TODAY - datetime.timedelta(days=30)).isoformat(),
            "end": (end or TODAY).isoformat(),
        },
    )


def test_the_site_manager_gets_a_zip_of_the_periods_referral_files(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = request_export(client, world)
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "exports:job_detail", kwargs={"public_id": job.public_id}
    )
    assert len(callbacks) == 1  # the task is handed to the broker only once the job is committed
    assert job.status == ExportJob.Status.QUEUED
    assert "Diaye" not in str(job.parameters)

    build_export(job.pk)  # what the worker runs

    job.refresh_from_db()
    assert (job.status, job.progress_done, job.progress_total) == (ExportJob.Status.DONE, 3, 3)
    assert job.expires_at == job.finished_at + datetime.timedelta(hours=48)
    with default_storage.open(job.file.name) as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    names = sorted(archive.namelist())
    assert names == sorted(
        [f"fiche-de-liaison-{referral.public_id}.pdf" for referral in world.referrals] + ["LISEZMOI.txt"]
    )
    first = PdfReader(io.BytesIO(archive.read(f"fiche-de-liaison-{world.referrals[0].public_id}.pdf")))
    assert "Fiche de liaison" in first.pages[0].extract_text()
    exported = AccessLog.objects.filter(purpose=AccessLog.Purpose.EXPORT, user=world.user("manager_e2c"))
    assert exported.filter(object_type="Referral").count() == 3

    page = client.get(reverse("exports:job_detail", kwargs={"public_id": job.public_id}))
    download_url = reverse("exports:job_download", kwargs={"public_id": job.public_id})
    assert download_url in page.content.decode()
    status = client.get(reverse("exports:job_status", kwargs={"public_id": job.public_id})).json()
    assert status == {"status": "done", "status_label": "Prêt", "done": 3, "total": 3, "finished": True}

    download = client.get(download_url)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    assert download["Cache-Control"] == "no-store"
    assert download["Content-Disposition"].startswith("attachment;")
    assert str(job.public_id) in download["Content-Disposition"]
    assert b"".join(download.streaming_content).startswith(b"PK")
    assert AccessLog.objects.filter(
        purpose=AccessLog.Purpose.DOWNLOAD, object_type="ExportJob", object_id=job.public_id
    ).exists()


def test_the_task_is_idempotent(client, world):
    request_export(client, world)
    job = ExportJob.objects.get()
    build_export(job.pk)
    job.refresh_from_db()
    first_file, first_finished = job.file.name, job.finished_at

    build_export(job.pk)  # delivered again (acks_late) or sent again by the sweep

    job.refresh_from_db()
    assert (job.file.name, job.finished_at, job.attempts) == (first_file, first_finished, 1)
    assert AccessLog.objects.filter(purpose=AccessLog.Purpose.EXPORT, object_type="Referral").count() == 3


def test_a_job_abandoned_by_a_dead_worker_is_taken_over(client, world):
    request_export(client, world)
    job = ExportJob.objects.get()
    stale = timezone.now() - services.STALE_AFTER - datetime.timedelta(minutes=1)
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING, attempts=1, updated_at=stale)

    assert services.requeue_stale() == [job.pk]
    build_export(job.pk)

    job.refresh_from_db()
    assert (job.status, job.attempts) == (ExportJob.Status.DONE, 2)


def test_queued_jobs_are_sent_again_after_a_few_minutes_only(client, world):
    request_export(client, world)
    job = ExportJob.objects.get()
    assert services.requeue_stale() == []

    later = timezone.now() + services.REQUEUE_AFTER + datetime.timedelta(seconds=1)

    assert services.requeue_stale(now=later) == [job.pk]


@pytest.mark.parametrize("role", ["manager_ml", "e2c_staff", "administrator"])
def test_someone_elses_export_is_not_found(client, world, role):
    request_export(client, world)
    job = ExportJob.objects.get()
    build_export(job.pk)
    client.force_login(world.user(role))

    for name in ("job_detail", "job_status", "job_download"):
        assert client.get(reverse(f"exports:{name}", kwargs={"public_id": job.public_id})).status_code == 404
    assert not AccessLog.objects.filter(purpose=AccessLog.Purpose.DOWNLOAD).exists()


def test_after_48_hours_the_download_is_refused_and_the_cleanup_deletes_the_file(client, world):
    request_export(client, world)
    job = ExportJob.objects.get()
    build_export(job.pk)
    job.refresh_from_db()
    name = job.file.name
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    refused = client.get(reverse("exports:job_download", kwargs={"public_id": job.public_id}))
    assert refused.status_code == 410
    assert "n'est plus disponible" in refused.content.decode()
    assert default_storage.exists(name)

    assert delete_expired_exports() == 1

    assert not default_storage.exists(name)
    job.refresh_from_db()
    assert job.file.name == "" and job.status == ExportJob.Status.DONE
    assert client.get(reverse("exports:job_download", kwargs={"public_id": job.public_id})).status_code == 410


def test_a_fresh_file_survives_the_cleanup(client, world):
    request_export(client, world)
    job = ExportJob.objects.get()
    build_export(job.pk)

    assert delete_expired_exports() == 0


def test_the_referrer_side_exports_its_sent_referrals(client, world):
    request_export(client, world, role="manager_ml", organisation=world.ml_a)
    job = ExportJob.objects.get()

    build_export(job.pk)

    job.refresh_from_db()
    assert (job.status, job.progress_total) == (ExportJob.Status.DONE, 3)


def test_the_form_answers_in_french(client, world):
    response = request_export(client, world, start=TODAY, end=TODAY - datetime.timedelta(days=1))
    assert response.status_code == 200
    assert "La date de fin doit suivre la date de début." in response.content.decode()

    client.force_login(world.user("manager_e2c"))
    response = client.post(
        reverse("exports:referral_files"), {"organisation": str(world.site.public_id), "start": "31/02/2026", "end": ""}
    )
    page = response.content.decode()
    assert "Saisissez une date valide" in page and "Indiquez une date." in page
    assert not ExportJob.objects.exists()


def test_another_organisation_cannot_be_chosen(client, world):
    response = request_export(client, world, organisation=world.other_site)

    assert response.status_code == 200
    assert not ExportJob.objects.exists()


def test_an_organisation_leaving_the_scope_fails_the_job_with_a_french_message(client, world):
    request_export(client, world)
    job = ExportJob.objects.get()
    membership = world.memberships["manager_e2c"]
    membership.is_active = False
    membership.save(update_fields=["is_active"])

    build_export(job.pk)

    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED
    assert "n'est plus actif" in job.error_message
    assert not job.file
