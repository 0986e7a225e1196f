"""« Effacer ce dossier » (RGPD article 17): erase a file on request, or record a refusal."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from audit.models import AccessLog
from audit.services import log_access
from cej.models import YoungPerson
from cej.selectors.young_people import young_person_for_rights_request
from cej.services.restrictions import open_restriction
from common.forms import attach_errors
from common.http_methods import http_methods
from partners.access import Actor, actor_for
from retention import erasure
from retention.access import can_erase
from retention.forms_erasure import ErasureForm, ErasureRefusalForm


def _young_person(actor: Actor, public_id: uuid.UUID) -> YoungPerson:
    """The file (404 outside the actor's scope), for those who may erase it (403 for another role)."""
    young_person = young_person_for_rights_request(actor=actor, public_id=public_id)
    if not can_erase(actor, young_person):
        raise PermissionDenied("Votre rôle ne permet pas d'effacer ce dossier.")
    return young_person


def _page(
    request: HttpRequest,
    actor: Actor,
    young_person: YoungPerson,
    form: ErasureForm,
    refusal_form: ErasureRefusalForm,
) -> HttpResponse:
    return render(
        request,
        "retention/erasure.html",
        {
            "young_person": young_person,
            "form": form,
            "refusal_form": refusal_form,
            "anonymised": erasure.is_anonymised(young_person),
            "restriction": open_restriction(young_person),
            "ongoing": erasure.ongoing_of(young_person),
            "requests": erasure.erasure_requests_of(young_person),
            "opens_file": not actor.is_administrator,
        },
    )


@http_methods("GET", "POST")
@login_required
def erasure_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    actor = actor_for(request)
    young_person = _young_person(actor, public_id)
    if request.method != "POST":
        # The page names the young person and lists their referrals: a consultation of the file.
        log_access(actor=actor, record=young_person, purpose=AccessLog.Purpose.VIEW_FILE)
        return _page(request, actor, young_person, ErasureForm(), ErasureRefusalForm(prefix="refus"))
    form = ErasureForm(request.POST)
    if form.is_valid():
        try:
            erasure.young_person_erase(
                actor=actor,
                young_person=young_person,
                requested_on=form.cleaned_data["requested_on"],
                ground=form.cleaned_data["ground"],
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request,
                "Le dossier est effacé : le nom, les coordonnées et les notes ne sont plus conservés. "
                "La demande et sa date sont gardées comme preuve de la réponse.",
            )
            # Administrators do not open files: they come back to the retention page.
            return redirect("retention:overview" if actor.is_administrator else "cej:young_people")
    return _page(request, actor, young_person, form, ErasureRefusalForm(prefix="refus"))


@http_methods("POST")
@login_required
def erasure_refuse_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    actor = actor_for(request)
    young_person = _young_person(actor, public_id)
    refusal_form = ErasureRefusalForm(request.POST, prefix="refus")
    if refusal_form.is_valid():
        try:
            erasure.erasure_refuse(
                actor=actor,
                young_person=young_person,
                requested_on=refusal_form.cleaned_data["requested_on"],
                ground=refusal_form.cleaned_data["ground"],
                reason=refusal_form.cleaned_data["refusal_reason"],
            )
        except ValidationError as error:
            attach_errors(refusal_form, error)
        else:
            messages.success(request, "Le refus de la demande d'effacement est enregistré, avec son motif.")
            return redirect("retention:erasure", public_id=young_person.public_id)
    return _page(request, actor, young_person, ErasureForm(), refusal_form)
