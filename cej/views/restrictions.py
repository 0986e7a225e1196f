"""Restriction of processing (RGPD article 18): « Limiter le traitement » and « Lever la limitation »."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from audit.models import AccessLog
from audit.services import log_access
from cej.access import require_restriction_page
from cej.forms.restrictions import RestrictionLiftForm, RestrictionStartForm
from cej.models import YoungPerson
from cej.selectors.young_people import young_person_for_rights_request
from cej.services.restrictions import open_restriction, restriction_lift, restriction_start
from common.http_methods import http_methods
from partners.access import Actor, actor_for
from partners.forms.errors import attach_errors


def _young_person(actor: Actor, public_id: uuid.UUID, *, lift: bool = False) -> YoungPerson:
    """The file (404 outside the actor's scope), for those who may restrict it, or lift its restriction
    (403 for another role)."""
    young_person = young_person_for_rights_request(actor=actor, public_id=public_id)
    require_restriction_page(actor, young_person, lift=lift)
    return young_person


def _after(actor: Actor, young_person: YoungPerson) -> HttpResponse:
    # Administrators do not open files (scope_personal_records): they come back to the same page.
    if actor.is_administrator:
        return redirect("cej:restriction_lift", public_id=young_person.public_id)
    return redirect("cej:young_person_detail", public_id=young_person.public_id)


@http_methods("GET", "POST")
@login_required
def restriction_start_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    actor = actor_for(request)
    young_person = _young_person(actor, public_id)
    if request.method != "POST":
        # The page names the young person and the restriction's grounds: a consultation of the file.
        log_access(actor=actor, record=young_person, purpose=AccessLog.Purpose.VIEW_FILE)
    current = open_restriction(young_person)
    form = RestrictionStartForm(request.POST or None)
    if request.method == "POST" and current is None and form.is_valid():
        try:
            restriction_start(
                actor=actor,
                young_person=young_person,
                ground=form.cleaned_data["ground"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request, "Le traitement de ce dossier est limité : il est conservé mais ne peut plus être modifié."
            )
            return _after(actor, young_person)
    return render(
        request,
        "cej/restrictions/start.html",
        {"form": form, "young_person": young_person, "current": current, "opens_file": not actor.is_administrator},
    )


@http_methods("GET", "POST")
@login_required
def restriction_lift_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    actor = actor_for(request)
    young_person = _young_person(actor, public_id, lift=True)
    if request.method != "POST":
        # The page names the young person and the restriction's grounds: a consultation of the file.
        log_access(actor=actor, record=young_person, purpose=AccessLog.Purpose.VIEW_FILE)
    current = open_restriction(young_person)
    form = RestrictionLiftForm(request.POST or None)
    if request.method == "POST" and current is not None and form.is_valid():
        try:
            restriction_lift(
                actor=actor,
                young_person=young_person,
                reason=form.cleaned_data["lift_reason"],
                person_informed_on=form.cleaned_data["person_informed_on"],
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request, "La limitation du traitement est levée : le dossier peut de nouveau être modifié."
            )
            return _after(actor, young_person)
    return render(
        request,
        "cej/restrictions/lift.html",
        {
            "form": form,
            "young_person": young_person,
            "current": current,
            "history": young_person.restrictions.select_related("started_by", "lifted_by"),
            "opens_file": not actor.is_administrator,
        },
    )


urlpatterns = [
    path("jeunes/<uuid:public_id>/limiter/", restriction_start_view, name="restriction_start"),
    path("jeunes/<uuid:public_id>/lever-la-limitation/", restriction_lift_view, name="restriction_lift"),
]
