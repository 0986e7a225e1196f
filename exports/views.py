"""Export pages: follow a job's progress, download its file (48 h). Each kind's request page lives
in the app owning the kind (``ExportKind.request_view``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils import timezone

from common.actors import Actor, actor_for, organisation_for
from common.http_methods import http_methods
from exports import registry
from exports.models import ExportJob
from exports.selectors import job_for_actor
from exports.services import is_expired
from exports.workflow import file_is_ready, is_finished


def described_jobs(jobs: list[ExportJob]) -> list[tuple[ExportJob, str, bool]]:
    """Each job with its kind's label and whether its file has expired."""
    now = timezone.now()
    return [(job, _label(job), is_expired(job, now=now)) for job in jobs]


def _label(job: ExportJob) -> str:
    try:
        return registry.get(job.kind).label
    except LookupError:
        return job.kind


def _summary(actor: Actor, job: ExportJob) -> str:
    """The job's parameters in words (identifiers only are stored: names are looked up, among the
    organisations the actor may see; another one answers 404)."""
    parameters = job.parameters
    parts = []
    if "organisation" in parameters:
        parts.append(str(organisation_for(actor, parameters["organisation"])))
    if "start" in parameters and "end" in parameters:
        start, end = parameters["start"], parameters["end"]
        parts.append(f"du {start[8:10]}/{start[5:7]}/{start[:4]} au {end[8:10]}/{end[5:7]}/{end[:4]}")
    return ", ".join(parts)


def _status(job: ExportJob) -> dict[str, object]:
    finished = is_finished(job)
    return {
        "status": job.status,
        "status_label": job.get_status_display(),
        "done": job.progress_done,
        "total": job.progress_total,
        "finished": finished,
    }


@http_methods("GET")
@login_required
def job_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = actor_for(request)
    job = job_for_actor(actor=actor, public_id=public_id)
    return render(
        request,
        "exports/job_detail.html",
        {
            "job": job,
            "label": _label(job),
            "summary": _summary(actor, job),
            "expired": is_expired(job),
            "finished": _status(job)["finished"],
            "status_url": reverse("exports:job_status", kwargs={"public_id": job.public_id}),
        },
    )


@http_methods("GET")
@login_required
def job_status(request: HttpRequest, public_id: str) -> JsonResponse:
    """Polled by static/js/export-progress.js while the job runs."""
    actor = actor_for(request)
    job = job_for_actor(actor=actor, public_id=public_id)
    response = JsonResponse(_status(job))
    response["Cache-Control"] = "no-store"
    return response


@http_methods("GET")
@login_required
def job_download(request: HttpRequest, public_id: str) -> HttpResponse | FileResponse:
    actor = actor_for(request)
    job = job_for_actor(actor=actor, public_id=public_id)
    if not file_is_ready(job):
        raise Http404("Le fichier de cet export n'est pas prêt.")
    if is_expired(job):
        return render(request, "exports/expired.html", {"job": job, "label": _label(job)}, status=410)
    try:
        handle = default_storage.open(str(job.file.name), "rb")
    except FileNotFoundError:
        return render(request, "exports/expired.html", {"job": job, "label": _label(job)}, status=410)
    registry.downloaded(actor, job)
    kind = registry.get(job.kind)
    day = timezone.localtime(job.finished_at or job.created_at)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{kind.filename_prefix}-{day:%Y%m%d}-{job.public_id}.{kind.extension}",
        content_type=kind.content_type,
    )
    response["Cache-Control"] = "no-store"
    return response


urlpatterns: list[URLPattern | URLResolver] = [
    path("exports/<uuid:public_id>/", job_detail, name="job_detail"),
    path("exports/<uuid:public_id>/etat.json", job_status, name="job_status"),
    path("exports/<uuid:public_id>/fichier/", job_download, name="job_download"),
]
