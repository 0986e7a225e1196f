from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from common.http_methods import http_methods
from partners.access import choose_membership


@http_methods("POST")
@login_required
def switch_organisation(request: HttpRequest) -> HttpResponse:
    membership = choose_membership(request, request.POST.get("membership", ""))
    if membership is None:
        messages.error(request, "Vous n'êtes pas rattaché à cette organisation.")
    else:
        messages.success(request, f"Vous agissez désormais pour {membership.organisation}.")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "home"
    return redirect(target)
