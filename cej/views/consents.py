"""Consents: record, revoke (with confirmation), download the signed form (logged)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from audit.models import AccessLog
from audit.services import log_access
from cej.access import require_file_holder
from cej.forms.consents import ConsentForm, ConsentRevokeForm
from cej.models import Consent, YoungPerson
from cej.selectors.young_people import young_person_for_actor
from cej.services.consents import consent_record, consent_revoke
from common.forms import attach_errors, submit
from common.http_methods import http_methods
from partners.access import actor_for
from throttle.guard import per_account
from throttle.limits import DOCUMENTS


def _consent_of(young_person: YoungPerson, consent_id: str) -> Consent:
    try:
        return young_person.consents.select_related("e2c_site").get(public_id=consent_id)
    except (Consent.DoesNotExist, ValueError) as error:
        raise Http404("Accord introuvable.") from error


@http_methods("GET", "POST")
@login_required
def consent_create(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = actor_for(request)
    young_person = young_person_for_actor(actor=actor, public_id=public_id)
    require_file_holder(actor)
    form = ConsentForm(request.POST or None, request.FILES or None)
    done = submit(
        request,
        form,
        lambda: consent_record(
            actor=actor,
            young_person=young_person,
            e2c_site=form.sites[form.cleaned_data["e2c_site"]],
            shared_data=form.cleaned_data["shared_data"],
            given_on=form.cleaned_data["given_on"],
            method=form.cleaned_data["method"],
            signed_form=form.cleaned_data["signed_form"],
            attestation=form.cleaned_data["attestation"],
        ),
    )
    if done:
        messages.success(request, f"L'accord de partage avec {done.result.e2c_site} est enregistré.")
        return redirect("cej:young_person_detail", public_id=young_person.public_id)
    return render(request, "cej/consents/form.html", {"form": form, "young_person": young_person})


@http_methods("GET", "POST")
@login_required
def consent_revoke_view(request: HttpRequest, public_id: str, consent_id: str) -> HttpResponse:
    actor = actor_for(request)
    young_person = young_person_for_actor(actor=actor, public_id=public_id)
    consent = _consent_of(young_person, consent_id)
    require_file_holder(actor)
    form = ConsentRevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            consent_revoke(actor=actor, consent=consent, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, f"L'accord avec {consent.e2c_site} est retiré : plus aucun partage avec ce site.")
            return redirect("cej:young_person_detail", public_id=young_person.public_id)
    return render(request, "cej/consents/revoke.html", {"form": form, "young_person": young_person, "consent": consent})


@http_methods("GET")
@login_required
@per_account(DOCUMENTS)
def consent_form_download(request: HttpRequest, public_id: str, consent_id: str) -> FileResponse:
    actor = actor_for(request)
    young_person = young_person_for_actor(actor=actor, public_id=public_id)
    consent = _consent_of(young_person, consent_id)
    if not consent.signed_form:
        raise Http404("Pas de formulaire signé pour cet accord.")
    log_access(actor=actor, record=consent, purpose=AccessLog.Purpose.DOWNLOAD)
    return FileResponse(
        consent.signed_form.open("rb"),
        as_attachment=True,
        filename=f"accord-{consent.public_id}.pdf",
        content_type="application/pdf",
    )


urlpatterns = [
    path("jeunes/<uuid:public_id>/accords/nouveau/", consent_create, name="consent_create"),
    path("jeunes/<uuid:public_id>/accords/<uuid:consent_id>/retirer/", consent_revoke_view, name="consent_revoke"),
    path(
        "jeunes/<uuid:public_id>/accords/<uuid:consent_id>/formulaire.pdf",
        consent_form_download,
        name="consent_form_download",
    ),
]
