"""Follow-up reviews: plan, record what was said (and plan the next), cancel."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from cej.access import require_file_holder
from cej.forms.follow_ups import FollowUpRecordForm, FollowUpScheduleForm
from cej.models import FollowUp, YoungPerson
from cej.selectors.follow_ups import possible_participants
from cej.selectors.young_people import young_person_for_actor
from cej.services.follow_ups import follow_up_cancel, follow_up_record, follow_up_schedule
from common.forms import attach_errors, refusal_form, submit
from common.http_methods import http_methods
from partners.access import actor_for


def _follow_up_of(young_person: YoungPerson, follow_up_id: str) -> FollowUp:
    try:
        return young_person.follow_ups.get(public_id=follow_up_id)
    except (FollowUp.DoesNotExist, ValueError) as error:
        raise Http404("Point de suivi introuvable.") from error


@http_methods("GET", "POST")
@login_required
def follow_up_create(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = actor_for(request)
    young_person = young_person_for_actor(actor=actor, public_id=public_id)
    require_file_holder(actor)
    form = FollowUpScheduleForm(request.POST or None, people=possible_participants(young_person))
    done = submit(
        request,
        form,
        lambda: follow_up_schedule(
            actor=actor,
            young_person=young_person,
            scheduled_on=form.cleaned_data["scheduled_on"],
            participants=form.chosen_participants(),
        ),
    )
    if done:
        messages.success(request, f"Point de suivi prévu le {done.result.scheduled_on:%d/%m/%Y}.")
        return redirect("cej:young_person_detail", public_id=young_person.public_id)
    return render(request, "cej/follow_ups/schedule.html", {"form": form, "young_person": young_person})


@http_methods("GET", "POST")
@login_required
def follow_up_record_view(request: HttpRequest, public_id: str, follow_up_id: str) -> HttpResponse:
    actor = actor_for(request)
    young_person = young_person_for_actor(actor=actor, public_id=public_id)
    follow_up = _follow_up_of(young_person, follow_up_id)
    require_file_holder(actor)
    form = FollowUpRecordForm(
        request.POST or None,
        people=possible_participants(young_person),
        initial={
            "held_on": follow_up.scheduled_on,
            "participants": [str(u.public_id) for u in follow_up.participants.all()],
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            follow_up_record(
                actor=actor,
                follow_up=follow_up,
                held_on=form.cleaned_data["held_on"],
                notes=form.cleaned_data["notes"],
                participants=form.chosen_participants(),
                next_review_on=form.cleaned_data["next_review_on"],
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, "Le compte rendu du point de suivi est enregistré.")
            return redirect("cej:young_person_detail", public_id=young_person.public_id)
    return render(
        request, "cej/follow_ups/record.html", {"form": form, "young_person": young_person, "follow_up": follow_up}
    )


@http_methods("GET", "POST")
@login_required
def follow_up_cancel_view(request: HttpRequest, public_id: str, follow_up_id: str) -> HttpResponse:
    actor = actor_for(request)
    young_person = young_person_for_actor(actor=actor, public_id=public_id)
    follow_up = _follow_up_of(young_person, follow_up_id)
    require_file_holder(actor)
    form = None
    if request.method == "POST":
        try:
            follow_up_cancel(actor=actor, follow_up=follow_up)
        except ValidationError as error:
            form = refusal_form(error)
        else:
            messages.success(request, f"Le point de suivi du {follow_up.scheduled_on:%d/%m/%Y} est annulé.")
            return redirect("cej:young_person_detail", public_id=young_person.public_id)
    return render(
        request,
        "cej/follow_ups/cancel.html",
        {"young_person": young_person, "follow_up": follow_up, "form": form},
    )


urlpatterns = [
    path("jeunes/<uuid:public_id>/suivis/nouveau/", follow_up_create, name="follow_up_create"),
    path(
        "jeunes/<uuid:public_id>/suivis/<uuid:follow_up_id>/compte-rendu/",
        follow_up_record_view,
        name="follow_up_record",
    ),
    path("jeunes/<uuid:public_id>/suivis/<uuid:follow_up_id>/annuler/", follow_up_cancel_view, name="follow_up_cancel"),
]
