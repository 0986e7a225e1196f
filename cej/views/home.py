"""The home page: an adviser's day (young people, overdue reviews, CEJ ending soon); others see their role."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.cache import cache_control

from cej.selectors.follow_ups import cej_ending_soon, overdue_follow_ups
from cej.selectors.young_people import young_people_for_actor
from cej.services.young_people import can_hold_files
from partners.access import actor_for

HOME_LIST_SIZE = 10


@login_required
def home(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    context: dict[str, object] = {"membership": actor.membership, "holds_files": can_hold_files(actor)}
    if context["holds_files"]:
        mine = young_people_for_actor(actor).filter(referent=actor.user)
        context |= {
            "my_young_people_count": mine.count(),
            "overdue": list(overdue_follow_ups(referent=actor.user)[:HOME_LIST_SIZE]),
            "ending_soon": list(cej_ending_soon(referent=actor.user)[:HOME_LIST_SIZE]),
        }
    return render(request, "home.html", context)


@cache_control(max_age=3600, public=True)
def information_notice(request: HttpRequest) -> HttpResponse:
    """The notice given to the young person, written for a 16-year-old; public and printable."""
    return render(request, "cej/information_notice.html")


urlpatterns = [
    path("", home, name="home"),
    path("information-jeunes/", information_notice, name="information_notice"),
]
