"""The home page: an adviser's day (young people, overdue reviews, CEJ ending soon, young people
coming back from an E2C), the E2C inbox's summary for E2C staff; others see their role.

It lives here, not in cej: it reads referrals, and dependencies flow e2c_referrals → cej.
"""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from audit.services import log_listing
from cej.access import can_hold_files
from cej.selectors.follow_ups import cej_ending_soon, overdue_follow_ups
from cej.selectors.young_people import young_people_for_actor
from common.http_methods import http_methods
from e2c_referrals.access import can_refer, can_use_inbox
from e2c_referrals.selectors.inbox import inbox_summary, open_hand_backs
from partners.access import actor_for

HOME_LIST_SIZE = 10


@http_methods("GET")
@login_required
def home(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    context: dict[str, object] = {"membership": actor.membership, "holds_files": can_hold_files(actor)}
    shown: list[UUID] = []  # the young people named on the page (access log)
    if context["holds_files"]:
        mine = young_people_for_actor(actor).filter(referent=actor.user)
        overdue = list(overdue_follow_ups(referent=actor.user, actor=actor)[:HOME_LIST_SIZE])
        ending_soon = list(cej_ending_soon(referent=actor.user, actor=actor)[:HOME_LIST_SIZE])
        context |= {"my_young_people_count": mine.count(), "overdue": overdue, "ending_soon": ending_soon}
        shown += [follow_up.young_person.public_id for follow_up in overdue]
        shown += [contract.young_person.public_id for contract in ending_soon]
    if can_refer(actor):
        hand_backs = open_hand_backs(actor=actor, limit=HOME_LIST_SIZE)
        context["hand_backs"] = hand_backs
        shown += [hand_back.referral.young_person.public_id for hand_back in hand_backs]
    if can_use_inbox(actor):
        context["inbox_summary"] = inbox_summary(actor=actor)
    log_listing(actor=actor, listing="home", young_people=shown)
    return render(request, "home.html", context)


urlpatterns = [path("", home, name="home")]
