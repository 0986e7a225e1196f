"""Staying signed in: the page's warning before the idle timeout (static/js/session-timeout.js) posts here."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from common.http_methods import http_methods
from common.middleware import extend_session


@login_required
@http_methods("POST")
def session_extend(request: HttpRequest) -> HttpResponse:
    """A request, so the session's activity: 204, with the seconds now left (the 12-hour limit still holds).

    Signed out (or expired: SessionTimeoutMiddleware signed the person out first), the sign-in page.
    """
    response = HttpResponse(status=204)
    response["X-Session-Expires-In"] = str(extend_session(request))
    return response
