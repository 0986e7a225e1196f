"""Export pages: the request form for managers; a job's pages for its requester only."""

from django.urls import reverse

from exports.models import ExportJob
from tests.url_matrix import Entry, everyone


def job_url(name, status=ExportJob.Status.QUEUED):
    """A job of the E2C school's manager (their export of the Vénissieux site's referral files)."""

    def build(w):
        job = ExportJob.objects.create(
            kind="referral_files",
            requested_by=w.user("manager_e2c"),
            membership=w.memberships["manager_e2c"],
            organisation=w.school,
            parameters={"organisation": str(w.site.public_id), "start": "2026-01-01", "end": "2026-01-31"},
            status=status,
        )
        return reverse(f"exports:{name}", kwargs={"public_id": job.public_id})

    return build


OWNER_ONLY = everyone(404, manager_e2c=200)

ENTRIES = [
    Entry(
        "exports:referral_files",
        lambda w: reverse("exports:referral_files"),
        everyone(403, manager_ml=200, manager_e2c=200),
        methods=("GET", "POST"),
    ),
    Entry("exports:job_detail", job_url("job_detail"), OWNER_ONLY),
    Entry("exports:job_status", job_url("job_status"), OWNER_ONLY),
    # Not finished yet: nothing to download, even for its owner.
    Entry("exports:job_download", job_url("job_download"), everyone(404)),
]
