"""The bell: a person's notifications (newest first), marking them read, the e-mail preference."""

from __future__ import annotations

import dataclasses

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from common.http_methods import http_methods
from outbox.forms import PreferenceForm
from outbox.models import Message
from outbox.registry import actor_for
from outbox.rendering import message_link, render_subject
from outbox.selectors import frequency_of, notification_for, notifications_page
from outbox.services import notification_mark_read, notifications_mark_all_read, preference_set


@dataclasses.dataclass(frozen=True)
class Row:
    message: Message
    subject: str
    link: str | None


@http_methods("GET")
@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    page = notifications_page(actor=actor, after=request.GET.get("apres"), before=request.GET.get("avant"))
    rows = [Row(message, render_subject(message), message_link(message)) for message in page.items]
    return render(request, "outbox/notifications.html", {"page": page, "rows": rows})


@http_methods("POST")
@login_required
def notification_read(request: HttpRequest, public_id: str) -> HttpResponse:
    """Mark one notification read, then open what it is about (or come back to the list)."""
    actor = actor_for(request)
    message = notification_for(actor=actor, public_id=public_id)
    notification_mark_read(actor=actor, message=message)
    link = message_link(message) if request.POST.get("ouvrir") else None
    return redirect(link or "outbox:notifications")


@http_methods("POST")
@login_required
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = notifications_mark_all_read(actor=actor_for(request))
    messages.success(request, "Toutes vos notifications sont marquées comme lues." if count else "Rien à marquer.")
    return redirect("outbox:notifications")


@http_methods("GET", "POST")
@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    form = PreferenceForm(request.POST or None, initial={"frequency": frequency_of(actor)})
    if request.method == "POST" and form.is_valid():
        preference_set(actor=actor, frequency=form.cleaned_data["frequency"])
        messages.success(request, "Votre préférence est enregistrée.")
        return redirect("outbox:notifications")
    return render(request, "outbox/preferences.html", {"form": form})


urlpatterns = [
    path("notifications/", notification_list, name="notifications"),
    path("notifications/<uuid:public_id>/lue/", notification_read, name="notification_read"),
    path("notifications/tout-lire/", notifications_read_all, name="notifications_read_all"),
    path("notifications/preferences/", preferences, name="preferences"),
]
