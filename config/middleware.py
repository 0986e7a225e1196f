from collections.abc import Callable

from django.conf import settings
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
