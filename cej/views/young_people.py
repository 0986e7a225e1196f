"""Young people's files: list and search, open, view, edit."""

import secrets
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone

from audit.models import AccessLog
from audit.services import log_access, log_listing
from cej.access import can_edit_file, can_hold_files, can_lift, can_restrict, can_sign_pacea, require_file_holder
from cej.forms.young_people import YoungPersonForm
from cej.models import Consent, YoungPerson
from cej.selectors.young_people import (
    search_young_people,
    young_people_list,
    young_person_for_actor,
    young_person_rows,
)
from cej.services.restrictions import open_restriction, restricted_message
from cej.services.young_people import DuplicateSuspected, young_person_create, young_person_update
from common.forms import attach_errors
from common.http_methods import http_methods
from partners.access import Capability, actor_for
from partners.french import de
from texthygiene.text import search_words
from throttle.guard import refusal_per_account
from throttle.limits import SEARCHES

# The file page's sections, in order; each template gets ``young_person``, ``can_edit`` (false while
# the file is restricted), ``can_stop`` (the gestures that stop processing) and ``today``.
FILE_SECTIONS = [
    "cej/consents/_section.html",
    "e2c_referrals/_file_section.html",  # included by name only: cej never imports e2c_referrals
    "cej/contracts/_section.html",
    "cej/follow_ups/_section.html",
]
# What the file page's sections show of its consents, referrals and events (and the keys that
# attach them to the file); an organisation is named by Organisation.__str__ (name and kind).
CONSENT_SHOWN = (
    "public_id",
    "young_person_id",
    "shared_data",
    "given_on",
    "method",
    "signed_form",
    "revoked_at",
    "superseded_at",
    "e2c_site__name",
    "e2c_site__kind",
)
REFERRAL_SHOWN = ("public_id", "young_person_id", "status", "status_changed_at", "e2c_site__name", "e2c_site__kind")
EVENT_SHOWN = ("young_person_id", "created_at", "action", "changed_fields", "actor__first_name", "actor__last_name")


# The search's words never travel in a URL (browser history, a shared computer's address bar, a
# proxy's logs): the form posts them, the view keeps them in the session under a random token and
# redirects (303) to ``?recherche=<token>``, whose page runs the search. Only the last few are kept.
SEARCHES_SESSION_KEY = "young_people_searches"
SEARCHES_KEPT = 10
SEARCH_PARAMETER = "recherche"
QUERY_MAX_LENGTH = 100  # what search_young_people reads of a query


def _search_redirect(request: HttpRequest, *, query: str, mine_only: bool) -> HttpResponse:
    """Keep ``query`` in the session under a new token; 303 to the list (with the token if any)."""
    parameters: dict[str, str] = {}
    if query:
        token = secrets.token_urlsafe(12)
        searches = {**request.session.get(SEARCHES_SESSION_KEY, {}), token: query}
        request.session[SEARCHES_SESSION_KEY] = dict(list(searches.items())[-SEARCHES_KEPT:])
        parameters[SEARCH_PARAMETER] = token
    if mine_only:
        parameters["mes-jeunes"] = "1"
    url = reverse("cej:young_people")
    return HttpResponseRedirect(f"{url}?{urlencode(parameters)}" if parameters else url, status=303)


def _search_query(request: HttpRequest, source: QueryDict) -> str:
    query, refusal = search_words(source.get("q", ""), max_length=QUERY_MAX_LENGTH)
    if refusal:
        messages.error(request, refusal)
    return query


