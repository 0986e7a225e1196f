"""Middleware that names no domain: request size, NUL bytes, no-store for signed-in pages, idle timeout."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
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


class RejectNulBytesMiddleware:
    """Refuse a query or form value holding a NUL byte with a 400 page, before any view runs.

    PostgreSQL cannot store NUL in text and psycopg refuses it even in a filter: without this,
    ``?region=%00`` on any filtered list would be a server error. No person types a NUL byte.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        parameters = [request.GET]
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            parameters.append(request.POST)
        for values in parameters:
            for key, items in values.lists():
                if "\x00" in key or any("\x00" in item for item in items):
                    return render(request, "400.html", status=400)
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


def stamp_signed_in_session(sender: object, request: HttpRequest, user: object, **kwargs: object) -> None:
    """At sign-in, the session learns when: the first page after it then has nothing to save."""
    now = time.time()
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN_AT] = now


def seconds_left(last_seen_at: float, signed_in_at: float, now: float) -> int:
    """Whole seconds before the session ends without a further request (the idle or the 12-hour limit)."""
    ends_at = min(last_seen_at + settings.SESSION_IDLE_TIMEOUT, signed_in_at + settings.SESSION_ABSOLUTE_TIMEOUT)
    return max(0, int(ends_at - now))


def extend_session(request: HttpRequest) -> int:
    """The person asked to stay signed in: their last request is now (not rounded to the minute).

    Returns the seconds left after it (less than SESSION_IDLE_TIMEOUT near the 12-hour limit).
    """
    now = time.time()
    request.session[LAST_SEEN_AT] = now
    return seconds_left(now, request.session.get(SIGNED_IN_AT, now), now)


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
                session[LAST_SEEN_AT] = last_seen_at = now
            # For the page's warning before the end (static/js/session-timeout.js, WCAG 2.2.1).
            request.session_expires_in = seconds_left(last_seen_at, signed_in_at, now)  # type: ignore[attr-defined]
            request.session_warns_before = settings.SESSION_IDLE_WARNING  # type: ignore[attr-defined]
        return self.get_response(request)

    def sign_out(self, request: HttpRequest, message: str) -> HttpResponse:
        auth.logout(request)
        messages.info(request, f"{message} Reconnectez-vous pour continuer.")
        return redirect_to_login(request.get_full_path() if request.method == "GET" else "/")
