"""The request page of the referral files export (``exports:referral_files``, served by
``exports.urls`` from the kind's registration); the job's own pages are the shared ones."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from common.http_methods import http_methods
from e2c_referrals.exports import REFERRAL_FILES
from e2c_referrals.forms.exports import ReferralFilesExportForm, referral_file_organisations
from exports.registry import ExportRefused
from exports.selectors import recent_jobs
from exports.services import export_request
from exports.views import described_jobs
from partners.access import actor_for
from throttle.guard import per_account
from throttle.limits import EXPORTS


@http_methods("GET", "POST")
@login_required
@per_account(EXPORTS, methods=("POST",))  # the request that queues a job, not its form
def referral_files_request(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    organisations = referral_file_organisations(actor)
    if not organisations:
        raise PermissionDenied("Seuls les responsables exportent les fiches de liaison de leur organisation.")
    form = ReferralFilesExportForm(request.POST if request.method == "POST" else None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            job = export_request(actor=actor, kind=REFERRAL_FILES.name, parameters=form.parameters())
        except ExportRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "L'export est lancé : cette page indique son avancement.")
            return redirect("exports:job_detail", public_id=job.public_id)
    return render(
        request,
        "exports/referral_files_request.html",
        {"form": form, "jobs": described_jobs(recent_jobs(actor, kind=REFERRAL_FILES.name))},
    )
