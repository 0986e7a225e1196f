"""Agreements (list, detail, create, edit, amendments, signed PDFs) and territorial diagnostics."""

from __future__ import annotations

import datetime

from dateutil.relativedelta import relativedelta
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone

from common.forms import attach_errors
from common.http_methods import http_methods
from partners.access import (
    Actor,
    Capability,
    actor_for,
    can_create_agreements,
    can_create_diagnostics,
    can_edit_agreement,
    can_edit_diagnostic,
    editable_levels,
    records_own_region_only,
    signs_for_own_organisation,
)
from partners.enums import AgreementFramework, AgreementLevel
from partners.forms.agreements import AgreementForm, AmendmentForm, DiagnosticForm
from partners.models import Agreement, Region
from partners.selectors.agreements import (
    AgreementFilters,
    DiagnosticFilters,
    agreement_for_actor,
    agreements_for_list,
    amendment_of,
    diagnostic_for_actor,
    diagnostic_pair_candidates,
    diagnostics_for_list,
    national_agreements,
    party_candidates,
    with_edit_rights,
)
from partners.selectors.organisations import departements, regions
from partners.services.agreements import (
    agreement_create,
    agreement_update,
    amendment_create,
    diagnostic_create,
    diagnostic_update,
)


def _review_horizon(today: datetime.date) -> datetime.date:
    """Review meetings due before this date are shown as to be prepared."""
    return today + relativedelta(months=Agreement.REVIEW_MONTHS_BEFORE_END)


# --- Agreements -----------------------------------------------------------------------------


@http_methods("GET")
@login_required
def agreements(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    actor.require(Capability.VIEW_DIRECTORY)
    filters = AgreementFilters.from_query(request.GET.dict())
    page = agreements_for_list(
        actor=actor, filters=filters, after=request.GET.get("apres"), before=request.GET.get("avant")
    )
    today = timezone.localdate()
    return render(
        request,
        "partners/agreements/list.html",
        {
            "page": page,
            "filters": filters,
            "levels": AgreementLevel.choices,
            "frameworks": AgreementFramework.choices,
            "regions": regions(),
            "today": today,
            "review_horizon": _review_horizon(today),
            "can_create": can_create_agreements(actor),
        },
    )


@http_methods("GET")
@login_required
def agreement_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = actor_for(request)
    agreement = agreement_for_actor(actor=actor, public_id=public_id)
    today = timezone.localdate()
    return render(
        request,
        "partners/agreements/detail.html",
        {
            "agreement": agreement,
            "today": today,
            "review_horizon": _review_horizon(today),
            "can_edit": can_edit_agreement(actor, agreement),
        },
    )


def _agreement_form(request: HttpRequest, actor: Actor, instance: Agreement | None) -> AgreementForm:
    levels = editable_levels(actor)
    if instance is not None and instance.level not in levels:
        levels = [instance.level, *levels]
    region_choices: list[Region] = regions()
    own_region = actor.organisation.region_id if actor.organisation else None
    if records_own_region_only(actor) and own_region:
        region_choices = [r for r in region_choices if r.code == own_region]
    initial: dict[str, object] | None = None
    if instance is None:
        initial = {"level": levels[0] if levels else "", "region": own_region or ""}
        if signs_for_own_organisation(actor) and actor.organisation is not None:
            initial["parties"] = [str(actor.organisation.public_id)]
    kwargs = {"initial": initial} if initial is not None else {}
    posted = request.method == "POST"
    return AgreementForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        levels=levels,
        regions=region_choices,
        parents=national_agreements(),
        party_choices=party_candidates(actor),
        instance=instance,
        **kwargs,
    )


@http_methods("GET", "POST")
@login_required
def agreement_create_view(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    actor.require(Capability.MANAGE_AGREEMENTS)
    form = _agreement_form(request, actor, None)
    if request.method == "POST" and form.is_valid():
        try:
            agreement = agreement_create(actor=actor, data=form.to_data())
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, f"L'accord « {agreement} » est enregistré.")
            return redirect("partners:agreement_detail", public_id=agreement.public_id)
    return render(request, "partners/agreements/form.html", {"form": form, "agreement": None})


@http_methods("GET", "POST")
@login_required
def agreement_update_view(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = actor_for(request)
    agreement = agreement_for_actor(actor=actor, public_id=public_id)
    if not can_edit_agreement(actor, agreement):
        raise PermissionDenied("Vous ne pouvez pas modifier cet accord.")
    form = _agreement_form(request, actor, agreement)
    if request.method == "POST" and form.is_valid():
        try:
            agreement_update(actor=actor, agreement=agreement, data=form.to_data())
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, "Les modifications de l'accord sont enregistrées.")
            return redirect("partners:agreement_detail", public_id=agreement.public_id)
    return render(request, "partners/agreements/form.html", {"form": form, "agreement": agreement})


