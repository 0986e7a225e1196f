from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from partners.selectors import current_membership


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "partners/home.html", {"membership": current_membership(request)})
