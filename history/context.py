"""Who, for which organisation and from where: the context attached to each change.

pghistory prefixes every writing statement of a ``pghistory.context`` block with two
``set_config`` calls carrying the context as JSON (no extra round trip), and the triggers store it
once per block in ``pghistory_context``. The metadata is serialised at each write, which lets the
user and the organisation be read *then*, from what the view has already resolved (the actor
``partners.access.actor_for`` caches on the request): the middleware adds no query, and a view
that switches organisation records the new one.

Metadata keys: ``user`` (id), ``membership`` and ``organisation`` (ids, the membership the request
acts under), ``url`` (the path only: a query string may carry a name), ``job`` (a scheduled job or
a management command).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pghistory
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject, empty


class _Resolved:
    """A value of the request's context, read when a change is written (see the module docstring)."""

    def __init__(self, request: HttpRequest, key: str) -> None:
        self.request = request
        self.key = key

    def value(self) -> int | None:
        actor = getattr(self.request, "_actor", None)
        if actor is not None:
            if self.key == "user":
                return int(actor.user.pk)
            if actor.membership is None:
                return None
            return int(actor.membership.pk if self.key == "membership" else actor.membership.organisation_id)
        if self.key != "user":
            return None
        # No actor yet (signing in, accepting an invitation): the user if already loaded, never a
        # query from inside the statement being executed.
        user = self.request.__dict__.get("user")
        if isinstance(user, SimpleLazyObject):
            user = user._wrapped
            if user is empty:
                return None
        if user is None or not getattr(user, "is_authenticated", False):
            return None
        return int(user.pk)


class ContextEncoder(DjangoJSONEncoder):
    """Serialises the context metadata (``PGHISTORY_JSON_ENCODER``), resolving request values."""

    def default(self, o: Any) -> Any:
        if isinstance(o, _Resolved):
            return o.value()
        return super().default(o)


class HistoryContextMiddleware:
    """Every request's changes carry its user, acting membership and organisation, and path."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with pghistory.context(
            user=_Resolved(request, "user"),
            membership=_Resolved(request, "membership"),
            organisation=_Resolved(request, "organisation"),
            url=request.path,
        ):
            return self.get_response(request)


def job_context(name: str) -> pghistory.context:
    """The context of a scheduled job or a management command: changes made by ``name``."""
    return pghistory.context(job=name)
