"""Closing a semester (national committee): a confirmation page, then the frozen figures."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone

from common.http_methods import http_methods
from partners.access import actor_for
from reporting.access import can_close_semesters
from reporting.selectors.areas import period_from_query, root_area
from reporting.selectors.reports import closing_of
from reporting.services.snapshots import semester_close_request


@http_methods("GET", "POST")
@login_required
def close_semester(request: HttpRequest, semester: str) -> HttpResponse:
    actor = actor_for(request)
    root_area(actor)  # 403 for roles without the dashboard
    if not can_close_semesters(actor):
        raise PermissionDenied("Seul le comité national clôt un semestre.")
    period, error = period_from_query({"semestre": semester}, timezone.localdate())
    if error:
        raise Http404
    dashboard = f"{reverse('reporting:dashboard')}?semestre={semester}"
    if request.method == "POST":
        try:
            semester_close_request(actor=actor, period=period)
        except ValidationError as refusal:
            messages.error(request, " ".join(refusal.messages))
            return redirect(dashboard)
        messages.success(
            request, f"Clôture du {period.label} demandée : ses chiffres figés s'afficheront d'ici quelques minutes."
        )
        return redirect(dashboard)
    return render(
        request,
        "reporting/close_semester.html",
        {"period": period, "already_closed": closing_of(period) is not None, "dashboard": dashboard},
    )


urlpatterns = [
    path("indicateurs/semestres/<str:semester>/clore/", close_semester, name="close_semester"),
]
