"""The directory of organisations: list, detail, my organisation, create and edit."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from common.forms import attach_errors
from common.http_methods import http_methods
from partners.access import Capability, actor_for, can_edit_correspondents_of, can_manage_members_of
from partners.enums import OrganisationKind
from partners.forms.organisations import OrganisationForm
from partners.models import Organisation
from partners.selectors.organisations import (
    DirectoryFilters,
    correspondents_of,
    departements,
    organisation_for_actor,
    organisations_for_directory,
    regions,
)
from partners.services.organisations import organisation_create, organisation_update
from texthygiene.text import search_words
from throttle.guard import refusal_per_account
from throttle.limits import SEARCHES


@http_methods("GET")
@login_required
def directory(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    actor.require(Capability.VIEW_DIRECTORY)
    query, refusal = search_words(request.GET.get("q", ""), max_length=100)
    if refusal:
        messages.error(request, refusal)
    if query and (too_many := refusal_per_account(request, SEARCHES)) is not None:
        return too_many
    filters = DirectoryFilters(
        query=query,
        kind=request.GET.get("type", "") if request.GET.get("type", "") in OrganisationKind.values else "",
        region=request.GET.get("region", "")[:2],
        departement=request.GET.get("departement", "")[:3],
    )
    page = organisations_for_directory(
        actor=actor, filters=filters, after=request.GET.get("apres"), before=request.GET.get("avant")
    )
    return render(
        request,
        "partners/directory.html",
        {
            "page": page,
            "filters": filters,
            "kinds": OrganisationKind.choices,
            "regions": regions(),
            "departements": departements(),
            "can_manage_directory": actor.can(Capability.MANAGE_DIRECTORY),
        },
    )


@http_methods("GET")
@login_required
def organisation_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = actor_for(request)
    organisation = organisation_for_actor(actor=actor, public_id=public_id)
    return render(
        request,
        "partners/organisation_detail.html",
        {
            "organisation": organisation,
            "correspondents": list(correspondents_of(organisation=organisation)),
            "can_manage_directory": actor.can(Capability.MANAGE_DIRECTORY),
            "can_manage_members": can_manage_members_of(actor, organisation),
            "can_edit_correspondents": can_edit_correspondents_of(actor, organisation),
            "is_my_organisation": actor.organisation is not None and actor.organisation.pk == organisation.pk,
        },
    )


@http_methods("GET")
@login_required
def my_organisation(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    if actor.organisation is None:
        raise Http404("Aucune organisation rattachée.")
    return organisation_detail(request, str(actor.organisation.public_id))


def _save(request: HttpRequest, form: OrganisationForm, organisation: Organisation | None) -> Organisation | None:
    actor = actor_for(request)
    try:
        if organisation is None:
            return organisation_create(actor=actor, data=form.to_data())
        organisation_update(actor=actor, organisation=organisation, data=form.to_data())
        return organisation
    except ValidationError as error:
        attach_errors(form, error)
        return None


@http_methods("GET", "POST")
@login_required
def organisation_create_view(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    actor.require(Capability.MANAGE_DIRECTORY)
    form = OrganisationForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        organisation = _save(request, form, None)
        if organisation is not None:
            messages.success(request, f"L'organisation « {organisation} » est ajoutée à l'annuaire.")
            return redirect("partners:organisation_detail", public_id=organisation.public_id)
    return render(request, "partners/organisation_form.html", {"form": form, "organisation": None})


@http_methods("GET", "POST")
@login_required
def organisation_update_view(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = actor_for(request)
    organisation = organisation_for_actor(actor=actor, public_id=public_id)
    actor.require(Capability.MANAGE_DIRECTORY)
    form = OrganisationForm(request.POST or None, actor=actor, instance=organisation)
    if request.method == "POST" and form.is_valid() and _save(request, form, organisation) is not None:
        messages.success(request, "Les modifications sont enregistrées.")
        return redirect("partners:organisation_detail", public_id=organisation.public_id)
    return render(request, "partners/organisation_form.html", {"form": form, "organisation": organisation})
