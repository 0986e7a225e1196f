"""A young person comes back to the referring organisation (or the nearest ML): the task is handled."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from audit.models import AccessLog
from audit.services import log_access
from common.forms import attach_errors
from common.http_methods import http_methods
from e2c_referrals.forms.referrals import HandBackForm
from e2c_referrals.selectors.inbox import hand_back_for_actor
from e2c_referrals.selectors.referrals import referrals_for_actor
from e2c_referrals.services.hand_backs import hand_back_handle
from partners.access import actor_for
from partners.french import de


@http_methods("GET", "POST")
@login_required
def hand_back_handle_view(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = actor_for(request)
    hand_back = hand_back_for_actor(actor=actor, public_id=public_id)
    # The page shows the young person's name and birth date.
    log_access(actor=actor, record=hand_back.referral.young_person, purpose=AccessLog.Purpose.VIEW_FILE)
    form = HandBackForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            hand_back_handle(actor=actor, hand_back=hand_back, note=form.cleaned_data["follow_up_note"])
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, f"Le retour {de(hand_back.referral.young_person)} est traité.")
            return redirect("home")
    # The nearest ML registering a trainee does not see the referral itself (another structure's).
    sees_referral = referrals_for_actor(actor).filter(pk=hand_back.referral_id).exists()
    return render(
        request,
        "e2c_referrals/hand_back.html",
        {"hand_back": hand_back, "referral": hand_back.referral, "form": form, "sees_referral": sees_referral},
    )


urlpatterns = [
    path("orientations/retours/<uuid:public_id>/traiter/", hand_back_handle_view, name="hand_back_handle"),
]
