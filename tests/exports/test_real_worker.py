"""The batch export runs in a real Celery worker process, through the real Redis broker."""

import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from exports.models import ExportJob
from exports.tasks import build_export
from tests.celery_worker import running_worker
from tests.e2c_referrals.test_documents import referral_with_history
from tests.world import build_world

BASE_DIR = Path(settings.BASE_DIR)


@pytest.mark.django_db(transaction=True)
def test_a_worker_process_builds_the_zip_while_this_process_stays_free():
    world = build_world()
    referrals = [referral_with_history(world) for _ in range(2)]
    membership = world.memberships["manager_e2c"]
    job = ExportJob.objects.create(
        kind="referral_files",
        requested_by=membership.user,
        membership=membership,
        organisation=membership.organisation,
        parameters={"organisation": str(world.site.public_id), "start": "2020-01-01", "end": "2099-12-31"},
    )
    database = connection.settings_dict
    # The worker reaches this test's database (pytest-django's test_ one), not the development one.
    database_url = f"postgres://{database['USER']}@{quote(str(database['HOST']), safe='')}/{database['NAME']}"
    if database.get("PORT"):
        database_url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    queue = f"test-exports-{uuid.uuid4().hex}"
    with running_worker(queue=queue, DATABASE_URL=database_url):
        build_export.apply_async(args=(job.pk,), queue=queue).get(timeout=120)

    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE, job.error_message
    assert (job.progress_done, job.progress_total) == (len(referrals), len(referrals))
    # The worker's storage is the settings' MEDIA_ROOT (this process's is a per-test folder).
    written = BASE_DIR / ".data" / "media" / job.file.name
    assert written.read_bytes().startswith(b"PK")
    written.unlink()