@http_methods("GET", "POST")
@login_required
def amendment_create_view(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = actor_for(request)
    agreement = agreement_for_actor(actor=actor, public_id=public_id)
    if not can_edit_agreement(actor, agreement):
        raise PermissionDenied("Vous ne pouvez pas modifier cet accord.")
    posted = request.method == "POST"
    form = AmendmentForm(request.POST if posted else None, request.FILES if posted else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            amendment = amendment_create(
                actor=actor,
                agreement=agreement,
                signed_on=data["signed_on"],
                summary=data["summary"],
                new_end_on=data["new_end_on"],
                signed_document=data["signed_document"] or None,
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, f"L'avenant n° {amendment.number} est enregistré.")
            return redirect("partners:agreement_detail", public_id=agreement.public_id)
    return render(request, "partners/agreements/amendment_form.html", {"form": form, "agreement": agreement})


def _pdf_response(document: FieldFile, filename: str) -> FileResponse:
    """The stored PDF as a download, under a clean name (never a public media URL)."""
    if not document or not document.name:
        raise Http404("Aucun document signé n'est enregistré.")
    try:
        handle = document.storage.open(document.name, "rb")
    except FileNotFoundError as error:
        raise Http404("Le document signé est introuvable.") from error
    return FileResponse(handle, as_attachment=True, filename=filename, content_type="application/pdf")


@http_methods("GET")
@login_required
def agreement_document(request: HttpRequest, public_id: str) -> FileResponse:
    agreement = agreement_for_actor(actor=actor_for(request), public_id=public_id)
    return _pdf_response(agreement.signed_document, f"accord-{agreement.public_id}.pdf")


@http_methods("GET")
@login_required
def amendment_document(request: HttpRequest, public_id: str, amendment_id: str) -> FileResponse:
    agreement = agreement_for_actor(actor=actor_for(request), public_id=public_id)
    amendment = amendment_of(agreement=agreement, public_id=amendment_id)
    return _pdf_response(amendment.signed_document, f"accord-{agreement.public_id}-avenant-{amendment.number}.pdf")


# --- Territorial diagnostics ----------------------------------------------------------------


@http_methods("GET")
@login_required
def diagnostics(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    actor.require(Capability.VIEW_DIRECTORY)
    filters = DiagnosticFilters.from_query(request.GET.dict())
    page = diagnostics_for_list(
        actor=actor, filters=filters, after=request.GET.get("apres"), before=request.GET.get("avant")
    )
    return render(
        request,
        "partners/agreements/diagnostics.html",
        {
            "page": page,
            "rows": with_edit_rights(actor, page.items),
            "filters": filters,
            "regions": regions(),
            "departements": departements(),
            "can_create": can_create_diagnostics(actor),
        },
    )


@http_methods("GET", "POST")
@login_required
def diagnostic_create_view(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    if not can_create_diagnostics(actor):
        raise PermissionDenied("Votre rôle ne permet pas d'établir un diagnostic territorial.")
    missions, sites = diagnostic_pair_candidates(actor)
    form = DiagnosticForm(request.POST if request.method == "POST" else None, missions=missions, sites=sites)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        mission_locale, e2c_site = form.missions[data["mission_locale"]], form.sites[data["e2c_site"]]
        try:  # the service refuses a pair out of the actor's reach with PermissionDenied: 403
            diagnostic_create(
                actor=actor,
                mission_locale=mission_locale,
                e2c_site=e2c_site,
                collaboration=data["collaboration"],
                assessed_on=data["assessed_on"],
                notes=data["notes"],
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, f"Le diagnostic « {mission_locale} × {e2c_site} » est enregistré.")
            return redirect("partners:diagnostics")
    return render(request, "partners/agreements/diagnostic_form.html", {"form": form, "diagnostic": None})


@http_methods("GET", "POST")
@login_required
def diagnostic_update_view(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = actor_for(request)
    diagnostic = diagnostic_for_actor(actor=actor, public_id=public_id)
    if not can_edit_diagnostic(actor, mission_locale=diagnostic.mission_locale, e2c_site=diagnostic.e2c_site):
        raise PermissionDenied("Vous ne pouvez pas modifier ce diagnostic.")
    form = DiagnosticForm(request.POST if request.method == "POST" else None, instance=diagnostic)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            diagnostic_update(
                actor=actor,
                diagnostic=diagnostic,
                collaboration=data["collaboration"],
                assessed_on=data["assessed_on"],
                notes=data["notes"],
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, "Le diagnostic est modifié.")
            return redirect("partners:diagnostics")
    return render(request, "partners/agreements/diagnostic_form.html", {"form": form, "diagnostic": diagnostic})


urlpatterns = [
    path("accords/", agreements, name="agreements"),
    path("accords/nouveau/", agreement_create_view, name="agreement_create"),
    path("accords/<uuid:public_id>/", agreement_detail, name="agreement_detail"),
    path("accords/<uuid:public_id>/modifier/", agreement_update_view, name="agreement_update"),
    path("accords/<uuid:public_id>/document/", agreement_document, name="agreement_document"),
    path("accords/<uuid:public_id>/avenants/nouveau/", amendment_create_view, name="amendment_create"),
    path(
        "accords/<uuid:public_id>/avenants/<uuid:amendment_id>/document/",
        amendment_document,
        name="amendment_document",
    ),
    path("diagnostics/", diagnostics, name="diagnostics"),
    path("diagnostics/nouveau/", diagnostic_create_view, name="diagnostic_create"),
    path("diagnostics/<uuid:public_id>/modifier/", diagnostic_update_view, name="diagnostic_update"),
]
