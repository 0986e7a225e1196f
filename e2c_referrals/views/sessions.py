"""Information sessions, registrations, attendance, iCalendar feeds and adviser immersions."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone

from audit.models import AccessLog
from audit.services import log_access, log_listing
from common.forms import attach_errors, is_submitted, submitted_data
from common.http_methods import http_methods
from e2c_referrals.access import (
    attendance_already_settled,
    can_manage_session,
    can_plan_sessions,
    can_record_attendance,
    can_record_immersions,
    can_regenerate_feed,
    can_register,
    can_see_session_pages,
    can_withdraw,
    is_open_to_registration,
    session_cancel_refusal,
    session_edit_refusal,
    session_is_planned,
)
from e2c_referrals.enums import RegistrationStatus
from e2c_referrals.forms.sessions import (
    AttendanceForm,
    CancelSessionForm,
    ChooseSessionForm,
    ImmersionForm,
    RegisterForm,
    SessionForm,
    WithdrawForm,
)
from e2c_referrals.ical import calendar_bytes, feed_for, feed_organisation, feed_regenerate
from e2c_referrals.models import InformationSession, Referral, SessionRegistration
from e2c_referrals.pdf.attendance_sheet import attendance_sheet_name, attendance_sheet_pdf
from e2c_referrals.selectors.referrals import referral_for_actor
from e2c_referrals.selectors.sessions import (
    immersions_for_actor,
    open_sessions_for_referral,
    planning_sites,
    registrable_referrals,
    session_for_actor,
    sessions_page,
    visible_registrations,
)
from e2c_referrals.services.immersions import host_choices, immersion_record, participant_choices
from e2c_referrals.services.sessions import (
    attendance_record,
    registration_create,
    registration_withdraw,
    session_cancel,
    session_create,
    session_update,
)
from pagination.keyset import paginate
from partners.access import Actor, actor_for
from throttle.guard import per_account
from throttle.limits import DOCUMENTS


def _require_session_pages(actor: Actor) -> None:
    if not can_see_session_pages(actor):
        raise PermissionDenied("Les séances d'information concernent les conseillers et les équipes E2C.")


@http_methods("GET")
@login_required
def session_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    _require_session_pages(actor)
    past = request.GET.get("passees") == "1"
    listed = sessions_page(actor=actor, past=past, after=request.GET.get("apres"), before=request.GET.get("avant"))
    return render(
        request,
        "e2c_referrals/sessions/list.html",
        {
            "page": listed.page,
            "past": past,
            "can_plan": can_plan_sessions(actor) and bool(planning_sites(actor)),
            "follows_sites": listed.follows_sites,
        },
    )


@http_methods("GET", "POST")
@login_required
def session_create_view(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    sites = planning_sites(actor)
    if not can_plan_sessions(actor) or not sites:
        raise PermissionDenied("Seule l'équipe d'un site E2C programme des séances.")
    form = SessionForm(submitted_data(request), sites=sites)
    if is_submitted(request) and form.is_valid():
        try:
            session = session_create(actor=actor, site=form.site(), data=form.to_data())
        except ValidationError as error:
            form.attach_service_errors(error)
        else:
            messages.success(request, "La séance est programmée ; les correspondants partenaires en sont informés.")
            return redirect("e2c_referrals:session_detail", public_id=session.public_id)
    return render(request, "e2c_referrals/sessions/form.html", {"form": form, "session": None})


@http_methods("GET")
@login_required
def session_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = actor_for(request)
    _require_session_pages(actor)
    session = session_for_actor(actor=actor, public_id=public_id)
    registrations = list(visible_registrations(actor, session))
    candidates = list(registrable_referrals(actor, session.e2c_site)) if session_is_planned(session) else []
    open_to_registration = is_open_to_registration(session)
    manages = can_manage_session(actor, session)
    log_listing(
        actor=actor,
        listing="session_registrations",
        young_people=[r.referral.young_person.public_id for r in registrations]
        + [referral.young_person.public_id for referral in candidates],
        record=session,
    )
    return render(
        request,
        "e2c_referrals/sessions/detail.html",
        {
            "session": session,
            "seated": [r for r in registrations if r.status == RegistrationStatus.REGISTERED],
            "waiting": [r for r in registrations if r.status == RegistrationStatus.WAITING],
            "withdrawn": [r for r in registrations if r.status == RegistrationStatus.WITHDRAWN],
            "seats_left": max(session.capacity - int(getattr(session, "registered", 0)), 0),
            "co_hosts": list(session.co_hosts.order_by("last_name", "first_name")),
            "manages": manages,
            "register_form": RegisterForm(referrals=candidates) if candidates and open_to_registration else None,
            "open_to_registration": open_to_registration,
            "can_record_attendance": can_record_attendance(actor, session),
            "withdrawable": {
                registration.pk for registration in registrations if can_withdraw(actor, registration, session)
            },
        },
    )


def _managed(request: HttpRequest, public_id: str) -> tuple[Actor, InformationSession]:
    actor = actor_for(request)
    _require_session_pages(actor)
    session = session_for_actor(actor=actor, public_id=public_id)
    if not can_manage_session(actor, session):
        raise PermissionDenied("Seule l'équipe du site E2C gère cette séance.")
    return actor, session


def _back_to(session: InformationSession) -> HttpResponse:
    return redirect("e2c_referrals:session_detail", public_id=session.public_id)


@http_methods("GET", "POST")
@login_required
def session_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    actor, session = _managed(request, public_id)
    refusal = session_edit_refusal(session)
    if refusal is not None:
        messages.error(request, refusal)
        return _back_to(session)
    form = SessionForm(submitted_data(request), sites=[session.e2c_site], session=session)
    if is_submitted(request) and form.is_valid():
        try:
            session_update(actor=actor, session=session, data=form.to_data())
        except ValidationError as error:
            form.attach_service_errors(error)
        else:
            messages.success(request, "La séance est modifiée ; les partenaires et les co-animateurs en sont informés.")
            return _back_to(session)
    return render(request, "e2c_referrals/sessions/form.html", {"form": form, "session": session})


@http_methods("GET", "POST")
@login_required
def session_cancel_view(request: HttpRequest, public_id: str) -> HttpResponse:
    actor, session = _managed(request, public_id)
    refusal = session_cancel_refusal(session)
    if refusal is not None:
        messages.error(request, refusal)
        return _back_to(session)
    form = CancelSessionForm(submitted_data(request))
    if is_submitted(request) and form.is_valid():
        try:
            session_cancel(actor=actor, session=session, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request, "La séance est annulée ; les jeunes inscrits peuvent être inscrits à une autre séance."
            )
            return _back_to(session)
    return render(request, "e2c_referrals/sessions/cancel.html", {"form": form, "session": session})


@http_methods("POST")
@login_required
def session_register(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = actor_for(request)
    _require_session_pages(actor)
    session = session_for_actor(actor=actor, public_id=public_id)
    form = RegisterForm(request.POST, referrals=list(registrable_referrals(actor, session.e2c_site)))
    if not form.is_valid():
        messages.error(request, "Choisissez un jeune dans la liste : son orientation doit être prise en compte.")
        return _back_to(session)
    _register(request, actor, session, form.chosen())
    return _back_to(session)


def _register(request: HttpRequest, actor: Actor, session: InformationSession, referral: Referral) -> bool:
    try:
        registration = registration_create(actor=actor, session=session, referral=referral)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return False
    if registration.status == RegistrationStatus.REGISTERED:
        messages.success(
            request, f"{referral.young_person} est inscrit(e) à la séance ; l'orientation est « invité(e) »."
        )
    else:
        messages.warning(
            request,
            f"La séance est complète : {referral.young_person} est sur la liste d'attente. "
            "Une place libérée lui sera attribuée dans l'ordre d'arrivée.",
        )
    return True


@http_methods("GET", "POST")
@login_required
def referral_register(request: HttpRequest, public_id: str) -> HttpResponse:
    """From a referral's page: choose one of the site's open sessions."""
    actor = actor_for(request)
    referral = referral_for_actor(actor=actor, public_id=public_id)
    if not can_register(actor, referral):
        raise PermissionDenied("Seuls le prescripteur et l'équipe du site E2C inscrivent ce jeune.")
    sessions = list(open_sessions_for_referral(referral)[:50])
    form = ChooseSessionForm(submitted_data(request), sessions=sessions)
    if is_submitted(request) and form.is_valid():
        if _register(request, actor, form.chosen(), referral):
            return redirect("e2c_referrals:referral_detail", public_id=referral.public_id)
        return redirect("e2c_referrals:referral_register", public_id=referral.public_id)
    return render(
        request,
        "e2c_referrals/sessions/choose.html",
        {"referral": referral, "form": form, "sessions": sessions, "can_plan": can_plan_sessions(actor)},
    )


def _registration(session: InformationSession, registration_id: str) -> SessionRegistration:
    try:
        return session.registrations.select_related("referral__young_person").get(public_id=registration_id)
    except (SessionRegistration.DoesNotExist, ValueError, ValidationError) as error:
        raise Http404("Inscription introuvable.") from error


@http_methods("GET", "POST")
@login_required
def registration_withdraw_view(request: HttpRequest, public_id: str, registration_id: str) -> HttpResponse:
    actor = actor_for(request)
    _require_session_pages(actor)
    session = session_for_actor(actor=actor, public_id=public_id)
    registration = _registration(session, registration_id)
    if not visible_registrations(actor, session).filter(pk=registration.pk).exists():
        raise Http404("Inscription introuvable.")
    if not can_register(actor, registration.referral):
        raise PermissionDenied("Seuls le prescripteur et l'équipe du site E2C désinscrivent ce jeune.")
    form = WithdrawForm(submitted_data(request))
    if is_submitted(request) and form.is_valid():
        try:
            registration_withdraw(actor=actor, registration=registration, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{registration.referral.young_person} est désinscrit(e) de la séance.")
        return _back_to(session)
    return render(
        request,
        "e2c_referrals/sessions/withdraw.html",
        {"form": form, "session": session, "registration": registration},
    )


@http_methods("GET", "POST")
@login_required
def attendance_view(request: HttpRequest, public_id: str) -> HttpResponse:
    actor, session = _managed(request, public_id)
    if attendance_already_settled(session):
        messages.info(request, "Les présences de cette séance sont déjà enregistrées (ou la séance est annulée).")
        return _back_to(session)
    if session.starts_at > timezone.now():
        messages.error(request, "Les présences se saisissent une fois la séance commencée.")
        return _back_to(session)
    seats = list(
        session.registrations.filter(status=RegistrationStatus.REGISTERED, attendance="")
        .select_related("referral__young_person", "referral__referring_organisation")
        .order_by("referral__young_person__last_name", "referral__young_person__first_name", "id")
    )
    form = AttendanceForm(submitted_data(request), seats=seats)
    if is_submitted(request) and form.is_valid():
        try:
            attendance_record(actor=actor, session=session, marks=form.marks())
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request, "Les présences sont enregistrées ; chaque conseiller prescripteur reçoit le résultat."
            )
            return _back_to(session)
    return render(request, "e2c_referrals/sessions/attendance.html", {"form": form, "session": session})


@http_methods("GET")
@login_required
@per_account(DOCUMENTS)
def attendance_sheet(request: HttpRequest, public_id: str) -> HttpResponse:
    """The sheet to print and sign, for the site's team; lists names: a logged export."""
    actor, session = _managed(request, public_id)
    body = attendance_sheet_pdf(session, actor=actor)
    log_access(actor=actor, record=session, purpose=AccessLog.Purpose.EXPORT)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{attendance_sheet_name(session)}"'
    response["Cache-Control"] = "no-store"
    return response


