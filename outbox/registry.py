"""What the domains tell the outbox about their messages. The outbox names no domain: each app registers,
from its ``AppConfig.ready()`` and with dotted paths (imported when first used, never at start-up):

- ``register_loader``: a key of a message's context and the row it names (``"referral"`` → a
  ``e2c_referrals.Referral`` by ``public_id``), read at delivery so an e-mail never carries a name
  corrected or erased since; ``person``: the attribute path, from that row, to the young person the
  message is about (``young_person_short``). Earlier registrations come first;
- ``register_link``: the page a context key points to (the first key present wins, in registration order);
- ``register_variable``: a template variable computed from the message and its loaded rows
  (``f(message, objects)``); ``light=True``: it reads no database, so the bell's subject lines may use it;
- ``register_sender``: ``f(message, objects)`` → the organisation the message comes from, or None;
- ``register_delivery_context``: for one kind, what its e-mail adds at delivery only (a reset link);
- ``register_purge_guard``: ``f()`` → a ``Q`` of old messages the purge must keep;
- ``register_access``: who is acting (``actor_for(request)``) and what they must be allowed to see the
  monitoring pages (``actor.require(monitor)``).

Templates stay files: ``outbox/email/<kind>.subject.txt`` and ``.body.txt``, falling back to the kind's
family (``referral.sent`` → ``referral.*``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from django.db.models import Q
    from django.http import HttpRequest

    from outbox.models import Message


class Actor(Protocol):
    """The acting person as the outbox needs them: who (``user``) and a permission check that raises."""

    @property
    def user(self) -> Any: ...

    def require(self, capability: Any) -> None: ...


@dataclasses.dataclass(frozen=True)
class Loader:
    key: str
    model: str  # "app_label.ModelName"
    field: str  # the lookup field the context's identifier matches
    related: tuple[str, ...] = ()  # rows read with it (select_related)
    person: str = ""  # attribute path to the young person the message is about ("referral.young_person")


@dataclasses.dataclass(frozen=True)
class Variable:
    function: str  # dotted path of f(message, objects) -> value
    light: bool = False  # reads no database: usable in the bell's subject lines


@dataclasses.dataclass(frozen=True)
class Access:
    actor_for: str  # dotted path of f(request) -> Actor
    monitor: object  # what ``actor.require`` is given for the monitoring pages and the retry


LOADERS: dict[str, Loader] = {}
LINKS: dict[str, str] = {}  # context key → URL name taking ``public_id``
VARIABLES: dict[str, Variable] = {}
SENDERS: list[str] = []
DELIVERY_CONTEXT: dict[str, str] = {}  # kind → dotted path of f(message) -> dict[str, str]
PURGE_GUARDS: list[str] = []
_ACCESS: list[Access] = []


def _same(known: object, new: object, what: str) -> None:
    if known is not None and known != new:
        raise ValueError(f"{what} is already registered differently.")


def register_loader(
    key: str, *, model: str, field: str = "public_id", related: tuple[str, ...] = (), person: str = ""
) -> None:
    loader = Loader(key=key, model=model, field=field, related=related, person=person)
    _same(LOADERS.get(key), loader, f"The loader of {key!r}")
    LOADERS[key] = loader


def register_link(key: str, url_name: str) -> None:
    _same(LINKS.get(key), url_name, f"The link of {key!r}")
    LINKS[key] = url_name


def register_variable(name: str, function: str, *, light: bool = False) -> None:
    variable = Variable(function=function, light=light)
    _same(VARIABLES.get(name), variable, f"The variable {name!r}")
    VARIABLES[name] = variable


def register_sender(function: str) -> None:
    if function not in SENDERS:
        SENDERS.append(function)


def register_delivery_context(kind: str, provider: str) -> None:
    _same(DELIVERY_CONTEXT.get(kind), provider, f"The delivery context of {kind!r}")
    DELIVERY_CONTEXT[kind] = provider


def register_purge_guard(function: str) -> None:
    if function not in PURGE_GUARDS:
        PURGE_GUARDS.append(function)


def register_access(*, actor_for: str, monitor: object) -> None:
    access = Access(actor_for=actor_for, monitor=monitor)
    _same(_ACCESS[0] if _ACCESS else None, access, "The outbox's access")
    _ACCESS[:] = [access]


def function(path: str) -> Callable[..., Any]:
    """The callable at ``path`` (its module is imported at the first call, then found in ``sys.modules``)."""
    found: Callable[..., Any] = import_string(path)
    return found


def access() -> Access:
    if not _ACCESS:
        raise RuntimeError("No app registered the outbox's access (register_access).")
    return _ACCESS[0]


def actor_for(request: HttpRequest) -> Actor:
    actor: Actor = function(access().actor_for)(request)
    return actor


def require_monitor(actor: Actor) -> None:
    """403 unless ``actor`` may see the outbox's states, the jobs' runs and retry a failed message."""
    actor.require(access().monitor)


def delivery_context(message: Message) -> dict[str, str]:
    path = DELIVERY_CONTEXT.get(message.kind)
    return function(path)(message) if path else {}


def purge_guard() -> Q:
    """Old messages the purge keeps (each domain's guard, or'ed)."""
    from django.db.models import Q

    kept = Q()
    for path in PURGE_GUARDS:
        kept |= function(path)()
    return kept
