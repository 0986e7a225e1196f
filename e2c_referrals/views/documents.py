"""PDF documents of referrals and young people (referral file, personal-data export).

Each download is scoped (another organisation's record: 404), logged in the access log, sent as an
attachment named by public id (never a name) and never cached.
"""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path

from audit.models import AccessLog
from audit.services import log_access, log_accesses
from common.http_methods import http_methods
from e2c_referrals.pdf.referral_file import referral_file_name, referral_file_pdf
from e2c_referrals.personal_data import (
    personal_data,
    personal_data_filename,
    personal_data_pdf,
    young_person_for_personal_data,
)
from e2c_referrals.selectors.referrals import referral_for_actor
from partners.access import actor_for
from throttle.guard import per_account
from throttle.limits import DOCUMENTS, EXPORTS


def _attachment(content: bytes, *, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@http_methods("GET")
@login_required
@per_account(DOCUMENTS)
def referral_file_download(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = actor_for(request)
    referral = referral_for_actor(actor=actor, public_id=public_id)
    content = referral_file_pdf(referral, actor=actor)
    log_accesses(actor=actor, records=[referral, referral.young_person], purpose=AccessLog.Purpose.DOWNLOAD)
    return _attachment(content, filename=referral_file_name(referral), content_type="application/pdf")


@http_methods("GET")
@login_required
@per_account(DOCUMENTS)
def personal_data_pdf_download(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = actor_for(request)
    young_person = young_person_for_personal_data(actor=actor, public_id=public_id)
    content = personal_data_pdf(young_person, actor=actor)
    log_access(actor=actor, record=young_person, purpose=AccessLog.Purpose.EXPORT)
    return _attachment(content, filename=personal_data_filename(young_person, "pdf"), content_type="application/pdf")


@http_methods("GET")
@login_required
@per_account(EXPORTS)
def personal_data_json_download(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = actor_for(request)
    young_person = young_person_for_personal_data(actor=actor, public_id=public_id)
    data = personal_data(young_person, actor=actor)
    log_access(actor=actor, record=young_person, purpose=AccessLog.Purpose.EXPORT)
    content = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    return _attachment(
        content,
        filename=personal_data_filename(young_person, "json"),
        content_type="application/json; charset=utf-8",
    )


urlpatterns: list[URLPattern | URLResolver] = [
    path("orientations/<uuid:public_id>/fiche-de-liaison.pdf", referral_file_download, name="referral_file"),
    path(
        "jeunes/<uuid:public_id>/donnees-personnelles.pdf",
        personal_data_pdf_download,
        name="personal_data_pdf",
    ),
    path(
        "jeunes/<uuid:public_id>/donnees-personnelles.json",
        personal_data_json_download,
        name="personal_data_json",
    ),
]
