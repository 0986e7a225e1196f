"""Lists of referrals: the E2C inbox (received) and the referrer's list (sent)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from audit.services import log_listing
from common.http_methods import http_methods
from e2c_referrals.access import can_refer, can_use_inbox
from e2c_referrals.enums import ReferralStatus
from e2c_referrals.selectors.inbox import ALL, InboxFilters, inbox, inbox_sites, sent_referrals
from partners.access import actor_for


def _status_filter(request: HttpRequest) -> str:
    status = request.GET.get("etat", "")
    return status if status == ALL or status in ReferralStatus.values else ""


@http_methods("GET")
@login_required
def inbox_view(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    if not can_use_inbox(actor):
        raise PermissionDenied("Les orientations reçues sont celles des sites E2C.")
    sites = inbox_sites(actor)
    site = request.GET.get("site", "")
    filters = InboxFilters(
        status=_status_filter(request), site=site if site in {str(s.public_id) for s in sites} else ""
    )
    page = inbox(actor=actor, filters=filters, after=request.GET.get("apres"), before=request.GET.get("avant"))
    rows = page.items
    log_listing(actor=actor, listing="inbox", young_people=(row.young_person_public_id for row in rows))
    return render(
        request,
        "e2c_referrals/inbox.html",
        {
            "page": page,
            "rows": rows,
            "filters": filters,
            "sites": sites,
            "several_sites": len(sites) > 1,
            "statuses": [s for s in ReferralStatus if s != ReferralStatus.DRAFT],
            "all": ALL,
        },
    )


@http_methods("GET")
@login_required
def sent_referrals_view(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    if not can_refer(actor):
        raise PermissionDenied("Les orientations envoyées sont celles des Missions Locales et de France Travail.")
    mine_only = request.GET.get("mes-orientations") == "1"
    status = _status_filter(request)
    page = sent_referrals(
        actor=actor, mine_only=mine_only, status=status, after=request.GET.get("apres"), before=request.GET.get("avant")
    )
    rows = page.items
    log_listing(actor=actor, listing="sent_referrals", young_people=(row.young_person_public_id for row in rows))
    return render(
        request,
        "e2c_referrals/sent_referrals.html",
        {
            "page": page,
            "rows": rows,
            "mine_only": mine_only,
            "status": status,
            "statuses": list(ReferralStatus),
            "all": ALL,
        },
    )


urlpatterns = [
    path("orientations/recues/", inbox_view, name="inbox"),
    path("orientations/envoyees/", sent_referrals_view, name="sent_referrals"),
]
