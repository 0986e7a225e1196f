"""The young people's information notice (public). The home page is in e2c_referrals.views.home."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.cache import cache_control

from common.http_methods import http_methods


@http_methods("GET")
@cache_control(max_age=3600, public=True)
def information_notice(request: HttpRequest) -> HttpResponse:
    """The notice given to the young person, written for a 16-year-old; public and printable."""
    return render(request, "cej/information_notice.html")


urlpatterns = [
    path("information-jeunes/", information_notice, name="information_notice"),
]
