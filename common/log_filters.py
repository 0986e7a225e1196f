"""Logging filters installed by ``LOGGING`` (config/settings/base.py)."""

from __future__ import annotations

import http
import logging

# The loggers Django writes refused requests to: django.request (a view's PermissionDenied, BadRequest,
# an unreadable body, any 4xx response), the CSRF check, and one logger per SuspiciousOperation class.
CLIENT_ERROR_LOGGERS = (
    "django.request",
    "django.security.csrf",
    "django.security.DisallowedHost",
    "django.security.DisallowedRedirect",
    "django.security.RequestDataTooBig",
    "django.security.TooManyFieldsSent",
    "django.security.TooManyFilesSent",
    "django.security.SuspiciousFileOperation",
    "django.security.SuspiciousMultipartForm",
    "django.security.SuspiciousSession",
    "django.security.InvalidSessionKey",
    "django.security.DisallowedModelAdminLookup",
    "django.security.DisallowedModelAdminToField",
)


def _who(request: object) -> str:
    """The signed-in user's id, or « anonymous »: never a name or an address."""
    try:
        user = getattr(request, "user", None)  # may resolve the session's user (one query)
        if user is None or not user.is_authenticated:
            return "anonymous"
        return str(user.pk)
    except Exception:  # the database may be what failed: the line is still written
        return "unknown"


ONE_LINE_MARK = "made_one_line"


def _escaped(text: str) -> str:
    # As django.utils.log.log_response does: a path cannot forge a second log line.
    return text.encode("unicode_escape").decode("ascii")


class OneLineClientErrors(logging.Filter):
    """A refused request (4xx) is logged on one line: who, which path, which view, why — no traceback.

    Django logs a PermissionDenied, a BadRequest or a SuspiciousOperation with its whole traceback:
    pages of noise for an expected refusal, and its message (or the query string) may name someone.
    The line keeps the status, the user's id, the path without its query string, the view's name and
    the exception's class (or the CSRF check's reason, a fixed text of Django's).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        request = getattr(record, "request", None)
        if not isinstance(status, int) or not 400 <= status < 500 or request is None:
            return True
        if getattr(record, ONE_LINE_MARK, False):
            # Already made one line: logging configured twice (dictConfig adds a logger's filters again
            # without removing the old ones) runs the filter twice, and the second pass, without the
            # traceback, would lose the reason.
            return True
        exception = record.exc_info[1] if record.exc_info else None
        if exception is not None:
            reason = type(exception).__name__
        elif record.name == "django.security.csrf" and isinstance(record.args, tuple) and record.args:
            reason = f"CSRF ({record.args[0]})"
        elif status == 405:
            reason = f"method {_escaped(str(getattr(request, 'method', '-')))}"
        else:
            reason = "-"
        match = getattr(request, "resolver_match", None)
        try:
            phrase = http.HTTPStatus(status).phrase
        except ValueError:
            phrase = "Client error"
        record.msg = "%s (%s): user=%s path=%s view=%s reason=%s"
        record.args = (
            phrase,
            status,
            _who(request),
            _escaped(str(getattr(request, "path", "-"))),
            (match.view_name if match else None) or "-",
            reason,
        )
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        setattr(record, ONE_LINE_MARK, True)
        return True