@http_methods("GET", "POST")
@login_required
def young_people(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    actor.require(Capability.VIEW_PERSONAL_DATA)
    if request.method == "POST":
        return _search_redirect(
            request, query=_search_query(request, request.POST), mine_only=request.POST.get("mes-jeunes") == "1"
        )
    mine_only = request.GET.get("mes-jeunes") == "1"
    if "q" in request.GET:  # an address from before the token (a bookmark): the words leave the bar at once
        return _search_redirect(request, query=_search_query(request, request.GET), mine_only=mine_only)
    token = request.GET.get(SEARCH_PARAMETER, "")
    query = request.session.get(SEARCHES_SESSION_KEY, {}).get(token, "") if token else ""
    if token and not query:  # another session's token, or one pushed out by newer searches
        messages.info(request, "Cette recherche n'est plus disponible : saisissez-la de nouveau.")
        return _search_redirect(request, query="", mine_only=mine_only)
    context: dict[str, object] = {
        "query": query,
        "mine_only": mine_only,
        "can_create": can_hold_files(actor),
        "query_max_length": QUERY_MAX_LENGTH,
    }
    if query:
        refusal = refusal_per_account(request, SEARCHES)
        if refusal is not None:
            return refusal
        results = search_young_people(actor=actor, query=query)
        context |= {"results": results, "rows": young_person_rows(results)}
        log_listing(
            actor=actor,
            listing="young_people_search",
            young_people=(person.public_id for person in results),
            purpose=AccessLog.Purpose.SEARCH,
        )
    else:
        page = young_people_list(
            actor=actor, mine_only=mine_only, after=request.GET.get("apres"), before=request.GET.get("avant")
        )
        context |= {"page": page, "rows": young_person_rows(page.items)}
        log_listing(actor=actor, listing="young_people", young_people=(person.public_id for person in page.items))
    return render(request, "cej/young_people.html", context)


@http_methods("GET", "POST")
@login_required
def young_person_create_view(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    require_file_holder(actor)
    form = YoungPersonForm(request.POST or None, actor=actor)
    duplicates: list[YoungPerson] = []
    elsewhere: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            young_person = young_person_create(
                actor=actor, data=form.to_data(), not_a_duplicate=form.cleaned_data["not_a_duplicate"]
            )
        except DuplicateSuspected as suspected:
            duplicates, elsewhere = suspected.matches, suspected.elsewhere
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, f"Le dossier {de(young_person)} est ouvert.")
            return redirect("cej:young_person_detail", public_id=young_person.public_id)
    return render(
        request,
        "cej/young_person_form.html",
        {"form": form, "young_person": None, "duplicates": duplicates, "elsewhere": elsewhere},
    )


@http_methods("GET")
@login_required
def young_person_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = actor_for(request)
    young_person = young_person_for_actor(actor=actor, public_id=public_id, page=True)
    log_access(actor=actor, record=young_person, purpose=AccessLog.Purpose.VIEW_FILE)
    # The sections list each related row with its E2C site: fetched in one query per relation.
    # "referrals" belongs to e2c_referrals, which cej never imports: its model is reached through
    # the relation (the reverse accessor added by e2c_referrals' Referral.young_person).
    referral_model = young_person._meta.get_field("referrals").related_model
    # Only the columns the sections show (``.only()``: less to compile, to send and to convert).
    prefetch_related_objects(
        [young_person],
        Prefetch("consents", queryset=Consent.objects.select_related("e2c_site").only(*CONSENT_SHOWN)),
        Prefetch(
            "referrals", queryset=referral_model._default_manager.select_related("e2c_site").only(*REFERRAL_SHOWN)
        ),
    )
    holder = can_hold_files(actor)
    # Whether there is one is read with the file: one query less for the files not restricted.
    restriction = open_restriction(young_person) if getattr(young_person, "has_open_restriction", True) else None
    return render(
        request,
        "cej/young_person_detail.html",
        {
            "young_person": young_person,
            "restriction": restriction,
            "can_hold": holder,
            "can_edit": can_edit_file(actor, restricted=restriction is not None),
            "can_stop": holder,
            "can_restrict": can_restrict(actor, young_person),
            "can_lift": can_lift(actor, young_person),
            "can_sign_pacea": can_sign_pacea(actor),
            "events": young_person.events.select_related("actor").only(*EVENT_SHOWN)[:20],
            "sections": FILE_SECTIONS,
            "today": timezone.localdate(),
        },
    )


@http_methods("GET", "POST")
@login_required
def young_person_update_view(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = actor_for(request)
    young_person = young_person_for_actor(actor=actor, public_id=public_id)
    require_file_holder(actor)
    restriction = open_restriction(young_person) if request.method != "POST" else None
    if restriction is not None:  # RGPD article 18: the service refuses a POST with the same words
        messages.error(request, restricted_message(restriction))
        return redirect("cej:young_person_detail", public_id=young_person.public_id)
    if request.method != "POST":
        # The form shows the whole file: a consultation like the file page.
        log_access(actor=actor, record=young_person, purpose=AccessLog.Purpose.VIEW_FILE)
    form = YoungPersonForm(request.POST or None, actor=actor, initial_from=young_person)
    if request.method == "POST" and form.is_valid():
        try:
            changed = young_person_update(actor=actor, young_person=young_person, data=form.to_data())
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, "Les modifications sont enregistrées." if changed else "Aucune modification.")
            return redirect("cej:young_person_detail", public_id=young_person.public_id)
    return render(
        request,
        "cej/young_person_form.html",
        {"form": form, "young_person": young_person, "duplicates": [], "elsewhere": []},
    )


urlpatterns = [
    path("jeunes/", young_people, name="young_people"),
    path("jeunes/nouveau/", young_person_create_view, name="young_person_create"),
    path("jeunes/<uuid:public_id>/", young_person_detail, name="young_person_detail"),
    path("jeunes/<uuid:public_id>/modifier/", young_person_update_view, name="young_person_update"),
]