# --- iCalendar feed ---------------------------------------------------------------------------------


@http_methods("GET")
@login_required
def calendar_page(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    _require_session_pages(actor)
    assert actor.organisation is not None  # noqa: S101 (checked above)
    feed = feed_for(actor.organisation)
    address = settings.SITE_URL + reverse("e2c_referrals:calendar_feed", kwargs={"token": feed.token})
    return render(
        request,
        "e2c_referrals/sessions/calendar.html",
        {"address": address, "feed": feed, "can_regenerate": can_regenerate_feed(actor)},
    )


@http_methods("GET", "POST")
@login_required
def calendar_regenerate(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    _require_session_pages(actor)
    if not can_regenerate_feed(actor):
        raise PermissionDenied("Seul un responsable de la structure change l'adresse du calendrier.")
    if is_submitted(request):
        feed_regenerate(actor=actor)
        messages.success(
            request, "Nouvelle adresse créée : l'ancienne ne fonctionne plus. Abonnez à nouveau vos agendas."
        )
        return redirect("e2c_referrals:calendar")
    return render(request, "e2c_referrals/sessions/calendar_regenerate.html")


@http_methods("GET")
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """Public by its secret address (calendar programs do not sign in); no personal data inside."""
    organisation = feed_organisation(token)
    if organisation is None:
        raise Http404("Calendrier introuvable.")
    body = calendar_bytes(organisation, base_url=settings.SITE_URL)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="seances-e2c.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


# --- Adviser immersions -------------------------------------------------------------------------------


@http_methods("GET")
@login_required
def immersion_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    _require_session_pages(actor)
    page = paginate(
        immersions_for_actor(actor),
        keys=("starts_on", "id"),
        after=request.GET.get("apres"),
        before=request.GET.get("avant"),
    )
    return render(
        request,
        "e2c_referrals/sessions/immersions.html",
        {"page": page, "can_record": can_record_immersions(actor)},
    )


@http_methods("GET", "POST")
@login_required
def immersion_create(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    if not can_record_immersions(actor):
        raise PermissionDenied("Votre rôle ne permet pas d'enregistrer une immersion.")
    form = ImmersionForm(submitted_data(request), hosts=host_choices(actor), people=participant_choices(actor))
    if is_submitted(request) and form.is_valid():
        try:
            immersion_record(actor=actor, data=form.to_data())
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, "L'immersion est enregistrée.")
            return redirect("e2c_referrals:immersions")
    return render(request, "e2c_referrals/sessions/immersion_form.html", {"form": form})


urlpatterns = [
    path("seances/", session_list, name="sessions"),
    path("seances/nouvelle/", session_create_view, name="session_create"),
    path("seances/<uuid:public_id>/", session_detail, name="session_detail"),
    path("seances/<uuid:public_id>/modifier/", session_edit, name="session_edit"),
    path("seances/<uuid:public_id>/annuler/", session_cancel_view, name="session_cancel"),
    path("seances/<uuid:public_id>/inscrire/", session_register, name="session_register"),
    path(
        "seances/<uuid:public_id>/inscriptions/<uuid:registration_id>/desinscrire/",
        registration_withdraw_view,
        name="registration_withdraw",
    ),
    path("seances/<uuid:public_id>/presences/", attendance_view, name="session_attendance"),
    path("seances/<uuid:public_id>/feuille-emargement.pdf", attendance_sheet, name="session_attendance_sheet"),
    path("orientations/<uuid:public_id>/inscrire-a-une-seance/", referral_register, name="referral_register"),
    path("calendrier/", calendar_page, name="calendar"),
    path("calendrier/nouvelle-adresse/", calendar_regenerate, name="calendar_regenerate"),
    path("calendrier/<str:token>.ics", calendar_feed, name="calendar_feed"),
    path("immersions/", immersion_list, name="immersions"),
    path("immersions/nouvelle/", immersion_create, name="immersion_create"),
]
