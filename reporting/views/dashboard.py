"""The indicators dashboard: national → région → département → organisation, for a period."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import capfirst

from common.forms import refusal_form
from common.http_methods import http_methods
from partners.access import Actor, actor_for
from partners.geography import geography
from reporting import presentation
from reporting.access import can_close_semesters, sees_the_nation
from reporting.indicators import AREA, CHILD_LEVEL, Area, Level, Period
from reporting.selectors.areas import (
    area_for,
    organisation_public_ids,
    period_from_query,
    root_area,
    semesters,
)
from reporting.selectors.reports import live_state, report_for


def area_url(area: Area, public_ids: dict[str, str] | None = None) -> str:
    if area.level == Level.NATIONAL:
        return reverse("reporting:dashboard")
    if area.level == Level.REGION:
        return reverse("reporting:region", kwargs={"code": area.code})
    if area.level == Level.DEPARTEMENT:
        return reverse("reporting:departement", kwargs={"code": area.code})
    public_id = (public_ids or {}).get(area.code, area.code)
    return reverse("reporting:organisation", kwargs={"public_id": public_id})


def period_query(period: Period) -> str:
    code = period.semester_code
    if code:
        return urlencode({"semestre": code})
    return urlencode({"du": period.start.isoformat(), "au": period.end.isoformat()})


@http_methods("GET")
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    root = root_area(actor)
    if root.level == Level.REGION:  # a regional coordinator lands on their région
        query = request.GET.urlencode()
        return redirect(area_url(root) + (f"?{query}" if query else ""))
    return _dashboard(request, actor, Level.NATIONAL, "")


@http_methods("GET")
@login_required
def region(request: HttpRequest, code: str) -> HttpResponse:
    return _dashboard(request, actor_for(request), Level.REGION, code)


@http_methods("GET")
@login_required
def departement(request: HttpRequest, code: str) -> HttpResponse:
    return _dashboard(request, actor_for(request), Level.DEPARTEMENT, code)


@http_methods("GET")
@login_required
def organisation(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return _dashboard(request, actor_for(request), Level.ORGANISATION, str(public_id))


@http_methods("GET")
@login_required
def go(request: HttpRequest) -> HttpResponse:
    """The territory filter: to the département's page, else the région's, else the widest one."""
    actor = actor_for(request)
    root = root_area(actor)
    period, _error = period_from_query(request.GET.dict(), timezone.localdate())
    code, region_code = request.GET.get("departement", ""), request.GET.get("region", "")
    if code and code in geography().departements:
        target = Area(Level.DEPARTEMENT, code)
    elif region_code and region_code in geography().regions:
        target = Area(Level.REGION, region_code)
    else:
        target = root
    return redirect(f"{area_url(target)}?{period_query(period)}")


def _dashboard(request: HttpRequest, actor: Actor, level: Level, code: str) -> HttpResponse:
    area, parents = area_for(actor, level, code)
    today = timezone.localdate()
    period, period_error = period_from_query(request.GET.dict(), today)
    report, snapshot = report_for(area, period)
    area_table = presentation.breakdown(report, AREA, area.level) if area.level != Level.ORGANISATION else None
    if area_table is not None:
        child = CHILD_LEVEL[area.level]
        public_ids = (
            organisation_public_ids([row["key"] for row in area_table["rows"]]) if child == Level.ORGANISATION else {}
        )
        for row in area_table["rows"]:
            row["url"] = area_url(Area(child, row["key"]), public_ids)
    query = period_query(period)
    network_table = presentation.network_breakdown(report)
    for table in (area_table, network_table):
        if table is not None:
            table["rows_html"] = presentation.breakdown_rows_html(table, query)
    area_query = urlencode({str(level): code}) if level != Level.NATIONAL else ""
    live = live_state(period) if snapshot is None else None
    closed = snapshot is not None or (live is not None and live.closed_at is not None)
    context: dict[str, Any] = {
        "area": area,
        "parents": [(parent, area_url(parent)) for parent in parents],
        "period": period,
        # The filter's own fields (filtre-du, filtre-semestre): the error summary links to the one read.
        "period_errors": refusal_form(
            ValidationError({"du" if request.GET.get("du") or request.GET.get("au") else "semestre": period_error}),
            fields=("du", "semestre"),
            auto_id="filtre-%s",
        )
        if period_error
        else None,
        "period_query": query,
        "export_query": f"{query}&{area_query}" if area_query else query,
        "area_parameter": (str(level), code) if level != Level.NATIONAL else None,
        "semester_options": presentation.options_html(
            ((offered.semester_code or "", capfirst(offered.label)) for offered in semesters(today)),
            selected=period.semester_code or "",
        ),
        "snapshot": snapshot,
        "refreshed_at": live.refreshed_at if live else None,
        "organisation_in_closed_semester": area.level == Level.ORGANISATION and closed,
        "closing_in_progress": live is not None and live.closing_in_progress,
        "sections": presentation.section_tables(report),
        "charts": presentation.charts(report, area.level),
        "area_table": area_table,
        "child_title": presentation.CHILD_TITLES.get(area.level, ""),
        "network_table": network_table,
        "region_options": (presentation.options_html(geography().regions.items()) if sees_the_nation(actor) else ""),
        "departement_options": _departement_options(area, parents),
        "can_close": (
            can_close_semesters(actor)
            and period.semester_code is not None
            and period.end < today
            and snapshot is None
            and live is not None
            and not live.closing_requested
            and area.level == Level.NATIONAL
        ),
        "secrecy_threshold": presentation.THRESHOLD,
    }
    return render(request, "reporting/dashboard.html", context)


def _departement_options(area: Area, parents: list[Area]) -> str:
    """The départements offered by the filter: those of the région shown (or of its parent région)."""
    region_code = (
        area.code
        if area.level == Level.REGION
        else next((parent.code for parent in parents if parent.level == Level.REGION), "")
    )
    if not region_code:
        return ""
    departements = geography().departements_of(region_code)
    selected = area.code if area.level == Level.DEPARTEMENT else ""
    return presentation.options_html(((code, f"{name} ({code})") for code, name in departements), selected)


urlpatterns = [
    path("indicateurs/", dashboard, name="dashboard"),
    path("indicateurs/territoire/", go, name="go"),
    path("indicateurs/region/<str:code>/", region, name="region"),
    path("indicateurs/departement/<str:code>/", departement, name="departement"),
    path("indicateurs/organisation/<uuid:public_id>/", organisation, name="organisation"),
]
