"""Administrators' view of the outbox and the scheduled jobs; a failed delivery can be sent again."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from common.http_methods import http_methods
from outbox.registry import actor_for
from outbox.selectors import failed_message, failed_messages_page, monitoring
from outbox.services import MAX_ATTEMPTS, message_retry


@http_methods("GET")
@login_required
def monitoring_view(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    counts, jobs = monitoring(actor)
    failed = failed_messages_page(actor=actor, after=request.GET.get("apres"), before=request.GET.get("avant"))
    return render(
        request,
        "outbox/monitoring.html",
        {"counts": counts, "jobs": jobs, "page": failed, "max_attempts": MAX_ATTEMPTS},
    )


@http_methods("POST")
@login_required
def message_retry_view(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = actor_for(request)
    message = failed_message(actor=actor, public_id=public_id)
    message_retry(actor=actor, message=message)
    messages.success(request, "Le message est remis dans la file d'envoi.")
    return redirect("outbox:monitoring")


urlpatterns = [
    path("administration/envois/", monitoring_view, name="monitoring"),
    path("administration/envois/<uuid:public_id>/renvoyer/", message_retry_view, name="message_retry"),
]
