"""The "Historique" tab of a young person's file: who changed what, when, from which organisation."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from audit.models import AccessLog
from audit.services import log_access
from cej.selectors.young_people import young_person_for_actor
from common.http_methods import http_methods
from history.selectors import file_history_page
from partners.access import Capability, actor_for


@http_methods("GET")
@login_required
def young_person_history(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = actor_for(request)
    # The file page's rule first (another organisation's file is not found), then the role's.
    young_person = young_person_for_actor(actor=actor, public_id=public_id)
    actor.require(Capability.READ_HISTORY)
    # The history shows the file's data, past and present: a consultation of the file.
    log_access(actor=actor, record=young_person, purpose=AccessLog.Purpose.VIEW_FILE)
    history = file_history_page(
        young_person=young_person, after=request.GET.get("apres"), before=request.GET.get("avant")
    )
    return render(request, "history/young_person_history.html", {"young_person": young_person, "history": history})
