"""The floor of ``make bench-pages``: a plain Django 5.2 page, served by the same gunicorn settings.

Fifty rows of the 1.5-million-row young people table, read in the same PostgreSQL behind session
authentication, rendered by a template with a date and a URL per row — what any Django list page
costs with nothing of ours around it (no middleware, context processor or access log of ours). The
everyday pages are measured as a ratio to it (bench/pages.py), in the same run, interleaved.
"""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from cej.models import YoungPerson

ROWS = 50


@login_required
def floor(request: HttpRequest) -> HttpResponse:
    people = YoungPerson.objects.order_by("pk")[:ROWS]
    return render(request, "bench/floor.html", {"people": people})


@login_required
def floor_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return HttpResponse(str(public_id))


urlpatterns = [
    path("plancher/", floor, name="floor"),
    path("plancher/<uuid:public_id>/", floor_detail, name="floor_detail"),
]
