"""The dashboard's figures as XLSX and CSV files (right away), or an XLSX prepared by a worker."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone

from common.http_methods import http_methods
from exports.services import export_request
from partners.access import Actor, actor_for
from reporting import exports
from reporting.indicators import Area, Level, Period
from reporting.selectors.areas import area_for, period_from_query, root_area
from reporting.selectors.reports import report_for
from throttle.guard import per_account
from throttle.limits import DOCUMENTS, EXPORTS

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def area_from_query(actor: Actor, query: dict[str, str]) -> Area:
    """``organisation``, ``departement`` or ``region`` in the query, else the actor's widest area."""
    for key, level in (
        ("organisation", Level.ORGANISATION),
        ("departement", Level.DEPARTEMENT),
        ("region", Level.REGION),
    ):
        if query.get(key):
            return area_for(actor, level, query[key])[0]
    root = root_area(actor)
    return area_for(actor, root.level, root.code)[0]


def _file(request: HttpRequest, extension: str) -> HttpResponse:
    actor = actor_for(request)
    area = area_from_query(actor, request.GET.dict())
    period, _error = period_from_query(request.GET.dict(), timezone.localdate())
    report, snapshot = report_for(area, period)
    closed = exports.closing_line(snapshot)
    if extension == "xlsx":
        content, content_type = exports.xlsx_bytes(report, area, period, closed), exports.XLSX_CONTENT_TYPE
    elif extension == "pdf":
        content, content_type = exports.pdf_bytes(report, area, period, actor=actor, closed=closed), "application/pdf"
    else:
        content, content_type = exports.csv_bytes(report, area, period, closed), CSV_CONTENT_TYPE
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(area, period, extension)}"'
    return response


@http_methods("GET")
@login_required
@per_account(DOCUMENTS)
def export_xlsx(request: HttpRequest) -> HttpResponse:
    return _file(request, "xlsx")


@http_methods("GET")
@login_required
@per_account(DOCUMENTS)
def export_csv(request: HttpRequest) -> HttpResponse:
    return _file(request, "csv")


@http_methods("GET")
@login_required
@per_account(DOCUMENTS)
def export_pdf(request: HttpRequest) -> HttpResponse:
    return _file(request, "pdf")


@http_methods("POST")
@login_required
@per_account(EXPORTS)
def export_in_background(request: HttpRequest) -> HttpResponse:
    """Queue the XLSX for a worker (the exports app's job page follows its progress)."""
    actor = actor_for(request)
    area = area_from_query(actor, request.POST.dict())
    period, _error = period_from_query(request.POST.dict(), timezone.localdate())
    parameters = _job_parameters(area, period, request.POST.get("organisation", ""))
    job = export_request(actor=actor, kind=exports.XLSX_KIND.name, parameters=parameters)
    return redirect("exports:job_detail", public_id=job.public_id)


def _job_parameters(area: Area, period: Period, organisation_public_id: str) -> dict[str, str]:
    parameters = {"level": str(area.level), "start": period.start.isoformat(), "end": period.end.isoformat()}
    if area.level == Level.ORGANISATION:
        parameters["organisation"] = organisation_public_id  # the job page names it
    else:
        parameters["code"] = area.code
    return parameters


urlpatterns = [
    path("indicateurs/export.xlsx", export_xlsx, name="export_xlsx"),
    path("indicateurs/export.csv", export_csv, name="export_csv"),
    path("indicateurs/rapport.pdf", export_pdf, name="export_pdf"),
    path("indicateurs/export/preparer/", export_in_background, name="export_in_background"),
]
