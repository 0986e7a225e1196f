"""The home page: an adviser's day (young people, overdue reviews, CEJ ending soon, young people
coming back from an E2C), the E2C inbox's summary for E2C staff; others see their role.

It lives here, not in cej: it reads referrals, and dependencies flow e2c_referrals → cej.
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from audit.services import log_listing
from cej.access import can_hold_files
from cej.selectors.follow_ups import cej_ending_soon, overdue_follow_ups
from cej.selectors.young_people import young_people_for_actor
from common.http_methods import http_methods
from common.uuid_urls import uuid_reverse
from e2c_referrals.access import can_refer, can_use_inbox
from e2c_referrals.selectors.inbox import inbox_summary, open_hand_backs
from partners.access import actor_for

HOME_LIST_SIZE = 10


@dataclasses.dataclass(frozen=True)
class FileLine:
    """A young person named in the adviser's lists: their file's link and the line's date."""

    young_person_public_id: UUID
    name: str  # YoungPerson.__str__
    url: str
    day: datetime.date


def _file_lines(queryset: QuerySet[Any], day: str) -> list[FileLine]:
    """The first lines of a selector's list, reading only the columns shown (no whole rows) and with
    one reverse() for the list: the files' addresses differ only by their UUID."""
    items = queryset.values_list("young_person__public_id", "young_person__first_name", "young_person__last_name", day)[
        :HOME_LIST_SIZE
    ]
    return [
        FileLine(
            young_person_public_id=public_id,
            name=f"{first} {last}",
            url=uuid_reverse("cej:young_person_detail", public_id=public_id),
            day=on,
        )
        for public_id, first, last, on in items
    ]


@http_methods("GET")
@login_required
def home(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    context: dict[str, object] = {"membership": actor.membership, "holds_files": can_hold_files(actor)}
    shown: list[UUID] = []  # the young people named on the page (access log)
    if context["holds_files"]:
        mine = young_people_for_actor(actor).filter(referent=actor.user)
        overdue = _file_lines(overdue_follow_ups(referent=actor.user, actor=actor), "scheduled_on")
        ending_soon = _file_lines(cej_ending_soon(referent=actor.user, actor=actor), "planned_end_on")
        context |= {"my_young_people_count": mine.count(), "overdue": overdue, "ending_soon": ending_soon}
        shown += [line.young_person_public_id for line in overdue]
        shown += [line.young_person_public_id for line in ending_soon]
    if can_refer(actor):
        hand_backs = open_hand_backs(actor=actor, limit=HOME_LIST_SIZE)
        context["hand_backs"] = hand_backs
        shown += [hand_back.young_person_public_id for hand_back in hand_backs]
    if can_use_inbox(actor):
        context["inbox_summary"] = inbox_summary(actor=actor)
    log_listing(actor=actor, listing="home", young_people=shown)
    return render(request, "home.html", context)


urlpatterns = [path("", home, name="home")]
