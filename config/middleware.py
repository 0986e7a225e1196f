import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


class RequestBodyLimitMiddleware:
    """Refuse a request body larger than MAX_REQUEST_BODY_BYTES before Django reads it.

    Django streams uploads to a temporary file before any form validates their size: without this,
    a 2 GB POST would fill the disk. The per-field limits (5 MB, 10 MB) give the friendlier message.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BODY_BYTES:
            limit = settings.MAX_REQUEST_BODY_BYTES // (1024 * 1024)
            return HttpResponse(
                render_to_string("413.html", {"limit_mb": limit}), status=413, content_type="text/html; charset=utf-8"
            )
        return self.get_response(request)


class NoStoreForSignedInMiddleware:
    """Every response to a signed-in person is ``Cache-Control: no-store`` unless its view said otherwise.

    Pages and downloads behind the sign-in carry personal data: neither the browser (back button on a
    shared computer) nor a proxy may keep a copy. Placed after AuthenticationMiddleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store"
        return response


SIGNED_IN_AT = "_signed_in_at"  # session key: when the person typed their password (epoch seconds)
LAST_SEEN_AT = "_last_seen_at"  # session key: their last request, refreshed at most once a minute
LAST_SEEN_RESOLUTION = 60


class SessionTimeoutMiddleware:
    """Sign out after SESSION_IDLE_TIMEOUT without a request, and SESSION_ABSOLUTE_TIMEOUT after sign-in.

    A shared computer left open at a Mission Locale's front desk must not keep a file open for long.
    The last request's time is written at most once a minute, so most requests do not save the session.
    The sign-in time is set on the first request after sign-in (the redirection that follows it).
    Placed after MessageMiddleware: the login page says why the person is there.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            session = request.session
            signed_in_at = session.setdefault(SIGNED_IN_AT, now)
            last_seen_at = session.get(LAST_SEEN_AT, now)
            if now - last_seen_at > settings.SESSION_IDLE_TIMEOUT:
                return self.sign_out(request, "Votre session a expiré après 30 minutes sans activité.")
            if now - signed_in_at > settings.SESSION_ABSOLUTE_TIMEOUT:
                message = "Votre session a expiré : reconnectez-vous au moins toutes les 12 heures."
                return self.sign_out(request, message)
            if LAST_SEEN_AT not in session or now - last_seen_at >= LAST_SEEN_RESOLUTION:
                session[LAST_SEEN_AT] = now
        return self.get_response(request)

    def sign_out(self, request: HttpRequest, message: str) -> HttpResponse:
        auth.logout(request)
        messages.info(request, f"{message} Reconnectez-vous pour continuer.")
        return redirect_to_login(request.get_full_path() if request.method == "GET" else "/")
