"""What an outbox message says: French e-mail templates per kind, filled from the database.

A message's context holds identifiers only; names (organisations, sites, advisers, the young
person's first name and initial) are read here, at delivery, so an e-mail never carries a name
that was corrected or erased in the meantime. Templates: ``outbox/email/<kind>.subject.txt`` and
``<kind>.body.txt`` (falling back to the kind's family: ``referral.sent`` → ``referral.*``), laid
out in ``layout.txt`` (plain text) and ``layout.html``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.conf import settings
from django.template import Context
from django.template.loader import render_to_string, select_template

from outbox.models import Message

# context key → (model label, lookup field, related rows read with it)
LOADERS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "referral": (
        "e2c_referrals.Referral",
        "public_id",
        ("young_person", "e2c_site", "referring_organisation", "referring_adviser"),
    ),
    "other_referral": ("e2c_referrals.Referral", "public_id", ("e2c_site", "referring_organisation")),
    "hand_back": ("e2c_referrals.HandBack", "public_id", ("organisation", "assignee", "referral__young_person")),
    "follow_up": ("cej.FollowUp", "pk", ("young_person",)),
    "cej_contract": ("cej.CejContract", "pk", ("young_person", "organisation")),
    "pacea_contract": ("cej.PaceaContract", "pk", ("young_person", "organisation")),
    "agreement": ("partners.Agreement", "public_id", ()),
    "session": ("e2c_referrals.InformationSession", "public_id", ("e2c_site", "venue_organisation")),
    "retention_file": ("cej.YoungPerson", "public_id", ()),
}


# kind → what its e-mail adds at delivery only, never stored in the row: a password-reset link is made by
# the worker that sends it, so that no usable token rests in the outbox table. Domains register theirs
# (partners.apps); the outbox names none. May set ``link``, ``link_intro`` and ``link_label`` (the layouts').
DELIVERY_CONTEXT: dict[str, Callable[[Message], dict[str, str]]] = {}


def register_delivery_context(kind: str, provider: Callable[[Message], dict[str, str]]) -> None:
    DELIVERY_CONTEXT[kind] = provider


@dataclasses.dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    sender: Any  # the Organisation whose action caused the message, or None (the platform)


def sender_organisation(message: Message, objects: dict[str, Any]) -> Any:
    """Who the message comes from. A referral's messages go to one side (``message.organisation``
    is the recipient's): the sender is the other side; another network's referral, its referrer."""
    if objects.get("other_referral") is not None:
        return objects["other_referral"].referring_organisation
    referral = objects.get("referral")
    if referral is None or message.kind.startswith("reminder."):
        return None
    if message.organisation_id == referral.e2c_site_id:
        return referral.referring_organisation
    return referral.e2c_site


def site_url() -> str:
    """The public address of the application, for links in e-mails (the SITE_URL setting)."""
    return str(settings.SITE_URL)


def load_objects(context: dict[str, Any]) -> dict[str, Any]:
    """The rows named by the context's identifiers (None when a row is gone)."""
    objects: dict[str, Any] = {}
    for key, (label, field, related) in LOADERS.items():
        if key not in context:
            continue
        model = apps.get_model(label)
        objects[key] = model._default_manager.select_related(*related).filter(**{field: context[key]}).first()
    return objects


def _templates(kind: str, suffix: str) -> list[str]:
    """``referral.sent`` → its own template, else its family's (``referral``), else the default."""
    family = kind.split(".", 1)[0]
    return [f"outbox/email/{kind}.{suffix}", f"outbox/email/{family}.{suffix}", f"outbox/email/default.{suffix}"]


def _light_context(message: Message) -> dict[str, Any]:
    """What a subject line may use: the message, its identifiers and labels, no database read."""
    link = message_link(message)
    return {
        "message": message,
        "context": message.context,
        "status_label": status_label(message.context.get("to", "")),
        "site_url": site_url(),
        "link": f"{site_url()}{link}" if link else "",
        "link_intro": "Pour voir le dossier",
        "link_label": "Voir le dossier dans Orientations E2C",
    }


def short_name(young_person: Any) -> str:
    """First name and initial ("Camille D."): enough for the recipient, little if the e-mail strays."""
    if young_person is None:
        return "un jeune"
    return f"{young_person.first_name} {young_person.last_name[:1]}.".strip()


def template_context(message: Message) -> dict[str, Any]:
    objects = load_objects(message.context)
    holder = next(
        (objects[key] for key in ("referral", "follow_up", "cej_contract", "pacea_contract") if objects.get(key)), None
    )
    if holder is None and objects.get("hand_back") is not None:
        holder = objects["hand_back"].referral
    return {
        **_light_context(message),
        "recipient": message.recipient,
        "organisation": message.organisation,
        "young_person_short": short_name(getattr(holder, "young_person", None)),
        "listed": listed_young_people(message.context),
        **objects,
    }


def listed_young_people(context: dict[str, Any]) -> list[dict[str, str]]:
    """A session message's list of referrals (``[{"referral": id, "attendance": …}]``) as short
    names and attendance labels, read at delivery."""
    items = context.get("referrals")
    if not isinstance(items, list) or not items:
        return []
    from e2c_referrals.enums import Attendance
    from e2c_referrals.models import Referral

    found = {
        str(referral.public_id): referral
        for referral in Referral.objects.filter(public_id__in=[item.get("referral") for item in items]).select_related(
            "young_person"
        )
    }
    labels = dict(Attendance.choices)
    return [
        {
            "name": short_name(getattr(found.get(str(item.get("referral"))), "young_person", None)),
            "attendance": str(labels.get(item.get("attendance", ""), "")),
        }
        for item in items
    ]


def _plain(names: list[str], context: dict[str, Any]) -> str:
    """A text template rendered without HTML escaping (an apostrophe stays an apostrophe)."""
    template = select_template(names)
    return str(template.template.render(Context(context, autoescape=False)))


def render_message(message: Message) -> Rendered:
    context = template_context(message)
    if message.kind in DELIVERY_CONTEXT:
        context.update(DELIVERY_CONTEXT[message.kind](message))
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


# context key → URL name of the page the message points to (identifiers only, no query).
LINKS: tuple[tuple[str, str], ...] = (
    ("hand_back", "e2c_referrals:hand_back_handle"),
    ("referral", "e2c_referrals:referral_detail"),
    ("young_person", "cej:young_person_detail"),
    ("agreement", "partners:agreement_detail"),
    ("session", "e2c_referrals:session_detail"),
)


def message_link(message: Message) -> str | None:
    """The path of the record the message is about (the page itself checks access)."""
    from django.urls import NoReverseMatch, reverse

    for key, name in LINKS:
        if key in message.context:
            try:
                return reverse(name, kwargs={"public_id": message.context[key]})
            except NoReverseMatch:
                return None
    return None


def status_label(value: object) -> str:
    from e2c_referrals.enums import ReferralStatus

    try:
        return str(ReferralStatus(str(value)).label)
    except ValueError:
        return str(value)
