"""Middleware that asks the partners domain: sessions ended by an administrator, two-factor required."""

from collections.abc import Callable

from django.contrib import auth, messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve, reverse


class SessionEndedMiddleware:
    """Say on the login page why a session ended elsewhere, instead of landing there without a word.

    Three cases (partners.sessions.SessionEnd): the password was changed in another browser (Django's
    session auth hash no longer matches: it flushes the session when request.user is first read), the
    account was closed (Django refuses an inactive user but leaves its session: it is flushed here), or
    the session was ended by ``end_sessions_of``, which leaves the reason in it. Placed after
    MessageMiddleware and before anything that reads request.user (SessionTimeoutMiddleware).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from partners.sessions import SESSION_ENDED_KEY, SessionEnd

        session = request.session
        ended = session.pop(SESSION_ENDED_KEY, None)
        claimed_user_id: str | None = session.get(auth.SESSION_KEY)
        claimed_hash = session.get(auth.HASH_SESSION_KEY)
        if claimed_user_id is not None and not request.user.is_authenticated:
            ended = self.why_refused(claimed_user_id, claimed_hash)
            if auth.SESSION_KEY in session:  # an inactive user: Django left the session in place
                session.flush()
        if ended:
            label = SessionEnd(ended).label if ended in SessionEnd.values else SessionEnd.ENDED.label
            messages.warning(request, str(label))
        return self.get_response(request)

    @staticmethod
    def why_refused(user_id: str, session_hash: object) -> str:
        from partners.models import User
        from partners.sessions import SessionEnd

        user = User.objects.filter(pk=user_id).first()
        if user is None or not user.is_active:
            return SessionEnd.ACCOUNT_CLOSED
        if session_hash != user.get_session_auth_hash():
            return SessionEnd.PASSWORD_CHANGED
        return SessionEnd.ENDED


class TwoFactorRequiredMiddleware:
    """A person whose role requires two-factor authentication reaches no page before typing a code.

    Without a confirmed device they are sent to the enrolment page, with one to the code page; signing
    out and the pages of that journey stay open. Placed after SessionTimeoutMiddleware (which records
    the sign-in time the enrolment page relies on). The memberships read here are the request's cached
    ones (partners.access.actor_for): no query beyond what the page does anyway.
    """

    OPEN_URL_NAMES = frozenset({"logout", "two_factor_verify", "two_factor_setup", "reauthenticate"})

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from partners.access import actor_for
        from partners.models import User
        from partners.services.two_factor import confirmed_device, session_is_verified, two_factor_required

        user = request.user
        if isinstance(user, User) and user.is_authenticated and not session_is_verified(request):
            actor_for(request)
            # The path is resolved only for the roles that need the code: not on every adviser's page.
            if two_factor_required(user, getattr(request, "_memberships", None)):
                try:
                    url_name = resolve(request.path_info).url_name
                except Resolver404:
                    url_name = None
                if url_name not in self.OPEN_URL_NAMES:
                    target = "two_factor_verify" if confirmed_device(user) else "two_factor_setup"
                    next_page = request.get_full_path() if request.method == "GET" else "/"
                    return redirect_to_login(next_page, login_url=reverse(target))
        return self.get_response(request)
