"""Restriction of processing (RGPD article 18): « Limiter le traitement » and « Lever la limitation »."""

import uuid
from collections.abc import Callable
from typing import Any

from django import forms
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
from common.forms import attach_errors
from common.http_methods import http_methods
from partners.access import Actor, actor_for


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


def _restriction_page(
    request: HttpRequest,
    public_id: uuid.UUID,
    *,
    lift: bool,
    form_class: type[forms.Form],
    write: Callable[[Actor, YoungPerson, dict[str, Any]], object],
    success: str,
    template: str,
) -> HttpResponse:
    """Start a restriction (the file has none in force) or lift it (the file has one): the form, the
    service, then back to the file."""
    actor = actor_for(request)
    young_person = _young_person(actor, public_id, lift=lift)
    if request.method != "POST":
        # The page names the young person and the restriction's grounds: a consultation of the file.
        log_access(actor=actor, record=young_person, purpose=AccessLog.Purpose.VIEW_FILE)
    current = open_restriction(young_person)
    form = form_class(request.POST or None)
    if request.method == "POST" and (current is not None) is lift and form.is_valid():
        try:
            write(actor, young_person, form.cleaned_data)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, success)
            return _after(actor, young_person)
    context: dict[str, object] = {"form": form, "young_person": young_person, "current": current}
    if lift:
        context["history"] = young_person.restrictions.select_related("started_by", "lifted_by")
    return render(request, template, context | {"opens_file": not actor.is_administrator})


@http_methods("GET", "POST")
@login_required
def restriction_start_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return _restriction_page(
        request,
        public_id,
        lift=False,
        form_class=RestrictionStartForm,
        write=lambda actor, young_person, data: restriction_start(
            actor=actor, young_person=young_person, ground=data["ground"], note=data["note"]
        ),
        success="Le traitement de ce dossier est limité : il est conservé mais ne peut plus être modifié.",
        template="cej/restrictions/start.html",
    )


@http_methods("GET", "POST")
@login_required
def restriction_lift_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return _restriction_page(
        request,
        public_id,
        lift=True,
        form_class=RestrictionLiftForm,
        write=lambda actor, young_person, data: restriction_lift(
            actor=actor,
            young_person=young_person,
            reason=data["lift_reason"],
            person_informed_on=data["person_informed_on"],
        ),
        success="La limitation du traitement est levée : le dossier peut de nouveau être modifié.",
        template="cej/restrictions/lift.html",
    )


urlpatterns = [
    path("jeunes/<uuid:public_id>/limiter/", restriction_start_view, name="restriction_start"),
    path("jeunes/<uuid:public_id>/lever-la-limitation/", restriction_lift_view, name="restriction_lift"),
]
