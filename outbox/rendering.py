"""What an outbox message says: French e-mail templates per kind, filled from the database.

A message's context holds identifiers only; names (organisations, sites, advisers, the young
person's first name and initial) are read here, at delivery, so an e-mail never carries a name
that was corrected or erased in the meantime. Templates: ``outbox/email/<kind>.subject.txt`` and
``<kind>.body.txt`` (falling back to the kind's family: ``referral.sent`` → ``referral.*``), laid
out in ``layout.txt`` (plain text) and ``layout.html``.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

from django.apps import apps
from django.conf import settings
from django.template import Context
from django.template.loader import render_to_string, select_template
from django.urls import NoReverseMatch, reverse

from outbox import registry
from outbox.models import Message


@dataclasses.dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    sender: Any  # the Organisation whose action caused the message, or None (the platform)


def sender_organisation(message: Message, objects: dict[str, Any]) -> Any:
    """Who the message comes from: the first domain's answer (``registry.register_sender``), else
    None (the platform)."""
    for path in registry.SENDERS:
        found = registry.function(path)(message, objects)
        if found is not None:
            return found
    return None


def site_url() -> str:
    """The public address of the application, for links in e-mails (the SITE_URL setting)."""
    return str(settings.SITE_URL)


def load_objects(context: dict[str, Any]) -> dict[str, Any]:
    """The rows named by the context's identifiers (None when a row is gone)."""
    objects: dict[str, Any] = {}
    for key, loader in registry.LOADERS.items():
        if key not in context:
            continue
        model = apps.get_model(loader.model)
        objects[key] = (
            model._default_manager.select_related(*loader.related).filter(**{loader.field: context[key]}).first()
        )
    return objects


def person_of(objects: dict[str, Any]) -> Any:
    """The young person the message is about: from the first loaded row whose loader names one."""
    for key, loader in registry.LOADERS.items():
        row = objects.get(key)
        if loader.person and row is not None:
            return functools.reduce(getattr, loader.person.split("."), row)
    return None


def _templates(kind: str, suffix: str) -> list[str]:
    """``referral.sent`` → its own template, else its family's (``referral``), else the default."""
    family = kind.split(".", 1)[0]
    return [f"outbox/email/{kind}.{suffix}", f"outbox/email/{family}.{suffix}", f"outbox/email/default.{suffix}"]


def _variables(message: Message, objects: dict[str, Any], *, light: bool) -> dict[str, Any]:
    return {
        name: registry.function(variable.function)(message, objects)
        for name, variable in registry.VARIABLES.items()
        if variable.light == light
    }


def _light_context(message: Message) -> dict[str, Any]:
    """What a subject line may use: the message, its identifiers and labels, no database read."""
    link = message_link(message)
    return {
        "message": message,
        "context": message.context,
        **_variables(message, {}, light=True),
        "site_url": site_url(),
        "link": f"{site_url()}{link}" if link else "",
        "link_intro": "Pour voir le dossier",
        "link_label": "Voir le dossier dans Orientations E2C",
    }


def template_context(message: Message) -> dict[str, Any]:
    objects = load_objects(message.context)
    return {
        **_light_context(message),
        "recipient": message.recipient,
        "organisation": message.organisation,
        **_variables(message, objects, light=False),
        **objects,
    }


def _plain(names: list[str], context: dict[str, Any]) -> str:
    """A text template rendered without HTML escaping (an apostrophe stays an apostrophe)."""
    template = select_template(names)
    return str(template.template.render(Context(context, autoescape=False)))


def render_message(message: Message) -> Rendered:
    context = template_context(message)
    context.update(registry.delivery_context(message))
    subject = " ".join(_plain(_templates(message.kind, "subject.txt"), context).split())[:200]
    body = _plain(_templates(message.kind, "body.txt"), context).strip()
    sender = sender_organisation(message, context)
    layout = {**context, "subject": subject, "body": body, "organisation": sender}
    return Rendered(
        sender=sender,
        subject=subject,
        text=render_to_string("outbox/email/layout.txt", layout),
        html=render_to_string("outbox/email/layout.html", layout),
    )


def render_subject(message: Message) -> str:
    """The one line shown in the bell's list: no database read, no young person's name."""
    return " ".join(_plain(_templates(message.kind, "subject.txt"), _light_context(message)).split())


def message_link(message: Message) -> str | None:
    """The path of the record the message is about (the page itself checks access)."""
    for key, name in registry.LINKS.items():
        if key in message.context:
            try:
                return reverse(name, kwargs={"public_id": message.context[key]})
            except NoReverseMatch:
                return None
    return None
