"""Correspondents of an organisation: list the pairs, add, edit and remove one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from common.forms import attach_errors
from common.http_methods import http_methods
from partners.access import Actor, actor_for, can_edit_correspondents_of
from partners.enums import OrganisationKind
from partners.forms.correspondents import CorrespondentForm, CounterpartForm
from partners.models import Correspondent, Organisation, User
from partners.selectors.correspondents import (
    PARTNER_KINDS,
    counterpart_for,
    counterparts_for,
    e2c_side_of,
    organisation_for_correspondents,
    pair_of,
    pairs_of,
    people_of,
)
from partners.services.correspondents import correspondent_create, correspondent_delete, correspondent_update


def _editable_organisation(request: HttpRequest, public_id: str) -> tuple[Actor, Organisation]:
    """The page's organisation (404 outside the directory), 403 unless the actor edits its pairs."""
    actor = actor_for(request)
    organisation = organisation_for_correspondents(actor=actor, public_id=public_id)
    if not can_edit_correspondents_of(actor, organisation):
        raise PermissionDenied("Vous ne pouvez pas désigner les correspondants de cette organisation.")
    return actor, organisation


def _with_current(people: list[User], current: User | None) -> list[User]:
    """Keep the person named today in the list even if they left: the service then says why."""
    if current is not None and all(person.pk != current.pk for person in people):
        return [*people, current]
    return people


def _people_form(
    request: HttpRequest, *, site: Organisation, partner: Organisation, pair: Correspondent | None
) -> CorrespondentForm:
    initial: dict[str, str] = {}
    partner_people = people_of(organisations=[partner])
    e2c_people = people_of(organisations=e2c_side_of(site))
    if pair is not None:
        partner_people = _with_current(partner_people, pair.partner_correspondent)
        e2c_people = _with_current(e2c_people, pair.e2c_contact)
        initial = {
            "partner_correspondent": str(pair.partner_correspondent.public_id) if pair.partner_correspondent else "",
            "e2c_contact": str(pair.e2c_contact.public_id) if pair.e2c_contact else "",
        }
    return CorrespondentForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        partner=partner,
        e2c_site=site,
        partner_people=partner_people,
        e2c_people=e2c_people,
    )


@http_methods("GET")
@login_required
def correspondents(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = actor_for(request)
    organisation = organisation_for_correspondents(actor=actor, public_id=public_id)
    return render(
        request,
        "partners/correspondents/list.html",
        {
            "organisation": organisation,
            "pairs": list(pairs_of(organisation=organisation)),
            "is_site": organisation.kind == OrganisationKind.E2C_SITE,
            "is_partner": organisation.kind in PARTNER_KINDS,
            "is_school": organisation.kind == OrganisationKind.E2C_SCHOOL,
            "can_edit": can_edit_correspondents_of(actor, organisation)
            and organisation.kind in (OrganisationKind.E2C_SITE, *PARTNER_KINDS),
        },
    )


@http_methods("GET", "POST")
@login_required
def correspondent_create_view(request: HttpRequest, public_id: str) -> HttpResponse:
    actor, organisation = _editable_organisation(request, public_id)
    is_site = organisation.kind == OrganisationKind.E2C_SITE
    if not is_site and organisation.kind not in PARTNER_KINDS:
        raise PermissionDenied(
            "Les correspondants relient un site E2C à une Mission Locale ou une agence France Travail."
        )
    chosen = request.GET.get("avec", "")
    counterpart = counterpart_for(actor=actor, organisation=organisation, public_id=chosen) if chosen else None
    context: dict[str, object] = {"organisation": organisation, "is_site": is_site, "counterpart": counterpart}
    if counterpart is None:
        counterpart_form = CounterpartForm(
            request.GET if chosen else None,
            counterparts=counterparts_for(actor=actor, organisation=organisation),
            label="Mission Locale ou agence France Travail" if is_site else "Site E2C",
        )
        if chosen:
            counterpart_form.is_valid()  # shows why the choice is refused
        return render(request, "partners/correspondents/choose.html", {**context, "form": counterpart_form})

    site, partner = (organisation, counterpart) if is_site else (counterpart, organisation)
    form = _people_form(request, site=site, partner=partner, pair=None)
    if request.method == "POST" and form.is_valid():
        try:
            correspondent_create(
                actor=actor,
                e2c_site=site,
                partner=partner,
                partner_correspondent=form.person("partner_correspondent"),
                e2c_contact=form.person("e2c_contact"),
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, f"Les correspondants entre « {site} » et « {partner} » sont désignés.")
            return redirect("partners:correspondents", public_id=organisation.public_id)
    return render(
        request, "partners/correspondents/form.html", {**context, "form": form, "site": site, "partner": partner}
    )


@http_methods("GET", "POST")
@login_required
def correspondent_update_view(request: HttpRequest, public_id: str, pair_id: str) -> HttpResponse:
    actor, organisation = _editable_organisation(request, public_id)
    pair = pair_of(organisation=organisation, public_id=pair_id)
    form = _people_form(request, site=pair.e2c_site, partner=pair.partner, pair=pair)
    if request.method == "POST" and form.is_valid():
        try:
            correspondent_update(
                actor=actor,
                correspondent=pair,
                partner_correspondent=form.person("partner_correspondent"),
                e2c_contact=form.person("e2c_contact"),
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, "Les correspondants sont modifiés.")
            return redirect("partners:correspondents", public_id=organisation.public_id)
    return render(
        request,
        "partners/correspondents/form.html",
        {"organisation": organisation, "pair": pair, "form": form, "site": pair.e2c_site, "partner": pair.partner},
    )


@http_methods("GET", "POST")
@login_required
def correspondent_delete_view(request: HttpRequest, public_id: str, pair_id: str) -> HttpResponse:
    """GET asks for confirmation, POST removes the pair."""
    actor, organisation = _editable_organisation(request, public_id)
    pair = pair_of(organisation=organisation, public_id=pair_id)
    if request.method == "POST":
        correspondent_delete(actor=actor, correspondent=pair)
        messages.success(request, f"Les correspondants entre « {pair.e2c_site} » et « {pair.partner} » sont retirés.")
        return redirect("partners:correspondents", public_id=organisation.public_id)
    return render(request, "partners/correspondents/confirm_delete.html", {"organisation": organisation, "pair": pair})


urlpatterns = [
    path("annuaire/<uuid:public_id>/correspondants/", correspondents, name="correspondents"),
    path(
        "annuaire/<uuid:public_id>/correspondants/ajouter/",
        correspondent_create_view,
        name="correspondent_create",
    ),
    path(
        "annuaire/<uuid:public_id>/correspondants/<uuid:pair_id>/modifier/",
        correspondent_update_view,
        name="correspondent_update",
    ),
    path(
        "annuaire/<uuid:public_id>/correspondants/<uuid:pair_id>/retirer/",
        correspondent_delete_view,
        name="correspondent_delete",
    ),
]
