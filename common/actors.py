"""The acting user, for the shared apps (audit, exports, history…) without naming the domain that
knows who acts: the accounts app registers its resolvers here from its ``AppConfig.ready()``
(``partners.shared_layer``), and a shared page asks ``actor_for(request)``.

The actor is typed structurally (``Actor`` below): a shared app reads its user, membership and
organisation, never a role rule; a permission is a registered check of the app that needs it.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from typing import Any, Protocol

from django.http import HttpRequest


class Actor(Protocol):
    @property
    def user(self) -> Any: ...

    @property
    def membership(self) -> Any: ...

    @property
    def organisation(self) -> Any: ...


@dataclasses.dataclass
class _Resolvers:
    # Typed loosely: each takes the registering app's own actor class, which matches ``Actor``.
    request: Callable[..., Any] | None = None
    membership: Callable[..., Any] | None = None
    organisation: Callable[..., Any] | None = None


_RESOLVERS = _Resolvers()


def register(
    *,
    request: Callable[..., Any],
    membership: Callable[..., Any],
    organisation: Callable[..., Any],
) -> None:
    """``request``: the actor of a request (403 when nobody acts); ``membership``: the actor of an
    active membership's id, or None; ``organisation``: an organisation the actor may see, by public
    id (404 outside their scope)."""
    _RESOLVERS.request, _RESOLVERS.membership, _RESOLVERS.organisation = request, membership, organisation


def _registered(name: str) -> Any:
    resolver = getattr(_RESOLVERS, name)
    if resolver is None:
        raise LookupError("No actor resolver registered: the accounts app registers one in its ready().")
    return resolver


def actor_for(request: HttpRequest) -> Actor:
    """The actor of ``request`` (PermissionDenied when no user is signed in)."""
    resolved: Actor = _registered("request")(request)
    return resolved


def actor_for_membership(membership_id: int) -> Actor | None:
    """The actor acting through the membership ``membership_id``, if it is still active."""
    resolved: Actor | None = _registered("membership")(membership_id)
    return resolved


def organisation_for(actor: Actor, public_id: uuid.UUID | str) -> Any:
    """An organisation ``actor`` may see (Http404 for another one)."""
    return _registered("organisation")(actor, public_id)
