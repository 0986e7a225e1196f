"""Each view declares the HTTP methods it implements; any other method answers 405 before the view runs.

A function view says it with ``@http_methods("GET")``, ``@http_methods("GET", "POST")`` (a page with its
form) or ``@http_methods("POST")`` (an action posted from another page); a class-based view with Django's
own ``http_method_names`` (on the class or in ``as_view()``) and the handlers it defines.

``MethodNotAllowedMiddleware`` reads that declaration from the resolved view and, placed before
``CsrfViewMiddleware``, answers an undeclared method with 405 and an ``Allow`` header whatever the CSRF token,
the session or the role: a ``PUT`` is refused for what it is, not for a missing token. Rules, the same for
every view:

- ``HEAD`` goes with ``GET`` (Django runs the ``GET`` view; the server sends no body);
- ``OPTIONS`` is answered here for every view, 200 with ``Allow`` and no body, as Django's class-based
  views do; it never reaches a view;
- a view that declares nothing (Django's admin: the URL matrix requires a declaration of every view of the
  application) is held to ``GET``, ``HEAD`` and ``POST``.

The 405 answer is a French page (templates/405.html), logged on one line like every refused request
(common/log_filters.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.views.decorators.http import require_http_methods

ViewT = TypeVar("ViewT", bound=Callable[..., Any])

# The order of the Allow header.
KNOWN_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE")
UNDECLARED_VIEW_METHODS = frozenset({"GET", "HEAD", "POST"})
DECLARED = "http_methods"  # the attribute a view's declaration leaves on it (carried by functools.wraps)


def _with_head(methods: set[str] | frozenset[str]) -> frozenset[str]:
    return frozenset(methods | {"HEAD"}) if "GET" in methods else frozenset(methods)


def http_methods(*methods: str) -> Callable[[ViewT], ViewT]:
    """Declare the methods a function view implements (``HEAD`` comes with ``GET``, ``OPTIONS`` is answered by
    the middleware). The view itself refuses any other with Django's ``require_http_methods``, so the
    declaration holds even where the middleware does not run (a view called directly)."""
    unknown = set(methods) - set(KNOWN_METHODS)
    if not methods or unknown or "HEAD" in methods or "OPTIONS" in methods:
        raise ValueError(f"declare GET and/or POST (or another method the view implements), not {methods}")
    allowed = _with_head(set(methods))

    def decorator(view: ViewT) -> ViewT:
        checked = require_http_methods(sorted(allowed | {"OPTIONS"}, key=KNOWN_METHODS.index))(view)
        setattr(checked, DECLARED, allowed)
        return checked

    return decorator


def declared_methods(view: Callable[..., Any]) -> frozenset[str] | None:
    """The methods ``view`` implements, ``OPTIONS`` aside; None if it declares nothing.

    A class-based view: the methods of its ``http_method_names`` it has a handler for, as Django's
    ``View._allowed_methods`` computes them (``as_view()`` arguments included).
    """
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        names = getattr(view, "view_initkwargs", {}).get("http_method_names", view_class.http_method_names)
        handled = {
            name.upper()
            for name in names
            if name != "options" and (hasattr(view_class, name) or (name == "head" and hasattr(view_class, "get")))
        }
        return frozenset(handled)
    declared = getattr(view, DECLARED, None)
    return frozenset(declared) if declared is not None else None


def allow_header(methods: frozenset[str]) -> str:
    return ", ".join(method for method in KNOWN_METHODS if method in methods | {"OPTIONS"})


def method_not_allowed(request: HttpRequest, allowed: frozenset[str]) -> HttpResponse:
    """The French 405 page, with the Allow header."""
    body = render_to_string(
        "405.html",
        {"method": request.method, "form_only": allowed == {"POST"} and request.method in ("GET", "HEAD")},
        request=request,
    )
    response = HttpResponse(body, status=405, content_type="text/html; charset=utf-8")
    response["Allow"] = allow_header(allowed)
    return response


class MethodNotAllowedMiddleware:
    """Answer a method the resolved view does not implement with 405 (French page, ``Allow``), and
    ``OPTIONS`` with 200 and ``Allow``, before the CSRF check and before the view. Placed just before
    ``CsrfViewMiddleware`` (its process_view runs first); request.user and the messages are already there.

    A 405 answered by a view itself (Django's own views answer it with an empty body) gets the same page.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 405 and not getattr(response, "streaming", False) and not response.content:
            page = method_not_allowed(request, frozenset())
            response.content = page.content
            response["Content-Type"] = page["Content-Type"]
        return response

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: object, view_kwargs: object
    ) -> HttpResponse | None:
        declared = declared_methods(view_func)
        allowed = declared if declared is not None else UNDECLARED_VIEW_METHODS
        if request.method == "OPTIONS":
            response = HttpResponse(status=200)
            response["Allow"] = allow_header(allowed)
            response["Content-Length"] = "0"
            return response
        if request.method not in allowed:
            return method_not_allowed(request, allowed)
        return None
